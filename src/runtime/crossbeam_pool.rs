//! `crossbeam-pool`: a fixed pool of worker threads fed jobs over a crossbeam channel.
//! The pool size is the concurrency (`pool:N`, else `--workers`); `batches:N` submits N
//! jobs and collects their N results before submitting more.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::thread::{self, JoinHandle};

use crossbeam_channel::{Receiver, Sender};

use super::{Instance, Outcome, Runtime, RuntimeError, Setup, Shape, panic_message, pool_rules};
use crate::limit::Limit;
use crate::measure::{Span, os_limits};
use crate::workload::{Tally, Work};

pub struct CrossbeamPool;

impl Runtime for CrossbeamPool {
    fn name(&self) -> &'static str {
        "crossbeam-pool"
    }

    fn refusal(&self, limit: Limit) -> Option<String> {
        pool_rules::refusal(self.name(), limit)
    }

    fn shape(&self, setup: &Setup) -> Shape {
        pool_rules::shape(setup)
    }

    fn note(&self, setup: &Setup) -> Option<String> {
        Some(pool_rules::note(self.name(), setup))
    }

    fn start(&self, setup: &Setup) -> Result<Box<dyn Instance>, RuntimeError> {
        let (jobs, job_rx) = crossbeam_channel::unbounded::<Job>();
        let (result_tx, results) = crossbeam_channel::unbounded();
        let mut pool = PoolInstance {
            jobs: Some(jobs),
            results,
            workers: Vec::new(),
            limit: setup.limit,
        };
        for i in 0..pool_rules::size(setup) {
            let (job_rx, result_tx) = (job_rx.clone(), result_tx.clone());
            let worker = thread::Builder::new()
                .name(format!("crossbeam-worker-{i}"))
                .spawn(move || worker_loop(&job_rx, &result_tx))
                .map_err(|source| RuntimeError::ThreadSpawn {
                    started: i,
                    source,
                    limits: os_limits::describe_thread_limits(),
                })?;
            pool.workers.push(worker);
        }
        Ok(Box::new(pool))
    }
}

struct Job {
    work: Arc<Work>,
    index: usize,
}

type JobResult = Result<u64, String>;

fn worker_loop(jobs: &Receiver<Job>, results: &Sender<JobResult>) {
    for job in jobs {
        let r = catch_unwind(AssertUnwindSafe(|| job.work.run_blocking(job.index)))
            .map_err(panic_message);
        if results.send(r).is_err() {
            return;
        }
    }
}

struct PoolInstance {
    jobs: Option<Sender<Job>>,
    results: Receiver<JobResult>,
    workers: Vec<JoinHandle<()>>,
    limit: Limit,
}

impl PoolInstance {
    /// Submits tasks `start..end`, then collects as many results.
    fn submit_and_collect(
        &self,
        work: &Arc<Work>,
        start: usize,
        end: usize,
    ) -> Result<Tally, RuntimeError> {
        let jobs = self
            .jobs
            .as_ref()
            .expect("jobs channel lives as long as the pool");
        for index in start..end {
            jobs.send(Job {
                work: Arc::clone(work),
                index,
            })
            .map_err(|_| RuntimeError::TaskPanicked("every pool worker has exited".into()))?;
        }
        let mut tally = Tally::default();
        for _ in start..end {
            let r = self
                .results
                .recv()
                .map_err(|_| RuntimeError::TaskPanicked("every pool worker has exited".into()))?;
            tally.add(r.map_err(RuntimeError::TaskPanicked)?);
        }
        Ok(tally)
    }
}

impl Instance for PoolInstance {
    fn run(&mut self, work: &Arc<Work>) -> Result<Outcome, RuntimeError> {
        let n = work.len();
        let span = Span::start();
        let tally = match self.limit {
            Limit::Batches(size) => {
                let mut tally = Tally::default();
                for start in (0..n).step_by(size) {
                    tally =
                        tally.merge(self.submit_and_collect(work, start, (start + size).min(n))?);
                }
                tally
            }
            _ => self.submit_and_collect(work, 0, n)?,
        };
        Ok(Outcome {
            tally,
            measured: span.stop(),
        })
    }
}

impl Drop for PoolInstance {
    fn drop(&mut self) {
        self.jobs.take(); // closing the channel ends every worker's loop
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}
