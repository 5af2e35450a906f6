//! One cell: run it (in a child process, or here), check every repetition against what the
//! workload predicts, and summarise it into a record.

use std::sync::Arc;

use super::execute::execute;
use super::isolate::{Isolation, run_isolated};
use super::protocol::{CellReply, CellRequest, Fault, Sample};
use super::stats::{NOISY_SPREAD, Stat};
use crate::limit::Limit;
use crate::measure::available_cores;
use crate::results::{CellRecord, RawRow, RuntimeFacts};
use crate::runtime::{Runtime, Setup, Variant};
use crate::workload::{Capacity, Expectation, TaskPlan, WorkloadSpec};

/// Where a cell runs.
#[derive(Debug, Clone)]
pub enum Mode {
    /// A fresh child process per cell (what `rtbench run` does).
    Isolated(Isolation),
    /// This process (library use and tests; a crash here is the caller's crash).
    InProcess,
}

/// One cell to run: a runtime, a workload's plans and the parameters.
pub struct CellPlan {
    /// The runtime.
    pub runtime: &'static dyn Runtime,
    /// The workload and its parameters.
    pub spec: WorkloadSpec,
    /// The concurrency limit.
    pub limit: Limit,
    /// The --workers setting.
    pub workers: usize,
    /// Untimed runs first.
    pub warmup: usize,
    /// Measured runs.
    pub repeat: usize,
    /// A deliberate failure (tests only).
    pub fault: Option<Fault>,
    /// A labelled variant (async runtimes only).
    pub variant: Variant,
    /// The tasks' plans, shared by the cells of one workload.
    pub plans: Arc<Vec<TaskPlan>>,
    /// What a correct run gives.
    pub expectation: Arc<Expectation>,
}

/// A finished cell: its summary and its raw repetitions.
#[derive(Debug, Clone)]
pub struct CellResult {
    /// The summary.
    pub record: CellRecord,
    /// One row per measured repetition.
    pub raw: Vec<RawRow>,
}

impl CellPlan {
    /// What the cell asks of its runtime.
    pub fn setup(&self) -> Setup {
        Setup {
            workers: self.workers,
            limit: self.limit,
            tasks: self.spec.tasks,
            variant: self.variant,
        }
    }

    /// e.g. `tokio io semaphore:10`, `tokio [blocking-sleep] io unbounded`.
    pub fn label(&self) -> String {
        match self.variant {
            Variant::Normal => format!("{} {} {}", self.runtime.name(), self.spec.kind, self.limit),
            v => format!(
                "{} [{v}] {} {}",
                self.runtime.name(),
                self.spec.kind,
                self.limit
            ),
        }
    }

    /// The physical lower bound for this cell's work on this runtime.
    pub fn ideal_seconds(&self) -> f64 {
        let shape = self.runtime.shape(&self.setup());
        let capacity = Capacity {
            concurrency: shape.concurrency,
            parallelism: shape.workers.min(available_cores()),
        };
        self.expectation.ideal_seconds(&self.plans, capacity)
    }

    /// The request its child process is sent.
    pub fn request(&self) -> CellRequest {
        CellRequest {
            runtime: self.runtime.name().into(),
            workload: self.spec.kind,
            tasks: self.spec.tasks,
            calls: self.spec.calls,
            latency: self.spec.latency,
            compute: self.spec.compute,
            steps: self.spec.steps.clone(),
            seed: self.spec.seed,
            limit: self.limit,
            workers: self.workers,
            warmup: self.warmup,
            repeat: self.repeat,
            fault: self.fault,
            variant: self.variant,
            experiment: None,
            park: None,
        }
    }
}

/// Runs the cell; a failure (OS refusal, crash, timeout, wrong checksum, missing tasks) is
/// the record's `error`, never a failure of the run.
pub fn run_cell(cell: &CellPlan, mode: &Mode) -> CellResult {
    let req = cell.request();
    let mut reply = match mode {
        Mode::Isolated(iso) => run_isolated(&req, iso),
        Mode::InProcess => execute(&req),
    };
    if reply.error.is_none() {
        reply.error = verify(cell, &reply.samples);
    }
    summarise(cell, reply)
}

fn verify(cell: &CellPlan, samples: &[Sample]) -> Option<super::protocol::ReplyError> {
    let want = cell.spec.tasks;
    let expected = cell.expectation.checksum;
    let message = samples.iter().enumerate().find_map(|(i, s)| {
        if s.completed != want {
            Some(format!(
                "repetition {}: {} of {want} tasks completed",
                i + 1,
                s.completed
            ))
        } else if s.checksum != expected {
            Some(format!(
                "repetition {}: checksum {:016x} differs from the sequential {expected:016x}",
                i + 1,
                s.checksum
            ))
        } else {
            None
        }
    });
    message.map(|m| super::protocol::ReplyError {
        kind: "verification".into(),
        message: format!("verification failed: {m}"),
    })
}

