//! Row "many short-lived units": the spawn probe's cheapest unit start of each model; within
//! the margin, the one that needs less memory per unit. Jobs handed to a pool already
//! running start nothing: they are kept apart, shown beside the row, never compared.

use super::rank::{Candidate, Ranked};
use super::select::{UnitMemory, unit_memory};
use super::{NotMeasured, RowBody};
use crate::results::{Loaded, SpawnProbe};
use crate::runtime::{Model, SpawnKind};

/// The rule, as the row states it.
pub const RULE: &str = "cheapest start and join per unit really started (task, thread, process); \
     tied with it (min..max overlap), less memory per unit wins; jobs on a running pool are not \
     starts and are not compared";

/// A model's cheapest probe with its memory per unit.
#[derive(Debug, Clone, PartialEq)]
pub struct SpawnItem<'a> {
    /// The probe.
    pub probe: &'a SpawnProbe,
    /// Memory per idle unit of its runtime, if the memory pass ran.
    pub unit_memory: Option<UnitMemory>,
}

/// The row's numbers: unit starts compared, pool jobs apart.
#[derive(Debug, Clone, PartialEq)]
pub struct SpawnRow<'a> {
    /// Units started and joined, the cheapest runtime of each model; the pick is one of these.
    pub starts: Ranked<SpawnItem<'a>>,
    /// Jobs through a pool already running, cheapest first: shown, never candidates.
    pub jobs: Vec<&'a SpawnProbe>,
}

/// Decides the row from a loaded folder.
pub fn decide(loaded: &Loaded) -> Result<RowBody<'_>, NotMeasured<'_>> {
    let s = &loaded.summary;
    let usable = || {
        s.spawn
            .iter()
            .filter(|p| p.error.is_none() && !p.legacy && p.model != Model::Sequential)
    };
    let mut best: Vec<Candidate<SpawnItem>> = Vec::new();
    for p in usable().filter(|p| p.kind() == SpawnKind::Start) {
        let unit_memory = unit_memory(s, &p.runtime);
        let c = Candidate {
            item: SpawnItem {
                probe: p,
                unit_memory,
            },
            time: p.spawn_seconds_per_unit,
            interval: (p.min_seconds_per_unit, p.max_seconds_per_unit),
            memory: unit_memory.map(|m| m.bytes),
        };
        match best.iter_mut().find(|x| x.item.probe.model == p.model) {
            Some(x) if c.time < x.time => *x = c,
            Some(_) => {}
            None => best.push(c),
        }
    }
    best.sort_by(|a, b| a.time.total_cmp(&b.time));
    let mut jobs: Vec<&SpawnProbe> = usable().filter(|p| p.kind() == SpawnKind::Job).collect();
    jobs.sort_by(|a, b| {
        a.spawn_seconds_per_unit
            .total_cmp(&b.spawn_seconds_per_unit)
    });
    let starts = Ranked::new(best).ok_or(NotMeasured::NoProbe)?;
    Ok(RowBody::Spawn(SpawnRow { starts, jobs }))
}
