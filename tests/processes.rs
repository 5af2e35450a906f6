//! The processes runtime through the binary: same checksums as sequential, crashes and
//! malformed answers fail the cell (not the run, never a hang), no worker outlives a run
//! or its killed parent, and a cell's memory counts only the workers alive at once.

mod support;

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{Run, Scratch, field, json_cells, num, whole};

/// A scratch folder and a mark (an environment variable) that tags every process of one
/// run; the marked processes left when it is dropped are killed.
struct Marked {
    scratch: Scratch,
    mark: String,
}

impl Marked {
    fn new(name: &str) -> Marked {
        let mark = format!("{name}-{}-{:?}", std::process::id(), Instant::now());
        Marked {
            scratch: Scratch::new(name),
            mark,
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = support::command(
            self.scratch.path(),
            &self.scratch.args_with_out(args, "results"),
        );
        c.env("RTBENCH_TEST_MARK", &self.mark);
        c
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut env = env.to_vec();
        env.push(("RTBENCH_TEST_MARK", &self.mark));
        support::run(
            self.scratch.path(),
            &self.scratch.args_with_out(args, "results"),
            &env,
        )
    }

    /// Pids of live processes carrying this mark (zombies excluded).
    fn marked(&self) -> Vec<u32> {
        let needle = format!("RTBENCH_TEST_MARK={}", self.mark);
        let me = std::process::id();
        std::fs::read_dir("/proc")
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
            .filter(|&pid| pid != me)
            .filter(|pid| {
                let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
                let live = std::fs::read_to_string(format!("/proc/{pid}/stat"))
                    .map(|s| !s.contains(") Z "))
                    .unwrap_or(false);
                live && environ.split(|&b| b == 0).any(|kv| kv == needle.as_bytes())
            })
            .collect()
    }

    /// Waits up to 3 s for every marked process to end; fails with `what` if some are left.
    fn assert_all_end_within_3s(&self, what: &str) {
        let since = Instant::now();
        while !self.marked().is_empty() && since.elapsed() < Duration::from_secs(3) {
            thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(self.marked(), Vec::<u32>::new(), "{what}");
    }
}

impl Drop for Marked {
    fn drop(&mut self) {
        for pid in self.marked() {
            // SAFETY: kill(2) on a leftover process this test started.
            unsafe { libc::kill(pid as i32, libc::SIGKILL) };
        }
        // The scratch folder is removed after this, when the field drops.
    }
}

#[test]
fn processes_match_sequential_on_every_workload_and_leave_no_worker() {
    let s = Marked::new("checksums");
    for limit in ["unbounded", "pool:3", "batches:2"] {
        // sequential refuses every limit but unbounded: it joins that run only.
        let runtimes = if limit == "unbounded" {
            "sequential,processes"
        } else {
            "processes"
        };
        let out = s.run(
            &[
                "run",
                "--runtime",
                runtimes,
                "--limit",
                limit,
                "--workload",
                "all",
                "--tasks",
                "7",
                "--latency",
                "1ms",
                "--compute",
                "200",
                "--steps",
                "2,1",
                "--warmup",
                "0",
                "--repeat",
                "1",
                "--format",
                "json",
            ],
            &[],
        );
        assert!(out.code == 0, "{limit}: {}", out.stderr);
        for c in json_cells(&out.stdout) {
            assert_eq!(field(&c, "error"), &Value::Null, "{limit}: {c}");
            assert_eq!(field(&c, "completed"), 7, "{limit}: {c}");
            assert_eq!(
                field(&c, "checksum"),
                field(&c, "expected_checksum"),
                "{limit}: {c}"
            );
            if field(&c, "runtime") == "processes" {
                assert!(field(&c, "child_processes").as_u64().unwrap() >= 2, "{c}");
                assert!(
                    field(&c, "workers_maxrss_sum_bytes").as_u64().unwrap() > 0,
                    "{c}"
                );
            }
        }
        assert_eq!(
            s.marked(),
            Vec::<u32>::new(),
            "{limit}: processes left after the run"
        );
    }
}

#[test]
fn memory_counts_the_workers_alive_at_once_not_every_worker() {
    // 60 workers, 10 at a time, each living at least its 20 ms wait: the parent's 10 ms
    // samples see batches of about 10, never 60.
    let s = Marked::new("live-memory");
    let out = s.run(
        &[
            "run",
            "--runtime",
            "processes",
            "--workload",
            "io",
            "--tasks",
            "60",
            "--limit",
            "batches:10",
            "--latency",
            "20ms",
            "--warmup",
            "0",
            "--repeat",
            "1",
            "--format",
            "json",
        ],
        &[],
    );
    assert!(out.code == 0, "{}", out.stderr);
    let cells = json_cells(&out.stdout);
    let [c] = &cells[..] else {
        panic!("one cell expected: {}", out.stdout)
    };
    assert_eq!(field(c, "error"), &Value::Null, "{c}");
    assert_eq!(whole(c, "child_processes"), 60, "{c}");
    // The old figure: each of the 60 workers' own peak, added up.
    let summed = whole(c, "workers_maxrss_sum_bytes");
    let one_worker = summed / 60;
    let live_rss = whole(c, "live_peak_rss_bytes");
    let live_pss = whole(c, "live_peak_pss_bytes");
    assert!(whole(c, "live_samples") >= 1, "{c}");
    assert!(whole(c, "live_pss_samples") >= 1, "{c}");
    // The cell's process and 10 workers are about 11 workers' worth: wide margins both ways.
    assert!(
        live_rss >= 2 * one_worker,
        "{live_rss} vs {one_worker}: {c}"
    );
    assert!(
        live_rss < 15 * one_worker,
        "{live_rss} vs {one_worker}: {c}"
    );
    assert!(summed > 3 * live_rss, "{summed} vs {live_rss}: {c}");
    // PSS <= RSS for every process (a worker may grow between the two reads: a margin).
    assert!(live_pss > 0 && live_pss <= live_rss + one_worker, "{c}");
    // The footprint is read from outside; watching costs far less CPU than the cell used.
    let watching = num(c, "live_sampler_cpu_seconds");
    let cell_cpu = num(c, "cpu_user_seconds") + num(c, "cpu_sys_seconds");
    assert!(
        watching > 0.0 && watching < cell_cpu,
        "{watching} vs {cell_cpu}: {c}"
    );
}

#[test]
fn a_crashing_or_babbling_worker_fails_its_cell_not_the_run() {
    let s = Marked::new("faults");
    for (fault, expect) in [("crash", "SIGABRT"), ("garbage", "malformed output")] {
        for limit in ["unbounded", "pool:2"] {
            let out = s.run(
                &[
                    "run",
                    "--runtime",
                    "processes",
                    "--limit",
                    limit,
                    "--workload",
                    "io",
                    "--tasks",
                    "4",
                    "--latency",
                    "1ms",
                    "--warmup",
                    "0",
                    "--repeat",
                    "1",
                    "--cell-timeout",
                    "30s",
                    "--format",
                    "json",
                ],
                &[("RTBENCH_WORKER_FAULT", fault)],
            );
            assert!(
                out.elapsed < Duration::from_secs(20),
                "{fault} {limit}: took {:?}",
                out.elapsed
            );
            assert!(out.code == 0, "{fault} {limit}: the run itself must finish");
            let c = &json_cells(&out.stdout)[0];
            assert_eq!(field(c, "error_kind"), "worker", "{fault} {limit}: {c}");
            let error = field(c, "error").as_str().unwrap();
            assert!(error.contains(expect), "{fault} {limit}: {error}");
            assert_eq!(
                s.marked(),
                Vec::<u32>::new(),
                "{fault} {limit}: processes left"
            );
        }
    }
}

#[test]
fn workers_die_with_a_killed_run() {
    let s = Marked::new("orphans");
    let mut child = s
        .command(&[
            "run",
            "--runtime",
            "processes",
            "--limit",
            "pool:3",
            "--workload",
            "io",
            "--tasks",
            "30",
            "--latency",
            "2s",
            "--warmup",
            "0",
            "--repeat",
            "1",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The run, its cell process and 3 workers: wait for all five.
    let deadline = Instant::now() + Duration::from_secs(20);
    while s.marked().len() < 5 && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(50));
    }
    assert!(
        s.marked().len() >= 5,
        "workers never started: {:?}",
        s.marked()
    );
    child.kill().unwrap();
    child.wait().unwrap();
    s.assert_all_end_within_3s("processes outlived the killed run");
}

/// A worker asks to die with its parent, then checks that its parent is the one named on
/// its command line. One whose parent is not (as when the parent died before the request
/// took hold and the worker was handed to another process) exits at once, though its stdin
/// is still open; one whose parent is answers a job and exits at stdin EOF.
#[test]
fn a_worker_serves_only_the_parent_that_started_it() {
    let worker = |parent: u32| {
        Command::new(support::BIN)
            .args(["__worker", &parent.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap()
    };
    // pid 1 is never this test: the worker's parent differs from the one named.
    let mut orphan = worker(1);
    let started = Instant::now();
    let status = loop {
        if let Some(status) = orphan.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(10) {
            orphan.kill().unwrap();
            panic!("a worker whose parent is not the one named still runs after 10 s");
        }
        thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(status.code(), Some(1), "{status}");
    let mut answered = String::new();
    orphan
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut answered)
        .unwrap();
    assert_eq!(answered, "", "a worker without its parent answered");

    let mut served = worker(std::process::id());
    let mut stdin = served.stdin.take().unwrap();
    stdin.write_all(b"{\"index\":3,\"steps\":[]}\n").unwrap();
    drop(stdin);
    let out = served.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", out.status);
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(field(&answer, "index"), 3, "{answer}");
}

/// The race the check closes: a parent that exits right after starting a worker, maybe
/// before the worker set PR_SET_PDEATHSIG. `sh` starts a worker in the background naming
/// itself as the parent (its stdin a pipe this test holds open: at EOF it would exit anyway)
/// and exits; the worker must be gone soon after, by the signal or by the check. The same
/// script with a shell that waits keeps its worker running, so the worker did start.
#[test]
fn a_worker_whose_parent_exits_at_once_exits_too() {
    let s = Marked::new("early-exit");
    let shell = |then: &str| {
        // A background command's stdin is /dev/null: the pipe goes through fd 3.
        let script = format!(r#"exec 3<&0; "$0" __worker $$ <&3 3<&- & {then}"#);
        Command::new("sh")
            .args(["-c", &script, support::BIN])
            .env("RTBENCH_TEST_MARK", &s.mark)
            .stdin(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let mut waits = shell("wait");
    thread::sleep(Duration::from_millis(300));
    assert_eq!(s.marked().len(), 2, "the shell and its worker should run");
    drop(waits.stdin.take());
    assert!(waits.wait().unwrap().success());

    let mut exits = shell("exit 0");
    let pipe = exits.stdin.take();
    assert!(exits.wait().unwrap().success());
    // The worker was forked before the shell exited: it is marked until it ends.
    s.assert_all_end_within_3s("a worker outlived the parent that exited right after starting it");
    drop(pipe);
}
