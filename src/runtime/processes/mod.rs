//! `processes`: worker processes, the "processes" side of threads vs async vs processes.
//! rtbench re-executes itself as a hidden `__worker`; jobs and results travel as JSON lines
//! over its stdin and stdout (the IPC a process pool pays). `pool:N` keeps N workers, each
//! taking the next task when it answers; `unbounded` starts one process per task and
//! `batches:N` N such processes at a time. Waits in a worker are blocking sleeps. Its spawn
//! probe starts processes (spawned, answered, reaped); the pool's round trip is its `job`.

mod worker;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

pub use worker::{Done, FAULT_ENV, Job, Reaped, WORKER_COMMAND, WorkerProc, serve, worker_exe};

use super::{
    ChildMemory, Instance, Outcome, Runtime, RuntimeError, Setup, Shape, SleepTimes, Spawned,
    empty_jobs,
};
use crate::limit::Limit;
use crate::measure::memory::{self, Snapshot};
use crate::measure::{Usage, monotonic_nanos, os_limits};
use crate::workload::{Step, Tally, Work};

/// The worker-processes runtime.
pub struct Processes;

impl Runtime for Processes {
    fn name(&self) -> &'static str {
        "processes"
    }

    fn model(&self) -> crate::runtime::Model {
        crate::runtime::Model::Processes
    }

    /// Its pool (`pool:N`) takes jobs.
    fn takes_jobs(&self) -> bool {
        true
    }

    fn refusal(&self, limit: Limit) -> Option<String> {
        matches!(limit, Limit::Semaphore(_)).then(|| {
            format!(
                "processes bound concurrency by how many run, so {limit} has no meaning there; \
                 use pool:N (N worker processes) or unbounded (one process per task)"
            )
        })
    }

    fn shape(&self, setup: &Setup) -> Shape {
        let concurrency = setup.limit.bound(setup.tasks);
        Shape {
            workers: concurrency,
            concurrency,
        }
    }

    fn note(&self, setup: &Setup) -> Option<String> {
        Some(match setup.limit {
            Limit::Pool(n) => format!("processes: a pool of {n} worker processes (pool:N)"),
            _ => "processes: one worker process per task (pool:N for a pool); --workers does not apply".into(),
        })
    }

    fn start(&self, setup: &Setup) -> Result<Box<dyn Instance>, RuntimeError> {
        let exe = worker_exe()?;
        match setup.limit {
            Limit::Pool(n) => Ok(Box::new(PoolInstance::start(&exe, n)?)),
            limit => Ok(Box::new(PerTaskInstance {
                exe,
                batch: limit.bound(setup.tasks).max(1),
            })),
        }
    }
}

fn spawn_refused(started: usize, source: std::io::Error) -> RuntimeError {
    RuntimeError::ProcessSpawn {
        started,
        source,
        limits: os_limits::describe_process_limits(),
    }
}

fn job(work: &Work, index: usize) -> Job {
    Job::of(index, work.plans()[index].steps.to_vec())
}

/// A process started for one job: spawned, sent the job, and told no other will come.
fn start_for(exe: &Path, job: &Job, started: usize) -> Result<WorkerProc, RuntimeError> {
    let mut proc = WorkerProc::spawn(exe).map_err(|e| spawn_refused(started, e))?;
    proc.send(job)?;
    proc.close_stdin();
    Ok(proc)
}

/// N long-lived workers; a thread in this process feeds each one task at a time.
struct PoolInstance {
    workers: Vec<PoolWorker>,
}

struct PoolWorker {
    proc: WorkerProc,
    /// The worker's own usage as of its last answer, so each run counts only its share.
    usage: Usage,
}

impl PoolInstance {
    fn start(exe: &std::path::Path, n: usize) -> Result<PoolInstance, RuntimeError> {
        let mut workers = Vec::with_capacity(n);
        for started in 0..n {
            let proc = WorkerProc::spawn(exe).map_err(|e| spawn_refused(started, e))?;
            workers.push(PoolWorker {
                proc,
                usage: Usage::default(),
            });
        }
        Ok(PoolInstance { workers })
    }
}

impl Instance for PoolInstance {
    fn run(&mut self, work: &Arc<Work>) -> Result<Outcome, RuntimeError> {
        let n = work.len();
        let next = AtomicUsize::new(0);
        let span = work.begin();
        let per_worker: Vec<Result<(Tally, Usage), RuntimeError>> = thread::scope(|scope| {
            let handles: Vec<_> = self
                .workers
                .iter_mut()
                .map(|w| {
                    let next = &next;
                    scope.spawn(move || {
                        let mut tally = Tally::default();
                        let before = w.usage;
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            if i >= n {
                                return Ok((tally, w.usage.since(before)));
                            }
                            let _in_flight = work.gauge().map(|g| g.enter());
                            w.proc.send(&job(work, i))?;
                            let done = w.proc.receive()?;
                            work.mark_finished(i);
                            if done.index != i {
                                return Err(RuntimeError::Worker(format!(
                                    "worker process {} answered task {} when asked for {i}",
                                    w.proc.pid(),
                                    done.index
                                )));
                            }
                            w.usage = done.usage;
                            tally.add(done.checksum);
                        }
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|p| {
                        Err(RuntimeError::TaskPanicked(super::panic_message(p)))
                    })
                })
                .collect()
        });
        let mut measured = span.stop();
        let mut tally = Tally::default();
        for r in per_worker {
            let (t, usage) = r?;
            tally = tally.merge(t);
            measured.usage = measured.usage.plus(usage);
        }
        let children = ChildMemory {
            processes: self.workers.len(),
            maxrss_sum_bytes: self
                .workers
                .iter()
                .map(|w| memory::peak_rss_of(w.proc.pid()).unwrap_or(0))
                .sum(),
        };
        Ok(Outcome {
            tally,
            measured,
            children: Some(children),
        })
    }

