//! Run with: cargo bench --bench switch
//!
//! Switch cost: 1,000 ping-pong round trips of a message between two async tasks (async
//! channels) or two threads (a mutex and condvar handing the turn over, so every hop blocks
//! in the kernel); throughput is round trips. Runtimes without
//! two tasks to switch between (sequential, pools, processes) are not in this group.
//! Does NOT show: switches under load (many tasks), or cross-process messaging.

mod common;

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rtbench::limit::Limit;
use rtbench::runtime::{REGISTRY, Setup, Variant};

const ROUND_TRIPS: usize = 1_000;

fn switch(c: &mut Criterion) {
    common::prepare();
    let mut group = c.benchmark_group("switch");
    common::configure(&mut group);
    group.throughput(Throughput::Elements(ROUND_TRIPS as u64));
    let setup = Setup {
        workers: common::workers(),
        limit: Limit::Unbounded,
        tasks: 1,
        variant: Variant::Normal,
    };
    for &rt in REGISTRY {
        let Ok(mut probe) = rt.start(&setup) else {
            continue;
        };
        if probe.ping_pong(1).is_err() {
            continue; // no ping-pong on this runtime
        }
        group.bench_with_input(
            BenchmarkId::new(rt.name(), ROUND_TRIPS),
            &setup,
            |b, setup| {
                b.iter_custom(|iters| {
                    common::timed_iters(rt, setup, iters, |instance| {
                        let per = instance
                            .ping_pong(ROUND_TRIPS)
                            .unwrap_or_else(|e| panic!("{}: {e}", rt.name()));
                        Duration::from_secs_f64(per * ROUND_TRIPS as f64)
                    })
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, switch);
criterion_main!(benches);
