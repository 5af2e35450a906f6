//! Row "a blocking library inside async code": claim C17's blocking calls made inside the
//! tasks against the same calls on the runtime's blocking pool, on every async runtime.

use super::{Lookup, NotMeasured, RowBody, lookup};
use crate::results::{FigureId, FigureKey, Loaded, Verdict};

/// The rule, as the row states it.
pub const RULE: &str = "where the blocking call is faster (intervals apart; overlapping intervals are \
                        no winner), for every async runtime measured (legacy async-std shown, not \
                        counted)";

/// The figures this row reads.
pub const READS: [FigureId; 2] = [FigureId::C17BlockingInTasks, FigureId::C17OnBlockingPool];

/// Where the rule says the blocking call belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockingPick {
    /// The blocking pool was faster on every runtime.
    Pool,
    /// Calling inside the task was faster on every runtime.
    Inside,
    /// The runtimes disagree, or the intervals of a runtime's two timings overlap.
    NoWinner,
}

/// One runtime's two timings.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockingPair<'a> {
    /// The runtime.
    pub runtime: &'a str,
    /// The calls made inside the tasks.
    pub inside: f64,
    /// The same calls on the blocking pool.
    pub pool: Lookup,
}

/// The row's numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockingRow<'a> {
    /// How the claims scaled the notes' durations.
    pub scale: &'a str,
    /// Each runtime's pair.
    pub pairs: Vec<BlockingPair<'a>>,
    /// The pick, from the pairs measured in full.
    pub pick: BlockingPick,
    /// C17's verdict.
    pub verdict: Option<Verdict>,
}

/// Decides the row from a loaded folder.
pub fn decide(loaded: &Loaded) -> Result<RowBody<'_>, NotMeasured<'_>> {
    let id = READS[0].claim();
    let c = loaded.claim(id).ok_or(NotMeasured::ClaimNotRun(id))?;
    let pairs: Vec<BlockingPair> = c
        .each(FigureId::C17BlockingInTasks)
        .map(|(runtime, f)| BlockingPair {
            runtime,
            inside: f.value,
            pool: lookup(c, FigureKey::about(FigureId::C17OnBlockingPool, runtime)),
        })
        .collect();
    // The rule compares the pairs measured in full; a runtime missing its pool figure is
    // shown as not measured, and with no full pair there is nothing to decide.
    // Legacy runtimes are shown, not counted.
    let interval = |id, runtime: &str| {
        c.each(id)
            .find(|(rt, _)| *rt == runtime)
            .map(|(_, f)| f.interval.map_or((f.value, f.value), |[lo, hi]| (lo, hi)))
    };
    let measured: Vec<((f64, f64), (f64, f64))> = pairs
        .iter()
        .filter(|p| !crate::runtime::find(p.runtime).is_ok_and(|r| r.legacy()))
        .filter_map(|p| {
            p.pool.as_ref().ok()?;
            Some((
                interval(FigureId::C17BlockingInTasks, p.runtime)?,
                interval(FigureId::C17OnBlockingPool, p.runtime)?,
            ))
        })
        .collect();
    if measured.is_empty() {
        return Err(match &c.error {
            Some(e) => NotMeasured::ClaimFailed(e),
            None => NotMeasured::NoPairs(id),
        });
    }
    let pick = if measured.iter().all(|&(inside, pool)| pool.1 < inside.0) {
        BlockingPick::Pool
    } else if measured.iter().all(|&(inside, pool)| inside.1 < pool.0) {
        BlockingPick::Inside
    } else {
        BlockingPick::NoWinner
    };
    Ok(RowBody::Blocking(BlockingRow {
        scale: &c.scale,
        pairs,
        pick,
        verdict: c.verdict,
    }))
}
