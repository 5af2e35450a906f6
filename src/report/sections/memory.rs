//! Section `memory`: each model's memory per idle unit from the memory pass.

use super::{Input, Renderer};
use crate::report::labels::{first_clause, kernel_note, runtime_label};
use crate::report::md::{MdTable, inline};
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
             sizes parked, so fixed costs drop out. PSS splits pages shared between processes among them. ",
        );
        match models.iter().find(|m| m.kernel_per_unit_bytes.is_some()) {
            Some(m) => out.push_str(&format!("{}.\n\n", kernel_note(m.repeats))),
            None => out.push_str("Kernel memory was not measured for this folder.\n\n"),
        }
        let mut table = MdTable::new(&[
            "model",
            "a unit is",
            "resident",
            "PSS",
            "kernel",
            "total",
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
                format!(
                    "{}{}",
                    bytes(m.kernel_per_unit_bytes),
                    if m.kernel_noisy { " (noisy)" } else { "" }
                ),
                bytes(m.total_per_unit_bytes),
                bytes(m.heap_per_unit_bytes),
                bytes(m.virtual_per_unit_bytes),
                sizes.join(", "),
                thousands(m.max_units),
                stopped.to_string(),
            ]);
        }
        out.push_str(&table.finish());
        for m in models {
            if let Some(why) = &m.kernel_noise {
                let name = runtime_label(&m.runtime, m.legacy);
                let line = format!("{name}: kernel memory noisy: {why}.");
                out.push_str(&format!("\n{}\n", inline(&line)));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sections::sections;

    #[test]
    fn kernel_memory_is_shown_with_how_it_was_read_and_its_noise() {
        let mut loaded = crate::analysis::tests::fixture();
        for m in &mut loaded.summary.memory_models {
            m.repeats = 3;
            m.kernel_per_unit_bytes = Some(28672.0);
            m.total_per_unit_bytes = Some(28672.0 + m.own_per_unit().unwrap().0);
        }
        let noisy = &mut loaded.summary.memory_models[2];
        noisy.kernel_noisy = true;
        noisy.kernel_noise = Some("the repeats put it\nanywhere".into());
        let body = sections(&loaded, "charts")
            .into_iter()
            .find(|s| s.name == Memory.name())
            .unwrap()
            .body;
        assert!(
            body.contains("Kernel memory is the growth of KernelStack"),
            "{body}"
        );
        assert!(body.contains("median of 3 fresh processes"), "{body}");
        // Processes: PSS + kernel, the table's one per-process figure and its flag.
        assert!(
            body.contains("| 273.4 KiB | 28.0 KiB (noisy) | 301.4 KiB |"),
            "{body}"
        );
        assert!(body.contains("\nprocesses: kernel memory noisy: the repeats put it anywhere.\n"));
    }
}
