//! Top-level entry from the host into Lua: a protected call that turns an
//! escaping Lua error into a [`VmError`] with `lua5.4`'s message handling
//! (string conversion, `__tostring`, `(error object is a X value)`) and a
//! traceback taken before the stack is unwound, and that contains panics
//! (a bug or a corrupted guest heap) as `SJ-VM-INTERNAL` errors.

use std::panic::{AssertUnwindSafe, catch_unwind};

use super::thread::{FRAME_NATIVE, Frame};
use super::value::Value;
use super::{Throw, Vm, VmError};

/// Stack slots `lua.c` uses below the script's message handler: the base
/// slot, `pmain`, `argc` and `argv`.
const LUA_C_STACK_SLOTS: u32 = 4;

/// C levels active in `lua.c` while a script runs, besides the call of the
/// script itself: `pmain`.
const LUA_C_LEVELS: u32 = 1;

fn host_entry(vm: &mut Vm, _a: super::Args) -> Result<u32, Throw> {
    Err(vm.error_msg_raw(b"the host entry frame cannot be called"))
}

/// A protected top-level call over any context that holds a VM: the VM
/// itself (tier 0 only) or a Wasmtime store whose data holds it (compiled
/// code may run). `vm_of` reaches the VM; `call` runs the function at the
/// given stack index to completion like [`Vm::call_at`] with all results.
pub(crate) fn call_protected_with<C>(
    cx: &mut C,
    vm_of: fn(&mut C) -> &mut Vm,
    f: Value,
    args: &[Value],
    call: impl FnOnce(&mut C, u32) -> Result<(), Throw>,
) -> Result<Vec<Value>, VmError> {
    let (saved_frames, saved_top) = {
        let vm = vm_of(cx);
        (vm.nframes, vm.top)
    };
    let result = catch_unwind(AssertUnwindSafe(|| {
        let (func, base, host_frame) = vm_of(cx).enter_host_call(f, args)?;
        let r = call(cx, func);
        vm_of(cx).leave_host_call(r, func, base, host_frame)
    }));
    let vm = vm_of(cx);
    match result {
        Ok(r) => {
            vm.nframes = saved_frames;
            vm.top = saved_top;
            r
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".to_string());
            // The isolate's state is unknown now; the embedder must drop it.
            vm.poisoned = true;
            Err(VmError::Internal(what))
        }
    }
}

impl Vm {
    /// Calls `f(args...)` as `lua.c` runs a script: inside a native base
    /// frame (shown as `[C]: in ?` in tracebacks). Returns all results.
    pub fn call_protected(&mut self, f: Value, args: &[Value]) -> Result<Vec<Value>, VmError> {
        call_protected_with(self, |vm| vm, f, args, |vm, func| vm.call_at(func, -1))
    }

    /// Sets up the host base frame and the call of `f(args...)`; returns the
    /// function's stack index, the base slot and the host frame index.
    fn enter_host_call(&mut self, f: Value, args: &[Value]) -> Result<(u32, u32, u32), VmError> {
        if self.poisoned {
            return Err(VmError::Internal(
                "isolate was poisoned by an earlier internal error".into(),
            ));
        }
        let host_id = self.host_entry_id();
        // lua.c runs a script with its stack already holding the base slot,
        // `pmain` and pmain's two arguments, and one C level (pmain) active:
        // reproduce both so that stack overflows and "C stack overflow"
        // happen at the same depths as under `lua5.4`.
        let base = self.top + LUA_C_STACK_SLOTS;
        let oom = |_| VmError::OutOfMemory;
        self.ensure_stack(base, args.len() as u32 + 2 + super::thread::MIN_STACK)
            .map_err(oom)?;
        for i in self.top..base {
            self.set_stk(i, Value::NIL);
        }
        self.set_stk(base, Vm::native_value(host_id));
        self.push_frame(Frame {
            func: base,
            top: base + 1,
            saved_pc: 0,
            nresults: -1,
            flags: FRAME_NATIVE,
            extra: 0,
            id: host_id,
        })
        .map_err(oom)?;
        let host_frame = self.nframes - 1;
        let func = base + 1;
        self.set_stk(func, f);
        for (i, a) in args.iter().enumerate() {
            self.set_stk(func + 1 + i as u32, *a);
        }
        self.top = func + 1 + args.len() as u32;
        self.c_calls += LUA_C_LEVELS;
        Ok((func, base, host_frame))
    }

    /// Collects the results of a host call (or turns its error into a
    /// [`VmError`] with message and traceback) and removes the base frame.
    fn leave_host_call(
        &mut self,
        r: Result<(), Throw>,
        func: u32,
        base: u32,
        host_frame: u32,
    ) -> Result<Vec<Value>, VmError> {
        self.c_calls -= LUA_C_LEVELS;
        match r {
            Ok(()) => {
                let out = (func..self.top).map(|i| self.stk(i)).collect();
                self.nframes = host_frame;
                self.top = base;
                Ok(out)
            }
            Err(Throw::Yield) => {
                self.nframes = host_frame;
                self.top = base;
                Err(VmError::Runtime {
                    message: "attempt to yield from outside a coroutine".into(),
                    traceback: String::new(),
                })
            }
            Err(Throw::Error) => {
                let err = self.error_value;
                let (message, with_traceback) = self.error_message(err);
                let traceback = if with_traceback {
                    let top = self.nframes.saturating_sub(1);
                    self.traceback(Some(top))
                } else {
                    String::new()
                };
                // As in lua.c, pending `__close` handlers see the error object
                // the message handler produced (message plus traceback).
                let full = if traceback.is_empty() {
                    message.clone()
                } else {
                    format!("{message}\n{traceback}")
                };
                let handled = match self.heap.new_string(full.as_bytes()) {
                    Ok(s) => Value::object(super::layout::TAG_STR, super::layout::slot_offset(s)),
                    Err(_) => err,
                };
                self.error_value = handled;
                let _ = self.close_level(func, true);
                let after = self.error_value;
                self.nframes = host_frame;
                self.top = base;
                self.error_value = Value::NIL;
                if after != handled {
                    // A `__close` handler raised a new error: that one is reported.
                    let (message, _) = self.error_message(after);
                    return Err(VmError::Runtime {
                        message,
                        traceback: String::new(),
                    });
                }
                Err(VmError::Runtime { message, traceback })
            }
        }
    }

    /// `lua.c`'s message handler: the text of an error value and whether a
    /// traceback follows (not when `__tostring` produced the message).
    pub fn error_message(&mut self, err: Value) -> (String, bool) {
        if err.is_string() || err.is_number() {
            let mut buf = Vec::new();
            self.append_str_or_number(&mut buf, err);
            return (String::from_utf8_lossy(&buf).into_owned(), true);
        }
        if let Ok(tm) = self.get_tm_by_name(err, "__tostring")
            && !tm.is_nil()
            && let Ok(r) = self.call_value(tm, &[err], 1)
            && let Some(s) = r.first().filter(|s| s.is_string())
        {
            return (
                String::from_utf8_lossy(self.str_bytes(*s)).into_owned(),
                false,
            );
        }
        (
            format!("(error object is a {} value)", err.type_name()),
            true,
        )
    }

    fn host_entry_id(&mut self) -> u32 {
        if self.host_entry_native == 0 {
            self.host_entry_native = self.register_native("?", host_entry);
        }
        self.host_entry_native
    }

    /// Raw bytes of a value converted with `tostring` semantics (no metamethods).
    pub fn display(&self, v: Value) -> String {
        let mut out = Vec::new();
        self.to_display_bytes(v, &mut out);
        String::from_utf8_lossy(&out).into_owned()
    }
}
