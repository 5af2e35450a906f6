//! Result records: one summary per cell, one raw row per repetition. Both are flat, so the
//! same types serialise to JSON and to CSV.

use serde::{Deserialize, Serialize};

use crate::limit::Limit;
use crate::runtime::{Model, Runtime, SpawnKind, Unit, Variant};
use crate::workload::{Latency, WorkloadKind};

/// One cell's summary: what ran (runtime, workload, parameters), whether it did the work,
/// and the medians of its measured repetitions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellRecord {
    /// The runtime's name, as users type it.
    pub runtime: String,
    /// Discontinued upstream; kept for comparison (async-std).
    pub legacy: bool,
    /// The runtime's concurrency model.
    pub model: Model,
    /// What one of the runtime's units is (task, thread, job, process).
    pub unit: Unit,
    /// `normal`, or a labelled anti-pattern or fix: `await-each`, `blocking-sleep`,
    /// `spawn-blocking`.
    pub variant: Variant,
    /// The workload: `io`, `cpu` or `mixed`.
    pub workload: WorkloadKind,
    /// Tasks per run.
    pub tasks: usize,
    /// The concurrency limit: `unbounded`, `semaphore:N`, `batches:N`, `pool:N`.
    pub limit: Limit,
    /// OS threads running tasks.
    pub workers: usize,
    /// The `--workers` setting the cell was given; None in records of schema 1 whose
    /// runtime chose its own thread count (it was not recorded then).
    pub workers_requested: Option<usize>,
    /// Tasks the runtime lets be in flight at once.
    pub concurrency: usize,
    /// The distribution of each wait.
    pub latency: Latency,
    /// n of each factorial computed.
    pub compute: u32,
    /// Waits one after another in the longest task: a timer's overshoot adds this many
    /// times to the ideal. None in older records.
    #[serde(default)]
    pub critical_waits: Option<u32>,
    /// `net` cells: bytes of each reply of the latency server. None for other workloads.
    #[serde(default)]
    pub payload: Option<usize>,
    /// Seed of the plans.
    pub seed: u64,
    /// Measured repetitions (after the warm-up).
    pub repeat: usize,
    /// Tasks that completed (in the first repetition of a failed cell).
    pub completed: usize,
    /// Sum of the tasks' checksums, hex; must equal `expected_checksum` (sequential's).
    pub checksum: String,
    /// The checksum the plans predict, hex.
    pub expected_checksum: String,
    /// Median over the repetitions; min and max beside it.
    pub wall_seconds: f64,
    /// The fastest repetition.
    pub wall_min_seconds: f64,
    /// The slowest repetition.
    pub wall_max_seconds: f64,
    /// A distribution-free interval for the median wall time (order statistics of the
    /// repetitions): two cells whose intervals overlap are a tie. None in older records.
    #[serde(default)]
    pub wall_ci_low_seconds: Option<f64>,
    /// The interval's high end.
    #[serde(default)]
    pub wall_ci_high_seconds: Option<f64>,
    /// The interval's coverage (0.95 or more from 6 repetitions; fewer give less).
    #[serde(default)]
    pub wall_ci_level: Option<f64>,
    /// The physical lower bound for this workload and concurrency.
    pub ideal_seconds: f64,
    /// Where the ideal's compute cost came from; None in older records (a calibration).
    #[serde(default)]
    pub ideal_source: Option<IdealSource>,
    /// ideal / median wall: 1.0 is perfect.
    pub efficiency: f64,
    /// Tasks per second of median wall time.
    pub throughput_per_second: f64,
    /// Medians over the repetitions; getrusage counts every thread of the cell's process.
    pub cpu_user_seconds: f64,
    /// Kernel CPU time (median).
    pub cpu_sys_seconds: f64,
    /// Voluntary context switches (median).
    pub voluntary_switches: u64,
    /// Involuntary context switches (median).
    pub involuntary_switches: u64,
    /// Task completion latency from the start of a run, over every repetition.
    pub latency_p50_seconds: f64,
    /// 90th percentile of task completion latency.
    pub latency_p90_seconds: f64,
    /// 99th percentile of task completion latency.
    pub latency_p99_seconds: f64,
    /// The last task's completion latency.
    pub latency_max_seconds: f64,
    /// Peak resident memory of the cell's process (VmHWM), warm-up included.
    pub peak_rss_bytes: u64,
    /// Processes model: worker processes per run (the largest over the repetitions).
    pub child_processes: usize,
    /// Processes model: every worker's own peak RSS (wait4's maxrss, or VmHWM of a live pool
    /// worker) summed over one run, the largest over the repetitions. Not memory that
    /// existed at once: workers of different batches never lived together (see
    /// `live_peak_rss_bytes`). Files before it named it `children_peak_rss_bytes`.
    #[serde(alias = "children_peak_rss_bytes")]
    pub workers_maxrss_sum_bytes: Option<u64>,
    /// Processes model: the peak over the cell's life (warm-up included) of the cell's
    /// process plus every worker process alive at the same moment, resident bytes, read from
    /// outside by the parent every 10 ms (a peak between two reads is missed); 0 if no
    /// worker was alive at a read. None for other models and in files before it.
    #[serde(default)]
    pub live_peak_rss_bytes: Option<u64>,
    /// The same peak in proportional bytes (smaps_rollup: a page shared by n processes counts
    /// 1/n in each, so the sum counts the binary's pages once), read less often than the
    /// resident bytes (`live_pss_samples`); None if never read.
    #[serde(default)]
    pub live_peak_pss_bytes: Option<u64>,
    /// Moments at which the parent read the workers' resident bytes.
    #[serde(default)]
    pub live_samples: u64,
    /// Moments at which it read their proportional bytes too.
    #[serde(default)]
    pub live_pss_samples: u64,
    /// CPU the parent spent watching the cell's process and its workers (every 10 ms tick,
    /// the cell's whole life): the observer's cost, beside the cell's own CPU.
    #[serde(default)]
    pub live_sampler_cpu_seconds: f64,
    /// `net` cells: the latency server's CPU seconds per repetition (median), beside the
    /// client's own (`cpu_*_seconds`, which never include the server's process).
    #[serde(default)]
    pub server_cpu_seconds: Option<f64>,
    /// `net` cells: listen queue overflows the kernel counted over the measured
    /// repetitions, summed (a dropped SYN is retried about a second later, so a wall with
    /// one holds the kernel's retry timer; the server's listeners are sized to avoid them).
    #[serde(default)]
    pub listen_overflows: Option<u64>,
    /// The repetitions spread more than 25% around the median: the machine was noisy.
    pub noisy: bool,
    /// Why the cell breaks physics (faster than its ideal, or a speed-up over sequential
    /// above the cores): shown, never picked.
    #[serde(default)]
    pub suspect: Option<String>,
    /// Why the cell failed, if it did; its measurements are then zero.
    pub error: Option<String>,
    /// `start`, `os-limit`, `panic`, `crash`, `timeout`, `protocol`, `unsupported` or
    /// `verification`.
    pub error_kind: Option<String>,
}

