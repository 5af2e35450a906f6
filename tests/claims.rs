//! `rtbench claims` through the binary: the claims whose figures the notes state exactly
//! get the verdicts they must, and C06's counts are exact, in-process and over TCP.

mod support;

use rtbench::analysis::{self, RowBody, RowKind};
use rtbench::report::charts::write_charts;
use serde_json::Value;
use support::{Scratch, read_json};

#[test]
fn claims_c01_c04_c06_c12_are_measured_with_their_verdicts() {
    let s = Scratch::new("claims");
    let args = [
        "claims",
        "--only",
        "C01,C04,C06,C12",
        "--format",
        "json",
        "--scale",
        "0.05",
        "--rounds",
        "5",
    ];
    let args = s.args_with_out(&args, "out");
    let out = support::run(s.path(), &args, &[]);
    let stderr = &out.stderr;
    assert!(out.code == 0, "claims failed:\n{stderr}");
    let results: Vec<Value> = serde_json::from_str(&out.stdout).expect("a JSON array of claims");
    let ids: Vec<&str> = results.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["C01", "C04", "C06", "C12"]);
    for r in &results {
        assert!(r["error"].is_null(), "{r}");
        assert!(!r["measured"].as_array().unwrap().is_empty(), "{r}");
        assert!(r["rule"].as_str().is_some_and(|s| !s.is_empty()), "{r}");
        let verdict = r["verdict"].as_str().unwrap();
        // Timing claims on a shared machine: the direction must hold; C06 is exact.
        let accepted: &[&str] = if r["id"] == "C06" {
            &["holds"]
        } else {
            &["holds", "holds roughly"]
        };
        assert!(
            accepted.contains(&verdict),
            "{} got '{verdict}': {r}",
            r["id"]
        );
    }
    let c06 = &results[2];
    let figures = c06["measured"].as_array().unwrap();
    let count = |id: &str| -> Vec<f64> {
        figures
            .iter()
            .filter(|f| f["key"].as_str().unwrap().starts_with(&format!("{id}/")))
            .map(|f| f["value"].as_f64().unwrap())
            .collect()
    };
    // In-process and over TCP against the latency server in capacity mode alike.
    for suffix in ["", "-tcp"] {
        let unbounded = count(&format!("c06-rejected-no-limit{suffix}"));
        let bounded = count(&format!("c06-rejected-semaphore{suffix}"));
        assert!(
            !unbounded.is_empty() && unbounded.len() == bounded.len(),
            "{suffix}: {c06}"
        );
        assert!(
            unbounded.iter().all(|&n| n == 40.0),
            "50 calls at once against capacity 10{suffix}: {unbounded:?}"
        );
        assert!(
            bounded.iter().all(|&n| n == 0.0),
            "under semaphore(10){suffix}: {bounded:?}"
        );
    }
    let file = read_json(&s.join("out/claims.json"));
    assert_eq!(file["claims"].as_array().unwrap().len(), 4);
    assert!(file["machine"]["cores"].as_u64().unwrap() >= 1);

    // Another claim run into the same folder keeps the four, untouched, in claim order.
    let args = ["claims", "--only", "C13", "--rounds", "5"];
    let args = s.args_with_out(&args, "out");
    let out = support::run(s.path(), &args, &[]);
    assert!(out.code == 0, "claims failed:\n{}", out.stderr);
    let after = read_json(&s.join("out/claims.json"));
    let claims = after["claims"].as_array().unwrap();
    let ids: Vec<&str> = claims.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["C01", "C04", "C06", "C12", "C13"]);
    assert_eq!(claims[0], file["claims"][0], "C01 is kept as it was");
}

/// The claims the decision table and the charts read, run fresh and written as CSV: every
/// figure is keyed, and the decision rules and the limit chart find every figure they ask
/// for in what the claims wrote (not in an upgraded old file).
#[test]
fn claims_the_readers_read_write_every_key_they_ask_for() {
    let s = Scratch::new("claims-readers");
    let args = [
        "claims",
        "--only",
        "C05,C15,C17",
        "--format",
        "csv",
        "--scale",
        "0.01",
        "--rounds",
        "5",
    ];
    let out = support::run(s.path(), &s.args_with_out(&args, "out"), &[]);
    assert!(out.code == 0, "claims failed:\n{}", out.stderr);
    let mut csv = csv::Reader::from_reader(out.stdout.as_bytes());
    let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "id", "column", "verdict", "key", "label", "value", "unit", "error"
        ]
    );
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert!(
        rows.iter().all(|r| !r[2].is_empty() && r[7].is_empty()),
        "{rows:?}"
    );
    assert!(
        rows.iter().all(|r| !r[3].is_empty()),
        "every figure is keyed: {rows:?}"
    );

    let mut loaded = support::fixture();
    loaded.claims = Some(serde_json::from_value(read_json(&s.join("out/claims.json"))).unwrap());
    let decisions = analysis::decide(&loaded);
    let row = |kind| {
        let r = decisions.rows.iter().find(|r| r.kind == kind).unwrap();
        r.body
            .as_ref()
            .unwrap_or_else(|e| panic!("{kind:?}: {e:?}"))
    };
    let RowBody::Blocking(b) = row(RowKind::Blocking) else {
        panic!("not the blocking row");
    };
    assert!(
        !b.pairs.is_empty() && b.pairs.iter().all(|p| p.pool.is_ok()),
        "{b:?}"
    );
    let RowBody::Limit(l) = row(RowKind::Limit) else {
        panic!("not the limit row");
    };
    assert!(
        !l.groups.is_empty() && l.groups.iter().all(|g| g.paired()),
        "C05's spreads are compared on its paired ratios: {:?}",
        l.groups
    );
    let c15 = l.c15.as_ref().expect("C15's adaptive figures were found");
    for limits in [Ok(&c15.in_process), c15.tcp.as_ref()] {
        let limits = limits.unwrap_or_else(|key| panic!("C15 wrote no {key}"));
        assert!(
            limits
                .fixed
                .iter()
                .all(|(_, rate, rejected)| rate.is_ok() && rejected.is_ok()),
            "{c15:?}"
        );
    }

    let svg = s.join("charts/limit-comparison.svg");
    write_charts(&loaded, s.path(), false).unwrap();
    let svg = std::fs::read_to_string(&svg).unwrap();
    for panel in [
        "claim C05 on tokio",
        "claim C15 on tokio, in-process",
        "claim C15 on tokio, over TCP",
        "adaptive (ended",
    ] {
        assert!(svg.contains(panel), "the limit chart has no '{panel}'");
    }
}

#[test]
fn an_unknown_claim_is_bad_input() {
    let s = Scratch::new("bad-input");
    let out = support::run(s.path(), &["claims", "--only", "C99"], &[]);
    assert_eq!(out.code, 2);
    let stderr = &out.stderr;
    assert!(
        stderr.contains("C99") && stderr.contains("accepted"),
        "{stderr}"
    );
    let out = support::run(s.path(), &["claims", "--scale", "2"], &[]);
    assert_eq!(out.code, 2);
    let out = support::run(s.path(), &["claims", "--rounds", "3"], &[]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("from 5"), "{}", out.stderr);
}
