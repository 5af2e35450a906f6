//! What a run of some plans must produce (its checksum) and how fast it could possibly
//! finish: each workload states its own bound from the shared helpers of [`TaskCosts`].

use std::collections::BTreeMap;

use super::{Step, TaskPlan, WorkloadKind, cpu, task};

/// How much a run can overlap: tasks in flight at once, and threads computing at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacity {
    /// Tasks in flight at once.
    pub concurrency: usize,
    /// Threads that can compute at once.
    pub parallelism: usize,
}

/// Each task's planned cost in seconds, the input of a workload's ideal time.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskCosts {
    /// Per task: (seconds waiting, seconds computing).
    tasks: Vec<(f64, f64)>,
}

impl TaskCosts {
    /// The costs of `plans`, given the seconds one factorial of each size takes.
    pub fn of(plans: &[TaskPlan], compute_seconds: impl Fn(u32) -> f64) -> Self {
        let cost = |s: &Step| match *s {
            Step::Wait(d) | Step::Call(d) => (d.as_secs_f64(), 0.0),
            Step::Compute(n) => (0.0, compute_seconds(n)),
        };
        let tasks = plans
            .iter()
            .map(|p| {
                p.steps
                    .iter()
                    .map(cost)
                    .fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1))
            })
            .collect();
        Self { tasks }
    }

    /// Total seconds of waiting and of computing over every task.
    pub fn totals(&self) -> (f64, f64) {
        self.tasks
            .iter()
            .fold((0.0, 0.0), |a, t| (a.0 + t.0, a.1 + t.1))
    }

    fn task_len(&(wait, compute): &(f64, f64)) -> f64 {
        wait + compute
    }

    /// Tasks in flight and threads computing, each at least 1, and never more threads than
    /// tasks in flight nor more tasks in flight than tasks.
    fn lanes(&self, cap: Capacity) -> (usize, usize) {
        let c = cap.concurrency.clamp(1, self.tasks.len().max(1));
        (c, cap.parallelism.clamp(1, c))
    }

    /// The end of the last task when the tasks are admitted in plan order to `c` slots,
    /// each starting as soon as a slot frees (a semaphore or a pool taking them in order):
    /// the greedy schedule of that order, what a limit of `c` can at best do with it.
    pub fn greedy_makespan(&self, c: usize) -> f64 {
        let mut free = vec![0.0_f64; c.max(1)];
        let mut end = 0.0_f64;
        for t in &self.tasks {
            let slot = (0..free.len())
                .min_by(|&a, &b| free[a].total_cmp(&free[b]))
                .unwrap_or(0);
            free[slot] += Self::task_len(t);
            end = end.max(free[slot]);
        }
        end
    }

    /// The same order in batches of `c`, each waiting for its slowest task.
    pub fn batches_makespan(&self, c: usize) -> f64 {
        self.tasks
            .chunks(c.max(1))
            .map(|b| b.iter().map(Self::task_len).fold(0.0, f64::max))
            .sum()
    }

    /// The longest task: no schedule ends before it does.
    pub fn longest(&self) -> f64 {
        self.tasks.iter().map(Self::task_len).fold(0.0, f64::max)
    }

    /// Total compute over the threads that can compute at once.
    pub fn compute_bound(&self, cap: Capacity) -> f64 {
        let compute: f64 = self.tasks.iter().map(|t| t.1).sum();
        compute / self.lanes(cap).1 as f64
    }

    /// Total task time over the tasks that can be in flight at once: `ceil(N/C) x T` when
    /// every task lasts T, else total / C.
    pub fn slots_bound(&self, cap: Capacity) -> f64 {
        let c = self.lanes(cap).0;
        let longest = self.longest();
        if self.tasks.iter().all(|t| Self::task_len(t) == longest) {
            self.tasks.len().div_ceil(c) as f64 * longest
        } else {
            self.tasks.iter().map(Self::task_len).sum::<f64>() / c as f64
        }
    }
}

