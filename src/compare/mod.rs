//! `rtbench compare`: two results folders matched cell by cell. For each cell both ran,
//! the ratio B/A of the median wall times with an interval from each side's own interval
//! for its median, and a word: faster, slower or same (same when the two intervals
//! overlap or the ratio is within the threshold). Cells one side has and the other not
//! are listed, never dropped; so are the machines' differences.

mod machine;
mod measures;
mod relative;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::results::{CellRecord, Loaded};
use crate::runtime::Variant;

pub use machine::{MachineDiff, machine_diffs};
pub use measures::{Measures, Quantity, compare_measures};
pub use relative::{compare_relative, hardware_differs};

/// What makes two records the same cell: everything that decides the work and how it runs,
/// not what was measured. `cores` are the machine's: workers asked for equal to them read
/// `cores`, as the profiles size pools to the machine, so the same profile on a 2-core and
/// an 8-core machine meets cell for cell.
pub fn cell_key(c: &CellRecord, cores: usize) -> String {
    let variant = if c.variant == Variant::Normal {
        String::new()
    } else {
        format!(" {}", c.variant)
    };
    format!("{}{variant} {}", c.runtime, group_key(c, cores))
}

/// The cell's key without its runtime (and the runtime's variant): the cells every runtime
/// ran alike, which the relative view divides by their fastest. The work's own digest (the
/// checksum every runtime must reach, which `--calls`, `--steps` and the seed decide) ends
/// it, so two runs of different work never meet.
pub fn group_key(c: &CellRecord, cores: usize) -> String {
    let asked = |w: usize| {
        if w == cores {
            "cores".to_string()
        } else {
            w.to_string()
        }
    };
    let workers = c
        .workers_requested
        .map_or_else(|| format!("{} (chosen)", asked(c.workers)), asked);
    let payload = c
        .payload
        .map_or(String::new(), |p| format!(" payload {p} B"));
    let work: String = c.expected_checksum.chars().take(8).collect();
    format!(
        "{} x{} {} workers {workers} latency {} compute {}{payload} seed {} work {work}",
        c.workload, c.tasks, c.limit, c.latency, c.compute, c.seed
    )
}

/// The word for one matched cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Word {
    /// B took less time, beyond the threshold, with intervals apart.
    Faster,
    /// B took more time, beyond the threshold, with intervals apart.
    Slower,
    /// The intervals overlap or the ratio is within the threshold.
    Same,
    /// One side failed: no ratio.
    Failed,
    /// A measure other than time (memory, a knee) is better in B, beyond the threshold
    /// with intervals apart.
    Better,
    /// It is worse in B.
    Worse,
}

/// One cell both folders ran.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Matched {
    /// The cell, as [`cell_key`] names it.
    pub cell: String,
    /// A's median wall time, seconds (None if A's cell failed).
    pub a: Option<f64>,
    /// B's.
    pub b: Option<f64>,
    /// B / A of the medians.
    pub ratio: Option<f64>,
    /// The ratio's interval: B's interval over A's, its low end over A's high end and its
    /// high end over A's low end.
    pub interval: Option<(f64, f64)>,
    /// Faster, slower, same, or failed.
    pub word: Word,
    /// Why a side failed, if one did.
    pub failure: Option<String>,
}

/// A against B.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The threshold the words used, as a fraction (0.1: 10%).
    pub threshold: f64,
    /// Cells both ran, in A's order.
    pub matched: Vec<Matched>,
    /// Cells only A ran.
    pub only_a: Vec<String>,
    /// Cells only B ran.
    pub only_b: Vec<String>,
    /// Where the machines differ.
    pub machine: Vec<MachineDiff>,
    /// Each cell as a multiple of the fastest runtime in its group on its own machine, B's
    /// over A's (a ratio of ratios): the view that holds across machines.
    pub relative: Vec<Matched>,
    /// The machines differ in CPU, cores or memory: absolute times compare machines as
    /// much as code, and the relative view is the one to read.
    pub hardware_differs: bool,
    /// The claims' verdicts side by side, in id order (empty when neither folder has
    /// claims.json).
    pub claims: Vec<ClaimPair>,
    /// Memory per unit, the probes and the servers' knees, a table each.
    pub measures: Vec<Measures>,
    /// The schema versions the folders were written with, when they differ (older ones
    /// are read through the loader's upgrade; figures a version did not record are absent).
    pub schemas: Option<(u32, u32)>,
}

/// One claim's verdict in both folders.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimPair {
    /// `C01`..`C17`.
    pub id: String,
    /// A's verdict: `-` when A did not check it, `failed` when it could not be measured.
    pub a: String,
    /// B's.
    pub b: String,
    /// The two differ.
    pub changed: bool,
}

/// The verdicts of both folders' claims, by id.
fn claim_pairs(a: &Loaded, b: &Loaded) -> Vec<ClaimPair> {
    let verdicts = |l: &Loaded| -> BTreeMap<String, String> {
        l.claims
            .iter()
            .flat_map(|f| f.claims.iter())
            .map(|c| {
                let v = c.verdict.map_or("failed".to_string(), |v| v.to_string());
                (c.id.clone(), v)
            })
            .collect()
    };
    let (va, vb) = (verdicts(a), verdicts(b));
    let mut ids: Vec<&String> = va.keys().chain(vb.keys()).collect();
    ids.sort();
    ids.dedup();
    ids.into_iter()
        .map(|id| {
            let side = |v: &BTreeMap<String, String>| v.get(id).cloned().unwrap_or("-".into());
            let (a, b) = (side(&va), side(&vb));
            ClaimPair {
                id: id.clone(),
                changed: a != b,
                a,
                b,
            }
        })
        .collect()
}

