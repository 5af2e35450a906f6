//! `rtbench report DIR [DIR ..]`: charts from results folders, and optionally BENCHMARK.md's
//! generated sections; with several folders, a column per folder in the decision and
//! machine sections and a chart across them. Reads finished results only.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use super::args::{ReportArgs, bad_input};
use crate::report::benchmark::{self, BenchmarkError};
use crate::report::charts;
use crate::report::comparison::comparison_text;
use crate::report::html;
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
        let page = html::write_folder_index(dir, l)?;
        println!("{}", page.display());
    }
    let machines: Vec<Folder> = if args.dirs.len() > 1 {
        column_names(&args.dirs)
            .into_iter()
            .zip(&loaded)
            .map(|(name, loaded)| Folder { name, loaded })
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
        // The page across them: the two tables with a column per folder, each later
        // folder compared with the first, the chart.
        let compare: Vec<String> = machines[1..]
            .iter()
            .map(|b| {
                let c = crate::compare::compare(machines[0].loaded, b.loaded, 0.1);
                comparison_text(&machines[0].name, &b.name, &c, true)
            })
            .collect();
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let page = html::write_index(&html::Page {
            dir: &args.dirs[0],
            loaded: &loaded[0],
            out: &dir,
            machines: &machines,
            compare: &compare,
            across: across.as_deref(),
        })?;
        // The columns per folder, for the terminal.
        for name in ["machine", "decision"] {
            println!("\n{}", section_across(name, &machines));
        }
        println!("{}", page.display());
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

/// Each folder's column name: its last path component, or more of its path where two
/// would read the same (`a/results`, `b/results`), or the whole path.
fn column_names(dirs: &[PathBuf]) -> Vec<String> {
    let tail = |d: &Path, n: usize| -> String {
        let parts: Vec<String> = d
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        parts[parts.len().saturating_sub(n)..].join("/")
    };
    for n in 1..=8 {
        let names: Vec<String> = dirs.iter().map(|d| tail(d, n)).collect();
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        if unique.len() == names.len() {
            return names;
        }
    }
    // The same folder given twice: its path, numbered.
    dirs.iter()
        .enumerate()
        .map(|(i, d)| format!("{} #{}", d.display(), i + 1))
        .collect()
}
