//! HTTP/1.1 for `rtbench serve` and `rtbench load`: the wire format (`httparse` for every
//! model and the generator), the `/task` query and its checksum, the one handler and the
//! one connection loop every server model runs, each through its own steps and sockets.

mod conn;
mod handler;
pub mod task;
pub mod wire;

pub use conn::{HttpIo, serve_connection, serve_connection_blocking};
pub use handler::{Backend, Counters, ServeCtx, Stall, respond};
pub use task::{Route, TaskQuery, body_checksum, task_body};
pub use wire::{
    ClientResponse, Parsed, ParsedResponse, Request, Response, parse_request, parse_response,
};
