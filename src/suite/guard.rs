//! Physics guards: a cell that reports what physics does not allow is a suspect run, not a
//! result. It is shown with the reason in every output and never picked.
//!
//! - Wall time below the ideal (the lower bound from the plans and the cell's capacity):
//!   nothing finishes faster than its longest task, or than its waits overlapped.
//! - CPU work faster than the cores allow: a speed-up over the group's sequential cell above
//!   the cores is a broken baseline or different work, not parallelism.

use crate::results::CellRecord;
use crate::runtime::Model;
use crate::units::{ratio, seconds};
use crate::workload::WorkloadKind;

/// A speed-up over sequential above cores x this is suspect.
pub const SPEEDUP_SLACK: f64 = 1.05;
/// A wall time below ideal x this is suspect.
pub const IDEAL_SLACK: f64 = 0.97;

/// Why `record` breaks physics, if it does: against its own ideal, and for CPU work against
/// the median wall time of its group's sequential cell on `cores` cores.
pub fn suspect(record: &CellRecord, sequential_wall: Option<f64>, cores: usize) -> Option<String> {
    if !record.ok() || record.wall_seconds <= 0.0 {
        return None;
    }
    if record.ideal_seconds > 0.0 && record.wall_seconds < record.ideal_seconds * IDEAL_SLACK {
        return Some(format!(
            "median wall {} is below its ideal {} x {IDEAL_SLACK}",
            seconds(record.wall_seconds),
            seconds(record.ideal_seconds)
        ));
    }
    let speedup = sequential_wall? / record.wall_seconds;
    let bound = cores as f64 * SPEEDUP_SLACK;
    (record.workload == WorkloadKind::Cpu && record.model != Model::Sequential && speedup > bound)
        .then(|| {
            format!(
                "{} over sequential is more than {cores} cores allow (x {SPEEDUP_SLACK})",
                ratio(speedup)
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(workload: &str, model: Model, wall: f64, ideal: f64) -> CellRecord {
        let fixture =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/results-small");
        let mut c = crate::results::load(&fixture)
            .unwrap()
            .summary
            .cells
            .into_iter()
            .find(|c| c.ok())
            .unwrap();
        c.workload = workload.parse().unwrap();
        c.model = model;
        c.wall_seconds = wall;
        c.ideal_seconds = ideal;
        c
    }

    #[test]
    fn a_forged_too_fast_cell_is_suspect() {
        let faster_than_ideal = cell("io", Model::Async, 0.009, 0.010);
        let why = suspect(&faster_than_ideal, None, 2).unwrap();
        assert!(why.contains("below its ideal"), "{why}");
        assert_eq!(
            suspect(&cell("io", Model::Async, 0.0098, 0.010), None, 2),
            None
        );

        // 16 factorials: sequential 16 ms, so 2 cores allow 8 ms (x 1.05 slack).
        let too_fast = cell("cpu", Model::ThreadPool, 0.004, 0.0);
        let why = suspect(&too_fast, Some(0.016), 2).unwrap();
        assert!(why.contains("4.00x") && why.contains("2 cores"), "{why}");
        assert_eq!(
            suspect(&cell("cpu", Model::ThreadPool, 0.0077, 0.0), Some(0.016), 2),
            None
        );
        // Waits overlap: an io speed-up above the cores is the point, not a suspect.
        assert_eq!(
            suspect(&cell("io", Model::Async, 0.011, 0.010), Some(1.0), 2),
            None
        );
    }
}
