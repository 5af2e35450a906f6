//! Row "many concurrent waits": the cells without a limit at the largest size, the fastest
//! model winning unless one within the margin needs less memory per unit. Decided on `net`
//! (waits on sockets, through each runtime's reactor) when the folder has it, with the
//! same row on `io` (waits on each runtime's timer) beside it; else on `io` alone.

use std::collections::BTreeSet;

use super::rank::{Candidate, Ranked};
use super::select::{Timing, UnitMemory, best_per_model, most_common, timing, unit_memory, usable};
use super::{NotMeasured, RowBody};
use crate::limit::Limit;
use crate::netserver::DEFAULT_PAYLOAD;
use crate::results::{CellRecord, Loaded, Summary};
use crate::runtime::Model;
use crate::workload::{Latency, WorkloadKind};

/// The rule, as the row states it.
pub const RULE: &str = "fastest median wall; models whose 95% intervals overlap the fastest's are a tie, and the one \
     with less memory per unit wins";

/// A model's best cell with its memory per unit.
#[derive(Debug, Clone, PartialEq)]
pub struct IoItem<'a> {
    /// The cell.
    pub cell: &'a CellRecord,
    /// Memory per idle unit of its runtime, if the memory pass ran.
    pub unit_memory: Option<UnitMemory>,
    /// Its timer's overshoot and its own cost per task, if the timer was probed.
    pub timing: Option<Timing>,
}

/// The row's numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct IoRow<'a> {
    /// The largest number of tasks run without a limit.
    pub tasks: usize,
    /// The latency most cells at that size waited.
    pub latency: Latency,
    /// The best cell of each model at that size.
    pub ranked: Ranked<IoItem<'a>>,
    /// Models run only at smaller sizes: their best cell at their largest size, for scale.
    pub smaller: Vec<IoItem<'a>>,
    /// The workload it was decided on: `net`, or `io` when the folder has no `net` cells.
    pub workload: WorkloadKind,
    /// Beside a `net` row: the same row on `io`'s timer waits, if measured.
    pub timer: Option<Box<IoRow<'a>>>,
}

fn item<'a>(s: &Summary, cell: &'a CellRecord) -> IoItem<'a> {
    IoItem {
        cell,
        unit_memory: unit_memory(s, &cell.runtime),
        // A timer's overshoot explains only timer waits.
        timing: (cell.workload == WorkloadKind::Io)
            .then(|| timing(&s.timers, cell))
            .flatten(),
    }
}

/// Decides the row from a loaded folder: on `net` with `io` beside it, or on `io`.
pub fn decide(loaded: &Loaded) -> Result<RowBody<'_>, NotMeasured<'_>> {
    let s = &loaded.summary;
    let timer = row(s, WorkloadKind::Io);
    let row = match row(s, WorkloadKind::Net) {
        Ok(mut net) => {
            net.timer = timer.ok().map(Box::new);
            net
        }
        Err(_) => timer?,
    };
    Ok(RowBody::Io(row))
}

/// The row on one workload's cells without a limit (for `net`, replies of the default
/// size: larger ones measure copying as well).
fn row(s: &Summary, workload: WorkloadKind) -> Result<IoRow<'_>, NotMeasured<'_>> {
    let item = |cell| item(s, cell);
    let io: Vec<&CellRecord> = usable(s, workload)
        .filter(|c| c.limit == Limit::Unbounded)
        .filter(|c| c.payload.is_none_or(|p| p == DEFAULT_PAYLOAD))
        .collect();
    let n = io
        .iter()
        .map(|c| c.tasks)
        .max()
        .ok_or(NotMeasured::NoCells)?;
    let latency = most_common(io.iter().filter(|c| c.tasks == n).map(|c| c.latency))
        .ok_or(NotMeasured::NoCells)?;
    let at_n: Vec<&CellRecord> = io
        .iter()
        .copied()
        .filter(|c| c.tasks == n && c.latency == latency)
        .collect();
    let candidates = best_per_model(&at_n)
        .into_iter()
        .map(|c| Candidate {
            item: item(c),
            time: c.wall_seconds,
            interval: c.wall_interval(),
            memory: unit_memory(s, &c.runtime).map(|m| m.bytes),
        })
        .collect();
    let ranked = Ranked::new(candidates).ok_or(NotMeasured::NoCells)?;
    // Models measured only at smaller sizes (e.g. a process per task is too slow to start
    // 10,000 times in a quick profile), in the order first met.
    let present: BTreeSet<Model> = at_n.iter().map(|c| c.model).collect();
    let mut missing: Vec<Model> = Vec::new();
    for c in io.iter().filter(|c| c.latency == latency) {
        if c.model != Model::Sequential
            && !present.contains(&c.model)
            && !missing.contains(&c.model)
        {
            missing.push(c.model);
        }
    }
    let smaller = missing
        .into_iter()
        .filter_map(|m| {
            let theirs: Vec<&CellRecord> = io
                .iter()
                .copied()
                .filter(|c| c.latency == latency && c.model == m)
                .collect();
            let largest = theirs.iter().map(|c| c.tasks).max().unwrap_or(0);
            let at: Vec<&CellRecord> = theirs.into_iter().filter(|c| c.tasks == largest).collect();
            best_per_model(&at).first().map(|c| item(c))
        })
        .collect();
    Ok(IoRow {
        tasks: n,
        latency,
        ranked,
        smaller,
        workload,
        timer: None,
    })
}
