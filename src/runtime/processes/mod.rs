//! `processes`: worker processes, the "processes" side of threads vs async vs processes.
//! rtbench re-executes itself as a hidden `__worker`; jobs and results travel as JSON lines
//! over its stdin and stdout (the IPC a process pool pays). `pool:N` keeps N workers, each
//! taking the next task when it answers; `unbounded` starts one process per task and
//! `batches:N` N such processes at a time. Waits in a worker are blocking sleeps. Its spawn
//! probe starts processes (spawned, answered, reaped); the pool's round trip is its `job`.

mod pool;
mod prefork;
mod worker;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use prefork::{SERVE_WORKER_COMMAND, serve_worker_main};
pub use worker::{
    Done, FAULT_ENV, Job, Reaped, WORKER_COMMAND, WorkerProc, die_with_parent, serve, worker_exe,
    worker_main,
};

use super::{
    ChildMemory, Instance, Outcome, Runtime, RuntimeError, Setup, Shape, SleepTimes, Spawned,
};
use crate::limit::Limit;
use crate::measure::memory::{self, Snapshot};
use crate::measure::{Usage, monotonic_nanos, os_limits};
use crate::workload::{Step, Tally, Work};
use pool::PoolInstance;

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
                workers: setup.workers,
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
    Job {
        target: work.target(),
        ..Job::of(index, work.plans()[index].steps.to_vec())
    }
}

/// A worker's answer to a task of `work`: its checksum, its failure recorded in the work.
fn take_done(work: &Work, done: Done) -> u64 {
    if let Some(failure) = done.failure {
        work.fail(failure);
    }
    done.checksum
}

/// A process started for one job: spawned, sent the job, and told no other will come.
fn start_for(exe: &Path, job: &Job, started: usize) -> Result<WorkerProc, RuntimeError> {
    let mut proc = WorkerProc::spawn(exe).map_err(|e| spawn_refused(started, e))?;
    proc.send(job)?;
    proc.close_stdin();
    Ok(proc)
}

/// One process per task, `batch` at a time (all at once for `unbounded`). Each gets its job
/// and an immediate EOF, answers, exits, and is reaped (wait4: its CPU, switches, peak RSS).
struct PerTaskInstance {
    exe: PathBuf,
    batch: usize,
    /// `rtbench serve`: the pre-forked workers (`--workers`).
    workers: usize,
}

impl Instance for PerTaskInstance {
    fn run_work(&mut self, work: &Arc<Work>) -> Result<Outcome, RuntimeError> {
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
                tally.add(take_done(work, done));
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

    /// The pre-forked server: `--workers` processes sharing the listener ([`prefork`]).
    fn serve(
        &mut self,
        listener: std::net::TcpListener,
        ctx: Arc<crate::http::ServeCtx>,
        ready: crate::runtime::serve::Ready,
    ) -> Result<(), RuntimeError> {
        prefork::serve_prefork(&self.exe, self.workers, listener, ctx, ready)
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
