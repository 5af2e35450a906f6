//! Claim C06's experiment and rule, and the runs against the rate-limited service that C06
//! and C15 share: each on the in-process model and over TCP against the latency server in
//! capacity mode (see `workload::service::Transport`). Its text is in `limits.rs` beside
//! C04, C05 and C15.

use super::judge::{Est, Test, figure, ladder};
use super::lab::{Lab, counted, multi_thread_asyncs};
use super::{FigureId, FigureKey, FigureUnit, Finding, Verdict};
use crate::suite::{Experiment, ExperimentOutcome};
use crate::workload::service::{ClientLimit, ServiceOutcome, ServiceSpec, Transport};

/// C06: the notes' 35 failures ...
pub const C06_NOTES: f64 = 35.0;
/// ... and how far a measured count may be from them.
pub const C06_TOLERANCE: f64 = 0.2;

/// How a transport names itself in a figure's label and a rule's reasons.
pub(super) fn over(transport: Transport) -> &'static str {
    match transport {
        Transport::InProcess => "in-process",
        Transport::Tcp => "over TCP",
    }
}

/// A test's subject in a rule's reasons, after the transport it was measured on, if named.
pub(super) fn named(what: &str, thing: &str) -> String {
    if what.is_empty() {
        thing.into()
    } else {
        format!("{what}, {thing}")
    }
}

fn rejected(outcome: &ExperimentOutcome) -> Result<&ServiceOutcome, String> {
    match outcome {
        ExperimentOutcome::Service(o) => Ok(o),
        other => Err(format!("expected a service outcome, got {other:?}")),
    }
}

/// Each (runtime, spec) against the service in every round: the outcomes per experiment.
/// A spec with a `seed` draws its arrivals from `seed + round`: each round another set.
pub(super) fn services(
    lab: &Lab,
    runs: &[(&str, ServiceSpec)],
) -> Result<Vec<Vec<ServiceOutcome>>, String> {
    let experiments: Vec<(&str, Experiment)> = runs
        .iter()
        .map(|(rt, spec)| (*rt, Experiment::Service(*spec)))
        .collect();
    let reseed = |e: Experiment, round: usize| match e {
        Experiment::Service(spec) => Experiment::Service(ServiceSpec {
            seed: spec.seed.map(|s| s + round as u64),
            ..spec
        }),
        other => other,
    };
    lab.repeat_varied(&experiments, reseed)?
        .iter()
        .map(|rounds| rounds.iter().map(|o| rejected(o).cloned()).collect())
        .collect()
}

/// Every spec on each runtime, first in-process, then over TCP: the runs in the order
/// [`services`] answers them, `[runtime][transport][spec]`.
pub(super) fn on_both<'a>(
    runtimes: &[&'a str],
    specs: &[ServiceSpec],
) -> Vec<(&'a str, ServiceSpec)> {
    runtimes
        .iter()
        .flat_map(|rt| {
            Transport::ALL.into_iter().flat_map(move |transport| {
                specs
                    .iter()
                    .map(move |s| (*rt, ServiceSpec { transport, ..*s }))
            })
        })
        .collect()
}

/// The rejections of `outcomes`: their median and interval.
pub(super) fn count_of(outcomes: &[ServiceOutcome]) -> Est {
    Est::of(
        &outcomes
            .iter()
            .map(|o| o.rejected as f64)
            .collect::<Vec<_>>(),
    )
}

