//! The bytes of an isolate's guest memory, seen as 16-byte slots.
//!
//! There is exactly one copy of the guest heap (DESIGN decision 1). It is
//! either an arena the host allocated (tier 0 only: no native engine, JIT
//! off) or the linear memory of the isolate's Wasmtime `Store`, which
//! compiled code reads and writes directly. Both look the same to the
//! interpreter: a `[Slot]` that never moves and never changes size.
//!
//! This module owns the only `unsafe` code that touches guest memory: turning
//! the base pointer of a Wasm linear memory into a slice. Every access through
//! the slice is bounds-checked like any Rust slice access; the host never
//! dereferences an offset it read from guest memory without that check.

use std::ptr::NonNull;

use super::layout::Slot;

/// Where the bytes live.
enum Backing {
    /// Allocated by us; freed on drop (from `Box<[Slot]>::into_raw`).
    Host,
    /// A Wasmtime linear memory owned by the `Store` that also owns the VM
    /// holding this view (see [`GuestMemory::from_wasm`]).
    Wasm,
}

/// A fixed-size, never-moving array of slots (the guest heap's memory).
pub struct GuestMemory {
    ptr: NonNull<Slot>,
    len: usize,
    backing: Backing,
}

impl GuestMemory {
    /// A zeroed host-allocated arena of `slots` slots. The pages are only
    /// touched (committed) as the heap grows into them.
    pub fn host(slots: usize) -> GuestMemory {
        let boxed: Box<[Slot]> = bytemuck::zeroed_slice_box(slots);
        let len = boxed.len();
        let raw = Box::into_raw(boxed) as *mut Slot;
        GuestMemory {
            // `Box::into_raw` never returns null.
            ptr: NonNull::new(raw).unwrap_or(NonNull::dangling()),
            len,
            backing: Backing::Host,
        }
    }

    /// A view of a Wasm linear memory of `bytes` bytes at `base`.
    ///
    /// # Safety
    ///
    /// The caller guarantees that
    /// - `base` is the base of a linear memory of at least `bytes` bytes,
    ///   aligned for `Slot` (8 bytes), that never moves or shrinks (Wasmtime memories
    ///   created with `memory_may_move(false)` and minimum = maximum size);
    /// - the view lives inside the data of the `Store` that owns the memory,
    ///   and is never moved out of it (so it cannot outlive the memory);
    /// - nothing else accesses the memory while a slice produced by this view
    ///   is alive: Wasm code runs only through a `&mut` borrow of the store,
    ///   which the borrow checker forbids while such a slice exists, and the
    ///   store is used by one thread at a time.
    pub(crate) unsafe fn from_wasm(base: *mut u8, bytes: usize) -> Option<GuestMemory> {
        let ptr = NonNull::new(base as *mut Slot)?;
        if !(base as usize).is_multiple_of(std::mem::align_of::<Slot>()) {
            return None;
        }
        Some(GuestMemory {
            ptr,
            len: bytes / std::mem::size_of::<Slot>(),
            backing: Backing::Wasm,
        })
    }

    /// Whether this is the linear memory of a Wasmtime store.
    pub fn is_wasm(&self) -> bool {
        matches!(self.backing, Backing::Wasm)
    }

    /// Address of slot 0 (to check that a store's memory is this one).
    pub(crate) fn base_address(&self) -> usize {
        self.ptr.as_ptr() as usize
    }
}

impl std::ops::Deref for GuestMemory {
    type Target = [Slot];
    #[inline(always)]
    fn deref(&self) -> &[Slot] {
        // SAFETY: `ptr`/`len` describe live, initialized (zeroed or written)
        // memory for as long as `self` exists: a leaked box we free only in
        // `drop`, or a Wasm memory under the contract of `from_wasm`. `Slot`
        // is plain old data, so every bit pattern is a valid value.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl std::ops::DerefMut for GuestMemory {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut [Slot] {
        // SAFETY: as in `deref`; `&mut self` makes this the only slice alive
        // (see the aliasing contract of `from_wasm`).
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for GuestMemory {
    fn drop(&mut self) {
        if let Backing::Host = self.backing {
            let slice = std::ptr::slice_from_raw_parts_mut(self.ptr.as_ptr(), self.len);
            // SAFETY: this is the pointer and length `Box::into_raw` returned
            // in `host`, and it is freed exactly once.
            drop(unsafe { Box::from_raw(slice) });
        }
    }
}

/// Reads slot `s` as two separate 8-byte loads, never one 16-byte load.
///
/// Why: most slot writes are two 8-byte stores (a payload and a tag computed
/// in general registers). A 16-byte load of such a slot shortly after the
/// stores cannot be served by store forwarding on x86 and waits ~15 cycles
/// for them to retire — on calls and returns (frame records, returned
/// values) that was a fifth of the interpreter's time in `fib`. LLVM merges
/// two adjacent plain loads that feed a whole-slot copy into one vector
/// load; volatile loads are never merged.
#[inline(always)]
pub(crate) fn read_split(s: &Slot) -> Slot {
    // SAFETY: both pointers come from a live reference to an aligned,
    // initialized `Slot`; `u64` has no invalid bit patterns.
    unsafe {
        Slot {
            lo: std::ptr::read_volatile(&s.lo),
            hi: std::ptr::read_volatile(&s.hi),
        }
    }
}
