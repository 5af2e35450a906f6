//! Claims about memory and how many units fit: per idle unit (C07), for 100 waiting calls
//! (C08), and the most each model reaches here (C09). All from the memory pass.

use super::lab::Lab;
use super::verdict::size_verdict;
use super::{Claim, Figure, FigureId, FigureKey, FigureUnit, Finding, Verdict};
use crate::results::MemoryRecord;
use crate::runtime;
use crate::suite::memory::{model, sizes};

use crate::units::{KIB as KB, MIB as MB};

/// A figure in bytes under a key of its own.
fn bytes(id: FigureId, label: &str, value: f64) -> Figure {
    Figure::new(FigureKey::of(id), label, value, FigureUnit::Bytes)
}

/// A count under a key of its own.
fn count(id: FigureId, label: &str, value: usize) -> Figure {
    Figure::new(FigureKey::of(id), label, value as f64, FigureUnit::Count)
}

pub static CLAIMS: [Claim; 3] = [
    Claim {
        id: "C07",
        source: "001 tables",
        claim: "~1 KB per coroutine, ~8 MB per thread, ~50 MB per process",
        rule: "per idle unit, resident (slope over two sizes; PSS for processes): each figure holds within 2x \
               of the claim, roughly within 10x; the verdict is the weakest of the three",
        run: c07,
    },
    Claim {
        id: "C08",
        source: "001",
        claim: "100 calls: asyncio ~100 KB, threads ~800 MB",
        rule: "resident growth for exactly 100 waiting units: holds within 2x of the claim, roughly within \
               10x; the verdict is the weaker of the two",
        run: c08,
    },
    Claim {
        id: "C09",
        source: "001 tables",
        claim: "max concurrent: async 100-1000+, threads 10-50, processes 1-16",
        rule: "the most idle units each model reached (async up to 1M, threads until the OS refuses, \
               processes up to 256): holds if each lies in the claimed range (1000+ is open-ended), roughly \
               if within 10x of its ends; the verdict is the weakest",
        run: c09,
    },
];

fn measured(lab: &Lab, runtime: &str, units: usize) -> Result<MemoryRecord, String> {
    let r = lab.memory(runtime, units)?;
    match &r.error {
        None => Ok(r),
        Some(e) => Err(format!("memory pass, {runtime} x{units}: {e}")),
    }
}

fn c07(lab: &Lab) -> Result<Finding, String> {
    let slope = |rt: &str, a: usize, b: usize| -> Result<crate::results::MemoryModel, String> {
        let recs = vec![measured(lab, rt, a)?, measured(lab, rt, b)?];
        Ok(model(runtime::find(rt).map_err(|e| e.to_string())?, &recs))
    };
    let task = slope("tokio", 10_000, 100_000)?;
    let thread = slope("threads", 1_000, 5_000)?;
    let process = slope("processes", 8, 32)?;
    let task_b = task.rss_per_unit_bytes.unwrap_or(0.0);
    let thread_b = thread.rss_per_unit_bytes.unwrap_or(0.0);
    let thread_v = thread.virtual_per_unit_bytes.unwrap_or(0.0);
    let process_b = process.pss_per_unit_bytes.unwrap_or(0.0);
    let process_rss = process.rss_per_unit_bytes.unwrap_or(0.0);
    let (verdict, why) = c07_rule(task_b, thread_b, thread_v, process_b);
    Ok(Finding {
        measured: vec![
            bytes(FigureId::C07TaskResident, "tokio task resident", task_b),
            bytes(FigureId::C07ThreadResident, "thread resident", thread_b),
            bytes(
                FigureId::C07ThreadVirtual,
                "thread virtual (stack reserved)",
                thread_v,
            ),
            bytes(FigureId::C07ProcessPss, "process PSS", process_b),
            bytes(FigureId::C07ProcessRss, "process RSS", process_rss),
        ],
        verdict,
        why,
    })
}

pub fn c07_rule(task: f64, thread: f64, thread_virtual: f64, process: f64) -> (Verdict, String) {
    let verdict = size_verdict(task, KB)
        .worst(size_verdict(thread, 8.0 * MB))
        .worst(size_verdict(process, 50.0 * MB));
    let why = format!(
        "a task is {:.2}x the claimed 1 KB; a thread reserves {:.1} MiB of stack but touches {:.1} KiB; \
         a process shares its binary's pages, {:.0} KiB of its own",
        task / KB,
        thread_virtual / MB,
        thread / KB,
        process / KB
    );
    (verdict, why)
}

