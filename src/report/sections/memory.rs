//! Section `memory`: each model's memory per idle unit from the memory pass.

use super::{Input, Renderer};
use crate::report::labels::{first_clause, runtime_label};
use crate::report::md::MdTable;
use crate::units::{bytes, thousands};

/// The memory table.
pub struct Memory;

impl Renderer for Memory {
    fn name(&self) -> &'static str {
        "memory"
    }

    fn render(&self, input: &Input) -> String {
        let models = &input.loaded.summary.memory_models;
        if models.is_empty() {
            return "The memory pass was not run for this folder (`rtbench run --memory`).\n"
                .into();
        }
        let mut out = String::from(
            "Idle units parked in a fresh process; each figure is the slope of the growth over the \
             sizes parked, so fixed costs drop out. PSS splits pages shared between processes among them.\n\n",
        );
        let mut table = MdTable::new(&[
            "model",
            "a unit is",
            "resident",
            "PSS",
            "heap",
            "virtual",
            "sizes parked",
            "max units",
            "what stopped it",
        ]);
        for m in models {
            let sizes: Vec<String> = m.sizes.iter().map(|&n| thousands(n)).collect();
            let stopped = m.stopped_by.as_deref().map_or("-", first_clause);
            table.row(&[
                runtime_label(&m.runtime, m.legacy),
                m.unit.to_string(),
                bytes(m.rss_per_unit_bytes),
                bytes(m.pss_per_unit_bytes),
                bytes(m.heap_per_unit_bytes),
                bytes(m.virtual_per_unit_bytes),
                sizes.join(", "),
                thousands(m.max_units),
                stopped.to_string(),
            ]);
        }
        out.push_str(&table.finish());
        out
    }
}