    /// The pool's round trip: empty jobs through the same feeding threads as a cell's.
    fn submit_jobs(&mut self, jobs: usize) -> Result<Spawned, RuntimeError> {
        empty_jobs(self, jobs)
    }
}

impl Drop for PoolInstance {
    fn drop(&mut self) {
        for w in &mut self.workers {
            let _ = w.proc.close_and_reap();
        }
    }
}

/// One process per task, `batch` at a time (all at once for `unbounded`). Each gets its job
/// and an immediate EOF, answers, exits, and is reaped (wait4: its CPU, switches, peak RSS).
struct PerTaskInstance {
    exe: PathBuf,
    batch: usize,
}

impl Instance for PerTaskInstance {
    fn run(&mut self, work: &Arc<Work>) -> Result<Outcome, RuntimeError> {
        let n = work.len();
        let span = work.begin();
        let mut tally = Tally::default();
        let mut workers_usage = Usage::default();
        let mut maxrss_sum_bytes = 0;
        let mut processes = 0;
        for start in (0..n).step_by(self.batch) {
            let mut running = Vec::with_capacity(self.batch);
            for i in start..(start + self.batch).min(n) {
                let guard = work.gauge().map(|g| g.enter());
                let proc = start_for(&self.exe, &job(work, i), running.len())?;
                running.push((i, proc, guard));
            }
            for (i, mut proc, guard) in running {
                let done = proc.receive()?;
                work.mark_finished(i);
                drop(guard);
                tally.add(done.checksum);
                let r = proc.close_and_reap()?;
                workers_usage = workers_usage.plus(r.usage);
                maxrss_sum_bytes += r.max_rss_bytes;
                processes += 1;
            }
        }
        let mut measured = span.stop();
        measured.usage = measured.usage.plus(workers_usage);
        let children = ChildMemory {
            processes,
            maxrss_sum_bytes,
        };
        Ok(Outcome {
            tally,
            measured,
            children: Some(children),
        })
    }

    /// `units` processes, each spawned and sent an empty job, then each answer read and the
    /// process reaped (wait4).
    fn start_units(&mut self, units: usize) -> Result<Spawned, RuntimeError> {
        let empty = Job::of(0, Vec::new());
        let begin = Instant::now();
        let mut running = Vec::with_capacity(units);
        for started in 0..units {
            running.push(start_for(&self.exe, &empty, started)?);
        }
        let mut pids = Vec::with_capacity(units);
        for mut proc in running {
            proc.receive()?;
            proc.close_and_reap()?;
            pids.push(proc.pid());
        }
        Ok(Spawned::of_ids(begin.elapsed(), pids))
    }

    /// One process sleeping: stamped before its spawn, inside it around the sleep (its
    /// answer carries those stamps), and once it is reaped.
    fn sleep_in_unit(&mut self, d: Duration) -> Result<SleepTimes, RuntimeError> {
        let job = Job {
            stamp: true,
            ..Job::of(0, vec![Step::Wait(d)])
        };
        let asked = monotonic_nanos();
        let mut proc = start_for(&self.exe, &job, 0)?;
        let done = proc.receive()?;
        proc.close_and_reap()?;
        let joined = monotonic_nanos();
        let [began, woke] = done.slept.ok_or_else(|| {
            RuntimeError::Worker(format!(
                "worker process {} answered a stamped job without its stamps",
                proc.pid()
            ))
        })?;
        Ok(SleepTimes::from_nanos(asked, began, woke, joined))
    }

    /// Memory pass: `units` idle workers, each started and answered one empty job, so it
    /// is fully loaded and waiting on its stdin; the after-snapshot adds up their RSS and PSS.
    fn park(
        &mut self,
        units: usize,
        probe: fn() -> Snapshot,
    ) -> Result<(Snapshot, Snapshot), RuntimeError> {
        let before = probe();
        let mut parked = Vec::with_capacity(units);
        for started in 0..units {
            let mut proc = WorkerProc::spawn(&self.exe).map_err(|e| spawn_refused(started, e))?;
            proc.send(&Job::of(0, Vec::new()))?;
            proc.receive()?;
            parked.push(proc);
        }
        let mut after = probe();
        for p in &parked {
            let (rss, pss) = p.memory().unwrap_or((0, 0));
            after.children_rss_bytes += rss;
            after.children_pss_bytes += pss;
            after.children_virtual_bytes += memory::virtual_bytes_of(p.pid()).unwrap_or(0);
        }
        // Killed and reaped before the cell answers, so their teardown is over before the
        // next size or repeat reads the system's kernel memory.
        drop(parked);
        Ok((before, after))
    }
}
