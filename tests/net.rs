//! The `net` workload's failures: a latency server that dies in the middle of a run fails
//! that run cleanly on every runtime (no hang, the failure named), and an open-files limit
//! lowered for rtbench (`ulimit -n` in the shell that starts it) fails the cell with EMFILE
//! and the limit named. That every runtime's replies sum to sequential's checksum is in
//! runtimes.rs (its matrix includes `net`).

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use rtbench::limit::Limit;
use rtbench::runtime::{self, Setup, Variant, net};
use rtbench::workload::{Latency, WorkloadSpec};
use support::{BIN, Scratch, json_cells, text};

/// A limit every runtime takes that keeps at least 10 tasks in flight.
fn roomy(name: &str) -> Limit {
    match name {
        "crossbeam-pool" | "rayon" => Limit::Pool(10),
        _ => Limit::Unbounded,
    }
}

#[test]
fn a_server_killed_mid_run_fails_the_run_on_every_runtime() {
    for rt in runtime::REGISTRY {
        let spec = WorkloadSpec {
            calls: 3,
            ..WorkloadSpec::net(20, Latency::Fixed(Duration::from_millis(300)))
        };
        let server = net::server_for(&spec)
            .expect("starting the latency server")
            .expect("net has a server");
        let work = Arc::new(net::work_for(&spec, Some(&server)));
        let limit = roomy(rt.name());
        let mut instance = rt
            .start(&Setup {
                workers: 2,
                limit,
                tasks: spec.tasks,
                variant: Variant::Normal,
            })
            .unwrap_or_else(|e| panic!("{}: start: {e}", rt.name()));
        let pid = server.pid() as libc::pid_t;
        let killer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            // SAFETY: kill(2) on the server process this test started (reaped by its drop).
            unsafe { libc::kill(pid, libc::SIGKILL) };
        });
        let began = Instant::now();
        let result = instance.run(&work);
        let took = began.elapsed();
        killer.join().unwrap();
        drop(server);
        let err = match result {
            Ok(o) => panic!("{}: a run whose server died succeeded: {o:?}", rt.name()),
            Err(e) => e,
        };
        assert!(
            matches!(err.kind(), "io" | "os-limit"),
            "{}: {} ({err})",
            rt.name(),
            err.kind()
        );
        assert!(
            err.to_string().contains("latency server"),
            "{}: the failure does not name the server: {err}",
            rt.name()
        );
        // Planned: 20 tasks x 3 calls x 300 ms = 18 s one after another. Failing tasks
        // end the rest at once, so even sequential ends far sooner.
        assert!(
            took < Duration::from_secs(10),
            "{}: the failed run took {took:?}",
            rt.name()
        );
    }
}

#[test]
fn an_open_files_limit_fails_the_cell_with_emfile_named() {
    let s = Scratch::new("net-emfile");
    let out = s.path().join("out");
    let out = out.to_str().expect("a UTF-8 scratch path");
    // `ulimit -n` sets the soft and the hard limit, so rtbench cannot raise it back.
    let script = r#"ulimit -n 48 && exec "$0" "$@""#;
    let run = std::process::Command::new("sh")
        .args(["-c", script, BIN])
        .args([
            "run",
            "--runtime",
            "tokio",
            "--workload",
            "net",
            "--tasks",
            "200",
            "--latency",
            "50ms",
            "--warmup",
            "0",
            "--repeat",
            "1",
            "--format",
            "json",
            "--out",
            out,
        ])
        .current_dir(s.path())
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("starting sh");
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(run.status.code(), Some(2), "not bad input: {stderr}");
    let cells = json_cells(&stdout);
    assert_eq!(cells.len(), 1, "{stdout}\n{stderr}");
    let cell = &cells[0];
    assert_eq!(text(cell, "error_kind"), "os-limit", "{cell}");
    let error = text(cell, "error");
    assert!(error.contains("ulimit -n"), "{error}");
    assert!(error.contains("too many open files"), "{error}");
}
