//! `rtbench serve --model processes`: the pre-forked server. The serving process binds the
//! listener, then starts `--workers` processes of `rtbench __serve-worker`, each given the
//! listening socket as descriptor 3; every worker blocks in accept on that one socket and
//! serves the connection it takes to its end, one at a time, as a pre-fork server does. A
//! worker that exits is replaced; every worker dies with the serving process.

use std::ffi::OsString;
use std::net::{SocketAddr, TcpListener};
use std::os::fd::{AsRawFd, FromRawFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::spawn_refused;
use super::worker::die_with_parent;
use crate::http::{Backend, ServeCtx, Stall, serve_connection_blocking};
use crate::runtime::RuntimeError;
use crate::runtime::serve::accept_blocking;

/// The hidden command a pre-forked worker runs: `rtbench __serve-worker PARENT_PID JSON`.
pub const SERVE_WORKER_COMMAND: &str = "__serve-worker";

/// The descriptor a worker finds the listening socket on.
const LISTENER_FD: i32 = 3;

/// What a worker needs of the server's context, as its second argument.
#[derive(Debug, Serialize, Deserialize)]
struct WorkerCtx {
    /// `None`: the timer; else the latency server's address and reply size.
    socket: Option<(SocketAddr, usize)>,
    /// The stall window: monotonic start and length in nanoseconds.
    stall: Option<(u64, u64)>,
    /// `/rtbench/info`'s object.
    info: String,
}

impl WorkerCtx {
    fn of(ctx: &ServeCtx) -> WorkerCtx {
        WorkerCtx {
            socket: match ctx.backend {
                Backend::Timer => None,
                Backend::Socket { addr, payload } => Some((addr, payload)),
            },
            stall: ctx.stall.map(|s| (s.at_nanos, s.lasts.as_nanos() as u64)),
            info: ctx.info.clone(),
        }
    }

    fn into_ctx(self) -> ServeCtx {
        let backend = match self.socket {
            None => Backend::Timer,
            Some((addr, payload)) => Backend::Socket { addr, payload },
        };
        let mut ctx = ServeCtx::new(backend, self.info);
        ctx.stall = self.stall.map(|(at_nanos, ns)| Stall {
            at_nanos,
            lasts: Duration::from_nanos(ns),
        });
        ctx
    }
}

/// Starts one worker sharing `listener`.
fn spawn_worker(
    exe: &Path,
    listener: &TcpListener,
    ctx: &str,
    started: usize,
) -> Result<Child, RuntimeError> {
    let fd = listener.as_raw_fd();
    let mut command = Command::new(exe);
    command
        .arg(SERVE_WORKER_COMMAND)
        .arg(std::process::id().to_string())
        .arg(ctx)
        .stdin(Stdio::null())
        .stdout(Stdio::piped());
    // SAFETY: dup2 and fcntl are async-signal-safe; descriptor 3 ends up without
    // close-on-exec, so the worker inherits the listening socket there.
    unsafe {
        command.pre_exec(move || {
            // dup2 onto itself leaves close-on-exec set: clear the flag instead.
            let ok = if fd == LISTENER_FD {
                libc::fcntl(fd, libc::F_SETFD, 0) >= 0
            } else {
                libc::dup2(fd, LISTENER_FD) >= 0
            };
            if !ok {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    command.spawn().map_err(|e| spawn_refused(started, e))
}

/// The serving process's side: `workers` workers started, `ready` told once every one of
/// them says it is about to accept (a connection arriving before would wait in the backlog
/// for a worker still starting: measured, 512 workers took long enough that the first rate
/// of a sweep read p99 261 ms), and each one that exits replaced (said on stderr); returns
/// an error only when workers keep dying (more replacements than three times the workers)
/// or one cannot be started.
pub fn serve_prefork(
    exe: &Path,
    workers: usize,
    listener: TcpListener,
    ctx: Arc<ServeCtx>,
    ready: crate::runtime::serve::Ready,
) -> Result<(), RuntimeError> {
    let args = serde_json::to_string(&WorkerCtx::of(&ctx)).expect("a worker's context serialises");
    let mut children = Vec::with_capacity(workers);
    for i in 0..workers {
        children.push(spawn_worker(exe, &listener, &args, i)?);
    }
    for child in &mut children {
        let mut line = String::new();
        let out = child.stdout.take().expect("stdout was piped");
        let said = std::io::BufRead::read_line(&mut std::io::BufReader::new(out), &mut line);
        if !matches!(said, Ok(n) if n > 0) {
            return Err(RuntimeError::Http(format!(
                "pre-forked worker {} exited before it was ready (its stderr says why)",
                child.id()
            )));
        }
    }
    ready();
    let mut replaced = 0;
    loop {
        let mut status = 0;
        // SAFETY: waits for any child of this process; status is a valid out-pointer.
        let pid = unsafe { libc::waitpid(-1, &mut status, 0) };
        if pid < 0 {
            let e = std::io::Error::last_os_error();
            if e.raw_os_error() == Some(libc::EINTR) {
                continue;
            }
            return Err(RuntimeError::Http(format!(
                "waiting for the pre-forked workers: {e}"
            )));
        }
        let Some(at) = children.iter().position(|c| c.id() as i32 == pid) else {
            continue;
        };
        replaced += 1;
        if replaced > 3 * workers {
            return Err(RuntimeError::Http(format!(
                "pre-forked workers keep exiting ({replaced} replaced; the last with wait status {status})"
            )));
        }
        eprintln!(
            "rtbench serve: pre-forked worker {pid} exited (wait status {status}); starting another"
        );
        children[at] = spawn_worker(exe, &listener, &args, workers)?;
    }
}

/// A worker's entry, `rtbench __serve-worker PARENT_PID JSON`: dies with the serving
/// process, then accepts and serves one connection at a time until the listener fails.
pub fn serve_worker_main(args: &[OsString]) -> ExitCode {
    let parent = args
        .first()
        .and_then(|a| a.to_str()?.parse::<libc::pid_t>().ok());
    let ctx = args
        .get(1)
        .and_then(|a| serde_json::from_str::<WorkerCtx>(a.to_str()?).ok());
    let (Some(parent), Some(ctx)) = (parent, ctx) else {
        eprintln!(
            "error: `rtbench {SERVE_WORKER_COMMAND}` is started by `rtbench serve --model processes`, not by hand"
        );
        return ExitCode::from(2);
    };
    match die_with_parent(parent) {
        Ok(true) => {}
        Ok(false) => return ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: pre-forked worker: could not ask to die with its parent: {e}");
            return ExitCode::FAILURE;
        }
    }
    // SAFETY: the serving process put its listening socket on this descriptor (dup2 before
    // exec) and nothing else in this process owns it.
    let listener = unsafe { TcpListener::from_raw_fd(LISTENER_FD) };
    let ctx = ctx.into_ctx();
    // Ready: the serving process waits for this line from every worker before it says
    // where it listens (a replacement's line goes nowhere, which is fine).
    let _ = std::io::Write::write_all(&mut std::io::stdout(), b"ready\n");
    let e = accept_blocking(&listener, |stream| {
        serve_connection_blocking(stream, &ctx);
        Ok(())
    });
    eprintln!("error: pre-forked worker {}: {e}", std::process::id());
    ExitCode::FAILURE
}
