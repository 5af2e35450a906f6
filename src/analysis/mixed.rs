//! Row "mixed": the largest mixed cells, the fastest model winning unless one within the
//! margin needs less peak memory (worker processes alive at the same moment included).

use super::rank::{Candidate, Ranked};
use super::select::{best_per_model, most_common, usable};
use super::{NotMeasured, RowBody};
use crate::results::{CellRecord, Loaded};
use crate::runtime::Model;
use crate::workload::{Latency, WorkloadKind};

/// The rule, as the row states it.
pub const RULE: &str = "fastest median wall; within 10%, the smaller peak memory \
                        (worker processes alive at once included) wins";

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
    pub ranked: Ranked<&'a CellRecord>,
    /// The fastest sequential cell of the same work, if one ran.
    pub sequential: Option<&'a CellRecord>,
}

/// Decides the row from a loaded folder.
pub fn decide(loaded: &Loaded) -> Result<RowBody<'_>, NotMeasured<'_>> {
    let mixed: Vec<&CellRecord> = usable(&loaded.summary, WorkloadKind::Mixed).collect();
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
            item: c,
            time: c.wall_seconds,
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
