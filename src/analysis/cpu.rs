//! Row "CPU-bound": the largest cpu work with a sequential baseline, each runtime at its
//! largest worker count; the highest speed-up wins unless one within the margin needs less
//! peak memory (worker processes alive at the same moment included).

use std::collections::BTreeSet;

use super::rank::{Candidate, Ranked};
use super::select::{best_per_model, usable};
use super::{NotMeasured, RowBody};
use crate::results::{CellRecord, Loaded};
use crate::runtime::Model;
use crate::workload::WorkloadKind;

/// The rule, as the row states it.
pub const RULE: &str = "highest speed-up over sequential (from the claims' CPU experiment, the speed-ups C10, C11 \
                        and C14 quote, when the folder holds it; else the run's largest CPU work, each runtime at \
                        its largest worker count); among those tied with it (from the CPU experiment: the interval of a cell's wall over the fastest's holds 1; \
                        else 95% intervals overlap), the smaller \
                        peak memory (worker processes alive at once included) wins; suspect cells (above the \
                        cores) are never picked";

/// A model's best cell and its speed-up over the baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct CpuItem<'a> {
    /// The cell.
    pub cell: &'a CellRecord,
    /// Baseline wall time over the cell's.
    pub speedup: f64,
}

/// The row's numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct CpuRow<'a> {
    /// Tasks of the work compared.
    pub tasks: usize,
    /// n of each task's factorial.
    pub compute: u32,
    /// The best cell of each model.
    pub ranked: Ranked<CpuItem<'a>>,
    /// The sequential wall time: the fastest sequential cell of the work.
    pub baseline: f64,
    /// How many sequential cells there were to take the fastest of.
    pub baselines: usize,
    /// The largest speed-up physics allows: min(cores, tasks).
    pub bound: f64,
    /// Cores of the machine.
    pub cores: usize,
}

/// Decides the row from a loaded folder.
pub fn decide(loaded: &Loaded) -> Result<RowBody<'_>, NotMeasured<'_>> {
    if let Some(row) = super::cpu_experiment::decide(loaded) {
        return row;
    }
    let s = &loaded.summary;
    let cpu: Vec<&CellRecord> = usable(s, WorkloadKind::Cpu).collect();
    // The largest work that has a sequential baseline.
    let (tasks, compute) = cpu
        .iter()
        .filter(|c| c.model == Model::Sequential)
        .map(|c| (c.tasks, c.compute))
        .max_by_key(|&(t, k)| (u64::from(k) * t as u64, k))
        .ok_or(NotMeasured::NoBaseline)?;
    let group: Vec<&CellRecord> = cpu
        .iter()
        .copied()
        .filter(|c| c.tasks == tasks && c.compute == compute)
        .collect();
    let baselines: Vec<f64> = group
        .iter()
        .filter(|c| c.model == Model::Sequential)
        .map(|c| c.wall_seconds)
        .collect();
    let base = baselines.iter().copied().fold(f64::INFINITY, f64::min);
    // Each runtime at its largest worker count.
    let mut at_max: Vec<&CellRecord> = Vec::new();
    let runtimes: BTreeSet<&str> = group.iter().map(|c| c.runtime.as_str()).collect();
    for rt in runtimes {
        let mine = group.iter().filter(|c| c.runtime == rt);
        let most = mine.clone().map(|c| c.workers).max().unwrap_or(0);
        if let Some(c) = mine
            .filter(|c| c.workers == most)
            .min_by(|a, b| a.wall_seconds.total_cmp(&b.wall_seconds))
        {
            at_max.push(c);
        }
    }
    let candidates = best_per_model(&at_max)
        .into_iter()
        .map(|cell| Candidate {
            item: CpuItem {
                cell,
                speedup: base / cell.wall_seconds,
            },
            time: cell.wall_seconds,
            interval: cell.wall_interval(),
            memory: Some(cell.footprint_bytes() as f64),
        })
        .collect();
    let ranked = Ranked::new(candidates).ok_or(NotMeasured::OnlyBaseline)?;
    Ok(RowBody::Cpu(CpuRow {
        tasks,
        compute,
        ranked,
        baseline: base,
        baselines: baselines.len(),
        bound: s.machine.cores.min(tasks) as f64,
        cores: s.machine.cores,
    }))
}
