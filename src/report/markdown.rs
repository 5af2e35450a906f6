//! BENCHMARK.md's generated sections: the decision table, the claims' verdicts, memory per
//! unit, the machine, and the charts, each built only from a loaded results folder; and the
//! rewrite of the text between `<!-- rtbench:begin NAME -->` and `<!-- rtbench:end NAME -->`
//! markers, leaving everything else byte for byte.
//!
//! Every pick of the decision table comes from a rule in this file, applied to the folder's
//! numbers, and each row shows the numbers the rule compared.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use thiserror::Error;

use crate::claims::{ClaimResult, Verdict};
use crate::report::{bytes, most_common, seconds, thousands};
use crate::results::{CellRecord, Loaded, MemoryModel, Summary};

/// The sections, in the order BENCHMARK.md shows them.
pub const SECTION_NAMES: [&str; 5] = ["decision", "claims", "memory", "machine", "charts"];

/// The charts `report::charts` draws, `charts/NAME.svg`, with their captions (a test keeps the
/// two lists equal).
pub const CHARTS: [(&str, &str); 7] = [
    (
        "throughput-vs-tasks",
        "Throughput against the number of concurrent waits",
    ),
    (
        "efficiency-vs-limit",
        "Efficiency (ideal / measured) under each concurrency limit",
    ),
    ("cpu-speedup", "CPU-bound speed-up over sequential"),
    (
        "memory-per-unit",
        "Memory per idle task, thread and process",
    ),
    ("latency-percentiles", "Task completion latency percentiles"),
    ("timer-overshoot", "How far each runtime's sleep overshoots"),
    (
        "limit-comparison",
        "Semaphore, batches and pool under one limit",
    ),
];

/// Two candidates whose times are within this fraction of each other count as equally fast;
/// memory then decides.
pub const MARGIN: f64 = 0.10;

/// One generated section: the text that goes between its markers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub name: &'static str,
    pub body: String,
}

/// The sections for a loaded folder, linking every chart under `charts_rel` (no folder to
/// check which exist; see [`sections_in`]).
pub fn sections(loaded: &Loaded, charts_rel: &str) -> Vec<Section> {
    build(loaded, charts_rel, None)
}

/// The sections for the folder `dir` was loaded from, linking only the charts whose
/// `dir/charts/NAME.svg` exists.
pub fn sections_in(dir: &Path, loaded: &Loaded, charts_rel: &str) -> Vec<Section> {
    let present: Vec<&'static str> = CHARTS
        .iter()
        .map(|c| c.0)
        .filter(|name| dir.join("charts").join(format!("{name}.svg")).is_file())
        .collect();
    build(loaded, charts_rel, Some(&present))
}

fn build(loaded: &Loaded, charts_rel: &str, present: Option<&[&'static str]>) -> Vec<Section> {
    let s = &loaded.summary;
    let claims = loaded.claims.as_ref().map(|c| c.claims.as_slice());
    vec![
        Section {
            name: "decision",
            body: decision(s, claims),
        },
        Section {
            name: "claims",
            body: claims_section(loaded),
        },
        Section {
            name: "memory",
            body: memory_section(&s.memory_models),
        },
        Section {
            name: "machine",
            body: machine_section(loaded),
        },
        Section {
            name: "charts",
            body: charts_section(charts_rel, present),
        },
    ]
}

// ---------------------------------------------------------------------------------------
// The decision table.

/// One option a row compares: a model's best runtime with the numbers behind it.
#[derive(Debug, Clone)]
struct Candidate {
    /// e.g. `async (tokio)`.
    label: String,
    /// What the rule compares: lower is better (seconds).
    time: f64,
    /// The tie-break: lower is better (bytes); None when not measured.
    memory: Option<f64>,
    /// The numbers shown for it.
    shown: String,
}

/// The fastest candidate; among those within [`MARGIN`] of it, the one with the least memory
/// (candidates without a memory figure lose that tie-break to those with one).
fn pick(candidates: &[Candidate]) -> Option<usize> {
    let best = candidates
        .iter()
        .map(|c| c.time)
        .fold(f64::INFINITY, f64::min);
    candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| c.time <= best * (1.0 + MARGIN))
        .min_by(|(_, a), (_, b)| {
            let mem = |c: &Candidate| c.memory.unwrap_or(f64::INFINITY);
            mem(a).total_cmp(&mem(b)).then(a.time.total_cmp(&b.time))
        })
        .map(|(i, _)| i)
}

/// The concurrency model a runtime belongs to.
fn model(runtime: &str) -> &'static str {
    match runtime {
        "tokio" | "tokio-current-thread" | "smol" | "async-std" => "async",
        "threads" => "threads",
        "crossbeam-pool" | "rayon" => "thread pool",
        "processes" => "processes",
        "sequential" => "sequential",
        _ => "other",
    }
}

/// `async (tokio)`, `threads`, `thread pool (rayon)`.
fn model_label(runtime: &str) -> String {
    let m = model(runtime);
    if m == runtime {
        m.to_string()
    } else {
        format!("{m} ({runtime})")
    }
}

/// What one unit of a runtime is, for "per task" and the like.
fn unit_noun(runtime: &str) -> &'static str {
    match model(runtime) {
        "threads" => "thread",
        "processes" => "process",
        "thread pool" => "job",
        _ => "task",
    }
}

