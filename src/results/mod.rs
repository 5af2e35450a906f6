//! Result records, the results folder, and how records are written out (JSON, CSV).

mod export;
mod machine;
mod record;
mod store;

pub use export::{write_csv, write_json};
pub use machine::{Machine, OsLimits};
pub use record::{CellRecord, MemoryModel, MemoryRecord, RawRow, SpawnProbe, TimerProbe};
pub use store::{ResultsDir, SCHEMA_VERSION, Summary, write_atomic};
