//! Run with: cargo bench --bench cpu
//!
//! CPU-bound work: 16 tasks, each the factorial of 3,000 (big integers), on every runtime
//! with the machine's cores as workers (processes: one per task).
//! Does NOT show: how speed-up grows with workers (see `rtbench run --profile full` and the
//! cpu_speedup chart), or the cost of CPU work blocking an async runtime's other tasks.

mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use rtbench::limit::Limit;
use rtbench::workload::WorkloadSpec;

fn cpu(c: &mut Criterion) {
    common::prepare();
    let mut group = c.benchmark_group("cpu");
    common::configure(&mut group);
    let spec = WorkloadSpec::cpu(16, 3_000);
    common::bench_spec(&mut group, &spec, |_| false, |_| Limit::Unbounded);
    group.finish();
}

criterion_group!(benches, cpu);
criterion_main!(benches);
