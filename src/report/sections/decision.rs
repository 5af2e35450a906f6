//! Section `decision`: the decision table, rendered from the typed rows of
//! [`crate::analysis`]; every pick and number comes from there, this file only writes them.

use std::fmt::Write as _;

use super::{Input, Renderer};
use crate::analysis::blocking::{BlockingPick, BlockingRow};
use crate::analysis::cpu::CpuRow;
use crate::analysis::io::{IoItem, IoRow};
use crate::analysis::limits::{LimitRow, Style};
use crate::analysis::mixed::MixedRow;
use crate::analysis::spawn::SpawnItem;
use crate::analysis::timer::TimerRow;
use crate::analysis::{Candidate, NotMeasured, Ranked, RowBody, RowKind, decide};
use crate::report::labels::{and_unit_memory, model_label, verdict, wall};
use crate::report::md::{MdTable, inline};
use crate::results::CellRecord;
use crate::runtime::Model;
use crate::units::{bytes, seconds, thousands};

/// The decision table.
pub struct Decision;

impl Renderer for Decision {
    fn name(&self) -> &'static str {
        "decision"
    }

    fn render(&self, input: &Input) -> String {
        let s = &input.loaded.summary;
        let decisions = decide(input.loaded);
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
            inline(&s.profile),
            s.machine.cores
        );
        let mut table = MdTable::new(&["workload", "pick", "measured", "rule"]);
        for row in &decisions.rows {
            let (workload, pick, measured) = match &row.body {
                Ok(body) => written(body),
                Err(why) => (
                    name(row.kind).to_string(),
                    "not measured".to_string(),
                    not_measured(row.kind, why),
                ),
            };
            table.row(&[workload.as_str(), &pick, &measured, row.rule]);
        }
        out.push_str(&table.finish());
        let failed: Vec<String> = decisions
            .failed
            .iter()
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
                inline(&failed.join("; "))
            );
        }
        out
    }
}

/// What each row is about, in a few words.
fn name(kind: RowKind) -> &'static str {
    match kind {
        RowKind::Io => "many concurrent waits (I/O-bound)",
        RowKind::Cpu => "CPU-bound",
        RowKind::Mixed => "mixed (waits and computation)",
        RowKind::Blocking => "a blocking library inside async code",
        RowKind::Limit => "bounding concurrency against a rate-limited API",
        RowKind::Spawn => "many short-lived units (start cost)",
        RowKind::Timer => "short, precise sleeps",
    }
}

/// Why a row could not be decided, in the row's own terms.
fn not_measured(kind: RowKind, why: &NotMeasured) -> String {
    match (kind, why) {
        (_, NotMeasured::ClaimNotRun(id)) => format!("claim {id} was not run (`rtbench claims`)"),
        (_, NotMeasured::ClaimFailed(e)) => e.to_string(),
        (_, NotMeasured::NoPairs(id)) => format!("{id} holds no measured pairs"),
        (_, NotMeasured::OnlyBaseline) => "only the sequential baseline was measured".into(),
        (RowKind::Cpu, _) => "no cpu cells with a sequential baseline".into(),
        (RowKind::Io, _) => "no io cells without a limit".into(),
        (RowKind::Mixed, _) => "no mixed cells".into(),
        (RowKind::Limit, _) => {
            "no io cells under semaphore, batches or pool, and no C06 or C15".into()
        }
        (RowKind::Spawn, _) => "no spawn probe in this folder".into(),
        (RowKind::Timer, _) => "no timer probe in this folder".into(),
        (RowKind::Blocking, _) => "claim C17 measured nothing".into(),
    }
}

/// (workload, pick, measured) of a decided row.
fn written(body: &RowBody) -> (String, String, String) {
    match body {
        RowBody::Io(r) => io(r),
        RowBody::Cpu(r) => cpu(r),
        RowBody::Mixed(r) => mixed(r),
        RowBody::Blocking(r) => blocking(r),
        RowBody::Limit(r) => limits(r),
        RowBody::Spawn(r) => spawn(r),
        RowBody::Timer(r) => timer(r),
    }
}

