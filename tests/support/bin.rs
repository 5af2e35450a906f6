//! Running the `rtbench` binary.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The binary cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_rtbench");

/// How a run ended.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

/// `rtbench <args>` in `dir`, with stdin null and RUST_BACKTRACE removed (so a panic
/// prints its usual hint, which [`shows_panic`] looks for). Add environment variables or
/// redirect stdout/stderr before spawning it.
pub fn command<S: AsRef<str>>(dir: &Path, args: &[S]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args.iter().map(AsRef::as_ref))
        .current_dir(dir)
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null());
    cmd
}

/// Runs `rtbench <args>` in `dir` with the variables `env` set, to the end. Panics if it
/// could not start, was killed by a signal, or wrote anything but UTF-8.
pub fn run<S: AsRef<str>>(dir: &Path, args: &[S], env: &[(&str, &str)]) -> Run {
    let mut cmd = command(dir, args);
    cmd.envs(env.iter().copied());
    let start = Instant::now();
    let out = cmd.output().expect("failed to start rtbench");
    let elapsed = start.elapsed();
    let args = shown(args);
    let code = out
        .status
        .code()
        .unwrap_or_else(|| panic!("rtbench {args:?} was killed by a signal: {:?}", out.status));
    Run {
        code,
        stdout: String::from_utf8(out.stdout).expect("stdout is not UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is not UTF-8"),
        elapsed,
    }
}

/// [`run`], requiring exit code 0 and no panic text on stderr.
pub fn run_ok<S: AsRef<str>>(dir: &Path, args: &[S], env: &[(&str, &str)]) -> Run {
    let run = run(dir, args, env);
    let (args, stderr) = (shown(args), &run.stderr);
    assert_eq!(run.code, 0, "rtbench {args:?} failed\nstderr:\n{stderr}");
    assert!(
        !shows_panic(stderr),
        "rtbench {args:?} panicked\nstderr:\n{stderr}"
    );
    run
}

/// Whether rtbench itself panicked: the hint a panic prints when RUST_BACKTRACE is unset
/// (every run here unsets it). Not the words "panicked at": a cell that panicked or whose
/// thread start aborted is a failed cell, and its error quotes the child's panic message
/// while the run goes on (e.g. the memory pass of threads at the OS limit).
pub fn shows_panic(stderr: &str) -> bool {
    stderr.contains("RUST_BACKTRACE")
}

fn shown<S: AsRef<str>>(args: &[S]) -> Vec<&str> {
    args.iter().map(AsRef::as_ref).collect()
}
