//! Small fixed cells every profile runs before its sweep, with each runtime's own adapter:
//!
//! - timer probe: how long `sleep(1ms)` and `sleep(10ms)` really take (median of 21
//!   single-task runs), so nobody mistakes timer granularity for scheduler speed (tokio's
//!   timer works in whole milliseconds and rounds up; async-io's, smol's, does not);
//! - spawn probe: the cost to start and join one unit that does nothing (an async task, a
//!   thread, a pool job, a process), as the median wall time of empty tasks / their number.

use std::time::Duration;

use super::isolate::{Isolation, run_isolated};
use super::protocol::{CellReply, CellRequest};
use super::stats::Stat;
use crate::results::{RuntimeFacts, SpawnProbe, TimerProbe};
use crate::runtime::{Model, Runtime};
use crate::workload::Latency;

/// The sleeps probed.
pub const TIMER_SLEEPS: [Duration; 2] = [Duration::from_millis(1), Duration::from_millis(10)];
const TIMER_SAMPLES: usize = 21;
const SPAWN_SAMPLES: usize = 5;

/// Runs `tasks` tasks of `calls` waits of `latency` on `runtime`, one cell, `repeat` times.
fn probe_cell(
    runtime: &dyn Runtime,
    tasks: usize,
    calls: u32,
    latency: Duration,
    repeat: usize,
    workers: usize,
    iso: &Isolation,
) -> (CellReply, Stat) {
    let req = CellRequest {
        tasks,
        calls,
        latency: Latency::Fixed(latency),
        warmup: 2,
        repeat,
        ..CellRequest::small(runtime.name(), workers)
    };
    let reply = run_isolated(&req, iso);
    let wall = Stat::of(reply.samples.iter().map(|s| s.wall_seconds)).unwrap_or_default();
    (reply, wall)
}

/// The timer probe: one task sleeping `requested` on the runtime's own timer, median of 21.
pub fn timer(
    runtime: &dyn Runtime,
    requested: Duration,
    workers: usize,
    iso: &Isolation,
) -> TimerProbe {
    let (reply, wall) = probe_cell(runtime, 1, 1, requested, TIMER_SAMPLES, workers, iso);
    let ok = reply.error.is_none() && !reply.samples.is_empty();
    let facts = RuntimeFacts::of(runtime);
    TimerProbe {
        runtime: facts.name.into(),
        legacy: facts.legacy,
        model: facts.model,
        unit: facts.unit,
        requested_seconds: requested.as_secs_f64(),
        median_seconds: wall.median,
        min_seconds: wall.min,
        max_seconds: wall.max,
        overshoot_seconds: if ok {
            wall.median - requested.as_secs_f64()
        } else {
            0.0
        },
        error: reply.error.map(|e| e.message),
    }
}

/// How many empty units a runtime's spawn probe starts: enough to amortise the clock,
/// few enough that processes take well under a second.
pub fn spawn_units(runtime: &dyn Runtime) -> usize {
    match runtime.model() {
        Model::Processes => 50,
        Model::Threads | Model::Sequential => 1_000,
        Model::Async | Model::ThreadPool => 10_000,
    }
}

/// The spawn probe: empty units started and joined, per unit, median of 5 runs.
pub fn spawn(runtime: &dyn Runtime, workers: usize, iso: &Isolation) -> SpawnProbe {
    let units = spawn_units(runtime);
    let (reply, wall) = probe_cell(
        runtime,
        units,
        0,
        Duration::ZERO,
        SPAWN_SAMPLES,
        workers,
        iso,
    );
    let per = |s: f64| s / units as f64;
    let facts = RuntimeFacts::of(runtime);
    SpawnProbe {
        runtime: facts.name.into(),
        legacy: facts.legacy,
        model: facts.model,
        unit: facts.unit,
        units,
        spawn_seconds_per_unit: per(wall.median),
        min_seconds_per_unit: per(wall.min),
        max_seconds_per_unit: per(wall.max),
        error: reply.error.map(|e| e.message),
    }
}
