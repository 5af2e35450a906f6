//! One cell's result: a flat record, so the same type serialises to JSON and to CSV.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellRecord {
    pub runtime: String,
    /// Discontinued upstream; kept for comparison (async-std).
    pub legacy: bool,
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
    pub completed: usize,
    /// Sum of the tasks' checksums, hex; must equal `expected_checksum` (sequential's).
    pub checksum: String,
    pub expected_checksum: String,
    pub wall_seconds: f64,
    /// The physical lower bound for this workload and concurrency.
    pub ideal_seconds: f64,
    /// ideal / measured: 1.0 is perfect.
    pub efficiency: f64,
    pub throughput_per_second: f64,
    pub cpu_user_seconds: f64,
    pub cpu_sys_seconds: f64,
    pub voluntary_switches: u64,
    pub involuntary_switches: u64,
    /// Why the cell failed, if it did; its measurements are then zero.
    pub error: Option<String>,
    /// `start`, `os-limit`, `panic`, `unsupported` or `verification`.
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