/// Memory per idle unit from the memory pass: PSS where measured (processes share their
/// binary's pages), else resident.
fn unit_memory(s: &Summary, runtime: &str) -> Option<(f64, &'static str)> {
    let m = s.memory_models.iter().find(|m| m.runtime == runtime)?;
    m.pss_per_unit_bytes
        .map(|b| (b, "PSS"))
        .or(m.rss_per_unit_bytes.map(|b| (b, "resident")))
}

fn unit_memory_text(s: &Summary, runtime: &str) -> Option<String> {
    unit_memory(s, runtime)
        .map(|(b, kind)| format!("{} {kind} per {}", bytes(Some(b)), unit_noun(runtime)))
}

/// Peak resident memory of a cell's process and its worker processes.
fn footprint(c: &CellRecord) -> f64 {
    (c.peak_rss_bytes + c.children_peak_rss_bytes.unwrap_or(0)) as f64
}

/// The cells of `workload` that may take part in a comparison: they ran, normally, on a
/// maintained runtime.
fn usable<'a>(s: &'a Summary, workload: &str) -> impl Iterator<Item = &'a CellRecord> {
    s.cells.iter().filter(move |c| {
        c.ok()
            && (c.variant == "normal" || c.variant.is_empty())
            && !c.legacy
            && c.workload == workload
    })
}

fn wall(c: &CellRecord) -> String {
    let noisy = if c.noisy { " (noisy)" } else { "" };
    format!("{}{noisy}", seconds(c.wall_seconds))
}

/// The best cell of each model (not sequential): the fastest of its runtimes' cells.
fn best_per_model<'a>(cells: &[&'a CellRecord]) -> Vec<&'a CellRecord> {
    let mut best: Vec<&'a CellRecord> = Vec::new();
    for &c in cells {
        if model(&c.runtime) == "sequential" {
            continue;
        }
        match best
            .iter_mut()
            .find(|b| model(&b.runtime) == model(&c.runtime))
        {
            Some(b) if c.wall_seconds < b.wall_seconds => *b = c,
            Some(_) => {}
            None => best.push(c),
        }
    }
    best.sort_by(|a, b| a.wall_seconds.total_cmp(&b.wall_seconds));
    best
}

struct Row {
    workload: String,
    pick: String,
    measured: String,
    rule: &'static str,
}

impl Row {
    fn not_measured(workload: &str, how: &str, rule: &'static str) -> Row {
        Row {
            workload: workload.to_string(),
            pick: "not measured".into(),
            measured: how.to_string(),
            rule,
        }
    }
}

/// The [`pick`] as `**pick**`, then every candidate's numbers, the pick first; None without
/// candidates.
fn compared(candidates: &[Candidate]) -> Option<(String, String)> {
    let chosen = pick(candidates)?;
    let mut shown = vec![format!(
        "**{}**: {}",
        candidates[chosen].label, candidates[chosen].shown
    )];
    shown.extend(
        candidates
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != chosen)
            .map(|(_, c)| format!("{}: {}", c.label, c.shown)),
    );
    Some((
        format!("**{}**", candidates[chosen].label),
        shown.join("; "),
    ))
}

const RULE_IO: &str =
    "fastest median wall; a model within 10% of it with less memory per unit wins";
const RULE_CPU: &str = "highest speed-up over sequential, each runtime at its largest worker count; \
                        within 10%, the smaller peak memory (workers included) wins";
const RULE_MIXED: &str =
    "fastest median wall; within 10%, the smaller peak memory (workers included) wins";
const RULE_BLOCKING: &str = "where the blocking call is faster, for every async runtime measured";
const RULE_LIMIT: &str = "every limit style within 10% of the fastest under each latency spread; \
                          rejections from C06, the adaptive limit from C15 when it holds";
const RULE_SPAWN: &str = "cheapest start and join per unit; within 10%, less memory per unit wins";
const RULE_TIMER: &str = "smallest overshoot of the shortest sleep probed";

fn decision(s: &Summary, claims: Option<&[ClaimResult]>) -> String {
    let claim = |id: &str| claims.and_then(|cs| cs.iter().find(|c| c.id == id));
    let rows = [
        io_row(s),
        cpu_row(s),
        mixed_row(s),
        blocking_row(claim("C17")),
        limit_row(s, claim("C06"), claim("C15")),
        spawn_row(s),
        timer_row(s),
    ];
    let mut out = String::new();
    if !s.complete {
        out.push_str(
            "> This run did not finish: the rows use the cells finished before it stopped.\n\n",
        );
    }
    let _ = writeln!(
        out,
        "Picked from this folder's numbers ({} profile, {} cores) by the rule in each row; \
         times are medians of the repetitions. Legacy runtimes and failed cells are not candidates.\n",
        s.profile, s.machine.cores
    );
    out.push_str("| workload | pick | measured | rule |\n|---|---|---|---|\n");
    for r in &rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            cell(&r.workload),
            cell(&r.pick),
            cell(&r.measured),
            cell(r.rule)
        );
    }
    let failed: Vec<String> = s
        .cells
        .iter()
        .filter(|c| !c.ok())
        .map(|c| {
            format!(
                "{} {} x{} {}: {}",
                c.runtime,
                c.workload,
                thousands(c.tasks),
                c.limit,
                c.error_kind.as_deref().unwrap_or("failed")
            )
        })
        .collect();
    if !failed.is_empty() {
        let _ = writeln!(
            out,
            "\nFailed cells (not candidates): {}.",
            failed.join("; ")
        );
    }
    out
}

