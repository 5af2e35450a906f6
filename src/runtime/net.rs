//! The latency server a `net` run calls, started for the run from the rtbench binary (the
//! same one worker processes start from), and the run's work aimed at it.

use super::RuntimeError;
use super::processes::worker_exe;
use crate::netserver::{LatencyServer, Options};
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
    LatencyServer::start_with(&worker_exe()?, options)
        .map(Some)
        .map_err(RuntimeError::Server)
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
