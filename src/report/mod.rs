//! Reporting: renders finished records only, never runs work. Tables for the terminal
//! ([`table`]), charts ([`charts`]), BENCHMARK.md's generated sections ([`sections`]) and
//! the rewrite of its marked regions ([`markers`]). What is decided (the decision table's
//! picks) comes typed from [`crate::analysis`].

pub mod charts;
pub mod labels;
pub mod markers;
pub mod md;
pub mod sections;
mod table;

pub use table::{
    write_claims_table, write_memory_table, write_spawn_table, write_table, write_timer_table,
    write_verdicts,
};
