//! Lua 5.4 front end: lexer, parser and compiler to slot bytecode.
//!
//! The structure follows Lua 5.4.4 (`llex.c`, `lparser.c`, `lcode.c`)
//! closely because the runtime derives lua5.4-identical error messages
//! from the shape of the generated code. Submodules:
//! - [`number`]: numeral conversion (`luaO_str2num`);
//! - `lexer`: tokens and lexical errors (`llex.c`);
//! - `code`: instruction emission, expression descriptors, jump lists,
//!   constant folding (`lcode.c`);
//! - `parser`: the grammar, scopes, locals, upvalues, gotos (`lparser.c`).

mod code;
mod fold;
mod lexer;
pub mod number;
mod parser;

pub use number::LuaNumber;

/// A compile (syntax) error, with lua5.4's full message.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct CompileError {
    /// The complete message as lua5.4 prints it, e.g.
    /// `x.lua:1: unexpected symbol near '='`.
    pub message: String,
    /// The line the error was detected on (0 when Lua reports none).
    pub line: u32,
}

impl CompileError {
    pub(crate) fn new(message: String, line: u32) -> CompileError {
        CompileError { message, line }
    }

    /// Stable machine-readable error code.
    pub fn code(&self) -> &'static str {
        "SJ-LUA-SYNTAX"
    }
}

/// Compiles a Lua 5.4 chunk to its main function prototype.
///
/// `chunkname` follows Lua's conventions (`@file.lua`, `=name`, or the
/// source text itself) and is stored as [`crate::bytecode::Proto::source`].
/// The source is taken as is: skipping a `#!` first line or a UTF-8 BOM
/// (which `luaL_loadfile` does) is the caller's business.
pub fn compile(source: &[u8], chunkname: &str) -> Result<crate::bytecode::Proto, CompileError> {
    parser::compile_chunk(source, chunkname)
}

/// Lua's `luaO_str2num`: converts a numeral string (with optional
/// surrounding whitespace, sign, hex integers that wrap around, hex floats,
/// decimal floats; `inf`/`nan` not accepted) to a number, exactly as lua5.4
/// does for `tonumber` and string coercions. Strings with an embedded zero
/// byte are rejected, as Lua rejects them.
pub fn str2number(s: &[u8]) -> Option<LuaNumber> {
    number::str2number(s)
}

/// `LUA_IDSIZE`: size of a chunk id buffer, including the final zero.
const LUA_IDSIZE: usize = 60;

/// Lua's `luaO_chunkid`: the chunk name as shown in messages
/// (`@x.lua` -> `x.lua`, `=stdin` -> `stdin`, source text ->
/// `[string "..."]`), truncated as Lua truncates it.
pub fn chunk_id(chunkname: &str) -> String {
    let src = chunkname.as_bytes();
    let srclen = src.len();
    let out: Vec<u8> = match src.split_first() {
        Some((b'=', rest)) => {
            if srclen <= LUA_IDSIZE {
                rest.to_vec()
            } else {
                rest.get(..LUA_IDSIZE - 1).unwrap_or(rest).to_vec()
            }
        }
        Some((b'@', rest)) => {
            if srclen <= LUA_IDSIZE {
                rest.to_vec()
            } else {
                // "..." plus the tail that fits (LUA_IDSIZE - 4 bytes).
                let keep = LUA_IDSIZE - 3 - 1;
                let mut v = b"...".to_vec();
                v.extend_from_slice(rest.get(rest.len().saturating_sub(keep)..).unwrap_or(rest));
                v
            }
        }
        _ => {
            const PRE: &[u8] = b"[string \"";
            const RETS: &[u8] = b"...";
            const POS: &[u8] = b"\"]";
            let bufflen = LUA_IDSIZE - (PRE.len() + RETS.len() + POS.len()) - 1;
            let nl = src.iter().position(|&c| c == b'\n');
            let mut v = PRE.to_vec();
            if srclen < bufflen && nl.is_none() {
                v.extend_from_slice(src);
            } else {
                let len = nl.unwrap_or(srclen).min(bufflen);
                v.extend_from_slice(src.get(..len).unwrap_or(src));
                v.extend_from_slice(RETS);
            }
            v.extend_from_slice(POS);
            v
        }
    };
    // C string semantics: the id ends at an embedded zero byte.
    let end = out.iter().position(|&c| c == 0).unwrap_or(out.len());
    String::from_utf8_lossy(out.get(..end).unwrap_or(&[])).into_owned()
}