/// What the plans predict: the checksum a correct run must produce and the cost of each
/// distinct compute size (measured once, outside any timed region).
#[derive(Debug, Clone)]
pub struct Expectation {
    /// The order-independent sum of every task's checksum.
    pub checksum: u64,
    kind: WorkloadKind,
    compute_seconds: BTreeMap<u32, f64>,
}

impl Expectation {
    /// Computes each distinct factorial once (for its digest) and times it (for the ideal);
    /// `kind` is the workload whose bound [`Expectation::ideal_seconds`] states.
    pub fn of(kind: WorkloadKind, plans: &[TaskPlan]) -> Self {
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
                d.absorb(k, task::planned_digest(i, k, step, |n| digests[&n]));
            }
            sum.wrapping_add(d.finish())
        });
        Self {
            checksum,
            kind,
            compute_seconds,
        }
    }

    /// The costs of these plans, with the measured compute seconds.
    pub fn costs(&self, plans: &[TaskPlan]) -> TaskCosts {
        TaskCosts::of(plans, |n| self.compute_seconds[&n])
    }

    /// The same expectation with every factorial's cost scaled so that the plans' compute,
    /// done one task after another, takes `sequential_seconds` (minus their waits): the
    /// cost as the group's own sequential cell measured it, interleaved with the others,
    /// instead of a one-off calibration before the run.
    pub fn measured_by(&self, plans: &[TaskPlan], sequential_seconds: f64) -> Expectation {
        let costs = self.costs(plans);
        let (waits, compute) = costs.totals();
        let factor = if compute > 0.0 {
            (sequential_seconds - waits).max(0.0) / compute
        } else {
            1.0
        };
        self.recosted(|_, s| s * factor)
    }

    /// The same expectation with the compute costs measured by [`compute_costs`] (sizes it
    /// lacks keep their cost from the parent's calibration).
    pub fn with_costs(&self, costs: &BTreeMap<u32, f64>) -> Expectation {
        self.recosted(|n, s| costs.get(&n).copied().unwrap_or(s))
    }

    /// The same expectation with each size's cost `cost(n, calibrated seconds)`.
    fn recosted(&self, cost: impl Fn(u32, f64) -> f64) -> Expectation {
        Expectation {
            checksum: self.checksum,
            kind: self.kind,
            compute_seconds: self
                .compute_seconds
                .iter()
                .map(|(&n, &s)| (n, cost(n, s)))
                .collect(),
        }
    }

    /// The physical lower bound on wall time for these plans under `cap`, as the workload
    /// states it (see each workload's `ideal_seconds`).
    pub fn ideal_seconds(&self, plans: &[TaskPlan], cap: Capacity) -> f64 {
        self.kind.workload().ideal_seconds(&self.costs(plans), cap)
    }
}

/// Runs of each factorial size [`compute_costs`] times (after one untimed run).
pub const COMPUTE_COST_ROUNDS: usize = 5;

