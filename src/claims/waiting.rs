//! Claims about waiting: running waits concurrently (C01), awaiting one by one (C02),
//! blocking inside coroutines (C03, C12) and moving a blocking call to a pool (C17).

use super::lab::{Lab, asyncs, asyncs_and_threads, multi_thread_asyncs};
use super::verdict::within;
use super::{Claim, Figure, FigureId, FigureKey, Finding, Verdict};
use crate::limit::Limit;
use crate::runtime::Variant;
use crate::workload::{Latency, WorkloadSpec};

pub static CLAIMS: [Claim; 5] = [
    Claim {
        id: "C01",
        source: "000, 003",
        claim: "4 tasks of 2 s: sequential 8 s, run concurrently ~2 s",
        rule: "holds if sequential is within 15% of N x L and every concurrent runtime within 25% of L; \
               roughly if every concurrent runtime takes under half the sequential time",
        run: c01,
    },
    Claim {
        id: "C02",
        source: "002 ex.2",
        claim: "awaiting coroutines one by one is sequential (5 x 1 s = 5 s)",
        rule: "holds if awaiting each in turn takes within 15% of N x L on every async runtime while \
               spawning all first takes within 25% of L; roughly if one by one is at least 2x slower",
        run: c02,
    },
    Claim {
        id: "C03",
        source: "002 ex.3, 003",
        claim: "a blocking sleep inside a coroutine serialises everything (5 tasks of 1 s: 5 s)",
        rule: "holds if blocking sleeps take within 15% of N x L on every runtime; roughly if they do on \
               the current-thread runtime while W worker threads take ceil(N/W) x L (within 15%)",
        run: c03,
    },
    Claim {
        id: "C12",
        source: "002 ex.6",
        claim: "factorial tasks of 10, 4 and 6 steps, each step awaiting 1 s: ~10 s; with a blocking sleep ~20 s",
        rule: "holds if every async runtime takes within 15% of 10 x L and blocking sleeps on one thread \
               within 15% of 20 x L; roughly if async takes under 0.7 x the blocking time",
        run: c12,
    },
    Claim {
        id: "C17",
        source: "001, 003",
        claim: "with a blocking client, move the call to a thread pool (to_thread / run_in_executor)",
        rule: "holds if, for 20 tasks, the blocking call on the runtime's blocking pool (spawn_blocking, \
               unblock) takes at most 1.5 x L and at most 0.3 x the same call made inside the tasks; \
               roughly if it is faster at all",
        run: c17,
    },
];

fn fixed(lab: &Lab, notes_seconds: f64) -> (Latency, f64) {
    let l = lab.scaled(notes_seconds);
    (Latency::Fixed(l), l.as_secs_f64())
}

fn c01(lab: &Lab) -> Result<Finding, String> {
    let n = 4;
    let (latency, l) = fixed(lab, 2.0);
    let spec = WorkloadSpec::io(n, latency);
    let seq = lab.wall("sequential", &spec, Limit::Unbounded, Variant::Normal)?;
    let mut concurrent = Vec::new();
    for rt in asyncs_and_threads() {
        concurrent.push((rt, lab.wall(rt, &spec, Limit::Unbounded, Variant::Normal)?));
    }
    let (verdict, why) = c01_rule(n, l, seq, &concurrent);
    let mut measured = vec![Figure::secs(
        FigureKey::of(FigureId::C01Sequential),
        "sequential",
        seq,
    )];
    measured.extend(
        concurrent
            .iter()
            .map(|(rt, t)| Figure::secs(FigureKey::about(FigureId::C01Concurrent, *rt), *rt, *t)),
    );
    Ok(Finding {
        measured,
        verdict,
        why,
    })
}

pub fn c01_rule(n: usize, l: f64, seq: f64, concurrent: &[(&str, f64)]) -> (Verdict, String) {
    let (slowest, t) = concurrent
        .iter()
        .copied()
        .fold(("none", 0.0), |a, b| if b.1 > a.1 { b } else { a });
    let verdict = if within(seq, n as f64 * l, 0.15) && t <= 1.25 * l {
        Verdict::Holds
    } else if t < 0.5 * seq {
        Verdict::HoldsRoughly
    } else {
        Verdict::DoesNotHold
    };
    (
        verdict,
        format!(
            "sequential {:.1} x L; the slowest concurrent runtime ({slowest}) {:.2} x L",
            seq / l,
            t / l
        ),
    )
}