/// `**pick**` and every candidate's numbers, the pick first and in bold.
fn compared<T>(
    ranked: &Ranked<T>,
    label: impl Fn(&T) -> String,
    shown: impl Fn(&Candidate<T>) -> String,
) -> (String, String) {
    let pick = format!("**{}**", label(&ranked.picked().item));
    let parts: Vec<String> = ranked
        .pick_first()
        .enumerate()
        .map(|(i, c)| {
            let l = label(&c.item);
            if i == 0 {
                format!("**{l}**: {}", shown(c))
            } else {
                format!("{l}: {}", shown(c))
            }
        })
        .collect();
    (pick, parts.join("; "))
}

fn cell_label(c: &&CellRecord) -> String {
    model_label(&c.runtime, c.model)
}

fn io(r: &IoRow) -> (String, String, String) {
    let shown = |i: &IoItem| {
        format!(
            "{}, efficiency {:.2}{}",
            wall(i.cell),
            i.cell.efficiency,
            and_unit_memory(i.unit_memory.as_ref())
        )
    };
    let (pick, mut measured) = compared(
        &r.ranked,
        |i: &IoItem| cell_label(&i.cell),
        |c| shown(&c.item),
    );
    for i in &r.smaller {
        let _ = write!(
            measured,
            "; {}: not run at {} (at {}: {})",
            cell_label(&i.cell),
            thousands(r.tasks),
            thousands(i.cell.tasks),
            shown(i)
        );
    }
    let workload = format!(
        "{}: {} tasks each waiting {}, all at once",
        name(RowKind::Io),
        thousands(r.tasks),
        r.latency
    );
    (workload, pick, measured)
}

/// A cell's peak memory, the figure its row compares, saying what it adds up: with worker
/// processes, those alive at once (proportional bytes where read, the resident sum beside
/// them), or, in files from before that was read, every worker's own peak.
fn peak_memory(cell: &CellRecord) -> String {
    let peak = bytes(Some(cell.footprint_bytes() as f64));
    match (cell.live_peak_pss_bytes, cell.live_peak_rss_bytes) {
        (Some(_), Some(rss)) => format!(
            "{peak} PSS peak with workers alive at once, RSS {}",
            bytes(Some(rss as f64))
        ),
        (_, Some(_)) => format!("{peak} RSS peak with workers alive at once"),
        _ if cell.child_processes > 0 => {
            format!("{peak} peak summing every worker's own peak, not at once")
        }
        _ => format!("{peak} peak"),
    }
}

fn cpu(r: &CpuRow) -> (String, String, String) {
    let (pick, mut measured) = compared(
        &r.ranked,
        |i| cell_label(&i.cell),
        |c| {
            let cell = c.item.cell;
            let peak = if cell.child_processes > 0 || cell.live_peak_bytes().is_some() {
                format!(", {}", peak_memory(cell))
            } else {
                String::new()
            };
            let what = if cell.model == Model::Processes {
                "processes"
            } else {
                "threads"
            };
            format!(
                "{:.2}x ({}, {} {what}{peak})",
                c.item.speedup,
                wall(cell),
                cell.workers
            )
        },
    );
    let fastest_of = if r.baselines > 1 {
        format!(" (the fastest of {} cells)", r.baselines)
    } else {
        String::new()
    };
    let _ = write!(
        measured,
        "; sequential {}{fastest_of}; at most {:.2}x on {} cores",
        seconds(r.baseline),
        r.bound,
        r.cores
    );
    let workload = format!(
        "{}: {} tasks each computing factorial({})",
        name(RowKind::Cpu),
        r.tasks,
        thousands(r.compute as usize)
    );
    (workload, pick, measured)
}

fn mixed(r: &MixedRow) -> (String, String, String) {
    let (pick, mut measured) = compared(&r.ranked, cell_label, |c| {
        format!(
            "{}, efficiency {:.2}, {}",
            wall(c.item),
            c.item.efficiency,
            peak_memory(c.item)
        )
    });
    if let Some(seq) = r.sequential {
        let _ = write!(measured, "; sequential {}", wall(seq));
    }
    let workload = format!(
        "{}: {} tasks of steps each waiting {} then computing factorial({})",
        name(RowKind::Mixed),
        thousands(r.tasks),
        r.latency,
        thousands(r.compute as usize)
    );
    (workload, pick, measured)
}

