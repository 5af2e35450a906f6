//! The exporters and the results folder on fixed, hand-built records (nothing is measured).
//!
//! What `write_json` and `write_csv` write is compared with the insta snapshots
//! tests/snapshots/results__cells.json.snap and results__cells.csv.snap. After an intended
//! change of the format, rewrite them with `INSTA_UPDATE=always cargo test --test results`
//! and review them with `git diff tests/snapshots` (cargo-insta is not needed). Otherwise a
//! mismatch fails the test: outside CI insta also writes the new text beside the snapshot
//! as a `.snap.new` file (ignored by git); with `CI` set it writes nothing. insta compares
//! texts with their trailing whitespace trimmed, so how each ends is checked apart.

mod support;

use std::fs;
use std::path::Path;

use rtbench::report::export::{write_csv, write_json};
use rtbench::results::{
    CellRecord, IdealSource, Machine, MemoryModel, MemoryRecord, RawRow, ResultsDir,
    SCHEMA_VERSION, Summary, TimerProbe,
};
use rtbench::runtime::{Model, Unit};
use rtbench::suite::{Sample, raw_row};
use support::{Scratch, assert_exact_ending, read_csv};

/// A cell that ran: every number fixed, and exactly representable in decimal so the
/// snapshots read naturally.
fn ok_cell() -> CellRecord {
    CellRecord {
        runtime: "tokio".into(),
        legacy: false,
        model: Model::Async,
        unit: Unit::Task,
        variant: "normal".parse().unwrap(),
        workload: "io".parse().unwrap(),
        tasks: 100,
        limit: "semaphore:10".parse().unwrap(),
        workers: 2,
        workers_requested: Some(2),
        concurrency: 10,
        latency: "10ms".parse().unwrap(),
        compute: 3000,
        critical_waits: Some(1),
        payload: None,
        seed: 42,
        repeat: 3,
        completed: 100,
        checksum: "183b39f925a2ce1c".into(),
        expected_checksum: "183b39f925a2ce1c".into(),
        wall_seconds: 0.1025,
        wall_min_seconds: 0.101,
        wall_max_seconds: 0.1125,
        wall_ci_low_seconds: Some(0.101),
        wall_ci_high_seconds: Some(0.1125),
        wall_ci_level: Some(0.96875),
        ideal_seconds: 0.1,
        ideal_source: Some(IdealSource::Plans),
        efficiency: 0.975,
        throughput_per_second: 975.5,
        cpu_user_seconds: 0.0125,
        cpu_sys_seconds: 0.0025,
        voluntary_switches: 215,
        involuntary_switches: 7,
        latency_p50_seconds: 0.0515,
        latency_p90_seconds: 0.0915,
        latency_p99_seconds: 0.1005,
        latency_max_seconds: 0.101,
        peak_rss_bytes: 6_471_680,
        child_processes: 0,
        workers_maxrss_sum_bytes: None,
        live_peak_rss_bytes: None,
        live_peak_pss_bytes: None,
        live_samples: 0,
        live_pss_samples: 0,
        live_sampler_cpu_seconds: 0.0,
        server_cpu_seconds: None,
        listen_overflows: None,
        noisy: false,
        suspect: None,
        error: None,
        error_kind: None,
    }
}

