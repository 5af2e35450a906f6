//! Every runtime adapter against the same workloads, in the style of tokio's
//! `tests/rt_common.rs`: a test body is written once and the macros below expand it to one
//! `#[test]` per runtime, so a failure names the runtime it happened on.
//!
//! async-std's executor thread count is fixed once per process, so every test here uses the
//! same [`WORKERS`]; pools may still be sized by `pool:N`.

use std::sync::Arc;
use std::time::Duration;

use rtbench::limit::Limit;
use rtbench::runtime::brigade::Link;
use rtbench::runtime::{Outcome, Runtime, RuntimeError, Setup, Unit, Variant, net};
use rtbench::workload::{Expectation, Latency, TaskPlan, Work, WorkloadKind, WorkloadSpec};

/// Worker threads for every runtime with a pool (async-std's is fixed per process).
const WORKERS: usize = 2;

/// Expands to `mod $name` holding `fn body($rt: &'static dyn Runtime)` and one `#[test]`
/// per listed runtime; a runtime is written as its name with `-` spelled `_`.
macro_rules! on_runtimes {
    ($name:ident, [$($runtime:ident),+ $(,)?], |$rt:ident| $body:block) => {
        mod $name {
            use super::*;

            fn body($rt: &'static dyn Runtime) $body

            $(runtime_test!($runtime);)+
        }
    };
}

/// One `#[test]` calling `body` with the runtime of that name (async-std only with its feature).
macro_rules! runtime_test {
    (async_std) => {
        #[cfg(feature = "async-std")]
        #[test]
        fn async_std() {
            body(super::runtime("async-std"));
        }
    };
    ($runtime:ident) => {
        #[test]
        fn $runtime() {
            body(super::runtime(&stringify!($runtime).replace('_', "-")));
        }
    };
}

/// The body once per runtime in the registry (checked by `macros_cover_the_registry`).
macro_rules! on_every_runtime {
    ($name:ident, |$rt:ident| $body:block) => {
        on_runtimes!(
            $name,
            [
                sequential,
                tokio,
                tokio_current_thread,
                smol,
                async_std,
                threads,
                crossbeam_pool,
                rayon,
                processes,
            ],
            |$rt| $body
        );
    };
}

/// The body on every runtime that runs tasks concurrently (all but `sequential`).
macro_rules! on_every_concurrent_runtime {
    ($name:ident, |$rt:ident| $body:block) => {
        on_runtimes!(
            $name,
            [
                tokio,
                tokio_current_thread,
                smol,
                async_std,
                threads,
                crossbeam_pool,
                rayon,
                processes,
            ],
            |$rt| $body
        );
    };
}

/// The names `on_every_runtime!` generates tests for, in registry order.
const MACRO_RUNTIMES: &[&str] = &[
    "sequential",
    "tokio",
    "tokio-current-thread",
    "smol",
    #[cfg(feature = "async-std")]
    "async-std",
    "threads",
    "crossbeam-pool",
    "rayon",
    "processes",
];

const ASYNC_RUNTIMES: &[&str] = &["tokio", "tokio-current-thread", "smol", "async-std"];
const POOL_RUNTIMES: &[&str] = &["crossbeam-pool", "rayon"];

fn runtime(name: &str) -> &'static dyn Runtime {
    rtbench::runtime::find(name).unwrap_or_else(|e| panic!("{e}"))
}

fn ms(n: u64) -> Latency {
    Latency::Fixed(Duration::from_millis(n))
}

/// A workload of `tasks` tasks with one call each, compute 200 and steps `[3, 1, 2]`.
fn spec(kind: WorkloadKind, tasks: usize, latency: Latency) -> WorkloadSpec {
    WorkloadSpec {
        kind,
        tasks,
        calls: 1,
        latency,
        compute: 200,
        steps: vec![3, 1, 2],
        seed: 7,
        payload: 16,
    }
}

/// The small workload of the correctness matrix: 9 tasks, 1 ms waits, two calls per io task.
fn small(kind: WorkloadKind) -> WorkloadSpec {
    WorkloadSpec {
        calls: 2,
        ..spec(kind, 9, ms(1))
    }
}

fn setup(limit: Limit, tasks: usize) -> Setup {
    Setup {
        workers: WORKERS,
        limit,
        tasks,
        variant: Variant::Normal,
    }
}

/// Starts `rt` under `limit` and runs `work` once, failing the test on any runtime error.
fn run(rt: &dyn Runtime, limit: Limit, work: &Arc<Work>) -> Outcome {
    let label = format!("{} {limit}", rt.name());
    let mut instance = rt
        .start(&setup(limit, work.len()))
        .unwrap_or_else(|e| panic!("{label}: start: {e}"));
    instance
        .run(work)
        .unwrap_or_else(|e| panic!("{label}: run: {e}"))
}

