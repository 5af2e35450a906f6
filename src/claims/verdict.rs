//! The small comparisons the claims' rules share. Verdicts and figures are result records
//! ([`crate::results::Verdict`], [`crate::results::Figure`]).

use crate::results::Verdict;

/// How far a measured figure is from a claimed one, as a factor >= 1.
pub fn factor(measured: f64, claimed: f64) -> f64 {
    if measured <= 0.0 || claimed <= 0.0 {
        return f64::INFINITY;
    }
    (measured / claimed).max(claimed / measured)
}

/// A claimed size holds within this factor of the measured one ...
pub const SIZE_HOLDS: f64 = 2.0;
/// ... and holds roughly within this one.
pub const SIZE_ROUGHLY: f64 = 10.0;

/// A claimed size against a measured one: within [`SIZE_HOLDS`] holds, within
/// [`SIZE_ROUGHLY`] holds roughly.
pub fn size_verdict(measured: f64, claimed: f64) -> Verdict {
    match factor(measured, claimed) {
        f if f <= SIZE_HOLDS => Verdict::Holds,
        f if f <= SIZE_ROUGHLY => Verdict::HoldsRoughly,
        _ => Verdict::DoesNotHold,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factor_and_size_boundaries() {
        assert_eq!(factor(2.0, 1.0), 2.0);
        assert_eq!(factor(0.5, 1.0), 2.0);
        assert_eq!(size_verdict(2.0, 1.0), Verdict::Holds);
        assert_eq!(size_verdict(2.01, 1.0), Verdict::HoldsRoughly);
        assert_eq!(size_verdict(10.0, 1.0), Verdict::HoldsRoughly);
        assert_eq!(size_verdict(10.01, 1.0), Verdict::DoesNotHold);
        assert_eq!(size_verdict(0.0, 1.0), Verdict::DoesNotHold);
    }
}
