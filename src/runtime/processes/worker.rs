//! One worker process: rtbench re-executed as the hidden `__worker PARENT_PID` command.
//! Jobs go in as JSON lines on its stdin, results come back as JSON lines on its stdout; it
//! exits at stdin EOF, and dies with its parent: the worker itself sets PR_SET_PDEATHSIG
//! first thing, then exits at once if its parent is no longer the PARENT_PID that started
//! it (the parent died before the flag took hold). No hook runs between fork and exec, so
//! std starts a worker with posix_spawn (vfork-like: the parent's page tables are not copied).

use std::ffi::OsStr;
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitCode, Stdio};

use serde::{Deserialize, Serialize};

use crate::measure::Usage;
use crate::runtime::{RuntimeError, Stamping};
use crate::workload::{NetTarget, StdSteps, Step, TaskFailure, run_steps_blocking};

/// The hidden subcommand a worker runs.
pub const WORKER_COMMAND: &str = "__worker";

/// A task sent to a worker: its index (part of its checksum) and its steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// The task's index.
    pub index: usize,
    /// Its steps.
    pub steps: Vec<Step>,
    /// The timer probe's job: stamp its waits and answer the stamps (absent from a cell's).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stamp: bool,
    /// The latency server the task's calls go to (`net` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<NetTarget>,
}

impl Job {
    /// A job of task `index` doing `steps`, unstamped, calling no server.
    pub fn of(index: usize, steps: Vec<Step>) -> Job {
        Job {
            index,
            steps,
            stamp: false,
            target: None,
        }
    }
}

/// A worker's answer: the task's checksum and the worker's own resource usage so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Done {
    /// The task's index.
    pub index: usize,
    /// The task's checksum.
    pub checksum: u64,
    /// The worker's own usage so far.
    pub usage: Usage,
    /// A stamped job's last wait: the monotonic clock (ns) just before and just after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slept: Option<[u64; 2]>,
    /// Why the task could not do its work (an OS refusal, the server gone); its checksum is
    /// then 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<TaskFailure>,
}

/// Test hook: `RTBENCH_WORKER_FAULT=crash` makes a worker abort on its first job,
/// `garbage` makes it answer a line that is not JSON.
pub const FAULT_ENV: &str = "RTBENCH_WORKER_FAULT";

/// A worker process's entry, `rtbench __worker PARENT_PID`, reached before the command line
/// is parsed: a per-task process pays exec and the Rust runtime's start, nothing more. It
/// dies with its parent ([`die_with_parent`]), then serves jobs until stdin closes. Exits 0
/// after serving, 1 when it cannot serve or its parent is already gone, 2 without a parent
/// id (the code the command line gives bad input).
pub fn worker_main(parent: Option<&OsStr>) -> ExitCode {
    let Some(parent) = parent.and_then(|p| p.to_str()?.parse::<libc::pid_t>().ok()) else {
        eprintln!(
            "error: worker process: `rtbench {WORKER_COMMAND}` takes the process id of the \
             rtbench that started it"
        );
        return ExitCode::from(2);
    };
    match die_with_parent(parent) {
        // Gone: nobody reads the answers, and a message would land on a terminal that has
        // moved on. Exit quietly.
        Ok(false) => return ExitCode::FAILURE,
        Ok(true) => {}
        Err(e) => {
            eprintln!("error: worker process: could not ask to die with its parent: {e}");
            return ExitCode::FAILURE;
        }
    }
    match serve() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: worker process: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Asks the kernel to SIGKILL this process when its parent dies (PR_SET_PDEATHSIG), then
/// checks that its parent is still `parent`: false if it is not, i.e. the parent died (and
/// this process was handed to another) before the flag was set, so no signal will come.
/// The flag first, the check second: a death after the flag is a signal, one before it a
/// changed parent.
pub fn die_with_parent(parent: libc::pid_t) -> io::Result<bool> {
    // SAFETY: prctl on this process's own flags; arguments as PR_SET_PDEATHSIG takes them.
    if unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: getppid cannot fail.
    Ok(unsafe { libc::getppid() } == parent)
}

/// The worker side: answers every job line until stdin closes.
pub fn serve() -> io::Result<()> {
    let stdin = io::stdin().lock();
    let mut out = io::BufWriter::new(io::stdout().lock());
    let fault = std::env::var(FAULT_ENV).ok();
    for line in stdin.lines() {
        let line = line?;
        match fault.as_deref() {
            Some("crash") => std::process::abort(),
            Some("garbage") => {
                out.write_all(b"this is not a result\n")?;
                out.flush()?;
                continue;
            }
            _ => {}
        }
        let job: Job = serde_json::from_str(&line).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("malformed job line ({e}): {line}"),
            )
        })?;
        let (ran, slept) = if job.stamp {
            let stamping = Stamping::default();
            let ran = run_steps_blocking(job.index, &job.steps, &stamping, job.target);
            (ran, Some(stamping.slept()))
        } else {
            let ran = run_steps_blocking(job.index, &job.steps, &StdSteps, job.target);
            (ran, None)
        };
        let (checksum, failure) = match ran {
            Ok(checksum) => (checksum, None),
            Err(failure) => (0, Some(failure)),
        };
        serde_json::to_writer(
            &mut out,
            &Done {
                index: job.index,
                checksum,
                usage: Usage::now(),
                slept,
                failure,
            },
        )?;
        out.write_all(b"\n")?;
        out.flush()?;
    }
    Ok(())
}

