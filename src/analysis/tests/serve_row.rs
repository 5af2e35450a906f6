//! The serve row: the fixture's three real sweeps (threads and crossbeam-pool tied on their
//! brackets, async-std legacy), and forged pairs each side of a tie and of the unstable flag.

use super::super::rank::Candidate;
use super::super::serve::{ServeItem, ServeRow, rank};
use super::super::*;
use super::{fixture, row};
use crate::results::ServeRecord;

fn serve_row<'a>(d: &'a Decisions) -> &'a ServeRow<'a> {
    let RowBody::Serve(r) = row(d, RowKind::Serve) else {
        panic!("not a serve row");
    };
    r
}

#[test]
fn the_fixture_ties_threads_and_the_pool_and_memory_picks_threads() {
    let loaded = fixture();
    let d = decide(&loaded);
    let r = serve_row(&d);
    assert_eq!(r.backends.len(), 1);
    let b = &r.backends[0];
    assert_eq!(b.backend, "timer");
    let ranked = b.ranked.as_ref().expect("ranked");
    let names: Vec<&str> = ranked
        .candidates
        .iter()
        .map(|c| c.item.record.model.as_str())
        .collect();
    assert_eq!(names, ["threads", "crossbeam-pool"]);
    let threads = &ranked.picked().item;
    assert_eq!(threads.record.model, "threads");
    // Both kept 12,800/s and failed 13,959/s: the same bracket, a tie.
    assert_eq!((threads.knee, threads.above), (12_800.0, Some(13_959.0)));
    assert_eq!(ranked.tied, [0, 1]);
    assert_eq!(threads.peak_rss, Some(19_296_256.0));
    assert_eq!(ranked.candidates[1].item.peak_rss, Some(20_197_376.0));
    assert!(!threads.unstable);
    // 6,400/s ran twice: on the way up (p99 32.2 ms) and as the half-knee after the search
    // (10.9 ms); the half-knee is the second.
    let runs: Vec<f64> = threads
        .record
        .rates()
        .filter(|(r, _)| r.offered == 6_400.0)
        .map(|(r, _)| r.corrected.p99)
        .collect();
    assert_eq!(runs.len(), 2);
    assert!(runs[0] > 0.03 && runs[1] < 0.011, "{runs:?}");
    assert_eq!(threads.half_p99, Some(runs[1]));
    let cores = threads.cores.unwrap();
    assert!(cores > 1.0 && cores < 1.3, "{cores}");
    // async-std is legacy: shown at its knee, not a candidate.
    assert_eq!(b.legacy.len(), 1);
    assert_eq!(b.legacy[0].record.model, "async-std");
    assert_eq!(b.legacy[0].knee, 5_868.0);
    assert_eq!(b.legacy[0].above, Some(6_400.0));
    assert!(b.no_knee.is_empty());
}

#[test]
fn no_serve_records_no_row() {
    let mut loaded = fixture();
    loaded.summary.serve.clear();
    let d = decide(&loaded);
    let r = d.rows.iter().find(|r| r.kind == RowKind::Serve).unwrap();
    assert_eq!(r.body, Err(NotMeasured::NoCells));
}

/// The fixture's threads sweep renamed and re-run at `rates` (offered, good), its knee the
/// highest good one; `half` is the rate run as half the knee (its own entry in `rates`);
/// the server's peak RSS `peak` at every rate.
fn forged(model: &str, rates: &[(f64, bool)], half: Option<f64>, peak: u64) -> ServeRecord {
    let mut r = fixture()
        .summary
        .serve
        .into_iter()
        .find(|r| r.model == "threads")
        .unwrap();
    r.model = model.into();
    let load = r.load.as_mut().unwrap();
    let template = load.rates[0].clone();
    load.rates = rates
        .iter()
        .map(|&(offered, good)| {
            let mut rate = template.clone();
            rate.offered = offered;
            rate.valid = true;
            rate.meets_slo = good;
            rate
        })
        .collect();
    load.knee = rates
        .iter()
        .filter(|r| r.1)
        .map(|r| r.0)
        .max_by(f64::total_cmp);
    load.half_knee = half;
    let mut sample = r.server[0];
    sample.peak_rss_bytes = peak;
    r.server = vec![sample; rates.len()];
    r
}

fn picked(records: &[ServeRecord]) -> (String, Vec<String>) {
    let ranked = rank(
        records
            .iter()
            .map(|r| ServeItem::of(r).unwrap().candidate())
            .collect(),
    )
    .unwrap();
    let name = |i: usize| ranked.candidates[i].item.record.model.clone();
    (
        name(ranked.pick),
        ranked.tied.iter().map(|&i| name(i)).collect(),
    )
}

#[test]
fn a_knee_at_the_rate_another_failed_is_not_a_tie_and_just_below_it_is() {
    // small: good at 200, fails 400: bracket [200, 400); less memory.
    let small = forged(
        "small",
        &[(100.0, true), (200.0, true), (400.0, false)],
        None,
        1,
    );
    // big kept 400: its bracket [400, 800) starts where small's ends, which excludes 400.
    let big = forged("big", &[(400.0, true), (800.0, false)], None, 2);
    assert_eq!(
        picked(&[small.clone(), big]),
        ("big".into(), vec!["big".into()])
    );
    // big kept only 399: [399, 800) reaches into [200, 400): a tie, the lighter wins.
    let big = forged("big", &[(399.0, true), (800.0, false)], None, 2);
    assert_eq!(
        picked(&[small, big]),
        ("small".into(), vec!["big".into(), "small".into()])
    );
    // Nothing above the knee failed: the bracket is open-ended and ties every higher knee.
    let open = forged("open", &[(100.0, true), (300.0, true)], None, 1);
    let big = forged("big", &[(5_000.0, true), (9_000.0, false)], None, 2);
    assert_eq!(ServeItem::of(&open).unwrap().above, None);
    assert_eq!(picked(&[open, big]).0, "open");
}

