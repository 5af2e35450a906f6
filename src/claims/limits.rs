//! Claims about limiting concurrency: a semaphore's ceil(N/C) x L (C04), semaphore vs
//! manual batches (C05), a rate-limited server (C06) and an adaptive limiter (C15).

use std::time::Duration;

use super::lab::{Lab, asyncs_and_threads, multi_thread_asyncs};
use super::verdict::within;
use super::{Claim, Figure, FigureId, FigureKey, FigureUnit, Finding, Verdict};
use crate::limit::Limit;
use crate::results::{C15_ADAPTIVE, C15_FIXED};
use crate::runtime::{self, Model, Variant};
use crate::suite::{Experiment, ExperimentOutcome};
use crate::workload::service::{ClientLimit, ServiceOutcome, ServiceSpec};
use crate::workload::{Latency, WorkloadSpec};

pub static CLAIMS: [Claim; 4] = [
    Claim {
        id: "C04",
        source: "001 ex.2",
        claim: "20 calls, Semaphore(5), 1 s each: ~4 s",
        rule: "holds if every runtime (its own semaphore; a pool of 5 for pools and processes) takes within \
               15% of ceil(N/C) x L; roughly if within 50%",
        run: c04,
    },
    Claim {
        id: "C05",
        source: "000 ex.2",
        claim: "a semaphore is always faster than manual batching (a for-loop of gathers): no idle time",
        rule: "637 calls, limit 10, on tokio, for fixed, uniform (0.5..1.5 L) and long-tailed latency: holds \
               if batches take at least 1.1x the semaphore's time for every spread; roughly if they do for \
               the varied spreads and are no faster (0.95x) for fixed latency",
        run: c05,
    },
    Claim {
        id: "C06",
        source: "001 ex.4",
        claim: "50 calls against a server that rejects >10 concurrent: 35 fail without a semaphore, 0 with Semaphore(10)",
        rule: "50 calls released at once against capacity 10: holds if every async runtime sees 0 rejections \
               under a semaphore of 10 and 28 to 42 (35 +-20%) without; roughly if 0 with and some without",
        run: c06,
    },
    Claim {
        id: "C15",
        source: "001 ex.5",
        claim: "an adaptive semaphore raises its limit on success and lowers it on failure",
        rule: "200 calls, capacity 10, rejected calls retried: holds if the adaptive (AIMD) limiter is \
               rejected less than a fixed limit of 20 and completes calls at least 0.7x as fast as the best \
               fixed limit; roughly if one of the two",
        run: c15,
    },
];

fn c04(lab: &Lab) -> Result<Finding, String> {
    let (n, c) = (20, 5);
    let l = lab.scaled(1.0);
    let spec = WorkloadSpec::io(n, Latency::Fixed(l));
    let mut walls = Vec::new();
    for rt in asyncs_and_threads() {
        walls.push((
            rt,
            lab.wall(rt, &spec, Limit::Semaphore(c), Variant::Normal)?,
        ));
    }
    let pools = [Model::ThreadPool, Model::Processes].map(runtime::of_model);
    for rt in pools.iter().flatten().map(|r| r.name()) {
        walls.push((rt, lab.wall(rt, &spec, Limit::Pool(c), Variant::Normal)?));
    }
    let (verdict, why) = c04_rule(n, c, l.as_secs_f64(), &walls);
    Ok(Finding {
        measured: walls
            .iter()
            .map(|(rt, t)| Figure::secs(FigureKey::about(FigureId::C04Wall, *rt), *rt, *t))
            .collect(),
        verdict,
        why,
    })
}

pub fn c04_rule(n: usize, c: usize, l: f64, walls: &[(&str, f64)]) -> (Verdict, String) {
    let ideal = n.div_ceil(c) as f64 * l;
    let verdict = if walls.iter().all(|w| within(w.1, ideal, 0.15)) {
        Verdict::Holds
    } else if walls.iter().all(|w| within(w.1, ideal, 0.5)) {
        Verdict::HoldsRoughly
    } else {
        Verdict::DoesNotHold
    };
    let (worst, t) = walls.iter().copied().fold(("none", ideal), |a, b| {
        if (b.1 / ideal - 1.0).abs() > (a.1 / ideal - 1.0).abs() {
            b
        } else {
            a
        }
    });
    (
        verdict,
        format!(
            "ceil({n}/{c}) x L = {:.0} x L; farthest: {worst} at {:.2} x L",
            ideal / l,
            t / l
        ),
    )
}

