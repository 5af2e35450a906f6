//! One figure across machines: the CPU-bound speed-up over sequential that each folder's
//! decision row reads (the claims' CPU experiment where the folder holds it, else the run's
//! largest CPU work), one bar per machine for each concurrency model (its fastest runtime
//! there, named above the bar), each machine's cores as a line.
//! A speed-up is a ratio taken on its own machine, so bars of different machines compare.

use plotters::style::RGBColor;

use crate::analysis::{RowBody, cpu};
use crate::report::sections::Folder;

use super::model::{Axis, Body, Chart, Fill, Group, Item, Key, LegendEntry, Mark, Panel, Unit};

pub const NAME: &str = "cpu-speedup-machines";

/// The chart's caption where BENCHMARK.md links it.
pub const CAPTION: &str = "CPU-bound speed-up over sequential, one bar per machine";

/// One colour per machine, in the order the folders were given (d3's Dark2).
const MACHINE_COLOURS: [RGBColor; 8] = [
    RGBColor(0x1b, 0x9e, 0x77),
    RGBColor(0xd9, 0x5f, 0x02),
    RGBColor(0x75, 0x70, 0xb3),
    RGBColor(0xe7, 0x29, 0x8a),
    RGBColor(0x66, 0xa6, 0x1e),
    RGBColor(0xe6, 0xab, 0x02),
    RGBColor(0xa6, 0x76, 0x1d),
    RGBColor(0x66, 0x66, 0x66),
];

/// One concurrency model's best speed-up on one machine: (model, the runtime that made
/// it, speed-up, its interval).
type Speedup = (String, String, f64, (f64, f64));

/// A folder's speed-ups, the work they were measured on, and its cores.
type Row = (Vec<Speedup>, String, usize);

/// The model of a CPU experiment label (`rayon (pool:2)`: its runtime's), or the label.
fn model_of(label: &str) -> String {
    let runtime = label.split_whitespace().next().unwrap_or(label);
    crate::runtime::find(runtime).map_or(label.to_string(), |r| r.model().to_string())
}

/// A folder's CPU row as each concurrency model's best speed-up (the row keeps one cell
/// per model; the CPU experiment several runtimes of one model, of which the best is
/// kept), with what was compared and the cores.
fn speedups(folder: &Folder) -> Result<Row, String> {
    let (each, what, cores): (Vec<Speedup>, String, usize) = match cpu::decide(folder.loaded) {
        Ok(RowBody::Cpu(r)) => (
            r.ranked
                .pick_first()
                .map(|c| {
                    let (lo, hi) = c.interval;
                    let cell = c.item.cell;
                    let range = (r.baseline / hi, r.baseline / lo);
                    (
                        cell.model.to_string(),
                        cell.runtime.clone(),
                        c.item.speedup,
                        range,
                    )
                })
                .collect(),
            format!("x{} factorial({})", r.tasks, r.compute),
            r.cores,
        ),
        Ok(RowBody::CpuExperiment(r)) => (
            r.ranked
                .pick_first()
                .map(|c| {
                    let i = &c.item;
                    (
                        model_of(i.label),
                        i.label.to_string(),
                        i.speedup,
                        i.interval,
                    )
                })
                .collect(),
            format!("x{} factorial({}), CPU experiment", r.tasks, r.compute),
            r.cores,
        ),
        Ok(_) | Err(_) => return Err(format!("{}: no CPU-bound row", folder.name)),
    };
    let mut best: Vec<Speedup> = Vec::new();
    for s in each {
        match best.iter_mut().find(|b| b.0 == s.0) {
            Some(b) if b.2 < s.2 => *b = s,
            Some(_) => {}
            None => best.push(s),
        }
    }
    Ok((best, what, cores))
}

/// The chart across `folders`; Err says why not (fewer than two folders with a CPU row).
pub fn chart(folders: &[Folder]) -> Result<Chart, String> {
    let rows: Vec<(&Folder, Row)> = folders
        .iter()
        .filter_map(|f| speedups(f).ok().map(|s| (f, s)))
        .collect();
    if rows.len() < 2 {
        return Err("fewer than two folders hold a CPU-bound row".into());
    }
    let mut labels: Vec<&str> = Vec::new();
    for (_, (each, _, _)) in &rows {
        for (l, ..) in each {
            if !labels.contains(&l.as_str()) {
                labels.push(l);
            }
        }
    }
    let colour = |i: usize| MACHINE_COLOURS[i % MACHINE_COLOURS.len()];
    let groups = labels
        .iter()
        .map(|&label| Group {
            label: label.to_string(),
            slots: rows
                .iter()
                .enumerate()
                .map(|(i, (_, (each, _, _)))| {
                    let (_, runtime, v, range) = each.iter().find(|s| s.0 == label)?;
                    Some(Item {
                        value: *v,
                        colour: colour(i),
                        mark: Mark::Bar(Fill::Solid),
                        range: Some(*range),
                        note: Some(runtime.clone()),
                    })
                })
                .collect(),
            packed: false,
        })
        .collect();
    let legend = rows
        .iter()
        .enumerate()
        .map(|(i, (f, (_, _, cores)))| {
            let label = format!("{} ({cores} cores)", f.name);
            LegendEntry::new(label, colour(i), Key::Bar(Fill::Solid))
        })
        .collect();
    let mut works: Vec<&str> = rows.iter().map(|(_, (_, what, _))| what.as_str()).collect();
    works.dedup();
    let work = if works.len() == 1 {
        format!("Work: {}.", works[0])
    } else {
        let each: Vec<String> = rows
            .iter()
            .map(|(f, (_, what, _))| format!("{}: {what}", f.name))
            .collect();
        format!("Work: {}.", each.join("; "))
    };
    let mut references: Vec<(f64, String)> = Vec::new();
    for (_, (_, _, cores)) in &rows {
        let line = (*cores as f64, format!("{cores} cores"));
        if !references.contains(&line) {
            references.push(line);
        }
    }
    Ok(Chart {
        title: "CPU-bound speed-up over sequential, across machines".into(),
        subtitle: format!(
            "Each machine's own CPU decision row: for each concurrency model its fastest \
             runtime (named above the bar), sequential's wall time over its own, on that \
             machine (bar: median, whisker: the interval the row judges on); a line at each \
             machine's cores, the most physics allows. {work}"
        ),
        panels: vec![Panel {
            title: String::new(),
            x: Axis::linear("concurrency model", Unit::Count),
            y: Axis::linear("speed-up over sequential", Unit::Ratio).from(0.0),
            body: Body::Groups(groups),
            references,
        }],
        columns: 1,
        legend,
        size: (1000, 650),
    })
}
