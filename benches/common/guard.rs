//! The benches' physics guard, after the one `rtbench run` applies, from interleaved rounds
//! of its own. Criterion measures one runtime after another, each in a window of its own,
//! and on a shared host the CPU's speed drifts between windows (one factorial(3000) took
//! 0.57 to 0.90 ms within a minute on the 2-core reference machine), so a ratio of two
//! windows can read above the cores. Here every round runs each runtime once, in a seeded
//! shuffled order, on an instance of its own, every run's checksum checked, and judged by
//! `rtbench run`'s own rule on those rounds (`breaks_physics`): CPU work is suspect when
//! even the low end of the interval of its per-round speed-up over sequential (run on each
//! core, the fastest counted) is above cores x 1.05; any work when even the high end of its
//! per-round wall over ideal is below 0.97 (compute timed warm in this process).

use std::sync::Arc;

use rtbench::measure::{affinity, available_cores};
use rtbench::runtime::{Model, Runtime, Setup};
use rtbench::suite::Stat;
use rtbench::suite::guard::{IDEAL_SLACK, Rounds, SPEEDUP_SLACK, breaks_physics};
use rtbench::suite::session::round_order;
use rtbench::workload::{Capacity, Expectation, Work, WorkloadKind, WorkloadSpec, compute_costs};

/// Rounds of the interleaved check (15 values give the median a 96.5% interval).
pub const ROUNDS: usize = 15;

/// One runtime of a bench group, as criterion ran it.
pub struct Entry<'a> {
    pub rt: &'a dyn Runtime,
    pub setup: Setup,
    /// What this runtime can compute and keep in flight at once.
    pub capacity: Capacity,
}

