//! `rtbench serve` in a child process for a test, and a small blocking HTTP client.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Stdio};
use std::time::Duration;

use rtbench::http::{ParsedResponse, parse_response};

/// A running `rtbench serve`, killed and reaped on drop.
pub struct Served {
    pub child: Child,
    pub addr: SocketAddr,
}

impl Served {
    /// Starts `rtbench serve --model MODEL --listen 127.0.0.1:0 EXTRA..` and waits for its
    /// `listening` line.
    pub fn start(model: &str, extra: &[&str]) -> Served {
        let mut args = vec!["serve", "--model", model, "--listen", "127.0.0.1:0"];
        args.extend_from_slice(extra);
        let mut child = super::command(std::env::temp_dir().as_path(), &args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting rtbench serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout piped"))
            .read_line(&mut line)
            .expect("reading the listening line");
        let addr = line
            .trim()
            .strip_prefix("listening http://")
            .unwrap_or_else(|| panic!("{model}: no listening line, got {line:?}"))
            .parse()
            .expect("an address");
        Served { child, addr }
    }

    /// A keep-alive connection to the server.
    pub fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(self.addr).expect("connecting to rtbench serve");
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        s
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends `GET target` on `stream` (keep-alive) and reads the whole response: status, body
/// and whether the server keeps the connection.
pub fn get(stream: &mut TcpStream, target: &str) -> (u16, String, bool) {
    let req = format!("GET {target} HTTP/1.1\r\nHost: test\r\n\r\n");
    stream.write_all(req.as_bytes()).expect("writing a request");
    read_response(stream)
}

/// Reads one whole response from `stream`.
pub fn read_response(stream: &mut TcpStream) -> (u16, String, bool) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let ParsedResponse::Complete(r) = parse_response(&buf) {
            let body = String::from_utf8_lossy(&buf[r.body.clone()]).into_owned();
            return (r.status, body, r.keep_alive);
        }
        let n = stream.read(&mut chunk).expect("reading a response");
        assert!(
            n > 0,
            "the server closed before a whole response: {:?}",
            String::from_utf8_lossy(&buf)
        );
        buf.extend_from_slice(&chunk[..n]);
    }
}