fn blocking(r: &BlockingRow) -> (String, String, String) {
    let pick = match r.pick {
        BlockingPick::Pool => {
            "**move the call to the runtime's blocking pool** (spawn_blocking, smol::unblock)"
        }
        BlockingPick::Inside => "**call it inside the task** (the blocking pool was slower)",
        BlockingPick::NoWinner => "no consistent winner",
    };
    let shown: Vec<String> = r
        .pairs
        .iter()
        .map(|p| match &p.pool {
            Ok(pool) => format!(
                "{}: {} in tasks vs {} on the pool ({:.1}x)",
                p.runtime,
                seconds(p.inside),
                seconds(*pool),
                p.inside / pool
            ),
            Err(key) => format!(
                "{}: {} in tasks; on the pool not measured ({key})",
                p.runtime,
                seconds(p.inside)
            ),
        })
        .collect();
    (
        format!(
            "{}: claim C17's blocking calls ({})",
            name(RowKind::Blocking),
            r.scale
        ),
        pick.into(),
        format!("{}; C17 {}", shown.join("; "), verdict(r.verdict)),
    )
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

fn limits(r: &LimitRow) -> (String, String, String) {
    let mut shown = Vec::new();
    for g in &r.groups {
        let parts: Vec<String> = Style::ALL
            .iter()
            .zip(&g.best)
            .filter_map(|(style, c)| {
                let c = (*c)?;
                Some(format!("{} {} ({})", style.name(), wall(c), c.runtime))
            })
            .collect();
        shown.push(format!(
            "{} calls of {}, limit {}: {}",
            thousands(g.tasks),
            g.latency,
            g.limit,
            parts.join(", ")
        ));
    }
    for s in r.styles.iter().filter(|s| s.ran && !s.chosen) {
        shown.push(format!(
            "{} up to {:.2}x the fastest",
            s.style.name(),
            s.worst
        ));
    }
    if let Some(c) = &r.c06 {
        shown.push(format!(
            "C06, 50 calls at a server taking 10: {} rejected with no limit, {} with semaphore(10) ({})",
            span(&c.no_limit),
            span(&c.semaphore),
            verdict(c.verdict)
        ));
    }
    if let Some(c) = &r.c15 {
        let fixed: Vec<String> = c
            .fixed
            .iter()
            .map(|(l, rate, rejected)| match (rate, rejected) {
                (Ok(rate), Ok(rejected)) => format!("{l} {rate:.0}/s, {rejected:.0} rejected"),
                (Err(key), _) | (_, Err(key)) => format!("{l}: not measured ({key})"),
            })
            .collect();
        shown.push(format!(
            "C15 with retries: adaptive {:.0}/s, {:.0} rejected; {} ({})",
            c.adaptive.0,
            c.adaptive.1,
            fixed.join("; "),
            verdict(c.verdict)
        ));
    }
    let picked: Vec<&str> = r.pick().into_iter().map(Style::name).collect();
    let mut pick = if r.from_cells() {
        format!("**{}**", picked.join(" or "))
    } else {
        format!("**a {}**", picked.join(" or "))
    };
    pick.push_str(" sized to the API's limit");
    if r.adaptive {
        pick.push_str("; an adaptive (AIMD) limit when the limit is unknown");
    }
    (name(RowKind::Limit).to_string(), pick, shown.join("; "))
}

fn spawn(r: &Ranked<SpawnItem>) -> (String, String, String) {
    let (pick, measured) = compared(
        r,
        |i: &SpawnItem| model_label(&i.probe.runtime, i.probe.model),
        |c| {
            format!(
                "{} per {}{}",
                seconds(c.item.probe.spawn_seconds_per_unit),
                c.item.probe.unit,
                and_unit_memory(c.item.unit_memory.as_ref())
            )
        },
    );
    (
        format!("{}: start and join one empty unit", name(RowKind::Spawn)),
        pick,
        measured,
    )
}

fn timer(r: &TimerRow) -> (String, String, String) {
    let (pick, measured) = compared(
        &r.ranked,
        |p| model_label(&p.runtime, p.model),
        |c| {
            format!(
                "{} measured, {} over",
                seconds(c.item.median_seconds),
                seconds(c.item.overshoot_seconds)
            )
        },
    );
    (
        format!("{}: sleep({})", name(RowKind::Timer), seconds(r.sleep)),
        pick,
        measured,
    )
}
