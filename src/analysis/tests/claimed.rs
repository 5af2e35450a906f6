//! The rows that read claims: bounding concurrency (C05's orders or the io cells, C06,
//! C15) and a blocking library in async code (C17).

use super::super::blocking::BlockingPick;
use super::super::limits::Style;
use super::super::*;
use super::{fixture, row};
use crate::results::{self, FigureKey, Loaded};

#[test]
fn limits_choose_the_styles_within_the_margin_and_read_c06_and_c15() {
    let loaded = fixture();
    let d = decide(&loaded);
    let RowBody::Limit(l) = row(&d, RowKind::Limit) else {
        panic!("not a limit row");
    };
    assert_eq!(l.groups.len(), 1);
    assert!(
        l.cells_shown.is_empty(),
        "the fixture's C05 has no intervals: the cells decide"
    );
    let chosen: Vec<Style> = l.chosen().collect();
    assert_eq!(chosen, [Style::Semaphore, Style::Pool]);
    let batches = l.styles[2];
    assert!(batches.ran && !batches.chosen && !batches.tied_everywhere && batches.worst > 1.1);
    let c06 = l.c06.as_ref().expect("C06 ran");
    let r = &c06.in_process;
    assert!(!r.no_limit.is_empty() && r.no_limit.iter().all(|&n| n == 40.0));
    assert_eq!(r.semaphore.len(), r.no_limit.len());
    assert!(r.semaphore.iter().all(|&n| n == 0.0));
    let c15 = l.c15.as_ref().expect("C15 ran");
    assert!(
        c15.in_process
            .fixed
            .iter()
            .all(|(_, rate, rej)| rate.is_ok() && rej.is_ok())
    );
    assert!(l.adaptive, "C15 holds in the fixture");
    // The fixture predates the claims over TCP: those parts are the keys they lack.
    assert_eq!(c06.tcp, Err(FigureKey::of(FigureId::C06RejectedNoLimitTcp)));
    assert_eq!(
        c15.tcp.as_ref().map(|_| ()),
        Err(&FigureKey::about(
            FigureId::C15CallsPerSecondTcp,
            "adaptive"
        ))
    );
}

/// The fixture with C06's and C15's in-process figures copied under their TCP ids: what
/// a folder of claims run over TCP holds.
pub(crate) fn with_tcp() -> Loaded {
    let mut loaded = fixture();
    let tcp_of = |id| match id {
        FigureId::C06RejectedNoLimit => Some(FigureId::C06RejectedNoLimitTcp),
        FigureId::C06RejectedSemaphore => Some(FigureId::C06RejectedSemaphoreTcp),
        FigureId::C15CallsPerSecond => Some(FigureId::C15CallsPerSecondTcp),
        FigureId::C15Rejected => Some(FigureId::C15RejectedTcp),
        _ => None,
    };
    for c in &mut loaded
        .claims
        .as_mut()
        .expect("the fixture has claims")
        .claims
    {
        let copies: Vec<_> = c
            .measured
            .iter()
            .filter_map(|f| {
                let key = f.key.as_ref()?;
                let mut copy = f.clone();
                copy.key = Some(FigureKey {
                    id: tcp_of(key.id)?,
                    subject: key.subject.clone(),
                });
                Some(copy)
            })
            .collect();
        c.measured.extend(copies);
    }
    loaded
}

#[test]
fn c06_and_c15_over_tcp_are_read_beside_their_in_process_figures() {
    let loaded = with_tcp();
    let d = decide(&loaded);
    let RowBody::Limit(l) = row(&d, RowKind::Limit) else {
        panic!("not a limit row");
    };
    let c06 = l.c06.as_ref().expect("C06 ran");
    assert_eq!(c06.tcp.as_ref(), Ok(&c06.in_process));
    let c15 = l.c15.as_ref().expect("C15 ran");
    assert_eq!(c15.tcp.as_ref(), Ok(&c15.in_process));
}

/// A wall time: median, low, high.
pub(crate) type Wall = (f64, f64, f64);

/// A ratio over the semaphore's time, paired order by order: median, low, high.
pub(crate) type Ratio = (f64, f64, f64);

/// A forged C05 spread: its name, the walls of semaphore, pool and batches, and when given
/// pool's and batches' ratios over the semaphore.
pub(crate) type Spread<'a> = (&'a str, [Wall; 3], Option<[Ratio; 2]>);

