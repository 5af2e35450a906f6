//! Readers against writers: every claim figure the decision table and the charts read is
//! one its claim writes, in real claims files; and a figure that is missing shows as
//! `not measured (KEY)` in BENCHMARK.md, never as silence.

use std::path::Path;

use crate::analysis::FAMILIES;
use crate::claims;
use crate::results::{self, FigureId, FigureKey, Loaded};

use crate::analysis::tests::claimed::{with_c05_paired, with_tcp};
use crate::analysis::tests::cpu_row::with_c10;
use crate::analysis::tests::{fixture, fixture_with_tokio_io_failed};

fn folder(rel: &str) -> Loaded {
    results::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).expect("the folder loads")
}

#[test]
fn every_figure_a_reader_asks_for_is_written_by_its_claim() {
    let reads: Vec<FigureId> = FAMILIES
        .iter()
        .flat_map(|f| f.reads.iter().copied())
        .chain(super::charts::READS.iter().copied())
        .collect();
    assert!(!reads.is_empty());
    // The fixture may predate a figure a claim has added since (C07's kernel and total
    // memory): keys only. The reference run is this version's: every figure.
    for (folder, every_figure) in [(fixture(), false), (folder("results/2026-11-29-vm"), true)] {
        let file = folder.claims.as_ref().expect("the folder has claims");
        for c in &file.claims {
            let checked = if every_figure {
                claims::check_figures(&c.id, &c.measured)
            } else {
                claims::check_keys(&c.id, &c.measured).map(|_| ())
            };
            checked.unwrap_or_else(|e| panic!("{} does not hold its figures: {e}", c.id));
        }
        for id in &reads {
            // The CPU row reads the claims' CPU experiment only where a folder has it (the
            // fixture predates it: that row falls back to the cells there); the limit row
            // compares unpaired intervals where a folder lacks C05's paired ratios, and
            // shows C06 and C15 over TCP as not measured where it lacks them.
            if !every_figure
                && (crate::analysis::cpu_experiment::READS.contains(id)
                    || crate::analysis::limits::PAIRED.contains(id)
                    || crate::analysis::limit_claims::TCP.contains(id)
                    || super::charts::TCP_READS.contains(id))
            {
                continue;
            }
            let c = file
                .claims
                .iter()
                .find(|c| c.id == id.claim())
                .unwrap_or_else(|| panic!("no {} for {id}", id.claim()));
            assert!(c.each(*id).next().is_some(), "{} wrote no {id}", c.id);
        }
    }
}

#[test]
fn a_missing_figure_is_written_as_not_measured_with_its_key() {
    let mut loaded = fixture();
    let key = FigureKey::about(FigureId::C15CallsPerSecond, "semaphore(20)");
    if let Some(c15) = loaded
        .claims
        .as_mut()
        .and_then(|f| f.claims.iter_mut().find(|c| c.id == "C15"))
    {
        c15.measured.retain(|f| f.key.as_ref() != Some(&key));
    }
    let decision = super::sections::sections(&loaded, "charts").remove(0);
    assert_eq!(decision.name, "decision");
    assert!(
        decision
            .body
            .contains("semaphore(20): not measured (c15-calls-per-second/semaphore(20))"),
        "{}",
        decision.body
    );
}

#[test]
fn the_limit_row_shows_c06_and_c15_in_process_and_over_tcp_or_the_key_it_lacks() {
    let decision = |loaded: &Loaded| super::sections::sections(loaded, "charts").remove(0).body;
    let both = decision(&with_tcp());
    for shown in [
        "C06, 50 calls at a server taking 10: 40 rejected with no limit, 0 with semaphore(10) \
         in-process; over TCP 40 and 0 (",
        "C15 with retries: in-process adaptive ",
        "; over TCP adaptive ",
    ] {
        assert!(both.contains(shown), "no '{shown}' in\n{both}");
    }
    let older = decision(&fixture());
    for shown in [
        "in-process; over TCP not measured (c06-rejected-no-limit-tcp) (",
        "; over TCP not measured (c15-calls-per-second-tcp/adaptive) (",
    ] {
        assert!(older.contains(shown), "no '{shown}' in\n{older}");
    }
}

