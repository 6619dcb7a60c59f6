//! Guest memory layout: the single source of truth for value tags, object
//! headers and field offsets.
//!
//! The guest heap is one array of 16-byte [`Slot`]s (the future Wasm linear
//! memory). Addresses are 32-bit **byte offsets**; every heap object starts on
//! a slot boundary and begins with a one-slot header. The interpreter, the
//! garbage collector and (later) the Wasm code generators all read these
//! constants; nothing else may hard-code a layout number.
//!
//! ```text
//! value slot:    lo = payload (i64 | f64 bits | object offset | bool | native id)
//!                hi = tag (0..=255; the upper 56 bits are always zero)
//! header slot:   lo = [ size_in_slots:u32 | kind:u8 | mark:u8 | aux:u16 ]
//!                hi = kind-specific
//! ```

use bytemuck::{Pod, Zeroable};

/// One 16-byte cell of guest memory: a value, an object header or raw bytes.
///
/// Aligned to 8, not 16, on purpose: a two-`u64` struct with its natural
/// alignment is a scalar pair to rustc, passed and returned in two
/// registers. With `align(16)` every out-of-line function returning a
/// `Value` (table reads) returned it through memory, written as two 8-byte
/// stores and read back as one 16-byte load, which store forwarding cannot
/// serve (measured: a third of the time of a table-read loop). Guest memory
/// itself is page-aligned either way.
#[derive(Clone, Copy, Pod, Zeroable, PartialEq, Eq, Debug, Default)]
#[repr(C)]
pub struct Slot {
    /// Payload (values) or header word 0.
    pub lo: u64,
    /// Tag (values) or header word 1.
    pub hi: u64,
}

/// Size of a slot in bytes.
pub const SLOT_BYTES: u32 = 16;

// ---------------------------------------------------------------------------
// Value tags. Order matters: `tag <= TAG_FALSE` is "falsy", and numbers are
// the two consecutive tags INT, FLOAT.

/// `nil`.
pub const TAG_NIL: u64 = 0;
/// `false`.
pub const TAG_FALSE: u64 = 1;
/// `true`.
pub const TAG_TRUE: u64 = 2;
/// Integer; payload is the `i64`.
pub const TAG_INT: u64 = 3;
/// Float; payload is the `f64` bit pattern.
pub const TAG_FLOAT: u64 = 4;
/// String; payload is the object offset.
pub const TAG_STR: u64 = 5;
/// Table; payload is the object offset.
pub const TAG_TABLE: u64 = 6;
/// Lua closure; payload is the object offset.
pub const TAG_LFUNC: u64 = 7;
/// Native function without upvalues; payload is its index in the native registry.
pub const TAG_NFUNC: u64 = 8;
/// Native closure with upvalues; payload is the object offset.
pub const TAG_NCLOSURE: u64 = 9;
/// Coroutine; payload is the object offset.
pub const TAG_THREAD: u64 = 10;
/// Light userdata; payload is an opaque 64-bit value.
pub const TAG_LIGHTUD: u64 = 11;
/// Full userdata; payload is the object offset.
pub const TAG_USERDATA: u64 = 12;
/// Number of value tags.
pub const TAG_COUNT: u64 = 13;

/// Whether values with `tag` carry a heap reference in their payload.
#[inline(always)]
pub const fn tag_is_collectable(tag: u64) -> bool {
    matches!(
        tag,
        TAG_STR | TAG_TABLE | TAG_LFUNC | TAG_NCLOSURE | TAG_THREAD
    )
}

// ---------------------------------------------------------------------------
// Object kinds (header byte 4).

/// A free block (owned by the allocator).
pub const KIND_FREE: u8 = 0;
/// String: `hi = len:u32 | hash:u32`; bytes follow the header.
pub const KIND_STRING: u8 = 1;
/// Table: see the `TABLE_*` constants.
pub const KIND_TABLE: u8 = 2;
/// Lua closure: `hi = proto_id:u32 | nupvals:u32`; upvalue offsets (u32) follow, 4 per slot.
pub const KIND_LCLOSURE: u8 = 3;
/// Native closure: `hi = native_id:u32 | nupvals:u32`; upvalue values (slots) follow.
pub const KIND_NCLOSURE: u8 = 4;
/// Upvalue: `hi = location:u32 | next_open:u32`; slot 1 holds the value once closed.
pub const KIND_UPVAL: u8 = 5;
/// Coroutine: see the `THREAD_*` constants.
pub const KIND_THREAD: u8 = 6;
/// A raw buffer owned by another object (table array/hash parts, stacks, call
/// frames). Marked and freed through its owner.
pub const KIND_BUFFER: u8 = 7;
/// Full userdata: header `hi` = metatable offset; slot 1 `lo` = a 64-bit
/// host value (e.g. a handle id into Rust-side state).
pub const KIND_USERDATA: u8 = 8;

/// Header bit set while an object is reachable during a collection.
pub const MARK_BIT: u8 = 1;
/// Header bit: a string is interned (short strings).
pub const AUX_INTERNED: u16 = 1;

/// Builds header word 0.
#[inline(always)]
pub const fn header_lo(size_slots: u32, kind: u8, mark: u8, aux: u16) -> u64 {
    size_slots as u64 | (kind as u64) << 32 | (mark as u64) << 40 | (aux as u64) << 48
}
/// Size in slots from header word 0.
#[inline(always)]
pub const fn header_size(lo: u64) -> u32 {
    lo as u32
}
/// Kind from header word 0.
#[inline(always)]
pub const fn header_kind(lo: u64) -> u8 {
    (lo >> 32) as u8
}
/// Mark bits from header word 0.
#[inline(always)]
pub const fn header_mark(lo: u64) -> u8 {
    (lo >> 40) as u8
}
/// Auxiliary bits from header word 0.
#[inline(always)]
pub const fn header_aux(lo: u64) -> u16 {
    (lo >> 48) as u16
}

