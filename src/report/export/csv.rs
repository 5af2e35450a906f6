//! CSV on stdout: flat rows with a header, one per cell, per memory size, or per claim
//! figure (Rust and Python columns both), so a spreadsheet reads them as they are.

use std::io::{self, Write};

use serde::Serialize;

use super::Exporter;
use crate::results::{ClaimResult, Figure, Summary, Verdict};

/// The CSV exporter.
pub struct Csv;

/// Flat records as CSV, a header first.
pub fn write_csv<R: Serialize>(out: &mut dyn Write, records: &[R]) -> io::Result<()> {
    let mut w = ::csv::Writer::from_writer(out);
    for r in records {
        w.serialize(r).map_err(io::Error::other)?;
    }
    w.flush()
}

/// One figure of one claim, flat; a claim with no figure has one row with them empty.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimRow<'a> {
    /// `C01` to `C17`.
    pub id: &'a str,
    /// `rust`, or `python` for the CPython column.
    pub column: &'static str,
    /// The column's verdict; empty when none.
    pub verdict: Option<Verdict>,
    /// The figure's key (empty for Python figures).
    pub key: Option<String>,
    /// The figure's label.
    pub label: &'a str,
    /// The figure's value.
    pub value: Option<f64>,
    /// The figure's unit (`s`, `B`, `x`, `count`, `/s`).
    pub unit: Option<crate::results::FigureUnit>,
    /// Why the column has no verdict.
    pub error: Option<&'a str>,
}

impl<'a> ClaimRow<'a> {
    /// The rows of one claim: its figures, then its Python column's.
    pub fn of(c: &'a ClaimResult) -> Vec<ClaimRow<'a>> {
        let mut rows = rows(&c.id, "rust", c.verdict, &c.measured, c.error.as_deref());
        if let Some(p) = &c.python {
            rows.extend(self::rows(
                &c.id,
                "python",
                p.verdict,
                &p.measured,
                p.error.as_deref(),
            ));
        }
        rows
    }
}

fn rows<'a>(
    id: &'a str,
    column: &'static str,
    verdict: Option<Verdict>,
    figures: &'a [Figure],
    error: Option<&'a str>,
) -> Vec<ClaimRow<'a>> {
    let row = |f: Option<&'a Figure>| ClaimRow {
        id,
        column,
        verdict,
        key: f.and_then(|f| f.key.as_ref()).map(|k| k.to_string()),
        label: f.map_or("", |f| f.label.as_str()),
        value: f.map(|f| f.value),
        unit: f.map(|f| f.unit),
        error,
    };
    if figures.is_empty() {
        vec![row(None)]
    } else {
        figures.iter().map(|f| row(Some(f))).collect()
    }
}

impl Exporter for Csv {
    fn run(&self, out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
        write_csv(out, &summary.cells)
    }

    fn memory(&self, out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
        write_csv(out, &summary.memory)
    }

    fn claims(&self, out: &mut dyn Write, claims: &[ClaimResult]) -> io::Result<()> {
        let rows: Vec<ClaimRow> = claims.iter().flat_map(ClaimRow::of).collect();
        write_csv(out, &rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{FigureId, FigureKey, FigureUnit};

    #[test]
    fn claims_are_one_row_per_figure_with_a_header() {
        let claim = |measured: Vec<Figure>, error: Option<&str>| ClaimResult {
            id: "C17".into(),
            source: "001".into(),
            claim: "move it".into(),
            rule: "r".into(),
            scale: "1 s -> 20ms".into(),
            measured,
            verdict: error.is_none().then_some(Verdict::Holds),
            why: "w".into(),
            error: error.map(String::from),
            seconds: 1.0,
            python: None,
        };
        let key = FigureKey::about(FigureId::C17BlockingInTasks, "tokio");
        let figure = Figure::new(key, "tokio blocking, in tasks", 0.2, FigureUnit::Seconds);
        let claims = [
            claim(vec![figure], None),
            claim(Vec::new(), Some("no, \"x\"")),
        ];
        let mut out = Vec::new();
        Csv.claims(&mut out, &claims).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "id,column,verdict,key,label,value,unit,error\n\
             C17,rust,holds,c17-blocking-in-tasks/tokio,\"tokio blocking, in tasks\",0.2,s,\n\
             C17,rust,,,,,,\"no, \"\"x\"\"\"\n"
        );
    }
}
