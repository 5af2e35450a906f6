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

const TIMER: u64 = 1;
const CONTROL: u64 = 2;
/// Connection keys start here: key = slot + FIRST_CONN.
const FIRST_CONN: u64 = 3;

/// Epoll keys of the listeners: this plus the listener's index (far above any slot).
const LISTENER_BASE: u64 = 1 << 62;

/// The backlog asked for when none is given: one listener, whose queue is as long as
/// this machine allows (somaxconn; each queue is asked for at least that).
pub const DEFAULT_BACKLOG: u32 = 128;

/// The most listeners sharing the port (SO_REUSEPORT), each with a queue of up to
/// somaxconn connections: 16 x the default 4096 covers 65,536 connections arriving at once.
pub const MAX_LISTENERS: usize = 16;

/// How many listeners give a queue of `backlog` connections when each queue holds
/// `somaxconn`: one, or as many as cover it, at most [`MAX_LISTENERS`]; one when somaxconn
/// could not be read (0).
pub fn listeners_for(backlog: u32, somaxconn: u64) -> usize {
    if somaxconn == 0 {
        return 1;
    }
    (u64::from(backlog).div_ceil(somaxconn) as usize).clamp(1, MAX_LISTENERS)
}

/// How the server is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Bytes in each reply, at least 8.
    pub payload: usize,
    /// The connections that may wait to be accepted at once. Each listener's queue is
    /// clamped to net.core.somaxconn, so a backlog above it gets more listeners sharing the
    /// port ([`listeners_for`]): the kernel spreads new connections over their queues.
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
    /// One or more listeners sharing the port (SO_REUSEPORT), each with its own queue.
    listeners: Vec<TcpListener>,
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
    /// Out of descriptors with connections open: the listeners are not watched until one
    /// closes, so new connections wait in the kernel's queues instead of being reset.
    paused: bool,
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
        // Each queue as long as the kernel allows (it clamps to somaxconn).
        let queue = u32::try_from(somaxconn)
            .unwrap_or(u32::MAX)
            .max(options.backlog);
        let listening = |port| {
            sys::listen_loopback(port, queue)
                .map_err(|e| Error::io("listening on 127.0.0.1", None, e))
        };
        let first = listening(0)?;
        let addr = first
            .local_addr()
            .map_err(|e| Error::io("reading the listening address", None, e))?;
        let mut listeners = vec![first];
        for _ in 1..listeners_for(options.backlog, somaxconn) {
            listeners.push(listening(addr.port())?);
        }
        let epoll = Epoll::new().map_err(|e| Error::io("creating the epoll set", None, e))?;
        let timer = Timer::new().map_err(|e| Error::io("creating the timerfd", None, e))?;
        let add = |fd, key| epoll.add(fd, libc::EPOLLIN as u32, key);
        add(timer.raw(), TIMER)
            .and_then(|()| {
                listeners
                    .iter()
                    .enumerate()
                    .try_for_each(|(i, l)| add(l.as_raw_fd(), LISTENER_BASE + i as u64))
            })
            .map_err(|e| Error::io("watching the listeners and timer", None, e))?;
        Ok(Server {
            listeners,
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
            paused: false,
            late: lateness_record(),
            admission: Admission::new(options.capacity),
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many listeners share its port.
    pub fn listeners(&self) -> usize {
        self.listeners.len()
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
                let key = ev.u64; // a copy: the event struct is packed
                match key {
                    key if key >= LISTENER_BASE => {
                        self.accept_all((key - LISTENER_BASE) as usize)?
                    }
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

    fn accept_all(&mut self, listener: usize) -> Result<(), Error> {
        loop {
            match sys::accept(&self.listeners[listener]) {
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
                    if self.conns.len() > self.free.len() {
                        // A connection will close: until then, let the queue hold them.
                        return self.watch_listeners(false);
                    }
                    if !self.shed_one(listener, e)? {
                        return Ok(());
                    }
                }
                // The connection died in the queue (ECONNABORTED) or the like: next one.
                Err(e) if is_transient(&e) => {}
                Err(e) => return Err(Error::io("accepting a connection", None, e)),
            }
        }
    }

    /// Watches the listeners again (`on`) or stops watching them (out of descriptors with
    /// connections open: a new connection then waits in the queue for a closing one).
    fn watch_listeners(&mut self, on: bool) -> Result<(), Error> {
        let events = if on { libc::EPOLLIN as u32 } else { 0 };
        for (i, l) in self.listeners.iter().enumerate() {
            self.epoll
                .modify(l.as_raw_fd(), events, LISTENER_BASE + i as u64)
                .map_err(|e| Error::io("watching the listeners", None, e))?;
        }
        self.paused = !on;
        Ok(())
    }

    /// Out of descriptors and no connection open to wait for: accept the head of the queue
    /// on the spare descriptor and close it, so its client fails at once instead of the server spinning on a readable
    /// listener; said once on stderr. Answers whether one was shed: accept4 takes a
    /// descriptor before it looks at the queue, so a full table gives EMFILE with the
    /// queue empty too, and then there is nothing to shed (and accepting must stop).
    fn shed_one(&mut self, listener: usize, e: io::Error) -> Result<bool, Error> {
        if self.spare.take().is_none() {
            return Err(Error::io("accepting a connection", None, e));
        }
        let shed = match sys::accept(&self.listeners[listener]) {
            Ok(conn) => {
                drop(conn);
                true
            }
            Err(_) => false, // nothing queued (or it died in the queue): nothing to do
        };
        self.spare = File::open("/dev/null").ok();
        if shed {
            if self.shed == 0 {
                eprintln!("latency server: {}; closing connections it cannot hold", {
                    Error::io("accepting a connection", None, e)
                });
            }
            self.shed += 1;
        }
        Ok(shed)
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
                if self.paused {
                    // A descriptor is free: take the queued connections again (the
                    // listeners are level-triggered, so the next wait reports them).
                    if let Err(e) = self.watch_listeners(true) {
                        eprintln!("latency server: {e}");
                    }
                }
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
