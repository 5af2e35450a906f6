//! The value parsers behind the flags: each turns one flag's text into a checked value, or
//! a message naming the value and what is accepted.

use std::time::Duration;

use crate::SpecError;
use crate::claims::MIN_ROUNDS;
use crate::runtime::{self, Runtime};
use crate::workload::latency::parse_duration;
use crate::workload::{self, WorkloadKind};

/// The runtimes chosen, and whether they came from `all`.
#[derive(Clone)]
pub struct RuntimeSel {
    /// The runtimes, in the order named (registry order for `all`).
    pub runtimes: Vec<&'static dyn Runtime>,
    /// They came from `all`: a runtime that refuses the limit is then skipped, not an error.
    pub all: bool,
}

impl std::fmt::Debug for RuntimeSel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.runtimes.iter().map(|r| r.name()))
            .finish()
    }
}

/// The workloads chosen, each once; `serve` (a server under steady load, not a set of
/// tasks) apart from the cells' workloads.
#[derive(Debug, Clone)]
pub struct WorkloadSel(pub Vec<WorkloadKind>, pub ServeSel);

/// Whether the serve sweep was chosen, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServeSel {
    /// Not chosen.
    No,
    /// Within `all`: models that cannot serve are left out with a note.
    All,
    /// Named: a model named with `--runtime` that cannot serve is refused.
    Named,
}

/// `--workload serve`: each model's HTTP server swept over offered rates.
pub const SERVE: &str = "serve";

/// Steps per mixed task, cycled over tasks.
#[derive(Debug, Clone)]
pub struct Steps(pub Vec<u32>);

/// Splits a comma-separated list; `accepted` describes a valid item for the error message.
fn list(s: &str, what: &str, accepted: &str) -> Result<Vec<String>, SpecError> {
    let items: Vec<String> = s.split(',').map(|x| x.trim().to_string()).collect();
    if items.iter().any(String::is_empty) {
        return Err(SpecError::new(format!(
            "empty item in {what} list '{s}'; accepted: comma-separated {accepted}"
        )));
    }
    if items.len() > 1 && items.iter().any(|x| x == "all") {
        return Err(SpecError::new(format!(
            "'all' stands alone, not inside a list ('{s}'); accepted: all, or comma-separated {accepted}"
        )));
    }
    Ok(items)
}

pub(super) fn parse_runtimes(s: &str) -> Result<RuntimeSel, SpecError> {
    if s == "all" {
        return Ok(RuntimeSel {
            runtimes: runtime::REGISTRY.to_vec(),
            all: true,
        });
    }
    let mut runtimes: Vec<&'static dyn Runtime> = Vec::new();
    let accepted = runtime::names().join(", ");
    for name in list(s, "runtime", &accepted)? {
        let rt = runtime::find(&name)?;
        if !runtimes.iter().any(|r| r.name() == rt.name()) {
            runtimes.push(rt);
        }
    }
    Ok(RuntimeSel {
        runtimes,
        all: false,
    })
}

/// `--workload`'s help: each workload's name and what its task does.
pub(super) fn workload_help() -> String {
    let each: Vec<String> = workload::WORKLOADS
        .iter()
        .map(|w| format!("\n  {}: {}", w.name(), w.description()))
        .collect();
    format!(
        "Workloads, comma-separated, or `all`:{}\n  {SERVE}: each model's HTTP server (rtbench serve) under an open-loop load swept over offered rates to its knee",
        each.concat()
    )
}

