//! Picking the records a chart shows: successful cells of the normal variant, the most
//! common parameter set where a folder holds several, and the words that describe them.

use crate::report::labels::runtime_label;
use crate::results::{CellRecord, Loaded};
use crate::workload::Latency;
use crate::workload::latency::format_duration;

use super::palette::Runtimes;

/// Cells that measured something comparable: no error, the normal variant (anti-patterns
/// are the claims' business).
pub fn cells(loaded: &Loaded) -> impl Iterator<Item = &CellRecord> {
    loaded.summary.cells.iter().filter(|c| c.ok() && c.normal())
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
            .chain(s.spawn.iter().map(|p| p.runtime.as_str()))
            .chain(s.serve.iter().map(|r| r.model.as_str())),
    )
}

/// The runtime's label, `(legacy)` added if any record of it says so.
pub fn label(loaded: &Loaded, runtime: &str) -> String {
    let s = &loaded.summary;
    let legacy = s.cells.iter().any(|c| c.runtime == runtime && c.legacy)
        || s.memory_models
            .iter()
            .any(|m| m.runtime == runtime && m.legacy)
        || s.timers.iter().any(|t| t.runtime == runtime && t.legacy)
        || s.serve.iter().any(|r| r.model == runtime && r.legacy);
    runtime_label(runtime, legacy)
}

/// A cell's latency in words: `10ms` -> "a fixed 10ms wait".
pub fn latency_words(latency: &Latency) -> String {
    match *latency {
        Latency::Uniform(lo, hi) => format!(
            "a wait drawn uniformly from {}..{}",
            format_duration(lo),
            format_duration(hi)
        ),
        Latency::LongTail(m) => format!("a long-tailed wait (median {})", format_duration(m)),
        Latency::Fixed(d) => format!("a fixed {} wait", format_duration(d)),
    }
}

/// A cell's latency in a few words for a panel title: `longtail:10ms` ->
/// "long-tailed waits, median 10ms".
pub fn latency_short(latency: &Latency) -> String {
    match *latency {
        Latency::Uniform(lo, hi) => format!(
            "uniform {}..{} waits",
            format_duration(lo),
            format_duration(hi)
        ),
        Latency::LongTail(m) => format!("long-tailed waits, median {}", format_duration(m)),
        Latency::Fixed(d) => format!("fixed {} waits", format_duration(d)),
    }
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
    fn latencies_in_words() {
        let words = |s: &str| latency_words(&s.parse().unwrap());
        assert_eq!(words("10ms"), "a fixed 10ms wait");
        assert_eq!(
            words("uniform:5ms..15ms"),
            "a wait drawn uniformly from 5ms..15ms"
        );
        assert_eq!(words("longtail:10ms"), "a long-tailed wait (median 10ms)");
        let short = |s: &str| latency_short(&s.parse().unwrap());
        assert_eq!(short("longtail:10ms"), "long-tailed waits, median 10ms");
        assert_eq!(short("uniform:5ms..15ms"), "uniform 5ms..15ms waits");
    }
}
