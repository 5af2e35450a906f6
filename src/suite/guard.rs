//! Physics guards: a cell that reports what physics does not allow is a suspect run, not a
//! result. It is shown with the reason in every output and never picked.
//!
//! - Wall time below the ideal (the lower bound from the plans and the cell's capacity):
//!   nothing finishes faster than its longest task, or than its waits overlapped.
//! - CPU work faster than the cores allow: a speed-up over the group's sequential cell above
//!   the cores is a broken baseline or different work, not parallelism.

use super::stats::Stat;
use crate::results::CellRecord;
use crate::runtime::Model;
use crate::units::ratio;
use crate::workload::WorkloadKind;

/// A speed-up over sequential above cores x this is suspect.
pub const SPEEDUP_SLACK: f64 = 1.05;
/// A wall time below ideal x this is suspect.
pub const IDEAL_SLACK: f64 = 0.97;

/// A cell's repetitions, each against what physics allows in its own round.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rounds {
    /// Wall time over the ideal, per repetition, the ideal as that repetition saw it (its
    /// own compute cost, or the group's sequential run of the same round).
    pub over_ideal: Vec<f64>,
    /// The group's sequential wall time over this cell's, per round both ran.
    pub speedups: Vec<f64>,
}

/// Why `record` breaks physics, if it does, judged on its rounds on `cores` cores.
///
/// Judged on pairs measured within one round, and on the interval of their median: on a
/// shared host the CPU's speed drifts by tens of percent within a minute and its cores can
/// differ at the same moment, so one round's pair can read above the cores with nothing
/// wrong. A cell is suspect when even the low end of its median speed-up's interval is
/// above cores x 1.05, or even the high end of its wall over ideal is below 0.97: a
/// baseline broken for every round, or timing that misses work, lands there. (Work not
/// done at all is caught first, by the checksum.)
pub fn suspect(record: &CellRecord, rounds: &Rounds, cores: usize) -> Option<String> {
    if !record.ok() || record.wall_seconds <= 0.0 {
        return None;
    }
    breaks_physics(record.workload, record.model, rounds, cores)
}

/// The judgement of [`suspect`] on rounds alone, for `model` running `workload`: what the
/// benches apply to their own rounds too.
pub fn breaks_physics(
    workload: WorkloadKind,
    model: Model,
    rounds: &Rounds,
    cores: usize,
) -> Option<String> {
    if let Some(over) = Stat::of(rounds.over_ideal.iter().copied())
        && over.ci_high < IDEAL_SLACK
    {
        return Some(format!(
            "wall over ideal {} per round (interval {}..{}) is below {IDEAL_SLACK}",
            ratio(over.median),
            ratio(over.ci_low),
            ratio(over.ci_high),
        ));
    }
    let speedup = Stat::of(rounds.speedups.iter().copied())?;
    let bound = cores as f64 * SPEEDUP_SLACK;
    (workload == WorkloadKind::Cpu && model != Model::Sequential && speedup.ci_low > bound).then(
        || {
            format!(
                "{} over sequential in the same round (interval {}..{}) is more than {cores} \
                 cores allow (x {SPEEDUP_SLACK})",
                ratio(speedup.median),
                ratio(speedup.ci_low),
                ratio(speedup.ci_high)
            )
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cell of `workload` whose median wall is `wall` ms.
    fn cell(workload: &str, model: Model, wall: f64) -> CellRecord {
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
        c.wall_seconds = wall * 1e-3;
        c
    }

    fn rounds(over_ideal: &[f64], speedups: &[f64]) -> Rounds {
        Rounds {
            over_ideal: over_ideal.to_vec(),
            speedups: speedups.to_vec(),
        }
    }

    #[test]
    fn a_forged_too_fast_cell_is_suspect() {
        // Waits of 10 ms: every run finished before its wait could end.
        let io = cell("io", Model::Async, 9.1);
        let why = suspect(&io, &rounds(&[0.89, 0.90, 0.91, 0.92, 0.93, 0.94], &[]), 2).unwrap();
        assert!(why.contains("below 0.97"), "{why}");
        let on_time = rounds(&[0.98, 0.99, 1.0, 1.01, 1.02, 1.03], &[]);
        assert_eq!(suspect(&io, &on_time, 2), None);

        // 16 factorials: sequential over the cell in each round, on 2 cores.
        let cpu = cell("cpu", Model::ThreadPool, 4.2);
        let too_fast = rounds(&[], &[3.6, 3.7, 3.8, 3.8, 3.9, 4.0]);
        let why = suspect(&cpu, &too_fast, 2).unwrap();
        assert!(why.contains("3.80x") && why.contains("2 cores"), "{why}");
        let sound = rounds(&[], &[1.85, 1.9, 1.95, 1.95, 2.0, 2.05]);
        assert_eq!(suspect(&cpu, &sound, 2), None);
        // Waits overlap: an io speed-up above the cores is the point, not a suspect.
        assert_eq!(suspect(&io, &rounds(&[1.1; 6], &[90.0; 6]), 2), None);
    }

    #[test]
    fn noise_a_second_run_would_not_repeat_is_not_suspect() {
        let cpu = cell("cpu", Model::ThreadPool, 7.0);
        // Two rounds in six read above the cores (a sequential run on the slower core):
        // the interval of the median reaches down to 1.9x.
        let drifting = rounds(&[], &[1.9, 1.95, 2.0, 2.05, 2.3, 2.4]);
        assert_eq!(suspect(&cpu, &drifting, 2), None);
        // Every round above the cores is a broken baseline, not drift.
        let broken = rounds(&[], &[2.2, 2.25, 2.3, 2.3, 2.4, 2.5]);
        assert!(suspect(&cpu, &broken, 2).is_some());
        // Below the ideal in some rounds only (an ideal timed at a slow moment): not suspect.
        let io = cell("io", Model::Async, 9.8);
        assert_eq!(
            suspect(&io, &rounds(&[0.9, 0.92, 0.95, 0.96, 0.99, 1.01], &[]), 2),
            None
        );
    }
}
