//! The parent's handle on a server process: starts `rtbench __latency-server`, reads the
//! address it listens on, asks it its CPU time, lateness and counts, and kills and reaps it when dropped, so no
//! server outlives its handle. The server also dies with its parent (PR_SET_PDEATHSIG,
//! set by the server itself, as a worker process does) and at its stdin's end of file.
//! PR_SET_PDEATHSIG follows the thread that started the child: start a server from a
//! thread that outlives its use.

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use super::admission::Counts;
use super::child::{LISTENING, SERVER_COMMAND};
use super::error::Error;
use super::server::{COUNTS_COMMAND, CPU_COMMAND, LATENESS_COMMAND, Options};

/// How long a server process may take to say where it listens, or to answer a command.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

/// The server's lateness against its deadlines, over the replies since the last ask.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lateness {
    /// Replies counted.
    pub replies: u64,
    /// Median seconds from a deadline to its reply's write having returned.
    pub median_seconds: f64,
    /// 99th percentile.
    pub p99_seconds: f64,
    /// The latest.
    pub max_seconds: f64,
}

/// A running server process, killed and reaped on drop.
pub struct LatencyServer {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    addr: SocketAddr,
    payload: usize,
}

impl LatencyServer {
    /// Starts a server replying `payload` bytes, from this program
    /// (`std::env::current_exe`, which must be rtbench).
    pub fn start(payload: usize) -> Result<LatencyServer, Error> {
        let exe = std::env::current_exe().map_err(|e| Error::Start {
            exe: "rtbench".into(),
            message: format!("locating this program: {e}"),
        })?;
        LatencyServer::start_with(
            &exe,
            Options {
                payload,
                ..Options::default()
            },
        )
    }

    /// Starts a server from the rtbench binary at `exe` with `options`.
    pub fn start_with(exe: &Path, options: Options) -> Result<LatencyServer, Error> {
        let start_error = |message: String| Error::Start {
            exe: exe.display().to_string(),
            message,
        };
        let mut command = Command::new(exe);
        command
            .arg(SERVER_COMMAND)
            .args(["--payload", &options.payload.to_string()])
            .args(["--backlog", &options.backlog.to_string()])
            .args(["--parent", &std::process::id().to_string()]);
        if let Some(capacity) = options.capacity {
            command.args(["--capacity", &capacity.to_string()]);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| start_error(format!("spawning: {e}")))?;
        let stdin = child.stdin.take().expect("stdin was piped");
        let stdout = BufReader::new(child.stdout.take().expect("stdout was piped"));
        let mut server = LatencyServer {
            child,
            stdin,
            stdout,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            payload: options.payload,
        };
        // On any error below, dropping `server` kills and reaps the child.
        let line = server.read_line("say where it listens")?;
        server.addr = line
            .strip_prefix(LISTENING)
            .and_then(|rest| rest.trim().parse().ok())
            .ok_or_else(|| start_error(format!("expected '{LISTENING} ADDR', got '{line}'")))?;
        Ok(server)
    }

    /// The address it listens on (127.0.0.1, an ephemeral port).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Bytes in each of its replies.
    pub fn payload(&self) -> usize {
        self.payload
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The CPU time (user + system, seconds) the server has used so far, as it measures
    /// itself (getrusage, microseconds; /proc's figure moves in 10 ms ticks).
    pub fn cpu_seconds(&mut self) -> Result<f64, Error> {
        let [user, sys] = self.ask(CPU_COMMAND, "USER SYS", "answer its CPU time")?;
        Ok(user + sys)
    }

    /// How late the replies since the last ask left against their deadlines, as the server
    /// measures itself: its own share of a client's added delay (the rest is the client's
    /// and the kernel's wake-ups and the loopback round trip).
    pub fn lateness(&mut self) -> Result<Lateness, Error> {
        let [replies, p50, p99, max] =
            self.ask(LATENESS_COMMAND, "COUNT P50 P99 MAX", "answer its lateness")?;
        Ok(Lateness {
            replies: replies as u64,
            median_seconds: p50 * 1e-9,
            p99_seconds: p99 * 1e-9,
            max_seconds: max * 1e-9,
        })
    }

    /// The requests it has taken and turned away (capacity mode) since it started, as it
    /// counts them.
    pub fn counts(&mut self) -> Result<Counts, Error> {
        let [accepted, rejected] =
            self.ask(COUNTS_COMMAND, "ACCEPTED REJECTED", "answer its counts")?;
        Ok(Counts {
            accepted: accepted as u64,
            rejected: rejected as u64,
        })
    }

    /// Sends a control command and parses its answer, `COMMAND` then N numbers.
    fn ask<const N: usize>(
        &mut self,
        command: &'static str,
        form: &str,
        what: &'static str,
    ) -> Result<[f64; N], Error> {
        self.stdin
            .write_all(format!("{command}\n").as_bytes())
            .and_then(|()| self.stdin.flush())
            .map_err(|e| Error::io("asking the latency server", None, e))?;
        let line = self.read_line(what)?;
        let mut words = line.split_whitespace();
        let numbers: Option<Vec<f64>> = (words.next() == Some(command))
            .then(|| words.map(|w| w.parse::<f64>().ok()).collect())
            .flatten();
        numbers
            .and_then(|v| <[f64; N]>::try_from(v).ok())
            .ok_or_else(|| Error::Start {
                exe: SERVER_COMMAND.into(),
                message: format!("expected '{command} {form}', got '{line}'"),
            })
    }

    /// One line of its stdout, waited for at most [`ANSWER_TIMEOUT`]; `what` names what
    /// it did not do in the error.
    fn read_line(&mut self, what: &'static str) -> Result<String, Error> {
        let deadline = Instant::now() + ANSWER_TIMEOUT;
        // Lines are written whole and flushed, so once readable a line follows at once.
        if self.stdout.buffer().is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            if !readable(&self.stdout, left)? {
                return Err(Error::Timeout {
                    what,
                    after: ANSWER_TIMEOUT,
                });
            }
        }
        let mut line = String::new();
        self.stdout
            .read_line(&mut line)
            .map_err(|e| Error::io("reading the latency server's stdout", None, e))?;
        if line.is_empty() {
            let status = self.child.try_wait().ok().flatten();
            return Err(Error::Start {
                exe: SERVER_COMMAND.into(),
                message: format!(
                    "it exited before it could {what} ({})",
                    status.map_or("still running".into(), |s| s.to_string())
                ),
            });
        }
        Ok(line.trim_end().to_string())
    }
}

/// Whether `stdout` has something to read (or its end) within `timeout`.
fn readable(stdout: &BufReader<ChildStdout>, timeout: Duration) -> Result<bool, Error> {
    let mut pfd = libc::pollfd {
        fd: stdout.get_ref().as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = timeout.as_millis().min(libc::c_int::MAX as u128) as libc::c_int;
    loop {
        // SAFETY: poll reads and writes the one pollfd it is given.
        let rc = unsafe { libc::poll(&mut pfd, 1, ms) };
        if rc >= 0 {
            return Ok(rc > 0);
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(Error::io("waiting for the latency server", None, e));
        }
    }
}

impl Drop for LatencyServer {
    /// Kills and reaps the server: no orphan, no zombie.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
