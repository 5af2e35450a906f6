//! One rate's bookkeeping while it runs: the histograms, the counts, the in-flight area, the
//! lag; at the end, the [`RateResult`].

use std::time::Duration;

use hdrhistogram::Histogram;

use super::record::{Lag, Percentiles, RateResult};

/// A request due to go out: its id and intended send time (ns, CLOCK_MONOTONIC).
#[derive(Debug, Clone, Copy)]
pub struct Pending {
    /// Unique in the run.
    pub id: u64,
    /// When the schedule meant it to leave.
    pub intended: u64,
}

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 200 (and the right checksum when checked).
    Ok,
    /// 200 with a checksum not its own.
    WrongChecksum,
    /// Another status, or its connection failed.
    Error,
    /// No answer within the timeout.
    Timeout,
}

/// Nanoseconds up to an hour, 3 significant figures.
fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 3_600_000_000_000, 3).expect("valid histogram bounds")
}

/// A rate's figures so far.
pub struct Tally {
    w0: u64,
    w1: u64,
    corrected: Histogram<u64>,
    uncorrected: Histogram<u64>,
    lag: Histogram<u64>,
    sent: u64,
    completed: u64,
    errors: u64,
    timeouts: u64,
    wrong: u64,
    ok_in_window: u64,
    in_flight_ns: u128,
}

impl Tally {
    /// Figures for the measured window [w0, w1).
    pub fn new(w0: u64, w1: u64) -> Tally {
        Tally {
            w0,
            w1,
            corrected: histogram(),
            uncorrected: histogram(),
            lag: histogram(),
            sent: 0,
            completed: 0,
            errors: 0,
            timeouts: 0,
            wrong: 0,
            ok_in_window: 0,
            in_flight_ns: 0,
        }
    }

    fn measured(&self, intended: u64) -> bool {
        (self.w0..self.w1).contains(&intended)
    }

    /// `p` left at `at`; `idle` when it found a connection idle (its lag is the generator's).
    pub fn sent(&mut self, p: Pending, at: u64, idle: bool) {
        if self.measured(p.intended) {
            self.sent += 1;
            if idle {
                self.lag
                    .saturating_record(at.saturating_sub(p.intended).max(1));
            }
        }
    }

    /// A connect failed at `at`.
    pub fn connect_failed(&mut self, at: u64) {
        if (self.w0..self.w1).contains(&at) {
            self.errors += 1;
        }
    }

    /// `p`, sent at `sent` (None: never sent), ended at `end` this way.
    pub fn ended(&mut self, p: Pending, sent: Option<u64>, end: u64, outcome: Outcome) {
        let (from, to) = (p.intended.max(self.w0), end.min(self.w1));
        if to > from {
            self.in_flight_ns += u128::from(to - from);
        }
        if outcome == Outcome::Ok && (self.w0..self.w1).contains(&end) {
            self.ok_in_window += 1;
        }
        if !self.measured(p.intended) {
            return;
        }
        let record = |h: &mut Histogram<u64>, from: u64| {
            h.saturating_record(end.saturating_sub(from).max(1));
        };
        match outcome {
            Outcome::Ok => self.completed += 1,
            Outcome::WrongChecksum => self.wrong += 1,
            Outcome::Error => self.errors += 1,
            Outcome::Timeout => self.timeouts += 1,
        }
        if matches!(outcome, Outcome::Ok | Outcome::Timeout) {
            record(&mut self.corrected, p.intended);
            if let Some(s) = sent {
                record(&mut self.uncorrected, s);
            }
        }
    }

    /// The rate's result, judged against `slo`.
    pub fn finish(self, offered: f64, cpu_seconds: f64, slo: Duration) -> RateResult {
        let window = (self.w1 - self.w0) as f64 * 1e-9;
        let lag = Percentiles::of(&self.lag);
        let mut r = RateResult {
            offered,
            achieved: self.ok_in_window as f64 / window,
            window_seconds: window,
            sent: self.sent,
            completed: self.completed,
            errors: self.errors,
            timeouts: self.timeouts,
            wrong_checksums: self.wrong,
            corrected: Percentiles::of(&self.corrected),
            uncorrected: Percentiles::of(&self.uncorrected),
            lag: Lag {
                samples: lag.samples,
                p50: lag.p50,
                p99: lag.p99,
                max: lag.max,
            },
            generator_cpu_seconds: cpu_seconds,
            mean_in_flight: self.in_flight_ns as f64 * 1e-9 / window,
            valid: false,
            invalid_reason: None,
            meets_slo: false,
        };
        r.judge(slo);
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    #[test]
    fn only_the_window_is_measured_and_in_flight_is_clipped_to_it() {
        let mut t = Tally::new(1000 * MS, 2000 * MS);
        let warm = Pending {
            id: 0,
            intended: 990 * MS,
        };
        t.sent(warm, 990 * MS, true);
        t.ended(warm, Some(990 * MS), 1010 * MS, Outcome::Ok);
        for k in 0..10 {
            let p = Pending {
                id: k + 1,
                intended: (1000 + 100 * k) * MS,
            };
            t.sent(p, p.intended + MS / 10, true);
            t.ended(
                p,
                Some(p.intended + MS / 10),
                p.intended + 50 * MS,
                Outcome::Ok,
            );
        }
        let r = t.finish(10.0, 0.01, Duration::from_millis(100));
        assert_eq!((r.sent, r.completed), (10, 10));
        assert!((r.achieved - 11.0).abs() < 1e-9, "{}", r.achieved);
        // 10 x 50 ms + the warm-up request's 10 ms inside the window, over 1 s.
        assert!(
            (r.mean_in_flight - 0.51).abs() < 1e-6,
            "{}",
            r.mean_in_flight
        );
        assert!((r.corrected.mean - 0.050).abs() < 0.001);
        assert!((r.lag.p50 - 0.0001).abs() < 0.00001);
        assert!(r.good());
    }

    #[test]
    fn timeouts_count_and_weigh_on_the_corrected_tail() {
        let mut t = Tally::new(0, 1000 * MS);
        let p = Pending {
            id: 1,
            intended: 10 * MS,
        };
        t.ended(p, None, 2010 * MS, Outcome::Timeout);
        let q = Pending {
            id: 2,
            intended: 20 * MS,
        };
        t.ended(q, Some(20 * MS), 30 * MS, Outcome::Error);
        t.connect_failed(500 * MS);
        let r = t.finish(2.0, 0.0, Duration::from_millis(50));
        assert_eq!((r.timeouts, r.errors, r.corrected.samples), (1, 2, 1));
        assert_eq!(r.uncorrected.samples, 0);
        assert!(r.corrected.max >= 1.99 && !r.meets_slo);
    }
}
