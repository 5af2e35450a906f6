//! Summaries of repeated measurements: the median with min and max, and a distribution-free
//! interval for the median from order statistics (no assumption about the shape of the
//! timings, which on a shared machine are skewed by interference).

use serde::{Deserialize, Serialize};

/// Spread (max - min) over median above which a cell is flagged as noisy.
pub const NOISY_SPREAD: f64 = 0.25;

/// The coverage the median's interval aims for.
pub const CONFIDENCE: f64 = 0.95;

/// Median, min and max of repeated measurements, and an interval for the median.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Stat {
    /// The median.
    pub median: f64,
    /// The smallest.
    pub min: f64,
    /// The largest.
    pub max: f64,
    /// Low end of the interval for the median.
    pub ci_low: f64,
    /// High end of the interval for the median.
    pub ci_high: f64,
    /// The interval's coverage: at least [`CONFIDENCE`] from 6 values on; with fewer, the
    /// interval is [min, max] and its coverage is lower (5 values: 93.8%).
    pub ci_level: f64,
}

impl Stat {
    /// None for no values.
    pub fn of(values: impl IntoIterator<Item = f64>) -> Option<Stat> {
        let mut v: Vec<f64> = values.into_iter().collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        };
        let (k, level) = order_statistic_interval(n);
        Some(Stat {
            median,
            min: v[0],
            max: v[n - 1],
            ci_low: v[k],
            ci_high: v[n - 1 - k],
            ci_level: level,
        })
    }

    /// (max - min) / median.
    pub fn spread(&self) -> f64 {
        if self.median > 0.0 {
            (self.max - self.min) / self.median
        } else {
            0.0
        }
    }
}

/// The interval [x(k), x(n-1-k)] (0-based, sorted) for the median of `n` values: the
/// largest `k` whose coverage 1 - 2 P(Binomial(n, 1/2) <= k) is still at least
/// [`CONFIDENCE`], and that coverage. With too few values for any such `k`, k = 0 (the whole
/// range) and its lower coverage.
pub fn order_statistic_interval(n: usize) -> (usize, f64) {
    let coverage = |k: usize| 1.0 - 2.0 * binomial_cdf_half(n, k);
    let mut k = 0;
    while k + 1 < n.div_ceil(2) && coverage(k + 1) >= CONFIDENCE {
        k += 1;
    }
    (k, if n == 1 { 0.0 } else { coverage(k) })
}

/// P(X <= k) for X ~ Binomial(n, 1/2).
fn binomial_cdf_half(n: usize, k: usize) -> f64 {
    let mut term = 0.5f64.powi(n as i32); // C(n, 0) / 2^n
    let mut sum = 0.0;
    for i in 0..=k.min(n) {
        sum += term;
        term = term * (n - i) as f64 / (i + 1) as f64;
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_min_max() {
        let s = Stat::of([3.0, 1.0, 2.0]).unwrap();
        assert_eq!((s.median, s.min, s.max), (2.0, 1.0, 3.0));
        assert_eq!(Stat::of([4.0, 1.0, 2.0, 3.0]).unwrap().median, 2.5);
        assert!(Stat::of([]).is_none());
        assert!((Stat::of([1.0, 1.5]).unwrap().spread() - 0.4).abs() < 1e-12);
    }

    #[test]
    fn the_median_interval_follows_the_binomial_order_statistics() {
        // 5 values: only the whole range, 1 - 2/32 = 93.75%.
        assert_eq!(order_statistic_interval(5), (0, 1.0 - 2.0 / 32.0));
        // 6 values: the whole range covers 1 - 2/64 = 96.9% >= 95%.
        assert_eq!(order_statistic_interval(6).0, 0);
        assert!(order_statistic_interval(6).1 >= CONFIDENCE);
        // 9 values: P(X <= 1) = 10/512, so [x(1), x(7)] covers 96.1%.
        let (k, level) = order_statistic_interval(9);
        assert_eq!(k, 1);
        assert!((level - (1.0 - 20.0 / 512.0)).abs() < 1e-12);
        // Many values: the interval narrows but keeps its coverage.
        let (k, level) = order_statistic_interval(100);
        assert!(k >= 39 && level >= CONFIDENCE, "{k} {level}");
        let s = Stat::of((1..=9).map(f64::from)).unwrap();
        assert_eq!((s.ci_low, s.ci_high), (2.0, 8.0));
    }
}
