//! Which rates a run offers: a fixed list, or the auto search (raise geometrically until a
//! rate fails, then bisect geometrically between the last good and the first bad), and the
//! knee. The search is a pure function of a closure that measures one rate, so it is tested
//! on forged results.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::error::LoadError;
use super::observer::LoadObserver;
use super::record::RateResult;

/// The rates `--rate` asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rates {
    /// These rates, in this order.
    List(Vec<f64>),
    /// The auto search.
    Auto,
}

impl fmt::Display for Rates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rates::Auto => f.write_str("auto"),
            Rates::List(list) => {
                let each: Vec<String> = list.iter().map(f64::to_string).collect();
                f.write_str(&each.join(","))
            }
        }
    }
}

impl FromStr for Rates {
    type Err = LoadError;

    fn from_str(s: &str) -> Result<Rates, LoadError> {
        if s.trim() == "auto" {
            return Ok(Rates::Auto);
        }
        let accepted = "requests per second above 0 (e.g. 100 or 50.5), a comma-separated list \
                        of them, or auto";
        s.split(',')
            .map(|item| match item.trim().parse::<f64>() {
                Ok(r) if r > 0.0 && r.is_finite() && r <= MAX_RATE => Ok(r),
                _ => Err(LoadError::Setting(format!(
                    "rate '{}' not accepted; accepted: {accepted}, at most {MAX_RATE}",
                    item.trim()
                ))),
            })
            .collect::<Result<Vec<f64>, LoadError>>()
            .map(Rates::List)
    }
}

/// The highest rate the generator is asked for (a million requests per second).
pub const MAX_RATE: f64 = 1e6;

/// The auto search's steps.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AutoSearch {
    /// The first rate tried.
    pub start: f64,
    /// Each raise multiplies by this.
    pub factor: f64,
    /// The bisection stops when first bad / last good is at most this (1.1: within 10%).
    pub within: f64,
    /// At most this many bisection steps.
    pub refine_steps: usize,
    /// When the start itself fails, at most this many halvings down looking for a good rate.
    pub lower_steps: usize,
    /// Never offered above this.
    pub max: f64,
}

impl Default for AutoSearch {
    fn default() -> AutoSearch {
        AutoSearch {
            start: 50.0,
            factor: 2.0,
            within: 1.1,
            refine_steps: 5,
            lower_steps: 4,
            max: MAX_RATE,
        }
    }
}

/// Runs the rates `rates` asks for through `measure`, telling `observer` before and after
/// each; a rate with a wrong checksum ends the sweep (the server is not doing the work).
pub fn sweep<F: FnMut(f64) -> RateResult>(
    rates: &Rates,
    search: &AutoSearch,
    mut measure: F,
    observer: &mut dyn LoadObserver,
) -> Vec<RateResult> {
    let mut done: Vec<RateResult> = Vec::new();
    let mut run = |rate: f64, observer: &mut dyn LoadObserver| {
        observer.before_rate(rate);
        let mut r = measure(rate);
        observer.after_rate(&mut r);
        let (good, lied) = (r.good(), r.wrong_checksums > 0);
        done.push(r);
        (good, lied)
    };
    match rates {
        Rates::List(list) => {
            for &rate in list {
                if run(rate, observer).1 {
                    break;
                }
            }
        }
        Rates::Auto => auto(search, &mut run, observer),
    }
    done
}

/// The auto search over `run`, which answers (good, wrong checksums seen).
fn auto(
    s: &AutoSearch,
    run: &mut dyn FnMut(f64, &mut dyn LoadObserver) -> (bool, bool),
    observer: &mut dyn LoadObserver,
) {
    let mut good = None::<f64>;
    let mut bad: Option<f64>;
    let mut rate = s.start.min(s.max);
    // Raise until a rate fails (or the ceiling passes).
    loop {
        let (ok, lied) = run(rate, observer);
        if lied {
            return;
        }
        if ok {
            good = Some(rate);
            if rate >= s.max {
                observer.progress(&format!("auto: {rate}/s is the ceiling; stopping"));
                return;
            }
            rate = (rate * s.factor).min(s.max);
        } else {
            bad = Some(rate);
            break;
        }
    }
    // The start failed: halve down looking for a good rate.
    let mut lowered = 0;
    while good.is_none() && lowered < s.lower_steps {
        rate = (rate / s.factor).max(1.0).round();
        lowered += 1;
        observer.progress(&format!("auto: lowering to {}/s", round(rate)));
        let (ok, lied) = run(rate, observer);
        if lied {
            return;
        }
        if ok {
            good = Some(rate);
        } else {
            bad = Some(rate);
        }
    }
    let (Some(mut lo), Some(mut hi)) = (good, bad) else {
        observer.progress("auto: no rate met the SLO");
        return;
    };
    for _ in 0..s.refine_steps {
        if hi / lo <= s.within {
            break;
        }
        // Whole requests per second: a rate reads as it was run.
        let mid = (lo * hi).sqrt().round();
        if mid <= lo || mid >= hi {
            break;
        }
        observer.progress(&format!(
            "auto: refining between {}/s and {}/s: {}/s",
            round(lo),
            round(hi),
            round(mid)
        ));
        let (ok, lied) = run(mid, observer);
        if lied {
            return;
        }
        if ok {
            lo = mid;
        } else {
            hi = mid;
        }
    }
}

