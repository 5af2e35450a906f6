//! `rtbench serve`: each model's accept loop. Every model runs the one connection loop and
//! handler of [`crate::http`]; a model adds only how a connection gets a unit: a task of
//! its runtime (the async runtimes, here, through [`AsyncRt`]), a thread of its own
//! (`threads`), a pool's worker (`crossbeam-pool`), or a pre-forked process (`processes`).

use std::io;
use std::marker::PhantomData;
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use super::RuntimeError;
use super::async_driver::{AsyncRt, Timer};
use crate::http::{ServeCtx, serve_connection};

/// Told once a server can take connections (from whichever thread gets there).
pub type Ready = Box<dyn FnOnce() + Send>;

/// How long an accept loop backs off after the OS refused a connection a descriptor (or
/// any refusal that passes), so a full table does not spin the loop.
pub const ACCEPT_BACKOFF: Duration = Duration::from_millis(10);

/// Whether an accept error is one a server lives through: out of descriptors or memory for
/// now, a connection reset before it was taken, a signal.
pub fn transient(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(
            libc::EMFILE
                | libc::ENFILE
                | libc::ENOBUFS
                | libc::ENOMEM
                | libc::ECONNABORTED
                | libc::EINTR
                | libc::EPROTO
        )
    )
}

/// The error that ends a server: its listener failed.
pub fn accept_failed(e: io::Error) -> RuntimeError {
    RuntimeError::Http(format!("accepting connections failed: {e}"))
}

/// Says once on stderr that the OS refused connections for a while (and why): the server
/// lives on, the refused clients see their connections wait in the backlog.
pub fn note_refusal(e: &io::Error, noted: &mut bool) {
    if !*noted {
        eprintln!(
            "rtbench serve: accept refused ({e}); backing off {ACCEPT_BACKOFF:?} each time (raise `ulimit -n` if this is EMFILE)"
        );
        *noted = true;
    }
}

/// The blocking accept loop of `threads`, `crossbeam-pool` and a pre-forked worker: each
/// connection (Nagle off) handed to `take`; returns only when the listener fails or `take`
/// cannot go on, with that error.
pub fn accept_blocking(
    listener: &TcpListener,
    mut take: impl FnMut(TcpStream) -> Result<(), RuntimeError>,
) -> RuntimeError {
    let mut noted = false;
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                let _ = stream.set_nodelay(true);
                if let Err(e) = take(stream) {
                    return e;
                }
            }
            Err(e) if transient(&e) => {
                note_refusal(&e, &mut noted);
                std::thread::sleep(ACCEPT_BACKOFF);
            }
            Err(e) => return accept_failed(e),
        }
    }
}

/// An async runtime's server: one accept loop task; each connection a task of its own,
/// waiting on the runtime's timer and sockets. Returns only when the listener fails.
pub async fn serve_async<R: AsyncRt>(
    rt: R,
    listener: TcpListener,
    ctx: Arc<ServeCtx>,
    ready: Ready,
) -> Result<(), RuntimeError> {
    listener
        .set_nonblocking(true)
        .map_err(|e| RuntimeError::Http(format!("the listener: {e}")))?;
    let listener = R::listener(listener)
        .map_err(|e| RuntimeError::Http(format!("registering the listener: {e}")))?;
    let mut noted = false;
    ready();
    loop {
        match R::accept(&listener).await {
            Ok(stream) => {
                let ctx = Arc::clone(&ctx);
                R::detach(rt.spawn(async move {
                    serve_connection(Timer::<R>(PhantomData), stream, &ctx).await;
                }));
            }
            Err(e) if transient(&e) => {
                note_refusal(&e, &mut noted);
                R::sleep(ACCEPT_BACKOFF).await;
            }
            Err(e) => return Err(accept_failed(e)),
        }
    }
}
