//! Claim C13: switching between coroutines vs OS threads, as a bucket brigade: a ring of
//! units passing one token, one hop per hand-over (`runtime::brigade`). The thread side
//! blocks in the kernel on every hop: the units count their own context switches, and a
//! hop must cost at least one, or the figure is not a switch (with a ring of more than two,
//! a unit has always gone to sleep before the token comes back). Pinned to one CPU a hop
//! is one switch of either kind: the giver blocks (voluntary) or the woken unit preempts it
//! (involuntary, the giver blocking later while another unit runs), so the gate counts
//! both; unpinned, the giver always blocks. The async side hops through the runtime's own
//! wake-up. Both run pinned to one CPU, the variant judged (a hop is then a switch on one
//! core, as a coroutine switch is), and unpinned, shown beside it (a hop may then wake
//! another core).

use super::judge::{Est, Test, figure, highest, ladder, num, secs};
use super::lab::{Lab, asyncs, counted};
use super::{Claim, Figure, FigureId, FigureKey, FigureUnit, Finding, Verdict};
use crate::suite::{Experiment, ExperimentOutcome};

/// Units in the ring.
const UNITS: usize = 4;
/// Hops the token makes in one timed run.
const HOPS: usize = 40_000;
/// Holds: a hop between tasks at least this many times faster than between threads.
const FASTER: f64 = 2.0;
/// A thread hop that blocks in the kernel switches at least once; fewer context switches
/// (voluntary and involuntary, the units' own) per hop than this means the threads spun or
/// skipped the kernel, and the figure is not a context switch.
const MIN_SWITCHES_PER_HOP: f64 = 1.0;

pub static CLAIMS: [Claim; 1] = [Claim {
    id: "C13",
    source: "001",
    claim: "switching between coroutines is faster than OS thread context switches",
    rule: || {
        format!(
            "a ring of {UNITS} units passing one token {HOPS} hops, threads blocking in the kernel on \
             every hop (the units' own context switches, voluntary and involuntary, at least \
             {MIN_SWITCHES_PER_HOP} per hop pinned, or the run fails), tasks through their runtime's wake-up; judged pinned to one CPU, unpinned shown \
             beside: holds if a hop between tasks is at least {FASTER}x faster than between threads \
             on every async runtime (legacy async-std shown, not judged); roughly if faster at all"
        )
    },
    run: c13,
}];

/// One brigade's figures over the rounds.
#[derive(Debug, Clone, Copy)]
struct Hops {
    hop: Est,
    voluntary: Est,
    involuntary: Est,
    /// Voluntary and involuntary together, per round.
    switches: Est,
}

fn hops(outcomes: &[ExperimentOutcome], runtime: &str) -> Result<Hops, String> {
    let mut rt = Vec::new();
    let mut vol = Vec::new();
    let mut invol = Vec::new();
    for o in outcomes {
        match o {
            ExperimentOutcome::Brigade {
                seconds_per_hop,
                voluntary_per_hop,
                involuntary_per_hop,
            } => {
                rt.push(*seconds_per_hop);
                vol.push(*voluntary_per_hop);
                invol.push(*involuntary_per_hop);
            }
            other => {
                return Err(format!(
                    "{runtime}: expected a brigade outcome, got {other:?}"
                ));
            }
        }
    }
    let both: Vec<f64> = vol.iter().zip(&invol).map(|(v, i)| v + i).collect();
    Ok(Hops {
        hop: Est::of(&rt),
        voluntary: Est::of(&vol),
        involuntary: Est::of(&invol),
        switches: Est::of(&both),
    })
}

fn c13(lab: &Lab) -> Result<Finding, String> {
    let runtimes: Vec<&str> = std::iter::once("threads").chain(asyncs()).collect();
    let experiments: Vec<(&str, Experiment)> = runtimes
        .iter()
        .flat_map(|rt| {
            [true, false].map(|pin| {
                (
                    *rt,
                    Experiment::Brigade {
                        units: UNITS,
                        hops: HOPS,
                        pin,
                    },
                )
            })
        })
        .collect();
    let outcomes = lab.repeat(&experiments)?;
    let mut pinned = Vec::new();
    let mut unpinned = Vec::new();
    for ((rt, _), o) in experiments.iter().zip(&outcomes) {
        let h = hops(o, rt)?;
        if pinned.len() == unpinned.len() {
            pinned.push((*rt, h));
        } else {
            unpinned.push((*rt, h));
        }
    }
    let (threads, threads_free) = (pinned[0].1, unpinned[0].1);
    if let Some(e) = not_a_switch(threads) {
        return Err(format!("threads pinned: {e}"));
    }
    // Unpinned is shown, not judged: a shortfall there is said beside its figure.
    let free_warning = not_a_switch(threads_free)
        .map(|e| format!(" (warning: {e})"))
        .unwrap_or_default();
    let tasks: Vec<(&str, Est)> = pinned[1..]
        .iter()
        .filter(|(rt, _)| counted(rt))
        .map(|(rt, h)| (*rt, h.hop))
        .collect();
    let (verdict, why) = c13_rule(threads.hop, &tasks);
    let free: Vec<String> = unpinned[1..]
        .iter()
        .map(|(rt, h)| format!("{rt} {}", micros(h.hop)))
        .collect();
    let why = format!(
        "{why}; pinned, a thread hop costs {} context switches of the units ({} voluntary, {} \
         involuntary: about {} us per switch); unpinned, threads take {} per hop ({} switches \
         per hop, {} voluntary){free_warning} and tasks {}",
        threads.switches,
        threads.voluntary,
        threads.involuntary,
        num(threads.hop.mid / threads.switches.mid.max(1.0) * 1e6),
        micros(threads_free.hop),
        threads_free.switches,
        threads_free.voluntary,
        free.join(", ")
    );
    Ok(Finding {
        measured: figures(&pinned, &unpinned),
        verdict,
        why,
    })
}

