//! The limit strategies for every async runtime, written once. An adapter supplies only
//! its idioms: how to spawn and join, its timer, and its semaphore.

use std::future::Future;
use std::marker::PhantomData;
use std::ops::Range;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use smol::future::FutureExt;

use super::brigade::{Hopped, Link, UnitLog, hopped};

use super::{
    Instance, Outcome, PARK_FOR, RuntimeError, SleepTimes, Spawned, Variant, panic_message,
};
use crate::limit::Limit;
use crate::measure::memory::Snapshot;
use crate::measure::monotonic_nanos;
use crate::workload::service::{Aimd, ClientLimit, Service, ServiceOutcome, ServiceSpec};
use crate::workload::{AsyncSteps, BlockingSteps, StdSteps, Tally, Work};

/// One async runtime's idioms.
pub trait AsyncRt: Clone + Send + Sync + 'static {
    /// A spawned task's handle; resolves to the task's output, or an error if it panicked.
    type Join<T: Send + 'static>: Future<Output = Result<T, RuntimeError>> + Send + 'static;
    type Semaphore: Send + Sync + 'static;
    type Permit: Send + 'static;

    fn spawn<T, F>(&self, future: F) -> Self::Join<T>
    where
        T: Send + 'static,
        F: Future<Output = T> + Send + 'static;

    /// The runtime's own timer.
    fn sleep(d: Duration) -> impl Future<Output = ()> + Send + 'static;

    fn semaphore(permits: usize) -> Arc<Self::Semaphore>;

    fn acquire(semaphore: Arc<Self::Semaphore>) -> impl Future<Output = Self::Permit> + Send;

    /// Runs a blocking call on the runtime's blocking pool (`spawn_blocking`, `unblock`).
    fn unblock(f: impl FnOnce() + Send + 'static) -> impl Future<Output = ()> + Send + 'static;

    /// Lets a task run on without its handle (dropping a handle detaches it by default).
    fn detach<T: Send + 'static>(join: Self::Join<T>) {
        drop(join);
    }

    // The I/O brigade (claim C13, `super::brigade_io`): one end of a socketpair in the
    // runtime's own idiom, woken by its reactor.

    /// One end of a socketpair, registered with the runtime's reactor.
    type Socket: super::brigade_io::Socket;

    /// Wraps one end of a std socketpair (called from a task inside the runtime).
    fn socket(s: std::os::unix::net::UnixStream) -> std::io::Result<Self::Socket>;
}

/// A started async runtime: its idioms, its setup, and how to run a root task in it. Every
/// such instance runs cells, the memory pass and the experiments the same way.
pub trait AsyncInstance {
    type Rt: AsyncRt;

    fn rt(&self) -> Self::Rt;

    fn setup(&self) -> (Limit, Variant);

    /// Runs `root` as a task inside the runtime and waits for it on this thread.
    fn block_on_task<T: Send + 'static>(
        &mut self,
        root: impl Future<Output = T> + Send + 'static,
    ) -> Result<T, RuntimeError>;
}

impl<I: AsyncInstance> Instance for I {
    fn run(&mut self, work: &Arc<Work>) -> Result<Outcome, RuntimeError> {
        let (limit, variant) = self.setup();
        self.block_on_task(timed_run(self.rt(), Arc::clone(work), limit, variant))?
    }

    fn park(
        &mut self,
        units: usize,
        probe: fn() -> Snapshot,
    ) -> Result<(Snapshot, Snapshot), RuntimeError> {
        self.block_on_task(park(self.rt(), units, probe))
    }

    fn service(&mut self, spec: &ServiceSpec) -> Result<ServiceOutcome, RuntimeError> {
        self.block_on_task(service_run(self.rt(), *spec))?
    }

    fn brigade(&mut self, units: usize, hops: usize, link: Link) -> Result<Hopped, RuntimeError> {
        super::brigade::check(units, hops)?;
        match link {
            Link::Channel => self.block_on_task(brigade(self.rt(), units, hops))?,
            Link::Socket => self.block_on_task(super::brigade_io::tasks(self.rt(), units, hops))?,
        }
    }

