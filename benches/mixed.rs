//! Run with: cargo bench --bench mixed
//!
//! The notes' factorial example, many times over: 30 tasks of 10, 4 or 6 steps, each step a
//! 2 ms wait then a factorial of 1,000. Sequential runs every step in a row.
//! Does NOT show: blocking inside async tasks (see `rtbench run --variant blocking-sleep`).

mod common;

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use rtbench::workload::{Latency, WorkloadSpec};

fn mixed(c: &mut Criterion) {
    common::prepare();
    let mut group = c.benchmark_group("mixed");
    common::configure(&mut group);
    let spec = WorkloadSpec::mixed(
        30,
        &[10, 4, 6],
        Latency::Fixed(Duration::from_millis(2)),
        1_000,
    );
    common::bench_spec(&mut group, &spec, |_| false, |rt| common::roomy(rt, 30));
    group.finish();
}

criterion_group!(benches, mixed);
criterion_main!(benches);
