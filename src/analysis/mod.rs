//! Analysis: the decision rules, as pure functions from a loaded results folder to typed
//! rows. A row holds the records it compared, the numbers its rule computed and the pick;
//! it holds no text but its rule's statement, so the report only renders it, and the rules
//! are tested on typed values.
//!
//! One file per row family; [`FAMILIES`] is the one list of them, in the order the
//! decision table shows them.

pub mod blocking;
pub mod cpu;
pub mod cpu_experiment;
pub mod io;
pub mod limit_claims;
pub mod limits;
pub mod mixed;
pub mod rank;
pub mod select;
pub mod serve;
pub mod spawn;
pub mod timer;

pub use rank::{Candidate, Ranked, overlap};
pub use select::{Timing, UnitMemory, most_common, timing};

use crate::results::{CellRecord, ClaimResult, FigureId, FigureKey, Loaded};

/// A figure a row read from a claim: its value, or the key that was not there.
pub type Lookup = Result<f64, FigureKey>;

/// The value of `key` in `claim`, or the key itself when the claim did not write it.
pub fn lookup(claim: &ClaimResult, key: FigureKey) -> Lookup {
    claim.value(&key).ok_or(key)
}

/// The families of decision rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// Many concurrent waits.
    Io,
    /// CPU-bound work.
    Cpu,
    /// Waits and computation.
    Mixed,
    /// A blocking library inside async code (claim C17).
    Blocking,
    /// Bounding concurrency against a rate-limited API.
    Limit,
    /// Many short-lived units (start cost).
    Spawn,
    /// Short, precise sleeps.
    Timer,
    /// A server under steady load (open-loop offered rates).
    Serve,
}

/// A row family: its kind, its rule's statement, and the rule.
pub struct Family {
    /// Which row.
    pub kind: RowKind,
    /// The rule, stated for the table.
    pub rule: &'static str,
    /// The figures of claims the rule reads.
    pub reads: &'static [FigureId],
    /// The rule.
    pub decide: for<'a> fn(&'a Loaded) -> Result<RowBody<'a>, NotMeasured<'a>>,
}

/// Every row family, in the order the decision table shows them.
pub const FAMILIES: [Family; 8] = [
    Family {
        kind: RowKind::Io,
        rule: io::RULE,
        reads: &[],
        decide: io::decide,
    },
    Family {
        kind: RowKind::Cpu,
        rule: cpu::RULE,
        reads: &cpu_experiment::READS,
        decide: cpu::decide,
    },
    Family {
        kind: RowKind::Mixed,
        rule: mixed::RULE,
        reads: &[],
        decide: mixed::decide,
    },
    Family {
        kind: RowKind::Blocking,
        rule: blocking::RULE,
        reads: &blocking::READS,
        decide: blocking::decide,
    },
    Family {
        kind: RowKind::Limit,
        rule: limits::RULE,
        reads: &limits::READS,
        decide: limits::decide,
    },
    Family {
        kind: RowKind::Spawn,
        rule: spawn::RULE,
        reads: &[],
        decide: spawn::decide,
    },
    Family {
        kind: RowKind::Timer,
        rule: timer::RULE,
        reads: &[],
        decide: timer::decide,
    },
    Family {
        kind: RowKind::Serve,
        rule: serve::RULE,
        reads: &[],
        decide: serve::decide,
    },
];

/// What a row found.
#[derive(Debug, Clone, PartialEq)]
pub enum RowBody<'a> {
    /// See [`io::IoRow`].
    Io(io::IoRow<'a>),
    /// See [`cpu::CpuRow`].
    Cpu(cpu::CpuRow<'a>),
    /// See [`cpu_experiment::ExperimentRow`].
    CpuExperiment(cpu_experiment::ExperimentRow<'a>),
    /// See [`mixed::MixedRow`].
    Mixed(mixed::MixedRow<'a>),
    /// See [`blocking::BlockingRow`].
    Blocking(blocking::BlockingRow<'a>),
    /// See [`limits::LimitRow`].
    Limit(limits::LimitRow<'a>),
    /// See [`spawn::SpawnRow`].
    Spawn(spawn::SpawnRow<'a>),
    /// See [`timer::TimerRow`].
    Timer(timer::TimerRow<'a>),
    /// See [`serve::ServeRow`].
    Serve(serve::ServeRow<'a>),
}

/// Why a row could not be decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotMeasured<'a> {
    /// The folder holds none of the cells the row compares.
    NoCells,
    /// No sequential cell to compute a speed-up against.
    NoBaseline,
    /// Only the sequential baseline ran.
    OnlyBaseline,
    /// The claim was not run into this folder.
    ClaimNotRun(&'static str),
    /// The claim ran and failed, with its error.
    ClaimFailed(&'a str),
    /// The claim holds none of the figures the row reads.
    NoPairs(&'static str),
    /// The folder holds no probe of this kind.
    NoProbe,
}

/// One row of the decision table.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionRow<'a> {
    /// Which row.
    pub kind: RowKind,
    /// Its rule, stated.
    pub rule: &'static str,
    /// What it found, or why it could not decide.
    pub body: Result<RowBody<'a>, NotMeasured<'a>>,
}

/// The decision table of a folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Decisions<'a> {
    /// Every row, in [`FAMILIES`] order.
    pub rows: Vec<DecisionRow<'a>>,
    /// Cells that failed (never candidates), in run order.
    pub failed: Vec<&'a CellRecord>,
    /// Cells that broke physics (never candidates), in run order.
    pub suspect: Vec<&'a CellRecord>,
}

/// Applies every rule to a loaded folder.
pub fn decide(loaded: &Loaded) -> Decisions<'_> {
    Decisions {
        rows: FAMILIES
            .iter()
            .map(|f| DecisionRow {
                kind: f.kind,
                rule: f.rule,
                body: (f.decide)(loaded),
            })
            .collect(),
        failed: loaded.summary.cells.iter().filter(|c| !c.ok()).collect(),
        suspect: loaded
            .summary
            .cells
            .iter()
            .filter(|c| c.suspect.is_some())
            .collect(),
    }
}

#[cfg(test)]
pub(crate) mod tests;
