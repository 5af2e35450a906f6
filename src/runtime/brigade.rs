//! The bucket brigade of claim C13: a ring of units passing one token, each adding one
//! to it, until it has made a given number of hops. One hop is one unit handing the token
//! to the next and the next taking it. The time per hop is taken from the moment the first
//! unit holds token 0 to the moment a unit holds token `hops`: exactly `hops` hops, no
//! start or join inside.
//!
//! With three or more units the token comes back to a unit only after the others have each
//! been woken in turn, so a unit that has passed it is always asleep before it returns:
//! every hop wakes a unit that blocked. Two units (a ping-pong) cannot promise that: the
//! answer can arrive before the sender has gone to sleep (measured unpinned, 1 to 9 hops in
//! 40,000 did not switch).
//!
//! Units are linked one of two ways ([`Link`]): by a channel (here the thread side: each
//! unit an OS thread with a mailbox, a mutex and a condvar, counting its own context
//! switches (getrusage RUSAGE_THREAD) over its life, so the figure is the units' switches,
//! not the main thread's start and join; the async side is in [`super::async_driver`]), or
//! by a socketpair, each hop woken by I/O readiness ([`super::brigade_io`]).

use std::sync::{Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::{RuntimeError, panic_message};
use crate::measure::Usage;

/// How a brigade's units are linked: what wakes the unit a token is handed to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Link {
    /// A channel: a mailbox (a mutex and a condvar) per thread, an async channel per task.
    #[default]
    Channel,
    /// A socketpair per link, the token written to one end and read from the other: a
    /// blocking read for threads, the runtime's reactor (I/O readiness) for tasks.
    Socket,
}

impl Link {
    /// Both links.
    pub const ALL: [Link; 2] = [Link::Channel, Link::Socket];
}

/// The fewest units a brigade takes (a ring needs two; with fewer than three a hop may not
/// switch, see the module's text).
pub const MIN_UNITS: usize = 2;

/// What one unit saw: when it held token 0 and token `hops`, if it did, and how many
/// tokens it held, and their sum.
#[derive(Debug, Default, Clone, Copy)]
pub struct UnitLog {
    /// When it took token 0 (the timed run's start), if it did.
    pub first: Option<Instant>,
    /// When it took token `hops` (the timed run's end), if it did.
    pub last: Option<Instant>,
    /// Tokens it took.
    pub held: u64,
    /// The tokens it took, summed (wrapping): over every unit, 0 + 1 + .. + `hops` when
    /// each token was held once.
    pub sum: u64,
    /// Its own context switches over its life, where the unit is a thread that counts them
    /// (a task shares its worker thread with other tasks, so it cannot).
    pub own: Option<Usage>,
}

impl UnitLog {
    /// Records that the unit took token `v` of a run of `hops` hops: counted, summed, and
    /// stamped if it is the first or the last; answers whether it is the last.
    pub fn hold(&mut self, v: u64, hops: u64) -> bool {
        self.held += 1;
        self.sum = self.sum.wrapping_add(v);
        if v == 0 {
            self.first = Some(Instant::now());
        }
        if v == hops {
            self.last = Some(Instant::now());
        }
        v == hops
    }
}

/// A brigade's timed run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hopped {
    /// Seconds per hop.
    pub seconds_per_hop: f64,
    /// The units' own context switches, summed, when every unit counted them (threads);
    /// None for tasks (the process's count stands for them).
    pub unit_switches: Option<Usage>,
}

/// The units' logs as a timed run: seconds per hop and, if every unit counted them, their
/// switches; an error names what went wrong (a lost token, a token counted twice, a token
/// changed on its way: the tokens held must be 0 to `hops`, each once).
pub fn hopped(logs: &[UnitLog], hops: u64) -> Result<Hopped, RuntimeError> {
    let unit_switches = logs
        .iter()
        .map(|l| l.own)
        .try_fold(Usage::default(), |sum, own| own.map(|u| sum.plus(u)));
    Ok(Hopped {
        seconds_per_hop: seconds_per_hop(logs, hops)?,
        unit_switches,
    })
}

fn seconds_per_hop(logs: &[UnitLog], hops: u64) -> Result<f64, RuntimeError> {
    let first = logs.iter().find_map(|l| l.first);
    let last = logs.iter().find_map(|l| l.last);
    let held: u64 = logs.iter().map(|l| l.held).sum();
    let sum = logs.iter().fold(0u64, |s, l| s.wrapping_add(l.sum));
    let want = checksum(hops);
    match (first, last) {
        (Some(a), Some(b)) if held == hops + 1 && sum == want => {
            Ok(b.duration_since(a).as_secs_f64() / hops.max(1) as f64)
        }
        _ => Err(RuntimeError::Verification(format!(
            "the token was held {held} times, expected {} (one start and {hops} hops), and \
             the tokens held sum to {sum}, expected {want} (0 to {hops}, each once)",
            hops + 1
        ))),
    }
}

/// 0 + 1 + .. + `hops`, wrapping: what the tokens of a whole run sum to.
fn checksum(hops: u64) -> u64 {
    let (a, b) = if hops % 2 == 0 {
        (hops / 2, hops + 1)
    } else {
        (hops, hops.div_ceil(2))
    };
    a.wrapping_mul(b)
}

