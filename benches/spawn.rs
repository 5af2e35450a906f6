//! Run with: cargo bench --bench spawn
//!
//! The cost to start and join a unit that does nothing: 1,000 empty tasks per iteration
//! (50 for processes, each a process started, sent one job and reaped). Throughput is units.
//! Through each runtime's run path, so for crossbeam-pool and rayon it is a job handed to
//! the running pool, not a unit started (`rtbench run --probes` keeps the two apart).
//! Does NOT show: memory per unit (see `rtbench run --memory`) or the cost of a unit that
//! waits (see the io bench).

mod common;

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use rtbench::limit::Limit;
use rtbench::workload::{Latency, WorkloadSpec};

fn spawn(c: &mut Criterion) {
    common::prepare();
    let mut group = c.benchmark_group("spawn");
    common::configure(&mut group);
    for (tasks, processes) in [(1_000, false), (50, true)] {
        // No wait at all: the unit starts and ends.
        let spec = WorkloadSpec {
            calls: 0,
            ..WorkloadSpec::io(tasks, Latency::Fixed(Duration::ZERO))
        };
        common::bench_spec(
            &mut group,
            &spec,
            |rt| (rt.name() == "processes") != processes,
            // Pools keep their usual size (--workers): a pool of 1,000 threads would measure
            // the pool's own contention, not the cost of handing it a job.
            |_| Limit::Unbounded,
        );
    }
    group.finish();
}

criterion_group!(benches, spawn);
criterion_main!(benches);
