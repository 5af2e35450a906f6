//! A run: the cells (runtime x workload) of one configuration, each started, warmed up,
//! timed and checked against what the workload predicts.

mod cell;

use std::sync::Arc;

use thiserror::Error;

pub use cell::{CellPlan, run_cell};

use crate::limit::Limit;
use crate::runtime::Runtime;
use crate::workload::{Expectation, Work, WorkloadKind, WorkloadSpec};

/// A validated run configuration.
#[derive(Clone)]
pub struct RunConfig {
    pub runtimes: Vec<&'static dyn Runtime>,
    /// The runtimes were listed by the user (not `all`): a refused limit is then an error.
    pub runtimes_explicit: bool,
    pub workloads: Vec<WorkloadKind>,
    /// Parameters shared by every workload; `kind` is set per workload.
    pub spec: WorkloadSpec,
    pub limit: Limit,
    pub workers: usize,
    /// Untimed runs on the same started runtime before the measured one.
    pub warmup: usize,
}

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("{0}")]
    Refused(String),
}

/// The cells of a run, and a note for each combination skipped because `all` included a
/// runtime that cannot apply the limit.
pub fn plan(cfg: &RunConfig) -> Result<(Vec<CellPlan>, Vec<String>), ConfigError> {
    let mut skipped = Vec::new();
    let mut runtimes = Vec::new();
    for &rt in &cfg.runtimes {
        match rt.refusal(cfg.limit) {
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
        let expectation = Arc::new(Expectation::of(&plans));
        let work = Arc::new(Work::new(plans));
        for &runtime in &runtimes {
            cells.push(CellPlan {
                runtime,
                spec: spec.clone(),
                limit: cfg.limit,
                workers: cfg.workers,
                warmup: cfg.warmup,
                work: Arc::clone(&work),
                expectation: Arc::clone(&expectation),
            });
        }
    }
    Ok((cells, skipped))
}
