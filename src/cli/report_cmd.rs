//! `rtbench report DIR [DIR ..]`: charts from results folders, and optionally BENCHMARK.md's
//! generated sections; with several folders, a column per folder in the decision and
//! machine sections and a chart across them. Reads finished results only.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use super::args::{ReportArgs, bad_input};
use crate::report::benchmark::{self, BenchmarkError};
use crate::report::charts;
use crate::report::sections::{Folder, section_across};
use crate::results::{self, Loaded};

/// Draws each folder's charts and, with several, the chart across them; with
/// `--update-benchmark`, rewrites BENCHMARK.md.
pub fn run(args: &ReportArgs) -> anyhow::Result<ExitCode> {
    let mut loaded: Vec<Loaded> = Vec::new();
    for d in &args.dirs {
        loaded.push(results::load(d).map_err(|e| bad_input(e.to_string()))?);
    }
    for (dir, l) in args.dirs.iter().zip(&loaded) {
        let written = charts::write_charts(l, dir, args.png)
            .with_context(|| format!("drawing charts into {}", dir.join("charts").display()))?;
        for s in charts::skipped(l) {
            eprintln!("note: {}: no chart {s}", dir.display());
        }
        for p in &written {
            println!("{}", p.display());
        }
    }
    let machines: Vec<Folder> = if args.dirs.len() > 1 {
        args.dirs
            .iter()
            .zip(&loaded)
            .map(|(d, l)| folder(d, l))
            .collect()
    } else {
        Vec::new()
    };
    let mut across: Option<PathBuf> = None;
    if !machines.is_empty() {
        let dir = args.across_dir.clone().unwrap_or_else(|| {
            let parent = args.dirs[0].parent().unwrap_or(Path::new("."));
            parent.join("across-machines")
        });
        match charts::write_across(&machines, &dir, args.png)
            .with_context(|| format!("drawing the chart across machines into {}", dir.display()))?
        {
            Ok(written) => {
                for p in &written {
                    println!("{}", p.display());
                }
                across = written.into_iter().next();
            }
            Err(why) => eprintln!("note: no chart across machines: {why}"),
        }
        // The columns per folder, for the terminal.
        for name in ["machine", "decision"] {
            println!("\n{}", section_across(name, &machines));
        }
    }
    if args.update_benchmark {
        let path = &args.benchmark;
        let updated = benchmark::update(
            path,
            &args.dirs[0],
            &loaded[0],
            &machines,
            across.as_deref(),
        )
        .map_err(|e| match e {
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

/// A folder named by its last path component (the whole path where it has none).
fn folder<'a>(dir: &Path, loaded: &'a Loaded) -> Folder<'a> {
    let name = dir.file_name().map_or_else(
        || dir.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Folder { name, loaded }
}