fn c02(lab: &Lab) -> Result<Finding, String> {
    let n = 5;
    let (latency, l) = fixed(lab, 1.0);
    let spec = WorkloadSpec::io(n, latency);
    let mut pairs = Vec::new();
    let mut measured = Vec::new();
    for rt in asyncs() {
        let each = lab.wall(rt, &spec, Limit::Unbounded, Variant::AwaitEach)?;
        let spawned = lab.wall(rt, &spec, Limit::Unbounded, Variant::Normal)?;
        measured.push(Figure::secs(
            FigureKey::about(FigureId::C02OneByOne, rt),
            format!("{rt} one by one"),
            each,
        ));
        measured.push(Figure::secs(
            FigureKey::about(FigureId::C02Spawned, rt),
            format!("{rt} spawned"),
            spawned,
        ));
        pairs.push((each, spawned));
    }
    let (verdict, why) = c02_rule(n, l, &pairs);
    Ok(Finding {
        measured,
        verdict,
        why,
    })
}

/// `pairs`: (awaited one by one, spawned then joined) wall seconds per runtime.
pub fn c02_rule(n: usize, l: f64, pairs: &[(f64, f64)]) -> (Verdict, String) {
    let sequential = pairs
        .iter()
        .all(|&(each, _)| within(each, n as f64 * l, 0.15));
    let concurrent = pairs.iter().all(|&(_, spawned)| spawned <= 1.25 * l);
    let slower = pairs
        .iter()
        .map(|&(e, s)| e / s)
        .fold(f64::INFINITY, f64::min);
    let verdict = if sequential && concurrent {
        Verdict::Holds
    } else if slower >= 2.0 {
        Verdict::HoldsRoughly
    } else {
        Verdict::DoesNotHold
    };
    (
        verdict,
        format!("one by one is at least {slower:.1}x slower than spawning all first ({n} waits)"),
    )
}