/// Runs every entry once per round in a shuffled order and prints one guard line each.
/// CPU work's ideal takes its compute cost from the sequential rounds (as `rtbench run`
/// takes it from the group's sequential cell), not from the calibration before the group.
pub fn interleaved(
    spec: &WorkloadSpec,
    entries: &[Entry<'_>],
    work: &Arc<Work>,
    expectation: &Expectation,
) {
    let expected = expectation.checksum;
    // The compute cost as this process times it now (warm, the fastest of 5), not the
    // median of 3 cold runs taken when the plans were made.
    let expectation = &expectation.with_costs(&compute_costs(work.plans()));
    let cores = allowed_cpus();
    let mut per_core = vec![Vec::with_capacity(ROUNDS); cores.len()];
    let mut walls = vec![Vec::with_capacity(ROUNDS); entries.len()];
    for round in 0..ROUNDS {
        for i in round_order(entries.len(), spec.seed, 0, round) {
            let entry = &entries[i];
            let wall = if spec.kind == WorkloadKind::Cpu && entry.rt.model() == Model::Sequential {
                fastest_core(entry, work, expected, &cores, &mut per_core)
            } else {
                warm_run(entry, work, expected)
            };
            walls[i].push(wall);
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
    if sequential.is_some() {
        let each: Vec<String> = cores
            .iter()
            .zip(&per_core)
            .filter_map(|(c, runs)| {
                Some(format!(
                    "cpu{c} {:.3} ms",
                    Stat::of(runs.iter().copied())?.median * 1e3
                ))
            })
            .collect();
        println!(
            "  (sequential runs pinned to each core in every round and counts its fastest: a shared \
             host's cores run at different speeds at the same moment; medians: {})",
            each.join(", ")
        );
    }
    let seq_median = sequential.and_then(|seq| Stat::of(seq.iter().copied()));
    let measured = seq_median.map(|seq| expectation.measured_by(work.plans(), seq.median));
    for (entry, runs) in entries.iter().zip(&walls) {
        let ideal = measured
            .as_ref()
            .unwrap_or(expectation)
            .ideal_seconds(work.plans(), entry.capacity);
        // As `rtbench run` pairs them: an ideal from sequential follows its run of the round.
        let over_ideal = match (sequential, seq_median) {
            (Some(seq), Some(m)) => runs
                .iter()
                .zip(seq)
                .map(|(r, s)| r / (ideal * s / m.median))
                .collect(),
            _ => runs.iter().map(|r| r / ideal).collect(),
        };
        let speedups = sequential.map_or_else(Vec::new, |seq| {
            seq.iter().zip(runs).map(|(s, r)| s / r).collect()
        });
        let rounds = Rounds {
            over_ideal,
            speedups,
        };
        println!("  {}", line(spec.kind, entry, runs, ideal, &rounds));
    }
}

/// One run of `entry` on an instance of its own, after one untimed run: no other runtime's
/// threads are alive meanwhile (a pool of 1,000 idle rayon threads would spin on the cores
/// the next runtime is timed on).
fn warm_run(entry: &Entry<'_>, work: &Arc<Work>, expected: u64) -> f64 {
    let mut instance = entry
        .rt
        .start(&entry.setup)
        .unwrap_or_else(|err| panic!("{}: {err}", entry.rt.name()));
    super::run_once(entry.rt, instance.as_mut(), work, expected);
    super::run_once(entry.rt, instance.as_mut(), work, expected).as_secs_f64()
}

/// Sequential's run of a round for CPU work: once pinned to each allowed CPU, the fastest
/// counted (each core's run kept in `per_core`). Two vCPUs of a shared host can differ by
/// 1.7x at the same moment (16 factorials: 8.3 ms on one, 14.5 ms on the other, measured
/// milliseconds apart), and a pool's work-stealing uses the faster one's speed, so only the
/// fastest core's sequential time bounds a speed-up by the number of cores.
fn fastest_core(
    entry: &Entry<'_>,
    work: &Arc<Work>,
    expected: u64,
    cores: &[usize],
    per_core: &mut [Vec<f64>],
) -> f64 {
    if cores.len() < 2 {
        return warm_run(entry, work, expected);
    }
    let mut fastest = f64::INFINITY;
    for (&cpu, runs) in cores.iter().zip(per_core.iter_mut()) {
        pin(&[cpu]);
        let wall = warm_run(entry, work, expected);
        pin(cores);
        runs.push(wall);
        fastest = fastest.min(wall);
    }
    fastest
}

/// The CPUs this thread may run on; none when the OS does not say (then nothing is pinned).
fn allowed_cpus() -> Vec<usize> {
    affinity::allowed_cpus().unwrap_or_default()
}

/// Restricts this thread (and threads it starts from now on) to `cpus`.
fn pin(cpus: &[usize]) {
    affinity::pin(cpus).unwrap_or_else(|e| panic!("{e}"));
}

/// One runtime's line: its runs, its ideal, its speed-up over sequential (CPU work) and
/// the verdict of the same guard `rtbench run` applies to a cell's rounds.
fn line(
    kind: WorkloadKind,
    entry: &Entry<'_>,
    runs: &[f64],
    ideal: f64,
    rounds: &Rounds,
) -> String {
    let cores = available_cores();
    let wall = Stat::of(runs.iter().copied()).expect("ROUNDS > 0");
    let speedup = Stat::of(rounds.speedups.iter().copied()).map_or_else(String::new, |s| {
        format!(
            ", {:.2}x [{:.2}, {:.2}] over sequential (bound {cores} cores x {SPEEDUP_SLACK})",
            s.median, s.ci_low, s.ci_high
        )
    });
    let verdict = breaks_physics(kind, entry.rt.model(), rounds, cores)
        .map_or_else(|| "ok".to_string(), |why| format!("SUSPECT: {why}"));
    format!(
        "{}: run {:.3} ms [{:.3}, {:.3}], ideal {:.3} ms (bound x {IDEAL_SLACK}){speedup}: {verdict}",
        entry.rt.name(),
        wall.median * 1e3,
        wall.ci_low * 1e3,
        wall.ci_high * 1e3,
        ideal * 1e3,
    )
}
