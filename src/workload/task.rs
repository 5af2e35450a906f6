//! Executing one task's plan: the only code that runs inside a timed region, shared by
//! every runtime so each does the same work. Waits go through the runtime family's steps
//! ([`AsyncSteps`], [`BlockingSteps`]); computes are the same factorial everywhere.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use super::rng::mix64;
use super::steps::{AsyncSteps, BlockingSteps};
use super::{Step, TaskPlan, cpu};
use crate::measure::{Gauge, Span};

/// Folds a task's steps into its checksum; the index makes identical plans count apart.
pub(crate) struct TaskDigest(u64);

impl TaskDigest {
    pub(crate) fn new(index: usize) -> Self {
        Self(mix64(index as u64 ^ 0x5EED_0F7A_5C5E_0000))
    }

    pub(crate) fn absorb(&mut self, step: usize, digest: u64) {
        self.0 = mix64(self.0 ^ digest.wrapping_add(step as u64));
    }

    pub(crate) fn finish(self) -> u64 {
        self.0
    }
}

/// A step's contribution: a factorial's digits, or the wait's planned length. With the step
/// index and the task index folded in, the sum proves every step of every task ran once.
pub(crate) fn step_digest(step: &Step, factorial: impl FnOnce(u32) -> u64) -> u64 {
    match *step {
        Step::Compute(n) => factorial(n),
        Step::Wait(d) => mix64(d.as_nanos() as u64 ^ 0x0057_A17E_D000_0000),
    }
}

/// Completed tasks and the order-independent sum of their checksums.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Tasks that finished.
    pub completed: usize,
    /// The wrapping sum of their checksums.
    pub checksum: u64,
}

impl Tally {
    /// Counts one finished task and its checksum.
    pub fn add(&mut self, task_checksum: u64) {
        self.completed += 1;
        self.checksum = self.checksum.wrapping_add(task_checksum);
    }

    /// The tally of both runs' tasks.
    pub fn merge(self, other: Tally) -> Tally {
        Tally {
            completed: self.completed + other.completed,
            checksum: self.checksum.wrapping_add(other.checksum),
        }
    }

    /// The tally of one finished task.
    pub fn of(task_checksum: u64) -> Tally {
        Tally {
            completed: 1,
            checksum: task_checksum,
        }
    }
}

/// The plans of one run, shared by every task of it; when each task finished (for latency
/// percentiles: one clock read and one store per task, the same on every runtime); and an
/// optional in-flight gauge.
#[derive(Debug)]
pub struct Work {
    plans: Vec<TaskPlan>,
    gauge: Option<Gauge>,
    /// Start of the current run, in nanoseconds since [`clock_base`].
    epoch: AtomicU64,
    /// Per task: nanoseconds from the run's start to the task's end.
    finished: Box<[AtomicU64]>,
}

/// A process-wide origin so instants fit in an atomic u64.
fn clock_base() -> Instant {
    static BASE: OnceLock<Instant> = OnceLock::new();
    *BASE.get_or_init(Instant::now)
}

fn now_nanos() -> u64 {
    clock_base().elapsed().as_nanos() as u64
}

impl Work {
    /// The work of these plans, without a gauge.
    pub fn new(plans: Vec<TaskPlan>) -> Self {
        Self::build(plans, None)
    }

    /// The same work, counting tasks in flight (for tests of the limits).
    pub fn instrumented(plans: Vec<TaskPlan>) -> Self {
        Self::build(plans, Some(Gauge::default()))
    }

    fn build(plans: Vec<TaskPlan>, gauge: Option<Gauge>) -> Self {
        let finished = plans.iter().map(|_| AtomicU64::new(0)).collect();
        clock_base();
        Self {
            plans,
            gauge,
            epoch: AtomicU64::new(now_nanos()),
            finished,
        }
    }

    /// Starts the timed region of a run: the span, and the origin of completion latencies.
    pub fn begin(&self) -> Span {
        let span = Span::start();
        self.epoch.store(now_nanos(), Ordering::Relaxed);
        span
    }

    /// Each task's time from [`Work::begin`] to its end, in the last run.
    pub fn completion_nanos(&self) -> Vec<u64> {
        self.finished
            .iter()
            .map(|f| f.load(Ordering::Relaxed))
            .collect()
    }

    fn finish(&self, index: usize, digest: TaskDigest) -> u64 {
        self.mark_finished(index);
        digest.finish()
    }

    /// How many tasks a run has.
    pub fn len(&self) -> usize {
        self.plans.len()
    }

    /// Whether a run has no task.
    pub fn is_empty(&self) -> bool {
        self.plans.is_empty()
    }

    /// Every task's plan, by index.
    pub fn plans(&self) -> &[TaskPlan] {
        &self.plans
    }

    /// The in-flight gauge of instrumented work.
    pub fn gauge(&self) -> Option<&Gauge> {
        self.gauge.as_ref()
    }

    /// Runs task `index` on this thread; `via` performs its waits.
    pub fn run_blocking(&self, index: usize, via: &impl BlockingSteps) -> u64 {
        let _in_flight = self.gauge.as_ref().map(Gauge::enter);
        let checksum = run_steps_blocking(index, &self.plans[index].steps, via);
        self.mark_finished(index);
        checksum
    }

    /// Records that task `index` finished now (for work done elsewhere, e.g. a worker process).
    pub fn mark_finished(&self, index: usize) {
        let since = now_nanos().saturating_sub(self.epoch.load(Ordering::Relaxed));
        self.finished[index].store(since, Ordering::Relaxed);
    }

    /// Runs task `index` as a future; `via` performs its waits (the runtime's own timer,
    /// or a labelled variant's blocking call).
    pub async fn run_async(&self, index: usize, via: impl AsyncSteps) -> u64 {
        let _in_flight = self.gauge.as_ref().map(Gauge::enter);
        let mut digest = TaskDigest::new(index);
        for (k, step) in self.plans[index].steps.iter().enumerate() {
            if let Step::Wait(d) = *step {
                via.wait(d).await;
            }
            digest.absorb(k, step_digest(step, cpu::factorial_digest));
        }
        self.finish(index, digest)
    }
}

/// Runs one task's steps on this thread (`via` performs its waits) and returns its
/// checksum: the body of `Work::run_blocking`, and of a worker process's task.
pub fn run_steps_blocking(index: usize, steps: &[Step], via: &impl BlockingSteps) -> u64 {
    let mut digest = TaskDigest::new(index);
    for (k, step) in steps.iter().enumerate() {
        if let Step::Wait(d) = *step {
            via.wait(d);
        }
        digest.absorb(k, step_digest(step, cpu::factorial_digest));
    }
    digest.finish()
}
