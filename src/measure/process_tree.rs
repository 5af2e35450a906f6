//! A server process and its children (pre-forked workers) seen from outside, through
//! `/proc`: CPU time, context switches, resident memory now and at its peak, proportional
//! memory (PSS), threads. What `run --workload serve` records of the server at each offered
//! rate; and every other process's CPU ([`OthersSample`]), which tells a rate the rest of
//! the machine disturbed.
//!
//! CPU time comes from each process's `stat` (every thread of it, the exited ones too).
//! Context switches are per thread in `/proc` (`task/<tid>/status`), so only live threads
//! count: sample before a load's connections close, or a thread per connection takes its
//! switches with it. The peak is the kernel's VmHWM, reset with `clear_refs` (5) before a
//! rate, so each rate's peak is its own.

use std::fs;

use serde::{Deserialize, Serialize};

use super::memory::{children_of, rss_and_pss_of};

/// One look at a process tree.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct TreeSample {
    /// User and system CPU, seconds, summed over the processes.
    pub cpu_seconds: f64,
    /// Voluntary context switches of the live threads.
    pub voluntary_switches: u64,
    /// Involuntary context switches of the live threads.
    pub involuntary_switches: u64,
    /// Resident bytes now, summed.
    pub rss_bytes: u64,
    /// Peak resident bytes since the last reset (VmHWM), summed over processes that all
    /// live at once (the server and its pre-forked workers).
    pub peak_rss_bytes: u64,
    /// Proportional set size now (`smaps_rollup`), summed: each page shared by several
    /// processes split among them, so pre-forked workers sharing the binary and the
    /// parent's pages count them once in all, where their RSS counts them in each.
    /// 0 in folders from before it was recorded.
    #[serde(default)]
    pub pss_bytes: u64,
    /// Processes: the server and its children.
    pub processes: u64,
    /// Live threads, summed.
    pub threads: u64,
    /// When it was taken (CLOCK_MONOTONIC, ns).
    #[serde(default)]
    pub taken_nanos: u64,
    /// After [`TreeSample::since`]: seconds between the two samples.
    #[serde(default)]
    pub wall_seconds: f64,
}

fn clock_ticks() -> f64 {
    // SAFETY: sysconf has no preconditions.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 { t as f64 } else { 100.0 }
}

/// utime + stime of `/proc/<pid>/stat`, in ticks.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // rest[0] is field 3 (state); utime is field 14, stime 15.
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

fn status_value(status: &str, key: &str) -> Option<u64> {
    let line = status.lines().find_map(|l| l.strip_prefix(key))?;
    line.trim().trim_end_matches("kB").trim().parse().ok()
}

/// Adds one process's figures to `into`.
fn add_process(pid: u32, into: &mut TreeSample) -> Option<()> {
    let ticks = cpu_ticks(pid)?;
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    into.cpu_seconds += ticks as f64 / clock_ticks();
    into.rss_bytes += status_value(&status, "VmRSS:").unwrap_or(0) * 1024;
    into.peak_rss_bytes += status_value(&status, "VmHWM:").unwrap_or(0) * 1024;
    into.pss_bytes += rss_and_pss_of(pid).map_or(0, |(_, pss)| pss);
    into.processes += 1;
    if let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) {
        for task in tasks.flatten() {
            let Ok(s) = fs::read_to_string(task.path().join("status")) else {
                continue;
            };
            into.threads += 1;
            into.voluntary_switches += status_value(&s, "voluntary_ctxt_switches:").unwrap_or(0);
            into.involuntary_switches +=
                status_value(&s, "nonvoluntary_ctxt_switches:").unwrap_or(0);
        }
    }
    Some(())
}

/// Every process's CPU ticks (its own and its reaped children's) at one instant, but for
/// the processes left out: what the rest of the machine has used, read process by process
/// rather than as the machine's total less the measured ones (which counted whatever the
/// measured tree's sampling missed as someone else's: up to 1.2 CPUs for 512 pre-forked
/// workers at overload, with no other process busy).
#[derive(Debug, Clone, Default)]
pub struct OthersSample(std::collections::HashMap<u32, (String, u64)>);

impl OthersSample {
    /// Every process in `/proc` now but `exclude` (and none of their reaped children).
    pub fn now(exclude: &[u32]) -> OthersSample {
        let mut all = std::collections::HashMap::new();
        let Ok(dir) = fs::read_dir("/proc") else {
            return OthersSample(all);
        };
        for entry in dir.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            if exclude.contains(&pid) {
                continue;
            }
            if let Some(t) = all_cpu_ticks(pid) {
                all.insert(pid, t);
            }
        }
        OthersSample(all)
    }

    /// CPU seconds the processes used since `before`: each one's growth, a process started
    /// since then counted whole (a process gone since is in its parent's reaped share, if
    /// that parent is not left out).
    pub fn since(&self, before: &OthersSample) -> f64 {
        self.busiest(before).iter().map(|b| b.1).sum()
    }

    /// Each process that used CPU since `before`: its command name and CPU seconds, the
    /// busiest first.
    pub fn busiest(&self, before: &OthersSample) -> Vec<(String, f64)> {
        let mut used: Vec<(String, f64)> = self
            .0
            .iter()
            .map(|(pid, (comm, t))| {
                let was = before.0.get(pid).map_or(0, |b| b.1);
                (comm.clone(), t.saturating_sub(was) as f64 / clock_ticks())
            })
            .filter(|u| u.1 > 0.0)
            .collect();
        used.sort_by(|a, b| b.1.total_cmp(&a.1));
        used
    }
}

