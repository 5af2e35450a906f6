//! What can stop a load run: input refused before any work (a target that is not an
//! `http://` URL, one that does not answer, a rate, duration or count out of range) and the
//! generator's own event loop failing.

use std::io;

/// Why a load run did not happen or stopped.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The target is not a URL this generator takes.
    #[error(
        "target '{url}': {why}; accepted: http://HOST:PORT[/path] (e.g. http://127.0.0.1:8080/task?wait=10ms)"
    )]
    BadTarget {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        why: String,
    },
    /// Nothing accepted a connection at the target's address.
    #[error(
        "target {url} ({addr}) is unreachable: {source}; start the server first, or check HOST:PORT"
    )]
    Unreachable {
        /// The URL as given.
        url: String,
        /// The address it resolved to.
        addr: String,
        /// The connect's error (connection refused, timed out).
        #[source]
        source: io::Error,
    },
    /// The target accepted a connection but did not answer `GET /rtbench/info` in time.
    #[error(
        "target {url} ({addr}) accepted a connection but answered no HTTP response to GET /rtbench/info within {timeout}: {why}"
    )]
    NoAnswer {
        /// The URL as given.
        url: String,
        /// The address it resolved to.
        addr: String,
        /// The timeout waited.
        timeout: String,
        /// What happened instead.
        why: String,
    },
    /// A setting out of range (rate, duration, connections).
    #[error("{0}")]
    Setting(String),
    /// The generator's own epoll set or timer failed.
    #[error("the load generator's event loop failed: {0}")]
    Io(#[from] io::Error),
}

impl LoadError {
    /// Whether the input was refused (the command exits 2), not a failure while running.
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, LoadError::Io(_))
    }
}
