//! The latency server a `net` run calls, started for the run from the rtbench binary (the
//! same one worker processes start from), and the run's work aimed at it; and the service
//! experiment over TCP, against a server in capacity mode started for it.

use super::processes::worker_exe;
use super::{Instance, RuntimeError};
use crate::netserver::{Counts, LatencyServer, Options};
use crate::workload::service::{ServiceOutcome, ServiceSpec, Transport};
use crate::workload::{NetTarget, Work, WorkloadKind, WorkloadSpec};

/// A latency server for `spec`'s calls, if its workload makes any: replies of
/// `spec.payload` bytes, a listen backlog asked to cover every task (the kernel clamps it
/// to somaxconn, which the error of a refused connection names).
pub fn server_for(spec: &WorkloadSpec) -> Result<Option<LatencyServer>, RuntimeError> {
    if spec.kind != WorkloadKind::Net {
        return Ok(None);
    }
    let options = Options {
        payload: spec.payload,
        backlog: u32::try_from(spec.tasks).unwrap_or(u32::MAX),
        capacity: None,
    };
    start_server(options).map(Some)
}

/// A latency server with these options, from the rtbench binary.
pub fn start_server(options: Options) -> Result<LatencyServer, RuntimeError> {
    LatencyServer::start_with(&worker_exe()?, options).map_err(RuntimeError::Server)
}

/// The work of `spec`: its plans, aimed at `server` when there is one.
pub fn work_for(spec: &WorkloadSpec, server: Option<&LatencyServer>) -> Work {
    let work = Work::new(spec.plans());
    match server {
        Some(s) => work.aimed_at(NetTarget {
            addr: s.addr(),
            payload: s.payload(),
        }),
        None => work,
    }
}

/// The service experiment `spec` on `instance`: against the in-process model, or over TCP
/// against a latency server in capacity mode (`spec.capacity`) started for this run alone.
/// Over TCP, what the client saw (served and busy replies) must equal what the server
/// counted (taken and turned away), or the run fails as a verification error.
pub fn service(
    instance: &mut dyn Instance,
    spec: &ServiceSpec,
) -> Result<ServiceOutcome, RuntimeError> {
    if spec.transport == Transport::InProcess {
        return instance.service(spec, None);
    }
    let options = Options {
        backlog: u32::try_from(spec.calls).unwrap_or(u32::MAX),
        capacity: Some(spec.capacity),
        ..Options::default()
    };
    let mut server =
        LatencyServer::start_with(&worker_exe()?, options).map_err(RuntimeError::Server)?;
    let target = NetTarget {
        addr: server.addr(),
        payload: server.payload(),
    };
    let outcome = instance.service(spec, Some(target))?;
    let counted = server.counts().map_err(RuntimeError::Server)?;
    agree(&outcome, counted)?;
    Ok(outcome)
}

/// The client's accepted and rejected calls against the server's counts.
fn agree(seen: &ServiceOutcome, counted: Counts) -> Result<(), RuntimeError> {
    let seen_pair = (seen.accepted as u64, seen.rejected as u64);
    if seen_pair == (counted.accepted, counted.rejected) {
        return Ok(());
    }
    Err(RuntimeError::Verification(format!(
        "over TCP the client saw {} calls served and {} busy, the latency server counted {} \
         taken and {} turned away",
        seen.accepted, seen.rejected, counted.accepted, counted.rejected
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_that_disagree_fail_the_run_naming_both() {
        let seen = ServiceOutcome {
            accepted: 10,
            rejected: 40,
            ..ServiceOutcome::default()
        };
        let same = Counts {
            accepted: 10,
            rejected: 40,
        };
        assert!(agree(&seen, same).is_ok());
        let other = Counts {
            accepted: 10,
            rejected: 39,
        };
        let e = agree(&seen, other).unwrap_err();
        assert_eq!(e.kind(), "verification");
        assert!(
            e.to_string().contains("40 busy") && e.to_string().contains("39"),
            "{e}"
        );
    }
}
