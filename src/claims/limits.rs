//! Claims about limiting concurrency: a semaphore's ceil(N/C) x L (C04), semaphore vs
//! manual batches (C05), a rate-limited server (C06, experiment and rule in
//! `rejections.rs`) and an adaptive limiter (C15, in `adaptive.rs`).

use super::judge::{Est, Test, figure, ladder, num, pct, secs};
use super::lab::{Lab, MIN_ROUNDS, Trial, asyncs_and_threads, judged, walls_of};
use super::rejections::{C06_NOTES, C06_TOLERANCE, c06_range};
use super::{Claim, FigureId, FigureKey, FigureUnit, Finding, Verdict};
use crate::limit::Limit;
use crate::runtime::{self, Model, Variant};
use crate::workload::{Latency, TaskCosts, WorkloadSpec};

/// C04 holds: every runtime within this of ceil(N/C) x L ...
const C04_TOLERANCE: f64 = 0.15;
/// ... roughly: within this.
const C04_ROUGH_TOLERANCE: f64 = 0.5;
/// C05: batches take at least this many times the semaphore's time for a spread ...
const C05_SLOWER: f64 = 1.1;
/// ... and, for roughly, are no faster than this for fixed latency.
const C05_FIXED_NO_FASTER: f64 = 0.95;
/// C05's rounds: its cells take a second or more each, so it runs the fewest rounds.
pub const C05_ROUNDS: usize = MIN_ROUNDS;
/// C05's calls per run.
pub const C05_CALLS: usize = 637;
/// C05's limit: the semaphore's permits, the pool's workers, the batches' size.
pub const C05_LIMIT: usize = 10;

pub static CLAIMS: [Claim; 4] = [
    Claim {
        id: "C04",
        source: "001 ex.2",
        claim: "20 calls, Semaphore(5), 1 s each: ~4 s",
        rule: || {
            format!(
                "holds if every runtime (its own semaphore; a pool of 5 for pools and processes) takes within \
                 {} of ceil(N/C) x L; roughly if within {}; legacy async-std is shown, not judged",
                pct(C04_TOLERANCE),
                pct(C04_ROUGH_TOLERANCE)
            )
        },
        run: c04,
    },
    Claim {
        id: "C05",
        source: "000 ex.2",
        claim: "a semaphore is always faster than manual batching (a for-loop of gathers): no idle time",
        rule: || {
            format!(
                "{C05_CALLS} calls, limit {C05_LIMIT}, on tokio, for fixed, uniform (0.5..1.5 L) and long-tailed latency, \
                 {C05_ROUNDS} rounds each drawing another order (seed), each cell also shown over the best \
                 schedule of its order (greedy for semaphore and pool, batches of {C05_LIMIT} for batches): holds if batches take at least {}x the semaphore's time for every spread; \
                 roughly if they do for the varied spreads and are no faster ({}x) for fixed latency",
                num(C05_SLOWER),
                num(C05_FIXED_NO_FASTER)
            )
        },
        run: c05,
    },
    Claim {
        id: "C06",
        source: "001 ex.4",
        claim: "50 calls against a server that rejects >10 concurrent: 35 fail without a semaphore, 0 with Semaphore(10)",
        rule: || {
            let (lo, hi) = c06_range();
            format!(
                "50 calls released at once against capacity 10, on the in-process model and over TCP against \
                 the latency server in capacity mode (busy replies are rejections; a connection per attempt): \
                 holds if on both every async runtime sees 0 rejections under a semaphore of 10 and {lo} to \
                 {hi} ({C06_NOTES} +-{}) without; roughly if on both 0 with and some without; legacy \
                 async-std is shown, not judged",
                pct(C06_TOLERANCE)
            )
        },
        run: super::rejections::c06,
    },
    Claim {
        id: "C15",
        source: "001 ex.5",
        claim: "an adaptive semaphore raises its limit on success and lowers it on failure",
        rule: || {
            format!(
                "200 calls, capacity 10, rejected calls retried, on tokio, on the in-process model and over \
                 TCP against the latency server in capacity mode: holds if on both the adaptive (AIMD) \
                 limiter is rejected less than a fixed limit of 20 and completes calls at least {}x as fast \
                 as every fixed limit; roughly if on both one of the two",
                num(super::adaptive::C15_FAST_ENOUGH)
            )
        },
        run: super::adaptive::c15,
    },
];

fn c04(lab: &Lab) -> Result<Finding, String> {
    let (n, c) = (20, 5);
    let l = lab.scaled(1.0);
    let spec = WorkloadSpec::io(n, Latency::Fixed(l));
    let mut trials: Vec<Trial> = asyncs_and_threads()
        .into_iter()
        .map(|rt| Trial::new(rt, &spec, Limit::Semaphore(c), Variant::Normal))
        .collect();
    let pools = [Model::ThreadPool, Model::Processes].map(runtime::of_model);
    trials.extend(
        pools
            .iter()
            .flatten()
            .map(|r| Trial::new(r.name(), &spec, Limit::Pool(c), Variant::Normal)),
    );
    let walls: Vec<(&str, Est)> = trials
        .iter()
        .map(|t| t.runtime)
        .zip(lab.walls(&trials)?.iter().map(|w| Est::of(w)))
        .collect();
    let (verdict, why) = c04_rule(n, c, l.as_secs_f64(), &judged(&walls));
    Ok(Finding {
        measured: walls
            .iter()
            .map(|(rt, t)| secs(FigureKey::about(FigureId::C04Wall, *rt), *rt, *t))
            .collect(),
        verdict,
        why,
    })
}