pub(super) fn c06(lab: &Lab) -> Result<Finding, String> {
    let l = lab.scaled(1.0);
    let base = ServiceSpec::at_once(50, 10, l);
    // Each spec's figure in-process, then over TCP.
    let specs = [
        (
            [
                FigureId::C06RejectedNoLimit,
                FigureId::C06RejectedNoLimitTcp,
            ],
            "no limit",
            base,
        ),
        (
            [
                FigureId::C06RejectedSemaphore,
                FigureId::C06RejectedSemaphoreTcp,
            ],
            "semaphore(10)",
            ServiceSpec {
                limit: ClientLimit::Semaphore(10),
                ..base
            },
        ),
        (
            [FigureId::C06RejectedSpread, FigureId::C06RejectedSpreadTcp],
            "no limit, arrivals at random over 2 L (a seed per round)",
            ServiceSpec {
                spread: l * 2,
                seed: Some(0),
                ..base
            },
        ),
    ];
    let runtimes = multi_thread_asyncs();
    let outcomes = services(lab, &on_both(&runtimes, &specs.map(|(_, _, s)| s)))?;
    // (rejected without a limit, under semaphore(10)) per counted runtime, per transport.
    let mut counts: [Vec<(Est, Est)>; 2] = Default::default();
    let mut measured = Vec::new();
    let per_transport = outcomes.chunks(specs.len());
    let each = runtimes.iter().flat_map(|rt| {
        Transport::ALL
            .into_iter()
            .enumerate()
            .map(move |t| (*rt, t))
    });
    for ((rt, (t, transport)), per_spec) in each.zip(per_transport) {
        for ((ids, how, _), o) in specs.iter().zip(per_spec) {
            let label = match transport {
                Transport::InProcess => format!("{rt} rejected, {how}"),
                Transport::Tcp => format!("{rt} rejected {}, {how}", over(transport)),
            };
            let key = FigureKey::about(ids[t], rt);
            measured.push(figure(key, label, count_of(o), FigureUnit::Count));
        }
        if counted(rt) {
            counts[t].push((count_of(&per_spec[0]), count_of(&per_spec[1])));
        }
    }
    let (verdict, why) = c06_rule_both(&counts[0], &counts[1]);
    Ok(Finding {
        measured,
        verdict,
        why,
    })
}

/// The counts C06 accepts as the notes' 35: 35 +- 20%, whole calls.
pub(super) fn c06_range() -> (f64, f64) {
    (
        (C06_NOTES * (1.0 - C06_TOLERANCE)).ceil(),
        (C06_NOTES * (1.0 + C06_TOLERANCE)).floor(),
    )
}

/// C06's two tests on `counts` (rejected without a limit, under semaphore(10), per runtime)
/// of one transport, named `what` in their reasons: (as the notes say, roughly).
fn c06_tests(counts: &[(Est, Est)], what: &str) -> (Test, Test) {
    let (lo, hi) = c06_range();
    let (bounded, unbounded) = (named(what, "under semaphore(10)"), named(what, "no limit"));
    let none_bounded = Test::all(counts.iter().map(|c| Test::at_most(c.1, 0.0, &bounded)));
    let as_notes = Test::all(
        counts
            .iter()
            .map(|c| Test::at_least(c.0, lo, &unbounded).and(Test::at_most(c.0, hi, &unbounded))),
    );
    let some = Test::all(counts.iter().map(|c| Test::at_least(c.0, 1.0, &unbounded)));
    (none_bounded.clone().and(as_notes), none_bounded.and(some))
}

/// The rejections without a limit, as the rule's sentence shows them: `40, 40`.
fn shown(counts: &[(Est, Est)]) -> String {
    let unbounded: Vec<String> = counts.iter().map(|c| c.0.to_string()).collect();
    if unbounded.is_empty() {
        "none".into()
    } else {
        unbounded.join(", ")
    }
}

/// Why 40 and not the notes' 35, with the counts measured (`measured`).
fn c06_why(measured: String) -> String {
    format!(
        "released at once, the first 10 calls fill the server and the other 40 are turned away \
         (measured {measured}); the notes' 35 came from calls arriving while some had finished"
    )
}

/// `counts`: (rejected without a limit, rejected under semaphore(10)) per runtime, on one
/// transport (the Python scripts' asyncio).
pub fn c06_rule(counts: &[(Est, Est)]) -> (Verdict, String) {
    let (holds, roughly) = c06_tests(counts, "");
    ladder(
        vec![(holds, Verdict::Holds), (roughly, Verdict::HoldsRoughly)],
        Verdict::DoesNotHold,
        c06_why(shown(counts)),
    )
}

/// C06 on both transports, each `counts` as in [`c06_rule`]: a verdict holds only where it
/// holds on the in-process model and over TCP alike (the weaker of the two), and neither
/// may be missing.
pub fn c06_rule_both(in_process: &[(Est, Est)], tcp: &[(Est, Est)]) -> (Verdict, String) {
    let (holds_in, roughly_in) = c06_tests(in_process, over(Transport::InProcess));
    let (holds_tcp, roughly_tcp) = c06_tests(tcp, over(Transport::Tcp));
    let both = Test::of(!in_process.is_empty() && !tcp.is_empty());
    ladder(
        vec![
            (both.clone().and(holds_in).and(holds_tcp), Verdict::Holds),
            (both.and(roughly_in).and(roughly_tcp), Verdict::HoldsRoughly),
        ],
        Verdict::DoesNotHold,
        c06_why(format!(
            "in-process {}; over TCP {}",
            shown(in_process),
            shown(tcp)
        )),
    )
}
