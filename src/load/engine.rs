//! The generator's event loop: one thread, one epoll set (mio), one timerfd armed to the
//! next thing due (a send, the window's edges, a timeout, a reconnect), so sends leave
//! within the kernel's timer precision, not epoll_wait's millisecond, and nothing spins.
//!
//! Request k is due at its intended time; it leaves at once on an idle connection (its
//! lag, actual minus intended, is the generator's), or waits in a queue for the first one
//! freed (the server is behind; that wait is in its corrected latency, not in the lag). A
//! request unanswered `timeout` after it left, or still queued `timeout` after its intended
//! time, times out; a timed-out or failed connection is closed and opened again.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Duration;

use mio::net::TcpStream;
use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};

use super::conn::{Conn, Filled, Flight, State};
use super::error::LoadError;
use super::record::RateResult;
use super::request::{Requests, Verdict};
use super::schedule::{Arrivals, Schedule};
use super::tally::{Outcome, Pending, Tally};
use crate::http::{ParsedResponse, parse_response};
use crate::measure::Usage;
use crate::netserver::{Timer, now_ns};

const TIMER: Token = Token(usize::MAX);
/// How long a connection whose connect failed waits before the next try.
const RECONNECT_BACKOFF: Duration = Duration::from_millis(100);
/// Before the first send of a rate: time for the loop to arm its timer and wait.
const LEAD: Duration = Duration::from_millis(5);

/// One rate's settings.
#[derive(Debug, Clone, Copy)]
pub struct RateSpec {
    /// Requests per second.
    pub offered: f64,
    /// Sent but not recorded, before the window.
    pub warmup: Duration,
    /// The measured window.
    pub duration: Duration,
    /// How sends are spaced.
    pub arrivals: Arrivals,
    /// The Poisson schedule's seed.
    pub seed: u64,
    /// A request unanswered this long times out.
    pub timeout: Duration,
    /// The latency objective the rate is judged against.
    pub slo: Duration,
}

/// The generator: its connections (kept open across rates) and its loop.
pub struct Generator {
    poll: Poll,
    events: Events,
    timer: Timer,
    armed: u64,
    addr: SocketAddr,
    requests: Requests,
    conns: Vec<Conn>,
    idle: Vec<usize>,
    queue: VecDeque<Pending>,
    deadlines: VecDeque<(u64, usize, u64)>,
    next_id: u64,
    chunk: Vec<u8>,
    timeout: u64,
}

impl Generator {
    /// Opens `connections` connections to `addr`, waiting at most `timeout` for them.
    pub fn new(
        addr: SocketAddr,
        connections: usize,
        requests: Requests,
        timeout: Duration,
    ) -> Result<Generator, LoadError> {
        let poll = Poll::new()?;
        let timer = Timer::new()?;
        poll.registry()
            .register(&mut SourceFd(&timer.raw()), TIMER, Interest::READABLE)?;
        let mut g = Generator {
            poll,
            events: Events::with_capacity(1024),
            timer,
            armed: 0,
            addr,
            requests,
            conns: (0..connections).map(|_| Conn::new()).collect(),
            idle: Vec::with_capacity(connections),
            queue: VecDeque::new(),
            deadlines: VecDeque::new(),
            next_id: 1,
            chunk: vec![0; 64 * 1024],
            timeout: timeout.as_nanos() as u64,
        };
        let now = now_ns();
        let mut none = Tally::new(0, 0);
        g.retry_down(now, &mut none);
        let give_up = now + g.timeout;
        while g.conns.iter().any(|c| c.state == State::Connecting) && now_ns() < give_up {
            g.arm(give_up)?;
            g.wait(&mut none)?;
        }
        Ok(g)
    }

