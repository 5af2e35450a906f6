//! Efficiency (ideal / wall time) under a concurrency limit, grouped per runtime: one
//! marker per way of limiting (semaphore, batches, pool), in the runtime's colour. One
//! panel per set of limit cells (tasks, limit, latency) that compares two ways or more.

use crate::results::{CellRecord, Loaded};
use crate::workload::{Latency, WorkloadKind};

use super::model::{Axis, Body, Chart, Group, Item, Key, LegendEntry, Mark, Panel, Shape, Unit};
use super::palette::{REFERENCE, Runtimes};
use super::select;

pub const NAME: &str = "efficiency-vs-limit";

/// The ways of limiting the io cells compare, each with its marker.
pub const KINDS: [(&str, Shape); 3] = [
    ("semaphore", Shape::Circle),
    ("batches", Shape::Triangle),
    ("pool", Shape::Square),
];

/// A set of io cells run under different limits of the same size: (tasks, limit, latency).
#[derive(Debug, Clone, PartialEq)]
pub struct LimitSet<'a> {
    pub tasks: usize,
    pub limit: usize,
    pub latency: Latency,
    pub cells: Vec<&'a CellRecord>,
}

impl LimitSet<'_> {
    /// For a panel: "100 tasks, limit 10, uniform 5ms..15ms waits".
    pub fn title(&self) -> String {
        format!(
            "{} tasks, limit {}, {}",
            self.tasks,
            self.limit,
            select::latency_short(&self.latency)
        )
    }

    /// For a subtitle: "100 tasks, limit 10, each a wait drawn uniformly from 5ms..15ms".
    pub fn words(&self) -> String {
        format!(
            "{} tasks, limit {}, each {}",
            self.tasks,
            self.limit,
            select::latency_words(&self.latency)
        )
    }

    pub fn runtimes(&self) -> usize {
        let mut names: Vec<&str> = self.cells.iter().map(|c| c.runtime.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        names.len()
    }

    /// One group per runtime of the set, one slot per way of limiting (in [`KINDS`] order)
    /// holding `item(runtime, kind, cell)` for the runtime's cell under it; a way the
    /// runtime did not run leaves its slot empty.
    pub fn groups(
        &self,
        loaded: &Loaded,
        rts: &Runtimes,
        mut item: impl FnMut(&str, &(&str, Shape), &CellRecord) -> Item,
    ) -> Vec<Group> {
        rts.sorted(self.cells.iter().map(|c| c.runtime.as_str()))
            .into_iter()
            .map(|rt| Group {
                label: select::label(loaded, rt),
                slots: KINDS
                    .iter()
                    .map(|kind| {
                        let cell = self
                            .cells
                            .iter()
                            .find(|c| c.runtime == rt && c.limit.kind() == kind.0)?;
                        Some(item(rt, kind, cell))
                    })
                    .collect(),
                packed: false,
            })
            .collect()
    }
}

/// The io cells under a semaphore, batches or pool, in sets that compare at least two of
/// them (a pool alone, e.g. pool:100 in the size sweep, compares nothing).
pub fn limit_sets(loaded: &Loaded) -> Vec<LimitSet<'_>> {
    let mut sets: Vec<LimitSet> = Vec::new();
    for c in select::cells(loaded).filter(|c| c.workload == WorkloadKind::Io) {
        let (kind, Some(n)) = (c.limit.kind(), c.limit.size()) else {
            continue;
        };
        if !KINDS.iter().any(|k| k.0 == kind) {
            continue;
        }
        match sets
            .iter_mut()
            .find(|s| s.tasks == c.tasks && s.limit == n && s.latency == c.latency)
        {
            Some(set) => set.cells.push(c),
            None => sets.push(LimitSet {
                tasks: c.tasks,
                limit: n,
                latency: c.latency,
                cells: vec![c],
            }),
        }
    }
    sets.retain(|s| {
        let mut kinds: Vec<&str> = s.cells.iter().map(|c| c.limit.kind()).collect();
        kinds.sort_unstable();
        kinds.dedup();
        kinds.len() >= 2
    });
    sets
}

pub fn chart(loaded: &Loaded) -> Result<Chart, String> {
    let sets = limit_sets(loaded);
    if sets.is_empty() {
        return Err("no io cells comparing semaphore, batches and pool limits".into());
    }
    let rts = select::runtimes(loaded);
    let mut top: f64 = 1.1;
    let panels: Vec<Panel> = sets
        .iter()
        .map(|set| {
            let groups = set.groups(loaded, &rts, |rt, &(_, shape), cell| {
                top = top.max(cell.efficiency * 1.1);
                Item {
                    value: cell.efficiency,
                    colour: rts.colour(rt),
                    mark: Mark::Point(shape),
                    range: None,
                    note: Some(format!("{:.0}%", cell.efficiency * 100.0)),
                }
            });
            Panel {
                title: if sets.len() > 1 {
                    set.title()
                } else {
                    String::new()
                },
                x: Axis::linear("runtime", Unit::Count),
                y: Axis::linear("efficiency: ideal / wall time (%)", Unit::Percent),
                body: Body::Groups(groups),
                references: vec![(1.0, "ideal".into())],
            }
        })
        .collect();
    let panels: Vec<Panel> = panels
        .into_iter()
        .map(|mut p| {
            p.y = p.y.from(0.0).to(top);
            p
        })
        .collect();
    let mut legend: Vec<LegendEntry> = KINDS
        .iter()
        .map(|(kind, shape)| {
            LegendEntry::new(
                format!("{kind}:{}", sets[0].limit),
                super::palette::limit_colour("semaphore"),
                Key::Point(*shape),
            )
        })
        .collect();
    legend.push(LegendEntry::new(
        "ideal (100%)",
        REFERENCE,
        Key::Line { dashed: true },
    ));
    let one = (sets.len() == 1).then(|| format!("{}. ", sets[0].words()));
    // Side by side while each panel has room for its runtimes, else one above the other.
    let most = sets.iter().map(LimitSet::runtimes).max().unwrap_or(1);
    let columns = if most <= 4 { panels.len().min(3) } else { 1 };
    let rows = panels.len().div_ceil(columns);
    Ok(Chart {
        title: "Efficiency under a concurrency limit: semaphore vs batches vs pool".into(),
        subtitle: format!(
            "{}Ideal: every slot of the limit busy until the last wait ends. Marker colour is the \
             runtime; a missing marker is a limit the runtime does not take. {}.",
            one.unwrap_or_default(),
            select::machine_words(loaded)
        ),
        columns,
        size: (
            if columns > 1 { 1500 } else { 1100 },
            super::model::height(rows),
        ),
        panels,
        legend,
    })
}