impl CellRecord {
    /// The cell ran and did its work.
    pub fn ok(&self) -> bool {
        self.error.is_none()
    }

    /// The runtime did not do the work it was given (a harness or adapter bug).
    pub fn failed_verification(&self) -> bool {
        self.error_kind.as_deref() == Some("verification")
    }

    /// A cell of the plain way of running (not a labelled anti-pattern or fix).
    pub fn normal(&self) -> bool {
        self.variant == Variant::Normal
    }

    /// The interval for the median wall time: the recorded one, or [min, max] in older
    /// records.
    pub fn wall_interval(&self) -> (f64, f64) {
        (
            self.wall_ci_low_seconds.unwrap_or(self.wall_min_seconds),
            self.wall_ci_high_seconds.unwrap_or(self.wall_max_seconds),
        )
    }

    /// The cell ran, did its work and breaks no physics: it may be compared and picked.
    pub fn trusted(&self) -> bool {
        self.ok() && self.suspect.is_none()
    }

    /// The peak of the cell's process and its workers alive at the same moment, as
    /// proportional bytes where they were read (DESIGN.md: for processes, PSS), else as
    /// resident bytes; None where no one watched the workers.
    pub fn live_peak_bytes(&self) -> Option<u64> {
        self.live_peak_pss_bytes.or(self.live_peak_rss_bytes)
    }

