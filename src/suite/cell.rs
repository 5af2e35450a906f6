//! One cell: start the runtime, run the work (warm-up first), check it, make a record.

use std::sync::Arc;

use crate::limit::Limit;
use crate::measure::available_cores;
use crate::results::CellRecord;
use crate::runtime::{Outcome, Runtime, RuntimeError, Setup};
use crate::workload::{Capacity, Expectation, Work, WorkloadSpec};

pub struct CellPlan {
    pub runtime: &'static dyn Runtime,
    pub spec: WorkloadSpec,
    pub limit: Limit,
    pub workers: usize,
    pub warmup: usize,
    pub work: Arc<Work>,
    pub expectation: Arc<Expectation>,
}

impl CellPlan {
    pub fn setup(&self) -> Setup {
        Setup {
            workers: self.workers,
            limit: self.limit,
            tasks: self.spec.tasks,
        }
    }

    /// e.g. `tokio io semaphore:10`.
    pub fn label(&self) -> String {
        format!("{} {} {}", self.runtime.name(), self.spec.kind, self.limit)
    }
}

/// Runs the cell and returns its record; a failure (OS refusal, panic, wrong checksum,
/// missing tasks) is the record's `error`, never a panic of the harness.
pub fn run_cell(cell: &CellPlan) -> CellRecord {
    let outcome = measure(cell).and_then(|o| verify(cell, o));
    record(cell, outcome)
}

fn measure(cell: &CellPlan) -> Result<Outcome, RuntimeError> {
    let mut instance = cell.runtime.start(&cell.setup())?;
    for _ in 0..cell.warmup {
        instance.run(&cell.work)?;
    }
    instance.run(&cell.work)
}

fn verify(cell: &CellPlan, o: Outcome) -> Result<Outcome, RuntimeError> {
    let want = cell.work.len();
    if o.tally.completed != want {
        return Err(RuntimeError::Verification(format!(
            "{} of {want} tasks completed",
            o.tally.completed
        )));
    }
    if o.tally.checksum != cell.expectation.checksum {
        return Err(RuntimeError::Verification(format!(
            "checksum {:016x} differs from the sequential {:016x}",
            o.tally.checksum, cell.expectation.checksum
        )));
    }
    Ok(o)
}

fn record(cell: &CellPlan, outcome: Result<Outcome, RuntimeError>) -> CellRecord {
    let shape = cell.runtime.shape(&cell.setup());
    let capacity = Capacity {
        concurrency: shape.concurrency,
        parallelism: shape.workers.min(available_cores()),
    };
    let ideal = cell.expectation.ideal_seconds(cell.work.plans(), capacity);
    let (tally, m, error, error_kind) = match outcome {
        Ok(o) => (o.tally, o.measured, None, None),
        Err(e) => (
            Default::default(),
            Default::default(),
            Some(e.to_string()),
            Some(e.kind().into()),
        ),
    };
    let wall = m.wall.as_secs_f64();
    let ratio = |num: f64| if wall > 0.0 { num / wall } else { 0.0 };
    CellRecord {
        runtime: cell.runtime.name().into(),
        legacy: cell.runtime.legacy(),
        workload: cell.spec.kind.name().into(),
        tasks: cell.spec.tasks,
        limit: cell.limit.to_string(),
        workers: shape.workers,
        concurrency: shape.concurrency,
        latency: cell.spec.latency.to_string(),
        compute: cell.spec.compute,
        seed: cell.spec.seed,
        completed: tally.completed,
        checksum: format!("{:016x}", tally.checksum),
        expected_checksum: format!("{:016x}", cell.expectation.checksum),
        wall_seconds: wall,
        ideal_seconds: ideal,
        efficiency: ratio(ideal),
        throughput_per_second: ratio(tally.completed as f64),
        cpu_user_seconds: m.usage.user_seconds,
        cpu_sys_seconds: m.usage.sys_seconds,
        voluntary_switches: m.usage.voluntary_switches,
        involuntary_switches: m.usage.involuntary_switches,
        error,
        error_kind,
    }
}
