//! The latency server, one implementation for every client: a request names a delay and a
//! token, the reply comes after the delay and is derived from the token. It runs as its
//! own process (`rtbench __latency-server`), independent of the runtimes under test: one
//! thread, one epoll loop, deadlines on a timerfd. Below the workloads and runtimes, which
//! use its protocol and clients; above `measure`, whose CPU and OS-limit readers it uses.
//!
//! - `protocol`: the request frame, the reply, [`expected_reply_word`] and, for a request
//!   turned away, [`busy_reply_word`]
//! - `server`: the epoll loop ([`Server`]); `conn`: one connection's state machine;
//!   `admission`: the capacity mode's places and [`Counts`]; `sys`: the epoll, timerfd and
//!   socket calls std lacks
//! - `child`: the server process's side; `handle`: the parent's [`LatencyServer`]
//! - `client`: the blocking std::net [`call`]; `probe`: [`probe_added_delay`]
//! - `error`: [`Error`], naming the limit behind an OS refusal

mod admission;
mod child;
mod client;
mod conn;
mod error;
mod handle;
mod probe;
mod protocol;
mod server;
mod sys;

pub use admission::Counts;
pub use child::{LISTENING, SERVER_COMMAND, run as run_server_process};
pub use client::{await_close, call, connect, send};
pub use error::Error;
pub use handle::{ANSWER_TIMEOUT, LatencyServer, Lateness};
pub use probe::{AddedDelay, PROBE_DELAYS, PROBE_SAMPLES, probe_added_delay};
pub use protocol::{
    DEFAULT_PAYLOAD, LAST_FLAG, MAX_DELAY_US, MAX_PAYLOAD, MIN_PAYLOAD, REQUEST_LEN, ReplyKind,
    Request, busy_reply_word, decode_reply, encode_reply, expected_reply_word, reply_kind,
};
pub use server::{
    COUNTS_COMMAND, CPU_COMMAND, DEFAULT_BACKLOG, LATENESS_COMMAND, MAX_LISTENERS, Options, Server,
    listeners_for,
};
/// The timerfd and clock the load generator's schedule also runs on.
pub use sys::{Timer, now_ns};

#[cfg(test)]
mod tests;
