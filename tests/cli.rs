//! End-to-end tests of the `rtbench` binary: exit codes, messages on stderr and the three
//! output formats on stdout. Every run is kept tiny (a few tasks, 1ms waits, small factorials).

mod support;

use std::collections::BTreeMap;

use support::{Run, Scratch, json_cells, shows_panic, text, whole};

/// Keys every result cell carries, in JSON objects and as CSV columns.
const CELL_KEYS: &[&str] = &[
    "runtime",
    "workload",
    "tasks",
    "limit",
    "workers",
    "completed",
    "checksum",
    "wall_seconds",
    "ideal_seconds",
    "efficiency",
    "throughput_per_second",
    "cpu_user_seconds",
    "cpu_sys_seconds",
    "voluntary_switches",
    "involuntary_switches",
];

/// Runs the binary with `args` in a fresh scratch folder (runs write their results
/// folder there; it is removed after the run).
fn rtbench(args: &[&str]) -> Run {
    support::run(Scratch::new("run").path(), args, &[])
}

/// [`rtbench`], requiring exit code 0 and no panic.
fn rtbench_ok(args: &[&str]) -> Run {
    support::run_ok(Scratch::new("run").path(), args, &[])
}

fn registry_names() -> Vec<&'static str> {
    rtbench::runtime::REGISTRY
        .iter()
        .map(|r| r.name())
        .collect()
}

fn has_async_std() -> bool {
    registry_names().contains(&"async-std")
}

