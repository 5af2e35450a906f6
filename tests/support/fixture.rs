//! The results folder in tests/fixtures/results-small: a real quick-profile run of
//! sequential, tokio, threads and processes with the memory pass, probes and claims.

use std::path::PathBuf;

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
