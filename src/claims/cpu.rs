//! Claims about CPU-bound work and processes: threads vs processes on CPU work (C10),
//! processes' start-up cost (C11), async on one core (C14), processes on I/O (C16). C10,
//! C11 and C14 quote the one CPU experiment ([`super::cpu_runs`]): the same cells and the
//! same speed-ups.

use super::cpu_runs::{CpuCell, CpuResult, CpuRuns, TASK_TARGET};
use super::judge::{Est, Test, figure, ladder, num, secs};
use super::lab::{Lab, Trial, counted};
use super::memory;
use super::{Claim, Figure, FigureId, FigureKey, FigureUnit, Finding, Verdict};
use crate::limit::Limit;
use crate::workload::{Latency, WorkloadSpec};

/// A speed-up whose interval lies at or above this computed on more than one core (it
/// helps); at or below it, on one (C10, C11, C14). A one-core runtime measures about 0.8 to
/// 1.0x on a shared host, multi-core ones 1.4 to 2.0x on 2 cores (see `cpu_runs`).
const MORE_THAN_ONE_CORE: f64 = 1.2;
/// C11: starting a process costs at least this many thread starts.
const COSTLY: f64 = 5.0;
/// C16: processes "help" when they take at most this fraction of the sequential time ...
const C16_HELPS: f64 = 0.5;
/// ... and "waste" when a process costs at least this many tasks' memory.
const C16_WASTE: f64 = 100.0;

pub static CLAIMS: [Claim; 4] = [
    Claim {
        id: "C10",
        source: "001, 002",
        claim: "threads don't help CPU-bound work (the GIL); only processes do",
        rule: || {
            format!(
                "the CPU experiment (16 tasks of about {} ms each; speed-up over sequential on the fastest \
                 core), where at least {MORE_THAN_ONE_CORE}x is help: Python-only if threads help (they do in \
                 Rust; the GIL is CPython's); holds if threads stay at most {MORE_THAN_ONE_CORE}x while a pool \
                 of P processes helps; otherwise does not hold",
                TASK_TARGET.as_millis()
            )
        },
        run: c10,
    },
    Claim {
        id: "C11",
        source: "004",
        claim: "processes give true parallelism at a higher start-up and IPC cost",
        rule: || {
            format!(
                "holds if starting a process costs at least {COSTLY}x a thread and a pool of P processes \
                 speeds the CPU experiment up at least {MORE_THAN_ONE_CORE}x (more than one core); roughly \
                 if one of the two"
            )
        },
        run: c11,
    },
    Claim {
        id: "C14",
        source: "000, 002",
        claim: "async runs on one CPU core",
        rule: || {
            format!(
                "the CPU experiment on the async runtimes: Python-only if the current-thread runtime \
                 (asyncio's counterpart) keeps at most {MORE_THAN_ONE_CORE} cores busy (its CPU time over \
                 its wall: one core, whatever the host's speed did to the baseline) while a multi-thread \
                 runtime (legacy async-std shown, not judged) computes at least {MORE_THAN_ONE_CORE}x faster \
                 than sequential: one core is asyncio's limit, not async's; holds if every multi-thread \
                 runtime stays at most {MORE_THAN_ONE_CORE}x and {MORE_THAN_ONE_CORE} cores busy while a \
                 pool of P threads ({CONTROL}, the host's control) reaches {MORE_THAN_ONE_CORE}x \
                 (inconclusive if it does not: the host gave one core); otherwise does not hold. The \
                 current-thread runtime runs one thread, so its cores busy exceed 1 only if it computes \
                 on more"
            )
        },
        run: c14,
    },
    Claim {
        id: "C16",
        source: "002",
        claim: "processes help I/O-bound work too, but waste resources",
        rule: || {
            format!(
                "50 waits: holds if a process per call takes at most {C16_HELPS} x the sequential time (it \
                 helps) and a process costs at least {C16_WASTE}x the memory of a task (waste: PSS per \
                 process and resident per task, the memory pass's slopes); roughly if one of the two"
            )
        },
        run: c16,
    },
];

