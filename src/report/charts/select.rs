//! Picking the records a chart shows: successful cells of the normal variant, the most
//! common parameter set where a folder holds several, and the words that describe them.

use crate::results::{CellRecord, Loaded};

use super::palette::{Runtimes, runtime_label};

/// Cells that measured something comparable: no error, the normal variant (anti-patterns
/// are the claims' business).
pub fn cells(loaded: &Loaded) -> impl Iterator<Item = &CellRecord> {
    loaded
        .summary
        .cells
        .iter()
        .filter(|c| c.ok() && (c.variant == "normal" || c.variant.is_empty()))
}

/// Every runtime named anywhere in the summary, for colours and order.
pub fn runtimes(loaded: &Loaded) -> Runtimes {
    let s = &loaded.summary;
    Runtimes::new(
        s.cells
            .iter()
            .map(|c| c.runtime.as_str())
            .chain(s.memory_models.iter().map(|m| m.runtime.as_str()))
            .chain(s.timers.iter().map(|t| t.runtime.as_str()))
            .chain(s.spawn.iter().map(|p| p.runtime.as_str())),
    )
}

/// The runtime's label, `(legacy)` added if any record of it says so.
pub fn label(loaded: &Loaded, runtime: &str) -> String {
    let s = &loaded.summary;
    let legacy = s.cells.iter().any(|c| c.runtime == runtime && c.legacy)
        || s.memory_models
            .iter()
            .any(|m| m.runtime == runtime && m.legacy)
        || s.timers.iter().any(|t| t.runtime == runtime && t.legacy);
    runtime_label(runtime, legacy)
}

/// A cell's latency field in words: `10ms` -> "a fixed 10ms wait".
pub fn latency_words(latency: &str) -> String {
    if let Some(range) = latency.strip_prefix("uniform:") {
        format!("a wait drawn uniformly from {range}")
    } else if let Some(median) = latency.strip_prefix("longtail:") {
        format!("a long-tailed wait (median {median})")
    } else {
        format!("a fixed {latency} wait")
    }
}

/// A cell's latency field in a few words for a panel title: `longtail:10ms` ->
/// "long-tailed waits, median 10ms".
pub fn latency_short(latency: &str) -> String {
    if let Some(range) = latency.strip_prefix("uniform:") {
        format!("uniform {range} waits")
    } else if let Some(median) = latency.strip_prefix("longtail:") {
        format!("long-tailed waits, median {median}")
    } else {
        format!("fixed {latency} waits")
    }
}

/// A limit field split: `semaphore:10` -> ("semaphore", 10); `unbounded` -> None.
pub fn limit_parts(limit: &str) -> Option<(&str, usize)> {
    let (kind, n) = limit.split_once(':')?;
    Some((kind, n.parse().ok()?))
}

/// The machine and run, for a subtitle: "quick profile, 2 cores (CPU model), 2026-05-01".
pub fn machine_words(loaded: &Loaded) -> String {
    let s = &loaded.summary;
    let m = &s.machine;
    format!(
        "{} profile{}, {} cores ({}), {} build, {}",
        s.profile,
        if s.complete { "" } else { " (incomplete run)" },
        m.cores,
        m.cpu_model,
        m.profile,
        m.day()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_helpers() {
        assert_eq!(limit_parts("semaphore:10"), Some(("semaphore", 10)));
        assert_eq!(limit_parts("unbounded"), None);
        assert_eq!(latency_words("10ms"), "a fixed 10ms wait");
        assert_eq!(
            latency_words("uniform:5ms..15ms"),
            "a wait drawn uniformly from 5ms..15ms"
        );
    }
}
