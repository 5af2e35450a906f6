//! Section `charts`: a link to each chart the folder holds, with its caption, in the order
//! of the chart registry.

use std::fmt::Write as _;

use super::{Input, Renderer};
use crate::report::charts::{ACROSS, FAMILIES, Family};
use crate::report::md::inline;

/// The chart links.
pub struct Charts;

impl Renderer for Charts {
    fn name(&self) -> &'static str {
        "charts"
    }

    fn render(&self, input: &Input) -> String {
        let mut out = String::new();
        if let Some(path) = input.across {
            let _ = writeln!(out, "![{}]({})\n", ACROSS.1, inline(path));
        }
        for f in &FAMILIES {
            if let Some(link) = link(input, f) {
                let _ = writeln!(out, "{link}\n");
            }
        }
        if out.is_empty() {
            out.push_str("No charts in this folder yet (`rtbench report <folder>` draws them).\n");
        }
        out
    }
}

/// `![caption](charts/NAME.svg)`: the chart's image link, if the folder holds the chart.
pub(super) fn link(input: &Input, f: &Family) -> Option<String> {
    if input.present.is_some_and(|p| !p.contains(&f.name)) {
        return None;
    }
    let rel = input.charts_rel.trim_end_matches('/');
    let path = if rel.is_empty() {
        format!("{}.svg", f.name)
    } else {
        format!("{rel}/{}.svg", f.name)
    };
    Some(format!("![{}]({})", f.caption, inline(&path)))
}
