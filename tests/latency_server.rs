//! The latency server as its own process, started from the binary: the handle finds it and
//! ends it (no orphan), it ends at stdin's end and with its parent, its CPU is counted, in
//! capacity mode it turns away what exceeds its capacity and counts both, a thousand
//! connections are served at once, and its accuracy probe gives figures (printed:
//! `cargo test --release --test latency_server -- --nocapture probe`).

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use rtbench::netserver::{
    Counts, DEFAULT_PAYLOAD, LISTENING, LatencyServer, Options, PROBE_DELAYS, PROBE_SAMPLES,
    ReplyKind, Request, SERVER_COMMAND, call, connect, decode_reply, expected_reply_word,
    probe_added_delay, reply_kind,
};
use support::BIN;

fn start(payload: usize) -> LatencyServer {
    LatencyServer::start_with(
        Path::new(BIN),
        Options {
            payload,
            ..Options::default()
        },
    )
    .expect("starting the latency server")
}

/// Whether process `pid` is gone or a zombie, waiting up to 5 s for it to be.
fn ends_within_5s(pid: u32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let state = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|s| s.rsplit_once(") ")?.1.chars().next());
        if matches!(state, None | Some('Z' | 'X')) {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_handle_finds_the_server_and_its_replies_are_right() {
    let server = start(100);
    assert!(server.addr().ip().is_loopback());
    assert_ne!(server.addr().port(), 0);
    assert_eq!(server.payload(), 100);
    let mut c = connect(server.addr()).unwrap();
    for token in [3, 1 << 33, u64::MAX] {
        let sent = Instant::now();
        let word = call(&mut c, Duration::from_millis(20), token, 100).unwrap();
        let took = sent.elapsed();
        assert_eq!(word, expected_reply_word(token));
        assert!(took >= Duration::from_millis(20), "answered after {took:?}");
        assert!(
            took < Duration::from_secs(2),
            "answered only after {took:?}"
        );
    }
}

#[test]
fn dropping_the_handle_leaves_no_server_process() {
    let server = start(DEFAULT_PAYLOAD);
    let pid = server.pid();
    assert!(Path::new(&format!("/proc/{pid}")).exists());
    let addr = server.addr();
    drop(server);
    // Killed and reaped by the drop: not even a zombie is left.
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "server {pid} outlived its handle"
    );
    assert!(connect(addr).is_err(), "{addr} still accepts");
}

#[test]
fn the_server_process_ends_at_stdin_eof() {
    let mut child = Command::new(BIN)
        .arg(SERVER_COMMAND)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert!(line.starts_with(LISTENING), "{line}");
    drop(child.stdin.take());
    let pid = child.id();
    assert!(ends_within_5s(pid), "the server outlived its stdin");
    assert!(child.wait().unwrap().success());
}

#[test]
fn the_server_process_dies_with_its_parent() {
    // A shell starts the server with stdin /dev/null, which epoll cannot watch (so no end
    // of file can stop it), and exits: only PR_SET_PDEATHSIG can end the server.
    let mut sh = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "'{BIN}' {SERVER_COMMAND} </dev/null & echo pid $!; sleep 0.5"
        ))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(sh.stdout.take().unwrap());
    let (mut pid, mut listening) = (None, false);
    for _ in 0..2 {
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        if let Some(p) = line.strip_prefix("pid ") {
            pid = p.trim().parse::<u32>().ok();
        }
        listening |= line.starts_with(LISTENING);
    }
    let pid = pid.expect("the shell said the server's pid");
    assert!(listening, "the server did not start");
    assert!(sh.wait().unwrap().success());
    if !ends_within_5s(pid) {
        // SAFETY: kill sends a signal to the process this test started; no memory involved.
        unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
        panic!("server {pid} outlived its parent");
    }
}

