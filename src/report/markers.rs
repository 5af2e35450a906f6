//! The rewrite of BENCHMARK.md's generated regions: the text between
//! `<!-- rtbench:begin NAME -->` and `<!-- rtbench:end NAME -->` markers is replaced by a
//! section's body; everything else is kept byte for byte.

use thiserror::Error;

use super::sections::Section;

/// A marker mistake in the markdown file, naming the section and line.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MarkdownError {
    #[error(
        "section '{name}': the begin marker on line {line} has no `<!-- rtbench:end {name} -->` after it"
    )]
    /// A begin marker is never closed.
    MissingEnd {
        /// The section.
        name: String,
        /// The begin marker's line.
        line: usize,
    },
    #[error("section '{name}': the end marker on line {line} has no begin marker before it")]
    /// An end marker with no begin marker before it.
    UnexpectedEnd {
        /// The section.
        name: String,
        /// The end marker's line.
        line: usize,
    },
    #[error(
        "section '{inner}': its begin marker on line {line} is nested inside section '{outer}' (begun on line {outer_line}); end '{outer}' first"
    )]
    /// A section begun inside another.
    Nested {
        /// The section still open.
        outer: String,
        /// Its begin marker's line.
        outer_line: usize,
        /// The section begun inside it.
        inner: String,
        /// That begin marker's line.
        line: usize,
    },
    #[error(
        "section '{open}' (begun on line {open_line}): the end marker on line {line} closes '{found}' instead"
    )]
    /// An end marker that closes another section than the open one.
    WrongEnd {
        /// The open section.
        open: String,
        /// Its begin marker's line.
        open_line: usize,
        /// The section the end marker names.
        found: String,
        /// The end marker's line.
        line: usize,
    },
    #[error(
        "section '{name}': marked twice (begun on lines {first} and {second}); each section may appear once"
    )]
    /// A section marked twice.
    Duplicated {
        /// The section.
        name: String,
        /// The first begin marker's line.
        first: usize,
        /// The second begin marker's line.
        second: usize,
    },
    #[error(
        "line {line}: `{text}` is not a marker; markers are `<!-- rtbench:begin NAME -->` and `<!-- rtbench:end NAME -->` on a line of their own"
    )]
    /// A line that starts like a marker but is not one.
    BadMarker {
        /// Its line.
        line: usize,
        /// The line's text.
        text: String,
    },
}

/// What a rewrite did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite {
    /// The new text.
    pub text: String,
    /// Sections whose markers were found and whose body was written.
    pub replaced: Vec<&'static str>,
    /// Sections given but not marked in the text (left out).
    pub unmarked: Vec<&'static str>,
    /// Sections marked in the text that no given section names (kept as they are).
    pub unknown: Vec<String>,
}

/// Rewrites the body of every marked section with the given one; see [`rewrite`].
pub fn update_benchmark(text: &str, sections: &[Section]) -> Result<String, MarkdownError> {
    rewrite(text, sections).map(|r| r.text)
}

/// A marked region: the byte range between the begin line and the end line.
struct Region {
    name: String,
    inner_start: usize,
    inner_end: usize,
}

/// Replaces what lies between each section's begin and end marker lines with a blank line,
/// the section's body, and a blank line. Markers are recognised on a line of their own
/// (surrounding spaces allowed), outside fenced code blocks; everything outside the regions
/// is kept byte for byte, and applying the same sections twice changes nothing.
pub fn rewrite(text: &str, sections: &[Section]) -> Result<Rewrite, MarkdownError> {
    let regions = regions(text)?;
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut replaced = Vec::new();
    let mut unknown = Vec::new();
    for r in &regions {
        let Some(section) = sections.iter().find(|s| s.name == r.name) else {
            unknown.push(r.name.clone());
            continue;
        };
        out.push_str(&text[copied..r.inner_start]);
        let body = section.body.trim_matches('\n');
        if !body.is_empty() {
            out.push('\n');
            out.push_str(body);
            out.push_str("\n\n");
        }
        copied = r.inner_end;
        replaced.push(section.name);
    }
    out.push_str(&text[copied..]);
    let unmarked = sections
        .iter()
        .map(|s| s.name)
        .filter(|n| !replaced.contains(n))
        .collect();
    Ok(Rewrite {
        text: out,
        replaced,
        unmarked,
        unknown,
    })
}

fn regions(text: &str) -> Result<Vec<Region>, MarkdownError> {
    const PREFIX: &str = "<!-- rtbench:";
    let mut regions = Vec::new();
    let mut begun: Vec<(String, usize)> = Vec::new();
    // (name, line, byte offset after the begin line)
    let mut open: Option<(String, usize, usize)> = None;
    let mut fence: Option<&str> = None;
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let number = i + 1;
        let start = offset;
        offset += line.len();
        let trimmed = line.trim();
        if open.is_none() {
            let mark = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m));
            match (fence, mark) {
                (None, Some(m)) => {
                    fence = Some(m);
                    continue;
                }
                (Some(f), Some(m)) if f == m => {
                    fence = None;
                    continue;
                }
                _ => {}
            }
            if fence.is_some() {
                continue;
            }
        }
        let Some(rest) = trimmed.strip_prefix(PREFIX) else {
            continue;
        };
        let bad = || MarkdownError::BadMarker {
            line: number,
            text: trimmed.to_string(),
        };
        let rest = rest.strip_suffix("-->").ok_or_else(bad)?.trim();
        let (verb, name) = rest.split_once(' ').ok_or_else(bad)?;
        let name = name.trim();
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return Err(bad());
        }
        match (verb, &open) {
            ("begin", Some((outer, outer_line, _))) => {
                return Err(if outer == name {
                    MarkdownError::Duplicated {
                        name: name.into(),
                        first: *outer_line,
                        second: number,
                    }
                } else {
                    MarkdownError::Nested {
                        outer: outer.clone(),
                        outer_line: *outer_line,
                        inner: name.into(),
                        line: number,
                    }
                });
            }
            ("begin", None) => {
                if let Some((_, first)) = begun.iter().find(|b| b.0 == name) {
                    return Err(MarkdownError::Duplicated {
                        name: name.into(),
                        first: *first,
                        second: number,
                    });
                }
                begun.push((name.into(), number));
                open = Some((name.into(), number, offset));
            }
            ("end", None) => {
                return Err(MarkdownError::UnexpectedEnd {
                    name: name.into(),
                    line: number,
                });
            }
            ("end", Some((current, current_line, inner_start))) => {
                if current != name {
                    return Err(MarkdownError::WrongEnd {
                        open: current.clone(),
                        open_line: *current_line,
                        found: name.into(),
                        line: number,
                    });
                }
                regions.push(Region {
                    name: name.into(),
                    inner_start: *inner_start,
                    inner_end: start,
                });
                open = None;
            }
            _ => return Err(bad()),
        }
    }
    if let Some((name, line, _)) = open {
        return Err(MarkdownError::MissingEnd { name, line });
    }
    Ok(regions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_inside_fences_are_text() {
        let text = "```\n<!-- rtbench:begin x -->\n```\n<!-- rtbench:begin x -->\nold\n<!-- rtbench:end x -->\n";
        let s = [Section {
            name: "x",
            body: "new".into(),
        }];
        let out = update_benchmark(text, &s).unwrap();
        assert_eq!(
            out,
            "```\n<!-- rtbench:begin x -->\n```\n<!-- rtbench:begin x -->\n\nnew\n\n<!-- rtbench:end x -->\n"
        );
    }
}