/// What the `sequential` runtime actually produces for `plans`.
fn sequential_outcome(plans: &[TaskPlan]) -> Outcome {
    run(
        runtime("sequential"),
        Limit::Unbounded,
        &Arc::new(Work::new(plans.to_vec())),
    )
}

/// Whether the harness documents `rt` as refusing `limit`: sequential takes only
/// `unbounded`, the worker pools take no `semaphore:N`, everything else takes anything.
fn refuses(rt: &dyn Runtime, limit: Limit) -> bool {
    match rt.name() {
        "sequential" => limit != Limit::Unbounded,
        name if POOL_RUNTIMES.contains(&name) || name == "processes" => {
            matches!(limit, Limit::Semaphore(_))
        }
        _ => false,
    }
}

/// A limit leaving room for at least 10 tasks in flight: the pools' concurrency is their size.
fn roomy_limit(rt: &dyn Runtime) -> Limit {
    if POOL_RUNTIMES.contains(&rt.name()) {
        Limit::Pool(10)
    } else {
        Limit::Unbounded
    }
}

#[test]
fn macros_cover_the_registry() {
    assert_eq!(rtbench::runtime::names(), MACRO_RUNTIMES);
    for name in ASYNC_RUNTIMES.iter().chain(POOL_RUNTIMES) {
        if *name != "async-std" || cfg!(feature = "async-std") {
            runtime(name);
        }
    }
}

on_every_runtime!(every_workload_and_limit_matches_the_expectation, |rt| {
    let limits = [
        Limit::Unbounded,
        Limit::Semaphore(3),
        Limit::Batches(3),
        Limit::Pool(3),
    ];
    for kind in WorkloadKind::all() {
        // `net` calls a latency server of its own, as a cell does.
        let spec = small(kind);
        let server = net::server_for(&spec).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let work = Arc::new(net::work_for(&spec, server.as_ref()));
        let expected = Expectation::of(kind, work.plans()).checksum;
        let sequential = run(runtime("sequential"), Limit::Unbounded, &work).tally;
        assert_eq!(
            sequential.checksum, expected,
            "sequential {kind}: checksum differs from the plans' expectation"
        );
        for limit in limits {
            let label = format!("{} {kind} {limit}", rt.name());
            let refusal = rt.refusal(limit);
            assert_eq!(
                refusal.is_some(),
                refuses(rt, limit),
                "{label}: unexpected refusal {refusal:?}"
            );
            if let Some(why) = refusal {
                assert!(
                    why.contains(&limit.to_string()),
                    "{label}: refusal does not name the limit: {why}"
                );
                continue;
            }
            let tally = run(rt, limit, &work).tally;
            assert_eq!(tally.completed, work.len(), "{label}: tasks completed");
            assert_eq!(
                tally.checksum, expected,
                "{label}: checksum differs from the expectation"
            );
            assert_eq!(
                tally.checksum, sequential.checksum,
                "{label}: checksum differs from sequential's"
            );
        }
    }
});

on_every_concurrent_runtime!(io_waits_overlap, |rt| {
    let plans = spec(WorkloadKind::Io, 50, ms(20)).plans();
    let sequential = sequential_outcome(&plans).measured.wall;
    let limit = roomy_limit(rt);
    let concurrency = rt.shape(&setup(limit, plans.len())).concurrency;
    assert!(
        concurrency >= 10,
        "{} {limit}: concurrency {concurrency}",
        rt.name()
    );
    let outcome = run(rt, limit, &Arc::new(Work::new(plans)));
    assert_eq!(outcome.tally.completed, 50);
    assert!(
        outcome.measured.wall < sequential / 2,
        "{} {limit}: {:?} is not under half of sequential's {sequential:?}",
        rt.name(),
        outcome.measured.wall
    );
});

on_every_runtime!(limits_bound_tasks_in_flight, |rt| {
    const BOUND: usize = 4;
    let plans = spec(WorkloadKind::Io, 30, ms(5)).plans();
    let peak = |limit: Limit| {
        let work = Arc::new(Work::instrumented(plans.clone()));
        let tally = run(rt, limit, &work).tally;
        assert_eq!(tally.completed, plans.len(), "{} {limit}", rt.name());
        let peak = work.gauge().expect("instrumented work has a gauge").peak();
        let shape = rt.shape(&setup(limit, plans.len()));
        assert!(
            peak <= shape.concurrency,
            "{} {limit}: peak {peak} exceeds the shape's concurrency {}",
            rt.name(),
            shape.concurrency
        );
        peak
    };
    let bounded = [
        Limit::Semaphore(BOUND),
        Limit::Pool(BOUND),
        Limit::Batches(BOUND),
    ];
    for limit in bounded.into_iter().filter(|&l| rt.refusal(l).is_none()) {
        let peak = peak(limit);
        assert!(peak <= BOUND, "{} {limit}: peak {peak}", rt.name());
        assert!(peak >= 2, "{} {limit}: peak {peak}", rt.name());
    }
    let unbounded = peak(Limit::Unbounded);
    match rt.name() {
        "sequential" => assert_eq!(unbounded, 1, "sequential runs one task at a time"),
        name if ASYNC_RUNTIMES.contains(&name) => assert!(
            unbounded > BOUND,
            "{name} unbounded: peak {unbounded} should exceed {BOUND}"
        ),
        name if POOL_RUNTIMES.contains(&name) => assert!(
            (2..=WORKERS).contains(&unbounded),
            "{name} unbounded: peak {unbounded} should be the pool size {WORKERS}"
        ),
        name => assert!(unbounded >= 2, "{name} unbounded: peak {unbounded}"),
    }
});

