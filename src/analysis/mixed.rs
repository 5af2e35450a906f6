//! Row "mixed": the largest mixed cells, the fastest model winning unless one within the
//! tie (overlapping 95% intervals) needs less peak memory (worker processes alive at the same
//! moment included).

use super::rank::{Candidate, Ranked};
use super::select::{Timing, best_per_model, most_common, timing, usable};
use super::{NotMeasured, RowBody};
use crate::results::{CellRecord, Loaded};
use crate::runtime::Model;
use crate::workload::{Latency, WorkloadKind};

/// The rule, as the row states it.
pub const RULE: &str = "fastest median wall; among those tied with it (95% intervals overlap), the smaller peak \
     memory (worker processes alive at once included) wins";

/// A model's best cell and its timing.
#[derive(Debug, Clone, PartialEq)]
pub struct MixedItem<'a> {
    /// The cell.
    pub cell: &'a CellRecord,
    /// Its timer's overshoot and its own cost per task, if the timer was probed.
    pub timing: Option<Timing>,
}

/// The row's numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct MixedRow<'a> {
    /// The largest number of tasks.
    pub tasks: usize,
    /// The wait of each step.
    pub latency: Latency,
    /// n of each step's factorial.
    pub compute: u32,
    /// The best cell of each model.
    pub ranked: Ranked<MixedItem<'a>>,
    /// The fastest sequential cell of the same work, if one ran.
    pub sequential: Option<&'a CellRecord>,
}

/// Decides the row from a loaded folder.
pub fn decide(loaded: &Loaded) -> Result<RowBody<'_>, NotMeasured<'_>> {
    let s = &loaded.summary;
    let mixed: Vec<&CellRecord> = usable(s, WorkloadKind::Mixed).collect();
    let n = mixed
        .iter()
        .map(|c| c.tasks)
        .max()
        .ok_or(NotMeasured::NoCells)?;
    let (latency, compute) = most_common(
        mixed
            .iter()
            .filter(|c| c.tasks == n)
            .map(|c| (c.latency, c.compute)),
    )
    .ok_or(NotMeasured::NoCells)?;
    let group: Vec<&CellRecord> = mixed
        .iter()
        .copied()
        .filter(|c| c.tasks == n && c.latency == latency && c.compute == compute)
        .collect();
    let candidates = best_per_model(&group)
        .into_iter()
        .map(|c| Candidate {
            item: MixedItem {
                cell: c,
                timing: timing(&s.timers, c),
            },
            time: c.wall_seconds,
            interval: c.wall_interval(),
            memory: Some(c.footprint_bytes() as f64),
        })
        .collect();
    let ranked = Ranked::new(candidates).ok_or(NotMeasured::OnlyBaseline)?;
    let sequential = group
        .iter()
        .copied()
        .filter(|c| c.model == Model::Sequential)
        .min_by(|a, b| a.wall_seconds.total_cmp(&b.wall_seconds));
    Ok(RowBody::Mixed(MixedRow {
        tasks: n,
        latency,
        compute,
        ranked,
        sequential,
    }))
}
