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
            max_open_files: soft(|l| l.max_open_files),
            stack_size_bytes: soft(|l| l.max_stack_size),
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
    fn a_limit_prints_as_the_error_messages_expect() {
        assert_eq!(Limit::Value(65530).to_string(), "65530");
        assert_eq!(Limit::Unlimited.to_string(), "unlimited");
        assert_eq!(Limit::Unknown.to_string(), "unknown");
        assert_eq!(Limit::Unlimited.value(), None);
        assert_eq!(Limit::sysctl::<i32>(Ok(-1)), Limit::Unknown);
    }
}
