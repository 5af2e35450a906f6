//! A whole run as the library performs it: plan the cells, probe each runtime's timer and
//! spawn cost, run every cell in its own process, park idle units for the memory pass, and
//! rewrite the results folder after every step, so an interrupted run leaves valid files.
//! What happens is told to an [`Observer`] (progress on stderr, for the command line).

use std::path::{Path, PathBuf};

use thiserror::Error;

use std::sync::Arc;

use super::serve_sweep;
use super::{
    CellPlan, CellRequest, CellRuns, ConfigError, Isolation, Mode, RunConfig, guard, memory, plan,
    probes, run_child,
};
use crate::measure::available_cores;
use crate::results::{
    CellRecord, IdealSource, Machine, MemoryRecord, RawRow, ResultsDir, SCHEMA_VERSION, Slot,
    Summary,
};
use crate::runtime::Model;
use crate::workload::WorkloadKind;
use crate::workload::rng::{SplitMix64, mix64};

/// What a session runs.
#[derive(Clone)]
pub struct SessionSpec {
    /// The groups of cells (a profile's sweep, or the one the flags describe); none for a
    /// memory pass alone.
    pub configs: Vec<RunConfig>,
    /// The profile's name as results record it: `quick`, `full`, `custom` or `memory`.
    pub profile: String,
    /// Probe these runtimes' timer and spawn cost before the cells.
    pub probes: Option<RunConfig>,
    /// The memory pass over these runtimes, after the cells.
    pub memory: Option<RunConfig>,
    /// `--workload serve`: each model's server swept over offered rates, after the cells.
    pub serve: Option<super::serve_sweep::ServeSweep>,
    /// How cells run in child processes.
    pub iso: Isolation,
    /// The results folder; None: `results/<date>-<host>`.
    pub out: Option<PathBuf>,
    /// The command line, for the results' README.
    pub command_line: Vec<String>,
}