    /// Peak memory of the cell: its process's own peak (VmHWM), or, with worker processes,
    /// the larger of that and the peak with the workers alive at the same moment
    /// ([`CellRecord::live_peak_bytes`]; both are memory that existed at one instant). Files
    /// from before the live peak add every worker's own peak instead, which overstates it.
    pub fn footprint_bytes(&self) -> u64 {
        match self.live_peak_bytes() {
            Some(live) => live.max(self.peak_rss_bytes),
            None => self.peak_rss_bytes + self.workers_maxrss_sum_bytes.unwrap_or(0),
        }
    }
}

/// The facts of a runtime every record carries beside its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuntimeFacts {
    /// The name users type.
    pub name: &'static str,
    /// Discontinued upstream.
    pub legacy: bool,
    /// Its concurrency model.
    pub model: Model,
    /// What one of its units is.
    pub unit: Unit,
}

impl RuntimeFacts {
    /// The facts of a runtime of this build.
    pub fn of(rt: &dyn Runtime) -> RuntimeFacts {
        RuntimeFacts {
            name: rt.name(),
            legacy: rt.legacy(),
            model: rt.model(),
            unit: rt.unit(),
        }
    }
}

/// Where a cell's ideal time took its compute cost from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdealSource {
    /// The plans alone: waits, no compute.
    Plans,
    /// Factorials timed once in the parent before the run (files before schema 4).
    Calibration,
    /// The group's own sequential cell, measured interleaved with the others.
    Sequential,
    /// Factorials timed in the cell's own process just before each repetition (the fastest
    /// of 5 runs of each size); the median over repetitions of the ideal they give.
    Repetition,
}

/// One measured repetition of a cell, for raw.csv.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawRow {
    /// The runtime's name.
    pub runtime: String,
    /// Discontinued upstream.
    pub legacy: bool,
    /// The runtime's concurrency model.
    pub model: Model,
    /// What one of its units is.
    pub unit: Unit,
    /// The workload.
    pub workload: WorkloadKind,
    /// Tasks per run.
    pub tasks: usize,
    /// The concurrency limit.
    pub limit: Limit,
    /// OS threads running tasks.
    pub workers: usize,
    /// The distribution of each wait.
    pub latency: Latency,
    /// n of each factorial.
    pub compute: u32,
    /// 1 for the first measured repetition.
    pub repetition: usize,
    /// Its place in the run's order (0 first), when repetitions are interleaved.
    #[serde(default)]
    pub position: Option<usize>,
    /// Tasks completed in this repetition.
    pub completed: usize,
    /// This repetition's checksum, hex.
    pub checksum: String,
    /// Wall time of this repetition.
    pub wall_seconds: f64,
    /// User CPU time of this repetition.
    pub cpu_user_seconds: f64,
    /// Kernel CPU time of this repetition.
    pub cpu_sys_seconds: f64,
    /// Voluntary context switches in this repetition.
    pub voluntary_switches: u64,
    /// Involuntary context switches in this repetition.
    pub involuntary_switches: u64,
    /// The ideal this repetition is held to: from the compute cost its process timed just
    /// before it (ideal source `repetition`), else the cell's. Empty in files before
    /// schema 4.
    #[serde(default)]
    pub ideal_seconds: Option<f64>,
}

