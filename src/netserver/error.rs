//! What can go wrong between a client, the latency server and the process that started it.
//! The OS refusals a run of many connections meets carry the limit that caused them, with
//! its value now: EMFILE the open-files limit, EADDRNOTAVAIL the ephemeral port range,
//! ECONNREFUSED the listen backlog.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use thiserror::Error;

use crate::measure::os_limits::Limits;

/// An error of the latency server, its handle or a client.
#[derive(Debug, Error)]
pub enum Error {
    /// EMFILE or ENFILE: no descriptor left for a socket.
    #[error(
        "{what}: too many open files ({source}); each connection holds a descriptor: raise \
         `ulimit -n` (soft {soft}, hard {hard})"
    )]
    OpenFiles {
        /// What was being done.
        what: &'static str,
        /// The OS error.
        source: io::Error,
        /// The soft RLIMIT_NOFILE now.
        soft: String,
        /// The hard RLIMIT_NOFILE now.
        hard: String,
    },
    /// EADDRNOTAVAIL: no ephemeral port left for a client connection.
    #[error(
        "{what}: no local port free ({source}); the ephemeral ports in \
         net.ipv4.ip_local_port_range ({range}) are taken, often by connections in TIME_WAIT"
    )]
    PortsExhausted {
        /// What was being done.
        what: &'static str,
        /// The OS error.
        source: io::Error,
        /// The port range now, `low-high`.
        range: String,
    },
    /// ECONNREFUSED: the server's accept queue was full, or the server is gone.
    #[error(
        "{what}: connection to {addr} refused ({source}); the server's listen backlog is \
         full (it is clamped to net.core.somaxconn = {somaxconn}) or the server has exited"
    )]
    Refused {
        /// What was being done.
        what: &'static str,
        /// The server's address.
        addr: SocketAddr,
        /// The OS error.
        source: io::Error,
        /// net.core.somaxconn now.
        somaxconn: String,
    },
    /// Any other I/O error.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// The OS error.
        source: io::Error,
    },
    /// The server closed a connection before the whole reply came.
    #[error("the latency server closed the connection after {got} of {want} reply bytes")]
    Closed {
        /// Reply bytes received.
        got: usize,
        /// Reply bytes expected.
        want: usize,
    },
    /// Bytes where the server's end of stream was due, after a last request's reply.
    #[error("the latency server sent bytes after the last reply instead of closing")]
    Trailing,
    /// A reply whose filler does not match its word: not a reply of this protocol.
    #[error("a malformed reply from the latency server (its filler disagrees with its word)")]
    Malformed,
    /// A well-formed reply whose word is neither the served nor the busy word of the
    /// request's token: the reply to another request.
    #[error(
        "a reply from the latency server to another request (its word is neither the served \
         nor the busy word of the token sent)"
    )]
    WrongReply,
    /// A payload outside what the protocol allows.
    #[error("a reply payload of {0} bytes: it must be between 8 and 65536")]
    Payload(usize),
    /// The server process could not be started or said something unexpected.
    #[error("starting the latency server ({exe}): {message}")]
    Start {
        /// The program started.
        exe: String,
        /// What happened.
        message: String,
    },
    /// The server process did not answer in time.
    #[error("the latency server did not {what} within {after:?}")]
    Timeout {
        /// What it did not do.
        what: &'static str,
        /// How long it was given.
        after: Duration,
    },
}

impl Error {
    /// An I/O error of `what`, classified: the OS refusals that name a limit get their own
    /// variants, with the limit's value read now. `addr` is the server's, for a refusal.
    pub fn io(what: &'static str, addr: Option<SocketAddr>, source: io::Error) -> Error {
        match (source.raw_os_error(), addr) {
            (Some(libc::EMFILE | libc::ENFILE), _) => {
                // getrlimit, not Limits::read: /proc cannot be opened without a descriptor.
                let (soft, hard) = crate::measure::os_limits::open_files();
                Error::OpenFiles {
                    what,
                    source,
                    soft: soft.to_string(),
                    hard: hard.to_string(),
                }
            }
            (Some(libc::EADDRNOTAVAIL), _) => Error::PortsExhausted {
                what,
                source,
                range: Limits::read()
                    .local_ports
                    .map_or("unknown".into(), |(lo, hi)| format!("{lo}-{hi}")),
            },
            (Some(libc::ECONNREFUSED), Some(addr)) => Error::Refused {
                what,
                addr,
                source,
                somaxconn: Limits::read().somaxconn.to_string(),
            },
            _ => Error::Io { what, source },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(code: i32) -> io::Error {
        io::Error::from_raw_os_error(code)
    }

    #[test]
    fn each_os_refusal_names_its_limit() {
        let addr: SocketAddr = "127.0.0.1:9".parse().unwrap();
        let text = |e: Error| e.to_string();
        assert!(text(Error::io("connecting", None, os(libc::EMFILE))).contains("ulimit -n"));
        assert!(text(Error::io("accepting", None, os(libc::ENFILE))).contains("ulimit -n"));
        assert!(
            text(Error::io("connecting", None, os(libc::EADDRNOTAVAIL)))
                .contains("ip_local_port_range")
        );
        let refused = text(Error::io("connecting", Some(addr), os(libc::ECONNREFUSED)));
        assert!(
            refused.contains("somaxconn") && refused.contains("backlog"),
            "{refused}"
        );
        assert!(refused.contains("127.0.0.1:9"), "{refused}");
        assert!(matches!(
            Error::io("reading", None, os(libc::ECONNRESET)),
            Error::Io { .. }
        ));
    }
}
