//! Measuring a timed region: wall time, CPU time and context switches of the whole process
//! (getrusage RUSAGE_SELF counts every thread, including ones that have exited).

pub mod affinity;
mod gauge;
pub mod heap;
pub mod memory;
pub mod netstat;
pub mod os_limits;
pub mod priority;
pub mod process_tree;

use std::time::{Duration, Instant};

pub use gauge::{Gauge, GaugeGuard};

/// Process-wide resource usage at one instant.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Usage {
    /// User CPU time of every thread, seconds.
    pub user_seconds: f64,
    /// Kernel CPU time of every thread, seconds.
    pub sys_seconds: f64,
    /// Context switches where a thread blocked.
    pub voluntary_switches: u64,
    /// Context switches where a thread was preempted.
    pub involuntary_switches: u64,
}

impl Usage {
    /// This process's usage now (getrusage RUSAGE_SELF).
    pub fn now() -> Usage {
        // SAFETY: getrusage writes a plain C struct we own; RUSAGE_SELF is always valid.
        let ru = unsafe {
            let mut ru: libc::rusage = std::mem::zeroed();
            libc::getrusage(libc::RUSAGE_SELF, &mut ru);
            ru
        };
        Usage::from_rusage(&ru)
    }

    /// The calling thread's own usage now (getrusage RUSAGE_THREAD): its CPU time and the
    /// context switches it made, no other thread's; None if the kernel refused.
    pub fn this_thread() -> Option<Usage> {
        // SAFETY: as in `now`; RUSAGE_THREAD is valid on Linux for the calling thread.
        let (rc, ru) = unsafe {
            let mut ru: libc::rusage = std::mem::zeroed();
            let rc = libc::getrusage(libc::RUSAGE_THREAD, &mut ru);
            (rc, ru)
        };
        (rc == 0).then(|| Usage::from_rusage(&ru))
    }

    /// From a kernel rusage (getrusage, or wait4 for one child).
    pub fn from_rusage(ru: &libc::rusage) -> Usage {
        let secs = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 * 1e-6;
        Usage {
            user_seconds: secs(ru.ru_utime),
            sys_seconds: secs(ru.ru_stime),
            voluntary_switches: ru.ru_nvcsw as u64,
            involuntary_switches: ru.ru_nivcsw as u64,
        }
    }

    /// Both together (a parent and its children).
    pub fn plus(self, other: Usage) -> Usage {
        Usage {
            user_seconds: self.user_seconds + other.user_seconds,
            sys_seconds: self.sys_seconds + other.sys_seconds,
            voluntary_switches: self.voluntary_switches + other.voluntary_switches,
            involuntary_switches: self.involuntary_switches + other.involuntary_switches,
        }
    }

    /// The usage between `start` and `self`.
    pub fn since(self, start: Usage) -> Usage {
        Usage {
            user_seconds: (self.user_seconds - start.user_seconds).max(0.0),
            sys_seconds: (self.sys_seconds - start.sys_seconds).max(0.0),
            voluntary_switches: self
                .voluntary_switches
                .saturating_sub(start.voluntary_switches),
            involuntary_switches: self
                .involuntary_switches
                .saturating_sub(start.involuntary_switches),
        }
    }
}

/// What one timed region cost.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Measured {
    /// Wall time of the region.
    pub wall: Duration,
    /// CPU and switches spent in it.
    pub usage: Usage,
}

/// Started at the first instruction of a timed region, stopped at its last.
#[derive(Debug, Clone, Copy)]
pub struct Span {
    start: Instant,
    usage: Usage,
}

impl Span {
    /// Starts the region: usage first, then the clock.
    pub fn start() -> Span {
        let usage = Usage::now();
        Span {
            start: Instant::now(),
            usage,
        }
    }

    /// Ends the region: the clock first, then usage.
    pub fn stop(self) -> Measured {
        let wall = self.start.elapsed();
        Measured {
            wall,
            usage: Usage::now().since(self.usage),
        }
    }
}

/// CLOCK_MONOTONIC now, in nanoseconds. One clock for this process and its worker
/// processes, so a timestamp a worker takes compares with one taken here (the timer probe
/// stamps a process's sleep inside it).
pub fn monotonic_nanos() -> u64 {
    // SAFETY: clock_gettime writes a plain C struct we own; CLOCK_MONOTONIC always exists.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Logical CPUs this process may run on.
pub fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// CPU time the calling thread has used (user and kernel, CLOCK_THREAD_CPUTIME_ID), seconds:
/// what an observer thread costs, apart from the rest of its process.
pub fn thread_cpu_seconds() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes a plain C struct we own; the clock id is always valid.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}
