//! What the probes ask of a started runtime beside its cells ([`Instance::start_units`],
//! [`Instance::submit_jobs`], [`Instance::sleep_in_unit`]), and the pieces the adapters
//! share to answer: the timestamps around a blocking sleep, and empty jobs through a pool's
//! own run path. A probe's clock reads sit where its figure begins and ends, never around
//! entering or leaving the runtime.

use std::collections::HashSet;
use std::hash::Hash;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{Instance, RuntimeError};
use crate::measure::monotonic_nanos;
use crate::workload::{BlockingSteps, StdSteps, TaskPlan, Work};

/// One run of the spawn probe: units started and joined, or jobs through a running pool.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Spawned {
    /// From the first start (or submission) to the last join (or result).
    pub wall_seconds: f64,
    /// Units (or jobs) whose body ran: each reports itself to its join.
    pub ran: usize,
    /// Distinct OS threads or processes the units ran as, where a unit is one (threads,
    /// processes); None where it is not (tasks, jobs).
    pub distinct: Option<usize>,
}

impl Spawned {
    /// A run of `wall` in which `ran` units or jobs reported, none an OS thread or process.
    pub fn of(wall: Duration, ran: usize) -> Spawned {
        Spawned {
            wall_seconds: wall.as_secs_f64(),
            ran,
            distinct: None,
        }
    }

    /// A run whose units reported these OS thread or process ids, one each.
    pub fn of_ids<T: Eq + Hash>(wall: Duration, ids: Vec<T>) -> Spawned {
        let ran = ids.len();
        Spawned {
            distinct: Some(ids.into_iter().collect::<HashSet<T>>().len()),
            ..Spawned::of(wall, ran)
        }
    }
}

/// One unit sleeping on the runtime's own timer, timestamped inside the unit around the
/// sleep; its start and its join are figures of their own.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SleepTimes {
    /// From asking for the unit (spawn, submit) to its first timestamp, just before the sleep.
    pub start_seconds: f64,
    /// The sleep alone: between the unit's two timestamps.
    pub sleep_seconds: f64,
    /// From the unit's timestamp after the sleep to the join returning.
    pub join_seconds: f64,
}

impl SleepTimes {
    /// From four [`monotonic_nanos`] readings: unit asked for, sleep begun and ended inside
    /// it, unit joined.
    pub fn from_nanos(asked: u64, began: u64, woke: u64, joined: u64) -> SleepTimes {
        let secs = |from: u64, to: u64| to.saturating_sub(from) as f64 * 1e-9;
        SleepTimes {
            start_seconds: secs(asked, began),
            sleep_seconds: secs(began, woke),
            join_seconds: secs(woke, joined),
        }
    }

    /// Asking for the unit to its join: start, sleep and join together.
    pub fn whole_seconds(&self) -> f64 {
        self.start_seconds + self.sleep_seconds + self.join_seconds
    }
}

/// The timer probe on a blocking unit: the adapter calls [`ask`](Stamping::ask) just before
/// it starts the unit, the unit calls [`wait`](BlockingSteps::wait) (std's sleep between two
/// clock reads), and the adapter calls [`joined`](Stamping::joined) once it has joined it.
#[derive(Debug, Default)]
pub struct Stamping {
    asked: AtomicU64,
    began: AtomicU64,
    woke: AtomicU64,
    joined: AtomicU64,
}

impl Stamping {
    /// Stamps the moment the unit is asked for.
    pub fn ask(&self) {
        self.asked.store(monotonic_nanos(), Ordering::Relaxed);
    }

    /// Stamps the moment the unit has been joined.
    pub fn joined(&self) {
        self.joined.store(monotonic_nanos(), Ordering::Relaxed);
    }

    /// The sleep's two stamps, taken inside the unit (what a worker process answers).
    pub fn slept(&self) -> [u64; 2] {
        [
            self.began.load(Ordering::Relaxed),
            self.woke.load(Ordering::Relaxed),
        ]
    }

    /// The figures of the four stamps.
    pub fn times(&self) -> SleepTimes {
        let [began, woke] = self.slept();
        SleepTimes::from_nanos(
            self.asked.load(Ordering::Relaxed),
            began,
            woke,
            self.joined.load(Ordering::Relaxed),
        )
    }
}

impl BlockingSteps for Stamping {
    fn wait(&self, d: Duration) {
        self.began.store(monotonic_nanos(), Ordering::Relaxed);
        BlockingSteps::wait(&StdSteps, d);
        self.woke.store(monotonic_nanos(), Ordering::Relaxed);
    }
}

/// The spawn probe's `job` figure on a pool: `jobs` empty jobs through its own run path
/// (what a cell's tasks go through), timed from the first submission to the last result.
pub fn empty_jobs(instance: &mut dyn Instance, jobs: usize) -> Result<Spawned, RuntimeError> {
    let work = Arc::new(Work::new(vec![TaskPlan::new(Vec::new()); jobs]));
    let outcome = instance.run(&work)?;
    Ok(Spawned::of(outcome.measured.wall, outcome.tally.completed))
}