pub fn c04_rule(n: usize, c: usize, l: f64, walls: &[(&str, Est)]) -> (Verdict, String) {
    let ideal = n.div_ceil(c) as f64 * l;
    let each = |tolerance| {
        Test::all(
            walls
                .iter()
                .map(|(rt, w)| Test::within(*w, ideal, tolerance, rt)),
        )
    };
    let (worst, t) = walls
        .iter()
        .copied()
        .fold(("none", Est::point(ideal)), |a, b| {
            if (b.1.mid / ideal - 1.0).abs() > (a.1.mid / ideal - 1.0).abs() {
                b
            } else {
                a
            }
        });
    ladder(
        vec![
            (each(C04_TOLERANCE), Verdict::Holds),
            (each(C04_ROUGH_TOLERANCE), Verdict::HoldsRoughly),
        ],
        Verdict::DoesNotHold,
        format!(
            "ceil({n}/{c}) x L = {:.0} x L; farthest: {worst} at {} x L",
            ideal / l,
            t.per(l)
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
    let kinds = [
        (
            FigureId::C05Semaphore,
            "semaphore",
            Limit::Semaphore(C05_LIMIT),
        ),
        (FigureId::C05Batches, "batches", Limit::Batches(C05_LIMIT)),
        (FigureId::C05Pool, "pool", Limit::Pool(C05_LIMIT)),
    ];
    let specs: Vec<WorkloadSpec> = spreads
        .iter()
        .map(|(_, latency)| WorkloadSpec::io(C05_CALLS, *latency))
        .collect();
    let trials: Vec<Trial> = specs
        .iter()
        .flat_map(|spec| {
            kinds.map(|(_, _, limit)| Trial::new("tokio", spec, limit, Variant::Normal))
        })
        .collect();
    // A seed per round: the rounds span several task orders, so no figure rests on one
    // lucky order. Each cell runs a second or more: long enough to warm itself up.
    let records = lab.records_seeded(&trials, C05_ROUNDS, 0, true)?;
    let walls = walls_of(&records);
    let mut ratios = Vec::new();
    let mut measured = Vec::new();
    for (((name, _), spec), cells) in spreads.iter().zip(&specs).zip(walls.chunks(kinds.len())) {
        // The best a limit of 10 can do with each round's order: the greedy schedule for
        // a semaphore or a pool, batches of 10 for batches.
        let ideals: Vec<(f64, f64)> = (0..C05_ROUNDS)
            .map(|r| {
                let mut s = spec.clone();
                s.seed = s.seed.wrapping_add(r as u64);
                let costs = TaskCosts::of(&s.plans(), |_| 0.0);
                (
                    costs.greedy_makespan(C05_LIMIT),
                    costs.batches_makespan(C05_LIMIT),
                )
            })
            .collect();
        for (k, ((id, kind, _), w)) in kinds.iter().zip(cells).enumerate() {
            measured.push(secs(
                FigureKey::about(*id, *name),
                format!("{name}: {kind}"),
                Est::of(w),
            ));
            let over: Vec<f64> = w
                .iter()
                .zip(&ideals)
                .map(|(wall, (greedy, batches))| wall / if k == 1 { batches } else { greedy })
                .collect();
            measured.push(figure(
                FigureKey::about(FigureId::C05OverIdeal, format!("{name}: {kind}")),
                format!("{name}: {kind} over the best schedule of its order"),
                Est::of(&over),
                FigureUnit::Ratio,
            ));
        }
        // Every style runs the same order in a round: a ratio per round cancels the order,
        // whose spread would swamp the unpaired intervals (with 5 rounds about min..max).
        let ratio = Est::paired(&cells[1], &cells[0], |b, s| b / s);
        measured.push(figure(
            FigureKey::about(FigureId::C05BatchesOverSemaphore, *name),
            format!("{name}: batches / semaphore"),
            ratio,
            FigureUnit::Ratio,
        ));
        measured.push(figure(
            FigureKey::about(FigureId::C05PoolOverSemaphore, *name),
            format!("{name}: pool / semaphore"),
            Est::paired(&cells[2], &cells[0], |p, s| p / s),
            FigureUnit::Ratio,
        ));
        ratios.push((*name, ratio));
    }
    let (verdict, why) = c05_rule(&ratios);
    Ok(Finding {
        measured,
        verdict,
        why,
    })
}

/// `ratios`: batches / semaphore time per latency spread; the first is fixed latency.
pub fn c05_rule(ratios: &[(&str, Est)]) -> (Verdict, String) {
    let slower =
        |rs: &[(&str, Est)]| Test::all(rs.iter().map(|(n, r)| Test::at_least(*r, C05_SLOWER, n)));
    let (fixed, varied) = ratios
        .split_first()
        .map_or((Est::point(1.0), &[][..]), |(f, v)| (f.1, v));
    let roughly = slower(varied).and(Test::at_least(fixed, C05_FIXED_NO_FASTER, "fixed"));
    let shown: Vec<String> = ratios.iter().map(|(n, r)| format!("{n} {r}x")).collect();
    ladder(
        vec![
            (slower(ratios), Verdict::Holds),
            (roughly, Verdict::HoldsRoughly),
        ],
        Verdict::DoesNotHold,
        format!(
            "batches wait for their slowest call, so the gap grows with the spread: {}",
            shown.join(", ")
        ),
    )
}

#[cfg(test)]
#[path = "tests/limits.rs"]
mod tests;
