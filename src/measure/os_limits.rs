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

fn joined(pairs: Vec<(&'static str, String)>) -> String {
    pairs
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The thread limits on one line, for an error message.
pub fn describe_thread_limits() -> String {
    format!(
        "{}, (a Rust thread maps about 4 regions, so vm.max_map_count / 4 threads at most)",
        joined(thread_limits())
    )
}

/// The limits on starting processes on one line: pid_max, ulimit -u, and ulimit -n (each
/// running worker holds pipe descriptors in its parent).
pub fn describe_process_limits() -> String {
    joined(vec![
        ("kernel.pid_max", thread_limits()[2].1.clone()),
        ("ulimit -u", rlimit(libc::RLIMIT_NPROC)),
        ("ulimit -n", rlimit(libc::RLIMIT_NOFILE)),
    ])
}

fn max_user_processes() -> String {
    rlimit(libc::RLIMIT_NPROC)
}

fn rlimit(resource: libc::__rlimit_resource_t) -> String {
    // SAFETY: getrlimit fills a plain struct we own.
    let (ok, lim) = unsafe {
        let mut lim: libc::rlimit = std::mem::zeroed();
        (libc::getrlimit(resource, &mut lim) == 0, lim)
    };
    match (ok, lim.rlim_cur) {
        (false, _) => "unknown".into(),
        (true, libc::RLIM_INFINITY) => "unlimited".into(),
        (true, n) => n.to_string(),
    }
}