/// Checks a brigade's size before anything starts.
pub fn check(units: usize, hops: usize) -> Result<(), RuntimeError> {
    if units < MIN_UNITS || hops == 0 {
        return Err(RuntimeError::Unsupported(format!(
            "a brigade needs at least {MIN_UNITS} units and one hop (asked: {units} units, {hops} hops)"
        )));
    }
    Ok(())
}

/// The brigade on OS threads.
pub fn threads(units: usize, hops: usize) -> Result<Hopped, RuntimeError> {
    check(units, hops)?;
    let boxes: Vec<Mailbox> = (0..units).map(|_| Mailbox::default()).collect();
    let hops = hops as u64;
    let logs = thread::scope(|scope| {
        let handles: Result<Vec<_>, _> = (0..units)
            .map(|i| {
                let (own, next) = (&boxes[i], &boxes[(i + 1) % units]);
                let all = &boxes;
                thread::Builder::new()
                    .spawn_scoped(scope, move || unit(own, next, all, hops))
                    .map_err(|e| RuntimeError::Unsupported(format!("a brigade thread: {e}")))
            })
            .collect();
        let handles = match handles {
            Ok(h) => h,
            Err(e) => {
                boxes.iter().for_each(Mailbox::close);
                return Err(e);
            }
        };
        boxes[0].give(0);
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .map_err(|p| RuntimeError::TaskPanicked(panic_message(p)))
            })
            .collect::<Result<Vec<UnitLog>, _>>()
    })?;
    hopped(&logs, hops)
}

/// One unit: takes a token, passes it on plus one, until the token has made `hops` hops
/// (then closes every mailbox) or its own mailbox is closed. Its switches are counted from
/// before its first wait to after its last take (its wait for the first token included, as
/// every take follows a wait).
fn unit(own: &Mailbox, next: &Mailbox, all: &[Mailbox], hops: u64) -> UnitLog {
    let start = Usage::this_thread();
    let mut log = UnitLog::default();
    while let Some(v) = own.take() {
        if log.hold(v, hops) {
            all.iter().for_each(Mailbox::close);
            break;
        }
        next.give(v + 1);
    }
    log.own = start.zip(Usage::this_thread()).map(|(a, b)| b.since(a));
    log
}

/// A unit's mailbox: one slot under a mutex, its owner waiting on the condvar until a token
/// is in it. Nothing spins or yields: a unit with nothing to hold blocks in the kernel (a
/// futex wait). The notify is sent after the lock is released, so a woken unit that preempts
/// the giver (both on one CPU) finds the mutex free and takes the token at once: a hop is
/// one switch, not a wake-up plus a block on the mutex.
#[derive(Default)]
struct Mailbox {
    slot: Mutex<Slot>,
    bell: Condvar,
}

#[derive(Default)]
struct Slot {
    token: Option<u64>,
    closed: bool,
}

impl Mailbox {
    fn lock(&self) -> MutexGuard<'_, Slot> {
        self.slot.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn give(&self, v: u64) {
        self.lock().token = Some(v);
        self.bell.notify_one();
    }

    /// The next token, or None once closed.
    fn take(&self) -> Option<u64> {
        let mut slot = self.lock();
        loop {
            if let Some(v) = slot.token.take() {
                return Some(v);
            }
            if slot.closed {
                return None;
            }
            slot = self.bell.wait(slot).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn close(&self) {
        self.lock().closed = true;
        self.bell.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ring_of_threads_makes_every_hop_and_times_it() {
        for units in [2, 3, 5] {
            let run = threads(units, 1_000).expect("the brigade runs");
            assert!(run.seconds_per_hop > 0.0, "{units} units: {run:?}");
            let own = run.unit_switches.expect("threads count their own switches");
            // Every take but the ones a unit found waiting sleeps first; the count cannot
            // be zero unless the units spun.
            assert!(
                own.voluntary_switches + own.involuntary_switches > 0,
                "{units} units: {own:?}"
            );
        }
    }

    #[test]
    fn too_small_a_brigade_is_refused_before_it_starts() {
        assert!(threads(1, 10).is_err());
        assert!(threads(3, 0).is_err());
    }

    #[test]
    fn a_lost_token_fails_verification() {
        let now = Instant::now();
        let log = |first, last, tokens: &[u64]| UnitLog {
            first,
            last,
            held: tokens.len() as u64,
            sum: tokens.iter().sum(),
            own: None,
        };
        let (even, odd) = ([0, 2, 4, 6, 8, 10], [1, 3, 5, 7, 9]);
        let ok = [log(Some(now), None, &even), log(None, Some(now), &odd)];
        assert!(seconds_per_hop(&ok, 10).is_ok());
        let lost = [log(Some(now), None, &even[..5]), log(None, Some(now), &odd)];
        assert!(seconds_per_hop(&lost, 10).is_err());
        let unfinished = [log(Some(now), None, &[0; 11])];
        assert!(seconds_per_hop(&unfinished, 10).is_err());
        // As many tokens as a whole run, but one seen twice and one never.
        let twice = [
            log(Some(now), None, &[0, 2, 2, 6, 8, 10]),
            log(None, Some(now), &odd),
        ];
        assert!(seconds_per_hop(&twice, 10).is_err());
    }

    #[test]
    fn the_checksum_is_the_sum_of_every_token() {
        for hops in [0, 1, 2, 3, 10, 40_001] {
            assert_eq!(checksum(hops), (0..=hops).sum::<u64>(), "{hops}");
        }
        // Wraps instead of overflowing.
        let _ = checksum(u64::MAX);
    }
}
