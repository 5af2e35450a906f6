//! Rule boundaries of the claims in `limits.rs`, on forged numbers.

use super::*;
use crate::claims::adaptive::c15_rule;

fn p(x: f64) -> Est {
    Est::point(x)
}

#[test]
fn c04_boundaries() {
    let rule = |w| c04_rule(20, 5, 0.02, &[("tokio", p(w))]).0;
    assert_eq!(rule(0.092), Verdict::Holds);
    assert_eq!(rule(0.093), Verdict::HoldsRoughly);
    assert_eq!(rule(0.121), Verdict::DoesNotHold);
    let around = c04_rule(20, 5, 0.02, &[("tokio", Est::new(0.09, 0.085, 0.095))]);
    assert_eq!(around.0, Verdict::Inconclusive, "{}", around.1);
}

#[test]
fn c05_boundaries() {
    let rule = |f, u| c05_rule(&[("fixed", p(f)), ("u", p(u))]).0;
    assert_eq!(rule(1.1, 1.2), Verdict::Holds);
    assert_eq!(rule(1.0, 1.2), Verdict::HoldsRoughly);
    assert_eq!(rule(0.94, 1.2), Verdict::DoesNotHold);
    assert_eq!(rule(1.0, 1.09), Verdict::DoesNotHold);
}

#[test]
fn c06_boundaries() {
    let rule = |a, b| c06_rule(&[(p(a), p(b))]).0;
    assert_eq!(rule(40.0, 0.0), Verdict::Holds);
    assert_eq!(rule(28.0, 0.0), Verdict::Holds);
    assert_eq!(rule(27.0, 0.0), Verdict::HoldsRoughly);
    assert_eq!(rule(40.0, 1.0), Verdict::DoesNotHold);
    assert_eq!(rule(0.0, 0.0), Verdict::DoesNotHold);
}

#[test]
fn c15_boundaries() {
    let fixed = [(p(200.0), p(0.0)), (p(400.0), p(0.0)), (p(380.0), p(50.0))];
    let rule = |r, n| c15_rule(&fixed, (p(r), p(n))).0;
    assert_eq!(rule(280.0, 10.0), Verdict::Holds);
    assert_eq!(rule(279.0, 10.0), Verdict::HoldsRoughly);
    assert_eq!(rule(300.0, 50.0), Verdict::HoldsRoughly);
    assert_eq!(rule(100.0, 60.0), Verdict::DoesNotHold);
}
