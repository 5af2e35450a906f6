//! Claim C13's I/O-readiness variant: the brigade with every link a socketpair
//! (`runtime::brigade_io`), so each hop is a wake-up by I/O readiness: a thread blocked in
//! `read`, or a task waiting on its runtime's reactor. Each child also times the socket I/O
//! alone (one thread doing every write and read of a ring of the same size, so nothing
//! waits), and each hop is published raw and less that cost, paired within the child.
//!
//! Shown, not judged: with the socket I/O subtracted, a task's hop still carries its
//! reactor's own system calls (a poll of epoll and a read that finds nothing, each hop),
//! which are the I/O driver's cost, not a switch's, and which a thread's hop does not make;
//! a rule on it would judge reactors, not the claim's switch. Its threads are held to the
//! channel brigade's gate: a hop must block in the kernel, or the figure is not a switch.

use super::judge::{Est, figure, highest, secs};
use super::switching::{Hops, Measured, micros, not_a_switch, sides};
use super::{Figure, FigureId, FigureKey, FigureUnit};
use crate::suite::{Experiment, ExperimentOutcome};

/// Units in the ring.
pub const UNITS: usize = 500;
/// Hops the token makes in one timed run: 40 laps of the ring.
pub const HOPS: usize = 20_000;

/// The rule's words on this variant.
pub fn rule() -> String {
    format!(
        "woken by I/O readiness instead (a ring of {UNITS} units over socketpairs, {HOPS} hops, \
         the same gate on threads, each hop also shown less the socket I/O alone timed in the \
         same child): shown, not judged, as a task's hop there still makes its reactor's own \
         system calls (a poll of epoll and a read that finds nothing), an I/O driver's cost \
         that no thread hop has"
    )
}

/// The variant's figures, pinned to one CPU and unpinned.
pub struct IoRuns<'a> {
    pinned: Side<'a>,
    unpinned: Side<'a>,
}

/// One pinning: each runtime's hops, and the socket I/O alone over all of its children.
struct Side<'a> {
    units: Vec<(&'a str, Hops, Est)>,
    pipe: Est,
}

