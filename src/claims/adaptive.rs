//! Claim C15's experiment and rule: an adaptive (AIMD) client limit against fixed ones,
//! calls retried when the rate-limited service rejects them, on the in-process model and
//! over TCP against the latency server in capacity mode. Its text is in `limits.rs` beside
//! C04-C06.

use super::judge::{Est, Test, figure, highest, ladder, num};
use super::lab::Lab;
use super::rejections::{count_of, named, on_both, over, services};
use super::{FigureId, FigureKey, FigureUnit, Finding, Verdict};
use crate::results::{C15_ADAPTIVE, C15_FIXED};
use crate::workload::service::{ClientLimit, ServiceSpec, Transport};

/// C15: the adaptive limiter completes calls at least this fraction as fast as every fixed
/// limit.
pub const C15_FAST_ENOUGH: f64 = 0.7;

/// One transport's C15 figures: (calls per second, rejections) of the fixed limits 5, 10
/// and 20, then of the adaptive limiter.
#[derive(Debug, Clone, PartialEq)]
pub struct C15Runs {
    /// Limits 5, 10, 20: (calls per second, rejections).
    pub fixed: Vec<(Est, Est)>,
    /// The adaptive limiter: (calls per second, rejections).
    pub adaptive: (Est, Est),
}

/// Each transport's figure ids: calls per second, rejections, the adaptive final limit.
fn ids(transport: Transport) -> [FigureId; 3] {
    match transport {
        Transport::InProcess => [
            FigureId::C15CallsPerSecond,
            FigureId::C15Rejected,
            FigureId::C15AdaptiveFinalLimit,
        ],
        Transport::Tcp => [
            FigureId::C15CallsPerSecondTcp,
            FigureId::C15RejectedTcp,
            FigureId::C15AdaptiveFinalLimitTcp,
        ],
    }
}

pub(super) fn c15(lab: &Lab) -> Result<Finding, String> {
    let l = lab.scaled(1.0);
    let base = ServiceSpec {
        retry_after: Some(l / 2),
        ..ServiceSpec::at_once(200, 10, l)
    };
    let limits = [
        (C15_FIXED[0], ClientLimit::Semaphore(5)),
        (C15_FIXED[1], ClientLimit::Semaphore(10)),
        (C15_FIXED[2], ClientLimit::Semaphore(20)),
        (C15_ADAPTIVE, ClientLimit::Adaptive { start: 1, max: 50 }),
    ];
    let specs = limits.map(|(_, limit)| ServiceSpec { limit, ..base });
    let outcomes = services(lab, &on_both(&["tokio"], &specs))?;
    let mut measured = Vec::new();
    let mut judged = Vec::new();
    for (transport, per_limit) in Transport::ALL
        .into_iter()
        .zip(outcomes.chunks(limits.len()))
    {
        let [rate_id, rejected_id, final_id] = ids(transport);
        let suffix = match transport {
            Transport::InProcess => String::new(),
            Transport::Tcp => format!(" {}", over(transport)),
        };
        let mut runs = Vec::new();
        for ((name, _), o) in limits.iter().zip(per_limit) {
            let rates: Vec<f64> = o
                .iter()
                .map(|o| o.completed as f64 / o.wall_seconds)
                .collect();
            let (rate, rejections) = (Est::of(&rates), count_of(o));
            measured.push(figure(
                FigureKey::about(rate_id, *name),
                format!("{name} calls{suffix}"),
                rate,
                FigureUnit::PerSecond,
            ));
            measured.push(figure(
                FigureKey::about(rejected_id, *name),
                format!("{name} rejected{suffix}"),
                rejections,
                FigureUnit::Count,
            ));
            if *name == C15_ADAPTIVE {
                let finals: Vec<f64> = o.iter().map(|o| o.final_limit as f64).collect();
                measured.push(figure(
                    FigureKey::of(final_id),
                    format!("adaptive final limit{suffix}"),
                    Est::of(&finals),
                    FigureUnit::Count,
                ));
            }
            runs.push((rate, rejections));
        }
        judged.push(C15Runs {
            fixed: runs[..3].to_vec(),
            adaptive: runs[3],
        });
    }
    let (verdict, why) = c15_rule_both(&judged[0], &judged[1]);
    Ok(Finding {
        measured,
        verdict,
        why,
    })
}

/// C15's two tests on one transport's runs, named `what` in their reasons: (both parts,
/// one of them).
fn c15_tests(runs: &C15Runs, what: &str) -> (Test, Test) {
    let over = runs.fixed.last().map_or(Est::point(0.0), |f| f.1);
    let fewer = Test::less(runs.adaptive.1, over, &named(what, "adaptive's rejections"));
    // Against every fixed limit, so no pick of "the best" by its median decides.
    let rate = named(what, "adaptive's rate");
    let fast = Test::all(
        runs.fixed
            .iter()
            .map(|f| Test::ratio_at_least(runs.adaptive.0, f.0, C15_FAST_ENOUGH, &rate)),
    );
    (fewer.clone().and(fast.clone()), fewer.or(fast))
}

/// What one transport's runs show, for the rule's sentence.
fn shown(runs: &C15Runs) -> String {
    let best = highest(runs.fixed.iter().map(|f| ("", f.0))).1;
    let over = runs.fixed.last().map_or(Est::point(0.0), |f| f.1);
    format!(
        "adaptive: {}/s with {} rejections; best fixed {}/s; a fixed limit over capacity was rejected {} times",
        num(runs.adaptive.0.mid),
        num(runs.adaptive.1.mid),
        num(best.mid),
        num(over.mid)
    )
}

/// C15 on both transports: a verdict holds only where it holds on the in-process model and
/// over TCP alike (the weaker of the two).
pub fn c15_rule_both(in_process: &C15Runs, tcp: &C15Runs) -> (Verdict, String) {
    let (holds_in, roughly_in) = c15_tests(in_process, over(Transport::InProcess));
    let (holds_tcp, roughly_tcp) = c15_tests(tcp, over(Transport::Tcp));
    ladder(
        vec![
            (holds_in.and(holds_tcp), Verdict::Holds),
            (roughly_in.and(roughly_tcp), Verdict::HoldsRoughly),
        ],
        Verdict::DoesNotHold,
        format!("in-process {}; over TCP {}", shown(in_process), shown(tcp)),
    )
}
