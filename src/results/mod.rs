//! Result records and how they are written out (JSON, CSV).

mod export;
mod record;

pub use export::{write_csv, write_json};
pub use record::CellRecord;
