//! `threads`: one OS thread per task, the notes' `threading` model. Under `semaphore:N`
//! every task still gets a thread, gated by a counting semaphore; `batches:N` starts N
//! threads and joins them before the next N; `pool:N` runs N threads that take tasks in turn.

use std::net::TcpListener;
use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use super::serve::{Ready, accept_blocking};
use super::{
    Instance, Outcome, PARK_FOR, Runtime, RuntimeError, Setup, Shape, SleepTimes, Spawned,
    Stamping, panic_message,
};
use crate::http::{ServeCtx, serve_connection_blocking};
use crate::limit::{BlockingSemaphore, Limit};
use crate::measure::memory::Snapshot;
use crate::measure::os_limits;
use crate::workload::{BlockingSteps, StdSteps, Tally, Work};

pub struct Threads;

impl Runtime for Threads {
    fn name(&self) -> &'static str {
        "threads"
    }

    fn model(&self) -> super::Model {
        super::Model::Threads
    }

    fn shape(&self, setup: &Setup) -> Shape {
        let concurrency = setup.limit.bound(setup.tasks);
        let workers = match setup.limit {
            Limit::Unbounded | Limit::Semaphore(_) => setup.tasks,
            Limit::Batches(_) | Limit::Pool(_) => concurrency,
        };
        Shape {
            workers,
            concurrency,
        }
    }

    fn note(&self, _setup: &Setup) -> Option<String> {
        Some("threads: one OS thread per task (pool:N: N threads); --workers does not apply".into())
    }

    fn start(&self, setup: &Setup) -> Result<Box<dyn Instance>, RuntimeError> {
        Ok(Box::new(ThreadsInstance { limit: setup.limit }))
    }
}

struct ThreadsInstance {
    limit: Limit,
}

impl Instance for ThreadsInstance {
    fn run_work(&mut self, work: &Arc<Work>) -> Result<Outcome, RuntimeError> {
        let n = work.len();
        let span = work.begin();
        let tally = match self.limit {
            Limit::Unbounded => sum(spawn_each(0..n, |i| work.run_blocking(i, &StdSteps))?),
            Limit::Semaphore(permits) => {
                let semaphore = BlockingSemaphore::new(permits);
                sum(spawn_each(0..n, |i| {
                    let _permit = semaphore.acquire();
                    work.run_blocking(i, &StdSteps)
                })?)
            }
            Limit::Batches(size) => {
                let mut tally = Tally::default();
                for start in (0..n).step_by(size) {
                    let batch = start..(start + size).min(n);
                    tally =
                        tally.merge(sum(spawn_each(batch, |i| work.run_blocking(i, &StdSteps))?));
                }
                tally
            }
            Limit::Pool(size) => {
                let next = AtomicUsize::new(0);
                let per_thread = spawn_each(0..size.min(n), |_| {
                    let mut tally = Tally::default();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            return tally;
                        }
                        tally.add(work.run_blocking(i, &StdSteps));
                    }
                })?;
                per_thread.into_iter().fold(Tally::default(), Tally::merge)
            }
        };
        Ok(Outcome::of(tally, span.stop()))
    }

    /// A thread per connection, started as it is accepted, serving it to its end. When
    /// the OS refuses a thread, that connection is closed (its client sees the reset) and
    /// the refusal, with the limits behind it, is said once; the server goes on.
    fn serve(
        &mut self,
        listener: TcpListener,
        ctx: Arc<ServeCtx>,
        ready: Ready,
    ) -> Result<(), RuntimeError> {
        let mut noted = false;
        ready();
        Err(accept_blocking(&listener, |stream| {
            let ctx = Arc::clone(&ctx);
            let started = thread::Builder::new()
                .name("conn".into())
                .spawn(move || serve_connection_blocking(stream, &ctx));
            if let Err(e) = started {
                if !noted {
                    eprintln!(
                        "rtbench serve: the OS refused a thread for a connection ({e}); limits: {}",
                        os_limits::describe_thread_limits()
                    );
                    noted = true;
                }
            }
            Ok(())
        }))
    }

    fn start_units(&mut self, units: usize) -> Result<Spawned, RuntimeError> {
        let begin = std::time::Instant::now();
        let ids = spawn_each(0..units, |_| thread::current().id())?;
        Ok(Spawned::of_ids(begin.elapsed(), ids))
    }

    fn sleep_in_unit(&mut self, d: std::time::Duration) -> Result<SleepTimes, RuntimeError> {
        let stamping = Stamping::default();
        stamping.ask();
        spawn_each(0..1, |_| stamping.wait(d))?;
        stamping.joined();
        Ok(stamping.times())
    }

    fn brigade(
        &mut self,
        units: usize,
        hops: usize,
        link: super::brigade::Link,
    ) -> Result<super::brigade::Hopped, RuntimeError> {
        match link {
            super::brigade::Link::Channel => super::brigade::threads(units, hops),
            super::brigade::Link::Socket => super::brigade_io::threads(units, hops),
        }
    }

    fn park(
        &mut self,
        units: usize,
        probe: fn() -> Snapshot,
    ) -> Result<(Snapshot, Snapshot), RuntimeError> {
        let parked = Arc::new(AtomicUsize::new(0));
        let before = probe();
        for started in 0..units {
            let parked = Arc::clone(&parked);
            thread::Builder::new()
                .spawn(move || {
                    parked.fetch_add(1, Ordering::Relaxed);
                    thread::sleep(PARK_FOR);
                })
                .map_err(|source| RuntimeError::ThreadSpawn {
                    started,
                    source,
                    limits: os_limits::describe_thread_limits(),
                })?;
        }
        while parked.load(Ordering::Relaxed) < units {
            thread::sleep(std::time::Duration::from_millis(1));
        }
        Ok((before, probe()))
    }
}

fn sum(checksums: Vec<u64>) -> Tally {
    checksums.into_iter().fold(Tally::default(), |mut t, c| {
        t.add(c);
        t
    })
}

/// Starts a thread for each index, then joins them all. If the OS refuses a thread, the
/// ones already running are joined and the refusal is returned with the limits in force.
fn spawn_each<T: Send>(
    range: Range<usize>,
    body: impl Fn(usize) -> T + Sync,
) -> Result<Vec<T>, RuntimeError> {
    let body = &body;
    thread::scope(|scope| {
        let mut handles = Vec::with_capacity(range.len());
        let mut refused = None;
        for i in range {
            match thread::Builder::new().spawn_scoped(scope, move || body(i)) {
                Ok(h) => handles.push(h),
                Err(e) => {
                    refused = Some(e);
                    break;
                }
            }
        }
        let started = handles.len();
        let joined: Result<Vec<T>, RuntimeError> = handles
            .into_iter()
            .map(|h| {
                h.join()
                    .map_err(|p| RuntimeError::TaskPanicked(panic_message(p)))
            })
            .collect();
        match refused {
            Some(source) => Err(RuntimeError::ThreadSpawn {
                started,
                source,
                limits: os_limits::describe_thread_limits(),
            }),
            None => joined,
        }
    })
}