/// Timer probe: one runtime's measured `sleep(requested)`, 21 times. The sleep is timed
/// inside the unit, around the sleep alone (`inside_unit`); starting and joining the unit
/// are figures of their own. Files written before timed a whole one-unit cell instead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimerProbe {
    /// The runtime's name.
    pub runtime: String,
    /// Discontinued upstream.
    pub legacy: bool,
    /// The runtime's concurrency model.
    pub model: Model,
    /// What slept: the unit the runtime starts (a task, a thread, a process), or a pool's job.
    pub unit: Unit,
    /// The sleep asked for.
    pub requested_seconds: f64,
    /// Median of the measured sleeps: the sleep alone when `inside_unit`, else (older
    /// files) a whole one-unit cell, its start and join included.
    pub median_seconds: f64,
    /// The shortest measured sleep.
    pub min_seconds: f64,
    /// The longest measured sleep.
    pub max_seconds: f64,
    /// median - requested.
    pub overshoot_seconds: f64,
    /// Whether median, min and max were timestamped inside the unit around the sleep alone;
    /// false in files written before the probe did.
    #[serde(default)]
    pub inside_unit: bool,
    /// Median time from asking for the unit (spawn, submit) to its first timestamp.
    #[serde(default)]
    pub start_seconds: Option<f64>,
    /// Median time from the unit's timestamp after the sleep to its join returning.
    #[serde(default)]
    pub join_seconds: Option<f64>,
    /// Median time from asking for the unit to its join: what older files called the sleep.
    #[serde(default)]
    pub whole_seconds: Option<f64>,
    /// Why the probe failed, if it did.
    pub error: Option<String>,
}

/// Spawn probe: one runtime's cost per unit started and joined (`start`), or per job
/// through its running pool (`job`), never mixed; a runtime may have a record of each kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpawnProbe {
    /// The runtime's name.
    pub runtime: String,
    /// Discontinued upstream.
    pub legacy: bool,
    /// The runtime's concurrency model.
    pub model: Model,
    /// What one item is: the unit started (task, thread, process), or `job`.
    pub unit: Unit,
    /// `start` or `job`; None in files written before the probe said (read it through
    /// [`SpawnProbe::kind`]).
    #[serde(default)]
    pub kind: Option<SpawnKind>,
    /// Units (or jobs) per run.
    pub units: usize,
    /// Median over 5 runs of wall time / units.
    pub spawn_seconds_per_unit: f64,
    /// The fastest run, per unit.
    pub min_seconds_per_unit: f64,
    /// The slowest run, per unit.
    pub max_seconds_per_unit: f64,
    /// Why the probe failed, if it did.
    pub error: Option<String>,
}

impl SpawnProbe {
    /// `start` or `job`. Older files did not say: their pools' figures (unit `job`: a
    /// parallel iterator, a channel) were jobs, every other figure started its units.
    pub fn kind(&self) -> SpawnKind {
        self.kind.unwrap_or(match self.unit {
            Unit::Job => SpawnKind::Job,
            _ => SpawnKind::Start,
        })
    }
}

/// The latency server's accuracy at one delay, probed once per run that has `net` cells:
/// what a blocking client on one connection sees added to the delay it asked for (the
/// loopback round trip, both sides' wake-ups and the server's lateness), and the server's
/// own share (each delayed reply's write against its deadline).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerProbe {
    /// The delay asked for.
    pub delay_seconds: f64,
    /// Requests at this delay.
    pub samples: usize,
    /// Median of arrival less send less the delay.
    pub added_median_seconds: f64,
    /// Its 99th percentile (nearest rank).
    pub added_p99_seconds: f64,
    /// Median of the server's own lateness (reply written less deadline).
    pub server_late_median_seconds: f64,
    /// 99th percentile of the server's own lateness.
    pub server_late_p99_seconds: f64,
    /// Why the probe failed, if it did (its figures are then 0).
    #[serde(default)]
    pub error: Option<String>,
}
