//! Compare on the small fixture folder: against itself, against forged copies.

use super::*;
use crate::analysis::tests::fixture;

#[test]
fn a_folder_against_itself_is_all_same_with_nothing_unmatched() {
    let a = fixture();
    let c = compare(&a, &a, 0.1);
    assert!(!c.matched.is_empty());
    let failed = a.summary.cells.iter().filter(|c| !c.ok()).count();
    assert_eq!(c.count(Word::Same), c.matched.len() - c.count(Word::Failed));
    assert!(c.count(Word::Failed) <= failed);
    assert!(c.only_a.is_empty() && c.only_b.is_empty());
    assert!(c.machine.is_empty(), "{:?}", c.machine);
    for m in c.matched.iter().filter(|m| m.word == Word::Same) {
        assert_eq!(m.ratio, Some(1.0));
    }
}

/// `cell` `factor` times slower: median, extremes and interval scaled alike.
fn scale(cell: &mut CellRecord, factor: f64) {
    cell.wall_seconds *= factor;
    cell.wall_min_seconds *= factor;
    cell.wall_max_seconds *= factor;
    cell.wall_ci_low_seconds = cell.wall_ci_low_seconds.map(|v| v * factor);
    cell.wall_ci_high_seconds = cell.wall_ci_high_seconds.map(|v| v * factor);
}

/// The fixture with its first working cell `factor` times slower; the cell's key.
fn slowed(factor: f64) -> (Loaded, String) {
    let mut b = fixture();
    let cell = b.summary.cells.iter_mut().find(|c| c.ok()).unwrap();
    scale(cell, factor);
    let key = cell_key(cell, b.summary.machine.cores);
    (b, key)
}

#[test]
fn a_cell_twice_as_slow_is_slower_and_half_as_slow_faster_the_rest_same() {
    let a = fixture();
    let (b, key) = slowed(2.0);
    let c = compare(&a, &b, 0.1);
    let m = c.matched.iter().find(|m| m.cell == key).unwrap();
    assert_eq!(m.word, Word::Slower);
    let r = m.ratio.unwrap();
    assert!((r - 2.0).abs() < 1e-9, "{r}");
    let (lo, hi) = m.interval.unwrap();
    assert!(lo <= r && r <= hi, "{lo} {r} {hi}");
    assert_eq!(c.count(Word::Slower), 1);
    // The other way round it is faster.
    let c = compare(&b, &a, 0.1);
    assert_eq!(c.count(Word::Faster), 1);
    assert_eq!(c.count(Word::Slower), 0);
    // Within the threshold it is the same, however apart the intervals.
    let (b, key) = slowed(1.05);
    let c = compare(&a, &b, 0.1);
    assert_eq!(
        c.matched.iter().find(|m| m.cell == key).unwrap().word,
        Word::Same
    );
}

#[test]
fn cells_on_one_side_only_are_listed_and_machines_differences_named() {
    let a = fixture();
    let mut b = fixture();
    let gone = b.summary.cells.remove(0);
    let mut extra = b.summary.cells[0].clone();
    extra.tasks += 1;
    b.summary.cells.push(extra.clone());
    b.summary.machine.cpu_model = "Test CPU".into();
    b.summary.machine.kernel = "6.99.0-test".into();
    let c = compare(&a, &b, 0.1);
    assert_eq!(c.only_a, [cell_key(&gone, a.summary.machine.cores)]);
    assert_eq!(c.only_b, [cell_key(&extra, b.summary.machine.cores)]);
    let fields: Vec<&str> = c.machine.iter().map(|d| d.field.as_str()).collect();
    assert_eq!(fields, ["cpu_model", "kernel"], "{:?}", c.machine);
    assert_eq!(c.machine[1].b, "6.99.0-test");
}

#[test]
fn claims_are_side_by_side_and_a_changed_verdict_is_marked() {
    let a = fixture();
    let mut b = fixture();
    let c = compare(&a, &b, 0.1);
    assert!(!c.claims.is_empty());
    assert!(c.claims.iter().all(|p| !p.changed && p.a == p.b));
    let claim = &mut b.claims.as_mut().unwrap().claims[0];
    claim.verdict = None;
    let id = claim.id.clone();
    let c = compare(&a, &b, 0.1);
    let changed: Vec<&ClaimPair> = c.claims.iter().filter(|p| p.changed).collect();
    assert_eq!(changed.len(), 1);
    assert_eq!(
        (changed[0].id.as_str(), changed[0].b.as_str()),
        (id.as_str(), "failed")
    );
    // A folder without claims shows dashes.
    b.claims = None;
    let c = compare(&a, &b, 0.1);
    assert!(c.claims.iter().all(|p| p.b == "-" && p.changed));
}

#[test]
fn a_slower_machine_is_slower_in_absolute_and_the_same_relative_but_for_a_cell_that_lost_ground() {
    let a = fixture();
    let mut b = fixture();
    b.summary.machine.cores *= 2;
    for c in &mut b.summary.cells {
        scale(c, 3.0);
    }
    let c = compare(&a, &b, 0.1);
    assert!(c.hardware_differs);
    assert_eq!(
        c.count(Word::Slower),
        c.matched.len() - c.count(Word::Failed)
    );
    assert!(!c.relative.is_empty());
    assert_eq!(c.count_relative(Word::Same), c.relative.len());
    // One cell 2x slower again, alone on its machine: it lost ground against its group's
    // fastest (if it was not the fastest itself, its multiple doubles).
    let slowest_in_group = b
        .summary
        .cells
        .iter()
        .position(|x| {
            x.ok()
                && b.summary.cells.iter().any(|y| {
                    y.ok()
                        && y.runtime != x.runtime
                        && group_key(y, 2) == group_key(x, 2)
                        && y.wall_seconds < x.wall_seconds
                })
        })
        .expect("a group with two working runtimes");
    let cell = &mut b.summary.cells[slowest_in_group];
    scale(cell, 2.0);
    let key = cell_key(cell, b.summary.machine.cores);
    let c = compare(&a, &b, 0.1);
    let m = c.relative.iter().find(|m| m.cell == key).unwrap();
    assert_eq!(m.word, Word::Slower, "{m:?}");
    assert!((m.ratio.unwrap() - 2.0).abs() < 1e-9, "{m:?}");
}

