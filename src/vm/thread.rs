//! Coroutine objects, their value stacks and call-frame records in guest
//! memory, and the Rust-side cache of the running coroutine's hot fields.
//!
//! Thread object (4 slots, all pointers are byte offsets):
//! ```text
//! slot0 header   hi = status:u8 | aux id:u32 << 32
//! slot1          lo = stack (first slot) | stack size << 32
//!                hi = top (stack index) | open upvalue list head << 32
//! slot2          lo = frames (first slot) | frame capacity << 32
//!                hi = frame count | resumer thread << 32
//! slot3          reserved
//! ```
//! A frame record is two slots ([`Frame`]); stack positions inside frames are
//! indices relative to the stack start, so growing (moving) a stack only
//! needs open upvalues fixed up.

use super::guest_memory::read_split;
use super::heap::{Heap, OutOfMemory};
use super::layout::*;

/// Lua's `LUAI_MAXSTACK`: a coroutine's stack never exceeds this many slots.
pub const MAX_STACK: u32 = 1_000_000;
/// Extra room kept for error handling once the stack limit is hit.
pub const ERROR_STACK_EXTRA: u32 = 200;
/// Free slots guaranteed to a native function (Lua's `LUA_MINSTACK`).
pub const MIN_STACK: u32 = 20;

/// Coroutine status values (`coroutine.status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Status {
    /// Created, or yielded: can be resumed.
    Suspended = 0,
    /// Currently executing.
    Running = 1,
    /// Resumed another coroutine.
    Normal = 2,
    /// Finished or failed.
    Dead = 3,
}

/// Frame flag: a Lua function frame.
pub const FRAME_LUA: u32 = 1;
/// Frame flag: a native function frame.
pub const FRAME_NATIVE: u32 = 2;
/// Frame flag: a `pcall` boundary (native frame finished by the interpreter).
pub const FRAME_PCALL: u32 = 8;
/// Frame flag: an `xpcall` boundary; `extra` holds the handler's stack index.
pub const FRAME_XPCALL: u32 = 16;
/// Frame flag: the function was entered through a tail call.
pub const FRAME_TAIL: u32 = 32;
/// Frame flag: a Lua frame stopped inside an instruction by a metamethod
/// call that yielded; the instruction is completed on resume.
pub const FRAME_INTERRUPTED: u32 = 64;

/// A call-frame record, as stored in guest memory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Frame {
    /// Stack index of the called function; registers start at `func + 1`.
    pub func: u32,
    /// Stack index one past the frame's last usable slot.
    pub top: u32,
    /// Next instruction to execute (Lua frames), saved across calls and errors.
    pub saved_pc: u32,
    /// Number of results the caller wants (-1 = all).
    pub nresults: i32,
    /// `FRAME_*` flags.
    pub flags: u32,
    /// Vararg functions: number of extra arguments; xpcall: handler index.
    pub extra: u32,
    /// Proto id (Lua frames) or native id (native frames).
    pub id: u32,
}

impl Frame {
    #[inline(always)]
    pub(crate) fn load(mem: &[Slot], at: usize) -> Frame {
        // Split loads: frames are read right after `set_saved_pc` and
        // `store` wrote them word by word (see `read_split`).
        let s0 = read_split(&mem[at]);
        let s1 = read_split(&mem[at + 1]);
        Frame {
            func: s0.lo as u32,
            top: (s0.lo >> 32) as u32,
            saved_pc: s0.hi as u32,
            nresults: (s0.hi >> 32) as i32,
            flags: s1.lo as u32,
            extra: (s1.lo >> 32) as u32,
            id: s1.hi as u32,
        }
    }
    #[inline(always)]
    pub(crate) fn store(&self, mem: &mut [Slot], at: usize) {
        mem[at] = Slot {
            lo: self.func as u64 | (self.top as u64) << 32,
            hi: self.saved_pc as u64 | (self.nresults as u32 as u64) << 32,
        };
        mem[at + 1] = Slot {
            lo: self.flags as u64 | (self.extra as u64) << 32,
            hi: self.id as u64,
        };
    }
}

