//! Inline table lookups by string and integer key, as baseline helpers: the
//! hash-chain walks of `vm::table::str_slot` and `vm::table::get_int`, the
//! `__index` chain of the interpreter's `GETFIELD`, the in-place stores of
//! its `SETFIELD` and the border search of `#`, over the same table layout
//! in guest memory.
//!
//! Keys are constants of the function (`GETFIELD`, `GETTABUP`, `SELF`,
//! `SETFIELD`, `SETTABUP`), which the compiler emits only for short
//! strings; short strings are interned, so a key matches a node exactly
//! when the node's key is the same string object.

use wasm_encoder::{BlockType, InstructionSink, MemArg, MemArgTarget};

use super::helpers::{FIND_INT, FIND_STR, INDEX_STR, return_if, rt_load};
use super::{helper, mem, word};
use crate::codegen::rt_block;
use crate::vm::Tm;
use crate::vm::layout::{
    NODE_BYTES, NODE_KEY_BYTE, NODE_KEY_TAG_BYTE, NODE_NEXT_BYTE, SLOT_BYTES, STRING_HASH_BYTE,
    TABLE_ARRAY_BYTE, TABLE_ASIZE_BYTE, TABLE_LSIZENODE_BYTE, TABLE_METATABLE_BYTE,
    TABLE_NODES_BYTE, TABLE_TM_FLAGS_BYTE, TAG_INT, TAG_NIL, TAG_STR, TAG_TABLE,
};

/// `__index` tables followed inline before the interpreter takes over
/// (Lua allows 2000; long chains are rare and the interpreter reports them).
const MAX_INLINE_INDEX_CHAIN: i32 = 8;

/// A byte access at `offset`.
fn byte(offset: u32) -> MemArg {
    MemArg {
        offset: offset as u64,
        align: 0,
        target: MemArgTarget::Memory(0),
        ordering: None,
    }
}

/// Pushes the index of string `key`'s main position among the nodes of
/// `table` (locals): hash & (node count - 1).
fn main_position(s: &mut InstructionSink<'_>, table: u32, key: u32) {
    s.local_get(key)
        .i32_load(word(STRING_HASH_BYTE))
        .i32_const(1)
        .local_get(table)
        .i32_load8_u(byte(TABLE_LSIZENODE_BYTE))
        .i32_shl()
        .i32_const(1)
        .i32_sub()
        .i32_and();
}

/// Turns the node index on the stack into the node's address (local
/// `nodes` holds the first node's).
fn node_address(s: &mut InstructionSink<'_>, nodes: u32) {
    s.i32_const(NODE_BYTES as i32)
        .i32_mul()
        .local_get(nodes)
        .i32_add();
}

/// Pushes whether the value at the address in local `at` is (not) nil.
fn is_nil(s: &mut InstructionSink<'_>, at: u32, nil: bool) {
    s.local_get(at).i64_load(mem(8)).i64_const(TAG_NIL as i64);
    if nil {
        s.i64_eq();
    } else {
        s.i64_ne();
    }
}

/// Copies the value at the address in local `src` to the one in `dst`.
fn store_value(s: &mut InstructionSink<'_>, dst: u32, src: u32) {
    for half in [0, 8] {
        s.local_get(dst)
            .local_get(src)
            .i64_load(mem(half))
            .i64_store(mem(half));
    }
}

// Locals of `find_str` and `find_int` (parameters first).
const FIND_TABLE: u32 = 0;
const FIND_KEY: u32 = 1;
const FIND_NODES: u32 = 2;
const FIND_N: u32 = 3;
const FIND_NODE: u32 = 4;
const FIND_STEP: u32 = 5;

