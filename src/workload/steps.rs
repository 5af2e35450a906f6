//! How a task's steps reach the world outside the thread, one trait per runtime family. A
//! `Wait` is the runtime family's business (an async timer, a blocking sleep), and so is a
//! `Call`'s connection and its socket I/O (the runtime's reactor, or blocking std::net); a
//! `Compute` is the same factorial on the current thread for every runtime, and a call's
//! frames and checks are the same for every family ([`super::net`]), so they stay in the
//! shared task body.

use std::future::Future;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// How an async task waits and calls: an adapter's timer and sockets, or a labelled
/// variant's blocking calls.
pub trait AsyncSteps: Copy + Send + Sync + 'static {
    /// A connection to the latency server, in this family's idiom.
    type Conn: Send + 'static;

    /// Waits `d` inside an async task.
    fn wait(self, d: Duration) -> impl Future<Output = ()> + Send + 'static;

    /// Opens a connection to `addr`, Nagle's algorithm off (a request is one small write).
    fn connect(self, addr: SocketAddr) -> impl Future<Output = io::Result<Self::Conn>> + Send;

    /// Writes all of `request`, then reads until `reply` is full or the stream ends;
    /// answers the bytes read.
    fn exchange<'a>(
        self,
        conn: &'a mut Self::Conn,
        request: &'a [u8],
        reply: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a;
}

/// How a blocking unit (a thread, a pool job, a worker process) waits.
pub trait BlockingSteps {
    /// Waits `d`, blocking this thread; by default `std::thread::sleep`.
    fn wait(&self, d: Duration) {
        std::thread::sleep(d);
    }
}

/// The standard library's blocking steps: what threads, pools, `sequential` and worker
/// processes use, and what an async task's labelled blocking variants call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StdSteps;

impl BlockingSteps for StdSteps {}

/// The blocking calls awaited: a future that never pends, as it blocks its thread inside.
/// The C03 anti-pattern inside an async task (holding its worker), and how a blocking
/// server model runs the one async handler every model shares.
impl AsyncSteps for StdSteps {
    type Conn = TcpStream;

    async fn wait(self, d: Duration) {
        BlockingSteps::wait(&self, d);
    }

    async fn connect(self, addr: SocketAddr) -> io::Result<TcpStream> {
        std_connect(addr)
    }

    async fn exchange(
        self,
        conn: &mut TcpStream,
        request: &[u8],
        reply: &mut [u8],
    ) -> io::Result<usize> {
        std_exchange(conn, request, reply)
    }
}

/// A blocking connection to `addr`, Nagle's algorithm off: how every blocking family (and
/// an async task's labelled blocking variant) opens one.
pub fn std_connect(addr: SocketAddr) -> io::Result<TcpStream> {
    let stream = TcpStream::connect(addr)?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// The blocking exchange: writes all of `request`, then reads until `reply` is full or the
/// stream ends; answers the bytes read.
pub fn std_exchange(conn: &mut TcpStream, request: &[u8], reply: &mut [u8]) -> io::Result<usize> {
    conn.write_all(request)?;
    let mut got = 0;
    while got < reply.len() {
        match conn.read(&mut reply[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}
