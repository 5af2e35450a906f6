//! The OS limits that decide how many threads or processes a run may start, read where the
//! kernel publishes them (sysctls under /proc/sys, soft rlimits in /proc/self/limits) through
//! procfs. One reader serves both the machine record (`results::machine`) and the error
//! messages of a refused thread or process, so a refusal can say which limit it met.

use std::fmt;

use procfs::process::{LimitValue, Process};

/// One limit as the kernel reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// A number: threads, mappings, pids, processes, descriptors or bytes.
    Value(u64),
    /// No limit (an rlimit of RLIM_INFINITY).
    Unlimited,
    /// Not readable here (no /proc, or a file the kernel does not publish).
    Unknown,
}

/// RLIMIT_NOFILE now, (soft, hard), from getrlimit: a system call, so it reads even when
/// every descriptor is taken (the moment a refusal names it), which /proc/self/limits,
/// a file to open, does not.
pub fn open_files() -> (Limit, Limit) {
    let mut rl = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes the struct we own.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut rl) } != 0 {
        return (Limit::Unknown, Limit::Unknown);
    }
    let of = |v: libc::rlim_t| {
        if v == libc::RLIM_INFINITY {
            Limit::Unlimited
        } else {
            Limit::Value(v)
        }
    };
    (of(rl.rlim_cur), of(rl.rlim_max))
}

impl Limit {
    /// The number, if the limit has one; None when unlimited or unknown.
    pub fn value(self) -> Option<u64> {
        match self {
            Limit::Value(n) => Some(n),
            Limit::Unlimited | Limit::Unknown => None,
        }
    }

    /// A sysctl read through procfs; negative or unreadable values are unknown.
    fn sysctl<T: TryInto<u64>>(read: procfs::ProcResult<T>) -> Limit {
        read.ok()
            .and_then(|v| v.try_into().ok())
            .map_or(Limit::Unknown, Limit::Value)
    }
}

/// `123`, `unlimited` or `unknown`, as the error messages print a limit.
impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::Value(n) => write!(f, "{n}"),
            Limit::Unlimited => f.write_str("unlimited"),
            Limit::Unknown => f.write_str("unknown"),
        }
    }
}

/// The limits on starting threads and processes, read together at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// kernel.threads-max: threads on the whole system.
    pub threads_max: Limit,
    /// vm.max_map_count: memory mappings per process (each thread stack takes some).
    pub max_map_count: Limit,
    /// kernel.pid_max: the largest process or thread id.
    pub pid_max: Limit,
    /// Soft RLIMIT_NPROC (`ulimit -u`): processes and threads of this user.
    pub max_user_processes: Limit,
    /// Soft RLIMIT_NOFILE (`ulimit -n`): each running worker holds pipe descriptors.
    pub max_open_files: Limit,
    /// Soft RLIMIT_STACK (`ulimit -s`), in bytes.
    pub stack_size_bytes: Limit,
    /// Hard RLIMIT_NOFILE: how far the soft limit may be raised (rtbench raises it at start).
    pub max_open_files_hard: Limit,
    /// net.core.somaxconn: the most a listen backlog may hold.
    pub somaxconn: Limit,
    /// net.ipv4.ip_local_port_range: the ephemeral ports a client connection may take.
    pub local_ports: Option<(u64, u64)>,
}

impl Limits {
    /// Reads every limit now; one that cannot be read is [`Limit::Unknown`].
    pub fn read() -> Limits {
        use procfs::sys::{kernel, vm};
        let rlimits = Process::myself().and_then(|me| me.limits()).ok();
        let soft = |pick: fn(&procfs::process::Limits) -> procfs::process::Limit| match rlimits
            .as_ref()
            .map(|all| pick(all).soft_limit)
        {
            Some(LimitValue::Value(n)) => Limit::Value(n),
            Some(LimitValue::Unlimited) => Limit::Unlimited,
            None => Limit::Unknown,
        };
        Limits {
            threads_max: Limit::sysctl(kernel::threads_max()),
            max_map_count: Limit::sysctl(vm::max_map_count()),
            pid_max: Limit::sysctl(kernel::pid_max()),
            max_user_processes: soft(|l| l.max_processes),
            max_open_files: open_files().0,
            stack_size_bytes: soft(|l| l.max_stack_size),
            max_open_files_hard: open_files().1,
            somaxconn: Limit::sysctl(read_sysctl::<u64>("net/core/somaxconn")),
            local_ports: read_sysctl::<String>("net/ipv4/ip_local_port_range")
                .ok()
                .and_then(|s| port_range(&s)),
        }
    }

    /// The limits on threads on one line, for an error message.
    pub fn describe_threads(&self) -> String {
        format!(
            "kernel.threads-max={}, vm.max_map_count={}, kernel.pid_max={}, ulimit -u={}, \
             (a Rust thread maps about 4 regions, so vm.max_map_count / 4 threads at most)",
            self.threads_max, self.max_map_count, self.pid_max, self.max_user_processes
        )
    }