/// The command name and utime + stime + cutime + cstime of `/proc/<pid>/stat`, in ticks
/// (PID 1: utime + stime).
fn all_cpu_ticks(pid: u32) -> Option<(String, u64)> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let comm = stat.get(stat.find('(')? + 1..stat.rfind(')')?)?.to_string();
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let field = |i: usize| f.get(i).and_then(|v| v.parse::<i64>().ok());
    // PID 1 reaps orphans, so its reaped share holds what the measured server's workers
    // used once they outlived it (seen: 4.6 CPUs "used" in one window by the sandbox's
    // init, reaping a killed pre-fork server's 512 workers): its own time only.
    let reaped = if pid == 1 { 0 } else { field(13)? + field(14)? };
    let ticks = (field(11)? + field(12)? + reaped).max(0) as u64;
    Some((comm, ticks))
}

/// The process `pid` and its children now; None if `pid` is gone.
pub fn sample_tree(pid: u32) -> Option<TreeSample> {
    let mut sample = TreeSample {
        taken_nanos: super::monotonic_nanos(),
        ..TreeSample::default()
    };
    add_process(pid, &mut sample)?;
    for child in children_of(pid) {
        let _ = add_process(child, &mut sample);
    }
    Some(sample)
}

/// Resets the peak resident size (VmHWM) of `pid` and its children to their size now.
/// Writing `/proc/<pid>/clear_refs` needs the rights to trace the process (a parent of
/// the same user has them); false if any reset failed.
pub fn reset_peaks(pid: u32) -> bool {
    let mut ok = fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok();
    for child in children_of(pid) {
        ok &= fs::write(format!("/proc/{child}/clear_refs"), "5").is_ok();
    }
    ok
}

impl TreeSample {
    /// What happened between `before` and `self`: CPU and switches as differences; memory,
    /// processes and threads as `self` has them.
    pub fn since(self, before: TreeSample) -> TreeSample {
        TreeSample {
            cpu_seconds: (self.cpu_seconds - before.cpu_seconds).max(0.0),
            voluntary_switches: self
                .voluntary_switches
                .saturating_sub(before.voluntary_switches),
            involuntary_switches: self
                .involuntary_switches
                .saturating_sub(before.involuntary_switches),
            wall_seconds: self.taken_nanos.saturating_sub(before.taken_nanos) as f64 * 1e-9,
            ..self
        }
    }

    /// Cores kept busy between the two samples of [`TreeSample::since`]: CPU over wall.
    pub fn cores_busy(&self) -> f64 {
        if self.wall_seconds > 0.0 {
            self.cpu_seconds / self.wall_seconds
        } else {
            0.0
        }
    }

    /// Context switches (both kinds) per second between the two samples.
    pub fn switches_per_second(&self) -> f64 {
        let all = (self.voluntary_switches + self.involuntary_switches) as f64;
        if self.wall_seconds > 0.0 {
            all / self.wall_seconds
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_seen_and_a_busy_loop_shows_as_cpu() {
        let me = std::process::id();
        let before = sample_tree(me).expect("this process");
        assert!(before.rss_bytes > 0 && before.threads >= 1 && before.processes == 1);
        let start = std::time::Instant::now();
        let mut x = 0u64;
        while start.elapsed() < std::time::Duration::from_millis(100) {
            x = x.wrapping_add(std::hint::black_box(1));
        }
        let spent = sample_tree(me).unwrap().since(before);
        assert!(spent.cpu_seconds > 0.03, "{spent:?} {x}");
        assert!(
            spent.wall_seconds >= 0.1 && spent.cores_busy() > 0.2,
            "{spent:?}"
        );
        assert!(reset_peaks(me));
        let now = sample_tree(me).unwrap();
        assert!(now.peak_rss_bytes > 0);
        // Alone, with no page shared with another process of its own tree, PSS is at most
        // RSS (shared libraries split with other processes make it less).
        assert!(
            now.pss_bytes > 0 && now.pss_bytes <= now.rss_bytes + 4096,
            "{now:?}"
        );
        assert!(sample_tree(u32::MAX).is_none());
        // The same loop seen from outside this process: nothing when it is left out, at
        // least its CPU when it is not.
        let (mine, none) = (OthersSample::now(&[]), OthersSample::now(&[me]));
        let start = std::time::Instant::now();
        while start.elapsed() < std::time::Duration::from_millis(100) {
            x = x.wrapping_add(std::hint::black_box(1));
        }
        let seen = OthersSample::now(&[]).since(&mine);
        assert!(seen > 0.03, "{seen} {x}");
        let unseen = OthersSample::now(&[me]).since(&none);
        assert!(unseen < seen, "{unseen} against {seen}");
    }
}
