//! Which CPUs a thread may run on, and pinning it to some of them (sched_getaffinity,
//! sched_setaffinity on the calling thread: threads it starts afterwards inherit the set,
//! so pinning before a runtime starts pins every thread the runtime starts).

use std::io;

/// Why the CPUs could not be read or set.
#[derive(Debug, thiserror::Error)]
pub enum AffinityError {
    /// sched_getaffinity failed.
    #[error("could not read the CPUs this thread may run on: {0}")]
    Read(#[source] io::Error),
    /// The CPU asked for is not one this thread may run on.
    #[error("cannot pin to CPU {cpu}: not allowed (allowed CPUs: {allowed:?})")]
    NotAllowed {
        /// The CPU asked for.
        cpu: usize,
        /// The CPUs this thread may run on.
        allowed: Vec<usize>,
    },
    /// The OS gave no CPU at all.
    #[error("the OS names no CPU this thread may run on")]
    NoCpu,
    /// sched_setaffinity failed.
    #[error("could not pin to CPUs {cpus:?}: {source}")]
    Set {
        /// The CPUs asked for.
        cpus: Vec<usize>,
        /// What the OS said.
        #[source]
        source: io::Error,
    },
}

/// The CPUs the calling thread may run on, in ascending order.
pub fn allowed_cpus() -> Result<Vec<usize>, AffinityError> {
    // SAFETY: a zeroed cpu_set_t is an empty set, filled by sched_getaffinity.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    let size = std::mem::size_of::<libc::cpu_set_t>();
    // SAFETY: `set` is a valid cpu_set_t of `size` bytes; 0 is this thread.
    if unsafe { libc::sched_getaffinity(0, size, &mut set) } != 0 {
        return Err(AffinityError::Read(io::Error::last_os_error()));
    }
    // SAFETY: CPU_ISSET reads the set filled above, below CPU_SETSIZE.
    Ok((0..libc::CPU_SETSIZE as usize)
        .filter(|&c| unsafe { libc::CPU_ISSET(c, &set) })
        .collect())
}

/// Restricts the calling thread (and the threads it starts from now on) to `cpus`.
pub fn pin(cpus: &[usize]) -> Result<(), AffinityError> {
    let set_error = |source| AffinityError::Set {
        cpus: cpus.to_vec(),
        source,
    };
    // SAFETY: a zeroed cpu_set_t is an empty set.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    for &c in cpus {
        if c >= libc::CPU_SETSIZE as usize {
            return Err(set_error(io::Error::from_raw_os_error(libc::EINVAL)));
        }
        // SAFETY: `c` is below CPU_SETSIZE, checked above.
        unsafe { libc::CPU_SET(c, &mut set) };
    }
    let size = std::mem::size_of::<libc::cpu_set_t>();
    // SAFETY: `set` is a valid cpu_set_t of `size` bytes; 0 is this thread.
    if unsafe { libc::sched_setaffinity(0, size, &set) } != 0 {
        return Err(set_error(io::Error::last_os_error()));
    }
    Ok(())
}

/// Pins the calling thread to the one CPU `cpu`, refused with the allowed list when this
/// thread may not run there.
pub fn pin_to(cpu: usize) -> Result<(), AffinityError> {
    let allowed = allowed_cpus()?;
    if !allowed.contains(&cpu) {
        return Err(AffinityError::NotAllowed { cpu, allowed });
    }
    pin(&[cpu])
}

/// The first CPU the calling thread may run on.
pub fn first_allowed() -> Result<usize, AffinityError> {
    allowed_cpus()?.first().copied().ok_or(AffinityError::NoCpu)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinning_to_an_allowed_cpu_narrows_the_set_and_a_stranger_is_named() {
        std::thread::spawn(|| {
            let cpu = first_allowed().unwrap();
            pin_to(cpu).unwrap();
            assert_eq!(allowed_cpus().unwrap(), [cpu]);
            let other = cpu + 1;
            let err = pin_to(other).unwrap_err().to_string();
            assert!(err.contains(&format!("CPU {other}")), "{err}");
            assert!(err.contains(&format!("[{cpu}]")), "{err}");
        })
        .join()
        .unwrap();
    }
}
