//! The helper functions every baseline module defines once and its Lua
//! functions call: which there are, their signatures and function indices,
//! and the small emitters they share. The bodies live with what they work
//! on: frame operations in [`super::frames`], table lookups in
//! [`super::lookup`]. Keeping them out of line keeps each call site a
//! handful of instructions, which is most of what baseline compile time
//! depends on (Cranelift may still inline them).

use wasm_encoder::{BlockType, Function, InstructionSink, ValType};

use super::{frames, lookup, word};

/// One helper: its name (name section) and parameter types. The result
/// and the extra locals are `i32`s.
pub(super) struct Helper {
    pub name: &'static str,
    pub params: &'static [ValType],
    emit: fn(&mut InstructionSink<'_>),
    /// Extra `i32` locals after the parameters.
    locals: u32,
}

/// Index in [`HELPERS`] of `call_prepare(ra, b, nresults, return_pc) ->
/// callee id or -1`: for `CALL` with `R[A]` at byte address `ra`, pushes
/// the frame record of a Lua callee that may run directly and returns its
/// proto id; -1 sends the call through `step`.
pub(super) const CALL_PREPARE: usize = 0;
/// Index of `call_run(id, base) -> base`: runs the pushed frame through
/// code-table slot `id`, counting the native depth, and returns the
/// caller's `base` again (moved with the stack if the callee grew it).
pub(super) const CALL_RUN: usize = 1;
/// Index of `prologue(params, max_stack) -> base`.
pub(super) const PROLOGUE: usize = 2;
/// Index of `return_small(base, src, results) -> done`: `RETURN0` (results
/// 0) or `RETURN1` of the value at byte address `src`, when the caller
/// wants that many values or all; 0 sends the return through `step`.
pub(super) const RETURN_SMALL: usize = 3;
/// Index of `find_str(table, key) -> node or 0`: the hash node of table
/// address `table` whose key is the interned string at address `key`.
pub(super) const FIND_STR: usize = 4;
/// Index of `index_str(table, key) -> value address or 0`: `table[key]`
/// for an interned string key, following `__index` tables; 0 when a
/// metamethod function (or a long chain) needs the interpreter.
pub(super) const INDEX_STR: usize = 5;
/// Index of `tail_call(ra, b) -> done` ([`frames::tail_call`]).
pub(super) const TAIL_CALL: usize = 6;
/// Index of `set_str(table, key, value) -> done` ([`lookup::set_str`]).
pub(super) const SET_STR: usize = 7;
/// Index of `string_index(key) -> value address or 0`
/// ([`lookup::string_index`]).
pub(super) const STRING_INDEX: usize = 8;
/// Index of `return_values(base, src, n) -> 1` ([`frames::return_values`]).
pub(super) const RETURN_VALUES: usize = 9;
/// Index of `find_int(table, key: i64) -> node or 0`
/// ([`lookup::find_int`]).
pub(super) const FIND_INT: usize = 10;
/// Index of `table_len(table) -> length or -1` ([`lookup::table_len`]).
pub(super) const TABLE_LEN: usize = 11;

/// The helpers, in function-index order (after the imports).
pub(super) const HELPERS: [Helper; 12] = [
    Helper {
        name: "call_prepare",
        params: &[ValType::I32, ValType::I32, ValType::I32, ValType::I32],
        emit: frames::call_prepare,
        locals: 3,
    },
    Helper {
        name: "call_run",
        params: &[ValType::I32, ValType::I32],
        emit: frames::call_run,
        locals: 1,
    },
    Helper {
        name: "prologue",
        params: &[ValType::I32, ValType::I32],
        emit: frames::prologue,
        locals: 3,
    },
    Helper {
        name: "return_small",
        params: &[ValType::I32, ValType::I32, ValType::I32],
        emit: frames::return_small,
        locals: 1,
    },
    Helper {
        name: "find_str",
        params: &[ValType::I32, ValType::I32],
        emit: lookup::find_str,
        locals: 4,
    },
    Helper {
        name: "index_str",
        params: &[ValType::I32, ValType::I32],
        emit: lookup::index_str,
        locals: 3,
    },
    Helper {
        name: "tail_call",
        params: &[ValType::I32, ValType::I32],
        emit: frames::tail_call,
        locals: 5,
    },
    Helper {
        name: "set_str",
        params: &[ValType::I32, ValType::I32, ValType::I32],
        emit: lookup::set_str,
        locals: 2,
    },
    Helper {
        name: "string_index",
        params: &[ValType::I32],
        emit: lookup::string_index,
        locals: 2,
    },
    Helper {
        name: "return_values",
        params: &[ValType::I32, ValType::I32, ValType::I32],
        emit: frames::return_values,
        locals: 4,
    },
    Helper {
        name: "find_int",
        params: &[ValType::I32, ValType::I64],
        emit: lookup::find_int,
        locals: 4,
    },
    Helper {
        name: "table_len",
        params: &[ValType::I32],
        emit: lookup::table_len,
        locals: 7,
    },
];

impl Helper {
    /// The function body.
    pub(super) fn body(&self) -> Function {
        let mut f = Function::new([(self.locals, ValType::I32)]);
        (self.emit)(&mut f.instructions());
        f.instructions().end();
        f
    }
}

/// Returns `result` from the helper when the i32 on the stack is non-zero.
pub(super) fn return_if(s: &mut InstructionSink<'_>, result: i32) {
    s.if_(BlockType::Empty).i32_const(result).return_().end();
}

/// Pushes the runtime block word at `byte`.
pub(super) fn rt_load(s: &mut InstructionSink<'_>, byte: u32) {
    s.i32_const(0).i32_load(word(byte));
}

/// Stores the `i32` that `value` pushes into the runtime block word at `byte`.
pub(super) fn rt_store(
    s: &mut InstructionSink<'_>,
    byte: u32,
    value: impl FnOnce(&mut InstructionSink<'_>),
) {
    s.i32_const(0);
    value(s);
    s.i32_store(word(byte));
}

/// Adds `delta` to the runtime block word at `byte`.
pub(super) fn rt_add(s: &mut InstructionSink<'_>, byte: u32, delta: i32) {
    rt_store(s, byte, |s| {
        rt_load(s, byte);
        s.i32_const(delta).i32_add();
    });
}