fn io_row(s: &Summary) -> Row {
    let name = "many concurrent waits (I/O-bound)";
    let io: Vec<&CellRecord> = usable(s, "io").filter(|c| c.limit == "unbounded").collect();
    let Some(n) = io.iter().map(|c| c.tasks).max() else {
        return Row::not_measured(name, "no io cells without a limit", RULE_IO);
    };
    let latency = most_common(
        io.iter()
            .filter(|c| c.tasks == n)
            .map(|c| c.latency.clone()),
    )
    .unwrap_or_default();
    let at_n: Vec<&CellRecord> = io
        .iter()
        .copied()
        .filter(|c| c.tasks == n && c.latency == latency)
        .collect();
    let candidates: Vec<Candidate> = best_per_model(&at_n)
        .into_iter()
        .map(|c| {
            let mut shown = format!("{}, efficiency {:.2}", wall(c), c.efficiency);
            if let Some(m) = unit_memory_text(s, &c.runtime) {
                let _ = write!(shown, ", {m}");
            }
            Candidate {
                label: model_label(&c.runtime),
                time: c.wall_seconds,
                memory: unit_memory(s, &c.runtime).map(|m| m.0),
                shown,
            }
        })
        .collect();
    let Some((pick, mut measured)) = compared(&candidates) else {
        return Row::not_measured(name, "no io cells without a limit", RULE_IO);
    };
    // Models measured only at smaller sizes (e.g. a process per task is too slow to start
    // 10,000 times in a quick profile): their largest size, for scale.
    let present: BTreeSet<&str> = at_n.iter().map(|c| model(&c.runtime)).collect();
    let mut missing: Vec<&str> = Vec::new();
    for c in io.iter().filter(|c| c.latency == latency) {
        let m = model(&c.runtime);
        if m != "sequential" && !present.contains(m) && !missing.contains(&m) {
            missing.push(m);
        }
    }
    for m in missing {
        let theirs: Vec<&CellRecord> = io
            .iter()
            .copied()
            .filter(|c| c.latency == latency && model(&c.runtime) == m)
            .collect();
        let largest = theirs.iter().map(|c| c.tasks).max().unwrap_or(0);
        let at: Vec<&CellRecord> = theirs.into_iter().filter(|c| c.tasks == largest).collect();
        if let Some(c) = best_per_model(&at).first() {
            let _ = write!(
                measured,
                "; {}: not run at {} (at {}: {}, efficiency {:.2}{})",
                model_label(&c.runtime),
                thousands(n),
                thousands(largest),
                wall(c),
                c.efficiency,
                unit_memory_text(s, &c.runtime).map_or_else(String::new, |m| format!(", {m}"))
            );
        }
    }
    Row {
        workload: format!(
            "{name}: {} tasks each waiting {latency}, all at once",
            thousands(n)
        ),
        pick,
        measured,
        rule: RULE_IO,
    }
}

fn cpu_row(s: &Summary) -> Row {
    let name = "CPU-bound";
    let cpu: Vec<&CellRecord> = usable(s, "cpu").collect();
    // The largest work that has a sequential baseline.
    let Some((tasks, compute)) = cpu
        .iter()
        .filter(|c| c.runtime == "sequential")
        .map(|c| (c.tasks, c.compute))
        .max_by_key(|&(t, k)| (u64::from(k) * t as u64, k))
    else {
        return Row::not_measured(name, "no cpu cells with a sequential baseline", RULE_CPU);
    };
    let group: Vec<&CellRecord> = cpu
        .iter()
        .copied()
        .filter(|c| c.tasks == tasks && c.compute == compute)
        .collect();
    let baselines: Vec<f64> = group
        .iter()
        .filter(|c| c.runtime == "sequential")
        .map(|c| c.wall_seconds)
        .collect();
    let base = baselines.iter().copied().fold(f64::INFINITY, f64::min);
    // Each runtime at its largest worker count.
    let mut at_max: Vec<&CellRecord> = Vec::new();
    let runtimes: BTreeSet<&str> = group.iter().map(|c| c.runtime.as_str()).collect();
    for rt in runtimes {
        let mine = group.iter().filter(|c| c.runtime == rt);
        let most = mine.clone().map(|c| c.workers).max().unwrap_or(0);
        if let Some(c) = mine
            .filter(|c| c.workers == most)
            .min_by(|a, b| a.wall_seconds.total_cmp(&b.wall_seconds))
        {
            at_max.push(c);
        }
    }
    let candidates: Vec<Candidate> = best_per_model(&at_max)
        .into_iter()
        .map(|c| Candidate {
            label: model_label(&c.runtime),
            time: c.wall_seconds,
            memory: Some(footprint(c)),
            shown: format!(
                "{:.2}x ({}, {} {}{})",
                base / c.wall_seconds,
                wall(c),
                c.workers,
                if model(&c.runtime) == "processes" {
                    "processes"
                } else {
                    "threads"
                },
                if c.child_processes > 0 {
                    format!(", {} peak with workers", bytes(Some(footprint(c))))
                } else {
                    String::new()
                }
            ),
        })
        .collect();
    let Some((pick, mut measured)) = compared(&candidates) else {
        return Row::not_measured(name, "only the sequential baseline was measured", RULE_CPU);
    };
    let ideal = (s.machine.cores.min(tasks)) as f64;
    let _ = write!(
        measured,
        "; sequential {}{}; at most {ideal:.2}x on {} cores",
        seconds(base),
        if baselines.len() > 1 {
            format!(" (the fastest of {} cells)", baselines.len())
        } else {
            String::new()
        },
        s.machine.cores
    );
    Row {
        workload: format!(
            "{name}: {tasks} tasks each computing factorial({})",
            thousands(compute as usize)
        ),
        pick,
        measured,
        rule: RULE_CPU,
    }
}

