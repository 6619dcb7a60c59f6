//! Frame operations every baseline module defines once and its Lua
//! functions call: pushing a callee's frame record and running it (direct
//! calls), the function prologue (`precall`'s frame set-up) and the small
//! returns. Keeping them out of line keeps each call site a handful of
//! instructions, which is most of what baseline compile time depends on.
//!
//! They work on the runtime block ([`rt_block`]) and the frame records in
//! guest memory exactly as the interpreter's `CALL`, `precall` and
//! `RETURN0`/`RETURN1` do on the VM's cached copies; the host syncs the two
//! at every boundary (`crate::engine::host`).

use wasm_encoder::{BlockType, InstructionSink};

use super::helpers::{return_if, rt_add, rt_load, rt_store};
use super::{FN_GROW_STACK, TY_LUA, hi, mem, word};
use crate::codegen::{MAX_DIRECT_CALL_DEPTH, rt_block};
use crate::vm::Value;
use crate::vm::layout::{LCLOSURE_PROTO_ID_BYTE, SLOT_BYTES, TAG_LFUNC};
use crate::vm::thread::{
    FRAME_BYTES, FRAME_EXTRA_BYTE, FRAME_FLAGS_BYTE, FRAME_FUNC_BYTE, FRAME_ID_BYTE, FRAME_LUA,
    FRAME_NRESULTS_BYTE, FRAME_SAVED_PC_BYTE, FRAME_TAIL, FRAME_TOP_BYTE,
};

/// Pushes the byte address of the newest frame record.
fn newest_frame(s: &mut InstructionSink<'_>) {
    rt_load(s, rt_block::NFRAMES);
    s.i32_const(1).i32_sub();
    frame_address(s);
}

/// Pushes the newest frame's saved pc (0 in a fresh frame; a loop head
/// when the interpreter hands a running frame over).
pub(super) fn saved_pc(s: &mut InstructionSink<'_>) {
    newest_frame(s);
    s.i32_load(word(FRAME_SAVED_PC_BYTE));
}

/// Turns the frame index on the stack into its record's byte address.
fn frame_address(s: &mut InstructionSink<'_>) {
    s.i32_const(FRAME_BYTES as i32).i32_mul();
    rt_load(s, rt_block::FRAMES);
    s.i32_add();
}

/// Turns the byte address on the stack into a stack index.
fn stack_index(s: &mut InstructionSink<'_>) {
    rt_load(s, rt_block::STACK);
    s.i32_sub()
        .i32_const(SLOT_BYTES.trailing_zeros() as i32)
        .i32_shr_u();
}

/// Turns the stack index on the stack into its slot's byte address.
fn stack_address(s: &mut InstructionSink<'_>) {
    s.i32_const(SLOT_BYTES.trailing_zeros() as i32).i32_shl();
    rt_load(s, rt_block::STACK);
    s.i32_add();
}

/// Returns -1 when the i32 on the stack is non-zero.
fn bail_if(s: &mut InstructionSink<'_>) {
    return_if(s, -1);
}

/// Sets local `id` to the proto id of the callee at byte address local
/// `ra`, returning `bail` unless it may run directly: a Lua closure whose
/// proto has a code-table slot (the table may be full), with direct calls
/// not nested too deep.
fn lua_callee(s: &mut InstructionSink<'_>, ra: u32, id: u32, bail: i32) {
    s.local_get(ra)
        .i64_load(mem(hi(0)))
        .i64_const(TAG_LFUNC as i64)
        .i64_ne();
    return_if(s, bail);
    s.local_get(ra)
        .i32_load(word(0))
        .i32_load(word(LCLOSURE_PROTO_ID_BYTE))
        .local_tee(id)
        .table_size(0)
        .i32_ge_u();
    return_if(s, bail);
    rt_load(s, rt_block::DEPTH);
    s.i32_const(MAX_DIRECT_CALL_DEPTH as i32).i32_ge_u();
    return_if(s, bail);
}

/// Calls code-table slot `id` (on the stack), counting the native depth.
fn run_slot(s: &mut InstructionSink<'_>) {
    rt_add(s, rt_block::DEPTH, 1);
    s.call_indirect(0, TY_LUA);
    rt_add(s, rt_block::DEPTH, -1);
}

