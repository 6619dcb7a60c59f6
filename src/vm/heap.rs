//! The guest heap: one fixed-size array of slots (the future Wasm linear
//! memory), a segregated free-list allocator over it, string interning and
//! the sweep half of the mark-sweep collector.
//!
//! The arena is reserved at its full size up front (zeroed lazily by the OS),
//! so it never moves and offsets stay valid; the configured memory limit *is*
//! the arena size. Every access is an ordinary bounds-checked slice index: a
//! corrupted offset panics inside the isolate (caught at the API boundary)
//! instead of touching host memory.

use super::guest_memory::{GuestMemory, read_split};
use super::layout::*;
use super::value::Value;

/// Block sizes (in slots) up to this are kept in exact-size free lists.
const SMALL_CLASSES: usize = 64;

/// Error returned when the arena is exhausted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfMemory;

/// The arena and its allocator.
pub struct Heap {
    /// The memory itself. Slot 0 is reserved so that offset 0 means "none".
    pub mem: GuestMemory,
    /// First never-allocated slot.
    bump: u32,
    /// Heads of exact-size free lists (slot indices; 0 = empty), by size.
    small_free: [u32; SMALL_CLASSES + 1],
    /// Head of the list of free blocks larger than `SMALL_CLASSES`.
    large_free: u32,
    /// A free run that small allocations are cut from front to back
    /// (`carve..carve_end`, empty when equal): after a collection, garbage
    /// coalesces into large runs, and without this small objects would only
    /// ever reuse blocks of their exact size and otherwise grow the heap.
    /// Cutting runs in address order also keeps new objects together. Its
    /// front always carries a free-block header, so `sweep` walks over it.
    carve: u32,
    carve_end: u32,
    /// Slots handed out and not yet swept.
    pub in_use_slots: u64,
    /// Interned short strings.
    strings: StringTable,
    /// Seed mixed into string hashes.
    seed: u32,
}

/// Slots in an arena for a memory limit of `limit_bytes` (rounded down to
/// whole slots, at least 64 KiB, at most 4 GiB since offsets are 32-bit).
pub fn arena_slots(limit_bytes: u64) -> usize {
    let bytes = limit_bytes.clamp(64 * 1024, u32::MAX as u64 & !(SLOT_BYTES as u64 - 1));
    (bytes / SLOT_BYTES as u64) as usize
}

impl Heap {
    /// Reserves an arena of `limit_bytes` (rounded down to whole slots, at
    /// least 64 KiB, at most 4 GiB since offsets are 32-bit).
    pub fn new(limit_bytes: u64) -> Heap {
        Heap::with_memory(GuestMemory::host(arena_slots(limit_bytes)))
    }

    /// A heap over `mem` (zeroed, at least 64 KiB): the linear memory of a
    /// Wasmtime store, or a host arena.
    pub fn with_memory(mem: GuestMemory) -> Heap {
        Heap {
            mem,
            bump: RESERVED_SLOTS,
            small_free: [0; SMALL_CLASSES + 1],
            large_free: 0,
            carve: 0,
            carve_end: 0,
            in_use_slots: 0,
            strings: StringTable::default(),
            seed: 0x2545_f491,
        }
    }

    /// Size of the arena in bytes (the isolate's memory limit).
    pub fn limit_bytes(&self) -> u64 {
        self.mem.len() as u64 * SLOT_BYTES as u64
    }

    /// Bytes currently allocated (live objects plus not-yet-swept garbage).
    pub fn bytes_in_use(&self) -> u64 {
        self.in_use_slots * SLOT_BYTES as u64
    }

    /// High-water mark of the arena in bytes.
    pub fn peak_bytes(&self) -> u64 {
        self.bump as u64 * SLOT_BYTES as u64
    }

    // -- raw slot access -----------------------------------------------------

