//! The latency server: one thread, one epoll set, one timerfd. Every pending reply's
//! deadline sits in a min-heap; the timerfd is armed (absolute, CLOCK_MONOTONIC) to the
//! earliest, so a reply leaves within the kernel's timer precision of its deadline, not
//! epoll_wait's millisecond. Connections are watched edge-triggered, the listener, the
//! timer and the control channel level-triggered. The control channel (stdin in the
//! server process) takes three commands, answered on its writer: `cpu`, this thread's CPU
//! time; `lateness`, how late the replies since the last ask left against their deadlines
//! (the server's own share of a client's added delay); and `counts`, the requests taken
//! and turned away so far (capacity mode, [`Admission`]); its end of file ends the server.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::os::fd::AsRawFd;

use super::admission::Admission;
use super::conn::{Conn, Next, State};
use super::error::Error;
use super::protocol::{DEFAULT_PAYLOAD, MAX_PAYLOAD, MIN_PAYLOAD};
use super::sys::{self, Epoll, Timer};
use crate::measure::Usage;
use crate::measure::os_limits::Limits;
use hdrhistogram::Histogram;

const LISTENER: u64 = 0;
const TIMER: u64 = 1;
const CONTROL: u64 = 2;
/// Connection keys start here: key = slot + FIRST_CONN.
const FIRST_CONN: u64 = 3;

/// The backlog asked for when none is given: the kernel clamps it to somaxconn, so the
/// queue is as long as this machine allows.
pub const DEFAULT_BACKLOG: u32 = 65_535;

/// How the server is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Bytes in each reply, at least 8.
    pub payload: usize,
    /// The listen backlog asked for; the larger of it and net.core.somaxconn is passed to
    /// listen, which clamps it to somaxconn.
    pub backlog: u32,
    /// Capacity mode: a request that arrives while this many taken requests wait for
    /// their deadline gets a busy reply at once. None: every request is taken.
    pub capacity: Option<usize>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            payload: DEFAULT_PAYLOAD,
            backlog: DEFAULT_BACKLOG,
            capacity: None,
        }
    }
}

/// The reply to the control command `cpu`: `cpu USER SYS` (seconds of this thread).
pub const CPU_COMMAND: &str = "cpu";
/// The reply to the control command `lateness`: `lateness COUNT P50 P99 MAX`, nanoseconds
/// from each reply's deadline to its write having returned, over the replies since the
/// last ask that waited on a deadline (a delay of 0 is answered at once, not counted; the
/// record then starts again).
pub const LATENESS_COMMAND: &str = "lateness";
/// The reply to the control command `counts`: `counts ACCEPTED REJECTED`, the requests
/// taken and turned away with a busy reply since the server started.
pub const COUNTS_COMMAND: &str = "counts";

/// A bound server, not yet serving.
pub struct Server {
    listener: TcpListener,
    addr: SocketAddr,
    epoll: Epoll,
    timer: Timer,
    payload: usize,
    conns: Vec<Option<Conn>>,
    free: Vec<usize>,
    serial: u64,
    /// (deadline, slot, serial) of every pending reply, earliest first; entries of closed
    /// connections are dropped when they come up.
    deadlines: BinaryHeap<Reverse<(u64, usize, u64)>>,
    armed: Option<u64>,
    /// A descriptor kept spare: at EMFILE it is closed to accept and drop the connection at
    /// the head of the queue, so the listener does not stay readable forever.
    spare: Option<File>,
    shed: u64,
    /// Each reply's lateness against its deadline, nanoseconds, since the last ask.
    late: Histogram<u64>,
    /// The capacity mode's places and the counts of requests taken and turned away.
    admission: Admission,
}

