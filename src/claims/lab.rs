//! Where claims run their experiments: the same isolated cells, memory pass, probes and
//! experiments as `rtbench run`, with the notes' durations scaled down.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::limit::Limit;
use crate::measure::available_cores;
use crate::results::{CellRecord, MemoryModel, MemoryRecord, SpawnProbe};
use crate::runtime::{self, Model, Runtime, SpawnKind, Variant};
use crate::suite::{self, CellPlan, CellRequest, Experiment, ExperimentOutcome, Isolation, Mode};
use crate::workload::latency::format_duration;
use crate::workload::{Expectation, WorkloadSpec};

/// The async runtimes of this build, in registry order.
pub fn asyncs() -> Vec<&'static str> {
    names_of(runtime::of_model(Model::Async))
}

/// The async runtimes that run tasks on `--workers` threads (not the current-thread one).
pub fn multi_thread_asyncs() -> Vec<&'static str> {
    names_of(
        runtime::of_model(Model::Async)
            .into_iter()
            .filter(|rt| runtime::follows_workers(*rt, Limit::Unbounded, 2))
            .collect(),
    )
}

/// The async runtimes and a thread per task: the models that keep every task in flight.
pub fn asyncs_and_threads() -> Vec<&'static str> {
    let mut v = asyncs();
    v.extend(names_of(runtime::of_model(Model::Threads)));
    v
}

fn names_of(runtimes: Vec<&'static dyn Runtime>) -> Vec<&'static str> {
    runtimes.iter().map(|r| r.name()).collect()
}

/// The shortest wait a claim's experiment uses, in milliseconds.
pub const MIN_WAIT_MS: f64 = 10.0;

/// Where the claims' experiments run: isolation settings, worker threads and the scale
/// of the notes' durations.
pub struct Lab {
    /// How cells are run in child processes.
    pub iso: Isolation,
    /// Worker threads for the runtimes that have a pool.
    pub workers: usize,
    /// Factor on the notes' durations (0.02: 1 s -> 20 ms).
    pub scale: f64,
    /// The memory passes run so far, one per runtime: claims that read the same model
    /// read the same figures.
    passes: Mutex<Vec<MemoryModel>>,
}

impl Lab {
    /// A lab with no memory pass run yet.
    pub fn new(iso: Isolation, workers: usize, scale: f64) -> Lab {
        Lab {
            iso,
            workers,
            scale,
            passes: Mutex::new(Vec::new()),
        }
    }

    /// A duration from the notes, scaled, rounded to whole milliseconds (tokio's timer
    /// works in milliseconds) and at least [`MIN_WAIT_MS`]: a shorter wait measures the
    /// timer's rounding more than the runtime.
    pub fn scaled(&self, notes_seconds: f64) -> Duration {
        let ms = (notes_seconds * self.scale * 1e3).round().max(MIN_WAIT_MS);
        Duration::from_millis(ms as u64)
    }

    /// How the notes' 1 s is scaled, for the results: `1 s in the notes -> 20ms`.
    pub fn scale_note(&self) -> String {
        format!("1 s in the notes -> {}", format_duration(self.scaled(1.0)))
    }

    /// Threads that can compute at once: the speed-up a perfect parallel runtime reaches.
    pub fn parallelism(&self) -> usize {
        self.workers.min(available_cores()).max(1)
    }

    /// Those of `names` this build has (async-std is a cargo feature).
    pub fn available<'a>(&self, names: &[&'a str]) -> Vec<&'a str> {
        names
            .iter()
            .copied()
            .filter(|n| runtime::find(n).is_ok())
            .collect()
    }

    /// One isolated cell, warmed up once and measured `repeat` times (median).
    pub fn cell(
        &self,
        runtime: &str,
        spec: &WorkloadSpec,
        limit: Limit,
        variant: Variant,
        repeat: usize,
    ) -> Result<CellRecord, String> {
        let rt: &'static dyn Runtime = runtime::find(runtime).map_err(|e| e.to_string())?;
        let plans = spec.plans();
        let expectation = Arc::new(Expectation::of(spec.kind, &plans));
        let cell = CellPlan {
            runtime: rt,
            spec: spec.clone(),
            limit,
            workers: self.workers,
            warmup: 1,
            repeat,
            fault: None,
            variant,
            plans: Arc::new(plans),
            expectation,
        };
        let record = suite::run_cell(&cell, &Mode::Isolated(self.iso.clone())).record;
        match &record.error {
            None => Ok(record),
            Some(e) => Err(format!("{}: {e}", cell.label())),
        }
    }

    /// Median wall seconds of a cell.
    pub fn wall(
        &self,
        runtime: &str,
        spec: &WorkloadSpec,
        limit: Limit,
        variant: Variant,
    ) -> Result<f64, String> {
        Ok(self.cell(runtime, spec, limit, variant, 3)?.wall_seconds)
    }

    /// A claims experiment (service calls, ping-pong) in an isolated child process.
    pub fn experiment(
        &self,
        runtime: &str,
        experiment: Experiment,
    ) -> Result<ExperimentOutcome, String> {
        let req = CellRequest {
            experiment: Some(experiment),
            ..CellRequest::small(runtime, self.workers)
        };
        let reply = suite::isolate::run_isolated(&req, &self.iso);
        match (reply.error, reply.experiment) {
            (None, Some(o)) => Ok(o),
            (Some(e), _) => Err(format!("{runtime}: {}", e.message)),
            (None, None) => Err(format!("{runtime}: the experiment answered nothing")),
        }
    }

    /// The memory pass of a runtime over its standard sizes, as `rtbench run --memory` runs
    /// it; run once per lab, so every claim reading it publishes the same figures.
    pub fn memory_model(&self, runtime: &str) -> Result<MemoryModel, String> {
        let rt = runtime::find(runtime).map_err(|e| e.to_string())?;
        let mut passes = self.passes.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(m) = passes.iter().find(|m| m.runtime == runtime) {
            return Ok(m.clone());
        }
        let Ok(m) = suite::memory::pass(rt, self.workers, &self.iso, |_| Ok::<_, Infallible>(()));
        passes.push(m.clone());
        Ok(m)
    }

    /// The memory pass at one size.
    pub fn memory(&self, runtime: &str, units: usize) -> Result<MemoryRecord, String> {
        let rt = runtime::find(runtime).map_err(|e| e.to_string())?;
        Ok(suite::memory::measure(rt, units, self.workers, &self.iso))
    }

    /// The spawn probe of one runtime's units started and joined (`start`).
    pub fn spawn(&self, runtime: &str) -> Result<SpawnProbe, String> {
        let rt = runtime::find(runtime).map_err(|e| e.to_string())?;
        if rt.start_unit().is_none() {
            return Err(format!("{runtime} starts no unit of its own"));
        }
        let p = suite::probes::spawn(rt, SpawnKind::Start, self.workers, &self.iso);
        match &p.error {
            None => Ok(p),
            Some(e) => Err(format!("spawn probe on {runtime}: {e}")),
        }
    }
}
