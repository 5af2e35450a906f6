//! Where claims run their experiments: the same isolated cells, memory pass, probes and
//! experiments as `rtbench run`, with the notes' durations scaled down.

use std::convert::Infallible;
use std::sync::{Arc, Mutex, OnceLock};

use super::cpu_runs::CpuRuns;
use std::time::Duration;

use crate::limit::Limit;
use crate::measure::available_cores;
use crate::results::{CellRecord, MemoryModel, MemoryRecord, SpawnProbe};
use crate::runtime::{self, Model, Runtime, SpawnKind, Variant};
use crate::suite::session::round_order;
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

/// Whether a rule about "every runtime" counts `runtime`: legacy runtimes (async-std) are
/// measured and shown, never judged.
pub fn counted(runtime: &str) -> bool {
    runtime::find(runtime).is_ok_and(|r| !r.legacy())
}

/// The wall seconds of `records[trial][round]`, in the same shape.
pub fn walls_of(records: &[Vec<CellRecord>]) -> Vec<Vec<f64>> {
    records
        .iter()
        .map(|r| r.iter().map(|c| c.wall_seconds).collect())
        .collect()
}

/// The entries a rule about "every runtime" judges: all but the legacy runtimes'.
pub fn judged<'a, T: Copy>(items: &[(&'a str, T)]) -> Vec<(&'a str, T)> {
    items
        .iter()
        .copied()
        .filter(|(rt, _)| counted(rt))
        .collect()
}

fn names_of(runtimes: Vec<&'static dyn Runtime>) -> Vec<&'static str> {
    runtimes.iter().map(|r| r.name()).collect()
}

/// Rounds a claim's experiment runs by default: each of its cells once per round, in a
/// shuffled order, each in a fresh child process. With 9 values the interval of the median
/// leaves out the lowest and the highest (96% coverage), so one disturbed round cannot move
/// a verdict.
pub const ROUNDS: usize = 9;

/// The fewest rounds `--rounds` accepts: with 5 the interval is the whole range (94%).
pub const MIN_ROUNDS: usize = 5;

/// One cell of a claim's experiment: a runtime, its work, limit and variant.
#[derive(Debug, Clone)]
pub struct Trial {
    /// The runtime by name.
    pub runtime: &'static str,
    /// The work.
    pub spec: WorkloadSpec,
    /// Its limit.
    pub limit: Limit,
    /// Its variant.
    pub variant: Variant,
    /// The CPU its child process is pinned to, if any.
    pub pin: Option<usize>,
}

impl Trial {
    /// A trial of `runtime` on `spec`.
    pub fn new(
        runtime: &'static str,
        spec: &WorkloadSpec,
        limit: Limit,
        variant: Variant,
    ) -> Trial {
        Trial {
            runtime,
            spec: spec.clone(),
            limit,
            variant,
            pin: None,
        }
    }

    /// The same trial with its child pinned to `cpu` (None: not pinned).
    pub fn pinned(mut self, cpu: Option<usize>) -> Trial {
        self.pin = cpu;
        self
    }

    /// A plain trial: no limit, the normal variant.
    pub fn plain(runtime: &'static str, spec: &WorkloadSpec) -> Trial {
        Trial::new(runtime, spec, Limit::Unbounded, Variant::Normal)
    }
}

/// A trial as a cell names itself in an error (`tokio io unbounded`).
fn label_of(t: &Trial) -> String {
    match t.variant {
        Variant::Normal => format!("{} {} {}", t.runtime, t.spec.kind, t.limit),
        v => format!("{} [{v}] {} {}", t.runtime, t.spec.kind, t.limit),
    }
}

/// The seed of the rounds' shuffled order.
const ORDER_SEED: u64 = 0x5EED_C1A1;

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
    /// Rounds of each experiment ([`ROUNDS`] unless `--rounds` says otherwise).
    pub rounds: usize,
    /// The memory passes run so far, one per runtime: claims that read the same model
    /// read the same figures.
    passes: Mutex<Vec<MemoryModel>>,
    /// The CPU experiment, once run: every CPU claim quotes the same speed-ups.
    cpu: OnceLock<Result<Arc<CpuRuns>, String>>,
}

