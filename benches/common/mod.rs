//! What every bench file shares: the same adapters `rtbench run` uses (no second copy of
//! any runtime code), timed with `iter_custom` so each iteration is exactly one run's timed
//! region (spawn to last join) and runtimes are built outside it.

#![allow(dead_code)] // each bench file uses a different part

use std::sync::{Arc, Mutex};
use std::time::Duration;

use criterion::{BenchmarkGroup, BenchmarkId, Throughput, measurement::WallTime};
use rtbench::limit::Limit;
use rtbench::measure::available_cores;
use rtbench::runtime::{Model, REGISTRY, Runtime, Setup, Variant};
use rtbench::suite::guard::{IDEAL_SLACK, SPEEDUP_SLACK};
use rtbench::workload::{Capacity, Expectation, Work, WorkloadKind, WorkloadSpec};

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

/// Benchmarks `spec` on every runtime in `runtimes` (all when empty): BenchmarkId is
/// (runtime, tasks), throughput is tasks.
pub fn bench_spec(
    group: &mut BenchmarkGroup<'_, WallTime>,
    spec: &WorkloadSpec,
    skip: impl Fn(&dyn Runtime) -> bool,
    limit: impl Fn(&dyn Runtime) -> Limit,
) {
    let plans = spec.plans();
    let expectation = Expectation::of(spec.kind, &plans);
    let work = Arc::new(Work::new(plans));
    group.throughput(Throughput::Elements(spec.tasks as u64));
    let mut measured: Vec<(&dyn Runtime, f64, f64)> = Vec::new();
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
        let runs: Arc<Mutex<Vec<f64>>> = Arc::default();
        let record = Arc::clone(&runs);
        group.bench_with_input(
            BenchmarkId::new(rt.name(), spec.tasks),
            &setup,
            |b, setup| {
                b.iter_custom(|iters| {
                    timed_iters(rt, setup, iters, |instance| {
                        let o = instance
                            .run(&work)
                            .unwrap_or_else(|e| panic!("{}: {e}", rt.name()));
                        assert_eq!(
                            o.tally.completed,
                            work.len(),
                            "{}: every task completes",
                            rt.name()
                        );
                        record.lock().unwrap().push(o.measured.wall.as_secs_f64());
                        o.measured.wall
                    })
                })
            },
        );
        let shape = rt.shape(&setup);
        let capacity = Capacity {
            concurrency: shape.concurrency,
            parallelism: shape.workers.min(available_cores()),
        };
        let ideal = expectation.ideal_seconds(work.plans(), capacity);
        let median = median(&runs.lock().unwrap());
        measured.push((rt, median, ideal));
    }
    guard(spec, &measured);
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// The physics guard `rtbench run` applies to every cell, on the bench's own runs: a
/// runtime faster than its ideal x 0.97 (waits overlapped), or CPU work faster than
/// sequential x cores x 1.05, is suspect. Printed after each group.
fn guard(spec: &WorkloadSpec, measured: &[(&dyn Runtime, f64, f64)]) {
    let cores = available_cores();
    let sequential = measured
        .iter()
        .find(|m| m.0.model() == Model::Sequential)
        .map(|m| m.1);
    for &(rt, median, ideal) in measured {
        let speedup = sequential.map(|s| s / median);
        let too_fast = spec.kind == WorkloadKind::Cpu
            && rt.model() != Model::Sequential
            && speedup.is_some_and(|s| s > cores as f64 * SPEEDUP_SLACK);
        let below_ideal = spec.kind != WorkloadKind::Cpu && median < ideal * IDEAL_SLACK;
        let verdict = if too_fast || below_ideal {
            "SUSPECT"
        } else {
            "ok"
        };
        let speedup = speedup.map_or_else(String::new, |s| format!(", {s:.2}x over sequential"));
        println!(
            "guard {} x{} {}: median run {:.3} ms, ideal {:.3} ms{speedup} \
             (bounds: {cores} cores x {SPEEDUP_SLACK}, ideal x {IDEAL_SLACK}): {verdict}",
            spec.kind,
            spec.tasks,
            rt.name(),
            median * 1e3,
            ideal * 1e3,
        );
    }
}

/// Starts `rt` once (outside the measurement) and sums `one` over `iters` runs on it.
pub fn timed_iters(
    rt: &dyn Runtime,
    setup: &Setup,
    iters: u64,
    mut one: impl FnMut(&mut dyn rtbench::runtime::Instance) -> Duration,
) -> Duration {
    let mut instance = rt
        .start(setup)
        .unwrap_or_else(|e| panic!("{}: {e}", rt.name()));
    (0..iters).map(|_| one(instance.as_mut())).sum()
}