on_every_runtime!(seed_changes_the_checksum, |rt| {
    let mut spec = WorkloadSpec {
        calls: 2,
        ..spec(
            WorkloadKind::Io,
            9,
            Latency::Uniform(Duration::from_millis(1), Duration::from_millis(5)),
        )
    };
    let before = Expectation::of(spec.kind, &spec.plans()).checksum;
    spec.seed += 1;
    let plans = spec.plans();
    let after = Expectation::of(spec.kind, &plans).checksum;
    assert_ne!(before, after, "the seed does not reach the checksum");
    let tally = run(rt, Limit::Unbounded, &Arc::new(Work::new(plans))).tally;
    assert_eq!(tally.completed, spec.tasks);
    assert_eq!(tally.checksum, after, "{}: checksum", rt.name());
});

/// What each runtime's probe paths are, by name: the unit its `start` starts, and whether it
/// takes jobs on a running pool (`pool:N`).
fn probe_paths(name: &str) -> (Option<Unit>, bool) {
    match name {
        "sequential" => (None, false),
        "threads" => (Some(Unit::Thread), false),
        "crossbeam-pool" => (None, true),
        "rayon" => (Some(Unit::Task), true),
        "processes" => (Some(Unit::Process), true),
        _ => (Some(Unit::Task), false), // the async runtimes
    }
}

on_every_runtime!(start_path_starts_the_units_it_says, |rt| {
    const UNITS: usize = 24;
    let name = rt.name();
    assert_eq!(
        (rt.start_unit(), rt.takes_jobs()),
        probe_paths(name),
        "{name}"
    );
    let mut instance = rt
        .start(&setup(Limit::Unbounded, UNITS))
        .unwrap_or_else(|e| panic!("{name}: start: {e}"));
    match rt.start_unit() {
        None => assert!(
            matches!(
                instance.start_units(UNITS),
                Err(RuntimeError::Unsupported(_))
            ),
            "{name} starts no unit, so it must say so"
        ),
        Some(unit) => {
            // Twice on one instance: a second run starts new units, it does not reuse them.
            for _ in 0..2 {
                let s = instance
                    .start_units(UNITS)
                    .unwrap_or_else(|e| panic!("{name}: start_units: {e}"));
                assert_eq!(s.ran, UNITS, "{name}: every unit reports to its join");
                let distinct = match unit {
                    // Each thread reports its own id, each process is its own pid.
                    Unit::Thread | Unit::Process => Some(UNITS),
                    Unit::Task => None,
                    Unit::Job => panic!("{name}: a start never starts a job"),
                };
                assert_eq!(
                    s.distinct, distinct,
                    "{name}: distinct threads or processes"
                );
                assert!(s.wall_seconds > 0.0, "{name}: {s:?}");
            }
        }
    }
    if rt.takes_jobs() {
        let mut pool = rt
            .start(&setup(Limit::Pool(WORKERS), UNITS))
            .unwrap_or_else(|e| panic!("{name} pool:{WORKERS}: start: {e}"));
        let j = pool
            .submit_jobs(UNITS)
            .unwrap_or_else(|e| panic!("{name}: submit_jobs: {e}"));
        assert_eq!((j.ran, j.distinct), (UNITS, None), "{name}: {j:?}");
    } else {
        assert!(
            matches!(
                instance.submit_jobs(UNITS),
                Err(RuntimeError::Unsupported(_))
            ),
            "{name} has no running pool, so it must say so"
        );
    }
});

