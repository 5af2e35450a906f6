//! I/O work: each task makes `calls` simulated calls, each a wait drawn from the latency
//! distribution (the runtime's own timer on async runtimes, a blocking sleep elsewhere).

use super::ideal::{Capacity, TaskCosts};
use super::rng::SplitMix64;
use super::{Step, TaskPlan, Workload, WorkloadKind, WorkloadSpec};

/// The `io` workload: waits only.
#[derive(Debug, Clone, Copy)]
pub struct Io;

impl Workload for Io {
    fn kind(&self) -> WorkloadKind {
        WorkloadKind::Io
    }

    fn name(&self) -> &'static str {
        "io"
    }

    fn description(&self) -> &'static str {
        "each task makes --calls simulated calls, each a wait drawn from --latency"
    }

    fn plans(&self, spec: &WorkloadSpec) -> Vec<TaskPlan> {
        (0..spec.tasks)
            .map(|i| {
                let mut rng =
                    SplitMix64::new(spec.seed ^ (i as u64).wrapping_mul(0xA24B_AED4_963E_E407));
                TaskPlan::new(
                    (0..spec.calls)
                        .map(|_| Step::Wait(spec.latency.draw(&mut rng)))
                        .collect(),
                )
            })
            .collect()
    }

    /// Waits hold no thread, so only the tasks in flight bound them: the longest task, and
    /// `ceil(N/C) x T` (or total / C when tasks differ).
    fn ideal_seconds(&self, costs: &TaskCosts, cap: Capacity) -> f64 {
        costs.longest().max(costs.slots_bound(cap))
    }
}