#[test]
fn bad_input_exits_2_with_a_message_naming_the_value_and_what_is_accepted() {
    // (arguments after `run`, fragments stderr must contain)
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["--runtime", "nosuch"],
            &["'nosuch'", "accepted", "tokio", "smol", "sequential", "all"],
        ),
        (
            &["--workload", "disk"],
            &["'disk'", "accepted", "io", "cpu", "mixed"],
        ),
        (&["--tasks", "0"], &["'0'", "--tasks", "accepted", ">= 1"]),
        (&["--latency", "10"], &["'10'", "no unit", "accepted", "ms"]),
        (
            &["--latency", "10parsecs"],
            &["'10parsecs'", "unknown unit 'parsecs'", "accepted", "ms"],
        ),
        (
            &["--limit", "semaphore:0"],
            &["'semaphore:0'", "at least 1", "accepted", "pool:N"],
        ),
        (
            &["--limit", "gate:3"],
            &["'gate:3'", "unknown strategy", "accepted", "semaphore:N"],
        ),
        (
            &["--workers", "0"],
            &["'0'", "--workers", "accepted", ">= 1"],
        ),
        (
            &["--steps", "3,,4"],
            &["'3,,4'", "--steps", "empty item", "accepted"],
        ),
        (
            &["--runtime", "all,tokio"],
            &["'all,tokio'", "stands alone", "accepted"],
        ),
        (&["--seed", "x"], &["'x'", "--seed", "accepted"]),
        (&["--warmup", "-1"], &["'-1'", "--warmup", "accepted"]),
        (
            &["--serve-sweeps", "0"],
            &["'0'", "--serve-sweeps", "accepted", "1 to 20"],
        ),
        // Explicitly chosen runtimes that refuse the limit: an error, not a skip.
        (
            &["--runtime", "sequential", "--limit", "semaphore:5"],
            &["sequential", "semaphore:5", "use unbounded"],
        ),
        (
            &["--runtime", "rayon", "--limit", "semaphore:2"],
            &["rayon", "semaphore:2", "pool:N", "batches:N"],
        ),
    ];
    let mut failures = Vec::new();
    for (extra, fragments) in cases {
        let args: Vec<&str> = std::iter::once("run")
            .chain(extra.iter().copied())
            .collect();
        let Run {
            code,
            stdout,
            stderr,
            ..
        } = rtbench(&args);
        let mut problems = Vec::new();
        if code != 2 {
            problems.push(format!("exit code {code}, expected 2"));
        }
        if !stdout.is_empty() {
            problems.push(format!("stdout not empty: {stdout:?}"));
        }
        if !stderr.starts_with("error: ") {
            problems.push("stderr does not start with 'error: '".into());
        }
        if shows_panic(&stderr) {
            problems.push("panic trace on stderr".into());
        }
        // Refused before any work starts: no progress lines.
        if stderr.contains("[1/") {
            problems.push("a cell was started".into());
        }
        for f in *fragments {
            if !stderr.contains(f) {
                problems.push(format!("stderr lacks {f:?}"));
            }
        }
        if !problems.is_empty() {
            failures.push(format!("rtbench {args:?}: {problems:?}\nstderr:\n{stderr}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn all_skips_runtimes_that_refuse_the_limit_and_runs_the_rest() {
    let Run { stdout, stderr, .. } = rtbench_ok(&[
        "run",
        "--runtime",
        "all",
        "--limit",
        "semaphore:3",
        "--workload",
        "io",
        "--tasks",
        "6",
        "--latency",
        "1ms",
        "--warmup",
        "0",
        "--format",
        "json",
    ]);
    let refusing = ["sequential", "crossbeam-pool", "rayon", "processes"];
    for name in refusing {
        assert!(
            stderr
                .lines()
                .any(|l| l.starts_with(&format!("note: skipped {name}: "))),
            "no skip note for {name}\nstderr:\n{stderr}"
        );
    }
    let cells = json_cells(&stdout);
    let ran: Vec<&str> = cells.iter().map(|c| text(c, "runtime")).collect();
    let expected: Vec<&str> = registry_names()
        .into_iter()
        .filter(|n| !refusing.contains(n))
        .collect();
    assert_eq!(ran, expected, "cells run under semaphore:3");
    for c in &cells {
        assert_eq!(text(c, "workload"), "io");
        assert_eq!(text(c, "limit"), "semaphore:3");
        assert_eq!(whole(c, "completed"), 6, "{c:?}");
        assert_eq!(whole(c, "concurrency"), 3, "{c:?}");
        assert!(c["error"].is_null(), "{c:?}");
    }
}

#[test]
fn json_has_every_runtime_and_workload_with_matching_checksums() {
    let stdout = rtbench_ok(&[
        "run",
        "--runtime",
        "all",
        "--workload",
        "all",
        "--tasks",
        "12",
        "--latency",
        "1ms",
        "--compute",
        "300",
        "--steps",
        "2,1",
        "--warmup",
        "0",
        "--format",
        "json",
    ])
    .stdout;
    let cells = json_cells(&stdout);
    let names = registry_names();
    assert_eq!(cells.len(), 4 * names.len(), "cells:\n{stdout}");

    for c in &cells {
        for key in CELL_KEYS {
            assert!(c.get(*key).is_some(), "cell lacks '{key}': {c}");
        }
        assert_eq!(whole(c, "completed"), 12, "{c:?}");
        assert_eq!(whole(c, "tasks"), 12, "{c:?}");
        assert!(c["error"].is_null(), "{c:?}");
        let legacy = c["legacy"].as_bool().expect("legacy is a bool");
        assert_eq!(legacy, text(c, "runtime") == "async-std", "{c:?}");
    }

    // workload -> (runtime -> checksum)
    let mut by_workload: BTreeMap<&str, BTreeMap<&str, &str>> = BTreeMap::new();
    for c in &cells {
        let prev = by_workload
            .entry(text(c, "workload"))
            .or_default()
            .insert(text(c, "runtime"), text(c, "checksum"));
        assert!(prev.is_none(), "duplicate cell {c:?}");
    }
    assert_eq!(
        by_workload.keys().copied().collect::<Vec<_>>(),
        ["cpu", "io", "mixed", "net"]
    );
    for (workload, sums) in &by_workload {
        assert_eq!(
            sums.keys().copied().collect::<Vec<_>>(),
            {
                let mut n = names.clone();
                n.sort_unstable();
                n
            },
            "runtimes for {workload}"
        );
        let reference = sums["sequential"];
        for (runtime, sum) in sums {
            assert_eq!(
                sum, &reference,
                "{runtime} {workload} checksum differs from sequential's"
            );
        }
    }
    // Different workloads do different work.
    let distinct: std::collections::BTreeSet<&str> =
        by_workload.values().map(|s| s["sequential"]).collect();
    assert_eq!(distinct.len(), 4, "checksums per workload: {by_workload:?}");
}

#[test]
fn csv_has_a_header_with_the_cell_keys_and_one_row_per_cell() {
    let stdout = rtbench_ok(&[
        "run",
        "--format",
        "csv",
        "--runtime",
        "tokio,threads",
        "--workload",
        "cpu",
        "--tasks",
        "4",
        "--compute",
        "100",
        "--warmup",
        "0",
    ])
    .stdout;
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("CSV header")
        .iter()
        .map(String::from)
        .collect();
    for key in CELL_KEYS {
        assert!(
            header.iter().any(|h| h == key),
            "CSV header lacks '{key}': {header:?}"
        );
    }
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader
        .records()
        .collect::<Result<_, _>>()
        .expect("CSV rows");
    assert_eq!(rows.len(), 2, "rows:\n{stdout}");
    let runtimes: Vec<&str> = rows.iter().map(|r| &r[col("runtime")]).collect();
    assert_eq!(runtimes, ["tokio", "threads"]);
    for r in &rows {
        assert_eq!(r.len(), header.len());
        assert_eq!(&r[col("workload")], "cpu");
        assert_eq!(&r[col("tasks")], "4");
        assert_eq!(&r[col("completed")], "4");
        assert_eq!(&r[col("error")], "");
    }
    assert_eq!(
        rows[0][col("checksum")],
        rows[1][col("checksum")],
        "checksums differ:\n{stdout}"
    );
}

#[test]
fn table_is_the_default_with_a_row_per_cell() {
    let Run { stdout, stderr, .. } = rtbench_ok(&[
        "run",
        "--runtime",
        "all",
        "--workload",
        "cpu",
        "--tasks",
        "4",
        "--compute",
        "100",
        "--warmup",
        "0",
    ]);
    let mut lines = stdout.lines();
    let header = lines.next().expect("a header line");
    let words: Vec<&str> = header.split_whitespace().collect();
    assert!(
        words.contains(&"eff") || words.contains(&"efficiency"),
        "header: {header}"
    );
    assert!(words.contains(&"runtime"), "header: {header}");
    let rows: Vec<&str> = lines.filter(|l| !l.trim().is_empty()).collect();
    let names = registry_names();
    assert_eq!(rows.len(), names.len(), "table:\n{stdout}");
    for (row, name) in rows.iter().zip(&names) {
        let label = if *name == "async-std" {
            "async-std (legacy)".to_string()
        } else {
            name.to_string()
        };
        assert!(
            row.starts_with(&format!("{label} ")),
            "row for {name} is {row:?}"
        );
        assert!(row.contains(" cpu "), "{row:?}");
        assert!(row.trim_end().ends_with(" ok"), "{row:?}");
    }
    if has_async_std() {
        assert!(stdout.contains("async-std (legacy)"), "table:\n{stdout}");
        assert!(stderr.contains("async-std is legacy"), "stderr:\n{stderr}");
    }
    // Progress goes to stderr, not into the table.
    assert!(!stdout.contains("[1/"), "progress on stdout:\n{stdout}");
    // Every cell runs the default 6 repetitions, one progress line each.
    assert!(stderr.contains(&format!("[{n}/{n}]", n = names.len() * 6)));
}

#[test]
fn run_help_documents_the_limit_forms() {
    let stdout = rtbench_ok(&["run", "--help"]).stdout;
    // clap prints a flag's text on its line, or on the next one in the long layout.
    let lines: Vec<&str> = stdout.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim_start().starts_with("--limit"))
        .unwrap_or_else(|| panic!("no --limit in help:\n{stdout}"));
    let limit_line = lines[at..(at + 2).min(lines.len())].join(" ");
    for form in ["unbounded", "semaphore:N", "batches:N", "pool:N"] {
        assert!(
            limit_line.contains(form),
            "--limit help lacks {form}: {limit_line}"
        );
    }
    for flag in [
        "--runtime",
        "--workload",
        "--latency",
        "--format",
        "--workers",
    ] {
        assert!(stdout.contains(flag), "help lacks {flag}:\n{stdout}");
    }
}

#[test]
fn probes_alone_keep_unit_starts_and_pool_jobs_apart() {
    let s = Scratch::new("probes");
    let args = s.args_with_out(&["run", "--probes", "--runtime", "threads,rayon"], "out");
    let run = support::run_ok(s.path(), &args, &[]);
    for part in ["timer probe", "spawn probe, start", "spawn probe, job"] {
        assert!(run.stdout.contains(part), "no {part:?} in\n{}", run.stdout);
    }
    let summary = support::read_json(&s.join("out/summary.json"));
    assert_eq!(text(&summary, "profile"), "probes");
    assert!(support::array(&summary, "cells").is_empty());
    let spawn: Vec<(&str, &str, &str)> = support::array(&summary, "spawn")
        .iter()
        .map(|p| (text(p, "runtime"), text(p, "kind"), text(p, "unit")))
        .collect();
    assert_eq!(
        spawn,
        [
            ("threads", "start", "thread"),
            ("rayon", "start", "task"),
            ("rayon", "job", "job")
        ]
    );
    let timers = support::array(&summary, "timers");
    assert_eq!(timers.len(), 4, "two sleeps per runtime");
    for t in timers {
        assert_eq!(support::field(t, "inside_unit"), true, "{t}");
        let (sleep, whole) = (
            support::num(t, "median_seconds"),
            support::num(t, "whole_seconds"),
        );
        assert!(whole >= sleep, "the whole unit includes its sleep: {t}");
    }
}
