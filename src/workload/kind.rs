//! The [`Workload`] trait, one implementation per file (`io.rs`, `cpu.rs`, `mixed.rs`,
//! `net.rs`), and
//! [`WORKLOADS`], the one list every other list of workloads comes from: the typed id's
//! names, `--workload` parsing and its error text, and plan building.

use std::fmt;
use std::str::FromStr;

use super::ideal::{Capacity, TaskCosts};
use super::{TaskPlan, WorkloadSpec, cpu, io, mixed, net};
use crate::SpecError;

/// One workload: what its tasks do, and how fast they could possibly finish.
pub trait Workload: Sync {
    /// The typed id records carry.
    fn kind(&self) -> WorkloadKind;

    /// The name users type (`--workload`) and records carry (`kind`'s serialized form).
    fn name(&self) -> &'static str;

    /// One line: what a task of this workload does.
    fn description(&self) -> &'static str;

    /// The plans of `spec.tasks` tasks, deterministic from `spec.seed`.
    fn plans(&self, spec: &WorkloadSpec) -> Vec<TaskPlan>;

    /// The physical lower bound on wall time for tasks of these costs under `cap`.
    fn ideal_seconds(&self, costs: &TaskCosts, cap: Capacity) -> f64;
}

/// Every workload, in the order results show them. Adding one: a file, a line here and a
/// [`WorkloadKind`] variant (the typed id records carry).
pub static WORKLOADS: &[&dyn Workload] = &[&io::Io, &cpu::Cpu, &mixed::Mixed, &net::Net];

/// The typed id of a workload; records serialize it as the workload's name.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum WorkloadKind {
    /// Simulated I/O waits only ([`io::Io`]).
    Io,
    /// Factorials only ([`cpu::Cpu`]).
    Cpu,
    /// Waits and factorials in turn ([`mixed::Mixed`]).
    Mixed,
    /// Calls to the latency server over TCP ([`net::Net`]).
    Net,
}

impl WorkloadKind {
    /// Every kind, in [`WORKLOADS`] order.
    pub fn all() -> impl Iterator<Item = WorkloadKind> {
        WORKLOADS.iter().map(|w| w.kind())
    }

    /// This kind's implementation, from [`WORKLOADS`].
    pub fn workload(self) -> &'static dyn Workload {
        WORKLOADS
            .iter()
            .copied()
            .find(|w| w.kind() == self)
            .unwrap_or_else(|| panic!("workload kind {self:?} has no line in WORKLOADS"))
    }

    /// The name users type and records carry.
    pub fn name(self) -> &'static str {
        self.workload().name()
    }
}

impl fmt::Display for WorkloadKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

impl FromStr for WorkloadKind {
    type Err = SpecError;

    fn from_str(s: &str) -> Result<Self, SpecError> {
        find(s).map(|w| w.kind())
    }
}

/// The names of every workload, in [`WORKLOADS`] order.
pub fn names() -> Vec<&'static str> {
    WORKLOADS.iter().map(|w| w.name()).collect()
}

/// The workload called `name`; the error lists the accepted names.
pub fn find(name: &str) -> Result<&'static dyn Workload, SpecError> {
    WORKLOADS
        .iter()
        .copied()
        .find(|w| w.name() == name)
        .ok_or_else(|| {
            SpecError::new(format!(
                "unknown workload '{name}'; accepted: {}, all",
                names().join(", ")
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_kinds_are_distinct_and_serialize_as_their_names() {
        let kinds: Vec<WorkloadKind> = WorkloadKind::all().collect();
        for (i, &kind) in kinds.iter().enumerate() {
            assert!(!kinds[..i].contains(&kind), "{kind:?} listed twice");
            let json = serde_json::to_string(&kind).expect("a kind serializes");
            assert_eq!(json, format!("\"{}\"", kind.name()));
            let back: WorkloadKind = serde_json::from_str(&json).expect("a kind deserializes");
            assert_eq!(back, kind);
            assert_eq!(kind.name().parse::<WorkloadKind>().ok(), Some(kind));
        }
        assert_eq!(names(), ["io", "cpu", "mixed", "net"]);
    }

    #[test]
    fn an_unknown_name_lists_the_accepted_ones() {
        let err = "disk"
            .parse::<WorkloadKind>()
            .expect_err("disk is not a workload");
        assert_eq!(
            err.to_string(),
            "unknown workload 'disk'; accepted: io, cpu, mixed, net, all"
        );
    }
}
