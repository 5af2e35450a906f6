//! BENCHMARK.md's generated sections, one file each behind [`Renderer`]; [`SECTIONS`] is
//! the one list of them, in the order BENCHMARK.md shows them. Each renders a loaded
//! results folder (through [`crate::analysis`] where something is decided) into the text
//! that goes between its markers (see [`super::markers`]).

mod charts;
mod claims;
mod decision;
mod machine;
mod memory;
mod serve;

use std::path::Path;

pub use decision::picks as decision_picks;

use crate::results::Loaded;

/// One results folder of a report across machines, by the name its column carries.
pub struct Folder<'a> {
    /// The folder's own name, e.g. `2026-11-29-vm`.
    pub name: String,
    /// Its results.
    pub loaded: &'a Loaded,
}

/// What a section is rendered from.
pub struct Input<'a> {
    /// The results folder (the first, with several).
    pub loaded: &'a Loaded,
    /// The charts folder as a link from the markdown file, e.g. `results/x/charts`.
    pub charts_rel: &'a str,
    /// The charts drawn in the folder; None links every chart.
    pub present: Option<&'a [&'static str]>,
    /// With several folders (`rtbench report A B ..`), every one, the first being
    /// `loaded`: the decision and machine sections then show a column per folder. Empty
    /// for one folder.
    pub machines: &'a [Folder<'a>],
    /// The chart across machines as a link from the markdown file, when it was drawn.
    pub across: Option<&'a str>,
}

/// One generated section of BENCHMARK.md.
pub trait Renderer: Sync {
    /// The name its markers carry: `<!-- rtbench:begin NAME -->`.
    fn name(&self) -> &'static str;

    /// Its body, from the folder.
    fn render(&self, input: &Input) -> String;
}

/// Every section, in the order BENCHMARK.md shows them.
pub static SECTIONS: [&dyn Renderer; 6] = [
    &decision::Decision,
    &claims::Claims,
    &memory::Memory,
    &serve::Serve,
    &machine::Machine,
    &charts::Charts,
];

/// The names of every section, in order.
pub fn section_names() -> Vec<&'static str> {
    SECTIONS.iter().map(|s| s.name()).collect()
}

/// One generated section: the text that goes between its markers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Its marker name.
    pub name: &'static str,
    /// Its text.
    pub body: String,
}

/// The sections for a loaded folder, linking every chart under `charts_rel` (no folder to
/// check which exist; see [`sections_in`]).
pub fn sections(loaded: &Loaded, charts_rel: &str) -> Vec<Section> {
    render(&Input {
        loaded,
        charts_rel,
        present: None,
        machines: &[],
        across: None,
    })
}

/// The sections for the folder `dir` was loaded from, linking only the charts whose
/// `dir/charts/NAME.svg` exists; with several `machines` (the first being this folder's),
/// a column per folder where a section has one, and the chart across them at `across`.
pub fn sections_in(
    dir: &Path,
    loaded: &Loaded,
    charts_rel: &str,
    machines: &[Folder],
    across: Option<&str>,
) -> Vec<Section> {
    let present: Vec<&'static str> = super::charts::chart_names()
        .into_iter()
        .filter(|name| dir.join("charts").join(format!("{name}.svg")).is_file())
        .collect();
    render(&Input {
        loaded,
        charts_rel,
        present: Some(&present),
        machines,
        across,
    })
}

/// The body of section `name` across several folders (a column per folder where the
/// section has one), charts linked from the first folder's `charts`.
pub fn section_across(name: &str, machines: &[Folder]) -> String {
    let input = Input {
        loaded: machines[0].loaded,
        charts_rel: "charts",
        present: None,
        machines,
        across: None,
    };
    SECTIONS
        .iter()
        .find(|s| s.name() == name)
        .map_or_else(String::new, |s| s.render(&input))
}

fn render(input: &Input) -> Vec<Section> {
    SECTIONS
        .iter()
        .map(|s| Section {
            name: s.name(),
            body: s.render(input),
        })
        .collect()
}
