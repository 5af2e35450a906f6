//! C09's practical concurrency: the most units of a model that keep io efficiency at
//! [`EFFICIENCY_KEPT`] or more when they all wait L at once, beside the OS maximum the
//! memory pass reaches. The notes' ranges (async 100-1000+, threads 10-50, processes 1-16)
//! are practical ones: how many units are worth running, not how many the OS allows.
//!
//! Each model climbs a geometric ladder (1, 3, 10, 30, ...) up to its cap. A quick pass
//! (one cell per size, in its own child) brackets where efficiency falls below the
//! threshold and stops climbing once a size is clearly below it ([`CLIMB_STOP`]); then the
//! sizes around that crossing run in interleaved rounds, each cell in its own child, and
//! each size is judged on the interval of its median efficiency. Only sizes measured in
//! rounds count: while none surely keeps the efficiency the rounds step down the ladder
//! ([`STEPS_DOWN`]), and once a size surely keeps it and a larger one surely fails, the
//! bracket between them is bisected ([`BISECTIONS`], [`NARROW`]) in the same rounds
//! ([`ladder`]). An OS refusal (a thread or process the OS would not start) ends the
//! model's ladder at that size and is said; at the first size it is an error
//! ([`LadderError::FirstSize`]): nothing was measured, so there is no figure to read.

mod ladder;
#[cfg(test)]
mod tests;

pub use ladder::climb;

use super::judge::{Est, Test, num};
use thiserror::Error;

/// A size keeps io efficiency (ideal wall / measured wall) when its interval is at least
/// this; it does not when the whole interval is below.
pub const EFFICIENCY_KEPT: f64 = 0.5;

/// The quick pass stops climbing a model at the first size whose one run is below this:
/// clearly past [`EFFICIENCY_KEPT`], so larger sizes would only take longer to fail it.
pub const CLIMB_STOP: f64 = 0.25;

/// Ladder steps below the quick pass's first size under [`EFFICIENCY_KEPT`] that the rounds
/// measure too. Smaller sizes kept it in the quick pass but count as kept only once the
/// rounds confirm one ([`STEPS_DOWN`]).
pub const STEPS_BELOW: usize = 2;

/// The most ladder sizes below the rounds' smallest that the rounds measure, one at a time,
/// while no size measured in rounds surely keeps the efficiency: the quick pass's one run
/// said they keep it, the rounds must confirm it before the figure counts one as kept.
pub const STEPS_DOWN: usize = 2;

/// The most bisections per model of the bracket between the largest size surely keeping
/// the efficiency (K) and the first surely failing it (F): each measures the geometric
/// midpoint, sqrt(K x F) rounded, in rounds, and replaces K or F with it. Three take a
/// ladder step's ~3.3x to ~1.16x.
pub const BISECTIONS: usize = 3;

/// Bisection stops once F / K is at most this (or F is K + 1).
pub const NARROW: f64 = 1.3;

/// The smallest size of every ladder: one unit, so a model that cannot keep the
/// efficiency at 10 (processes, whose claimed range is 1-16) is still placed.
pub const FIRST_SIZE: usize = 1;

/// The models C09 judges: the runtime, what its units are called, and the largest size its
/// ladder tries.
pub const MODELS: [Model; 3] = [
    ("tokio", "tasks", 1_000_000),
    // vm.max_map_count stops threads near 16,000 on a default machine.
    ("threads", "threads", 10_000),
    ("processes", "processes", 1_000),
];

/// A model of [`MODELS`]: its runtime, what its units are called, its ladder's cap.
pub type Model = (&'static str, &'static str, usize);

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

/// Why a model's ladder gave no figure.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum LadderError {
    /// The lab could not run a cell at all (a runtime this build lacks).
    #[error("{0}")]
    Lab(String),
    /// A cell at the ladder's first size failed (an OS refusal, a timeout): no size was
    /// measured, which is no evidence of a practical concurrency of 0.
    #[error(
        "practical {units}: the cell {runtime} io unbounded x{size}, the ladder's first size, \
         failed, so no size was measured: {why}"
    )]
    FirstSize {
        /// The runtime.
        runtime: &'static str,
        /// What its units are called.
        units: &'static str,
        /// The size that failed.
        size: usize,
        /// The failed cell's kind and message.
        why: String,
    },
}

/// Why a model's climb ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Stop {
    /// It reached its cap.
    Cap,
    /// The quick pass's run at this size was clearly below the threshold.
    Fell(usize),
    /// A cell at this size failed (an OS refusal, a timeout): its kind and message. No
    /// size from this one up counts.
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
    /// The sizes measured in rounds (ladder steps, steps down and bisection points),
    /// ascending.
    pub steps: Vec<Step>,
    /// Why it stopped climbing.
    pub stop: Stop,
}

/// Where a climb's crossing lies, from the sizes measured in rounds alone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bracket {
    /// The largest size surely keeping the efficiency below the first surely failing.
    pub surely: Option<usize>,
    /// The largest size below the first surely failing that possibly keeps it (0: none).
    pub possibly: usize,
    /// The first size surely failing it: a size measured in rounds, or a failed cell's.
    pub failing: Option<usize>,
}

impl Climb {
    /// The sizes measured in rounds, ascending, up to the first that surely fails.
    pub fn bracket(&self) -> Bracket {
        let refused = match &self.stop {
            Stop::Failed(n, _) => Some(*n),
            Stop::Cap | Stop::Fell(_) => None,
        };
        let mut b = Bracket {
            surely: None,
            possibly: 0,
            failing: refused,
        };
        for s in self
            .steps
            .iter()
            .take_while(|s| refused.is_none_or(|r| s.size < r))
        {
            match kept(s) {
                Test::Yes => (b.surely, b.possibly) = (Some(s.size), s.size),
                Test::Unsure(_) => b.possibly = s.size,
                Test::No => {
                    b.failing = Some(s.size);
                    break;
                }
            }
        }
        b
    }

    /// The practical concurrency: [largest size surely keeping the efficiency, one below
    /// the first size that surely fails], the median the surely-keeping one. Only sizes
    /// measured in rounds count: one the quick pass kept and the rounds never confirmed is
    /// not kept. The crossing lies anywhere between the last size kept and the next that
    /// was not (a failed cell's size, or the quick pass's fall, bounds it too); a climb that
    /// reached its cap is at least the cap. 0 when no size surely keeps it.
    pub fn practical(&self) -> Est {
        let b = self.bracket();
        let bound = b.failing.or(match &self.stop {
            Stop::Fell(n) => Some(*n),
            Stop::Cap | Stop::Failed(..) => None,
        });
        let surely = b.surely.unwrap_or(0) as f64;
        let possibly = b.possibly as f64;
        let high = bound.map_or(possibly, |n| (n.saturating_sub(1) as f64).max(possibly));
        Est::new(surely, surely, high)
    }

    /// Adds a size measured in rounds in its place.
    pub fn insert(&mut self, step: Step) {
        let at = self.steps.partition_point(|s| s.size < step.size);
        self.steps.insert(at, step);
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
