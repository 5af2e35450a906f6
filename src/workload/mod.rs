//! The shared workload model: what a task does, independent of how it is scheduled.
//!
//! A task is a plan of steps, `Compute(n)` (factorial of n) and `Wait(d)` (simulated I/O).
//! Plans are deterministic from a seed, so every runtime does exactly the same work; each
//! task folds its steps into a checksum, and the run's checksum (an order-independent sum)
//! must equal the one the plans predict, or the cell fails.
//!
//! Each workload (`io`, `cpu`, `mixed`, `net`) is one file implementing [`Workload`] and one line
//! in [`WORKLOADS`]. Runtimes perform a plan's waits through their family's steps
//! ([`AsyncSteps`] or [`BlockingSteps`]), and a `net` task's calls through the same
//! family's sockets; compute is shared.

pub mod cpu;
mod ideal;
pub mod io;
mod kind;
pub mod latency;
pub mod mixed;
pub mod net;
pub mod rng;
pub mod service;
mod steps;
mod task;

use std::time::Duration;

pub use ideal::{COMPUTE_COST_ROUNDS, Capacity, Expectation, TaskCosts, compute_costs};
pub use kind::{WORKLOADS, Workload, WorkloadKind, find, names};
pub use latency::Latency;
pub use net::{FailureKind, NetTarget, TaskFailure};
pub use steps::{AsyncSteps, BlockingSteps, StdSteps, std_connect, std_exchange};
pub use task::{Tally, Work, run_steps_blocking};

/// One step of a task's plan.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Factorial of n with a big integer.
    Compute(u32),
    /// Simulated I/O: the runtime's timer (async) or a blocking sleep (threads, pools).
    Wait(Duration),
    /// Real I/O: a request to the latency server over the task's TCP connection, answered
    /// after this delay (the runtime's sockets, or blocking std::net).
    Call(Duration),
}

impl Step {
    /// How long the step waits (a wait's or a call's delay), if it waits.
    pub fn waits(&self) -> Option<Duration> {
        match *self {
            Step::Wait(d) | Step::Call(d) => Some(d),
            Step::Compute(_) => None,
        }
    }
}

/// The steps one task performs, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskPlan {
    /// The steps, in order.
    pub steps: Box<[Step]>,
}

impl TaskPlan {
    /// A plan of these steps.
    pub fn new(steps: Vec<Step>) -> Self {
        Self {
            steps: steps.into_boxed_slice(),
        }
    }
}

/// Everything needed to build the plans of one workload.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkloadSpec {
    /// Which workload builds the plans.
    pub kind: WorkloadKind,
    /// Tasks per run.
    pub tasks: usize,
    /// Waits (`io`) or calls (`net`) per task.
    pub calls: u32,
    /// The distribution each wait is drawn from.
    pub latency: Latency,
    /// n of the factorial for `cpu` and for each `mixed` step.
    pub compute: u32,
    /// Steps per task for `mixed`, cycled over tasks.
    pub steps: Vec<u32>,
    /// The seed every random draw of the plans comes from.
    pub seed: u64,
    /// Bytes of each reply of the latency server, for `net`.
    pub payload: usize,
}

impl WorkloadSpec {
    /// `tasks` tasks of one wait each, seed 42.
    pub fn io(tasks: usize, latency: Latency) -> WorkloadSpec {
        WorkloadSpec {
            kind: WorkloadKind::Io,
            tasks,
            calls: 1,
            latency,
            compute: 1,
            steps: vec![1],
            seed: 42,
            payload: crate::netserver::DEFAULT_PAYLOAD,
        }
    }

    /// `tasks` tasks of one call each to the latency server, seed 42.
    pub fn net(tasks: usize, latency: Latency) -> WorkloadSpec {
        WorkloadSpec {
            kind: WorkloadKind::Net,
            ..WorkloadSpec::io(tasks, latency)
        }
    }

    /// `tasks` factorials of `compute`, seed 42.
    pub fn cpu(tasks: usize, compute: u32) -> WorkloadSpec {
        WorkloadSpec {
            kind: WorkloadKind::Cpu,
            compute,
            ..WorkloadSpec::io(tasks, Latency::Fixed(Duration::ZERO))
        }
    }

    /// `tasks` tasks of `steps[i % steps.len()]` steps, each step a wait then a factorial
    /// of `compute`, seed 42.
    pub fn mixed(tasks: usize, steps: &[u32], latency: Latency, compute: u32) -> WorkloadSpec {
        WorkloadSpec {
            kind: WorkloadKind::Mixed,
            compute,
            steps: steps.to_vec(),
            ..WorkloadSpec::io(tasks, latency)
        }
    }

    /// The plans of this spec, built by its workload.
    pub fn plans(&self) -> Vec<TaskPlan> {
        self.kind.workload().plans(self)
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
            payload: crate::netserver::DEFAULT_PAYLOAD,
        }
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
        let a = Expectation::of(s.kind, &s.plans()).checksum;
        s.seed = 2;
        assert_ne!(a, Expectation::of(s.kind, &s.plans()).checksum);
    }
}