// Byte offsets of the fields of a frame record, for compiled code (checked
// against `Frame::store` by a test).
/// Size of a frame record in bytes.
pub const FRAME_BYTES: u32 = FRAME_SLOTS * SLOT_BYTES;
/// `func` (`u32`).
pub const FRAME_FUNC_BYTE: u32 = 0;
/// `top` (`u32`).
pub const FRAME_TOP_BYTE: u32 = 4;
/// `saved_pc` (`u32`).
pub const FRAME_SAVED_PC_BYTE: u32 = 8;
/// `nresults` (`i32`).
pub const FRAME_NRESULTS_BYTE: u32 = 12;
/// `flags` (`u32`).
pub const FRAME_FLAGS_BYTE: u32 = 16;
/// `extra` (`u32`).
pub const FRAME_EXTRA_BYTE: u32 = 20;
/// `id` (`u32`; the upper half of its word is zero).
pub const FRAME_ID_BYTE: u32 = 24;

/// Creates a thread object with an initial stack; returns its slot index.
pub fn new_thread(h: &mut Heap, stack_slots: u32, frame_cap: u32) -> Result<usize, OutOfMemory> {
    let t = h.alloc(THREAD_SLOTS, KIND_THREAD, 0)? as usize;
    for i in 1..THREAD_SLOTS as usize {
        h.mem[t + i] = Slot::default();
    }
    let stack = h.alloc_zeroed(1 + stack_slots, KIND_BUFFER, 0)?;
    let frames = h.alloc_zeroed(1 + frame_cap * FRAME_SLOTS, KIND_BUFFER, 0)?;
    h.mem[t + 1].lo = slot_offset(stack + 1) as u64 | (stack_slots as u64) << 32;
    h.mem[t + 2].lo = slot_offset(frames + 1) as u64 | (frame_cap as u64) << 32;
    Ok(t)
}

/// Accessors for thread object fields (slot index `t`).
pub mod fields {
    use super::*;

