//! Section `claims`: every claim's verdict with the first figures it measured, and the
//! Python column when the claims were also measured in CPython.

use std::fmt::Write as _;

use super::{Input, Renderer};
use crate::report::labels::verdict;
use crate::report::md::{MdTable, inline};
use crate::results::{ClaimResult, Figure, PythonColumn};

/// Figures shown per claim in the table; the rest are in claims.json.
const SHOWN_FIGURES: usize = 4;

/// The claims table.
pub struct Claims;

impl Renderer for Claims {
    fn name(&self) -> &'static str {
        "claims"
    }

    fn render(&self, input: &Input) -> String {
        let Some(file) = &input.loaded.claims else {
            return "The claims were not run for this folder (`rtbench claims --out <folder>` adds them).\n"
                .to_string();
        };
        let mut out = String::new();
        let scale = file.claims.first().map_or("", |c| c.scale.as_str());
        let mut tally: Vec<(String, usize)> = Vec::new();
        for c in &file.claims {
            let v = verdict(c.verdict);
            match tally.iter_mut().find(|t| t.0 == v) {
                Some(t) => t.1 += 1,
                None => tally.push((v, 1)),
            }
        }
        let tally: Vec<String> = tally.iter().map(|(v, n)| format!("{v} {n}")).collect();
        let _ = writeln!(
            out,
            "{}\n",
            inline(&format!(
                "{} claims of the notes, measured on {} (commit {}); verdicts: {}. Durations from the notes are scaled: {scale}. A figure is the median of its interleaved rounds, each cell in a fresh process, with the interval of that median in brackets; a rule whose threshold falls inside an interval gives inconclusive, never a guess.",
                file.claims.len(),
                file.machine.date,
                commit_short(&file.machine.git_commit),
                tally.join(", ")
            ))
        );
        // The Python column appears only when the run measured CPython too (`claims --python`).
        let with_python = file.claims.iter().any(|c| c.python.is_some());
        let mut header = vec!["id", "the notes say", "verdict"];
        if with_python {
            header.push("in Python");
        }
        header.extend(["measured", "why"]);
        let mut table = MdTable::new(&header);
        for c in &file.claims {
            let mut row = vec![c.id.clone(), c.claim.clone(), verdict(c.verdict)];
            if with_python {
                row.push(python(c));
            }
            row.push(figures(&c.measured, true));
            row.push(c.error.as_deref().unwrap_or(&c.why).to_string());
            table.row(&row);
        }
        out.push_str(&table.finish());
        out
    }
}

/// The first figures, and how many more claims.json holds when `more` says so.
fn figures(measured: &[Figure], more: bool) -> String {
    let mut shown: Vec<String> = measured
        .iter()
        .take(SHOWN_FIGURES)
        .map(|f| f.to_string())
        .collect();
    if more && measured.len() > SHOWN_FIGURES {
        shown.push(format!(
            "{} more in claims.json",
            measured.len() - SHOWN_FIGURES
        ));
    }
    shown.join("; ")
}

/// A claim's Python column: its verdict and first figures, or why it has none.
fn python(c: &ClaimResult) -> String {
    match &c.python {
        None => "not measured".to_string(),
        Some(PythonColumn {
            verdict: Some(v),
            measured,
            ..
        }) => format!("{v}: {}", figures(measured, false)),
        Some(PythonColumn { error: Some(e), .. }) => format!("not measured: {e}"),
        Some(_) => "not measured".to_string(),
    }
}

fn commit_short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}
