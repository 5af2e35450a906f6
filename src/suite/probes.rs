//! Small fixed probes every profile runs before its sweep, each in a child process of its
//! own, through the runtime's own adapter:
//!
//! - timer probe: how long `sleep(1ms)` and `sleep(10ms)` really take, timestamped inside
//!   the unit around the sleep alone (median, min and max of 21), so nobody mistakes timer
//!   granularity for scheduler speed (tokio's timer works in whole milliseconds and rounds
//!   up; async-io's, smol's, does not). Starting and joining the unit are figures of their
//!   own, never inside the overshoot;
//! - spawn probe: the cost to start and join one unit that does nothing (`start`: an async
//!   task, an OS thread, a rayon task, a process), and apart from it the cost of one empty
//!   job through a pool already running (`job`: rayon's parallel iterator, the crossbeam
//!   pool's channel, the process pool's round trip); median of 5 runs of wall / units;
//! - latency server probe (runs with `net` cells): how much later than asked the server's
//!   replies arrive at a blocking client, and the server's own share, at 1 ms and 10 ms.

use std::time::Duration;

use super::isolate::{Isolation, run_isolated};
use super::protocol::{CellRequest, Experiment, ExperimentOutcome};
use super::stats::Stat;
use crate::limit::Limit;
use crate::netserver::{PROBE_DELAYS, PROBE_SAMPLES};
use crate::results::{RuntimeFacts, ServerProbe, SpawnProbe, TimerProbe};
use crate::runtime::{Model, Runtime, SleepTimes, SpawnKind, Spawned, Unit};

/// The sleeps probed.
pub const TIMER_SLEEPS: [Duration; 2] = [Duration::from_millis(1), Duration::from_millis(10)];
const TIMER_SAMPLES: usize = 21;
const SPAWN_SAMPLES: usize = 5;
const WARMUP: usize = 2;

/// Runs `experiment` on `runtime` under `limit` in a child process: its runs, or the error.
fn probe(
    runtime: &dyn Runtime,
    experiment: Experiment,
    limit: Limit,
    repeat: usize,
    workers: usize,
    iso: &Isolation,
) -> Result<ExperimentOutcome, String> {
    let req = CellRequest {
        experiment: Some(experiment),
        limit,
        warmup: WARMUP,
        repeat,
        ..CellRequest::small(runtime.name(), workers)
    };
    let reply = run_isolated(&req, iso);
    match (reply.error, reply.experiment) {
        (Some(e), _) => Err(e.message),
        (None, Some(outcome)) => Ok(outcome),
        (None, None) => Err("the probe answered nothing".into()),
    }
}

/// What one unit of `runtime`'s probes is: the unit it starts, else its own (a pool's job).
fn probed_unit(runtime: &dyn Runtime) -> Unit {
    runtime.start_unit().unwrap_or_else(|| runtime.unit())
}

/// The timer probe: one unit sleeping `requested` on the runtime's own timer, stamped
/// inside around the sleep, 21 times after 2 untimed.
pub fn timer(
    runtime: &dyn Runtime,
    requested: Duration,
    workers: usize,
    iso: &Isolation,
) -> TimerProbe {
    let experiment = Experiment::SleepInUnit { sleep: requested };
    let sleeps = match probe(
        runtime,
        experiment,
        Limit::Unbounded,
        TIMER_SAMPLES,
        workers,
        iso,
    ) {
        Ok(ExperimentOutcome::Slept(s)) if !s.is_empty() => Ok(s),
        Ok(_) => Err("the timer probe answered no sleep".to_string()),
        Err(e) => Err(e),
    };
    let runs = sleeps.as_deref().unwrap_or_default();
    let stat = |f: fn(&SleepTimes) -> f64| Stat::of(runs.iter().map(f));
    let median = |f| stat(f).map(|s| s.median);
    let sleep = stat(|s| s.sleep_seconds).unwrap_or_default();
    let facts = RuntimeFacts::of(runtime);
    TimerProbe {
        runtime: facts.name.into(),
        legacy: facts.legacy,
        model: facts.model,
        unit: probed_unit(runtime),
        requested_seconds: requested.as_secs_f64(),
        median_seconds: sleep.median,
        min_seconds: sleep.min,
        max_seconds: sleep.max,
        overshoot_seconds: if runs.is_empty() {
            0.0
        } else {
            sleep.median - requested.as_secs_f64()
        },
        inside_unit: true,
        start_seconds: median(|s| s.start_seconds),
        join_seconds: median(|s| s.join_seconds),
        whole_seconds: median(SleepTimes::whole_seconds),
        error: sleeps.err(),
    }
}

