//! The view across machines: where absolute times mean little from one machine to
//! another, each cell as a multiple of the fastest runtime's median in its group (the same
//! cell but for the runtime) on its own machine, and B's multiple over A's: a ratio of
//! ratios. 1.00x: the runtime stands where it stood against the fastest.

use std::collections::BTreeMap;

use super::{Matched, Measure, group_key, judge};
use crate::results::{CellRecord, Loaded};

/// Each working cell of `l` relative to the fastest working cell of its group: its median
/// over the fastest's, the interval its low over the fastest's high, its high over the
/// fastest's low.
fn relative(l: &Loaded) -> BTreeMap<String, Measure> {
    let mut fastest: BTreeMap<String, &CellRecord> = BTreeMap::new();
    for c in l.summary.cells.iter().filter(|c| c.ok()) {
        let f = fastest.entry(group_key(c)).or_insert(c);
        if c.wall_seconds < f.wall_seconds {
            *f = c;
        }
    }
    super::keys(l)
        .into_iter()
        .zip(&l.summary.cells)
        .filter(|(_, c)| c.ok())
        .map(|(key, c)| {
            let f = super::measure(fastest[&group_key(c)]);
            let m = super::measure(c);
            (
                key,
                Measure {
                    median: m.median / f.median,
                    interval: (m.interval.0 / f.interval.1, m.interval.1 / f.interval.0),
                },
            )
        })
        .collect()
}

/// Every cell working in both folders, judged on its multiple of its group's fastest.
pub fn compare_relative(a: &Loaded, b: &Loaded, threshold: f64) -> Vec<Matched> {
    let (ra, rb) = (relative(a), relative(b));
    ra.iter()
        .filter_map(|(k, &ma)| rb.get(k).map(|&mb| judge(k.clone(), ma, mb, threshold)))
        .collect()
}

/// Whether the two machines differ in what absolute times depend on: CPU model, cores,
/// CPUs online, memory.
pub fn hardware_differs(a: &Loaded, b: &Loaded) -> bool {
    let (x, y) = (&a.summary.machine, &b.summary.machine);
    x.cpu_model != y.cpu_model
        || x.cores != y.cores
        || x.logical_cpus_online != y.logical_cpus_online
        || x.memory_bytes != y.memory_bytes
}
