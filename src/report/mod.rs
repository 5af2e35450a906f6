//! Reporting: reads finished records only, never runs work.

pub mod charts;
pub mod markdown;
mod table;

pub use table::{
    bytes, seconds, write_claims_table, write_memory_table, write_spawn_table, write_table,
    write_timer_table, write_verdicts,
};