/// A cell whose process died: measurements zero, the error and its kind set. The message
/// holds a comma, quotes and a colon, which CSV must quote and JSON escape.
fn failed_cell() -> CellRecord {
    CellRecord {
        runtime: "async-std".into(),
        legacy: true,
        model: Model::Async,
        unit: Unit::Task,
        variant: "normal".parse().unwrap(),
        workload: "mixed".parse().unwrap(),
        tasks: 100,
        limit: "unbounded".parse().unwrap(),
        workers: 2,
        workers_requested: Some(2),
        concurrency: 100,
        latency: "uniform:5ms..15ms".parse().unwrap(),
        compute: 3000,
        critical_waits: Some(1),
        payload: None,
        seed: 42,
        repeat: 0,
        completed: 0,
        checksum: String::new(),
        expected_checksum: "69d1f7544c9e4621".into(),
        wall_seconds: 0.0,
        wall_min_seconds: 0.0,
        wall_max_seconds: 0.0,
        wall_ci_low_seconds: None,
        wall_ci_high_seconds: None,
        wall_ci_level: None,
        ideal_seconds: 1.375,
        ideal_source: Some(IdealSource::Calibration),
        efficiency: 0.0,
        throughput_per_second: 0.0,
        cpu_user_seconds: 0.0,
        cpu_sys_seconds: 0.0,
        voluntary_switches: 0,
        involuntary_switches: 0,
        latency_p50_seconds: 0.0,
        latency_p90_seconds: 0.0,
        latency_p99_seconds: 0.0,
        latency_max_seconds: 0.0,
        peak_rss_bytes: 0,
        child_processes: 0,
        workers_maxrss_sum_bytes: None,
        live_peak_rss_bytes: None,
        live_peak_pss_bytes: None,
        live_samples: 0,
        live_pss_samples: 0,
        live_sampler_cpu_seconds: 0.0,
        server_cpu_seconds: None,
        listen_overflows: None,
        noisy: false,
        suspect: None,
        error: Some(
            "the cell's process exited with code 101: thread 'main' panicked at \
             src/suite/execute.rs:133:31: injected fault: \"panic\", then exit"
                .into(),
        ),
        error_kind: Some("panic".into()),
    }
}

#[test]
fn json_export_matches_its_snapshot() {
    let mut out = Vec::new();
    write_json(&mut out, &[ok_cell(), failed_cell()]).unwrap();
    let text = String::from_utf8(out).expect("the JSON is UTF-8");
    insta::assert_snapshot!("cells.json", text);
    assert_exact_ending("cells.json", &text, "\n");

    // The snapshot is what a reader gets back: an array of the two records.
    let back: Vec<CellRecord> = serde_json::from_str(&text).unwrap();
    assert_eq!(back, [ok_cell(), failed_cell()]);
    // One record per line between the brackets.
    assert_eq!(text.lines().count(), 4, "{text}");

    let mut empty = Vec::new();
    write_json(&mut empty, &[]).unwrap();
    assert_eq!(
        serde_json::from_slice::<Vec<CellRecord>>(&empty).unwrap(),
        []
    );
}

#[test]
fn csv_export_matches_its_snapshot() {
    let mut out = Vec::new();
    write_csv(&mut out, &[ok_cell(), failed_cell()]).unwrap();
    let text = String::from_utf8(out).expect("the CSV is UTF-8");
    insta::assert_snapshot!("cells.csv", text);
    assert_exact_ending("cells.csv", &text, "\n");

    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let back: Vec<CellRecord> = reader
        .deserialize()
        .collect::<Result<_, _>>()
        .expect("the CSV reads back as records");
    assert_eq!(back, [ok_cell(), failed_cell()]);
}

fn sample(wall_seconds: f64) -> Sample {
    Sample {
        wall_seconds,
        cpu_user_seconds: 0.0125,
        cpu_sys_seconds: 0.0025,
        voluntary_switches: 215,
        involuntary_switches: 7,
        completed: 100,
        checksum: 0x183b_39f9_25a2_ce1c,
        child_processes: 0,
        workers_maxrss_sum_bytes: 0,
        compute_seconds: Default::default(),
        server_cpu_seconds: None,
        listen_overflows: None,
    }
}

