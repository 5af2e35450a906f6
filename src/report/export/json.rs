//! JSON on stdout: cells one object per line in an array, the memory pass and claims as
//! pretty-printed documents.

use std::io::{self, Write};

use super::Exporter;
use crate::results::{CellRecord, ClaimResult, Summary};

/// The JSON exporter.
pub struct Json;

/// Cells as a JSON array, one cell per line.
pub fn write_json(out: &mut dyn Write, records: &[CellRecord]) -> io::Result<()> {
    writeln!(out, "[")?;
    for (i, r) in records.iter().enumerate() {
        let sep = if i + 1 < records.len() { "," } else { "" };
        writeln!(out, "  {}{sep}", serde_json::to_string(r)?)?;
    }
    writeln!(out, "]")
}

fn pretty(out: &mut dyn Write, value: &impl serde::Serialize) -> io::Result<()> {
    writeln!(out, "{}", serde_json::to_string_pretty(value)?)
}

impl Exporter for Json {
    fn run(&self, out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
        write_json(out, &summary.cells)
    }

    fn memory(&self, out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
        pretty(
            out,
            &serde_json::json!({ "memory": summary.memory, "models": summary.memory_models }),
        )
    }

    fn claims(&self, out: &mut dyn Write, claims: &[ClaimResult]) -> io::Result<()> {
        pretty(out, &claims)
    }
}