impl Comparison {
    /// The matched cells with `word`.
    pub fn count(&self, word: Word) -> usize {
        self.matched.iter().filter(|m| m.word == word).count()
    }

    /// Cells that worked in A and failed in B: a regression as much as a slower one.
    pub fn newly_failed(&self) -> usize {
        self.matched
            .iter()
            .filter(|m| m.word == Word::Failed && m.a.is_some() && m.b.is_none())
            .count()
    }

    /// Whether anything at all was matched: cells, or a memory, probe or knee row.
    pub fn anything_matched(&self) -> bool {
        !self.matched.is_empty() || self.measures.iter().any(|t| !t.matched.is_empty())
    }

    /// The measures B does worse than A beyond the threshold with intervals apart. Shown,
    /// not gated: their intervals come from within one run (a probe's min..max over its
    /// runs in one process, a knee's sweeps in one session), and between two runs of the
    /// same code on one machine spawn probes moved beyond them (README, comparing folders).
    pub fn worse_measures(&self) -> usize {
        self.measures
            .iter()
            .flat_map(|t| &t.matched)
            .filter(|m| matches!(m.word, Word::Slower | Word::Worse))
            .count()
    }

    /// The relative view's cells with `word`.
    pub fn count_relative(&self, word: Word) -> usize {
        self.relative.iter().filter(|m| m.word == word).count()
    }
}

/// Compares one matched pair.
fn matched(cell: String, a: &CellRecord, b: &CellRecord, threshold: f64) -> Matched {
    if !a.ok() || !b.ok() {
        let failure = [("A", a), ("B", b)]
            .iter()
            .filter_map(|(side, c)| c.error.as_ref().map(|e| format!("{side}: {e}")))
            .collect::<Vec<_>>()
            .join("; ");
        return Matched {
            cell,
            a: a.ok().then_some(a.wall_seconds),
            b: b.ok().then_some(b.wall_seconds),
            ratio: None,
            interval: None,
            word: Word::Failed,
            failure: Some(failure),
        };
    }
    judge(cell, measure(a), measure(b), threshold)
}

/// A median with its interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Measure {
    pub median: f64,
    pub interval: (f64, f64),
}

pub(crate) fn measure(c: &CellRecord) -> Measure {
    Measure {
        median: c.wall_seconds,
        interval: c.wall_interval(),
    }
}

/// B against A: the ratio of the medians, its interval (B's low over A's high, B's high
/// over A's low), and the word.
pub(crate) fn judge(cell: String, a: Measure, b: Measure, threshold: f64) -> Matched {
    let ((alo, ahi), (blo, bhi)) = (a.interval, b.interval);
    let ratio = b.median / a.median;
    let overlap = alo <= bhi && blo <= ahi;
    let word = if overlap || (ratio - 1.0).abs() <= threshold {
        Word::Same
    } else if ratio < 1.0 {
        Word::Faster
    } else {
        Word::Slower
    };
    Matched {
        cell,
        a: Some(a.median),
        b: Some(b.median),
        ratio: Some(ratio),
        interval: Some((blo / ahi, bhi / alo)),
        word,
        failure: None,
    }
}

/// Each cell's key in run order; a cell run again with the same settings (a profile's
/// sweep groups share their baselines) gets `#2`, `#3`.., so the n-th run of a cell in A
/// meets the n-th in B.
fn keys(l: &Loaded) -> Vec<String> {
    numbered(
        l.summary
            .cells
            .iter()
            .map(|c| cell_key(c, l.summary.machine.cores)),
    )
}

/// Keys in order, the second and later of a repeated key numbered `#2`, `#3`..
pub(crate) fn numbered(keys: impl Iterator<Item = String>) -> Vec<String> {
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    keys.map(|key| {
        let n = count.entry(key.clone()).or_default();
        *n += 1;
        if *n == 1 { key } else { format!("{key} #{n}") }
    })
    .collect()
}

/// Matches `b` against `a` cell by cell.
pub fn compare(a: &Loaded, b: &Loaded, threshold: f64) -> Comparison {
    let (ka, kb) = (keys(a), keys(b));
    let index = |k: &[String]| -> BTreeMap<String, usize> {
        k.iter().cloned().enumerate().map(|(i, k)| (k, i)).collect()
    };
    let (ia, ib) = (index(&ka), index(&kb));
    let mut out = Comparison {
        threshold,
        matched: Vec::new(),
        only_a: Vec::new(),
        only_b: kb
            .iter()
            .filter(|k| !ia.contains_key(*k))
            .cloned()
            .collect(),
        machine: machine_diffs(&a.summary.machine, &b.summary.machine),
        claims: claim_pairs(a, b),
        relative: compare_relative(a, b, threshold),
        hardware_differs: hardware_differs(a, b),
        measures: compare_measures(a, b, threshold),
        schemas: (a.summary.schema_version != b.summary.schema_version)
            .then_some((a.summary.schema_version, b.summary.schema_version)),
    };
    for (key, c) in ka.into_iter().zip(&a.summary.cells) {
        match ib.get(&key) {
            Some(&j) => out
                .matched
                .push(matched(key, c, &b.summary.cells[j], threshold)),
            None => out.only_a.push(key),
        }
    }
    out
}
#[cfg(test)]
mod tests;
