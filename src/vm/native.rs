//! Native (Rust) functions callable from Lua: the registry, the calling
//! convention, argument checking with `lua5.4`'s messages, and the two
//! natives the interpreter implements as frames (`pcall`, `xpcall`).
//!
//! A native receives [`Args`] (its function's stack index and argument
//! count), pushes its results with [`Vm::push`] and returns how many it
//! pushed. It runs in its own frame record, so tracebacks and
//! `bad argument` messages can name it.

use super::call::PreCall;
use super::layout::*;
use super::thread::{FRAME_LUA, FRAME_PCALL, FRAME_XPCALL};
use super::value::Value;
use super::{Throw, Vm};

/// A native function.
pub type NativeFn = fn(&mut Vm, Args) -> Result<u32, Throw>;

/// A registered native.
#[derive(Clone, Copy)]
pub struct NativeEntry {
    /// The function.
    pub f: NativeFn,
    /// Name for diagnostics.
    pub name: &'static str,
}

/// The arguments of a native call.
#[derive(Clone, Copy, Debug)]
pub struct Args {
    /// Stack index of the called function; argument `i` is at `func + i`.
    pub func: u32,
    /// Number of arguments.
    pub n: u32,
}

/// Where `pcall`'s callee sits, relative to pcall's own stack slot.
pub(crate) const PCALL_CALLEE: u32 = 2;
/// Where `xpcall`'s callee sits, relative to xpcall's own stack slot.
pub(crate) const XPCALL_CALLEE: u32 = 4;

/// Native id of `pcall`.
pub const NATIVE_PCALL: u32 = 0;
/// Native id of `xpcall`.
pub const NATIVE_XPCALL: u32 = 1;
/// Natives with smaller ids are implemented by the call machinery itself.
pub const FIRST_ORDINARY_NATIVE: u32 = 2;

fn not_callable(vm: &mut Vm, _a: Args) -> Result<u32, Throw> {
    Err(vm.error_msg_raw(b"internal: protected-call native invoked directly"))
}

/// Registers `pcall`/`xpcall` and preallocates the out-of-memory message.
pub(crate) fn register_core(vm: &mut Vm) {
    vm.natives.push(NativeEntry {
        f: not_callable,
        name: "pcall",
    });
    vm.natives.push(NativeEntry {
        f: not_callable,
        name: "xpcall",
    });
    if let Ok(s) = vm.heap.new_string(b"not enough memory") {
        vm.gc.oom_string = slot_offset(s);
    }
}

impl Vm {
    /// Registers a native; returns its id.
    pub fn register_native(&mut self, name: &'static str, f: NativeFn) -> u32 {
        self.natives.push(NativeEntry { f, name });
        (self.natives.len() - 1) as u32
    }

    /// A function value for native `id`.
    pub fn native_value(id: u32) -> Value {
        Value::new(TAG_NFUNC, id as u64)
    }

    /// Registers a native and stores it in table `t` under `name`.
    pub fn set_native(
        &mut self,
        t: Value,
        name: &'static str,
        f: NativeFn,
    ) -> Result<Value, Throw> {
        let id = self.register_native(name, f);
        let v = Vm::native_value(id);
        self.raw_set_str(t, name, v)?;
        Ok(v)
    }

