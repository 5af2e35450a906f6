//! Running a set of claims as the library does it: each claim in turn, claims.json
//! rewritten after each one (atomically), then the Python column if asked for. What
//! happens is told to an [`Observer`].

use std::path::{Path, PathBuf};
use std::time::Duration;

use thiserror::Error;

use super::{Claim, ClaimResult, Lab, python, run};
use crate::results::{ClaimsFile, Machine, SCHEMA_VERSION, load_claims, write_atomic};

/// Each Python script's time limit (they take well under a minute at the default scale).
const PYTHON_TIMEOUT: Duration = Duration::from_secs(120);

/// What a set of claims tells as it goes.
pub trait Observer {
    /// Claim `i` of `n` is about to run.
    fn started(&mut self, i: usize, n: usize, claim: &Claim);
    /// It ran.
    fn finished(&mut self, result: &ClaimResult);
    /// A notice (e.g. no python3 on PATH).
    fn note(&mut self, text: &str);
}

/// claims.json could not be written.
#[derive(Debug, Error)]
#[error("writing {path}: {source}")]
pub struct SaveError {
    /// The file.
    pub path: PathBuf,
    /// What went wrong.
    #[source]
    pub source: std::io::Error,
}

/// Runs `selected` in order, rewriting `dir/claims.json` after each; with `python`, adds
/// each claim's CPython column (or a notice when python3 is missing). Claims already in
/// that file and not run now are kept (`--only` into a folder replaces only its claims);
/// a file that cannot be read is said and replaced. Answers the claims run.
pub fn run_all(
    selected: &[&Claim],
    lab: &Lab,
    dir: &Path,
    machine: Machine,
    python: bool,
    obs: &mut dyn Observer,
) -> Result<Vec<ClaimResult>, SaveError> {
    let path = dir.join("claims.json");
    let kept = kept_claims(&path, selected, obs);
    let mut file = ClaimsFile {
        schema_version: SCHEMA_VERSION,
        machine,
        claims: Vec::new(),
    };
    for (i, claim) in selected.iter().enumerate() {
        obs.started(i + 1, selected.len(), claim);
        let r = run(claim, lab);
        obs.finished(&r);
        file.claims.push(r);
        save(&path, &merged(&file, &kept))?;
    }
    if python {
        match python::find_python() {
            None => obs.note("no python3 on PATH: the Python column is left out"),
            Some(py) => {
                let ids: Vec<&str> = file.claims.iter().map(|r| r.id.as_str()).collect();
                let mut columns = python::measure(&py, &ids, lab.scale, PYTHON_TIMEOUT);
                for r in file.claims.iter_mut() {
                    r.python = columns.remove(&r.id);
                }
                save(&path, &merged(&file, &kept))?;
            }
        }
    }
    Ok(file.claims)
}

/// The claims of an existing `path` that `selected` does not run again.
fn kept_claims(path: &Path, selected: &[&Claim], obs: &mut dyn Observer) -> Vec<ClaimResult> {
    if !path.exists() {
        return Vec::new();
    }
    match load_claims(path) {
        Ok(old) => old
            .claims
            .into_iter()
            .filter(|c| !selected.iter().any(|s| s.id == c.id))
            .collect(),
        Err(e) => {
            obs.note(&format!(
                "{e}: its claims are not kept, the file is replaced"
            ));
            Vec::new()
        }
    }
}

/// `file` with the `kept` claims added, in claim order.
fn merged(file: &ClaimsFile, kept: &[ClaimResult]) -> ClaimsFile {
    let mut all = file.clone();
    all.claims.extend(kept.iter().cloned());
    all.claims.sort_by(|a, b| a.id.cmp(&b.id));
    all
}

fn save(path: &Path, file: &ClaimsFile) -> Result<(), SaveError> {
    let error = |source| SaveError {
        path: path.to_path_buf(),
        source,
    };
    let mut json = serde_json::to_vec_pretty(file).map_err(|e| error(e.into()))?;
    json.push(b'\n');
    write_atomic(path, &json).map_err(error)
}

/// Writes each claim's progress to stderr: `[3/17] C03 ... holds roughly (1.2s)`.
pub struct Progress;

impl Observer for Progress {
    fn started(&mut self, i: usize, n: usize, claim: &Claim) {
        use std::io::Write;
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "[{i}/{n}] {} ... ", claim.id);
        let _ = err.flush();
    }

    fn finished(&mut self, r: &ClaimResult) {
        match (&r.verdict, &r.error) {
            (Some(v), _) => eprintln!("{v} ({:.1}s)", r.seconds),
            (None, Some(e)) => eprintln!("NOT MEASURED: {e}"),
            (None, None) => eprintln!("no verdict"),
        }
    }

    fn note(&mut self, text: &str) {
        eprintln!("note: {text}");
    }
}
