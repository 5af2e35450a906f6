//! The limit strategies for every async runtime, written once. An adapter supplies only
//! its idioms: how to spawn and join, its timer, and its semaphore.

use std::future::Future;
use std::io;
use std::marker::PhantomData;
use std::net::{SocketAddr, TcpStream};
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
use crate::workload::service::{ServiceOutcome, ServiceSpec};
use crate::workload::{
    AsyncSteps, BlockingSteps, NetTarget, StdSteps, Tally, Work, std_connect, std_exchange,
};

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
    fn unblock<T: Send + 'static>(
        f: impl FnOnce() -> T + Send + 'static,
    ) -> impl Future<Output = T> + Send + 'static;

    /// Lets a task run on without its handle (dropping a handle detaches it by default).
    fn detach<T: Send + 'static>(join: Self::Join<T>) {
        drop(join);
    }

    /// A TCP connection in the runtime's own idiom (`tokio::net`, `async-net`,
    /// `async_std::net`), registered with its reactor; `rtbench serve` reads and writes
    /// HTTP on it too.
    type Stream: crate::http::HttpIo + 'static;

    /// `rtbench serve`'s listening socket in the runtime's idiom.
    type Listener: Send + Sync + 'static;

    /// Registers a bound, listening, non-blocking std listener with the runtime's reactor
    /// (called from a task inside the runtime).
    fn listener(l: std::net::TcpListener) -> io::Result<Self::Listener>;

    /// The next connection, Nagle's algorithm off.
    fn accept(l: &Self::Listener) -> impl Future<Output = io::Result<Self::Stream>> + Send + '_;

    /// Connects to `addr`, Nagle's algorithm off.
    fn connect(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Stream>> + Send;

    /// Writes all of `request`, then reads until `reply` is full or the stream ends;
    /// answers the bytes read.
    fn exchange<'a>(
        stream: &'a mut Self::Stream,
        request: &'a [u8],
        reply: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a;

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
    fn run_work(&mut self, work: &Arc<Work>) -> Result<Outcome, RuntimeError> {
        let (limit, variant) = self.setup();
        self.block_on_task(timed_run(self.rt(), Arc::clone(work), limit, variant))?
    }

    /// One accept loop task; each connection a task of its own ([`super::serve`]).
    fn serve(
        &mut self,
        listener: std::net::TcpListener,
        ctx: Arc<crate::http::ServeCtx>,
        ready: super::serve::Ready,
    ) -> Result<(), RuntimeError> {
        self.block_on_task(super::serve::serve_async(self.rt(), listener, ctx, ready))?
    }

    fn park(
        &mut self,
        units: usize,
        probe: fn() -> Snapshot,
    ) -> Result<(Snapshot, Snapshot), RuntimeError> {
        self.block_on_task(park(self.rt(), units, probe))
    }

    fn service(
        &mut self,
        spec: &ServiceSpec,
        server: Option<NetTarget>,
    ) -> Result<ServiceOutcome, RuntimeError> {
        self.block_on_task(super::service::service_run(self.rt(), *spec, server))?
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

/// The async steps of a normal run (and of a server's handler): the runtime's own timer
/// and sockets.
pub(super) struct Timer<R>(pub(super) PhantomData<fn() -> R>);

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
    type Conn = R::Stream;

    fn wait(self, d: Duration) -> impl Future<Output = ()> + Send + 'static {
        R::sleep(d)
    }

    fn connect(self, addr: SocketAddr) -> impl Future<Output = io::Result<R::Stream>> + Send {
        R::connect(addr)
    }

    fn exchange<'a>(
        self,
        conn: &'a mut R::Stream,
        request: &'a [u8],
        reply: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a {
        R::exchange(conn, request, reply)
    }
}

/// The fix's calls: the same blocking std::net calls on the runtime's blocking pool. The
/// connection moves to the pool thread for each exchange and comes back with the reply.
impl<R: AsyncRt> AsyncSteps for Unblocked<R> {
    type Conn = Option<TcpStream>;

    fn wait(self, d: Duration) -> impl Future<Output = ()> + Send + 'static {
        R::unblock(move || BlockingSteps::wait(&StdSteps, d))
    }

    async fn connect(self, addr: SocketAddr) -> io::Result<Option<TcpStream>> {
        R::unblock(move || std_connect(addr)).await.map(Some)
    }

    async fn exchange(
        self,
        conn: &mut Option<TcpStream>,
        request: &[u8],
        reply: &mut [u8],
    ) -> io::Result<usize> {
        let mut stream = conn
            .take()
            .expect("a connection lent out is always given back");
        let (request, mut answer) = (request.to_vec(), vec![0; reply.len()]);
        let (stream, got, answer) = R::unblock(move || {
            let got = std_exchange(&mut stream, &request, &mut answer);
            (stream, got, answer)
        })
        .await;
        *conn = Some(stream);
        reply.copy_from_slice(&answer);
        got
    }
}

/// The exchange on a futures-io stream (smol's `async-net`, async-std's net): write the
/// request, then read until the reply is full or the stream ends.
/// `rtbench serve`'s `HttpIo` for a stream of the futures I/O traits (smol's and
/// async-std's), written once: a blanket impl would overlap std's `TcpStream` one.
macro_rules! http_io_by_futures_traits {
    ($stream:ty) => {
        impl crate::http::HttpIo for $stream {
            fn read<'a>(
                &'a mut self,
                buf: &'a mut [u8],
            ) -> impl std::future::Future<Output = std::io::Result<usize>> + Send + 'a {
                super::async_driver::read_futures_io(self, buf)
            }

            fn write_all<'a>(
                &'a mut self,
                buf: &'a [u8],
            ) -> impl std::future::Future<Output = std::io::Result<()>> + Send + 'a {
                super::async_driver::write_all_futures_io(self, buf)
            }
        }
    };
}
pub(super) use http_io_by_futures_traits;

/// `HttpIo` for a stream of the futures I/O traits (smol's and async-std's): read.
pub async fn read_futures_io<S>(stream: &mut S, buf: &mut [u8]) -> io::Result<usize>
where
    S: smol::io::AsyncRead + Unpin,
{
    smol::io::AsyncReadExt::read(stream, buf).await
}

/// `HttpIo` for a stream of the futures I/O traits: write all.
pub async fn write_all_futures_io<S>(stream: &mut S, buf: &[u8]) -> io::Result<()>
where
    S: smol::io::AsyncWrite + Unpin,
{
    smol::io::AsyncWriteExt::write_all(stream, buf).await
}

pub async fn exchange_futures_io<S>(
    stream: &mut S,
    request: &[u8],
    reply: &mut [u8],
) -> io::Result<usize>
where
    S: smol::io::AsyncRead + smol::io::AsyncWrite + Unpin,
{
    use smol::io::{AsyncReadExt, AsyncWriteExt};
    stream.write_all(request).await?;
    let mut got = 0;
    while got < reply.len() {
        match stream.read(&mut reply[got..]).await {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
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
        // The C03 anti-pattern: the blocking call inside the task, holding its worker.
        Variant::BlockingSleep => drive(&rt, &work, limit, StdSteps).await?,
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
