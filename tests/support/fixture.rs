//! The results folder in tests/fixtures/results-small: a real quick-profile run of
//! sequential, tokio, threads and processes with the memory pass, probes and claims.

use std::fs;
use std::path::{Path, PathBuf};

use rtbench::results::{self, Loaded};

pub fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/results-small")
}

/// The fixture folder as `results::load` reads it.
pub fn fixture() -> Loaded {
    results::load(&fixture_dir()).expect("the fixture folder loads")
}

/// The committed reference run behind BENCHMARK.md (a full profile, schema version 1).
pub const REFERENCE: &str = "results/2026-11-29-vm";

/// The reference run's folder.
pub fn reference_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(REFERENCE)
}

/// A copy of the fixture folder at `dir` (summary.json, raw.csv, README.md, claims.json),
/// its summary.json passed through `edit` first: a forged run for tests that need two.
pub fn forged_fixture(dir: &Path, edit: impl FnOnce(&mut serde_json::Value)) -> PathBuf {
    fs::create_dir_all(dir).unwrap();
    for f in ["summary.json", "raw.csv", "README.md", "claims.json"] {
        fs::copy(fixture_dir().join(f), dir.join(f)).unwrap();
    }
    let path = dir.join("summary.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut v);
    fs::write(&path, serde_json::to_string(&v).unwrap()).unwrap();
    dir.to_path_buf()
}
