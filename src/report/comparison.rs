//! A comparison of two results folders ([`crate::compare`]) as text: aligned columns for
//! a terminal, or Markdown (for a pull request, and the results page).

use std::fmt::Write as _;

use crate::compare::{Comparison, Matched, Quantity, Word};
use crate::units::{bytes, per_second, seconds};

fn word(w: Word) -> &'static str {
    match w {
        Word::Faster => "faster",
        Word::Slower => "slower",
        Word::Same => "same",
        Word::Failed => "FAILED",
        Word::Better => "better",
        Word::Worse => "worse",
    }
}

/// One comparison as a table (or Markdown), the summary line, unmatched cells and the
/// machines' differences.
pub fn comparison_text(a: &str, b: &str, c: &Comparison, md: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}compare A: {} against B: {} (B/A of median wall time; same when the intervals overlap or within {:.0}%)\n",
        if md { "### " } else { "" },
        a,
        b,
        c.threshold * 100.0
    );
    table(&mut out, &c.matched, md, seconds);
    let _ = writeln!(
        out,
        "\n{} matched: {} faster, {} slower, {} same, {} failed; {} only in A, {} only in B",
        c.matched.len(),
        c.count(Word::Faster),
        c.count(Word::Slower),
        c.count(Word::Same),
        c.count(Word::Failed),
        c.only_a.len(),
        c.only_b.len()
    );
    for (side, cells) in [("A", &c.only_a), ("B", &c.only_b)] {
        if !cells.is_empty() {
            let _ = writeln!(out, "only in {side}: {}", cells.join("; "));
        }
    }
    let _ = writeln!(
        out,
        "relative view (each cell over one runtime of its group on its own machine, the fastest \
         in A of those trusted in both; B's multiple over A's): {} faster, {} slower, {} same{}",
        c.count_relative(Word::Faster),
        c.count_relative(Word::Slower),
        c.count_relative(Word::Same),
        if c.hardware_differs {
            "; the machines' hardware differs, so this is the view to read:"
        } else {
            ""
        }
    );
    if c.hardware_differs {
        table(&mut out, &c.relative, md, |x| format!("{x:.2}x"));
    }
    for t in &c.measures {
        let unit: fn(f64) -> String = match t.unit {
            Quantity::Seconds => seconds,
            Quantity::Bytes => |b| bytes(Some(b)),
            Quantity::Rate => per_second,
        };
        let _ = writeln!(
            out,
            "\n{}{} ({}; {} is better):",
            if md { "#### " } else { "" },
            t.title,
            t.interval,
            if t.higher_is_better {
                "higher"
            } else {
                "lower"
            }
        );
        table(&mut out, &t.matched, md, unit);
        let _ = writeln!(
            out,
            "{} matched: {} better, {} worse, {} same, {} failed; {} only in A, {} only in B",
            t.matched.len(),
            t.matched.iter().filter(|m| m.word == Word::Better).count(),
            t.matched.iter().filter(|m| m.word == Word::Worse).count(),
            t.matched.iter().filter(|m| m.word == Word::Same).count(),
            t.matched.iter().filter(|m| m.word == Word::Failed).count(),
            t.only_a.len(),
            t.only_b.len()
        );
        for (side, rows) in [("A", &t.only_a), ("B", &t.only_b)] {
            if !rows.is_empty() {
                let _ = writeln!(out, "only in {side}: {}", rows.join("; "));
            }
        }
    }
    out.push('\n');
    if let Some((sa, sb)) = c.schemas {
        let _ = writeln!(
            out,
            "schema versions differ: A {sa}, B {sb}; the older is read through the loader's \
             upgrade, and figures it did not record are absent"
        );
    }
    let only =
        |side: fn(&crate::compare::ClaimPair) -> &str| c.claims.iter().all(|p| side(p) == "-");
    if c.claims.is_empty() {
    } else if only(|p| &p.b) || only(|p| &p.a) {
        let (has, lacks) = if only(|p| &p.b) {
            ("A", "B")
        } else {
            ("B", "A")
        };
        let _ = writeln!(
            out,
            "claims: only {has} has claims.json ({} verdicts); `rtbench claims --out <{lacks}>` \
             measures them for {lacks}",
            c.claims.len()
        );
    } else {
        let changed: Vec<String> = c
            .claims
            .iter()
            .filter(|p| p.changed)
            .map(|p| format!("{}: {} -> {}", p.id, p.a, p.b))
            .collect();
        let _ = writeln!(
            out,
            "claims: {} checked, {} verdict(s) changed{}",
            c.claims.len(),
            changed.len(),
            if changed.is_empty() {
                String::new()
            } else {
                format!(": {}", changed.join("; "))
            }
        );
    }
    if c.machine.is_empty() {
        let _ = writeln!(out, "machines: no difference recorded");
    } else {
        let _ = writeln!(out, "machines differ:");
        for d in &c.machine {
            let _ = writeln!(out, "  {}: {} -> {}", d.field, d.a, d.b);
        }
    }
    out.push('\n');
    out
}

/// The matched cells as rows: cell, A, B, ratio with interval (or why a side failed), word;
/// `unit` formats A's and B's figures.
fn table(out: &mut String, matched: &[Matched], md: bool, unit: fn(f64) -> String) {
    let rows: Vec<[String; 5]> = matched
        .iter()
        .map(|m| {
            let t = |v: Option<f64>| v.map_or("-".into(), unit);
            let ratio = match (m.ratio, m.interval) {
                (Some(r), Some((lo, hi))) => format!("{r:.2}x [{lo:.2}, {hi:.2}]"),
                _ => m.failure.clone().unwrap_or_default(),
            };
            [m.cell.clone(), t(m.a), t(m.b), ratio, word(m.word).into()]
        })
        .collect();
    let head = ["cell", "A", "B", "B/A [interval]", ""];
    if md {
        let _ = writeln!(out, "| {} |", head.join(" | "));
        let _ = writeln!(out, "|---|---|---|---|---|");
        for r in &rows {
            let _ = writeln!(out, "| {} |", r.join(" | ").replace('\n', " "));
        }
    } else {
        let w = rows.iter().map(|r| r[0].len()).max().unwrap_or(4).max(4);
        let _ = writeln!(
            out,
            "{:<w$}  {:>9}  {:>9}  {:<24} ",
            head[0], head[1], head[2], head[3]
        );
        for r in &rows {
            let _ = writeln!(
                out,
                "{:<w$}  {:>9}  {:>9}  {:<24} {}",
                r[0], r[1], r[2], r[3], r[4]
            );
        }
    }
}
