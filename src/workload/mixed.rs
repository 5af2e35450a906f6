//! Mixed work, after the notes' factorial example: each step awaits a simulated call and
//! then computes. Task i takes `steps[i % steps.len()]` steps, so the default `10,4,6`
//! with three tasks is exactly the notes' example.

use super::cpu::Cpu;
use super::ideal::{Capacity, TaskCosts};
use super::io::Io;
use super::rng::SplitMix64;
use super::{Step, TaskPlan, Workload, WorkloadKind, WorkloadSpec};

/// The notes' example: three factorial tasks of 10, 4 and 6 steps.
pub const DEFAULT_STEPS: [u32; 3] = [10, 4, 6];

/// The `mixed` workload: waits and factorials in turn.
#[derive(Debug, Clone, Copy)]
pub struct Mixed;

impl Workload for Mixed {
    fn kind(&self) -> WorkloadKind {
        WorkloadKind::Mixed
    }

    fn name(&self) -> &'static str {
        "mixed"
    }

    fn description(&self) -> &'static str {
        "each task takes --steps steps, each a wait drawn from --latency then a factorial"
    }

    fn plans(&self, spec: &WorkloadSpec) -> Vec<TaskPlan> {
        (0..spec.tasks)
            .map(|i| {
                let mut rng =
                    SplitMix64::new(spec.seed ^ (i as u64).wrapping_mul(0x9FB2_1C65_1E98_DF25));
                let n = spec.steps[i % spec.steps.len()];
                let plan = (0..n)
                    .flat_map(|_| {
                        [
                            Step::Wait(spec.latency.draw(&mut rng)),
                            Step::Compute(spec.compute),
                        ]
                    })
                    .collect();
                TaskPlan::new(plan)
            })
            .collect()
    }

    /// Waits overlap as in `io` and computes share threads as in `cpu`: the larger bound.
    fn ideal_seconds(&self, costs: &TaskCosts, cap: Capacity) -> f64 {
        Io.ideal_seconds(costs, cap)
            .max(Cpu.ideal_seconds(costs, cap))
    }
}