pub(super) fn parse_workloads(s: &str) -> Result<WorkloadSel, SpecError> {
    if s == "all" {
        return Ok(WorkloadSel(WorkloadKind::all().collect(), ServeSel::All));
    }
    let mut kinds = Vec::new();
    let mut serve = ServeSel::No;
    let accepted = format!("{}, {SERVE}", workload::names().join(", "));
    for name in list(s, "workload", &accepted)? {
        if name == SERVE {
            serve = ServeSel::Named;
            continue;
        }
        let k: WorkloadKind = name
            .parse()
            .map_err(|e: SpecError| SpecError::new(format!("{e}; or {SERVE}")))?;
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    Ok(WorkloadSel(kinds, serve))
}

pub(super) fn parse_whole(s: &str) -> Result<u64, SpecError> {
    s.parse::<u64>().map_err(|_| {
        SpecError::new(format!(
            "'{s}' is not accepted; accepted: a whole number from 0 to {}",
            u64::MAX
        ))
    })
}

pub(super) fn parse_warmup(s: &str) -> Result<usize, SpecError> {
    match s.parse::<usize>() {
        Ok(n) if n <= 100 => Ok(n),
        _ => Err(SpecError::new(format!(
            "'{s}' is not accepted; accepted: a whole number from 0 to 100"
        ))),
    }
}

pub(super) fn parse_repeat(s: &str) -> Result<usize, SpecError> {
    match s.parse::<usize>() {
        Ok(n) if (1..=1000).contains(&n) => Ok(n),
        _ => Err(SpecError::new(format!(
            "'{s}' is not accepted; accepted: a whole number from 1 to 1000"
        ))),
    }
}

/// `--serve-sweeps` of `run`: 1 to 20 sweeps of each model.
pub(super) fn parse_sweeps(s: &str) -> Result<u32, SpecError> {
    match s.parse::<u32>() {
        Ok(n) if (1..=20).contains(&n) => Ok(n),
        _ => Err(SpecError::new(format!(
            "'{s}' is not accepted; accepted: a whole number of sweeps from 1 to 20"
        ))),
    }
}

/// `--rounds` of `claims`: at least [`MIN_ROUNDS`], so every verdict rests on an interval.
pub(super) fn parse_rounds(s: &str) -> Result<usize, SpecError> {
    match s.parse::<usize>() {
        Ok(n) if (MIN_ROUNDS..=1000).contains(&n) => Ok(n),
        _ => Err(SpecError::new(format!(
            "'{s}' is not accepted; accepted: a whole number of rounds from {MIN_ROUNDS} to 1000"
        ))),
    }
}

pub(super) fn parse_timeout(s: &str) -> Result<Duration, SpecError> {
    let d = parse_duration(s)?;
    if d < Duration::from_millis(10) {
        return Err(SpecError::new(format!(
            "cell timeout '{s}' is too short; accepted: 10ms to 1h"
        )));
    }
    Ok(d)
}

pub(super) fn parse_count(s: &str) -> Result<usize, SpecError> {
    match s.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(SpecError::new(format!(
            "'{s}' is not accepted; accepted: a whole number >= 1"
        ))),
    }
}

pub(super) fn parse_count_u32(s: &str) -> Result<u32, SpecError> {
    let n = parse_count(s)?;
    u32::try_from(n)
        .map_err(|_| SpecError::new(format!("'{s}' is too large; accepted: 1 to {}", u32::MAX)))
}

pub(super) fn parse_payload(s: &str) -> Result<usize, SpecError> {
    use crate::netserver::{MAX_PAYLOAD, MIN_PAYLOAD};
    match s.parse::<usize>() {
        Ok(n) if (MIN_PAYLOAD..=MAX_PAYLOAD).contains(&n) => Ok(n),
        _ => Err(SpecError::new(format!(
            "'{s}' is not accepted; accepted: a reply size in bytes from {MIN_PAYLOAD} to {MAX_PAYLOAD}"
        ))),
    }
}

pub(super) fn parse_steps(s: &str) -> Result<Steps, SpecError> {
    list(s, "steps", "whole numbers >= 1 (e.g. 10,4,6)")?
        .iter()
        .map(|x| parse_count_u32(x))
        .collect::<Result<_, _>>()
        .map(Steps)
}

pub(super) fn parse_scale(s: &str) -> Result<f64, SpecError> {
    match s.parse::<f64>() {
        Ok(x) if x > 0.0 && x <= 1.0 => Ok(x),
        _ => Err(SpecError::new(format!(
            "'{s}' is not accepted; accepted: a factor above 0 and at most 1 (0.02 runs 1 s as 20 ms)"
        ))),
    }
}