impl Server {
    /// Binds 127.0.0.1 on a port the kernel picks and listens.
    pub fn bind(options: Options) -> Result<Server, Error> {
        let payload = options.payload;
        if !(MIN_PAYLOAD..=MAX_PAYLOAD).contains(&payload) {
            return Err(Error::Payload(payload));
        }
        let somaxconn = Limits::read().somaxconn.value().unwrap_or(0);
        let backlog = u32::try_from(somaxconn)
            .unwrap_or(u32::MAX)
            .max(options.backlog);
        let listener = sys::listen_loopback(backlog)
            .map_err(|e| Error::io("listening on 127.0.0.1", None, e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::io("reading the listening address", None, e))?;
        let epoll = Epoll::new().map_err(|e| Error::io("creating the epoll set", None, e))?;
        let timer = Timer::new().map_err(|e| Error::io("creating the timerfd", None, e))?;
        let add = |fd, key| epoll.add(fd, libc::EPOLLIN as u32, key);
        add(listener.as_raw_fd(), LISTENER)
            .and_then(|()| add(timer.raw(), TIMER))
            .map_err(|e| Error::io("watching the listener and timer", None, e))?;
        Ok(Server {
            listener,
            addr,
            epoll,
            timer,
            payload,
            conns: Vec::new(),
            free: Vec::new(),
            serial: 0,
            deadlines: BinaryHeap::new(),
            armed: None,
            spare: File::open("/dev/null").ok(),
            shed: 0,
            late: lateness_record(),
            admission: Admission::new(options.capacity),
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until `control` reaches end of file, answering its commands on `answers`.
    /// A control that epoll cannot watch (/dev/null, a regular file) is not watched: the
    /// server then serves until it is killed.
    pub fn serve<C: Read + AsRawFd, W: Write>(
        mut self,
        mut control: C,
        mut answers: W,
    ) -> Result<(), Error> {
        let watched = self
            .epoll
            .add(control.as_raw_fd(), libc::EPOLLIN as u32, CONTROL);
        match watched {
            Ok(()) => {}
            Err(e) if e.raw_os_error() == Some(libc::EPERM) => {}
            Err(e) => return Err(Error::io("watching the control channel", None, e)),
        }
        // The least timer slack this thread may have (1 ns), in case a kernel applies it to
        // the timerfd's expiry.
        // SAFETY: prctl on this thread's own timer slack; no memory is passed.
        unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, 1 as libc::c_ulong) };
        let mut events = vec![libc::epoll_event { events: 0, u64: 0 }; 1024];
        let mut reply = vec![0u8; self.payload];
        let mut commands = Vec::new();
        loop {
            let n = self
                .epoll
                .wait(&mut events)
                .map_err(|e| Error::io("waiting in epoll", None, e))?;
            for ev in &events[..n] {
                match ev.u64 {
                    LISTENER => self.accept_all()?,
                    TIMER => {
                        self.timer.clear();
                        self.armed = None;
                    }
                    CONTROL => {
                        let record = Record {
                            late: &mut self.late,
                            admission: &self.admission,
                        };
                        if !control_step(&mut control, &mut commands, &mut answers, record)? {
                            return Ok(());
                        }
                    }
                    key => self.drive((key - FIRST_CONN) as usize, &mut reply),
                }
            }
            self.fire_due(&mut reply);
            self.arm()?;
        }
    }

    fn accept_all(&mut self) -> Result<(), Error> {
        loop {
            match sys::accept(&self.listener) {
                Ok(stream) => {
                    // One small write per reply: never held back by Nagle's algorithm.
                    let _ = stream.set_nodelay(true);
                    let slot = self.free.pop().unwrap_or_else(|| {
                        self.conns.push(None);
                        self.conns.len() - 1
                    });
                    let events =
                        (libc::EPOLLIN | libc::EPOLLOUT | libc::EPOLLRDHUP | libc::EPOLLET) as u32;
                    if self
                        .epoll
                        .add(stream.as_raw_fd(), events, slot as u64 + FIRST_CONN)
                        .is_err()
                    {
                        self.free.push(slot);
                        continue; // dropped: the client sees the connection close
                    }
                    self.serial += 1;
                    self.conns[slot] = Some(Conn::new(stream, self.serial));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if matches!(e.raw_os_error(), Some(libc::EMFILE | libc::ENFILE)) => {
                    self.shed_one(e)?
                }
                // The connection died in the queue (ECONNABORTED) or the like: next one.
                Err(e) if is_transient(&e) => {}
                Err(e) => return Err(Error::io("accepting a connection", None, e)),
            }
        }
    }

    /// Out of descriptors: accept the head of the queue on the spare descriptor and close
    /// it, so its client fails at once instead of the server spinning on a readable
    /// listener; said once on stderr.
    fn shed_one(&mut self, e: io::Error) -> Result<(), Error> {
        if self.spare.take().is_none() {
            return Err(Error::io("accepting a connection", None, e));
        }
        if self.shed == 0 {
            eprintln!("latency server: {}; closing connections it cannot hold", {
                Error::io("accepting a connection", None, e)
            });
        }
        self.shed += 1;
        drop(sys::accept(&self.listener));
        self.spare = File::open("/dev/null").ok();
        Ok(())
    }

    fn drive(&mut self, slot: usize, reply: &mut [u8]) {
        let Some(conn) = self.conns.get_mut(slot).and_then(Option::as_mut) else {
            return; // an event of a connection closed earlier in this batch
        };
        match conn.drive(sys::now_ns, reply, &mut self.admission) {
            Next::Idle => {}
            Next::Timer(deadline) => self.deadlines.push(Reverse((deadline, slot, conn.serial))),
            Next::Close => {
                // Closing the socket removes it from the epoll set; its pending deadline,
                // if any, is dropped when it comes up.
                self.conns[slot] = None;
                self.free.push(slot);
            }
        }
    }

    /// Replies to every connection whose deadline has passed.
    fn fire_due(&mut self, reply: &mut [u8]) {
        let mut now = sys::now_ns();
        while let Some(&Reverse((deadline, slot, serial))) = self.deadlines.peek() {
            if deadline > now {
                now = sys::now_ns();
                if deadline > now {
                    break;
                }
            }
            self.deadlines.pop();
            let Some(conn) = self.conns[slot].as_mut() else {
                continue;
            };
            let current =
                matches!(conn.state, State::Waiting { deadline_ns, .. } if deadline_ns == deadline);
            if conn.serial == serial && current {
                self.admission.due();
                conn.due();
                self.drive(slot, reply);
                // Saturating: a lateness over the record's hour is an hour.
                self.late
                    .saturating_record(sys::now_ns().saturating_sub(deadline));
            }
        }
    }

    /// Arms the timer to the earliest pending deadline, if it is not armed to it already.
    fn arm(&mut self) -> Result<(), Error> {
        let Some(&Reverse((deadline, ..))) = self.deadlines.peek() else {
            return Ok(()); // an armed timer for a dropped deadline fires harmlessly
        };
        if self.armed != Some(deadline) {
            self.timer
                .arm_at(deadline)
                .map_err(|e| Error::io("arming the timerfd", None, e))?;
            self.armed = Some(deadline);
        }
        Ok(())
    }
}

/// accept errors that concern one queued connection, not the listener.
fn is_transient(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(
            libc::ECONNABORTED
                | libc::EPROTO
                | libc::ENOBUFS
                | libc::ENOMEM
                | libc::EPERM
                | libc::ENETDOWN
                | libc::EHOSTUNREACH
        )
    )
}

/// What the control commands read: the lateness record (reset by its ask) and the
/// admission's counts.
struct Record<'a> {
    late: &'a mut Histogram<u64>,
    admission: &'a Admission,
}

/// Reads what the control channel has (one read: it is level-triggered and may be a
/// terminal, so it is never made non-blocking), answers each whole command line; false at
/// end of file.
fn control_step<C: Read, W: Write>(
    control: &mut C,
    pending: &mut Vec<u8>,
    answers: &mut W,
    record: Record,
) -> Result<bool, Error> {
    let late = record.late;
    let mut buf = [0u8; 256];
    let n = match control.read(&mut buf) {
        Ok(0) => return Ok(false),
        Ok(n) => n,
        Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(true),
        Err(e) => return Err(Error::io("reading the control channel", None, e)),
    };
    pending.extend_from_slice(&buf[..n]);
    while let Some(end) = pending.iter().position(|&b| b == b'\n') {
        let line: Vec<u8> = pending.drain(..=end).collect();
        let answer = match String::from_utf8_lossy(&line).trim() {
            CPU_COMMAND => {
                let u = Usage::this_thread().unwrap_or_default();
                format!("{CPU_COMMAND} {} {}\n", u.user_seconds, u.sys_seconds)
            }
            LATENESS_COMMAND => {
                let q = |q: f64| late.value_at_quantile(q);
                let answer = format!(
                    "{LATENESS_COMMAND} {} {} {} {}\n",
                    late.len(),
                    q(0.5),
                    q(0.99),
                    late.max()
                );
                late.reset();
                answer
            }
            COUNTS_COMMAND => {
                let c = record.admission.counts();
                format!("{COUNTS_COMMAND} {} {}\n", c.accepted, c.rejected)
            }
            other => format!(
                "error: unknown command '{other}' (known: {CPU_COMMAND}, {LATENESS_COMMAND}, \
                 {COUNTS_COMMAND})\n"
            ),
        };
        answers
            .write_all(answer.as_bytes())
            .and_then(|()| answers.flush())
            .map_err(|e| Error::io("answering on the control channel", None, e))?;
    }
    Ok(true)
}

/// An empty lateness record: 1 ns to an hour, 3 significant figures.
fn lateness_record() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 3_600_000_000_000, 3).expect("valid histogram bounds")
}