fn summarise(cell: &CellPlan, reply: CellReply) -> CellResult {
    let shape = cell.runtime.shape(&cell.setup());
    let ideal = cell.ideal_seconds();
    let ok = reply.error.is_none();
    let stat = |f: fn(&Sample) -> f64| {
        if ok {
            Stat::of(reply.samples.iter().map(f)).unwrap_or_default()
        } else {
            Stat::default()
        }
    };
    let wall = stat(|s| s.wall_seconds);
    let first = reply.samples.first();
    let per_second = |n: f64| {
        if wall.median > 0.0 {
            n / wall.median
        } else {
            0.0
        }
    };
    let noisy = reply.samples.len() >= 3 && wall.spread() > NOISY_SPREAD;
    let (error, error_kind) = match &reply.error {
        Some(e) => (Some(e.message.clone()), Some(e.kind.clone())),
        None => (None, None),
    };
    let completed = if ok {
        cell.spec.tasks
    } else {
        first.map_or(0, |s| s.completed)
    };
    let facts = RuntimeFacts::of(cell.runtime);
    let live = reply.live.as_ref();
    let record = CellRecord {
        runtime: facts.name.into(),
        legacy: facts.legacy,
        model: facts.model,
        unit: facts.unit,
        variant: cell.variant,
        workload: cell.spec.kind,
        tasks: cell.spec.tasks,
        limit: cell.limit,
        workers: shape.workers,
        workers_requested: Some(cell.workers),
        concurrency: shape.concurrency,
        latency: cell.spec.latency,
        compute: cell.spec.compute,
        seed: cell.spec.seed,
        repeat: reply.samples.len(),
        completed,
        checksum: first.map_or_else(String::new, |s| format!("{:016x}", s.checksum)),
        expected_checksum: format!("{:016x}", cell.expectation.checksum),
        wall_seconds: wall.median,
        wall_min_seconds: wall.min,
        wall_max_seconds: wall.max,
        ideal_seconds: ideal,
        efficiency: per_second(ideal),
        throughput_per_second: per_second(completed as f64),
        cpu_user_seconds: stat(|s| s.cpu_user_seconds).median,
        cpu_sys_seconds: stat(|s| s.cpu_sys_seconds).median,
        voluntary_switches: stat(|s| s.voluntary_switches as f64).median.round() as u64,
        involuntary_switches: stat(|s| s.involuntary_switches as f64).median.round() as u64,
        latency_p50_seconds: reply.latency.p50_seconds,
        latency_p90_seconds: reply.latency.p90_seconds,
        latency_p99_seconds: reply.latency.p99_seconds,
        latency_max_seconds: reply.latency.max_seconds,
        peak_rss_bytes: reply.peak_rss_bytes,
        child_processes: reply
            .samples
            .iter()
            .map(|s| s.child_processes)
            .max()
            .unwrap_or(0),
        workers_maxrss_sum_bytes: reply
            .samples
            .iter()
            .filter(|s| s.child_processes > 0)
            .map(|s| s.workers_maxrss_sum_bytes)
            .max(),
        live_peak_rss_bytes: live.map(|l| l.rss_peak_bytes),
        live_peak_pss_bytes: live.and_then(|l| l.pss_peak_bytes),
        live_samples: live.map_or(0, |l| l.samples),
        live_pss_samples: live.map_or(0, |l| l.pss_samples),
        live_sampler_cpu_seconds: live.map_or(0.0, |l| l.sampler_cpu_seconds),
        noisy,
        error,
        error_kind,
    };
    let raw = reply
        .samples
        .iter()
        .enumerate()
        .map(|(i, s)| raw_row(&record, i + 1, s))
        .collect();
    CellResult { record, raw }
}

/// One measured repetition of `cell`, for raw.csv.
pub fn raw_row(cell: &CellRecord, repetition: usize, s: &Sample) -> RawRow {
    RawRow {
        runtime: cell.runtime.clone(),
        legacy: cell.legacy,
        model: cell.model,
        unit: cell.unit,
        workload: cell.workload,
        tasks: cell.tasks,
        limit: cell.limit,
        workers: cell.workers,
        latency: cell.latency,
        compute: cell.compute,
        repetition,
        completed: s.completed,
        checksum: format!("{:016x}", s.checksum),
        wall_seconds: s.wall_seconds,
        cpu_user_seconds: s.cpu_user_seconds,
        cpu_sys_seconds: s.cpu_sys_seconds,
        voluntary_switches: s.voluntary_switches,
        involuntary_switches: s.involuntary_switches,
    }
}
