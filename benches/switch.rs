//! Run with: cargo bench --bench switch
//!
//! Switch cost: a brigade of 4 units (async tasks over channels, or threads with a mutex and
//! condvar mailbox each, so every hop blocks in the kernel) passing one token 1,000 hops,
//! as claim C13 runs it; throughput is hops. Runtimes without
//! two tasks to switch between (sequential, pools, processes) are not in this group.
//! Does NOT show: switches under load (many tasks), or cross-process messaging.

mod common;

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rtbench::limit::Limit;
use rtbench::runtime::{REGISTRY, Setup, Variant};

const UNITS: usize = 4;
const HOPS: usize = 1_000;

fn switch(c: &mut Criterion) {
    common::prepare();
    let mut group = c.benchmark_group("switch");
    common::configure(&mut group);
    group.throughput(Throughput::Elements(HOPS as u64));
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
        if probe.brigade(UNITS, 1).is_err() {
            continue; // no brigade on this runtime
        }
        group.bench_with_input(BenchmarkId::new(rt.name(), HOPS), &setup, |b, setup| {
            b.iter_custom(|iters| {
                common::timed_iters(rt, setup, iters, |instance| {
                    let per = instance
                        .brigade(UNITS, HOPS)
                        .unwrap_or_else(|e| panic!("{}: {e}", rt.name()));
                    Duration::from_secs_f64(per.seconds_per_hop * HOPS as f64)
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, switch);
criterion_main!(benches);
