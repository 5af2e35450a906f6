//! One HTTP connection, the same loop for every model: read, parse (requests sent ahead
//! are answered in order), answer, until the client closes, asks to close, or sends what
//! is not HTTP (400, then close). An I/O error ends this connection and nothing else.

use std::future::Future;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::Ordering;

use super::handler::{ServeCtx, respond};
use super::wire::{Parsed, Response, parse_request};
use crate::workload::{AsyncSteps, StdSteps};

/// A connection's bytes in a model's own idiom (blocking std::net, or a runtime's socket).
pub trait HttpIo: Send {
    /// Reads some bytes; 0 at the end of stream.
    fn read<'a>(
        &'a mut self,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a;
    /// Writes all of `buf`.
    fn write_all<'a>(
        &'a mut self,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a;
}

/// Blocking std::net, awaited: the future never pends (see `StdSteps`).
impl HttpIo for TcpStream {
    async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match Read::read(self, buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                other => return other,
            }
        }
    }

    async fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        Write::write_all(self, buf)
    }
}

/// Serves one connection to its end on this thread, blocking: the handler's future through
/// blocking std::net and `StdSteps` never pends, so it is polled once, to completion.
pub fn serve_connection_blocking(stream: TcpStream, ctx: &ServeCtx) {
    let mut future = std::pin::pin!(serve_connection(StdSteps, stream, ctx));
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(()) => {}
        std::task::Poll::Pending => unreachable!("blocking steps and std::net never pend"),
    }
}

/// Serves one connection to its end; counts it, and counts it broken if it ended in an
/// I/O error.
pub async fn serve_connection<S: AsyncSteps, C: HttpIo>(steps: S, mut io: C, ctx: &ServeCtx) {
    ctx.counters.connections.fetch_add(1, Ordering::Relaxed);
    if run(steps, &mut io, ctx).await.is_err() {
        ctx.counters.broken.fetch_add(1, Ordering::Relaxed);
    }
}

async fn run<S: AsyncSteps, C: HttpIo>(steps: S, io: &mut C, ctx: &ServeCtx) -> io::Result<()> {
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    let mut backend: Option<S::Conn> = None;
    loop {
        match parse_request(&buf) {
            Parsed::Complete(req) => {
                let resp = respond(steps, ctx, &req, &mut backend).await;
                io.write_all(&resp.encode(req.keep_alive, req.method == "HEAD"))
                    .await?;
                buf.drain(..req.len);
                if !req.keep_alive {
                    return Ok(());
                }
            }
            Parsed::Bad(reason) => {
                ctx.counters.refused.fetch_add(1, Ordering::Relaxed);
                let resp = Response::text(400, format!("{reason}\n"));
                return io.write_all(&resp.encode(false, false)).await;
            }
            Parsed::Partial => {
                let n = io.read(&mut chunk).await?;
                if n == 0 {
                    return Ok(());
                }
                buf.extend_from_slice(&chunk[..n]);
            }
        }
    }
}
