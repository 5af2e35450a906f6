//! Claim C13's I/O-readiness variant of the bucket brigade ([`super::brigade`]): the same
//! ring of units passing one token, each unit adding one to it, but every link a
//! socketpair. A unit reads the token from its own socket and writes it, plus one, into
//! the next unit's; threads block in `read`, tasks wait on their runtime's reactor (each
//! in its own idiom: `tokio::net::UnixStream`, smol's `Async<UnixStream>`, async-std's
//! `UnixStream`), so each hop is a wake-up by I/O readiness.
//!
//! A ring, not a chain that ends: the token goes round as many times as the hops ask, so
//! the timed run is exactly `hops` hops between units (from the first unit holding token 0
//! to a unit holding token `hops`), with no start, join or re-injection by a driver inside
//! it, and a ring of 500 units makes as many hops as asked, not 499 per pass. The token is
//! the hop count itself, 8 bytes little-endian. A unit reads whole tokens only (a token cut
//! short by a closed socket fails the unit that read it), and the run checks that the
//! tokens held were 0 to `hops`, each once (their count and their sum), so a duplicated or
//! changed token fails it. A lost token (or part of one) leaves every unit waiting: the
//! cell's timeout ends the run, as a failure.
//!
//! Every unit has started and is about to wait before the first token is written (through
//! a copy of the first link's writing end, closed right after), so no unit's start is in
//! the timed hops. When the token has made its hops its holder stops and closes its
//! sockets; the next unit reads the end of its socket and stops in turn, round the ring.
//!
//! [`pipe_cost`] is what the socket I/O costs alone: one thread doing every write and read
//! of a ring of the same size, so nobody waits; the claim subtracts it from each hop.

use std::future::Future;
use std::io::{self, Read, Write};
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use smol::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::async_driver::AsyncRt;
use super::brigade::{Hopped, UnitLog, check, hopped};
use super::{RuntimeError, panic_message};
use crate::measure::{Usage, os_limits};

/// Bytes of one token.
const TOKEN: usize = 8;

/// One end of a socketpair as a task reads and writes it, on its runtime's reactor
/// ([`AsyncRt::Socket`]): the runtimes whose sockets take the futures I/O traits (smol,
/// async-std) have it as they are; tokio's through its own traits.
pub trait Socket: Send + 'static {
    /// Reads what has arrived into `buf` once the socket is readable; 0 at its end.
    fn read<'a>(
        &'a mut self,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a;

    /// Writes some of `buf` once the socket is writable; how much it wrote.
    fn write<'a>(
        &'a mut self,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a;
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send + 'static> Socket for S {
    fn read<'a>(
        &'a mut self,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a {
        AsyncReadExt::read(self, buf)
    }

    fn write<'a>(
        &'a mut self,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a {
        AsyncWriteExt::write(self, buf)
    }
}

/// The brigade on OS threads, each blocking in `read` on its own socket.
pub fn threads(units: usize, hops: usize) -> Result<Hopped, RuntimeError> {
    threads_from(units, hops, &[0])
}

/// [`threads`] with `first` the tokens put in the first link (token 0; a test's forgery).
fn threads_from(units: usize, hops: usize, first: &[u64]) -> Result<Hopped, RuntimeError> {
    check(units, hops)?;
    let Ring { ends, starter } = ring(units)?;
    let hops = hops as u64;
    let ready = AtomicUsize::new(0);
    let (logs, refused) = thread::scope(|scope| {
        let mut handles = Vec::with_capacity(units);
        let mut refused = None;
        for ends in ends {
            let ready = &ready;
            let unit = move || thread_unit(ends, Order { units, hops }, ready);
            match thread::Builder::new().spawn_scoped(scope, unit) {
                Ok(h) => handles.push(h),
                Err(e) => {
                    refused = Some(e);
                    break; // the ends of the units not started close here
                }
            }
        }
        let started = handles.len();
        if refused.is_none() {
            while ready.load(Ordering::Acquire) < started {
                thread::sleep(Duration::from_millis(1));
            }
            start(&starter, first)?;
        }
        drop(starter); // with a unit missing, the first reads the end and all stop in turn
        let logs = handles
            .into_iter()
            .map(|h| {
                h.join()
                    .map_err(|p| RuntimeError::TaskPanicked(panic_message(p)))?
            })
            .collect::<Result<Vec<UnitLog>, _>>();
        Ok::<_, RuntimeError>((logs, refused.map(|e| (started, e))))
    })?;
    if let Some((started, source)) = refused {
        return Err(RuntimeError::ThreadSpawn {
            started,
            source,
            limits: os_limits::describe_thread_limits(),
        });
    }
    hopped(&logs?, hops)
}

