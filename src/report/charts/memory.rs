//! Memory per idle unit (a task, a thread, a process) by model, on a log scale: resident
//! memory (RSS), for processes also their proportional share (PSS), and beside them the
//! virtual address space reserved (thread stacks), from the memory pass's per-unit slopes.

use crate::results::{Loaded, MemoryModel};
use crate::units::{bytes, thousands};

use super::model::{Axis, Body, Chart, Fill, Group, Item, Key, LegendEntry, Mark, Panel, Unit};
use super::palette::limit_colour;
use super::select;

pub const NAME: &str = "memory-per-unit";

/// The figures shown per model: label for the legend, fill, and how to read it.
/// Reads one per-unit figure of a model.
type Read = fn(&MemoryModel) -> Option<f64>;

const FIGURES: [(&str, Fill, Read); 3] = [
    ("resident (RSS) per unit", Fill::Solid, |m| {
        m.rss_per_unit_bytes
    }),
    (
        "proportional (PSS) per unit: shared pages split",
        Fill::Mid,
        |m| m.pss_per_unit_bytes,
    ),
    (
        "virtual address space reserved per unit",
        Fill::Light,
        |m| m.virtual_per_unit_bytes,
    ),
];

fn positive(v: Option<f64>) -> Option<f64> {
    v.filter(|v| v.is_finite() && *v > 0.0)
}

pub fn chart(loaded: &Loaded) -> Result<Chart, String> {
    let models: Vec<&MemoryModel> = loaded
        .summary
        .memory_models
        .iter()
        .filter(|m| {
            positive(m.rss_per_unit_bytes).is_some() || positive(m.virtual_per_unit_bytes).is_some()
        })
        .collect();
    if models.is_empty() {
        return Err("no memory pass (or no model parked a unit)".into());
    }
    let rts = select::runtimes(loaded);
    let names = rts.sorted(models.iter().map(|m| m.runtime.as_str()));
    // Only the figures some model has: PSS is measured for processes alone.
    let figures: Vec<_> = FIGURES
        .iter()
        .filter(|f| models.iter().any(|m| positive((f.2)(m)).is_some()))
        .collect();
    let groups = names
        .iter()
        .map(|n| {
            let m = models.iter().find(|m| m.runtime == *n).copied();
            Group {
                label: select::label(loaded, n),
                slots: figures
                    .iter()
                    .map(|(_, fill, get)| {
                        let v = positive(get(m?))?;
                        Some(Item {
                            value: v,
                            colour: rts.colour(n),
                            mark: Mark::Bar(*fill),
                            range: None,
                            note: Some(bytes(Some(v))),
                        })
                    })
                    .collect(),
                packed: true,
            }
        })
        .collect();
    let legend = figures
        .iter()
        .map(|(label, fill, _)| {
            LegendEntry::new(*label, limit_colour("semaphore"), Key::Bar(*fill))
        })
        .collect();
    let largest: Vec<String> = names
        .iter()
        .filter_map(|n| {
            let m = models.iter().find(|m| m.runtime == *n)?;
            Some(format!(
                "{n} {}{}",
                thousands(m.max_units),
                if m.stopped_by.is_some() {
                    " (the next size failed)"
                } else {
                    ""
                }
            ))
        })
        .collect();
    Ok(Chart {
        title: "Memory per idle unit, by concurrency model".into(),
        subtitle: format!(
            "Memory pass: N idle units parked in a fresh process; per-unit figures are slopes of the \
             growth over N, so fixed costs drop out. Largest N parked: {}. {}.",
            largest.join(", "),
            select::machine_words(loaded)
        ),
        panels: vec![Panel {
            title: String::new(),
            x: Axis::linear(
                "model: one idle unit is a task (async), a thread, or a process",
                Unit::Count,
            ),
            y: Axis::log("bytes per idle unit (log scale)", Unit::Bytes),
            body: Body::Groups(groups),
            references: Vec::new(),
        }],
        columns: 1,
        legend,
        size: (1100, 650),
    })
}
