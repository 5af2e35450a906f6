//! Claims about CPU-bound work and processes: threads vs processes on CPU work (C10),
//! processes' start-up cost (C11), async on one core (C14), processes on I/O (C16).

use super::lab::Lab;
use super::memory;
use super::{Claim, Figure, FigureId, FigureKey, FigureUnit, Finding, Verdict};
use crate::limit::Limit;
use crate::runtime::Variant;
use crate::workload::{Latency, WorkloadSpec};

/// Factorial size for the CPU claims: ~15 ms a task on a 2020s core.
const COMPUTE: u32 = 6_000;
const TASKS: usize = 16;

pub static CLAIMS: [Claim; 4] = [
    Claim {
        id: "C10",
        source: "001, 002",
        claim: "threads don't help CPU-bound work (the GIL); only processes do",
        rule: "16 factorial tasks, speed-up over sequential against P cores: Python-only if threads reach \
               0.7 x P (they help in Rust; the GIL is CPython's); holds if threads stay under 1.2x while a \
               process pool reaches 0.7 x P; otherwise does not hold",
        run: c10,
    },
    Claim {
        id: "C11",
        source: "004",
        claim: "processes give true parallelism at a higher start-up and IPC cost",
        rule: "holds if starting a process costs at least 5x a thread and a pool of P processes speeds CPU \
               work up at least 0.7 x P; roughly if one of the two",
        run: c11,
    },
    Claim {
        id: "C14",
        source: "000, 002",
        claim: "async runs on one CPU core",
        rule: "CPU work on async runtimes: holds if every runtime's speed-up stays under 1.3x; does not hold \
               if a multi-thread runtime reaches 0.7 x P (only the current-thread runtime is on one core); \
               otherwise roughly",
        run: c14,
    },
    Claim {
        id: "C16",
        source: "002",
        claim: "processes help I/O-bound work too, but waste resources",
        rule: "50 waits: holds if a process per call takes at most half the sequential time (it helps) and a \
               process costs at least 100x the memory of a task (waste: PSS per process and resident per task, \
               the memory pass's slopes); roughly if one of the two",
        run: c16,
    },
];

/// A runtime's speed-up over sequential under a limit.
struct Speedup<'a> {
    runtime: &'a str,
    limit: Limit,
    speedup: f64,
}

/// Sequential wall time of the CPU workload, and speed-ups of `others` (runtime, limit).
fn speedups<'a>(lab: &Lab, others: &[(&'a str, Limit)]) -> Result<(f64, Vec<Speedup<'a>>), String> {
    let spec = WorkloadSpec::cpu(TASKS, COMPUTE);
    let seq = lab.wall("sequential", &spec, Limit::Unbounded, Variant::Normal)?;
    let mut out = Vec::new();
    for &(runtime, limit) in others {
        if lab.available(&[runtime]).is_empty() {
            continue;
        }
        out.push(Speedup {
            runtime,
            limit,
            speedup: seq / lab.wall(runtime, &spec, limit, Variant::Normal)?,
        });
    }
    Ok((seq, out))
}

/// The sequential time and each speed-up, under the claim's two figure ids.
fn figures(seq: f64, speedups: &[Speedup], ids: (FigureId, FigureId)) -> Vec<Figure> {
    let mut v = vec![Figure::secs(FigureKey::of(ids.0), "sequential", seq)];
    v.extend(speedups.iter().map(|s| {
        Figure::new(
            FigureKey::about(ids.1, s.runtime),
            format!("{} ({})", s.runtime, s.limit),
            s.speedup,
            FigureUnit::Ratio,
        )
    }));
    v
}

fn c10(lab: &Lab) -> Result<Finding, String> {
    let p = lab.parallelism();
    let pool = Limit::Pool(p);
    let (seq, s) = speedups(
        lab,
        &[
            ("threads", Limit::Unbounded),
            ("crossbeam-pool", pool),
            ("rayon", pool),
            ("tokio", Limit::Unbounded),
            ("processes", pool),
        ],
    )?;
    let threads = s[0].speedup;
    let processes = s.last().map_or(0.0, |x| x.speedup);
    let (verdict, why) = c10_rule(p, threads, processes);
    Ok(Finding {
        measured: figures(seq, &s, (FigureId::C10Sequential, FigureId::C10Speedup)),
        verdict,
        why,
    })
}

