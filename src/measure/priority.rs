//! Giving the calling thread the CPU first: the real-time policy SCHED_FIFO at its lowest
//! priority, for a thread that must keep a schedule (the load generator) while a process it
//! measures shares its CPUs. Needs CAP_SYS_NICE (root has it) or an RLIMIT_RTPRIO above 0;
//! the kernel's real-time throttling (sched_rt_runtime_us, 95% by default) still leaves the
//! other threads a share of every CPU.

use std::io;

/// The real-time priority taken: the lowest, above every ordinary thread.
pub const FIFO_PRIORITY: i32 = 1;

/// The calling thread under SCHED_FIFO until dropped, when its earlier policy and
/// priority come back. Threads started meanwhile inherit the policy, so start none.
#[derive(Debug)]
pub struct RealtimeGuard {
    policy: i32,
    priority: i32,
}

impl RealtimeGuard {
    /// Puts the calling thread under SCHED_FIFO at [`FIFO_PRIORITY`]; the OS's refusal
    /// (EPERM without the right) as the error.
    pub fn enter() -> io::Result<RealtimeGuard> {
        // SAFETY: 0 is the calling thread; sched_param is a plain C struct we own.
        let (policy, priority) = unsafe {
            let policy = libc::sched_getscheduler(0);
            if policy < 0 {
                return Err(io::Error::last_os_error());
            }
            let mut param: libc::sched_param = std::mem::zeroed();
            if libc::sched_getparam(0, &mut param) != 0 {
                return Err(io::Error::last_os_error());
            }
            (policy, param.sched_priority)
        };
        set(libc::SCHED_FIFO, FIFO_PRIORITY)?;
        Ok(RealtimeGuard { policy, priority })
    }
}

impl Drop for RealtimeGuard {
    fn drop(&mut self) {
        let _ = set(self.policy, self.priority);
    }
}

fn set(policy: i32, priority: i32) -> io::Result<()> {
    // SAFETY: as above; the kernel checks policy and priority.
    let rc = unsafe {
        let mut param: libc::sched_param = std::mem::zeroed();
        param.sched_priority = priority;
        libc::sched_setscheduler(0, policy, &param)
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}