fn c03(lab: &Lab) -> Result<Finding, String> {
    let n = 5;
    let (latency, l) = fixed(lab, 1.0);
    let spec = WorkloadSpec::io(n, latency);
    let current = lab.wall(
        "tokio-current-thread",
        &spec,
        Limit::Unbounded,
        Variant::BlockingSleep,
    )?;
    let mut multi = Vec::new();
    for rt in multi_thread_asyncs() {
        multi.push((
            rt,
            lab.wall(rt, &spec, Limit::Unbounded, Variant::BlockingSleep)?,
        ));
    }
    let (verdict, why) = c03_rule(n, lab.workers, l, current, &multi);
    let mut measured = vec![Figure::secs(
        FigureKey::of(FigureId::C03CurrentThreadBlocking),
        "tokio-current-thread blocking",
        current,
    )];
    measured.extend(multi.iter().map(|(rt, t)| {
        Figure::secs(
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
    current: f64,
    multi: &[(&str, f64)],
) -> (Verdict, String) {
    let serial = n as f64 * l;
    let per_worker = n.div_ceil(workers.max(1)) as f64 * l;
    let verdict = if within(current, serial, 0.15)
        && multi.iter().all(|m| within(m.1, serial, 0.15))
    {
        Verdict::Holds
    } else if within(current, serial, 0.15) && multi.iter().all(|m| within(m.1, per_worker, 0.15)) {
        Verdict::HoldsRoughly
    } else {
        Verdict::DoesNotHold
    };
    let why = format!(
        "one thread: {:.1} x L (N = {n}); with {workers} worker threads each blocks one worker, so ceil(N/W) = {} x L",
        current / l,
        n.div_ceil(workers.max(1))
    );
    (verdict, why)
}

fn c12(lab: &Lab) -> Result<Finding, String> {
    let l = lab.scaled(1.0);
    let spec = WorkloadSpec::mixed(3, &[10, 4, 6], Latency::Fixed(l), 50);
    let l = l.as_secs_f64();
    let mut walls = Vec::new();
    for rt in asyncs() {
        walls.push((rt, lab.wall(rt, &spec, Limit::Unbounded, Variant::Normal)?));
    }
    let one_thread = lab.wall("sequential", &spec, Limit::Unbounded, Variant::Normal)?;
    let blocking_ct = lab.wall(
        "tokio-current-thread",
        &spec,
        Limit::Unbounded,
        Variant::BlockingSleep,
    )?;
    let blocking = one_thread.max(blocking_ct);
    let (verdict, why) = c12_rule(l, &walls, one_thread.min(blocking_ct), blocking);
    let mut measured: Vec<Figure> = walls
        .iter()
        .map(|(rt, t)| Figure::secs(FigureKey::about(FigureId::C12Async, *rt), *rt, *t))
        .collect();
    measured.push(Figure::secs(
        FigureKey::of(FigureId::C12BlockingOneThread),
        "blocking sleeps, one thread",
        one_thread,
    ));
    measured.push(Figure::secs(
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

/// `blocking_min`/`blocking_max`: the two one-thread blocking runs.
pub fn c12_rule(
    l: f64,
    asyncs: &[(&str, f64)],
    blocking_min: f64,
    blocking_max: f64,
) -> (Verdict, String) {
    let slowest_async = asyncs.iter().map(|a| a.1).fold(0.0, f64::max);
    let verdict = if asyncs.iter().all(|a| within(a.1, 10.0 * l, 0.15))
        && within(blocking_min, 20.0 * l, 0.15)
        && within(blocking_max, 20.0 * l, 0.15)
    {
        Verdict::Holds
    } else if slowest_async < 0.7 * blocking_min {
        Verdict::HoldsRoughly
    } else {
        Verdict::DoesNotHold
    };
    let why = format!(
        "async: the longest task's 10 steps, {:.1} x L at most; blocking: all 20 steps in a row, {:.1} x L",
        slowest_async / l,
        blocking_min / l
    );
    (verdict, why)
}

fn c17(lab: &Lab) -> Result<Finding, String> {
    let n = 20;
    let (latency, l) = fixed(lab, 1.0);
    let spec = WorkloadSpec::io(n, latency);
    let mut pairs = Vec::new();
    let mut measured = Vec::new();
    for rt in multi_thread_asyncs() {
        let blocking = lab.wall(rt, &spec, Limit::Unbounded, Variant::BlockingSleep)?;
        let pooled = lab.wall(rt, &spec, Limit::Unbounded, Variant::SpawnBlocking)?;
        measured.push(Figure::secs(
            FigureKey::about(FigureId::C17BlockingInTasks, rt),
            format!("{rt} blocking in tasks"),
            blocking,
        ));
        measured.push(Figure::secs(
            FigureKey::about(FigureId::C17OnBlockingPool, rt),
            format!("{rt} on the blocking pool"),
            pooled,
        ));
        pairs.push((blocking, pooled));
    }
    let (verdict, why) = c17_rule(l, &pairs);
    Ok(Finding {
        measured,
        verdict,
        why,
    })
}

/// `pairs`: (blocking inside tasks, blocking call on the pool) wall seconds per runtime.
pub fn c17_rule(l: f64, pairs: &[(f64, f64)]) -> (Verdict, String) {
    let gain = pairs
        .iter()
        .map(|&(b, p)| b / p)
        .fold(f64::INFINITY, f64::min);
    let verdict = if pairs.iter().all(|&(b, p)| p <= 1.5 * l && p <= 0.3 * b) {
        Verdict::Holds
    } else if gain > 1.0 {
        Verdict::HoldsRoughly
    } else {
        Verdict::DoesNotHold
    };
    (
        verdict,
        format!(
            "the blocking pool overlaps the calls: at least {gain:.1}x faster than blocking the workers"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c01_boundaries() {
        let l = 0.04;
        assert_eq!(c01_rule(4, l, 0.16, &[("tokio", 0.05)]).0, Verdict::Holds);
        assert_eq!(
            c01_rule(4, l, 0.16, &[("tokio", 0.0501)]).0,
            Verdict::HoldsRoughly
        );
        assert_eq!(
            c01_rule(4, l, 0.19, &[("tokio", 0.04)]).0,
            Verdict::HoldsRoughly
        );
        assert_eq!(
            c01_rule(4, l, 0.16, &[("tokio", 0.081)]).0,
            Verdict::DoesNotHold
        );
    }

    #[test]
    fn c02_boundaries() {
        let l = 0.02;
        assert_eq!(c02_rule(5, l, &[(0.1, 0.021)]).0, Verdict::Holds);
        assert_eq!(c02_rule(5, l, &[(0.12, 0.021)]).0, Verdict::HoldsRoughly);
        assert_eq!(c02_rule(5, l, &[(0.03, 0.02)]).0, Verdict::DoesNotHold);
    }

    #[test]
    fn c03_boundaries() {
        let l = 0.02;
        assert_eq!(c03_rule(5, 2, l, 0.1, &[("tokio", 0.1)]).0, Verdict::Holds);
        assert_eq!(
            c03_rule(5, 2, l, 0.1, &[("tokio", 0.06)]).0,
            Verdict::HoldsRoughly
        );
        assert_eq!(
            c03_rule(5, 2, l, 0.02, &[("tokio", 0.02)]).0,
            Verdict::DoesNotHold
        );
    }

    #[test]
    fn c12_boundaries() {
        let l = 0.02;
        assert_eq!(c12_rule(l, &[("tokio", 0.2)], 0.4, 0.4).0, Verdict::Holds);
        assert_eq!(
            c12_rule(l, &[("tokio", 0.25)], 0.4, 0.4).0,
            Verdict::HoldsRoughly
        );
        assert_eq!(
            c12_rule(l, &[("tokio", 0.3)], 0.4, 0.4).0,
            Verdict::DoesNotHold
        );
    }

    #[test]
    fn c17_boundaries() {
        let l = 0.02;
        assert_eq!(c17_rule(l, &[(0.2, 0.03)]).0, Verdict::Holds);
        assert_eq!(c17_rule(l, &[(0.2, 0.031)]).0, Verdict::HoldsRoughly);
        assert_eq!(c17_rule(l, &[(0.02, 0.03)]).0, Verdict::DoesNotHold);
    }
}
