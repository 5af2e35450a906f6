//! Row "CPU-bound" from the claims' CPU experiment, when the folder holds it: the speed-ups
//! C10, C11 and C14 quote (C10 publishes every cell), so the decision table and the claims
//! print the same number for the same cell. Each speed-up is the median of sequential on
//! each round's fastest core over the cell's median; the highest wins unless others are tied
//! with it, and then the smaller peak memory.
//!
//! A tie is called on each cell's wall over the fastest cell's (C10's `c10-over-fastest`):
//! the fastest is tied with a cell whose interval of that ratio holds 1. Every speed-up's
//! interval carries the one baseline's spread, so two overlapping speed-up intervals count
//! the baseline's noise twice; in a cell/cell ratio it cancels. A file from before that
//! figure ties cells whose speed-up intervals overlap.

use super::rank::{Candidate, Ranked};
use super::{NotMeasured, RowBody};
use crate::claims::CPU_TASKS;
use crate::results::{ClaimResult, FigureId, FigureKey, Loaded};

/// The figures this row reads.
pub const READS: [FigureId; 5] = [
    FigureId::C10Sequential,
    FigureId::C10Speedup,
    FigureId::C10PeakMemory,
    FigureId::C10Compute,
    FigureId::C10OverFastest,
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
    /// Its wall over the fastest cell's: (ratio, low, high), 1 exactly for the fastest
    /// itself; None in a file from before C10 published it.
    pub over_fastest: Option<(f64, f64, f64)>,
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
    /// Whether ties were called on each cell's wall over the fastest's (every candidate has
    /// it), not on overlapping speed-up intervals (a file from before C10 published it).
    pub ties_by_ratio: bool,
    /// Cores of the machine.
    pub cores: usize,
}

/// The row from C10's figures; None when the claims did not run this experiment (a file
/// from before it, without intervals or peak memory), so the row falls back to the cells.
pub fn decide(loaded: &Loaded) -> Option<Result<RowBody<'_>, NotMeasured<'_>>> {
    let c = loaded.claim(READS[0].claim())?;
    let compute = c.value(&FigureKey::of(FigureId::C10Compute))?;
    let baseline = c.value(&FigureKey::of(FigureId::C10Sequential))?;
    Some(
        rank(c)
            .ok_or(NotMeasured::OnlyBaseline)
            .map(|(ranked, ties_by_ratio)| {
                RowBody::CpuExperiment(ExperimentRow {
                    tasks: CPU_TASKS,
                    compute: compute as u32,
                    baseline,
                    ranked,
                    ties_by_ratio,
                    cores: loaded.summary.machine.cores,
                })
            }),
    )
}

/// Whether the runtime a cell's label names (`async-std`, `processes (pool:2)`) is a legacy
/// one: shown by C10, never a candidate, as in every row.
fn legacy(label: &str) -> bool {
    let runtime = label.split(" (").next().unwrap_or(label);
    crate::runtime::find(runtime).is_ok_and(|r| r.legacy())
}

/// Candidates ranked on 1 / speed-up (lower is better, as the shared rule wants), with
/// the peak memory as the tie-break.
///
/// The interval of each candidate is that of its speed-up, inverted; or, when C10 wrote
/// every candidate's wall over the fastest's and the fastest candidate is the cell those
/// are over (its ratio 1 exactly), that ratio's interval scaled onto the fastest's time.
/// The fastest's interval is then one point, and a candidate overlaps it exactly when its
/// ratio's interval holds 1 (its low end at most 1, as it is the slower): the baseline,
/// which every speed-up's interval carries, no longer decides a tie. Answers whether the
/// ratios called the ties.
fn rank(c: &ClaimResult) -> Option<(Ranked<ExperimentItem<'_>>, bool)> {
    let mut candidates: Vec<Candidate<ExperimentItem<'_>>> = c
        .each(FigureId::C10Speedup)
        .filter(|(label, _)| !legacy(label))
        .filter_map(|(label, f)| {
            let [low, high] = f.interval?;
            Some(Candidate {
                item: ExperimentItem {
                    label,
                    speedup: f.value,
                    interval: (low, high),
                    over_fastest: over_fastest(c, label),
                },
                time: 1.0 / f.value,
                interval: (1.0 / high, 1.0 / low),
                memory: c.value(&FigureKey::about(FigureId::C10PeakMemory, label)),
            })
        })
        .collect();
    let fastest = candidates.iter().min_by(|a, b| a.time.total_cmp(&b.time))?;
    let on = fastest.time;
    let by_ratio = fastest.item.over_fastest == Some((1.0, 1.0, 1.0))
        && candidates.iter().all(|k| k.item.over_fastest.is_some());
    if by_ratio {
        for k in &mut candidates {
            if let Some((_, low, high)) = k.item.over_fastest {
                k.interval = (on * low, on * high);
            }
        }
    }
    Ranked::new(candidates).map(|r| (r, by_ratio))
}

/// The wall of the cell `label` over the fastest cell's, if C10 wrote it: a figure without
/// an interval (the fastest's own 1) is a point.
fn over_fastest(c: &ClaimResult, label: &str) -> Option<(f64, f64, f64)> {
    let f = c
        .each(FigureId::C10OverFastest)
        .find(|(l, _)| *l == label)?
        .1;
    let [low, high] = f.interval.unwrap_or([f.value, f.value]);
    Some((f.value, low, high))
}