impl Lab {
    /// A lab with no memory pass run yet.
    pub fn new(iso: Isolation, workers: usize, scale: f64) -> Lab {
        Lab {
            iso,
            workers,
            scale,
            rounds: ROUNDS,
            passes: Mutex::new(Vec::new()),
            cpu: OnceLock::new(),
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

    /// One isolated cell: `warmup` untimed runs, then one measured; a failed cell is an
    /// error naming it.
    fn cell_warm(&self, trial: &Trial, warmup: usize) -> Result<CellRecord, String> {
        let record = self.cell_record(trial, warmup)?;
        match &record.error {
            None => Ok(record),
            Some(e) => Err(format!("{}: {e}", label_of(trial))),
        }
    }

    /// One isolated cell, its record kept when the cell failed (an OS refusal, a timeout:
    /// `error` and `error_kind` say which); an error only for a runtime this build lacks.
    pub fn cell_record(&self, trial: &Trial, warmup: usize) -> Result<CellRecord, String> {
        let Trial {
            runtime,
            spec,
            limit,
            variant,
            pin,
        } = trial.clone();
        let rt: &'static dyn Runtime = runtime::find(runtime).map_err(|e| e.to_string())?;
        let plans = spec.plans();
        let expectation = Arc::new(Expectation::of(spec.kind, &plans));
        let cell = CellPlan {
            runtime: rt,
            spec: spec.clone(),
            limit,
            workers: self.workers,
            warmup,
            repeat: 1,
            fault: None,
            variant,
            plans: Arc::new(plans),
            expectation,
            pin,
        };
        Ok(suite::run_cell(&cell, &Mode::Isolated(self.iso.clone())).record)
    }

    /// Wall seconds of every trial in each of `self.rounds` rounds (`walls[trial][round]`):
    /// a round runs each trial once, in a seeded shuffled order, each after one untimed run
    /// in its own child process, so a drift of the machine falls on every trial alike and
    /// two trials' ratio can be taken within a round ([`super::judge::Est::paired`]).
    pub fn walls(&self, trials: &[Trial]) -> Result<Vec<Vec<f64>>, String> {
        self.walls_in(trials, self.rounds, 1)
    }

    /// As [`Lab::walls`], over `rounds` rounds and with `warmup` untimed runs in each child
    /// (0 for trials long enough to warm themselves up).
    pub fn walls_in(
        &self,
        trials: &[Trial],
        rounds: usize,
        warmup: usize,
    ) -> Result<Vec<Vec<f64>>, String> {
        Ok(walls_of(&self.records_in(trials, rounds, warmup)?))
    }

    /// The records behind [`Lab::walls_in`]: `records[trial][round]`.
    pub fn records_in(
        &self,
        trials: &[Trial],
        rounds: usize,
        warmup: usize,
    ) -> Result<Vec<Vec<CellRecord>>, String> {
        self.records_seeded(trials, rounds, warmup, false)
    }

    /// As [`Lab::records_in`]; with `reseed`, round r runs each trial's plans from seed
    /// `seed + r`, so the rounds span several task orders, not one.
    pub fn records_seeded(
        &self,
        trials: &[Trial],
        rounds: usize,
        warmup: usize,
        reseed: bool,
    ) -> Result<Vec<Vec<CellRecord>>, String> {
        self.rounds_of(trials, rounds, reseed, |t| self.cell_warm(t, warmup))
    }

    /// As [`Lab::records_in`], a failed cell's record kept in its place rather than
    /// ending the experiment (its `error` says why): for experiments that climb until the
    /// OS refuses.
    pub fn records_kept(
        &self,
        trials: &[Trial],
        rounds: usize,
        warmup: usize,
    ) -> Result<Vec<Vec<CellRecord>>, String> {
        self.rounds_of(trials, rounds, false, |t| self.cell_record(t, warmup))
    }

    /// Every trial once per round, in the rounds' seeded shuffled order: `records[trial][round]`.
    fn rounds_of(
        &self,
        trials: &[Trial],
        rounds: usize,
        reseed: bool,
        cell: impl Fn(&Trial) -> Result<CellRecord, String>,
    ) -> Result<Vec<Vec<CellRecord>>, String> {
        let mut records = vec![Vec::with_capacity(rounds); trials.len()];
        let salt = trials.len() + trials.first().map_or(0, |t| t.spec.tasks);
        for round in 0..rounds {
            for i in round_order(trials.len(), ORDER_SEED, salt, round) {
                let mut trial = trials[i].clone();
                if reseed {
                    trial.spec.seed = trial.spec.seed.wrapping_add(round as u64);
                }
                records[i].push(cell(&trial)?);
            }
        }
        Ok(records)
    }

    /// A claims experiment (service calls, a brigade) in an isolated child process.
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

    /// Each of `experiments` (a runtime and what it runs) once per round, in a shuffled
    /// order, each in its own child process: `outcomes[experiment][round]`.
    pub fn repeat(
        &self,
        experiments: &[(&str, Experiment)],
    ) -> Result<Vec<Vec<ExperimentOutcome>>, String> {
        self.repeat_varied(experiments, |e, _| e)
    }

    /// As [`Lab::repeat`], each round's experiment given by `vary(experiment, round)` (a
    /// seed per round).
    pub fn repeat_varied(
        &self,
        experiments: &[(&str, Experiment)],
        vary: impl Fn(Experiment, usize) -> Experiment,
    ) -> Result<Vec<Vec<ExperimentOutcome>>, String> {
        let mut outcomes = vec![Vec::with_capacity(self.rounds); experiments.len()];
        for round in 0..self.rounds {
            for i in round_order(experiments.len(), ORDER_SEED, experiments.len(), round) {
                let (runtime, e) = &experiments[i];
                outcomes[i].push(self.experiment(runtime, vary(*e, round))?);
            }
        }
        Ok(outcomes)
    }

    /// Uses memory passes already run (those of the `rtbench run` whose folder the claims
    /// write into), so the claims publish the very figures the memory table shows rather
    /// than a second pass's.
    pub fn seed_memory(&self, models: impl IntoIterator<Item = MemoryModel>) {
        let mut passes = self.passes.lock().unwrap_or_else(|e| e.into_inner());
        for m in models {
            if m.max_units > 0 && !passes.iter().any(|p| p.runtime == m.runtime) {
                passes.push(m);
            }
        }
    }

    /// The CPU experiment C10, C11 and C14 share, run at its first use.
    pub fn cpu_runs(&self) -> Result<Arc<CpuRuns>, String> {
        self.cpu
            .get_or_init(|| super::cpu_runs::run(self).map(Arc::new))
            .clone()
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
