//! `tokio`: the multi-thread runtime with `worker_threads` pinned to `--workers`.
//! Also holds the tokio idioms (`tokio::spawn`, `tokio::time::sleep`, `tokio::sync::Semaphore`,
//! `tokio::net::TcpStream`) that `tokio-current-thread` reuses.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use super::async_driver::{AsyncInstance, AsyncRt};
use super::family::AsyncRuntime;
use super::{Instance, RuntimeError, Setup};

/// The `tokio` adapter.
pub struct Tokio;

impl AsyncRuntime for Tokio {
    const NAME: &'static str = "tokio";

    fn start_async(&self, setup: &Setup) -> Result<Box<dyn Instance>, RuntimeError> {
        TokioInstance::build(
            tokio::runtime::Builder::new_multi_thread().worker_threads(setup.workers),
            Self::NAME,
            setup,
        )
    }
}

impl TokioInstance {
    /// Builds a runtime of either flavour (timer and I/O driver enabled) for `setup`.
    pub(super) fn build(
        builder: &mut tokio::runtime::Builder,
        name: &'static str,
        setup: &Setup,
    ) -> Result<Box<dyn Instance>, RuntimeError> {
        let rt = builder
            .enable_all()
            .build()
            .map_err(|source| RuntimeError::Start {
                runtime: name,
                source,
            })?;
        Ok(Box::new(TokioInstance {
            rt,
            limit: setup.limit,
            variant: setup.variant,
        }))
    }
}

/// A built tokio runtime (either flavour) ready to run cells.
pub(super) struct TokioInstance {
    pub(super) rt: tokio::runtime::Runtime,
    pub(super) limit: crate::limit::Limit,
    pub(super) variant: super::Variant,
}

impl AsyncInstance for TokioInstance {
    type Rt = TokioRt;

    fn rt(&self) -> TokioRt {
        TokioRt
    }

    fn setup(&self) -> (crate::limit::Limit, super::Variant) {
        (self.limit, self.variant)
    }

    fn block_on_task<T: Send + 'static>(
        &mut self,
        root: impl Future<Output = T> + Send + 'static,
    ) -> Result<T, RuntimeError> {
        // Run the root as a task so its spawns land on a worker's own queue.
        self.rt.block_on(async { TokioRt.spawn(root).await })
    }
}

#[derive(Clone, Copy)]
pub(super) struct TokioRt;

pub(super) struct TokioJoin<T>(tokio::task::JoinHandle<T>);

impl<T> Future for TokioJoin<T> {
    type Output = Result<T, RuntimeError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0)
            .poll(cx)
            .map_err(|e| match e.try_into_panic() {
                Ok(payload) => RuntimeError::TaskPanicked(super::panic_message(payload)),
                Err(e) => RuntimeError::TaskPanicked(e.to_string()),
            })
    }
}

impl AsyncRt for TokioRt {
    type Join<T: Send + 'static> = TokioJoin<T>;
    type Semaphore = tokio::sync::Semaphore;
    type Permit = tokio::sync::OwnedSemaphorePermit;

    fn spawn<T, F>(&self, future: F) -> TokioJoin<T>
    where
        T: Send + 'static,
        F: Future<Output = T> + Send + 'static,
    {
        TokioJoin(tokio::spawn(future))
    }

    fn sleep(d: Duration) -> impl Future<Output = ()> + Send + 'static {
        tokio::time::sleep(d)
    }

    async fn unblock<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        // A panic in the blocking call surfaces as the task's own panic.
        match tokio::task::spawn_blocking(f).await {
            Ok(v) => v,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }

    type Stream = tokio::net::TcpStream;

    async fn connect(addr: SocketAddr) -> io::Result<tokio::net::TcpStream> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(stream)
    }

    async fn exchange(
        stream: &mut tokio::net::TcpStream,
        request: &[u8],
        reply: &mut [u8],
    ) -> io::Result<usize> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
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

    type Listener = tokio::net::TcpListener;

    fn listener(l: std::net::TcpListener) -> io::Result<tokio::net::TcpListener> {
        tokio::net::TcpListener::from_std(l)
    }

    async fn accept(l: &tokio::net::TcpListener) -> io::Result<tokio::net::TcpStream> {
        let (stream, _) = l.accept().await?;
        stream.set_nodelay(true)?;
        Ok(stream)
    }

    fn semaphore(permits: usize) -> Arc<Self::Semaphore> {
        Arc::new(tokio::sync::Semaphore::new(permits))
    }

    async fn acquire(semaphore: Arc<Self::Semaphore>) -> Self::Permit {
        semaphore
            .acquire_owned()
            .await
            .expect("the run never closes its semaphore")
    }

    // The I/O brigade's socket: tokio::net, on the runtime's I/O driver.

    type Socket = TokioSocket;

    fn socket(s: std::os::unix::net::UnixStream) -> std::io::Result<Self::Socket> {
        s.set_nonblocking(true)?;
        tokio::net::UnixStream::from_std(s).map(TokioSocket)
    }
}

/// `rtbench serve` reads and writes HTTP through tokio's own I/O traits.
impl crate::http::HttpIo for tokio::net::TcpStream {
    fn read<'a>(
        &'a mut self,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a {
        tokio::io::AsyncReadExt::read(self, buf)
    }

    fn write_all<'a>(
        &'a mut self,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a {
        tokio::io::AsyncWriteExt::write_all(self, buf)
    }
}

/// A tokio socket read and written through tokio's own I/O traits (smol's and async-std's
/// share the futures ones, which `brigade_io::Socket` takes as they are).
pub(super) struct TokioSocket(tokio::net::UnixStream);

impl super::brigade_io::Socket for TokioSocket {
    fn read<'a>(
        &'a mut self,
        buf: &'a mut [u8],
    ) -> impl Future<Output = std::io::Result<usize>> + Send + 'a {
        tokio::io::AsyncReadExt::read(&mut self.0, buf)
    }

    fn write<'a>(
        &'a mut self,
        buf: &'a [u8],
    ) -> impl Future<Output = std::io::Result<usize>> + Send + 'a {
        tokio::io::AsyncWriteExt::write(&mut self.0, buf)
    }
}
