//! Mixed work, after the notes' factorial example: each step awaits a simulated call and
//! then computes. Task i takes `steps[i % steps.len()]` steps, so the default `10,4,6`
//! with three tasks is exactly the notes' example.

use super::latency::Latency;
use super::rng::SplitMix64;
use super::{Step, TaskPlan};

/// The notes' example: three factorial tasks of 10, 4 and 6 steps.
pub const DEFAULT_STEPS: [u32; 3] = [10, 4, 6];

pub fn plans(
    tasks: usize,
    steps: &[u32],
    latency: Latency,
    compute: u32,
    seed: u64,
) -> Vec<TaskPlan> {
    (0..tasks)
        .map(|i| {
            let mut rng = SplitMix64::new(seed ^ (i as u64).wrapping_mul(0x9FB2_1C65_1E98_DF25));
            let n = steps[i % steps.len()];
            let plan = (0..n)
                .flat_map(|_| [Step::Wait(latency.draw(&mut rng)), Step::Compute(compute)])
                .collect();
            TaskPlan::new(plan)
        })
        .collect()
}
