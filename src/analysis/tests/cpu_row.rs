//! The CPU row from the claims' CPU experiment: ties called on each cell's wall over the
//! fastest cell's (C10's `c10-over-fastest`) where C10 wrote it, on overlapping speed-up
//! intervals in a file from before.

use super::super::cpu_experiment::ExperimentRow;
use super::super::*;
use super::{fixture, row};
use crate::results::{Figure, FigureUnit, Loaded};

/// One forged cell of C10: label, speed-up (mid, low, high), peak bytes, and its wall over
/// the fastest's (mid, low, high; a point of 1 for the fastest), or None for a file from
/// before that figure.
pub(crate) type Forged = (&'static str, (f64, f64, f64), f64, Option<(f64, f64, f64)>);

/// The fixture with C10's figures replaced by the forged cells' (its own C10 predates the
/// CPU experiment).
pub(crate) fn with_c10(cells: &[Forged]) -> Loaded {
    let mut loaded = fixture();
    let c10 = loaded
        .claims
        .as_mut()
        .and_then(|f| f.claims.iter_mut().find(|c| c.id == "C10"))
        .expect("the fixture has C10");
    c10.measured = vec![
        Figure::secs(FigureKey::of(FigureId::C10Sequential), "sequential", 0.184).within(0.15, 0.2),
        Figure::new(
            FigureKey::of(FigureId::C10Compute),
            "n",
            10_600.0,
            FigureUnit::Count,
        ),
    ];
    let with = |f: Figure, (mid, lo, hi): (f64, f64, f64)| {
        if lo == hi && lo == mid {
            f
        } else {
            f.within(lo, hi)
        }
    };
    for &(label, speedup, peak, over) in cells {
        let key = |id| FigureKey::about(id, label);
        c10.measured.push(with(
            Figure::new(
                key(FigureId::C10Speedup),
                label,
                speedup.0,
                FigureUnit::Ratio,
            ),
            speedup,
        ));
        c10.measured.push(
            Figure::new(key(FigureId::C10PeakMemory), label, peak, FigureUnit::Bytes)
                .within(peak * 0.99, peak * 1.01),
        );
        if let Some(over) = over {
            c10.measured.push(with(
                Figure::new(
                    key(FigureId::C10OverFastest),
                    label,
                    over.0,
                    FigureUnit::Ratio,
                ),
                over,
            ));
        }
    }
    loaded
}

fn experiment<'a>(d: &'a Decisions) -> &'a ExperimentRow<'a> {
    let RowBody::CpuExperiment(r) = row(d, RowKind::Cpu) else {
        panic!("not the experiment's row");
    };
    r
}

fn labels<'a>(r: &ExperimentRow<'a>, which: &[usize]) -> Vec<&'a str> {
    which
        .iter()
        .map(|&i| r.ranked.candidates[i].item.label)
        .collect()
}

const MIB: f64 = 1_048_576.0;

/// Speed-up intervals that overlap widely (they carry the one baseline's spread): the
/// pool of processes fastest, threads slower with less memory, legacy async-std faster
/// than both.
fn cells(threads_over: Option<(f64, f64, f64)>) -> Vec<Forged> {
    let over = |x| threads_over.map(|_| x);
    vec![
        (
            "processes (pool:2)",
            (1.99, 1.54, 2.27),
            6.0 * MIB,
            over((1.0, 1.0, 1.0)),
        ),
        ("threads", (1.79, 1.41, 2.32), 5.5 * MIB, threads_over),
        (
            "tokio-current-thread",
            (1.02, 0.77, 1.38),
            5.4 * MIB,
            over((1.95, 1.80, 2.10)),
        ),
        (
            "async-std",
            (2.05, 1.6, 2.4),
            5.0 * MIB,
            over((0.97, 0.9, 1.05)),
        ),
    ]
}

#[test]
fn cpu_row_picks_the_fastest_when_the_ratio_to_it_excludes_one() {
    let loaded = with_c10(&cells(Some((1.11, 1.04, 1.19))));
    let d = decide(&loaded);
    let r = experiment(&d);
    assert!(r.ties_by_ratio);
    assert_eq!(r.ranked.picked().item.label, "processes (pool:2)");
    assert_eq!(
        labels(r, &r.ranked.tied),
        ["processes (pool:2)"],
        "threads' speed-up interval overlaps, its wall over the fastest's does not hold 1"
    );
    assert!(
        r.ranked
            .candidates
            .iter()
            .all(|c| c.item.label != "async-std"),
        "legacy is shown by C10, never a candidate"
    );
    // The row prints C10's speed-ups, not the ratios.
    let threads = &r.ranked.candidates[1].item;
    assert_eq!(
        (threads.label, threads.speedup, threads.interval),
        ("threads", 1.79, (1.41, 2.32))
    );
    assert_eq!(threads.over_fastest, Some((1.11, 1.04, 1.19)));
    // The fastest's interval is one point: a candidate ties only if its ratio holds 1.
    let (lo, hi) = r.ranked.picked().interval;
    assert_eq!(lo, hi);
    assert!((lo - 1.0 / 1.99).abs() < 1e-12);
}

#[test]
fn cpu_row_ties_when_the_ratio_to_the_fastest_holds_one_and_memory_decides() {
    let loaded = with_c10(&cells(Some((1.05, 0.97, 1.14))));
    let d = decide(&loaded);
    let r = experiment(&d);
    assert!(r.ties_by_ratio);
    assert_eq!(labels(r, &r.ranked.tied), ["processes (pool:2)", "threads"]);
    assert_eq!(r.ranked.picked().item.label, "threads", "less memory");
    // tokio-current-thread needs less memory still, but its ratio is far from 1.
    assert!(
        r.ranked
            .tied_with_pick()
            .all(|c| c.item.label != "tokio-current-thread")
    );
}

#[test]
fn cpu_row_without_ratios_ties_on_overlapping_speedups() {
    // A file from before c10-over-fastest: the speed-up intervals overlap, a tie.
    let loaded = with_c10(&cells(None));
    let d = decide(&loaded);
    let r = experiment(&d);
    assert!(!r.ties_by_ratio);
    assert_eq!(labels(r, &r.ranked.tied), ["processes (pool:2)", "threads"]);
    assert_eq!(r.ranked.picked().item.label, "threads");
    let (lo, hi) = r.ranked.picked().interval;
    assert_eq!(
        (lo, hi),
        (1.0 / 2.32, 1.0 / 1.41),
        "the speed-up's, inverted"
    );
    // A ratio missing for one candidate: the ratios do not call the ties either.
    let mut partial = cells(Some((1.11, 1.04, 1.19)));
    partial[2].3 = None;
    let loaded = with_c10(&partial);
    let d = decide(&loaded);
    let r = experiment(&d);
    assert!(!r.ties_by_ratio);
    assert_eq!(r.ranked.picked().item.label, "threads");
    // Ratios over a cell that is not the fastest candidate: not what the rule reads.
    let mut elsewhere = cells(Some((1.11, 1.04, 1.19)));
    elsewhere[0].3 = Some((1.02, 0.99, 1.05));
    let loaded = with_c10(&elsewhere);
    let d = decide(&loaded);
    assert!(!experiment(&d).ties_by_ratio);
}
