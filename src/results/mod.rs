//! Result records (cells, memory pass, probes, claims), the results folder they are saved
//! in, and reading a folder back (upgrading older schema versions). How records are
//! printed is the report's business (`report::export`).

mod claim;
mod figure_ids;
mod load;
mod machine;
mod memory;
mod migrate;
mod record;
mod serve;
mod store;

pub use claim::{
    C15_ADAPTIVE, C15_FIXED, ClaimResult, Figure, FigureId, FigureKey, FigureUnit, PythonColumn,
    UnknownFigure, Verdict,
};
pub use load::{LoadError, Loaded, load, load_claims};
pub use machine::{Machine, OsLimits};
pub use memory::{MemoryKind, MemoryModel, MemoryRecord};
pub use record::{
    CellRecord, IdealSource, RawRow, RuntimeFacts, ServerProbe, SpawnProbe, TimerProbe,
};
pub use serve::{Placement, ServeRecord};
pub use store::{ClaimsFile, ResultsDir, SCHEMA_VERSION, Slot, Summary, write_atomic};
