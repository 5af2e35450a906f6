//! `crossbeam-pool`: a fixed pool of worker threads fed jobs over a crossbeam channel.
//! The pool size is the concurrency (`pool:N`, else `--workers`); `batches:N` submits N
//! jobs and collects their N results before submitting more. It starts no unit: its spawn
//! probe figure is a job through the channel.

use std::net::{TcpListener, TcpStream};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::thread::{self, JoinHandle};

use crossbeam_channel::{Receiver, Sender};

use super::serve::{Ready, accept_blocking};
use super::{
    Instance, Outcome, RuntimeError, SleepTimes, Spawned, Stamping, WorkerPool, empty_jobs,
    panic_message,
};
use crate::http::{ServeCtx, serve_connection_blocking};
use crate::limit::Limit;
use crate::measure::os_limits;
use crate::workload::{StdSteps, Tally, TaskPlan, Work};

pub struct CrossbeamPool;

impl WorkerPool for CrossbeamPool {
    const NAME: &'static str = "crossbeam-pool";

    fn start_pool(&self, size: usize, limit: Limit) -> Result<Box<dyn Instance>, RuntimeError> {
        let (jobs, job_rx) = crossbeam_channel::unbounded::<Job>();
        let (result_tx, results) = crossbeam_channel::unbounded();
        let mut pool = PoolInstance {
            jobs: Some(jobs),
            results,
            workers: Vec::new(),
            limit,
        };
        for i in 0..size {
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

/// What a worker takes: a task of a cell, or (`rtbench serve`) a connection to serve to
/// its end.
enum Job {
    Task(TaskJob),
    Serve(TcpStream, Arc<ServeCtx>),
}

struct TaskJob {
    work: Arc<Work>,
    index: usize,
    /// The timer probe's job: its waits stamped (None for every job of a cell).
    stamping: Option<Arc<Stamping>>,
}

type JobResult = Result<u64, String>;

/// The error when no worker is left to take or answer a job.
fn gone() -> RuntimeError {
    RuntimeError::TaskPanicked("every pool worker has exited".into())
}

fn worker_loop(jobs: &Receiver<Job>, results: &Sender<JobResult>) {
    for job in jobs {
        let job = match job {
            Job::Task(job) => job,
            Job::Serve(stream, ctx) => {
                serve_connection_blocking(stream, &ctx);
                continue;
            }
        };
        let r = catch_unwind(AssertUnwindSafe(|| match &job.stamping {
            None => job.work.run_blocking(job.index, &StdSteps),
            Some(stamping) => job.work.run_blocking(job.index, stamping.as_ref()),
        }))
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
    fn send(&self, job: Job) -> Result<(), RuntimeError> {
        self.jobs
            .as_ref()
            .expect("jobs channel lives as long as the pool")
            .send(job)
            .map_err(|_| gone())
    }

    /// Submits tasks `start..end`, then collects as many results.
    fn submit_and_collect(
        &self,
        work: &Arc<Work>,
        start: usize,
        end: usize,
    ) -> Result<Tally, RuntimeError> {
        for index in start..end {
            self.send(Job::Task(TaskJob {
                work: Arc::clone(work),
                index,
                stamping: None,
            }))?;
        }
        // Collect every result even after a failure, so none is left for the next run.
        let mut tally = Tally::default();
        let mut panicked = None;
        for _ in start..end {
            let r = self.results.recv().map_err(|_| gone())?;
            match r {
                Ok(checksum) => tally.add(checksum),
                Err(message) => panicked = panicked.or(Some(message)),
            }
        }
        panicked.map_or(Ok(tally), |m| Err(RuntimeError::TaskPanicked(m)))
    }
}

impl Instance for PoolInstance {
    fn run_work(&mut self, work: &Arc<Work>) -> Result<Outcome, RuntimeError> {
        let n = work.len();
        let span = work.begin();
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
        Ok(Outcome::of(tally, span.stop()))
    }

    /// The common bounded-pool server: the accept loop on this thread hands each connection
    /// to the pool's channel; a worker serves it to its end, so at most `--workers`
    /// connections are served at once and the rest wait in the channel.
    fn serve(
        &mut self,
        listener: TcpListener,
        ctx: Arc<ServeCtx>,
        ready: Ready,
    ) -> Result<(), RuntimeError> {
        ready();
        Err(accept_blocking(&listener, |stream| {
            self.send(Job::Serve(stream, Arc::clone(&ctx)))
        }))
    }

    fn submit_jobs(&mut self, jobs: usize) -> Result<Spawned, RuntimeError> {
        empty_jobs(self, jobs)
    }

    /// One job sleeping: stamped as it is sent and once its result is back.
    fn sleep_in_unit(&mut self, d: std::time::Duration) -> Result<SleepTimes, RuntimeError> {
        let work = Arc::new(Work::new(vec![TaskPlan::new(vec![
            crate::workload::Step::Wait(d),
        ])]));
        let stamping = Arc::new(Stamping::default());
        stamping.ask();
        self.send(Job::Task(TaskJob {
            work,
            index: 0,
            stamping: Some(Arc::clone(&stamping)),
        }))?;
        let result = self.results.recv();
        stamping.joined();
        match result {
            Ok(Ok(_)) => Ok(stamping.times()),
            Ok(Err(message)) => Err(RuntimeError::TaskPanicked(message)),
            Err(_) => Err(gone()),
        }
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
