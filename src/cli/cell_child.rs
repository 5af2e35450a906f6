//! The hidden `__cell` command: the child side of cell isolation.

use std::io::{self, Read, Write};
use std::process::ExitCode;

use anyhow::Context;

use crate::suite::{CellRequest, execute};

/// Reads one request from stdin, runs it, writes one JSON line to stdout.
pub fn serve() -> anyhow::Result<ExitCode> {
    // If the parent dies (Ctrl-C), so does the cell: no orphan keeps measuring.
    // SAFETY: prctl with PR_SET_PDEATHSIG only sets a flag on this process.
    unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) };
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
