//! Claims about memory and how many units fit: per idle unit (C07), for 100 waiting calls
//! (C08), and how many units each model runs (C09): the memory pass's most parked beside the
//! practical concurrency measured in [`super::practical`].

use super::judge::{Est, Test, figure, ladder, num};
use super::lab::Lab;
use super::practical::{
    self, BISECTIONS, CLIMB_STOP, EFFICIENCY_KEPT, FIRST_SIZE, MODELS, NARROW, STEPS_BELOW,
    STEPS_DOWN,
};
use super::verdict::{SIZE_HOLDS, SIZE_ROUGHLY, size_verdict};
use super::{Claim, Figure, FigureId, FigureKey, FigureUnit, Finding, Verdict};
use crate::results::{MemoryKind, MemoryModel, MemoryRecord};
use crate::units::{self, KIB as KB, MIB as MB};
use crate::workload::Latency;
use crate::workload::latency::format_duration;

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
                "the practical concurrency of each model: the most units (tokio tasks, a thread per task, a \
                 process per task) that keep io efficiency (ideal wall L over measured wall) >= {EFFICIENCY_KEPT} \
                 when all wait L (the notes' 1 s scaled) at once, so it depends on L (a longer wait hides more \
                 start cost); sizes {FIRST_SIZE}, {}, {}, ... up to {} (an OS refusal ends a ladder), \
                 a quick pass of one run per size climbing until one is below {CLIMB_STOP}, then the sizes \
                 from {STEPS_BELOW} steps below its first crossing in interleaved rounds; a size keeps it if its \
                 interval's low end is >= {EFFICIENCY_KEPT}, not if its high end is below, and only sizes \
                 measured in rounds count (while none keeps it, the rounds step down the ladder, at most \
                 {STEPS_DOWN} sizes); then the bracket between the largest size surely keeping it (K) and the \
                 first surely failing (F) is bisected in the same rounds at sqrt(K x F), at most {BISECTIONS} \
                 times and until F/K <= {NARROW}, a midpoint that straddles ending it; a cell failing at size \
                 {FIRST_SIZE} is an error, not a 0; the figure is [largest size surely keeping, one below the \
                 first size surely failing]; holds if each lies in the claimed range (1000+ is open-ended), \
                 roughly if within {SIZE_ROUGHLY}x of its ends, inconclusive if an interval straddles an end; \
                 the weakest of the three; the most idle units each model parked in the memory pass (the OS \
                 maximum) are shown beside it, not judged",
                3 * FIRST_SIZE,
                10 * FIRST_SIZE,
                caps(),
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

/// Each model's ladder cap, in words: `1,000,000 tasks, 10,000 threads, 1,000 processes`.
fn caps() -> String {
    let caps: Vec<String> = MODELS
        .iter()
        .map(|(_, u, cap)| format!("{} {u}", units::thousands(*cap)))
        .collect();
    caps.join(", ")
}

/// The notes' practical ranges: async, threads, processes (None: open-ended).
const C09_RANGES: [(f64, Option<f64>); 3] = [(100.0, None), (10.0, Some(50.0)), (1.0, Some(16.0))];

/// The practical figures' ids, in [`MODELS`] order.
const C09_PRACTICAL: [FigureId; 3] = [
    FigureId::C09PracticalTasks,
    FigureId::C09PracticalThreads,
    FigureId::C09PracticalProcesses,
];

fn c09(lab: &Lab) -> Result<Finding, String> {
    let l = lab.scaled(1.0);
    let climbs = practical::climb(lab, Latency::Fixed(l)).map_err(|e| e.to_string())?;
    let [tasks_p, threads_p, processes_p] = [0, 1, 2].map(|i| climbs[i].practical());
    let (verdict, mut why) = c09_rule(tasks_p, threads_p, processes_p);
    let tasks = lab.memory_model("tokio")?.max_units;
    let threads = lab.memory_model("threads")?;
    let processes = lab.memory_model("processes")?.max_units;
    let described: Vec<String> = climbs.iter().map(practical::describe).collect();
    why.push_str(&format!(
        "; at L = {}: {}; the OS maximum (memory pass, idle units parked): {tasks} tasks, {} threads, \
         {processes}+ processes",
        format_duration(l),
        described.join("; "),
        threads.max_units
    ));
    if let Some(stop) = &threads.stopped_by {
        let first = stop.split(';').next().unwrap_or(stop);
        why.push_str(&format!(" (threads stopped at {first})"));
    }
    let mut measured = vec![
        count(FigureId::C09Tasks, "tokio tasks", tasks),
        count(FigureId::C09Threads, "threads", threads.max_units),
        count(
            FigureId::C09Processes,
            "processes (largest size tried)",
            processes,
        ),
    ];
    for (c, id) in climbs.iter().zip(C09_PRACTICAL) {
        let label = format!("practical {} (io efficiency >= {EFFICIENCY_KEPT})", c.units);
        measured.push(figure(
            FigureKey::of(id),
            label,
            c.practical(),
            FigureUnit::Count,
        ));
    }
    for c in &climbs {
        for s in &c.steps {
            let subject = format!("{} x{}", c.runtime, s.size);
            let label = format!("io efficiency, {subject}");
            let key = FigureKey::about(FigureId::C09Efficiency, subject);
            measured.push(figure(key, label, s.efficiency, FigureUnit::Ratio));
        }
    }
    Ok(Finding {
        measured,
        verdict,
        why,
    })
}

