//! `rtbench claims --python`: the CPython column beside the Rust one, and its absence
//! handled when there is no python3.

use std::process::Command;

use serde_json::Value;

fn claims(args: &[&str], path: Option<&str>, tag: &str) -> (std::process::Output, Vec<Value>) {
    let dir = std::env::temp_dir().join(format!("rtbench-python-{}-{tag}", std::process::id()));
    let mut c = Command::new(env!("CARGO_BIN_EXE_rtbench"));
    c.arg("claims")
        .args(args)
        .args(["--format", "json", "--out"])
        .arg(&dir)
        .current_dir(std::env::temp_dir());
    if let Some(p) = path {
        c.env("PATH", p);
    }
    let out = c.output().expect("rtbench starts");
    let results = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    (out, results)
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
    let (out, results) = claims(&["--python", "--only", "C01,C06"], None, "both");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
    let (out, results) = claims(&["--python", "--only", "C06"], Some("/nonexistent"), "none");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("no python3 on PATH"), "{stderr}");
    assert_eq!(results.len(), 1);
    assert!(results[0]["verdict"].is_string());
    assert!(results[0]["python"].is_null());
}