    fn start_units(&mut self, units: usize) -> Result<Spawned, RuntimeError> {
        self.block_on_task(start_tasks(self.rt(), units))?
    }

    fn sleep_in_unit(&mut self, d: Duration) -> Result<SleepTimes, RuntimeError> {
        self.block_on_task(sleep_in_task(self.rt(), d))?
    }
}

/// The spawn probe on an async runtime, from a task inside it: `units` tasks spawned, each
/// returning 1 to its handle, then every handle awaited.
pub async fn start_tasks<R: AsyncRt>(rt: R, units: usize) -> Result<Spawned, RuntimeError> {
    let begin = std::time::Instant::now();
    let handles: Vec<_> = (0..units).map(|_| rt.spawn(async { 1usize })).collect();
    let mut ran = 0;
    for h in handles {
        ran += h.await?;
    }
    Ok(Spawned::of(begin.elapsed(), ran))
}

/// The timer probe on an async runtime, from a task inside it: one task spawned that reads
/// the clock, sleeps on the runtime's timer and reads it again; then joined.
pub async fn sleep_in_task<R: AsyncRt>(rt: R, d: Duration) -> Result<SleepTimes, RuntimeError> {
    let asked = monotonic_nanos();
    let unit = rt.spawn(async move {
        let began = monotonic_nanos();
        R::sleep(d).await;
        (began, monotonic_nanos())
    });
    let (began, woke) = unit.await?;
    Ok(SleepTimes::from_nanos(
        asked,
        began,
        woke,
        monotonic_nanos(),
    ))
}

/// The memory pass on an async runtime: `units` detached tasks, each asleep on the
/// runtime's timer; `probe` before the first spawn and once all have been polled.
pub async fn park<R: AsyncRt>(
    rt: R,
    units: usize,
    probe: fn() -> Snapshot,
) -> (Snapshot, Snapshot) {
    let parked = Arc::new(AtomicUsize::new(0));
    let before = probe();
    for _ in 0..units {
        let parked = Arc::clone(&parked);
        R::detach(rt.spawn(async move {
            parked.fetch_add(1, Ordering::Relaxed);
            R::sleep(PARK_FOR).await;
        }));
    }
    while parked.load(Ordering::Relaxed) < units {
        R::sleep(Duration::from_millis(1)).await;
    }
    (before, probe())
}

/// The async steps of a normal run: the runtime's own timer.
struct Timer<R>(PhantomData<fn() -> R>);

/// The C03 anti-pattern's steps: the blocking call inside the task, holding its worker.
#[derive(Clone, Copy)]
struct Blocking;

/// The C17 fix's steps: the same blocking call on the runtime's blocking pool.
struct Unblocked<R>(PhantomData<fn() -> R>);

// Manual impls: a derive would require `R: Copy`.
impl<R> Clone for Timer<R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<R> Copy for Timer<R> {}
impl<R> Clone for Unblocked<R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<R> Copy for Unblocked<R> {}

impl<R: AsyncRt> AsyncSteps for Timer<R> {
    fn wait(self, d: Duration) -> impl Future<Output = ()> + Send + 'static {
        R::sleep(d)
    }
}

impl AsyncSteps for Blocking {
    async fn wait(self, d: Duration) {
        StdSteps.wait(d);
    }
}

impl<R: AsyncRt> AsyncSteps for Unblocked<R> {
    fn wait(self, d: Duration) -> impl Future<Output = ()> + Send + 'static {
        R::unblock(move || StdSteps.wait(d))
    }
}

