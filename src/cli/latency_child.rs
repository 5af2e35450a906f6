//! The hidden `__latency-server [--payload N] [--backlog N] [--capacity N] [--parent PID]`
//! command: the latency server's process (with `--capacity`, in capacity mode). Taken before clap parses anything, like `__worker`; it dies
//! with its parent (the worker's `die_with_parent`), raises its soft open-files limit, then
//! serves until stdin ends.

use std::ffi::OsString;
use std::process::ExitCode;

use crate::measure::os_limits::raise_open_files;
use crate::netserver::{self, Options, SERVER_COMMAND};
use crate::runtime::processes::die_with_parent;

/// Runs the server process on `args` (the words after the command); exit 2 on bad flags.
pub fn main(args: &[OsString]) -> ExitCode {
    let (options, parent) = match parse(args) {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!("error: rtbench {SERVER_COMMAND}: {message}");
            return ExitCode::from(super::EXIT_BAD_INPUT);
        }
    };
    // SAFETY: getppid cannot fail.
    let parent = parent.unwrap_or_else(|| unsafe { libc::getppid() });
    match die_with_parent(parent) {
        Ok(true) => {}
        Ok(false) => return ExitCode::FAILURE, // the parent is already gone: serve no one
        Err(e) => {
            eprintln!("error: latency server: could not ask to die with its parent: {e}");
            return ExitCode::FAILURE;
        }
    }
    // A descriptor per connection: as a run does at start (this command is taken before
    // that), the soft open-files limit goes to the hard one.
    if let Err(e) = raise_open_files() {
        eprintln!("note: latency server: could not raise the open-files limit (ulimit -n): {e}");
    }
    match netserver::run_server_process(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: latency server: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The flags, each `--name VALUE`; the parent defaults to the process's parent now.
fn parse(args: &[OsString]) -> Result<(Options, Option<libc::pid_t>), String> {
    let mut options = Options::default();
    let mut parent = None;
    let mut words = args.iter().map(|a| a.to_string_lossy());
    while let Some(flag) = words.next() {
        let value = words
            .next()
            .ok_or_else(|| format!("{flag} needs a value"))?;
        let number = |what: &str| {
            value
                .parse::<u64>()
                .map_err(|_| format!("{flag} takes {what}, not '{value}'"))
        };
        match flag.as_ref() {
            "--payload" => options.payload = number("a byte count")? as usize,
            "--backlog" => options.backlog = number("a count")?.min(u32::MAX.into()) as u32,
            "--capacity" => {
                let n = usize::try_from(number("a count")?).unwrap_or(usize::MAX);
                options.capacity = Some(n);
            }
            "--parent" => parent = Some(number("a process id")? as libc::pid_t),
            _ => {
                return Err(format!(
                    "unknown flag '{flag}' (accepted: --payload N, --backlog N, --capacity N, \
                     --parent PID)"
                ));
            }
        }
    }
    Ok((options, parent))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<OsString> {
        s.split_whitespace().map(OsString::from).collect()
    }

    #[test]
    fn flags_parse_and_bad_ones_are_named() {
        let (o, p) = parse(&words("--payload 64 --backlog 10000 --parent 42")).unwrap();
        assert_eq!((o.payload, o.backlog, p), (64, 10_000, Some(42)));
        assert_eq!(parse(&[]).unwrap(), (Options::default(), None));
        let (o, _) = parse(&words("--capacity 10")).unwrap();
        assert_eq!(o.capacity, Some(10));
        assert!(
            parse(&words("--capacity -1"))
                .unwrap_err()
                .contains("takes a count")
        );
        assert!(
            parse(&words("--payload"))
                .unwrap_err()
                .contains("needs a value")
        );
        assert!(parse(&words("--payload x")).unwrap_err().contains("'x'"));
        assert!(
            parse(&words("--port 1"))
                .unwrap_err()
                .contains("unknown flag")
        );
    }
}
