//! The rows decided from cells: many concurrent waits, CPU-bound work, waits and computation.

use std::fmt::Write as _;

use super::{cell_label, compared, name, timing_text};
use crate::analysis::RowKind;
use crate::analysis::cpu::CpuRow;
use crate::analysis::cpu_experiment::ExperimentRow;
use crate::analysis::io::{IoItem, IoRow};
use crate::analysis::mixed::MixedRow;
use crate::report::labels::{and_unit_memory, wall};
use crate::results::CellRecord;
use crate::runtime::Model;
use crate::units::{bytes, ratio, seconds, thousands};
use crate::workload::WorkloadKind;

pub(super) fn io(r: &IoRow) -> (String, String, String) {
    let (pick, mut measured) = io_measured(r);
    let waits = match r.workload {
        WorkloadKind::Net => format!(
            "making one TCP call to the latency server answered after {}",
            r.latency
        ),
        _ => format!("waiting {}", r.latency),
    };
    if let Some(t) = &r.timer {
        let (timer_pick, timer_measured) = io_measured(t);
        let _ = write!(
            measured,
            ". The same waits on each runtime's timer (io, {} tasks): {timer_pick}; {timer_measured}",
            thousands(t.tasks)
        );
    }
    let workload = format!(
        "{}: {} tasks each {waits}, all at once",
        name(RowKind::Io),
        thousands(r.tasks),
    );
    (workload, pick, measured)
}

/// The row's pick and measured figures, without its workload text.
fn io_measured(r: &IoRow) -> (String, String) {
    let shown = |i: &IoItem| {
        format!(
            "{}{}, efficiency {:.2}{}",
            wall(i.cell),
            timing_text(i.timing.as_ref()),
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
    (pick, measured)
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

pub(super) fn cpu(r: &CpuRow) -> (String, String, String) {
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

/// The row from the claims' CPU experiment: each cell's speed-up as C10, C11 and C14 quote
/// it, with its interval, its wall over the fastest cell's where C10 wrote it (the ties are
/// called on that), and peak memory.
pub(super) fn cpu_experiment(r: &ExperimentRow) -> (String, String, String) {
    let (pick, mut measured) = compared(
        &r.ranked,
        |i| i.label.to_string(),
        |c| {
            let peak = c
                .memory
                .map_or(String::new(), |m| format!(", peak {}", bytes(Some(m))));
            let over = match c.item.over_fastest {
                None => String::new(),
                Some((x, lo, hi)) if x == 1.0 && lo == hi => ", the fastest wall".into(),
                Some((x, lo, hi)) => format!(
                    ", wall {} the fastest's [{}, {}]",
                    ratio(x),
                    ratio(lo),
                    ratio(hi)
                ),
            };
            let (lo, hi) = c.item.interval;
            format!(
                "{} [{}, {}]{over}{peak}",
                ratio(c.item.speedup),
                ratio(lo),
                ratio(hi)
            )
        },
    );
    let _ = write!(
        measured,
        "; sequential {} on the fastest core of each round; at most {} on {} cores",
        seconds(r.baseline),
        ratio(r.cores as f64),
        r.cores
    );
    if r.ties_by_ratio {
        measured.push_str(
            "; a tie on time: a wall over the fastest's whose interval holds 1 (the baseline \
             cancels in it; every speed-up's interval carries it)",
        );
    }
    let workload = format!(
        "{}: {} tasks each computing factorial({}), the claims' CPU experiment (C10, C11, C14)",
        name(RowKind::Cpu),
        r.tasks,
        thousands(r.compute as usize)
    );
    (workload, pick, measured)
}

pub(super) fn mixed(r: &MixedRow) -> (String, String, String) {
    let (pick, mut measured) = compared(
        &r.ranked,
        |i| cell_label(&i.cell),
        |c| {
            let cell = c.item.cell;
            format!(
                "{}{}, efficiency {:.2}, {}",
                wall(cell),
                timing_text(c.item.timing.as_ref()),
                cell.efficiency,
                peak_memory(cell)
            )
        },
    );
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
