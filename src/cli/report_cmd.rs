//! `rtbench report DIR`: charts from a results folder, and optionally BENCHMARK.md's
//! generated sections. Reads finished results only.

use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use super::args::{ReportArgs, bad_input};
use crate::report::{charts, markers, sections};
use crate::results::{self, write_atomic};

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
        update_benchmark(args, &loaded)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn update_benchmark(args: &ReportArgs, loaded: &results::Loaded) -> anyhow::Result<()> {
    let path = &args.benchmark;
    let text = std::fs::read_to_string(path).map_err(|e| {
        bad_input(format!(
            "{}: cannot read it ({e}); --update-benchmark rewrites an existing BENCHMARK.md",
            path.display()
        ))
    })?;
    let base = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let charts_rel = relative(&args.dir.join("charts"), base);
    let sections = sections::sections_in(&args.dir, loaded, &charts_rel);
    let rewrite = markers::rewrite(&text, &sections)
        .map_err(|e| bad_input(format!("{}: {e}", path.display())))?;
    for name in &rewrite.unmarked {
        eprintln!(
            "note: {} has no markers for section '{name}'; left out",
            path.display()
        );
    }
    if rewrite.text == text {
        eprintln!("{}: already up to date", path.display());
    } else {
        write_atomic(path, rewrite.text.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!(
            "{}: rewrote {}",
            path.display(),
            rewrite.replaced.join(", ")
        );
    }
    Ok(())
}

/// `target` as a path relative to `base` (both taken as given, or from the current folder),
/// with forward slashes, for a markdown link.
fn relative(target: &Path, base: &Path) -> String {
    let abs = |p: &Path| -> PathBuf {
        let joined = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().unwrap_or_default().join(p)
        };
        let mut out = PathBuf::new();
        for c in joined.components() {
            match c {
                Component::ParentDir => {
                    out.pop();
                }
                Component::CurDir => {}
                other => out.push(other),
            }
        }
        out
    };
    let (t, b) = (abs(target), abs(base));
    let common = t
        .components()
        .zip(b.components())
        .take_while(|(x, y)| x == y)
        .count();
    let ups = b.components().count() - common;
    let rest: Vec<String> = t
        .components()
        .skip(common)
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let mut parts: Vec<String> = std::iter::repeat_n("..".to_string(), ups).collect();
    parts.extend(rest);
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::relative;
    use std::path::Path;

    #[test]
    fn links_are_relative_to_the_markdown_file() {
        assert_eq!(
            relative(Path::new("/r/results/x/charts"), Path::new("/r")),
            "results/x/charts"
        );
        assert_eq!(
            relative(Path::new("/r/results/x/charts"), Path::new("/r/docs")),
            "../results/x/charts"
        );
        assert_eq!(
            relative(Path::new("/tmp/out/charts"), Path::new("/r")),
            "../tmp/out/charts"
        );
    }
}