/// The timed region of an async run; call it from a task already inside the runtime, so
/// spawns go to the runtime's own queues (spawn-from-inside).
pub async fn timed_run<R: AsyncRt>(
    rt: R,
    work: Arc<Work>,
    limit: Limit,
    variant: Variant,
) -> Result<Outcome, RuntimeError> {
    let span = work.begin();
    let tally = match variant {
        Variant::Normal => drive(&rt, &work, limit, Timer::<R>(PhantomData)).await?,
        Variant::BlockingSleep => drive(&rt, &work, limit, Blocking).await?,
        Variant::SpawnBlocking => drive(&rt, &work, limit, Unblocked::<R>(PhantomData)).await?,
        Variant::AwaitEach => {
            // The anti-pattern: each future awaited in turn, nothing spawned.
            let mut tally = Tally::default();
            for i in 0..work.len() {
                tally.add(work.run_async(i, Timer::<R>(PhantomData)).await);
            }
            tally
        }
    };
    Ok(Outcome::of(tally, span.stop()))
}

async fn drive<R: AsyncRt, W: AsyncSteps>(
    rt: &R,
    work: &Arc<Work>,
    limit: Limit,
    steps: W,
) -> Result<Tally, RuntimeError> {
    let n = work.len();
    match limit {
        Limit::Unbounded => join_all(spawn_tasks(rt, work, steps, 0..n)).await,
        Limit::Semaphore(permits) => {
            let semaphore = R::semaphore(permits);
            let handles = (0..n)
                .map(|i| {
                    let (work, semaphore) = (Arc::clone(work), Arc::clone(&semaphore));
                    rt.spawn(async move {
                        let _permit = R::acquire(semaphore).await;
                        work.run_async(i, steps).await
                    })
                })
                .collect();
            join_all(handles).await
        }
        Limit::Batches(size) => {
            let mut tally = Tally::default();
            for start in (0..n).step_by(size) {
                let batch = spawn_tasks(rt, work, steps, start..(start + size).min(n));
                tally = tally.merge(join_all(batch).await?);
            }
            Ok(tally)
        }
        Limit::Pool(workers) => {
            let next = Arc::new(AtomicUsize::new(0));
            let handles: Vec<_> = (0..workers.min(n))
                .map(|_| {
                    let (work, next) = (Arc::clone(work), Arc::clone(&next));
                    rt.spawn(async move {
                        let mut tally = Tally::default();
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            if i >= work.len() {
                                return tally;
                            }
                            tally.add(work.run_async(i, steps).await);
                        }
                    })
                })
                .collect();
            let mut tally = Tally::default();
            for h in handles {
                tally = tally.merge(h.await?);
            }
            Ok(tally)
        }
    }
}

fn spawn_tasks<R: AsyncRt, W: AsyncSteps>(
    rt: &R,
    work: &Arc<Work>,
    steps: W,
    range: Range<usize>,
) -> Vec<R::Join<u64>> {
    range
        .map(|i| {
            let work = Arc::clone(work);
            rt.spawn(async move { work.run_async(i, steps).await })
        })
        .collect()
}

/// Awaits every handle (all were spawned first, so this is not a sequential await).
async fn join_all<J: Future<Output = Result<u64, RuntimeError>>>(
    handles: Vec<J>,
) -> Result<Tally, RuntimeError> {
    let mut tally = Tally::default();
    for h in handles {
        tally.add(h.await?);
    }
    Ok(tally)
}

/// A task body that catches its own panic, for runtimes whose handles would re-raise it.
pub fn catching<F: Future>(future: F) -> impl Future<Output = std::thread::Result<F::Output>> {
    AssertUnwindSafe(future).catch_unwind()
}

/// The handle of a task spawned with [`catching`]: a panic becomes the cell's error.
pub struct CaughtJoin<H>(pub H);

impl<H, T> Future for CaughtJoin<H>
where
    H: Future<Output = std::thread::Result<T>> + Unpin,
{
    type Output = Result<T, RuntimeError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0)
            .poll(cx)
            .map(|r| r.map_err(|p| RuntimeError::TaskPanicked(panic_message(p))))
    }
}