    /// Slot index of stack[0].
    #[inline(always)]
    pub fn stack(h: &Heap, t: usize) -> usize {
        slot_index(h.mem[t + 1].lo as u32)
    }
    /// Stack size in slots.
    #[inline(always)]
    pub fn stack_size(h: &Heap, t: usize) -> u32 {
        (h.mem[t + 1].lo >> 32) as u32
    }
    /// Sets the stack buffer and size.
    pub fn set_stack(h: &mut Heap, t: usize, first_slot: usize, size: u32) {
        h.mem[t + 1].lo = slot_offset(first_slot as u32) as u64 | (size as u64) << 32;
    }
    /// Top (stack index).
    #[inline(always)]
    pub fn top(h: &Heap, t: usize) -> u32 {
        h.mem[t + 1].hi as u32
    }
    /// Sets top.
    #[inline(always)]
    pub fn set_top(h: &mut Heap, t: usize, top: u32) {
        let hi = h.mem[t + 1].hi;
        h.mem[t + 1].hi = (hi & !0xffff_ffff) | top as u64;
    }
    /// Head of the open-upvalue list (byte offset, 0 = empty).
    #[inline(always)]
    pub fn open_upvals(h: &Heap, t: usize) -> u32 {
        (h.mem[t + 1].hi >> 32) as u32
    }
    /// Sets the open-upvalue list head.
    #[inline(always)]
    pub fn set_open_upvals(h: &mut Heap, t: usize, off: u32) {
        let hi = h.mem[t + 1].hi;
        h.mem[t + 1].hi = (hi & 0xffff_ffff) | (off as u64) << 32;
    }
    /// Slot index of frame record 0.
    #[inline(always)]
    pub fn frames(h: &Heap, t: usize) -> usize {
        slot_index(h.mem[t + 2].lo as u32)
    }
    /// Frame capacity.
    #[inline(always)]
    pub fn frame_cap(h: &Heap, t: usize) -> u32 {
        (h.mem[t + 2].lo >> 32) as u32
    }
    /// Sets the frame buffer and capacity.
    pub fn set_frames(h: &mut Heap, t: usize, first_slot: usize, cap: u32) {
        h.mem[t + 2].lo = slot_offset(first_slot as u32) as u64 | (cap as u64) << 32;
    }
    /// Number of active frames.
    #[inline(always)]
    pub fn frame_count(h: &Heap, t: usize) -> u32 {
        h.mem[t + 2].hi as u32
    }
    /// Sets the number of active frames.
    #[inline(always)]
    pub fn set_frame_count(h: &mut Heap, t: usize, n: u32) {
        let hi = h.mem[t + 2].hi;
        h.mem[t + 2].hi = (hi & !0xffff_ffff) | n as u64;
    }
    /// Status.
    pub fn status(h: &Heap, t: usize) -> Status {
        match h.mem[t].hi as u8 {
            0 => Status::Suspended,
            1 => Status::Running,
            2 => Status::Normal,
            _ => Status::Dead,
        }
    }
    /// Sets the status.
    pub fn set_status(h: &mut Heap, t: usize, s: Status) {
        let hi = h.mem[t].hi;
        h.mem[t].hi = (hi & !0xff) | s as u64;
    }
    /// Thread that resumed this one (byte offset, 0 = none).
    pub fn resumer(h: &Heap, t: usize) -> u32 {
        (h.mem[t + 2].hi >> 32) as u32
    }
    /// Sets the resumer.
    pub fn set_resumer(h: &mut Heap, t: usize, off: u32) {
        let hi = h.mem[t + 2].hi;
        h.mem[t + 2].hi = (hi & 0xffff_ffff) | (off as u64) << 32;
    }
    /// Id of the Rust-side auxiliary record (to-be-closed lists).
    pub fn aux_id(h: &Heap, t: usize) -> u32 {
        (h.mem[t].hi >> 32) as u32
    }
    /// Sets the auxiliary record id.
    pub fn set_aux_id(h: &mut Heap, t: usize, id: u32) {
        let hi = h.mem[t].hi;
        h.mem[t].hi = (hi & 0xffff_ffff) | (id as u64) << 32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte offsets compiled code uses agree with `Frame::store`.
    #[test]
    fn frame_field_offsets_match_the_record() {
        let f = Frame {
            func: 0x1111_1111,
            top: 0x2222_2222,
            saved_pc: 0x3333_3333,
            nresults: -2,
            flags: 0x4444_4444,
            extra: 0x5555_5555,
            id: 0x6666_6666,
        };
        let mut mem = [Slot::default(); FRAME_SLOTS as usize];
        f.store(&mut mem, 0);
        let word = |byte: u32| {
            let s = mem[(byte / SLOT_BYTES) as usize];
            let w = if byte % SLOT_BYTES < 8 { s.lo } else { s.hi };
            (w >> (8 * (byte % 8))) as u32
        };
        assert_eq!(word(FRAME_FUNC_BYTE), f.func);
        assert_eq!(word(FRAME_TOP_BYTE), f.top);
        assert_eq!(word(FRAME_SAVED_PC_BYTE), f.saved_pc);
        assert_eq!(word(FRAME_NRESULTS_BYTE) as i32, f.nresults);
        assert_eq!(word(FRAME_FLAGS_BYTE), f.flags);
        assert_eq!(word(FRAME_EXTRA_BYTE), f.extra);
        assert_eq!(word(FRAME_ID_BYTE), f.id);
        assert_eq!(word(FRAME_ID_BYTE + 4), 0);
        assert_eq!(FRAME_BYTES, 32);
    }
}