fn c05(lab: &Lab) -> Result<Finding, String> {
    // L = 20 ms by default, so the shortest wait of every spread stays at 10 ms or more.
    let l = lab.scaled(1.0);
    let spreads = [
        ("fixed", Latency::Fixed(l)),
        ("uniform", Latency::Uniform(l / 2, l * 3 / 2)),
        ("long-tailed", Latency::LongTail(l)),
    ];
    let mut ratios = Vec::new();
    let mut measured = Vec::new();
    for (name, latency) in spreads {
        let spec = WorkloadSpec::io(637, latency);
        let run = |limit| {
            lab.cell("tokio", &spec, limit, Variant::Normal, 1)
                .map(|r| r.wall_seconds)
        };
        let semaphore = run(Limit::Semaphore(10))?;
        let batches = run(Limit::Batches(10))?;
        let pool = run(Limit::Pool(10))?;
        for (id, kind, t) in [
            (FigureId::C05Semaphore, "semaphore", semaphore),
            (FigureId::C05Batches, "batches", batches),
            (FigureId::C05Pool, "pool", pool),
        ] {
            measured.push(Figure::secs(
                FigureKey::about(id, name),
                format!("{name}: {kind}"),
                t,
            ));
        }
        measured.push(Figure::new(
            FigureKey::about(FigureId::C05BatchesOverSemaphore, name),
            format!("{name}: batches / semaphore"),
            batches / semaphore,
            FigureUnit::Ratio,
        ));
        ratios.push((name, batches / semaphore));
    }
    let (verdict, why) = c05_rule(&ratios);
    Ok(Finding {
        measured,
        verdict,
        why,
    })
}

/// `ratios`: batches / semaphore time per latency spread; the first is fixed latency.
pub fn c05_rule(ratios: &[(&str, f64)]) -> (Verdict, String) {
    let (fixed, varied) = ratios
        .split_first()
        .map_or((1.0, &[][..]), |(f, v)| (f.1, v));
    let verdict = if ratios.iter().all(|r| r.1 >= 1.1) {
        Verdict::Holds
    } else if varied.iter().all(|r| r.1 >= 1.1) && fixed >= 0.95 {
        Verdict::HoldsRoughly
    } else {
        Verdict::DoesNotHold
    };
    let shown: Vec<String> = ratios.iter().map(|(n, r)| format!("{n} {r:.2}x")).collect();
    (
        verdict,
        format!(
            "batches wait for their slowest call, so the gap grows with the spread: {}",
            shown.join(", ")
        ),
    )
}

fn service(lab: &Lab, runtime: &str, spec: ServiceSpec) -> Result<ServiceOutcome, String> {
    match lab.experiment(runtime, Experiment::Service(spec))? {
        ExperimentOutcome::Service(o) => Ok(o),
        other => Err(format!(
            "{runtime}: expected a service outcome, got {other:?}"
        )),
    }
}

fn c06(lab: &Lab) -> Result<Finding, String> {
    let l = lab.scaled(1.0);
    let base = ServiceSpec {
        calls: 50,
        capacity: 10,
        latency: l,
        limit: ClientLimit::Unbounded,
        spread: Duration::ZERO,
        retry_after: None,
    };
    let mut counts = Vec::new();
    let mut measured = Vec::new();
    for rt in multi_thread_asyncs() {
        let unbounded = service(lab, rt, base)?.rejected;
        let bounded = service(
            lab,
            rt,
            ServiceSpec {
                limit: ClientLimit::Semaphore(10),
                ..base
            },
        )?
        .rejected;
        let jittered = service(
            lab,
            rt,
            ServiceSpec {
                spread: l * 2,
                ..base
            },
        )?
        .rejected;
        for (id, how, n) in [
            (FigureId::C06RejectedNoLimit, "no limit", unbounded),
            (FigureId::C06RejectedSemaphore, "semaphore(10)", bounded),
            (
                FigureId::C06RejectedSpread,
                "no limit, arrivals over 2 L",
                jittered,
            ),
        ] {
            measured.push(Figure::new(
                FigureKey::about(id, rt),
                format!("{rt} rejected, {how}"),
                n as f64,
                FigureUnit::Count,
            ));
        }
        counts.push((unbounded, bounded));
    }
    let (verdict, why) = c06_rule(&counts);
    Ok(Finding {
        measured,
        verdict,
        why,
    })
}

/// `counts`: (rejected without a limit, rejected under semaphore(10)) per runtime.
pub fn c06_rule(counts: &[(usize, usize)]) -> (Verdict, String) {
    let none_bounded = counts.iter().all(|c| c.1 == 0);
    let verdict = if none_bounded && counts.iter().all(|c| (28..=42).contains(&c.0)) {
        Verdict::Holds
    } else if none_bounded && counts.iter().all(|c| c.0 > 0) {
        Verdict::HoldsRoughly
    } else {
        Verdict::DoesNotHold
    };
    let unbounded: Vec<String> = counts.iter().map(|c| c.0.to_string()).collect();
    (
        verdict,
        format!(
            "released at once, the first 10 calls fill the server and the other 40 are turned away \
             (measured {}); the notes' 35 came from calls arriving while some had finished",
            unbounded.join(", ")
        ),
    )
}

