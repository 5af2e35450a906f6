//! Section `machine`: the machine, build, limits and command behind the folder.

use std::fmt::Write as _;

use super::{Folder, Input, Renderer};
use crate::report::md::{MdTable, inline};
use crate::results::Loaded;
use crate::units::{bytes, gib};

/// The machine list.
pub struct Machine;

impl Renderer for Machine {
    fn name(&self) -> &'static str {
        "machine"
    }

    fn render(&self, input: &Input) -> String {
        if input.machines.len() > 1 {
            return across(input.machines);
        }
        // Every line holds text from the results files: each is made one line (see `inline`).
        facts(input.loaded)
            .iter()
            .map(|(label, value)| inline(&format!("- {label}: {value}")) + "\n")
            .collect()
    }
}

/// The machines side by side: a row per fact, a column per folder ("-" where a folder
/// has no such fact).
fn across(machines: &[Folder]) -> String {
    let all: Vec<Vec<(&'static str, String)>> = machines.iter().map(|f| facts(f.loaded)).collect();
    let mut labels: Vec<&'static str> = Vec::new();
    for (label, _) in all.iter().flatten() {
        if !labels.contains(label) {
            labels.push(label);
        }
    }
    let mut head = vec![""];
    head.extend(machines.iter().map(|f| f.name.as_str()));
    let mut table = MdTable::new(&head);
    for label in labels {
        let mut row = vec![label.to_string()];
        row.extend(all.iter().map(|facts| {
            facts
                .iter()
                .find(|(l, _)| *l == label)
                .map_or("-".to_string(), |(_, v)| v.clone())
        }));
        table.row(&row);
    }
    let mut out = format!(
        "{} results folders, one column each; the other sections are the first folder's.\n\n",
        machines.len()
    );
    out.push_str(&table.finish());
    out
}

/// What the folder says about its run, machine, build, limits and command: (label, text).
fn facts(loaded: &Loaded) -> Vec<(&'static str, String)> {
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
    let mut facts = vec![(
        "profile",
        format!(
            "{} ({}); {} cells measured, {failed} failed, {noisy} noisy, {} skipped",
            s.profile,
            if s.complete {
                "the run finished"
            } else {
                "interrupted or in progress"
            },
            s.cells.len(),
            s.skipped.len()
        ),
    )];
    facts.push((
        "CPU",
        format!(
            "{}, {} cores available ({} logical CPUs online)",
            m.cpu_model, m.cores, m.logical_cpus_online
        ),
    ));
    facts.push(("memory", gib(m.memory_bytes)));
    facts.push(("OS", format!("{}; kernel {}", m.os, m.kernel)));
    facts.push((
        "build",
        format!(
            "{}, {} profile, rtbench {}",
            m.rustc, m.profile, m.rtbench_version
        ),
    ));
    facts.push(("crates", versions.join(", ")));
    facts.push(("source", format!("commit {}{dirty}", m.git_commit)));
    facts.push(("date", m.date.clone()));
    facts.push(("command", format!("`{}`", m.command_line.join(" "))));
    facts.push((
        "OS limits",
        format!(
            "threads-max {}, vm.max_map_count {}, pid_max {}, ulimit -u {}, stack {}",
            opt(l.threads_max),
            opt(l.max_map_count),
            opt(l.pid_max),
            l.max_user_processes
                .map_or_else(|| "unlimited".to_string(), |n| n.to_string()),
            l.stack_size_bytes
                .map_or_else(|| "unlimited".to_string(), |b| bytes(Some(b as f64)))
        ),
    ));
    if let Some(n) = l.open_files {
        let mut fds = format!("ulimit -n {n} (hard {}", opt(l.open_files_hard));
        if let Some(start) = l.open_files_at_start.filter(|&s| s != n) {
            let _ = write!(fds, "; raised from {start} at start");
        }
        let _ = write!(fds, "), somaxconn {}", opt(l.somaxconn));
        if let Some([lo, hi]) = l.local_ports {
            let _ = write!(fds, ", ephemeral ports {lo}-{hi}");
        }
        facts.push(("descriptors and sockets", fds));
    }
    if let Some(c) = &loaded.claims {
        let cm = &c.machine;
        let mut also = format!("measured {}", cm.date);
        if cm.git_commit != m.git_commit {
            let _ = write!(also, " at commit {}", cm.git_commit);
        }
        if cm.command_line != m.command_line {
            let _ = write!(also, " by `{}`", cm.command_line.join(" "));
        }
        facts.push(("claims", also));
    }
    facts
}
