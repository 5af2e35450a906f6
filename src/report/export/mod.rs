//! What `run` and `claims` print on stdout, in the format asked for: one [`Exporter`] per
//! [`Format`], each writing cells, the memory pass and claims the same way for both
//! commands. Progress and notes go to stderr elsewhere.

mod csv;
mod json;
mod table;

use std::io::{self, Write};

use crate::results::{ClaimResult, Summary};

pub use self::csv::{ClaimRow, write_csv};
pub use self::json::write_json;
pub use table::{write_table, write_verdicts};

/// An output format on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for a person.
    Table,
    /// JSON: one object per cell, or the claims as an array.
    Json,
    /// CSV: one flat row per cell, memory size, or claim figure.
    Csv,
}

impl Format {
    /// The exporter that writes this format.
    pub fn exporter(self) -> &'static dyn Exporter {
        match self {
            Format::Table => &table::Table,
            Format::Json => &json::Json,
            Format::Csv => &csv::Csv,
        }
    }
}

/// Writes a command's results in one format.
pub trait Exporter {
    /// The cells of a run (a table adds the timer and spawn probes).
    fn run(&self, out: &mut dyn Write, summary: &Summary) -> io::Result<()>;

    /// The memory pass: every size, and each model's per-unit slopes.
    fn memory(&self, out: &mut dyn Write, summary: &Summary) -> io::Result<()>;

    /// The claims' results.
    fn claims(&self, out: &mut dyn Write, claims: &[ClaimResult]) -> io::Result<()>;
}
