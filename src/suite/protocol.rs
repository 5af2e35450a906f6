//! What a parent sends a cell's child process (one JSON object on stdin) and what the child
//! answers (one JSON line on stdout). Everything is plain data: the child rebuilds the plans
//! from the same seed, so it does exactly the work the parent expects.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::watch::LiveMemory;
use crate::limit::Limit;
use crate::measure::memory::KernelMemory;
use crate::runtime::brigade::Link;
use crate::runtime::{SleepTimes, Spawned, Variant};
use crate::workload::service::{ServiceOutcome, ServiceSpec};
use crate::workload::{Latency, WorkloadKind, WorkloadSpec};

/// A deliberate failure, for tests of cell isolation (hidden flag `--fault`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Fault {
    /// The cell panics.
    Panic,
    /// The cell aborts (a crash, SIGABRT).
    Abort,
    /// The cell never answers (killed at the cell timeout).
    Hang,
}

/// What a parent asks a cell child to run; the child rebuilds the plans from these.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellRequest {
    /// The runtime by name.
    pub runtime: String,
    /// The workload.
    pub workload: WorkloadKind,
    /// Tasks per run.
    pub tasks: usize,
    /// Waits per io task.
    pub calls: u32,
    /// The latency distribution.
    pub latency: Latency,
    /// n of each factorial.
    pub compute: u32,
    /// Steps per mixed task.
    pub steps: Vec<u32>,
    /// Seed of the plans.
    pub seed: u64,
    /// Bytes of each reply of the latency server (`net`).
    #[serde(default = "default_payload")]
    pub payload: usize,
    /// The concurrency limit.
    pub limit: Limit,
    /// The --workers setting.
    pub workers: usize,
    /// Untimed runs first.
    pub warmup: usize,
    /// Measured runs.
    pub repeat: usize,
    /// A deliberate failure (tests only).
    pub fault: Option<Fault>,
    /// A labelled variant of an async runtime (`normal`, `await-each`, ...).
    #[serde(default)]
    pub variant: Variant,
    /// A claims experiment instead of the workload.
    #[serde(default)]
    pub experiment: Option<Experiment>,
    /// Memory pass: park this many idle units instead of running the workload.
    #[serde(default)]
    pub park: Option<usize>,
    /// Pin the child's threads to this CPU before anything starts (the cell's own thread,
    /// so every thread the runtime starts inherits it).
    #[serde(default)]
    pub pin: Option<usize>,
}

/// What parking N idle units cost the cell's process.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MemorySample {
    /// Units parked.
    pub units: usize,
    /// Resident bytes before the first unit.
    pub rss_before_bytes: u64,
    /// Resident bytes with every unit parked.
    pub rss_after_bytes: u64,
    /// Virtual bytes before the first unit.
    pub virtual_before_bytes: u64,
    /// Virtual bytes with every unit parked.
    pub virtual_after_bytes: u64,
    /// Net heap bytes allocated while parking (counting allocator).
    pub heap_bytes: i64,
    /// Sums over the parked worker processes (processes model only, else 0).
    #[serde(default)]
    pub children_rss_bytes: u64,
    /// Their proportional bytes.
    #[serde(default)]
    pub children_pss_bytes: u64,
    /// Their virtual bytes.
    #[serde(default)]
    pub children_virtual_bytes: u64,
    /// The system's kernel memory before the first unit, if it could be read.
    #[serde(default)]
    pub kernel_before: Option<KernelMemory>,
    /// The system's kernel memory with every unit parked.
    #[serde(default)]
    pub kernel_after: Option<KernelMemory>,
}

/// One measured repetition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Wall time of the timed region.
    pub wall_seconds: f64,
    /// User CPU time of every thread (and worker process).
    pub cpu_user_seconds: f64,
    /// Kernel CPU time of the same.
    pub cpu_sys_seconds: f64,
    /// Voluntary context switches.
    pub voluntary_switches: u64,
    /// Involuntary context switches.
    pub involuntary_switches: u64,
    /// Tasks that completed.
    pub completed: usize,
    /// Sum of the tasks' checksums.
    pub checksum: u64,
    /// Worker processes the run started (processes model).
    #[serde(default)]
    pub child_processes: usize,
    /// Every worker's own peak RSS, summed (wait4's maxrss, or VmHWM of live pool workers),
    /// workers that never lived at once included.
    #[serde(default)]
    pub workers_maxrss_sum_bytes: u64,
    /// Each factorial size's cost, timed in the cell's process just before this repetition
    /// ([`crate::workload::compute_costs`]); empty when the work computes nothing.
    #[serde(default)]
    pub compute_seconds: BTreeMap<u32, f64>,
    /// The latency server's CPU seconds over this repetition (`net` cells), read from it
    /// just before and just after the timed run.
    #[serde(default)]
    pub server_cpu_seconds: Option<f64>,
    /// `net` cells: listen queue overflows the kernel counted over this repetition (each a
    /// client's SYN dropped and retried about a second later).
    #[serde(default)]
    pub listen_overflows: Option<u64>,
}

/// Task completion latency (from the start of the run to each task's end), over every
/// measured repetition.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    /// Median.
    pub p50_seconds: f64,
    /// 90th percentile.
    pub p90_seconds: f64,
    /// 99th percentile.
    pub p99_seconds: f64,
    /// The last task.
    pub max_seconds: f64,
}

