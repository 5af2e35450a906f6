//! Run with: cargo bench --bench io   (one runtime: cargo bench --bench io -- 'io/tokio')
//!
//! Simulated I/O: every task waits 10 ms once (shorter waits measure the timer's rounding) (the runtime's timer on async runtimes, a
//! blocking sleep on threads, pools and processes), 100 and 1,000 tasks, everything in
//! flight (pools sized to the task count; processes: one per task). Sequential only at 100.
//! Does NOT show: memory (see `rtbench run --memory`), timer granularity (tokio rounds
//! sleeps up to whole milliseconds; see the timer probe), or behaviour under a limit.

mod common;

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use rtbench::workload::{Latency, WorkloadSpec};

fn io(c: &mut Criterion) {
    common::prepare();
    let mut group = c.benchmark_group("io");
    common::configure(&mut group);
    for tasks in [100, 1_000] {
        let spec = WorkloadSpec::io(tasks, Latency::Fixed(Duration::from_millis(10)));
        common::bench_spec(
            &mut group,
            &spec,
            |rt| rt.model() == rtbench::runtime::Model::Sequential && tasks > 100,
            |rt| common::roomy(rt, tasks),
        );
    }
    group.finish();
}

criterion_group!(benches, io);
criterion_main!(benches);
