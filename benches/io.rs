//! Run with: cargo bench --bench io   (one runtime: cargo bench --bench io -- 'io/tokio')
//!
//! Simulated I/O: every task waits 10 ms once (shorter waits measure the timer's rounding) (the runtime's timer on async runtimes, a
//! blocking sleep on threads, pools and processes), 100 and 1,000 tasks, everything in
//! flight (pools sized to the task count; processes: one per task). Sequential only at 100.
//! Does NOT show: memory (see `rtbench run --memory`), timer granularity (tokio rounds
//! sleeps up to whole milliseconds; see the timer probe), or behaviour under a limit.

mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use rtbench::workload::WorkloadSpec;

fn io(c: &mut Criterion) {
    common::waits_group(c, "io", WorkloadSpec::io);
}

criterion_group!(benches, io);
criterion_main!(benches);
