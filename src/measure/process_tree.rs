//! A server process and its children (pre-forked workers) seen from outside, through
//! `/proc`: CPU time, context switches, resident memory now and at its peak, threads. What
//! `run --workload serve` records of the server at each offered rate.
//!
//! CPU time comes from each process's `stat` (every thread of it, the exited ones too).
//! Context switches are per thread in `/proc` (`task/<tid>/status`), so only live threads
//! count: sample before a load's connections close, or a thread per connection takes its
//! switches with it. The peak is the kernel's VmHWM, reset with `clear_refs` (5) before a
//! rate, so each rate's peak is its own.

use std::fs;

use serde::{Deserialize, Serialize};

use super::memory::children_of;

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

/// CPU seconds every CPU of the machine has spent busy (user, nice, system, irq, softirq,
/// steal: all but idle and iowait) since boot, from `/proc/stat`.
pub fn machine_busy_seconds() -> Option<f64> {
    let stat = fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let f: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal
    let busy = f.first()? + f.get(1)? + f.get(2)? + f.get(5)? + f.get(6)? + f.get(7)?;
    Some(busy as f64 / clock_ticks())
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
        assert!(sample_tree(me).unwrap().peak_rss_bytes > 0);
        assert!(sample_tree(u32::MAX).is_none());
    }
}