pub fn c10_rule(p: usize, threads: f64, processes: f64) -> (Verdict, String) {
    let target = 0.7 * p as f64;
    let verdict = if p > 1 && threads >= target {
        Verdict::PythonOnly
    } else if threads < 1.2 && processes >= target && p > 1 {
        Verdict::Holds
    } else {
        Verdict::DoesNotHold
    };
    (
        verdict,
        format!(
            "on {p} cores threads reach {threads:.2}x and processes {processes:.2}x: Rust threads run in parallel, there is no GIL"
        ),
    )
}

fn c11(lab: &Lab) -> Result<Finding, String> {
    let p = lab.parallelism();
    let task = lab.spawn("tokio")?.spawn_seconds_per_unit;
    let thread = lab.spawn("threads")?.spawn_seconds_per_unit;
    let process = lab.spawn("processes")?.spawn_seconds_per_unit;
    let (seq, s) = speedups(
        lab,
        &[
            ("processes", Limit::Pool(p)),
            ("crossbeam-pool", Limit::Pool(p)),
        ],
    )?;
    let (verdict, why) = c11_rule(p, thread, process, s[0].speedup);
    let start = |id, label, t| Figure::secs(FigureKey::of(id), label, t);
    let mut measured = vec![
        start(FigureId::C11StartTask, "start a tokio task", task),
        start(FigureId::C11StartThread, "start a thread", thread),
        start(FigureId::C11StartProcess, "start a process", process),
    ];
    measured.extend(figures(
        seq,
        &s,
        (FigureId::C11Sequential, FigureId::C11Speedup),
    ));
    Ok(Finding {
        measured,
        verdict,
        why,
    })
}

pub fn c11_rule(p: usize, thread: f64, process: f64, process_speedup: f64) -> (Verdict, String) {
    let costly = process >= 5.0 * thread;
    let parallel = process_speedup >= 0.7 * p as f64;
    let verdict = match (costly, parallel) {
        (true, true) => Verdict::Holds,
        (true, false) | (false, true) => Verdict::HoldsRoughly,
        (false, false) => Verdict::DoesNotHold,
    };
    (
        verdict,
        format!(
            "a process costs {:.0}x a thread to start; a pool of {p} processes runs CPU work {process_speedup:.2}x faster",
            process / thread
        ),
    )
}

fn c14(lab: &Lab) -> Result<Finding, String> {
    let p = lab.parallelism();
    let (seq, s) = speedups(
        lab,
        &[
            ("tokio-current-thread", Limit::Unbounded),
            ("tokio", Limit::Unbounded),
            ("smol", Limit::Unbounded),
            ("async-std", Limit::Unbounded),
        ],
    )?;
    let current = s[0].speedup;
    let multi: Vec<f64> = s[1..].iter().map(|x| x.speedup).collect();
    let (verdict, why) = c14_rule(p, current, &multi);
    Ok(Finding {
        measured: figures(seq, &s, (FigureId::C14Sequential, FigureId::C14Speedup)),
        verdict,
        why,
    })
}

pub fn c14_rule(p: usize, current: f64, multi: &[f64]) -> (Verdict, String) {
    let best = multi.iter().copied().fold(0.0, f64::max);
    let verdict = if current < 1.3 && multi.iter().all(|&m| m < 1.3) {
        Verdict::Holds
    } else if p > 1 && best >= 0.7 * p as f64 {
        Verdict::DoesNotHold
    } else {
        Verdict::HoldsRoughly
    };
    (
        verdict,
        format!(
            "a current-thread runtime computes at {current:.2}x; multi-thread runtimes reach {best:.2}x on {p} cores"
        ),
    )
}

