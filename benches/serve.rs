//! Run with: cargo bench --bench serve   (one model: cargo bench --bench serve -- 'serve/tokio')
//!
//! One HTTP request's round trip per server model: `rtbench serve --model M` in its own
//! process, one keep-alive connection, `GET /task?wait=0s&compute=0` (no wait, no factorial:
//! what the model adds to a request, parsing and answering it through the one shared
//! handler), the response read and its checksum checked. Does NOT show: behaviour under
//! load, the tail, or the knee (see `rtbench run --workload serve` and `rtbench load`).

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use rtbench::http::{ParsedResponse, TaskQuery, body_checksum, parse_response};
use rtbench::suite::serve::ServerProcess;
use rtbench::workload::cpu::factorial_digest;

const MODELS: &[&str] = &[
    "tokio",
    "tokio-current-thread",
    "smol",
    "async-std",
    "threads",
    "crossbeam-pool",
    "processes",
];

/// One request and its whole response on `conn`; panics on a wrong answer.
fn round_trip(conn: &mut TcpStream, q: TaskQuery, digest: u64, buf: &mut Vec<u8>) {
    let req = format!("GET {} HTTP/1.1\r\nHost: bench\r\n\r\n", q.target());
    conn.write_all(req.as_bytes()).expect("writing a request");
    buf.clear();
    let mut chunk = [0u8; 1024];
    loop {
        if let ParsedResponse::Complete(r) = parse_response(buf) {
            assert_eq!(r.status, 200);
            assert_eq!(body_checksum(&buf[r.body]), Some(q.checksum(digest)));
            return;
        }
        let n = conn.read(&mut chunk).expect("reading a response");
        assert!(n > 0, "the server closed the connection");
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn serve(c: &mut Criterion) {
    common::prepare();
    let exe = std::path::PathBuf::from(env!("CARGO_BIN_EXE_rtbench"));
    let mut group = c.benchmark_group("serve");
    common::configure(&mut group);
    let q = TaskQuery {
        wait: Duration::ZERO,
        compute: 0,
        calls: 0,
        id: 0,
    };
    let digest = factorial_digest(0);
    for model in MODELS {
        let extra = match *model {
            "threads" => vec![],
            "crossbeam-pool" | "processes" => vec!["--workers".to_string(), "4".to_string()],
            _ => vec!["--workers".to_string(), common::workers().to_string()],
        };
        let server = ServerProcess::start(&exe, model, &extra).expect("starting the server");
        let mut conn = TcpStream::connect(server.addr()).expect("connecting");
        conn.set_nodelay(true).unwrap();
        let mut buf = Vec::with_capacity(1024);
        let mut id = 0u64;
        group.bench_function(BenchmarkId::new(*model, "round-trip"), |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    id += 1;
                    round_trip(&mut conn, q.with_id(id), digest, &mut buf);
                }
                start.elapsed()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, serve);
criterion_main!(benches);
