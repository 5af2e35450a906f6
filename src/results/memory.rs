//! Memory pass records: one size of one model, and the model fitted over a runtime's sizes
//! (the one source of a unit's memory every table, chart and claim reads).

use serde::{Deserialize, Serialize};

use crate::runtime::{Model, Unit};

/// Memory pass: one size of one model (N idle units parked in a fresh process).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemoryRecord {
    /// The runtime's name.
    pub runtime: String,
    /// Discontinued upstream.
    pub legacy: bool,
    /// The runtime's concurrency model.
    pub model: Model,
    /// What one parked unit is.
    pub unit: Unit,
    /// Units parked.
    pub units: usize,
    /// Resident bytes before the first unit was started.
    pub rss_before_bytes: u64,
    /// Resident bytes once every unit was parked.
    pub rss_after_bytes: u64,
    /// (RSS after - before) / units; for processes, the children's RSS plus the parent's growth.
    pub rss_per_unit_bytes: f64,
    /// Processes only: the children's PSS (shared pages split between sharers) plus the
    /// parent's growth, per process.
    pub pss_per_unit_bytes: Option<f64>,
    /// Net heap bytes allocated while parking / units (counting allocator).
    pub heap_per_unit_bytes: f64,
    /// (VmSize after - before) / units: address space reserved, e.g. thread stacks.
    pub virtual_per_unit_bytes: f64,
    /// Why this size failed, if it did.
    pub error: Option<String>,
    /// The failure's class, as a cell's.
    pub error_kind: Option<String>,
    /// Fresh processes this size was parked in; each figure above and below is the median
    /// of theirs. 1 in files written before the memory pass repeated sizes.
    #[serde(default = "one")]
    pub repeats: usize,
    /// The system's kernel memory growth (KernelStack + PageTables + SUnreclaim of
    /// /proc/meminfo) / units, median of the repeats; None where it was not read (files
    /// written before it was).
    #[serde(default)]
    pub kernel_per_unit_bytes: Option<f64>,
    /// The lowest of the repeats' kernel figures.
    #[serde(default)]
    pub kernel_min_per_unit_bytes: Option<f64>,
    /// The highest of the repeats' kernel figures.
    #[serde(default)]
    pub kernel_max_per_unit_bytes: Option<f64>,
    /// Kernel stacks alone (median of the repeats; the three parts' medians need not add
    /// up to the total's).
    #[serde(default)]
    pub kernel_stack_per_unit_bytes: Option<f64>,
    /// Page tables alone (median of the repeats).
    #[serde(default)]
    pub page_tables_per_unit_bytes: Option<f64>,
    /// Unreclaimable slab alone (median of the repeats).
    #[serde(default)]
    pub slab_per_unit_bytes: Option<f64>,
}

fn one() -> usize {
    1
}

/// Memory pass: one model over all its sizes; per-unit figures are least-squares slopes of
/// the growth over the number of units, so fixed costs drop out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemoryModel {
    /// The runtime's name.
    pub runtime: String,
    /// Discontinued upstream.
    pub legacy: bool,
    /// The runtime's concurrency model.
    pub model: Model,
    /// What one parked unit is.
    pub unit: Unit,
    /// The sizes that were parked successfully.
    pub sizes: Vec<usize>,
    /// Resident bytes per unit.
    pub rss_per_unit_bytes: Option<f64>,
    /// Proportional bytes per unit (processes: shared pages split between sharers).
    pub pss_per_unit_bytes: Option<f64>,
    /// Heap bytes per unit.
    pub heap_per_unit_bytes: Option<f64>,
    /// Virtual address space per unit (thread stacks are reserved, not resident).
    pub virtual_per_unit_bytes: Option<f64>,
    /// The largest number of units parked.
    pub max_units: usize,
    /// Why a larger size failed (e.g. the OS thread limit), if one did.
    pub stopped_by: Option<String>,
    /// Fresh processes each size was parked in (every figure is their median).
    #[serde(default = "one")]
    pub repeats: usize,
    /// Kernel bytes per unit: kernel stacks, page tables and unreclaimable slab (task
    /// structs, memory maps), read system-wide around each size; None where not read.
    #[serde(default)]
    pub kernel_per_unit_bytes: Option<f64>,
    /// Kernel stacks alone, per unit (16 KiB per thread on x86-64).
    #[serde(default)]
    pub kernel_stack_per_unit_bytes: Option<f64>,
    /// Page tables alone, per unit.
    #[serde(default)]
    pub page_tables_per_unit_bytes: Option<f64>,
    /// Unreclaimable slab alone, per unit.
    #[serde(default)]
    pub slab_per_unit_bytes: Option<f64>,
    /// What a unit costs in all: its own memory ([`MemoryModel::own_per_unit`]: PSS for
    /// processes, else resident) plus its kernel memory. None without both.
    #[serde(default)]
    pub total_per_unit_bytes: Option<f64>,
    /// The repeats disagree so much that the kernel figure is not to be trusted: the
    /// system's counters moved with other processes' work.
    #[serde(default)]
    pub kernel_noisy: bool,
    /// Why the kernel figure is flagged noisy (how far apart the repeats put it).
    #[serde(default)]
    pub kernel_noise: Option<String>,
}

/// Which of a unit's own memory figures is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemoryKind {
    /// Proportional set size: pages shared between processes split among them.
    Pss,
    /// Resident set size.
    Resident,
}

impl std::fmt::Display for MemoryKind {
    /// `PSS`, `resident`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            MemoryKind::Pss => "PSS",
            MemoryKind::Resident => "resident",
        })
    }
}

impl MemoryModel {
    /// The one figure of a unit's own memory that the memory table, the claims (C07, C16)
    /// and the decision rows publish: the slope of PSS over the standard sizes where it is
    /// measured (processes: pages shared between them split), else of resident memory.
    pub fn own_per_unit(&self) -> Option<(f64, MemoryKind)> {
        self.pss_per_unit_bytes
            .map(|b| (b, MemoryKind::Pss))
            .or(self.rss_per_unit_bytes.map(|b| (b, MemoryKind::Resident)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_records_written_before_kernel_memory_still_load() {
        let size: MemoryRecord = serde_json::from_str(
            r#"{"runtime":"threads","legacy":false,"model":"threads","unit":"thread","units":1000,
                "rss_before_bytes":1,"rss_after_bytes":2,"rss_per_unit_bytes":9912.0,
                "pss_per_unit_bytes":null,"heap_per_unit_bytes":187.0,
                "virtual_per_unit_bytes":2097152.0,"error":null,"error_kind":null}"#,
        )
        .unwrap();
        assert_eq!((size.repeats, size.kernel_per_unit_bytes), (1, None));
        let model: MemoryModel = serde_json::from_str(
            r#"{"runtime":"processes","legacy":false,"model":"processes","unit":"process",
                "sizes":[8,32],"rss_per_unit_bytes":4000000.0,"pss_per_unit_bytes":280000.0,
                "heap_per_unit_bytes":8000.0,"virtual_per_unit_bytes":7000000.0,
                "max_units":32,"stopped_by":null}"#,
        )
        .unwrap();
        assert_eq!(model.repeats, 1);
        assert_eq!(model.total_per_unit_bytes, None);
        assert!(!model.kernel_noisy && model.kernel_noise.is_none());
        // The one per-process figure is PSS wherever it was measured.
        assert_eq!(model.own_per_unit(), Some((280000.0, MemoryKind::Pss)));
    }
}
