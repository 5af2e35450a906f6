//! The server in this process, on a thread, its control channel a socketpair: what a
//! client sees (delays kept, replies right and its own, partial and pipelined frames, peers
//! leaving) and the control commands. The server process and its handle are tested from
//! the binary, in tests/latency_server.rs.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Barrier};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::*;

struct Running {
    addr: SocketAddr,
    control: UnixStream,
    thread: JoinHandle<Result<(), Error>>,
}

fn serve(payload: usize) -> Running {
    serve_with(Options {
        payload,
        ..Options::default()
    })
}

fn serve_with(options: Options) -> Running {
    let server = Server::bind(options).expect("binding the server");
    let addr = server.addr();
    let (control, theirs) = UnixStream::pair().unwrap();
    let answers = theirs.try_clone().unwrap();
    let thread = thread::spawn(move || server.serve(theirs, answers));
    Running {
        addr,
        control,
        thread,
    }
}

impl Running {
    /// The server's answer to `counts`: (accepted, rejected).
    fn counts(&self) -> (u64, u64) {
        (&self.control)
            .write_all(format!("{COUNTS_COMMAND}\n").as_bytes())
            .unwrap();
        // One answer per ask, read a byte at a time so nothing of a later one is taken.
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        while byte[0] != b'\n' {
            (&self.control).read_exact(&mut byte).unwrap();
            line.push(byte[0]);
        }
        let line = String::from_utf8(line).unwrap();
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(words.len(), 3, "{line}");
        assert_eq!(words[0], COUNTS_COMMAND, "{line}");
        (words[1].parse().unwrap(), words[2].parse().unwrap())
    }

    /// Closes the control channel: the server must return, and without an error.
    fn stop(self) {
        drop(self.control);
        self.thread
            .join()
            .expect("the server thread panicked")
            .expect("the server failed");
    }
}

const MS: Duration = Duration::from_millis(1);

#[test]
fn a_reply_is_the_one_derived_from_its_token() {
    let s = serve(DEFAULT_PAYLOAD);
    let mut c = connect(s.addr).unwrap();
    for token in [0, 1, 2, u64::MAX, 0xDEAD_BEEF] {
        let word = call(&mut c, Duration::ZERO, token, DEFAULT_PAYLOAD).unwrap();
        assert_eq!(word, expected_reply_word(token));
    }
    s.stop();
}

#[test]
fn a_20ms_delay_is_kept_not_cut_short_and_answered() {
    let s = serve(DEFAULT_PAYLOAD);
    let mut c = connect(s.addr).unwrap();
    for token in 1..=3 {
        let sent = Instant::now();
        let word = call(&mut c, 20 * MS, token, DEFAULT_PAYLOAD).unwrap();
        let took = sent.elapsed();
        assert_eq!(word, expected_reply_word(token));
        assert!(took >= 20 * MS, "answered after {took:?}, before its 20 ms");
        assert!(
            took < Duration::from_secs(2),
            "answered only after {took:?}"
        );
    }
    s.stop();
}

#[test]
fn two_hundred_connections_with_staggered_delays_each_get_their_own_replies() {
    const N: u64 = 200;
    const CALLS: u64 = 3;
    let payload = 40;
    let s = serve(payload);
    let start = Arc::new(Barrier::new(N as usize));
    let clients: Vec<_> = (0..N)
        .map(|i| {
            let (addr, start) = (s.addr, Arc::clone(&start));
            thread::spawn(move || {
                let mut c = connect(addr).unwrap();
                start.wait();
                for k in 0..CALLS {
                    // Later connections wait less, so replies leave in another order than
                    // their requests came.
                    let delay = Duration::from_micros(500 + (N - i) * 100 + k * 1_000);
                    let token = i * 1_000 + k;
                    let word = call(&mut c, delay, token, payload).unwrap();
                    assert_eq!(word, expected_reply_word(token), "connection {i}, call {k}");
                }
            })
        })
        .collect();
    for c in clients {
        c.join().expect("a client got a wrong reply or failed");
    }
    s.stop();
}