    /// Reads slot `i`.
    #[inline(always)]
    pub fn slot(&self, i: usize) -> Slot {
        self.mem[i]
    }
    /// Writes slot `i`.
    #[inline(always)]
    pub fn set_slot(&mut self, i: usize, s: Slot) {
        self.mem[i] = s;
    }
    /// Reads the value at slot `i`.
    #[inline(always)]
    pub fn get(&self, i: usize) -> Value {
        Value(read_split(&self.mem[i]))
    }
    /// Writes a value at slot `i`.
    #[inline(always)]
    pub fn set(&mut self, i: usize, v: Value) {
        self.mem[i] = v.0;
    }
    /// Header word 0 of the object at slot index `i`.
    #[inline(always)]
    pub fn header(&self, i: usize) -> u64 {
        self.mem[i].lo
    }
    /// All of memory as bytes.
    #[inline]
    pub fn bytes(&self) -> &[u8] {
        bytemuck::cast_slice(&self.mem[..])
    }
    /// All of memory as mutable bytes.
    #[inline]
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        bytemuck::cast_slice_mut(&mut self.mem[..])
    }

    // -- allocation ------------------------------------------------------------

    /// Allocates a block of `n` slots (header included) and writes its header
    /// with `kind`. The rest of the block is uninitialized (stale) memory.
    pub fn alloc(&mut self, n: u32, kind: u8, aux: u16) -> Result<u32, OutOfMemory> {
        debug_assert!(n >= 1);
        let idx = self.take_block(n)?;
        self.mem[idx as usize].lo = header_lo(n, kind, 0, aux);
        self.mem[idx as usize].hi = 0;
        self.in_use_slots += n as u64;
        Ok(idx)
    }

    /// Like [`Heap::alloc`] with every slot after the header zeroed (nil).
    pub fn alloc_zeroed(&mut self, n: u32, kind: u8, aux: u16) -> Result<u32, OutOfMemory> {
        let idx = self.alloc(n, kind, aux)?;
        let start = idx as usize + 1;
        self.mem[start..idx as usize + n as usize].fill(Slot::default());
        Ok(idx)
    }

    fn take_block(&mut self, n: u32) -> Result<u32, OutOfMemory> {
        if (n as usize) <= SMALL_CLASSES {
            let head = self.small_free[n as usize];
            if head != 0 {
                self.small_free[n as usize] = self.mem[head as usize].hi as u32;
                return Ok(head);
            }
            if self.carve_end - self.carve >= n || self.refill_carve() {
                return Ok(self.cut_carve(n));
            }
        } else if self.large_free != 0
            && let Some(b) = self.take_large(n)
        {
            return Ok(b);
        }
        let end = self.bump as u64 + n as u64;
        if end > self.mem.len() as u64 {
            return Err(OutOfMemory);
        }
        let idx = self.bump;
        self.bump = end as u32;
        Ok(idx)
    }

    /// Grows block `idx` to `n` slots where it lies, when it is the last
    /// block before the never-allocated region (a table's array part that
    /// keeps doubling while nothing else is allocated): no copy, and the old
    /// and new parts never both occupy memory. False (nothing done)
    /// otherwise. The added slots are stale memory, as from `alloc`.
    pub fn grow_in_place(&mut self, idx: u32, n: u32) -> bool {
        let size = header_size(self.mem[idx as usize].lo);
        let end = idx as u64 + n as u64;
        if idx as u64 + size as u64 != self.bump as u64 || n <= size || end > self.mem.len() as u64
        {
            return false;
        }
        let lo = self.mem[idx as usize].lo;
        self.mem[idx as usize].lo = header_lo(n, header_kind(lo), header_mark(lo), header_aux(lo));
        self.bump = end as u32;
        self.in_use_slots += (n - size) as u64;
        true
    }

    /// Cuts `n` slots (no more than the carve region holds) from the front
    /// of the carve region.
    #[inline]
    fn cut_carve(&mut self, n: u32) -> u32 {
        let idx = self.carve;
        self.carve += n;
        if self.carve < self.carve_end {
            self.mem[self.carve as usize] = Slot {
                lo: header_lo(self.carve_end - self.carve, KIND_FREE, 0, 0),
                hi: 0,
            };
        }
        idx
    }

    /// Makes the first large free block the carve region, giving the rest
    /// of the old one back to a free list. False if there is none (every
    /// large block is bigger than any small request).
    fn refill_carve(&mut self) -> bool {
        let next = self.large_free;
        if next == 0 {
            return false;
        }
        if self.carve < self.carve_end {
            self.push_free(self.carve, self.carve_end - self.carve);
        }
        self.large_free = self.mem[next as usize].hi as u32;
        self.carve = next;
        self.carve_end = next + header_size(self.mem[next as usize].lo);
        true
    }

    /// First fit in the large list; splits the remainder back into a list.
    fn take_large(&mut self, n: u32) -> Option<u32> {
        let mut prev = 0u32;
        let mut cur = self.large_free;
        while cur != 0 {
            let size = header_size(self.mem[cur as usize].lo);
            let next = self.mem[cur as usize].hi as u32;
            if size >= n {
                if prev == 0 {
                    self.large_free = next;
                } else {
                    self.mem[prev as usize].hi = next as u64;
                }
                if size > n {
                    self.push_free(cur + n, size - n);
                }
                return Some(cur);
            }
            prev = cur;
            cur = next;
        }
        None
    }

    /// Puts a free block of `n` slots at `idx` on the right list.
    fn push_free(&mut self, idx: u32, n: u32) {
        let head = if (n as usize) <= SMALL_CLASSES {
            &mut self.small_free[n as usize]
        } else {
            &mut self.large_free
        };
        let old = *head;
        *head = idx;
        self.mem[idx as usize] = Slot {
            lo: header_lo(n, KIND_FREE, 0, 0),
            hi: old as u64,
        };
    }

    /// Frees a block immediately (used for buffers replaced by a resize).
    pub fn free(&mut self, idx: u32) {
        let n = header_size(self.mem[idx as usize].lo);
        self.in_use_slots = self.in_use_slots.saturating_sub(n as u64);
        self.push_free(idx, n);
    }

    // -- sweeping --------------------------------------------------------------

    /// Frees every unmarked object, clears marks on the survivors, coalesces
    /// free space and rebuilds the free lists and the string table. Buffers
    /// are freed like objects: their owners marked them when they were live.
    pub fn sweep(&mut self) {
        self.small_free = [0; SMALL_CLASSES + 1];
        self.large_free = 0;
        // The carve region is a free block like any other to the walk below.
        self.carve = 0;
        self.carve_end = 0;
        self.strings.clear_for_rebuild();
        let mut in_use = 0u64;
        let mut i = RESERVED_SLOTS;
        let mut run_start = 0u32; // start of the current free run, 0 = none
        while i < self.bump {
            let lo = self.mem[i as usize].lo;
            let size = header_size(lo).max(1);
            let live = header_kind(lo) != KIND_FREE && header_mark(lo) & MARK_BIT != 0;
            if live {
                if run_start != 0 {
                    self.push_free(run_start, i - run_start);
                    run_start = 0;
                }
                self.mem[i as usize].lo = lo & !((MARK_BIT as u64) << 40);
                in_use += size as u64;
                if header_kind(lo) == KIND_STRING && header_aux(lo) & AUX_INTERNED != 0 {
                    let hash = (self.mem[i as usize].hi >> 32) as u32;
                    self.strings.insert_known(hash, i);
                }
            } else if run_start == 0 {
                run_start = i;
            }
            i += size;
        }
        if run_start != 0 {
            // The tail is free: give it back to the bump region.
            self.bump = run_start;
        }
        self.in_use_slots = in_use;
    }

    /// Sets the mark bit of the object at slot index `i`; returns whether it
    /// was already set.
    #[inline]
    pub fn mark(&mut self, i: usize) -> bool {
        let lo = self.mem[i].lo;
        if header_mark(lo) & MARK_BIT != 0 {
            return true;
        }
        self.mem[i].lo = lo | (MARK_BIT as u64) << 40;
        false
    }

    // -- strings ---------------------------------------------------------------

    /// Hash of a byte string (sampled for long strings so hashing stays O(1)-ish).
    pub fn hash_bytes(&self, s: &[u8]) -> u32 {
        let mut h = self.seed ^ s.len() as u32;
        let step = (s.len() >> 5) + 1;
        let mut i = s.len();
        while i >= step {
            h ^= (h << 5).wrapping_add(h >> 2).wrapping_add(s[i - 1] as u32);
            i -= step;
        }
        h
    }

    /// Creates (or finds the interned copy of) a string; returns its slot index.
    pub fn new_string(&mut self, s: &[u8]) -> Result<u32, OutOfMemory> {
        let hash = self.hash_bytes(s);
        if s.len() <= MAX_SHORT_STRING {
            // Collections are stop-the-world (mark then sweep at once), so
            // an interned string found here is never half-collected.
            if let Some(idx) = self.find_interned(hash, s) {
                return Ok(idx);
            }
            let idx = self.alloc_string_block(s, hash, AUX_INTERNED)?;
            self.strings.insert(hash, idx, &self.mem);
            Ok(idx)
        } else {
            self.alloc_string_block(s, hash, 0)
        }
    }

    fn alloc_string_block(&mut self, s: &[u8], hash: u32, aux: u16) -> Result<u32, OutOfMemory> {
        let nslots = 1 + (s.len() as u32).div_ceil(SLOT_BYTES);
        let idx = self.alloc(nslots, KIND_STRING, aux)?;
        self.mem[idx as usize].hi = s.len() as u64 | (hash as u64) << 32;
        let start = (idx as usize + 1) * SLOT_BYTES as usize;
        self.bytes_mut()[start..start + s.len()].copy_from_slice(s);
        Ok(idx)
    }

    fn find_interned(&self, hash: u32, s: &[u8]) -> Option<u32> {
        self.strings
            .find(hash, |idx| self.str_bytes(idx as usize) == s)
    }

    /// Length of the string at slot index `i`.
    #[inline(always)]
    pub fn str_len(&self, i: usize) -> usize {
        self.mem[i].hi as u32 as usize
    }
    /// Hash of the string at slot index `i`.
    #[inline(always)]
    pub fn str_hash(&self, i: usize) -> u32 {
        (self.mem[i].hi >> 32) as u32
    }
    /// Whether the string at slot index `i` is interned (then identity = equality).
    #[inline(always)]
    pub fn str_is_interned(&self, i: usize) -> bool {
        header_aux(self.mem[i].lo) & AUX_INTERNED != 0
    }
    /// Bytes of the string at slot index `i`.
    #[inline]
    pub fn str_bytes(&self, i: usize) -> &[u8] {
        let len = self.str_len(i);
        let start = (i + 1) * SLOT_BYTES as usize;
        &self.bytes()[start..start + len]
    }

    /// Content equality of two strings given by slot index.
    pub fn str_eq(&self, a: usize, b: usize) -> bool {
        a == b
            || (!(self.str_is_interned(a) && self.str_is_interned(b))
                && self.str_hash(a) == self.str_hash(b)
                && self.str_bytes(a) == self.str_bytes(b))
    }
}