/// The fixture with C05's figures replaced: each spread with semaphore's, pool's and
/// batches' wall times (no paired ratios: a folder from before C05 published the pool's).
fn with_c05(spreads: &[(&str, [Wall; 3])]) -> Loaded {
    let spreads: Vec<Spread> = spreads.iter().map(|(s, w)| (*s, *w, None)).collect();
    with_c05_paired(&spreads)
}

/// As [`with_c05`], and when given, pool's and batches' times over the semaphore's, paired
/// order by order.
pub(crate) fn with_c05_paired(spreads: &[Spread]) -> Loaded {
    let mut loaded = fixture();
    let c05 = loaded
        .claims
        .as_mut()
        .and_then(|f| f.claims.iter_mut().find(|c| c.id == "C05"))
        .expect("the fixture has C05");
    c05.measured.clear();
    let ids = [
        results::FigureId::C05Semaphore,
        results::FigureId::C05Pool,
        results::FigureId::C05Batches,
    ];
    let over = [
        results::FigureId::C05PoolOverSemaphore,
        results::FigureId::C05BatchesOverSemaphore,
    ];
    for (spread, styles, ratios) in spreads {
        for (id, (mid, lo, hi)) in ids.iter().zip(styles) {
            c05.measured.push(
                results::Figure::secs(FigureKey::about(*id, *spread), *spread, *mid)
                    .within(*lo, *hi),
            );
        }
        for (id, (mid, lo, hi)) in over.iter().zip(ratios.iter().flatten()) {
            c05.measured.push(
                results::Figure::new(
                    FigureKey::about(*id, *spread),
                    *spread,
                    *mid,
                    results::FigureUnit::Ratio,
                )
                .within(*lo, *hi),
            );
        }
    }
    loaded
}

/// The limit row's pick from forged C05 figures.
fn chosen(spreads: &[Spread]) -> Vec<Style> {
    let loaded = with_c05_paired(spreads);
    let d = decide(&loaded);
    let RowBody::Limit(l) = row(&d, RowKind::Limit) else {
        panic!("not a limit row");
    };
    assert_eq!(l.groups.len(), spreads.len(), "one group per C05 spread");
    l.chosen().collect()
}

/// Walls whose unpaired intervals overlap widely (the orders' spread): semaphore, pool,
/// batches; batches' far apart.
const OVERLAPPING: [Wall; 3] = [(2.30, 2.10, 2.50), (2.30, 2.12, 2.52), (6.9, 6.0, 8.0)];
/// Batches over the semaphore, paired: wholly above 1.
const BATCHES_SLOWER: Ratio = (3.0, 2.8, 3.3);

#[test]
fn limits_decide_semaphore_vs_pool_on_the_paired_ratio_not_the_overlapping_walls() {
    // Unpaired, the walls tie semaphore and pool whatever the orders did.
    assert_eq!(
        chosen(&[("long-tailed", OVERLAPPING, None)]),
        [Style::Semaphore, Style::Pool]
    );
    let with = |pool: Ratio| chosen(&[("long-tailed", OVERLAPPING, Some([pool, BATCHES_SLOWER]))]);
    assert_eq!(
        with((0.97, 0.95, 0.99)),
        [Style::Pool],
        "pool faster in every order"
    );
    assert_eq!(
        with((1.0, 0.98, 1.02)),
        [Style::Semaphore, Style::Pool],
        "the ratio's interval holds 1: a tie"
    );
    assert_eq!(
        with((1.05, 1.03, 1.07)),
        [Style::Semaphore],
        "pool slower in every order"
    );
    // The edges: an interval ending at 1 holds it.
    assert_eq!(with((0.99, 0.98, 1.0)), [Style::Semaphore, Style::Pool]);
    assert_eq!(with((0.95, 0.94, 0.999_999)), [Style::Pool]);
    // Surely slower, but by no more than the negligible 2%: still a tie.
    assert_eq!(
        with((1.01, 1.005, 1.015)),
        [Style::Semaphore, Style::Pool],
        "0.5-1.5% slower is no reason to pick"
    );
    assert_eq!(
        with((0.99, 0.98, 0.999_999)),
        [Style::Semaphore, Style::Pool]
    );
    assert_eq!(with((1.03, 1.021, 1.04)), [Style::Semaphore]);
    // Walls apart (one order much slower for the pool) but the same order by order: a tie.
    let apart = [(2.27, 2.13, 2.41), (2.60, 2.50, 2.70), (6.9, 6.0, 8.0)];
    assert_eq!(chosen(&[("long-tailed", apart, None)]), [Style::Semaphore]);
    assert_eq!(
        chosen(&[(
            "long-tailed",
            apart,
            Some([(1.0, 0.99, 1.01), BATCHES_SLOWER])
        )]),
        [Style::Semaphore, Style::Pool]
    );
}

