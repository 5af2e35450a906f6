//! Scratch folders.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

/// A fresh folder under the system temp dir, unique per test process and call. Removed
/// when dropped, unless the thread is panicking (a failing test): then it is kept and its
/// path printed on stderr.
pub struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    /// Creates `rtbench-<test file>-<pid>-<n>-<tag>` under the temp dir, empty.
    pub fn new(tag: &str) -> Scratch {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "rtbench-{}-{}-{n}-{tag}",
            env!("CARGO_CRATE_NAME"),
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("creating scratch folder {}: {e}", dir.display()));
        Scratch { dir }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// A path inside the folder.
    pub fn join(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.dir.join(rel)
    }

    /// The results folder of a run pointed at `--out <folder>/out` (rtbench creates it).
    pub fn out(&self) -> PathBuf {
        self.join("out")
    }

    /// That run's summary.json.
    pub fn summary(&self) -> serde_json::Value {
        super::read_json(&self.out().join("summary.json"))
    }

    /// That run's raw.csv as (header, rows).
    pub fn raw_csv(&self) -> (Vec<String>, Vec<csv::StringRecord>) {
        super::read_csv(&self.out().join("raw.csv"))
    }

    /// `args` followed by `--out <folder>/<rel>`: a command line whose results are
    /// written inside the folder.
    pub fn args_with_out(&self, args: &[&str], rel: &str) -> Vec<String> {
        let out = self.join(rel);
        let out = out
            .to_str()
            .unwrap_or_else(|| panic!("{} is not UTF-8", out.display()));
        args.iter()
            .copied()
            .chain(["--out", out])
            .map(String::from)
            .collect()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if thread::panicking() {
            eprintln!("kept scratch folder {}", self.dir.display());
        } else {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}
