//! Memory per idle unit (a task, a thread, a process) by model, on a log scale: the total a
//! unit costs, its own pages (resident; for processes their proportional share, PSS) and
//! the kernel's memory for it (kernel stacks, page tables, slab), and beside them the
//! virtual address space reserved (thread stacks), from the memory pass's per-unit slopes.

use crate::report::labels::kernel_note;
use crate::results::{Loaded, MemoryModel};
use crate::units::{bytes, thousands};

use super::model::{Axis, Body, Chart, Fill, Group, Item, Key, LegendEntry, Mark, Panel, Unit};
use super::palette::limit_colour;
use super::select;

pub const NAME: &str = "memory-per-unit";

/// The figures shown per model: label for the legend, fill, and how to read it.
/// Reads one per-unit figure of a model.
type Read = fn(&MemoryModel) -> Option<f64>;

const FIGURES: [(&str, Fill, Read); 4] = [
    ("total per unit: own pages + kernel", Fill::Solid, |m| {
        m.total_per_unit_bytes
    }),
    (
        "own pages per unit: resident (PSS for processes)",
        Fill::Mid,
        |m| m.own_per_unit().map(|o| o.0),
    ),
    (
        "kernel per unit: stacks, page tables, slab",
        Fill::Dark,
        |m| m.kernel_per_unit_bytes,
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
    let kernel = match models.iter().find(|m| m.kernel_per_unit_bytes.is_some()) {
        Some(m) => {
            let noisy: Vec<&str> = models
                .iter()
                .filter(|m| m.kernel_noisy)
                .map(|m| m.runtime.as_str())
                .collect();
            let flagged = match noisy.as_slice() {
                [] => String::new(),
                names => format!(" Kernel figure noisy for {}.", names.join(", ")),
            };
            format!("{}.{flagged}", kernel_note(m.repeats))
        }
        None => "Kernel memory not measured.".into(),
    };
    Ok(Chart {
        title: "Memory per idle unit, by concurrency model".into(),
        subtitle: format!(
            "Memory pass: N idle units parked in a fresh process; per-unit figures are slopes of the \
             growth over N, so fixed costs drop out. {kernel} Largest N parked: {}. {}.",
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

#[cfg(test)]
mod tests {
    #[test]
    fn the_subtitle_says_how_kernel_memory_was_read_and_which_figure_is_noisy() {
        let mut loaded = crate::analysis::tests::fixture();
        let words = |l: &crate::results::Loaded| super::chart(l).unwrap().subtitle;
        assert!(words(&loaded).contains("Kernel memory not measured."));
        for m in &mut loaded.summary.memory_models {
            m.kernel_per_unit_bytes = Some(28672.0);
            m.kernel_noisy = m.runtime == "processes";
        }
        let subtitle = words(&loaded);
        assert!(
            subtitle.contains("Kernel memory is the growth of"),
            "{subtitle}"
        );
        assert!(subtitle.contains("noisy for processes."), "{subtitle}");
    }
}