/// How many empty units (or jobs) one run of a spawn probe starts: enough to amortise the
/// clock, few enough that processes take well under a second.
pub fn spawn_units(runtime: &dyn Runtime, kind: SpawnKind) -> usize {
    match (kind, runtime.model()) {
        (SpawnKind::Start, Model::Processes) => 50,
        (SpawnKind::Start, Model::Threads) | (SpawnKind::Job, Model::Processes) => 1_000,
        _ => 10_000,
    }
}

/// Every spawn probe `runtime` has (`start`, `job`, or both), in that order.
pub fn spawns(runtime: &dyn Runtime, workers: usize, iso: &Isolation) -> Vec<SpawnProbe> {
    runtime
        .spawn_kinds()
        .into_iter()
        .map(|kind| spawn(runtime, kind, workers, iso))
        .collect()
}

/// One spawn probe: empty units started and joined (`start`), or empty jobs through a pool
/// of `workers` already running (`job`); per unit, median of 5 runs after 2 untimed.
pub fn spawn(
    runtime: &dyn Runtime,
    kind: SpawnKind,
    workers: usize,
    iso: &Isolation,
) -> SpawnProbe {
    let units = spawn_units(runtime, kind);
    let (experiment, limit, unit) = match kind {
        SpawnKind::Start => (
            Experiment::StartUnits { units },
            Limit::Unbounded,
            probed_unit(runtime),
        ),
        SpawnKind::Job => (
            Experiment::SubmitJobs { jobs: units },
            Limit::Pool(workers),
            Unit::Job,
        ),
    };
    let runs = match probe(runtime, experiment, limit, SPAWN_SAMPLES, workers, iso) {
        Ok(ExperimentOutcome::Spawned(runs)) if !runs.is_empty() => checked(runs, units),
        Ok(_) => Err("the spawn probe answered no run".to_string()),
        Err(e) => Err(e),
    };
    let per = Stat::of(
        runs.as_deref()
            .unwrap_or_default()
            .iter()
            .map(|r| r.wall_seconds / units as f64),
    )
    .unwrap_or_default();
    let facts = RuntimeFacts::of(runtime);
    SpawnProbe {
        runtime: facts.name.into(),
        legacy: facts.legacy,
        model: facts.model,
        unit,
        kind: Some(kind),
        units,
        spawn_seconds_per_unit: per.median,
        min_seconds_per_unit: per.min,
        max_seconds_per_unit: per.max,
        error: runs.err(),
    }
}

/// The runs, if each ran every unit it was asked for, each a distinct thread or process
/// where units are those.
fn checked(runs: Vec<Spawned>, units: usize) -> Result<Vec<Spawned>, String> {
    for r in &runs {
        if r.ran != units {
            return Err(format!("{} of {units} units reported to their join", r.ran));
        }
        if let Some(d) = r.distinct.filter(|&d| d != units) {
            return Err(format!(
                "{units} units ran as {d} distinct threads or processes"
            ));
        }
    }
    Ok(runs)
}

/// The latency server probe in a child process: per probed delay, the added delay a
/// blocking client sees and the server's own lateness; on failure, one record per delay
/// carrying the error.
pub fn latency_server(payload: usize, iso: &Isolation) -> Vec<ServerProbe> {
    let experiment = Experiment::ServerProbe {
        payload,
        samples: PROBE_SAMPLES,
    };
    let sequential = crate::runtime::find("sequential").expect("sequential is registered");
    let error = match probe(sequential, experiment, Limit::Unbounded, 1, 1, iso) {
        Ok(ExperimentOutcome::ServerProbe(found)) if !found.is_empty() => return found,
        Ok(_) => "the latency server probe answered nothing".to_string(),
        Err(e) => e,
    };
    PROBE_DELAYS
        .iter()
        .map(|d| ServerProbe {
            delay_seconds: d.as_secs_f64(),
            samples: 0,
            added_median_seconds: 0.0,
            added_p99_seconds: 0.0,
            server_late_median_seconds: 0.0,
            server_late_p99_seconds: 0.0,
            error: Some(error.clone()),
        })
        .collect()
}