// ---------------------------------------------------------------------------
// Strings: [header][bytes...], hi = len | hash << 32.

/// Strings up to this many bytes are interned.
pub const MAX_SHORT_STRING: usize = crate::bytecode::MAX_SHORT_STRING;

// ---------------------------------------------------------------------------
// Tables: two slots.
//   slot 0 (header): lo = size | kind | mark | flags:u8 (bits 48..56) | lsizenode:u8 (bits 56..64)
//                    hi = metatable offset:u32 | unused:u32
//   slot 1:          lo = array offset:u32 (first element, not the buffer header) | asize:u32
//                    hi = node offset:u32 (first node) | lastfree index:u32
// A hash node is two slots: [value slot][key payload, key tag:u8 | next:i32 << 32].

/// Size of a table object in slots.
pub const TABLE_SLOTS: u32 = 2;
/// Byte offset, within a table, of the array part's address (`u32`, the
/// first element).
pub const TABLE_ARRAY_BYTE: u32 = SLOT_BYTES;
/// Byte offset, within a table, of the array part's size (`u32`, elements).
pub const TABLE_ASIZE_BYTE: u32 = SLOT_BYTES + 4;
/// Byte offset, within a table, of its metatable's address (`u32`, 0 = none).
pub const TABLE_METATABLE_BYTE: u32 = 8;
/// Byte offset, within a table, of the metamethod-absence byte (bit `e` set:
/// event `e` of `crate::vm::Tm` is known to be absent).
pub const TABLE_TM_FLAGS_BYTE: u32 = 6;
/// Byte offset, within a table, of `log2` of the node count (`u8`).
pub const TABLE_LSIZENODE_BYTE: u32 = 7;
/// Byte offset, within a table, of the first hash node's address (`u32`,
/// 0 = no hash part).
pub const TABLE_NODES_BYTE: u32 = SLOT_BYTES + 8;
/// Size of a hash node in slots.
pub const NODE_SLOTS: u32 = 2;
/// Size of a hash node in bytes.
pub const NODE_BYTES: u32 = NODE_SLOTS * SLOT_BYTES;
/// Byte offset, within a node, of the key's payload (the value is at 0).
pub const NODE_KEY_BYTE: u32 = SLOT_BYTES;
/// Byte offset, within a node, of the key's tag (`u8`).
pub const NODE_KEY_TAG_BYTE: u32 = SLOT_BYTES + 8;
/// Byte offset, within a node, of the `i32` distance to the next node of
/// its chain (0 = end of chain).
pub const NODE_NEXT_BYTE: u32 = SLOT_BYTES + 12;
/// Byte offset, within a string, of its length in bytes (`u32`, header `hi`).
pub const STRING_LEN_BYTE: u32 = 8;
/// Byte offset, within a string, of its hash (`u32`, header `hi` >> 32).
pub const STRING_HASH_BYTE: u32 = 12;

// ---------------------------------------------------------------------------
// Upvalues: two slots; header hi = location (byte offset of the value slot) | next open upvalue.

/// Size of an upvalue object in slots.
pub const UPVAL_SLOTS: u32 = 2;
/// Byte offset, within a Lua closure, of its proto id (`u32`, header `hi`).
pub const LCLOSURE_PROTO_ID_BYTE: u32 = 8;
/// Byte offset, within a Lua closure, of the first upvalue word: after the
/// header slot, upvalue `i`'s object offset is the `u32` at
/// `LCLOSURE_UPVALS_BYTE + 4 * i` (four words per slot, little-endian).
pub const LCLOSURE_UPVALS_BYTE: u32 = SLOT_BYTES;
/// Byte offset, within an upvalue object, of the `u32` location of its value
/// (a stack slot while open, the object's own slot 1 once closed).
pub const UPVAL_LOCATION_BYTE: u32 = 8;

// ---------------------------------------------------------------------------
// Coroutines: four slots.
//   slot 0 header: hi = stack buffer offset (first slot) | stack size in slots
//   slot 1: lo = top (stack index) | status:u8 | nny... ; hi = call-frame buffer offset | frame capacity
//   slot 2: lo = frame count | open upvalue list head ; hi = error-handler / misc
//   slot 3: lo = resumer thread (offset) ; hi = reserved
// Frames ([`Frame`]) are two slots each, in a separate buffer.

/// Size of a coroutine object in slots.
pub const THREAD_SLOTS: u32 = 4;
/// Size of one call frame record in slots.
pub const FRAME_SLOTS: u32 = 2;

/// Byte offset of slot index `i`.
#[inline(always)]
pub const fn slot_offset(i: u32) -> u32 {
    i * SLOT_BYTES
}
/// Slot index of byte offset `off` (which must be slot-aligned).
#[inline(always)]
pub const fn slot_index(off: u32) -> usize {
    (off / SLOT_BYTES) as usize
}

// ---------------------------------------------------------------------------
// Reserved slots: the first slots of guest memory are never handed out.

/// Slots at the start of guest memory the heap never allocates: the runtime
/// block compiled code shares with the host (`crate::codegen`), and slot
/// offset 0, which doubles as "no object".
pub const RESERVED_SLOTS: u32 = 4;
