//! Code generators: slot bytecode to WebAssembly modules.
//!
//! [`baseline`] is tier 1: one template per opcode over the frame in guest
//! memory. The runtime ABI every generated module follows (imports, the
//! function type of a Lua function, the runtime block) is defined here, once,
//! and used by both the generator and the host side (`crate::engine::host`).

pub mod baseline;

/// Import module name of everything the runtime provides.
pub const RT_MODULE: &str = "rt";
/// Import name of the isolate's linear memory (the guest heap).
pub const RT_MEMORY: &str = "memory";
/// Import name of the code table (`funcref`, one slot per proto id).
pub const RT_CODE_TABLE: &str = "code";
/// Import name of the single-step slow path: `(pc: i32) -> i32`. Executes
/// the instruction at `pc` of the running frame with the interpreter's
/// semantics and returns the next pc, or [`STEP_FRAME_DONE`] when the
/// instruction ended the frame (`RETURN*`, `TAILCALL`).
pub const RT_STEP: &str = "step";
/// What `step` returns when the frame has returned.
pub const STEP_FRAME_DONE: i32 = -1;
/// Import name of the prologue's slow path: `(need: i32) -> ()`. A compiled
/// function whose frame needs more stack than there is calls it; it grows the
/// stack (or raises Lua's "stack overflow" from the caller, as the
/// interpreter does) and republishes the runtime block.
pub const RT_GROW_STACK: &str = "grow_stack";
/// Import name of the native-call fast path: `(pc: i32) -> i32`. For the
/// `CALL`, `TAILCALL` or `TFORCALL` at `pc` whose callee is an ordinary native
/// function, runs it (results placed as the instruction wants them) and
/// returns 1; returns 0, doing nothing, for anything `step` must handle.
pub const RT_CALL_NATIVE: &str = "call_native";
/// Import name of `NEWTABLE`: `(pc, a, array, hash: i32) -> ()` creates a
/// table with room for `array` array items and `hash` hash items in
/// register `a` of the running frame (the instruction at `pc`, for the
/// traceback of an out-of-memory error).
pub const RT_NEW_TABLE: &str = "new_table";
/// The runtime's function imports, in import (= function index) order.
pub const RT_FUNCTION_IMPORTS: [&str; 4] = [RT_STEP, RT_GROW_STACK, RT_CALL_NATIVE, RT_NEW_TABLE];

/// Direct calls (`call_indirect` from compiled code) nest at most this deep;
/// deeper calls go through `step` and the interpreter, which needs no native
/// stack per Lua call. Each level costs one Wasm frame.
pub const MAX_DIRECT_CALL_DEPTH: u32 = 200;

/// The runtime block: 32-bit words at the start of guest memory, in the
/// slots the heap never hands out ([`crate::vm::layout::RESERVED_SLOTS`]),
/// shared by compiled code and the host. Compiled code pushes and pops Lua
/// frames itself, so the running coroutine's frame count and top live here
/// while Wasm runs: the host reads them on every entry from Wasm and writes
/// them (with everything else) before every return to Wasm.
pub mod rt_block {
    /// Byte address of register 0 of the newest frame: where compiled code
    /// continues after a host call (a call may have moved the stack, and
    /// `VARARGPREP` moves the frame). Written by the host only.
    pub const BASE: u32 = 0;
    /// Direct calls in progress. Counted by compiled code; restored by a
    /// driver when an error unwinds Wasm frames.
    pub const DEPTH: u32 = 4;
    /// Number of frames of the running coroutine (read and written by both).
    pub const NFRAMES: u32 = 8;
    /// `top` of the running coroutine, a stack index (read and written by both).
    pub const TOP: u32 = 12;
    /// Byte address of frame record 0. Written by the host only.
    pub const FRAMES: u32 = 16;
    /// Frame records available. Written by the host only.
    pub const FRAME_CAP: u32 = 20;
    /// Byte address of stack slot 0. Written by the host only.
    pub const STACK: u32 = 24;
    /// Stack size in slots. Written by the host only.
    pub const STACK_SIZE: u32 = 28;
    /// Byte address of the interned string `"__index"`, for inline
    /// `__index` chains. Written by the host only.
    pub const INDEX_NAME: u32 = 32;
    /// Byte address of the strings' metatable (0: none), for methods of
    /// string receivers (`s:sub(...)`). Written by the host only.
    pub const STRING_META: u32 = 36;
    /// A value slot that always holds `nil` (all zero; nobody writes it):
    /// what an inline lookup that found nothing points at.
    pub const NIL_VALUE: u32 = 48;
    /// Size of the block in bytes.
    pub const BYTES: u32 = 64;
}

const _: () = assert!(
    rt_block::BYTES <= crate::vm::layout::RESERVED_SLOTS * crate::vm::layout::SLOT_BYTES,
    "the runtime block must fit the heap's reserved slots"
);

/// Import name of the constants of the `i`-th function of a batch module:
/// an immutable `i32` global holding the byte address of its proto's
/// constants in guest memory (`Vm::guest_constants`). Addresses differ
/// between runs, so they are imported, never embedded.
pub fn constants_import_name(i: usize) -> String {
    format!("k{i}")
}

/// Export name of the `i`-th function of a batch module. Names depend on the
/// position only, so a cached module fits any run that loads the same protos.
pub fn export_name(i: usize) -> String {
    format!("f{i}")
}

/// Errors of the code generators.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CodegenError {
    /// The function cannot be expressed (limits of the generator).
    #[error(
        "SJ-JIT-CODEGEN: cannot compile {function}: {reason}\nremedy: none needed; the function keeps running in the interpreter"
    )]
    Unsupported {
        /// `chunk:line` of the function.
        function: String,
        /// Why.
        reason: String,
    },
}
