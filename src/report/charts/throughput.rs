//! Throughput against the number of concurrent tasks, one line per runtime: the io cells
//! without a limit, where every task's wait could overlap. The dashed line is the ideal
//! (all waits overlapped: tasks / one wait).

use crate::analysis::most_common;
use crate::limit::Limit;
use crate::results::Loaded;
use crate::workload::WorkloadKind;

use super::model::{Axis, Body, Chart, Panel, Unit};
use super::parts::Lines;
use super::select;

pub const NAME: &str = "throughput-vs-tasks";

pub fn chart(loaded: &Loaded) -> Result<Chart, String> {
    let io: Vec<_> = select::cells(loaded)
        .filter(|c| {
            c.workload == WorkloadKind::Io
                && c.limit == Limit::Unbounded
                && c.throughput_per_second > 0.0
        })
        .collect();
    let latency =
        most_common(io.iter().map(|c| c.latency)).ok_or("no successful io cell without a limit")?;
    let cells: Vec<_> = io.into_iter().filter(|c| c.latency == latency).collect();
    let rts = select::runtimes(loaded);
    let mut lines = Lines::default();
    for name in rts.sorted(cells.iter().map(|c| c.runtime.as_str())) {
        let mut points: Vec<(f64, f64)> = cells
            .iter()
            .filter(|c| c.runtime == name)
            .map(|c| (c.tasks as f64, c.throughput_per_second))
            .collect();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        lines.runtime(loaded, &rts, name, points);
    }
    // The ideal: every wait overlapped, so a run takes one wait whatever the count.
    let mut ideal: Vec<(f64, f64)> = cells
        .iter()
        .filter(|c| c.ideal_seconds > 0.0)
        .map(|c| (c.tasks as f64, c.tasks as f64 / c.ideal_seconds))
        .collect();
    // Sequential's ideal is one wait per task; the line is the most concurrent one.
    ideal.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.total_cmp(&a.1)));
    ideal.dedup_by(|a, b| a.0 == b.0);
    if ideal.len() > 1 {
        lines.reference(ideal, "ideal: all waits overlap");
    }
    let repeat = cells.iter().map(|c| c.repeat).max().unwrap_or(0);
    Ok(Chart {
        title: "Throughput vs concurrent tasks (io, no limit)".into(),
        subtitle: format!(
            "Each task is {}; all tasks start at once. Median of {repeat} runs per point; a missing \
             point was skipped by the profile or failed. {}.",
            select::latency_words(&latency),
            select::machine_words(loaded)
        ),
        panels: vec![Panel {
            title: String::new(),
            x: Axis::log("concurrent tasks (log scale)", Unit::Count),
            y: Axis::log("throughput, tasks/s (log scale)", Unit::Count),
            body: Body::Lines(lines.series),
            references: Vec::new(),
        }],
        columns: 1,
        legend: lines.legend,
        size: (1100, 650),
    })
}
