//! Row "CPU-bound" from the claims' CPU experiment, when the folder holds it: the speed-ups
//! C10, C11 and C14 quote (C10 publishes every cell), so the decision table and the claims
//! print the same number for the same cell. Each speed-up was taken within a round against
//! sequential on that round's fastest core; the highest median wins unless others' intervals
//! overlap it, and then the smaller peak memory.

use super::rank::{Candidate, Ranked};
use super::{NotMeasured, RowBody};
use crate::claims::CPU_TASKS;
use crate::results::{ClaimResult, FigureId, FigureKey, Loaded};

/// The figures this row reads.
pub const READS: [FigureId; 4] = [
    FigureId::C10Sequential,
    FigureId::C10Speedup,
    FigureId::C10PeakMemory,
    FigureId::C10Compute,
];

/// A cell of the experiment.
#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentItem<'a> {
    /// The cell as C10 names it: `tokio`, `processes (pool:2)`.
    pub label: &'a str,
    /// Its speed-up over sequential (median of the rounds).
    pub speedup: f64,
    /// The interval of that median.
    pub interval: (f64, f64),
}

/// The row's numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentRow<'a> {
    /// Tasks of the experiment.
    pub tasks: usize,
    /// n of each task's factorial.
    pub compute: u32,
    /// Sequential on the fastest core, wall seconds (median of the rounds).
    pub baseline: f64,
    /// The cells, ranked.
    pub ranked: Ranked<ExperimentItem<'a>>,
    /// Cores of the machine.
    pub cores: usize,
}

/// The row from C10's figures; None when the claims did not run this experiment (a file
/// from before it, without intervals or peak memory), so the row falls back to the cells.
pub fn decide(loaded: &Loaded) -> Option<Result<RowBody<'_>, NotMeasured<'_>>> {
    let c = loaded.claim(READS[0].claim())?;
    let compute = c.value(&FigureKey::of(FigureId::C10Compute))?;
    let baseline = c.value(&FigureKey::of(FigureId::C10Sequential))?;
    Some(rank(c).ok_or(NotMeasured::OnlyBaseline).map(|ranked| {
        RowBody::CpuExperiment(ExperimentRow {
            tasks: CPU_TASKS,
            compute: compute as u32,
            baseline,
            ranked,
            cores: loaded.summary.machine.cores,
        })
    }))
}

/// Whether the runtime a cell's label names (`async-std`, `processes (pool:2)`) is a legacy
/// one: shown by C10, never a candidate, as in every row.
fn legacy(label: &str) -> bool {
    let runtime = label.split(" (").next().unwrap_or(label);
    crate::runtime::find(runtime).is_ok_and(|r| r.legacy())
}

/// Candidates ranked on 1 / speed-up (lower is better, as the shared rule wants), with
/// the peak memory as the tie-break.
fn rank(c: &ClaimResult) -> Option<Ranked<ExperimentItem<'_>>> {
    let candidates = c
        .each(FigureId::C10Speedup)
        .filter(|(label, _)| !legacy(label))
        .filter_map(|(label, f)| {
            let [low, high] = f.interval?;
            Some(Candidate {
                item: ExperimentItem {
                    label,
                    speedup: f.value,
                    interval: (low, high),
                },
                time: 1.0 / f.value,
                interval: (1.0 / high, 1.0 / low),
                memory: c.value(&FigureKey::about(FigureId::C10PeakMemory, label)),
            })
        })
        .collect();
    Ranked::new(candidates)
}
