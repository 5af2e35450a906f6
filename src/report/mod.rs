//! Reporting: reads finished records only, never runs work.

mod table;

pub use table::{seconds, write_table};
