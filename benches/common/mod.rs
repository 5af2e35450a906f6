//! What every bench file shares: the same adapters `rtbench run` uses (no second copy of
//! any runtime code), timed with `iter_custom` so each iteration is exactly one run's timed
//! region (spawn to last join) and runtimes are built outside it.

#![allow(dead_code)] // each bench file uses a different part

mod guard;

use std::sync::Arc;
use std::time::Duration;

use criterion::{BenchmarkGroup, BenchmarkId, Throughput, measurement::WallTime};
use rtbench::limit::Limit;
use rtbench::measure::available_cores;
use rtbench::runtime::{Instance, Model, REGISTRY, Runtime, Setup, Variant};
use rtbench::workload::{Capacity, Expectation, Work, WorkloadSpec};

/// Once per bench binary: the embedded font for criterion's plots (there is no fontconfig),
/// and the rtbench binary the processes runtime starts its workers from.
pub fn prepare() {
    rtbench::report::charts::register_font();
    // SAFETY: called at the start of main, before criterion or any runtime starts a thread.
    unsafe { std::env::set_var("RTBENCH_EXE", env!("CARGO_BIN_EXE_rtbench")) };
}

/// Small samples: every iteration is a whole run of many tasks, already an average.
pub fn configure(group: &mut BenchmarkGroup<'_, WallTime>) {
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
}

pub fn workers() -> usize {
    rtbench::measure::available_cores()
}

/// The limit that gives each runtime room for every task: unbounded, except a pool of
/// `tasks` workers for the thread pools (their worker count is their concurrency).
pub fn roomy(rt: &dyn Runtime, tasks: usize) -> Limit {
    match rt.model() {
        Model::ThreadPool => Limit::Pool(tasks),
        _ => Limit::Unbounded,
    }
}

/// The io and net groups: 100 and 1,000 tasks of one 10 ms wait (`spec` builds the
/// workload), everything in flight; sequential only at 100.
pub fn waits_group(
    c: &mut criterion::Criterion,
    name: &str,
    spec: fn(usize, rtbench::workload::Latency) -> WorkloadSpec,
) {
    prepare();
    let mut group = c.benchmark_group(name);
    configure(&mut group);
    for tasks in [100, 1_000] {
        let spec = spec(
            tasks,
            rtbench::workload::Latency::Fixed(Duration::from_millis(10)),
        );
        bench_spec(
            &mut group,
            &spec,
            |rt| rt.model() == Model::Sequential && tasks > 100,
            |rt| roomy(rt, tasks),
        );
    }
    group.finish();
}

/// Benchmarks `spec` on every runtime in `runtimes` (all when empty): BenchmarkId is
/// (runtime, tasks), throughput is tasks.
pub fn bench_spec(
    group: &mut BenchmarkGroup<'_, WallTime>,
    spec: &WorkloadSpec,
    skip: impl Fn(&dyn Runtime) -> bool,
    limit: impl Fn(&dyn Runtime) -> Limit,
) {
    // A `net` spec's latency server, as a cell starts it: its own process, for this group.
    let server =
        rtbench::runtime::net::server_for(spec).unwrap_or_else(|e| panic!("{}: {e}", spec.kind));
    let work = Arc::new(rtbench::runtime::net::work_for(spec, server.as_ref()));
    let expectation = Expectation::of(spec.kind, work.plans());
    group.throughput(Throughput::Elements(spec.tasks as u64));
    let mut entries = Vec::new();
    for &rt in REGISTRY {
        if skip(rt) {
            continue;
        }
        let setup = Setup {
            workers: workers(),
            limit: limit(rt),
            tasks: spec.tasks,
            variant: Variant::Normal,
        };
        group.bench_with_input(
            BenchmarkId::new(rt.name(), spec.tasks),
            &setup,
            |b, setup| {
                b.iter_custom(|iters| {
                    timed_iters(rt, setup, iters, |instance| {
                        run_once(rt, instance, &work, expectation.checksum)
                    })
                })
            },
        );
        let shape = rt.shape(&setup);
        let capacity = Capacity {
            concurrency: shape.concurrency,
            parallelism: shape.workers.min(available_cores()),
        };
        entries.push(guard::Entry {
            rt,
            setup,
            capacity,
        });
    }
    guard::interleaved(spec, &entries, &work, &expectation);
}

/// One timed run of `work` on `instance`: every task completes and the tasks' checksums
/// sum to `expected` (the same work as the sequential plans), or the bench panics.
pub fn run_once(
    rt: &dyn Runtime,
    instance: &mut dyn Instance,
    work: &Arc<Work>,
    expected: u64,
) -> Duration {
    let o = instance
        .run(work)
        .unwrap_or_else(|e| panic!("{}: {e}", rt.name()));
    assert_eq!(
        o.tally.completed,
        work.len(),
        "{}: every task completes",
        rt.name()
    );
    assert_eq!(
        o.tally.checksum,
        expected,
        "{}: the checksum of the plans' work",
        rt.name()
    );
    o.measured.wall
}

/// Starts `rt` once (outside the measurement) and sums `one` over `iters` runs on it.
pub fn timed_iters(
    rt: &dyn Runtime,
    setup: &Setup,
    iters: u64,
    mut one: impl FnMut(&mut dyn Instance) -> Duration,
) -> Duration {
    let mut instance = rt
        .start(setup)
        .unwrap_or_else(|e| panic!("{}: {e}", rt.name()));
    (0..iters).map(|_| one(instance.as_mut())).sum()
}