impl<'a> Side<'a> {
    fn of(measured: Vec<Measured<'a>>) -> Result<Side<'a>, String> {
        let pipe: Vec<f64> = measured.iter().flat_map(|(_, _, p)| p).copied().collect();
        let units = measured
            .into_iter()
            .map(|(rt, h, _)| match h.less_pipe {
                Some(less) => Ok((rt, h, less)),
                None => Err(format!("{rt}: an I/O brigade without its socket I/O alone")),
            })
            .collect::<Result<_, String>>()?;
        Ok(Side {
            units,
            pipe: Est::of(&pipe),
        })
    }
}

impl<'a> IoRuns<'a> {
    /// The figures of `experiments` (the I/O brigades, threads first) from their outcomes;
    /// an error if the threads' hops did not block in the kernel.
    pub fn of(
        experiments: &[(&'a str, Experiment)],
        outcomes: &[Vec<ExperimentOutcome>],
    ) -> Result<IoRuns<'a>, String> {
        let (pinned, unpinned) = sides(experiments, outcomes)?;
        let runs = IoRuns {
            pinned: Side::of(pinned)?,
            unpinned: Side::of(unpinned)?,
        };
        for (how, side) in [("pinned", &runs.pinned), ("unpinned", &runs.unpinned)] {
            let threads = side.units.iter().find(|(rt, ..)| *rt == "threads");
            if let Some(e) = threads.and_then(|(_, h, _)| not_a_switch(*h)) {
                return Err(format!("threads over sockets, {how}: {e}"));
            }
        }
        Ok(runs)
    }

    /// The hops less the socket I/O, and the switches they made, in a sentence.
    pub fn why(&self) -> String {
        let hops = |s: &Side| {
            s.units
                .iter()
                .map(|(rt, h, less)| format!("{rt} {} ({} raw)", micros(*less), micros(h.hop)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let switches = |s: &Side, how: &str| {
            let (threads, tasks): (Vec<_>, Vec<_>) =
                s.units.iter().partition(|(rt, ..)| *rt == "threads");
            let threads = threads.first().map(|(_, h, _)| h.voluntary.to_string());
            let (rt, most) = highest(tasks.iter().map(|(rt, h, _)| (*rt, h.voluntary)));
            format!(
                "threads {} and tasks at most {most} ({rt}) {how}",
                threads.as_deref().unwrap_or("not measured")
            )
        };
        format!(
            "woken by I/O readiness ({UNITS} units over socketpairs), less the socket I/O alone \
             ({} pinned, {} unpinned), a hop takes pinned {}; unpinned {}; voluntary switches \
             per I/O hop: {}, {}",
            micros(self.pinned.pipe),
            micros(self.unpinned.pipe),
            hops(&self.pinned),
            hops(&self.unpinned),
            switches(&self.pinned, "pinned"),
            switches(&self.unpinned, "unpinned")
        )
    }

    pub fn figures(&self) -> Vec<Figure> {
        let mut v = vec![
            secs(
                FigureKey::of(FigureId::C13IoPipe),
                "socket I/O alone per hop (one thread, every write and read), pinned",
                self.pinned.pipe,
            ),
            secs(
                FigureKey::of(FigureId::C13IoPipeUnpinned),
                "socket I/O alone per hop (one thread, every write and read), unpinned",
                self.unpinned.pipe,
            ),
        ];
        let ratio = |id, rt: &str, label: String, e| {
            figure(FigureKey::about(id, rt), label, e, FigureUnit::Ratio)
        };
        for (side, how, ids) in [
            (&self.pinned, "pinned", PINNED),
            (&self.unpinned, "unpinned", UNPINNED),
        ] {
            for &(rt, h, less) in &side.units {
                v.push(secs(
                    FigureKey::about(ids.hop, rt),
                    format!("{rt} hop woken by I/O readiness, {how}"),
                    h.hop,
                ));
                v.push(secs(
                    FigureKey::about(ids.less_pipe, rt),
                    format!("{rt} I/O hop less the socket I/O alone, {how}"),
                    less,
                ));
                v.push(ratio(
                    ids.voluntary,
                    rt,
                    format!("{rt} voluntary switches per I/O hop, {how}"),
                    h.voluntary,
                ));
                v.push(ratio(
                    ids.involuntary,
                    rt,
                    format!("{rt} involuntary switches per I/O hop, {how}"),
                    h.involuntary,
                ));
            }
        }
        v
    }
}

/// The figure ids of one pinning.
#[derive(Clone, Copy)]
struct Ids {
    hop: FigureId,
    less_pipe: FigureId,
    voluntary: FigureId,
    involuntary: FigureId,
}

const PINNED: Ids = Ids {
    hop: FigureId::C13IoHop,
    less_pipe: FigureId::C13IoHopLessPipe,
    voluntary: FigureId::C13IoSwitchesPerHop,
    involuntary: FigureId::C13IoInvoluntaryPerHop,
};

const UNPINNED: Ids = Ids {
    hop: FigureId::C13IoHopUnpinned,
    less_pipe: FigureId::C13IoHopLessPipeUnpinned,
    voluntary: FigureId::C13IoSwitchesPerHopUnpinned,
    involuntary: FigureId::C13IoInvoluntaryPerHopUnpinned,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::brigade::Link;

    fn brigade(pin: bool) -> Experiment {
        Experiment::Brigade {
            units: UNITS,
            hops: HOPS,
            pin,
            link: Link::Socket,
        }
    }

    fn outcome(hop: f64, voluntary: f64, pipe: Option<f64>) -> ExperimentOutcome {
        ExperimentOutcome::Brigade {
            seconds_per_hop: hop,
            voluntary_per_hop: voluntary,
            involuntary_per_hop: 0.1,
            pipe_seconds_per_hop: pipe,
        }
    }

    fn runs(threads_voluntary: f64) -> Result<IoRuns<'static>, String> {
        let experiments = [
            ("threads", brigade(true)),
            ("threads", brigade(false)),
            ("tokio", brigade(true)),
            ("tokio", brigade(false)),
        ];
        let rounds = |hop: f64, vol: f64| {
            (0..5)
                .map(|r| outcome(hop + r as f64 * 1e-7, vol, Some(1e-6 + r as f64 * 1e-7)))
                .collect::<Vec<_>>()
        };
        let outcomes = [
            rounds(5e-6, threads_voluntary),
            rounds(8e-6, threads_voluntary),
            rounds(3e-6, 0.0),
            rounds(3e-6, 0.0),
        ];
        IoRuns::of(&experiments, &outcomes)
    }

    #[test]
    fn each_hop_is_shown_raw_and_less_the_pipe_paired_within_its_child() {
        let runs = runs(1.0).expect("figures");
        let f = runs.figures();
        crate::claims::check_keys("C13", &f).expect("keys of C13, once each");
        let value = |id, rt: &str| {
            f.iter()
                .find(|x| x.key.as_ref() == Some(&FigureKey::about(id, rt)))
                .map(|x| x.value)
                .unwrap()
        };
        // Each round's hop and pipe rose together: the difference is the same every round.
        assert!((value(FigureId::C13IoHopLessPipe, "threads") - 4e-6).abs() < 1e-12);
        assert!((value(FigureId::C13IoHopLessPipeUnpinned, "tokio") - 2e-6).abs() < 1e-12);
        assert!((value(FigureId::C13IoHop, "threads") - 5.2e-6).abs() < 1e-12);
        let pipe = f
            .iter()
            .find(|x| x.key == Some(FigureKey::of(FigureId::C13IoPipe)))
            .unwrap();
        assert!((pipe.value - 1.2e-6).abs() < 1e-12, "{pipe:?}");
        assert!(runs.why().contains("threads 4 us"), "{}", runs.why());
    }

    #[test]
    fn threads_that_did_not_block_fail_the_variant() {
        let err = runs(0.1).err().expect("not a switch");
        assert!(err.contains("threads over sockets, pinned"), "{err}");
    }

    #[test]
    fn a_socket_brigade_without_its_pipe_cost_is_an_error() {
        let experiments = [("threads", brigade(true)), ("threads", brigade(false))];
        let outcomes = [
            vec![outcome(5e-6, 1.0, None)],
            vec![outcome(5e-6, 1.0, None)],
        ];
        assert!(IoRuns::of(&experiments, &outcomes).is_err());
    }
}