/// Each distinct factorial size of `plans`, timed on this thread now: the fastest of
/// [`COMPUTE_COST_ROUNDS`] runs after one untimed run. Taken in a cell's own process just
/// before each repetition, so the ideal it gives sees the CPU at the speed the repetition
/// sees it (a shared host's CPU speed drifts by tens of percent within a minute), and as
/// the fastest run it stays a lower bound. Empty when the plans compute nothing.
pub fn compute_costs(plans: &[TaskPlan]) -> BTreeMap<u32, f64> {
    let mut costs = BTreeMap::new();
    for step in plans.iter().flat_map(|p| p.steps.iter()) {
        if let Step::Compute(n) = *step {
            costs.entry(n).or_insert_with(|| {
                std::hint::black_box(cpu::factorial_digest(std::hint::black_box(n)));
                cpu::fastest(n, COMPUTE_COST_ROUNDS).as_secs_f64()
            });
        }
    }
    costs
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn greedy_and_batch_makespans_of_an_order() {
        let costs = TaskCosts {
            tasks: [3.0, 1.0, 1.0, 1.0].iter().map(|&w| (w, 0.0)).collect(),
        };
        // Two slots: 3 on one; 1, 1, 1 on the other.
        assert_eq!(costs.greedy_makespan(2), 3.0);
        // Batches of two: max(3, 1) + max(1, 1).
        assert_eq!(costs.batches_makespan(2), 4.0);
        assert_eq!(costs.greedy_makespan(1), 6.0);
    }
    use crate::workload::{Latency, WorkloadSpec, mixed};

    fn spec(kind: WorkloadKind, latency: Latency) -> WorkloadSpec {
        WorkloadSpec {
            kind,
            tasks: 20,
            calls: 1,
            latency,
            compute: 50,
            steps: mixed::DEFAULT_STEPS.to_vec(),
            seed: 1,
            payload: 16,
        }
    }

    fn cap(concurrency: usize, parallelism: usize) -> Capacity {
        Capacity {
            concurrency,
            parallelism,
        }
    }

    /// The generic formula every workload shared before each stated its own bound.
    fn generic_ideal(e: &Expectation, plans: &[TaskPlan], cap: Capacity) -> f64 {
        let cost = |s: &Step| match *s {
            Step::Wait(d) | Step::Call(d) => (d.as_secs_f64(), 0.0),
            Step::Compute(n) => (0.0, e.compute_seconds[&n]),
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

    #[test]
    fn a_sequential_time_rescales_the_compute_but_not_the_waits() {
        let plans = WorkloadSpec::cpu(16, 50).plans();
        let e = Expectation::of(WorkloadKind::Cpu, &plans).measured_by(&plans, 0.016);
        let one = cap(1, 1);
        assert!((e.ideal_seconds(&plans, one) - 0.016).abs() < 1e-12);
        assert!((e.ideal_seconds(&plans, cap(16, 2)) - 0.008).abs() < 1e-12);
        let io = WorkloadSpec::io(4, Latency::Fixed(Duration::from_millis(10))).plans();
        let e = Expectation::of(WorkloadKind::Io, &io).measured_by(&io, 0.05);
        assert!(
            (e.ideal_seconds(&io, cap(4, 2)) - 0.01).abs() < 1e-12,
            "waits stay"
        );
    }

    #[test]
    fn each_workload_bound_equals_the_generic_formula() {
        let fixed = Latency::Fixed(Duration::from_millis(10));
        let uniform = Latency::Uniform(Duration::from_millis(1), Duration::from_millis(9));
        let caps = [
            cap(1, 1),
            cap(3, 2),
            cap(5, 2),
            cap(7, 7),
            cap(20, 1),
            cap(usize::MAX, 2),
        ];
        for kind in WorkloadKind::all() {
            for latency in [fixed, uniform] {
                for (tasks, calls) in [(0, 1), (1, 1), (7, 3), (20, 1)] {
                    let s = WorkloadSpec {
                        tasks,
                        calls,
                        ..spec(kind, latency)
                    };
                    let plans = s.plans();
                    let e = Expectation::of(kind, &plans);
                    for cap in caps {
                        assert_eq!(
                            e.ideal_seconds(&plans, cap),
                            generic_ideal(&e, &plans, cap),
                            "{kind} {latency:?} tasks {tasks} calls {calls} {cap:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn ideal_under_a_limit_is_ceil_n_over_c_times_l() {
        // The notes' C04: 20 calls of 1 s under a limit of 5 take 4 s.
        let plans = spec(WorkloadKind::Io, Latency::Fixed(Duration::from_secs(1))).plans();
        let e = Expectation::of(WorkloadKind::Io, &plans);
        assert!((e.ideal_seconds(&plans, cap(5, 2)) - 4.0).abs() < 1e-9);
        assert!((e.ideal_seconds(&plans, cap(usize::MAX, 2)) - 1.0).abs() < 1e-9);
    }
}
