//! C09's practical concurrency: the most units of a model that keep io efficiency at
//! [`EFFICIENCY_KEPT`] or more when they all wait L at once, beside the OS maximum the
//! memory pass reaches. The notes' ranges (async 100-1000+, threads 10-50, processes 1-16)
//! are practical ones: how many units are worth running, not how many the OS allows.
//!
//! Each model climbs a geometric ladder (1, 3, 10, 30, ...) up to its cap. A quick pass
//! (one cell per size, in its own child) brackets where efficiency falls below the
//! threshold and stops climbing once a size is clearly below it ([`CLIMB_STOP`]); then the
//! sizes around that crossing run in interleaved rounds, each cell in its own child, and
//! each size is judged on the interval of its median efficiency. An OS refusal (a thread or
//! process the OS would not start) ends the model's ladder at that size and is said.

use super::judge::{Est, Test, num};
use super::lab::{Lab, MIN_ROUNDS, Trial};
use crate::limit::Limit;
use crate::results::CellRecord;
use crate::runtime::Variant;
use crate::workload::{Latency, WorkloadSpec};

/// A size keeps io efficiency (ideal wall / measured wall) when its interval is at least
/// this; it does not when the whole interval is below.
pub const EFFICIENCY_KEPT: f64 = 0.5;

/// The quick pass stops climbing a model at the first size whose one run is below this:
/// clearly past [`EFFICIENCY_KEPT`], so larger sizes would only take longer to fail it.
pub const CLIMB_STOP: f64 = 0.25;

/// Ladder steps below the quick pass's first size under [`EFFICIENCY_KEPT`] that the rounds
/// measure too (smaller sizes, which kept it in the quick pass, are taken as keeping it).
pub const STEPS_BELOW: usize = 2;

/// The smallest size of every ladder: one unit, so a model that cannot keep the
/// efficiency at 10 (processes, whose claimed range is 1-16) is still placed.
pub const FIRST_SIZE: usize = 1;

/// The models C09 judges: the runtime, what its units are called, and the largest size its
/// ladder tries.
pub const MODELS: [(&str, &str, usize); 3] = [
    ("tokio", "tasks", 1_000_000),
    // vm.max_map_count stops threads near 16,000 on a default machine.
    ("threads", "threads", 10_000),
    ("processes", "processes", 1_000),
];

/// The ladder up to `cap`: 1, 3, 10, 30, ... (`cap` last if it is not on it).
pub fn sizes(cap: usize) -> Vec<usize> {
    let mut v = Vec::new();
    let mut decade = FIRST_SIZE;
    while decade <= cap {
        v.push(decade);
        if 3 * decade <= cap {
            v.push(3 * decade);
        }
        decade *= 10;
    }
    if v.last().is_some_and(|&l| l < cap) {
        v.push(cap);
    }
    v
}

/// Why a model's climb ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Stop {
    /// It reached its cap.
    Cap,
    /// The quick pass's run at this size was clearly below the threshold.
    Fell(usize),
    /// A cell at this size failed (an OS refusal, a timeout): its kind and message.
    Failed(usize, String),
}

/// One size measured in rounds.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Units run at once.
    pub size: usize,
    /// Efficiency, ideal over wall, per round: median and interval.
    pub efficiency: Est,
}

/// A model's ladder: the sizes measured in rounds and why it stopped.
#[derive(Debug, Clone, PartialEq)]
pub struct Climb {
    /// The runtime.
    pub runtime: &'static str,
    /// What its units are called.
    pub units: &'static str,
    /// The largest size below the rounds' sizes, kept in the quick pass (None: the rounds
    /// start at the ladder's first size).
    pub kept_below: Option<usize>,
    /// The sizes measured in rounds, ascending.
    pub steps: Vec<Step>,
    /// Why it stopped climbing.
    pub stop: Stop,
}

