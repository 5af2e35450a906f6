//! The server's own accuracy: how much later than asked a reply arrives. One blocking
//! client on one connection sends requests of each delay in turn; a sample is the time
//! from just before the send to the whole reply read, less the delay asked. It holds the
//! loopback round trip and both sides' wake-ups, so it bounds what the server adds to any
//! client's wait.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::client::{call, connect};
use super::error::Error;
use super::protocol::expected_reply_word;

/// The delays the probe asks for when none are given.
pub const PROBE_DELAYS: [Duration; 2] = [Duration::from_millis(1), Duration::from_millis(10)];
/// Samples per delay when none are given.
pub const PROBE_SAMPLES: usize = 50;

/// What the probe found at one delay.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AddedDelay {
    /// The delay asked for.
    pub delay: Duration,
    /// Samples taken.
    pub samples: usize,
    /// The median added delay, seconds.
    pub median_seconds: f64,
    /// The 99th percentile added delay (nearest rank), seconds: at 50 samples, the largest.
    pub p99_seconds: f64,
}

/// Probes the server at `addr` (replies of `payload` bytes): `samples` requests at each of
/// `delays`, interleaved (delay after delay), on one connection. A wrong reply is an error.
pub fn probe_added_delay(
    addr: SocketAddr,
    payload: usize,
    delays: &[Duration],
    samples: usize,
) -> Result<Vec<AddedDelay>, Error> {
    let mut stream = connect(addr)?;
    // One untimed call: the connection's first exchange pays for warming both sides.
    call(&mut stream, Duration::ZERO, 0, payload)?;
    let mut added: Vec<Vec<f64>> = vec![Vec::with_capacity(samples); delays.len()];
    let mut token = 0u64;
    for _ in 0..samples {
        for (i, &delay) in delays.iter().enumerate() {
            token += 1;
            let sent = Instant::now();
            let word = call(&mut stream, delay, token, payload)?;
            let took = sent.elapsed();
            if word != expected_reply_word(token) {
                return Err(Error::Malformed);
            }
            added[i].push(took.as_secs_f64() - delay.as_secs_f64());
        }
    }
    Ok(delays
        .iter()
        .zip(added)
        .map(|(&delay, mut s)| {
            s.sort_by(f64::total_cmp);
            AddedDelay {
                delay,
                samples: s.len(),
                median_seconds: quantile(&s, 0.5),
                p99_seconds: quantile(&s, 0.99),
            }
        })
        .collect())
}

/// The nearest-rank quantile `q` of sorted `s` (NaN when empty); the median of an even
/// count is the mean of the middle two.
fn quantile(s: &[f64], q: f64) -> f64 {
    match s.len() {
        0 => f64::NAN,
        n if q == 0.5 && n % 2 == 0 => (s[n / 2 - 1] + s[n / 2]) / 2.0,
        n => s[((q * n as f64).ceil() as usize).clamp(1, n) - 1],
    }
}

#[cfg(test)]
mod tests {
    use super::quantile;

    #[test]
    fn quantiles_by_nearest_rank() {
        let s: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(quantile(&s, 0.5), 50.5);
        assert_eq!(quantile(&s, 0.99), 99.0);
        assert_eq!(
            quantile(&s[..50], 0.99),
            50.0,
            "at 50 samples p99 is the largest"
        );
        assert_eq!(quantile(&[3.0], 0.99), 3.0);
        assert_eq!(quantile(&[1.0, 2.0, 3.0], 0.5), 2.0);
        assert!(quantile(&[], 0.5).is_nan());
    }
}