/// Why a session stopped before its end.
#[derive(Debug, Error)]
pub enum SessionError {
    /// A combination the user named cannot run (bad input).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The results folder could not be created.
    #[error("creating the results folder {path}: {source}")]
    Create {
        /// The folder.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// The results folder could not be written.
    #[error("writing results to {path}: {source}")]
    Save {
        /// The folder.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
}

/// What a session tells as it goes.
pub trait Observer {
    /// A note on the plan (a skipped cell, how `--workers` maps onto a runtime).
    fn note(&mut self, text: &str);
    /// The probes of one runtime are about to run (`first`: the first runtime).
    fn probing(&mut self, runtime: &str, first: bool);
    /// Every probe has run.
    fn probed(&mut self);
    /// The cells about to run, in order.
    fn cells(&mut self, cells: &[CellPlan]);
    /// One repetition of a cell is about to run (`round` of `rounds`, from 0).
    fn cell_started(&mut self, cell: &CellPlan, round: usize, rounds: usize);
    /// It has run: the cell's record over its repetitions so far.
    fn cell_finished(&mut self, cell: &CellPlan, record: &CellRecord);
    /// Every cell has run.
    fn cells_done(&mut self);
    /// A line of the serve sweep's progress (a rate measured, the search's step).
    fn serving(&mut self, line: &str);
    /// The memory pass is about to park `units` units of `runtime`.
    fn parking(&mut self, runtime: &str, units: usize);
    /// One size of the memory pass has been measured.
    fn parked(&mut self, record: &MemoryRecord);
}

/// A finished (or stopped) session: everything it measured and where it is saved.
#[derive(Debug)]
pub struct Finished {
    /// What summary.json holds.
    pub summary: Summary,
    /// The results folder.
    pub dir: PathBuf,
}

/// Runs a session: plans first (a refused combination stops it before anything is
/// written), then probes, cells and memory pass, saving after each step.
pub fn run(spec: &SessionSpec, obs: &mut dyn Observer) -> Result<Finished, SessionError> {
    let mut cells = Vec::new();
    let mut skipped = Vec::new();
    for cfg in &spec.configs {
        let (c, s) = plan(cfg)?;
        cells.extend(c);
        skipped.extend(s);
    }
    if spec.probes.is_some() && !skipped.is_empty() {
        obs.note(&format!(
            "{} cells skipped (listed in summary.json)",
            skipped.len()
        ));
    } else {
        for s in &skipped {
            obs.note(s);
        }
    }
    let mut notes: Vec<String> = Vec::new();
    for c in &cells {
        if let Some(n) = c.runtime.note(&c.setup())
            && !notes.contains(&n)
        {
            obs.note(&n);
            notes.push(n);
        }
    }
    if let Some(sweep) = &spec.serve {
        if let Some(why) = sweep.models.iter().find_map(|m| m.serve_refusal()) {
            return Err(ConfigError::Refused(format!("--workload serve: {why}")).into());
        }
    }
    let mut run = Running::open(spec, skipped)?;
    if let Some(cfg) = &spec.probes {
        run.probe(cfg, &spec.iso, obs)?;
    }
    // Every run with `net` cells reports how accurate its server is.
    if let Some(net) = cells.iter().find(|c| c.spec.kind == WorkloadKind::Net) {
        obs.note("probing the latency server's added delay at 1 ms and 10 ms");
        run.summary.latency_server = probes::latency_server(net.spec.payload, &spec.iso);
        run.save()?;
    }
    if !cells.is_empty() {
        obs.cells(&cells);
        let mode = Mode::Isolated(spec.iso.clone());
        let seed = spec.configs.first().map_or(0, |c| c.spec.seed);
        run.summary.order_seed = Some(seed);
        for (g, group) in groups(&cells).into_iter().enumerate() {
            run.group(g, group, seed, &mode, obs)?;
        }
        obs.cells_done();
    }
    if let Some(sweep) = &spec.serve {
        for repetition in 0..sweep.repetitions {
            for &backend in &sweep.backends {
                for &model in &sweep.models {
                    let record = serve_sweep::sweep_model(
                        &spec.iso.exe,
                        sweep,
                        model,
                        backend,
                        repetition,
                        &mut |l| obs.serving(l),
                    );
                    run.summary.serve.push(record);
                    run.save()?;
                }
            }
        }
    }
    if let Some(cfg) = &spec.memory {
        run.memory_pass(cfg, &spec.iso, obs)?;
    }
    run.summary.complete = true;
    run.save()?;
    Ok(Finished {
        summary: run.summary,
        dir: run.store.path().to_path_buf(),
    })
}

/// The cells that share plans (one workload and parameter set of one configuration), in
/// plan order: they take turns, round by round.
fn groups(cells: &[CellPlan]) -> Vec<&[CellPlan]> {
    let mut out: Vec<&[CellPlan]> = Vec::new();
    let mut start = 0;
    for i in 1..=cells.len() {
        if i == cells.len() || !Arc::ptr_eq(&cells[i].plans, &cells[start].plans) {
            out.push(&cells[start..i]);
            start = i;
        }
    }
    out
}

/// The order the cells of group `group` run in during `round`: a shuffle seeded by the run's
/// seed, the group and the round, so a run can be replayed and no cell always goes first.
pub fn round_order(len: usize, seed: u64, group: usize, round: usize) -> Vec<usize> {
    let mut rng = SplitMix64::new(seed ^ mix64(((group as u64) << 32) | round as u64));
    let mut order: Vec<usize> = (0..len).collect();
    for i in (1..len).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    order
}

/// A session's results so far and the folder they are saved in.
struct Running {
    store: ResultsDir,
    summary: Summary,
    raw: Vec<RawRow>,
}

impl Running {
    /// Creates the results folder and saves an empty summary in it.
    fn open(spec: &SessionSpec, skipped: Vec<String>) -> Result<Running, SessionError> {
        let machine = Machine::collect(spec.command_line.clone());
        let dir = spec.out.clone().unwrap_or_else(|| default_dir(&machine));
        let store = ResultsDir::create(&dir).map_err(|source| SessionError::Create {
            path: dir.clone(),
            source,
        })?;
        let run = Running {
            store,
            summary: Summary {
                schema_version: SCHEMA_VERSION,
                profile: spec.profile.clone(),
                complete: false,
                machine,
                skipped,
                cells: Vec::new(),
                order_seed: None,
                order: Vec::new(),
                memory: Vec::new(),
                memory_models: Vec::new(),
                timers: Vec::new(),
                spawn: Vec::new(),
                latency_server: Vec::new(),
                serve: Vec::new(),
            },
            raw: Vec::new(),
        };
        run.save()?;
        Ok(run)
    }

    /// Runs one group: `repeat` rounds, each cell once per round in a shuffled order, every
    /// repetition in a child process of its own (warm-up runs first); the group's records
    /// are rewritten and saved after each repetition. A cell that fails runs no more.
    fn group(
        &mut self,
        g: usize,
        group: &[CellPlan],
        seed: u64,
        mode: &Mode,
        obs: &mut dyn Observer,
    ) -> Result<(), SessionError> {
        let first = self.summary.cells.len();
        let first_raw = self.raw.len();
        let mut runs = vec![CellRuns::default(); group.len()];
        let rounds = group.iter().map(|c| c.repeat.max(1)).max().unwrap_or(1);
        for round in 0..rounds {
            for i in round_order(group.len(), seed, g, round) {
                let cell = &group[i];
                if runs[i].failed() || round >= cell.repeat.max(1) {
                    continue;
                }
                let position = self.summary.order.len();
                obs.cell_started(cell, round, rounds);
                let req = CellRequest {
                    repeat: 1,
                    ..cell.request()
                };
                runs[i].add(cell, run_child(&req, mode), Some(position));
                self.summary.order.push(Slot {
                    position,
                    group: g,
                    round,
                    cell: format!("{} x{}", cell.label(), cell.spec.tasks),
                });
                let results = group_results(group, &runs);
                if let Some(r) = results.iter().find(|r| r.0 == i) {
                    obs.cell_finished(cell, &r.1.record);
                }
                self.summary.cells.truncate(first);
                self.raw.truncate(first_raw);
                for (_, r) in results {
                    self.summary.cells.push(r.record);
                    self.raw.extend(r.raw);
                }
                self.save()?;
            }
        }
        Ok(())
    }

    fn save(&self) -> Result<(), SessionError> {
        self.store
            .write(&self.summary, &self.raw)
            .map_err(|source| SessionError::Save {
                path: self.store.path().to_path_buf(),
                source,
            })
    }

    /// Each runtime's sleep(1ms) and sleep(10ms), its cost to start and join an empty unit,
    /// and its cost per empty job on its running pool.
    fn probe(
        &mut self,
        cfg: &RunConfig,
        iso: &Isolation,
        obs: &mut dyn Observer,
    ) -> Result<(), SessionError> {
        for (i, &rt) in cfg.runtimes.iter().enumerate() {
            obs.probing(rt.name(), i == 0);
            for requested in probes::TIMER_SLEEPS {
                self.summary
                    .timers
                    .push(probes::timer(rt, requested, cfg.workers, iso));
            }
            self.summary
                .spawn
                .extend(probes::spawns(rt, cfg.workers, iso));
            self.save()?;
        }
        obs.probed();
        Ok(())
    }

    /// Every chosen model with an idle unit, at growing sizes until the largest or the
    /// first failure (the OS thread limit), which is recorded; each size is saved.
    fn memory_pass(
        &mut self,
        cfg: &RunConfig,
        iso: &Isolation,
        obs: &mut dyn Observer,
    ) -> Result<(), SessionError> {
        for &rt in &cfg.runtimes {
            if memory::sizes(rt).is_none() {
                let why = format!(
                    "memory pass, {}: no idle unit of its own (a pool's unit is a thread: see threads)",
                    rt.name()
                );
                obs.note(&format!("skipped {why}"));
                self.summary.skipped.push(why);
                continue;
            }
            let model = memory::pass(rt, cfg.workers, iso, |step| match step {
                memory::Parking::Starting(units) => {
                    obs.parking(rt.name(), units);
                    Ok(())
                }
                memory::Parking::Parked(r) => {
                    obs.parked(r);
                    self.summary.memory.push(r.clone());
                    self.save()
                }
            })?;
            self.summary.memory_models.push(model);
            self.save()?;
        }
        Ok(())
    }
}

/// Repetitions a cell needs before the physics guard judges it (fewer when it has fewer).
const GUARD_AFTER: usize = 3;

/// The records so far of the group's cells that ran, in plan order (with each cell's index):
/// CPU cells take their ideal from the group's sequential cell (the smaller of its median
/// CPU and wall time), and each is checked against physics round by round (see `guard`).
fn group_results(group: &[CellPlan], runs: &[CellRuns]) -> Vec<(usize, super::CellResult)> {
    let sequential = group.iter().zip(runs).find(|(c, r)| {
        c.runtime.model() == Model::Sequential && !r.failed() && r.median_wall() > 0.0
    });
    let measured = sequential
        .filter(|(c, _)| c.spec.kind == WorkloadKind::Cpu)
        .map(|(c, r)| {
            // On a tiny run, getrusage's accounting can read above wall: the smaller.
            let cost = r.median_cpu().min(r.median_wall());
            c.expectation.measured_by(&c.plans, cost)
        });
    let cores = available_cores();
    group
        .iter()
        .zip(runs)
        .enumerate()
        .filter(|(_, (_, r))| r.ran())
        .map(|(i, (cell, r))| {
            let mut result = r.result(cell, measured.as_ref());
            // Judged once the cell (and sequential) have a few rounds: after its first
            // round a cell has one run and no spread to allow for.
            let judged = |runs: &CellRuns| runs.count() >= cell.repeat.clamp(1, GUARD_AFTER);
            if judged(r) && sequential.is_none_or(|(_, s)| judged(s)) {
                let rounds = rounds(cell, r, &result.record, sequential.map(|(_, s)| s));
                result.record.suspect = guard::suspect(&result.record, &rounds, cores);
            }
            (i, result)
        })
        .collect()
}

/// A cell's repetitions against its ideal and its group's sequential cell, round by round:
/// the k-th repetition of every cell of a group ran in round k, so each pair was measured
/// within one round, under the same drift of the host's speed.
fn rounds(
    cell: &CellPlan,
    runs: &CellRuns,
    record: &CellRecord,
    sequential: Option<&CellRuns>,
) -> guard::Rounds {
    let walls = runs.walls();
    let seq_walls = sequential.map(CellRuns::walls).unwrap_or_default();
    let ideals: Vec<Option<f64>> = match record.ideal_source {
        // Scaled to the sequential run of the same round.
        Some(IdealSource::Sequential) => {
            let median = sequential.map_or(0.0, CellRuns::median_wall);
            seq_walls
                .iter()
                .map(|s| (median > 0.0).then(|| record.ideal_seconds * s / median))
                .collect()
        }
        Some(IdealSource::Repetition) => runs.repetition_ideals(cell),
        _ => vec![Some(record.ideal_seconds); walls.len()],
    };
    guard::Rounds {
        over_ideal: walls
            .iter()
            .zip(ideals)
            .filter_map(|(w, ideal)| ideal.filter(|&i| i > 0.0).map(|i| w / i))
            .collect(),
        speedups: seq_walls
            .iter()
            .zip(&walls)
            .filter(|(_, w)| **w > 0.0)
            .map(|(s, w)| s / w)
            .collect(),
    }
}

/// `results/<date>-<host>`.
pub fn default_dir(machine: &Machine) -> PathBuf {
    Path::new("results").join(format!("{}-{}", machine.day(), machine.host_slug()))
}

#[cfg(test)]
mod tests {
    use super::round_order;

    #[test]
    fn rounds_are_shuffles_that_a_seed_replays() {
        let orders: Vec<Vec<usize>> = (0..6).map(|r| round_order(5, 42, 0, r)).collect();
        for o in &orders {
            let mut sorted = o.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, [0, 1, 2, 3, 4], "each cell once a round");
        }
        assert!(
            orders.windows(2).any(|w| w[0] != w[1]),
            "rounds differ: {orders:?}"
        );
        let firsts: std::collections::BTreeSet<usize> = orders.iter().map(|o| o[0]).collect();
        assert!(firsts.len() > 1, "no cell always goes first: {orders:?}");
        assert_eq!(
            round_order(5, 42, 0, 3),
            orders[3],
            "the seed replays the order"
        );
        assert_ne!(round_order(5, 43, 0, 3), orders[3]);
    }
}
