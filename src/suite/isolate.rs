//! Running a cell in a fresh child process: rtbench re-executes itself with the hidden
//! `__cell` command, sends the request on stdin and reads one JSON line back. A panic, an
//! abort, an OS refusal or a timeout fails that cell with what happened; the run goes on.
//! While it waits, the parent watches the child from /proc (see `watch`).

use std::io::{Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::protocol::{CellReply, CellRequest, Percentiles, ReplyError};
use super::watch::{TICK, Watch, watches_workers};
use crate::measure::os_limits;

/// The hidden subcommand a child runs.
pub const CELL_COMMAND: &str = "__cell";

/// How to start children: this binary, and how long a cell may take.
#[derive(Debug, Clone)]
pub struct Isolation {
    /// This binary.
    pub exe: PathBuf,
    /// A cell that runs longer is killed.
    pub timeout: Duration,
}

/// Runs the request in a child process. Every failure of the child becomes the reply's error.
pub fn run_isolated(req: &CellRequest, iso: &Isolation) -> CellReply {
    converse(req, iso).unwrap_or_else(|error| CellReply {
        samples: Vec::new(),
        latency: Percentiles::default(),
        peak_rss_bytes: 0,
        memory: None,
        experiment: None,
        error: Some(error),
        live: None,
    })
}

fn fail(kind: &str, message: String) -> ReplyError {
    ReplyError {
        kind: kind.into(),
        message,
    }
}

fn converse(req: &CellRequest, iso: &Isolation) -> Result<CellReply, ReplyError> {
    let mut command = Command::new(&iso.exe);
    command
        .arg(CELL_COMMAND)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0); // a timeout kills the cell and anything it started
    // If the parent dies (Ctrl-C), so does the cell: no orphan keeps measuring. Set before
    // exec, so there is no window in which the parent is gone and the flag is not yet set.
    // SAFETY: prctl is async-signal-safe and touches only the child's own flags.
    unsafe {
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    let mut child = command.spawn().map_err(|e| {
        fail(
            "start",
            format!(
                "could not start a cell process ({}): {e}",
                iso.exe.display()
            ),
        )
    })?;
    let request = serde_json::to_vec(req).expect("a request always serialises");
    let mut stdin = child.stdin.take().expect("stdin was piped");
    // A child that dies before reading gives a broken pipe; its exit status says more.
    let _ = stdin.write_all(&request).and_then(|()| stdin.flush());
    drop(stdin);
    let stdout = drain(child.stdout.take().expect("stdout was piped"));
    let stderr = drain(child.stderr.take().expect("stderr was piped"));
    let mut watch = Watch::new(child.id(), watches_workers(req));
    let status = wait(&mut child, iso.timeout, &mut watch);
    let (stdout, stderr) = (collect(stdout), collect(stderr));
    match status {
        None => Err(fail(
            "timeout",
            format!(
                "the cell overran --cell-timeout {}s; its process was killed",
                iso.timeout.as_secs_f64()
            ),
        )),
        Some(status) if status.success() => parse_reply(&stdout).map(|reply| CellReply {
            live: watch.live(),
            ..reply
        }),
        Some(status) => Err(died(status, &stderr, watch.peak_threads())),
    }
}

fn drain(mut pipe: impl Read + Send + 'static) -> JoinHandle<String> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    })
}

fn collect(h: JoinHandle<String>) -> String {
    h.join().unwrap_or_default()
}

/// The child's exit status (None if it overran `timeout`; it is then killed with its
/// group), looking at it every 10 ms meanwhile (its threads, and its workers' memory).
fn wait(child: &mut Child, timeout: Duration, watch: &mut Watch) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        if Instant::now() >= deadline {
            // SAFETY: kill(2) on our own child's process group; harmless if already gone.
            unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
            let _ = child.wait();
            return None;
        }
        watch.tick();
        thread::sleep(TICK);
    }
}

fn parse_reply(stdout: &str) -> Result<CellReply, ReplyError> {
    let line = stdout
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    serde_json::from_str(line).map_err(|e| {
        fail(
            "protocol",
            format!(
                "the cell process answered something that is not a reply ({e}): {}",
                clip(line, 200)
            ),
        )
    })
}

/// Why a child died, in words: the signal or exit code, what it printed, and the OS
/// limits when it ran out of threads or memory.
fn died(status: ExitStatus, stderr: &str, peak_threads: u64) -> ReplyError {
    let how = match (status.signal(), status.code()) {
        (Some(sig), _) => format!(
            "was killed by signal {sig} ({})",
            crate::runtime::signal_name(sig)
        ),
        (None, Some(code)) => format!("exited with code {code}"),
        (None, None) => "ended without a status".into(),
    };
    let said = summary(stderr);
    let os_limit = [
        "failed to set up alternative stack guard page",
        "failed to spawn thread",
        "Resource temporarily unavailable",
        "Cannot allocate memory",
    ]
    .iter()
    .any(|m| stderr.contains(m));
    if os_limit {
        return fail(
            "os-limit",
            format!(
                "the cell's process {how} after the OS refused a thread or memory ({said}); {peak_threads} \
                 threads were running at the last 10 ms sample (an exited thread not yet joined \
                 still holds its stack mappings); limits: {}",
                os_limits::describe_thread_limits()
            ),
        );
    }
    let kind = if stderr.contains("panicked at") {
        "panic"
    } else {
        "crash"
    };
    fail(kind, format!("the cell's process {how}: {said}"))
}

/// The panic message if there is one, else the last lines of stderr.
fn summary(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let text = match lines.iter().position(|l| l.contains("panicked at")) {
        Some(i) => lines[i..(i + 2).min(lines.len())].join(" "),
        None if lines.is_empty() => "it printed nothing".into(),
        None => lines[lines.len().saturating_sub(2)..].join(" "),
    };
    clip(&text, 400)
}

fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}