impl Climb {
    /// The practical concurrency: climbing the ladder until a size surely fails to keep
    /// the efficiency, [largest size surely keeping it, one below the first size that
    /// surely fails], the median the surely-keeping one. A ladder step is not an exact
    /// count: the crossing lies anywhere between the last size kept and the next that was
    /// not (a failed cell's size bounds it too); a climb that reached its cap is at least
    /// the cap. 0 when even the first size fails.
    pub fn practical(&self) -> Est {
        let below = self.kept_below.unwrap_or(0) as f64;
        let (mut surely, mut possibly) = (below, below);
        let mut failing = None;
        for s in &self.steps {
            match kept(s) {
                Test::Yes => (surely, possibly) = (s.size as f64, s.size as f64),
                Test::Unsure(_) => possibly = s.size as f64,
                Test::No => {
                    failing = Some(s.size);
                    break;
                }
            }
        }
        let failing = failing.or(match &self.stop {
            Stop::Fell(n) | Stop::Failed(n, _) => Some(*n),
            Stop::Cap => None,
        });
        let high = failing.map_or(possibly, |n| (n.saturating_sub(1) as f64).max(possibly));
        Est::new(surely, surely, high)
    }
}

/// Does a size keep the efficiency?
pub fn kept(s: &Step) -> Test {
    Test::at_least(
        s.efficiency,
        EFFICIENCY_KEPT,
        &format!("efficiency x{}", s.size),
    )
}

/// The io cell of `n` units of `runtime`, each waiting `l`, unbounded.
fn trial(runtime: &'static str, n: usize, l: Latency) -> Trial {
    Trial::new(
        runtime,
        &WorkloadSpec::io(n, l),
        Limit::Unbounded,
        Variant::Normal,
    )
}

/// A failed cell's kind and the first clause of its message.
fn failed(r: &CellRecord) -> Option<String> {
    let e = r.error.as_deref()?;
    let first = e.split(';').next().unwrap_or(e);
    Some(format!(
        "{} ({first})",
        r.error_kind.as_deref().unwrap_or("error")
    ))
}

/// The quick pass of one model: its sizes and one run's efficiency each, and why it stopped.
fn quick(
    lab: &Lab,
    runtime: &'static str,
    cap: usize,
    l: Latency,
) -> Result<(Vec<(usize, f64)>, Stop), String> {
    let mut seen = Vec::new();
    for n in sizes(cap) {
        let r = lab.cell_record(&trial(runtime, n, l), 1)?;
        if let Some(why) = failed(&r) {
            return Ok((seen, Stop::Failed(n, why)));
        }
        seen.push((n, r.efficiency));
        if r.efficiency < CLIMB_STOP {
            return Ok((seen, Stop::Fell(n)));
        }
    }
    Ok((seen, Stop::Cap))
}

/// Every model's climb: the quick passes, then the sizes around each crossing in the
/// lab's rounds (at least [`MIN_ROUNDS`]), every model's cells interleaved. `l` is the wait.
pub fn climb(lab: &Lab, l: Latency) -> Result<Vec<Climb>, String> {
    let mut plans = Vec::new();
    for (runtime, units, cap) in MODELS {
        let (seen, stop) = quick(lab, runtime, cap, l)?;
        let crossing = seen
            .iter()
            .position(|&(_, e)| e < EFFICIENCY_KEPT)
            .unwrap_or(seen.len());
        let start = crossing
            .saturating_sub(STEPS_BELOW)
            .min(seen.len().saturating_sub(STEPS_BELOW));
        let kept_below = start.checked_sub(1).map(|i| seen[i].0);
        let window: Vec<usize> = seen[start..].iter().map(|&(n, _)| n).collect();
        plans.push((runtime, units, kept_below, window, stop));
    }
    let trials: Vec<Trial> = plans
        .iter()
        .flat_map(|(rt, _, _, window, _)| window.iter().map(|&n| trial(rt, n, l)))
        .collect();
    let records = lab.records_kept(&trials, lab.rounds.max(MIN_ROUNDS), 1)?;
    let mut rows = records.into_iter();
    let mut climbs = Vec::new();
    for (runtime, units, kept_below, window, mut stop) in plans {
        let mut steps = Vec::new();
        let mine: Vec<Vec<CellRecord>> = rows.by_ref().take(window.len()).collect();
        for (n, rounds) in window.into_iter().zip(mine) {
            if let Some(why) = rounds.iter().find_map(failed) {
                stop = Stop::Failed(n, why);
                break;
            }
            let e: Vec<f64> = rounds.iter().map(|r| r.efficiency).collect();
            steps.push(Step {
                size: n,
                efficiency: Est::of(&e),
            });
        }
        climbs.push(Climb {
            runtime,
            units,
            kept_below,
            steps,
            stop,
        });
    }
    Ok(climbs)
}