/// The experiment's baseline and the speed-ups of the cells `keep` selects, under the
/// claim's figure ids.
fn figures(
    runs: &CpuRuns,
    ids: (FigureId, FigureId),
    keep: impl Fn(&CpuCell) -> bool,
) -> Vec<Figure> {
    let mut v = vec![secs(
        FigureKey::of(ids.0),
        format!(
            "sequential, fastest core (factorial({}) x 16)",
            runs.compute
        ),
        runs.sequential,
    )];
    v.extend(per_cell(runs, keep, ids.1, String::new, |r| {
        (r.speedup, FigureUnit::Ratio)
    }));
    v
}

/// One figure per cell `keep` selects, under `id` about the cell's label: the label, then
/// `suffix`, names it; `value` gives the figure and its unit.
fn per_cell<'a>(
    runs: &'a CpuRuns,
    keep: impl Fn(&CpuCell) -> bool + 'a,
    id: FigureId,
    suffix: impl Fn() -> String + 'a,
    value: impl Fn(&CpuResult) -> (Est, FigureUnit) + 'a,
) -> impl Iterator<Item = Figure> + 'a {
    runs.cells
        .iter()
        .filter(move |r| keep(&r.cell))
        .map(move |r| {
            let (e, unit) = value(r);
            let label = r.cell.label();
            figure(
                FigureKey::about(id, &label),
                format!("{label}{}", suffix()),
                e,
                unit,
            )
        })
}

fn missing(what: &str) -> String {
    format!("the CPU experiment has no {what} cell (not in this build)")
}

fn c10(lab: &Lab) -> Result<Finding, String> {
    let runs = lab.cpu_runs()?;
    let p = lab.parallelism();
    let threads = runs
        .speedup("threads", Limit::Unbounded)
        .ok_or_else(|| missing("threads"))?;
    let pool = runs
        .speedup("processes", Limit::Pool(p))
        .ok_or_else(|| missing("processes"))?;
    let (verdict, why) = c10_rule(p, threads, pool);
    let mut measured = figures(
        &runs,
        (FigureId::C10Sequential, FigureId::C10Speedup),
        |_| true,
    );
    let all = |_: &CpuCell| true;
    measured.extend(per_cell(
        &runs,
        all,
        FigureId::C10PeakMemory,
        || " peak memory".into(),
        |r| (r.peak_bytes, FigureUnit::Bytes),
    ));
    let reference = runs.fastest.map_or_else(String::new, |c| c.label());
    measured.extend(per_cell(
        &runs,
        all,
        FigureId::C10OverFastest,
        || format!(" wall over {reference}'s"),
        |r| (r.over_fastest, FigureUnit::Ratio),
    ));
    measured.push(Figure::new(
        FigureKey::of(FigureId::C10Compute),
        "n of each task's factorial",
        f64::from(runs.compute),
        FigureUnit::Count,
    ));
    measured.push(Figure::secs(
        FigureKey::of(FigureId::C10TaskSeconds),
        format!("one task, factorial({}), calibrated", runs.compute),
        runs.task_seconds,
    ));
    Ok(Finding {
        measured,
        verdict,
        why,
    })
}

pub fn c10_rule(p: usize, threads: Est, processes: Est) -> (Verdict, String) {
    let helps = |e, what| Test::of(p > 1).and(Test::at_least(e, MORE_THAN_ONE_CORE, what));
    ladder(
        vec![
            (helps(threads, "threads"), Verdict::PythonOnly),
            (
                Test::at_most(threads, MORE_THAN_ONE_CORE, "threads")
                    .and(helps(processes, "a process pool")),
                Verdict::Holds,
            ),
        ],
        Verdict::DoesNotHold,
        format!(
            "on {p} cores threads reach {threads}x and a pool of processes {processes}x over sequential"
        ),
    )
}

fn c11(lab: &Lab) -> Result<Finding, String> {
    let p = lab.parallelism();
    // The spawn probe's median of its runs per unit, with their min..max.
    let start_cost = |rt: &str| {
        lab.spawn(rt).map(|s| {
            Est::new(
                s.spawn_seconds_per_unit,
                s.min_seconds_per_unit,
                s.max_seconds_per_unit,
            )
        })
    };
    let (task, thread, process) = (
        start_cost("tokio")?,
        start_cost("threads")?,
        start_cost("processes")?,
    );
    let runs = lab.cpu_runs()?;
    let pool = runs
        .speedup("processes", Limit::Pool(p))
        .ok_or_else(|| missing("processes"))?;
    let (verdict, why) = c11_rule(p, thread, process, pool);
    let start = |id, label, t: Est| secs(FigureKey::of(id), label, t);
    let mut measured = vec![
        start(FigureId::C11StartTask, "start a tokio task", task),
        start(FigureId::C11StartThread, "start a thread", thread),
        start(FigureId::C11StartProcess, "start a process", process),
    ];
    measured.extend(figures(
        &runs,
        (FigureId::C11Sequential, FigureId::C11Speedup),
        |c| c.runtime == "processes" || c.runtime == "crossbeam-pool",
    ));
    Ok(Finding {
        measured,
        verdict,
        why,
    })
}

