//! The notes' rate-limited "API": a call waits its latency; a call that arrives while
//! `capacity` calls are in flight is rejected at once. Counts accepted and rejected calls.
//! The limiters a client puts in front of it: none, a fixed semaphore, or an adaptive
//! (AIMD) one that grows its limit by one on success and halves it on rejection.
//!
//! The same API is served two ways ([`Transport`]): the in-process model ([`Service`],
//! waits on the runtime's timer), or the latency server in capacity mode over TCP, where
//! each attempt of a call is a request of its own ([`attempt_over_tcp`]) and a busy reply
//! is a rejection.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::net::{Caller, NetTarget, TaskFailure, call_token};
use super::rng::{SplitMix64, mix64};
use super::steps::AsyncSteps;
use crate::netserver::{self, ReplyKind, reply_kind};

/// The rate-limited service: capacity, calls in flight, and its counts.
#[derive(Debug, Default)]
pub struct Service {
    capacity: usize,
    in_flight: AtomicUsize,
    accepted: AtomicUsize,
    rejected: AtomicUsize,
}

impl Service {
    /// A service that takes `capacity` calls at once.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            ..Self::default()
        }
    }

    /// Admits the call if fewer than `capacity` are in flight; the ticket ends it on drop.
    pub fn admit(&self) -> Option<Ticket<'_>> {
        let before = self.in_flight.fetch_add(1, Ordering::SeqCst);
        if before >= self.capacity {
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            self.rejected.fetch_add(1, Ordering::SeqCst);
            None
        } else {
            self.accepted.fetch_add(1, Ordering::SeqCst);
            Some(Ticket(self))
        }
    }

    /// Calls admitted so far.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    /// Calls turned away so far.
    pub fn rejected(&self) -> usize {
        self.rejected.load(Ordering::SeqCst)
    }
}

/// An admitted call; dropping it frees its place.
pub struct Ticket<'a>(&'a Service);

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// How the client limits its calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClientLimit {
    /// Every call at once.
    Unbounded,
    /// At most N calls in flight.
    Semaphore(usize),
    /// AIMD: start at `start`, +1 per success up to `max`, halve on a rejection.
    Adaptive {
        /// The first limit.
        start: usize,
        /// The largest limit.
        max: usize,
    },
}

/// Where the calls of a service experiment go.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Transport {
    /// The in-process model, [`Service`]: an admitted call waits on the runtime's timer.
    #[default]
    InProcess,
    /// The latency server in capacity mode (capacity = the spec's), over TCP: each attempt
    /// a connection of its own, its request waiting the latency on the server.
    Tcp,
}

impl Transport {
    /// Both, in-process first.
    pub const ALL: [Transport; 2] = [Transport::InProcess, Transport::Tcp];
}

/// One experiment against the service.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ServiceSpec {
    /// Calls to make.
    pub calls: usize,
    /// Calls the service takes at once.
    pub capacity: usize,
    /// How long an admitted call takes.
    pub latency: Duration,
    /// The client's limiter.
    pub limit: ClientLimit,
    /// Call i starts at i * spread / calls after the run starts (0: all at once), or, with a
    /// `seed`, at a random moment within the spread.
    pub spread: Duration,
    /// A rejected call retries after this pause until accepted; None: it fails for good.
    pub retry_after: Option<Duration>,
    /// Arrivals at random moments within `spread`, drawn from this seed (None: evenly).
    #[serde(default)]
    pub seed: Option<u64>,
    /// Where the calls go: the in-process model or the latency server over TCP.
    #[serde(default)]
    pub transport: Transport,
}

impl ServiceSpec {
    /// `calls` calls released at once against `capacity`, each taking `latency`: no client
    /// limit, no retry, in-process (the base the claims' experiments adjust).
    pub fn at_once(calls: usize, capacity: usize, latency: Duration) -> ServiceSpec {
        ServiceSpec {
            calls,
            capacity,
            latency,
            limit: ClientLimit::Unbounded,
            spread: Duration::ZERO,
            retry_after: None,
            seed: None,
            transport: Transport::InProcess,
        }
    }

    /// When call `i` starts, after the run starts.
    pub fn arrival(&self, i: usize) -> Duration {
        let at = match self.seed {
            None => i as f64 / self.calls.max(1) as f64,
            Some(seed) => SplitMix64::new(seed ^ mix64(i as u64)).next_f64(),
        };
        self.spread.mul_f64(at)
    }
}