/// Why a cell failed, as the child (or the parent watching it) saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplyError {
    /// As `RuntimeError::kind`: start, os-limit, panic, unsupported, verification.
    pub kind: String,
    /// What happened, for people.
    pub message: String,
}

/// What a cell child answers: the samples of a run, a memory sample, or an experiment's outcome; or an error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellReply {
    /// One per measured repetition.
    pub samples: Vec<Sample>,
    /// Task completion latency over every repetition.
    pub latency: Percentiles,
    /// Peak resident set of the process that ran the cell (VmHWM), warm-up included.
    pub peak_rss_bytes: u64,
    /// The memory pass's sample, when it parked units.
    #[serde(default)]
    pub memory: Option<MemorySample>,
    /// A claims experiment's outcome.
    #[serde(default)]
    pub experiment: Option<ExperimentOutcome>,
    /// Why the cell failed, if it did.
    pub error: Option<ReplyError>,
    /// What the parent read of the cell's worker processes while they ran; the parent's,
    /// never sent by the child.
    #[serde(skip)]
    pub live: Option<LiveMemory>,
}

/// Experiments the claims and the probes need beyond the workloads.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Experiment {
    /// Calls against the rate-limited service (C06, C15).
    Service(ServiceSpec),
    /// A ring of units passing one token (C13; see `runtime::brigade`).
    Brigade {
        /// Units in the ring (tasks or threads).
        units: usize,
        /// Hops the token makes in the timed run.
        hops: usize,
        /// Run every thread of the runtime on one CPU (the first one allowed), so a hop
        /// between threads cannot go to an idle core; a runtime with workers then has one.
        #[serde(default)]
        pin: bool,
        /// How the units are linked: channels, or socketpairs (each hop woken by I/O
        /// readiness, the pipe I/O alone measured in the same child).
        #[serde(default)]
        link: Link,
    },
    /// Spawn probe, `start`: this many empty units started, then joined; the request's
    /// `warmup` runs first, then `repeat` measured ones.
    StartUnits {
        /// Units per run.
        units: usize,
    },
    /// Spawn probe, `job`: this many empty jobs through the pool the request's `limit`
    /// starts (`pool:N`); `warmup`, then `repeat` runs.
    SubmitJobs {
        /// Jobs per run.
        jobs: usize,
    },
    /// Timer probe: one unit sleeping this long, stamped inside; `warmup`, then `repeat`.
    SleepInUnit {
        /// The sleep asked for.
        sleep: std::time::Duration,
    },
    /// The latency server's accuracy probe: a server of replies of `payload` bytes,
    /// `samples` requests at each probed delay from one blocking client.
    ServerProbe {
        /// Reply bytes.
        payload: usize,
        /// Requests per delay.
        samples: usize,
    },
}

/// What an experiment measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExperimentOutcome {
    /// Calls against the service.
    Service(ServiceOutcome),
    /// The brigade's hops.
    Brigade {
        /// Seconds per hop.
        seconds_per_hop: f64,
        /// Voluntary context switches per hop (one unit handing the token to the next)
        /// over the timed brigade: the units' own where they are threads (getrusage
        /// RUSAGE_THREAD, summed), else the process's.
        #[serde(default)]
        voluntary_per_hop: f64,
        /// Involuntary context switches (preemptions, yields) per hop.
        #[serde(default)]
        involuntary_per_hop: f64,
        /// For units linked by socketpairs: seconds per hop of the socket I/O alone (one
        /// thread doing every write and read of a ring of the same size), measured in the
        /// same child, half the hops just before the brigade and half just after.
        #[serde(default)]
        pipe_seconds_per_hop: Option<f64>,
    },
    /// The spawn probe's measured runs (`start` or `job`).
    Spawned(Vec<Spawned>),
    /// The timer probe's measured sleeps.
    Slept(Vec<SleepTimes>),
    /// The latency server's accuracy, per probed delay.
    ServerProbe(Vec<crate::results::ServerProbe>),
}

impl CellRequest {
    /// One task of one 1 ms wait on `runtime` under no limit, measured once without a
    /// warm-up: the base the probes, the memory pass and the claims' experiments adjust.
    pub fn small(runtime: &str, workers: usize) -> CellRequest {
        CellRequest {
            runtime: runtime.into(),
            workload: WorkloadKind::Io,
            tasks: 1,
            calls: 1,
            latency: Latency::Fixed(std::time::Duration::from_millis(1)),
            compute: 1,
            steps: vec![1],
            seed: 0,
            payload: crate::netserver::DEFAULT_PAYLOAD,
            limit: Limit::Unbounded,
            workers,
            warmup: 0,
            repeat: 1,
            fault: None,
            variant: Variant::Normal,
            experiment: None,
            park: None,
            pin: None,
        }
    }

    /// The workload spec of the request.
    pub fn spec(&self) -> WorkloadSpec {
        WorkloadSpec {
            kind: self.workload,
            tasks: self.tasks,
            calls: self.calls,
            latency: self.latency,
            compute: self.compute,
            steps: self.steps.clone(),
            seed: self.seed,
            payload: self.payload,
        }
    }
}

fn default_payload() -> usize {
    crate::netserver::DEFAULT_PAYLOAD
}
