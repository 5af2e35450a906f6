//! The hidden `__cell` command: the child side of cell isolation.

use std::io::{self, Read, Write};
use std::process::ExitCode;

use anyhow::Context;

use crate::suite::{CellRequest, execute};

/// Reads one request from stdin, runs it, writes one JSON line to stdout.
pub fn serve() -> anyhow::Result<ExitCode> {
    // The parent set PR_SET_PDEATHSIG before exec: this process dies with it.
    let mut input = String::new();
    io::stdin()
        .read_to_string(&mut input)
        .context("reading the cell request")?;
    let req: CellRequest =
        serde_json::from_str(&input).context("the cell request is not valid JSON")?;
    let reply = execute(&req);
    let mut out = io::stdout().lock();
    serde_json::to_writer(&mut out, &reply)?;
    writeln!(out)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