pub fn c11_rule(p: usize, thread: Est, process: Est, process_speedup: Est) -> (Verdict, String) {
    let costly = || Test::ratio_at_least(process, thread, COSTLY, "a process start");
    let parallel = || {
        Test::of(p > 1).and(Test::at_least(
            process_speedup,
            MORE_THAN_ONE_CORE,
            "a process pool",
        ))
    };
    ladder(
        vec![
            (costly().and(parallel()), Verdict::Holds),
            (costly().or(parallel()), Verdict::HoldsRoughly),
        ],
        Verdict::DoesNotHold,
        format!(
            "a process costs {}x a thread to start; a pool of {p} processes runs CPU work {process_speedup}x faster",
            num(process.mid / thread.mid)
        ),
    )
}

fn c14(lab: &Lab) -> Result<Finding, String> {
    let p = lab.parallelism();
    let runs = lab.cpu_runs()?;
    let current = runs
        .cores_used("tokio-current-thread", Limit::Unbounded)
        .ok_or_else(|| missing("tokio-current-thread"))?;
    let asyncs = super::lab::multi_thread_asyncs();
    let multi: Vec<(&str, Est, Est)> = asyncs
        .iter()
        .filter(|rt| counted(rt))
        .filter_map(|rt| {
            let s = runs.speedup(rt, Limit::Unbounded)?;
            Some((*rt, s, runs.cores_used(rt, Limit::Unbounded)?))
        })
        .collect();
    // The control: a pool of as many threads as the runtimes have workers, so a busy host
    // (which shares CPU per thread) weighs on it as on them.
    let host = runs
        .speedup(CONTROL, Limit::Pool(p))
        .ok_or_else(|| missing(CONTROL))?;
    let (verdict, why) = c14_rule(p, current, &multi, host);
    let keep = |c: &CpuCell| c.runtime == "tokio-current-thread" || asyncs.contains(&c.runtime);
    let mut measured = figures(&runs, (FigureId::C14Sequential, FigureId::C14Speedup), keep);
    measured.extend(per_cell(
        &runs,
        keep,
        FigureId::C14CoresUsed,
        || ", cores kept busy".into(),
        |r| (r.cores_used, FigureUnit::Ratio),
    ));
    let speedup = runs
        .speedup("tokio-current-thread", Limit::Unbounded)
        .ok_or_else(|| missing("tokio-current-thread"))?;
    Ok(Finding {
        measured,
        verdict,
        why: format!("{why} (its speed-up over sequential: {speedup}x)"),
    })
}

/// C14's control that the host had more than one core to give: a pool of P threads.
const CONTROL: &str = "crossbeam-pool";

