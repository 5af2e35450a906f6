//! `pool:N` for processes: N long-lived workers, each with a feeder thread in this process
//! that sends it one task at a time. Workers, pipes and feeder threads are all made in
//! `start`, outside the timed region; a run only hands each feeder the run's work over a
//! channel and collects one answer per feeder, as a thread pool is handed jobs.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::{self, JoinHandle};

use crossbeam_channel::{Receiver, Sender};

use super::{WorkerProc, job, spawn_refused};
use crate::measure::memory;
use crate::measure::{Usage, os_limits};
use crate::runtime::{
    ChildMemory, Instance, Outcome, RuntimeError, Spawned, empty_jobs, panic_message,
};
use crate::workload::{Tally, Work};

/// What a feeder answers for one run: its tasks' tally and its worker's usage over the run.
type FeederReply = Result<(Tally, Usage), RuntimeError>;

/// N workers and their feeders; dropping it closes every worker's stdin and reaps it.
pub(super) struct PoolInstance {
    feeders: Vec<Feeder>,
    /// The next task index of the current run, shared by the feeders.
    next: Arc<AtomicUsize>,
    /// One reply per feeder per run.
    replies: Receiver<FeederReply>,
}

struct Feeder {
    /// Hands the feeder a run; dropping it ends the feeder, which reaps its worker.
    runs: Sender<Arc<Work>>,
    thread: JoinHandle<()>,
    /// Its worker's process id, to read the worker's memory after a run.
    pid: u32,
}

impl PoolInstance {
    /// Starts `n` workers and a feeder thread for each. On a refusal, those already started
    /// are reaped (the partly built pool is dropped).
    pub(super) fn start(exe: &Path, n: usize) -> Result<PoolInstance, RuntimeError> {
        let (replies_tx, replies) = crossbeam_channel::unbounded();
        let mut pool = PoolInstance {
            feeders: Vec::with_capacity(n),
            next: Arc::new(AtomicUsize::new(0)),
            replies,
        };
        for started in 0..n {
            let proc = WorkerProc::spawn(exe).map_err(|e| spawn_refused(started, e))?;
            let pid = proc.pid();
            let (runs, run_rx) = crossbeam_channel::unbounded();
            let (next, replies) = (Arc::clone(&pool.next), replies_tx.clone());
            // A refused thread drops the closure, and with it the worker (killed and reaped).
            let thread = thread::Builder::new()
                .name(format!("process-feeder-{started}"))
                .spawn(move || feed(proc, &next, &run_rx, &replies))
                .map_err(|source| RuntimeError::ThreadSpawn {
                    started,
                    source,
                    limits: os_limits::describe_thread_limits(),
                })?;
            pool.feeders.push(Feeder { runs, thread, pid });
        }
        Ok(pool)
    }
}

/// A feeder's life: for each run, tasks to its worker one at a time until none is left,
/// then one reply. After a failure it answers every later run with an error and never
/// talks to its worker again. At the end (the pool dropped) it reaps its worker.
fn feed(
    mut proc: WorkerProc,
    next: &AtomicUsize,
    runs: &Receiver<Arc<Work>>,
    replies: &Sender<FeederReply>,
) {
    // The worker's own usage as of its last answer, so each run counts only its share.
    let mut usage = Usage::default();
    let mut failed = false;
    for work in runs {
        let reply = if failed {
            Err(RuntimeError::Worker(format!(
                "worker process {} failed in an earlier run",
                proc.pid()
            )))
        } else {
            catch_unwind(AssertUnwindSafe(|| {
                feed_run(&mut proc, &work, next, &mut usage)
            }))
            .unwrap_or_else(|p| Err(RuntimeError::TaskPanicked(panic_message(p))))
        };
        failed |= reply.is_err();
        drop(work);
        if replies.send(reply).is_err() {
            break;
        }
    }
    let _ = proc.close_and_reap();
}

/// One run on one worker: the next task index until the run has none left.
fn feed_run(
    proc: &mut WorkerProc,
    work: &Work,
    next: &AtomicUsize,
    usage: &mut Usage,
) -> FeederReply {
    let before = *usage;
    let mut tally = Tally::default();
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= work.len() {
            return Ok((tally, usage.since(before)));
        }
        let _in_flight = work.gauge().map(|g| g.enter());
        proc.send(&job(work, i))?;
        let done = proc.receive()?;
        work.mark_finished(i);
        if done.index != i {
            return Err(RuntimeError::Worker(format!(
                "worker process {} answered task {} when asked for {i}",
                proc.pid(),
                done.index
            )));
        }
        *usage = done.usage;
        tally.add(super::take_done(work, done));
    }
}

impl Instance for PoolInstance {
    fn run_work(&mut self, work: &Arc<Work>) -> Result<Outcome, RuntimeError> {
        // The feeders are idle between runs: the channel send orders this store before them.
        self.next.store(0, Ordering::Relaxed);
        let span = work.begin();
        let sent = self
            .feeders
            .iter()
            .take_while(|f| f.runs.send(Arc::clone(work)).is_ok())
            .count();
        // Every feeder handed the run answers, even after a failure, so no reply is left
        // over for the next run.
        let mut tally = Tally::default();
        let mut usage = Usage::default();
        let mut failure = None;
        for _ in 0..sent {
            match self.replies.recv().map_err(|_| feeders_gone())? {
                Ok((t, u)) => {
                    tally = tally.merge(t);
                    usage = usage.plus(u);
                }
                Err(e) => failure = failure.or(Some(e)),
            }
        }
        let mut measured = span.stop();
        if let Some(e) = failure {
            return Err(e);
        }
        if sent < self.feeders.len() {
            return Err(feeders_gone());
        }
        measured.usage = measured.usage.plus(usage);
        let children = ChildMemory {
            processes: self.feeders.len(),
            maxrss_sum_bytes: self
                .feeders
                .iter()
                .map(|f| memory::peak_rss_of(f.pid).unwrap_or(0))
                .sum(),
        };
        Ok(Outcome {
            tally,
            measured,
            children: Some(children),
        })
    }

    /// The pool's round trip: empty jobs through the same feeders as a cell's tasks.
    fn submit_jobs(&mut self, jobs: usize) -> Result<Spawned, RuntimeError> {
        empty_jobs(self, jobs)
    }
}

fn feeders_gone() -> RuntimeError {
    RuntimeError::TaskPanicked("a feeder thread of the process pool has exited".into())
}

impl Drop for PoolInstance {
    fn drop(&mut self) {
        // Close every feeder's channel first, so the workers are reaped in parallel.
        let threads: Vec<_> = self.feeders.drain(..).map(|f| f.thread).collect();
        for t in threads {
            let _ = t.join();
        }
    }
}
