//! HTTP servers for tests of `rtbench load` (and of the server models): the one handler
//! every model runs, on a std listener with a thread per connection; and a server that
//! lies, answering every `/task` 200 with a checksum that is no request's.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use rtbench::http::{
    Backend, Parsed, Response, ServeCtx, Stall, parse_request, serve_connection, task_body,
};
use rtbench::workload::StdSteps;

/// A running test server: its address and what its connections share (counters, stall).
pub struct TestServer {
    pub addr: SocketAddr,
    pub ctx: Arc<ServeCtx>,
}

/// A context as a model's would be: timer backend, a small `/rtbench/info` object.
pub fn test_ctx() -> ServeCtx {
    ServeCtx::new(
        Backend::Timer,
        r#"{"model":"test-threads","workers":0}"#.into(),
    )
}

/// A stall window opening `after` from now, lasting `lasts`.
pub fn stall_after(after: Duration, lasts: Duration) -> Stall {
    Stall::after(after, lasts)
}

/// Serves `ctx` on 127.0.0.1 (a port the kernel picks), a thread per connection, until the
/// test process ends.
pub fn serve(ctx: ServeCtx) -> TestServer {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binding a test server");
    let addr = listener.local_addr().expect("its address");
    let ctx = Arc::new(ctx);
    let shared = Arc::clone(&ctx);
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let ctx = Arc::clone(&shared);
            let _ = stream.set_nodelay(true);
            thread::spawn(move || smol::block_on(serve_connection(StdSteps, stream, &ctx)));
        }
    });
    TestServer { addr, ctx }
}

/// A server that answers `/rtbench/info` as an rtbench server and every other request 200
/// with a checksum of 0, which no request's is (checksums are a bijection's output).
pub fn serve_liar() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binding a lying server");
    let addr = listener.local_addr().expect("its address");
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            thread::spawn(move || lie(stream));
        }
    });
    addr
}

fn lie(mut stream: TcpStream) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match parse_request(&buf) {
            Parsed::Complete(req) => {
                let resp = if req.target == "/rtbench/info" {
                    Response::json(r#"{"model":"liar"}"#)
                } else {
                    Response::text(200, task_body(0))
                };
                if stream
                    .write_all(&resp.encode(req.keep_alive, false))
                    .is_err()
                {
                    return;
                }
                buf.drain(..req.len);
            }
            Parsed::Bad(_) => return,
            Parsed::Partial => match stream.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            },
        }
    }
}
