//! `rayon`: a `ThreadPool` of N threads (`pool:N`, else `--workers`) running a parallel
//! iterator over the tasks, split to single tasks so uneven waits still balance.
//! `batches:N` runs one parallel iterator per batch of N. Its spawn probe starts rayon
//! tasks (`scope.spawn` inside the pool); the parallel iterator is its `job` figure.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::{
    Instance, Outcome, RuntimeError, SleepTimes, Spawned, Stamping, Unit, WorkerPool, empty_jobs,
    panic_message,
};
use crate::limit::Limit;
use crate::workload::{BlockingSteps, StdSteps, Tally, Work};

pub struct Rayon;

impl WorkerPool for Rayon {
    const NAME: &'static str = "rayon";
    const SERVE_REFUSAL: Option<&'static str> = Some(
        "rayon is a work-stealing pool for CPU-bound data parallelism: a connection would hold \
         one of its threads for its whole life, blocked in reads, which is the crossbeam-pool \
         server (the blocking pool); serve with --model crossbeam-pool",
    );
    const START_UNIT: Option<Unit> = Some(Unit::Task);

    fn start_pool(&self, size: usize, limit: Limit) -> Result<Box<dyn Instance>, RuntimeError> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(size)
            .thread_name(|i| format!("rayon-worker-{i}"))
            .build()
            .map_err(|e| RuntimeError::Start {
                runtime: "rayon",
                source: std::io::Error::other(e),
            })?;
        Ok(Box::new(RayonInstance { pool, limit }))
    }
}

struct RayonInstance {
    pool: rayon::ThreadPool,
    limit: Limit,
}

impl RayonInstance {
    fn par_run(&self, work: &Work, start: usize, end: usize) -> Tally {
        self.pool.install(|| {
            (start..end)
                .into_par_iter()
                .with_max_len(1)
                .map(|i| Tally::of(work.run_blocking(i, &StdSteps)))
                .reduce(Tally::default, Tally::merge)
        })
    }
}

impl Instance for RayonInstance {
    fn run_work(&mut self, work: &Arc<Work>) -> Result<Outcome, RuntimeError> {
        let n = work.len();
        let batch = match self.limit {
            Limit::Batches(size) => size,
            _ => n.max(1),
        };
        let span = work.begin();
        let tally = catch_unwind(AssertUnwindSafe(|| {
            (0..n)
                .step_by(batch)
                .map(|start| self.par_run(work, start, (start + batch).min(n)))
                .fold(Tally::default(), Tally::merge)
        }))
        .map_err(|p| RuntimeError::TaskPanicked(panic_message(p)))?;
        Ok(Outcome::of(tally, span.stop()))
    }

    /// `units` rayon tasks spawned into a scope from a pool thread, each counting itself;
    /// the scope's end is their join. Timed inside the pool, as the parallel iterator is.
    fn start_units(&mut self, units: usize) -> Result<Spawned, RuntimeError> {
        let ran = AtomicUsize::new(0);
        let wall = self.caught(|| {
            let begin = Instant::now();
            rayon::scope(|s| {
                for _ in 0..units {
                    s.spawn(|_| {
                        ran.fetch_add(1, Ordering::Relaxed);
                    });
                }
            });
            begin.elapsed()
        })?;
        Ok(Spawned::of(wall, ran.into_inner()))
    }

    fn submit_jobs(&mut self, jobs: usize) -> Result<Spawned, RuntimeError> {
        empty_jobs(self, jobs)
    }

    /// One rayon task sleeping, spawned and joined from a pool thread.
    fn sleep_in_unit(&mut self, d: Duration) -> Result<SleepTimes, RuntimeError> {
        let stamping = Stamping::default();
        self.caught(|| {
            rayon::scope(|s| {
                stamping.ask();
                s.spawn(|_| stamping.wait(d));
            });
            stamping.joined();
        })?;
        Ok(stamping.times())
    }
}

impl RayonInstance {
    /// Runs `f` on a thread of the pool; a panic becomes the error.
    fn caught<T: Send>(&self, f: impl FnOnce() -> T + Send) -> Result<T, RuntimeError> {
        catch_unwind(AssertUnwindSafe(|| self.pool.install(f)))
            .map_err(|p| RuntimeError::TaskPanicked(panic_message(p)))
    }
}