/// Why a thread brigade's figure is not a context switch per hop, if it is not.
fn not_a_switch(h: Hops) -> Option<String> {
    (h.switches.low < MIN_SWITCHES_PER_HOP).then(|| {
        format!(
            "{} context switches per hop ({} voluntary, {} involuntary; under \
             {MIN_SWITCHES_PER_HOP}): the threads did not block in the kernel on every hop, so \
             the figure is not a switch",
            h.switches, h.voluntary, h.involuntary
        )
    })
}

fn micros(e: Est) -> String {
    format!("{} us", e.per(1e-6))
}

fn figures(pinned: &[(&str, Hops)], unpinned: &[(&str, Hops)]) -> Vec<Figure> {
    let per_hop = |id, label: String, e| figure(FigureKey::of(id), label, e, FigureUnit::Ratio);
    let (t, tf) = (pinned[0].1, unpinned[0].1);
    let mut v = vec![
        secs(
            FigureKey::of(FigureId::C13ThreadsHop),
            "threads hop, pinned to one CPU",
            t.hop,
        ),
        secs(
            FigureKey::of(FigureId::C13ThreadsHopUnpinned),
            "threads hop, unpinned",
            tf.hop,
        ),
        per_hop(
            FigureId::C13ThreadsAllSwitchesPerHop,
            "threads switches per hop (voluntary and involuntary), pinned".into(),
            t.switches,
        ),
        per_hop(
            FigureId::C13ThreadsAllSwitchesPerHopUnpinned,
            "threads switches per hop (voluntary and involuntary), unpinned".into(),
            tf.switches,
        ),
        per_hop(
            FigureId::C13ThreadsSwitchesPerHop,
            "threads voluntary switches per hop, pinned".into(),
            t.voluntary,
        ),
        per_hop(
            FigureId::C13ThreadsSwitchesPerHopUnpinned,
            "threads voluntary switches per hop, unpinned".into(),
            tf.voluntary,
        ),
        per_hop(
            FigureId::C13ThreadsInvoluntaryPerHop,
            "threads involuntary switches per hop, pinned".into(),
            t.involuntary,
        ),
        per_hop(
            FigureId::C13ThreadsInvoluntaryPerHopUnpinned,
            "threads involuntary switches per hop, unpinned".into(),
            tf.involuntary,
        ),
    ];
    for ((rt, h), (_, hf)) in pinned[1..].iter().zip(&unpinned[1..]) {
        v.push(secs(
            FigureKey::about(FigureId::C13TaskHop, *rt),
            format!("{rt} hop, pinned"),
            h.hop,
        ));
        v.push(secs(
            FigureKey::about(FigureId::C13TaskHopUnpinned, *rt),
            format!("{rt} hop, unpinned"),
            hf.hop,
        ));
        v.push(figure(
            FigureKey::about(FigureId::C13TaskSwitchesPerHopPinned, *rt),
            format!("{rt} voluntary switches per hop, pinned"),
            h.voluntary,
            FigureUnit::Ratio,
        ));
        v.push(figure(
            FigureKey::about(FigureId::C13TaskSwitchesPerHop, *rt),
            format!("{rt} voluntary switches per hop, unpinned"),
            hf.voluntary,
            FigureUnit::Ratio,
        ));
    }
    v
}

/// `threads`: the threads' hop; `tasks`: each judged async runtime's, same variant.
pub fn c13_rule(threads: Est, tasks: &[(&str, Est)]) -> (Verdict, String) {
    let (slowest, t) = highest(tasks.iter().copied());
    let faster = |k: f64| {
        Test::of(!tasks.is_empty()).and(Test::all(
            tasks
                .iter()
                .map(|(rt, x)| Test::ratio_at_most(*x, threads, 1.0 / k, rt)),
        ))
    };
    ladder(
        vec![
            (faster(FASTER), Verdict::Holds),
            (faster(1.0), Verdict::HoldsRoughly),
        ],
        Verdict::DoesNotHold,
        format!(
            "pinned to one CPU, threads take {} per hop and the slowest async runtime ({slowest}) {}: {}x faster",
            micros(threads),
            micros(t),
            num(threads.mid / t.mid)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c13_boundaries() {
        let p = Est::point;
        assert_eq!(c13_rule(p(10e-6), &[("tokio", p(5e-6))]).0, Verdict::Holds);
        assert_eq!(
            c13_rule(p(10e-6), &[("tokio", p(5.1e-6))]).0,
            Verdict::HoldsRoughly
        );
        assert_eq!(
            c13_rule(p(10e-6), &[("tokio", p(10.1e-6))]).0,
            Verdict::DoesNotHold
        );
        let around = c13_rule(Est::new(10e-6, 9e-6, 11e-6), &[("tokio", p(5e-6))]);
        assert_eq!(around.0, Verdict::Inconclusive, "{}", around.1);
    }
}
