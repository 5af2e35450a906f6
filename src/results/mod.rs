//! Result records, the results folder, and how records are written out (JSON, CSV).

mod export;
mod load;
mod machine;
mod record;
mod store;

pub use export::{write_csv, write_json};
pub use load::{LoadError, Loaded, load};
pub use machine::{Machine, OsLimits};
pub use record::{CellRecord, MemoryModel, MemoryRecord, RawRow, SpawnProbe, TimerProbe};
pub use store::{ClaimsFile, ResultsDir, SCHEMA_VERSION, Summary, write_atomic};
