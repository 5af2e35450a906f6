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

use super::{Outcome, PARK_FOR, RuntimeError, Variant, panic_message};
use crate::limit::Limit;
use crate::measure::memory::Snapshot;
use crate::workload::{Tally, Work};

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

/// How a task waits: the runtime's timer, or (labelled variants) a blocking sleep in the
/// task, or a blocking sleep moved to the runtime's blocking pool.
pub trait Waiter: Copy + Send + Sync + 'static {
    fn wait(self, d: Duration) -> impl Future<Output = ()> + Send + 'static;
}

struct Timer<R>(PhantomData<fn() -> R>);
struct Blocking;
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
impl Clone for Blocking {
    fn clone(&self) -> Self {
        *self
    }
}
impl Copy for Blocking {}

impl<R: AsyncRt> Waiter for Timer<R> {
    fn wait(self, d: Duration) -> impl Future<Output = ()> + Send + 'static {
        R::sleep(d)
    }
}

impl Waiter for Blocking {
    async fn wait(self, d: Duration) {
        std::thread::sleep(d);
    }
}

impl<R: AsyncRt> Waiter for Unblocked<R> {
    fn wait(self, d: Duration) -> impl Future<Output = ()> + Send + 'static {
        R::unblock(move || std::thread::sleep(d))
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
                tally.add(work.run_async(i, R::sleep).await);
            }
            tally
        }
    };
    Ok(Outcome::of(tally, span.stop()))
}

async fn drive<R: AsyncRt, W: Waiter>(
    rt: &R,
    work: &Arc<Work>,
    limit: Limit,
    waiter: W,
) -> Result<Tally, RuntimeError> {
    let n = work.len();
    match limit {
        Limit::Unbounded => join_all(spawn_tasks(rt, work, waiter, 0..n)).await,
        Limit::Semaphore(permits) => {
            let semaphore = R::semaphore(permits);
            let handles = (0..n)
                .map(|i| {
                    let (work, semaphore) = (Arc::clone(work), Arc::clone(&semaphore));
                    rt.spawn(async move {
                        let _permit = R::acquire(semaphore).await;
                        work.run_async(i, |d| waiter.wait(d)).await
                    })
                })
                .collect();
            join_all(handles).await
        }
        Limit::Batches(size) => {
            let mut tally = Tally::default();
            for start in (0..n).step_by(size) {
                let batch = spawn_tasks(rt, work, waiter, start..(start + size).min(n));
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
                            tally.add(work.run_async(i, |d| waiter.wait(d)).await);
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

fn spawn_tasks<R: AsyncRt, W: Waiter>(
    rt: &R,
    work: &Arc<Work>,
    waiter: W,
    range: Range<usize>,
) -> Vec<R::Join<u64>> {
    range
        .map(|i| {
            let work = Arc::clone(work);
            rt.spawn(async move { work.run_async(i, |d| waiter.wait(d)).await })
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