pub(super) fn call_prepare(s: &mut InstructionSink<'_>) {
    const RA: u32 = 0;
    const B: u32 = 1;
    const NRESULTS: u32 = 2;
    const RETURN_PC: u32 = 3;
    const ID: u32 = 4;
    const FRAME: u32 = 5;
    const RA_INDEX: u32 = 6;
    lua_callee(s, RA, ID, -1);
    // ... with a free frame record.
    rt_load(s, rt_block::NFRAMES);
    rt_load(s, rt_block::FRAME_CAP);
    s.i32_ge_u();
    bail_if(s);
    // The caller's saved pc (tracebacks, errors, `step` after the return).
    newest_frame(s);
    s.local_get(RETURN_PC).i32_store(word(FRAME_SAVED_PC_BYTE));
    s.local_get(RA);
    stack_index(s);
    s.local_set(RA_INDEX);
    // A fixed argument count sets the top (`ra + B`); B = 0 keeps the top a
    // multi-result instruction left.
    s.local_get(B).if_(BlockType::Empty);
    rt_store(s, rt_block::TOP, |s| {
        s.local_get(RA_INDEX).local_get(B).i32_add();
    });
    s.end();
    // The record, at FRAMES + NFRAMES * FRAME_BYTES; its top is the
    // arguments' end until the callee records its own.
    rt_load(s, rt_block::NFRAMES);
    frame_address(s);
    s.local_tee(FRAME)
        .local_get(RA_INDEX)
        .i32_store(word(FRAME_FUNC_BYTE))
        .local_get(FRAME);
    rt_load(s, rt_block::TOP);
    s.i32_store(word(FRAME_TOP_BYTE))
        .local_get(FRAME)
        .local_get(NRESULTS)
        .i64_extend_i32_u()
        .i64_const(32)
        .i64_shl() // saved_pc 0
        .i64_store(mem(FRAME_SAVED_PC_BYTE))
        .local_get(FRAME)
        .i64_const(FRAME_LUA as i64) // extra 0
        .i64_store(mem(FRAME_FLAGS_BYTE))
        .local_get(FRAME)
        .local_get(ID)
        .i64_extend_i32_u()
        .i64_store(mem(FRAME_ID_BYTE));
    rt_add(s, rt_block::NFRAMES, 1);
    rt_store(s, rt_block::BASE, |s| {
        s.local_get(RA).i32_const(SLOT_BYTES as i32).i32_add();
    });
    s.local_get(ID);
}

pub(super) fn call_run(s: &mut InstructionSink<'_>) {
    const ID: u32 = 0;
    const BASE: u32 = 1;
    const OFFSET: u32 = 2;
    // The callee may move the stack (growing it), never the caller's place
    // in it: keep the base as an offset from the stack across the call.
    s.local_get(BASE);
    rt_load(s, rt_block::STACK);
    s.i32_sub().local_set(OFFSET).local_get(ID);
    run_slot(s);
    rt_load(s, rt_block::STACK);
    s.local_get(OFFSET).i32_add();
}

pub(super) fn prologue(s: &mut InstructionSink<'_>) {
    const PARAMS: u32 = 0;
    const MAX_STACK: u32 = 1;
    const FUNC1: u32 = 2;
    const TOP: u32 = 3;
    const SLOT: u32 = 4;
    // Room: TOP + max_stack > STACK_SIZE grows the stack (or raises the
    // overflow) in the host, which may move it.
    rt_load(s, rt_block::TOP);
    s.local_get(MAX_STACK).i32_add();
    rt_load(s, rt_block::STACK_SIZE);
    s.i32_gt_u()
        .if_(BlockType::Empty)
        .local_get(MAX_STACK)
        .call(FN_GROW_STACK)
        .end();
    rt_load(s, rt_block::BASE);
    stack_index(s);
    s.local_set(FUNC1);
    // Missing arguments are nil: while TOP < func1 + params, push nil.
    rt_load(s, rt_block::TOP);
    s.local_set(TOP)
        .block(BlockType::Empty)
        .loop_(BlockType::Empty)
        .local_get(TOP)
        .local_get(FUNC1)
        .local_get(PARAMS)
        .i32_add()
        .i32_ge_u()
        .br_if(1)
        .local_get(TOP);
    stack_address(s);
    s.local_tee(SLOT)
        .i64_const(Value::NIL.payload() as i64)
        .i64_store(mem(0))
        .local_get(SLOT)
        .i64_const(Value::NIL.tag() as i64)
        .i64_store(mem(8))
        .local_get(TOP)
        .i32_const(1)
        .i32_add()
        .local_set(TOP)
        .br(0)
        .end()
        .end();
    rt_store(s, rt_block::TOP, |s| {
        s.local_get(TOP);
    });
    // The frame's top.
    newest_frame(s);
    s.local_get(FUNC1)
        .local_get(MAX_STACK)
        .i32_add()
        .i32_store(word(FRAME_TOP_BYTE));
    rt_load(s, rt_block::BASE);
}

