//! The one request handler every server model runs: routes a request, does a `/task`'s
//! work through the model's own steps (its timer, or its sockets to the latency server),
//! then computes, and answers with the checksum of that work.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::task::{Route, TaskQuery, task_body};
use super::wire::{Request, Response};
use crate::measure::monotonic_nanos;
use crate::netserver::{self, expected_reply_word};
use crate::workload::AsyncSteps;
use crate::workload::cpu::factorial_digest;

/// Where a `/task`'s waits go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The model's own timer.
    Timer,
    /// A call to the latency server over TCP, one connection per HTTP connection, kept
    /// for its life (as a handler keeps a database connection).
    Socket {
        /// The latency server.
        addr: SocketAddr,
        /// Bytes of each reply.
        payload: usize,
    },
}

impl Backend {
    /// `timer` or `socket`, as `--backend` takes it.
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Timer => "timer",
            Backend::Socket { .. } => "socket",
        }
    }
}

/// A stall injected for the self-check: every `/task` arriving in the window is held to
/// its end, as a paused server would hold it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stall {
    /// When the window opens, on CLOCK_MONOTONIC ([`monotonic_nanos`]), which every
    /// process of the machine shares, so pre-forked workers stall together.
    pub at_nanos: u64,
    /// How long it stays open.
    pub lasts: Duration,
}

impl Stall {
    /// A window opening `after` from now.
    pub fn after(after: Duration, lasts: Duration) -> Stall {
        Stall {
            at_nanos: monotonic_nanos() + after.as_nanos() as u64,
            lasts,
        }
    }

    /// How long a request arriving now is held: until the window's end, if it is open.
    pub fn hold(&self) -> Option<Duration> {
        let now = monotonic_nanos();
        let end = self.at_nanos + self.lasts.as_nanos() as u64;
        (now >= self.at_nanos && now < end).then(|| Duration::from_nanos(end - now))
    }
}

/// What the server has done since it started: `/rtbench/info` reports these.
#[derive(Debug, Default)]
pub struct Counters {
    /// Requests answered 200.
    pub served: AtomicU64,
    /// Requests answered 400, 404 or 405.
    pub refused: AtomicU64,
    /// `/task`s whose backend call failed (502).
    pub backend_errors: AtomicU64,
    /// Connections that ended with an I/O error (a client gone mid-request).
    pub broken: AtomicU64,
    /// Connections accepted.
    pub connections: AtomicU64,
}

impl Counters {
    /// `served refused backend_errors broken connections`, as JSON fields.
    pub fn json(&self) -> String {
        format!(
            "\"served\":{},\"refused\":{},\"backend_errors\":{},\"broken\":{},\"connections\":{}",
            self.served.load(Ordering::Relaxed),
            self.refused.load(Ordering::Relaxed),
            self.backend_errors.load(Ordering::Relaxed),
            self.broken.load(Ordering::Relaxed),
            self.connections.load(Ordering::Relaxed)
        )
    }
}

/// What every connection of a server shares.
#[derive(Debug)]
pub struct ServeCtx {
    /// Where waits go.
    pub backend: Backend,
    /// `/rtbench/info`'s JSON object, without the counters (added at each ask).
    pub info: String,
    /// The injected stall, if any.
    pub stall: Option<Stall>,
    /// Counts since the start.
    pub counters: Counters,
}

impl ServeCtx {
    /// A context with no stall and zero counts; `info` is a JSON object's text.
    pub fn new(backend: Backend, info: String) -> ServeCtx {
        ServeCtx {
            backend,
            info,
            stall: None,
            counters: Counters::default(),
        }
    }

    fn count(&self, counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// `/rtbench/info`'s body: the info object with the counters added.
    pub fn info_body(&self) -> String {
        let info = self.info.trim_end();
        let inner = info.strip_suffix('}').unwrap_or(info);
        let sep = if inner.trim_end().ends_with('{') {
            ""
        } else {
            ","
        };
        format!("{inner}{sep}\"counters\":{{{}}}}}\n", self.counters.json())
    }
}

/// Answers one request: `/task` does its work through `steps`, keeping its backend
/// connection in `backend` between requests of one HTTP connection.
pub async fn respond<S: AsyncSteps>(
    steps: S,
    ctx: &ServeCtx,
    req: &Request,
    backend: &mut Option<S::Conn>,
) -> Response {
    if req.method != "GET" && req.method != "HEAD" {
        ctx.count(&ctx.counters.refused);
        return Response::text(
            405,
            format!("method {} not accepted; accepted: GET, HEAD\n", req.method),
        );
    }
    let query = match Route::of(&req.target) {
        Route::Task(q) => q,
        Route::Info => {
            ctx.count(&ctx.counters.served);
            return Response::json(ctx.info_body());
        }
        Route::BadQuery(e) => {
            ctx.count(&ctx.counters.refused);
            return Response::text(400, format!("{e}\n"));
        }
        Route::NotFound => {
            ctx.count(&ctx.counters.refused);
            return Response::text(
                404,
                "not found; try /task?wait=10ms&compute=1000&calls=1 or /rtbench/info\n",
            );
        }
    };
    if let Some(hold) = ctx.stall.and_then(|s| s.hold()) {
        steps.wait(hold).await;
    }
    if let Err(e) = work(steps, ctx.backend, &query, backend).await {
        ctx.count(&ctx.counters.backend_errors);
        *backend = None;
        return Response::text(502, format!("backend call failed: {e}\n"));
    }
    let digest = factorial_digest(query.compute);
    ctx.count(&ctx.counters.served);
    Response::text(200, task_body(query.checksum(digest)))
}

/// The query's waits, one after another.
async fn work<S: AsyncSteps>(
    steps: S,
    to: Backend,
    q: &TaskQuery,
    backend: &mut Option<S::Conn>,
) -> Result<(), String> {
    for call in 0..q.calls {
        let Backend::Socket { addr, payload } = to else {
            steps.wait(q.wait).await;
            continue;
        };
        if backend.is_none() {
            let conn = steps
                .connect(addr)
                .await
                .map_err(|e| format!("connecting to {addr}: {e}"))?;
            *backend = Some(conn);
        }
        let conn = backend.as_mut().expect("connected above");
        let token = q.call_token(call);
        let frame = netserver::Request::new(q.wait, token).encode();
        let mut reply = vec![0u8; payload];
        let got = steps
            .exchange(conn, &frame, &mut reply)
            .await
            .map_err(|e| e.to_string())?;
        if got < payload {
            return Err(format!(
                "the latency server closed after {got} of {payload} bytes"
            ));
        }
        if netserver::decode_reply(&reply) != Some(expected_reply_word(token)) {
            return Err("the latency server's reply is not this request's".into());
        }
    }
    Ok(())
}
