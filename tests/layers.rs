//! Imports only point down the layers (ARCHITECTURE.md): a module of the library may name
//! (`crate::x`) only modules of a lower layer, or its own. Reads the sources as text, so a
//! path in code, an import group or a doc link counts alike.

use std::fs;
use std::path::{Path, PathBuf};

/// The layers, lowest first; modules of one layer may not name each other either.
const LAYERS: &[&[&str]] = &[
    &["units"],
    &["limit", "measure"],
    &["workload"],
    &["runtime"],
    &["results"],
    &["suite"],
    &["claims"],
    &["analysis"],
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

/// Every top-level module named as `crate::NAME` or inside `crate::{A, B::c}`.
fn named_modules(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for (at, _) in text.match_indices("crate::") {
        if text[..at].ends_with('$') {
            continue; // `$crate` in a macro
        }
        let rest = &text[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level items of the group: split at commas outside nested braces.
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        names.push(ident(group[start..i].trim()));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        names.push(ident(group[start..i].trim()));
                        start = i + 1;
                    }
                    _ => {}
                }
            }
        } else {
            names.push(ident(rest));
        }
    }
    names.retain(|n| !n.is_empty());
    names
}

#[test]
fn imports_only_point_down_the_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs");
        if module == "lib" || module == "main" {
            continue;
        }
        let own = layer(module).unwrap_or_else(|| {
            panic!("src/{module} is in no layer: add it to LAYERS and ARCHITECTURE.md")
        });
        let text = fs::read_to_string(file).unwrap();
        for name in named_modules(&text) {
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
fn the_checker_sees_paths_groups_and_nested_groups() {
    let text = "use crate::results::{A, B};\nuse crate::{suite, claims::{x, y}, report};\n\
                let x = crate::analysis::decide(l);\n$crate::serde_as_text!";
    assert_eq!(
        named_modules(text),
        ["results", "suite", "claims", "report", "analysis"]
    );
}
