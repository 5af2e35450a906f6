//! Tables for the terminal: one line per cell, per memory size, per probe, and a block
//! per claim, the figures a person compares first.

use std::io::{self, Write};

use super::Exporter;
use crate::analysis::timing;
use crate::report::labels::{
    cell_status, first_clause, kernel_note, runtime_label as label, status,
};
use crate::results::{
    CellRecord, ClaimResult, MemoryModel, MemoryRecord, ServerProbe, SpawnProbe, Summary,
    TimerProbe,
};
use crate::runtime::SpawnKind;
use crate::units::{bytes, seconds};

/// Seconds that may be negative (a cell a little faster than ideal + overshoot).
fn signed_seconds(s: f64) -> String {
    if s < 0.0 {
        format!("-{}", seconds(-s))
    } else {
        seconds(s)
    }
}

/// The table exporter: aligned columns for a person.
pub struct Table;

impl Exporter for Table {
    fn run(&self, out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
        let probes_only = summary.cells.is_empty() && !summary.timers.is_empty();
        if !probes_only {
            write_table(out, &summary.cells, &summary.timers)?;
        }
        if !summary.timers.is_empty() {
            if !probes_only {
                writeln!(out)?;
            }
            write_timer_table(out, &summary.timers)?;
            writeln!(out)?;
            write_spawn_table(out, &summary.spawn)?;
        }
        if !summary.latency_server.is_empty() {
            writeln!(out)?;
            write_server_table(out, &summary.latency_server)?;
        }
        if !summary.serve.is_empty() {
            if !summary.cells.is_empty() {
                writeln!(out)?;
            }
            crate::report::serve::write_serve_table(out, &summary.serve)?;
        }
        Ok(())
    }

    fn memory(&self, out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
        write_memory_table(out, &summary.memory, &summary.memory_models)
    }

    fn claims(&self, out: &mut dyn Write, claims: &[ClaimResult]) -> io::Result<()> {
        write_claims_table(out, claims)
    }
}

/// One line per cell: the figures a person compares first.
/// One line per cell: the median wall time with its interval, the ideal, and beside it the
/// runtime's timer overshoot on the cell's path and the rest per task (`timers`: the timer
/// probe, when the run had one).
pub fn write_table(
    out: &mut dyn Write,
    records: &[CellRecord],
    timers: &[TimerProbe],
) -> io::Result<()> {
    writeln!(
        out,
        "{:<22} {:<6} {:>7} {:<13} {:>7} {:>10} {:>19} {:>10} {:>9} {:>10} {:>6} {:>10} {:>8} {:>8} {:>9} {:>9}  status",
        "runtime",
        "work",
        "tasks",
        "limit",
        "workers",
        "wall",
        "95% interval",
        "ideal",
        "timer+",
        "extra/task",
        "eff",
        "tasks/s",
        "user s",
        "sys s",
        "vol csw",
        "invol csw"
    )?;
    for r in records {
        let name = if r.normal() {
            label(&r.runtime, r.legacy)
        } else {
            format!("{} [{}]", label(&r.runtime, r.legacy), r.variant)
        };
        let status = cell_status(r);
        let (lo, hi) = r.wall_interval();
        let timing = timing(timers, r);
        let or_dash = |v: Option<f64>, f: fn(f64) -> String| v.map_or_else(|| "-".into(), f);
        writeln!(
            out,
            "{:<22} {:<6} {:>7} {:<13} {:>7} {:>10} {:>19} {:>10} {:>9} {:>10} {:>6.2} {:>10.0} {:>8.3} {:>8.3} {:>9} {:>9}  {status}",
            name,
            r.workload,
            r.tasks,
            r.limit,
            r.workers,
            seconds(r.wall_seconds),
            format!("{}..{}", seconds(lo), seconds(hi)),
            seconds(r.ideal_seconds),
            or_dash(timing.map(|t| t.overshoot), seconds),
            or_dash(timing.map(|t| t.overhead_per_task), signed_seconds),
            r.efficiency,
            r.throughput_per_second,
            r.cpu_user_seconds,
            r.cpu_sys_seconds,
            r.voluntary_switches,
            r.involuntary_switches,
        )?;
    }
    Ok(())
}

