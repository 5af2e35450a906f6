//! Section `decision`: the decision table, rendered from the typed rows of
//! [`crate::analysis`]; every pick and number comes from there, this file only writes them.

use std::fmt::Write as _;

mod across;
mod cells;
mod claimed;
mod probed;
pub(super) mod served;

use super::{Input, Renderer};
use crate::analysis::{Candidate, NotMeasured, Ranked, RowBody, RowKind, Timing, decide};
use crate::report::labels::model_label;
use crate::report::md::{MdTable, inline};
use crate::results::CellRecord;
use crate::units::{seconds, thousands};

/// The decision table.
pub struct Decision;

impl Renderer for Decision {
    fn name(&self) -> &'static str {
        "decision"
    }

    fn render(&self, input: &Input) -> String {
        if input.machines.len() > 1 {
            return across::table(input.machines);
        }
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
        let listed = [
            (
                "Failed cells (not candidates)",
                &decisions.failed,
                (|c| c.error_kind.as_deref().unwrap_or("failed")) as fn(&CellRecord) -> &str,
            ),
            (
                "Suspect cells, faster than physics allows (not candidates)",
                &decisions.suspect,
                |c| c.suspect.as_deref().unwrap_or("suspect"),
            ),
        ];
        for (title, cells, why) in listed {
            if !cells.is_empty() {
                let each: Vec<String> = cells
                    .iter()
                    .map(|c| {
                        format!(
                            "{} {} x{} {}: {}",
                            c.runtime,
                            c.workload,
                            thousands(c.tasks),
                            c.limit,
                            why(c)
                        )
                    })
                    .collect();
                let _ = writeln!(out, "\n{title}: {}.", inline(&each.join("; ")));
            }
        }
        out
    }
}

/// Each row's workload in a few words and its pick (markdown bold around the pick), in
/// table order: the decision table without its numbers and rules, for a terminal.
pub fn picks(loaded: &crate::results::Loaded) -> Vec<(String, String)> {
    decide(loaded)
        .rows
        .iter()
        .map(|row| {
            let pick = match &row.body {
                Ok(body) => written(body).1,
                Err(why) => format!("not measured: {}", not_measured(row.kind, why)),
            };
            (name(row.kind).to_string(), pick)
        })
        .collect()
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
        RowKind::Serve => "a server under steady load",
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
        (RowKind::Serve, _) => {
            "no serve records in this folder (`rtbench run --workload serve`)".into()
        }
        (RowKind::Blocking, _) => "claim C17 measured nothing".into(),
    }
}

/// (workload, pick, measured) of a decided row.
fn written(body: &RowBody) -> (String, String, String) {
    match body {
        RowBody::Io(r) => cells::io(r),
        RowBody::Cpu(r) => cells::cpu(r),
        RowBody::CpuExperiment(r) => cells::cpu_experiment(r),
        RowBody::Mixed(r) => cells::mixed(r),
        RowBody::Blocking(r) => claimed::blocking(r),
        RowBody::Limit(r) => claimed::limits(r),
        RowBody::Spawn(r) => probed::spawn(r),
        RowBody::Timer(r) => probed::timer(r),
        RowBody::Serve(r) => served::serve(r),
    }
}

/// `**pick**` and every candidate's numbers, the pick first and in bold.
fn compared<T>(
    ranked: &Ranked<T>,
    label: impl Fn(&T) -> String,
    shown: impl Fn(&Candidate<T>) -> String,
) -> (String, String) {
    let tied: Vec<String> = ranked.tied_with_pick().map(|c| label(&c.item)).collect();
    let pick = if tied.is_empty() {
        format!("**{}**", label(&ranked.picked().item))
    } else {
        let why = if ranked.picked().memory.is_some() {
            "; less memory"
        } else {
            ""
        };
        format!(
            "**{}** (a tie on time with {}{why})",
            label(&ranked.picked().item),
            tied.join(", ")
        )
    };
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

/// ` (timer +1.1ms, +0.6us a task)`: the timer's overshoot on the cell's path and what the
/// runtime added per task beyond it and the ideal; nothing without a timer probe.
fn timing_text(t: Option<&Timing>) -> String {
    t.map_or_else(String::new, |t| {
        let sign = if t.overhead_per_task < 0.0 { "-" } else { "+" };
        format!(
            " (timer +{}, {sign}{} a task)",
            seconds(t.overshoot),
            seconds(t.overhead_per_task.abs())
        )
    })
}

fn cell_label(c: &&CellRecord) -> String {
    model_label(&c.runtime, c.model)
}
