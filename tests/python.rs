//! `rtbench claims --python`: the CPython column beside the Rust one, and its absence
//! handled when there is no python3.

mod support;

use std::process::Command;

use serde_json::Value;
use support::{Run, Scratch};

/// `rtbench claims <args> --format json` in a scratch folder, with the variables `env`;
/// the run and the claims on stdout (none if stdout is not JSON).
fn claims(args: &[&str], env: &[(&str, &str)], tag: &str) -> (Run, Vec<Value>) {
    let s = Scratch::new(tag);
    let all = [&["claims"], args, &["--format", "json", "--rounds", "5"]].concat();
    let run = support::run(s.path(), &s.args_with_out(&all, "out"), env);
    let results = serde_json::from_str(&run.stdout).unwrap_or_default();
    (run, results)
}

fn has_python() -> bool {
    Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn python_and_rust_columns_side_by_side() {
    if !has_python() {
        eprintln!("no python3 here: the side-by-side test has nothing to compare");
        return;
    }
    let (out, results) = claims(&["--python", "--only", "C01,C06"], &[], "both");
    assert!(out.code == 0, "{}", out.stderr);
    assert_eq!(results.len(), 2);
    for r in &results {
        assert!(r["verdict"].is_string(), "Rust verdict: {r}");
        let py = &r["python"];
        assert!(py.is_object(), "no Python column: {r}");
        assert!(py["error"].is_null(), "Python failed: {py}");
        assert!(py["verdict"].is_string(), "Python verdict: {py}");
        assert!(!py["measured"].as_array().unwrap().is_empty(), "{py}");
    }
}

#[test]
fn without_python_the_rust_table_stands() {
    let (out, results) = claims(
        &["--python", "--only", "C06"],
        &[("PATH", "/nonexistent")],
        "none",
    );
    let stderr = &out.stderr;
    assert!(out.code == 0, "{stderr}");
    assert!(stderr.contains("no python3 on PATH"), "{stderr}");
    assert_eq!(results.len(), 1);
    assert!(results[0]["verdict"].is_string());
    assert!(results[0]["python"].is_null());
}