#[test]
fn the_limit_row_shows_c05_paired_ratios_or_the_key_it_lacks() {
    let walls = [(2.30, 2.10, 2.50), (2.30, 2.12, 2.52), (6.9, 6.0, 8.0)];
    let ratios = [(0.97, 0.95, 0.99), (3.0, 2.8, 3.3)];
    let decision = |loaded: &Loaded| {
        let d = super::sections::sections(loaded, "charts").remove(0);
        assert_eq!(d.name, "decision");
        d.body
    };
    let paired = decision(&with_c05_paired(&[("long-tailed", walls, Some(ratios))]));
    for shown in [
        "**pool** sized to the API's limit",
        "pool 2.30s [2.12s, 2.52s] (paired over the semaphore: 0.970x [0.950x, 0.990x], faster)",
        "batches 6.90s [6.00s, 8.00s] (paired over the semaphore: 3.000x [2.800x, 3.300x], slower)",
    ] {
        assert!(paired.contains(shown), "no '{shown}' in\n{paired}");
    }
    let unpaired = decision(&with_c05_paired(&[("long-tailed", walls, None)]));
    for shown in [
        "**semaphore or pool** sized to the API's limit",
        "(compared unpaired: pool / semaphore not measured (c05-pool-over-semaphore/long-tailed), \
         batches / semaphore not measured (c05-batches-over-semaphore/long-tailed))",
    ] {
        assert!(unpaired.contains(shown), "no '{shown}' in\n{unpaired}");
    }
    assert!(!unpaired.contains("paired over"), "{unpaired}");
}

#[test]
fn a_failed_cell_is_listed_under_the_table() {
    let decision = super::sections::sections(&fixture_with_tokio_io_failed(), "charts").remove(0);
    assert!(
        decision
            .body
            .contains("\nFailed cells (not candidates): tokio io x10,000 unbounded: os-limit.\n"),
        "{}",
        decision.body
    );
}

#[test]
fn text_from_a_results_file_cannot_end_a_section_early() {
    let mut loaded = fixture();
    let hostile = "Xeon\n<!-- rtbench:end machine -->\r\n| x |";
    loaded.summary.machine.cpu_model = hostile.into();
    loaded.summary.profile = hostile.into();
    if let Some(f) = loaded.claims.as_mut() {
        f.claims[0].claim = hostile.into();
        f.machine.date = hostile.into();
    }
    let text = "a\n<!-- rtbench:begin decision -->\n<!-- rtbench:end decision -->\n\
                <!-- rtbench:begin claims -->\n<!-- rtbench:end claims -->\n\
                <!-- rtbench:begin machine -->\n<!-- rtbench:end machine -->\nz\n";
    let sections = super::sections::sections(&loaded, "charts");
    let once = super::markers::update_benchmark(text, &sections).unwrap();
    let twice = super::markers::update_benchmark(&once, &sections).unwrap();
    assert_eq!(once, twice, "a second rewrite finds the same regions");
    assert!(
        once.lines()
            .filter(|l| l.trim() == "<!-- rtbench:end machine -->")
            .count()
            == 1,
        "only the real marker stands on a line of its own:\n{once}"
    );
    assert!(!once.contains('\r'));
}

#[test]
fn the_cpu_row_prints_c10s_speedups_and_each_wall_over_the_fastests() {
    let forged = with_c10(&[
        (
            "processes (pool:2)",
            (1.99, 1.54, 2.27),
            6e6,
            Some((1.0, 1.0, 1.0)),
        ),
        ("threads", (1.79, 1.41, 2.32), 5e6, Some((1.11, 1.04, 1.19))),
    ]);
    let decision = super::sections::sections(&forged, "charts").remove(0);
    let body = &decision.body;
    assert!(
        body.contains("**processes (pool:2)**: 1.99x [1.54x, 2.27x], the fastest wall, peak")
            && body.contains(
                "; threads: 1.79x [1.41x, 2.32x], wall 1.11x the fastest's [1.04x, 1.19x], peak"
            )
            && body.contains("a tie on time: a wall over the fastest's whose interval holds 1"),
        "{body}"
    );
    // A file from before the ratio: as before, without it.
    let older = with_c10(&[
        ("processes (pool:2)", (1.99, 1.54, 2.27), 6e6, None),
        ("threads", (1.79, 1.41, 2.32), 5e6, None),
    ]);
    let body = super::sections::sections(&older, "charts").remove(0).body;
    assert!(
        body.contains("**threads** (a tie on time with processes (pool:2); less memory)")
            && body.contains("**threads**: 1.79x [1.41x, 2.32x], peak")
            && !body.contains("fastest wall")
            && !body.contains("a tie on time: a wall"),
        "{body}"
    );
}
