//! HTTP/1.1 on the wire, for the server and the load generator alike: a request head
//! parsed by `httparse` (the one parser every server model shares), a response built, and a
//! response parsed back on the client side.

use std::fmt::Write as _;

/// The most a request head may take; a longer one is refused with 400.
pub const MAX_HEAD: usize = 8 * 1024;
/// The most headers a request may carry.
const MAX_HEADERS: usize = 32;
/// The most a request body may take (a GET has none; one sent is read and ignored).
pub const MAX_BODY: usize = 64 * 1024;

/// A parsed request head: what the server needs of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `GET`, `HEAD`, ...
    pub method: String,
    /// The request target: path and query.
    pub target: String,
    /// Whether the connection stays open after the response.
    pub keep_alive: bool,
    /// Bytes of the request: head plus body.
    pub len: usize,
}

/// What the bytes read so far hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// A whole request, `len` bytes of the buffer.
    Complete(Request),
    /// Not yet a whole request: read more.
    Partial,
    /// Not HTTP/1.x this server takes; the reason goes into the 400's body.
    Bad(String),
}

/// Parses the request at the start of `buf`.
pub fn parse_request(buf: &[u8]) -> Parsed {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    let head = match req.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) if buf.len() > MAX_HEAD => {
            return Parsed::Bad(format!("request head over {MAX_HEAD} bytes"));
        }
        Ok(httparse::Status::Partial) => return Parsed::Partial,
        Err(e) => return Parsed::Bad(format!("malformed request: {e}")),
    };
    let version = req.version.unwrap_or(1);
    let mut keep_alive = version >= 1;
    let mut body = 0usize;
    for h in req.headers.iter() {
        let value = String::from_utf8_lossy(h.value);
        if h.name.eq_ignore_ascii_case("connection") {
            let v = value.to_ascii_lowercase();
            if v.split(',').any(|t| t.trim() == "close") {
                keep_alive = false;
            } else if v.split(',').any(|t| t.trim() == "keep-alive") {
                keep_alive = true;
            }
        } else if h.name.eq_ignore_ascii_case("content-length") {
            match value.trim().parse::<usize>() {
                Ok(n) if n <= MAX_BODY => body = n,
                _ => {
                    return Parsed::Bad(format!(
                        "content-length '{value}' not accepted (0 to {MAX_BODY})"
                    ));
                }
            }
        } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
            return Parsed::Bad(
                "transfer-encoding not accepted on requests; send a content-length".into(),
            );
        }
    }
    if buf.len() < head + body {
        return Parsed::Partial;
    }
    Parsed::Complete(Request {
        method: req.method.unwrap_or_default().to_string(),
        target: req.path.unwrap_or_default().to_string(),
        keep_alive,
        len: head + body,
    })
}

/// A response: status, content type and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// 200, 400, 404, ...
    pub status: u16,
    /// `text/plain` or `application/json`.
    pub content_type: &'static str,
    /// The body.
    pub body: String,
}

impl Response {
    /// A plain-text response.
    pub fn text(status: u16, body: impl Into<String>) -> Response {
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.into(),
        }
    }

    /// A JSON response.
    pub fn json(body: impl Into<String>) -> Response {
        Response {
            status: 200,
            content_type: "application/json",
            body: body.into(),
        }
    }

    /// The bytes to write; `keep_alive` false adds `Connection: close`; a HEAD request's
    /// response has the head alone.
    pub fn encode(&self, keep_alive: bool, head_only: bool) -> Vec<u8> {
        let mut head = String::with_capacity(128);
        let _ = write!(
            head,
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n",
            self.status,
            reason(self.status),
            self.content_type,
            self.body.len()
        );
        if !keep_alive {
            head.push_str("Connection: close\r\n");
        }
        head.push_str("\r\n");
        let mut out = head.into_bytes();
        if !head_only {
            out.extend_from_slice(self.body.as_bytes());
        }
        out
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// A response as a client reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientResponse {
    /// The status code.
    pub status: u16,
    /// Where the body starts in the buffer, and its length.
    pub body: std::ops::Range<usize>,
    /// Whether the server keeps the connection open.
    pub keep_alive: bool,
}

