//! A whole run as the library performs it: plan the cells, probe each runtime's timer and
//! spawn cost, run every cell in its own process, park idle units for the memory pass, and
//! rewrite the results folder after every step, so an interrupted run leaves valid files.
//! What happens is told to an [`Observer`] (progress on stderr, for the command line).

use std::path::{Path, PathBuf};

use thiserror::Error;

use super::{CellPlan, ConfigError, Isolation, Mode, RunConfig, memory, plan, probes, run_cell};
use crate::results::{
    CellRecord, Machine, MemoryRecord, RawRow, ResultsDir, SCHEMA_VERSION, Summary,
};

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
    /// One cell is about to run.
    fn cell_started(&mut self, cell: &CellPlan);
    /// One cell has run.
    fn cell_finished(&mut self, cell: &CellPlan, record: &CellRecord);
    /// Every cell has run.
    fn cells_done(&mut self);
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
    let mut run = Running::open(spec, skipped)?;
    if let Some(cfg) = &spec.probes {
        run.probe(cfg, &spec.iso, obs)?;
    }
    if !cells.is_empty() {
        obs.cells(&cells);
        let mode = Mode::Isolated(spec.iso.clone());
        for cell in &cells {
            obs.cell_started(cell);
            let result = run_cell(cell, &mode);
            obs.cell_finished(cell, &result.record);
            run.summary.cells.push(result.record);
            run.raw.extend(result.raw);
            run.save()?;
        }
        obs.cells_done();
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
                memory: Vec::new(),
                memory_models: Vec::new(),
                timers: Vec::new(),
                spawn: Vec::new(),
            },
            raw: Vec::new(),
        };
        run.save()?;
        Ok(run)
    }

    fn save(&self) -> Result<(), SessionError> {
        self.store
            .write(&self.summary, &self.raw)
            .map_err(|source| SessionError::Save {
                path: self.store.path().to_path_buf(),
                source,
            })
    }

    /// Each runtime's sleep(1ms) and sleep(10ms), and its cost to start and join an empty
    /// unit.
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
            self.summary.spawn.push(probes::spawn(rt, cfg.workers, iso));
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

/// `results/<date>-<host>`.
pub fn default_dir(machine: &Machine) -> PathBuf {
    Path::new("results").join(format!("{}-{}", machine.day(), machine.host_slug()))
}