fn c16(lab: &Lab) -> Result<Finding, String> {
    let l = lab.scaled(1.0);
    let spec = WorkloadSpec::io(50, Latency::Fixed(l));
    let seq = lab.wall("sequential", &spec, Limit::Unbounded, Variant::Normal)?;
    let processes = lab.wall("processes", &spec, Limit::Unbounded, Variant::Normal)?;
    let tokio = lab.wall("tokio", &spec, Limit::Unbounded, Variant::Normal)?;
    // The figures the memory table and C07 publish: slopes over the memory pass's sizes.
    let per_process = lab.memory_model("processes")?;
    let per_task = lab.memory_model("tokio")?;
    let ((process_b, process_kind), (task_b, task_kind)) =
        (memory::own(&per_process)?, memory::own(&per_task)?);
    let (verdict, why) = c16_rule(seq, processes, process_b, task_b);
    Ok(Finding {
        measured: vec![
            Figure::secs(FigureKey::of(FigureId::C16Sequential), "sequential", seq),
            Figure::secs(
                FigureKey::of(FigureId::C16ProcessPerCall),
                "a process per call",
                processes,
            ),
            Figure::secs(FigureKey::of(FigureId::C16Tokio), "tokio", tokio),
            Figure::new(
                FigureKey::of(FigureId::C16ProcessMemory),
                format!("memory per process ({process_kind})"),
                process_b,
                FigureUnit::Bytes,
            ),
            Figure::new(
                FigureKey::of(FigureId::C16TaskMemory),
                format!("memory per tokio task ({task_kind})"),
                task_b,
                FigureUnit::Bytes,
            ),
        ],
        verdict,
        why,
    })
}

pub fn c16_rule(
    seq: f64,
    processes: f64,
    process_bytes: f64,
    task_bytes: f64,
) -> (Verdict, String) {
    let helps = processes <= 0.5 * seq;
    let waste = process_bytes >= 100.0 * task_bytes;
    let verdict = match (helps, waste) {
        (true, true) => Verdict::Holds,
        (true, false) | (false, true) => Verdict::HoldsRoughly,
        (false, false) => Verdict::DoesNotHold,
    };
    (
        verdict,
        format!(
            "processes overlap the waits ({:.0}% of the sequential time) at {:.0}x a task's memory each",
            100.0 * processes / seq,
            process_bytes / task_bytes.max(1.0)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c10_boundaries() {
        assert_eq!(c10_rule(2, 1.4, 1.9).0, Verdict::PythonOnly);
        assert_eq!(c10_rule(2, 1.19, 1.4).0, Verdict::Holds);
        assert_eq!(c10_rule(2, 1.3, 1.9).0, Verdict::DoesNotHold);
        assert_eq!(c10_rule(1, 1.0, 1.0).0, Verdict::DoesNotHold);
    }

    #[test]
    fn c11_boundaries() {
        assert_eq!(c11_rule(2, 50e-6, 250e-6, 1.4).0, Verdict::Holds);
        assert_eq!(c11_rule(2, 50e-6, 249e-6, 1.4).0, Verdict::HoldsRoughly);
        assert_eq!(c11_rule(2, 50e-6, 100e-6, 1.0).0, Verdict::DoesNotHold);
    }

    #[test]
    fn c14_boundaries() {
        assert_eq!(c14_rule(2, 1.0, &[1.29]).0, Verdict::Holds);
        assert_eq!(c14_rule(2, 1.0, &[1.4]).0, Verdict::DoesNotHold);
        assert_eq!(c14_rule(2, 1.0, &[1.35]).0, Verdict::HoldsRoughly);
    }

    #[test]
    fn c16_boundaries() {
        assert_eq!(c16_rule(1.0, 0.5, 100.0, 1.0).0, Verdict::Holds);
        assert_eq!(c16_rule(1.0, 0.51, 100.0, 1.0).0, Verdict::HoldsRoughly);
        assert_eq!(c16_rule(1.0, 0.6, 99.0, 1.0).0, Verdict::DoesNotHold);
    }
}
