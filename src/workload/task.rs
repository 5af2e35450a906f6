//! Executing one task's plan: the only code that runs inside a timed region, shared by
//! every runtime so each does the same work. Waits and a call's socket I/O go through the
//! runtime family's steps ([`AsyncSteps`], [`BlockingSteps`]); computes are the same
//! factorial everywhere, and a call's frames and checks the same [`Caller`].
//!
//! A task that cannot do its work (an OS refusal, the server gone) records the run's
//! [`TaskFailure`] (the first one) and ends; the tasks after it skip their work, so a
//! failing cell ends quickly, and the runtime reports the failure, not a checksum.

use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::net::{Caller, NetTarget, TaskFailure, call_digest, call_token};
use super::rng::mix64;
use super::steps::{AsyncSteps, BlockingSteps, std_connect, std_exchange};
use super::{Step, TaskPlan, cpu};
use crate::measure::{Gauge, Span};
use crate::netserver::expected_reply_word;

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

/// A wait's contribution: its planned length.
fn wait_digest(d: Duration) -> u64 {
    mix64(d.as_nanos() as u64 ^ 0x0057_A17E_D000_0000)
}

/// Step `k` of task `index`'s contribution when it runs as planned: a factorial's digits,
/// the wait's planned length, or the call's delay and the reply its token must get. With
/// the step index and the task index folded in, the sum proves every step of every task
/// ran once (and every call got its own reply).
pub(crate) fn planned_digest(
    index: usize,
    k: usize,
    step: &Step,
    factorial: impl FnOnce(u32) -> u64,
) -> u64 {
    match *step {
        Step::Compute(n) => factorial(n),
        Step::Wait(d) => wait_digest(d),
        Step::Call(d) => call_digest(d, expected_reply_word(call_token(index, k))),
    }
}

/// The step of a plan's last call: its request asks the server to close after replying.
fn last_call(steps: &[Step]) -> Option<usize> {
    steps.iter().rposition(|s| matches!(s, Step::Call(_)))
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
/// percentiles: one clock read and one store per task, the same on every runtime); an
/// optional in-flight gauge; the latency server its calls go to; and the run's failure.
#[derive(Debug)]
pub struct Work {
    plans: Vec<TaskPlan>,
    gauge: Option<Gauge>,
    target: Option<NetTarget>,
    /// Set once a task failed: the tasks after it skip their work.
    failed: AtomicBool,
    /// The first task failure of the run.
    failure: Mutex<Option<TaskFailure>>,
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
            target: None,
            failed: AtomicBool::new(false),
            failure: Mutex::new(None),
            epoch: AtomicU64::new(now_nanos()),
            finished,
        }
    }

    /// The same work, its calls made to the latency server at `target`.
    pub fn aimed_at(mut self, target: NetTarget) -> Self {
        self.target = Some(target);
        self
    }

    /// Where its calls go, if it makes any.
    pub fn target(&self) -> Option<NetTarget> {
        self.target
    }

    /// Records a task's failure: the run's first is kept, and later tasks skip their work.
    pub fn fail(&self, failure: TaskFailure) {
        self.failed.store(true, Ordering::Relaxed);
        let mut first = self.failure.lock().unwrap_or_else(|p| p.into_inner());
        first.get_or_insert(failure);
    }

    /// The run's first task failure, taken (the next run starts clean).
    pub fn take_failure(&self) -> Option<TaskFailure> {
        self.failed.store(false, Ordering::Relaxed);
        self.failure
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }

    /// Whether a task of this run has failed already.
    pub fn has_failed(&self) -> bool {
        self.failed.load(Ordering::Relaxed)
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

    /// Runs task `index` on this thread; `via` performs its waits. A failure is recorded
    /// ([`Work::fail`]) and counts 0.
    pub fn run_blocking(&self, index: usize, via: &impl BlockingSteps) -> u64 {
        let _in_flight = self.gauge.as_ref().map(Gauge::enter);
        let checksum = if self.has_failed() {
            Ok(0)
        } else {
            run_steps_blocking(index, &self.plans[index].steps, via, self.target)
        };
        self.mark_finished(index);
        checksum.unwrap_or_else(|f| {
            self.fail(f);
            0
        })
    }

    /// Records that task `index` finished now (for work done elsewhere, e.g. a worker process).
    pub fn mark_finished(&self, index: usize) {
        let since = now_nanos().saturating_sub(self.epoch.load(Ordering::Relaxed));
        self.finished[index].store(since, Ordering::Relaxed);
    }

    /// Runs task `index` as a future; `via` performs its waits and calls (the runtime's
    /// own timer and sockets, or a labelled variant's blocking calls). A failure is
    /// recorded ([`Work::fail`]) and counts 0.
    pub async fn run_async<W: AsyncSteps>(&self, index: usize, via: W) -> u64 {
        let _in_flight = self.gauge.as_ref().map(Gauge::enter);
        if self.has_failed() {
            self.mark_finished(index);
            return 0;
        }
        match self.steps_async(index, via).await {
            Ok(digest) => self.finish(index, digest),
            Err(failure) => {
                self.fail(failure);
                self.mark_finished(index);
                0
            }
        }
    }

    async fn steps_async<W: AsyncSteps>(
        &self,
        index: usize,
        via: W,
    ) -> Result<TaskDigest, TaskFailure> {
        let steps = &self.plans[index].steps;
        let last = last_call(steps);
        let mut digest = TaskDigest::new(index);
        let mut link: Option<(Caller, W::Conn)> = None;
        for (k, step) in steps.iter().enumerate() {
            let part = match *step {
                Step::Wait(d) => {
                    via.wait(d).await;
                    wait_digest(d)
                }
                Step::Compute(n) => cpu::factorial_digest(n),
                Step::Call(d) => {
                    if link.is_none() {
                        let caller = Caller::new(target_of(self.target)?);
                        let conn = via.connect(caller.addr()).await;
                        let conn = conn.map_err(|e| caller.connect_failed(e))?;
                        link = Some((caller, conn));
                    }
                    let (caller, conn) = link.as_mut().expect("connected above");
                    let frame = Caller::request(index, k, d, Some(k) == last);
                    let got = via.exchange(conn, &frame, &mut caller.reply).await;
                    let word = caller.word(got.map_err(|e| caller.exchange_failed(e))?)?;
                    if Some(k) == last {
                        let mut end = [0u8; 1];
                        Caller::closed(via.exchange(conn, &[], &mut end).await)?;
                    }
                    call_digest(d, word)
                }
            };
            digest.absorb(k, part);
        }
        Ok(digest)
    }
}

