//! The server process's side: `rtbench __latency-server` binds, says where it listens on
//! one stdout line, and serves until stdin reaches end of file (its parent closed the pipe,
//! or died) or it is killed. The command line (and dying with the parent) is the cli's.

use std::fs::File;
use std::io::{self, Write};
use std::os::fd::AsFd;

use super::error::Error;
use super::server::{Options, Server};

/// The hidden subcommand that runs the server.
pub const SERVER_COMMAND: &str = "__latency-server";

/// The first stdout line, before the address: `listening 127.0.0.1:PORT`.
pub const LISTENING: &str = "listening";

/// Binds, prints `listening ADDR`, serves until stdin ends; commands on stdin (`cpu`) are
/// answered on stdout.
pub fn run(options: Options) -> Result<(), Error> {
    let server = Server::bind(options)?;
    let mut out = io::stdout().lock();
    writeln!(out, "{LISTENING} {}", server.addr())
        .and_then(|()| out.flush())
        .map_err(|e| Error::io("writing the listening address", None, e))?;
    // Stdin unbuffered: std's buffered Stdin could keep a command in its buffer while the
    // descriptor epoll watches reads empty.
    let control = io::stdin()
        .as_fd()
        .try_clone_to_owned()
        .map(File::from)
        .map_err(|e| Error::io("opening stdin", None, e))?;
    server.serve(control, out)
}