/// The body of `find_str`/`find_int`: returns 0 from a table without hash
/// part, else walks the collision chain from the main position that
/// `main_position` pushes, returning the first node for which `key_matches`
/// (given local `FIND_NODE`) pushes true, or 0 at the chain's end.
fn find_node(
    s: &mut InstructionSink<'_>,
    main_position: impl FnOnce(&mut InstructionSink<'_>),
    key_matches: impl FnOnce(&mut InstructionSink<'_>),
) {
    s.local_get(FIND_TABLE)
        .i32_load(word(TABLE_NODES_BYTE))
        .local_tee(FIND_NODES)
        .i32_eqz();
    return_if(s, 0);
    main_position(s);
    s.local_set(FIND_N)
        .loop_(BlockType::Empty)
        .local_get(FIND_N);
    node_address(s, FIND_NODES);
    s.local_set(FIND_NODE);
    key_matches(s);
    s.if_(BlockType::Empty).local_get(FIND_NODE).return_().end();
    // Next node of the chain (relative index), or not found.
    s.local_get(FIND_NODE)
        .i32_load(word(NODE_NEXT_BYTE))
        .local_tee(FIND_STEP)
        .i32_eqz();
    return_if(s, 0);
    s.local_get(FIND_N)
        .local_get(FIND_STEP)
        .i32_add()
        .local_set(FIND_N)
        .br(0)
        .end()
        .unreachable();
}

/// `find_str(table, key) -> node or 0`.
pub(super) fn find_str(s: &mut InstructionSink<'_>) {
    find_node(
        s,
        |s| main_position(s, FIND_TABLE, FIND_KEY),
        |s| {
            s.local_get(FIND_NODE)
                .i32_load8_u(byte(NODE_KEY_TAG_BYTE))
                .i32_const(TAG_STR as i32)
                .i32_eq()
                .local_get(FIND_NODE)
                .i32_load(word(NODE_KEY_BYTE))
                .local_get(FIND_KEY)
                .i32_eq()
                .i32_and();
        },
    );
}

/// `find_int(table, key: i64) -> node or 0`: `vm::table::get_int`'s walk
/// of the hash part (the array part is the caller's).
pub(super) fn find_int(s: &mut InstructionSink<'_>) {
    find_node(
        s,
        // Lua's hashint: the key (unsigned) modulo (node count - 1) | 1.
        |s| {
            s.local_get(FIND_KEY)
                .i32_const(1)
                .local_get(FIND_TABLE)
                .i32_load8_u(byte(TABLE_LSIZENODE_BYTE))
                .i32_shl()
                .i32_const(1)
                .i32_sub()
                .i32_const(1)
                .i32_or()
                .i64_extend_i32_u()
                .i64_rem_u()
                .i32_wrap_i64();
        },
        |s| {
            s.local_get(FIND_NODE)
                .i32_load8_u(byte(NODE_KEY_TAG_BYTE))
                .i32_const(TAG_INT as i32)
                .i32_eq()
                .local_get(FIND_NODE)
                .i64_load(mem(NODE_KEY_BYTE))
                .local_get(FIND_KEY)
                .i64_eq()
                .i32_and();
        },
    );
}

/// `index_str(table, key) -> value address or 0`.
pub(super) fn index_str(s: &mut InstructionSink<'_>) {
    const TABLE: u32 = 0;
    const KEY: u32 = 1;
    const NODE: u32 = 2;
    const META: u32 = 3;
    const LEVEL: u32 = 4;
    const NIL: i32 = rt_block::NIL_VALUE as i32;
    s.loop_(BlockType::Empty);
    // A present, non-nil value hides every metamethod.
    s.local_get(TABLE)
        .local_get(KEY)
        .call(helper(FIND_STR))
        .local_tee(NODE)
        .if_(BlockType::Empty);
    is_nil(s, NODE, false);
    s.if_(BlockType::Empty)
        .local_get(NODE)
        .return_()
        .end()
        .end();
    // Absent: nil, unless the metatable has an `__index` (the absence
    // cache bit says it has none).
    s.local_get(TABLE)
        .i32_load(word(TABLE_METATABLE_BYTE))
        .local_tee(META)
        .i32_eqz()
        .local_get(META)
        .i32_load8_u(byte(TABLE_TM_FLAGS_BYTE))
        .i32_const(1 << Tm::Index as i32)
        .i32_and()
        .i32_or();
    return_if(s, NIL);
    s.local_get(META);
    rt_load(s, rt_block::INDEX_NAME);
    s.call(helper(FIND_STR)).local_tee(NODE).i32_eqz();
    return_if(s, NIL);
    // `__index` is nil: nil; a table: look there; anything else (a
    // function, a string): the interpreter.
    is_nil(s, NODE, true);
    return_if(s, NIL);
    s.local_get(NODE)
        .i64_load(mem(8))
        .i64_const(TAG_TABLE as i64)
        .i64_ne()
        .local_get(LEVEL)
        .i32_const(MAX_INLINE_INDEX_CHAIN)
        .i32_ge_u()
        .i32_or();
    return_if(s, 0);
    s.local_get(LEVEL)
        .i32_const(1)
        .i32_add()
        .local_set(LEVEL)
        .local_get(NODE)
        .i32_load(word(0))
        .local_set(TABLE)
        .br(0)
        .end()
        .unreachable();
}

/// `set_str(table, key, value) -> done`: `table[key] = value` (value at
/// byte address `value`) for an interned string key, where the
/// interpreter's fast path would also store without a metamethod: the key
/// is present with a value, or the table has no metatable and the key is
/// present or fits its free main position. 0: the store goes through
/// `step` (new keys that collide or need a rehash, `__newindex`).
pub(super) fn set_str(s: &mut InstructionSink<'_>) {
    const TABLE: u32 = 0;
    const KEY: u32 = 1;
    const VALUE: u32 = 2;
    const NODE: u32 = 3;
    const NODES: u32 = 4;
    s.local_get(TABLE)
        .local_get(KEY)
        .call(helper(FIND_STR))
        .local_tee(NODE)
        .if_(BlockType::Empty);
    // Present with a value: a plain overwrite.
    is_nil(s, NODE, false);
    s.if_(BlockType::Empty);
    store_value(s, NODE, VALUE);
    s.i32_const(1).return_().end();
    s.else_();
    // Absent: a new key, with a non-nil value (storing nil under an absent
    // key does nothing; `step` does that nothing) into the free main
    // position of a hash part.
    is_nil(s, VALUE, true);
    s.local_get(TABLE)
        .i32_load(word(TABLE_NODES_BYTE))
        .local_tee(NODES)
        .i32_eqz()
        .i32_or();
    return_if(s, 0);
    main_position(s, TABLE, KEY);
    node_address(s, NODES);
    s.local_set(NODE);
    is_nil(s, NODE, false);
    return_if(s, 0);
    s.end();
    // Present but nil, or a new key: only without a metatable (no
    // `__newindex` can apply). The key (its chain link stays) and the value.
    s.local_get(TABLE).i32_load(word(TABLE_METATABLE_BYTE));
    return_if(s, 0);
    s.local_get(NODE)
        .local_get(KEY)
        .i64_extend_i32_u()
        .i64_store(mem(NODE_KEY_BYTE))
        .local_get(NODE)
        .i32_const(TAG_STR as i32)
        .i32_store8(byte(NODE_KEY_TAG_BYTE));
    store_value(s, NODE, VALUE);
    // A key of this table changed: forget its cached metamethod absences
    // (it may be a metatable), as `vm::table::set` does.
    s.local_get(TABLE)
        .i32_const(0)
        .i32_store8(byte(TABLE_TM_FLAGS_BYTE))
        .i32_const(1);
}

/// `table_len(table) -> length or -1`: `#t` as `vm::table::length` finds
/// the border (the same one: lengths of tables with holes must match the
/// interpreter), when no `__len` can apply: no metatable, or one whose
/// absence cache says it has none. -1 (metatable not known to lack
/// `__len`, or a border in the hash part beyond `asize + 1`) sends `LEN`
/// through `step`.
pub(super) fn table_len(s: &mut InstructionSink<'_>) {
    const TABLE: u32 = 0;
    const LIMIT: u32 = 1;
    const I: u32 = 2;
    const J: u32 = 3;
    const M: u32 = 4;
    const ARRAY: u32 = 5;
    const META: u32 = 6;
    const NODE: u32 = 7;
    s.local_get(TABLE)
        .i32_load(word(TABLE_METATABLE_BYTE))
        .local_tee(META)
        .if_(BlockType::Empty)
        .local_get(META)
        .i32_load8_u(byte(TABLE_TM_FLAGS_BYTE))
        .i32_const(1 << Tm::Len as i32)
        .i32_and()
        .i32_eqz();
    return_if(s, -1);
    s.end();
    s.local_get(TABLE)
        .i32_load(word(TABLE_ASIZE_BYTE))
        .local_set(LIMIT)
        .local_get(TABLE)
        .i32_load(word(TABLE_ARRAY_BYTE))
        .local_set(ARRAY);
    // Pushes whether array element `index - 1` (index on the stack) is nil.
    let element_is_nil = |s: &mut InstructionSink<'_>| {
        s.i32_const(1)
            .i32_sub()
            .i32_const(SLOT_BYTES.trailing_zeros() as i32)
            .i32_shl()
            .local_get(ARRAY)
            .i32_add()
            .i64_load(mem(8))
            .i64_const(TAG_NIL as i64)
            .i64_eq();
    };
    // The last array element is nil: the border is in the array part.
    s.local_get(LIMIT).if_(BlockType::Empty).local_get(LIMIT);
    element_is_nil(s);
    s.if_(BlockType::Empty);
    // ... right below it (the common case of a table that shrank by one),
    s.local_get(LIMIT)
        .i32_const(2)
        .i32_ge_u()
        .if_(BlockType::Empty);
    s.local_get(LIMIT).i32_const(1).i32_sub();
    element_is_nil(s);
    s.i32_eqz()
        .if_(BlockType::Empty)
        .local_get(LIMIT)
        .i32_const(1)
        .i32_sub()
        .return_()
        .end()
        .end();
    // ... else binary search in [0, limit].
    s.i32_const(0)
        .local_set(I)
        .local_get(LIMIT)
        .local_set(J)
        .block(BlockType::Empty)
        .loop_(BlockType::Empty)
        .local_get(J)
        .local_get(I)
        .i32_sub()
        .i32_const(1)
        .i32_le_u()
        .br_if(1)
        .local_get(I)
        .local_get(J)
        .i32_add()
        .i32_const(1)
        .i32_shr_u()
        .local_tee(M);
    element_is_nil(s);
    s.if_(BlockType::Empty)
        .local_get(M)
        .local_set(J)
        .else_()
        .local_get(M)
        .local_set(I)
        .end()
        .br(0)
        .end()
        .end()
        .local_get(I)
        .return_()
        .end()
        .end();
    // The array part is full: `limit` unless `limit + 1` has a value.
    s.local_get(TABLE)
        .local_get(LIMIT)
        .i64_extend_i32_u()
        .i64_const(1)
        .i64_add()
        .call(helper(FIND_INT))
        .local_tee(NODE)
        .if_(BlockType::Empty);
    is_nil(s, NODE, false);
    return_if(s, -1);
    s.end().local_get(LIMIT);
}

/// `string_index(key) -> value address or 0`: a string receiver's `key`
/// (methods in `s:method()`): through the strings' metatable when its
/// `__index` is a table, else 0 for the interpreter.
pub(super) fn string_index(s: &mut InstructionSink<'_>) {
    const KEY: u32 = 0;
    const META: u32 = 1;
    const NODE: u32 = 2;
    rt_load(s, rt_block::STRING_META);
    s.local_tee(META).i32_eqz();
    return_if(s, 0);
    s.local_get(META);
    rt_load(s, rt_block::INDEX_NAME);
    s.call(helper(FIND_STR)).local_tee(NODE).i32_eqz();
    return_if(s, 0);
    s.local_get(NODE)
        .i64_load(mem(8))
        .i64_const(TAG_TABLE as i64)
        .i64_ne();
    return_if(s, 0);
    s.local_get(NODE)
        .i32_load(word(0))
        .local_get(KEY)
        .call(helper(INDEX_STR));
}
