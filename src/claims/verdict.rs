//! Verdicts and measured figures, and the small comparisons the rules share.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::report::{bytes, seconds};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    #[serde(rename = "holds")]
    Holds,
    /// Same direction, different size.
    #[serde(rename = "holds roughly")]
    HoldsRoughly,
    #[serde(rename = "does not hold")]
    DoesNotHold,
    /// A claim about CPython (its GIL or event loop) that Rust does not share.
    #[serde(rename = "Python-only")]
    PythonOnly,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Verdict::Holds => "holds",
            Verdict::HoldsRoughly => "holds roughly",
            Verdict::DoesNotHold => "does not hold",
            Verdict::PythonOnly => "Python-only",
        })
    }
}

impl Verdict {
    /// The weaker of two verdicts (for claims made of several parts).
    pub fn worst(self, other: Verdict) -> Verdict {
        let rank = |v: Verdict| match v {
            Verdict::Holds => 0,
            Verdict::HoldsRoughly => 1,
            Verdict::PythonOnly => 2,
            Verdict::DoesNotHold => 3,
        };
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }
}

/// One measured number with its unit: `s` (seconds), `B` (bytes), `x` (a ratio),
/// `count`, or `/s`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub label: String,
    pub value: f64,
    pub unit: String,
}

impl Figure {
    pub fn new(label: impl Into<String>, value: f64, unit: &str) -> Figure {
        Figure {
            label: label.into(),
            value,
            unit: unit.into(),
        }
    }

    pub fn secs(label: impl Into<String>, value: f64) -> Figure {
        Figure::new(label, value, "s")
    }
}

impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.value;
        let shown = match self.unit.as_str() {
            "s" => seconds(v),
            "B" => bytes(Some(v)),
            "x" => format!("{v:.2}x"),
            "count" => format!("{v:.0}"),
            "/s" => format!("{v:.0}/s"),
            other => format!("{v} {other}"),
        };
        write!(f, "{} {shown}", self.label)
    }
}

/// |measured / target - 1| <= tolerance.
pub fn within(measured: f64, target: f64, tolerance: f64) -> bool {
    target > 0.0 && (measured / target - 1.0).abs() <= tolerance
}

/// How far a measured figure is from a claimed one, as a factor >= 1.
pub fn factor(measured: f64, claimed: f64) -> f64 {
    if measured <= 0.0 || claimed <= 0.0 {
        return f64::INFINITY;
    }
    (measured / claimed).max(claimed / measured)
}

/// A claimed size against a measured one: within 2x holds, within 10x holds roughly.
pub fn size_verdict(measured: f64, claimed: f64) -> Verdict {
    match factor(measured, claimed) {
        f if f <= 2.0 => Verdict::Holds,
        f if f <= 10.0 => Verdict::HoldsRoughly,
        _ => Verdict::DoesNotHold,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn within_and_factor_boundaries() {
        assert!(within(1.15, 1.0, 0.15 + 1e-12));
        assert!(!within(1.16, 1.0, 0.15));
        assert!(within(0.85, 1.0, 0.15 + 1e-12));
        assert_eq!(factor(2.0, 1.0), 2.0);
        assert_eq!(factor(0.5, 1.0), 2.0);
        assert_eq!(size_verdict(2.0, 1.0), Verdict::Holds);
        assert_eq!(size_verdict(2.01, 1.0), Verdict::HoldsRoughly);
        assert_eq!(size_verdict(10.0, 1.0), Verdict::HoldsRoughly);
        assert_eq!(size_verdict(10.01, 1.0), Verdict::DoesNotHold);
        assert_eq!(size_verdict(0.0, 1.0), Verdict::DoesNotHold);
    }

    #[test]
    fn worst_of_two() {
        assert_eq!(
            Verdict::Holds.worst(Verdict::HoldsRoughly),
            Verdict::HoldsRoughly
        );
        assert_eq!(
            Verdict::DoesNotHold.worst(Verdict::Holds),
            Verdict::DoesNotHold
        );
        assert_eq!(
            Verdict::PythonOnly.worst(Verdict::HoldsRoughly),
            Verdict::PythonOnly
        );
    }

    #[test]
    fn figures_print_with_units() {
        assert_eq!(Figure::secs("tokio", 0.0406).to_string(), "tokio 40.6ms");
        assert_eq!(
            Figure::new("per task", 455.0, "B").to_string(),
            "per task 455 B"
        );
        assert_eq!(
            Figure::new("speed-up", 1.94, "x").to_string(),
            "speed-up 1.94x"
        );
    }
}
