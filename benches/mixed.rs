//! Run with: cargo bench --bench mixed
//!
//! The notes' factorial example, many times over: 30 tasks of 10, 4 or 6 steps, each step a
//! 10 ms wait (shorter waits measure the timer's rounding) then a factorial of 1,000.
//! Sequential is left out: every step in a row would take 2 s an iteration.
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
        Latency::Fixed(Duration::from_millis(10)),
        1_000,
    );
    common::bench_spec(
        &mut group,
        &spec,
        |rt| rt.model() == rtbench::runtime::Model::Sequential,
        |rt| common::roomy(rt, 30),
    );
    group.finish();
}

criterion_group!(benches, mixed);
criterion_main!(benches);
