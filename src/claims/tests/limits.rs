//! Rule boundaries of the claims in `limits.rs`, on forged numbers.

use super::*;
use crate::claims::adaptive::{C15Runs, c15_rule_both};
use crate::claims::rejections::{c06_rule, c06_rule_both};

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
    let fixed = vec![(p(200.0), p(0.0)), (p(400.0), p(0.0)), (p(380.0), p(50.0))];
    // The same figures on both transports: the rule of one.
    let rule = |r, n| {
        let runs = C15Runs {
            fixed: fixed.clone(),
            adaptive: (p(r), p(n)),
        };
        c15_rule_both(&runs, &runs).0
    };
    assert_eq!(rule(280.0, 10.0), Verdict::Holds);
    assert_eq!(rule(279.0, 10.0), Verdict::HoldsRoughly);
    assert_eq!(rule(300.0, 50.0), Verdict::HoldsRoughly);
    assert_eq!(rule(100.0, 60.0), Verdict::DoesNotHold);
}

#[test]
fn c06_on_both_transports_gives_the_weaker_verdict_and_needs_both() {
    let rule = |a: &[(Est, Est)], b: &[(Est, Est)]| c06_rule_both(a, b).0;
    let holds = [(p(40.0), p(0.0))];
    assert_eq!(rule(&holds, &holds), Verdict::Holds);
    assert_eq!(rule(&holds, &[(p(27.0), p(0.0))]), Verdict::HoldsRoughly);
    assert_eq!(rule(&[(p(27.0), p(0.0))], &holds), Verdict::HoldsRoughly);
    assert_eq!(rule(&holds, &[(p(40.0), p(1.0))]), Verdict::DoesNotHold);
    assert_eq!(rule(&holds, &[]), Verdict::DoesNotHold, "TCP missing");
    assert_eq!(
        rule(&[], &holds),
        Verdict::DoesNotHold,
        "in-process missing"
    );
    // Over TCP the count straddles the notes' upper end: holds or roughly.
    let (v, why) = c06_rule_both(&holds, &[(Est::new(42.0, 40.0, 43.0), p(0.0))]);
    assert_eq!(v, Verdict::Inconclusive, "{why}");
    assert!(
        why.contains("over TCP, no limit 42 [40, 43] straddles 42"),
        "{why}"
    );
    assert!(why.contains("in-process 40; over TCP 42 [40, 43]"), "{why}");
}

#[test]
fn c15_on_both_transports_gives_the_weaker_verdict() {
    let fixed = vec![(p(200.0), p(0.0)), (p(400.0), p(0.0)), (p(380.0), p(50.0))];
    let runs = |rate, rejected| C15Runs {
        fixed: fixed.clone(),
        adaptive: (p(rate), p(rejected)),
    };
    let rule = |a: &C15Runs, b: &C15Runs| c15_rule_both(a, b).0;
    let holds = runs(280.0, 10.0);
    assert_eq!(rule(&holds, &holds), Verdict::Holds);
    assert_eq!(rule(&holds, &runs(279.0, 10.0)), Verdict::HoldsRoughly);
    assert_eq!(rule(&runs(300.0, 50.0), &holds), Verdict::HoldsRoughly);
    assert_eq!(rule(&holds, &runs(100.0, 60.0)), Verdict::DoesNotHold);
    let (v, why) = c15_rule_both(&holds, &runs(280.0, 0.0));
    assert_eq!(v, Verdict::Holds);
    assert!(
        why.starts_with("in-process adaptive: 280/s") && why.contains("; over TCP adaptive"),
        "{why}"
    );
}