/// A ring's size and its run's hops.
#[derive(Clone, Copy)]
struct Order {
    units: usize,
    hops: u64,
}

impl Order {
    /// Whether token `v` is the last this unit takes: the token after it, a lap later,
    /// would be past the run's end.
    fn last_take(self, v: u64) -> bool {
        v + self.units as u64 > self.hops
    }
}

/// One thread unit: reads a token, writes it on plus one, until it holds the last token
/// or its socket ends. It counts its own context switches from before its first wait to
/// after its last hand-over (a unit holding no token: to its end), so the wait for the end
/// of its socket, after the timed run, is not in them.
fn thread_unit(ends: Ends, at: Order, ready: &AtomicUsize) -> Result<UnitLog, RuntimeError> {
    let start = Usage::this_thread();
    let counted =
        |log: &mut UnitLog| log.own = start.zip(Usage::this_thread()).map(|(a, b)| b.since(a));
    let mut log = UnitLog::default();
    let mut partial = Partial::default();
    ready.fetch_add(1, Ordering::Release);
    while let Some(v) = read_blocking(&ends.from, &mut partial)? {
        let last = log.hold(v, at.hops);
        if !last {
            write_blocking(&ends.to, v + 1)?;
        }
        if at.last_take(v) {
            counted(&mut log);
        }
        if last {
            break;
        }
    }
    if log.own.is_none() {
        counted(&mut log);
    }
    Ok(log)
}

/// The brigade on tasks of the runtime `rt` (call it from a task inside the runtime): each
/// task awaits its own socket through the runtime's reactor.
pub async fn tasks<R: AsyncRt>(rt: R, units: usize, hops: usize) -> Result<Hopped, RuntimeError> {
    let Ring { ends, starter } = ring(units)?;
    let hops = hops as u64;
    let ready = Arc::new(AtomicUsize::new(0));
    let mut joins = Vec::with_capacity(units);
    for Ends { from, to } in ends {
        let (from, to) = (R::socket(from), R::socket(to));
        let (from, to) = from.and_then(|f| Ok((f, to?))).map_err(socket_error)?;
        let ready = Arc::clone(&ready);
        joins.push(rt.spawn(task_unit::<R>(from, to, hops, ready)));
    }
    while ready.load(Ordering::Acquire) < units {
        R::sleep(Duration::from_millis(1)).await;
    }
    // The first link's end is non-blocking now (the runtime's copy set it), and its buffer
    // is empty: the write cannot wait.
    let started = start(&starter, &[0]);
    drop(starter);
    let mut logs = Vec::with_capacity(units);
    for j in joins {
        logs.push(j.await?);
    }
    started?;
    hopped(&logs.into_iter().collect::<Result<Vec<_>, _>>()?, hops)
}

/// One task unit, as [`thread_unit`] (the process counts switches for tasks).
async fn task_unit<R: AsyncRt>(
    mut from: R::Socket,
    mut to: R::Socket,
    hops: u64,
    ready: Arc<AtomicUsize>,
) -> Result<UnitLog, RuntimeError> {
    let mut log = UnitLog::default();
    let mut partial = Partial::default();
    ready.fetch_add(1, Ordering::Release);
    loop {
        let n = Socket::read(&mut from, partial.space())
            .await
            .map_err(read_error)?;
        let v = match partial.took(n)? {
            Got::More => continue,
            Got::End => break,
            Got::Token(v) => v,
        };
        if log.hold(v, hops) {
            break;
        }
        let bytes = (v + 1).to_le_bytes();
        let mut sent = 0;
        while sent < TOKEN {
            match Socket::write(&mut to, &bytes[sent..]).await {
                Ok(0) => return Err(write_error(io::ErrorKind::WriteZero.into())),
                Ok(n) => sent += n,
                Err(e) => return Err(write_error(e)),
            }
        }
    }
    Ok(log)
}

