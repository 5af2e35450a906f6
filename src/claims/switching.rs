//! Claim C13: switching between coroutines vs OS threads, as a bucket brigade: a ring of
//! units passing one token, one hop per hand-over (`runtime::brigade`). The thread side
//! blocks in the kernel on every hop: the units count their own context switches, and
//! nearly every hop must block (a voluntary switch), or the figure is not a switch (with a
//! ring of more than two, a unit has always gone to sleep before the token comes back).
//! Pinned to one CPU, the woken unit may preempt the giver (an involuntary switch; the
//! giver blocks later, a second switch for that hop, and now and then finds the token
//! already back and takes it without blocking): a thread hop then costs more than one
//! switch, so the rule judges the time per hop and the time per switch both. The async side
//! hops through the runtime's own wake-up, with one worker when pinned (one CPU). Both run
//! pinned, the variant judged (a hop is then a switch on one core, as a coroutine switch
//! is), and unpinned, shown beside it (a hop may then wake another core).

use super::judge::{Est, Test, figure, highest, ladder, num, secs};
use super::lab::{Lab, asyncs, counted};
use super::switching_io as io;
use super::{Claim, Figure, FigureId, FigureKey, FigureUnit, Finding, Verdict};
use crate::runtime::brigade::Link;
use crate::suite::{Experiment, ExperimentOutcome};

/// Units in the ring.
const UNITS: usize = 4;
/// Hops the token makes in one timed run.
const HOPS: usize = 40_000;
/// Holds: a hop between tasks at least this many times faster than between threads.
const FASTER: f64 = 2.0;
/// A thread hop blocks in the kernel: at least this many of the units' own voluntary
/// switches per hop (a thread that blocks switches voluntarily; one that spins or yields
/// does not), or the figure is not a context switch. Not 1: a unit preempted after giving
/// the token (an involuntary switch) can find it back before it would have waited. Idle,
/// that is 4 to 8 hops in 1,000 pinned (0.992-0.996); with a build running beside it, a
/// debug build measured 0.93 unpinned. Spinning threads count near 0, so the gate sits
/// halfway: most hops block.
pub const MIN_VOLUNTARY_PER_HOP: f64 = 0.5;

pub static CLAIMS: [Claim; 1] = [Claim {
    id: "C13",
    source: "001",
    claim: "switching between coroutines is faster than OS thread context switches",
    rule: || {
        format!(
            "a ring of {UNITS} units passing one token {HOPS} hops, threads blocking in the kernel on \
             every hop (the units' own voluntary context switches, at least {MIN_VOLUNTARY_PER_HOP} per \
             hop, pinned and unpinned, or the run fails), tasks \
             through their runtime's wake-up (one worker when pinned); judged pinned to one CPU, \
             unpinned shown beside: holds if a hop between tasks is at least {FASTER}x faster than \
             both a hop and a context switch between threads (a pinned thread hop can cost more \
             than one switch) on every async runtime (legacy async-std shown, not judged); roughly \
             if faster than both at all; {}",
            io::rule()
        )
    },
    run: c13,
}];

/// One brigade's figures over the rounds.
#[derive(Debug, Clone, Copy)]
pub(super) struct Hops {
    pub(super) hop: Est,
    pub(super) voluntary: Est,
    pub(super) involuntary: Est,
    /// Voluntary and involuntary together, per round.
    switches: Est,
    /// Seconds per switch of either kind (a round's hop over its switches per hop).
    per_switch: Est,
    /// Units linked by sockets: the hop less the socket I/O alone measured in the same
    /// child, per round.
    pub(super) less_pipe: Option<Est>,
}

/// A brigade's figures and, units linked by sockets, its rounds' socket I/O alone.
fn hops(outcomes: &[ExperimentOutcome], runtime: &str) -> Result<(Hops, Vec<f64>), String> {
    let mut rt = Vec::new();
    let mut vol = Vec::new();
    let mut invol = Vec::new();
    let mut pipe = Vec::new();
    for o in outcomes {
        match o {
            ExperimentOutcome::Brigade {
                seconds_per_hop,
                voluntary_per_hop,
                involuntary_per_hop,
                pipe_seconds_per_hop,
            } => {
                rt.push(*seconds_per_hop);
                vol.push(*voluntary_per_hop);
                invol.push(*involuntary_per_hop);
                pipe.extend(*pipe_seconds_per_hop);
            }
            other => {
                return Err(format!(
                    "{runtime}: expected a brigade outcome, got {other:?}"
                ));
            }
        }
    }
    let both: Vec<f64> = vol.iter().zip(&invol).map(|(v, i)| v + i).collect();
    let per_switch: Vec<f64> = rt.iter().zip(&both).map(|(h, s)| h / s.max(1.0)).collect();
    let less_pipe =
        (!pipe.is_empty() && pipe.len() == rt.len()).then(|| Est::paired(&rt, &pipe, |h, p| h - p));
    let h = Hops {
        hop: Est::of(&rt),
        voluntary: Est::of(&vol),
        involuntary: Est::of(&invol),
        switches: Est::of(&both),
        per_switch: Est::of(&per_switch),
        less_pipe,
    };
    Ok((h, pipe))
}

