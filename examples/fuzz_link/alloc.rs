//! A global allocator that counts: the largest single allocation and the peak of live bytes since
//! the last [`reset`], so a fuzz loop (and the corpus test) can hold the link reader to its caps.

#[cfg(not(target_arch = "wasm32"))]
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

// Native only, as its users' `#[global_allocator]` (the wasm build has its own, talc).
#[cfg(not(target_arch = "wasm32"))]
pub struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static LARGEST: AtomicUsize = AtomicUsize::new(0);

/// The caps the link reader is held to: no allocation over 2 MiB, no more than 8 MiB live.
pub const ALLOCATION_MAX: usize = 2 << 20;
pub const PEAK_MAX: usize = 8 << 20;

#[cfg(not(target_arch = "wasm32"))]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Relaxed) + layout.size();
        PEAK.fetch_max(live, Relaxed);
        LARGEST.fetch_max(layout.size(), Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// Starts a measure: the peak from the bytes live now.
pub fn reset() {
    PEAK.store(LIVE.load(Relaxed), Relaxed);
    LARGEST.store(0, Relaxed);
}

/// (largest single allocation, peak live bytes above `base`) since [`reset`].
pub fn measure(base: usize) -> (usize, usize) {
    (LARGEST.load(Relaxed), PEAK.load(Relaxed).saturating_sub(base))
}

pub fn live() -> usize {
    LIVE.load(Relaxed)
}
