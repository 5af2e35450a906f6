//! A counting global allocator, switched on only by the memory pass: heap bytes per idle
//! unit. Off, it costs one relaxed load per allocation; on, every allocation also updates
//! a shared counter (which slows allocation several-fold, so timed runs never enable it).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

static ENABLED: AtomicBool = AtomicBool::new(false);
static NET_BYTES: AtomicI64 = AtomicI64::new(0);

/// The global allocator: the system allocator, counting net bytes while the memory pass parks units.
pub struct CountingAlloc;

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

// SAFETY: every call is forwarded unchanged to the system allocator; counting only reads
// the layout's size.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as i64);
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as i64);
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-(layout.size() as i64));
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size as i64 - layout.size() as i64);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[inline]
fn count(delta: i64) {
    if ENABLED.load(Ordering::Relaxed) {
        NET_BYTES.fetch_add(delta, Ordering::Relaxed);
    }
}

/// Starts counting (from zero) heap bytes allocated and not yet freed.
pub fn start_counting() {
    NET_BYTES.store(0, Ordering::SeqCst);
    ENABLED.store(true, Ordering::SeqCst);
}

/// Net heap bytes since `start_counting`.
pub fn counted_bytes() -> i64 {
    NET_BYTES.load(Ordering::SeqCst)
}

/// Stops counting.
pub fn stop_counting() {
    ENABLED.store(false, Ordering::SeqCst);
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_what_is_held() {
        const BIG: i64 = 64 << 20;
        super::start_counting();
        let before = super::counted_bytes();
        let v: Vec<u8> = Vec::with_capacity(BIG as usize);
        let held = super::counted_bytes() - before;
        drop(v);
        let after_free = super::counted_bytes() - before;
        super::stop_counting();
        // Other test threads allocate and free meanwhile; allow them a few MiB either way.
        let slack = 4 << 20;
        assert!((BIG - slack..=BIG + slack).contains(&held), "{held}");
        assert!(after_free.abs() < slack, "{after_free}");
    }
}
