//! `rtbench compare A B [C ..]`: each later folder against the first, cell by cell, with
//! the machines' differences; `--fail-if-slower` makes it a regression gate (exit 1).

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::args::bad_input;
use crate::compare::{Comparison, Matched, Quantity, Word, compare};
use crate::results;
use crate::units::{bytes, per_second, seconds};

/// How the comparison is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompareFormat {
    /// Aligned columns for a terminal.
    Table,
    /// A Markdown table, e.g. for a pull request.
    Markdown,
    /// Every figure, for tools.
    Json,
}

/// Flags of `rtbench compare`.
#[derive(Debug, Clone, Args)]
pub struct CompareArgs {
    /// Results folders: the first is the baseline (A), each other is compared with it.
    #[arg(value_name = "DIR", num_args = 2.., required = true)]
    pub dirs: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: CompareFormat,
    /// A ratio within this much of 1 is `same`, whatever the intervals (e.g. 10%).
    #[arg(long, value_name = "PCT", default_value = "10%", value_parser = parse_threshold)]
    pub threshold: f64,
    /// Exit 1 when a cell is slower than the baseline beyond the threshold with intervals apart.
    #[arg(long)]
    pub fail_if_slower: bool,
}

fn parse_threshold(s: &str) -> Result<f64, String> {
    let n = s
        .strip_suffix('%')
        .and_then(|n| n.trim().parse::<f64>().ok());
    match n {
        Some(n) if n.is_finite() && (0.0..1000.0).contains(&n) => Ok(n / 100.0),
        _ => Err(format!(
            "'{s}' is not accepted; accepted: a percentage from 0% to below 1000%, e.g. 10%"
        )),
    }
}

/// Loads the folders, compares, prints; exit 1 from the gate, 2 on bad input.
pub fn run(args: &CompareArgs) -> anyhow::Result<ExitCode> {
    let mut loaded = Vec::new();
    for d in &args.dirs {
        loaded.push(results::load(d).map_err(|e| bad_input(e.to_string()))?);
    }
    let base = &loaded[0];
    let mut comparisons = Vec::new();
    for (dir, other) in args.dirs.iter().zip(&loaded).skip(1) {
        let c = compare(base, other, args.threshold);
        if c.matched.is_empty() {
            return Err(bad_input(format!(
                "{} and {} have no cell in common (A: {} cells, B: {}); compare folders of runs \
                 with the same workloads and settings",
                args.dirs[0].display(),
                dir.display(),
                base.summary.cells.len(),
                other.summary.cells.len()
            ))
            .into());
        }
        comparisons.push((dir, c));
    }
    match args.format {
        CompareFormat::Json => {
            let json: Vec<serde_json::Value> = comparisons
                .iter()
                .map(|(dir, c)| {
                    serde_json::json!({
                        "a": args.dirs[0], "b": dir, "comparison": c
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&json)?);
        }
        f => {
            for (dir, c) in &comparisons {
                print!(
                    "{}",
                    render(&args.dirs[0], dir, c, f == CompareFormat::Markdown)
                );
            }
        }
    }
    let slower: usize = comparisons.iter().map(|(_, c)| c.count(Word::Slower)).sum();
    let worse: usize = comparisons.iter().map(|(_, c)| c.worse_measures()).sum();
    if args.fail_if_slower {
        if worse > 0 {
            eprintln!(
                "gate: note: {worse} memory, probe or knee figure(s) worse; shown, not gated (their \
                 intervals come from within one run)"
            );
        }
        if slower > 0 {
            eprintln!(
                "gate: FAIL: {slower} cell(s) slower than {} beyond {:.0}% with intervals apart",
                args.dirs[0].display(),
                args.threshold * 100.0
            );
            return Ok(ExitCode::from(1));
        }
        eprintln!(
            "gate: pass: no cell slower than {} beyond {:.0}% with intervals apart",
            args.dirs[0].display(),
            args.threshold * 100.0
        );
    }
    Ok(ExitCode::SUCCESS)
}

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
fn render(a: &std::path::Path, b: &std::path::Path, c: &Comparison, md: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}compare A: {} against B: {} (B/A of median wall time; same when the intervals overlap or within {:.0}%)\n",
        if md { "### " } else { "" },
        a.display(),
        b.display(),
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
        "relative view (each cell over the fastest runtime of its group on its own machine, B's \
         multiple over A's): {} faster, {} slower, {} same{}",
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
    if !c.claims.is_empty() {
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
