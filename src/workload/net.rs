//! Real I/O: each task opens a TCP connection to the latency server, makes `--calls`
//! requests, each naming a wait drawn from `--latency` (the same draws as `io`'s, so a
//! task's socket waits equal its timer waits there), reads each reply and closes. The
//! connection's last request asks the server to close first, and the task reads that end
//! of stream before closing its side, so no client port is left in TIME_WAIT.
//!
//! The replies go into the task's checksum: a lost, truncated or mixed-up reply fails the
//! cell. An OS refusal or a server gone is the cell's failure ([`TaskFailure`]), named with
//! the limit behind it.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::ideal::{Capacity, TaskCosts};
use super::io::Io;
use super::rng::mix64;
use super::{Step, TaskPlan, Workload, WorkloadKind, WorkloadSpec};
use crate::netserver::{self, Request, decode_reply};

/// The `net` workload: calls to the latency server over TCP.
#[derive(Debug, Clone, Copy)]
pub struct Net;

impl Workload for Net {
    fn kind(&self) -> WorkloadKind {
        WorkloadKind::Net
    }

    fn name(&self) -> &'static str {
        "net"
    }

    fn description(&self) -> &'static str {
        "each task opens a TCP connection to the latency server and makes --calls requests, \
         each answered after a wait drawn from --latency"
    }

    /// `io`'s plans with every wait made a call: the same delays, task by task.
    fn plans(&self, spec: &WorkloadSpec) -> Vec<TaskPlan> {
        Io.plans(spec)
            .into_iter()
            .map(|p| {
                let calls = p
                    .steps
                    .iter()
                    .map(|s| match *s {
                        Step::Wait(d) => Step::Call(d),
                        other => other,
                    })
                    .collect();
                TaskPlan::new(calls)
            })
            .collect()
    }

    /// As for `io`: a call holds no thread of an async runtime while it waits.
    fn ideal_seconds(&self, costs: &TaskCosts, cap: Capacity) -> f64 {
        Io.ideal_seconds(costs, cap)
    }
}

/// Where a run's calls go: the latency server's address and its reply size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetTarget {
    /// The server's address (127.0.0.1 and an ephemeral port).
    pub addr: SocketAddr,
    /// Bytes in each reply.
    pub payload: usize,
}

/// How a task's failure is classed in a cell's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// The OS refused a descriptor, a port or a connection: a limit, named in the message.
    OsLimit,
    /// Anything else: the server gone, a reset, a malformed reply.
    Io,
}

/// Why a task could not do its work, as the cell reports it (a worker process sends it back
/// to its parent, so it is plain data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskFailure {
    /// The class.
    pub kind: FailureKind,
    /// What happened, with the limit behind it.
    pub message: String,
}

impl std::fmt::Display for TaskFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<netserver::Error> for TaskFailure {
    fn from(e: netserver::Error) -> TaskFailure {
        let kind = match e {
            netserver::Error::OpenFiles { .. }
            | netserver::Error::PortsExhausted { .. }
            | netserver::Error::Refused { .. } => FailureKind::OsLimit,
            _ => FailureKind::Io,
        };
        TaskFailure {
            kind,
            message: e.to_string(),
        }
    }
}

/// The token of call `step` of task `index`: distinct for every call of a run (a bijection
/// of the pair), so no two calls expect the same reply.
pub fn call_token(index: usize, step: usize) -> u64 {
    mix64(((index as u64) << 32) ^ step as u64 ^ 0x0CA1_1000_0000_0000)
}

/// A call's contribution to its task's checksum: the reply's word and the delay asked.
pub(crate) fn call_digest(delay: Duration, reply_word: u64) -> u64 {
    mix64(reply_word ^ (delay.as_nanos() as u64).rotate_left(17) ^ 0xCA11_0000_0000_0000)
}

