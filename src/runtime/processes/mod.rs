//! `processes`: worker processes, the "processes" side of threads vs async vs processes.
//! rtbench re-executes itself as a hidden `__worker`; jobs and results travel as JSON lines
//! over its stdin and stdout (the IPC a process pool pays). `pool:N` keeps N workers, each
//! taking the next task when it answers; `unbounded` starts one process per task and
//! `batches:N` N such processes at a time. Waits in a worker are blocking sleeps.

mod pool;
mod worker;

use std::path::PathBuf;
use std::sync::Arc;

pub use worker::{
    Done, FAULT_ENV, Job, Reaped, WORKER_COMMAND, WorkerProc, die_with_parent, serve, worker_exe,
    worker_main,
};

use super::{ChildMemory, Instance, Outcome, Runtime, RuntimeError, Setup, Shape};
use crate::limit::Limit;
use crate::measure::memory::{self, Snapshot};
use crate::measure::os_limits;
use crate::workload::{Tally, Work};
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
    Job {
        index,
        steps: work.plans()[index].steps.to_vec(),
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
        let mut reaped = Reaped::default();
        let mut processes = 0;
        for start in (0..n).step_by(self.batch) {
            let mut running = Vec::with_capacity(self.batch);
            for i in start..(start + self.batch).min(n) {
                let guard = work.gauge().map(|g| g.enter());
                let mut proc =
                    WorkerProc::spawn(&self.exe).map_err(|e| spawn_refused(running.len(), e))?;
                proc.send(&job(work, i))?;
                proc.close_stdin();
                running.push((i, proc, guard));
            }
            for (i, mut proc, guard) in running {
                let done = proc.receive()?;
                work.mark_finished(i);
                drop(guard);
                tally.add(done.checksum);
                let r = proc.close_and_reap()?;
                reaped.usage = reaped.usage.plus(r.usage);
                reaped.max_rss_bytes += r.max_rss_bytes;
                processes += 1;
            }
        }
        let mut measured = span.stop();
        measured.usage = measured.usage.plus(reaped.usage);
        let children = ChildMemory {
            processes,
            peak_rss_bytes: reaped.max_rss_bytes,
            pss_bytes: None,
        };
        Ok(Outcome {
            tally,
            measured,
            children: Some(children),
        })
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
            proc.send(&Job {
                index: 0,
                steps: Vec::new(),
            })?;
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
        std::mem::forget(parked); // they die with this process (PR_SET_PDEATHSIG)
        Ok((before, after))
    }
}
