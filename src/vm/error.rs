//! Errors: how Lua errors travel through Rust (`Throw`), how runtime error
//! messages are built exactly as `lua5.4` builds them (position prefixes,
//! variable names found by symbolic execution of the bytecode, as in Lua's
//! `ldebug.c`), and stack tracebacks.

use super::layout::*;
use super::thread::{FRAME_LUA, FRAME_TAIL, Frame};
use super::value::Value;
use super::{TM_NAMES, Tm, Vm};
use crate::bytecode::{Constant, Instr, OpCode, Proto};

/// Non-local exit from VM code. The payload (error value or yielded values)
/// is kept in the VM where the collector can see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throw {
    /// A Lua error; the value is in `Vm::error_value`.
    Error,
    /// A coroutine yield unwinding to `resume`.
    Yield,
}

/// Errors reported by the embedding API, each with a stable code.
#[derive(Debug, Clone, thiserror::Error)]
pub enum VmError {
    /// A Lua error escaped to the host.
    #[error("{message}")]
    Runtime {
        /// The error value converted to text (as `lua5.4`'s message handler does).
        message: String,
        /// `stack traceback:` and its lines.
        traceback: String,
    },
    /// The source did not compile.
    #[error("{0}")]
    Syntax(String),
    /// The isolate's memory limit was reached outside of Lua code.
    #[error("not enough memory")]
    OutOfMemory,
    /// An internal invariant broke (a bug); the isolate must be discarded.
    #[error("internal error: {0}")]
    Internal(String),
}

impl VmError {
    /// Stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            VmError::Runtime { .. } => "SJ-VM-RUNTIME",
            VmError::Syntax(_) => "SJ-LUA-SYNTAX",
            VmError::OutOfMemory => "SJ-VM-MEMORY",
            VmError::Internal(_) => "SJ-VM-INTERNAL",
        }
    }
}

/// Kind and name of a variable, as found by [`object_name`].
pub struct VarInfo {
    /// "local", "global", "field", "upvalue", "constant", "method", ...
    pub kind: &'static str,
    /// The name.
    pub name: String,
}

fn const_str(p: &Proto, k: usize) -> Option<String> {
    match p.constants.get(k) {
        Some(Constant::Str(s)) => Some(String::from_utf8_lossy(s).into_owned()),
        _ => None,
    }
}

fn upval_name(p: &Proto, i: usize) -> String {
    p.upvalues
        .get(i)
        .and_then(|u| u.name.clone())
        .unwrap_or_else(|| "?".to_string())
}

/// Lua's `findsetreg`: the last instruction before `lastpc` that set `reg`
/// unconditionally.
fn find_set_reg(p: &Proto, lastpc: usize, reg: u32) -> Option<usize> {
    let mut setreg = None;
    let mut jmptarget = 0usize;
    for pc in 0..lastpc.min(p.code.len()) {
        let i = p.code[pc];
        let Some(op) = i.opcode() else { continue };
        let a = i.a();
        let change = match op {
            OpCode::LOADNIL => a <= reg && reg <= a + i.b(),
            OpCode::TFORCALL => reg >= a + 2,
            OpCode::CALL | OpCode::TAILCALL => reg >= a,
            OpCode::JMP => {
                let dest = pc as i64 + 1 + i.sj() as i64;
                if dest <= lastpc as i64 && dest > jmptarget as i64 {
                    jmptarget = dest as usize;
                }
                false
            }
            _ => op.flags().sets_a() && reg == a,
        };
        if change {
            setreg = if pc < jmptarget { None } else { Some(pc) };
        }
    }
    setreg
}

/// Lua's `getobjname`: what register `reg` holds at `lastpc`.
pub fn object_name(p: &Proto, lastpc: usize, reg: u32) -> Option<VarInfo> {
    object_name_depth(p, lastpc, reg, 0)
}

