//! Words several renderers share: how a runtime, its model, a unit's memory, a cell's wall
//! time and a verdict are written.

use crate::analysis::UnitMemory;
use crate::measure::memory::KERNEL_COUNTERS;
use crate::results::{CellRecord, Verdict};
use crate::runtime::Model;
use crate::units::{bytes, seconds};

/// A runtime as the tables name it: `async-std (legacy)`.
pub fn runtime_label(runtime: &str, legacy: bool) -> String {
    if legacy {
        format!("{runtime} (legacy)")
    } else {
        runtime.to_string()
    }
}

/// `async (tokio)`, `threads`, `thread pool (rayon)`.
pub fn model_label(runtime: &str, model: Model) -> String {
    if model.name() == runtime {
        model.name().to_string()
    } else {
        format!("{model} ({runtime})")
    }
}

/// `455 B resident per task`, `270.1 KiB PSS per process`.
pub fn unit_memory_text(m: &UnitMemory) -> String {
    format!("{} {} per {}", bytes(Some(m.bytes)), m.kind, m.unit)
}

/// `, 455 B resident per task`, or nothing when the memory pass did not run.
pub fn and_unit_memory(m: Option<&UnitMemory>) -> String {
    m.map_or_else(String::new, |m| format!(", {}", unit_memory_text(m)))
}

/// How the memory pass read kernel memory and what a total is, for the memory table's
/// note, the chart's subtitle and BENCHMARK.md (two sentences, the last without its full
/// stop); `repeats`: fresh processes per size.
pub fn kernel_note(repeats: usize) -> String {
    format!(
        "Kernel memory is the growth of {KERNEL_COUNTERS}, from before to after parking; each size \
         is the median of {repeats} fresh processes, and a model whose repeats disagree is flagged \
         noisy. Total = resident + kernel (PSS + kernel for processes)"
    )
}

/// A cell's median wall time, marked when its repetitions varied widely.
pub fn wall(c: &CellRecord) -> String {
    let noisy = if c.noisy { " (noisy)" } else { "" };
    format!("{}{noisy}", seconds(c.wall_seconds))
}

/// A claim's verdict, or `not measured`.
pub fn verdict(v: Option<Verdict>) -> String {
    v.map_or_else(|| "not measured".to_string(), |v| v.to_string())
}

/// The first clause of a failure's reason, for a narrow column: `20000 units: the OS
/// refused ...` without the parenthesised detail that follows.
pub fn first_clause(s: &str) -> &str {
    s.split(" (").next().unwrap_or(s)
}

/// A cell's status: `ok`, `FAILED: ` and why, or `SUSPECT: ` and the physics it breaks.
pub fn cell_status(c: &CellRecord) -> String {
    match (&c.error, &c.suspect) {
        (Some(_), _) => status(c.error.as_deref()),
        (None, Some(why)) => format!("SUSPECT: {why}"),
        (None, None) => "ok".into(),
    }
}

/// `ok`, or `FAILED: ` and why.
pub fn status(error: Option<&str>) -> String {
    error.map_or_else(|| "ok".to_string(), |e| format!("FAILED: {e}"))
}