#[test]
fn a_peer_leaving_mid_request_or_mid_wait_costs_the_others_nothing() {
    let s = serve(DEFAULT_PAYLOAD);
    let mut steady = connect(s.addr).unwrap();
    // Half a frame, then gone.
    let mut half = connect(s.addr).unwrap();
    half.write_all(&Request::new(MS, 1).encode()[..8]).unwrap();
    drop(half);
    // A whole request, then gone before its reply; and one reset (linger 0) while waiting.
    let mut waiting = connect(s.addr).unwrap();
    waiting
        .write_all(&Request::new(30 * MS, 2).encode())
        .unwrap();
    drop(waiting);
    let reset = connect(s.addr).unwrap();
    (&reset)
        .write_all(&Request::new(10 * MS, 3).encode())
        .unwrap();
    set_linger_zero(&reset);
    drop(reset);
    for token in 10..20 {
        let word = call(&mut steady, 5 * MS, token, DEFAULT_PAYLOAD).unwrap();
        assert_eq!(word, expected_reply_word(token));
    }
    let mut late = connect(s.addr).unwrap();
    assert_eq!(
        call(&mut late, MS, 99, DEFAULT_PAYLOAD).unwrap(),
        expected_reply_word(99)
    );
    s.stop();
}

fn set_linger_zero(stream: &TcpStream) {
    use std::os::fd::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: setsockopt reads a linger struct of the size given.
    let rc = unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&raw const linger).cast(),
            size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    assert_eq!(rc, 0);
}

#[test]
fn a_frame_in_pieces_and_requests_sent_ahead_are_answered_in_order() {
    let s = serve(DEFAULT_PAYLOAD);
    let mut c = connect(s.addr).unwrap();
    let frame = Request::new(2 * MS, 5).encode();
    for byte in frame {
        c.write_all(&[byte]).unwrap();
        thread::sleep(Duration::from_micros(200));
    }
    let mut reply = [0u8; DEFAULT_PAYLOAD];
    c.read_exact(&mut reply).unwrap();
    assert_eq!(decode_reply(&reply), Some(expected_reply_word(5)));
    // Three requests in one write, the first waiting longest: replies still in order.
    let mut ahead = Vec::new();
    for (delay, token) in [(20, 6), (1, 7), (0, 8)] {
        ahead.extend_from_slice(&Request::new(delay * MS, token).encode());
    }
    c.write_all(&ahead).unwrap();
    for token in [6, 7, 8] {
        c.read_exact(&mut reply).unwrap();
        assert_eq!(decode_reply(&reply), Some(expected_reply_word(token)));
    }
    s.stop();
}

#[test]
fn the_control_channel_answers_cpu_and_counts_and_its_end_stops_the_server() {
    let s = serve(DEFAULT_PAYLOAD);
    let mut c = connect(s.addr).unwrap();
    for token in 0..200 {
        call(&mut c, Duration::ZERO, token, DEFAULT_PAYLOAD).unwrap();
    }
    assert_eq!(
        s.counts(),
        (200, 0),
        "without a capacity every request is taken"
    );
    let mut control = BufReader::new(s.control.try_clone().unwrap());
    (&s.control).write_all(b"cpu\nnonsense\n").unwrap();
    let mut line = String::new();
    control.read_line(&mut line).unwrap();
    let words: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(words.len(), 3, "{line}");
    assert_eq!(words[0], CPU_COMMAND);
    let cpu: f64 = words[1].parse::<f64>().unwrap() + words[2].parse::<f64>().unwrap();
    assert!(cpu.is_finite() && cpu >= 0.0, "{line}");
    line.clear();
    control.read_line(&mut line).unwrap();
    assert!(line.starts_with("error: unknown command"), "{line}");
    drop(control);
    s.stop();
    // Gone with its listener: a new connection is refused, and says why it may be.
    let refused = connect(c.peer_addr().unwrap()).unwrap_err();
    assert!(refused.to_string().contains("somaxconn"), "{refused}");
    c.shutdown(Shutdown::Both).ok();
}

#[test]
fn a_payload_outside_the_protocol_is_refused() {
    for payload in [0, 7, MAX_PAYLOAD + 1] {
        assert!(matches!(
            Server::bind(Options {
                payload,
                ..Options::default()
            }),
            Err(Error::Payload(p)) if p == payload
        ));
    }
}

/// TIME_WAIT entries in /proc/net/tcp with this local port (state 06).
fn time_wait_on_local_port(port: u16) -> usize {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    table
        .lines()
        .skip(1)
        .filter(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let local_port = cols
                .get(1)
                .and_then(|a| a.split(':').nth(1))
                .and_then(|p| u16::from_str_radix(p, 16).ok());
            cols.get(3) == Some(&"06") && local_port == Some(port)
        })
        .count()
}

