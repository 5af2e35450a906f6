//! The processes runtime through the binary: same checksums as sequential, crashes and
//! malformed answers fail the cell (not the run, never a hang), no worker outlives a run
//! or its killed parent, and a cell's memory counts only the workers alive at once.

mod support;

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
    let killed = Instant::now();
    while !s.marked().is_empty() && killed.elapsed() < Duration::from_secs(3) {
        thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        s.marked(),
        Vec::<u32>::new(),
        "processes outlived the killed run"
    );
}
