//! Memory of a process, from /proc/<pid>/status (this process's, or a child's).

use std::fs;

/// The number on a line of /proc/<pid>/status ("self" for this process), unit stripped:
/// `Threads:  12` gives 12, `VmHWM:  6320 kB` gives 6320.
pub fn status_value(pid: &str, name: &str) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let value = status.lines().find_map(|l| l.strip_prefix(name))?;
    value.trim().trim_end_matches("kB").trim().parse().ok()
}

/// A `Vm*` line of this process's status, in bytes (the kernel reports kB).
fn status_field(name: &str) -> Option<u64> {
    status_value("self", name).map(|kb| kb * 1024)
}

/// Peak resident set of another process (VmHWM), in bytes.
pub fn peak_rss_of(pid: u32) -> Option<u64> {
    status_value(&pid.to_string(), "VmHWM:").map(|kb| kb * 1024)
}

/// Peak resident set size so far (VmHWM).
pub fn peak_rss_bytes() -> Option<u64> {
    status_field("VmHWM:")
}

/// Resident set size now (VmRSS).
pub fn rss_bytes() -> Option<u64> {
    status_field("VmRSS:")
}

/// Virtual memory size now (VmSize).
pub fn virtual_bytes() -> Option<u64> {
    status_field("VmSize:")
}

/// Memory of this process at one instant, for the memory pass.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub rss_bytes: u64,
    pub virtual_bytes: u64,
    /// Net heap bytes since the pass started counting.
    pub heap_bytes: i64,
    /// Sums over worker processes (the processes model), else 0.
    pub children_rss_bytes: u64,
    pub children_pss_bytes: u64,
    pub children_virtual_bytes: u64,
}

pub fn snapshot() -> Snapshot {
    Snapshot {
        rss_bytes: rss_bytes().unwrap_or(0),
        virtual_bytes: virtual_bytes().unwrap_or(0),
        heap_bytes: super::heap::counted_bytes(),
        children_rss_bytes: 0,
        children_pss_bytes: 0,
        children_virtual_bytes: 0,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_this_process() {
        let rss = super::rss_bytes().unwrap();
        assert!(rss > 0);
        // Separate reads while other test threads allocate and free, and the kernel's RSS
        // counters are batched per CPU: compare with a margin, not to the byte.
        let margin = rss / 10;
        assert!(super::peak_rss_bytes().unwrap() + margin >= rss);
        assert!(super::virtual_bytes().unwrap() + margin >= rss);
    }
}