#[test]
fn after_a_last_request_the_server_closes_first_and_keeps_the_time_wait() {
    let s = serve(DEFAULT_PAYLOAD);
    let mut c = connect(s.addr).unwrap();
    let client_port = c.local_addr().unwrap().port();
    assert_eq!(
        call(&mut c, MS, 1, DEFAULT_PAYLOAD).unwrap(),
        expected_reply_word(1)
    );
    let last = Request::new(MS, 2).last();
    assert_eq!(
        send(&mut c, last, DEFAULT_PAYLOAD).unwrap(),
        expected_reply_word(2)
    );
    await_close(&mut c).expect("the server closes after the last reply");
    drop(c);
    // The server's side went first, so TIME_WAIT holds its port, never the client's.
    assert_eq!(time_wait_on_local_port(client_port), 0);
    assert!(time_wait_on_local_port(s.addr.port()) >= 1);
    s.stop();
}

#[test]
fn a_backlog_above_somaxconn_gets_listeners_sharing_the_port() {
    assert_eq!(listeners_for(100, 4096), 1);
    assert_eq!(listeners_for(4096, 4096), 1);
    assert_eq!(listeners_for(10_000, 4096), 3);
    assert_eq!(listeners_for(u32::MAX, 128), MAX_LISTENERS);
    assert_eq!(
        listeners_for(10_000, 0),
        1,
        "somaxconn unknown: one listener"
    );
    let somaxconn = crate::measure::os_limits::Limits::read()
        .somaxconn
        .value()
        .unwrap_or(128);
    let backlog = u32::try_from(somaxconn * 2 + 1).unwrap_or(u32::MAX);
    let server = Server::bind(Options {
        backlog,
        ..Options::default()
    })
    .unwrap();
    assert_eq!(server.listeners(), listeners_for(backlog, somaxconn));
    assert!(server.listeners() >= 2);
    let addr = server.addr();
    let (control, theirs) = UnixStream::pair().unwrap();
    let answers = theirs.try_clone().unwrap();
    let thread = thread::spawn(move || server.serve(theirs, answers));
    // Connections spread over the listeners; every one is served.
    for token in 0..64 {
        let mut c = connect(addr).unwrap();
        assert_eq!(
            call(&mut c, Duration::ZERO, token, DEFAULT_PAYLOAD).unwrap(),
            expected_reply_word(token)
        );
    }
    drop(control);
    thread.join().unwrap().unwrap();
}

#[test]
fn in_capacity_mode_a_request_beyond_n_waiting_is_busy_and_one_is_taken_again_after_a_reply() {
    let s = serve_with(Options {
        capacity: Some(2),
        ..Options::default()
    });
    // Two requests that wait long, each on its own connection; the server has taken both
    // (its counts say so) before the third is sent, so the third meets two waiting.
    let mut waiting: Vec<TcpStream> = (1..=2)
        .map(|token| {
            let mut c = connect(s.addr).unwrap();
            c.write_all(&Request::new(Duration::from_secs(1), token).encode())
                .unwrap();
            c
        })
        .collect();
    while s.counts().0 < 2 {
        thread::sleep(MS);
    }
    let mut third = connect(s.addr).unwrap();
    let last = Request::new(Duration::from_secs(1), 3).last();
    let word = send(&mut third, last, DEFAULT_PAYLOAD).unwrap();
    assert_eq!(word, busy_reply_word(3), "a third while two wait is busy");
    assert_eq!(reply_kind(3, word), Some(ReplyKind::Busy));
    await_close(&mut third).expect("a busy reply to a last request closes too");
    assert_eq!(s.counts(), (2, 1));
    // The busy reply came before the two it was turned away for.
    let mut reply = [0u8; DEFAULT_PAYLOAD];
    for (token, c) in (1..=2).zip(&mut waiting) {
        c.read_exact(&mut reply).unwrap();
        assert_eq!(decode_reply(&reply), Some(expected_reply_word(token)));
    }
    // Their places are free: taken again, a delayed one and one of no delay.
    let mut again = connect(s.addr).unwrap();
    for token in [4, 5] {
        let delay = if token == 4 { MS } else { Duration::ZERO };
        let word = call(&mut again, delay, token, DEFAULT_PAYLOAD).unwrap();
        assert_eq!(reply_kind(token, word), Some(ReplyKind::Served));
    }
    assert_eq!(s.counts(), (4, 1));
    s.stop();
}
