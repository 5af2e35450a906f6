//! The results folder: raw.csv (one row per repetition), summary.json (schema version,
//! machine, cells with statistics) and README.md. Rewritten after every cell, each file
//! atomically (a temp file in the same folder, then rename), so an interrupted run leaves
//! valid files that hold every finished cell.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{
    CellRecord, ClaimResult, Machine, MemoryModel, MemoryRecord, RawRow, ServerProbe, SpawnProbe,
    TimerProbe,
};

/// Bumped when a field of summary.json or claims.json changes meaning, appears as required,
/// or disappears. Version 2 added each record's `model` and `unit`, a cell's
/// `workers_requested`, and each claim figure's `key`; version 1 files are upgraded as they
/// are read (see `load`). Version 3: a cell's repetitions run interleaved, each in its own
/// process (`repeat` counts them, `order` and raw rows' `position` record the order), with
/// an interval for the median, a `suspect` reason, the ideal's source and the live worker
/// memory; memory models gain kernel bytes per unit; probes time unit starts apart from pool
/// jobs and the sleep inside the unit. Version 4: the compute cost of a cell without a
/// sequential baseline is timed in its own process before each repetition (ideal source
/// `repetition`), and each raw row carries the ideal its repetition is held to. Versions 2
/// and 3 read as they are: every field added since has a default.
pub const SCHEMA_VERSION: u32 = 4;

/// summary.json: everything a run measured, with the machine it ran on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// [`SCHEMA_VERSION`] of the writer.
    pub schema_version: u32,
    /// `quick`, `full`, or `custom` for a run given by flags.
    pub profile: String,
    /// False while the run is in progress (or if it was interrupted).
    pub complete: bool,
    /// The machine and build.
    pub machine: Machine,
    /// Cells the run chose not to measure, and why.
    pub skipped: Vec<String>,
    /// One record per cell, group by group.
    pub cells: Vec<CellRecord>,
    /// The seed of the order repetitions ran in; None in older files.
    #[serde(default)]
    pub order_seed: Option<u64>,
    /// Every measured repetition, in the order it ran: the cells of a group take turns,
    /// in a shuffled order each round.
    #[serde(default)]
    pub order: Vec<Slot>,
    /// Memory pass: every size of every model, and each model's per-unit slopes.
    #[serde(default)]
    pub memory: Vec<MemoryRecord>,
    /// Memory pass: each model's per-unit slopes.
    #[serde(default)]
    pub memory_models: Vec<MemoryModel>,
    /// Each runtime's measured sleep(1ms) and sleep(10ms).
    #[serde(default)]
    pub timers: Vec<TimerProbe>,
    /// Each runtime's cost to start and join one empty unit.
    #[serde(default)]
    pub spawn: Vec<SpawnProbe>,
    /// The latency server's accuracy at 1 ms and 10 ms, when the run had `net` cells.
    #[serde(default)]
    pub latency_server: Vec<ServerProbe>,
    /// `--workload serve`: each model's server swept over offered rates.
    #[serde(default)]
    pub serve: Vec<super::ServeRecord>,
}

/// One repetition's place in a run's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    /// 0 for the first repetition of the run.
    pub position: usize,
    /// The group of cells it belongs to (one workload and parameter set).
    pub group: usize,
    /// The round of the group (0 first): each cell runs once per round.
    pub round: usize,
    /// The cell: `tokio io semaphore:10 x100`.
    pub cell: String,
}

/// An open results folder.
#[derive(Debug)]
pub struct ResultsDir {
    dir: PathBuf,
}

impl ResultsDir {
    /// Creates the folder (and its parents) if needed.
    pub fn create(dir: impl Into<PathBuf>) -> io::Result<Self> {
        let dir = dir.into();
        fs::create_dir_all(&dir)?;
        Ok(Self { dir })
    }

    /// Where the folder is.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Writes the three files from everything finished so far.
    pub fn write(&self, summary: &Summary, raw: &[RawRow]) -> io::Result<()> {
        let mut csv_bytes = Vec::new();
        {
            let mut w = csv::Writer::from_writer(&mut csv_bytes);
            if raw.is_empty() {
                w.write_record(RAW_COLUMNS)?;
            }
            for row in raw {
                w.serialize(row).map_err(io::Error::other)?;
            }
            w.flush()?;
        }
        write_atomic(&self.dir.join("raw.csv"), &csv_bytes)?;
        let mut json = serde_json::to_vec_pretty(summary).map_err(io::Error::other)?;
        json.push(b'\n');
        write_atomic(&self.dir.join("summary.json"), &json)?;
        write_atomic(&self.dir.join("README.md"), readme(summary).as_bytes())
    }
}

