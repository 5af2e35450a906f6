//! Section `charts`: a link to each chart the folder holds, with its caption, in the order
//! of the chart registry.

use std::fmt::Write as _;

use super::{Input, Renderer};
use crate::report::charts::FAMILIES;
use crate::report::md::inline;

/// The chart links.
pub struct Charts;

impl Renderer for Charts {
    fn name(&self) -> &'static str {
        "charts"
    }

    fn render(&self, input: &Input) -> String {
        let rel = input.charts_rel.trim_end_matches('/');
        let mut out = String::new();
        for f in &FAMILIES {
            if input.present.is_some_and(|p| !p.contains(&f.name)) {
                continue;
            }
            let path = if rel.is_empty() {
                format!("{}.svg", f.name)
            } else {
                format!("{rel}/{}.svg", f.name)
            };
            let _ = writeln!(out, "![{}]({})\n", f.caption, inline(&path));
        }
        if out.is_empty() {
            out.push_str("No charts in this folder yet (`rtbench report <folder>` draws them).\n");
        }
        out
    }
}
