//! Claims about waiting: running waits concurrently (C01), awaiting one by one (C02),
//! blocking inside coroutines (C03, C12) and moving a blocking call to a pool (C17).

use super::judge::{Est, Test, highest, ladder, num, pct, secs};
use super::lab::{Lab, Trial, asyncs, asyncs_and_threads, counted, judged, multi_thread_asyncs};
use super::{Claim, FigureId, FigureKey, Finding, Verdict};
use crate::limit::Limit;
use crate::runtime::Variant;
use crate::workload::{Latency, WorkloadSpec};

/// How close a serial run must come to N x L (C01, C02, C03, C12).
const SERIAL_TOLERANCE: f64 = 0.15;
/// A concurrent run takes at most this many L (C01, C02).
const CONCURRENT_MAX_L: f64 = 1.25;
/// C01 roughly: concurrent under this fraction of the sequential time.
const C01_ROUGH_FRACTION: f64 = 0.5;
/// C02 roughly: one by one at least this many times slower than spawning all first.
const C02_ROUGH_SLOWER: f64 = 2.0;
/// C12 roughly: async under this fraction of the blocking time.
const C12_ROUGH_FRACTION: f64 = 0.7;
/// C17 holds: the pooled call takes at most this many L ...
const C17_POOL_MAX_L: f64 = 1.5;
/// ... and at most this fraction of the same call made inside the tasks.
const C17_POOL_FRACTION: f64 = 0.3;

pub static CLAIMS: [Claim; 5] = [
    Claim {
        id: "C01",
        source: "000, 003",
        claim: "4 tasks of 2 s: sequential 8 s, run concurrently ~2 s",
        rule: || {
            format!(
                "holds if sequential is within {} of N x L and every concurrent runtime takes at most {} x L; \
                 roughly if every concurrent runtime takes under {} x the sequential time; legacy async-std is shown, not judged",
                pct(SERIAL_TOLERANCE),
                num(CONCURRENT_MAX_L),
                num(C01_ROUGH_FRACTION)
            )
        },
        run: c01,
    },
    Claim {
        id: "C02",
        source: "002 ex.2",
        claim: "awaiting coroutines one by one is sequential (5 x 1 s = 5 s)",
        rule: || {
            format!(
                "holds if awaiting each in turn takes within {} of N x L on every async runtime while \
                 spawning all first takes at most {} x L; roughly if one by one is at least {}x slower; legacy async-std is shown, not judged",
                pct(SERIAL_TOLERANCE),
                num(CONCURRENT_MAX_L),
                num(C02_ROUGH_SLOWER)
            )
        },
        run: c02,
    },
    Claim {
        id: "C03",
        source: "002 ex.3, 003",
        claim: "a blocking sleep inside a coroutine serialises everything (5 tasks of 1 s: 5 s)",
        rule: || {
            format!(
                "holds if blocking sleeps take within {0} of N x L on every runtime; roughly if they do on \
                 the current-thread runtime while W worker threads take ceil(N/W) x L (within {0}); legacy async-std is shown, not judged",
                pct(SERIAL_TOLERANCE)
            )
        },
        run: c03,
    },
    Claim {
        id: "C12",
        source: "002 ex.6",
        claim: "factorial tasks of 10, 4 and 6 steps, each step awaiting 1 s: ~10 s; with a blocking sleep ~20 s",
        rule: || {
            format!(
                "holds if every async runtime takes within {0} of 10 x L and blocking sleeps on one thread \
                 within {0} of 20 x L; roughly if async takes under {1} x the blocking time; legacy async-std is shown, not judged",
                pct(SERIAL_TOLERANCE),
                num(C12_ROUGH_FRACTION)
            )
        },
        run: c12,
    },
    Claim {
        id: "C17",
        source: "001, 003",
        claim: "with a blocking client, move the call to a thread pool (to_thread / run_in_executor)",
        rule: || {
            format!(
                "holds if, for 20 tasks, the blocking call on the runtime's blocking pool (spawn_blocking, \
                 unblock) takes at most {} x L and at most {} x the same call made inside the tasks; \
                 roughly if it is faster at all; legacy async-std is shown, not judged",
                num(C17_POOL_MAX_L),
                num(C17_POOL_FRACTION)
            )
        },
        run: c17,
    },
];

