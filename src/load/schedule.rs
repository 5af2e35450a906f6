//! When each request is meant to leave: at the offered rate, evenly spaced (`uniform`, the
//! k-th at k/R) or as a Poisson process (`poisson`, exponential gaps drawn from a seeded
//! SplitMix64, so a run's arrivals are the same on every machine).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::error::LoadError;
use crate::workload::rng::SplitMix64;

/// How intended send times are spaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Arrivals {
    /// The k-th request at k/R.
    Uniform,
    /// Exponential gaps of mean 1/R.
    Poisson,
}

impl fmt::Display for Arrivals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Arrivals::Uniform => "uniform",
            Arrivals::Poisson => "poisson",
        })
    }
}

impl FromStr for Arrivals {
    type Err = LoadError;

    fn from_str(s: &str) -> Result<Arrivals, LoadError> {
        match s {
            "uniform" => Ok(Arrivals::Uniform),
            "poisson" => Ok(Arrivals::Poisson),
            _ => Err(LoadError::Setting(format!(
                "arrivals '{s}' not accepted; accepted: uniform, poisson"
            ))),
        }
    }
}

/// The intended send times of one rate, as nanoseconds after its start.
#[derive(Debug, Clone)]
pub struct Schedule {
    rate: f64,
    arrivals: Arrivals,
    rng: SplitMix64,
    k: u64,
    at: f64,
}

impl Schedule {
    /// The schedule of `rate` requests per second (above 0).
    pub fn new(rate: f64, arrivals: Arrivals, seed: u64) -> Schedule {
        Schedule {
            rate,
            arrivals,
            rng: SplitMix64::new(seed),
            k: 0,
            at: 0.0,
        }
    }

    /// The next request's offset from the start, nanoseconds; offsets never decrease.
    pub fn next_ns(&mut self) -> u64 {
        let seconds = match self.arrivals {
            // From k, not a running sum, so rounding never drifts.
            Arrivals::Uniform => self.k as f64 / self.rate,
            Arrivals::Poisson => {
                let now = self.at;
                // 1 - u is in (0, 1]: ln never sees 0.
                self.at += -(1.0 - self.rng.next_f64()).ln() / self.rate;
                now
            }
        };
        self.k += 1;
        (seconds * 1e9) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offsets(rate: f64, arrivals: Arrivals, n: usize) -> Vec<u64> {
        let mut s = Schedule::new(rate, arrivals, 7);
        (0..n).map(|_| s.next_ns()).collect()
    }

    #[test]
    fn uniform_is_k_over_r() {
        assert_eq!(
            offsets(4.0, Arrivals::Uniform, 4),
            [0, 250_000_000, 500_000_000, 750_000_000]
        );
    }

    #[test]
    fn poisson_has_the_mean_gap_and_is_seeded() {
        let n = 20_000;
        let o = offsets(1000.0, Arrivals::Poisson, n);
        assert!(o.windows(2).all(|w| w[0] <= w[1]));
        let mean_gap = o[n - 1] as f64 / (n - 1) as f64 / 1e9;
        assert!((mean_gap - 1e-3).abs() < 0.05e-3, "mean gap {mean_gap}");
        assert_eq!(o, offsets(1000.0, Arrivals::Poisson, n));
        assert!(
            "exp"
                .parse::<Arrivals>()
                .unwrap_err()
                .to_string()
                .contains("uniform, poisson")
        );
    }
}