pub(super) fn return_small(s: &mut InstructionSink<'_>) {
    const BASE: u32 = 0;
    const SRC: u32 = 1;
    const RESULTS: u32 = 2;
    const WANTED: u32 = 3;
    newest_frame(s);
    s.i32_load(word(FRAME_NRESULTS_BYTE))
        .local_tee(WANTED)
        .local_get(RESULTS)
        .i32_ne()
        .local_get(WANTED)
        .i32_const(-1)
        .i32_ne()
        .i32_and()
        .if_(BlockType::Empty)
        .i32_const(0)
        .return_()
        .end();
    // One result: into the function slot, just below the base.
    s.local_get(RESULTS).if_(BlockType::Empty);
    for half in [0, 8] {
        s.local_get(BASE)
            .i32_const(SLOT_BYTES as i32)
            .i32_sub()
            .local_get(SRC)
            .i64_load(mem(half))
            .i64_store(mem(half));
    }
    s.end();
    // TOP = func + results; pop the frame.
    rt_store(s, rt_block::TOP, |s| {
        s.local_get(BASE);
        stack_index(s);
        s.i32_const(1).i32_sub().local_get(RESULTS).i32_add();
    });
    rt_add(s, rt_block::NFRAMES, -1);
    s.i32_const(1);
}

/// `tail_call(ra, b) -> done`: `TAILCALL` of the Lua callee at byte address
/// `ra` with `b - 1` arguments (`b` = 0: up to the top), from a function
/// that is not vararg and has no upvalues to close (the template checks
/// both): the callee and its arguments move down to the running frame's
/// function slot, the frame record becomes the callee's (marked as a tail
/// call for tracebacks, as the interpreter does) and the callee runs; it
/// returns for this frame. 0: the call goes through `step`.
pub(super) fn tail_call(s: &mut InstructionSink<'_>) {
    const RA: u32 = 0;
    const B: u32 = 1;
    const ID: u32 = 2;
    const FRAME: u32 = 3;
    const FUNC: u32 = 4;
    const NARGS1: u32 = 5;
    const DST: u32 = 6;
    lua_callee(s, RA, ID, 0);
    newest_frame(s);
    s.local_tee(FRAME)
        .i32_load(word(FRAME_FUNC_BYTE))
        .local_set(FUNC);
    // Function plus arguments: `b`, or up to the top.
    s.local_get(B);
    rt_load(s, rt_block::TOP);
    s.local_get(RA);
    stack_index(s);
    s.i32_sub().local_get(B).select().local_set(NARGS1);
    rt_store(s, rt_block::TOP, |s| {
        s.local_get(FUNC).local_get(NARGS1).i32_add();
    });
    s.local_get(FUNC);
    stack_address(s);
    s.local_set(DST);
    copy_slots_down(s, DST, RA, NARGS1);
    // The record: same function slot and wanted results; the callee's id,
    // no saved pc, no varargs, the tail-call mark.
    s.local_get(FRAME);
    rt_load(s, rt_block::TOP);
    s.i32_store(word(FRAME_TOP_BYTE))
        .local_get(FRAME)
        .i32_const(0)
        .i32_store(word(FRAME_SAVED_PC_BYTE))
        .local_get(FRAME)
        .local_get(FRAME)
        .i32_load(word(FRAME_FLAGS_BYTE))
        .i32_const(FRAME_TAIL as i32)
        .i32_or()
        .i32_store(word(FRAME_FLAGS_BYTE))
        .local_get(FRAME)
        .i32_const(0)
        .i32_store(word(FRAME_EXTRA_BYTE))
        .local_get(FRAME)
        .local_get(ID)
        .i64_extend_i32_u()
        .i64_store(mem(FRAME_ID_BYTE));
    rt_store(s, rt_block::BASE, |s| {
        s.local_get(FUNC).i32_const(1).i32_add();
        stack_address(s);
    });
    s.local_get(ID);
    run_slot(s);
    s.i32_const(1);
}

