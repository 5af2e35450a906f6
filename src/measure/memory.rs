//! Memory and threads of a process (this one, or a child by pid), read from `/proc/<pid>`
//! through procfs, except what the parent's 10 ms sampler reads (see [`threads_of`],
//! [`children_of`], [`rss_of`], [`rss_and_pss_of`]): hand-written, as it runs beside a
//! measurement.
//!
//! Which file each figure comes from is chosen by what the read costs where it runs: the
//! memory pass's snapshot reads `/proc/<pid>/statm` (resident and virtual size at one instant,
//! the same kernel counters as VmRSS and VmSize, and the cheapest file that has them), the
//! peaks come from `/proc/<pid>/status` (VmHWM is only there), and workers' proportional
//! share from `/proc/<pid>/smaps_rollup`. The kernel's own memory for tasks (their kernel
//! stacks, task structs, page tables) is not in any process's figures: [`kernel_memory`]
//! reads it system-wide from `/proc/meminfo`.

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

/// (resident, proportional) bytes of another process now: the `Rss:` and `Pss:` lines of
/// `/proc/<pid>/smaps_rollup`; None if it is gone or has no memory left (a zombie).
///
/// Hand-written: the parent's sampler reads it for every live worker. The kernel's walk of
/// the page tables is most of the cost (about 42 µs of CPU for a 5 MiB worker here); procfs's
/// parse into a map of every line adds about 10 µs more.
pub fn rss_and_pss_of(pid: u32) -> Option<(u64, u64)> {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    let kib = |key: &str| {
        let line = rollup.lines().find_map(|l| l.strip_prefix(key))?;
        let value = line.trim().strip_suffix("kB")?.trim();
        value.parse::<u64>().ok().map(|kb| kb * 1024)
    };
    Some((kib("Rss:")?, kib("Pss:")?))
}

/// Resident bytes of another process now: the second field of `/proc/<pid>/statm` (the
/// counters behind VmRSS), about 3 µs a read; None if it is gone.
pub fn rss_of(pid: u32) -> Option<u64> {
    let statm = std::fs::read_to_string(format!("/proc/{pid}/statm")).ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * procfs::page_size())
}

/// The child processes of a process now: the union of `/proc/<pid>/task/<tid>/children` over
/// its threads (a child is listed under the thread that started it). One read per thread,
/// so it is for processes with few threads; a child that exits meanwhile may be missed, as
/// the kernel documents, and a zombie not yet reaped is still listed.
pub fn children_of(pid: u32) -> Vec<u32> {
    let Ok(threads) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    let mut children = Vec::new();
    for thread in threads.flatten() {
        if let Ok(list) = std::fs::read_to_string(thread.path().join("children")) {
            children.extend(
                list.split_whitespace()
                    .filter_map(|c| c.parse::<u32>().ok()),
            );
        }
    }
    children
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

/// How [`kernel_memory`] measures, for the texts that publish its figures.
pub const KERNEL_COUNTERS: &str = "KernelStack + PageTables + SUnreclaim in /proc/meminfo \
     (system-wide; per-CPU deltas folded first)";

/// The kernel memory that grows with threads and processes, system-wide, in bytes: what a
/// unit costs beyond the pages of its own address space.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KernelMemory {
    /// Kernel stacks (KernelStack): 16 KiB per thread on x86-64.
    pub stack_bytes: u64,
    /// Page tables of every address space (PageTables).
    pub page_tables_bytes: u64,
    /// Slab memory the kernel cannot reclaim under pressure (SUnreclaim): task structs,
    /// memory maps' descriptors, pids, open files. Reclaimable slab (dentry and inode
    /// caches) is left out: it follows file lookups, not units.
    pub slab_unreclaimable_bytes: u64,
}

impl KernelMemory {
    /// The three counters added up.
    pub fn total_bytes(&self) -> u64 {
        self.stack_bytes + self.page_tables_bytes + self.slab_unreclaimable_bytes
    }
}

/// The system's kernel memory now, from one read of `/proc/meminfo` ([`KERNEL_COUNTERS`]),
/// after folding every CPU's pending counter deltas into the totals ([`fold_counters`]).
/// System-wide: other processes move it too, so a caller repeats and compares. None if the
/// file or one of the counters cannot be read.
pub fn kernel_memory() -> Option<KernelMemory> {
    use procfs::Current;
    fold_counters();
    let m = procfs::Meminfo::current().ok()?;
    Some(KernelMemory {
        stack_bytes: m.kernel_stack?,
        page_tables_bytes: m.page_tables?,
        slab_unreclaimable_bytes: m.s_unreclaim?,
    })
}

/// The kernel keeps per-CPU deltas of these counters and adds them to the totals that
/// /proc/meminfo shows only past a threshold or once per `vm.stat_interval`: up to some
/// hundreds of KiB per CPU, as much as a few processes' kernel memory. Writing
/// `/proc/sys/vm/stat_refresh` folds them at once (0.4 ms; root only); without the right,
/// wait out two intervals, after which the kernel has folded the deltas pending now.
fn fold_counters() {
    if std::fs::write("/proc/sys/vm/stat_refresh", "1").is_ok() {
        return;
    }
    let interval = std::fs::read_to_string("/proc/sys/vm/stat_interval")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or(1);
    std::thread::sleep(std::time::Duration::from_secs(2 * interval.clamp(1, 10)));
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
    /// The system's kernel memory ([`kernel_memory`]), if it could be read.
    pub kernel: Option<KernelMemory>,
}

/// Memory of this process now, and the system's kernel memory. Resident and virtual size
/// come from one statm read; it and the meminfo read free their few transient heap bytes
/// before the counted heap is read, so the snapshot does not count itself.
pub fn snapshot() -> Snapshot {
    let kernel = kernel_memory();
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
        kernel,
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
        // This thread's own kernel stack is in the system's count.
        let kernel = super::kernel_memory().unwrap();
        assert!(kernel.stack_bytes >= 16 * 1024, "{kernel:?}");
        assert!(kernel.total_bytes() > kernel.stack_bytes, "{kernel:?}");
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
        let resident = super::rss_of(pid);
        let size = super::virtual_bytes_of(pid);
        let children = super::children_of(std::process::id());
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(threads, Some(1));
        let (rss, pss) = rollup.unwrap();
        assert!(rss > 0 && pss > 0 && pss <= rss, "{rss} {pss}");
        // Not compared with the rollup's: the child may still be loading between the reads.
        assert!(resident.unwrap() > 0);
        assert!(size.unwrap() >= rss);
        // Other tests of this binary may have children of their own at the same moment.
        assert!(children.contains(&pid), "{children:?} lacks {pid}");
        assert_eq!(super::threads_of(pid), None);
        assert_eq!(super::rss_of(pid), None);
        assert!(!super::children_of(std::process::id()).contains(&pid));
    }
}
