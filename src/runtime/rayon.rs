//! `rayon`: a `ThreadPool` of N threads (`pool:N`, else `--workers`) running a parallel
//! iterator over the tasks, split to single tasks so uneven waits still balance.
//! `batches:N` runs one parallel iterator per batch of N.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use rayon::prelude::*;

use super::{Instance, Outcome, RuntimeError, WorkerPool, panic_message};
use crate::limit::Limit;
use crate::workload::{StdSteps, Tally, Work};

pub struct Rayon;

impl WorkerPool for Rayon {
    const NAME: &'static str = "rayon";

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
    fn run(&mut self, work: &Arc<Work>) -> Result<Outcome, RuntimeError> {
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
}
