//! Verdicts from intervals. A claim's experiment repeats its measurements (interleaved
//! rounds, see [`super::Lab::rounds`]) and a rule compares the interval of each median with
//! its thresholds, not one number: a comparison is `Yes` when the whole interval is on the
//! threshold's side, `No` when the whole interval is on the other side, and `Unsure` when the
//! threshold falls inside it. A rule is a ladder of (test, verdict) steps; when an unsure
//! test leaves more than one verdict possible, the verdict is `inconclusive`, with the
//! interval and the threshold said. So two runs whose intervals both cover the true value
//! (each interval aims at 95%) cannot give opposite verdicts; at worst one is inconclusive.

use std::fmt;

use super::{Figure, FigureKey, FigureUnit, Verdict};
use crate::suite::Stat;

/// A measured quantity: the median of its repetitions and the interval of that median
/// (about 95%, order statistics); a point (low = high) when it was measured once, as the
/// Python scripts' numbers are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Est {
    /// The median.
    pub mid: f64,
    /// Low end of the interval.
    pub low: f64,
    /// High end of the interval.
    pub high: f64,
}

impl Est {
    /// A number measured once.
    pub fn point(v: f64) -> Est {
        Est {
            mid: v,
            low: v,
            high: v,
        }
    }

    /// A forged interval (tests, and numbers whose interval comes from elsewhere).
    pub fn new(mid: f64, low: f64, high: f64) -> Est {
        Est { mid, low, high }
    }

    /// The median of `samples` and its interval; a point of 0 for no samples.
    pub fn of(samples: &[f64]) -> Est {
        Stat::of(samples.iter().copied()).map_or(Est::point(0.0), |s| Est {
            mid: s.median,
            low: s.ci_low,
            high: s.ci_high,
        })
    }

    /// `f(a[i], b[i])` for each round `i` the two were measured in, summarised: a ratio of
    /// two cells is taken within a round (the same moment of a drifting machine), then the
    /// rounds' ratios give the median and interval.
    pub fn paired(a: &[f64], b: &[f64], f: impl Fn(f64, f64) -> f64) -> Est {
        let v: Vec<f64> = a.iter().zip(b).map(|(&x, &y)| f(x, y)).collect();
        Est::of(&v)
    }

    /// median(num) / median(den) for two samples measured apart (a speed-up: the baseline's
    /// runs over a cell's), with an interval that carries both medians' uncertainty: a
    /// seeded percentile bootstrap resampling each sample on its own
    /// ([`super::bootstrap`]).
    pub fn ratio_of_medians(num: &[f64], den: &[f64]) -> Est {
        super::bootstrap::ratio_of_medians(num, den)
    }

    /// Every bound divided by `k` (e.g. seconds over the wait L).
    pub fn per(self, k: f64) -> Est {
        Est {
            mid: self.mid / k,
            low: self.low / k,
            high: self.high / k,
        }
    }

    /// Is it a point?
    pub fn is_point(&self) -> bool {
        self.low == self.high
    }
}

impl fmt::Display for Est {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_point() {
            write!(f, "{}", num(self.mid))
        } else {
            write!(
                f,
                "{} [{}, {}]",
                num(self.mid),
                num(self.low),
                num(self.high)
            )
        }
    }
}

/// The entry with the highest median ("none" and 0 for none): the slowest runtime, the
/// best rate.
pub fn highest<'a>(items: impl IntoIterator<Item = (&'a str, Est)>) -> (&'a str, Est) {
    items.into_iter().fold(("none", Est::point(0.0)), |a, b| {
        if b.1.mid > a.1.mid { b } else { a }
    })
}

/// A keyed figure with its interval (none for a point).
pub fn figure(key: FigureKey, label: impl Into<String>, e: Est, unit: FigureUnit) -> Figure {
    let f = Figure::new(key, label, e.mid, unit);
    if e.is_point() {
        f
    } else {
        f.within(e.low, e.high)
    }
}

/// A keyed figure in seconds with its interval.
pub fn secs(key: FigureKey, label: impl Into<String>, e: Est) -> Figure {
    figure(key, label, e, FigureUnit::Seconds)
}

