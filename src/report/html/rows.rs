//! The page's own tables, as rows of text the template writes (escaped): every cell with
//! its status, the claims with their figures, and the probes.

use serde::Serialize;

use crate::report::labels;
use crate::results::{CellRecord, ClaimResult, Loaded, Verdict};
use crate::units::{bytes, seconds, thousands};

/// One cell of the run, as the sortable table shows it.
#[derive(Debug, Clone, Serialize)]
pub struct CellRow {
    pub runtime: String,
    pub workload: String,
    pub tasks: usize,
    pub limit: String,
    pub workers: usize,
    pub latency: String,
    pub compute: u32,
    /// Median wall time, seconds (the sort key) and as read.
    pub wall: f64,
    pub wall_text: String,
    /// Its interval, as read.
    pub interval: String,
    pub efficiency: String,
    pub cpu: String,
    pub switches: u64,
    pub peak: String,
    /// `ok`, `noisy`, `suspect` or `failed`.
    pub status: &'static str,
    /// Why it is suspect or failed.
    pub note: String,
}

/// Every cell, in run order.
pub fn cells(loaded: &Loaded) -> Vec<CellRow> {
    loaded.summary.cells.iter().map(cell).collect()
}

fn cell(c: &CellRecord) -> CellRow {
    let (lo, hi) = c.wall_interval();
    let status = if !c.ok() {
        "failed"
    } else if c.suspect.is_some() {
        "suspect"
    } else if c.noisy {
        "noisy"
    } else {
        "ok"
    };
    let note = c
        .error
        .clone()
        .or_else(|| c.suspect.clone())
        .unwrap_or_default();
    let runtime = if c.normal() {
        c.runtime.clone()
    } else {
        format!("{} ({})", c.runtime, c.variant)
    };
    CellRow {
        runtime,
        workload: c.workload.to_string(),
        tasks: c.tasks,
        limit: c.limit.to_string(),
        workers: c.workers,
        latency: c.latency.to_string(),
        compute: c.compute,
        wall: if c.ok() {
            c.wall_seconds
        } else {
            f64::INFINITY
        },
        wall_text: if c.ok() {
            seconds(c.wall_seconds)
        } else {
            "-".into()
        },
        interval: if c.ok() {
            format!("[{}, {}]", seconds(lo), seconds(hi))
        } else {
            String::new()
        },
        efficiency: if c.ok() {
            format!("{:.0}%", c.efficiency * 100.0)
        } else {
            "-".into()
        },
        cpu: seconds(c.cpu_user_seconds + c.cpu_sys_seconds),
        switches: c.voluntary_switches + c.involuntary_switches,
        peak: bytes(Some(c.footprint_bytes() as f64)),
        status,
        note,
    }
}

/// One claim with what is behind its verdict, for an expandable entry.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimRow {
    pub id: String,
    pub claim: String,
    pub source: String,
    /// The verdict's words, or `not measured`.
    pub verdict: String,
    /// A class for its colour: `holds`, `roughly`, `not`, `python`, `inconclusive`,
    /// `failed`.
    pub class: &'static str,
    pub why: String,
    pub rule: String,
    pub scale: String,
    pub error: String,
    /// Each figure: label, value with its interval.
    pub figures: Vec<(String, String)>,
    /// CPython's verdict and why, when measured.
    pub python: Option<(String, String)>,
}

/// Every claim of the folder, in file order.
pub fn claims(loaded: &Loaded) -> Vec<ClaimRow> {
    let Some(file) = &loaded.claims else {
        return Vec::new();
    };
    file.claims.iter().map(claim).collect()
}

fn claim(c: &ClaimResult) -> ClaimRow {
    let verdict = labels::verdict(c.verdict);
    let class = match c.verdict {
        Some(Verdict::Holds) => "holds",
        Some(Verdict::HoldsRoughly) => "roughly",
        Some(Verdict::DoesNotHold) => "not",
        Some(Verdict::PythonOnly) => "python",
        Some(Verdict::Inconclusive) => "inconclusive",
        None => "failed",
    };
    ClaimRow {
        id: c.id.clone(),
        claim: c.claim.clone(),
        source: c.source.clone(),
        verdict,
        class,
        why: c.why.clone(),
        rule: c.rule.clone(),
        scale: c.scale.clone(),
        error: c.error.clone().unwrap_or_default(),
        figures: c
            .measured
            .iter()
            .map(|f| (f.label.clone(), f.shown()))
            .collect(),
        python: c
            .python
            .as_ref()
            .map(|p| (labels::verdict(p.verdict), p.why.clone())),
    }
}

/// A probe's `median [min, max]`, or why it failed.
fn spread(error: Option<&str>, (median, min, max): (f64, f64, f64)) -> String {
    match error {
        Some(e) => format!("failed: {e}"),
        None => format!("{} [{}, {}]", seconds(median), seconds(min), seconds(max)),
    }
}

/// The timer and spawn probes, as (title, header, rows).
pub fn probes(loaded: &Loaded) -> Vec<(String, Vec<String>, Vec<Vec<String>>)> {
    let s = &loaded.summary;
    let mut out = Vec::new();
    if !s.timers.is_empty() {
        let rows = s
            .timers
            .iter()
            .map(|t| {
                vec![
                    t.runtime.clone(),
                    seconds(t.requested_seconds),
                    spread(
                        t.error.as_deref(),
                        (t.median_seconds, t.min_seconds, t.max_seconds),
                    ),
                    seconds(t.overshoot_seconds),
                ]
            })
            .collect();
        let head = ["runtime", "sleep asked", "measured [min, max]", "overshoot"];
        out.push((
            "Timer probe: one unit's sleep, timed inside the unit".to_string(),
            head.map(String::from).to_vec(),
            rows,
        ));
    }
    if !s.spawn.is_empty() {
        let rows = s
            .spawn
            .iter()
            .map(|p| {
                vec![
                    p.runtime.clone(),
                    format!("{} per {}", p.kind(), p.unit),
                    thousands(p.units),
                    spread(
                        p.error.as_deref(),
                        (
                            p.spawn_seconds_per_unit,
                            p.min_seconds_per_unit,
                            p.max_seconds_per_unit,
                        ),
                    ),
                ]
            })
            .collect();
        let head = ["runtime", "what", "units", "per unit [min, max]"];
        out.push((
            "Spawn probe: starting and joining one unit, or one job through a running pool"
                .to_string(),
            head.map(String::from).to_vec(),
            rows,
        ));
    }
    out
}