const MEMORY: &str = "memory per unit (PSS where measured, processes; else resident)";

/// The words of the measures table titled `title`.
fn words(c: &Comparison, title: &str) -> Vec<Word> {
    let t = c.measures.iter().find(|t| t.title == title).unwrap();
    t.matched.iter().map(|m| m.word).collect()
}

#[test]
fn memory_probes_and_knees_are_matched_and_judged_in_their_own_direction() {
    let a = fixture();
    let c = compare(&a, &a, 0.1);
    let titles: Vec<&str> = c.measures.iter().map(|t| t.title).collect();
    assert_eq!(
        titles,
        [MEMORY, "timer probe", "spawn probe", "server knee"]
    );
    for t in &c.measures {
        assert!(!t.matched.is_empty() && t.only_a.is_empty() && t.only_b.is_empty());
        assert!(
            t.matched
                .iter()
                .all(|m| matches!(m.word, Word::Same | Word::Failed)),
            "{t:?}"
        );
    }
    assert_eq!(c.worse_measures(), 0);
    // Twice the memory per unit is worse; a knee twice as high (every rate doubled) better.
    let mut b = fixture();
    let m = &mut b.summary.memory_models[0];
    m.rss_per_unit_bytes = m.rss_per_unit_bytes.map(|x| x * 2.0);
    m.pss_per_unit_bytes = m.pss_per_unit_bytes.map(|x| x * 2.0);
    let r = b
        .summary
        .serve
        .iter_mut()
        .find(|r| r.knee().is_some())
        .unwrap();
    let load = r.load.as_mut().unwrap();
    for rate in &mut load.rates {
        rate.offered *= 2.0;
        rate.achieved *= 2.0;
    }
    load.knee = load.knee.map(|k| k * 2.0);
    load.half_knee = load.half_knee.map(|h| h * 2.0);
    let c = compare(&a, &b, 0.1);
    assert_eq!(words(&c, MEMORY)[0], Word::Worse);
    assert!(words(&c, "server knee").contains(&Word::Better));
    assert_eq!(c.worse_measures(), 1);
    // Seen from B, the same two are the other way round.
    let c = compare(&b, &a, 0.1);
    assert_eq!(words(&c, MEMORY)[0], Word::Better);
    assert!(words(&c, "server knee").contains(&Word::Worse));
}

#[test]
fn folders_of_different_schema_versions_say_so() {
    let a = fixture();
    let mut b = fixture();
    assert!(compare(&a, &b, 0.1).schemas.is_none());
    b.summary.schema_version -= 1;
    assert_eq!(
        compare(&a, &b, 0.1).schemas,
        Some((a.summary.schema_version, b.summary.schema_version))
    );
}

#[test]
fn other_work_never_meets_and_pools_sized_to_the_cores_meet_across_machines() {
    let a = fixture();
    // The same settings but other work (another --calls): the digest differs.
    let mut b = fixture();
    let cell = b.summary.cells.iter_mut().find(|c| c.ok()).unwrap();
    cell.expected_checksum = "0123456789abcdef".into();
    let c = compare(&a, &b, 0.1);
    assert_eq!((c.only_a.len(), c.only_b.len()), (1, 1));
    // A profile on an 8-core machine asks for 8 workers where the 2-core one asked for 2.
    let mut b = fixture();
    let cores = a.summary.machine.cores;
    b.summary.machine.cores = cores * 4;
    let mut resized = 0;
    for c in &mut b.summary.cells {
        if c.workers_requested == Some(cores) {
            c.workers_requested = Some(cores * 4);
            resized += 1;
        }
    }
    assert!(resized > 0);
    let c = compare(&a, &b, 0.1);
    assert!(c.only_a.is_empty() && c.only_b.is_empty(), "{:?}", c.only_a);
}

#[test]
fn the_relative_view_divides_both_sides_by_the_same_runtime() {
    let a = fixture();
    let mut b = fixture();
    // In B, the fastest runtime of a group turns suspect: it is no denominator, and the
    // others keep their multiples (all same), where dividing by B's next fastest would
    // move every one of them.
    let cores = a.summary.machine.cores;
    let (i, _) = b
        .summary
        .cells
        .iter()
        .enumerate()
        .filter(|(_, c)| c.trusted() && c.normal())
        .filter(|(_, x)| {
            b.summary
                .cells
                .iter()
                .filter(|y| y.trusted() && group_key(y, cores) == group_key(x, cores))
                .count()
                >= 3
        })
        .min_by(|(_, x), (_, y)| x.wall_seconds.total_cmp(&y.wall_seconds))
        .expect("a group of three trusted runtimes");
    b.summary.cells[i].suspect = Some("forged".into());
    let c = compare(&a, &b, 0.1);
    assert_eq!(
        c.count_relative(Word::Same),
        c.relative.len(),
        "{:?}",
        c.relative
    );
}