/// What a client has read so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParsedResponse {
    /// A whole response: its end is `body.end`.
    Complete(ClientResponse),
    /// Read more.
    Partial,
    /// Not a response this client can read (no content-length, malformed).
    Bad(String),
}

/// Parses the response at the start of `buf`; it must carry a content-length.
pub fn parse_response(buf: &[u8]) -> ParsedResponse {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut resp = httparse::Response::new(&mut headers);
    let head = match resp.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) if buf.len() > MAX_HEAD => {
            return ParsedResponse::Bad(format!("response head over {MAX_HEAD} bytes"));
        }
        Ok(httparse::Status::Partial) => return ParsedResponse::Partial,
        Err(e) => return ParsedResponse::Bad(format!("malformed response: {e}")),
    };
    let mut keep_alive = resp.version.unwrap_or(1) >= 1;
    let mut length = None;
    for h in resp.headers.iter() {
        let value = String::from_utf8_lossy(h.value);
        if h.name.eq_ignore_ascii_case("connection") {
            keep_alive = !value.to_ascii_lowercase().contains("close");
        } else if h.name.eq_ignore_ascii_case("content-length") {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let Some(length) = length else {
        return ParsedResponse::Bad("response without a content-length".into());
    };
    if buf.len() < head + length {
        return ParsedResponse::Partial;
    }
    ParsedResponse::Complete(ClientResponse {
        status: resp.code.unwrap_or(0),
        body: head..head + length,
        keep_alive,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_get_parses_and_keeps_alive_by_default() {
        let raw = b"GET /task?wait=1ms HTTP/1.1\r\nHost: x\r\n\r\nGET /";
        let Parsed::Complete(r) = parse_request(raw) else {
            panic!("complete")
        };
        assert_eq!(
            (r.method.as_str(), r.target.as_str(), r.keep_alive),
            ("GET", "/task?wait=1ms", true)
        );
        assert_eq!(r.len, raw.len() - 5);
        assert_eq!(parse_request(&raw[r.len..]), Parsed::Partial);
    }

    #[test]
    fn close_and_http10_end_the_connection() {
        let close = b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n";
        let old = b"GET / HTTP/1.0\r\n\r\n";
        let old_ka = b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n";
        for (raw, ka) in [(&close[..], false), (&old[..], false), (&old_ka[..], true)] {
            let Parsed::Complete(r) = parse_request(raw) else {
                panic!("complete")
            };
            assert_eq!(r.keep_alive, ka);
        }
    }

    #[test]
    fn garbage_and_oversized_heads_are_bad() {
        assert!(matches!(
            parse_request(b"\x00\x01 nonsense\r\n\r\n"),
            Parsed::Bad(_)
        ));
        let long = vec![b'a'; MAX_HEAD + 10];
        let mut raw = b"GET /".to_vec();
        raw.extend_from_slice(&long);
        assert!(matches!(parse_request(&raw), Parsed::Bad(m) if m.contains("over")));
        assert!(matches!(
            parse_request(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"),
            Parsed::Bad(_)
        ));
    }

    #[test]
    fn a_body_is_waited_for_and_counted() {
        let raw = b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nab";
        assert_eq!(parse_request(raw), Parsed::Partial);
        let raw = b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc";
        let Parsed::Complete(r) = parse_request(raw) else {
            panic!("complete")
        };
        assert_eq!(r.len, raw.len());
    }

    #[test]
    fn a_response_round_trips() {
        let bytes = Response::text(200, "checksum=1\n").encode(true, false);
        let ParsedResponse::Complete(r) = parse_response(&bytes) else {
            panic!("complete")
        };
        assert_eq!(
            (r.status, &bytes[r.body.clone()], r.keep_alive),
            (200, &b"checksum=1\n"[..], true)
        );
        let bytes = Response::text(400, "no").encode(false, false);
        let ParsedResponse::Complete(r) = parse_response(&bytes) else {
            panic!("complete")
        };
        assert!(!r.keep_alive);
        assert_eq!(
            parse_response(&bytes[..bytes.len() - 1]),
            ParsedResponse::Partial
        );
    }
}