/// Each runtime's brigade linked by `link`, pinned then unpinned.
fn brigades<'a>(
    runtimes: &[&'a str],
    link: Link,
    units: usize,
    hops: usize,
) -> Vec<(&'a str, Experiment)> {
    runtimes
        .iter()
        .flat_map(|rt| {
            [true, false].map(|pin| {
                let e = Experiment::Brigade {
                    units,
                    hops,
                    pin,
                    link,
                };
                (*rt, e)
            })
        })
        .collect()
}

/// A runtime's brigade figures and its rounds' socket I/O alone.
pub(super) type Measured<'a> = (&'a str, Hops, Vec<f64>);

/// The outcomes of [`brigades`] as figures: pinned, then unpinned, each in runtime order.
pub(super) fn sides<'a>(
    experiments: &[(&'a str, Experiment)],
    outcomes: &[Vec<ExperimentOutcome>],
) -> Result<(Vec<Measured<'a>>, Vec<Measured<'a>>), String> {
    let mut pinned = Vec::new();
    let mut unpinned = Vec::new();
    for ((rt, e), o) in experiments.iter().zip(outcomes) {
        let (h, pipe) = hops(o, rt)?;
        match e {
            Experiment::Brigade { pin: true, .. } => pinned.push((*rt, h, pipe)),
            _ => unpinned.push((*rt, h, pipe)),
        }
    }
    Ok((pinned, unpinned))
}

fn c13(lab: &Lab) -> Result<Finding, String> {
    let runtimes: Vec<&str> = std::iter::once("threads").chain(asyncs()).collect();
    let channel = brigades(&runtimes, Link::Channel, UNITS, HOPS);
    let socket = brigades(&runtimes, Link::Socket, io::UNITS, io::HOPS);
    // A rotation of its own for each link: the judged channel brigades' rounds stay as
    // close together in time as they were without the shown I/O variant.
    let by_channel = lab.repeat(&channel)?;
    let by_socket = lab.repeat(&socket)?;
    let (pinned, unpinned) = sides(&channel, &by_channel)?;
    let pinned: Vec<(&str, Hops)> = pinned.into_iter().map(|(rt, h, _)| (rt, h)).collect();
    let unpinned: Vec<(&str, Hops)> = unpinned.into_iter().map(|(rt, h, _)| (rt, h)).collect();
    let (threads, threads_free) = (pinned[0].1, unpinned[0].1);
    for (how, h) in [("pinned", threads), ("unpinned", threads_free)] {
        if let Some(e) = not_a_switch(h) {
            return Err(format!("threads {how}: {e}"));
        }
    }
    let io = io::IoRuns::of(&socket, &by_socket)?;
    let tasks: Vec<(&str, Est)> = pinned[1..]
        .iter()
        .filter(|(rt, _)| counted(rt))
        .map(|(rt, h)| (*rt, h.hop))
        .collect();
    let (verdict, why) = c13_rule(threads.hop, threads.per_switch, &tasks);
    let free: Vec<String> = unpinned[1..]
        .iter()
        .map(|(rt, h)| format!("{rt} {}", micros(h.hop)))
        .collect();
    let why = format!(
        "{why}; pinned, a thread hop costs {} context switches of the units ({} voluntary, {} \
         involuntary); unpinned, threads take {} per hop ({} switches per hop, {} voluntary) and \
         tasks {}; {}",
        threads.switches,
        threads.voluntary,
        threads.involuntary,
        micros(threads_free.hop),
        threads_free.switches,
        threads_free.voluntary,
        free.join(", "),
        io.why()
    );
    let mut measured = figures(&pinned, &unpinned);
    measured.extend(io.figures());
    Ok(Finding {
        measured,
        verdict,
        why,
    })
}

/// Why a thread brigade's figure is not a context switch per hop, if it is not.
pub(super) fn not_a_switch(h: Hops) -> Option<String> {
    (h.voluntary.low < MIN_VOLUNTARY_PER_HOP).then(|| {
        format!(
            "{} voluntary context switches per hop (under {MIN_VOLUNTARY_PER_HOP}; {} involuntary): \
             the threads did not block in the kernel on every hop, so the figure is not a switch",
            h.voluntary, h.involuntary
        )
    })
}

pub(super) fn micros(e: Est) -> String {
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
        secs(
            FigureKey::of(FigureId::C13ThreadsPerSwitch),
            "threads, time per context switch (a hop over its switches), pinned",
            t.per_switch,
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
            format!("{rt} voluntary switches per hop (the process's), pinned"),
            h.voluntary,
            FigureUnit::Ratio,
        ));
        v.push(figure(
            FigureKey::about(FigureId::C13TaskSwitchesPerHop, *rt),
            format!("{rt} voluntary switches per hop (the process's), unpinned"),
            hf.voluntary,
            FigureUnit::Ratio,
        ));
    }
    v
}

