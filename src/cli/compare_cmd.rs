//! `rtbench compare A B [C ..]`: each later folder against the first, cell by cell, with
//! the machines' differences; `--fail-if-slower` makes it a regression gate (exit 1).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::args::bad_input;
use crate::compare::{Word, compare};
use crate::report::comparison::comparison_text;
use crate::results;

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
    /// Exit 1 when a cell is slower than the baseline beyond the threshold with intervals apart
    /// (relative to its group when the hardware differs), fails where the baseline worked, or
    /// was not run.
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
        if !c.anything_matched() {
            return Err(bad_input(format!(
                "{} and {} have nothing in common (A: {} cells, B: {}; no memory, probe or knee \
                 row either); compare folders of runs with the same workloads and settings",
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
                let (a, b) = (args.dirs[0].display(), dir.display());
                let md = f == CompareFormat::Markdown;
                print!("{}", comparison_text(&a.to_string(), &b.to_string(), c, md));
            }
        }
    }
    let worse: usize = comparisons.iter().map(|(_, c)| c.worse_measures()).sum();
    if args.fail_if_slower {
        if worse > 0 {
            eprintln!(
                "gate: note: {worse} memory, probe or knee figure(s) worse; shown, not gated (their \
                 intervals come from within one run)"
            );
        }
        let base = args.dirs[0].display();
        let pct = args.threshold * 100.0;
        let mut failures = Vec::new();
        for (dir, c) in &comparisons {
            let (slower, view) = if c.hardware_differs {
                (
                    c.count_relative(Word::Slower),
                    " (relative view: the hardware differs)",
                )
            } else {
                (c.count(Word::Slower), "")
            };
            let parts = [
                (
                    slower,
                    format!("slower beyond {pct:.0}% with intervals apart{view}"),
                ),
                (
                    c.newly_failed(),
                    "working in A and failing in B".to_string(),
                ),
                (c.only_a.len(), "in A and not run in B".to_string()),
            ];
            for (n, what) in parts {
                if n > 0 {
                    failures.push(format!("{}: {n} cell(s) {what}", dir.display()));
                }
            }
        }
        if !failures.is_empty() {
            eprintln!("gate: FAIL against {base}: {}", failures.join("; "));
            return Ok(ExitCode::from(1));
        }
        eprintln!(
            "gate: pass: no cell slower than {base} beyond {pct:.0}% with intervals apart, none \
             newly failing, none missing"
        );
    }
    Ok(ExitCode::SUCCESS)
}
