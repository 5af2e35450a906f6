//! The requests a run sends and how each answer is checked: a `/task` request carries
//! `&id=N` (N unique in the run) and, against an rtbench server, its answer must carry
//! `TaskQuery::checksum(digest)`; anything else must answer 200.

use super::error::LoadError;
use super::target::TargetUrl;
use crate::http::{Route, TaskQuery, body_checksum};
use crate::workload::cpu::factorial_digest;

/// What an answer is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// Status 200 and the `/task` checksum of the request's id.
    Checksum {
        /// The query every request asks, its id aside.
        query: TaskQuery,
        /// `factorial_digest(query.compute)`, computed once for the run.
        digest: u64,
    },
    /// Status 200 alone.
    Status,
}

/// How an answer was judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// 200, and the checksum right when checked.
    Ok,
    /// 200 with a checksum that is not this request's.
    WrongChecksum,
    /// Another status.
    Status(u16),
}

/// Builds each request's bytes and judges its answer.
#[derive(Debug, Clone)]
pub struct Requests {
    host: String,
    path: String,
    task: Option<TaskQuery>,
    check: Check,
}

impl Requests {
    /// The requests to `url`; `checksums` when the server is an rtbench server (it
    /// answered `/rtbench/info`). A `/task` query the server would refuse is refused here.
    pub fn new(url: &TargetUrl, checksums: bool) -> Result<Requests, LoadError> {
        let task = match Route::of(&url.path) {
            Route::Task(q) => Some(q),
            Route::BadQuery(why) => {
                return Err(LoadError::BadTarget {
                    url: url.url.clone(),
                    why: format!("its /task query is refused: {why}"),
                });
            }
            Route::Info | Route::NotFound => None,
        };
        let check = match task {
            Some(query) if checksums => Check::Checksum {
                query,
                digest: factorial_digest(query.compute),
            },
            _ => Check::Status,
        };
        Ok(Requests {
            host: url.host_header(),
            path: url.path.clone(),
            task,
            check,
        })
    }

    /// What answers are checked against.
    pub fn check(&self) -> Check {
        self.check
    }

    /// Request `id`'s bytes, written into `out` (cleared first).
    pub fn write(&self, id: u64, out: &mut Vec<u8>) {
        use std::io::Write;
        out.clear();
        let _ = match self.task {
            Some(q) => write!(out, "GET {} HTTP/1.1\r\n", q.with_id(id).target()),
            None => write!(out, "GET {} HTTP/1.1\r\n", self.path),
        };
        let _ = write!(out, "Host: {}\r\n\r\n", self.host);
    }

    /// Judges request `id`'s answer.
    pub fn judge(&self, id: u64, status: u16, body: &[u8]) -> Verdict {
        if status != 200 {
            return Verdict::Status(status);
        }
        match self.check {
            Check::Checksum { query, digest }
                if body_checksum(body) != Some(query.with_id(id).checksum(digest)) =>
            {
                Verdict::WrongChecksum
            }
            _ => Verdict::Ok,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::task_body;

    #[test]
    fn task_requests_carry_their_id_and_are_checked() {
        let url: TargetUrl = "http://h:1/task?wait=0ms&compute=5".parse().unwrap();
        let r = Requests::new(&url, true).unwrap();
        let mut out = Vec::new();
        r.write(42, &mut out);
        let text = String::from_utf8(out).unwrap();
        let want = TaskQuery::parse("wait=0ms&compute=5")
            .unwrap()
            .with_id(42)
            .target();
        assert!(
            text.starts_with(&format!("GET {want} HTTP/1.1\r\n")),
            "{text}"
        );
        assert!(want.ends_with("&id=42"));
        assert!(text.ends_with("Host: h:1\r\n\r\n"));
        let Check::Checksum { query, digest } = r.check() else {
            panic!("checked")
        };
        let right = task_body(query.with_id(42).checksum(digest));
        assert_eq!(r.judge(42, 200, right.as_bytes()), Verdict::Ok);
        assert_eq!(r.judge(43, 200, right.as_bytes()), Verdict::WrongChecksum);
        assert_eq!(r.judge(42, 503, b""), Verdict::Status(503));
        let plain = Requests::new(&url, false).unwrap();
        assert_eq!(plain.judge(43, 200, b"anything"), Verdict::Ok);
    }

    #[test]
    fn a_bad_task_query_is_refused_and_other_paths_go_as_given() {
        let url: TargetUrl = "http://h:1/task?colour=red".parse().unwrap();
        assert!(Requests::new(&url, true).is_err());
        let url: TargetUrl = "http://h:1/index.html".parse().unwrap();
        let r = Requests::new(&url, true).unwrap();
        assert_eq!(r.check(), Check::Status);
        let mut out = Vec::new();
        r.write(1, &mut out);
        assert!(out.starts_with(b"GET /index.html HTTP/1.1\r\n"));
    }
}
