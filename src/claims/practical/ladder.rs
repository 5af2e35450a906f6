//! How C09's ladders are climbed: a quick pass per model, the sizes around each crossing in
//! interleaved rounds, then refinement in more rounds: steps down the ladder while no size
//! surely keeps the efficiency, and bisection of the bracket between the largest size
//! surely keeping it and the first surely failing it. The cells come through [`Cells`], the
//! lab's real ones or, in tests, forged outcomes.
//!
//! Cost of the refinement: each model measures at most [`STEPS_DOWN`] + [`BISECTIONS`] = 5
//! extra sizes, each in the lab's rounds (9 by default), so at most 3 x 5 x 9 = 135 extra
//! cells, 81 when no step down is needed (the rounds confirmed a size of the quick pass).
//! Every extra size lies inside a bracket the ladder already measured, so none costs more
//! than the ladder's own first failing size: no size above a model's cap is ever tried.

use super::{
    BISECTIONS, Bracket, CLIMB_STOP, Climb, EFFICIENCY_KEPT, FIRST_SIZE, LadderError, MODELS,
    Model, NARROW, STEPS_BELOW, STEPS_DOWN, Step, Stop, kept, sizes,
};
use crate::claims::judge::{Est, Test};
use crate::claims::lab::{Lab, MIN_ROUNDS, Trial};
use crate::limit::Limit;
use crate::results::CellRecord;
use crate::runtime::Variant;
use crate::workload::{Latency, WorkloadSpec};

/// What a cell gave: its measure, or why it failed (an OS refusal, a timeout: its kind and
/// the first clause of its message).
#[derive(Debug, Clone, PartialEq)]
pub enum Run<T> {
    /// The cell ran and was verified.
    Done(T),
    /// The cell failed.
    Failed(String),
}

