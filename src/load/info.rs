//! Before any rate: one connection to the target (refused: the target is unreachable, said
//! with its address) asking `GET /rtbench/info`. A JSON object back is an rtbench server's
//! description (model, workers, machine), kept in the output; anything else is "not an
//! rtbench server", whose answers are then checked for status 200 only.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use super::error::LoadError;
use super::target::TargetUrl;
use crate::http::{ParsedResponse, parse_response};

/// What `/rtbench/info` told.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerInfo {
    /// An rtbench server's description.
    Rtbench(serde_json::Value),
    /// Not an rtbench server: the status it answered.
    Other(u16),
}

/// Connects to `addr` and asks `/rtbench/info`, waiting at most `timeout` for each step.
pub fn probe(
    url: &TargetUrl,
    addr: SocketAddr,
    timeout: Duration,
) -> Result<ServerInfo, LoadError> {
    let no_answer = |why: String| LoadError::NoAnswer {
        url: url.url.clone(),
        addr: addr.to_string(),
        timeout: crate::units::seconds(timeout.as_secs_f64()),
        why,
    };
    let mut stream =
        TcpStream::connect_timeout(&addr, timeout).map_err(|source| LoadError::Unreachable {
            url: url.url.clone(),
            addr: addr.to_string(),
            source,
        })?;
    let ask = format!(
        "GET /rtbench/info HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        url.host_header()
    );
    stream
        .write_all(ask.as_bytes())
        .map_err(|e| no_answer(format!("writing the request: {e}")))?;
    let deadline = Instant::now() + timeout;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match parse_response(&buf) {
            ParsedResponse::Complete(r) => {
                let body = &buf[r.body.clone()];
                return Ok(match serde_json::from_slice::<serde_json::Value>(body) {
                    Ok(v) if r.status == 200 && v.is_object() => ServerInfo::Rtbench(v),
                    _ => ServerInfo::Other(r.status),
                });
            }
            ParsedResponse::Bad(why) => return Err(no_answer(why)),
            ParsedResponse::Partial => {}
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(no_answer("no whole response in time".into()));
        }
        stream
            .set_read_timeout(Some(left))
            .map_err(|e| no_answer(e.to_string()))?;
        match stream.read(&mut chunk) {
            Ok(0) => return Err(no_answer("the connection closed".into())),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(no_answer(e.to_string())),
        }
    }
}
