//! The parent's watch over a cell's child process while it runs, from /proc, every 10 ms:
//! its thread count (to explain an OS refusal), and, for a cell that runs worker processes,
//! the memory of the cell's process and of the workers alive at that moment. A cell's
//! process memory is the peak of that sum over time (DESIGN.md's trust rules), not the sum
//! of every worker's own peak: workers of different batches never lived at once.
//!
//! The reads are made from outside, so the measured process does none of them; they still
//! take CPU on the same machine, so each kind of read keeps to a budget: a round waits at
//! least [`BUDGET`] times the CPU it took before the next of its kind. Resident sizes
//! (statm, about 3 µs a worker) are read at every tick while workers are alive; proportional
//! sizes (smaps_rollup, about 45 µs a worker: the kernel walks the page tables) less often
//! as workers grow in number, and never when they cannot raise the peak.

use std::time::{Duration, Instant};

use super::protocol::CellRequest;
use crate::measure::{memory, thread_cpu_seconds};
use crate::runtime::Model;

/// How often the child is looked at.
pub const TICK: Duration = Duration::from_millis(10);

/// A round of reads waits at least this many times the CPU it took before the next round of
/// its kind: each kind (resident, proportional) takes at most 1/40 of one core on average.
pub const BUDGET: f64 = 40.0;

/// The peak memory of a cell's process and its worker processes alive at the same moment,
/// over the moments they were read, and what reading them cost.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LiveMemory {
    /// The largest sum, at one moment, of the cell process's resident bytes and those of
    /// every worker alive then; 0 if no worker was ever seen alive.
    pub rss_peak_bytes: u64,
    /// The same for proportional bytes (shared pages split between the processes sharing
    /// them), the cell process's own included; None if never read.
    pub pss_peak_bytes: Option<u64>,
    /// Moments at which workers were alive and their resident bytes were read.
    pub samples: u64,
    /// Moments at which their proportional bytes were read too.
    pub pss_samples: u64,
    /// CPU the watching thread spent over the cell's life, every tick included.
    pub sampler_cpu_seconds: f64,
}

impl LiveMemory {
    /// One moment's resident bytes: the cell's process and each worker alive. Returns the
    /// moment's sum.
    pub fn add_rss(&mut self, cell: u64, workers: &[u64]) -> u64 {
        let sum = cell + workers.iter().sum::<u64>();
        self.rss_peak_bytes = self.rss_peak_bytes.max(sum);
        self.samples += 1;
        sum
    }

    /// Whether reading proportional bytes at a moment whose resident sum is `rss_sum` could
    /// raise their peak. A process's PSS never exceeds its RSS, so a moment whose resident
    /// sum is at most the PSS peak so far cannot.
    pub fn pss_could_rise(&self, rss_sum: u64) -> bool {
        self.pss_peak_bytes.is_none_or(|peak| rss_sum > peak)
    }

    /// The watch over two child processes of one cell: the larger peaks, the reads and
    /// their CPU added up.
    pub fn merged(self, other: LiveMemory) -> LiveMemory {
        LiveMemory {
            rss_peak_bytes: self.rss_peak_bytes.max(other.rss_peak_bytes),
            pss_peak_bytes: match (self.pss_peak_bytes, other.pss_peak_bytes) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            },
            samples: self.samples + other.samples,
            pss_samples: self.pss_samples + other.pss_samples,
            sampler_cpu_seconds: self.sampler_cpu_seconds + other.sampler_cpu_seconds,
        }
    }

    /// One moment's proportional bytes: the cell's process and each worker alive.
    pub fn add_pss(&mut self, cell: u64, workers: &[u64]) {
        let sum = cell + workers.iter().sum::<u64>();
        self.pss_peak_bytes = Some(self.pss_peak_bytes.map_or(sum, |p| p.max(sum)));
        self.pss_samples += 1;
    }
}

/// Whether the parent reads a cell's workers: only a measured run (not the memory pass or an
/// experiment, whose records do not carry it) on a runtime that starts worker processes.
/// Listing a process's children costs a read per thread, which a threads cell has thousands of.
pub fn watches_workers(req: &CellRequest) -> bool {
    req.park.is_none()
        && req.experiment.is_none()
        && crate::runtime::find(&req.runtime).is_ok_and(|rt| rt.model() == Model::Processes)
}

/// What the parent learns of a running cell child, tick by tick.
#[derive(Debug)]
pub struct Watch {
    pid: u32,
    peak_threads: u64,
    workers: Option<Workers>,
}

/// The workers' side of a watch: the bookkeeping and when each kind of read is next due.
#[derive(Debug)]
struct Workers {
    live: LiveMemory,
    next_rss: Instant,
    next_pss: Instant,
}

