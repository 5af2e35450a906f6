//! Reading a results folder back: summary.json (required) and claims.json (optional), with
//! errors that name the file and what is wrong with it.

use std::fs;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::{ClaimsFile, SCHEMA_VERSION, Summary, migrate};

/// Why a results folder could not be read back.
#[derive(Debug, Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error(
        "{path}: cannot read it ({source}); a results folder holds summary.json, written by `rtbench run`"
    )]
    Read {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// The file is not what this version writes.
    #[error("{path}: not valid results JSON: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the field.
        message: String,
    },
    /// The file was written by a version of rtbench this one cannot read.
    #[error(
        "{path}: field schema_version is {found}, this rtbench reads versions 1 to {SCHEMA_VERSION}; regenerate it with this version"
    )]
    Schema {
        /// The file.
        path: PathBuf,
        /// The version it holds.
        found: u64,
    },
}

/// A finished (or interrupted) run, as the reporter sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    /// summary.json.
    pub summary: Summary,
    /// claims.json, if the claims were run into the folder.
    pub claims: Option<ClaimsFile>,
}

impl Loaded {
    /// The result of claim `id` (`C01`..`C17`), if the claims were run into the folder.
    pub fn claim(&self, id: &str) -> Option<&super::ClaimResult> {
        self.claims.as_ref()?.claims.iter().find(|c| c.id == id)
    }
}

/// Reads a results folder: summary.json (required) and claims.json (if present), upgrading
/// files of an older schema version.
pub fn load(dir: &Path) -> Result<Loaded, LoadError> {
    let summary = read(&dir.join("summary.json"), migrate::summary)?;
    let claims_path = dir.join("claims.json");
    let claims = if claims_path.exists() {
        Some(read(&claims_path, migrate::claims)?)
    } else {
        None
    };
    Ok(Loaded { summary, claims })
}

/// Reads a claims.json alone (upgrading an older schema version).
pub fn load_claims(path: &Path) -> Result<super::ClaimsFile, LoadError> {
    read(path, migrate::claims)
}

/// Reads one JSON file, checking `schema_version` before the rest so an old or new file
/// gets the version message, not a missing-field one; a version 1 file goes through
/// `upgrade` first.
fn read<T: serde::de::DeserializeOwned>(
    path: &Path,
    upgrade: fn(&mut serde_json::Value) -> Result<(), migrate::MigrateError>,
) -> Result<T, LoadError> {
    let text = fs::read_to_string(path).map_err(|source| LoadError::Read {
        path: path.into(),
        source,
    })?;
    let malformed = |message: String| LoadError::Malformed {
        path: path.into(),
        message,
    };
    let mut value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| malformed(e.to_string()))?;
    match value.get("schema_version").map(serde_json::Value::as_u64) {
        None => return Err(malformed("field schema_version is missing".into())),
        Some(None) => {
            return Err(malformed(
                "field schema_version is not a whole number".into(),
            ));
        }
        Some(Some(1)) => upgrade(&mut value).map_err(malformed)?,
        // Every field versions 3 and 4 added has a default (4: the ideal source
        // `repetition`, a value older files never hold).
        Some(Some(2 | 3)) => {}
        Some(Some(v)) if v != u64::from(SCHEMA_VERSION) => {
            return Err(LoadError::Schema {
                path: path.into(),
                found: v,
            });
        }
        Some(Some(_)) => {}
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let field = e.path().to_string();
        malformed(format!("field {field}: {}", e.inner()))
    })
}