/// The cost of the socket I/O alone: one thread doing every write and read that a brigade
/// of `units` makes in `hops` hops, on a ring of its own of the same size (hop k writes
/// token k + 1 into link k mod `units` and reads it from the other end), so no read ever
/// waits. Seconds per hop; each token read must be the one just written.
pub fn pipe_cost(units: usize, hops: usize) -> Result<f64, RuntimeError> {
    check(units, hops)?;
    let Ring { ends, .. } = ring(units)?;
    let mut partial = Partial::default();
    let began = Instant::now();
    for k in 0..hops {
        let token = k as u64 + 1;
        write_blocking(&ends[k % units].to, token)?;
        match read_blocking(&ends[(k + 1) % units].from, &mut partial)? {
            Some(v) if v == token => {}
            got => {
                return Err(RuntimeError::Verification(format!(
                    "the pipe I/O alone wrote token {token} and read {got:?}"
                )));
            }
        }
    }
    Ok(began.elapsed().as_secs_f64() / hops as f64)
}

/// A ring of socketpairs: unit i's ends, and a copy of the first link's writing end to put
/// the first token in.
struct Ring {
    ends: Vec<Ends>,
    starter: UnixStream,
}

/// A unit's two sockets: it reads `from` (its own link) and writes `to` (the next unit's).
struct Ends {
    from: UnixStream,
    to: UnixStream,
}

fn ring(units: usize) -> Result<Ring, RuntimeError> {
    let pairs = (0..units)
        .map(|_| UnixStream::pair())
        .collect::<io::Result<Vec<_>>>()
        .map_err(socket_error)?;
    let (mut writers, readers): (Vec<_>, Vec<_>) = pairs.into_iter().unzip();
    let starter = writers[0].try_clone().map_err(socket_error)?;
    writers.rotate_left(1); // unit i writes into link i + 1; the last into link 0
    let ends = readers
        .into_iter()
        .zip(writers)
        .map(|(from, to)| Ends { from, to })
        .collect();
    Ok(Ring { ends, starter })
}

/// Puts the first tokens (token 0) into the first link; if it cannot, shuts the link's
/// writing side (the socket's, not only this descriptor's), so the first unit reads the end
/// and every unit stops in turn instead of waiting for ever.
fn start(starter: &UnixStream, first: &[u64]) -> Result<(), RuntimeError> {
    first
        .iter()
        .try_for_each(|&v| write_blocking(starter, v))
        .inspect_err(|_| {
            let _ = starter.shutdown(std::net::Shutdown::Write);
        })
}

fn read_blocking(mut s: &UnixStream, partial: &mut Partial) -> Result<Option<u64>, RuntimeError> {
    loop {
        let n = s.read(partial.space()).map_err(read_error)?;
        match partial.took(n)? {
            Got::More => {}
            Got::End => return Ok(None),
            Got::Token(v) => return Ok(Some(v)),
        }
    }
}

fn write_blocking(mut s: &UnixStream, v: u64) -> Result<(), RuntimeError> {
    s.write_all(&v.to_le_bytes()).map_err(write_error)
}

/// The bytes of a token read so far.
#[derive(Default)]
struct Partial {
    buf: [u8; TOKEN],
    got: usize,
}

/// What a read gave: part of a token, a whole one, or the socket's end between tokens.
enum Got {
    More,
    Token(u64),
    End,
}

impl Partial {
    /// Where the next read goes: the rest of the token (never more, so a read takes one
    /// token at most and the next stays in the socket).
    fn space(&mut self) -> &mut [u8] {
        &mut self.buf[self.got..]
    }