/// Three significant digits, for the rules' sentences.
pub fn num(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let digits = (2 - x.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{x:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A percentage from a fraction: 0.15 -> `15%`.
pub fn pct(fraction: f64) -> String {
    format!("{:.0}%", fraction * 100.0)
}

/// One comparison of a rule, judged on an interval.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// The whole interval meets the condition.
    Yes,
    /// None of the interval does.
    No,
    /// A threshold falls inside the interval; why, in words.
    Unsure(Vec<String>),
}

impl Test {
    /// `e <= t`.
    pub fn at_most(e: Est, t: f64, what: &str) -> Test {
        Test::side(e.high <= t, e.low > t, || {
            format!("{what} {e} straddles {}", num(t))
        })
    }

    /// `e >= t`.
    pub fn at_least(e: Est, t: f64, what: &str) -> Test {
        Test::side(e.low >= t, e.high < t, || {
            format!("{what} {e} straddles {}", num(t))
        })
    }

    /// `a <= k x b`, for two intervals: Yes when a's highest is at most k x b's lowest.
    pub fn ratio_at_most(a: Est, b: Est, k: f64, what: &str) -> Test {
        Test::side(a.high <= k * b.low, a.low > k * b.high, || {
            format!("{what}: {a} against {} x {b}", num(k))
        })
    }

    /// `a >= k x b`, for two intervals: Yes when a's lowest is at least k x b's highest.
    pub fn ratio_at_least(a: Est, b: Est, k: f64, what: &str) -> Test {
        Test::side(a.low >= k * b.high, a.high < k * b.low, || {
            format!("{what}: {a} against {} x {b}", num(k))
        })
    }

    /// `a < b`, for two intervals: Yes when a's highest is below b's lowest, No when a's
    /// lowest is at or above b's highest.
    pub fn less(a: Est, b: Est, what: &str) -> Test {
        Test::side(a.high < b.low, a.low >= b.high, || {
            format!("{what}: {a} against {b}")
        })
    }

    /// `|e / target - 1| <= tolerance`.
    pub fn within(e: Est, target: f64, tolerance: f64, what: &str) -> Test {
        let (lo, hi) = (target * (1.0 - tolerance), target * (1.0 + tolerance));
        Test::side(
            e.low >= lo && e.high <= hi,
            e.high < lo || e.low > hi,
            || format!("{what} {e} straddles an end of [{}, {}]", num(lo), num(hi)),
        )
    }

    /// `Yes` when a condition holds for the whole interval, `No` when its opposite does.
    fn side(yes: bool, no: bool, unsure: impl FnOnce() -> String) -> Test {
        match (yes, no) {
            (true, _) => Test::Yes,
            (false, true) => Test::No,
            (false, false) => Test::Unsure(vec![unsure()]),
        }
    }

    /// A plain condition with no interval (a count, a fact of the machine).
    pub fn of(b: bool) -> Test {
        if b { Test::Yes } else { Test::No }
    }

    /// Both (three-valued: No wins, then Unsure).
    pub fn and(self, other: Test) -> Test {
        match (self, other) {
            (Test::No, _) | (_, Test::No) => Test::No,
            (Test::Yes, Test::Yes) => Test::Yes,
            (a, b) => Test::Unsure([a.reasons(), b.reasons()].concat()),
        }
    }

    /// Either (three-valued: Yes wins, then Unsure).
    pub fn or(self, other: Test) -> Test {
        match (self, other) {
            (Test::Yes, _) | (_, Test::Yes) => Test::Yes,
            (Test::No, Test::No) => Test::No,
            (a, b) => Test::Unsure([a.reasons(), b.reasons()].concat()),
        }
    }

    /// Any of `tests` (No for none).
    pub fn any(tests: impl IntoIterator<Item = Test>) -> Test {
        tests.into_iter().fold(Test::No, Test::or)
    }

    /// Every one of `tests` (Yes for none).
    pub fn all(tests: impl IntoIterator<Item = Test>) -> Test {
        tests.into_iter().fold(Test::Yes, Test::and)
    }

    fn reasons(self) -> Vec<String> {
        match self {
            Test::Unsure(r) => r,
            _ => Vec::new(),
        }
    }
}

/// A rule's steps, tried in order: the first `Yes` gives its verdict, `No` passes on, and
/// `otherwise` is the verdict when every step says `No`. An `Unsure` step may or may not
/// apply; if the verdicts still possible differ, the answer is `inconclusive` and the
/// sentence `why` says which intervals straddle which thresholds.
pub fn ladder(steps: Vec<(Test, Verdict)>, otherwise: Verdict, why: String) -> (Verdict, String) {
    let mut possible: Vec<Verdict> = Vec::new();
    let mut reasons: Vec<String> = Vec::new();
    let mut settled = false;
    for (test, verdict) in steps {
        match test {
            Test::Yes => {
                possible.push(verdict);
                settled = true;
                break;
            }
            Test::No => {}
            Test::Unsure(r) => {
                possible.push(verdict);
                for reason in r {
                    if !reasons.contains(&reason) {
                        reasons.push(reason);
                    }
                }
            }
        }
    }
    if !settled {
        possible.push(otherwise);
    }
    let mut seen: Vec<Verdict> = Vec::new();
    for v in possible {
        if !seen.contains(&v) {
            seen.push(v);
        }
    }
    let possible = seen;
    let first = possible[0];
    if possible.iter().all(|&v| v == first) {
        return (first, why);
    }
    let names: Vec<String> = possible.iter().map(|v| v.to_string()).collect();
    (
        Verdict::Inconclusive,
        format!(
            "{why}; inconclusive between {}: {}",
            names.join(" and "),
            reasons.join("; ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A threshold of 1.4 judged on an interval below it, above it and around it.
    #[test]
    fn an_interval_on_either_side_decides_and_one_around_the_threshold_does_not() {
        let rule = |e: Est| {
            ladder(
                vec![(Test::at_least(e, 1.4, "speed-up"), Verdict::Holds)],
                Verdict::DoesNotHold,
                String::new(),
            )
        };
        assert_eq!(rule(Est::new(1.8, 1.5, 1.9)).0, Verdict::Holds);
        assert_eq!(rule(Est::new(1.1, 1.0, 1.39)).0, Verdict::DoesNotHold);
        let (v, why) = rule(Est::new(1.45, 1.3, 1.6));
        assert_eq!(v, Verdict::Inconclusive);
        assert!(why.contains("1.45 [1.3, 1.6] straddles 1.4"), "{why}");
        assert!(why.contains("holds and does not hold"), "{why}");
    }

    #[test]
    fn three_valued_logic() {
        let u = || Test::Unsure(vec!["u".into()]);
        assert_eq!(Test::Yes.and(u()), u());
        assert_eq!(Test::No.and(u()), Test::No);
        assert_eq!(Test::Yes.or(u()), Test::Yes);
        assert_eq!(Test::No.or(u()), u());
        assert_eq!(Test::all([Test::Yes, Test::Yes]), Test::Yes);
        let e = Est::new(1.0, 0.9, 1.1);
        assert_eq!(Test::within(e, 1.0, 0.15, "x"), Test::Yes);
        assert_eq!(Test::within(e, 2.0, 0.15, "x"), Test::No);
        assert!(matches!(Test::within(e, 1.2, 0.15, "x"), Test::Unsure(_)));
    }

    #[test]
    fn an_unsure_step_between_two_steps_of_the_same_verdict_decides() {
        let u = Test::Unsure(vec!["u".into()]);
        let (v, _) = ladder(
            vec![
                (u, Verdict::HoldsRoughly),
                (Test::Yes, Verdict::HoldsRoughly),
            ],
            Verdict::DoesNotHold,
            String::new(),
        );
        assert_eq!(v, Verdict::HoldsRoughly);
    }

    #[test]
    fn paired_ratios_and_numbers() {
        let e = Est::paired(&[2.0, 4.0, 6.0], &[1.0, 2.0, 2.0], |a, b| a / b);
        assert_eq!(e.mid, 2.0);
        assert_eq!((e.low, e.high), (2.0, 3.0));
        assert_eq!(
            Test::less(Est::new(1.0, 0.9, 1.1), Est::new(2.0, 1.2, 2.5), "x"),
            Test::Yes
        );
        assert_eq!(
            Test::less(Est::new(3.0, 2.6, 3.1), Est::new(2.0, 1.2, 2.5), "x"),
            Test::No
        );
        assert!(matches!(
            Test::less(Est::new(2.0, 1.9, 2.6), Est::new(2.0, 1.2, 2.5), "x"),
            Test::Unsure(_)
        ));
        assert_eq!(num(0.020_12), "0.0201");
        assert_eq!(num(1.5), "1.5");
        assert_eq!(num(40.0), "40");
        assert_eq!(num(240.4), "240");
        assert_eq!(pct(0.15), "15%");
    }
}
