//! End-to-end tests of cell isolation and the results folder: every cell runs in a child
//! process (a panic, an abort or a hang fails that cell only), and an interrupted run leaves
//! valid files and no orphaned cell. What a finished run's folder holds is tested in
//! run_files.rs, the memory pass in memory.rs.
//!
//! Every run gets its own scratch folder as working directory and `--out`, so nothing is
//! written into the repository.

mod support;

use std::fs;
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{BIN, Scratch, array, field, json_cells, num, read_text, text, whole};

// ---- 1. faults inside a cell fail that cell, not the run ----

/// Runs both cells with `--fault`; checks stdout, summary.json and the elapsed time, and
/// returns the error messages of the two cells.
fn faulty_run(fault: &str, kind: &str) -> (Vec<String>, Duration) {
    let s = Scratch::new(&format!("fault-{fault}"));
    let args = [
        "run",
        "--runtime",
        "tokio,threads",
        "--workload",
        "io",
        "--tasks",
        "3",
        "--latency",
        "1ms",
        "--fault",
        fault,
        "--cell-timeout",
        "2s",
        "--format",
        "json",
    ];
    // Not `run_ok`: the cells' panic messages are reported on stderr, so only the hint of
    // a panic of the run itself must be absent.
    let run = support::run(s.path(), &s.args_with_out(&args, "out"), &[]);
    let (stdout, stderr, elapsed) = (run.stdout, run.stderr, run.elapsed);
    assert_eq!(run.code, 0, "rtbench {args:?} failed\nstderr:\n{stderr}");
    assert!(
        !stderr.contains("RUST_BACKTRACE"),
        "rtbench {args:?} panicked\nstderr:\n{stderr}"
    );
    assert!(
        stderr.contains("2 of 2 cells failed"),
        "--fault {fault}: stderr does not count the failed cells:\n{stderr}"
    );
    let cells = json_cells(&stdout);
    let runtimes: Vec<&str> = cells.iter().map(|c| text(c, "runtime")).collect();
    assert_eq!(runtimes, ["tokio", "threads"], "--fault {fault}");
    let mut messages = Vec::new();
    for c in &cells {
        let error = field(c, "error")
            .as_str()
            .unwrap_or_else(|| panic!("--fault {fault}: cell without an error: {c}"));
        assert_eq!(text(c, "error_kind"), kind, "--fault {fault}: {c}");
        assert_eq!(whole(c, "completed"), 0, "--fault {fault}: {c}");
        assert_eq!(whole(c, "repeat"), 0, "--fault {fault}: {c}");
        assert_eq!(num(c, "wall_seconds"), 0.0, "--fault {fault}: {c}");
        messages.push(error.to_string());
    }

    let summary = s.summary();
    assert_eq!(
        field(&summary, "complete"),
        &Value::Bool(true),
        "--fault {fault}"
    );
    let recorded = array(&summary, "cells");
    assert_eq!(recorded.len(), 2, "--fault {fault}: {summary}");
    assert_eq!(
        recorded, &cells,
        "--fault {fault}: summary.json and stdout differ"
    );
    let (header, rows) = s.raw_csv();
    assert!(header.iter().any(|h| h == "wall_seconds"), "{header:?}");
    assert!(
        rows.is_empty(),
        "failed cells have no repetitions: {rows:?}"
    );
    (messages, elapsed)
}

#[test]
fn a_panicking_cell_fails_with_its_panic_message_and_the_run_goes_on() {
    let (messages, _) = faulty_run("panic", "panic");
    for m in messages {
        assert!(m.contains("injected fault"), "{m}");
        assert!(m.contains("exited with code 101"), "{m}");
    }
}

#[test]
fn an_aborting_cell_fails_as_a_crash_naming_sigabrt() {
    let (messages, _) = faulty_run("abort", "crash");
    for m in messages {
        assert!(m.contains("SIGABRT"), "{m}");
    }
}

