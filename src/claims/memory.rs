//! Claims about memory and how many units fit: per idle unit (C07), for 100 waiting calls
//! (C08), and the most each model reaches here (C09). All from the memory pass.

use super::lab::Lab;
use super::verdict::{SIZE_HOLDS, SIZE_ROUGHLY, size_verdict};
use super::{Claim, Figure, FigureId, FigureKey, FigureUnit, Finding, Verdict};
use crate::results::{MemoryKind, MemoryModel, MemoryRecord};
use crate::units::{self, KIB as KB, MIB as MB};

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
        rule: || {
            format!(
                "per idle unit, resident + kernel (PSS + kernel for processes), slopes over the memory pass's \
                 sizes, each the median of fresh processes: each figure holds within {SIZE_HOLDS}x of the claim, \
                 roughly within {SIZE_ROUGHLY}x; the verdict is the weakest of the three"
            )
        },
        run: c07,
    },
    Claim {
        id: "C08",
        source: "001",
        claim: "100 calls: asyncio ~100 KB, threads ~800 MB",
        rule: || {
            format!(
                "resident growth for exactly 100 waiting units: holds within {SIZE_HOLDS}x of the claim, roughly \
                 within {SIZE_ROUGHLY}x; the verdict is the weaker of the two"
            )
        },
        run: c08,
    },
    Claim {
        id: "C09",
        source: "001 tables",
        claim: "max concurrent: async 100-1000+, threads 10-50, processes 1-16",
        rule: || {
            format!(
                "the most idle units each model reached in the memory pass (async up to 1M, threads until \
                 the OS refuses, processes up to 256): holds if each lies in the claimed range (1000+ is \
                 open-ended), roughly if within {SIZE_ROUGHLY}x of its ends; the verdict is the weakest"
            )
        },
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

/// Why a model's memory pass has no `what` per unit.
fn missing(m: &MemoryModel, what: &str) -> String {
    let why = m.stopped_by.as_deref().unwrap_or("no size parked");
    format!("memory pass, {}: no {what} per unit ({why})", m.runtime)
}

/// A per-unit figure of a model's memory pass, or why it is missing.
fn per_unit(
    m: &MemoryModel,
    what: &str,
    get: impl Fn(&MemoryModel) -> Option<f64>,
) -> Result<f64, String> {
    get(m).ok_or_else(|| missing(m, what))
}

/// A model's own memory per unit and which figure it is ([`MemoryModel::own_per_unit`]:
/// PSS for processes, else resident): the one figure the memory table and C16 publish too.
pub fn own(m: &MemoryModel) -> Result<(f64, MemoryKind), String> {
    m.own_per_unit()
        .ok_or_else(|| missing(m, "resident memory"))
}

fn c07(lab: &Lab) -> Result<Finding, String> {
    let task = lab.memory_model("tokio")?;
    let thread = lab.memory_model("threads")?;
    let process = lab.memory_model("processes")?;
    let kernel = |m: &MemoryModel| per_unit(m, "kernel memory", |m| m.kernel_per_unit_bytes);
    let total = |m: &MemoryModel| per_unit(m, "total", |m| m.total_per_unit_bytes);
    let thread_v = per_unit(&thread, "virtual memory", |m| m.virtual_per_unit_bytes)?;
    let process_rss = per_unit(&process, "resident memory", |m| m.rss_per_unit_bytes)?;
    let (verdict, mut why) = c07_rule(total(&task)?, total(&thread)?, thread_v, total(&process)?);
    why.push_str(&format!(
        "; kernel memory per unit (stacks, page tables, slab): a task {}, a thread {}, a process {}",
        units::bytes(Some(kernel(&task)?)),
        units::bytes(Some(kernel(&thread)?)),
        units::bytes(Some(kernel(&process)?)),
    ));
    for m in [&task, &thread, &process] {
        if let Some(noise) = &m.kernel_noise {
            why.push_str(&format!("; {} kernel figure noisy: {noise}", m.runtime));
        }
    }
    Ok(Finding {
        measured: vec![
            bytes(
                FigureId::C07TaskResident,
                "tokio task resident",
                own(&task)?.0,
            ),
            bytes(
                FigureId::C07ThreadResident,
                "thread resident",
                own(&thread)?.0,
            ),
            bytes(
                FigureId::C07ThreadVirtual,
                "thread virtual (stack reserved)",
                thread_v,
            ),
            bytes(FigureId::C07ProcessPss, "process PSS", own(&process)?.0),
            bytes(FigureId::C07ProcessRss, "process RSS", process_rss),
            bytes(FigureId::C07TaskKernel, "tokio task kernel", kernel(&task)?),
            bytes(FigureId::C07ThreadKernel, "thread kernel", kernel(&thread)?),
            bytes(
                FigureId::C07ProcessKernel,
                "process kernel",
                kernel(&process)?,
            ),
            bytes(FigureId::C07TaskTotal, "tokio task total", total(&task)?),
            bytes(FigureId::C07ThreadTotal, "thread total", total(&thread)?),
            bytes(FigureId::C07ProcessTotal, "process total", total(&process)?),
        ],
        verdict,
        why,
    })
}

/// Each unit's whole cost (its own memory and the kernel's for it) against the claim.
pub fn c07_rule(task: f64, thread: f64, thread_virtual: f64, process: f64) -> (Verdict, String) {
    let verdict = size_verdict(task, KB)
        .worst(size_verdict(thread, 8.0 * MB))
        .worst(size_verdict(process, 50.0 * MB));
    let why = format!(
        "a task is {:.2}x the claimed 1 KB; a thread reserves {:.1} MiB of stack but costs {:.1} KiB; \
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
    let (verdict, mut why) = c08_rule(grew(&tasks), grew(&threads));
    // Beside the growth of exactly 100 units: 100 x the slope over the memory pass's sizes
    // (one allocator growth step can make 100 units read high or low).
    let slope = |rt| -> Result<f64, String> { Ok(100.0 * own(&lab.memory_model(rt)?)?.0) };
    let (task_slope, thread_slope) = (slope("tokio")?, slope("threads")?);
    why.push_str(&format!(
        "; 100 x the per-unit slope of the memory pass: tasks {}, threads {}",
        units::bytes(Some(task_slope)),
        units::bytes(Some(thread_slope))
    ));
    Ok(Finding {
        measured: vec![
            bytes(FigureId::C08Tasks, "100 tokio tasks", grew(&tasks)),
            bytes(FigureId::C08Threads, "100 threads", grew(&threads)),
            bytes(
                FigureId::C08TasksSlope,
                "100 x a tokio task's slope",
                task_slope,
            ),
            bytes(
                FigureId::C08ThreadsSlope,
                "100 x a thread's slope",
                thread_slope,
            ),
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

fn c09(lab: &Lab) -> Result<Finding, String> {
    let tasks = lab.memory_model("tokio")?.max_units;
    let threads = lab.memory_model("threads")?;
    let processes = lab.memory_model("processes")?.max_units;
    let (verdict, mut why) = c09_rule(tasks, threads.max_units, processes);
    if let Some(stop) = &threads.stopped_by {
        let first = stop.split(';').next().unwrap_or(stop);
        why.push_str(&format!("; threads stopped at {first}"));
    }
    Ok(Finding {
        measured: vec![
            count(FigureId::C09Tasks, "tokio tasks", tasks),
            count(FigureId::C09Threads, "threads", threads.max_units),
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
            if r * SIZE_ROUGHLY >= low {
                Verdict::HoldsRoughly
            } else {
                Verdict::DoesNotHold
            }
        }
        None => Verdict::Holds,
        Some(h) if r <= h => Verdict::Holds,
        Some(h) if r <= SIZE_ROUGHLY * h => Verdict::HoldsRoughly,
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