/// Copies `count` value slots from byte address local `src` down to
/// local `dst` (`dst <= src`: overlapping ranges copy correctly front to
/// back). Consumes the three locals. A loop, not `memory.copy`, which
/// Cranelift turns into a call into the runtime: results and arguments
/// are a few slots.
fn copy_slots_down(s: &mut InstructionSink<'_>, dst: u32, src: u32, count: u32) {
    s.block(BlockType::Empty)
        .loop_(BlockType::Empty)
        .local_get(count)
        .i32_eqz()
        .br_if(1);
    for half in [0, 8] {
        s.local_get(dst)
            .local_get(src)
            .i64_load(mem(half))
            .i64_store(mem(half));
    }
    for local in [dst, src] {
        s.local_get(local)
            .i32_const(SLOT_BYTES as i32)
            .i32_add()
            .local_set(local);
    }
    s.local_get(count)
        .i32_const(1)
        .i32_sub()
        .local_set(count)
        .br(0)
        .end()
        .end();
}

/// `return_values(base, src, n) -> 1`: `RETURN` of `n` values at byte
/// address `src` (`n` = -1: up to the top) from a function that is not
/// vararg and has no upvalues to close (the template checks both), for
/// any wanted count: `poscall` — the values move to the function slot,
/// missing ones are nil, the top follows them, the frame is popped.
pub(super) fn return_values(s: &mut InstructionSink<'_>) {
    const BASE: u32 = 0;
    const SRC: u32 = 1;
    const N: u32 = 2;
    const COUNT: u32 = 3;
    const DST: u32 = 4;
    const COPY: u32 = 5;
    const FUNC: u32 = 6;
    // n = -1: everything up to the top.
    s.local_get(N).i32_const(0).i32_lt_s().if_(BlockType::Empty);
    rt_load(s, rt_block::TOP);
    s.local_get(SRC);
    stack_index(s);
    s.i32_sub().local_set(N).end();
    // count = wanted < 0 ? n : wanted; copy = min(n, count).
    newest_frame(s);
    s.i32_load(word(FRAME_NRESULTS_BYTE))
        .local_tee(COUNT)
        .local_get(N)
        .local_get(COUNT)
        .i32_const(0)
        .i32_ge_s()
        .select()
        .local_tee(COUNT)
        .local_get(N)
        .local_get(COUNT)
        .local_get(N)
        .i32_lt_u()
        .select()
        .local_set(COPY);
    s.local_get(BASE);
    stack_index(s);
    s.i32_const(1).i32_sub().local_set(FUNC);
    rt_store(s, rt_block::TOP, |s| {
        s.local_get(FUNC).local_get(COUNT).i32_add();
    });
    s.local_get(BASE)
        .i32_const(SLOT_BYTES as i32)
        .i32_sub()
        .local_set(DST)
        // Missing values: nil from `copy` up to `count`.
        .local_get(COUNT)
        .local_get(COPY)
        .i32_sub()
        .local_set(COUNT);
    copy_slots_down(s, DST, SRC, COPY);
    s.block(BlockType::Empty)
        .loop_(BlockType::Empty)
        .local_get(COUNT)
        .i32_eqz()
        .br_if(1)
        .local_get(DST)
        .i64_const(Value::NIL.payload() as i64)
        .i64_store(mem(0))
        .local_get(DST)
        .i64_const(Value::NIL.tag() as i64)
        .i64_store(mem(8))
        .local_get(DST)
        .i32_const(SLOT_BYTES as i32)
        .i32_add()
        .local_set(DST)
        .local_get(COUNT)
        .i32_const(1)
        .i32_sub()
        .local_set(COUNT)
        .br(0)
        .end()
        .end();
    rt_add(s, rt_block::NFRAMES, -1);
    s.i32_const(1);
}
