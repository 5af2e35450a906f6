//! The ladder's logic on forged outcomes: no real cell runs.

use super::ladder::{Cells, Probe, Run, climb_with, next_probe, refine};
use super::*;

fn est(low: f64, high: f64) -> Est {
    Est::new((low + high) / 2.0, low, high)
}

fn step(size: usize, low: f64, high: f64) -> Step {
    Step {
        size,
        efficiency: est(low, high),
    }
}

fn climb_of(steps: Vec<Step>, stop: Stop) -> Climb {
    Climb {
        runtime: "threads",
        units: "threads",
        steps,
        stop,
    }
}

/// Efficiency surely kept at or below `crossing`, surely failing above it.
fn cliff(crossing: usize) -> impl Fn(&'static str, usize) -> Run<Est> {
    move |_, n| {
        Run::Done(if n <= crossing {
            est(0.55, 0.65)
        } else {
            est(0.35, 0.45)
        })
    }
}

/// Forged cells: each size's outcome from a function; the sizes asked in rounds, per call.
struct Forged<O, R> {
    once: O,
    rounds: R,
    asked: Vec<Vec<usize>>,
}

impl<O, R> Forged<O, R>
where
    O: Fn(&'static str, usize) -> Run<f64>,
    R: Fn(&'static str, usize) -> Run<Est>,
{
    fn new(once: O, rounds: R) -> Self {
        Forged {
            once,
            rounds,
            asked: Vec::new(),
        }
    }
}

impl<O, R> Cells for Forged<O, R>
where
    O: Fn(&'static str, usize) -> Run<f64>,
    R: Fn(&'static str, usize) -> Run<Est>,
{
    fn once(&mut self, runtime: &'static str, n: usize) -> Result<Run<f64>, LadderError> {
        Ok((self.once)(runtime, n))
    }

    fn rounds(&mut self, cells: &[(&'static str, usize)]) -> Result<Vec<Run<Est>>, LadderError> {
        self.asked.push(cells.iter().map(|&(_, n)| n).collect());
        Ok(cells.iter().map(|&(rt, n)| (self.rounds)(rt, n)).collect())
    }
}

/// Refines one forged climb alone: the climb after, and the sizes asked per set of rounds.
fn refined(c: Climb, rounds: impl Fn(&'static str, usize) -> Run<Est>) -> (Climb, Vec<Vec<usize>>) {
    let mut cells = Forged::new(|_, _| unreachable!("refinement runs only rounds"), rounds);
    let mut climbs = [c];
    refine(&mut cells, &mut climbs).expect("forged cells never fail the lab");
    let [c] = climbs;
    (c, cells.asked)
}

fn cells_asked_sizes(c: &Climb) -> Vec<usize> {
    c.steps.iter().map(|s| s.size).collect()
}

const THREADS: Model = ("threads", "threads", 10_000);
const PROCESSES: Model = ("processes", "processes", 1_000);

#[test]
fn the_ladder_is_geometric_up_to_its_cap() {
    assert_eq!(sizes(1000), vec![1, 3, 10, 30, 100, 300, 1000]);
    assert_eq!(sizes(1_000_000).len(), 13);
    assert_eq!(sizes(500), vec![1, 3, 10, 30, 100, 300, 500]);
}

#[test]
fn practical_is_surely_to_possibly_keeping() {
    let fell = Stop::Fell(3000);
    let c = climb_of(
        vec![
            step(300, 0.8, 0.9),
            step(1000, 0.45, 0.6),
            step(3000, 0.1, 0.2),
        ],
        fell.clone(),
    );
    // Up to one below the first size surely failing: the crossing is somewhere there.
    assert_eq!(c.practical(), Est::new(300.0, 300.0, 2999.0));
    let c = climb_of(
        vec![step(300, 0.5, 0.9), step(1000, 0.2, 0.49)],
        fell.clone(),
    );
    assert_eq!(c.practical(), Est::new(300.0, 300.0, 999.0));
    // A size surely failing ends the climb, whatever comes after.
    let c = climb_of(vec![step(10, 0.1, 0.2), step(30, 0.6, 0.7)], fell.clone());
    assert_eq!(c.practical(), Est::new(0.0, 0.0, 9.0));
    // No size failed in the rounds: the quick pass's fall (x3000) bounds it; nothing
    // measured in rounds surely keeps it, so nothing is surely kept.
    let c = climb_of(vec![step(100, 0.3, 0.7)], fell);
    assert_eq!(c.practical(), Est::new(0.0, 0.0, 2999.0));
    // At its cap: at least the cap.
    let c = climb_of(vec![step(30, 0.6, 0.7), step(100, 0.6, 0.7)], Stop::Cap);
    assert_eq!(c.practical(), Est::point(100.0));
    // A failed cell bounds it, and no size from it up counts.
    let c = climb_of(
        vec![step(30, 0.6, 0.7), step(100, 0.6, 0.7)],
        Stop::Failed(100, "refused".into()),
    );
    assert_eq!(c.practical(), Est::new(30.0, 30.0, 99.0));
}

#[test]
fn a_cell_failing_at_the_first_size_is_an_error_not_a_zero() {
    // The OS refuses the very first process in the quick pass.
    let refused = |_: &'static str, _: usize| Run::Failed("refused (the OS refused)".into());
    let mut cells = Forged::new(refused, cliff(0));
    let e = climb_with(&mut cells, &[PROCESSES]).unwrap_err();
    assert_eq!(
        e,
        LadderError::FirstSize {
            runtime: "processes",
            units: "processes",
            size: 1,
            why: "refused (the OS refused)".into(),
        }
    );
    let said = e.to_string();
    assert!(said.contains("processes io unbounded x1"), "{said}");
    assert!(said.contains("the OS refused"), "{said}");
    assert!(
        cells.asked.is_empty(),
        "no rounds after the quick pass failed"
    );

    // The quick pass ran x1, but one of its rounds failed.
    let quick = |_: &'static str, n: usize| Run::Done(if n == 1 { 0.9 } else { 0.1 });
    let rounds = |_: &'static str, n: usize| {
        if n == 1 {
            Run::Failed("timeout (no answer)".into())
        } else {
            Run::Done(est(0.1, 0.2))
        }
    };
    let e = climb_with(&mut Forged::new(quick, rounds), &[PROCESSES]).unwrap_err();
    assert!(matches!(e, LadderError::FirstSize { size: 1, .. }), "{e}");

    // A failure above the first size only bounds the figure.
    let quick = |_: &'static str, n: usize| {
        if n == 1 {
            Run::Done(0.9)
        } else {
            Run::Failed("refused (the OS refused)".into())
        }
    };
    let climbs = climb_with(&mut Forged::new(quick, cliff(1)), &[PROCESSES]).unwrap();
    assert!(matches!(climbs[0].stop, Stop::Failed(3, _)));
    // [1, 2] bisected: x2 fails, so exactly 1.
    assert_eq!(cells_asked_sizes(&climbs[0]), vec![1, 2]);
    assert_eq!(climbs[0].practical(), Est::point(1.0));
}

#[test]
fn sizes_the_quick_pass_kept_count_only_once_the_rounds_confirm_them() {
    // The quick pass keeps up to x100; the rounds find every size from x30 up failing.
    let c = climb_of(
        vec![
            step(30, 0.3, 0.4),
            step(100, 0.2, 0.3),
            step(300, 0.1, 0.2),
            step(1000, 0.05, 0.1),
        ],
        Stop::Fell(1000),
    );
    assert_eq!(
        c.practical(),
        Est::new(0.0, 0.0, 29.0),
        "x10 is not confirmed"
    );

    // Through the whole climb: the rounds step down (x10 fails, x3 keeps it), then bisect.
    let quick = |_: &'static str, n: usize| {
        Run::Done(match n {
            ..=100 => 0.9,
            300 => 0.4,
            _ => 0.1,
        })
    };
    let mut cells = Forged::new(quick, cliff(5));
    let climbs = climb_with(&mut cells, &[THREADS]).unwrap();
    assert_eq!(
        cells.asked,
        vec![
            vec![30, 100, 300, 1000],
            vec![10],
            vec![3],
            vec![5],
            vec![7],
            vec![6]
        ]
    );
    assert_eq!(climbs[0].practical(), Est::point(5.0));

    // A step down that straddles ends the refinement: nothing is surely kept.
    let rounds = |_: &'static str, n: usize| {
        Run::Done(if n >= 30 {
            est(0.1, 0.2)
        } else {
            est(0.45, 0.55)
        })
    };
    let mut cells = Forged::new(quick, rounds);
    let climbs = climb_with(&mut cells, &[THREADS]).unwrap();
    assert_eq!(cells.asked.len(), 2, "{:?}", cells.asked);
    assert_eq!(climbs[0].practical(), Est::new(0.0, 0.0, 29.0));
}

/// Threads kept at x300, failing from x1000: the ladder's [300, 999].
fn threads_300_to_999() -> Climb {
    let c = climb_of(
        vec![
            step(100, 0.7, 0.8),
            step(300, 0.55, 0.65),
            step(1000, 0.2, 0.3),
            step(3000, 0.05, 0.1),
        ],
        Stop::Fell(3000),
    );
    assert_eq!(c.practical(), Est::new(300.0, 300.0, 999.0));
    c
}

#[test]
fn bisection_narrows_a_ladder_step_to_its_crossing() {
    let (c, asked) = refined(threads_300_to_999(), cliff(600));
    // sqrt(300 x 1000) = 548 keeps it, sqrt(548 x 1000) = 740 fails, sqrt(548 x 740) = 637
    // fails: three bisections, 637 / 548 = 1.16.
    assert_eq!(asked, vec![vec![548], vec![740], vec![637]]);
    assert_eq!(c.practical(), Est::new(548.0, 548.0, 636.0));
    assert_eq!(c.steps.len(), 7);
    assert!(c.steps.windows(2).all(|w| w[0].size < w[1].size));

    // Bisection stops once F / K is at most NARROW, with budget left.
    let c = climb_of(
        vec![step(100, 0.6, 0.7), step(200, 0.2, 0.3)],
        Stop::Fell(200),
    );
    let (c, asked) = refined(c, cliff(150));
    assert_eq!(asked, vec![vec![141], vec![168]]);
    assert_eq!(c.practical(), Est::new(141.0, 141.0, 167.0));
    assert_eq!(next_probe(&c, STEPS_DOWN, BISECTIONS), None);

    // Nothing to bisect: adjacent sizes, or no size surely failing (the cap).
    let c = climb_of(vec![step(3, 0.6, 0.7), step(4, 0.1, 0.2)], Stop::Fell(4));
    assert_eq!(next_probe(&c, STEPS_DOWN, BISECTIONS), None);
    let c = climb_of(vec![step(10_000, 0.6, 0.7)], Stop::Cap);
    assert_eq!(next_probe(&c, STEPS_DOWN, BISECTIONS), None);
    assert_eq!(
        next_probe(&threads_300_to_999(), 0, BISECTIONS),
        Some(Probe::Bisect(548))
    );
}

#[test]
fn a_straddling_midpoint_stops_the_refinement() {
    let straddles = |_: &'static str, n: usize| {
        Run::Done(if n == 548 {
            est(0.45, 0.55)
        } else {
            est(0.55, 0.65)
        })
    };
    let (c, asked) = refined(threads_300_to_999(), straddles);
    assert_eq!(asked, vec![vec![548]]);
    assert_eq!(c.practical(), Est::new(300.0, 300.0, 999.0));
    assert!(c.steps.iter().any(|s| s.size == 548), "x548 is shown");

    // A cell failing at a midpoint bounds the figure and ends the refinement too.
    let refused = |_: &'static str, _: usize| Run::Failed("refused (the OS refused)".into());
    let (c, asked) = refined(threads_300_to_999(), refused);
    assert_eq!(asked, vec![vec![548]]);
    assert_eq!(c.practical(), Est::new(300.0, 300.0, 547.0));
}

#[test]
fn every_open_model_bisects_in_the_same_rounds() {
    let processes = Climb {
        runtime: "processes",
        units: "processes",
        steps: vec![
            step(10, 0.7, 0.75),
            step(30, 0.46, 0.51),
            step(100, 0.19, 0.21),
        ],
        stop: Stop::Fell(100),
    };
    let mut cells = Forged::new(
        |_, _| unreachable!("refinement runs only rounds"),
        |rt: &'static str, n: usize| match rt {
            "processes" => Run::Done(est(0.45, 0.55)),
            _ => cliff(600)(rt, n),
        },
    );
    let mut climbs = [threads_300_to_999(), processes];
    refine(&mut cells, &mut climbs).unwrap();
    // x32 straddles: processes stop after the first set of rounds, threads go on alone.
    assert_eq!(cells.asked, vec![vec![548, 32], vec![740], vec![637]]);
    assert_eq!(climbs[1].practical(), Est::new(10.0, 10.0, 99.0));
}