    /// Runs one rate: warm-up, the window, then the drain until every request has ended
    /// (bounded: a queued request times out `timeout` after its intended time, a sent one
    /// `timeout` after it left).
    pub fn run_rate(&mut self, spec: &RateSpec) -> Result<RateResult, LoadError> {
        let start = now_ns() + LEAD.as_nanos() as u64;
        let w0 = start + spec.warmup.as_nanos() as u64;
        let w1 = w0 + spec.duration.as_nanos() as u64;
        let mut tally = Tally::new(w0, w1);
        let mut schedule = Schedule::new(spec.offered, spec.arrivals, spec.seed);
        let mut next = start + schedule.next_ns();
        let (mut cpu_start, mut cpu_end) = (None::<Usage>, None::<Usage>);
        self.retry_down(now_ns(), &mut tally);
        loop {
            let mut now = now_ns();
            if cpu_start.is_none() && now >= w0 {
                cpu_start = Usage::this_thread();
            }
            while next < w1 && next <= now {
                let p = Pending {
                    id: self.next_id,
                    intended: next,
                };
                self.next_id += 1;
                match self.idle.pop() {
                    Some(i) => self.send(i, p, true, &mut tally),
                    None => self.queue.push_back(p),
                }
                next = start + schedule.next_ns();
                now = now_ns();
            }
            if cpu_end.is_none() && now >= w1 {
                cpu_end = Usage::this_thread();
            }
            self.expire(now, &mut tally);
            if now >= w1 && self.queue.is_empty() && self.busy() == 0 {
                break;
            }
            let mut due = self.next_due();
            if next < w1 {
                due = due.min(next);
            }
            if cpu_start.is_none() {
                due = due.min(w0);
            }
            if cpu_end.is_none() {
                due = due.min(w1);
            }
            self.arm(due)?;
            self.wait(&mut tally)?;
        }
        let cpu = match (cpu_start, cpu_end) {
            (Some(a), Some(b)) => {
                let d = b.since(a);
                d.user_seconds + d.sys_seconds
            }
            _ => 0.0,
        };
        Ok(tally.finish(spec.offered, cpu, spec.slo))
    }

    fn busy(&self) -> usize {
        self.conns.iter().filter(|c| c.state == State::Busy).count()
    }

    /// The earliest timeout or reconnect due (u64::MAX: none).
    fn next_due(&self) -> u64 {
        let mut due = u64::MAX;
        if let Some(&(at, _, _)) = self.deadlines.front() {
            due = due.min(at);
        }
        if let Some(p) = self.queue.front() {
            due = due.min(p.intended + self.timeout);
        }
        for c in &self.conns {
            if let State::Down { retry_at } = c.state {
                due = due.min(retry_at);
            }
        }
        due
    }

    /// Arms the timer to `at` unless it already is (u64::MAX: left as it is; the loop
    /// then waits for sockets alone).
    fn arm(&mut self, at: u64) -> Result<(), LoadError> {
        if at != u64::MAX && at != self.armed {
            self.timer.arm_at(at)?;
            self.armed = at;
        }
        Ok(())
    }

    /// Waits for the timer or a socket, and handles what came.
    fn wait(&mut self, tally: &mut Tally) -> Result<(), LoadError> {
        match self.poll.poll(&mut self.events, None) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        let ready: Vec<(Token, bool)> = self
            .events
            .iter()
            .map(|e| (e.token(), e.is_writable()))
            .collect();
        for (token, writable) in ready {
            if token == TIMER {
                self.timer.clear();
                self.armed = 0;
            } else {
                self.on_event(token.0, writable, tally);
            }
        }
        Ok(())
    }

    /// Timeouts of sent and queued requests, and reconnects due.
    fn expire(&mut self, now: u64, tally: &mut Tally) {
        while let Some(&(at, i, id)) = self.deadlines.front() {
            if at > now {
                break;
            }
            self.deadlines.pop_front();
            if self.conns[i].flight.is_some_and(|f| f.pending.id == id) {
                self.fail(i, now, Outcome::Timeout, tally);
            }
        }
        while let Some(&p) = self.queue.front() {
            if p.intended + self.timeout > now {
                break;
            }
            self.queue.pop_front();
            tally.ended(p, None, now, Outcome::Timeout);
        }
        self.retry_down(now, tally);
    }

    /// Connects every connection that is down and due.
    fn retry_down(&mut self, now: u64, tally: &mut Tally) {
        for i in 0..self.conns.len() {
            if matches!(self.conns[i].state, State::Down { retry_at } if retry_at <= now) {
                self.open(i, now, tally);
            }
        }
    }

    /// Starts connecting `i`; a connect refused at once puts it down for the backoff.
    fn open(&mut self, i: usize, now: u64, tally: &mut Tally) {
        self.idle.retain(|&j| j != i);
        self.conns[i].close();
        let registered = TcpStream::connect(self.addr).and_then(|mut s| {
            self.poll.registry().register(
                &mut s,
                Token(i),
                Interest::READABLE | Interest::WRITABLE,
            )?;
            Ok(s)
        });
        match registered {
            Ok(s) => {
                self.conns[i].stream = Some(s);
                self.conns[i].state = State::Connecting;
            }
            Err(_) => self.down(i, now, tally),
        }
    }