    /// `pcall(f, ...)` / `xpcall(f, msgh, ...)`: turns the native's frame
    /// into a protected boundary and calls `f` above it.
    pub(crate) fn start_protected_call(&mut self, fi: u32, id: u32) -> Result<PreCall, Throw> {
        let f = self.frame(fi);
        let nargs = self.top - f.func - 1;
        // The callee goes where luaB_pcall/luaB_xpcall put it (above a
        // `true` for the first result), so that a recursion under a
        // protected call overflows at the same depth as in lua5.4:
        //   [pcall][f][args]        -> [pcall][true][f][args]
        //   [xpcall][f][msgh][args] -> [xpcall][f][msgh][true][f][args]
        let callee = if id == NATIVE_PCALL {
            if nargs == 0 {
                return Err(self.arg_error_at(1, "value expected"));
            }
            self.open_stack_gap(f.func + 1, 1)?;
            self.set_stk(f.func + 1, Value::TRUE);
            self.or_frame_flags(fi, FRAME_PCALL);
            self.pcalls += 1;
            f.func + PCALL_CALLEE
        } else {
            if nargs < 2 {
                return Err(self.type_arg_error_at(2, "function", self.stk(f.func + 2)));
            }
            self.open_stack_gap(f.func + 3, 2)?;
            let fv = self.stk(f.func + 1);
            self.set_stk(f.func + 3, Value::TRUE);
            self.set_stk(f.func + 4, fv);
            self.set_frame_extra(fi, f.func + 2);
            self.or_frame_flags(fi, FRAME_XPCALL);
            self.pcalls += 1;
            f.func + XPCALL_CALLEE
        };
        // `lua_pcallk` is a C call in lua5.4: nested protected calls hit
        // "C stack overflow" at the same depth, and (the boundary being set
        // already) the protected call that went too deep returns the error.
        // The boundary counts until the interpreter finishes it or unwinds
        // to it.
        self.check_c_level(self.c_calls + self.pcalls)?;
        match self.precall(callee, -1)? {
            PreCall::Lua => Ok(PreCall::Lua),
            PreCall::Done => {
                let first = callee;
                let n = self.top - first;
                self.set_stk(first - 1, Value::TRUE);
                self.poscall(fi, first - 1, n + 1);
                self.pcalls -= 1;
                Ok(PreCall::Done)
            }
        }
    }

    /// `luaL_checkstack`: fails with "stack overflow (msg)" unless `n` more
    /// values fit below the stack limit (counting Lua's `EXTRA_STACK` of 5).
    pub fn check_stack(&mut self, n: usize, msg: &str) -> Result<(), Throw> {
        let room = (super::thread::MAX_STACK as u64).saturating_sub(self.top as u64 + 5);
        if n as u64 > room {
            return Err(self.error_l(&format!("stack overflow ({msg})")));
        }
        Ok(())
    }

    /// Sets upvalue `i` (0-based) of the native closure being called.
    pub fn set_native_upvalue(&mut self, a: Args, i: u32, v: Value) {
        let f = self.stk(a.func);
        if f.tag() != TAG_NCLOSURE {
            return;
        }
        let nc = slot_index(f.offset());
        if i < super::closure::native_closure::nupvals(&self.heap, nc) {
            self.heap
                .set(super::closure::native_closure::upval_slot(nc, i), v);
        }
    }

    /// Moves the stack from index `at` up to `top` by `n` slots.
    fn open_stack_gap(&mut self, at: u32, n: u32) -> Result<(), Throw> {
        self.ensure_stack(self.top, n)?;
        let mut i = self.top;
        while i > at {
            i -= 1;
            let v = self.stk(i);
            self.set_stk(i + n, v);
        }
        self.top += n;
        Ok(())
    }

    // -- argument access ---------------------------------------------------------

    /// Argument `i` (1-based), nil when absent.
    #[inline]
    pub fn arg(&self, a: Args, i: u32) -> Value {
        if i >= 1 && i <= a.n {
            self.stk(a.func + i)
        } else {
            Value::NIL
        }
    }

    /// Replaces argument `i` in place (used by conversions like `tostring`).
    pub fn set_arg(&mut self, a: Args, i: u32, v: Value) {
        if i >= 1 && i <= a.n {
            self.set_stk(a.func + i, v);
        }
    }

    /// Pushes results and returns their count.
    pub fn ret(&mut self, vals: &[Value]) -> Result<u32, Throw> {
        for v in vals {
            self.push(*v)?;
        }
        Ok(vals.len() as u32)
    }

    /// Name of the running native as its caller named it, for messages.
    fn current_native_name(&mut self) -> (String, bool) {
        let fi = self.current_frame_index();
        if let Some(v) = self.frame_func_name(fi) {
            return (v.name, v.kind == "method");
        }
        let f = self.frame(fi);
        let func = self.stk(f.func);
        match self.global_function_name(func) {
            Some(n) => (n, false),
            None => ("?".to_string(), false),
        }
    }

    /// `bad argument #i to 'name' (msg)` (Lua's `luaL_argerror`).
    pub fn arg_error_at(&mut self, mut i: u32, msg: &str) -> Throw {
        let (name, is_method) = self.current_native_name();
        if is_method {
            i -= 1;
            if i == 0 {
                return self.error_l(&format!("calling '{name}' on bad self ({msg})"));
            }
        }
        self.error_l(&format!("bad argument #{i} to '{name}' ({msg})"))
    }

