//! Task completion latency percentiles (p50, p90, p99, max) per runtime for one
//! representative cell kind: io with 1,000 tasks and no limit when the folder has it, else
//! the io (then any) cell kind the most runtimes ran.

use crate::limit::Limit;
use crate::results::{CellRecord, Loaded};
use crate::workload::{Latency, WorkloadKind};

use super::model::{Axis, Body, Chart, Fill, Group, Key, Panel, Unit};
use super::parts::{runtime_legend, seconds_bar};
use super::select;

pub const NAME: &str = "latency-percentiles";

/// The cells of the representative kind: (workload, tasks, limit, latency) shared.
/// What a representative cell kind shares: workload, tasks, limit, latency.
type Kind = (WorkloadKind, usize, Limit, Latency);

fn representative(loaded: &Loaded) -> Option<Vec<&CellRecord>> {
    let usable: Vec<&CellRecord> = select::cells(loaded)
        .filter(|c| c.latency_max_seconds > 0.0)
        .collect();
    let key = |c: &CellRecord| (c.workload, c.tasks, c.limit, c.latency);
    let runtimes_of = |k: &Kind| {
        let mut names: Vec<&str> = usable
            .iter()
            .filter(|c| key(c) == *k)
            .map(|c| c.runtime.as_str())
            .collect();
        names.sort_unstable();
        names.dedup();
        names.len()
    };
    let mut keys: Vec<Kind> = Vec::new();
    for c in &usable {
        if !keys.contains(&key(c)) {
            keys.push(key(c));
        }
    }
    // Preference: io x1000 unbounded, then io unbounded, then anything; most runtimes first.
    let rank = |k: &Kind| {
        let io_unbounded = k.0 == WorkloadKind::Io && k.2 == Limit::Unbounded;
        (
            io_unbounded && k.1 == 1000 && runtimes_of(k) >= 2,
            io_unbounded,
            runtimes_of(k),
            k.1,
        )
    };
    let best = *keys.iter().max_by_key(|k| rank(k))?;
    let cells: Vec<&CellRecord> = usable.into_iter().filter(|c| key(c) == best).collect();
    Some(cells)
}

/// Reads one percentile of a cell.
type Read = fn(&CellRecord) -> f64;

pub fn chart(loaded: &Loaded) -> Result<Chart, String> {
    let cells = representative(loaded).ok_or("no successful cell with task latencies")?;
    let first = cells[0];
    let rts = select::runtimes(loaded);
    let names = rts.sorted(cells.iter().map(|c| c.runtime.as_str()));
    let cell_of = |name: &str| cells.iter().find(|c| c.runtime == name).copied();
    let percentiles: [(&str, Read); 4] = [
        ("p50", |c| c.latency_p50_seconds),
        ("p90", |c| c.latency_p90_seconds),
        ("p99", |c| c.latency_p99_seconds),
        ("max", |c| c.latency_max_seconds),
    ];
    let groups = percentiles
        .iter()
        .map(|(label, get)| Group {
            label: (*label).to_string(),
            slots: names
                .iter()
                .map(|n| cell_of(n).map(|c| seconds_bar(rts.colour(n), get(c), None)))
                .collect(),
            packed: false,
        })
        .collect();
    let legend = runtime_legend(loaded, &rts, &names, Key::Bar(Fill::Solid));
    let limit = if first.limit == Limit::Unbounded {
        "no limit".to_string()
    } else {
        format!("limit {}", first.limit)
    };
    let ideal = cells
        .iter()
        .map(|c| c.ideal_seconds)
        .fold(f64::INFINITY, f64::min);
    Ok(Chart {
        title: format!(
            "Task latency percentiles ({} x{}, {limit})",
            first.workload, first.tasks
        ),
        subtitle: format!(
            "Time from the start of a run to each task's completion, over every repetition; each \
             task is {}. Dashed: the run's ideal wall time. {}.",
            select::latency_words(&first.latency),
            select::machine_words(loaded)
        ),
        panels: vec![Panel {
            title: String::new(),
            x: Axis::linear("percentile of task completion times", Unit::Count),
            y: Axis::log("completion latency (log scale)", Unit::Seconds),
            body: Body::Groups(groups),
            references: if ideal.is_finite() && ideal > 0.0 {
                vec![(
                    ideal,
                    format!("ideal {}", super::scale::compact(ideal, Unit::Seconds)),
                )]
            } else {
                Vec::new()
            },
        }],
        columns: 1,
        legend,
        size: (1100, 650),
    })
}