fn c08(lab: &Lab) -> Result<Finding, String> {
    let grew = |r: &MemoryRecord| r.rss_per_unit_bytes * r.units as f64;
    let tasks = measured(lab, "tokio", 100)?;
    let threads = measured(lab, "threads", 100)?;
    let (verdict, why) = c08_rule(grew(&tasks), grew(&threads));
    Ok(Finding {
        measured: vec![
            bytes(FigureId::C08Tasks, "100 tokio tasks", grew(&tasks)),
            bytes(FigureId::C08Threads, "100 threads", grew(&threads)),
            bytes(
                FigureId::C08ThreadsVirtual,
                "100 threads virtual",
                threads.virtual_per_unit_bytes * 100.0,
            ),
        ],
        verdict,
        why,
    })
}

pub fn c08_rule(tasks: f64, threads: f64) -> (Verdict, String) {
    let verdict = size_verdict(tasks, 100.0 * KB).worst(size_verdict(threads, 800.0 * MB));
    (
        verdict,
        format!(
            "100 tasks grew {:.0} KiB; 100 threads {:.1} MiB (not 800 MB: stacks are reserved, not resident)",
            tasks / KB,
            threads / MB
        ),
    )
}

/// The largest size of a model that parked, and the first failure.
fn reach(lab: &Lab, rt: &str) -> Result<(usize, Option<String>), String> {
    let runtime = runtime::find(rt).map_err(|e| e.to_string())?;
    let mut best = 0;
    for &units in sizes(runtime).unwrap_or(&[]) {
        let r = lab.memory(rt, units)?;
        match r.error {
            None => best = units,
            Some(e) => {
                return Ok((
                    best,
                    Some(format!("{units}: {}", e.split(';').next().unwrap_or(&e))),
                ));
            }
        }
    }
    Ok((best, None))
}

fn c09(lab: &Lab) -> Result<Finding, String> {
    let (tasks, _) = reach(lab, "tokio")?;
    let (threads, thread_stop) = reach(lab, "threads")?;
    let (processes, _) = reach(lab, "processes")?;
    let (verdict, mut why) = c09_rule(tasks, threads, processes);
    if let Some(stop) = thread_stop {
        why.push_str(&format!("; threads stopped at {stop}"));
    }
    Ok(Finding {
        measured: vec![
            count(FigureId::C09Tasks, "tokio tasks", tasks),
            count(FigureId::C09Threads, "threads", threads),
            count(
                FigureId::C09Processes,
                "processes (largest size tried)",
                processes,
            ),
        ],
        verdict,
        why,
    })
}

/// How a reached maximum compares with a claimed range (None: open-ended).
fn range_verdict(reached: usize, low: f64, high: Option<f64>) -> Verdict {
    let r = reached as f64;
    match high {
        _ if r < low => {
            if r * 10.0 >= low {
                Verdict::HoldsRoughly
            } else {
                Verdict::DoesNotHold
            }
        }
        None => Verdict::Holds,
        Some(h) if r <= h => Verdict::Holds,
        Some(h) if r <= 10.0 * h => Verdict::HoldsRoughly,
        Some(_) => Verdict::DoesNotHold,
    }
}

pub fn c09_rule(tasks: usize, threads: usize, processes: usize) -> (Verdict, String) {
    let verdict = range_verdict(tasks, 100.0, None)
        .worst(range_verdict(threads, 10.0, Some(50.0)))
        .worst(range_verdict(processes, 1.0, Some(16.0)));
    (
        verdict,
        format!(
            "here: {tasks} idle tasks, {threads} threads, {processes}+ processes; the notes' ranges are CPython's practical ones"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c07_boundaries() {
        assert_eq!(
            c07_rule(1024.0, 8.0 * MB, 8.0 * MB, 50.0 * MB).0,
            Verdict::Holds
        );
        assert_eq!(
            c07_rule(450.0, 8.0 * MB, 8.0 * MB, 50.0 * MB).0,
            Verdict::HoldsRoughly
        );
        assert_eq!(
            c07_rule(450.0, 9.7 * KB, 2.0 * MB, 250.0 * KB).0,
            Verdict::DoesNotHold
        );
    }

    #[test]
    fn c08_boundaries() {
        assert_eq!(c08_rule(100.0 * KB, 800.0 * MB).0, Verdict::Holds);
        assert_eq!(c08_rule(45.0 * KB, 800.0 * MB).0, Verdict::HoldsRoughly);
        assert_eq!(c08_rule(45.0 * KB, 1.0 * MB).0, Verdict::DoesNotHold);
    }

    #[test]
    fn c09_boundaries() {
        assert_eq!(c09_rule(1_000_000, 50, 16).0, Verdict::Holds);
        assert_eq!(c09_rule(1_000_000, 500, 16).0, Verdict::HoldsRoughly);
        assert_eq!(c09_rule(1_000_000, 15_000, 256).0, Verdict::DoesNotHold);
        assert_eq!(c09_rule(9, 50, 16).0, Verdict::DoesNotHold);
        assert_eq!(c09_rule(10, 50, 16).0, Verdict::HoldsRoughly);
    }
}
