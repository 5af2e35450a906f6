//! The small comparisons the claims' rules share. Verdicts and figures are result records
//! ([`crate::results::Verdict`], [`crate::results::Figure`]).

use crate::results::Verdict;

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
}