on_every_runtime!(timer_probe_times_the_sleep_inside_the_unit, |rt| {
    let requested = Duration::from_millis(15);
    let mut instance = rt
        .start(&setup(Limit::Unbounded, 1))
        .unwrap_or_else(|e| panic!("{}: start: {e}", rt.name()));
    let t = instance
        .sleep_in_unit(requested)
        .unwrap_or_else(|e| panic!("{}: sleep_in_unit: {e}", rt.name()));
    let asked = requested.as_secs_f64();
    assert!(t.sleep_seconds >= asked * 0.95, "{}: {t:?}", rt.name());
    // Generous: a loaded machine may oversleep, but not by ten times the request.
    assert!(t.sleep_seconds < asked * 10.0, "{}: {t:?}", rt.name());
    assert!(
        t.start_seconds >= 0.0 && t.join_seconds >= 0.0,
        "{}: {t:?}",
        rt.name()
    );
    assert!(t.whole_seconds() >= t.sleep_seconds, "{}: {t:?}", rt.name());
    if rt.name() == "processes" {
        // Spawning and exec'ing a process is start cost, so it is not in the sleep.
        assert!(t.start_seconds > 0.0, "processes: {t:?}");
    }
});

/// What a brigade cell answered: seconds per hop, voluntary and involuntary switches per
/// hop, and the socket I/O alone per hop (units linked by sockets).
type Brigade = (f64, f64, f64, Option<f64>);

/// The brigade experiment (C13) through the real child path, in a process of its own so
/// getrusage counts nothing but its hops.
fn brigade(name: &str, pin: Option<usize>, pin_flag: bool, link: Link) -> Result<Brigade, String> {
    use rtbench::suite::{CellRequest, Experiment, ExperimentOutcome, Isolation, isolate};
    let (units, hops) = match link {
        Link::Channel => (4, 6_000),
        Link::Socket => (50, 4_000),
    };
    let req = CellRequest {
        experiment: Some(Experiment::Brigade {
            units,
            hops,
            pin: pin_flag,
            link,
        }),
        pin,
        ..CellRequest::small(name, WORKERS)
    };
    let iso = Isolation {
        exe: env!("CARGO_BIN_EXE_rtbench").into(),
        timeout: Duration::from_secs(30),
    };
    let reply = isolate::run_isolated(&req, &iso);
    match (reply.error, reply.experiment) {
        (Some(e), _) => Err(format!("{}: {}", e.kind, e.message)),
        (
            None,
            Some(ExperimentOutcome::Brigade {
                seconds_per_hop,
                voluntary_per_hop,
                involuntary_per_hop,
                pipe_seconds_per_hop,
            }),
        ) => Ok((
            seconds_per_hop,
            voluntary_per_hop,
            involuntary_per_hop,
            pipe_seconds_per_hop,
        )),
        (None, other) => Err(format!("not a brigade outcome: {other:?}")),
    }
}

on_runtimes!(
    brigade_blocks_threads_and_counts_switches,
    [tokio, tokio_current_thread, smol, async_std, threads],
    |rt| {
        let name = rt.name();
        for (link, pin) in Link::ALL.into_iter().flat_map(|l| [(l, false), (l, true)]) {
            // An error here includes a lost, doubled or changed token (count and checksum)
            // and, over sockets, a token cut short.
            let (per_hop, voluntary, involuntary, pipe) = brigade(name, None, pin, link)
                .unwrap_or_else(|e| panic!("{name} {link:?} pin={pin}: {e}"));
            assert!(per_hop > 0.0, "{name} {link:?} pin={pin}: {per_hop}");
            assert!(
                voluntary >= 0.0 && involuntary >= 0.0,
                "{name} {link:?} pin={pin}"
            );
            match (link, pipe) {
                (Link::Channel, None) => {}
                // A hop makes the same write and read as the pipe alone, and a wake-up
                // besides; the pipe was timed apart, so only a wide margin holds on a busy
                // host.
                (Link::Socket, Some(pipe)) => assert!(
                    pipe > 0.0 && per_hop > pipe / 2.0,
                    "{name} pin={pin}: hop {per_hop}, pipe {pipe}"
                ),
                other => {
                    panic!("{name}: the socket I/O alone is timed for sockets only: {other:?}")
                }
            }
            if name == "threads" {
                // Hops block in the kernel: no spinning on an idle core, and in a ring a
                // unit is asleep before the token comes back, unless it was preempted after
                // giving it (a busy host: 0.93 measured). C13's own gate.
                assert!(
                    voluntary >= rtbench::claims::MIN_VOLUNTARY_PER_HOP,
                    "threads {link:?} pin={pin}: {voluntary} voluntary switches per hop"
                );
            }
        }
    }
);

#[test]
fn a_cell_pinned_to_a_cpu_it_may_not_use_fails_naming_it() {
    let allowed = rtbench::measure::affinity::allowed_cpus().expect("the OS names the CPUs");
    let stranger = allowed.iter().max().map_or(0, |m| m + 1);
    let err =
        brigade("threads", Some(stranger), false, Link::Channel).expect_err("an unusable CPU");
    assert!(err.starts_with("start: "), "{err}");
    assert!(err.contains(&format!("CPU {stranger}")), "{err}");
    assert!(err.contains(&format!("{allowed:?}")), "{err}");
}
