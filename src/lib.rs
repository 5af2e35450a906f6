//! rtbench runs one workload model on every common concurrency model and measures it.
//!
//! Data flows one way: a [`workload`] says what each task does (simulated I/O waits,
//! factorial computation, or both) and what a correct run's checksum is; a [`runtime`]
//! adapter schedules those tasks under a concurrency [`limit`]; [`measure`] times the region
//! from first spawn to last join (wall, CPU, context switches); [`suite`] walks the cells of
//! a run and checks each against the workload's expectation; [`results`] holds the records
//! and writes them out; [`report`] only reads finished records. [`cli`] turns flags into a
//! validated configuration, refusing bad input before any work starts.

#![warn(missing_docs)]

/// Serialises a type as its `Display` text and reads it back through its `FromStr`, so a
/// record holds the typed value while JSON and CSV hold the text users type (`semaphore:10`).
/// A malformed value in a results file is then an error naming the field and what is accepted.
#[macro_export]
#[doc(hidden)]
macro_rules! serde_as_text {
    ($t:ty) => {
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

pub mod analysis;
pub mod claims;
pub mod cli;
pub mod compare;
pub mod http;
pub mod limit;
pub mod load;
pub mod measure;
pub mod netserver;
pub mod report;
pub mod results;
pub mod runtime;
pub mod suite;
pub mod units;
pub mod workload;

use thiserror::Error;

/// A value a user typed that the harness cannot accept; the text names it and what is accepted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct SpecError(String);

impl SpecError {
    /// A refusal with its message.
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}