/// One model's climb in words: its practical figure and the efficiency of each size.
pub fn describe(c: &Climb) -> String {
    let steps: Vec<String> = c
        .steps
        .iter()
        .map(|s| format!("x{} {}", s.size, s.efficiency))
        .collect();
    let stop = match &c.stop {
        Stop::Cap => "reached its cap".to_string(),
        Stop::Fell(n) => format!("stopped climbing at x{n}"),
        Stop::Failed(n, why) => format!("a cell failed at x{n}, ending the ladder: {why}"),
    };
    format!(
        "{} {} (efficiency {}; {stop})",
        c.units,
        practical_text(c.practical()),
        steps.join(", ")
    )
}

/// `1000` for a decided figure, `1000 to 3000` for an interval.
pub fn practical_text(e: Est) -> String {
    if e.is_point() {
        num(e.mid)
    } else {
        format!("{} to {}", num(e.low), num(e.high))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(size: usize, low: f64, high: f64) -> Step {
        Step {
            size,
            efficiency: Est::new((low + high) / 2.0, low, high),
        }
    }

    fn climb_of(kept_below: Option<usize>, steps: Vec<Step>) -> Climb {
        Climb {
            runtime: "threads",
            units: "threads",
            kept_below,
            steps,
            stop: Stop::Fell(3000),
        }
    }

    #[test]
    fn the_ladder_is_geometric_up_to_its_cap() {
        assert_eq!(sizes(1000), vec![1, 3, 10, 30, 100, 300, 1000]);
        assert_eq!(sizes(1_000_000).len(), 13);
        assert_eq!(sizes(500), vec![1, 3, 10, 30, 100, 300, 500]);
    }

    #[test]
    fn practical_is_surely_to_possibly_keeping() {
        let c = climb_of(
            Some(100),
            vec![
                step(300, 0.8, 0.9),
                step(1000, 0.45, 0.6),
                step(3000, 0.1, 0.2),
            ],
        );
        // Up to one below the first size surely failing: the crossing is somewhere there.
        assert_eq!(c.practical(), Est::new(300.0, 300.0, 2999.0));
        let c = climb_of(Some(100), vec![step(300, 0.5, 0.9), step(1000, 0.2, 0.49)]);
        assert_eq!(c.practical(), Est::new(300.0, 300.0, 999.0));
        // A size surely failing ends the climb, whatever comes after.
        let c = climb_of(None, vec![step(10, 0.1, 0.2), step(30, 0.6, 0.7)]);
        assert_eq!(c.practical(), Est::new(0.0, 0.0, 9.0));
        // No size failed in the rounds: the quick pass's fall (x3000) bounds it.
        let c = climb_of(Some(30), vec![step(100, 0.3, 0.7)]);
        assert_eq!(c.practical(), Est::new(30.0, 30.0, 2999.0));
        // At its cap: at least the cap.
        let mut c = climb_of(Some(30), vec![step(100, 0.6, 0.7)]);
        c.stop = Stop::Cap;
        assert_eq!(c.practical(), Est::point(100.0));
    }
}
