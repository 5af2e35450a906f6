//! `smol`: an `async_executor::Executor` driven by `--workers` threads (smol's global
//! executor would default to one), with async-io's timer, async-net's sockets and
//! async-lock's semaphore.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use super::async_driver::{self, AsyncInstance, AsyncRt, CaughtJoin};
use super::family::AsyncRuntime;
use super::{Instance, RuntimeError, Setup};
use crate::limit::Limit;

/// The `smol` adapter.
pub struct Smol;

impl AsyncRuntime for Smol {
    const NAME: &'static str = "smol";

    fn start_async(&self, setup: &Setup) -> Result<Box<dyn Instance>, RuntimeError> {
        let executor = Arc::new(smol::Executor::new());
        let (stop, stopped) = async_channel::bounded::<()>(1);
        let mut threads = Vec::with_capacity(setup.workers);
        for i in 0..setup.workers {
            let (ex, stopped) = (Arc::clone(&executor), stopped.clone());
            let spawned = std::thread::Builder::new()
                .name(format!("smol-worker-{i}"))
                .spawn(move || smol::block_on(ex.run(stopped.recv())));
            match spawned {
                Ok(handle) => threads.push(handle),
                Err(source) => {
                    // Dropping the instance stops and joins the threads already started.
                    drop(SmolInstance {
                        rt: SmolRt(executor),
                        stop,
                        threads,
                        limit: setup.limit,
                        variant: setup.variant,
                    });
                    return Err(RuntimeError::Start {
                        runtime: Self::NAME,
                        source,
                    });
                }
            }
        }
        Ok(Box::new(SmolInstance {
            rt: SmolRt(executor),
            stop,
            threads,
            limit: setup.limit,
            variant: setup.variant,
        }))
    }
}

struct SmolInstance {
    rt: SmolRt,
    stop: async_channel::Sender<()>,
    threads: Vec<JoinHandle<Result<(), async_channel::RecvError>>>,
    limit: Limit,
    variant: super::Variant,
}

impl AsyncInstance for SmolInstance {
    type Rt = SmolRt;

    fn rt(&self) -> SmolRt {
        self.rt.clone()
    }

    fn setup(&self) -> (Limit, super::Variant) {
        (self.limit, self.variant)
    }

    fn block_on_task<T: Send + 'static>(
        &mut self,
        root: impl Future<Output = T> + Send + 'static,
    ) -> Result<T, RuntimeError> {
        // The root runs as a task on the executor's threads; this thread only waits.
        smol::block_on(self.rt.spawn(root))
    }
}

impl Drop for SmolInstance {
    fn drop(&mut self) {
        self.stop.close(); // every worker's `recv` resolves, so `run` returns
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

#[derive(Clone)]
struct SmolRt(Arc<smol::Executor<'static>>);

impl AsyncRt for SmolRt {
    type Join<T: Send + 'static> = CaughtJoin<smol::Task<std::thread::Result<T>>>;
    type Semaphore = async_lock::Semaphore;
    type Permit = async_lock::SemaphoreGuardArc;

    fn spawn<T, F>(&self, future: F) -> Self::Join<T>
    where
        T: Send + 'static,
        F: Future<Output = T> + Send + 'static,
    {
        CaughtJoin(self.0.spawn(async_driver::catching(future)))
    }

    async fn sleep(d: Duration) {
        smol::Timer::after(d).await;
    }

    fn unblock<T: Send + 'static>(
        f: impl FnOnce() -> T + Send + 'static,
    ) -> impl Future<Output = T> + Send + 'static {
        smol::unblock(f)
    }

    type Stream = smol::net::TcpStream;

    async fn connect(addr: SocketAddr) -> io::Result<smol::net::TcpStream> {
        let stream = smol::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(stream)
    }

    fn exchange<'a>(
        stream: &'a mut smol::net::TcpStream,
        request: &'a [u8],
        reply: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a {
        async_driver::exchange_futures_io(stream, request, reply)
    }

    type Listener = smol::net::TcpListener;

    fn listener(l: std::net::TcpListener) -> io::Result<smol::net::TcpListener> {
        smol::net::TcpListener::try_from(l)
    }

    async fn accept(l: &smol::net::TcpListener) -> io::Result<smol::net::TcpStream> {
        let (stream, _) = l.accept().await?;
        stream.set_nodelay(true)?;
        Ok(stream)
    }

    fn semaphore(permits: usize) -> Arc<Self::Semaphore> {
        Arc::new(async_lock::Semaphore::new(permits))
    }

    fn acquire(semaphore: Arc<Self::Semaphore>) -> impl Future<Output = Self::Permit> + Send {
        semaphore.acquire_arc()
    }

    fn detach<T: Send + 'static>(join: Self::Join<T>) {
        join.0.detach(); // dropping a smol Task would cancel it
    }

    // The I/O brigade's socket: async-io's `Async`, on its reactor.

    type Socket = smol::Async<std::os::unix::net::UnixStream>;

    fn socket(s: std::os::unix::net::UnixStream) -> std::io::Result<Self::Socket> {
        smol::Async::new(s)
    }
}

// `rtbench serve` reads and writes HTTP through the futures I/O traits.
async_driver::http_io_by_futures_traits!(smol::net::TcpStream);