#[test]
fn limits_decide_batches_vs_semaphore_on_their_paired_ratio() {
    let fixed = [(1.35, 1.30, 1.42), (1.35, 1.30, 1.42), (1.36, 1.31, 1.43)];
    let tied_pool = (1.0, 0.99, 1.01);
    let with = |batches: Ratio| chosen(&[("fixed", fixed, Some([tied_pool, batches]))]);
    assert_eq!(
        chosen(&[("fixed", fixed, None)]),
        Style::ALL,
        "unpaired, all three tie"
    );
    assert_eq!(
        with((1.05, 1.03, 1.07)),
        [Style::Semaphore, Style::Pool],
        "batches slower in every order"
    );
    assert_eq!(with((1.0, 0.995, 1.01)), Style::ALL);
    // Over spreads: a style must tie the fastest under every one.
    assert_eq!(
        chosen(&[
            ("fixed", fixed, Some([tied_pool, (1.0, 0.995, 1.01)])),
            (
                "long-tailed",
                OVERLAPPING,
                Some([(0.97, 0.95, 0.99), BATCHES_SLOWER])
            ),
        ]),
        [Style::Pool]
    );
}

#[test]
fn limits_without_the_paired_ratio_compare_unpaired_and_name_the_key() {
    // A folder from before C05 published the pool's ratio: batches' is there, pool's not.
    let loaded = with_c05_paired(&[("long-tailed", OVERLAPPING, None)]);
    let mut loaded = loaded;
    let c05 = loaded
        .claims
        .as_mut()
        .and_then(|f| f.claims.iter_mut().find(|c| c.id == "C05"))
        .unwrap();
    c05.measured.push(
        results::Figure::new(
            FigureKey::about(results::FigureId::C05BatchesOverSemaphore, "long-tailed"),
            "long-tailed: batches / semaphore",
            3.0,
            results::FigureUnit::Ratio,
        )
        .within(2.8, 3.3),
    );
    let d = decide(&loaded);
    let RowBody::Limit(l) = row(&d, RowKind::Limit) else {
        panic!("not a limit row");
    };
    let g = &l.groups[0];
    assert!(!g.paired());
    let missing = FigureKey::about(results::FigureId::C05PoolOverSemaphore, "long-tailed");
    assert_eq!(
        g.best[1].as_ref().unwrap().paired,
        Some(Err(missing)),
        "the pool's entry names the key it lacks"
    );
    assert!(matches!(g.best[2].as_ref().unwrap().paired, Some(Ok(_))));
    assert_eq!(
        g.compared()[1],
        Some((2.30, (2.12, 2.52))),
        "unpaired: the walls"
    );
    assert_eq!(
        l.chosen().collect::<Vec<_>>(),
        [Style::Semaphore, Style::Pool]
    );
}

#[test]
fn limits_decide_from_c05_orders_when_it_published_intervals() {
    // Pool's interval reaches the semaphore's under every spread; batches' does not under
    // the long tail.
    let loaded = with_c05(&[
        (
            "fixed",
            [(1.35, 1.34, 1.36), (1.35, 1.34, 1.36), (1.36, 1.35, 1.37)],
        ),
        (
            "long-tailed",
            [(2.27, 2.13, 2.41), (2.27, 2.14, 2.40), (6.85, 6.0, 8.0)],
        ),
    ]);
    let d = decide(&loaded);
    let RowBody::Limit(l) = row(&d, RowKind::Limit) else {
        panic!("not a limit row");
    };
    assert_eq!(l.groups.len(), 2, "one group per C05 spread");
    assert!(
        l.groups
            .iter()
            .all(|g| g.best.iter().flatten().all(|e| e.cell.is_none()))
    );
    assert_eq!(
        l.cells_shown.len(),
        1,
        "the fixture's io cells are shown, not compared"
    );
    assert_eq!(
        l.chosen().collect::<Vec<_>>(),
        [Style::Semaphore, Style::Pool]
    );
    assert!((l.styles[2].worst - 6.85 / 2.27).abs() < 1e-9);

    // One order that makes the pool slower, outside the semaphore's interval: not a tie.
    let loaded = with_c05(&[(
        "long-tailed",
        [(2.27, 2.13, 2.41), (2.60, 2.50, 2.70), (6.85, 6.0, 8.0)],
    )]);
    let d = decide(&loaded);
    let RowBody::Limit(l) = row(&d, RowKind::Limit) else {
        panic!("not a limit row");
    };
    assert_eq!(l.chosen().collect::<Vec<_>>(), [Style::Semaphore]);

    // Without intervals (a folder from before C05 ran several orders) the cells decide.
    let mut loaded = with_c05(&[("fixed", [(1.0, 1.0, 1.0); 3])]);
    for f in &mut loaded.claims.as_mut().unwrap().claims {
        f.measured.iter_mut().for_each(|m| m.interval = None);
    }
    let d = decide(&loaded);
    let RowBody::Limit(l) = row(&d, RowKind::Limit) else {
        panic!("not a limit row");
    };
    assert!(l.cells_shown.is_empty());
    assert!(
        l.groups
            .iter()
            .all(|g| g.best.iter().flatten().all(|e| e.cell.is_some()))
    );
}

