//! What a parent sends a cell's child process (one JSON object on stdin) and what the child
//! answers (one JSON line on stdout). Everything is plain data: the child rebuilds the plans
//! from the same seed, so it does exactly the work the parent expects.

use serde::{Deserialize, Serialize};

use crate::workload::service::{ServiceOutcome, ServiceSpec};

/// A deliberate failure, for tests of cell isolation (hidden flag `--fault`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Fault {
    Panic,
    Abort,
    Hang,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellRequest {
    pub runtime: String,
    pub workload: String,
    pub tasks: usize,
    pub calls: u32,
    pub latency: String,
    pub compute: u32,
    pub steps: Vec<u32>,
    pub seed: u64,
    pub limit: String,
    pub workers: usize,
    pub warmup: usize,
    pub repeat: usize,
    pub fault: Option<Fault>,
    /// A labelled variant of an async runtime (`normal`, `await-each`, ...).
    #[serde(default = "normal")]
    pub variant: String,
    /// A claims experiment instead of the workload.
    #[serde(default)]
    pub experiment: Option<Experiment>,
    /// Memory pass: park this many idle units instead of running the workload.
    #[serde(default)]
    pub park: Option<usize>,
}

/// What parking N idle units cost the cell's process.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MemorySample {
    pub units: usize,
    pub rss_before_bytes: u64,
    pub rss_after_bytes: u64,
    pub virtual_before_bytes: u64,
    pub virtual_after_bytes: u64,
    /// Net heap bytes allocated while parking (counting allocator).
    pub heap_bytes: i64,
    /// Sums over the parked worker processes (processes model only, else 0).
    #[serde(default)]
    pub children_rss_bytes: u64,
    #[serde(default)]
    pub children_pss_bytes: u64,
    #[serde(default)]
    pub children_virtual_bytes: u64,
}

/// One measured repetition.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub wall_seconds: f64,
    pub cpu_user_seconds: f64,
    pub cpu_sys_seconds: f64,
    pub voluntary_switches: u64,
    pub involuntary_switches: u64,
    pub completed: usize,
    pub checksum: u64,
    /// Worker processes (processes model): how many, the sum of their peak RSS, and the sum
    /// of their PSS when read while they were alive.
    #[serde(default)]
    pub child_processes: usize,
    #[serde(default)]
    pub children_peak_rss_bytes: u64,
    #[serde(default)]
    pub children_pss_bytes: Option<u64>,
}

/// Task completion latency (from the start of the run to each task's end), over every
/// measured repetition.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    pub p50_seconds: f64,
    pub p90_seconds: f64,
    pub p99_seconds: f64,
    pub max_seconds: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplyError {
    /// As `RuntimeError::kind`: start, os-limit, panic, unsupported, verification.
    pub kind: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellReply {
    pub samples: Vec<Sample>,
    pub latency: Percentiles,
    /// Peak resident set of the process that ran the cell (VmHWM), warm-up included.
    pub peak_rss_bytes: u64,
    #[serde(default)]
    pub memory: Option<MemorySample>,
    #[serde(default)]
    pub experiment: Option<ExperimentOutcome>,
    pub error: Option<ReplyError>,
}

/// Experiments the claims need beyond the workloads.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Experiment {
    /// Calls against the rate-limited service (C06, C15).
    Service(ServiceSpec),
    /// Message round trips between two tasks or threads (C13).
    PingPong { round_trips: usize },
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExperimentOutcome {
    Service(ServiceOutcome),
    PingPong { seconds_per_round_trip: f64 },
}

fn normal() -> String {
    "normal".into()
}
