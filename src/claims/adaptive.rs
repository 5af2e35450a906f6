//! Claim C15's experiment and rule: an adaptive (AIMD) client limit against fixed ones,
//! calls retried when the rate-limited service rejects them. Its text is in `limits.rs`
//! beside C04-C06.

use std::time::Duration;

use super::judge::{Est, Test, figure, highest, ladder, num};
use super::lab::Lab;
use super::limits::{count_of, services};
use super::{FigureId, FigureKey, FigureUnit, Finding, Verdict};
use crate::results::{C15_ADAPTIVE, C15_FIXED};
use crate::workload::service::{ClientLimit, ServiceSpec, Transport};

/// C15: the adaptive limiter completes calls at least this fraction as fast as every fixed
/// limit.
pub const C15_FAST_ENOUGH: f64 = 0.7;

pub(super) fn c15(lab: &Lab) -> Result<Finding, String> {
    let l = lab.scaled(1.0);
    let base = ServiceSpec {
        calls: 200,
        capacity: 10,
        latency: l,
        limit: ClientLimit::Unbounded,
        spread: Duration::ZERO,
        retry_after: Some(l / 2),
        seed: None,
        transport: Transport::InProcess,
    };
    let limits = [
        (C15_FIXED[0], ClientLimit::Semaphore(5)),
        (C15_FIXED[1], ClientLimit::Semaphore(10)),
        (C15_FIXED[2], ClientLimit::Semaphore(20)),
        (C15_ADAPTIVE, ClientLimit::Adaptive { start: 1, max: 50 }),
    ];
    let runs: Vec<(&str, ServiceSpec)> = limits
        .iter()
        .map(|(_, limit)| {
            (
                "tokio",
                ServiceSpec {
                    limit: *limit,
                    ..base
                },
            )
        })
        .collect();
    let outcomes = services(lab, &runs)?;
    let mut runs = Vec::new();
    let mut measured = Vec::new();
    for ((name, _), o) in limits.iter().zip(&outcomes) {
        let rates: Vec<f64> = o
            .iter()
            .map(|o| o.completed as f64 / o.wall_seconds)
            .collect();
        let (rate, rejections) = (Est::of(&rates), count_of(o));
        measured.push(figure(
            FigureKey::about(FigureId::C15CallsPerSecond, *name),
            format!("{name} calls"),
            rate,
            FigureUnit::PerSecond,
        ));
        measured.push(figure(
            FigureKey::about(FigureId::C15Rejected, *name),
            format!("{name} rejected"),
            rejections,
            FigureUnit::Count,
        ));
        if *name == C15_ADAPTIVE {
            let finals: Vec<f64> = o.iter().map(|o| o.final_limit as f64).collect();
            measured.push(figure(
                FigureKey::of(FigureId::C15AdaptiveFinalLimit),
                "adaptive final limit",
                Est::of(&finals),
                FigureUnit::Count,
            ));
        }
        runs.push((rate, rejections));
    }
    let (verdict, why) = c15_rule(&runs[..3], runs[3]);
    Ok(Finding {
        measured,
        verdict,
        why,
    })
}

/// `fixed`: (calls per second, rejections) for limits 5, 10, 20; `adaptive` the same.
pub fn c15_rule(fixed: &[(Est, Est)], adaptive: (Est, Est)) -> (Verdict, String) {
    let best = highest(fixed.iter().map(|f| ("", f.0))).1;
    let over = fixed.last().map_or(Est::point(0.0), |f| f.1);
    let fewer = Test::less(adaptive.1, over, "adaptive's rejections");
    // Against every fixed limit, so no pick of "the best" by its median decides.
    let fast = Test::all(
        fixed
            .iter()
            .map(|f| Test::ratio_at_least(adaptive.0, f.0, C15_FAST_ENOUGH, "adaptive's rate")),
    );
    ladder(
        vec![
            (fewer.clone().and(fast.clone()), Verdict::Holds),
            (fewer.or(fast), Verdict::HoldsRoughly),
        ],
        Verdict::DoesNotHold,
        format!(
            "adaptive: {}/s with {} rejections; best fixed {}/s; a fixed limit over capacity was rejected {} times",
            num(adaptive.0.mid),
            num(adaptive.1.mid),
            num(best.mid),
            num(over.mid)
        ),
    )
}