    /// Takes in the `n` bytes a read put in [`Partial::space`]; the end of the socket in the
    /// middle of a token is an error.
    fn took(&mut self, n: usize) -> Result<Got, RuntimeError> {
        match (n, self.got) {
            (0, 0) => Ok(Got::End),
            (0, got) => Err(RuntimeError::Verification(format!(
                "a token cut short: the socket ended after {got} of its {TOKEN} bytes"
            ))),
            _ => {
                self.got += n;
                if self.got < TOKEN {
                    return Ok(Got::More);
                }
                self.got = 0;
                Ok(Got::Token(u64::from_le_bytes(self.buf)))
            }
        }
    }
}

/// A socketpair that could not be made or registered (EMFILE names `ulimit -n`).
fn socket_error(e: io::Error) -> RuntimeError {
    RuntimeError::Start {
        runtime: "the I/O brigade's socketpairs",
        source: io::Error::new(
            e.kind(),
            crate::netserver::Error::io("a socketpair", None, e),
        ),
    }
}

/// A token that could not be passed on: the brigade did not make its hops.
fn read_error(e: io::Error) -> RuntimeError {
    RuntimeError::Verification(format!("a unit could not read its token: {e}"))
}

fn write_error(e: io::Error) -> RuntimeError {
    RuntimeError::Verification(format!("a unit could not pass its token on: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_thread_hop_over_a_socket_blocks_in_read() {
        let hops = 2_000;
        for units in [2, 3, 50] {
            let run = threads(units, hops).expect("the brigade runs");
            let own = run.unit_switches.expect("threads count their own switches");
            // A unit sleeps in read until its token comes round; with two units the answer
            // can come before the sender sleeps, so only most hops are promised.
            assert!(
                own.voluntary_switches as f64 >= hops as f64 * 0.5,
                "{units} units: {own:?} in {hops} hops ({} s a hop)",
                run.seconds_per_hop
            );
        }
    }

    #[test]
    fn a_doubled_or_changed_token_fails_the_run() {
        for first in [&[0, 0][..], &[1], &[0, 7]] {
            match threads_from(5, 200, first) {
                Err(RuntimeError::Verification(_)) => {}
                other => panic!("first tokens {first:?}: {other:?}"),
            }
        }
        assert!(threads_from(5, 200, &[0]).is_ok());
    }

    #[test]
    fn fewer_hops_than_units_still_end() {
        let run = threads(20, 5).expect("the brigade runs");
        assert!(run.unit_switches.is_some());
    }

    #[test]
    fn the_pipe_alone_costs_something_and_reads_back_what_it_wrote() {
        for units in [2, 7] {
            assert!(pipe_cost(units, 1_000).expect("the pipe runs") > 0.0);
        }
        assert!(pipe_cost(1, 10).is_err(), "too small a ring is refused");
    }

    #[test]
    fn a_token_cut_short_is_an_error_and_an_end_between_tokens_is_not() {
        let mut p = Partial::default();
        assert!(matches!(p.took(0), Ok(Got::End)));
        p.space()[..3].copy_from_slice(&[7, 0, 0]);
        assert!(matches!(p.took(3), Ok(Got::More)));
        assert!(p.took(0).is_err(), "3 of 8 bytes, then the end");
        let mut p = Partial::default();
        p.space().copy_from_slice(&9u64.to_le_bytes()[..]);
        assert!(matches!(p.took(TOKEN), Ok(Got::Token(9))));
        assert!(matches!(p.took(0), Ok(Got::End)));
    }

    #[test]
    fn the_ring_links_each_unit_to_the_next_and_the_last_to_the_first() {
        let units = 4;
        let Ring { ends, starter } = ring(units).unwrap();
        let mut partial = Partial::default();
        write_blocking(&starter, 100).unwrap();
        assert_eq!(
            read_blocking(&ends[0].from, &mut partial).unwrap(),
            Some(100)
        );
        for i in 0..units {
            write_blocking(&ends[i].to, i as u64).unwrap();
            let next = &ends[(i + 1) % units].from;
            assert_eq!(read_blocking(next, &mut partial).unwrap(), Some(i as u64));
        }
        // Shut, the first link ends for its reader, though the last unit holds a copy.
        starter.shutdown(std::net::Shutdown::Write).unwrap();
        assert_eq!(read_blocking(&ends[0].from, &mut partial).unwrap(), None);
    }
}