/// Open-addressing set of interned string slot indices.
#[derive(Default)]
struct StringTable {
    buckets: Vec<u32>,
    count: usize,
}

impl StringTable {
    fn find(&self, hash: u32, eq: impl Fn(u32) -> bool) -> Option<u32> {
        if self.buckets.is_empty() {
            return None;
        }
        let mask = self.buckets.len() - 1;
        let mut i = hash as usize & mask;
        loop {
            let e = self.buckets[i];
            if e == 0 {
                return None;
            }
            if eq(e) {
                return Some(e);
            }
            i = (i + 1) & mask;
        }
    }

    fn insert(&mut self, hash: u32, idx: u32, mem: &[Slot]) {
        if (self.count + 1) * 2 > self.buckets.len() {
            self.grow(mem);
        }
        self.insert_known(hash, idx);
    }

    fn grow(&mut self, mem: &[Slot]) {
        let new_len = (self.buckets.len() * 2).max(1024);
        let old = std::mem::replace(&mut self.buckets, vec![0; new_len]);
        self.count = 0;
        for idx in old.into_iter().filter(|&e| e != 0) {
            let hash = (mem[idx as usize].hi >> 32) as u32;
            self.insert_known(hash, idx);
        }
    }

    /// Inserts into a table known to have room: after `grow`, or while the
    /// sweep re-inserts survivors (never more than were there before).
    fn insert_known(&mut self, hash: u32, idx: u32) {
        let mask = self.buckets.len() - 1;
        let mut i = hash as usize & mask;
        while self.buckets[i] != 0 {
            i = (i + 1) & mask;
        }
        self.buckets[i] = idx;
        self.count += 1;
    }

    fn clear_for_rebuild(&mut self) {
        self.buckets.fill(0);
        self.count = 0;
    }
}