fn fixed(lab: &Lab, notes_seconds: f64) -> (Latency, f64) {
    let l = lab.scaled(notes_seconds);
    (Latency::Fixed(l), l.as_secs_f64())
}

/// The median and interval of each trial's rounds.
fn ests(lab: &Lab, trials: &[Trial]) -> Result<Vec<Est>, String> {
    Ok(lab.walls(trials)?.iter().map(|w| Est::of(w)).collect())
}

/// Each runtime's figure, by name.
type PerRuntime = Vec<(&'static str, Est)>;

/// A first trial (the baseline) and one trial per runtime, in the same rounds: the first's
/// figure and each runtime's.
fn first_and_each(
    lab: &Lab,
    first: Trial,
    runtimes: &[&'static str],
    each: impl Fn(&'static str) -> Trial,
) -> Result<(Est, PerRuntime), String> {
    let mut trials = vec![first];
    trials.extend(runtimes.iter().map(|rt| each(rt)));
    let e = ests(lab, &trials)?;
    Ok((
        e[0],
        runtimes
            .iter()
            .copied()
            .zip(e[1..].iter().copied())
            .collect(),
    ))
}

fn c01(lab: &Lab) -> Result<Finding, String> {
    let n = 4;
    let (latency, l) = fixed(lab, 2.0);
    let spec = WorkloadSpec::io(n, latency);
    let (seq, concurrent) = first_and_each(
        lab,
        Trial::plain("sequential", &spec),
        &asyncs_and_threads(),
        |rt| Trial::plain(rt, &spec),
    )?;
    let (verdict, why) = c01_rule(n, l, seq, &judged(&concurrent));
    let mut measured = vec![secs(
        FigureKey::of(FigureId::C01Sequential),
        "sequential",
        seq,
    )];
    measured.extend(
        concurrent
            .iter()
            .map(|(rt, t)| secs(FigureKey::about(FigureId::C01Concurrent, *rt), *rt, *t)),
    );
    Ok(Finding {
        measured,
        verdict,
        why,
    })
}

pub fn c01_rule(n: usize, l: f64, seq: Est, concurrent: &[(&str, Est)]) -> (Verdict, String) {
    let (slowest, t) = highest(concurrent.iter().copied());
    let holds = Test::within(seq, n as f64 * l, SERIAL_TOLERANCE, "sequential").and(Test::all(
        concurrent
            .iter()
            .map(|(rt, c)| Test::at_most(*c, CONCURRENT_MAX_L * l, rt)),
    ));
    let roughly = Test::all(
        concurrent
            .iter()
            .map(|(rt, c)| Test::ratio_at_most(*c, seq, C01_ROUGH_FRACTION, rt)),
    );
    ladder(
        vec![(holds, Verdict::Holds), (roughly, Verdict::HoldsRoughly)],
        Verdict::DoesNotHold,
        format!(
            "sequential {} x L; the slowest concurrent runtime ({slowest}) {} x L",
            seq.per(l),
            t.per(l)
        ),
    )
}

fn c02(lab: &Lab) -> Result<Finding, String> {
    let n = 5;
    let (latency, l) = fixed(lab, 1.0);
    let spec = WorkloadSpec::io(n, latency);
    let runtimes = asyncs();
    let trials: Vec<Trial> = runtimes
        .iter()
        .flat_map(|rt| {
            [
                Trial::new(rt, &spec, Limit::Unbounded, Variant::AwaitEach),
                Trial::plain(rt, &spec),
            ]
        })
        .collect();
    let e = ests(lab, &trials)?;
    let mut pairs = Vec::new();
    let mut measured = Vec::new();
    for (rt, pair) in runtimes.iter().zip(e.chunks(2)) {
        let (each, spawned) = (pair[0], pair[1]);
        if counted(rt) {
            pairs.push((each, spawned));
        }
        measured.push(secs(
            FigureKey::about(FigureId::C02OneByOne, *rt),
            format!("{rt} one by one"),
            each,
        ));
        measured.push(secs(
            FigureKey::about(FigureId::C02Spawned, *rt),
            format!("{rt} spawned"),
            spawned,
        ));
    }
    let (verdict, why) = c02_rule(n, l, &pairs);
    Ok(Finding {
        measured,
        verdict,
        why,
    })
}

/// `pairs`: (awaited one by one, spawned then joined) wall seconds per runtime.
pub fn c02_rule(n: usize, l: f64, pairs: &[(Est, Est)]) -> (Verdict, String) {
    let serial = n as f64 * l;
    let holds = Test::all(pairs.iter().map(|&(each, spawned)| {
        Test::within(each, serial, SERIAL_TOLERANCE, "one by one").and(Test::at_most(
            spawned,
            CONCURRENT_MAX_L * l,
            "spawned",
        ))
    }));
    let roughly = Test::all(pairs.iter().map(|&(each, spawned)| {
        Test::ratio_at_least(each, spawned, C02_ROUGH_SLOWER, "one by one")
    }));
    let slower = pairs
        .iter()
        .map(|&(e, s)| e.mid / s.mid)
        .fold(f64::INFINITY, f64::min);
    ladder(
        vec![(holds, Verdict::Holds), (roughly, Verdict::HoldsRoughly)],
        Verdict::DoesNotHold,
        format!(
            "one by one is at least {}x slower than spawning all first ({n} waits)",
            num(slower)
        ),
    )
}

fn c03(lab: &Lab) -> Result<Finding, String> {
    let n = 5;
    let (latency, l) = fixed(lab, 1.0);
    let spec = WorkloadSpec::io(n, latency);
    let blocking = |rt| Trial::new(rt, &spec, Limit::Unbounded, Variant::BlockingSleep);
    let (current, multi) = first_and_each(
        lab,
        blocking("tokio-current-thread"),
        &multi_thread_asyncs(),
        blocking,
    )?;
    let (verdict, why) = c03_rule(n, lab.workers, l, current, &judged(&multi));
    let mut measured = vec![secs(
        FigureKey::of(FigureId::C03CurrentThreadBlocking),
        "tokio-current-thread blocking",
        current,
    )];
    measured.extend(multi.iter().map(|(rt, t)| {
        secs(
            FigureKey::about(FigureId::C03MultiThreadBlocking, *rt),
            format!("{rt} blocking ({} workers)", lab.workers),
            *t,
        )
    }));
    Ok(Finding {
        measured,
        verdict,
        why,
    })
}

pub fn c03_rule(
    n: usize,
    workers: usize,
    l: f64,
    current: Est,
    multi: &[(&str, Est)],
) -> (Verdict, String) {
    let serial = n as f64 * l;
    let per_worker = n.div_ceil(workers.max(1)) as f64 * l;
    let one = || Test::within(current, serial, SERIAL_TOLERANCE, "current-thread");
    let each = |target: f64| {
        Test::all(
            multi
                .iter()
                .map(|(rt, m)| Test::within(*m, target, SERIAL_TOLERANCE, rt)),
        )
    };
    ladder(
        vec![
            (one().and(each(serial)), Verdict::Holds),
            (one().and(each(per_worker)), Verdict::HoldsRoughly),
        ],
        Verdict::DoesNotHold,
        format!(
            "one thread: {} x L (N = {n}); with {workers} worker threads each blocks one worker, so ceil(N/W) = {} x L",
            current.per(l),
            n.div_ceil(workers.max(1))
        ),
    )
}

fn c12(lab: &Lab) -> Result<Finding, String> {
    let l = lab.scaled(1.0);
    let spec = WorkloadSpec::mixed(3, &[10, 4, 6], Latency::Fixed(l), 50);
    let l = l.as_secs_f64();
    let runtimes = asyncs();
    let mut trials = vec![
        Trial::plain("sequential", &spec),
        Trial::new(
            "tokio-current-thread",
            &spec,
            Limit::Unbounded,
            Variant::BlockingSleep,
        ),
    ];
    trials.extend(runtimes.iter().map(|rt| Trial::plain(rt, &spec)));
    let e = ests(lab, &trials)?;
    let (one_thread, blocking_ct) = (e[0], e[1]);
    let walls: Vec<(&str, Est)> = runtimes
        .iter()
        .copied()
        .zip(e[2..].iter().copied())
        .collect();
    let (verdict, why) = c12_rule(l, &judged(&walls), one_thread, blocking_ct);
    let mut measured: Vec<_> = walls
        .iter()
        .map(|(rt, t)| secs(FigureKey::about(FigureId::C12Async, *rt), *rt, *t))
        .collect();
    measured.push(secs(
        FigureKey::of(FigureId::C12BlockingOneThread),
        "blocking sleeps, one thread",
        one_thread,
    ));
    measured.push(secs(
        FigureKey::of(FigureId::C12CurrentThreadBlocking),
        "tokio-current-thread blocking",
        blocking_ct,
    ));
    Ok(Finding {
        measured,
        verdict,
        why,
    })
}

/// `one_thread`, `blocking_ct`: the two one-thread blocking runs (sequential, and blocking
/// sleeps on the current-thread runtime).
pub fn c12_rule(
    l: f64,
    asyncs: &[(&str, Est)],
    one_thread: Est,
    blocking_ct: Est,
) -> (Verdict, String) {
    let slowest = asyncs.iter().map(|a| a.1.mid).fold(0.0, f64::max);
    let holds = Test::all(
        asyncs
            .iter()
            .map(|(rt, a)| Test::within(*a, 10.0 * l, SERIAL_TOLERANCE, rt)),
    )
    .and(Test::within(
        one_thread,
        20.0 * l,
        SERIAL_TOLERANCE,
        "one thread",
    ))
    .and(Test::within(
        blocking_ct,
        20.0 * l,
        SERIAL_TOLERANCE,
        "current-thread blocking",
    ));
    let faster = |b: Est, what| {
        Test::all(
            asyncs
                .iter()
                .map(|(_, a)| Test::ratio_at_most(*a, b, C12_ROUGH_FRACTION, what)),
        )
    };
    let roughly = faster(one_thread, "async against one thread")
        .and(faster(blocking_ct, "async against current-thread blocking"));
    ladder(
        vec![(holds, Verdict::Holds), (roughly, Verdict::HoldsRoughly)],
        Verdict::DoesNotHold,
        format!(
            "async: the longest task's 10 steps, {} x L at most; blocking: all 20 steps in a row, {} x L",
            num(slowest / l),
            num(one_thread.mid.min(blocking_ct.mid) / l)
        ),
    )
}

fn c17(lab: &Lab) -> Result<Finding, String> {
    let n = 20;
    let (latency, l) = fixed(lab, 1.0);
    let spec = WorkloadSpec::io(n, latency);
    let runtimes = multi_thread_asyncs();
    let trials: Vec<Trial> = runtimes
        .iter()
        .flat_map(|rt| {
            [Variant::BlockingSleep, Variant::SpawnBlocking]
                .map(|v| Trial::new(rt, &spec, Limit::Unbounded, v))
        })
        .collect();
    let e = ests(lab, &trials)?;
    let mut pairs = Vec::new();
    let mut measured = Vec::new();
    for (rt, pair) in runtimes.iter().zip(e.chunks(2)) {
        measured.push(secs(
            FigureKey::about(FigureId::C17BlockingInTasks, *rt),
            format!("{rt} blocking in tasks"),
            pair[0],
        ));
        measured.push(secs(
            FigureKey::about(FigureId::C17OnBlockingPool, *rt),
            format!("{rt} on the blocking pool"),
            pair[1],
        ));
        if counted(rt) {
            pairs.push((pair[0], pair[1]));
        }
    }
    let (verdict, why) = c17_rule(l, &pairs);
    Ok(Finding {
        measured,
        verdict,
        why,
    })
}

/// `pairs`: (blocking inside tasks, blocking call on the pool) wall seconds per runtime.
pub fn c17_rule(l: f64, pairs: &[(Est, Est)]) -> (Verdict, String) {
    let gain = pairs
        .iter()
        .map(|&(b, p)| b.mid / p.mid)
        .fold(f64::INFINITY, f64::min);
    let holds = Test::all(pairs.iter().map(|&(b, p)| {
        Test::at_most(p, C17_POOL_MAX_L * l, "on the pool").and(Test::ratio_at_most(
            p,
            b,
            C17_POOL_FRACTION,
            "pool against in tasks",
        ))
    }));
    let roughly = Test::all(
        pairs
            .iter()
            .map(|&(b, p)| Test::ratio_at_most(p, b, 1.0, "pool against in tasks")),
    );
    ladder(
        vec![(holds, Verdict::Holds), (roughly, Verdict::HoldsRoughly)],
        Verdict::DoesNotHold,
        format!(
            "the blocking pool overlaps the calls: at least {}x faster than blocking the workers",
            num(gain)
        ),
    )
}

#[cfg(test)]
#[path = "tests/waiting.rs"]
mod tests;