fn round(rate: f64) -> f64 {
    (rate * 10.0).round() / 10.0
}

/// The knee: the highest offered rate that was valid and met the SLO.
pub fn knee(results: &[RateResult]) -> Option<f64> {
    results
        .iter()
        .filter(|r| r.good())
        .map(|r| r.offered)
        .max_by(f64::total_cmp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::observer::Silent;
    use crate::load::record::forged;

    /// A server whose true knee is `knee`: above it p99 explodes.
    fn server(knee: f64) -> impl FnMut(f64) -> RateResult {
        move |rate| {
            let p99 = if rate <= knee { 0.010 } else { 0.500 };
            let mut r = forged(rate, rate.min(knee * 1.2), p99);
            r.judge(std::time::Duration::from_millis(50));
            r
        }
    }

    #[test]
    fn auto_finds_the_knee_within_ten_percent() {
        for true_knee in [730.0, 50.0, 101.0, 3000.0, 20.0] {
            let results = sweep(
                &Rates::Auto,
                &AutoSearch::default(),
                server(true_knee),
                &mut Silent,
            );
            let k = knee(&results).expect("a knee");
            assert!(k <= true_knee && k >= true_knee / 1.1, "{true_knee}: {k}");
            let first_bad = results.iter().find(|r| !r.good()).expect("a bad rate");
            assert!(first_bad.offered > true_knee);
        }
    }

    #[test]
    fn an_invalid_rate_stops_the_raise_and_is_never_the_knee() {
        let mut inner = server(10_000.0);
        let results = sweep(
            &Rates::Auto,
            &AutoSearch::default(),
            |rate| {
                let mut r = inner(rate);
                if rate > 300.0 {
                    r.lag.p99 = 0.006;
                    r.judge(std::time::Duration::from_millis(50));
                }
                r
            },
            &mut Silent,
        );
        let k = knee(&results).unwrap();
        assert!((300.0 / 1.1..=300.0).contains(&k), "{k}");
        assert!(results.iter().any(|r| !r.valid));
    }

    #[test]
    fn nothing_good_gives_no_knee_and_lists_run_in_order() {
        let results = sweep(
            &Rates::Auto,
            &AutoSearch::default(),
            server(1.0),
            &mut Silent,
        );
        assert_eq!(knee(&results), None);
        assert_eq!(results.len(), 1 + AutoSearch::default().lower_steps);
        let list = Rates::List(vec![10.0, 2000.0, 100.0]);
        let results = sweep(&list, &AutoSearch::default(), server(500.0), &mut Silent);
        let offered: Vec<f64> = results.iter().map(|r| r.offered).collect();
        assert_eq!(offered, [10.0, 2000.0, 100.0]);
        assert_eq!(knee(&results), Some(100.0));
    }

    #[test]
    fn a_wrong_checksum_ends_the_sweep() {
        let results = sweep(
            &Rates::List(vec![10.0, 20.0]),
            &AutoSearch::default(),
            |rate| {
                let mut r = forged(rate, rate, 0.001);
                r.wrong_checksums = 1;
                r
            },
            &mut Silent,
        );
        assert_eq!(results.len(), 1);
    }

    #[test]
    fn the_observer_hears_every_rate_before_and_after() {
        #[derive(Default)]
        struct Heard(Vec<String>);
        impl LoadObserver for Heard {
            fn before_rate(&mut self, offered: f64) {
                self.0.push(format!("before {offered}"));
            }
            fn after_rate(&mut self, r: &mut RateResult) {
                self.0.push(format!("after {}", r.offered));
            }
        }
        let mut heard = Heard::default();
        let list = Rates::List(vec![10.0, 20.0]);
        sweep(&list, &AutoSearch::default(), server(100.0), &mut heard);
        assert_eq!(heard.0, ["before 10", "after 10", "before 20", "after 20"]);
    }

    #[test]
    fn rates_parse_and_refuse() {
        assert_eq!("auto".parse::<Rates>().unwrap(), Rates::Auto);
        assert_eq!(
            "10, 20.5".parse::<Rates>().unwrap(),
            Rates::List(vec![10.0, 20.5])
        );
        for bad in ["0", "-5", "x", "10,", "1e9", "nan"] {
            let e = bad.parse::<Rates>().unwrap_err().to_string();
            assert!(e.contains("accepted: requests per second"), "{bad}: {e}");
        }
    }
}
