//! The OS limits that decide how many threads or processes a run may start, read where the
//! kernel publishes them, so a refusal can say which limit it met.

use std::fs;

/// `name=value` pairs: kernel.threads-max, vm.max_map_count, kernel.pid_max, ulimit -u.
pub fn thread_limits() -> Vec<(&'static str, String)> {
    let proc = |path: &str| {
        fs::read_to_string(path).map_or_else(|_| "unknown".into(), |s| s.trim().to_string())
    };
    vec![
        ("kernel.threads-max", proc("/proc/sys/kernel/threads-max")),
        ("vm.max_map_count", proc("/proc/sys/vm/max_map_count")),
        ("kernel.pid_max", proc("/proc/sys/kernel/pid_max")),
        ("ulimit -u", max_user_processes()),
    ]
}

/// The limits on one line, for an error message.
pub fn describe_thread_limits() -> String {
    let mut s: Vec<String> = thread_limits()
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    s.push("(a Rust thread maps about 4 regions, so vm.max_map_count / 4 threads at most)".into());
    s.join(", ")
}

fn max_user_processes() -> String {
    // SAFETY: getrlimit fills a plain struct we own.
    let (ok, lim) = unsafe {
        let mut lim: libc::rlimit = std::mem::zeroed();
        (libc::getrlimit(libc::RLIMIT_NPROC, &mut lim) == 0, lim)
    };
    match (ok, lim.rlim_cur) {
        (false, _) => "unknown".into(),
        (true, libc::RLIM_INFINITY) => "unlimited".into(),
        (true, n) => n.to_string(),
    }
}
