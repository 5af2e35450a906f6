//! `sequential`: one task after another on the calling thread. The baseline every other
//! runtime's checksum and speed-up is compared with; a limit has no meaning here.

use std::sync::Arc;

use super::{Instance, Outcome, Runtime, RuntimeError, Setup, Shape, SleepTimes, Stamping};
use crate::limit::Limit;
use crate::workload::{BlockingSteps, StdSteps, Tally, Work};

pub struct Sequential;

impl Runtime for Sequential {
    fn name(&self) -> &'static str {
        "sequential"
    }

    fn model(&self) -> super::Model {
        super::Model::Sequential
    }

    fn refusal(&self, limit: Limit) -> Option<String> {
        (limit != Limit::Unbounded).then(|| {
            format!(
                "sequential runs one task at a time, so {limit} has no meaning there; use unbounded"
            )
        })
    }

    fn shape(&self, _setup: &Setup) -> Shape {
        Shape {
            workers: 1,
            concurrency: 1,
        }
    }

    fn serve_refusal(&self) -> Option<String> {
        Some(
            "sequential runs one unit at a time: as a server it would take one connection and \
             leave every other client waiting until that one closes; a one-worker server is \
             --model crossbeam-pool --workers 1"
                .into(),
        )
    }

    fn start(&self, _setup: &Setup) -> Result<Box<dyn Instance>, RuntimeError> {
        Ok(Box::new(SequentialInstance))
    }
}

struct SequentialInstance;

impl Instance for SequentialInstance {
    fn run_work(&mut self, work: &Arc<Work>) -> Result<Outcome, RuntimeError> {
        let span = work.begin();
        let mut tally = Tally::default();
        for i in 0..work.len() {
            tally.add(work.run_blocking(i, &StdSteps));
        }
        Ok(Outcome::of(tally, span.stop()))
    }

    /// No unit: the sleep on the calling thread, so start and join are only clock reads.
    fn sleep_in_unit(&mut self, d: std::time::Duration) -> Result<SleepTimes, RuntimeError> {
        let stamping = Stamping::default();
        stamping.ask();
        stamping.wait(d);
        stamping.joined();
        Ok(stamping.times())
    }
}
