//! The shared workload model: what a task does, independent of how it is scheduled.
//!
//! A task is a plan of steps, `Compute(n)` (factorial of n) and `Wait(d)` (simulated I/O).
//! Plans are deterministic from a seed, so every runtime does exactly the same work; each
//! task folds its steps into a checksum, and the run's checksum (an order-independent sum)
//! must equal the one the plans predict, or the cell fails.

pub mod cpu;
pub mod io;
pub mod latency;
pub mod mixed;
pub mod rng;
pub mod service;
mod task;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

pub use latency::Latency;
pub use task::{Tally, Work, run_steps_blocking};

use crate::SpecError;

/// One step of a task's plan.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Factorial of n with a big integer.
    Compute(u32),
    /// Simulated I/O: the runtime's timer (async) or a blocking sleep (threads, pools).
    Wait(Duration),
}

/// The steps one task performs, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskPlan {
    pub steps: Box<[Step]>,
}

impl TaskPlan {
    pub fn new(steps: Vec<Step>) -> Self {
        Self {
            steps: steps.into_boxed_slice(),
        }
    }
}

/// The workload families.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum WorkloadKind {
    Io,
    Cpu,
    Mixed,
}

impl WorkloadKind {
    pub const ALL: [WorkloadKind; 3] = [WorkloadKind::Io, WorkloadKind::Cpu, WorkloadKind::Mixed];

    pub fn name(self) -> &'static str {
        match self {
            WorkloadKind::Io => "io",
            WorkloadKind::Cpu => "cpu",
            WorkloadKind::Mixed => "mixed",
        }
    }
}

impl fmt::Display for WorkloadKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for WorkloadKind {
    type Err = SpecError;

    fn from_str(s: &str) -> Result<Self, SpecError> {
        Self::ALL
            .into_iter()
            .find(|w| w.name() == s)
            .ok_or_else(|| {
                SpecError::new(format!(
                    "unknown workload '{s}'; accepted: io, cpu, mixed, all"
                ))
            })
    }
}

/// Everything needed to build the plans of one workload.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkloadSpec {
    pub kind: WorkloadKind,
    pub tasks: usize,
    /// Waits per task for `io`.
    pub calls: u32,
    pub latency: Latency,
    /// n of the factorial for `cpu` and for each `mixed` step.
    pub compute: u32,
    /// Steps per task for `mixed`, cycled over tasks.
    pub steps: Vec<u32>,
    pub seed: u64,
}

impl WorkloadSpec {
    pub fn plans(&self) -> Vec<TaskPlan> {
        match self.kind {
            WorkloadKind::Io => io::plans(self.tasks, self.calls, self.latency, self.seed),
            WorkloadKind::Cpu => cpu::plans(self.tasks, self.compute),
            WorkloadKind::Mixed => mixed::plans(
                self.tasks,
                &self.steps,
                self.latency,
                self.compute,
                self.seed,
            ),
        }
    }
}

/// How much a run can overlap: tasks in flight at once, and threads computing at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacity {
    pub concurrency: usize,
    pub parallelism: usize,
}

/// What the plans predict: the checksum a correct run must produce and the cost of each
/// distinct compute size (measured once, outside any timed region).
#[derive(Debug, Clone)]
pub struct Expectation {
    pub checksum: u64,
    compute_seconds: BTreeMap<u32, f64>,
}

impl Expectation {
    /// Computes each distinct factorial once (for its digest) and times it (for the ideal).
    pub fn of(plans: &[TaskPlan]) -> Self {
        let mut digests = BTreeMap::new();
        let mut compute_seconds = BTreeMap::new();
        for step in plans.iter().flat_map(|p| p.steps.iter()) {
            if let Step::Compute(n) = *step {
                digests.entry(n).or_insert_with(|| {
                    compute_seconds.insert(n, cpu::calibrate(n, 3).as_secs_f64());
                    cpu::factorial_digest(n)
                });
            }
        }
        let checksum = plans.iter().enumerate().fold(0u64, |sum, (i, plan)| {
            let mut d = task::TaskDigest::new(i);
            for (k, step) in plan.steps.iter().enumerate() {
                d.absorb(k, task::step_digest(step, |n| digests[&n]));
            }
            sum.wrapping_add(d.finish())
        });
        Self {
            checksum,
            compute_seconds,
        }
    }

    /// The physical lower bound on wall time for these plans under `cap`:
    /// the longest task, total compute over the threads that can compute, and total
    /// task time over the tasks that can be in flight (`ceil(N/C) x T` when all tasks last T).
    pub fn ideal_seconds(&self, plans: &[TaskPlan], cap: Capacity) -> f64 {
        let cost = |s: &Step| match *s {
            Step::Wait(d) => (d.as_secs_f64(), 0.0),
            Step::Compute(n) => (0.0, self.compute_seconds[&n]),
        };
        let lengths: Vec<(f64, f64)> = plans
            .iter()
            .map(|p| {
                p.steps
                    .iter()
                    .map(cost)
                    .fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1))
            })
            .collect();
        let task_len = |&(w, c): &(f64, f64)| w + c;
        let longest = lengths.iter().map(task_len).fold(0.0, f64::max);
        let total: f64 = lengths.iter().map(task_len).sum();
        let compute: f64 = lengths.iter().map(|l| l.1).sum();
        let c = cap.concurrency.clamp(1, plans.len().max(1));
        let p = cap.parallelism.clamp(1, c);
        let uniform = lengths.iter().all(|l| task_len(l) == longest);
        let by_slots = if uniform {
            plans.len().div_ceil(c) as f64 * longest
        } else {
            total / c as f64
        };
        longest.max(compute / p as f64).max(by_slots)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(kind: WorkloadKind) -> WorkloadSpec {
        WorkloadSpec {
            kind,
            tasks: 20,
            calls: 1,
            latency: Latency::Fixed(Duration::from_millis(1000)),
            compute: 50,
            steps: mixed::DEFAULT_STEPS.to_vec(),
            seed: 1,
        }
    }

    #[test]
    fn ideal_under_a_limit_is_ceil_n_over_c_times_l() {
        // The notes' C04: 20 calls of 1 s under a limit of 5 take 4 s.
        let plans = spec(WorkloadKind::Io).plans();
        let e = Expectation::of(&plans);
        let cap = Capacity {
            concurrency: 5,
            parallelism: 2,
        };
        assert!((e.ideal_seconds(&plans, cap) - 4.0).abs() < 1e-9);
        let unbounded = Capacity {
            concurrency: usize::MAX,
            parallelism: 2,
        };
        assert!((e.ideal_seconds(&plans, unbounded) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn mixed_default_is_the_notes_example() {
        let mut s = spec(WorkloadKind::Mixed);
        s.tasks = 3;
        let waits: Vec<usize> = s
            .plans()
            .iter()
            .map(|p| {
                p.steps
                    .iter()
                    .filter(|st| matches!(st, Step::Wait(_)))
                    .count()
            })
            .collect();
        assert_eq!(waits, vec![10, 4, 6]);
    }

    #[test]
    fn plans_are_deterministic_and_seeded() {
        let mut s = spec(WorkloadKind::Io);
        s.latency = Latency::Uniform(Duration::from_millis(1), Duration::from_millis(9));
        assert_eq!(s.plans(), s.plans());
        let a = Expectation::of(&s.plans()).checksum;
        s.seed = 2;
        assert_ne!(a, Expectation::of(&s.plans()).checksum);
    }
}
