//! The target URL: `http://HOST:PORT[/path]`, read without a URL crate (the generator takes
//! nothing else: no https, no user info, no fragment), and resolved to one address.

use std::fmt;
use std::net::{SocketAddr, ToSocketAddrs};
use std::str::FromStr;

use super::error::LoadError;

/// The path asked when the URL has none (`/` is a path, asked as given): the handler, one 10 ms wait and
/// factorial(1000).
pub const DEFAULT_PATH: &str = "/task?wait=10ms&compute=1000&calls=1";

/// A target as given: host, port and the request target (path and query).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetUrl {
    /// The URL as given.
    pub url: String,
    /// The host (a name, an IPv4 address, or an IPv6 address without its brackets).
    pub host: String,
    /// The port (80 when the URL names none).
    pub port: u16,
    /// Path and query, starting with `/`.
    pub path: String,
}

impl TargetUrl {
    /// The `Host` header's value: `host:port` (an IPv6 address in brackets).
    pub fn host_header(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The first address the host resolves to.
    pub fn resolve(&self) -> Result<SocketAddr, LoadError> {
        let bad = |why: String| LoadError::BadTarget {
            url: self.url.clone(),
            why,
        };
        let mut addrs = (self.host.as_str(), self.port)
            .to_socket_addrs()
            .map_err(|e| bad(format!("host '{}' does not resolve: {e}", self.host)))?;
        addrs
            .next()
            .ok_or_else(|| bad(format!("host '{}' resolves to no address", self.host)))
    }
}

impl fmt::Display for TargetUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)
    }
}

impl FromStr for TargetUrl {
    type Err = LoadError;

    fn from_str(url: &str) -> Result<TargetUrl, LoadError> {
        let bad = |why: &str| LoadError::BadTarget {
            url: url.to_string(),
            why: why.to_string(),
        };
        let rest = if let Some(rest) = url.strip_prefix("http://") {
            rest
        } else if url.starts_with("https://") {
            return Err(bad("https is not supported, only http:// is"));
        } else if url.contains("://") {
            return Err(bad("only http:// is supported"));
        } else {
            return Err(bad("no scheme; it must start with http://"));
        };
        let (authority, path) = match rest.find(['/', '?']) {
            Some(at) if rest[at..].starts_with('/') => (&rest[..at], &rest[at..]),
            Some(at) => return Err(bad(&format!("'{}' is not a path", &rest[at..]))),
            None => (rest, ""),
        };
        if authority.contains('@') {
            return Err(bad("user info (user@) is not supported"));
        }
        if path.contains('#') || path.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad(
                "the path holds a fragment, a space or a control character",
            ));
        }
        let (host, port) = split_host_port(authority).map_err(|why| bad(&why))?;
        Ok(TargetUrl {
            url: url.to_string(),
            host,
            port,
            path: if path.is_empty() {
                DEFAULT_PATH.to_string()
            } else {
                path.to_string()
            },
        })
    }
}

/// `host:port`, `host` (port 80) or `[v6]:port`.
fn split_host_port(authority: &str) -> Result<(String, u16), String> {
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (host, after) = v6
            .split_once(']')
            .ok_or("an IPv6 host lacks its closing ']'")?;
        match after {
            "" => (host, None),
            p => (
                host,
                Some(
                    p.strip_prefix(':')
                        .ok_or(format!("'{p}' after the IPv6 host is not :PORT"))?,
                ),
            ),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err("no host".into());
    }
    let port = match port {
        None => 80,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 => n,
            _ => return Err(format!("port '{p}' is not a number from 1 to 65535")),
        },
    };
    Ok((host.to_string(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_read_with_their_defaults() {
        let t: TargetUrl = "http://127.0.0.1:8080".parse().unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.path.as_str()),
            ("127.0.0.1", 8080, DEFAULT_PATH)
        );
        assert_eq!(t.host_header(), "127.0.0.1:8080");
        let t: TargetUrl = "http://h:1/".parse().unwrap();
        assert_eq!(t.path, "/");
        let t: TargetUrl = "http://example.test/task?wait=0ms".parse().unwrap();
        assert_eq!((t.port, t.path.as_str()), (80, "/task?wait=0ms"));
        let t: TargetUrl = "http://[::1]:9/x".parse().unwrap();
        assert_eq!(
            (t.host.as_str(), t.host_header()),
            ("::1", "[::1]:9".into())
        );
    }

    #[test]
    fn bad_urls_say_what_is_wrong() {
        for (url, needle) in [
            ("https://h:1", "only http://"),
            ("ftp://h:1", "only http://"),
            ("h:1", "http://"),
            ("http://:1", "no host"),
            ("http://h:0", "port '0'"),
            ("http://h:x/", "port 'x'"),
            ("http://u@h:1", "user info"),
            ("http://h:1?x", "not a path"),
            ("http://[::1", "closing"),
        ] {
            let e = url.parse::<TargetUrl>().unwrap_err().to_string();
            assert!(e.contains(needle), "{url}: {e}");
            assert!(e.contains("accepted: http://HOST:PORT"), "{url}: {e}");
        }
    }
}
