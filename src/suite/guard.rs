//! Physics guards: a cell that reports what physics does not allow is a suspect run, not a
//! result. It is shown with the reason in every output and never picked.
//!
//! - Wall time below the ideal (the lower bound from the plans and the cell's capacity):
//!   nothing finishes faster than its longest task, or than its waits overlapped.
//! - CPU work faster than the cores allow: a speed-up over the group's sequential cell above
//!   the cores is a broken baseline or different work, not parallelism.

use super::stats::Stat;
use crate::results::{CellRecord, IdealSource};
use crate::runtime::Model;
use crate::units::{ratio, seconds};
use crate::workload::WorkloadKind;

/// A speed-up over sequential above cores x this is suspect.
pub const SPEEDUP_SLACK: f64 = 1.05;
/// A wall time below ideal x this is suspect.
pub const IDEAL_SLACK: f64 = 0.97;

/// Why `record` breaks physics, if it does: against its own ideal, and for CPU work against
/// its group's sequential cell (`sequential`: that cell's wall times) on `cores` cores.
///
/// Judged on intervals, not medians alone: on a shared host the CPU's speed drifts by tens
/// of percent within a minute, so two medians of 6 interleaved runs can differ by 15% with
/// nothing wrong. A cell is suspect only when even the high end of its median's interval
/// beats the bound, the bound taken at the sequential cell's low end where it comes from
/// that cell; work that was not done, or a baseline that is broken, still lands there.
pub fn suspect(record: &CellRecord, sequential: Option<Stat>, cores: usize) -> Option<String> {
    if !record.ok() || record.wall_seconds <= 0.0 {
        return None;
    }
    let slowest = record
        .wall_ci_high_seconds
        .unwrap_or(record.wall_seconds)
        .max(record.wall_seconds);
    let sequential = sequential.filter(|s| s.median > 0.0);
    let ideal = match (record.ideal_source, sequential) {
        (Some(IdealSource::Sequential), Some(seq)) => {
            record.ideal_seconds * seq.ci_low / seq.median
        }
        _ => record.ideal_seconds,
    };
    if ideal > 0.0 && slowest < ideal * IDEAL_SLACK {
        return Some(format!(
            "median wall {} (interval up to {}) is below its ideal {} x {IDEAL_SLACK}",
            seconds(record.wall_seconds),
            seconds(slowest),
            seconds(ideal)
        ));
    }
    let seq = sequential?;
    let speedup = seq.ci_low / slowest;
    let bound = cores as f64 * SPEEDUP_SLACK;
    (record.workload == WorkloadKind::Cpu && record.model != Model::Sequential && speedup > bound)
        .then(|| {
            format!(
                "{} over sequential (its interval's low end over this cell's high end) is more \
                 than {cores} cores allow (x {SPEEDUP_SLACK})",
                ratio(speedup)
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(runs: &[f64]) -> Stat {
        Stat::of(runs.iter().map(|r| r * 1e-3)).unwrap()
    }

    /// A cell of `workload` whose repetitions took `runs` ms, against an ideal of `ideal` ms.
    fn cell(workload: &str, model: Model, runs: &[f64], ideal: f64) -> CellRecord {
        let fixture =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/results-small");
        let mut c = crate::results::load(&fixture)
            .unwrap()
            .summary
            .cells
            .into_iter()
            .find(|c| c.ok())
            .unwrap();
        let wall = ms(runs);
        c.workload = workload.parse().unwrap();
        c.model = model;
        c.wall_seconds = wall.median;
        c.wall_ci_low_seconds = Some(wall.ci_low);
        c.wall_ci_high_seconds = Some(wall.ci_high);
        c.ideal_seconds = ideal * 1e-3;
        c.ideal_source = Some(IdealSource::Plans);
        c
    }

    #[test]
    fn a_forged_too_fast_cell_is_suspect() {
        // Waits of 10 ms: every run finished before its wait could end.
        let faster_than_ideal = cell("io", Model::Async, &[8.9, 9.0, 9.1, 9.2, 9.3, 9.4], 10.0);
        let why = suspect(&faster_than_ideal, None, 2).unwrap();
        assert!(why.contains("below its ideal"), "{why}");
        assert_eq!(
            suspect(
                &cell(
                    "io",
                    Model::Async,
                    &[9.8, 9.9, 10.0, 10.1, 10.2, 10.3],
                    10.0
                ),
                None,
                2
            ),
            None
        );

        // 16 factorials: sequential about 16 ms, so 2 cores allow about 8 ms (x 1.05 slack).
        let sequential = ms(&[15.0, 15.5, 16.0, 16.0, 16.5, 17.0]);
        let too_fast = cell(
            "cpu",
            Model::ThreadPool,
            &[4.0, 4.1, 4.2, 4.2, 4.3, 4.4],
            0.0,
        );
        let why = suspect(&too_fast, Some(sequential), 2).unwrap();
        assert!(why.contains("3.41x") && why.contains("2 cores"), "{why}");
        assert_eq!(
            suspect(
                &cell(
                    "cpu",
                    Model::ThreadPool,
                    &[7.7, 7.8, 7.9, 8.0, 8.1, 8.2],
                    0.0
                ),
                Some(sequential),
                2
            ),
            None
        );
        // Waits overlap: an io speed-up above the cores is the point, not a suspect.
        assert_eq!(
            suspect(
                &cell("io", Model::Async, &[11.0; 6], 10.0),
                Some(ms(&[1000.0; 6])),
                2
            ),
            None
        );
    }

    #[test]
    fn noise_a_second_run_would_not_repeat_is_not_suspect() {
        // Median 7.0 ms is 2.29x a 16 ms median, but the runs reach 7.6 ms and sequential's
        // low end is 15 ms: 1.97x fits 2 cores.
        let sequential = ms(&[15.0, 15.5, 16.0, 16.0, 16.5, 17.0]);
        let drifting = cell(
            "cpu",
            Model::ThreadPool,
            &[6.6, 6.8, 7.0, 7.0, 7.3, 7.6],
            0.0,
        );
        assert_eq!(suspect(&drifting, Some(sequential), 2), None);
        // The same median with every run fast is suspect.
        let fast = cell(
            "cpu",
            Model::ThreadPool,
            &[6.6, 6.8, 7.0, 7.0, 7.1, 7.1],
            0.0,
        );
        assert!(suspect(&fast, Some(sequential), 2).is_some());

        // An ideal taken from sequential's median is scaled to sequential's low end.
        let mut from_sequential = cell("cpu", Model::Async, &[7.4, 7.4, 7.5, 7.5, 7.6, 7.6], 8.0);
        from_sequential.ideal_source = Some(IdealSource::Sequential);
        assert_eq!(suspect(&from_sequential, Some(sequential), 2), None);
        from_sequential.ideal_source = Some(IdealSource::Plans);
        assert!(suspect(&from_sequential, None, 2).is_some());
    }
}
