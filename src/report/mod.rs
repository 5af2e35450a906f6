//! Reporting: renders finished records only, never runs work. What commands print
//! ([`export`]: table, JSON, CSV), charts ([`charts`]), BENCHMARK.md's generated sections ([`sections`]) and
//! the rewrite of its marked regions ([`markers`]). What is decided (the decision table's
//! picks) comes typed from [`crate::analysis`].

pub mod benchmark;
pub mod charts;
pub mod comparison;
pub mod export;
pub mod html;
pub mod labels;
pub mod load;
pub mod markers;
pub mod md;
pub mod sections;
pub mod serve;

#[cfg(test)]
mod tests;