/// What the client saw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ServiceOutcome {
    /// Calls admitted (retries count each time).
    pub accepted: usize,
    /// Calls turned away (retries count each time).
    pub rejected: usize,
    /// Calls that finished accepted (with retries: all of them).
    pub completed: usize,
    /// Wall time from the first call to the last end.
    pub wall_seconds: f64,
    /// The adaptive limiter's limit at the end (0 for the others).
    pub final_limit: usize,
}

/// The adaptive limiter's bookkeeping: the current limit and the permits it still owes
/// back after a decrease (taken out of circulation as calls finish).
#[derive(Debug)]
pub struct Aimd {
    /// The current limit.
    pub limit: AtomicUsize,
    /// Permits still to take out of circulation after a decrease.
    pub owed: AtomicUsize,
    /// The largest limit.
    pub max: usize,
}

impl Aimd {
    /// A limiter at `start`, growing to at most `max`.
    pub fn new(start: usize, max: usize) -> Self {
        Self {
            limit: AtomicUsize::new(start),
            owed: AtomicUsize::new(0),
            max,
        }
    }

    /// After a success: +1 (returns true when a permit must be added).
    pub fn grow(&self) -> bool {
        self.limit
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |l| {
                (l < self.max).then_some(l + 1)
            })
            .is_ok()
    }

    /// After a rejection: halve, at least 1; the permits removed are owed.
    pub fn shrink(&self) {
        if let Ok(old) = self
            .limit
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |l| {
                (l > 1).then_some((l / 2).max(1))
            })
        {
            self.owed
                .fetch_add(old - (old / 2).max(1), Ordering::SeqCst);
        }
    }

    /// When a call releases its permit: true if the permit must be kept out (debt repaid).
    pub fn repay(&self) -> bool {
        self.owed
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |o| o.checked_sub(1))
            .is_ok()
    }
}

/// Attempt `attempt` of call `call` against the latency server in capacity mode at
/// `target`: a connection of its own, one request (waiting `latency` on the server, token
/// [`call_token`]`(call, attempt)`) marked last, so the server closes first and keeps the
/// TIME_WAIT; the client reads that end before closing its side. True when served, false
/// when busy; a reply that is neither of the token's, cut short or malformed, or the
/// connection refused, is the failure.
///
/// A connection per attempt, not per call: whether an attempt is a call's last is known
/// only from its reply, and the close-first protocol needs the last request marked before
/// it is sent (an extra closing request would itself pass the server's admission); a
/// connection per attempt also holds no socket through a retry's pause.
pub async fn attempt_over_tcp<W: AsyncSteps>(
    via: W,
    target: NetTarget,
    call: usize,
    attempt: usize,
    latency: Duration,
) -> Result<bool, TaskFailure> {
    let mut caller = Caller::new(target);
    let connected = via.connect(caller.addr()).await;
    let mut conn = connected.map_err(|e| caller.connect_failed(e))?;
    let frame = Caller::request(call, attempt, latency, true);
    let got = via.exchange(&mut conn, &frame, &mut caller.reply).await;
    let word = caller.word(got.map_err(|e| caller.exchange_failed(e))?)?;
    let mut end = [0u8; 1];
    Caller::closed(via.exchange(&mut conn, &[], &mut end).await)?;
    match reply_kind(call_token(call, attempt), word) {
        Some(ReplyKind::Served) => Ok(true),
        Some(ReplyKind::Busy) => Ok(false),
        None => Err(netserver::Error::WrongReply.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_over_capacity_and_frees_on_drop() {
        let s = Service::new(2);
        let a = s.admit();
        let b = s.admit();
        assert!(a.is_some() && b.is_some());
        assert!(s.admit().is_none());
        drop(a);
        assert!(s.admit().is_some());
        assert_eq!((s.accepted(), s.rejected()), (3, 1));
    }

    #[test]
    fn aimd_grows_by_one_and_halves() {
        let a = Aimd::new(4, 5);
        assert!(a.grow());
        assert!(!a.grow(), "capped at max");
        a.shrink();
        assert_eq!(a.limit.load(Ordering::SeqCst), 2);
        assert_eq!(a.owed.load(Ordering::SeqCst), 3);
        assert!(a.repay() && a.repay() && a.repay() && !a.repay());
    }
}
