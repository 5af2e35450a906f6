//! Helpers shared by the integration tests, one copy of each: scratch folders, running the
//! `rtbench` binary, reading fields of JSON values and files, and the results folder in
//! tests/fixtures/results-small, and HTTP test servers (`http_server`). A test file uses them
//! with `mod support;`.

// Every file under tests/ is a crate of its own that compiles this module and uses only
// part of it; without these allows, each would warn about the helpers it does not call
// (dead code) and the names it does not import (the re-exports below).
#![allow(dead_code)]

mod bin;
mod fixture;
mod http_server;
mod json;
mod scratch;
mod served;

#[allow(unused_imports)]
pub use {
    bin::{BIN, Run, command, run, run_ok, shows_panic},
    fixture::{REFERENCE, fixture, fixture_dir, forged_fixture, reference_dir},
    http_server::{TestServer, serve, serve_liar, stall_after, test_ctx},
    json::{
        array, field, json_cells, num, parse_json, read_csv, read_json, read_text, text, whole,
    },
    scratch::Scratch,
    served::{Served, get, read_response},
};

/// Checks what `insta::assert_snapshot!` does not: it compares texts with their trailing
/// whitespace trimmed and `\r\n` read as `\n`. A test whose output must match its snapshot
/// byte for byte also checks with this how the text ends, and that it holds no `\r`.
pub fn assert_exact_ending(what: &str, text: &str, ending: &str) {
    assert!(!text.contains('\r'), "{what} holds a carriage return");
    let trailing = &text[text.trim_end().len()..];
    assert_eq!(trailing, ending, "{what} ends with other whitespace");
}
