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

/// Byte address (in guest memory) of the runtime block's first word: the
/// byte address of the running frame's register 0. The host writes it before
/// running compiled code and before every return from `step`; compiled code
/// reloads its frame base from it after every call, because a call may have
/// reallocated the stack, and `VARARGPREP` moves the frame. It lives in slot
/// 0, which the heap never hands out.
pub const RT_BLOCK_BASE: u32 = 0;

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