fn summary(complete: bool) -> Summary {
    Summary {
        schema_version: SCHEMA_VERSION,
        profile: "custom".into(),
        complete,
        machine: Machine::collect(vec!["rtbench".into(), "run".into(), "--repeat".into()]),
        skipped: vec!["skipped rayon: refuses semaphore:10".into()],
        cells: vec![ok_cell(), failed_cell()],
        order_seed: Some(42),
        order: Vec::new(),
        memory: vec![MemoryRecord {
            runtime: "threads".into(),
            legacy: false,
            model: Model::Threads,
            unit: Unit::Thread,
            units: 1000,
            rss_before_bytes: 5_873_664,
            rss_after_bytes: 15_785_984,
            rss_per_unit_bytes: 9912.25,
            pss_per_unit_bytes: None,
            heap_per_unit_bytes: 187.5,
            virtual_per_unit_bytes: 2_097_152.0,
            error: None,
            error_kind: None,
            repeats: 3,
            kernel_per_unit_bytes: Some(28_672.0),
            kernel_min_per_unit_bytes: Some(28_000.0),
            kernel_max_per_unit_bytes: Some(29_000.0),
            kernel_stack_per_unit_bytes: Some(16_384.0),
            page_tables_per_unit_bytes: Some(4_096.0),
            slab_per_unit_bytes: Some(8_192.0),
        }],
        memory_models: vec![MemoryModel {
            runtime: "threads".into(),
            legacy: false,
            model: Model::Threads,
            unit: Unit::Thread,
            sizes: vec![1000],
            rss_per_unit_bytes: Some(9912.25),
            pss_per_unit_bytes: None,
            heap_per_unit_bytes: Some(187.5),
            virtual_per_unit_bytes: None,
            max_units: 1000,
            stopped_by: Some("5000 units: the OS refused".into()),
            repeats: 3,
            kernel_per_unit_bytes: Some(28_672.0),
            kernel_stack_per_unit_bytes: Some(16_384.0),
            page_tables_per_unit_bytes: Some(4_096.0),
            slab_per_unit_bytes: Some(8_192.0),
            total_per_unit_bytes: Some(38_584.25),
            kernel_noisy: false,
            kernel_noise: None,
        }],
        spawn: Vec::new(),
        latency_server: Vec::new(),
        serve: Vec::new(),
        timers: vec![TimerProbe {
            runtime: "tokio".into(),
            legacy: false,
            model: Model::Async,
            unit: Unit::Task,
            requested_seconds: 0.001,
            median_seconds: 0.0021,
            min_seconds: 0.002,
            max_seconds: 0.0025,
            overshoot_seconds: 0.0011,
            inside_unit: true,
            start_seconds: Some(0.00002),
            join_seconds: Some(0.00001),
            whole_seconds: Some(0.00213),
            error: None,
        }],
    }
}

fn raw_rows() -> Vec<RawRow> {
    let cell = ok_cell();
    [0.101, 0.1025, 0.1125]
        .iter()
        .enumerate()
        .map(|(i, &wall)| raw_row(&cell, i + 1, Some(i), cell.ideal_seconds, &sample(wall)))
        .collect()
}

fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn raw_header(dir: &Path) -> Vec<String> {
    read_csv(&dir.join("raw.csv")).0
}

#[test]
fn results_dir_writes_files_that_read_back_as_written() {
    let dir = Scratch::new("dir");
    let store = ResultsDir::create(dir.join("nested").join("out")).unwrap();
    assert_eq!(store.path(), dir.join("nested").join("out"));
    let path = store.path().to_path_buf();

    // Before any cell: the header alone, the same one serde writes above the first row.
    store.write(&summary(false), &[]).unwrap();
    let empty_header = raw_header(&path);
    let readme = fs::read_to_string(path.join("README.md")).unwrap();
    assert!(
        readme.contains("in progress or was interrupted"),
        "{readme}"
    );

    // Rewritten in place (as after every cell), then finished.
    let rows = raw_rows();
    store.write(&summary(false), &rows[..1]).unwrap();
    let written = summary(true);
    store.write(&written, &rows).unwrap();

    assert_eq!(
        file_names(&path),
        ["README.md", "raw.csv", "summary.json"],
        "a temporary file was left behind"
    );

    let text = fs::read_to_string(path.join("summary.json")).unwrap();
    let back: Summary = serde_json::from_str(&text).unwrap();
    assert_eq!(back, written);
    assert!(text.ends_with("}\n"), "{text}");

    assert_eq!(raw_header(&path), empty_header);
    assert!(empty_header.iter().any(|h| h == "wall_seconds"));
    let mut r = csv::Reader::from_path(path.join("raw.csv")).unwrap();
    let back: Vec<RawRow> = r.deserialize().collect::<Result<_, _>>().unwrap();
    assert_eq!(back, rows);
    assert_eq!(back[2].repetition, 3);
    assert_eq!(back[2].checksum, "183b39f925a2ce1c");

    let readme = fs::read_to_string(path.join("README.md")).unwrap();
    assert!(readme.contains("The run finished."), "{readme}");
    assert!(readme.contains("`rtbench run --repeat`"), "{readme}");
    assert!(
        readme.contains("2 measured, 1 failed, 1 skipped"),
        "{readme}"
    );
}
