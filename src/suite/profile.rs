//! Sweep profiles: the matrices `rtbench run --profile quick|full` walks. Each group is one
//! run configuration (workload x runtimes x one parameter set); cells whose ideal time
//! exceeds the profile's budget (e.g. 10,000 sequential waits) are skipped and listed.

use std::time::Duration;

use super::RunConfig;
use crate::limit::Limit;
use crate::measure::available_cores;
use crate::workload::{Latency, WorkloadKind, mixed};

/// A sweep matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Profile {
    /// About 11 minutes on 2 cores (9m06s of cells, 1m52s of serve sweep): the shapes of every comparison.
    Quick,
    /// About 30 minutes on 2 cores (19 min of cells, probes and memory pass, 11 min of serve
    /// sweep: three sweeps of each model on both backends): more sizes (to 100k tasks),
    /// latency spreads and mixed sizes.
    Full,
}

impl Profile {
    /// As results record it.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Quick => "quick",
            Profile::Full => "full",
        }
    }

    /// A cell whose ideal wall time exceeds this is skipped (it would only show slowness
    /// already visible at a smaller size).
    pub fn max_ideal_seconds(self) -> f64 {
        match self {
            Profile::Quick => 1.2,
            Profile::Full => 2.5,
        }
    }

    /// The groups of the sweep. `base` carries the runtimes and workloads chosen on the
    /// command line, warm-up, repetitions and seed; the profile sets the rest.
    pub fn groups(self, base: &RunConfig) -> Vec<RunConfig> {
        let cores = available_cores();
        let ms = Duration::from_millis;
        let full = self == Profile::Full;
        let mut groups = Vec::new();
        let mut add = |kind: WorkloadKind,
                       tasks: usize,
                       limit: Limit,
                       workers: usize,
                       f: &dyn Fn(&mut RunConfig)| {
            if !base.workloads.contains(&kind) {
                return;
            }
            let mut g = base.clone();
            g.workloads = vec![kind];
            g.spec.tasks = tasks;
            g.limit = limit;
            g.workers = workers;
            f(&mut g);
            groups.push(g);
        };
        let fixed10 = |g: &mut RunConfig| g.spec.latency = Latency::Fixed(ms(10));
        // io: how each model scales with the number of concurrent waits. A process per
        // task costs ~0.7 ms to start: 10,000 of them take ~10 s a run, which only the full
        // profile affords.
        let io_sizes: &[usize] = if full {
            &[100, 1_000, 10_000, 100_000]
        } else {
            &[100, 1_000, 10_000]
        };
        // net: the same waits as calls to the latency server over TCP, a connection per
        // task, to 10,000 (each connection holds a descriptor at both ends: 100,000 would
        // only meet `ulimit -n`); the full profile fills in 300 and 3,000.
        let net_sizes: &[usize] = if full {
            &[100, 300, 1_000, 3_000, 10_000]
        } else {
            &[100, 1_000, 10_000]
        };
        let io_processes_up_to = if full { usize::MAX } else { 1_000 };
        for (kind, sizes, processes_up_to) in [
            (WorkloadKind::Io, io_sizes, io_processes_up_to),
            (WorkloadKind::Net, net_sizes, 1_000),
        ] {
            for &n in sizes {
                add(kind, n, Limit::Unbounded, cores, &|g: &mut RunConfig| {
                    fixed10(g);
                    if n > processes_up_to {
                        g.runtimes.retain(|r| r.name() != "processes");
                    }
                });
                add(kind, n, Limit::Pool(100), cores, &fixed10);
            }
        }
        // net replies of 1 KiB and 64 KiB: copying as well as waiting.
        if full {
            for payload in [1_024, 65_536] {
                add(
                    WorkloadKind::Net,
                    1_000,
                    Limit::Unbounded,
                    cores,
                    &|g: &mut RunConfig| {
                        fixed10(g);
                        g.spec.payload = payload;
                    },
                );
            }
        }
        // io under a limit of 10: semaphore vs batches vs pool, with varied latency. Every
        // wait is 10 ms or more: shorter ones measure the timer (tokio rounds up to whole
        // milliseconds) more than the scheduler.
        let uniform = Latency::Uniform(ms(10), ms(30));
        let spreads: Vec<Latency> = if full {
            vec![Latency::Fixed(ms(10)), uniform, Latency::LongTail(ms(20))]
        } else {
            vec![uniform]
        };
        for latency in spreads {
            for limit in [Limit::Semaphore(10), Limit::Batches(10), Limit::Pool(10)] {
                add(WorkloadKind::Io, 100, limit, cores, &|g: &mut RunConfig| {
                    g.spec.latency = latency
                });
            }
        }
        // cpu: speed-up with the number of workers.
        let compute = if full { 10_000 } else { 5_000 };
        for workers in 1..=cores {
            add(
                WorkloadKind::Cpu,
                16,
                Limit::Unbounded,
                workers,
                &|g: &mut RunConfig| g.spec.compute = compute,
            );
        }
        // mixed: the notes' example (3 tasks of 10, 4, 6 steps), then many such tasks.
        let mixed_sizes: &[usize] = if full { &[3, 30, 300] } else { &[3, 30] };
        for &n in mixed_sizes {
            add(
                WorkloadKind::Mixed,
                n,
                Limit::Unbounded,
                cores,
                &|g: &mut RunConfig| {
                    g.spec.latency = Latency::Fixed(ms(10));
                    g.spec.steps = mixed::DEFAULT_STEPS.to_vec();
                    g.spec.compute = 1_000;
                },
            );
        }
        groups
    }
}

impl Profile {
    /// The serve sweep of this profile over `models`, 1 s windows (about 15 s a sweep):
    /// quick, one sweep of each model on the timer backend; full, three on the timer and the
    /// latency server over TCP, read together (on this 2-core VM one sweep's knee moved 2-3x
    /// from one sweep to the next: tokio 7,611, 12,800 and 2,468/s in one run). Three sweeps
    /// of 1 s windows were chosen over one of 2 s: the spread comes from the machine's
    /// spells, seconds long, which a longer window does not average away. 512 connections: room for 46,000 requests/s of the 11 ms handler in flight
    /// (Little's law). With 128, tokio's knee (7,000/s at 0.6-0.9 of a core) was the
    /// connections': latency grown to 17 ms at 12,800/s offered capped 128 connections at
    /// 7,200/s while a core stood idle. The blocking pool and pre-forked processes get as
    /// many workers, so no keep-alive connection waits unserved.
    pub fn serve_sweep(
        self,
        models: Vec<&'static dyn crate::runtime::Runtime>,
        async_workers: usize,
    ) -> super::serve_sweep::ServeSweep {
        use super::serve::BackendKind;
        let full = self == Profile::Full;
        super::serve_sweep::ServeSweep {
            models,
            backends: if full {
                vec![BackendKind::Timer, BackendKind::Socket]
            } else {
                vec![BackendKind::Timer]
            },
            handler: crate::http::TaskQuery::default(),
            connections: 512,
            async_workers,
            duration: Duration::from_secs(1),
            warmup: Duration::from_millis(300),
            slo: Duration::from_millis(50),
            repetitions: if full { 3 } else { 1 },
            search: crate::load::AutoSearch {
                start: 100.0,
                factor: 2.0,
                within: if full { 1.1 } else { 1.15 },
                refine_steps: if full { 4 } else { 3 },
                lower_steps: 3,
                max: 100_000.0,
            },
        }
    }
}
