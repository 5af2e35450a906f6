//! One cell: run it (in a child process, or here), check every repetition against what the
//! workload predicts, and summarise it into a record.

use std::sync::Arc;

use super::execute::execute;
use super::isolate::{Isolation, run_isolated};
use super::protocol::{CellReply, CellRequest, Fault, Percentiles, ReplyError, Sample};
use super::stats::{NOISY_SPREAD, Stat};
use super::watch::LiveMemory;
use crate::limit::Limit;
use crate::measure::available_cores;
use crate::results::{CellRecord, IdealSource, RawRow, RuntimeFacts};
use crate::runtime::{Runtime, Setup, Variant};
use crate::workload::{Capacity, Expectation, TaskPlan, WorkloadKind, WorkloadSpec};

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
    /// The CPU the cell's child is pinned to, if any (the claims' sequential baseline on
    /// each core).
    pub pin: Option<usize>,
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

    /// Waits one after another in the longest task (by planned time).
    pub fn critical_waits(&self) -> u32 {
        let length = |p: &TaskPlan| -> f64 {
            p.steps
                .iter()
                .map(|s| s.waits().map_or(0.0, |d| d.as_secs_f64()))
                .sum()
        };
        self.plans
            .iter()
            .max_by(|a, b| length(a).total_cmp(&length(b)))
            .map_or(0, |p| {
                p.steps.iter().filter(|s| s.waits().is_some()).count() as u32
            })
    }

    /// The physical lower bound for this cell's work on this runtime.
    pub fn ideal_seconds(&self) -> f64 {
        self.ideal_seconds_with(&self.expectation)
    }

    /// The same bound with the compute costs of `expectation`.
    pub fn ideal_seconds_with(&self, expectation: &Expectation) -> f64 {
        let shape = self.runtime.shape(&self.setup());
        let capacity = Capacity {
            concurrency: shape.concurrency,
            parallelism: shape.workers.min(available_cores()),
        };
        expectation.ideal_seconds(&self.plans, capacity)
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
            payload: self.spec.payload,
            limit: self.limit,
            workers: self.workers,
            warmup: self.warmup,
            repeat: self.repeat,
            fault: self.fault,
            variant: self.variant,
            experiment: None,
            park: None,
            pin: self.pin,
        }
    }
}

/// Runs the cell in one child process (all its repetitions back to back); a failure (OS
/// refusal, crash, timeout, wrong checksum, missing tasks) is the record's `error`, never a
/// failure of the run. `rtbench run` interleaves repetitions instead (see `session`).
pub fn run_cell(cell: &CellPlan, mode: &Mode) -> CellResult {
    let mut runs = CellRuns::default();
    runs.add(cell, run_child(&cell.request(), mode), None);
    runs.result(cell, None)
}

/// One child process of `cell` with `repeat` measured runs.
pub fn run_child(req: &CellRequest, mode: &Mode) -> CellReply {
    match mode {
        Mode::Isolated(iso) => run_isolated(req, iso),
        Mode::InProcess => execute(req),
    }
}

/// What a cell has measured so far, child process by child process: every verified sample
/// with its place in the run's order, each child's latency percentiles, the largest peak
/// RSS, what the parent read of the workers alive at once (the largest peak over the
/// children, their reads and the reads' CPU summed), and the first failure (after which the
/// cell runs no more).
#[derive(Debug, Clone, Default)]
pub struct CellRuns {
    samples: Vec<(Sample, Option<usize>)>,
    latencies: Vec<Percentiles>,
    peak_rss_bytes: u64,
    live: Option<LiveMemory>,
    error: Option<ReplyError>,
}

impl CellRuns {
    /// Adds one child's reply, verifying every sample against what the plans predict.
    pub fn add(&mut self, cell: &CellPlan, mut reply: CellReply, position: Option<usize>) {
        if reply.error.is_none() {
            reply.error = verify(cell, self.samples.len(), &reply.samples);
        }
        self.peak_rss_bytes = self.peak_rss_bytes.max(reply.peak_rss_bytes);
        if let Some(live) = reply.live {
            self.live = Some(self.live.map_or(live, |l| l.merged(live)));
        }
        if self.error.is_none() {
            self.error = reply.error;
        }
        if self.error.is_none() {
            self.latencies.push(reply.latency);
        }
        self.samples
            .extend(reply.samples.into_iter().map(|s| (s, position)));
    }