/// Calls against the rate-limited service from spawned tasks, behind the client's limiter
/// (async-lock's semaphore on every runtime, so only the scheduling differs).
pub async fn service_run<R: AsyncRt>(
    rt: R,
    spec: ServiceSpec,
) -> Result<ServiceOutcome, RuntimeError> {
    let service = Arc::new(Service::new(spec.capacity));
    let (permits, aimd) = match spec.limit {
        ClientLimit::Unbounded => (None, None),
        ClientLimit::Semaphore(n) => (Some(n), None),
        ClientLimit::Adaptive { start, max } => {
            (Some(start), Some(Arc::new(Aimd::new(start, max))))
        }
    };
    let limiter = permits.map(|n| Arc::new(async_lock::Semaphore::new(n)));
    let start = std::time::Instant::now();
    let handles: Vec<_> = (0..spec.calls)
        .map(|i| {
            let (service, limiter, aimd) = (Arc::clone(&service), limiter.clone(), aimd.clone());
            rt.spawn(async move {
                let delay = spec.arrival(i);
                if !delay.is_zero() {
                    R::sleep(delay).await;
                }
                loop {
                    let permit = match &limiter {
                        Some(s) => Some(s.acquire_arc().await),
                        None => None,
                    };
                    let ticket = service.admit();
                    let accepted = ticket.is_some();
                    if accepted {
                        R::sleep(spec.latency).await;
                    }
                    drop(ticket);
                    release(permit, limiter.as_deref(), aimd.as_deref(), accepted);
                    match (accepted, spec.retry_after) {
                        (true, _) => return true,
                        (false, None) => return false,
                        (false, Some(pause)) => R::sleep(pause).await,
                    }
                }
            })
        })
        .collect();
    let mut completed = 0;
    for h in handles {
        completed += usize::from(h.await?);
    }
    Ok(ServiceOutcome {
        accepted: service.accepted(),
        rejected: service.rejected(),
        completed,
        wall_seconds: start.elapsed().as_secs_f64(),
        final_limit: aimd.map_or(0, |a| a.limit.load(Ordering::SeqCst)),
    })
}

/// Gives a call's permit back; the adaptive limiter first adjusts its limit (a new permit
/// after a success, a debt after a rejection, repaid by keeping released permits out).
fn release(
    permit: Option<async_lock::SemaphoreGuardArc>,
    limiter: Option<&async_lock::Semaphore>,
    aimd: Option<&Aimd>,
    accepted: bool,
) {
    if let (Some(aimd), Some(limiter)) = (aimd, limiter) {
        if accepted {
            if aimd.grow() {
                limiter.add_permits(1);
            }
        } else {
            aimd.shrink();
        }
        if let Some(p) = permit {
            if aimd.repay() {
                std::mem::forget(p); // this permit leaves circulation
            }
        }
    }
}

/// The brigade ([`super::brigade`]) on tasks: a ring of `units` tasks, each waiting on its
/// own bounded channel and sending the token on plus one to the next, through the
/// runtime's own wake-up; seconds per hop. When the token has made `hops` hops its holder
/// stops, and every other task stops as the channel it waits on loses its last sender.
pub async fn brigade<R: AsyncRt>(rt: R, units: usize, hops: usize) -> Result<Hopped, RuntimeError> {
    let hops = hops as u64;
    let (txs, rxs): (Vec<_>, Vec<_>) = (0..units).map(|_| async_channel::bounded::<u64>(1)).unzip();
    let first = txs[0].clone();
    let mut joins = Vec::with_capacity(units);
    for (i, rx) in rxs.into_iter().enumerate() {
        let next = txs[(i + 1) % units].clone();
        joins.push(rt.spawn(async move {
            let mut log = UnitLog::default();
            while let Ok(v) = rx.recv().await {
                if log.hold(v, hops) || next.send(v + 1).await.is_err() {
                    break;
                }
            }
            log
        }));
    }
    // Only the units hold senders now (and `first`, dropped once the token is in).
    drop(txs);
    let started = first.send(0).await;
    drop(first);
    let mut logs = Vec::with_capacity(units);
    for j in joins {
        logs.push(j.await?);
    }
    if started.is_err() {
        return Err(RuntimeError::Verification(
            "the brigade's first unit was gone before the token".into(),
        ));
    }
    hopped(&logs, hops)
}
