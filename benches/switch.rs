//! Run with: cargo bench --bench switch
//!
//! Switch cost, as claim C13 runs it: a ring of units passing one token, throughput in hops.
//! Group `switch`: 4 units linked by channels (async tasks over channels, or threads with a
//! mutex and condvar mailbox each, so every hop blocks in the kernel), 1,000 hops. Group
//! `brigade`: 500 units linked by socketpairs, each hop woken by I/O readiness (a blocking
//! read for threads, the runtime's reactor for tasks), 5,000 hops, beside `pipe-alone`: one
//! thread making the same writes and reads, so nothing waits (what the claim subtracts).
//! Runtimes without two tasks to switch between (sequential, pools, processes) are not in
//! these groups.
//! Does NOT show: switches under load (many tasks), pinned to one CPU (the claim does), or
//! cross-process messaging.

mod common;

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rtbench::limit::Limit;
use rtbench::runtime::brigade::Link;
use rtbench::runtime::{REGISTRY, Setup, Variant, brigade_io};

/// The channel brigade's size.
const UNITS: usize = 4;
const HOPS: usize = 1_000;
/// The I/O brigade's size.
const IO_UNITS: usize = 500;
const IO_HOPS: usize = 5_000;

fn switch(c: &mut Criterion) {
    common::prepare();
    brigades(c, "switch", Link::Channel, UNITS, HOPS);
    brigades(c, "brigade", Link::Socket, IO_UNITS, IO_HOPS);
}

/// One group: every runtime with a brigade, linked by `link`, and for sockets the socket
/// I/O alone.
fn brigades(c: &mut Criterion, name: &str, link: Link, units: usize, hops: usize) {
    let mut group = c.benchmark_group(name);
    common::configure(&mut group);
    group.throughput(Throughput::Elements(hops as u64));
    let setup = Setup {
        workers: common::workers(),
        limit: Limit::Unbounded,
        tasks: 1,
        variant: Variant::Normal,
    };
    let whole = |seconds_per_hop: f64| Duration::from_secs_f64(seconds_per_hop * hops as f64);
    for &rt in REGISTRY {
        let Ok(mut probe) = rt.start(&setup) else {
            continue;
        };
        if probe.brigade(units, 1, link).is_err() {
            continue; // no brigade on this runtime
        }
        group.bench_with_input(BenchmarkId::new(rt.name(), hops), &setup, |b, setup| {
            b.iter_custom(|iters| {
                common::timed_iters(rt, setup, iters, |instance| {
                    let run = instance
                        .brigade(units, hops, link)
                        .unwrap_or_else(|e| panic!("{}: {e}", rt.name()));
                    whole(run.seconds_per_hop)
                })
            })
        });
    }
    if link == Link::Socket {
        group.bench_function(BenchmarkId::new("pipe-alone", hops), |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| {
                        whole(
                            brigade_io::pipe_cost(units, hops)
                                .unwrap_or_else(|e| panic!("pipe alone: {e}")),
                        )
                    })
                    .sum()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, switch);
criterion_main!(benches);
