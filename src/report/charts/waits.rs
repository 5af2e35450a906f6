//! Timer waits against socket waits, one panel per runtime: the efficiency (ideal / wall
//! time) of the io cells (each wait on the runtime's timer) and of the net cells (each wait
//! a call to the latency server over TCP, a connection per task) without a limit, against
//! the number of tasks. The same waits, task by task: the gap between the two lines is
//! what real sockets (connections, the reactor, the kernel's TCP) add.

use crate::analysis::most_common;
use crate::limit::Limit;
use crate::netserver::DEFAULT_PAYLOAD;
use crate::results::{CellRecord, Loaded};
use crate::workload::WorkloadKind;

use super::model::{Axis, Body, Chart, Key, LegendEntry, Panel, Series, Unit};
use super::palette::REFERENCE;
use super::select;

pub const NAME: &str = "timer-vs-socket-waits";

/// A runtime's (tasks, efficiency) points of one workload, by tasks.
fn points(cells: &[&CellRecord], runtime: &str, workload: WorkloadKind) -> Vec<(f64, f64)> {
    let mut points: Vec<(f64, f64)> = cells
        .iter()
        .filter(|c| c.runtime == runtime && c.workload == workload)
        .map(|c| (c.tasks as f64, c.efficiency))
        .collect();
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    points
}

pub fn chart(loaded: &Loaded) -> Result<Chart, String> {
    let usable: Vec<&CellRecord> = select::cells(loaded)
        .filter(|c| {
            matches!(c.workload, WorkloadKind::Io | WorkloadKind::Net)
                && c.limit == Limit::Unbounded
                && c.efficiency > 0.0
                && c.payload.is_none_or(|p| p == DEFAULT_PAYLOAD)
        })
        .collect();
    let net_latency = most_common(
        usable
            .iter()
            .filter(|c| c.workload == WorkloadKind::Net)
            .map(|c| c.latency),
    )
    .ok_or("no successful net cell without a limit")?;
    let cells: Vec<&CellRecord> = usable
        .into_iter()
        .filter(|c| c.latency == net_latency)
        .collect();
    let rts = select::runtimes(loaded);
    let names: Vec<&str> = rts
        .sorted(cells.iter().map(|c| c.runtime.as_str()))
        .into_iter()
        .filter(|n| {
            cells
                .iter()
                .any(|c| c.runtime == *n && c.workload == WorkloadKind::Net)
        })
        .collect();
    let top = cells.iter().map(|c| c.efficiency).fold(1.0_f64, f64::max) * 1.1;
    let panels: Vec<Panel> = names
        .iter()
        .map(|&name| {
            let line = |workload, dashed| Series {
                points: points(&cells, name, workload),
                colour: rts.colour(name),
                dashed,
                markers: true,
                faint: false,
                highlights: Vec::new(),
            };
            Panel {
                title: select::label(loaded, name),
                x: Axis::log("tasks (log scale)", Unit::Count),
                y: Axis::linear("efficiency: ideal / wall (%)", Unit::Percent)
                    .from(0.0)
                    .to(top),
                body: Body::Lines(vec![
                    line(WorkloadKind::Io, false),
                    line(WorkloadKind::Net, true),
                ]),
                references: vec![(1.0, "ideal".into())],
            }
        })
        .collect();
    let columns = panels.len().min(3);
    let rows = panels.len().div_ceil(columns.max(1));
    Ok(Chart {
        title: "Timer waits vs socket waits (no limit)".into(),
        subtitle: format!(
            "Each task {}: on the runtime's timer (io, solid) or as one call to the latency \
             server over TCP, a connection per task (net, dashed), the same waits task by task. \
             Efficiency = ideal / median wall. {}.",
            select::latency_words(&net_latency),
            select::machine_words(loaded)
        ),
        columns,
        size: (1500, super::model::height(rows)),
        panels,
        legend: vec![
            LegendEntry::new("timer waits (io)", REFERENCE, Key::Line { dashed: false }),
            LegendEntry::new("socket waits (net)", REFERENCE, Key::Line { dashed: true }),
        ],
    })
}