/// `current`: the cores the current-thread runtime kept busy (it runs one thread: this can
/// exceed 1 only if it computes on more); `multi`: each multi-thread runtime's speed-up and
/// cores kept busy; `host`: the control pool's speed-up in the same rounds, which shows
/// the host had more than one core to give (a busy host holds every runtime to one core,
/// and "holds" would then describe the host, not async).
pub fn c14_rule(
    p: usize,
    current: Est,
    multi: &[(&str, Est, Est)],
    host: Est,
) -> (Verdict, String) {
    let (control, host_busy) = if p > 1 {
        let what = "a pool of P threads (the host's control)";
        (
            Test::at_least(host, MORE_THAN_ONE_CORE, what),
            Test::at_most(host, MORE_THAN_ONE_CORE, what),
        )
    } else {
        (Test::Yes, Test::No)
    };
    let one_core = || Test::at_most(current, MORE_THAN_ONE_CORE, "the current-thread runtime");
    let parallel = Test::of(p > 1).and(Test::any(
        multi
            .iter()
            .map(|(rt, s, _)| Test::at_least(*s, MORE_THAN_ONE_CORE, rt)),
    ));
    let all_one = || {
        Test::all(multi.iter().flat_map(|(rt, s, c)| {
            [
                Test::at_most(*s, MORE_THAN_ONE_CORE, rt),
                Test::at_most(*c, MORE_THAN_ONE_CORE, &format!("{rt}'s cores busy")),
            ]
        }))
    };
    let shown: Vec<String> = multi
        .iter()
        .map(|(rt, s, c)| format!("{rt} {s}x ({c} cores busy)"))
        .collect();
    ladder(
        vec![
            (one_core().and(parallel), Verdict::PythonOnly),
            (one_core().and(all_one()).and(control), Verdict::Holds),
            // Every runtime on one core because the host gave one: not a finding about async.
            (
                one_core().and(all_one()).and(host_busy),
                Verdict::Inconclusive,
            ),
        ],
        Verdict::DoesNotHold,
        format!(
            "the current-thread runtime (asyncio's counterpart) keeps {current} cores busy; \
             multi-thread runtimes on {p} cores compute at {}; the control ({CONTROL}, pool of \
             {p}) at {host}x",
            shown.join(", ")
        ),
    )
}

