//! One figure across machines: the CPU-bound speed-up over sequential that each folder's
//! decision row reads (the claims' CPU experiment where the folder holds it, else the run's
//! largest CPU work), one bar per machine for each runtime, each machine's cores as a line.
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

/// One runtime's speed-up on one machine: (label, speed-up, its interval).
type Speedup = (String, f64, (f64, f64));

/// A folder's speed-ups, the work they were measured on, and its cores.
type Row = (Vec<Speedup>, String, usize);

/// A folder's CPU row as speed-ups, with what was compared (tasks, compute) and the cores.
fn speedups(folder: &Folder) -> Result<Row, String> {
    match cpu::decide(folder.loaded) {
        Ok(RowBody::Cpu(r)) => {
            let each = r
                .ranked
                .pick_first()
                .map(|c| {
                    let (lo, hi) = c.interval;
                    let label = c.item.cell.runtime.clone();
                    (label, c.item.speedup, (r.baseline / hi, r.baseline / lo))
                })
                .collect();
            Ok((
                each,
                format!("x{} factorial({})", r.tasks, r.compute),
                r.cores,
            ))
        }
        Ok(RowBody::CpuExperiment(r)) => {
            let each = r
                .ranked
                .pick_first()
                .map(|c| (c.item.label.to_string(), c.item.speedup, c.item.interval))
                .collect();
            let what = format!("x{} factorial({}), CPU experiment", r.tasks, r.compute);
            Ok((each, what, r.cores))
        }
        Ok(_) | Err(_) => Err(format!("{}: no CPU-bound row", folder.name)),
    }
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
        for (l, _, _) in each {
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
                    let (_, v, range) = each.iter().find(|(l, _, _)| l == label)?;
                    Some(Item {
                        value: *v,
                        colour: colour(i),
                        mark: Mark::Bar(Fill::Solid),
                        range: Some(*range),
                        note: None,
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
            "Each machine's own decision row: sequential's wall time over the runtime's, on \
             that machine (bar: median, whisker: its interval); a line at each machine's \
             cores, the most physics allows. {work}"
        ),
        panels: vec![Panel {
            title: String::new(),
            x: Axis::linear("runtime", Unit::Count),
            y: Axis::linear("speed-up over sequential", Unit::Ratio).from(0.0),
            body: Body::Groups(groups),
            references,
        }],
        columns: 1,
        legend,
        size: (1000, 650),
    })
}
