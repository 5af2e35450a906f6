//! I/O work: each task makes `calls` simulated calls, each a wait drawn from the latency
//! distribution (the runtime's own timer on async runtimes, a blocking sleep elsewhere).

use super::latency::Latency;
use super::rng::SplitMix64;
use super::{Step, TaskPlan};

pub fn plans(tasks: usize, calls: u32, latency: Latency, seed: u64) -> Vec<TaskPlan> {
    (0..tasks)
        .map(|i| {
            let mut rng = SplitMix64::new(seed ^ (i as u64).wrapping_mul(0xA24B_AED4_963E_E407));
            TaskPlan::new(
                (0..calls)
                    .map(|_| Step::Wait(latency.draw(&mut rng)))
                    .collect(),
            )
        })
        .collect()
}
