//! A counting semaphore for OS threads (std has none): the `threading.Semaphore` of the
//! notes, used by the thread-per-task runtime under `semaphore:N`.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// A counting semaphore threads block on.
#[derive(Debug)]
pub struct BlockingSemaphore {
    permits: Mutex<usize>,
    freed: Condvar,
}

impl BlockingSemaphore {
    /// A semaphore with `permits` free permits.
    pub fn new(permits: usize) -> Self {
        Self {
            permits: Mutex::new(permits),
            freed: Condvar::new(),
        }
    }

    /// Blocks until a permit is free; the permit returns when the guard drops.
    pub fn acquire(&self) -> Permit<'_> {
        let mut free = self.lock();
        while *free == 0 {
            free = self
                .freed
                .wait(free)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *free -= 1;
        Permit(self)
    }

    fn lock(&self) -> MutexGuard<'_, usize> {
        // A panicking task cannot leave the count inconsistent: it only holds the lock
        // for an increment or a decrement.
        self.permits.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

pub struct Permit<'a>(&'a BlockingSemaphore);

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        *self.0.lock() += 1;
        self.0.freed.notify_one();
    }
}