/// One task's calls, the part every runtime family shares: the request frames, the reply
/// buffer, and the checks of what came back. A family supplies only the connection and the
/// exchange (write the request, read until the buffer is full or the stream ends).
pub(crate) struct Caller {
    target: NetTarget,
    /// The reply buffer, `payload` bytes, reused by every call of the task.
    pub(crate) reply: Vec<u8>,
}

impl Caller {
    pub(crate) fn new(target: NetTarget) -> Caller {
        Caller {
            target,
            reply: vec![0; target.payload],
        }
    }

    /// The server's address.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.target.addr
    }

    /// The frame of call `step` of task `index`.
    pub(crate) fn request(index: usize, step: usize, delay: Duration, last: bool) -> [u8; 16] {
        let request = Request::new(delay, call_token(index, step));
        if last { request.last() } else { request }.encode()
    }

    /// A connect's failure, classed.
    pub(crate) fn connect_failed(&self, e: io::Error) -> TaskFailure {
        netserver::Error::io("connecting to the latency server", Some(self.addr()), e).into()
    }

    /// An exchange's failure, classed.
    pub(crate) fn exchange_failed(&self, e: io::Error) -> TaskFailure {
        netserver::Error::io("calling the latency server", Some(self.addr()), e).into()
    }

    /// The reply word, if `got` bytes made a whole, well-formed reply.
    pub(crate) fn word(&self, got: usize) -> Result<u64, TaskFailure> {
        if got < self.reply.len() {
            return Err(netserver::Error::Closed {
                got,
                want: self.reply.len(),
            }
            .into());
        }
        decode_reply(&self.reply).ok_or_else(|| netserver::Error::Malformed.into())
    }

    /// After the last reply: the read that followed must have met the server's end.
    pub(crate) fn closed(got: io::Result<usize>) -> Result<(), TaskFailure> {
        match got {
            Ok(0) => Ok(()),
            Ok(_) => Err(netserver::Error::Trailing.into()),
            Err(e) => Err(netserver::Error::io("waiting for the server to close", None, e).into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::Latency;

    #[test]
    fn net_plans_are_ios_waits_made_calls() {
        let mut spec = WorkloadSpec::io(
            50,
            Latency::Uniform(Duration::from_millis(1), Duration::from_millis(9)),
        );
        spec.calls = 3;
        let io = Io.plans(&spec);
        let net = Net.plans(&spec);
        assert_eq!(io.len(), net.len());
        for (a, b) in io.iter().zip(&net) {
            let waits: Vec<_> = a
                .steps
                .iter()
                .map(|s| match s {
                    Step::Wait(d) => *d,
                    _ => panic!(),
                })
                .collect();
            let calls: Vec<_> = b
                .steps
                .iter()
                .map(|s| match s {
                    Step::Call(d) => *d,
                    _ => panic!(),
                })
                .collect();
            assert_eq!(waits, calls);
        }
    }

    #[test]
    fn call_tokens_are_distinct_within_a_run() {
        let tokens: std::collections::HashSet<u64> = (0..200)
            .flat_map(|i| (0..50).map(move |k| call_token(i, k)))
            .collect();
        assert_eq!(tokens.len(), 200 * 50);
    }

    #[test]
    fn os_refusals_are_classed_as_limits() {
        let os = |code| io::Error::from_raw_os_error(code);
        let caller = Caller::new(NetTarget {
            addr: "127.0.0.1:9".parse().unwrap(),
            payload: 16,
        });
        assert_eq!(
            caller.connect_failed(os(libc::EMFILE)).kind,
            FailureKind::OsLimit
        );
        assert!(
            caller
                .connect_failed(os(libc::EMFILE))
                .message
                .contains("ulimit -n")
        );
        assert_eq!(
            caller.connect_failed(os(libc::ECONNREFUSED)).kind,
            FailureKind::OsLimit
        );
        assert_eq!(
            caller.exchange_failed(os(libc::ECONNRESET)).kind,
            FailureKind::Io
        );
        assert!(caller.word(3).is_err(), "a short reply fails");
        assert!(Caller::closed(Ok(1)).is_err() && Caller::closed(Ok(0)).is_ok());
    }
}