/// The rtbench binary to start workers from: `RTBENCH_EXE`, else this executable if it is
/// rtbench, else an `rtbench` beside it or one folder up (test binaries live in deps/).
pub fn worker_exe() -> Result<PathBuf, RuntimeError> {
    if let Some(p) = std::env::var_os("RTBENCH_EXE") {
        return Ok(PathBuf::from(p));
    }
    let me = std::env::current_exe().map_err(|source| RuntimeError::Start {
        runtime: "processes",
        source,
    })?;
    if me.file_stem().is_some_and(|s| s == "rtbench") {
        return Ok(me);
    }
    let near = |dir: Option<&Path>| dir.map(|d| d.join("rtbench")).filter(|p| p.is_file());
    near(me.parent())
        .or_else(|| near(me.parent().and_then(Path::parent)))
        .ok_or_else(|| {
            RuntimeError::Unsupported(
            "the processes runtime starts workers from the rtbench binary, which was not found \
             beside this program; set RTBENCH_EXE to its path"
                .into(),
        )
        })
}

/// A running worker process, reaped (with wait4) when closed or dropped.
pub struct WorkerProc {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    line: String,
    reaped: bool,
}

/// What a reaped worker used over its whole life (wait4), and its peak resident memory.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Reaped {
    /// CPU and switches over its life.
    pub usage: Usage,
    /// Its peak resident memory.
    pub max_rss_bytes: u64,
}

impl WorkerProc {
    /// Starts a worker, told this process's id so it can die with it (see
    /// [`worker_main`]); it exits at stdin EOF. No pre-exec hook: std may use posix_spawn.
    /// PR_SET_PDEATHSIG follows the thread that started a process, not the whole process:
    /// call this from a thread that lives until the worker is reaped (both instances do:
    /// the thread that starts and runs them).
    pub fn spawn(exe: &Path) -> io::Result<WorkerProc> {
        let mut child = Command::new(exe)
            .arg(WORKER_COMMAND)
            .arg(std::process::id().to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().expect("stdout was piped"));
        Ok(WorkerProc {
            child,
            stdin,
            stdout,
            line: String::new(),
            reaped: false,
        })
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends one job.
    pub fn send(&mut self, job: &Job) -> Result<(), RuntimeError> {
        let mut bytes = serde_json::to_vec(job).expect("a job always serialises");
        bytes.push(b'\n');
        let stdin = self
            .stdin
            .as_mut()
            .expect("send is never called after close_stdin");
        match stdin.write_all(&bytes).and_then(|()| stdin.flush()) {
            Ok(()) => Ok(()),
            Err(_) => Err(self.died("while it was sent a job")),
        }
    }

    /// No more jobs: the worker exits after answering what it has.
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Waits for one answer; a crash or a malformed line is the error.
    pub fn receive(&mut self) -> Result<Done, RuntimeError> {
        self.line.clear();
        match self.stdout.read_line(&mut self.line) {
            Ok(0) | Err(_) => Err(self.died("before answering")),
            Ok(_) => serde_json::from_str(self.line.trim_end()).map_err(|e| {
                RuntimeError::Worker(format!(
                    "worker process {} answered malformed output ({e}): {}",
                    self.pid(),
                    clip(self.line.trim_end())
                ))
            }),
        }
    }

    /// Closes stdin and waits for the exit; a worker that did not exit cleanly is an error.
    pub fn close_and_reap(&mut self) -> Result<Reaped, RuntimeError> {
        self.close_stdin();
        let (status, reaped) = self.wait4().map_err(|source| RuntimeError::Start {
            runtime: "processes",
            source,
        })?;
        match describe_failure(status) {
            None => Ok(reaped),
            Some(how) => Err(RuntimeError::Worker(format!(
                "worker process {} {how}",
                self.pid()
            ))),
        }
    }

    /// Memory now, from `/proc/<pid>/smaps_rollup`: (resident, proportional) bytes.
    pub fn memory(&self) -> Option<(u64, u64)> {
        crate::measure::memory::rss_and_pss_of(self.pid())
    }

    /// The error for a worker that stopped talking: reap it and say how it ended.
    fn died(&mut self, when: &str) -> RuntimeError {
        self.close_stdin();
        let pid = self.pid();
        match self.wait4() {
            Ok((status, _)) => {
                let how = describe_failure(status).unwrap_or_else(|| "exited cleanly".into());
                RuntimeError::Worker(format!("worker process {pid} {how} {when}"))
            }
            Err(e) => RuntimeError::Worker(format!("worker process {pid} vanished {when}: {e}")),
        }
    }

    fn wait4(&mut self) -> io::Result<(i32, Reaped)> {
        let mut status = 0;
        // SAFETY: wait4 on our own child; rusage is a plain struct we own.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        let pid = self.pid() as libc::pid_t;
        loop {
            // SAFETY: as above.
            let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
            if r == pid {
                break;
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
        self.reaped = true;
        Ok((
            status,
            Reaped {
                usage: Usage::from_rusage(&ru),
                max_rss_bytes: ru.ru_maxrss as u64 * 1024,
            },
        ))
    }
}

impl Drop for WorkerProc {
    fn drop(&mut self) {
        if !self.reaped {
            // SAFETY: kill(2) and wait4(2) on our own, not yet reaped, child.
            unsafe { libc::kill(self.pid() as libc::pid_t, libc::SIGKILL) };
            let _ = self.wait4();
        }
    }
}

/// None for a clean exit, else "exited with code N" / "was killed by signal N".
fn describe_failure(status: i32) -> Option<String> {
    if libc::WIFEXITED(status) {
        match libc::WEXITSTATUS(status) {
            0 => None,
            code => Some(format!("exited with code {code}")),
        }
    } else if libc::WIFSIGNALED(status) {
        let sig = libc::WTERMSIG(status);
        Some(format!(
            "was killed by signal {sig} ({})",
            crate::runtime::signal_name(sig)
        ))
    } else {
        Some(format!("ended with wait status {status}"))
    }
}

fn clip(s: &str) -> String {
    s.chars().take(200).collect()
}