/// The target of a run that makes calls, or the failure of one that started no server.
fn target_of(target: Option<NetTarget>) -> Result<NetTarget, TaskFailure> {
    target.ok_or_else(|| TaskFailure {
        kind: super::net::FailureKind::Io,
        message: "a net task has no latency server to call: the run started none".into(),
    })
}

/// Runs one task's steps on this thread (`via` performs its waits; calls go to `target`
/// over blocking std::net) and returns its checksum: the body of `Work::run_blocking`, and
/// of a worker process's task.
pub fn run_steps_blocking(
    index: usize,
    steps: &[Step],
    via: &impl BlockingSteps,
    target: Option<NetTarget>,
) -> Result<u64, TaskFailure> {
    let last = last_call(steps);
    let mut digest = TaskDigest::new(index);
    let mut link: Option<(Caller, TcpStream)> = None;
    for (k, step) in steps.iter().enumerate() {
        let part = match *step {
            Step::Wait(d) => {
                via.wait(d);
                wait_digest(d)
            }
            Step::Compute(n) => cpu::factorial_digest(n),
            Step::Call(d) => {
                if link.is_none() {
                    let caller = Caller::new(target_of(target)?);
                    let conn = std_connect(caller.addr()).map_err(|e| caller.connect_failed(e))?;
                    link = Some((caller, conn));
                }
                let (caller, conn) = link.as_mut().expect("connected above");
                let frame = Caller::request(index, k, d, Some(k) == last);
                let got = std_exchange(conn, &frame, &mut caller.reply);
                let word = caller.word(got.map_err(|e| caller.exchange_failed(e))?)?;
                if Some(k) == last {
                    Caller::closed(std_exchange(conn, &[], &mut [0u8; 1]))?;
                }
                call_digest(d, word)
            }
        };
        digest.absorb(k, part);
    }
    Ok(digest.finish())
}
