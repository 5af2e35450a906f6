//! Imports only point down the layers (ARCHITECTURE.md): a module of the library may name
//! only modules of a lower layer, or its own. Reads the sources as text, so a path in code,
//! an import group or a doc link counts alike; `super::` chains are resolved against the
//! file's place in the tree, spaces around `::` are ignored, and `crate` may not be renamed.

use std::fs;
use std::path::{Path, PathBuf};

/// The layers, lowest first; modules of one layer may not name each other either. The same
/// list, top first, is ARCHITECTURE.md's "Layers" block (a test keeps the two equal).
const LAYERS: &[&[&str]] = &[
    &["units"],
    &["limit", "measure"],
    &["netserver"],
    &["workload"],
    &["http"],
    &["runtime", "load"],
    &["results"],
    &["suite"],
    &["claims"],
    &["analysis"],
    &["compare"],
    &["report"],
    &["cli"],
];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("reading src/") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn ident(s: &str) -> String {
    s.trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// `a :: b` and `a::\n  b` read as `a::b`.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("::") {
        out.push_str(rest[..at].trim_end());
        out.push_str("::");
        rest = rest[at + 2..].trim_start();
    }
    out.push_str(rest);
    out
}

/// The first items of a path that starts at the crate root: `x` of `x::y`, each top-level
/// item of `{x, y::z}`.
fn heads(path: &str) -> Vec<String> {
    let Some(group) = path.strip_prefix('{') else {
        return vec![ident(path)];
    };
    let mut names = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                names.push(ident(&group[start..i]));
                break;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                names.push(ident(&group[start..i]));
                start = i + 1;
            }
            _ => {}
        }
    }
    names
}

/// Every top-level module a file names, from its module path in the tree (`src/a/b.rs` is
/// `[a, b]`, `src/a/mod.rs` is `[a]`): `crate::x`, `crate::{x, y}`, and `super::` chains
/// that climb to the crate root.
fn named_modules(text: &str, module_path: &[String]) -> Vec<String> {
    let text = normalise(text);
    let mut names = Vec::new();
    for (at, _) in text.match_indices("crate::") {
        if text[..at].ends_with('$')
            || text[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_')
        {
            continue; // `$crate` in a macro, or a name ending in "crate"
        }
        names.extend(heads(&text[at + "crate::".len()..]));
    }
    let mut at = 0;
    while let Some(found) = text[at..].find("super::") {
        let start = at + found;
        let before = &text[..start];
        at = start;
        if before.ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':') {
            at += "super::".len();
            continue; // inside a longer chain, counted from its first `super`
        }
        let mut ups = 0;
        while text[at..].starts_with("super::") {
            ups += 1;
            at += "super::".len();
        }
        if ups >= module_path.len() {
            names.extend(heads(&text[at..]));
        }
    }
    names.retain(|n| !n.is_empty() && n != "self");
    names
}

/// `src/a/b.rs` -> [a, b]; `src/a/mod.rs` -> [a]; `src/a.rs` -> [a].
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

#[test]
fn imports_only_point_down_the_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap();
        let path = module_path(rel);
        let module = path[0].as_str();
        let text = fs::read_to_string(file).unwrap();
        if module == "main" {
            continue; // the binary: it calls the library's cli
        }
        let flat = normalise(&text);
        if ["use crate as ", "crate::{self as ", "crate::self as "]
            .iter()
            .any(|alias| flat.contains(alias))
        {
            wrong.push(format!("{} renames a path with `as`", rel.display()));
        }
        if flat.contains("rtbench::") {
            wrong.push(format!("{} names the crate by its name", rel.display()));
        }
        if module == "lib" {
            continue; // the root declares every module
        }
        let own = layer(module).unwrap_or_else(|| {
            panic!("src/{module} is in no layer: add it to LAYERS and ARCHITECTURE.md")
        });
        for name in named_modules(&text, &path) {
            let Some(theirs) = layer(&name) else {
                continue; // an item of the crate root (SpecError, a macro)
            };
            if name != module && theirs >= own {
                wrong.push(format!("{} names crate::{name}", rel.display()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports pointing up or sideways:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_checker_sees_paths_groups_super_chains_and_spaces() {
    let at = |p: &[&str]| -> Vec<String> { p.iter().map(|s| s.to_string()).collect() };
    let text = "use crate::results::{A, B};\nuse crate::{suite, claims::{x, y}, report};\n\
                let x = crate :: analysis::decide(l);\nuse crate::\n    cli::x;\n\
                $crate::serde_as_text!";
    assert_eq!(
        named_modules(text, &at(&["units"])),
        ["results", "suite", "claims", "report", "analysis", "cli"]
    );
    // From src/results/load.rs, `super::` is results; `super::super::` is the crate root.
    let text = "use super::{Summary, migrate};\nuse super::super::report::x;\nuse super :: super :: {cli, units};";
    assert_eq!(
        named_modules(text, &at(&["results", "load"])),
        ["report", "cli", "units"]
    );
    // From src/report/mod.rs, `super::` is already the crate root.
    assert_eq!(named_modules("use super::cli;", &at(&["report"])), ["cli"]);
    assert_eq!(
        module_path(Path::new("report/charts/mod.rs")),
        at(&["report", "charts"])
    );
}

/// ARCHITECTURE.md's "Layers" block, top first, as the names of each line.
fn documented_layers() -> Vec<Vec<String>> {
    let text = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md"))
        .expect("reading ARCHITECTURE.md");
    let block = text
        .split("## Layers")
        .nth(1)
        .expect("ARCHITECTURE.md has a Layers section");
    block
        .lines()
        .skip_while(|l| !l.starts_with("    "))
        .take_while(|l| l.starts_with("    "))
        .map(|l| {
            let names = l.trim().split("  ").next().unwrap_or("");
            names.split(", ").map(|n| n.trim().to_string()).collect()
        })
        .collect()
}

#[test]
fn the_layers_are_the_ones_architecture_md_states() {
    let mut documented = documented_layers();
    documented.reverse();
    let here: Vec<Vec<String>> = LAYERS
        .iter()
        .map(|l| l.iter().map(|s| s.to_string()).collect())
        .collect();
    assert_eq!(
        documented, here,
        "ARCHITECTURE.md's Layers block and LAYERS differ"
    );
}
