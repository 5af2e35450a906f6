//! `rtbench compare` on the small fixture folder: against itself, against a forged copy
//! with one cell twice as slow (the regression gate), and bad input.

mod support;

use std::fs;

use support::{Scratch, fixture_dir, forged_fixture, run, shows_panic};

/// The first working cell of a summary.json value.
fn first_working(v: &mut serde_json::Value) -> &mut serde_json::Value {
    v["cells"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|c| c["error"].is_null())
        .unwrap()
}

/// A copy of the fixture folder with its first working cell `factor` times slower.
fn forged(scratch: &Scratch, factor: f64) -> std::path::PathBuf {
    forged_fixture(&scratch.join("forged"), |v| {
        let cell = first_working(v);
        for k in [
            "wall_seconds",
            "wall_min_seconds",
            "wall_max_seconds",
            "wall_ci_low_seconds",
            "wall_ci_high_seconds",
        ] {
            if let Some(x) = cell[k].as_f64() {
                cell[k] = serde_json::json!(x * factor);
            }
        }
    })
}

#[test]
fn a_folder_against_itself_is_all_same_and_passes_the_gate() {
    let s = Scratch::new("compare-self");
    let a = fixture_dir();
    let a = a.to_str().unwrap();
    let r = run(s.path(), &["compare", a, a, "--fail-if-slower"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(" 0 faster, 0 slower, "), "{}", r.stdout);
    assert!(
        r.stdout.contains("0 only in A, 0 only in B"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("machines: no difference recorded"),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("gate: pass"), "{}", r.stderr);
}

#[test]
fn a_forged_cell_twice_as_slow_is_flagged_and_fails_the_gate() {
    let s = Scratch::new("compare-forged");
    let b = forged(&s, 2.0);
    let a = fixture_dir();
    let args = [a.to_str().unwrap(), b.to_str().unwrap()];
    let r = run(
        s.path(),
        &["compare", args[0], args[1], "--fail-if-slower"],
        &[],
    );
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("2.00x [") && r.stdout.contains(" slower"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains(" 1 slower, "), "{}", r.stdout);
    assert!(
        r.stderr.contains("gate: FAIL") && r.stderr.contains(": 1 cell(s) slower beyond 10%"),
        "{}",
        r.stderr
    );
    // Without the gate it only reports; JSON carries the word.
    let r = run(
        s.path(),
        &["compare", args[0], args[1], "--format", "json"],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let words: Vec<&str> = v[0]["comparison"]["matched"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["word"].as_str())
        .collect();
    assert_eq!(words.iter().filter(|w| **w == "slower").count(), 1);
    // The fixture's memory, probes and knees are there, unchanged.
    let tables = v[0]["comparison"]["measures"].as_array().unwrap();
    assert_eq!(tables.len(), 4, "{tables:?}");
    assert!(r.stdout.contains("\"title\": \"server knee\""));
}

#[test]
fn bad_input_exits_2_naming_what_is_wrong() {
    let s = Scratch::new("compare-bad");
    let a = fixture_dir();
    let a = a.to_str().unwrap();
    let missing = s.join("nothing-here");
    // A folder written by a later rtbench, whose schema this one cannot read.
    let newer = forged(&s, 1.0);
    let path = newer.join("summary.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    v["schema_version"] = serde_json::json!(99);
    fs::write(&path, serde_json::to_string(&v).unwrap()).unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["compare", a, missing.to_str().unwrap()],
            "summary.json",
        ),
        (
            vec!["compare", a, a, "--threshold", "ten"],
            "'ten' is not accepted",
        ),
        (vec!["compare", a], "2 values required"),
        (
            vec!["compare", a, newer.to_str().unwrap()],
            "schema_version is 99, this rtbench reads versions 1 to",
        ),
    ];
    for (args, says) in cases {
        let r = run(s.path(), &args, &[]);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
        assert!(!shows_panic(&r.stderr), "{}", r.stderr);
    }
}

#[test]
fn folders_with_no_cell_in_common_are_bad_input() {
    let s = Scratch::new("compare-disjoint");
    let b = forged(&s, 1.0);
    let path = b.join("summary.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    for c in v["cells"].as_array_mut().unwrap() {
        c["tasks"] = serde_json::json!(c["tasks"].as_u64().unwrap() + 1);
    }
    // Nor any memory, probe or knee row.
    for list in ["memory_models", "timers", "spawn", "serve"] {
        v[list] = serde_json::json!([]);
    }
    fs::write(&path, serde_json::to_string(&v).unwrap()).unwrap();
    let a = fixture_dir();
    let r = run(
        s.path(),
        &["compare", a.to_str().unwrap(), b.to_str().unwrap()],
        &[],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("nothing in common"), "{}", r.stderr);
}

#[test]
fn the_gate_fails_on_a_cell_newly_failing_or_not_run() {
    let s = Scratch::new("compare-gate");
    let a = fixture_dir();
    let failing = forged_fixture(&s.join("failing"), |v| {
        let cell = first_working(v);
        cell["error"] = serde_json::json!("forged: the cell crashed");
        cell["error_kind"] = serde_json::json!("crash");
    });
    let missing = forged_fixture(&s.join("missing"), |v| {
        v["cells"].as_array_mut().unwrap().remove(0);
    });
    for (b, says) in [
        (&failing, "1 cell(s) working in A and failing in B"),
        (&missing, "1 cell(s) in A and not run in B"),
    ] {
        let args = [
            "compare",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--fail-if-slower",
        ];
        let r = run(s.path(), &args, &[]);
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert!(
            r.stderr.contains("gate: FAIL") && r.stderr.contains(says),
            "{}",
            r.stderr
        );
    }
}