/// The memory pass: each size, then each model's per-unit slopes, then how kernel memory
/// was read.
fn write_memory_table(
    out: &mut dyn Write,
    records: &[MemoryRecord],
    models: &[MemoryModel],
) -> io::Result<()> {
    writeln!(
        out,
        "{:<22} {:>9} {:>12} {:>12} {:>12} {:>12} {:>14}  status",
        "model", "units", "RSS/unit", "PSS/unit", "kernel/unit", "heap/unit", "virtual/unit"
    )?;
    for r in records {
        let status = status(r.error.as_deref());
        writeln!(
            out,
            "{:<22} {:>9} {:>12} {:>12} {:>12} {:>12} {:>14}  {status}",
            label(&r.runtime, r.legacy),
            r.units,
            bytes(Some(r.rss_per_unit_bytes)),
            bytes(r.pss_per_unit_bytes),
            bytes(r.kernel_per_unit_bytes),
            bytes(Some(r.heap_per_unit_bytes)),
            bytes(Some(r.virtual_per_unit_bytes)),
        )?;
    }
    writeln!(out)?;
    writeln!(out, "per unit (slope over the sizes that succeeded):")?;
    for m in models {
        writeln!(
            out,
            "{:<22} resident {:>10}  PSS {:>10}  kernel {:>10}{}  total {:>10}  heap {:>10}  virtual {:>10}  max units {:>9}{}",
            label(&m.runtime, m.legacy),
            bytes(m.rss_per_unit_bytes),
            bytes(m.pss_per_unit_bytes),
            bytes(m.kernel_per_unit_bytes),
            if m.kernel_noisy { " (noisy)" } else { "" },
            bytes(m.total_per_unit_bytes),
            bytes(m.heap_per_unit_bytes),
            bytes(m.virtual_per_unit_bytes),
            m.max_units,
            m.stopped_by
                .as_deref()
                .map_or_else(String::new, |s| format!(
                    "  (stopped at {})",
                    first_clause(s)
                )),
        )?;
    }
    if let Some(m) = models.iter().find(|m| m.kernel_per_unit_bytes.is_some()) {
        writeln!(out, "{}.", kernel_note(m.repeats))?;
    }
    for m in models {
        if let Some(why) = &m.kernel_noise {
            writeln!(out, "{} kernel noisy: {why}", label(&m.runtime, m.legacy))?;
        }
    }
    Ok(())
}

/// Timer probe: requested vs measured sleep per runtime, the unit's start and join apart.
fn write_timer_table(out: &mut dyn Write, probes: &[TimerProbe]) -> io::Result<()> {
    writeln!(
        out,
        "timer probe (median of 21 sleeps, timestamped inside the unit around the sleep alone; \
         start and join are the unit's own, not in the overshoot):"
    )?;
    writeln!(
        out,
        "{:<22} {:<7} {:>9} {:>10} {:>10} {:>21} {:>10} {:>10}  status",
        "runtime", "unit", "requested", "slept", "overshoot", "min..max", "start", "join"
    )?;
    let or_dash = |v: Option<f64>| v.map_or_else(|| "-".to_string(), seconds);
    for p in probes {
        let mut status = status(p.error.as_deref());
        if !p.inside_unit {
            status.push_str(" (older file: a whole one-unit cell, start and join included)");
        }
        writeln!(
            out,
            "{:<22} {:<7} {:>9} {:>10} {:>10} {:>21} {:>10} {:>10}  {status}",
            label(&p.runtime, p.legacy),
            p.unit,
            seconds(p.requested_seconds),
            seconds(p.median_seconds),
            seconds(p.overshoot_seconds),
            format!("{}..{}", seconds(p.min_seconds), seconds(p.max_seconds)),
            or_dash(p.start_seconds),
            or_dash(p.join_seconds),
        )?;
    }
    Ok(())
}

/// The latency server probe: per delay, what a blocking client sees added, and the
/// server's own share of it.
fn write_server_table(out: &mut dyn Write, probes: &[ServerProbe]) -> io::Result<()> {
    writeln!(
        out,
        "latency server probe (one blocking client, one connection; added = reply arrival - \
         send - delay; server = its reply's write - its deadline):"
    )?;
    writeln!(
        out,
        "{:>7} {:>8} {:>12} {:>10} {:>13} {:>11}  status",
        "delay", "samples", "added p50", "added p99", "server p50", "server p99"
    )?;
    for p in probes {
        writeln!(
            out,
            "{:>7} {:>8} {:>12} {:>10} {:>13} {:>11}  {}",
            seconds(p.delay_seconds),
            p.samples,
            seconds(p.added_median_seconds),
            seconds(p.added_p99_seconds),
            seconds(p.server_late_median_seconds),
            seconds(p.server_late_p99_seconds),
            status(p.error.as_deref()),
        )?;
    }
    Ok(())
}