/// The cells a ladder runs: io cells of `n` units of a runtime, all waiting L at once.
pub trait Cells {
    /// One cell run once (after a warm-up), in its own child: its efficiency.
    fn once(&mut self, runtime: &'static str, n: usize) -> Result<Run<f64>, LadderError>;

    /// Each of `cells` once per round in interleaved rounds, each run in its own child: the
    /// median efficiency of each and its interval, or why one of its rounds failed.
    fn rounds(&mut self, cells: &[(&'static str, usize)]) -> Result<Vec<Run<Est>>, LadderError>;
}

/// The lab's real cells at the wait `l`.
struct LabCells<'a> {
    lab: &'a Lab,
    l: Latency,
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

impl Cells for LabCells<'_> {
    fn once(&mut self, runtime: &'static str, n: usize) -> Result<Run<f64>, LadderError> {
        let r = self
            .lab
            .cell_record(&trial(runtime, n, self.l), 1)
            .map_err(LadderError::Lab)?;
        Ok(match failed(&r) {
            Some(why) => Run::Failed(why),
            None => Run::Done(r.efficiency),
        })
    }

    fn rounds(&mut self, cells: &[(&'static str, usize)]) -> Result<Vec<Run<Est>>, LadderError> {
        let trials: Vec<Trial> = cells.iter().map(|&(rt, n)| trial(rt, n, self.l)).collect();
        let records = self
            .lab
            .records_kept(&trials, self.lab.rounds.max(MIN_ROUNDS), 1)
            .map_err(LadderError::Lab)?;
        Ok(records
            .iter()
            .map(|rounds| match rounds.iter().find_map(failed) {
                Some(why) => Run::Failed(why),
                None => {
                    let e: Vec<f64> = rounds.iter().map(|r| r.efficiency).collect();
                    Run::Done(Est::of(&e))
                }
            })
            .collect())
    }
}

/// Every model's climb at the wait `l`, in the lab's rounds (at least [`MIN_ROUNDS`]).
pub fn climb(lab: &Lab, l: Latency) -> Result<Vec<Climb>, LadderError> {
    climb_with(&mut LabCells { lab, l }, &MODELS)
}

/// The error for a failed cell at the ladder's first size.
fn first_size(runtime: &'static str, units: &'static str, why: String) -> LadderError {
    LadderError::FirstSize {
        runtime,
        units,
        size: FIRST_SIZE,
        why,
    }
}

/// The quick pass of one model: its sizes and one run's efficiency each, and why it stopped.
fn quick(cells: &mut impl Cells, model: Model) -> Result<(Vec<(usize, f64)>, Stop), LadderError> {
    let (runtime, units, cap) = model;
    let mut seen = Vec::new();
    for n in sizes(cap) {
        match cells.once(runtime, n)? {
            Run::Failed(why) if n == FIRST_SIZE => return Err(first_size(runtime, units, why)),
            Run::Failed(why) => return Ok((seen, Stop::Failed(n, why))),
            Run::Done(e) => {
                seen.push((n, e));
                if e < CLIMB_STOP {
                    return Ok((seen, Stop::Fell(n)));
                }
            }
        }
    }
    Ok((seen, Stop::Cap))
}

/// The sizes of a quick pass the rounds measure: from [`STEPS_BELOW`] steps below its
/// first size under [`EFFICIENCY_KEPT`] (or below its last size) to its last.
fn window(seen: &[(usize, f64)]) -> Vec<usize> {
    let crossing = seen
        .iter()
        .position(|&(_, e)| e < EFFICIENCY_KEPT)
        .unwrap_or(seen.len());
    let start = crossing
        .saturating_sub(STEPS_BELOW)
        .min(seen.len().saturating_sub(STEPS_BELOW));
    seen[start..].iter().map(|&(n, _)| n).collect()
}

/// Every model's climb through `cells`: the quick passes, then the sizes around each
/// crossing in rounds, every model's cells interleaved, then [`refine`].
pub fn climb_with(cells: &mut impl Cells, models: &[Model]) -> Result<Vec<Climb>, LadderError> {
    let mut plans = Vec::new();
    for &model in models {
        let (seen, stop) = quick(cells, model)?;
        plans.push((model, window(&seen), stop));
    }
    let asked: Vec<(&'static str, usize)> = plans
        .iter()
        .flat_map(|((rt, _, _), window, _)| window.iter().map(|&n| (*rt, n)))
        .collect();
    let mut measured = cells.rounds(&asked)?.into_iter();
    let mut climbs = Vec::new();
    for ((runtime, units, _), window, mut stop) in plans {
        let mine: Vec<Run<Est>> = measured.by_ref().take(window.len()).collect();
        let mut steps = Vec::new();
        for (size, run) in window.into_iter().zip(mine) {
            match run {
                Run::Failed(why) if size == FIRST_SIZE => {
                    return Err(first_size(runtime, units, why));
                }
                Run::Failed(why) => {
                    stop = Stop::Failed(size, why);
                    break;
                }
                Run::Done(efficiency) => steps.push(Step { size, efficiency }),
            }
        }
        climbs.push(Climb {
            runtime,
            units,
            steps,
            stop,
        });
    }
    refine(cells, &mut climbs)?;
    Ok(climbs)
}

/// A size refinement measures next, and which budget it spends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Probe {
    /// The ladder size below the smallest measured: no size measured in rounds surely
    /// keeps the efficiency yet.
    Down(usize),
    /// The geometric midpoint of the bracket's surely-kept and surely-failing ends.
    Bisect(usize),
}

impl Probe {
    fn size(self) -> usize {
        match self {
            Probe::Down(n) | Probe::Bisect(n) => n,
        }
    }
}

/// What a model's refinement has left.
#[derive(Debug, Clone, Copy)]
struct Budget {
    down: usize,
    bisect: usize,
    /// False once a probe straddled the threshold or failed: the bracket stays as it is.
    open: bool,
}

/// The next size to measure for `c`, if any: a step down while no size surely keeps the
/// efficiency, else the midpoint sqrt(K x F) of the bracket while F > K + 1 and
/// F / K > [`NARROW`].
pub fn next_probe(c: &Climb, down_left: usize, bisect_left: usize) -> Option<Probe> {
    let Bracket {
        surely, failing, ..
    } = c.bracket();
    match surely {
        None => {
            let refused = match &c.stop {
                Stop::Failed(n, _) => Some(*n),
                Stop::Cap | Stop::Fell(_) => None,
            };
            let lowest = c
                .steps
                .first()
                .map(|s| s.size)
                .into_iter()
                .chain(refused)
                .min()?;
            let below = sizes(lowest).into_iter().rfind(|&n| n < lowest)?;
            (down_left > 0).then_some(Probe::Down(below))
        }
        Some(k) => {
            let f = failing?;
            if bisect_left == 0 || f <= k + 1 || f as f64 <= NARROW * k as f64 {
                return None;
            }
            let mid = ((k as f64) * (f as f64)).sqrt().round() as usize;
            let mid = mid.clamp(k + 1, f - 1);
            // A size already measured between K and F straddled: measuring it again would
            // only repeat that.
            let known = c.steps.iter().any(|s| s.size == mid);
            (!known).then_some(Probe::Bisect(mid))
        }
    }
}

/// Narrows each climb's bracket in rounds, every open model's next size interleaved with
/// the others' in one set of rounds: steps down the ladder (at most [`STEPS_DOWN`]) while
/// no size surely keeps the efficiency, then bisections (at most [`BISECTIONS`]). A size
/// that straddles the threshold (neither surely kept nor surely failing) ends the model's
/// refinement, its bracket reported as it is; so does a failed cell, which bounds the
/// figure as a refusal on the ladder does (at the first size it is an error).
pub fn refine(cells: &mut impl Cells, climbs: &mut [Climb]) -> Result<(), LadderError> {
    let mut budgets = vec![
        Budget {
            down: STEPS_DOWN,
            bisect: BISECTIONS,
            open: true,
        };
        climbs.len()
    ];
    loop {
        let probes: Vec<(usize, Probe)> = climbs
            .iter()
            .zip(&budgets)
            .enumerate()
            .filter(|(_, (_, b))| b.open)
            .filter_map(|(i, (c, b))| next_probe(c, b.down, b.bisect).map(|p| (i, p)))
            .collect();
        if probes.is_empty() {
            return Ok(());
        }
        let asked: Vec<(&'static str, usize)> = probes
            .iter()
            .map(|&(i, p)| (climbs[i].runtime, p.size()))
            .collect();
        let measured = cells.rounds(&asked)?;
        for ((i, probe), run) in probes.into_iter().zip(measured) {
            let (c, b) = (&mut climbs[i], &mut budgets[i]);
            match probe {
                Probe::Down(_) => b.down -= 1,
                Probe::Bisect(_) => b.bisect -= 1,
            }
            let size = probe.size();
            match run {
                Run::Failed(why) if size == FIRST_SIZE => {
                    return Err(first_size(c.runtime, c.units, why));
                }
                Run::Failed(why) => {
                    c.stop = Stop::Failed(size, why);
                    b.open = false;
                }
                Run::Done(efficiency) => {
                    let step = Step { size, efficiency };
                    if matches!(kept(&step), Test::Unsure(_)) {
                        b.open = false;
                    }
                    c.insert(step);
                }
            }
        }
    }
}
