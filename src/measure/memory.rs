//! Memory and threads of a process (this one, or a child by pid), read from `/proc/<pid>`
//! through procfs, except the thread sampler's count (see [`threads_of`]).
//!
//! Which file each figure comes from is chosen by what the read costs where it runs: the
//! memory pass's snapshot reads `/proc/<pid>/statm` (resident and virtual size at one instant,
//! the same kernel counters as VmRSS and VmSize, and the cheapest file that has them), the
//! peaks come from `/proc/<pid>/status` (VmHWM is only there), and workers' proportional
//! share from `/proc/<pid>/smaps_rollup`.

use procfs::process::Process;

/// A child by pid; None if it is gone or its pid does not fit a pid_t.
fn child(pid: u32) -> Option<Process> {
    Process::new(i32::try_from(pid).ok()?).ok()
}

/// (resident, virtual) bytes of a process now, from one read of `/proc/<pid>/statm`.
fn resident_and_virtual(process: &Process) -> Option<(u64, u64)> {
    let statm = process.statm().ok()?;
    let page = procfs::page_size();
    Some((statm.resident * page, statm.size * page))
}

/// Peak resident set (VmHWM of `/proc/<pid>/status`) in bytes.
fn peak_rss(process: &Process) -> Option<u64> {
    process.status().ok()?.vmhwm.map(|kb| kb * 1024)
}

/// Peak resident set of another process (VmHWM), in bytes.
pub fn peak_rss_of(pid: u32) -> Option<u64> {
    peak_rss(&child(pid)?)
}

/// Peak resident set size of this process so far (VmHWM), in bytes.
pub fn peak_rss_bytes() -> Option<u64> {
    peak_rss(&Process::myself().ok()?)
}

/// Resident set size of this process now (VmRSS), in bytes.
pub fn rss_bytes() -> Option<u64> {
    resident_and_virtual(&Process::myself().ok()?).map(|(rss, _)| rss)
}

/// Virtual memory size of this process now (VmSize), in bytes.
pub fn virtual_bytes() -> Option<u64> {
    resident_and_virtual(&Process::myself().ok()?).map(|(_, size)| size)
}

/// Virtual memory size of another process now (VmSize), in bytes.
pub fn virtual_bytes_of(pid: u32) -> Option<u64> {
    resident_and_virtual(&child(pid)?).map(|(_, size)| size)
}

/// (resident, proportional) bytes of another process now, from `/proc/<pid>/smaps_rollup`
/// (Rss and Pss; procfs reports them in bytes).
pub fn rss_and_pss_of(pid: u32) -> Option<(u64, u64)> {
    let rollup = child(pid)?.smaps_rollup().ok()?;
    let totals = &rollup.memory_map_rollup.iter().next()?.extension.map;
    Some((*totals.get("Rss")?, *totals.get("Pss")?))
}

/// Threads of a process now: the `Threads:` line of `/proc/<pid>/status`.
///
/// Hand-written on purpose. The parent samples this every 10 ms while its child cell is
/// being timed, and procfs's `Status` parses all ~55 lines into a map of owned strings:
/// measured at 41-47 µs of CPU and 217 allocations per read against 8-12 µs and 8 for
/// this. procfs's cheap alternative, `stat().num_threads`, sums every thread's times in the
/// kernel: 1.1 ms per read at 10,000 threads.
pub fn threads_of(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let value = status.lines().find_map(|l| l.strip_prefix("Threads:"))?;
    value.trim().parse().ok()
}

/// Memory of this process at one instant, for the memory pass.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Resident set size (VmRSS), in bytes.
    pub rss_bytes: u64,
    /// Virtual memory size (VmSize), in bytes.
    pub virtual_bytes: u64,
    /// Net heap bytes since the pass started counting.
    pub heap_bytes: i64,
    /// Sums over worker processes (the processes model), else 0.
    pub children_rss_bytes: u64,
    /// Proportional set sizes of the worker processes, summed; else 0.
    pub children_pss_bytes: u64,
    /// Virtual sizes of the worker processes, summed; else 0.
    pub children_virtual_bytes: u64,
}

/// Memory of this process now. Resident and virtual size come from one statm read, whose
/// few transient heap bytes are freed before the counted heap is read, so the snapshot
/// does not count itself.
pub fn snapshot() -> Snapshot {
    let (rss_bytes, virtual_bytes) = Process::myself()
        .ok()
        .and_then(|me| resident_and_virtual(&me))
        .unwrap_or((0, 0));
    Snapshot {
        rss_bytes,
        virtual_bytes,
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
        let me = std::process::id();
        assert!(super::threads_of(me).unwrap() >= 1);
        assert!(super::peak_rss_of(me).unwrap() + margin >= rss);
        assert!(super::virtual_bytes_of(me).unwrap() + margin >= rss);
    }

    #[test]
    fn reads_a_child() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let pid = child.id();
        let threads = super::threads_of(pid);
        let rollup = super::rss_and_pss_of(pid);
        let size = super::virtual_bytes_of(pid);
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(threads, Some(1));
        let (rss, pss) = rollup.unwrap();
        assert!(rss > 0 && pss > 0 && pss <= rss, "{rss} {pss}");
        assert!(size.unwrap() >= rss);
        assert_eq!(super::threads_of(pid), None);
    }
}
