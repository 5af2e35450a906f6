//! The rows decided from the probes: start cost of short-lived units, and short sleeps.

use std::fmt::Write as _;

use super::{compared, name};
use crate::analysis::RowKind;
use crate::analysis::spawn::{SpawnItem, SpawnRow};
use crate::analysis::timer::TimerRow;
use crate::report::labels::{and_unit_memory, model_label};
use crate::units::seconds;

pub(super) fn spawn(r: &SpawnRow) -> (String, String, String) {
    let (pick, mut measured) = compared(
        &r.starts,
        |i: &SpawnItem| model_label(&i.probe.runtime, i.probe.model),
        |c| {
            format!(
                "{} per {} started and joined{}",
                seconds(c.item.probe.spawn_seconds_per_unit),
                c.item.probe.unit,
                and_unit_memory(c.item.unit_memory.as_ref())
            )
        },
    );
    if !r.jobs.is_empty() {
        let jobs: Vec<String> = r
            .jobs
            .iter()
            .map(|p| {
                format!(
                    "{} {} per {}",
                    p.runtime,
                    seconds(p.spawn_seconds_per_unit),
                    p.unit
                )
            })
            .collect();
        let _ = write!(
            measured,
            "; not starts, not compared (a job handed to a pool already running): {}",
            jobs.join(", ")
        );
    }
    (
        format!(
            "{}: start and join one empty unit (a task, a thread, a process)",
            name(RowKind::Spawn)
        ),
        pick,
        measured,
    )
}

pub(super) fn timer(r: &TimerRow) -> (String, String, String) {
    let (pick, measured) = compared(
        &r.ranked,
        |p| model_label(&p.runtime, p.model),
        |c| {
            let p = c.item;
            match (p.inside_unit, p.start_seconds, p.join_seconds) {
                (true, Some(start), Some(join)) => format!(
                    "{} slept, {} over (start {}, join {})",
                    seconds(p.median_seconds),
                    seconds(p.overshoot_seconds),
                    seconds(start),
                    seconds(join)
                ),
                _ => format!(
                    "{} measured, {} over",
                    seconds(p.median_seconds),
                    seconds(p.overshoot_seconds)
                ),
            }
        },
    );
    let how = if r.inside_unit {
        "timed inside the unit around the sleep alone; the unit's start and join apart"
    } else {
        "a whole one-unit cell: its start and join are inside the overshoot (an older folder)"
    };
    (
        format!(
            "{}: sleep({}), {how}",
            name(RowKind::Timer),
            seconds(r.sleep)
        ),
        pick,
        measured,
    )
}