/// A practical figure against a claimed range widened `k` times at each end.
fn in_range(e: Est, (low, high): (f64, Option<f64>), k: f64, what: &str) -> Test {
    let above = Test::at_least(e, low / k, what);
    match high {
        None => above,
        Some(h) => above.and(Test::at_most(e, h * k, what)),
    }
}

/// The practical concurrency of tasks, threads and processes (each the largest size surely
/// keeping the efficiency, up to one below the first surely failing) against the notes' ranges: the weakest of the three, inconclusive
/// when an interval straddles a range's end.
pub fn c09_rule(tasks: Est, threads: Est, processes: Est) -> (Verdict, String) {
    let figures = [
        ("tasks", tasks),
        ("threads", threads),
        ("processes", processes),
    ];
    let within = |k: f64| {
        Test::all(
            figures
                .iter()
                .zip(C09_RANGES)
                .map(|((what, e), range)| in_range(*e, range, k, &format!("practical {what}"))),
        )
    };
    let said: Vec<String> = figures
        .iter()
        .map(|(what, e)| format!("{what} {}", practical::practical_text(*e)))
        .collect();
    ladder(
        vec![
            (within(1.0), Verdict::Holds),
            (within(SIZE_ROUGHLY), Verdict::HoldsRoughly),
        ],
        Verdict::DoesNotHold,
        format!(
            "practical concurrency (io efficiency >= {}): {}; the notes' ranges are CPython's practical ones",
            num(EFFICIENCY_KEPT),
            said.join(", ")
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

    /// A decided practical figure (surely = possibly).
    fn at(n: f64) -> Est {
        Est::point(n)
    }

    /// A practical figure between two sizes.
    fn between(lo: f64, hi: f64) -> Est {
        Est::new(lo, lo, hi)
    }

    #[test]
    fn c09_boundaries() {
        let c09 = |t, th, p| c09_rule(t, th, p).0;
        assert_eq!(c09(at(1_000_000.0), at(50.0), at(16.0)), Verdict::Holds);
        assert_eq!(c09(at(100.0), at(10.0), at(1.0)), Verdict::Holds);
        assert_eq!(c09(at(1000.0), at(500.0), at(16.0)), Verdict::HoldsRoughly);
        assert_eq!(c09(at(1000.0), at(30.0), at(160.0)), Verdict::HoldsRoughly);
        assert_eq!(c09(at(10.0), at(50.0), at(16.0)), Verdict::HoldsRoughly);
        assert_eq!(c09(at(9.0), at(50.0), at(16.0)), Verdict::DoesNotHold);
        assert_eq!(c09(at(1000.0), at(501.0), at(16.0)), Verdict::DoesNotHold);
        assert_eq!(c09(at(1000.0), at(30.0), at(0.0)), Verdict::DoesNotHold);
    }

    #[test]
    fn c09_inconclusive_when_an_interval_straddles_an_end() {
        let c09 = |t, th, p| c09_rule(t, th, p);
        // Threads 30 to 100 straddle 50: holds or holds roughly.
        let (v, why) = c09(at(10_000.0), between(30.0, 100.0), at(10.0));
        assert_eq!(v, Verdict::Inconclusive);
        assert!(why.contains("holds and holds roughly"), "{why}");
        assert!(why.contains("straddles 50"), "{why}");
        // Processes 300 to 1000 straddle 160: roughly or not.
        let (v, why) = c09(at(10_000.0), at(30.0), between(100.0, 300.0));
        assert_eq!(v, Verdict::Inconclusive);
        assert!(why.contains("holds roughly and does not hold"), "{why}");
        // Tasks 30 to 100 reach the range's 100 only at the high end: holds or holds roughly.
        assert_eq!(
            c09(between(30.0, 100.0), at(30.0), at(10.0)).0,
            Verdict::Inconclusive
        );
        assert_eq!(
            c09(between(30.0, 90.0), at(30.0), at(10.0)).0,
            Verdict::HoldsRoughly
        );
        // An interval wholly past a rough end decides, however wide.
        assert_eq!(
            c09(at(10_000.0), between(1000.0, 3000.0), at(10.0)).0,
            Verdict::DoesNotHold
        );
        // One model not holding decides over another's straddling.
        assert_eq!(
            c09(at(10_000.0), between(30.0, 100.0), at(1000.0)).0,
            Verdict::DoesNotHold
        );
        assert!(
            c09(at(10_000.0), at(30.0), between(10.0, 30.0))
                .1
                .contains("processes 10 to 30")
        );
    }
}