    /// The limits on processes on one line, for an error message: pid_max, ulimit -u, and
    /// ulimit -n (each running worker holds pipe descriptors in its parent).
    pub fn describe_processes(&self) -> String {
        format!(
            "kernel.pid_max={}, ulimit -u={}, ulimit -n={}",
            self.pid_max, self.max_user_processes, self.max_open_files
        )
    }
}

/// A sysctl under /proc/sys that procfs does not type, read as text and parsed.
fn read_sysctl<T: std::str::FromStr>(path: &str) -> procfs::ProcResult<T> {
    let text = std::fs::read_to_string(format!("/proc/sys/{path}"))?;
    text.trim()
        .parse()
        .map_err(|_| procfs::ProcError::Other(format!("/proc/sys/{path}: '{}'", text.trim())))
}

/// `32768\t60999` as (32768, 60999).
fn port_range(text: &str) -> Option<(u64, u64)> {
    let mut it = text.split_whitespace().map(str::parse::<u64>);
    match (it.next(), it.next(), it.next()) {
        (Some(Ok(lo)), Some(Ok(hi)), None) if lo <= hi => Some((lo, hi)),
        _ => None,
    }
}

/// What raising the soft open-files limit found and did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenFiles {
    /// The soft limit rtbench was started with (`ulimit -n`).
    pub soft_at_start: Limit,
    /// The soft limit now: the hard limit, where it could be raised.
    pub soft: Limit,
    /// The hard limit.
    pub hard: Limit,
}

fn rlim(v: libc::rlim_t) -> Limit {
    if v == libc::RLIM_INFINITY {
        Limit::Unlimited
    } else {
        Limit::Value(v)
    }
}

static RAISED: std::sync::OnceLock<OpenFiles> = std::sync::OnceLock::new();

/// What [`raise_open_files`] found and did, if it ran in this process.
pub fn raised_open_files() -> Option<OpenFiles> {
    RAISED.get().copied()
}

/// Raises this process's soft RLIMIT_NOFILE to its hard limit, so a run may hold a socket
/// per connection (and every child it starts inherits it); answers what it found and did,
/// and keeps the first answer for the machine record ([`raised_open_files`]).
pub fn raise_open_files() -> std::io::Result<OpenFiles> {
    let mut r = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes the limits into the struct it is given, nothing else.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut r) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let soft_at_start = rlim(r.rlim_cur);
    if r.rlim_cur < r.rlim_max {
        r.rlim_cur = r.rlim_max;
        // SAFETY: setrlimit reads the struct it is given; raising soft to hard needs no
        // privilege.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &r) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    let done = OpenFiles {
        soft_at_start,
        soft: rlim(r.rlim_cur),
        hard: rlim(r.rlim_max),
    };
    Ok(*RAISED.get_or_init(|| done))
}

/// The thread limits in force now on one line, for an error message.
pub fn describe_thread_limits() -> String {
    Limits::read().describe_threads()
}

/// The process limits in force now on one line, for an error message.
pub fn describe_process_limits() -> String {
    Limits::read().describe_processes()
}

#[cfg(test)]
mod tests {
    use super::{Limit, Limits};

    #[test]
    fn reads_this_machine() {
        let limits = Limits::read();
        assert!(limits.pid_max.value().unwrap() > 0);
        assert!(limits.threads_max.value().unwrap() > 0);
        assert!(limits.max_map_count.value().unwrap() > 0);
        assert_ne!(limits.max_open_files, Limit::Unknown);
        let threads = limits.describe_threads();
        assert!(threads.starts_with("kernel.threads-max="), "{threads}");
        assert!(threads.contains(", vm.max_map_count="), "{threads}");
        assert!(!threads.contains("unknown"), "{threads}");
        let processes = limits.describe_processes();
        assert!(processes.starts_with("kernel.pid_max="), "{processes}");
        assert!(processes.contains(", ulimit -n="), "{processes}");
    }

    #[test]
    fn port_ranges_parse_as_the_kernel_writes_them() {
        assert_eq!(super::port_range("32768\t60999\n"), Some((32768, 60999)));
        assert_eq!(super::port_range("1024 65535"), Some((1024, 65535)));
        assert_eq!(super::port_range("60999 32768"), None);
        assert_eq!(super::port_range("32768"), None);
        assert_eq!(super::port_range("a b"), None);
    }

    #[test]
    fn raising_open_files_ends_at_the_hard_limit() {
        let o = super::raise_open_files().expect("getrlimit works here");
        assert_eq!(o.soft, o.hard);
        assert_eq!(Limits::read().max_open_files, o.hard);
        assert!(Limits::read().somaxconn.value().is_some_and(|n| n > 0));
    }

    #[test]
    fn a_limit_prints_as_the_error_messages_expect() {
        assert_eq!(Limit::Value(65530).to_string(), "65530");
        assert_eq!(Limit::Unlimited.to_string(), "unlimited");
        assert_eq!(Limit::Unknown.to_string(), "unknown");
        assert_eq!(Limit::Unlimited.value(), None);
        assert_eq!(Limit::sysctl::<i32>(Ok(-1)), Limit::Unknown);
    }
}