fn object_name_depth(p: &Proto, lastpc: usize, reg: u32, depth: u32) -> Option<VarInfo> {
    if depth > 64 {
        return None;
    }
    if let Some(name) = p.local_name(reg + 1, lastpc as u32) {
        return Some(VarInfo {
            kind: "local",
            name: name.to_string(),
        });
    }
    let pc = find_set_reg(p, lastpc, reg)?;
    let i = p.code[pc];
    let gxf = |is_up: bool, name: String| -> VarInfo {
        let t = i.b();
        let tname = if is_up {
            Some(upval_name(p, t as usize))
        } else {
            object_name_depth(p, pc, t, depth + 1).map(|v| v.name)
        };
        let kind = if tname.as_deref() == Some("_ENV") {
            "global"
        } else {
            "field"
        };
        VarInfo { kind, name }
    };
    match i.opcode()? {
        OpCode::MOVE => {
            let b = i.b();
            if b < i.a() {
                return object_name_depth(p, pc, b, depth + 1);
            }
            None
        }
        OpCode::GETTABUP => {
            let name = const_str(p, i.c() as usize).unwrap_or_else(|| "?".into());
            Some(gxf(true, name))
        }
        OpCode::GETTABLE => {
            let name = reg_const_name(p, pc, i.c(), depth);
            Some(gxf(false, name))
        }
        OpCode::GETI => Some(VarInfo {
            kind: "field",
            name: "integer index".into(),
        }),
        OpCode::GETFIELD => {
            let name = const_str(p, i.c() as usize).unwrap_or_else(|| "?".into());
            Some(gxf(false, name))
        }
        OpCode::GETUPVAL => Some(VarInfo {
            kind: "upvalue",
            name: upval_name(p, i.b() as usize),
        }),
        OpCode::LOADK | OpCode::LOADKX => {
            let k = if i.opcode() == Some(OpCode::LOADK) {
                i.bx() as usize
            } else {
                p.code.get(pc + 1).map_or(usize::MAX, |e| e.ax() as usize)
            };
            const_str(p, k).map(|name| VarInfo {
                kind: "constant",
                name,
            })
        }
        OpCode::SELF => {
            let name = if i.k() {
                const_str(p, i.c() as usize).unwrap_or_else(|| "?".into())
            } else {
                reg_const_name(p, pc, i.c(), depth)
            };
            Some(VarInfo {
                kind: "method",
                name,
            })
        }
        _ => None,
    }
}

fn reg_const_name(p: &Proto, pc: usize, c: u32, depth: u32) -> String {
    match object_name_depth(p, pc, c, depth + 1) {
        Some(v) if v.kind == "constant" => v.name,
        _ => "?".into(),
    }
}

/// Lua's `funcnamefromcode`: how the instruction at `pc` called a function.
pub fn func_name_from_code(p: &Proto, pc: usize) -> Option<VarInfo> {
    let i: Instr = *p.code.get(pc)?;
    let tm = match i.opcode()? {
        OpCode::CALL | OpCode::TAILCALL => return object_name(p, pc, i.a()),
        OpCode::TFORCALL => {
            return Some(VarInfo {
                kind: "for iterator",
                name: "for iterator".into(),
            });
        }
        OpCode::SELF | OpCode::GETTABUP | OpCode::GETTABLE | OpCode::GETI | OpCode::GETFIELD => {
            Tm::Index
        }
        OpCode::SETTABUP | OpCode::SETTABLE | OpCode::SETI | OpCode::SETFIELD => Tm::NewIndex,
        OpCode::LEN => Tm::Len,
        OpCode::CONCAT => Tm::Concat,
        OpCode::EQ => Tm::Eq,
        OpCode::LT | OpCode::LTI | OpCode::GTI => Tm::Lt,
        OpCode::LE | OpCode::LEI | OpCode::GEI => Tm::Le,
        OpCode::CLOSE | OpCode::RETURN => Tm::Close,
        _ => super::meta::arith_event(i)?,
    };
    Some(VarInfo {
        kind: "metamethod",
        name: TM_NAMES[tm as usize][2..].to_string(),
    })
}

impl Vm {
    /// The frame record at index `i` of the running coroutine.
    #[inline(always)]
    pub(crate) fn frame(&self, i: u32) -> Frame {
        Frame::load(&self.heap.mem, self.frames + (i * FRAME_SLOTS) as usize)
    }

    /// Index of the innermost frame.
    #[inline(always)]
    pub(crate) fn current_frame_index(&self) -> u32 {
        self.nframes.saturating_sub(1)
    }

    /// Source position prefix (`chunk:line:`) of frame `fi` if it is a Lua frame.
    pub(crate) fn where_prefix(&self, fi: u32) -> String {
        if self.nframes == 0 || fi >= self.nframes {
            return String::new();
        }
        let f = self.frame(fi);
        if f.flags & FRAME_LUA == 0 {
            return String::new();
        }
        let p = &self.protos[f.id as usize].proto;
        let pc = f.saved_pc.saturating_sub(1) as usize;
        format!("{}:{}: ", crate::lua::chunk_id(&p.source), p.line_at(pc))
    }

    /// Sets the error value and returns `Throw::Error`.
    pub fn throw_value(&mut self, v: Value) -> Throw {
        self.error_value = v;
        Throw::Error
    }