    fn down(&mut self, i: usize, now: u64, tally: &mut Tally) {
        tally.connect_failed(now);
        self.conns[i].close();
        self.conns[i].state = State::Down {
            retry_at: now + RECONNECT_BACKOFF.as_nanos() as u64,
        };
    }

    /// Ends `i`'s request this way (if any) and opens the connection again.
    fn fail(&mut self, i: usize, now: u64, outcome: Outcome, tally: &mut Tally) {
        if let Some(f) = self.conns[i].flight.take() {
            tally.ended(f.pending, Some(f.sent), now, outcome);
        }
        self.open(i, now, tally);
    }

    /// Sends `p` on idle connection `i`; `idle` when it found the connection idle at its
    /// intended time (its lag is recorded).
    fn send(&mut self, i: usize, p: Pending, idle: bool, tally: &mut Tally) {
        let sent = now_ns();
        let c = &mut self.conns[i];
        self.requests.write(p.id, &mut c.out);
        c.written = 0;
        c.state = State::Busy;
        c.flight = Some(Flight { pending: p, sent });
        tally.sent(p, sent, idle);
        self.deadlines.push_back((sent + self.timeout, i, p.id));
        if self.conns[i].flush().is_err() {
            self.fail(i, now_ns(), Outcome::Error, tally);
        }
    }

    /// `i` has nothing on it: it takes the oldest queued request, or waits idle.
    fn freed(&mut self, i: usize, tally: &mut Tally) {
        self.conns[i].state = State::Idle;
        match self.queue.pop_front() {
            Some(p) => self.send(i, p, false, tally),
            None => self.idle.push(i),
        }
    }

    fn on_event(&mut self, i: usize, writable: bool, tally: &mut Tally) {
        let now = now_ns();
        match self.conns[i].state {
            State::Down { .. } => {}
            State::Connecting => match self.conns[i].connected() {
                Ok(true) => {
                    if let Some(s) = &self.conns[i].stream {
                        let _ = s.set_nodelay(true);
                    }
                    self.freed(i, tally);
                }
                Ok(false) => {}
                Err(_) => self.down(i, now, tally),
            },
            State::Idle => {
                // An idle keep-alive connection the server closed (or wrote to unasked):
                // open it again; no request was on it.
                let mut chunk = std::mem::take(&mut self.chunk);
                let filled = self.conns[i].fill(&mut chunk);
                self.chunk = chunk;
                if !matches!(filled, Filled::Blocked) || !self.conns[i].input.is_empty() {
                    self.open(i, now, tally);
                }
            }
            State::Busy => {
                if writable && self.conns[i].flush().is_err() {
                    return self.fail(i, now, Outcome::Error, tally);
                }
                self.on_readable(i, tally);
            }
        }
    }

    /// Reads `i`'s response; a whole one ends its request.
    fn on_readable(&mut self, i: usize, tally: &mut Tally) {
        let mut chunk = std::mem::take(&mut self.chunk);
        let filled = self.conns[i].fill(&mut chunk);
        self.chunk = chunk;
        let end = now_ns();
        let c = &mut self.conns[i];
        match parse_response(&c.input) {
            ParsedResponse::Complete(r) => {
                let Some(f) = c.flight.take() else {
                    return self.open(i, end, tally);
                };
                let outcome =
                    match self
                        .requests
                        .judge(f.pending.id, r.status, &c.input[r.body.clone()])
                    {
                        Verdict::Ok => Outcome::Ok,
                        Verdict::WrongChecksum => Outcome::WrongChecksum,
                        Verdict::Status(_) => Outcome::Error,
                    };
                tally.ended(f.pending, Some(f.sent), end, outcome);
                c.input.drain(..r.body.end);
                if r.keep_alive && c.input.is_empty() && matches!(filled, Filled::Blocked) {
                    self.freed(i, tally);
                } else {
                    self.open(i, end, tally);
                }
            }
            ParsedResponse::Bad(_) => self.fail(i, end, Outcome::Error, tally),
            ParsedResponse::Partial => {
                if !matches!(filled, Filled::Blocked) {
                    self.fail(i, end, Outcome::Error, tally);
                }
            }
        }
    }
}