fn mixed_row(s: &Summary) -> Row {
    let name = "mixed (waits and computation)";
    let mixed: Vec<&CellRecord> = usable(s, "mixed").collect();
    let Some(n) = mixed.iter().map(|c| c.tasks).max() else {
        return Row::not_measured(name, "no mixed cells", RULE_MIXED);
    };
    let Some((latency, compute)) = most_common(
        mixed
            .iter()
            .filter(|c| c.tasks == n)
            .map(|c| (c.latency.clone(), c.compute)),
    ) else {
        return Row::not_measured(name, "no mixed cells", RULE_MIXED);
    };
    let group: Vec<&CellRecord> = mixed
        .iter()
        .copied()
        .filter(|c| c.tasks == n && c.latency == latency && c.compute == compute)
        .collect();
    let candidates: Vec<Candidate> = best_per_model(&group)
        .into_iter()
        .map(|c| Candidate {
            label: model_label(&c.runtime),
            time: c.wall_seconds,
            memory: Some(footprint(c)),
            shown: format!(
                "{}, efficiency {:.2}, {} peak",
                wall(c),
                c.efficiency,
                bytes(Some(footprint(c)))
            ),
        })
        .collect();
    let Some((pick, mut measured)) = compared(&candidates) else {
        return Row::not_measured(
            name,
            "only the sequential baseline was measured",
            RULE_MIXED,
        );
    };
    if let Some(seq) = group
        .iter()
        .filter(|c| c.runtime == "sequential")
        .min_by(|a, b| a.wall_seconds.total_cmp(&b.wall_seconds))
    {
        let _ = write!(measured, "; sequential {}", wall(seq));
    }
    Row {
        workload: format!(
            "{name}: {} tasks of steps each waiting {latency} then computing factorial({})",
            thousands(n),
            thousands(compute as usize)
        ),
        pick,
        measured,
        rule: RULE_MIXED,
    }
}

/// A figure's value by its exact label.
fn figure(c: &ClaimResult, label: &str) -> Option<f64> {
    c.measured
        .iter()
        .find(|f| f.label == label)
        .map(|f| f.value)
}

fn verdict_text(c: &ClaimResult) -> String {
    c.verdict
        .map_or_else(|| "not measured".to_string(), |v| v.to_string())
}

fn blocking_row(c17: Option<&ClaimResult>) -> Row {
    let name = "a blocking library inside async code";
    let Some(c) = c17 else {
        return Row::not_measured(
            name,
            "claim C17 was not run (`rtbench claims`)",
            RULE_BLOCKING,
        );
    };
    const INSIDE: &str = " blocking in tasks";
    const POOL: &str = " on the blocking pool";
    let pairs: Vec<(&str, f64, f64)> = c
        .measured
        .iter()
        .filter_map(|f| {
            let rt = f.label.strip_suffix(INSIDE)?;
            Some((rt, f.value, figure(c, &format!("{rt}{POOL}"))?))
        })
        .collect();
    if pairs.is_empty() {
        let why = c.error.as_deref().unwrap_or("C17 holds no measured pairs");
        return Row::not_measured(name, why, RULE_BLOCKING);
    }
    let pool_wins = pairs.iter().all(|&(_, inside, pool)| pool < inside);
    let inside_wins = pairs.iter().all(|&(_, inside, pool)| inside < pool);
    let pick = if pool_wins {
        "**move the call to the runtime's blocking pool** (spawn_blocking, smol::unblock)"
    } else if inside_wins {
        "**call it inside the task** (the blocking pool was slower)"
    } else {
        "no consistent winner"
    };
    let shown: Vec<String> = pairs
        .iter()
        .map(|(rt, inside, pool)| {
            format!(
                "{rt}: {} in tasks vs {} on the pool ({:.1}x)",
                seconds(*inside),
                seconds(*pool),
                inside / pool
            )
        })
        .collect();
    Row {
        workload: format!("{name}: claim C17's blocking calls ({})", c.scale),
        pick: pick.into(),
        measured: format!("{}; C17 {}", shown.join("; "), verdict_text(c)),
        rule: RULE_BLOCKING,
    }
}

/// `semaphore:10` -> ("semaphore", 10).
fn limit_kind(limit: &str) -> Option<(&str, &str)> {
    let (kind, n) = limit.split_once(':')?;
    matches!(kind, "semaphore" | "batches" | "pool").then_some((kind, n))
}

