//! A run: the cells (runtime x workload) of one configuration, each started, warmed up,
//! timed and checked against what the workload predicts.

mod cell;
mod execute;
pub mod guard;
pub mod isolate;
pub mod memory;
pub mod probes;
mod profile;
mod progress;
mod protocol;
pub mod serve;
pub mod serve_sweep;
pub mod session;
mod stats;
mod watch;

use std::sync::Arc;

use thiserror::Error;

pub use cell::{CellPlan, CellResult, CellRuns, Mode, raw_row, run_cell, run_child};
pub use execute::execute;
pub use isolate::{CELL_COMMAND, Isolation};
pub use profile::Profile;
pub use progress::Progress;
pub use protocol::{
    CellReply, CellRequest, Experiment, ExperimentOutcome, Fault, MemorySample, Percentiles, Sample,
};
pub use session::{Finished, Observer, SessionError, SessionSpec};
pub use stats::Stat;
pub use watch::LiveMemory;

use crate::limit::Limit;
use crate::runtime::{Runtime, Variant};
use crate::workload::{Expectation, WorkloadKind, WorkloadSpec};

/// A validated run configuration.
#[derive(Clone)]
pub struct RunConfig {
    /// The runtimes, in registry order.
    pub runtimes: Vec<&'static dyn Runtime>,
    /// The runtimes were listed by the user (not `all`): a refused limit is then an error.
    pub runtimes_explicit: bool,
    /// The workloads.
    pub workloads: Vec<WorkloadKind>,
    /// Parameters shared by every workload; `kind` is set per workload.
    pub spec: WorkloadSpec,
    /// The concurrency limit of every cell.
    pub limit: Limit,
    /// The --workers setting.
    pub workers: usize,
    /// Untimed runs on the same started runtime before the measured ones.
    pub warmup: usize,
    /// Measured runs per cell.
    pub repeat: usize,
    /// A deliberate failure in every cell (tests of isolation only).
    pub fault: Option<Fault>,
    /// Skip cells whose ideal wall time exceeds this (sweep profiles).
    pub max_ideal_seconds: Option<f64>,
    /// A labelled variant (async runtimes only).
    pub variant: Variant,
}

/// A configuration the harness refuses (bad input, exit code 2).
#[derive(Debug, Error)]
pub enum ConfigError {
    /// A combination named explicitly that cannot run, and why.
    #[error("{0}")]
    Refused(String),
}

/// The cells of a run, and a note for each combination skipped because `all` included a
/// runtime that cannot apply the limit.
pub fn plan(cfg: &RunConfig) -> Result<(Vec<CellPlan>, Vec<String>), ConfigError> {
    let mut skipped = Vec::new();
    let mut runtimes = Vec::new();
    for &rt in &cfg.runtimes {
        let refusal = rt
            .refusal(cfg.limit)
            .or_else(|| variant_refusal(rt, cfg.variant, cfg.limit));
        match refusal {
            None => runtimes.push(rt),
            Some(why) if cfg.runtimes_explicit => return Err(ConfigError::Refused(why)),
            Some(why) => skipped.push(format!("skipped {}: {why}", rt.name())),
        }
    }
    let mut cells = Vec::new();
    for &kind in &cfg.workloads {
        let spec = WorkloadSpec {
            kind,
            ..cfg.spec.clone()
        };
        let plans = spec.plans();
        let expectation = Arc::new(Expectation::of(kind, &plans));
        let plans = Arc::new(plans);
        for &runtime in &runtimes {
            let cell = CellPlan {
                runtime,
                spec: spec.clone(),
                limit: cfg.limit,
                workers: cfg.workers,
                warmup: cfg.warmup,
                repeat: cfg.repeat,
                fault: cfg.fault,
                variant: cfg.variant,
                plans: Arc::clone(&plans),
                expectation: Arc::clone(&expectation),
                pin: None,
            };
            match cfg.max_ideal_seconds {
                Some(budget) if cell.ideal_seconds() > budget => skipped.push(format!(
                    "skipped {} x{}: its ideal time {:.2}s is over this profile's {budget}s per cell",
                    cell.label(),
                    cell.spec.tasks,
                    cell.ideal_seconds()
                )),
                _ => cells.push(cell),
            }
        }
    }
    Ok((cells, skipped))
}

/// Why a runtime cannot run a labelled variant under a limit, if it cannot.
fn variant_refusal(rt: &dyn Runtime, variant: Variant, limit: Limit) -> Option<String> {
    match variant {
        Variant::Normal => None,
        _ if !rt.has_variants() => Some(format!(
            "{} has no async tasks, so the {variant} variant has no meaning there; accepted on \
             tokio, tokio-current-thread, smol and async-std",
            rt.name()
        )),
        Variant::AwaitEach if limit != Limit::Unbounded => Some(format!(
            "await-each awaits one future at a time, so {limit} has no meaning with it; use unbounded"
        )),
        _ => None,
    }
}
