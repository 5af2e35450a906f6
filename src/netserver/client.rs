//! The blocking client: std::net, one request at a time on a connection. The tests, the
//! accuracy probe and (later) the blocking runtimes call the server through it.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use super::error::Error;
use super::protocol::{MAX_PAYLOAD, MIN_PAYLOAD, Request, decode_reply};

/// Opens a connection to the server at `addr`, with Nagle's algorithm off (a request is one
/// small write that must leave at once).
pub fn connect(addr: SocketAddr) -> Result<TcpStream, Error> {
    let stream = TcpStream::connect(addr).map_err(|e| Error::io("connecting", Some(addr), e))?;
    stream
        .set_nodelay(true)
        .map_err(|e| Error::io("setting TCP_NODELAY", None, e))?;
    Ok(stream)
}

/// Sends one request (`delay`, `token`) on `stream` and reads its whole reply of `payload`
/// bytes; answers the reply word, for the caller to compare with
/// [`expected_reply_word`](super::expected_reply_word) of its token. A reply cut short or
/// malformed is an error.
pub fn call(
    stream: &mut TcpStream,
    delay: Duration,
    token: u64,
    payload: usize,
) -> Result<u64, Error> {
    if !(MIN_PAYLOAD..=MAX_PAYLOAD).contains(&payload) {
        return Err(Error::Payload(payload));
    }
    let peer = stream.peer_addr().ok();
    stream
        .write_all(&Request::new(delay, token).encode())
        .map_err(|e| Error::io("sending a request", peer, e))?;
    let mut small = [0u8; 64];
    let mut large = Vec::new();
    let reply: &mut [u8] = if payload <= small.len() {
        &mut small[..payload]
    } else {
        large.resize(payload, 0);
        &mut large
    };
    let mut got = 0;
    while got < payload {
        match stream.read(&mut reply[got..]) {
            Ok(0) => return Err(Error::Closed { got, want: payload }),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::io("reading a reply", peer, e)),
        }
    }
    decode_reply(reply).ok_or(Error::Malformed)
}
