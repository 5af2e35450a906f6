//! Which records take part in a comparison, and the figures several rows look up: the
//! cells a row may compare, the best cell of each model, and a unit's memory from the
//! memory pass.

use crate::results::{CellRecord, MemoryKind, Summary, TimerProbe};
use crate::runtime::{Model, Unit};
use crate::workload::WorkloadKind;

/// The cells of `workload` that may take part in a comparison: they ran, normally, on a
/// maintained runtime, and break no physics (a suspect cell is shown, never picked).
pub fn usable(s: &Summary, workload: WorkloadKind) -> impl Iterator<Item = &CellRecord> {
    s.cells
        .iter()
        .filter(move |c| c.trusted() && c.normal() && !c.legacy && c.workload == workload)
}

/// The best cell of each model (not sequential): the fastest of its runtimes' cells,
/// fastest model first.
pub fn best_per_model<'a>(cells: &[&'a CellRecord]) -> Vec<&'a CellRecord> {
    let mut best: Vec<&'a CellRecord> = Vec::new();
    for &c in cells {
        if c.model == Model::Sequential {
            continue;
        }
        match best.iter_mut().find(|b| b.model == c.model) {
            Some(b) if c.wall_seconds < b.wall_seconds => *b = c,
            Some(_) => {}
            None => best.push(c),
        }
    }
    best.sort_by(|a, b| a.wall_seconds.total_cmp(&b.wall_seconds));
    best
}

/// Memory per idle unit of a runtime, from the memory pass.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnitMemory {
    /// Bytes per unit (a slope over the sizes parked).
    pub bytes: f64,
    /// PSS where measured (processes), else resident.
    pub kind: MemoryKind,
    /// What the unit is.
    pub unit: Unit,
}

/// Memory per idle unit of `runtime` from the memory pass, if it ran: the figure the
/// memory table and the claims publish ([`MemoryModel::own_per_unit`]).
///
/// [`MemoryModel::own_per_unit`]: crate::results::MemoryModel::own_per_unit
pub fn unit_memory(s: &Summary, runtime: &str) -> Option<UnitMemory> {
    let m = s.memory_models.iter().find(|m| m.runtime == runtime)?;
    let (bytes, kind) = m.own_per_unit()?;
    Some(UnitMemory {
        bytes,
        kind,
        unit: m.unit,
    })
}

/// What a cell took beyond its ideal: its runtime's timer overshoot (the probe's, for the
/// requested sleep nearest the cell's wait, once per wait in a row on the longest task),
/// and the rest spread over the tasks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    /// The timer's overshoot on the cell's critical path: one sleep's overshoot times the
    /// waits in a row.
    pub overshoot: f64,
    /// (wall - ideal - overshoot) / tasks: the runtime's own cost per task.
    pub overhead_per_task: f64,
}

/// The timing of a wait-based cell: None without a timer probe of its runtime, without
/// waits, or in an older record that did not count its waits in a row.
pub fn timing(timers: &[TimerProbe], c: &CellRecord) -> Option<Timing> {
    let waits = c.critical_waits.filter(|&w| w > 0)?;
    let wait = c.latency.median().as_secs_f64();
    let probe = timers
        .iter()
        .filter(|t| t.runtime == c.runtime && t.error.is_none() && t.requested_seconds > 0.0)
        .min_by(|a, b| {
            let d = |t: f64| (t / wait).ln().abs();
            d(a.requested_seconds).total_cmp(&d(b.requested_seconds))
        })?;
    let overshoot = probe.overshoot_seconds.max(0.0) * f64::from(waits);
    Some(Timing {
        overshoot,
        overhead_per_task: (c.wall_seconds - c.ideal_seconds - overshoot) / c.tasks.max(1) as f64,
    })
}

/// The value met most often; ties go to the one met first.
pub fn most_common<K: PartialEq>(keys: impl IntoIterator<Item = K>) -> Option<K> {
    let mut counts: Vec<(K, usize)> = Vec::new();
    for k in keys {
        match counts.iter_mut().find(|(c, _)| *c == k) {
            Some((_, n)) => *n += 1,
            None => counts.push((k, 1)),
        }
    }
    let best = counts.iter().map(|c| c.1).max()?;
    counts.into_iter().find(|c| c.1 == best).map(|c| c.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_common_takes_the_first_of_equals() {
        assert_eq!(most_common([1, 2, 2, 1, 3]), Some(1));
        assert_eq!(most_common([3, 2, 2]), Some(2));
        assert_eq!(most_common(Vec::<u8>::new()), None);
    }
}