#[test]
fn a_bad_flag_exits_2_naming_it() {
    let out = Command::new(BIN)
        .args([SERVER_COMMAND, "--payload", "lots"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("'lots'"));
    let out = Command::new(BIN)
        .args([SERVER_COMMAND, "--payload", "4"])
        .stdin(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("between 8 and"));
}

#[test]
fn its_cpu_time_is_counted_and_grows_with_work() {
    let mut server = start(DEFAULT_PAYLOAD);
    let before = server.cpu_seconds().unwrap();
    assert!(before.is_finite() && before >= 0.0);
    let mut c = connect(server.addr()).unwrap();
    for token in 0..3_000 {
        call(&mut c, Duration::ZERO, token, DEFAULT_PAYLOAD).unwrap();
    }
    let after = server.cpu_seconds().unwrap();
    assert!(
        after > before,
        "3,000 replies cost no CPU: {before} -> {after}"
    );
}

#[test]
fn with_capacity_the_process_turns_away_what_exceeds_it_and_counts_both() {
    const CAPACITY: usize = 10;
    const CALLS: u64 = 50;
    let mut server = LatencyServer::start_with(
        Path::new(BIN),
        Options {
            capacity: Some(CAPACITY),
            ..Options::default()
        },
    )
    .expect("starting the latency server in capacity mode");
    assert_eq!(server.counts().unwrap(), Counts::default());
    // Fifty requests sent before any reply is read, each waiting far longer than it takes
    // to send them all: the first ten are taken, the other forty are busy.
    let mut conns: Vec<TcpStream> = (0..CALLS)
        .map(|_| connect(server.addr()).unwrap())
        .collect();
    for (token, c) in (0..).zip(&mut conns) {
        c.write_all(&Request::new(Duration::from_secs(1), token).last().encode())
            .unwrap();
    }
    let mut kinds = Vec::new();
    for (token, c) in (0..).zip(&mut conns) {
        let mut reply = [0u8; DEFAULT_PAYLOAD];
        c.read_exact(&mut reply).unwrap();
        let word = decode_reply(&reply).expect("a well-formed reply");
        kinds.push(reply_kind(token, word).expect("a reply to this request"));
    }
    let busy = kinds.iter().filter(|k| **k == ReplyKind::Busy).count() as u64;
    assert_eq!(busy, CALLS - CAPACITY as u64, "{kinds:?}");
    assert_eq!(
        server.counts().unwrap(),
        Counts {
            accepted: CAPACITY as u64,
            rejected: busy
        }
    );
}

#[test]
fn a_thousand_connections_open_at_once_each_get_their_reply() {
    const N: u64 = 1_000;
    let server = start(DEFAULT_PAYLOAD);
    let mut conns: Vec<TcpStream> = (0..N).map(|_| connect(server.addr()).unwrap()).collect();
    // Every request sent before any reply is read; delays staggered, the first longest.
    for (i, c) in conns.iter_mut().enumerate() {
        let delay = Duration::from_micros(50_000 - 40 * i as u64);
        c.write_all(&Request::new(delay, 7 * i as u64 + 1).encode())
            .unwrap();
    }
    for (i, c) in conns.iter_mut().enumerate() {
        let mut reply = [0u8; DEFAULT_PAYLOAD];
        c.read_exact(&mut reply).unwrap();
        assert_eq!(
            decode_reply(&reply),
            Some(expected_reply_word(7 * i as u64 + 1)),
            "connection {i}"
        );
    }
}

/// 10,000 connections held at once, each with one request in flight: slow unoptimised and
/// needs `ulimit -n` above 10,000, so run by hand:
/// `cargo test --release --test latency_server -- --ignored ten_thousand`.
#[test]
#[ignore]
fn ten_thousand_connections_open_at_once_each_get_their_reply() {
    const N: u64 = 10_000;
    rtbench::measure::os_limits::raise_open_files().unwrap();
    let server = start(DEFAULT_PAYLOAD);
    let started = Instant::now();
    let mut conns: Vec<TcpStream> = (0..N).map(|_| connect(server.addr()).unwrap()).collect();
    for (i, c) in conns.iter_mut().enumerate() {
        c.write_all(&Request::new(Duration::from_millis(100), i as u64).encode())
            .unwrap();
    }
    for (i, c) in conns.iter_mut().enumerate() {
        let mut reply = [0u8; DEFAULT_PAYLOAD];
        c.read_exact(&mut reply).unwrap();
        assert_eq!(decode_reply(&reply), Some(expected_reply_word(i as u64)));
    }
    eprintln!(
        "10,000 connections, one 100 ms call each: {:?}",
        started.elapsed()
    );
}

#[test]
fn the_probe_gives_a_finite_added_delay_at_1_and_10_ms() {
    let mut server = start(DEFAULT_PAYLOAD);
    // The probe's delays, and 0 beside them: the round trip alone, for scale.
    let delays = [&[Duration::ZERO][..], &PROBE_DELAYS].concat();
    for delay in delays {
        server.lateness().expect("the server answers its lateness"); // start afresh
        let found =
            probe_added_delay(server.addr(), DEFAULT_PAYLOAD, &[delay], PROBE_SAMPLES).unwrap();
        let late = server.lateness().expect("the server answers its lateness");
        assert_eq!(found.len(), 1);
        let f = &found[0];
        eprintln!(
            "probe: delay {:?}: added median {:.1} us, p99 {:.1} us ({} samples); the server's \
             own lateness median {:.1} us, p99 {:.1} us ({} replies)",
            f.delay,
            f.median_seconds * 1e6,
            f.p99_seconds * 1e6,
            f.samples,
            late.median_seconds * 1e6,
            late.p99_seconds * 1e6,
            late.replies
        );
        assert_eq!(f.samples, PROBE_SAMPLES);
        assert!(f.median_seconds.is_finite(), "{f:?}");
        // A reply never comes before its delay: the added delay is positive.
        assert!(
            f.median_seconds > 0.0 && f.p99_seconds >= f.median_seconds,
            "{f:?}"
        );
        // The server timed every reply that waited on a deadline, and its own lateness is
        // a part of what the client saw added, never more.
        if !delay.is_zero() {
            assert!(late.replies >= PROBE_SAMPLES as u64, "{late:?}");
            assert!(late.median_seconds <= f.median_seconds, "{late:?} vs {f:?}");
        }
    }
}

#[test]
fn out_of_descriptors_the_server_queues_connections_instead_of_resetting_them() {
    // The server may hold about 24 - 7 connections; 40 clients connect at once, each makes
    // one last request of 100 ms: the ones beyond wait in the queue until a reply closes a
    // connection, and every client gets its reply (none is reset, none hangs).
    let mut server = Command::new("sh")
        .args([
            "-c",
            r#"ulimit -n 24 && exec "$0" "$@""#,
            BIN,
            SERVER_COMMAND,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting the server under sh");
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr: std::net::SocketAddr = line
        .trim()
        .strip_prefix(LISTENING)
        .and_then(|a| a.trim().parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    let began = Instant::now();
    let clients: Vec<_> = (0..40u64)
        .map(|token| {
            thread::spawn(move || {
                let mut c = connect(addr).expect("connecting");
                let last = Request::new(Duration::from_millis(100), token).last();
                let word = rtbench::netserver::send(&mut c, last, DEFAULT_PAYLOAD);
                (token, word.map_err(|e| e.to_string()))
            })
        })
        .collect();
    for client in clients {
        let (token, word) = client.join().unwrap();
        assert_eq!(word, Ok(expected_reply_word(token)), "client {token}");
    }
    // At most 40 / 17 rounds of 100 ms, far under the 5 s a stuck queue would take.
    assert!(
        began.elapsed() < Duration::from_secs(5),
        "{:?}",
        began.elapsed()
    );
    drop(server.stdin.take());
    assert!(server.wait().unwrap().success());
}