    /// A runtime error with the position of the innermost Lua frame, like
    /// `luaG_runerror`.
    pub fn rt_error(&mut self, msg: &str) -> Throw {
        let mut full = self.where_prefix(self.current_frame_index());
        full.push_str(msg);
        self.error_msg_raw(full.as_bytes())
    }

    /// An error whose message is used verbatim.
    pub fn error_msg_raw(&mut self, msg: &[u8]) -> Throw {
        match self.heap.new_string(msg) {
            Ok(s) => self.throw_value(Value::object(TAG_STR, slot_offset(s))),
            Err(_) => self.out_of_memory(),
        }
    }

    /// The "not enough memory" error (its string is preallocated). The next
    /// allocation collects first, as `lua5.4`'s emergency collection would:
    /// once the error has unwound, what the failed computation built is
    /// garbage, and the collection threshold may lie beyond the limit.
    pub fn out_of_memory(&mut self) -> Throw {
        self.gc.threshold = 0;
        let v = Value::object(TAG_STR, self.tm_names_oom());
        self.throw_value(v)
    }

    fn tm_names_oom(&mut self) -> u32 {
        if self.gc.oom_string == 0 {
            // Created at start-up by `register_core`; fall back to any string.
            return self.tm_names[0];
        }
        self.gc.oom_string
    }

    /// Variable information for register `reg` of the innermost Lua frame.
    pub(crate) fn reg_info(&self, reg: u32) -> String {
        let fi = self.current_frame_index();
        if self.nframes == 0 {
            return String::new();
        }
        let f = self.frame(fi);
        if f.flags & FRAME_LUA == 0 {
            return String::new();
        }
        let p = &self.protos[f.id as usize].proto;
        let pc = f.saved_pc.saturating_sub(1) as usize;
        match object_name(p, pc, reg) {
            Some(v) => format!(" ({} '{}')", v.kind, v.name),
            None => String::new(),
        }
    }

    /// Variable information for upvalue `idx` of the innermost Lua frame.
    pub(crate) fn upval_info(&self, idx: u32) -> String {
        let f = self.frame(self.current_frame_index());
        let p = &self.protos[f.id as usize].proto;
        format!(" (upvalue '{}')", upval_name(p, idx as usize))
    }

    /// `attempt to OP a TYPE value (INFO)`.
    pub(crate) fn type_error(&mut self, v: Value, op: &str, info: &str) -> Throw {
        let t = self.type_name_for_error(v);
        self.rt_error(&format!("attempt to {op} a {t} value{info}"))
    }

    /// Type name honouring `__name` in the metatable, as `luaT_objtypename`.
    pub(crate) fn type_name_for_error(&mut self, v: Value) -> String {
        if let Some(mt) = self.metatable_of(v)
            && let Ok(key) = self.heap.new_string(b"__name")
        {
            let name = super::table::get_str(&self.heap, slot_index(mt), key as usize);
            if name.is_string() {
                return String::from_utf8_lossy(self.str_bytes(name)).into_owned();
            }
        }
        v.type_name().to_string()
    }

    /// Name of the function running in frame `fi` as its caller saw it.
    pub(crate) fn frame_func_name(&self, fi: u32) -> Option<VarInfo> {
        if fi == 0 || fi >= self.nframes {
            return None;
        }
        let f = self.frame(fi);
        if f.flags & FRAME_TAIL != 0 {
            return None;
        }
        let caller = self.frame(fi - 1);
        if caller.flags & FRAME_LUA == 0 {
            return None;
        }
        let p = &self.protos[caller.id as usize].proto;
        func_name_from_code(p, caller.saved_pc.saturating_sub(1) as usize)
    }

    /// Builds `stack traceback:` for the running coroutine starting at frame
    /// `from` (innermost first), in `luaL_traceback`'s format.
    pub fn traceback(&mut self, from: Option<u32>) -> String {
        const LEVELS1: usize = 10;
        const LEVELS2: usize = 11;
        let mut out = String::from("stack traceback:");
        let levels: Vec<u32> = match from {
            Some(top) if self.nframes > 0 => (0..=top.min(self.nframes - 1)).rev().collect(),
            _ => Vec::new(),
        };
        let n = levels.len();
        let mut i = 0;
        while i < n {
            // As luaL_traceback: only more than LEVELS1 + LEVELS2 + 1 levels
            // are cut, and the count it prints is one less than the number
            // of levels left out (it has fetched the first of them already
            // when it computes the count).
            if n > LEVELS1 + LEVELS2 + 1 && i == LEVELS1 {
                let skip = n - LEVELS1 - LEVELS2;
                out.push_str(&format!("\n\t...\t(skipping {} levels)", skip - 1));
                i += skip;
                continue;
            }
            let fi = levels[i];
            out.push_str(&self.describe_frame(fi));
            i += 1;
        }
        out
    }