#[test]
fn a_hanging_cell_is_killed_at_the_cell_timeout() {
    let (messages, elapsed) = faulty_run("hang", "timeout");
    for m in messages {
        assert!(m.contains("--cell-timeout"), "{m}");
        assert!(m.contains("killed"), "{m}");
    }
    // Two cells of 2 s each: the timeout must have ended both, not the hang.
    assert!(
        elapsed >= Duration::from_secs(4),
        "both cells should have waited out the 2s timeout, the run took {elapsed:?}"
    );
    assert!(
        elapsed < Duration::from_secs(10),
        "the hung cells were not killed in time: the run took {elapsed:?}"
    );
}

// ---- 2. an interrupted run ----

/// (parent pid, state) from /proc/<pid>/stat; None if the process is gone.
fn stat_of(pid: i32) -> Option<(i32, char)> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) state ppid ...`; comm may hold spaces and parentheses.
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    Some((ppid, state))
}

fn cmdline_of(pid: i32) -> Vec<String> {
    fs::read(format!("/proc/{pid}/cmdline"))
        .map(|b| {
            b.split(|&c| c == 0)
                .filter(|a| !a.is_empty())
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The spellings of the binary's path a command line may show.
fn bin_paths() -> Vec<String> {
    let mut paths = vec![BIN.to_string()];
    if let Ok(p) = fs::canonicalize(BIN) {
        paths.push(p.to_string_lossy().into_owned());
    }
    paths
}

fn is_rtbench(cmdline: &[String], command: &str) -> bool {
    let bins = bin_paths();
    cmdline.iter().any(|a| bins.contains(a)) && cmdline.iter().any(|a| a == command)
}

/// Live (not zombie) processes running `rtbench __cell`.
fn cell_processes() -> Vec<i32> {
    fs::read_dir("/proc")
        .expect("reading /proc")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| matches!(stat_of(pid), Some((_, state)) if state != 'Z'))
        .filter(|&pid| is_rtbench(&cmdline_of(pid), "__cell"))
        .collect()
}

fn cell_children_of(parent: i32) -> Vec<i32> {
    cell_processes()
        .into_iter()
        .filter(|&pid| matches!(stat_of(pid), Some((ppid, _)) if ppid == parent))
        .collect()
}

fn signal(pid: i32, sig: i32) {
    // SAFETY: kill(2) on a process this test started.
    let rc = unsafe { libc::kill(pid, sig) };
    assert_eq!(rc, 0, "kill({pid}, {sig}) failed");
}

/// A run in the background, killed if the test ends before it does.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// SIGKILLs the run while a cell's process is running, and returns the run's pid and the
/// cell processes it had. Stopping the run first means no new cell starts meanwhile, and
/// the 100 ms pause lets a cell that was just spawned reach its PR_SET_PDEATHSIG; if no
/// cell is running (between two cells), the run goes on a little and this tries again.
fn kill_during_a_cell(run: &mut Child, deadline: Instant) -> (i32, Vec<i32>) {
    let parent = run.id() as i32;
    let children = loop {
        signal(parent, libc::SIGSTOP);
        thread::sleep(Duration::from_millis(100));
        let children = cell_children_of(parent);
        if !children.is_empty() {
            break children;
        }
        signal(parent, libc::SIGCONT);
        if let Some(status) = run.try_wait().unwrap() {
            panic!("the run ended ({status}) before it could be interrupted");
        }
        assert!(
            Instant::now() < deadline,
            "never saw a cell process of the run"
        );
        thread::sleep(Duration::from_millis(15));
    };
    signal(parent, libc::SIGKILL);
    let status = run.wait().expect("waiting for the killed run");
    assert_eq!(status.signal(), Some(libc::SIGKILL), "{status}");
    (parent, children)
}

/// Waits up to 2 s for the cell processes of a killed run to end; kills and names any left.
fn assert_cells_died(parent: i32, children: &[i32]) {
    let killed = Instant::now();
    let alive = |pid: &&i32| cell_processes().contains(pid);
    let mut left: Vec<i32> = children.iter().filter(alive).copied().collect();
    while !left.is_empty() && killed.elapsed() < Duration::from_secs(2) {
        thread::sleep(Duration::from_millis(20));
        left.retain(|pid| alive(&pid));
    }
    for &pid in &left {
        // SAFETY: kill(2) on an orphaned cell process of a run this test started.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
    assert!(
        left.is_empty(),
        "cell processes {left:?} outlived their killed parent {parent} by 2 s (PR_SET_PDEATHSIG)"
    );
}

#[test]
fn a_hanging_cell_dies_with_its_killed_parent() {
    let s = Scratch::new("orphan");
    let args = [
        "run",
        "--runtime",
        "tokio",
        "--workload",
        "io",
        "--tasks",
        "3",
        "--latency",
        "1ms",
        "--fault",
        "hang",
        "--cell-timeout",
        "60s",
    ];
    let mut run = support::command(s.path(), &s.args_with_out(&args, "out"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(Running)
        .expect("failed to start rtbench");
    // The cell hangs until the 60 s timeout: only its parent's death can end it sooner.
    let (parent, children) =
        kill_during_a_cell(&mut run.0, Instant::now() + Duration::from_secs(10));
    assert_eq!(children.len(), 1, "{children:?}");
    assert_cells_died(parent, &children);
    let summary = s.summary();
    assert_eq!(
        field(&summary, "complete"),
        &Value::Bool(false),
        "{summary}"
    );
    assert!(array(&summary, "cells").is_empty(), "{summary}");
}

#[test]
fn an_interrupted_run_leaves_valid_files_and_no_cell_process() {
    let s = Scratch::new("interrupted");
    let args = [
        "run",
        "--runtime",
        "all",
        "--workload",
        "io,mixed",
        "--tasks",
        "20",
        "--latency",
        "20ms",
        "--repeat",
        "2",
    ];
    let mut run = support::command(s.path(), &s.args_with_out(&args, "out"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(Running)
        .expect("failed to start rtbench");
    let deadline = Instant::now() + Duration::from_secs(20);
    let summary_path = s.out().join("summary.json");
    let cells_in_summary = || -> usize {
        fs::read_to_string(&summary_path)
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .and_then(|v| v.get("cells")?.as_array().map(Vec::len))
            .unwrap_or(0)
    };
    while cells_in_summary() == 0 {
        if let Some(status) = run.0.try_wait().unwrap() {
            panic!("the run ended ({status}) before any cell was recorded");
        }
        assert!(
            Instant::now() < deadline,
            "no cell in summary.json after 20 s"
        );
        thread::sleep(Duration::from_millis(20));
    }

    let (parent, children) = kill_during_a_cell(&mut run.0, deadline);
    assert_cells_died(parent, &children);

    let summary = s.summary();
    assert_eq!(
        field(&summary, "complete"),
        &Value::Bool(false),
        "{summary}"
    );
    let cells = array(&summary, "cells");
    assert!(!cells.is_empty(), "{summary}");
    assert!(cells.len() < 16, "the run was not interrupted: {summary}");
    for c in cells {
        assert!(field(c, "error").is_null(), "{c}");
    }
    let (header, rows) = s.raw_csv();
    assert!(header.iter().any(|h| h == "wall_seconds"), "{header:?}");
    // One raw row per repetition recorded so far (cells take turns, so some may have run
    // once only); raw.csv is written just before summary.json, so it may hold one more.
    let repetitions: u64 = cells.iter().map(|c| whole(c, "repeat")).sum();
    assert!(
        rows.len() as u64 >= repetitions && rows.len() as u64 <= repetitions + 1,
        "{} raw rows for {repetitions} repetitions",
        rows.len(),
    );
    let readme = read_text(&s.out().join("README.md"));
    assert!(
        readme.contains("in progress or was interrupted"),
        "README.md:\n{readme}"
    );
}
