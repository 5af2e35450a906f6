//! The view across machines: where absolute times mean little from one machine to
//! another, each cell as a multiple of one runtime's median in its group (the same cell but
//! for the runtime) on its own machine, and B's multiple over A's: a ratio of ratios. The
//! runtime divided by is the same on both sides: of those trusted in both folders, the
//! fastest in A. 1.00x: the runtime stands where it stood against it.

use std::collections::BTreeMap;

use super::{Matched, Measure, group_key, judge};
use crate::results::Loaded;

/// Each trusted cell of `l` (working, not suspect) as a multiple of its group's
/// denominator: the median of the runtime `by_group` names for the group, the interval its
/// low over the denominator's high, its high over the denominator's low.
fn relative(l: &Loaded, by_group: &BTreeMap<String, String>) -> BTreeMap<String, Measure> {
    let cores = l.summary.machine.cores;
    let mut denominators: BTreeMap<String, Measure> = BTreeMap::new();
    for c in l.summary.cells.iter().filter(|c| c.trusted()) {
        let group = group_key(c, cores);
        if by_group.get(&group) == Some(&c.runtime) && c.normal() {
            denominators
                .entry(group)
                .or_insert_with(|| super::measure(c));
        }
    }
    super::keys(l)
        .into_iter()
        .zip(&l.summary.cells)
        .filter(|(_, c)| c.trusted())
        .filter_map(|(key, c)| {
            let f = denominators.get(&group_key(c, cores))?;
            let m = super::measure(c);
            Some((
                key,
                Measure {
                    median: m.median / f.median,
                    interval: (m.interval.0 / f.interval.1, m.interval.1 / f.interval.0),
                },
            ))
        })
        .collect()
}

/// For each group, the runtime both folders can divide by: of the runtimes whose plain
/// cell is trusted in both, the one fastest in A. The same runtime on both sides, so a
/// runtime one folder lacks, or a cell suspect or failed on one side, moves no multiple.
fn denominators(a: &Loaded, b: &Loaded) -> BTreeMap<String, String> {
    let trusted = |l: &Loaded| -> BTreeMap<(String, String), f64> {
        let cores = l.summary.machine.cores;
        l.summary
            .cells
            .iter()
            .filter(|c| c.trusted() && c.normal())
            .map(|c| ((group_key(c, cores), c.runtime.clone()), c.wall_seconds))
            .collect()
    };
    let (ta, tb) = (trusted(a), trusted(b));
    let mut out: BTreeMap<String, (String, f64)> = BTreeMap::new();
    for ((group, runtime), &wall) in &ta {
        if !tb.contains_key(&(group.clone(), runtime.clone())) {
            continue;
        }
        let best = out.entry(group.clone()).or_insert((runtime.clone(), wall));
        if wall < best.1 {
            *best = (runtime.clone(), wall);
        }
    }
    out.into_iter().map(|(g, (r, _))| (g, r)).collect()
}

/// Every cell trusted in both folders, judged on its multiple of its group's denominator.
pub fn compare_relative(a: &Loaded, b: &Loaded, threshold: f64) -> Vec<Matched> {
    let by_group = denominators(a, b);
    let (ra, rb) = (relative(a, &by_group), relative(b, &by_group));
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
