//! Row "many short-lived units": the spawn probe's cheapest runtime of each model; within
//! the margin, the one that needs less memory per unit.

use super::rank::{Candidate, Ranked};
use super::select::{UnitMemory, unit_memory};
use super::{NotMeasured, RowBody};
use crate::results::{Loaded, SpawnProbe};
use crate::runtime::Model;

/// The rule, as the row states it.
pub const RULE: &str =
    "cheapest start and join per unit; tied with it (min..max overlap), less memory per unit wins";

/// A model's cheapest probe with its memory per unit.
#[derive(Debug, Clone, PartialEq)]
pub struct SpawnItem<'a> {
    /// The probe.
    pub probe: &'a SpawnProbe,
    /// Memory per idle unit of its runtime, if the memory pass ran.
    pub unit_memory: Option<UnitMemory>,
}

/// Decides the row from a loaded folder.
pub fn decide(loaded: &Loaded) -> Result<RowBody<'_>, NotMeasured<'_>> {
    let s = &loaded.summary;
    let mut best: Vec<Candidate<SpawnItem>> = Vec::new();
    for p in s.spawn.iter().filter(|p| p.error.is_none() && !p.legacy) {
        if p.model == Model::Sequential {
            continue;
        }
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
    Ranked::new(best)
        .map(RowBody::Spawn)
        .ok_or(NotMeasured::NoProbe)
}
