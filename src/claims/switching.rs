//! Claim C13: switching between coroutines vs OS threads, as ping-pong round trips.

use super::lab::{Lab, asyncs};
use super::{Claim, Figure, FigureId, FigureKey, Finding, Verdict};
use crate::suite::{Experiment, ExperimentOutcome};

const ROUND_TRIPS: usize = 20_000;

pub static CLAIMS: [Claim; 1] = [Claim {
    id: "C13",
    source: "001",
    claim: "switching between coroutines is faster than OS thread context switches",
    rule: "20,000 ping-pong round trips over bounded channels: holds if a round trip between two tasks is \
           at least 2x faster than between two threads on every async runtime; roughly if faster at all",
    run: c13,
}];

fn round_trip(lab: &Lab, runtime: &str) -> Result<f64, String> {
    match lab.experiment(
        runtime,
        Experiment::PingPong {
            round_trips: ROUND_TRIPS,
            pin: false,
        },
    )? {
        ExperimentOutcome::PingPong {
            seconds_per_round_trip,
            ..
        } => Ok(seconds_per_round_trip),
        other => Err(format!(
            "{runtime}: expected a ping-pong outcome, got {other:?}"
        )),
    }
}

fn c13(lab: &Lab) -> Result<Finding, String> {
    let threads = round_trip(lab, "threads")?;
    let mut tasks = Vec::new();
    for rt in asyncs() {
        tasks.push((rt, round_trip(lab, rt)?));
    }
    let (verdict, why) = c13_rule(threads, &tasks);
    let mut measured = vec![Figure::secs(
        FigureKey::of(FigureId::C13ThreadsRoundTrip),
        "threads round trip",
        threads,
    )];
    measured.extend(tasks.iter().map(|(rt, t)| {
        Figure::secs(
            FigureKey::about(FigureId::C13TaskRoundTrip, *rt),
            format!("{rt} round trip"),
            *t,
        )
    }));
    Ok(Finding {
        measured,
        verdict,
        why,
    })
}

pub fn c13_rule(threads: f64, tasks: &[(&str, f64)]) -> (Verdict, String) {
    let (slowest, t) = tasks
        .iter()
        .copied()
        .fold(("none", 0.0), |a, b| if b.1 > a.1 { b } else { a });
    let verdict = if tasks.iter().all(|x| x.1 * 2.0 <= threads) {
        Verdict::Holds
    } else if tasks.iter().all(|x| x.1 < threads) {
        Verdict::HoldsRoughly
    } else {
        Verdict::DoesNotHold
    };
    (
        verdict,
        format!(
            "the slowest async runtime ({slowest}) is {:.1}x faster than threads per round trip",
            threads / t
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c13_boundaries() {
        assert_eq!(c13_rule(10e-6, &[("tokio", 5e-6)]).0, Verdict::Holds);
        assert_eq!(
            c13_rule(10e-6, &[("tokio", 5.1e-6)]).0,
            Verdict::HoldsRoughly
        );
        assert_eq!(c13_rule(10e-6, &[("tokio", 10e-6)]).0, Verdict::DoesNotHold);
    }
}
