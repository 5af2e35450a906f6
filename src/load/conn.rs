//! One keep-alive connection of the generator: its state, the request being written and the
//! response being read. Non-blocking (mio), Nagle off; the event loop drives it.

use std::io::{self, Read, Write};

use mio::net::TcpStream;

use super::tally::Pending;

/// Where a connection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Closed after a failed connect; tried again at `retry_at` (ns).
    Down {
        /// When to connect again.
        retry_at: u64,
    },
    /// A connect under way.
    Connecting,
    /// Open, no request on it.
    Idle,
    /// A request sent (or being written), its response awaited.
    Busy,
}

/// A request on a connection: which, and when it really left.
#[derive(Debug, Clone, Copy)]
pub struct Flight {
    /// The request.
    pub pending: Pending,
    /// When its first byte was written (ns).
    pub sent: u64,
}

/// What reading found.
#[derive(Debug)]
pub enum Filled {
    /// Nothing more for now.
    Blocked,
    /// The peer closed.
    Closed,
    /// A read failed.
    Failed,
}

/// One connection.
pub struct Conn {
    /// The socket, when open or opening.
    pub stream: Option<TcpStream>,
    /// Its state.
    pub state: State,
    /// The request in flight.
    pub flight: Option<Flight>,
    /// The request's bytes, and how many are written.
    pub out: Vec<u8>,
    /// Bytes of `out` written so far.
    pub written: usize,
    /// Bytes read and not yet parsed.
    pub input: Vec<u8>,
}

impl Conn {
    /// A connection not yet opened (due at once).
    pub fn new() -> Conn {
        Conn {
            stream: None,
            state: State::Down { retry_at: 0 },
            flight: None,
            out: Vec::with_capacity(256),
            written: 0,
            input: Vec::with_capacity(1024),
        }
    }

    /// Writes what is left of `out`; Ok(true) when all of it is written.
    pub fn flush(&mut self) -> io::Result<bool> {
        let Some(stream) = self.stream.as_mut() else {
            return Err(io::ErrorKind::NotConnected.into());
        };
        while self.written < self.out.len() {
            match stream.write(&self.out[self.written..]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => self.written += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }

    /// Reads everything the socket holds into `input` (mio is edge-triggered: until it
    /// would block).
    pub fn fill(&mut self, chunk: &mut [u8]) -> Filled {
        let Some(stream) = self.stream.as_mut() else {
            return Filled::Closed;
        };
        loop {
            match stream.read(chunk) {
                Ok(0) => return Filled::Closed,
                Ok(n) => self.input.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Filled::Blocked,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return Filled::Failed,
            }
        }
    }

    /// Whether a started connect has finished: Ok(true) connected, Ok(false) not yet.
    pub fn connected(&self) -> io::Result<bool> {
        let Some(stream) = self.stream.as_ref() else {
            return Err(io::ErrorKind::NotConnected.into());
        };
        if let Some(e) = stream.take_error()? {
            return Err(e);
        }
        match stream.peer_addr() {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotConnected => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Drops the socket and whatever was on it.
    pub fn close(&mut self) {
        self.stream = None;
        self.flight = None;
        self.input.clear();
        self.out.clear();
        self.written = 0;
    }
}