fn limit_row(s: &Summary, c06: Option<&ClaimResult>, c15: Option<&ClaimResult>) -> Row {
    let name = "bounding concurrency against a rate-limited API";
    let limited: Vec<&CellRecord> = usable(s, "io")
        .filter(|c| limit_kind(&c.limit).is_some())
        .collect();
    // Groups (tasks, latency, N) in which at least two limit styles ran.
    let mut keys: Vec<(usize, String, String)> = Vec::new();
    for c in &limited {
        let Some((_, n)) = limit_kind(&c.limit) else {
            continue;
        };
        let key = (c.tasks, c.latency.clone(), n.to_string());
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    const STYLES: [&str; 3] = ["semaphore", "pool", "batches"];
    let mut worst = [1.0f64; 3];
    let mut ran = [false; 3];
    let mut shown = Vec::new();
    for (tasks, latency, n) in &keys {
        let best: Vec<Option<&CellRecord>> = STYLES
            .iter()
            .map(|style| {
                limited
                    .iter()
                    .copied()
                    .filter(|c| {
                        c.tasks == *tasks
                            && c.latency == *latency
                            && limit_kind(&c.limit) == Some((style, n.as_str()))
                    })
                    .min_by(|a, b| a.wall_seconds.total_cmp(&b.wall_seconds))
            })
            .collect();
        if best.iter().flatten().count() < 2 {
            continue;
        }
        let fastest = best
            .iter()
            .flatten()
            .map(|c| c.wall_seconds)
            .fold(f64::INFINITY, f64::min);
        let mut parts = Vec::new();
        for (i, c) in best.iter().enumerate() {
            if let Some(c) = c {
                ran[i] = true;
                worst[i] = worst[i].max(c.wall_seconds / fastest);
                parts.push(format!("{} {} ({})", STYLES[i], wall(c), c.runtime));
            }
        }
        shown.push(format!(
            "{} calls of {latency}, limit {n}: {}",
            thousands(*tasks),
            parts.join(", ")
        ));
    }
    // The styles within the margin everywhere they ran; else the least bad.
    let mut chosen: Vec<usize> = (0..3)
        .filter(|&i| ran[i] && worst[i] <= 1.0 + MARGIN)
        .collect();
    if chosen.is_empty()
        && let Some(i) = (0..3)
            .filter(|&i| ran[i])
            .min_by(|&a, &b| worst[a].total_cmp(&worst[b]))
    {
        chosen.push(i);
    }
    for i in (0..3).filter(|i| ran[*i] && !chosen.contains(i)) {
        shown.push(format!("{} up to {:.2}x the fastest", STYLES[i], worst[i]));
    }
    if let Some(c) = c06 {
        let counts = |suffix: &str| -> Vec<f64> {
            c.measured
                .iter()
                .filter(|f| f.label.ends_with(suffix))
                .map(|f| f.value)
                .collect()
        };
        let free = counts(" rejected, no limit");
        let bounded = counts(" rejected, semaphore(10)");
        if !free.is_empty() {
            shown.push(format!(
                "C06, 50 calls at a server taking 10: {} rejected with no limit, {} with semaphore(10) ({})",
                span(&free),
                span(&bounded),
                verdict_text(c)
            ));
        }
    }
    let mut adaptive = false;
    if let Some(c) = c15 {
        let rate = |l: &str| figure(c, &format!("{l} calls"));
        let rejected = |l: &str| figure(c, &format!("{l} rejected"));
        if let (Some(a), Some(r)) = (rate("adaptive"), rejected("adaptive")) {
            let fixed: Vec<String> = ["semaphore(5)", "semaphore(10)", "semaphore(20)"]
                .iter()
                .filter_map(|l| {
                    Some(format!(
                        "{l} {:.0}/s, {:.0} rejected",
                        rate(l)?,
                        rejected(l)?
                    ))
                })
                .collect();
            shown.push(format!(
                "C15 with retries: adaptive {a:.0}/s, {r:.0} rejected; {} ({})",
                fixed.join("; "),
                verdict_text(c)
            ));
        }
        adaptive = c.verdict == Some(Verdict::Holds);
    }
    if shown.is_empty() {
        return Row::not_measured(
            name,
            "no io cells under semaphore, batches or pool, and no C06 or C15",
            RULE_LIMIT,
        );
    }
    let mut pick = if chosen.is_empty() {
        "**a semaphore**".to_string()
    } else {
        let names: Vec<&str> = chosen.iter().map(|&i| STYLES[i]).collect();
        format!("**{}**", names.join(" or "))
    };
    pick.push_str(" sized to the API's limit");
    if adaptive {
        pick.push_str("; an adaptive (AIMD) limit when the limit is unknown");
    }
    Row {
        workload: name.to_string(),
        pick,
        measured: shown.join("; "),
        rule: RULE_LIMIT,
    }
}

/// `40`, or `30..40` when the runtimes disagree.
fn span(values: &[f64]) -> String {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if values.is_empty() {
        "-".into()
    } else if lo == hi {
        format!("{lo:.0}")
    } else {
        format!("{lo:.0}..{hi:.0}")
    }
}

fn spawn_row(s: &Summary) -> Row {
    let name = "many short-lived units (start cost)";
    // The cheapest runtime of each model.
    let mut best: Vec<(&str, Candidate)> = Vec::new();
    for p in s.spawn.iter().filter(|p| p.error.is_none() && !p.legacy) {
        let m = model(&p.runtime);
        if m == "sequential" {
            continue;
        }
        let c = Candidate {
            label: model_label(&p.runtime),
            time: p.spawn_seconds_per_unit,
            memory: unit_memory(s, &p.runtime).map(|m| m.0),
            shown: format!(
                "{} per {}{}",
                seconds(p.spawn_seconds_per_unit),
                unit_noun(&p.runtime),
                unit_memory_text(s, &p.runtime).map_or_else(String::new, |m| format!(", {m}"))
            ),
        };
        match best.iter_mut().find(|x| x.0 == m) {
            Some(x) if c.time < x.1.time => x.1 = c,
            Some(_) => {}
            None => best.push((m, c)),
        }
    }
    let mut candidates: Vec<Candidate> = best.into_iter().map(|x| x.1).collect();
    candidates.sort_by(|a, b| a.time.total_cmp(&b.time));
    let Some((pick, measured)) = compared(&candidates) else {
        return Row::not_measured(name, "no spawn probe in this folder", RULE_SPAWN);
    };
    Row {
        workload: format!("{name}: start and join one empty unit"),
        pick,
        measured,
        rule: RULE_SPAWN,
    }
}

fn timer_row(s: &Summary) -> Row {
    let name = "short, precise sleeps";
    let probes: Vec<_> = s
        .timers
        .iter()
        .filter(|p| p.error.is_none() && !p.legacy && model(&p.runtime) != "sequential")
        .collect();
    let Some(shortest) = probes
        .iter()
        .map(|p| p.requested_seconds)
        .min_by(f64::total_cmp)
    else {
        return Row::not_measured(name, "no timer probe in this folder", RULE_TIMER);
    };
    let mut candidates: Vec<Candidate> = probes
        .iter()
        .filter(|p| p.requested_seconds == shortest)
        .map(|p| Candidate {
            label: model_label(&p.runtime),
            time: p.overshoot_seconds,
            memory: None,
            shown: format!(
                "{} measured, {} over",
                seconds(p.median_seconds),
                seconds(p.overshoot_seconds)
            ),
        })
        .collect();
    candidates.sort_by(|a, b| a.time.total_cmp(&b.time));
    let Some((pick, measured)) = compared(&candidates) else {
        return Row::not_measured(name, "no timer probe in this folder", RULE_TIMER);
    };
    Row {
        workload: format!("{name}: sleep({})", seconds(shortest)),
        pick,
        measured,
        rule: RULE_TIMER,
    }
}

// ---------------------------------------------------------------------------------------
// Claims, memory, machine, charts.

/// Figures shown per claim in the table; the rest are in claims.json.
const SHOWN_FIGURES: usize = 4;

fn claims_section(loaded: &Loaded) -> String {
    let Some(file) = &loaded.claims else {
        return "The claims were not run for this folder (`rtbench claims --out <folder>` adds them).\n"
            .to_string();
    };
    let mut out = String::new();
    let scale = file.claims.first().map_or("", |c| c.scale.as_str());
    let mut tally: Vec<(String, usize)> = Vec::new();
    for c in &file.claims {
        let v = verdict_text(c);
        match tally.iter_mut().find(|t| t.0 == v) {
            Some(t) => t.1 += 1,
            None => tally.push((v, 1)),
        }
    }
    let tally: Vec<String> = tally.iter().map(|(v, n)| format!("{v} {n}")).collect();
    let _ = writeln!(
        out,
        "{} claims of the notes, measured on {} (commit {}); verdicts: {}. Durations from the notes are scaled: {scale}.\n",
        file.claims.len(),
        file.machine.date,
        commit_short(&file.machine.git_commit),
        tally.join(", ")
    );
    // The Python column appears only when the run measured CPython too (`claims --python`).
    let with_python = file.claims.iter().any(|c| c.python.is_some());
    if with_python {
        out.push_str("| id | the notes say | verdict | in Python | measured | why |\n|---|---|---|---|---|---|\n");
    } else {
        out.push_str("| id | the notes say | verdict | measured | why |\n|---|---|---|---|---|\n");
    }
    for c in &file.claims {
        let mut figures: Vec<String> = c
            .measured
            .iter()
            .take(SHOWN_FIGURES)
            .map(|f| f.to_string())
            .collect();
        if c.measured.len() > SHOWN_FIGURES {
            figures.push(format!(
                "{} more in claims.json",
                c.measured.len() - SHOWN_FIGURES
            ));
        }
        let why = c.error.as_deref().unwrap_or(&c.why);
        let python = if with_python {
            let p = c.python.as_ref().map_or_else(
                || "not measured".to_string(),
                |p| match (p.verdict, &p.error) {
                    (Some(v), _) => {
                        let shown: Vec<String> = p
                            .measured
                            .iter()
                            .take(SHOWN_FIGURES)
                            .map(|f| f.to_string())
                            .collect();
                        format!("{v}: {}", shown.join("; "))
                    }
                    (None, Some(e)) => format!("not measured: {e}"),
                    (None, None) => "not measured".to_string(),
                },
            );
            format!(" {} |", cell(&p))
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} |{python} {} | {} |",
            c.id,
            cell(&c.claim),
            verdict_text(c),
            cell(&figures.join("; ")),
            cell(why)
        );
    }
    out
}

