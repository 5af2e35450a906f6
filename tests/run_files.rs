//! End-to-end tests of what a finished run writes: the machine, per-cell statistics, the
//! interleaved order of repetitions, raw rows and latency percentiles; and a profile
//! refused when a flag contradicts it.
//!
//! Every run gets its own scratch folder as working directory and `--out`, so nothing is
//! written into the repository.

mod support;

use std::process::Command;

use serde_json::Value;
use support::{Scratch, array, field, json_cells, num, parse_json, read_text, text, whole};

/// `YYYY-MM-DDTHH:MM:SSZ`.
fn is_utc_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 20
        && b.iter().enumerate().all(|(i, &c)| match i {
            4 | 7 => c == b'-',
            10 => c == b'T',
            13 | 16 => c == b':',
            19 => c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

#[test]
fn a_finished_run_records_the_machine_and_per_cell_statistics() {
    let s = Scratch::new("finished");
    let args = [
        "run",
        "--runtime",
        "tokio,threads",
        "--workload",
        "io,mixed",
        "--tasks",
        "5",
        "--latency",
        "1ms",
        "--compute",
        "100",
        "--warmup",
        "0",
        "--repeat",
        "2",
        "--format",
        "json",
    ];
    let r = support::run_ok(s.path(), &s.args_with_out(&args, "out"), &[]);
    let stdout = r.stdout;
    let summary = s.summary();
    // The folder's page is written with it, and named at the end.
    let page = s.join("out/index.html");
    let html = std::fs::read_to_string(&page).expect("index.html beside summary.json");
    assert!(html.contains("data-runtime=\"threads\""), "the cells table");
    assert!(r.stderr.contains("page: "), "{}", r.stderr);
    // Repetitions take turns: round by round, every cell of a group once per round, each
    // repetition's place in the order in raw.csv.
    let order = array(&summary, "order");
    assert_eq!(order.len(), 4 * 2, "2 cells x 2 workloads x 2 repetitions");
    let rounds: Vec<(u64, u64)> = order
        .iter()
        .map(|o| (whole(o, "group"), whole(o, "round")))
        .collect();
    let mut sorted = rounds.clone();
    sorted.sort_unstable();
    assert_eq!(
        rounds, sorted,
        "groups one after another, rounds in turn: {order:?}"
    );
    assert!(
        summary
            .get("order_seed")
            .is_some_and(|s| s.as_u64() == Some(42))
    );
    let (header, rows) = s.raw_csv();
    let at = header
        .iter()
        .position(|h| h == "position")
        .expect("a position column");
    let mut positions: Vec<usize> = rows.iter().map(|r| r[at].parse().unwrap()).collect();
    positions.sort_unstable();
    assert_eq!(positions, (0..8).collect::<Vec<_>>());
    assert_eq!(
        whole(&summary, "schema_version"),
        u64::from(rtbench::results::SCHEMA_VERSION)
    );
    assert_eq!(text(&summary, "profile"), "custom");
    assert_eq!(field(&summary, "complete"), &Value::Bool(true));

    let m = field(&summary, "machine");
    assert!(!text(m, "cpu_model").is_empty(), "{m}");
    assert!(whole(m, "cores") >= 1, "{m}");
    assert!(whole(m, "memory_bytes") > 0, "{m}");
    let kernel = text(m, "kernel");
    assert!(!kernel.is_empty() && kernel != "unknown", "{m}");
    assert!(text(m, "rustc").starts_with("rustc "), "{m}");
    let versions = field(m, "crate_versions");
    for krate in ["tokio", "smol", "rayon"] {
        let v = versions
            .get(krate)
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no version of {krate} in {versions}"));
        assert!(v.starts_with(|c: char| c.is_ascii_digit()), "{krate} {v}");
    }
    let commit = text(m, "git_commit");
    let head = Command::new("git")
        .args(["-C", env!("CARGO_MANIFEST_DIR"), "rev-parse", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    match head {
        Some(head) => assert_eq!(commit, head),
        None => assert_eq!(commit, "unknown"),
    }
    assert!(is_utc_timestamp(text(m, "date")), "{m}");
    let command_line: Vec<&str> = array(m, "command_line")
        .iter()
        .map(|a| a.as_str().expect("command_line holds strings"))
        .collect();
    assert!(command_line.contains(&"run"), "{command_line:?}");
    assert!(command_line.contains(&"--repeat"), "{command_line:?}");
    let limits = field(m, "limits");
    for key in ["threads_max", "max_map_count", "pid_max"] {
        assert!(limits.get(key).is_some(), "no {key} in {limits}");
    }
    assert!(whole(limits, "pid_max") > 0, "{limits}");

    let cells = array(&summary, "cells");
    assert_eq!(cells.len(), 4, "{summary}");
    assert_eq!(
        &parse_json("stdout", &stdout),
        field(&summary, "cells"),
        "stdout and summary.json differ"
    );
    for c in cells {
        assert!(field(c, "error").is_null(), "{c}");
        assert_eq!(whole(c, "repeat"), 2, "{c}");
        assert_eq!(whole(c, "completed"), 5, "{c}");
        assert_eq!(text(c, "checksum"), text(c, "expected_checksum"), "{c}");
        let (lo, mid, hi) = (
            num(c, "wall_min_seconds"),
            num(c, "wall_seconds"),
            num(c, "wall_max_seconds"),
        );
        assert!(
            0.0 < lo && lo <= mid && mid <= hi,
            "wall {lo} {mid} {hi}: {c}"
        );
        let p: Vec<f64> = ["p50", "p90", "p99", "max"]
            .iter()
            .map(|q| num(c, &format!("latency_{q}_seconds")))
            .collect();
        assert!(
            0.0 < p[0] && p[0] <= p[1] && p[1] <= p[2] && p[2] <= p[3],
            "latency percentiles {p:?}: {c}"
        );
        assert!(whole(c, "peak_rss_bytes") > 0, "{c}");
        // No sequential cell here: mixed work's compute cost is timed in the cell's own
        // process before each repetition; io's ideal is its waits.
        let source = if text(c, "workload") == "io" {
            "plans"
        } else {
            "repetition"
        };
        assert_eq!(text(c, "ideal_source"), source, "{c}");
        assert!(num(c, "ideal_seconds") > 0.0, "{c}");
    }

    let (header, rows) = s.raw_csv();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
    };
    let (runtime, workload, repetition) = (col("runtime"), col("workload"), col("repetition"));
    let (wall, ideal) = (col("wall_seconds"), col("ideal_seconds"));
    assert_eq!(rows.len(), 2 * cells.len(), "{rows:?}");
    for c in cells {
        let mine: Vec<&csv::StringRecord> = rows
            .iter()
            .filter(|r| r[runtime] == *text(c, "runtime") && r[workload] == *text(c, "workload"))
            .collect();
        let reps: Vec<&str> = mine.iter().map(|r| &r[repetition]).collect();
        assert_eq!(reps, ["1", "2"], "raw rows of {c}");
        let walls: Vec<f64> = mine.iter().map(|r| r[wall].parse().unwrap()).collect();
        let lo = walls.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = walls.iter().copied().fold(0.0, f64::max);
        assert_eq!(lo, num(c, "wall_min_seconds"), "{walls:?} {c}");
        assert_eq!(hi, num(c, "wall_max_seconds"), "{walls:?} {c}");
        // Each repetition's ideal; for io it is the cell's (its waits).
        let ideals: Vec<f64> = mine.iter().map(|r| r[ideal].parse().unwrap()).collect();
        assert!(ideals.iter().all(|&i| i > 0.0), "{ideals:?} {c}");
        if text(c, "workload") == "io" {
            assert!(
                ideals.iter().all(|&i| i == num(c, "ideal_seconds")),
                "{ideals:?} {c}"
            );
        }
    }
    let readme = read_text(&s.out().join("README.md"));
    assert!(readme.contains("The run finished."), "{readme}");
}

/// Completion latency: each task's time from the start of its run to its end.
#[test]
fn latency_percentiles_are_the_tasks_completion_times() {
    let s = Scratch::new("latency");
    let args = [
        "run",
        "--runtime",
        "sequential,tokio,threads",
        "--workload",
        "io",
        "--tasks",
        "5",
        "--latency",
        "1ms",
        "--warmup",
        "0",
        "--repeat",
        "1",
        "--format",
        "json",
    ];
    let stdout = support::run_ok(s.path(), &s.args_with_out(&args, "out"), &[]).stdout;
    let cells = json_cells(&stdout);
    assert_eq!(cells.len(), 3, "{stdout}");
    for c in &cells {
        assert!(field(c, "error").is_null(), "{c}");
        let (p50, max) = (num(c, "latency_p50_seconds"), num(c, "latency_max_seconds"));
        let wall = num(c, "wall_max_seconds");
        // Every task waits 1 ms before it ends, and none ends after its run (histogram
        // buckets are accurate to 3 significant figures).
        assert!(
            p50 >= 0.001,
            "latency p50 {p50} s is under the 1 ms wait: {c}"
        );
        assert!(
            max <= wall * 1.01,
            "latency max {max} s is over the wall time {wall} s: {c}"
        );
        if text(c, "runtime") == "sequential" {
            // One task after another: the last ends after five waits, at the end of the run.
            assert!(
                max >= 0.005,
                "sequential: the last task ended at {max} s: {c}"
            );
            assert!(
                max >= wall * 0.9,
                "sequential: latency max {max} s, wall {wall} s: {c}"
            );
        }
    }
}

#[test]
fn a_profile_with_a_conflicting_flag_is_refused() {
    let s = Scratch::new("profile-conflict");
    let args = ["run", "--profile", "quick", "--tasks", "5"];
    let run = support::run(s.path(), &s.args_with_out(&args, "out"), &[]);
    let (stdout, stderr) = (run.stdout, run.stderr);
    assert_eq!(run.code, 2, "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(!support::shows_panic(&stderr), "{stderr}");
    assert!(stderr.contains("--tasks"), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        !s.out().exists(),
        "a refused run created its results folder"
    );
}

#[test]
fn a_run_raises_the_open_files_limit_and_records_both() {
    let s = Scratch::new("nofile");
    let args = [
        "run",
        "--runtime",
        "sequential",
        "--workload",
        "io",
        "--tasks",
        "2",
        "--latency",
        "1ms",
        "--warmup",
        "0",
        "--repeat",
        "1",
    ];
    // Started with a low soft limit, as a default shell often gives.
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -Sn 256 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_rtbench"))
        .args(s.args_with_out(&args, "out"))
        .current_dir(s.path())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("sh starts");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let limits = &s.summary()["machine"]["limits"];
    assert_eq!(
        limits["open_files_at_start"].as_u64(),
        Some(256),
        "{limits}"
    );
    let hard = limits["open_files_hard"].as_u64();
    assert!(hard.is_some_and(|h| h >= 256), "{limits}");
    assert_eq!(
        limits["open_files"].as_u64(),
        hard,
        "raised to the hard limit: {limits}"
    );
    assert!(
        limits["somaxconn"].as_u64().is_some_and(|n| n > 0),
        "{limits}"
    );
}