    /// The cell failed: it runs no more repetitions.
    pub fn failed(&self) -> bool {
        self.error.is_some()
    }

    /// Verified repetitions so far.
    pub fn count(&self) -> usize {
        self.samples.len()
    }

    /// A child has answered (a sample or a failure): the cell has a record.
    pub fn ran(&self) -> bool {
        !self.samples.is_empty() || self.failed()
    }

    /// Median wall time of the samples so far (0 for none or a failed cell).
    pub fn median_wall(&self) -> f64 {
        self.wall().median
    }

    /// Median CPU time (user + kernel, every thread) of the samples so far.
    pub fn median_cpu(&self) -> f64 {
        self.stat(|s| s.cpu_user_seconds + s.cpu_sys_seconds).median
    }

    fn wall(&self) -> Stat {
        self.stat(|s| s.wall_seconds)
    }

    fn stat(&self, f: impl Fn(&Sample) -> f64) -> Stat {
        if self.failed() {
            return Stat::default();
        }
        Stat::of(self.samples.iter().map(|(s, _)| f(s))).unwrap_or_default()
    }

    /// Latency percentiles: one child's as it measured them over its repetitions; over
    /// several children, the median of each child's percentile (the largest max).
    fn latency(&self) -> Percentiles {
        let median = |f: fn(&Percentiles) -> f64| {
            Stat::of(self.latencies.iter().map(f)).map_or(0.0, |s| s.median)
        };
        Percentiles {
            p50_seconds: median(|p| p.p50_seconds),
            p90_seconds: median(|p| p.p90_seconds),
            p99_seconds: median(|p| p.p99_seconds),
            max_seconds: self
                .latencies
                .iter()
                .map(|p| p.max_seconds)
                .fold(0.0, f64::max),
        }
    }

    /// The median over repetitions of the cell's ideal with the compute costs timed in its
    /// process just before each one; None when the work computes nothing (or no repetition
    /// timed it).
    fn repetition_ideal(&self, cell: &CellPlan) -> Option<f64> {
        Stat::of(self.repetition_ideals(cell).into_iter().flatten()).map(|s| s.median)
    }

    /// The cell's ideal as each repetition's own compute costs give it, in the order they
    /// ran (None for a repetition that timed no compute).
    pub fn repetition_ideals(&self, cell: &CellPlan) -> Vec<Option<f64>> {
        self.samples
            .iter()
            .map(|(s, _)| {
                (!s.compute_seconds.is_empty()).then(|| {
                    cell.ideal_seconds_with(&cell.expectation.with_costs(&s.compute_seconds))
                })
            })
            .collect()
    }

    /// Wall time of each verified repetition, in the order they ran (one per round).
    pub fn walls(&self) -> Vec<f64> {
        self.samples.iter().map(|(s, _)| s.wall_seconds).collect()
    }

