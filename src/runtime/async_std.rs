//! `async-std` (legacy: discontinued upstream in favour of smol, RUSTSEC-2025-0052).
//! Kept so old comparisons can be reproduced. Its global executor's thread count is fixed
//! once per process, so a process runs async-std cells with one worker count only.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use super::async_driver::{self, AsyncInstance, AsyncRt, CaughtJoin};
use super::family::AsyncRuntime;
use super::{Instance, RuntimeError, Setup};
use crate::limit::Limit;

/// The thread count this process's async-std executor was started with.
static THREADS: OnceLock<usize> = OnceLock::new();

/// The `async-std` adapter (legacy).
pub struct AsyncStd;

impl AsyncRuntime for AsyncStd {
    const NAME: &'static str = "async-std";
    const LEGACY: bool = true;
    const NOTE: Option<&'static str> =
        Some("async-std is legacy: discontinued upstream in favour of smol (RUSTSEC-2025-0052)");

    fn start_async(&self, setup: &Setup) -> Result<Box<dyn Instance>, RuntimeError> {
        let threads = *THREADS.get_or_init(|| {
            // Pins the global executor before async-std's first use would size it itself.
            async_global_executor::init_with_config(
                async_global_executor::GlobalExecutorConfig::default()
                    .with_min_threads(setup.workers)
                    .with_max_threads(setup.workers),
            );
            setup.workers
        });
        if threads != setup.workers {
            return Err(RuntimeError::Unsupported(format!(
                "async-std's executor already runs {threads} threads in this process and cannot be \
                 resized; run async-std with --workers {threads}, or in its own process"
            )));
        }
        Ok(Box::new(AsyncStdInstance {
            limit: setup.limit,
            variant: setup.variant,
        }))
    }
}

struct AsyncStdInstance {
    limit: Limit,
    variant: super::Variant,
}

impl AsyncInstance for AsyncStdInstance {
    type Rt = AsyncStdRt;

    fn rt(&self) -> AsyncStdRt {
        AsyncStdRt
    }

    fn setup(&self) -> (Limit, super::Variant) {
        (self.limit, self.variant)
    }

    fn block_on_task<T: Send + 'static>(
        &mut self,
        root: impl Future<Output = T> + Send + 'static,
    ) -> Result<T, RuntimeError> {
        async_std::task::block_on(AsyncStdRt.spawn(root))
    }
}

#[derive(Clone, Copy)]
struct AsyncStdRt;

impl AsyncRt for AsyncStdRt {
    type Join<T: Send + 'static> = CaughtJoin<async_std::task::JoinHandle<std::thread::Result<T>>>;
    type Semaphore = async_lock::Semaphore;
    type Permit = async_lock::SemaphoreGuardArc;

    fn spawn<T, F>(&self, future: F) -> Self::Join<T>
    where
        T: Send + 'static,
        F: Future<Output = T> + Send + 'static,
    {
        CaughtJoin(async_std::task::spawn(async_driver::catching(future)))
    }

    fn sleep(d: Duration) -> impl Future<Output = ()> + Send + 'static {
        async_std::task::sleep(d)
    }

    fn unblock<T: Send + 'static>(
        f: impl FnOnce() -> T + Send + 'static,
    ) -> impl Future<Output = T> + Send + 'static {
        async_std::task::spawn_blocking(f)
    }

    type Stream = async_std::net::TcpStream;

    async fn connect(addr: SocketAddr) -> io::Result<async_std::net::TcpStream> {
        let stream = async_std::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(stream)
    }

    fn exchange<'a>(
        stream: &'a mut async_std::net::TcpStream,
        request: &'a [u8],
        reply: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a {
        async_driver::exchange_futures_io(stream, request, reply)
    }

    type Listener = async_std::net::TcpListener;

    fn listener(l: std::net::TcpListener) -> io::Result<async_std::net::TcpListener> {
        Ok(async_std::net::TcpListener::from(l))
    }

    async fn accept(l: &async_std::net::TcpListener) -> io::Result<async_std::net::TcpStream> {
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

    // The I/O brigade's socket: async-std's own `UnixStream`.

    type Socket = async_std::os::unix::net::UnixStream;

    fn socket(s: std::os::unix::net::UnixStream) -> std::io::Result<Self::Socket> {
        Ok(s.into())
    }
}

// `rtbench serve` reads and writes HTTP through the futures I/O traits.
async_driver::http_io_by_futures_traits!(async_std::net::TcpStream);