fn commit_short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

fn memory_section(models: &[MemoryModel]) -> String {
    if models.is_empty() {
        return "The memory pass was not run for this folder (`rtbench run --memory`).\n".into();
    }
    let mut out = String::from(
        "Idle units parked in a fresh process; each figure is the slope of the growth over the \
         sizes parked, so fixed costs drop out. PSS splits pages shared between processes among them.\n\n",
    );
    out.push_str(
        "| model | a unit is | resident | PSS | heap | virtual | sizes parked | max units | what stopped it |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    for m in models {
        let sizes: Vec<String> = m.sizes.iter().map(|&n| thousands(n)).collect();
        let name = if m.legacy {
            format!("{} (legacy)", m.runtime)
        } else {
            m.runtime.clone()
        };
        let stopped = m
            .stopped_by
            .as_deref()
            .map_or("-", |s| s.split(" (").next().unwrap_or(s));
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} | {} | {} | {} | {} |",
            unit_noun(&m.runtime),
            bytes(m.rss_per_unit_bytes),
            bytes(m.pss_per_unit_bytes),
            bytes(m.heap_per_unit_bytes),
            bytes(m.virtual_per_unit_bytes),
            sizes.join(", "),
            thousands(m.max_units),
            cell(stopped)
        );
    }
    out
}