    /// The record and raw rows so far. `expectation` replaces the cell's own for its ideal
    /// time (the group's sequential cell measured the compute cost).
    pub fn result(&self, cell: &CellPlan, measured: Option<&Expectation>) -> CellResult {
        let shape = cell.runtime.shape(&cell.setup());
        let (ideal, ideal_source) = match (measured, self.repetition_ideal(cell)) {
            (Some(e), _) => (cell.ideal_seconds_with(e), IdealSource::Sequential),
            (None, Some(ideal)) => (ideal, IdealSource::Repetition),
            (None, None) if cell.spec.kind == WorkloadKind::Io => {
                (cell.ideal_seconds(), IdealSource::Plans)
            }
            (None, None) => (cell.ideal_seconds(), IdealSource::Calibration),
        };
        let ideal_source = Some(ideal_source);
        let ok = !self.failed();
        let samples: Vec<&Sample> = self.samples.iter().map(|(s, _)| s).collect();
        let wall = self.wall();
        let first = samples.first();
        let per_second = |n: f64| {
            if wall.median > 0.0 {
                n / wall.median
            } else {
                0.0
            }
        };
        let noisy = samples.len() >= 3 && wall.spread() > NOISY_SPREAD;
        let (error, error_kind) = match &self.error {
            Some(e) => (Some(e.message.clone()), Some(e.kind.clone())),
            None => (None, None),
        };
        let completed = if ok {
            cell.spec.tasks
        } else {
            first.map_or(0, |s| s.completed)
        };
        let latency = self.latency();
        let facts = RuntimeFacts::of(cell.runtime);
        let live = self.live.as_ref();
        let interval = |v: f64| (ok && !samples.is_empty()).then_some(v);
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
            critical_waits: Some(cell.critical_waits()),
            payload: (cell.spec.kind == WorkloadKind::Net).then_some(cell.spec.payload),
            seed: cell.spec.seed,
            repeat: samples.len(),
            completed,
            checksum: first.map_or_else(String::new, |s| format!("{:016x}", s.checksum)),
            expected_checksum: format!("{:016x}", cell.expectation.checksum),
            wall_seconds: wall.median,
            wall_min_seconds: wall.min,
            wall_max_seconds: wall.max,
            wall_ci_low_seconds: interval(wall.ci_low),
            wall_ci_high_seconds: interval(wall.ci_high),
            wall_ci_level: interval(wall.ci_level),
            ideal_seconds: ideal,
            ideal_source,
            efficiency: per_second(ideal),
            throughput_per_second: per_second(completed as f64),
            cpu_user_seconds: self.stat(|s| s.cpu_user_seconds).median,
            cpu_sys_seconds: self.stat(|s| s.cpu_sys_seconds).median,
            voluntary_switches: self.stat(|s| s.voluntary_switches as f64).median.round() as u64,
            involuntary_switches: self.stat(|s| s.involuntary_switches as f64).median.round()
                as u64,
            latency_p50_seconds: latency.p50_seconds,
            latency_p90_seconds: latency.p90_seconds,
            latency_p99_seconds: latency.p99_seconds,
            latency_max_seconds: latency.max_seconds,
            peak_rss_bytes: self.peak_rss_bytes,
            child_processes: samples.iter().map(|s| s.child_processes).max().unwrap_or(0),
            workers_maxrss_sum_bytes: samples
                .iter()
                .filter(|s| s.child_processes > 0)
                .map(|s| s.workers_maxrss_sum_bytes)
                .max(),
            live_peak_rss_bytes: live.map(|l| l.rss_peak_bytes),
            live_peak_pss_bytes: live.and_then(|l| l.pss_peak_bytes),
            live_samples: live.map_or(0, |l| l.samples),
            live_pss_samples: live.map_or(0, |l| l.pss_samples),
            live_sampler_cpu_seconds: live.map_or(0.0, |l| l.sampler_cpu_seconds),
            server_cpu_seconds: Stat::of(samples.iter().filter_map(|s| s.server_cpu_seconds))
                .map(|s| s.median),
            listen_overflows: samples
                .iter()
                .filter_map(|s| s.listen_overflows)
                .reduce(|a, b| a + b),
            noisy,
            suspect: None,
            error,
            error_kind,
        };
        let raw = self
            .samples
            .iter()
            .zip(self.repetition_ideals(cell))
            .enumerate()
            .map(|(i, ((s, position), ideal))| {
                let ideal = ideal.unwrap_or(record.ideal_seconds);
                raw_row(&record, i + 1, *position, ideal, s)
            })
            .collect();
        CellResult { record, raw }
    }
}

/// The first sample (numbered from `before + 1`) that did not do the work it was given.
fn verify(cell: &CellPlan, before: usize, samples: &[Sample]) -> Option<ReplyError> {
    let want = cell.spec.tasks;
    let expected = cell.expectation.checksum;
    let message = samples.iter().enumerate().find_map(|(i, s)| {
        let n = before + i + 1;
        if s.completed != want {
            Some(format!(
                "repetition {n}: {} of {want} tasks completed",
                s.completed
            ))
        } else if s.checksum != expected {
            Some(format!(
                "repetition {n}: checksum {:016x} differs from the sequential {expected:016x}",
                s.checksum
            ))
        } else {
            None
        }
    });
    message.map(|m| ReplyError {
        kind: "verification".into(),
        message: format!("verification failed: {m}"),
    })
}

/// One measured repetition of `cell`, for raw.csv.
pub fn raw_row(
    cell: &CellRecord,
    repetition: usize,
    position: Option<usize>,
    ideal_seconds: f64,
    s: &Sample,
) -> RawRow {
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
        position,
        completed: s.completed,
        checksum: format!("{:016x}", s.checksum),
        wall_seconds: s.wall_seconds,
        cpu_user_seconds: s.cpu_user_seconds,
        cpu_sys_seconds: s.cpu_sys_seconds,
        voluntary_switches: s.voluntary_switches,
        involuntary_switches: s.involuntary_switches,
        ideal_seconds: Some(ideal_seconds),
    }
}