/// Spawn probe: per runtime, one empty unit started and joined; then, apart, one empty job
/// through a pool already running.
fn write_spawn_table(out: &mut dyn Write, probes: &[SpawnProbe]) -> io::Result<()> {
    let mut first = true;
    for kind in SpawnKind::ALL {
        let rows: Vec<&SpawnProbe> = probes.iter().filter(|p| p.kind() == kind).collect();
        if rows.is_empty() {
            continue;
        }
        if !std::mem::take(&mut first) {
            writeln!(out)?;
        }
        let what = match kind {
            SpawnKind::Start => "start: one empty unit started and joined",
            SpawnKind::Job => {
                "job: one empty job handed to a pool already running (no unit started)"
            }
        };
        writeln!(out, "spawn probe, {what}; median of 5 runs:")?;
        writeln!(
            out,
            "{:<22} {:<7} {:>7} {:>12} {:>21}  status",
            "runtime", "unit", "units", "per unit", "min..max"
        )?;
        for p in rows {
            let status = status(p.error.as_deref());
            writeln!(
                out,
                "{:<22} {:<7} {:>7} {:>12} {:>21}  {status}",
                label(&p.runtime, p.legacy),
                p.unit,
                p.units,
                seconds(p.spawn_seconds_per_unit),
                format!(
                    "{}..{}",
                    seconds(p.min_seconds_per_unit),
                    seconds(p.max_seconds_per_unit)
                ),
            )?;
        }
    }
    Ok(())
}

/// The claims: one block per claim, verdict first.
fn write_claims_table(out: &mut dyn Write, results: &[ClaimResult]) -> io::Result<()> {
    for r in results {
        let verdict = r
            .verdict
            .map_or_else(|| "NOT MEASURED".to_string(), |v| v.to_string());
        writeln!(out, "{} [{verdict}] {} (notes {})", r.id, r.claim, r.source)?;
        if !r.measured.is_empty() {
            let figures: Vec<String> = r.measured.iter().map(|f| f.to_string()).collect();
            writeln!(out, "    measured: {}", figures.join("; "))?;
        }
        if let Some(e) = &r.error {
            writeln!(out, "    error: {e}")?;
        }
        if !r.why.is_empty() {
            writeln!(out, "    why: {}", r.why)?;
        }
        if let Some(py) = &r.python {
            let verdict = py
                .verdict
                .map_or_else(|| "NOT MEASURED".to_string(), |v| v.to_string());
            let figures: Vec<String> = py.measured.iter().map(|f| f.to_string()).collect();
            writeln!(out, "    python: [{verdict}] {}", figures.join("; "))?;
            match &py.error {
                Some(e) => writeln!(out, "    python error: {e}")?,
                None => writeln!(out, "    python why: {}", py.why)?,
            }
            if let (Some(rust), Some(p)) = (r.verdict, py.verdict) {
                if rust != p {
                    writeln!(out, "    => {p} in Python, {rust} in Rust")?;
                }
            }
        }
        writeln!(out, "    rule: {}", r.rule)?;
    }
    if let Some(r) = results.first() {
        writeln!(out, "durations scaled: {}", r.scale)?;
    }
    Ok(())
}

/// The verdicts in one line each: id, verdict, why.
pub fn write_verdicts(out: &mut dyn Write, results: &[ClaimResult]) -> io::Result<()> {
    writeln!(
        out,
        "claims of the notes, measured here ({}):",
        results.first().map_or("", |r| r.scale.as_str())
    )?;
    for r in results {
        let verdict = r
            .verdict
            .map_or_else(|| "NOT MEASURED".to_string(), |v| v.to_string());
        let why = r.error.as_deref().unwrap_or(&r.why);
        writeln!(out, "{:<4} {:<14} {}", r.id, verdict, why)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_lines_up_whatever_the_workload_and_limit() {
        let loaded = crate::analysis::tests::fixture();
        let cells: Vec<CellRecord> = loaded
            .summary
            .cells
            .into_iter()
            .filter(|c| c.ok())
            .collect();
        let mut out = Vec::new();
        write_table(&mut out, &cells, &[]).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        let status = header.find("  status").unwrap();
        for line in lines {
            assert_eq!(line.find("  ok"), Some(status), "{header}\n{line}");
        }
        assert!(
            text.contains("semaphore:10"),
            "the fixture has limited cells"
        );
    }
}
