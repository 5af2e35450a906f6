//! CPU work: factorial of n with a big integer. Its digits feed the checksum, so the
//! optimiser cannot drop the work and every runtime must compute exactly the same numbers.

use std::time::{Duration, Instant};

use num_bigint::BigUint;
use num_traits::One;

use super::ideal::{Capacity, TaskCosts};
use super::rng::mix64;
use super::{Step, TaskPlan, Workload, WorkloadKind, WorkloadSpec};

/// The `cpu` workload: one factorial per task.
#[derive(Debug, Clone, Copy)]
pub struct Cpu;

impl Workload for Cpu {
    fn kind(&self) -> WorkloadKind {
        WorkloadKind::Cpu
    }

    fn name(&self) -> &'static str {
        "cpu"
    }

    fn description(&self) -> &'static str {
        "each task computes the factorial of --compute with a big integer"
    }

    fn plans(&self, spec: &WorkloadSpec) -> Vec<TaskPlan> {
        (0..spec.tasks)
            .map(|_| TaskPlan::new(vec![Step::Compute(spec.compute)]))
            .collect()
    }

    /// Total compute over the threads that can compute; a task cannot be split, so also
    /// the longest task and `ceil(N/C) x T` over the tasks in flight.
    fn ideal_seconds(&self, costs: &TaskCosts, cap: Capacity) -> f64 {
        costs
            .compute_bound(cap)
            .max(costs.longest())
            .max(costs.slots_bound(cap))
    }
}

/// n! folded to 64 bits. Cost grows roughly with n^2 (n multiplications of a growing number).
pub fn factorial_digest(n: u32) -> u64 {
    let mut f = BigUint::one();
    for i in 2..=n {
        f *= i;
    }
    f.iter_u64_digits()
        .fold(mix64(u64::from(n)), |h, d| mix64(h ^ d))
}

/// Median wall time of `factorial_digest(n)` on this thread, over `rounds` runs (at least 1).
/// Used only to state a workload's ideal time, never inside a timed region.
pub fn calibrate(n: u32, rounds: usize) -> Duration {
    let mut times = timed(n, rounds);
    times.sort();
    times[times.len() / 2]
}

/// The fastest of `rounds` runs (at least 1) of `factorial_digest(n)` on this thread.
pub fn fastest(n: u32, rounds: usize) -> Duration {
    timed(n, rounds).into_iter().min().unwrap_or_default()
}

fn timed(n: u32, rounds: usize) -> Vec<Duration> {
    (0..rounds.max(1))
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(factorial_digest(std::hint::black_box(n)));
            t.elapsed()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_depends_on_n_and_is_stable() {
        assert_eq!(factorial_digest(100), factorial_digest(100));
        assert_ne!(factorial_digest(100), factorial_digest(101));
        // 20! = 2432902008176640000 fits one digit; check it against the known value.
        assert_eq!(
            factorial_digest(20),
            mix64(mix64(20) ^ 2_432_902_008_176_640_000)
        );
    }
}
