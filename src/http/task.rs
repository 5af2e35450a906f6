//! The request a server model answers: `GET /task?wait=10ms&compute=1000&calls=1&id=7`,
//! parsed into a [`TaskQuery`], and the checksum its response must carry, so the load
//! generator can check every response is its own request's, whichever model served it.

use std::fmt;
use std::time::Duration;

use crate::workload::latency::{format_duration, parse_duration};
use crate::workload::rng::mix64;

/// The longest wait a request may ask for.
pub const MAX_WAIT: Duration = Duration::from_secs(10);
/// The largest factorial a request may ask for.
pub const MAX_COMPUTE: u32 = 100_000;
/// The most waits a request may ask for.
pub const MAX_CALLS: u32 = 100;

/// What `/task` asks: `calls` waits of `wait` each (the runtime's timer, or a call to the
/// latency server), then `factorial(compute)`; `id` tells requests apart in checksums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskQuery {
    /// Each wait.
    pub wait: Duration,
    /// n of the factorial computed after the waits (0: none).
    pub compute: u32,
    /// Waits, one after another.
    pub calls: u32,
    /// The request's id, chosen by the client (0 when it gives none).
    pub id: u64,
}

impl Default for TaskQuery {
    /// The handler: one 10 ms wait and factorial(1000).
    fn default() -> Self {
        TaskQuery {
            wait: Duration::from_millis(10),
            compute: 1000,
            calls: 1,
            id: 0,
        }
    }
}

impl TaskQuery {
    /// The request target, `/task?...`.
    pub fn target(&self) -> String {
        format!(
            "/task?wait={}&compute={}&calls={}&id={}",
            format_duration(self.wait),
            self.compute,
            self.calls,
            self.id
        )
    }

    /// The same query with another id.
    pub fn with_id(self, id: u64) -> TaskQuery {
        TaskQuery { id, ..self }
    }

    /// The token of the latency-server call `call` of this request makes.
    pub fn call_token(&self, call: u32) -> u64 {
        mix64(self.id ^ mix64(u64::from(call) ^ 0x5EED_CA11))
    }

    /// The checksum a correct response carries, given `factorial_digest(compute)` (which
    /// a client computes once for a run of equal queries).
    pub fn checksum(&self, digest: u64) -> u64 {
        mix64(mix64(self.id) ^ digest ^ u64::from(self.calls).rotate_left(32))
    }

    /// Reads the query string of `/task` (after the `?`): every field optional, defaults
    /// from [`TaskQuery::default`]; anything else is refused with what is accepted.
    pub fn parse(query: &str) -> Result<TaskQuery, String> {
        let mut q = TaskQuery::default();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "wait" => {
                    let d = parse_duration(value).map_err(|e| format!("wait: {e}"))?;
                    if d > MAX_WAIT {
                        return Err(format!(
                            "wait={value} is over {}",
                            format_duration(MAX_WAIT)
                        ));
                    }
                    q.wait = d;
                }
                "compute" => q.compute = number(key, value, MAX_COMPUTE)?,
                "calls" => q.calls = number(key, value, MAX_CALLS)?,
                "id" => {
                    q.id = value
                        .parse()
                        .map_err(|_| format!("id={value} is not a whole number (0 to 2^64-1)"))?
                }
                other => {
                    return Err(format!(
                        "unknown parameter '{other}'; accepted: wait, compute, calls, id"
                    ));
                }
            }
        }
        Ok(q)
    }
}

fn number(key: &str, value: &str, max: u32) -> Result<u32, String> {
    match value.parse::<u32>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(format!(
            "{key}={value} not accepted; a whole number 0 to {max}"
        )),
    }
}

impl fmt::Display for TaskQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.target())
    }
}

/// What a request target asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `/task?...`: do the work.
    Task(TaskQuery),
    /// `/rtbench/info`: the server's model, workers, version and machine.
    Info,
    /// A `/task` with a query refused: 400 with the reason.
    BadQuery(String),
    /// Anything else: 404.
    NotFound,
}

impl Route {
    /// The route of a request target.
    pub fn of(target: &str) -> Route {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        match path {
            "/task" => match TaskQuery::parse(query) {
                Ok(q) => Route::Task(q),
                Err(e) => Route::BadQuery(e),
            },
            "/rtbench/info" => Route::Info,
            _ => Route::NotFound,
        }
    }
}

/// The body of a correct `/task` response.
pub fn task_body(checksum: u64) -> String {
    format!("checksum={checksum:016x}\n")
}

/// The checksum in a `/task` response body, if it has one.
pub fn body_checksum(body: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(body).ok()?;
    let hex = text.trim().strip_prefix("checksum=")?;
    u64::from_str_radix(hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_round_trips_through_its_target() {
        let q = TaskQuery {
            wait: Duration::from_micros(1500),
            compute: 7,
            calls: 3,
            id: 42,
        };
        assert_eq!(Route::of(&q.target()), Route::Task(q));
        assert_eq!(Route::of("/task"), Route::Task(TaskQuery::default()));
        assert_eq!(Route::of("/rtbench/info"), Route::Info);
        assert_eq!(Route::of("/nope"), Route::NotFound);
    }

    #[test]
    fn bad_queries_name_what_is_accepted() {
        for (target, needle) in [
            ("/task?wait=10", "unit"),
            ("/task?wait=11s", "over"),
            ("/task?compute=x", "0 to 100000"),
            ("/task?calls=101", "0 to 100"),
            ("/task?colour=red", "accepted: wait"),
        ] {
            match Route::of(target) {
                Route::BadQuery(e) => assert!(e.contains(needle), "{target}: {e}"),
                other => panic!("{target}: {other:?}"),
            }
        }
    }

    #[test]
    fn checksums_tell_requests_apart_and_read_back() {
        let q = TaskQuery::default();
        assert_ne!(q.with_id(1).checksum(9), q.with_id(2).checksum(9));
        assert_ne!(q.checksum(9), q.checksum(10));
        assert_ne!(q.call_token(0), q.call_token(1));
        assert_eq!(
            body_checksum(task_body(q.checksum(5)).as_bytes()),
            Some(q.checksum(5))
        );
        assert_eq!(body_checksum(b"nope"), None);
    }
}
