//! One connection's state machine: read a whole request frame, wait for its deadline,
//! write the whole reply, read the next. Reads and writes are non-blocking and may be
//! partial; the connection is watched edge-triggered, so each step runs until the socket
//! would block. A request is read only after the previous reply is written, so a client
//! that sends its next request early (pipelining) is served in order, never mixed up. After
//! the reply to a request marked last, the server closes the connection. Each request read
//! goes through the server's [`Admission`]: one turned away is answered at once with its
//! busy reply.

use std::io::{self, Read, Write};
use std::net::TcpStream;

use super::admission::Admission;
use super::protocol::{REQUEST_LEN, Request, busy_reply_word, encode_word, expected_reply_word};

/// Where a connection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Reading a request: `filled` bytes of the frame so far.
    Reading {
        /// Bytes of the frame read.
        filled: usize,
    },
    /// A request read; its reply is due at `deadline_ns` (CLOCK_MONOTONIC).
    Waiting {
        /// When the reply is due.
        deadline_ns: u64,
        /// The request's token.
        token: u64,
        /// The connection's last request: close once the reply is written.
        last: bool,
    },
    /// Writing the reply whose word is `word` (the request's reply or its busy reply):
    /// `written` bytes sent so far.
    Writing {
        /// The reply's word.
        word: u64,
        /// Bytes of the reply sent.
        written: usize,
        /// The connection's last request: close once the reply is written.
        last: bool,
    },
}

/// What a step of a connection asks of the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Nothing: it waits for the socket.
    Idle,
    /// Wake it at `deadline_ns` to reply.
    Timer(u64),
    /// Close it: the peer left, or the socket failed.
    Close,
}

/// One accepted connection.
pub struct Conn {
    /// The socket (non-blocking).
    pub stream: TcpStream,
    /// Unique among the server's connections, so a timer of a closed connection never wakes
    /// the connection that reuses its slot.
    pub serial: u64,
    /// Where it is.
    pub state: State,
    frame: [u8; REQUEST_LEN],
}

impl Conn {
    /// A new connection, reading its first request.
    pub fn new(stream: TcpStream, serial: u64) -> Conn {
        Conn {
            stream,
            serial,
            state: State::Reading { filled: 0 },
            frame: [0; REQUEST_LEN],
        }
    }

    /// Its deadline has come: start writing the reply.
    pub fn due(&mut self) {
        if let State::Waiting { token, last, .. } = self.state {
            self.state = State::Writing {
                word: expected_reply_word(token),
                written: 0,
                last,
            };
        }
    }

    /// Runs the state machine until the socket would block, a deadline is set, or the
    /// connection ends. `now_ns` is read only when a request completes; `reply` is scratch
    /// of the payload's length; `admission` takes or turns away each request read, and
    /// counts a taken delayed one as waiting.
    pub fn drive(
        &mut self,
        now_ns: impl Fn() -> u64,
        reply: &mut [u8],
        admission: &mut Admission,
    ) -> Next {
        loop {
            match self.state {
                State::Reading { filled } => match self.stream.read(&mut self.frame[filled..]) {
                    Ok(0) => return Next::Close, // the peer left, mid-frame or between requests
                    Ok(n) if filled + n < REQUEST_LEN => {
                        self.state = State::Reading { filled: filled + n };
                    }
                    Ok(_) => {
                        let req = Request::decode(&self.frame);
                        let taken = admission.admit();
                        if !taken || req.delay_us == 0 {
                            let word = if taken {
                                expected_reply_word(req.token)
                            } else {
                                busy_reply_word(req.token)
                            };
                            self.state = State::Writing {
                                word,
                                written: 0,
                                last: req.last,
                            };
                        } else {
                            admission.wait();
                            let deadline_ns =
                                now_ns().saturating_add(req.delay_us.saturating_mul(1_000));
                            self.state = State::Waiting {
                                deadline_ns,
                                token: req.token,
                                last: req.last,
                            };
                            return Next::Timer(deadline_ns);
                        }
                    }
                    Err(e) => match step_error(e) {
                        Some(next) => return next,
                        None => continue,
                    },
                },
                State::Waiting { .. } => return Next::Idle,
                State::Writing {
                    word,
                    written,
                    last,
                } => {
                    encode_word(word, reply);
                    match self.stream.write(&reply[written..]) {
                        Ok(0) => return Next::Close,
                        Ok(n) if written + n < reply.len() => {
                            self.state = State::Writing {
                                word,
                                written: written + n,
                                last,
                            };
                        }
                        // The server closes first: TIME_WAIT stays on its side.
                        Ok(_) if last => return Next::Close,
                        Ok(_) => self.state = State::Reading { filled: 0 },
                        Err(e) => match step_error(e) {
                            Some(next) => return next,
                            None => continue,
                        },
                    }
                }
            }
        }
    }
}

/// A failed read or write: would block (wait for the socket), interrupted (try again:
/// None), or anything else (reset, broken pipe: close).
fn step_error(e: io::Error) -> Option<Next> {
    match e.kind() {
        io::ErrorKind::WouldBlock => Some(Next::Idle),
        io::ErrorKind::Interrupted => None,
        _ => Some(Next::Close),
    }
}
