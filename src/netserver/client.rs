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
    send(stream, Request::new(delay, token), payload)
}

/// Sends `request` on `stream` and reads its whole reply of `payload` bytes; answers the
/// reply word. After a request marked [`last`](Request::last), call [`await_close`].
pub fn send(stream: &mut TcpStream, request: Request, payload: usize) -> Result<u64, Error> {
    if !(MIN_PAYLOAD..=MAX_PAYLOAD).contains(&payload) {
        return Err(Error::Payload(payload));
    }
    let peer = stream.peer_addr().ok();
    stream
        .write_all(&request.encode())
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

/// After the reply to a last request: reads the server's end of stream, so the server has
/// closed first and this side, closing after, holds no TIME_WAIT. Bytes instead of the end
/// are an error (the server answered more than was asked).
pub fn await_close(stream: &mut TcpStream) -> Result<(), Error> {
    let mut byte = [0u8; 1];
    loop {
        return match stream.read(&mut byte) {
            Ok(0) => Ok(()),
            Ok(_) => Err(Error::Trailing),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => Err(Error::io("waiting for the server to close", None, e)),
        };
    }
}
