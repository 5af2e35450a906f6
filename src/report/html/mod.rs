//! `index.html`: one self-contained page per results folder. The decision table, claims
//! (each expandable to its figures, rule and CPython column), memory, probes, the server,
//! every chart inline, the machine and a sortable, filterable table of every cell. One
//! file: styles, charts (as data URIs) and a few KB of plain JavaScript inside, no network;
//! readable with JavaScript off. Rendered by minijinja, whose HTML autoescape escapes every
//! value from a results file; the markdown sections go through [`markdown::to_html`],
//! which turns raw HTML back into text.

mod markdown;
mod rows;

use std::io;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use minijinja::{Environment, context};
use serde::Serialize;
use thiserror::Error;

use super::benchmark::relative;
use super::charts::{ACROSS, FAMILIES};
use super::sections::{Folder, sections_in};
use crate::results::{Loaded, write_atomic};

static TEMPLATE: &str = include_str!("../../../assets/html/index.html");
static STYLE: &str = include_str!("../../../assets/html/index.css");
static SCRIPT: &str = include_str!("../../../assets/html/index.js");

/// The page's file name in a results folder.
pub const INDEX: &str = "index.html";

/// Why the page could not be written.
#[derive(Debug, Error)]
pub enum HtmlError {
    /// The template could not be rendered (a bug of the template).
    #[error("rendering {INDEX}: {0}")]
    Template(#[from] minijinja::Error),
    /// The file could not be written.
    #[error("{path}: cannot write it: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: io::Error,
    },
}

/// One chart on the page.
#[derive(Debug, Clone, Serialize)]
struct ChartItem {
    name: String,
    caption: String,
    /// The SVG as a data URI: the page holds it.
    data: String,
    /// The file beside the page, relative to it, for opening at full size.
    file: String,
}

/// An SVG file as a data URI, or None if it cannot be read.
fn data_uri(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
    Some(format!("data:image/svg+xml;base64,{b64}"))
}

/// What a page is made from.
pub struct Page<'a> {
    /// The results folder (the first, with several).
    pub dir: &'a Path,
    /// Its results.
    pub loaded: &'a Loaded,
    /// The folder the page is written into: links are relative to it.
    pub out: &'a Path,
    /// With several folders, every one (the first being `dir`'s): the decision and machine
    /// sections then have a column per folder. Empty for one.
    pub machines: &'a [Folder<'a>],
    /// Each later folder's comparison with the first, as markdown.
    pub compare: &'a [String],
    /// The chart across machines, when drawn.
    pub across: Option<&'a Path>,
}

/// The charts the folder holds, in the registry's order, after the one across machines.
fn charts(page: &Page) -> Vec<ChartItem> {
    let item = |name: &str, caption: &str, path: &Path| {
        Some(ChartItem {
            name: name.to_string(),
            caption: caption.to_string(),
            data: data_uri(path)?,
            file: relative(path, page.out),
        })
    };
    let across = page.across.and_then(|p| item(ACROSS.0, ACROSS.1, p));
    let charts = page.dir.join("charts");
    across
        .into_iter()
        .chain(
            FAMILIES
                .iter()
                .filter_map(|f| item(f.name, f.caption, &charts.join(format!("{}.svg", f.name)))),
        )
        .collect()
}

/// The page.
pub fn render(page: &Page) -> Result<String, HtmlError> {
    let (dir, loaded) = (page.dir, page.loaded);
    let charts_rel = relative(&dir.join("charts"), page.out);
    let sections = sections_in(dir, loaded, &charts_rel, page.machines, None);
    let charts = charts(page);
    // Chart images in the sections (the server's) become the page's own copies.
    let resolve = |url: &str| {
        charts
            .iter()
            .find(|c| c.file == url)
            .map(|c| c.data.clone())
    };
    let section = |name: &str| {
        sections
            .iter()
            .find(|s| s.name == name)
            .map(|s| markdown::to_html(&s.body, &resolve))
            .unwrap_or_default()
    };
    let s = &loaded.summary;
    let m = &s.machine;
    let folder = dir.file_name().map_or_else(
        || dir.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let mut env = Environment::new();
    env.add_template("index.html", TEMPLATE)?;
    let compare: Vec<String> = page
        .compare
        .iter()
        .map(|c| markdown::to_html(c, &resolve))
        .collect();
    let html = env.get_template("index.html")?.render(context! {
        folder,
        profile => s.profile,
        cores => m.cores,
        cpu => m.cpu_model,
        date => m.date,
        command => m.command_line.join(" "),
        decision => section("decision"),
        claims_table => section("claims"),
        claims => rows::claims(loaded),
        memory => section("memory"),
        serve => section("serve"),
        machine => section("machine"),
        probes => rows::probes(loaded),
        charts,
        cells => rows::cells(loaded),
        compare,
        style => STYLE,
        script => SCRIPT,
    })?;
    Ok(html)
}

/// Writes the page as `out/index.html` (atomically) and returns its path.
pub fn write_index(page: &Page) -> Result<PathBuf, HtmlError> {
    let html = render(page)?;
    let path = page.out.join(INDEX);
    write_atomic(&path, html.as_bytes()).map_err(|source| HtmlError::Write {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

/// The page of one folder alone, written into it.
pub fn write_folder_index(dir: &Path, loaded: &Loaded) -> Result<PathBuf, HtmlError> {
    write_index(&Page {
        dir,
        loaded,
        out: dir,
        machines: &[],
        compare: &[],
        across: None,
    })
}
