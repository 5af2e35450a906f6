//! Records build facts that `results::Machine` reports at run time:
//! - `RTBENCH_RUSTC_VERSION`: the output of `$RUSTC --version` ("unknown" if it cannot be run);
//! - `RTBENCH_CRATE_VERSIONS`: the versions Cargo.lock resolves for the runtime crates being
//!   compared, as `name=version;name=version` (several versions of one crate joined by `,`).
//!
//! Plain string handling only: no build dependencies.

use std::collections::BTreeMap;
use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The crates whose resolved versions every result records.
const TRACKED: &[&str] = &[
    "tokio",
    "smol",
    "async-std",
    "async-executor",
    "async-io",
    "async-global-executor",
    "rayon",
    "rayon-core",
    "crossbeam-channel",
    "num-bigint",
    "hdrhistogram",
];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");

    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let rustc_version = Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .filter(|out| out.status.success())
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map(|text| text.lines().next().unwrap_or("").trim().to_string())
        .filter(|line| !line.is_empty())
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=RTBENCH_RUSTC_VERSION={rustc_version}");

    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let versions = match find_lockfile(&manifest_dir) {
        Some(lockfile) => {
            println!("cargo:rerun-if-changed={}", lockfile.display());
            std::fs::read_to_string(&lockfile)
                .map(|text| tracked_versions(&text))
                .unwrap_or_default()
        }
        None => BTreeMap::new(),
    };
    let encoded = versions
        .iter()
        .map(|(name, versions)| format!("{name}={}", versions.join(",")))
        .collect::<Vec<_>>()
        .join(";");
    println!("cargo:rustc-env=RTBENCH_CRATE_VERSIONS={encoded}");
}

/// Cargo.lock next to the manifest, or in an enclosing directory (a workspace root).
fn find_lockfile(manifest_dir: &Path) -> Option<PathBuf> {
    manifest_dir
        .ancestors()
        .map(|dir| dir.join("Cargo.lock"))
        .find(|candidate| candidate.is_file())
}

/// Versions of the tracked crates in a Cargo.lock, from its `[[package]]` tables.
fn tracked_versions(lock: &str) -> BTreeMap<String, Vec<String>> {
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut record = |name: &Option<String>, version: &Option<String>| {
        if let (Some(name), Some(version)) = (name, version)
            && TRACKED.contains(&name.as_str())
        {
            let versions = found.entry(name.clone()).or_default();
            if !versions.contains(version) {
                versions.push(version.clone());
            }
        }
    };

    let mut name = None;
    let mut version = None;
    for line in lock.lines().map(str::trim) {
        if line.starts_with('[') {
            record(&name, &version);
            name = None;
            version = None;
        } else if let Some(value) = quoted_value(line, "name") {
            name = Some(value);
        } else if let Some(value) = quoted_value(line, "version") {
            version = Some(value);
        }
    }
    record(&name, &version);

    for versions in found.values_mut() {
        versions.sort();
    }
    found
}

/// `value` from a line `key = "value"`.
fn quoted_value(line: &str, key: &str) -> Option<String> {
    let rest = line
        .strip_prefix(key)?
        .trim_start()
        .strip_prefix('=')?
        .trim();
    let inner = rest.strip_prefix('"')?.strip_suffix('"')?;
    Some(inner.to_string())
}