/// raw.csv's header when there is no row yet (serde writes it with the first row).
const RAW_COLUMNS: [&str; 20] = [
    "runtime",
    "legacy",
    "model",
    "unit",
    "workload",
    "tasks",
    "limit",
    "workers",
    "latency",
    "compute",
    "repetition",
    "position",
    "completed",
    "checksum",
    "wall_seconds",
    "cpu_user_seconds",
    "cpu_sys_seconds",
    "voluntary_switches",
    "involuntary_switches",
    "ideal_seconds",
];

/// Replaces `path` with `bytes` so a reader sees the old file or the new one, never a mix.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

fn readme(s: &Summary) -> String {
    let m = &s.machine;
    let failed = s.cells.iter().filter(|c| !c.ok()).count();
    let versions: Vec<String> = m
        .crate_versions
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    format!(
        "# rtbench results: {profile} profile\n\n\
         {state}\n\n\
         - command: `{command}`\n\
         - date: {date}\n\
         - commit: {commit}{dirty}\n\
         - machine: {cpu}, {cores} cores, {mem}, kernel {kernel}\n\
         - build: {rustc} ({profile_build}); {versions}\n\
         - limits: threads-max {tmax}, vm.max_map_count {maps}, pid_max {pids}, ulimit -u {nproc}\n\
         - cells: {cells} measured, {failed} failed, {skipped} skipped\n\n\
         Files: `summary.json` (schema {schema}: machine and one record per cell, medians with min/max),\n\
         `raw.csv` (one row per measured repetition).\n",
        profile = s.profile,
        state = if s.complete {
            "The run finished."
        } else {
            "The run is in progress or was interrupted: the files hold the cells finished so far."
        },
        command = m.command_line.join(" "),
        date = m.date,
        commit = m.git_commit,
        dirty = if m.git_dirty == Some(true) {
            " (with uncommitted changes)"
        } else {
            ""
        },
        cpu = m.cpu_model,
        cores = m.cores,
        mem = crate::units::gib(m.memory_bytes),
        kernel = m.kernel,
        rustc = m.rustc,
        profile_build = m.profile,
        versions = versions.join(", "),
        tmax = opt(m.limits.threads_max),
        maps = opt(m.limits.max_map_count),
        pids = opt(m.limits.pid_max),
        nproc = m
            .limits
            .max_user_processes
            .map_or_else(|| "unlimited".into(), |n| n.to_string()),
        cells = s.cells.len(),
        skipped = s.skipped.len(),
        schema = s.schema_version,
    )
}

fn opt(v: Option<u64>) -> String {
    v.map_or_else(|| "unknown".into(), |n| n.to_string())
}

/// What claims.json holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimsFile {
    /// [`SCHEMA_VERSION`] of the writer.
    pub schema_version: u32,
    /// The machine and build the claims were measured on.
    pub machine: Machine,
    /// One result per claim run, in id order.
    pub claims: Vec<ClaimResult>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::{Model, Unit};

    #[test]
    fn the_empty_raw_header_is_the_one_serde_writes() {
        let row = RawRow {
            runtime: "tokio".into(),
            legacy: false,
            model: Model::Async,
            unit: Unit::Task,
            workload: crate::workload::WorkloadKind::Io,
            tasks: 1,
            limit: crate::limit::Limit::Unbounded,
            workers: 1,
            latency: "1ms".parse().unwrap(),
            compute: 1,
            repetition: 1,
            position: None,
            completed: 1,
            checksum: String::new(),
            wall_seconds: 0.0,
            cpu_user_seconds: 0.0,
            cpu_sys_seconds: 0.0,
            voluntary_switches: 0,
            involuntary_switches: 0,
            ideal_seconds: None,
        };
        let mut w = csv::Writer::from_writer(Vec::new());
        w.serialize(&row).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(text.lines().next(), Some(RAW_COLUMNS.join(",").as_str()));
    }
}
