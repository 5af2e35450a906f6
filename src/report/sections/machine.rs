//! Section `machine`: the machine, build, limits and command behind the folder.

use std::fmt::Write as _;

use super::{Input, Renderer};
use crate::report::md::inline;
use crate::units::{bytes, gib};

/// The machine list.
pub struct Machine;

impl Renderer for Machine {
    fn name(&self) -> &'static str {
        "machine"
    }

    fn render(&self, input: &Input) -> String {
        let loaded = input.loaded;
        let s = &loaded.summary;
        let m = &s.machine;
        let l = &m.limits;
        let opt = |v: Option<u64>| v.map_or_else(|| "unknown".to_string(), |n| n.to_string());
        let versions: Vec<String> = m
            .crate_versions
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        let dirty = match m.git_dirty {
            Some(true) => " (with uncommitted changes)",
            Some(false) => "",
            None => " (tree state unknown)",
        };
        let failed = s.cells.iter().filter(|c| !c.ok()).count();
        let noisy = s.cells.iter().filter(|c| c.noisy).count();
        // Every line holds text from the results files: each is made one line (see `inline`).
        let mut lines = vec![format!(
            "- profile: {} ({}); {} cells measured, {failed} failed, {noisy} noisy, {} skipped",
            s.profile,
            if s.complete {
                "the run finished"
            } else {
                "interrupted or in progress"
            },
            s.cells.len(),
            s.skipped.len()
        )];
        lines.push(format!(
            "- CPU: {}, {} cores available ({} logical CPUs online)",
            m.cpu_model, m.cores, m.logical_cpus_online
        ));
        lines.push(format!("- memory: {}", gib(m.memory_bytes)));
        lines.push(format!("- OS: {}; kernel {}", m.os, m.kernel));
        lines.push(format!(
            "- build: {}, {} profile, rtbench {}",
            m.rustc, m.profile, m.rtbench_version
        ));
        lines.push(format!("- crates: {}", versions.join(", ")));
        lines.push(format!("- source: commit {}{dirty}", m.git_commit));
        lines.push(format!("- date: {}", m.date));
        lines.push(format!("- command: `{}`", m.command_line.join(" ")));
        lines.push(format!(
            "- OS limits: threads-max {}, vm.max_map_count {}, pid_max {}, ulimit -u {}, stack {}",
            opt(l.threads_max),
            opt(l.max_map_count),
            opt(l.pid_max),
            l.max_user_processes
                .map_or_else(|| "unlimited".to_string(), |n| n.to_string()),
            l.stack_size_bytes
                .map_or_else(|| "unlimited".to_string(), |b| bytes(Some(b as f64)))
        ));
        if let Some(n) = l.open_files {
            let mut fds = format!(
                "- descriptors and sockets: ulimit -n {n} (hard {}",
                opt(l.open_files_hard)
            );
            if let Some(start) = l.open_files_at_start.filter(|&s| s != n) {
                let _ = write!(fds, "; raised from {start} at start");
            }
            let _ = write!(fds, "), somaxconn {}", opt(l.somaxconn));
            if let Some([lo, hi]) = l.local_ports {
                let _ = write!(fds, ", ephemeral ports {lo}-{hi}");
            }
            lines.push(fds);
        }
        if let Some(c) = &loaded.claims {
            let cm = &c.machine;
            let mut also = format!("- claims: measured {}", cm.date);
            if cm.git_commit != m.git_commit {
                let _ = write!(also, " at commit {}", cm.git_commit);
            }
            if cm.command_line != m.command_line {
                let _ = write!(also, " by `{}`", cm.command_line.join(" "));
            }
            lines.push(also);
        }
        lines.iter().map(|l| inline(l) + "\n").collect()
    }
}
