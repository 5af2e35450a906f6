//! Rule boundaries of the claims in `waiting.rs`, on forged numbers.

use super::*;

fn p(x: f64) -> Est {
    Est::point(x)
}

#[test]
fn c01_boundaries() {
    let l = 0.04;
    let rule = |seq, c| c01_rule(4, l, p(seq), &[("tokio", p(c))]).0;
    assert_eq!(rule(0.16, 0.05), Verdict::Holds);
    assert_eq!(rule(0.16, 0.0501), Verdict::HoldsRoughly);
    assert_eq!(rule(0.19, 0.04), Verdict::HoldsRoughly);
    assert_eq!(rule(0.16, 0.081), Verdict::DoesNotHold);
    let around = c01_rule(4, l, p(0.16), &[("tokio", Est::new(0.05, 0.045, 0.055))]);
    assert_eq!(around.0, Verdict::Inconclusive, "{}", around.1);
}

#[test]
fn c02_boundaries() {
    let l = 0.02;
    assert_eq!(c02_rule(5, l, &[(p(0.1), p(0.021))]).0, Verdict::Holds);
    assert_eq!(
        c02_rule(5, l, &[(p(0.12), p(0.021))]).0,
        Verdict::HoldsRoughly
    );
    assert_eq!(
        c02_rule(5, l, &[(p(0.03), p(0.02))]).0,
        Verdict::DoesNotHold
    );
}

#[test]
fn c03_boundaries() {
    let l = 0.02;
    let rule = |c, m| c03_rule(5, 2, l, p(c), &[("tokio", p(m))]).0;
    assert_eq!(rule(0.1, 0.1), Verdict::Holds);
    assert_eq!(rule(0.1, 0.06), Verdict::HoldsRoughly);
    assert_eq!(rule(0.02, 0.02), Verdict::DoesNotHold);
}

#[test]
fn c12_boundaries() {
    let l = 0.02;
    let rule = |a| c12_rule(l, &[("tokio", p(a))], p(0.4), p(0.4)).0;
    assert_eq!(rule(0.2), Verdict::Holds);
    assert_eq!(rule(0.25), Verdict::HoldsRoughly);
    assert_eq!(rule(0.3), Verdict::DoesNotHold);
}

#[test]
fn c17_boundaries() {
    let l = 0.02;
    assert_eq!(c17_rule(l, &[(p(0.2), p(0.03))]).0, Verdict::Holds);
    assert_eq!(c17_rule(l, &[(p(0.2), p(0.031))]).0, Verdict::HoldsRoughly);
    assert_eq!(c17_rule(l, &[(p(0.02), p(0.03))]).0, Verdict::DoesNotHold);
}
