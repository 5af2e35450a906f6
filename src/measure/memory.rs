//! Resident memory of this process, from /proc/self/status.

use std::fs;

/// A `Vm*` line of /proc/self/status, in bytes (the kernel reports kB).
fn status_field(name: &str) -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(name))?;
    let kb: u64 = line[name.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
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
}

pub fn snapshot() -> Snapshot {
    Snapshot {
        rss_bytes: rss_bytes().unwrap_or(0),
        virtual_bytes: virtual_bytes().unwrap_or(0),
        heap_bytes: super::heap::counted_bytes(),
        children_rss_bytes: 0,
        children_pss_bytes: 0,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_this_process() {
        let rss = super::rss_bytes().unwrap();
        assert!(rss > 0);
        assert!(super::peak_rss_bytes().unwrap() >= rss);
        assert!(super::virtual_bytes().unwrap() >= rss);
    }
}