fn machine_section(loaded: &Loaded) -> String {
    let s = &loaded.summary;
    let m = &s.machine;
    let l = &m.limits;
    let opt = |v: Option<u64>| v.map_or_else(|| "unknown".to_string(), |n| n.to_string());
    let versions: Vec<String> = m
        .crate_versions
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    let dirty = match m.git_dirty {
        Some(true) => " (with uncommitted changes)",
        Some(false) => "",
        None => " (tree state unknown)",
    };
    let failed = s.cells.iter().filter(|c| !c.ok()).count();
    let noisy = s.cells.iter().filter(|c| c.noisy).count();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "- profile: {} ({}); {} cells measured, {failed} failed, {noisy} noisy, {} skipped",
        s.profile,
        if s.complete {
            "the run finished"
        } else {
            "interrupted or in progress"
        },
        s.cells.len(),
        s.skipped.len()
    );
    let _ = writeln!(
        out,
        "- CPU: {}, {} cores available ({} logical CPUs online)",
        m.cpu_model, m.cores, m.logical_cpus_online
    );
    let _ = writeln!(
        out,
        "- memory: {:.1} GiB",
        m.memory_bytes as f64 / (1u64 << 30) as f64
    );
    let _ = writeln!(out, "- OS: {}; kernel {}", m.os, m.kernel);
    let _ = writeln!(
        out,
        "- build: {}, {} profile, rtbench {}",
        m.rustc, m.profile, m.rtbench_version
    );
    let _ = writeln!(out, "- crates: {}", versions.join(", "));
    let _ = writeln!(out, "- source: commit {}{dirty}", m.git_commit);
    let _ = writeln!(out, "- date: {}", m.date);
    let _ = writeln!(out, "- command: `{}`", m.command_line.join(" "));
    let _ = writeln!(
        out,
        "- OS limits: threads-max {}, vm.max_map_count {}, pid_max {}, ulimit -u {}, stack {}",
        opt(l.threads_max),
        opt(l.max_map_count),
        opt(l.pid_max),
        l.max_user_processes
            .map_or_else(|| "unlimited".to_string(), |n| n.to_string()),
        l.stack_size_bytes
            .map_or_else(|| "unlimited".to_string(), |b| bytes(Some(b as f64)))
    );
    if let Some(c) = &loaded.claims {
        let cm = &c.machine;
        let mut also = format!("- claims: measured {}", cm.date);
        if cm.git_commit != m.git_commit {
            let _ = write!(also, " at commit {}", cm.git_commit);
        }
        if cm.command_line != m.command_line {
            let _ = write!(also, " by `{}`", cm.command_line.join(" "));
        }
        let _ = writeln!(out, "{also}");
    }
    out
}

fn charts_section(charts_rel: &str, present: Option<&[&'static str]>) -> String {
    let rel = charts_rel.trim_end_matches('/');
    let mut out = String::new();
    for (name, caption) in CHARTS {
        if present.is_some_and(|p| !p.contains(&name)) {
            continue;
        }
        let path = if rel.is_empty() {
            format!("{name}.svg")
        } else {
            format!("{rel}/{name}.svg")
        };
        let _ = writeln!(out, "![{caption}]({path})\n");
    }
    if out.is_empty() {
        out.push_str("No charts in this folder yet (`rtbench report <folder>` draws them).\n");
    }
    out
}

/// Text for one table cell: no line breaks, `|` escaped.
fn cell(text: &str) -> String {
    text.replace('\n', " ").replace('|', "\\|")
}

// ---------------------------------------------------------------------------------------
// Rewriting the marked regions.

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MarkdownError {
    #[error(
        "section '{name}': the begin marker on line {line} has no `<!-- rtbench:end {name} -->` after it"
    )]
    MissingEnd { name: String, line: usize },
    #[error("section '{name}': the end marker on line {line} has no begin marker before it")]
    UnexpectedEnd { name: String, line: usize },
    #[error(
        "section '{inner}': its begin marker on line {line} is nested inside section '{outer}' (begun on line {outer_line}); end '{outer}' first"
    )]
    Nested {
        outer: String,
        outer_line: usize,
        inner: String,
        line: usize,
    },
    #[error(
        "section '{open}' (begun on line {open_line}): the end marker on line {line} closes '{found}' instead"
    )]
    WrongEnd {
        open: String,
        open_line: usize,
        found: String,
        line: usize,
    },
    #[error(
        "section '{name}': marked twice (begun on lines {first} and {second}); each section may appear once"
    )]
    Duplicated {
        name: String,
        first: usize,
        second: usize,
    },
    #[error(
        "line {line}: `{text}` is not a marker; markers are `<!-- rtbench:begin NAME -->` and `<!-- rtbench:end NAME -->` on a line of their own"
    )]
    BadMarker { line: usize, text: String },
}

/// What a rewrite did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite {
    pub text: String,
    /// Sections whose markers were found and whose body was written.
    pub replaced: Vec<&'static str>,
    /// Sections given but not marked in the text (left out).
    pub unmarked: Vec<&'static str>,
    /// Sections marked in the text that no given section names (kept as they are).
    pub unknown: Vec<String>,
}

/// Rewrites the body of every marked section with the given one; see [`rewrite`].
pub fn update_benchmark(text: &str, sections: &[Section]) -> Result<String, MarkdownError> {
    rewrite(text, sections).map(|r| r.text)
}

/// A marked region: the byte range between the begin line and the end line.
struct Region {
    name: String,
    inner_start: usize,
    inner_end: usize,
}