#[test]
fn a_figure_a_claim_did_not_write_is_its_missing_key() {
    let mut loaded = fixture();
    let key = FigureKey::about(FigureId::C15Rejected, "semaphore(5)");
    let c15 = loaded
        .claims
        .as_mut()
        .and_then(|f| f.claims.iter_mut().find(|c| c.id == "C15"))
        .expect("the fixture has C15");
    c15.measured.retain(|f| f.key.as_ref() != Some(&key));
    let d = decide(&loaded);
    let RowBody::Limit(l) = row(&d, RowKind::Limit) else {
        panic!("not a limit row");
    };
    let fixed = &l.c15.as_ref().expect("C15 ran").in_process.fixed;
    assert_eq!(fixed[0].0, "semaphore(5)");
    assert_eq!(fixed[0].2, Err(key));
}

#[test]
fn blocking_follows_c17_and_says_when_it_was_not_run() {
    let mut loaded = fixture();
    let d = decide(&loaded);
    let RowBody::Blocking(b) = row(&d, RowKind::Blocking) else {
        panic!("not a blocking row");
    };
    assert_eq!(b.pick, BlockingPick::Pool);
    assert_eq!(b.pairs.len(), 3);
    // Legacy async-std doing the opposite is shown, not counted; a runtime whose two
    // intervals overlap leaves no winner.
    let set = |loaded: &mut Loaded, id, rt: &str, value: f64, lo: f64, hi: f64| {
        let c17 = loaded
            .claims
            .as_mut()
            .and_then(|f| f.claims.iter_mut().find(|c| c.id == "C17"))
            .expect("the fixture has C17");
        let f = c17
            .measured
            .iter_mut()
            .find(|f| f.key.as_ref() == Some(&FigureKey::about(id, rt)))
            .expect("the fixture has the figure");
        f.value = value;
        f.interval = Some([lo, hi]);
    };
    let mut forged = fixture();
    set(
        &mut forged,
        results::FigureId::C17OnBlockingPool,
        "async-std",
        9.0,
        9.0,
        9.0,
    );
    let d = decide(&forged);
    let RowBody::Blocking(b) = row(&d, RowKind::Blocking) else {
        panic!("not a blocking row");
    };
    assert_eq!(b.pick, BlockingPick::Pool, "legacy is not counted");
    set(
        &mut forged,
        results::FigureId::C17BlockingInTasks,
        "tokio",
        1.0,
        0.5,
        1.5,
    );
    set(
        &mut forged,
        results::FigureId::C17OnBlockingPool,
        "tokio",
        0.8,
        0.4,
        1.2,
    );
    let d = decide(&forged);
    let RowBody::Blocking(b) = row(&d, RowKind::Blocking) else {
        panic!("not a blocking row");
    };
    assert_eq!(b.pick, BlockingPick::NoWinner, "overlapping intervals");
    if let Some(f) = loaded.claims.as_mut() {
        f.claims.retain(|c| c.id != "C17");
    }
    let d = decide(&loaded);
    let r = d.rows.iter().find(|r| r.kind == RowKind::Blocking).unwrap();
    assert_eq!(r.body, Err(NotMeasured::ClaimNotRun("C17")));
}