#[test]
fn an_unstable_knee_wins_only_tied_with_a_stable_one() {
    // fast's knee is 800 but its half-knee rate, 400, missed the SLO.
    let fast = forged(
        "fast",
        &[(800.0, true), (1600.0, false), (400.0, false)],
        Some(400.0),
        1,
    );
    let item = ServeItem::of(&fast).unwrap();
    assert!(item.unstable);
    assert_eq!(
        item.half_p99,
        Some(fast.load.as_ref().unwrap().rates[2].corrected.p99)
    );
    // Alone at the top: the best stable knee wins instead.
    let slow = forged(
        "slow",
        &[(200.0, true), (400.0, false), (100.0, true)],
        Some(100.0),
        2,
    );
    assert!(!ServeItem::of(&slow).unwrap().unstable);
    assert_eq!(
        picked(&[fast.clone(), slow]),
        ("slow".into(), vec!["slow".into()])
    );
    // Tied with a stable knee (brackets overlap), memory decides as for any tie: fast.
    let near = forged(
        "near",
        &[(700.0, true), (1400.0, false), (350.0, true)],
        Some(350.0),
        2,
    );
    assert_eq!(
        picked(&[fast.clone(), near]),
        ("fast".into(), vec!["fast".into(), "near".into()])
    );
    // Every knee unstable: the highest stands (the row shows its flag).
    let other = forged(
        "other",
        &[(200.0, true), (400.0, false), (100.0, false)],
        Some(100.0),
        2,
    );
    assert_eq!(picked(&[fast, other]).0, "fast");
}

#[test]
fn several_sweeps_give_the_median_knee_and_an_interval_over_all() {
    // Three sweeps of one model: knees 200, 800, 400 (brackets [200, 400), [800, 1600),
    // [400, 800)); the median sweep's figures (peak 3), the interval [200, 1600).
    let mut sweeps = [
        forged("m", &[(200.0, true), (400.0, false)], None, 1),
        forged("m", &[(800.0, true), (1600.0, false)], None, 2),
        forged("m", &[(400.0, true), (800.0, false)], None, 3),
    ];
    for (i, s) in sweeps.iter_mut().enumerate() {
        s.repetition = i as u32;
    }
    let refs: Vec<&ServeRecord> = sweeps.iter().collect();
    let m = ServeItem::of_sweeps(&refs).unwrap();
    assert_eq!(m.knee, 400.0);
    assert_eq!(m.knees, [200.0, 400.0, 800.0]);
    assert_eq!((m.low(), m.above), (200.0, Some(1600.0)));
    assert_eq!(m.peak_rss, Some(3.0));
    assert_eq!(m.record.repetition, 2);
    // One sweep open-ended: the interval is too.
    let open = forged("m", &[(300.0, true)], None, 4);
    let refs = [&sweeps[0], &sweeps[1], &open];
    assert_eq!(ServeItem::of_sweeps(&refs).unwrap().above, None);
    // A lone sweep reads as before; none with a knee gives none.
    let one = ServeItem::of_sweeps(&[&sweeps[1]]).unwrap();
    assert_eq!(one, ServeItem::of(&sweeps[1]).unwrap());
    let none = forged("m", &[(100.0, false)], None, 1);
    assert_eq!(ServeItem::of_sweeps(&[&none]), None);
    assert_eq!(ServeItem::of_sweeps(&[]), None);
}

#[test]
fn sweeps_whose_spreads_overlap_tie_though_one_median_is_higher() {
    // a: knees 400, 800, 1600 (median 800); b: 300, 600, 700 (median 600) but its
    // interval [300, 1400) reaches a's [400, 3200): a tie, the lighter (b) wins. With b
    // always below a's lowest knee, a wins alone.
    let sweeps = |name: &str, knees: &[f64], peak: u64| -> Vec<ServeRecord> {
        knees
            .iter()
            .enumerate()
            .map(|(i, &k)| {
                let mut r = forged(name, &[(k, true), (2.0 * k, false)], None, peak);
                r.repetition = i as u32;
                r
            })
            .collect()
    };
    fn item(records: &[ServeRecord]) -> Candidate<ServeItem<'_>> {
        let refs: Vec<&ServeRecord> = records.iter().collect();
        ServeItem::of_sweeps(&refs).unwrap().candidate()
    }
    let a = sweeps("a", &[400.0, 800.0, 1600.0], 2);
    let b = sweeps("b", &[300.0, 600.0, 700.0], 1);
    let ranked = rank(vec![item(&a), item(&b)]).unwrap();
    assert_eq!(ranked.picked().item.record.model, "b");
    assert_eq!(ranked.tied.len(), 2);
    let b = sweeps("b", &[100.0, 150.0, 190.0], 1);
    let ranked = rank(vec![item(&a), item(&b)]).unwrap();
    assert_eq!(ranked.picked().item.record.model, "a");
    assert_eq!(ranked.tied.len(), 1);
}
