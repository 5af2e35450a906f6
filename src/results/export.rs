//! Writing records as JSON (an array, one cell per line) and CSV (one flat row per cell).

use std::io::{self, Write};

use super::CellRecord;

pub fn write_json(out: &mut impl Write, records: &[CellRecord]) -> io::Result<()> {
    writeln!(out, "[")?;
    for (i, r) in records.iter().enumerate() {
        let sep = if i + 1 < records.len() { "," } else { "" };
        writeln!(out, "  {}{sep}", serde_json::to_string(r)?)?;
    }
    writeln!(out, "]")
}

pub fn write_csv<R: serde::Serialize>(out: &mut impl Write, records: &[R]) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    for r in records {
        w.serialize(r).map_err(io::Error::other)?;
    }
    w.flush()
}
