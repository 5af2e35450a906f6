//! Result records: one summary per cell, one raw row per repetition. Both are flat, so the
//! same types serialise to JSON and to CSV.

use serde::{Deserialize, Serialize};

use crate::suite::Sample;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellRecord {
    pub runtime: String,
    /// Discontinued upstream; kept for comparison (async-std).
    pub legacy: bool,
    /// `normal`, or a labelled anti-pattern or fix: `await-each`, `blocking-sleep`,
    /// `spawn-blocking`.
    pub variant: String,
    pub workload: String,
    pub tasks: usize,
    pub limit: String,
    /// OS threads running tasks.
    pub workers: usize,
    /// Tasks the runtime lets be in flight at once.
    pub concurrency: usize,
    pub latency: String,
    pub compute: u32,
    pub seed: u64,
    /// Measured repetitions (after the warm-up).
    pub repeat: usize,
    pub completed: usize,
    /// Sum of the tasks' checksums, hex; must equal `expected_checksum` (sequential's).
    pub checksum: String,
    pub expected_checksum: String,
    /// Median over the repetitions; min and max beside it.
    pub wall_seconds: f64,
    pub wall_min_seconds: f64,
    pub wall_max_seconds: f64,
    /// The physical lower bound for this workload and concurrency.
    pub ideal_seconds: f64,
    /// ideal / median wall: 1.0 is perfect.
    pub efficiency: f64,
    pub throughput_per_second: f64,
    /// Medians over the repetitions; getrusage counts every thread of the cell's process.
    pub cpu_user_seconds: f64,
    pub cpu_sys_seconds: f64,
    pub voluntary_switches: u64,
    pub involuntary_switches: u64,
    /// Task completion latency from the start of a run, over every repetition.
    pub latency_p50_seconds: f64,
    pub latency_p90_seconds: f64,
    pub latency_p99_seconds: f64,
    pub latency_max_seconds: f64,
    /// Peak resident memory of the cell's process (VmHWM), warm-up included.
    pub peak_rss_bytes: u64,
    /// Processes model: worker processes per run, the sum of their peak RSS (wait4 maxrss,
    /// or VmHWM of live pool workers) and of their PSS (smaps_rollup of live pool workers);
    /// the largest over the repetitions. Add `peak_rss_bytes` for the whole.
    pub child_processes: usize,
    pub children_peak_rss_bytes: Option<u64>,
    pub children_pss_bytes: Option<u64>,
    /// The repetitions spread more than 25% around the median: the machine was noisy.
    pub noisy: bool,
    /// Why the cell failed, if it did; its measurements are then zero.
    pub error: Option<String>,
    /// `start`, `os-limit`, `panic`, `crash`, `timeout`, `protocol`, `unsupported` or
    /// `verification`.
    pub error_kind: Option<String>,
}

impl CellRecord {
    pub fn ok(&self) -> bool {
        self.error.is_none()
    }

    /// The runtime did not do the work it was given (a harness or adapter bug).
    pub fn failed_verification(&self) -> bool {
        self.error_kind.as_deref() == Some("verification")
    }
}

/// One measured repetition of a cell, for raw.csv.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawRow {
    pub runtime: String,
    pub workload: String,
    pub tasks: usize,
    pub limit: String,
    pub workers: usize,
    pub latency: String,
    pub compute: u32,
    pub repetition: usize,
    pub completed: usize,
    pub checksum: String,
    pub wall_seconds: f64,
    pub cpu_user_seconds: f64,
    pub cpu_sys_seconds: f64,
    pub voluntary_switches: u64,
    pub involuntary_switches: u64,
}

impl RawRow {
    pub fn new(cell: &CellRecord, repetition: usize, s: &Sample) -> RawRow {
        RawRow {
            runtime: cell.runtime.clone(),
            workload: cell.workload.clone(),
            tasks: cell.tasks,
            limit: cell.limit.clone(),
            workers: cell.workers,
            latency: cell.latency.clone(),
            compute: cell.compute,
            repetition,
            completed: s.completed,
            checksum: format!("{:016x}", s.checksum),
            wall_seconds: s.wall_seconds,
            cpu_user_seconds: s.cpu_user_seconds,
            cpu_sys_seconds: s.cpu_sys_seconds,
            voluntary_switches: s.voluntary_switches,
            involuntary_switches: s.involuntary_switches,
        }
    }
}

/// Memory pass: one size of one model (N idle units parked in a fresh process).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemoryRecord {
    pub runtime: String,
    pub legacy: bool,
    pub units: usize,
    pub rss_before_bytes: u64,
    pub rss_after_bytes: u64,
    /// (RSS after - before) / units; for processes, the children's RSS plus the parent's growth.
    pub rss_per_unit_bytes: f64,
    /// Processes only: the children's PSS (shared pages split between sharers) plus the
    /// parent's growth, per process.
    pub pss_per_unit_bytes: Option<f64>,
    /// Net heap bytes allocated while parking / units (counting allocator).
    pub heap_per_unit_bytes: f64,
    /// (VmSize after - before) / units: address space reserved, e.g. thread stacks.
    pub virtual_per_unit_bytes: f64,
    pub error: Option<String>,
    pub error_kind: Option<String>,
}

/// Memory pass: one model over all its sizes; per-unit figures are least-squares slopes of
/// the growth over the number of units, so fixed costs drop out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemoryModel {
    pub runtime: String,
    pub legacy: bool,
    /// The sizes that were parked successfully.
    pub sizes: Vec<usize>,
    pub rss_per_unit_bytes: Option<f64>,
    pub pss_per_unit_bytes: Option<f64>,
    pub heap_per_unit_bytes: Option<f64>,
    pub virtual_per_unit_bytes: Option<f64>,
    /// The largest number of units parked.
    pub max_units: usize,
    /// Why a larger size failed (e.g. the OS thread limit), if one did.
    pub stopped_by: Option<String>,
}

/// Timer probe: one runtime's measured `sleep(requested)` (spawn and join of one task
/// included), median of 21.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimerProbe {
    pub runtime: String,
    pub legacy: bool,
    pub requested_seconds: f64,
    pub median_seconds: f64,
    pub min_seconds: f64,
    pub max_seconds: f64,
    /// median - requested.
    pub overshoot_seconds: f64,
    pub error: Option<String>,
}

/// Spawn probe: the cost to start and join one unit doing nothing, per runtime.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpawnProbe {
    pub runtime: String,
    pub legacy: bool,
    /// Empty tasks per run.
    pub units: usize,
    /// Median over 5 runs of wall time / units.
    pub spawn_seconds_per_unit: f64,
    pub min_seconds_per_unit: f64,
    pub max_seconds_per_unit: f64,
    pub error: Option<String>,
}