/// `threads`: the threads' hop; `switch`: their time per switch (a hop over its switches);
/// `tasks`: each judged async runtime's hop, same variant.
pub fn c13_rule(threads: Est, switch: Est, tasks: &[(&str, Est)]) -> (Verdict, String) {
    let (slowest, t) = highest(tasks.iter().copied());
    let faster = |k: f64| {
        Test::of(!tasks.is_empty()).and(Test::all(tasks.iter().flat_map(|(rt, x)| {
            [
                Test::ratio_at_most(*x, threads, 1.0 / k, &format!("{rt} against a thread hop")),
                Test::ratio_at_most(
                    *x,
                    switch,
                    1.0 / k,
                    &format!("{rt} against a thread switch"),
                ),
            ]
        })))
    };
    ladder(
        vec![
            (faster(FASTER), Verdict::Holds),
            (faster(1.0), Verdict::HoldsRoughly),
        ],
        Verdict::DoesNotHold,
        format!(
            "pinned to one CPU, threads take {} per hop ({} per context switch) and the slowest \
             async runtime ({slowest}) {}: {}x faster than a thread hop, {}x than a switch",
            micros(threads),
            micros(switch),
            micros(t),
            num(threads.mid / t.mid),
            num(switch.mid / t.mid)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c13_boundaries() {
        let p = Est::point;
        let hop = p(10e-6);
        assert_eq!(c13_rule(hop, hop, &[("tokio", p(5e-6))]).0, Verdict::Holds);
        assert_eq!(
            c13_rule(hop, hop, &[("tokio", p(5.1e-6))]).0,
            Verdict::HoldsRoughly
        );
        assert_eq!(
            c13_rule(hop, hop, &[("tokio", p(10.1e-6))]).0,
            Verdict::DoesNotHold
        );
        let around = c13_rule(Est::new(10e-6, 9e-6, 11e-6), hop, &[("tokio", p(5e-6))]);
        assert_eq!(around.0, Verdict::Inconclusive, "{}", around.1);
    }

    #[test]
    fn c13_needs_tasks_faster_than_a_thread_switch_too() {
        let p = Est::point;
        // A hop of 10 us that is 1.5 switches: 6.7 us a switch; a task hop of 4 us is 2.5x
        // faster than the hop but only 1.7x faster than a switch.
        let (hop, switch) = (p(10e-6), p(10e-6 / 1.5));
        assert_eq!(
            c13_rule(hop, switch, &[("tokio", p(4e-6))]).0,
            Verdict::HoldsRoughly
        );
        assert_eq!(
            c13_rule(hop, switch, &[("tokio", p(3.3e-6))]).0,
            Verdict::Holds
        );
        let around = c13_rule(hop, Est::new(6.7e-6, 5e-6, 9e-6), &[("tokio", p(3.3e-6))]);
        assert_eq!(around.0, Verdict::Inconclusive, "{}", around.1);
    }

    #[test]
    fn a_thread_figure_without_a_block_per_hop_is_not_a_switch() {
        let p = Est::point;
        let hops = |vol: f64, invol: f64| Hops {
            hop: p(2e-6),
            voluntary: p(vol),
            involuntary: p(invol),
            switches: p(vol + invol),
            per_switch: p(2e-6 / (vol + invol)),
            less_pipe: None,
        };
        assert!(not_a_switch(hops(0.992, 0.36)).is_none());
        assert!(not_a_switch(hops(1.0, 0.0)).is_none());
        // Spinning or yielding threads: few voluntary switches, however many preemptions.
        assert!(not_a_switch(hops(0.2, 1.5)).is_some());
        assert!(not_a_switch(hops(0.93, 0.2)).is_none(), "a busy host");
        assert!(not_a_switch(hops(0.45, 0.6)).is_some());
    }
}
