//! CPU speed-up against worker threads: for each `--workers` setting the cpu sweep ran,
//! sequential's wall time over each runtime's, with the ideal min(workers, cores) dashed.

use crate::analysis::most_common;
use crate::results::{CellRecord, Loaded};
use crate::runtime::Model;
use crate::workload::WorkloadKind;

use super::model::{Axis, Body, Chart, Panel, Unit};
use super::parts::Lines;
use super::select;

pub const NAME: &str = "cpu-speedup";

/// Whether the cell ran on the thread count `--workers` asked for, as its record says. A
/// runtime with any cell that did not (one thread per task, a single thread) is named in
/// the subtitle as choosing its own count; on a machine whose sweep has one setting only,
/// a single-thread runtime at `--workers 1` is not told apart.
fn ran_at_setting(cell: &CellRecord) -> bool {
    cell.workers_requested == Some(cell.workers)
}

/// One run of the sweep: cells in file order until a runtime comes round again.
fn sweep_runs<'a>(cells: &[&'a CellRecord]) -> Vec<Vec<&'a CellRecord>> {
    let mut runs: Vec<Vec<&CellRecord>> = Vec::new();
    for c in cells {
        match runs.last_mut() {
            Some(run) if !run.iter().any(|r| r.runtime == c.runtime) => run.push(c),
            _ => runs.push(vec![c]),
        }
    }
    runs
}

pub fn chart(loaded: &Loaded) -> Result<Chart, String> {
    let cpu: Vec<&CellRecord> = select::cells(loaded)
        .filter(|c| c.workload == WorkloadKind::Cpu && c.wall_seconds > 0.0)
        .collect();
    let key = most_common(cpu.iter().map(|c| (c.tasks, c.compute, c.limit)))
        .ok_or("no successful cpu cell")?;
    let cells: Vec<&CellRecord> = cpu
        .into_iter()
        .filter(|c| (c.tasks, c.compute, c.limit) == key)
        .collect();
    let sequential: Vec<f64> = cells
        .iter()
        .filter(|c| c.model == Model::Sequential)
        .map(|c| c.wall_seconds)
        .collect();
    if sequential.is_empty() {
        return Err("no sequential cpu cell to compute a speed-up against".into());
    }
    let fallback = sequential.iter().sum::<f64>() / sequential.len() as f64;
    let runs = sweep_runs(&cells);
    // Each run's --workers, as its cells recorded it; else its position.
    let settings: Vec<usize> = runs
        .iter()
        .enumerate()
        .map(|(i, run)| {
            run.iter()
                .find_map(|c| c.workers_requested)
                .unwrap_or(i + 1)
        })
        .collect();
    let rts = select::runtimes(loaded);
    let mut lines = Lines::default();
    let names = rts.sorted(
        cells
            .iter()
            .filter(|c| c.model != Model::Sequential)
            .map(|c| c.runtime.as_str()),
    );
    if names.is_empty() {
        return Err("only sequential ran the cpu workload".into());
    }
    let mut ignoring = Vec::new();
    for name in names {
        let mut points = Vec::new();
        for (run, &w) in runs.iter().zip(&settings) {
            let Some(cell) = run.iter().find(|c| c.runtime == name) else {
                continue;
            };
            let base = run
                .iter()
                .find(|c| c.model == Model::Sequential)
                .map_or(fallback, |c| c.wall_seconds);
            points.push((w as f64, base / cell.wall_seconds));
        }
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        if cells
            .iter()
            .any(|c| c.runtime == name && !ran_at_setting(c))
        {
            ignoring.push(name);
        }
        lines.runtime(loaded, &rts, name, points);
    }
    let cores = loaded.summary.machine.cores.max(1);
    let most = settings.iter().copied().max().unwrap_or(1).max(1);
    lines.reference(
        (1..=most)
            .map(|w| (w as f64, w.min(cores) as f64))
            .collect(),
        "ideal: min(workers, cores)",
    );
    let ignoring = if ignoring.is_empty() {
        String::new()
    } else {
        format!(
            " {} run with their own thread or process count whatever --workers says.",
            ignoring.join(", ")
        )
    };
    Ok(Chart {
        title: "CPU speed-up over sequential vs worker threads".into(),
        subtitle: format!(
            "{} tasks of factorial({}), no limit; speed-up = sequential wall time / runtime wall \
             time in the same run of the sweep.{ignoring} {}.",
            key.0,
            key.1,
            select::machine_words(loaded)
        ),
        panels: vec![Panel {
            title: String::new(),
            x: Axis::linear("worker threads (--workers)", Unit::Integer)
                .from(0.5)
                .to(most as f64 + 0.5),
            y: Axis::linear("speed-up over sequential (x)", Unit::Ratio).from(0.0),
            body: Body::Lines(lines.series),
            references: Vec::new(),
        }],
        columns: 1,
        legend: lines.legend,
        size: (1000, 650),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokio_follows_workers_and_threads_do_not() {
        let loaded = crate::results::load(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/results-small"
        )))
        .unwrap();
        let cell = |rt: &str| {
            loaded
                .summary
                .cells
                .iter()
                .find(|c| c.runtime == rt && c.workload == WorkloadKind::Cpu)
                .unwrap()
        };
        assert!(ran_at_setting(cell("tokio")));
        assert!(!ran_at_setting(cell("threads")));
        assert!(!ran_at_setting(cell("sequential")));
        let cpu: Vec<&CellRecord> = loaded
            .summary
            .cells
            .iter()
            .filter(|c| c.workload == WorkloadKind::Cpu)
            .collect();
        assert_eq!(sweep_runs(&cpu).len(), 2);
    }
}