fn c16(lab: &Lab) -> Result<Finding, String> {
    let l = lab.scaled(1.0);
    let spec = WorkloadSpec::io(50, Latency::Fixed(l));
    let trials = ["sequential", "processes", "tokio"].map(|rt| Trial::plain(rt, &spec));
    let walls = lab.walls(&trials)?;
    let [seq, processes, tokio] = [0, 1, 2].map(|i| Est::of(&walls[i]));
    // The figures the memory table and C07 publish: slopes over the memory pass's sizes.
    let per_process = lab.memory_model("processes")?;
    let per_task = lab.memory_model("tokio")?;
    let ((process_b, process_kind), (task_b, task_kind)) =
        (memory::own(&per_process)?, memory::own(&per_task)?);
    let (verdict, why) = c16_rule(seq, processes, process_b, task_b);
    Ok(Finding {
        measured: vec![
            secs(FigureKey::of(FigureId::C16Sequential), "sequential", seq),
            secs(
                FigureKey::of(FigureId::C16ProcessPerCall),
                "a process per call",
                processes,
            ),
            secs(FigureKey::of(FigureId::C16Tokio), "tokio", tokio),
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
    seq: Est,
    processes: Est,
    process_bytes: f64,
    task_bytes: f64,
) -> (Verdict, String) {
    let helps = || Test::ratio_at_most(processes, seq, C16_HELPS, "a process per call");
    let waste = || Test::of(process_bytes >= C16_WASTE * task_bytes);
    ladder(
        vec![
            (helps().and(waste()), Verdict::Holds),
            (helps().or(waste()), Verdict::HoldsRoughly),
        ],
        Verdict::DoesNotHold,
        format!(
            "processes overlap the waits ({:.0}% of the sequential time) at {:.0}x a task's memory each",
            100.0 * processes.mid / seq.mid,
            process_bytes / task_bytes.max(1.0)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(x: f64) -> Est {
        Est::point(x)
    }

    #[test]
    fn c10_boundaries() {
        assert_eq!(c10_rule(2, p(1.2), p(1.9)).0, Verdict::PythonOnly);
        assert_eq!(c10_rule(2, p(1.19), p(1.4)).0, Verdict::Holds);
        assert_eq!(c10_rule(2, p(1.0), p(1.1)).0, Verdict::DoesNotHold);
        assert_eq!(c10_rule(1, p(1.0), p(1.0)).0, Verdict::DoesNotHold);
    }

    /// The forged numbers of the interval rules: each side of C10's threshold of 1.2, and
    /// around it.
    #[test]
    fn c10_forged_intervals_each_side_of_and_around_the_threshold() {
        let pool = Est::new(1.8, 1.7, 1.9);
        let above = c10_rule(2, Est::new(1.8, 1.6, 1.9), pool);
        let below = c10_rule(2, Est::new(1.0, 0.95, 1.1), pool);
        let around = c10_rule(2, Est::new(1.25, 1.1, 1.4), pool);
        assert_eq!(above.0, Verdict::PythonOnly, "{}", above.1);
        assert_eq!(below.0, Verdict::Holds, "{}", below.1);
        assert_eq!(around.0, Verdict::Inconclusive, "{}", around.1);
        assert!(
            around.1.contains("threads 1.25 [1.1, 1.4] straddles 1.2"),
            "{}",
            around.1
        );
    }

    #[test]
    fn c11_boundaries() {
        assert_eq!(c11_rule(2, p(50e-6), p(250e-6), p(1.4)).0, Verdict::Holds);
        assert_eq!(
            c11_rule(2, p(50e-6), p(249e-6), p(1.4)).0,
            Verdict::HoldsRoughly
        );
        assert_eq!(
            c11_rule(2, p(50e-6), p(100e-6), p(1.0)).0,
            Verdict::DoesNotHold
        );
    }

    #[test]
    fn c14_boundaries() {
        // A multi-thread runtime: its speed-up, with cores busy that match it.
        let m = p;
        let rule = |c, s| {
            c14_rule(
                2,
                p(c),
                &[("tokio", m(s), m(s)), ("smol", p(1.0), p(1.0))],
                p(1.8),
            )
            .0
        };
        assert_eq!(rule(1.0, 1.19), Verdict::Holds);
        assert_eq!(
            rule(1.0, 1.4),
            Verdict::PythonOnly,
            "one multi-thread runtime suffices"
        );
        assert_eq!(rule(1.5, 1.9), Verdict::DoesNotHold);
        let around = Est::new(1.2, 1.1, 1.3);
        let around = c14_rule(2, p(1.0), &[("tokio", around, around)], p(1.8));
        assert_eq!(around.0, Verdict::Inconclusive, "{}", around.1);
        // The current-thread side is judged on cores kept busy: an interval around the
        // threshold is inconclusive, one wholly above it (a runtime using two cores) is not
        // one core.
        let tokio = [("tokio", p(1.8), p(1.9))];
        let busy_around = c14_rule(2, Est::new(1.15, 0.9, 1.3), &tokio, p(1.8));
        assert_eq!(busy_around.0, Verdict::Inconclusive, "{}", busy_around.1);
        assert_eq!(
            c14_rule(2, Est::new(1.9, 1.8, 1.95), &tokio, p(1.8)).0,
            Verdict::DoesNotHold
        );
    }

    #[test]
    fn c14_holds_only_if_no_runtime_keeps_more_than_one_core_busy() {
        // No faster, but two cores busy (spinning workers): not "runs on one core".
        let spinning = [("tokio", p(1.0), p(1.9))];
        assert_eq!(
            c14_rule(2, p(1.0), &spinning, p(1.8)).0,
            Verdict::DoesNotHold
        );
    }

    #[test]
    fn c14_on_a_host_that_gave_one_core_is_inconclusive_not_holds() {
        // Every runtime at one core reads "holds" only if the control shows the host had more.
        let one = [("tokio", p(1.0), p(1.0))];
        assert_eq!(c14_rule(2, p(1.0), &one, p(1.8)).0, Verdict::Holds);
        let busy = c14_rule(2, p(1.0), &one, p(1.0));
        assert_eq!(busy.0, Verdict::Inconclusive, "{}", busy.1);
        assert!(busy.1.contains("control"), "{}", busy.1);
        let unsure = c14_rule(2, p(1.0), &one, Est::new(1.2, 1.0, 1.4));
        assert_eq!(unsure.0, Verdict::Inconclusive, "{}", unsure.1);
        // A busy control does not overrule a runtime that did compute on two cores.
        let two = [("tokio", p(1.8), p(1.9))];
        assert_eq!(c14_rule(2, p(1.0), &two, p(1.0)).0, Verdict::PythonOnly);
        // On one core there is no control to ask for.
        assert_eq!(c14_rule(1, p(1.0), &one, p(1.0)).0, Verdict::Holds);
    }

    #[test]
    fn c16_boundaries() {
        assert_eq!(c16_rule(p(1.0), p(0.5), 100.0, 1.0).0, Verdict::Holds);
        assert_eq!(
            c16_rule(p(1.0), p(0.51), 100.0, 1.0).0,
            Verdict::HoldsRoughly
        );
        assert_eq!(c16_rule(p(1.0), p(0.6), 99.0, 1.0).0, Verdict::DoesNotHold);
    }
}