    /// `bad argument #i to 'name' (T expected, got U)`.
    pub fn type_arg_error_at(&mut self, i: u32, expected: &str, got: Value) -> Throw {
        let fi = self.current_frame_index();
        let f = self.frame(fi);
        let present = f.func + i < self.top;
        let got_name = if !present && got.is_nil() {
            "no value".to_string()
        } else {
            self.type_name_for_error(got)
        };
        self.arg_error_at(i, &format!("{expected} expected, got {got_name}"))
    }

    /// `luaL_error`: a message prefixed with the position of the Lua code
    /// that called the running native.
    pub fn error_l(&mut self, msg: &str) -> Throw {
        let fi = self.current_frame_index();
        let mut full = if fi >= 1 {
            self.where_prefix(fi - 1)
        } else {
            String::new()
        };
        full.push_str(msg);
        self.error_msg_raw(full.as_bytes())
    }

    /// Position prefix of the Lua function `level` levels up from the running
    /// native (`luaL_where`): level 1 is the native's caller.
    pub fn where_level(&self, level: u32) -> String {
        let fi = self.current_frame_index();
        if level > fi {
            return String::new();
        }
        let target = fi - level;
        let f = self.frame(target);
        if f.flags & FRAME_LUA == 0 {
            return String::new();
        }
        self.where_prefix(target)
    }

    /// Checks argument `i` is present (any value, even nil).
    pub fn check_any(&mut self, a: Args, i: u32) -> Result<Value, Throw> {
        if i > a.n {
            return Err(self.arg_error_at(i, "value expected"));
        }
        Ok(self.arg(a, i))
    }

    /// Checks argument `i` is a table.
    pub fn check_table(&mut self, a: Args, i: u32) -> Result<Value, Throw> {
        let v = self.arg(a, i);
        if v.is_table() {
            Ok(v)
        } else {
            Err(self.type_arg_error_at(i, "table", v))
        }
    }

    /// Checks argument `i` is an integer (numbers with an exact integer value
    /// and numeric strings are converted).
    pub fn check_int(&mut self, a: Args, i: u32) -> Result<i64, Throw> {
        let v = self.arg(a, i);
        if let Some(n) = v.as_int() {
            return Ok(n);
        }
        match self.to_number(v) {
            Some(n) => match self.to_integer_strict(n) {
                Some(x) => Ok(x),
                None => Err(self.arg_error_at(i, "number has no integer representation")),
            },
            None => Err(self.type_arg_error_at(i, "number", v)),
        }
    }

    /// Optional integer argument.
    pub fn opt_int(&mut self, a: Args, i: u32, default: i64) -> Result<i64, Throw> {
        if self.arg(a, i).is_nil() {
            Ok(default)
        } else {
            self.check_int(a, i)
        }
    }

    /// Checks argument `i` is a number (numeric strings converted).
    pub fn check_number(&mut self, a: Args, i: u32) -> Result<Value, Throw> {
        let v = self.arg(a, i);
        match self.to_number(v) {
            Some(n) => Ok(n),
            None => Err(self.type_arg_error_at(i, "number", v)),
        }
    }

    /// Checks argument `i` is a string or number; numbers are converted to
    /// strings in place (as `lua_tolstring` does).
    pub fn check_string(&mut self, a: Args, i: u32) -> Result<Value, Throw> {
        let v = self.arg(a, i);
        if v.is_string() {
            return Ok(v);
        }
        if v.is_number() {
            let mut buf = Vec::new();
            self.append_str_or_number(&mut buf, v);
            let s = self.new_string(&buf)?;
            self.set_arg(a, i, s);
            return Ok(s);
        }
        Err(self.type_arg_error_at(i, "string", v))
    }

    /// Optional string argument (`None` when nil/absent).
    pub fn opt_string(&mut self, a: Args, i: u32) -> Result<Option<Value>, Throw> {
        if self.arg(a, i).is_nil() {
            Ok(None)
        } else {
            self.check_string(a, i).map(Some)
        }
    }
}