impl Watch {
    /// A watch over the child `pid`; `workers`: read its worker processes too.
    pub fn new(pid: u32, workers: bool) -> Watch {
        let now = Instant::now();
        Watch {
            pid,
            peak_threads: 0,
            workers: workers.then(|| Workers {
                live: LiveMemory::default(),
                next_rss: now,
                next_pss: now,
            }),
        }
    }

    /// Looks at the child now (called every [`TICK`]).
    pub fn tick(&mut self) {
        let start = thread_cpu_seconds();
        let threads = memory::threads_of(self.pid).unwrap_or(0);
        self.peak_threads = self.peak_threads.max(threads);
        if let Some(w) = &mut self.workers {
            w.read(self.pid);
            w.live.sampler_cpu_seconds += thread_cpu_seconds() - start;
        }
    }

    /// The most threads the child was seen running.
    pub fn peak_threads(&self) -> u64 {
        self.peak_threads
    }

    /// The live memory peak, for a watch that read workers.
    pub fn live(&self) -> Option<LiveMemory> {
        self.workers.as_ref().map(|w| w.live)
    }
}

impl Workers {
    /// One moment: the cell's children, their resident bytes, and their proportional bytes
    /// when due and able to raise the peak.
    fn read(&mut self, pid: u32) {
        let now = Instant::now();
        if now < self.next_rss {
            return;
        }
        let start = thread_cpu_seconds();
        let children = memory::children_of(pid);
        if children.is_empty() {
            return;
        }
        let own = memory::rss_of(pid).unwrap_or(0);
        let rss: Vec<u64> = children.iter().filter_map(|&c| memory::rss_of(c)).collect();
        let sum = self.live.add_rss(own, &rss);
        let read = thread_cpu_seconds();
        self.next_rss = now + Duration::from_secs_f64((read - start) * BUDGET);
        if now < self.next_pss || !self.live.pss_could_rise(sum) {
            return;
        }
        // The cell's process shares the binary's pages with its workers (they are the same
        // executable), so its own term is proportional too: the sum counts each page once.
        if let Some((_, own)) = memory::rss_and_pss_of(pid) {
            let pss: Vec<u64> = children
                .iter()
                .filter_map(|&c| memory::rss_and_pss_of(c).map(|(_, p)| p))
                .collect();
            self.live.add_pss(own, &pss);
        }
        let cost = thread_cpu_seconds() - read;
        self.next_pss = Instant::now() + Duration::from_secs_f64(cost * BUDGET);
    }
}

#[cfg(test)]
mod tests {
    use super::LiveMemory;

    const MIB: u64 = 1 << 20;

    #[test]
    fn the_peak_is_of_sums_at_one_moment_not_a_sum_of_peaks() {
        let mut live = LiveMemory::default();
        // Three batches of two workers each; each worker peaks at 5 MiB in its batch.
        assert_eq!(live.add_rss(8 * MIB, &[5 * MIB, 4 * MIB]), 17 * MIB);
        live.add_rss(8 * MIB, &[4 * MIB, 5 * MIB]);
        live.add_rss(9 * MIB, &[5 * MIB, 5 * MIB]);
        live.add_rss(7 * MIB, &[]);
        assert_eq!(live.rss_peak_bytes, 19 * MIB);
        assert_eq!(live.samples, 4);
        // The sum of every worker's own peak (what wait4's maxrss added up to) would be
        // 6 x 5 MiB = 30 MiB, more than ever existed at once.
        assert!(live.rss_peak_bytes < 8 * MIB + 6 * 5 * MIB);
        assert_eq!(live.pss_peak_bytes, None);
        assert_eq!(live.pss_samples, 0);
    }

    #[test]
    fn pss_is_read_only_when_it_could_raise_its_peak() {
        let mut live = LiveMemory::default();
        assert!(live.pss_could_rise(0), "never read: any moment could");
        live.add_pss(2 * MIB, &[MIB, MIB]);
        assert_eq!(live.pss_peak_bytes, Some(4 * MIB));
        // PSS <= RSS: a moment whose resident sum is at most 4 MiB cannot beat 4 MiB.
        assert!(!live.pss_could_rise(4 * MIB));
        assert!(live.pss_could_rise(4 * MIB + 1));
        live.add_pss(MIB, &[MIB]);
        assert_eq!(live.pss_peak_bytes, Some(4 * MIB), "a smaller moment");
        live.add_pss(MIB, &[2 * MIB, 2 * MIB]);
        assert_eq!(live.pss_peak_bytes, Some(5 * MIB));
        assert_eq!(live.pss_samples, 3);
    }
}
