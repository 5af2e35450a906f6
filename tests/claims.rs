//! `rtbench claims` through the binary: the claims whose figures the notes state exactly
//! get the verdicts they must, and C06's counts are exact.

mod support;

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
    let count = |label_end: &str| -> Vec<f64> {
        figures
            .iter()
            .filter(|f| f["label"].as_str().unwrap().ends_with(label_end))
            .map(|f| f["value"].as_f64().unwrap())
            .collect()
    };
    let unbounded = count("rejected, no limit");
    let bounded = count("rejected, semaphore(10)");
    assert!(
        !unbounded.is_empty() && unbounded.len() == bounded.len(),
        "{c06}"
    );
    assert!(
        unbounded.iter().all(|&n| n == 40.0),
        "50 calls at once against capacity 10: {unbounded:?}"
    );
    assert!(
        bounded.iter().all(|&n| n == 0.0),
        "under semaphore(10): {bounded:?}"
    );
    let file = read_json(&s.join("out/claims.json"));
    assert_eq!(file["claims"].as_array().unwrap().len(), 4);
    assert!(file["machine"]["cores"].as_u64().unwrap() >= 1);
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
}
