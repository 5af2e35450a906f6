//! Rewriting a BENCHMARK.md file from a results folder: its generated sections, with chart
//! links relative to the file, written atomically and only when something changed.

use std::path::{Component, Path, PathBuf};

use thiserror::Error;

use super::markers::{MarkdownError, rewrite};
use super::sections::{Folder, sections_in};
use crate::results::{Loaded, write_atomic};

/// Why BENCHMARK.md could not be rewritten.
#[derive(Debug, Error)]
pub enum BenchmarkError {
    /// The file could not be read (it must exist: only its marked regions are rewritten).
    #[error(
        "{path}: cannot read it ({source}); --update-benchmark rewrites an existing BENCHMARK.md"
    )]
    Read {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// A marker mistake in the file (bad input).
    #[error("{path}: {source}")]
    Markers {
        /// The file.
        path: PathBuf,
        /// The mistake.
        #[source]
        source: MarkdownError,
    },
    /// The new text could not be written.
    #[error("writing {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
}

/// What an update did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Updated {
    /// Sections rewritten (empty when the file was already up to date).
    pub rewrote: Vec<&'static str>,
    /// Sections the file has no markers for (left out).
    pub unmarked: Vec<&'static str>,
}

/// Rewrites the generated sections of the markdown file `path` from the folder `dir`
/// (loaded as `loaded`), linking the charts the folder holds relative to the file. With
/// several `machines` (the first being `dir`'s), the sections that have one show a column
/// per folder, and `across` is the chart across them, linked when given.
pub fn update(
    path: &Path,
    dir: &Path,
    loaded: &Loaded,
    machines: &[Folder],
    across: Option<&Path>,
) -> Result<Updated, BenchmarkError> {
    let text = std::fs::read_to_string(path).map_err(|source| BenchmarkError::Read {
        path: path.into(),
        source,
    })?;
    let base = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let charts_rel = relative(&dir.join("charts"), base);
    let across_rel = across.map(|a| relative(a, base));
    let sections = sections_in(dir, loaded, &charts_rel, machines, across_rel.as_deref());
    let r = rewrite(&text, &sections).map_err(|source| BenchmarkError::Markers {
        path: path.into(),
        source,
    })?;
    let changed = r.text != text;
    if changed {
        write_atomic(path, r.text.as_bytes()).map_err(|source| BenchmarkError::Write {
            path: path.into(),
            source,
        })?;
    }
    Ok(Updated {
        rewrote: if changed { r.replaced } else { Vec::new() },
        unmarked: r.unmarked,
    })
}

/// `target` as a path relative to `base` (both taken as given, or from the current folder),
/// with forward slashes, for a markdown link.
pub(crate) fn relative(target: &Path, base: &Path) -> String {
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
