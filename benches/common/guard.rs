//! The physics guard `rtbench run` applies to every cell, on the bench's runtimes, from
//! interleaved rounds: criterion measures one runtime after another, each in a window of its
//! own, and on a shared host the CPU's speed drifts between windows (one factorial(3000)
//! took 0.57 to 0.90 ms within a minute on the 2-core reference machine), so a ratio of two
//! windows can read above the cores. Here every round runs each runtime once, in a seeded
//! shuffled order, on an instance of its own, and a runtime's speed-up (CPU work) is the
//! median of its per-round ratios to the sequential run of the same round, with a 95%
//! interval.

use std::sync::Arc;

use rtbench::measure::available_cores;
use rtbench::runtime::{Model, Runtime, Setup};
use rtbench::suite::Stat;
use rtbench::suite::guard::{IDEAL_SLACK, SPEEDUP_SLACK};
use rtbench::suite::session::round_order;
use rtbench::workload::{Work, WorkloadKind, WorkloadSpec};

/// Rounds of the interleaved check (15 values give the median a 96.5% interval).
pub const ROUNDS: usize = 15;

/// One runtime of a bench group, as criterion ran it.
pub struct Entry<'a> {
    pub rt: &'a dyn Runtime,
    pub setup: Setup,
    /// The group's ideal wall time on this runtime's capacity.
    pub ideal: f64,
}

/// Runs every entry once per round in a shuffled order and prints one guard line each.
pub fn interleaved(spec: &WorkloadSpec, entries: &[Entry<'_>], work: &Arc<Work>) {
    let mut walls = vec![Vec::with_capacity(ROUNDS); entries.len()];
    for round in 0..ROUNDS {
        for i in round_order(entries.len(), spec.seed, 0, round) {
            walls[i].push(warm_run(&entries[i], work));
        }
    }
    let sequential = (spec.kind == WorkloadKind::Cpu)
        .then(|| {
            entries
                .iter()
                .position(|e| e.rt.model() == Model::Sequential)
        })
        .flatten()
        .map(|s| &walls[s]);
    println!(
        "guard {} x{}: {ROUNDS} interleaved rounds, each runtime once per round in a shuffled \
         order; median [95% interval]",
        spec.kind, spec.tasks
    );
    for (entry, runs) in entries.iter().zip(&walls) {
        let speedup = sequential.and_then(|seq| Stat::of(seq.iter().zip(runs).map(|(s, r)| s / r)));
        println!("  {}", line(spec.kind, entry, runs, speedup));
    }
}

/// One run of `entry` on an instance of its own, after one untimed run: no other runtime's
/// threads are alive meanwhile (a pool of 1,000 idle rayon threads would spin on the cores
/// the next runtime is timed on).
fn warm_run(entry: &Entry<'_>, work: &Arc<Work>) -> f64 {
    let mut instance = entry
        .rt
        .start(&entry.setup)
        .unwrap_or_else(|err| panic!("{}: {err}", entry.rt.name()));
    super::run_once(entry.rt, instance.as_mut(), work);
    super::run_once(entry.rt, instance.as_mut(), work).as_secs_f64()
}

/// One runtime's verdict: suspect when CPU work beats sequential by more than the cores
/// allow (median per-round ratio), or any work's median wall is below its ideal.
fn line(kind: WorkloadKind, entry: &Entry<'_>, runs: &[f64], speedup: Option<Stat>) -> String {
    let cores = available_cores();
    let bound = cores as f64 * SPEEDUP_SLACK;
    let wall = Stat::of(runs.iter().copied()).expect("ROUNDS > 0");
    let too_fast = kind == WorkloadKind::Cpu
        && entry.rt.model() != Model::Sequential
        && speedup.is_some_and(|s| s.median > bound);
    let below_ideal = kind != WorkloadKind::Cpu && wall.median < entry.ideal * IDEAL_SLACK;
    let verdict = if too_fast {
        "SUSPECT: faster than the cores allow"
    } else if below_ideal {
        "SUSPECT: below its ideal"
    } else {
        "ok"
    };
    let speedup = speedup.map_or_else(String::new, |s| {
        format!(
            ", {:.2}x [{:.2}, {:.2}] over sequential (bound {cores} cores x {SPEEDUP_SLACK})",
            s.median, s.ci_low, s.ci_high
        )
    });
    format!(
        "{}: run {:.3} ms [{:.3}, {:.3}], ideal {:.3} ms (bound x {IDEAL_SLACK}){speedup}: {verdict}",
        entry.rt.name(),
        wall.median * 1e3,
        wall.ci_low * 1e3,
        wall.ci_high * 1e3,
        entry.ideal * 1e3,
    )
}