fn c15(lab: &Lab) -> Result<Finding, String> {
    let l = lab.scaled(1.0);
    let base = ServiceSpec {
        calls: 200,
        capacity: 10,
        latency: l,
        limit: ClientLimit::Unbounded,
        spread: Duration::ZERO,
        retry_after: Some(l / 2),
    };
    let mut runs = Vec::new();
    let mut measured = Vec::new();
    let limits = [
        (C15_FIXED[0], ClientLimit::Semaphore(5)),
        (C15_FIXED[1], ClientLimit::Semaphore(10)),
        (C15_FIXED[2], ClientLimit::Semaphore(20)),
        (C15_ADAPTIVE, ClientLimit::Adaptive { start: 1, max: 50 }),
    ];
    for (name, limit) in limits {
        let o = service(lab, "tokio", ServiceSpec { limit, ..base })?;
        let rate = o.completed as f64 / o.wall_seconds;
        measured.push(Figure::new(
            FigureKey::about(FigureId::C15CallsPerSecond, name),
            format!("{name} calls"),
            rate,
            FigureUnit::PerSecond,
        ));
        measured.push(Figure::new(
            FigureKey::about(FigureId::C15Rejected, name),
            format!("{name} rejected"),
            o.rejected as f64,
            FigureUnit::Count,
        ));
        if name == C15_ADAPTIVE {
            measured.push(Figure::new(
                FigureKey::of(FigureId::C15AdaptiveFinalLimit),
                "adaptive final limit",
                o.final_limit as f64,
                FigureUnit::Count,
            ));
        }
        runs.push((rate, o.rejected));
    }
    let (verdict, why) = c15_rule(&runs[..3], runs[3]);
    Ok(Finding {
        measured,
        verdict,
        why,
    })
}

/// `fixed`: (calls per second, rejections) for limits 5, 10, 20; `adaptive` the same.
pub fn c15_rule(fixed: &[(f64, usize)], adaptive: (f64, usize)) -> (Verdict, String) {
    let best = fixed.iter().map(|f| f.0).fold(0.0, f64::max);
    let over = fixed.last().map_or(0, |f| f.1);
    let fewer_rejections = adaptive.1 < over;
    let fast_enough = adaptive.0 >= 0.7 * best;
    let verdict = match (fewer_rejections, fast_enough) {
        (true, true) => Verdict::Holds,
        (true, false) | (false, true) => Verdict::HoldsRoughly,
        (false, false) => Verdict::DoesNotHold,
    };
    let why = format!(
        "adaptive: {:.0}/s with {} rejections; best fixed {best:.0}/s; a fixed limit over capacity was rejected {over} times",
        adaptive.0, adaptive.1
    );
    (verdict, why)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c04_boundaries() {
        let l = 0.02;
        assert_eq!(c04_rule(20, 5, l, &[("tokio", 0.092)]).0, Verdict::Holds);
        assert_eq!(
            c04_rule(20, 5, l, &[("tokio", 0.093)]).0,
            Verdict::HoldsRoughly
        );
        assert_eq!(
            c04_rule(20, 5, l, &[("tokio", 0.121)]).0,
            Verdict::DoesNotHold
        );
    }

    #[test]
    fn c05_boundaries() {
        assert_eq!(c05_rule(&[("fixed", 1.1), ("u", 1.2)]).0, Verdict::Holds);
        assert_eq!(
            c05_rule(&[("fixed", 1.0), ("u", 1.2)]).0,
            Verdict::HoldsRoughly
        );
        assert_eq!(
            c05_rule(&[("fixed", 0.94), ("u", 1.2)]).0,
            Verdict::DoesNotHold
        );
        assert_eq!(
            c05_rule(&[("fixed", 1.0), ("u", 1.09)]).0,
            Verdict::DoesNotHold
        );
    }

    #[test]
    fn c06_boundaries() {
        assert_eq!(c06_rule(&[(40, 0)]).0, Verdict::Holds);
        assert_eq!(c06_rule(&[(28, 0)]).0, Verdict::Holds);
        assert_eq!(c06_rule(&[(27, 0)]).0, Verdict::HoldsRoughly);
        assert_eq!(c06_rule(&[(40, 1)]).0, Verdict::DoesNotHold);
        assert_eq!(c06_rule(&[(0, 0)]).0, Verdict::DoesNotHold);
    }

    #[test]
    fn c15_boundaries() {
        let fixed = [(200.0, 0), (400.0, 0), (380.0, 50)];
        assert_eq!(c15_rule(&fixed, (280.0, 10)).0, Verdict::Holds);
        assert_eq!(c15_rule(&fixed, (279.0, 10)).0, Verdict::HoldsRoughly);
        assert_eq!(c15_rule(&fixed, (300.0, 50)).0, Verdict::HoldsRoughly);
        assert_eq!(c15_rule(&fixed, (100.0, 60)).0, Verdict::DoesNotHold);
    }
}
