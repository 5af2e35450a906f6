//! `rtbench report DIR`: charts from a results folder, and optionally BENCHMARK.md's
//! generated sections. Reads finished results only.

use std::process::ExitCode;

use anyhow::Context;

use super::args::{ReportArgs, bad_input};
use crate::report::benchmark::{self, BenchmarkError};
use crate::report::charts;
use crate::results;

/// Draws the folder's charts and, with `--update-benchmark`, rewrites BENCHMARK.md.
pub fn run(args: &ReportArgs) -> anyhow::Result<ExitCode> {
    let loaded = results::load(&args.dir).map_err(|e| bad_input(e.to_string()))?;
    let written = charts::write_charts(&loaded, &args.dir, args.png)
        .with_context(|| format!("drawing charts into {}", args.dir.join("charts").display()))?;
    for s in charts::skipped(&loaded) {
        eprintln!("note: no chart {s}");
    }
    for p in &written {
        println!("{}", p.display());
    }
    if args.update_benchmark {
        let path = &args.benchmark;
        let updated = benchmark::update(path, &args.dir, &loaded).map_err(|e| match e {
            BenchmarkError::Write { .. } => anyhow::Error::new(e),
            bad => bad_input(bad.to_string()).into(),
        })?;
        for name in &updated.unmarked {
            eprintln!(
                "note: {} has no markers for section '{name}'; left out",
                path.display()
            );
        }
        if updated.rewrote.is_empty() {
            eprintln!("{}: already up to date", path.display());
        } else {
            eprintln!("{}: rewrote {}", path.display(), updated.rewrote.join(", "));
        }
    }
    Ok(ExitCode::SUCCESS)
}
