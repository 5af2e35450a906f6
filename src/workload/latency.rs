//! Simulated I/O latency: how long one wait lasts, drawn from a seeded distribution.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use super::rng::SplitMix64;
use crate::SpecError;

/// A long-tailed wait is capped at this many medians so one draw cannot stall a run.
const LONGTAIL_CAP: f64 = 50.0;
/// sigma of ln(latency) for `longtail`: p99 is about 10x the median.
const LONGTAIL_SIGMA: f64 = 0.99;
/// A long-tailed wait is never shorter than this many medians, so a wait of a 20 ms median
/// stays above the 10 ms below which a wait measures the timer more than the scheduler.
const LONGTAIL_FLOOR: f64 = 0.5;

/// The distribution each simulated wait is drawn from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Latency {
    /// Every wait lasts exactly this long.
    Fixed(Duration),
    /// Uniform between the two bounds (inclusive of the low one).
    Uniform(Duration, Duration),
    /// Log-normal with this median, p99 about 10x the median, floored at half the median
    /// and capped at 50x.
    LongTail(Duration),
}

impl Latency {
    /// One wait, drawn from the distribution.
    pub fn draw(&self, rng: &mut SplitMix64) -> Duration {
        match *self {
            Latency::Fixed(d) => d,
            Latency::Uniform(lo, hi) => lo + (hi - lo).mul_f64(rng.next_f64()),
            Latency::LongTail(median) => {
                let factor = (LONGTAIL_SIGMA * rng.next_gaussian())
                    .exp()
                    .clamp(LONGTAIL_FLOOR, LONGTAIL_CAP);
                median.mul_f64(factor)
            }
        }
    }

    /// The typical (median) wait, used in labels and scaling.
    pub fn median(&self) -> Duration {
        match *self {
            Latency::Fixed(d) | Latency::LongTail(d) => d,
            Latency::Uniform(lo, hi) => (lo + hi) / 2,
        }
    }
}

impl fmt::Display for Latency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Latency::Fixed(d) => format_duration(*d),
            Latency::Uniform(lo, hi) => {
                format!("uniform:{}..{}", format_duration(*lo), format_duration(*hi))
            }
            Latency::LongTail(d) => format!("longtail:{}", format_duration(*d)),
        };
        // `pad`, so a table's `{:<13}` lines columns up.
        f.pad(&text)
    }
}

crate::serde_as_text!(Latency);

const LATENCY_FORMS: &str =
    "a duration (10ms), fixed:DUR, uniform:LO..HI (uniform:5ms..15ms) or longtail[:MEDIAN]";

impl FromStr for Latency {
    type Err = SpecError;

    fn from_str(s: &str) -> Result<Self, SpecError> {
        let bad = |why: String| {
            SpecError::new(format!("latency '{s}': {why}; accepted: {LATENCY_FORMS}"))
        };
        let (kind, rest) = s.split_once(':').unwrap_or((s, ""));
        // A bad duration's own message already says what a duration looks like.
        let dur = |text: &str| {
            parse_duration(text).map_err(|e| SpecError::new(format!("latency '{s}': {e}")))
        };
        match kind {
            "fixed" => Ok(Latency::Fixed(dur(rest)?)),
            "longtail" if rest.is_empty() => Ok(Latency::LongTail(Duration::from_millis(10))),
            "longtail" => Ok(Latency::LongTail(dur(rest)?)),
            "uniform" => {
                let (lo, hi) = rest
                    .split_once("..")
                    .ok_or_else(|| bad("uniform needs LO..HI".into()))?;
                let (lo, hi) = (dur(lo)?, dur(hi)?);
                if lo > hi {
                    return Err(bad("LO is greater than HI".into()));
                }
                Ok(Latency::Uniform(lo, hi))
            }
            _ if rest.is_empty() => Ok(Latency::Fixed(dur(s)?)),
            other => Err(bad(format!("unknown distribution '{other}'"))),
        }
    }
}

/// Parses `10ms`, `1.5s`, `250us`, `100ns`. A unit is required: a bare number is ambiguous.
pub fn parse_duration(s: &str) -> Result<Duration, SpecError> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let accepted = "a number with a unit: ns, us, ms or s (e.g. 10ms, 1.5s)";
    let value: f64 = num
        .parse()
        .map_err(|_| SpecError::new(format!("malformed duration '{s}'; accepted: {accepted}")))?;
    let scale = match unit {
        "ns" => 1e-9,
        "us" | "µs" => 1e-6,
        "ms" => 1e-3,
        "s" => 1.0,
        "" => {
            return Err(SpecError::new(format!(
                "duration '{s}' has no unit; accepted: {accepted}"
            )));
        }
        _ => {
            return Err(SpecError::new(format!(
                "duration '{s}' has an unknown unit '{unit}'; accepted: {accepted}"
            )));
        }
    };
    let secs = value * scale;
    if !secs.is_finite() || secs > 3600.0 {
        return Err(SpecError::new(format!(
            "duration '{s}' is out of range (at most 1 hour)"
        )));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// Short human form: 10ms, 1.5s, 250us.
pub fn format_duration(d: Duration) -> String {
    let ns = d.as_nanos();
    if ns == 0 {
        "0s".into()
    } else if ns % 1_000_000_000 == 0 {
        format!("{}s", ns / 1_000_000_000)
    } else if ns % 1_000_000 == 0 {
        format!("{}ms", ns / 1_000_000)
    } else if ns % 1_000 == 0 {
        format!("{}us", ns / 1_000)
    } else {
        format!("{ns}ns")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10ms").unwrap(), Duration::from_millis(10));
        assert_eq!(parse_duration("1.5s").unwrap(), Duration::from_millis(1500));
        assert_eq!(parse_duration("250us").unwrap(), Duration::from_micros(250));
        for bad in ["10", "ms", "10 parsecs", "-1ms", "", "1e9s"] {
            assert!(parse_duration(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn latency_specs_round_trip() {
        for s in ["10ms", "uniform:5ms..15ms", "longtail:20ms"] {
            let l: Latency = s.parse().unwrap();
            assert_eq!(l.to_string(), s);
        }
        assert!("uniform:15ms..5ms".parse::<Latency>().is_err());
        assert!("gauss:5ms".parse::<Latency>().is_err());
    }

    #[test]
    fn draws_stay_in_range() {
        let mut rng = SplitMix64::new(3);
        let u = Latency::Uniform(Duration::from_millis(5), Duration::from_millis(15));
        let t = Latency::LongTail(Duration::from_millis(10));
        let mut tail_max = Duration::ZERO;
        for _ in 0..10_000 {
            let d = u.draw(&mut rng);
            assert!(d >= Duration::from_millis(5) && d <= Duration::from_millis(15));
            let x = t.draw(&mut rng);
            assert!(x <= Duration::from_millis(500));
            tail_max = tail_max.max(x);
        }
        assert!(
            tail_max > Duration::from_millis(50),
            "longtail should have a tail"
        );
    }
}