    fn describe_frame(&mut self, fi: u32) -> String {
        let f = self.frame(fi);
        let mut s = String::new();
        let (src, line, what_main, linedefined) = if f.flags & FRAME_LUA != 0 {
            let p = &self.protos[f.id as usize].proto;
            let line = p.line_at(f.saved_pc.saturating_sub(1) as usize);
            (
                crate::lua::chunk_id(&p.source),
                Some(line),
                p.line_defined == 0,
                p.line_defined,
            )
        } else {
            ("[C]".to_string(), None, false, 0)
        };
        match line {
            Some(l) => s.push_str(&format!("\n\t{src}:{l}: in ")),
            None => s.push_str(&format!("\n\t{src}: in ")),
        }
        let func = self.heap.get(self.stack + f.func as usize);
        if let Some(global) = self.global_function_name(func) {
            s.push_str(&format!("function '{global}'"));
        } else if let Some(v) = self.frame_func_name(fi) {
            s.push_str(&format!("{} '{}'", v.kind, v.name));
        } else if what_main {
            s.push_str("main chunk");
        } else if f.flags & FRAME_LUA != 0 {
            s.push_str(&format!("function <{src}:{linedefined}>"));
        } else {
            s.push('?');
        }
        if f.flags & FRAME_TAIL != 0 {
            s.push_str("\n\t(...tail calls...)");
        }
        s
    }

    /// The function running in frame `fi`.
    pub fn frame_function(&self, fi: u32) -> Value {
        let f = self.frame(fi);
        self.heap.get(self.stack + f.func as usize)
    }

    /// Flags of frame `fi`.
    pub fn frame_flags(&self, fi: u32) -> u32 {
        self.frame(fi).flags
    }

    /// Saved pc of frame `fi`.
    pub fn frame_saved_pc(&self, fi: u32) -> u32 {
        self.frame(fi).saved_pc
    }

    /// Traceback of another (suspended or dead) coroutine, from `level`.
    pub fn traceback_of(&mut self, co: Value, level: u32) -> String {
        let t = slot_index(co.offset());
        let prev = self.thread;
        self.save_thread_cache();
        self.thread = t;
        self.load_thread_cache();
        let top = self.nframes.checked_sub(1 + level);
        let tb = match top {
            Some(top) => self.traceback(Some(top)),
            None => "stack traceback:".to_string(),
        };
        self.save_thread_cache();
        self.thread = prev;
        self.load_thread_cache();
        tb
    }

    /// `pushglobalfuncname`: "print" or "string.rep" when `func` is a field
    /// of a table in `package.loaded`.
    pub(crate) fn global_function_name(&mut self, func: Value) -> Option<String> {
        if !func.is_function() {
            return None;
        }
        let loaded = self.loaded_table()?;
        let lt = slot_index(loaded.offset());
        let mut k = Value::NIL;
        let mut found: Option<String> = None;
        while let super::table::Next::Entry(key, val) = super::table::next(&self.heap, lt, k) {
            {
                {
                    k = key;
                    if !key.is_string() || !val.is_table() {
                        continue;
                    }
                    let vt = slot_index(val.offset());
                    let mut k2 = Value::NIL;
                    while let super::table::Next::Entry(k3, v3) =
                        super::table::next(&self.heap, vt, k2)
                    {
                        k2 = k3;
                        if v3 == func && k3.is_string() {
                            let lib = String::from_utf8_lossy(self.str_bytes(key)).into_owned();
                            let name = String::from_utf8_lossy(self.str_bytes(k3)).into_owned();
                            let full = if lib == "_G" {
                                name
                            } else {
                                format!("{lib}.{name}")
                            };
                            // Prefer the global name, as lua5.4 strips "_G.".
                            if found
                                .as_ref()
                                .is_none_or(|f| f.contains('.') && !full.contains('.'))
                            {
                                found = Some(full);
                            }
                        }
                    }
                }
            }
        }
        found
    }

    /// `package.loaded`, if the package library set it up.
    pub(crate) fn loaded_table(&mut self) -> Option<Value> {
        let reg = Value::object(TAG_TABLE, self.registry);
        let key = self.heap.new_string(b"_LOADED").ok()?;
        let v = super::table::get_str(&self.heap, slot_index(reg.offset()), key as usize);
        v.is_table().then_some(v)
    }
}
