//! The service experiment (claims C06, C15) on the async runtimes: each call a task spawned
//! from inside the runtime, behind the client's limiter (async-lock's semaphore on every
//! runtime, so only the scheduling differs), against the in-process model or, given a
//! server, the latency server in capacity mode over TCP through the runtime's own sockets.

use std::marker::PhantomData;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::RuntimeError;
use super::async_driver::{AsyncRt, Timer};
use crate::workload::service::{
    Aimd, ClientLimit, Service, ServiceOutcome, ServiceSpec, attempt_over_tcp,
};
use crate::workload::{NetTarget, TaskFailure};

/// Where the calls go, and who counts them.
enum Backend {
    /// The in-process model, which counts what it admits and rejects.
    Model(Service),
    /// The latency server in capacity mode: the client counts what the replies said.
    Tcp {
        /// The server's address and reply size.
        server: NetTarget,
        /// Served replies.
        accepted: AtomicUsize,
        /// Busy replies.
        rejected: AtomicUsize,
    },
}

impl Backend {
    /// One attempt (the `attempt`-th, from 0) of call `call`: true if accepted, once its
    /// latency has passed; false if rejected.
    async fn attempt<R: AsyncRt>(
        &self,
        spec: &ServiceSpec,
        call: usize,
        attempt: usize,
    ) -> Result<bool, TaskFailure> {
        match self {
            Backend::Model(service) => {
                let ticket = service.admit();
                let accepted = ticket.is_some();
                if accepted {
                    R::sleep(spec.latency).await;
                }
                drop(ticket);
                Ok(accepted)
            }
            Backend::Tcp {
                server,
                accepted,
                rejected,
            } => {
                let steps = Timer::<R>(PhantomData);
                let taken = attempt_over_tcp(steps, *server, call, attempt, spec.latency).await?;
                if taken { accepted } else { rejected }.fetch_add(1, Ordering::SeqCst);
                Ok(taken)
            }
        }
    }

    /// Attempts accepted and rejected so far.
    fn counts(&self) -> (usize, usize) {
        match self {
            Backend::Model(service) => (service.accepted(), service.rejected()),
            Backend::Tcp {
                accepted, rejected, ..
            } => (
                accepted.load(Ordering::SeqCst),
                rejected.load(Ordering::SeqCst),
            ),
        }
    }
}

/// Calls against the rate-limited service from spawned tasks, behind the client's limiter:
/// the in-process model, or the latency server at `server` over TCP. A call's failure (a
/// refused connection, a wrong reply) fails the run once every task has ended.
pub async fn service_run<R: AsyncRt>(
    rt: R,
    spec: ServiceSpec,
    server: Option<NetTarget>,
) -> Result<ServiceOutcome, RuntimeError> {
    let backend = Arc::new(match server {
        None => Backend::Model(Service::new(spec.capacity)),
        Some(server) => Backend::Tcp {
            server,
            accepted: AtomicUsize::new(0),
            rejected: AtomicUsize::new(0),
        },
    });
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
            let (backend, limiter, aimd) = (Arc::clone(&backend), limiter.clone(), aimd.clone());
            rt.spawn(async move {
                let delay = spec.arrival(i);
                if !delay.is_zero() {
                    R::sleep(delay).await;
                }
                for attempt in 0.. {
                    let permit = match &limiter {
                        Some(s) => Some(s.acquire_arc().await),
                        None => None,
                    };
                    let accepted = backend.attempt::<R>(&spec, i, attempt).await;
                    let taken = accepted.as_ref().is_ok_and(|a| *a);
                    release(permit, limiter.as_deref(), aimd.as_deref(), taken);
                    match (accepted?, spec.retry_after) {
                        (true, _) => return Ok(true),
                        (false, None) => return Ok(false),
                        (false, Some(pause)) => R::sleep(pause).await,
                    }
                }
                unreachable!("a call retries until it is accepted")
            })
        })
        .collect();
    let mut completed = 0;
    let mut failure: Option<TaskFailure> = None;
    for h in handles {
        match h.await? {
            Ok(done) => completed += usize::from(done),
            Err(f) => {
                failure.get_or_insert(f);
            }
        }
    }
    if let Some(f) = failure {
        return Err(RuntimeError::Task(f));
    }
    let (accepted, rejected) = backend.counts();
    Ok(ServiceOutcome {
        accepted,
        rejected,
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