/// Replaces what lies between each section's begin and end marker lines with a blank line,
/// the section's body, and a blank line. Markers are recognised on a line of their own
/// (surrounding spaces allowed), outside fenced code blocks; everything outside the regions
/// is kept byte for byte, and applying the same sections twice changes nothing.
pub fn rewrite(text: &str, sections: &[Section]) -> Result<Rewrite, MarkdownError> {
    let regions = regions(text)?;
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut replaced = Vec::new();
    let mut unknown = Vec::new();
    for r in &regions {
        let Some(section) = sections.iter().find(|s| s.name == r.name) else {
            unknown.push(r.name.clone());
            continue;
        };
        out.push_str(&text[copied..r.inner_start]);
        let body = section.body.trim_matches('\n');
        if !body.is_empty() {
            out.push('\n');
            out.push_str(body);
            out.push_str("\n\n");
        }
        copied = r.inner_end;
        replaced.push(section.name);
    }
    out.push_str(&text[copied..]);
    let unmarked = sections
        .iter()
        .map(|s| s.name)
        .filter(|n| !replaced.contains(n))
        .collect();
    Ok(Rewrite {
        text: out,
        replaced,
        unmarked,
        unknown,
    })
}

fn regions(text: &str) -> Result<Vec<Region>, MarkdownError> {
    const PREFIX: &str = "<!-- rtbench:";
    let mut regions = Vec::new();
    let mut begun: Vec<(String, usize)> = Vec::new();
    // (name, line, byte offset after the begin line)
    let mut open: Option<(String, usize, usize)> = None;
    let mut fence: Option<&str> = None;
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let number = i + 1;
        let start = offset;
        offset += line.len();
        let trimmed = line.trim();
        if open.is_none() {
            let mark = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m));
            match (fence, mark) {
                (None, Some(m)) => {
                    fence = Some(m);
                    continue;
                }
                (Some(f), Some(m)) if f == m => {
                    fence = None;
                    continue;
                }
                _ => {}
            }
            if fence.is_some() {
                continue;
            }
        }
        let Some(rest) = trimmed.strip_prefix(PREFIX) else {
            continue;
        };
        let bad = || MarkdownError::BadMarker {
            line: number,
            text: trimmed.to_string(),
        };
        let rest = rest.strip_suffix("-->").ok_or_else(bad)?.trim();
        let (verb, name) = rest.split_once(' ').ok_or_else(bad)?;
        let name = name.trim();
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return Err(bad());
        }
        match (verb, &open) {
            ("begin", Some((outer, outer_line, _))) => {
                return Err(if outer == name {
                    MarkdownError::Duplicated {
                        name: name.into(),
                        first: *outer_line,
                        second: number,
                    }
                } else {
                    MarkdownError::Nested {
                        outer: outer.clone(),
                        outer_line: *outer_line,
                        inner: name.into(),
                        line: number,
                    }
                });
            }
            ("begin", None) => {
                if let Some((_, first)) = begun.iter().find(|b| b.0 == name) {
                    return Err(MarkdownError::Duplicated {
                        name: name.into(),
                        first: *first,
                        second: number,
                    });
                }
                begun.push((name.into(), number));
                open = Some((name.into(), number, offset));
            }
            ("end", None) => {
                return Err(MarkdownError::UnexpectedEnd {
                    name: name.into(),
                    line: number,
                });
            }
            ("end", Some((current, current_line, inner_start))) => {
                if current != name {
                    return Err(MarkdownError::WrongEnd {
                        open: current.clone(),
                        open_line: *current_line,
                        found: name.into(),
                        line: number,
                    });
                }
                regions.push(Region {
                    name: name.into(),
                    inner_start: *inner_start,
                    inner_end: start,
                });
                open = None;
            }
            _ => return Err(bad()),
        }
    }
    if let Some((name, line, _)) = open {
        return Err(MarkdownError::MissingEnd { name, line });
    }
    Ok(regions)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(label: &str, time: f64, memory: Option<f64>) -> Candidate {
        Candidate {
            label: label.into(),
            time,
            memory,
            shown: String::new(),
        }
    }

    #[test]
    fn pick_is_fastest_with_memory_breaking_ties_within_the_margin() {
        let c = [cand("a", 1.0, Some(100.0)), cand("b", 1.1, Some(10.0))];
        assert_eq!(pick(&c), Some(1), "b is within 10% and smaller");
        let c = [cand("a", 1.0, Some(100.0)), cand("b", 1.11, Some(10.0))];
        assert_eq!(pick(&c), Some(0), "b is more than 10% slower");
        let c = [cand("a", 1.0, None), cand("b", 1.05, None)];
        assert_eq!(pick(&c), Some(0), "no memory: the fastest");
        let c = [cand("a", 1.0, None), cand("b", 1.05, Some(1e9))];
        assert_eq!(pick(&c), Some(1), "a measured memory beats an unknown one");
        assert_eq!(pick(&[]), None);
    }

    #[test]
    fn markers_inside_fences_are_text() {
        let text = "```\n<!-- rtbench:begin x -->\n```\n<!-- rtbench:begin x -->\nold\n<!-- rtbench:end x -->\n";
        let s = [Section {
            name: "x",
            body: "new".into(),
        }];
        let out = update_benchmark(text, &s).unwrap();
        assert_eq!(
            out,
            "```\n<!-- rtbench:begin x -->\n```\n<!-- rtbench:begin x -->\n\nnew\n\n<!-- rtbench:end x -->\n"
        );
    }
}
