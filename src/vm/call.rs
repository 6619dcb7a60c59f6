//! The call protocol shared by the interpreter and the embedding API:
//! stack growth, pushing and popping frame records, calling natives, moving
//! results, `__call` resolution, and calls from Rust into Lua.

use super::layout::*;
use super::thread::{self, FRAME_LUA, FRAME_NATIVE, Frame, fields as tf};
use super::value::Value;
use super::{Args, Throw, Tm, Vm};

/// Maximum depth of Rust-level re-entries (Lua's `LUAI_MAXCCALLS`).
pub const MAX_C_CALLS: u32 = 200;

/// What `precall` did.
pub(crate) enum PreCall {
    /// A Lua frame was pushed; the interpreter must run it.
    Lua,
    /// A native ran to completion and its results are in place.
    Done,
}

/// [`Vm::call_at`] over any context holding a VM (the VM itself, or a
/// Wasmtime store whose data holds it): C-level accounting and `precall`
/// here, `run(cx, entry)` runs Lua frames until frame `entry` returned.
pub(crate) fn call_at_with<C>(
    cx: &mut C,
    vm_of: fn(&mut C) -> &mut Vm,
    func: u32,
    nresults: i32,
    run: impl FnOnce(&mut C, u32) -> Result<(), Throw>,
) -> Result<(), Throw> {
    let vm = vm_of(cx);
    vm.c_calls += 1;
    vm.nny += 1;
    let r = (|| {
        let vm = vm_of(cx);
        vm.check_c_level(vm.c_calls + vm.pcalls)?;
        let entry = vm.nframes;
        match vm.precall(func, nresults)? {
            PreCall::Done => Ok(()),
            PreCall::Lua => run(cx, entry),
        }
    })();
    let vm = vm_of(cx);
    vm.c_calls -= 1;
    vm.nny -= 1;
    r
}

impl Vm {
    /// Makes sure `n` free slots exist above stack index `from`, growing
    /// (and possibly moving) the stack. Raises "stack overflow" past the limit.
    #[inline]
    pub(crate) fn ensure_stack(&mut self, from: u32, n: u32) -> Result<(), Throw> {
        let need = from as u64 + n as u64;
        if need <= self.stack_size as u64 {
            return Ok(());
        }
        self.grow_stack(need)
    }

    #[cold]
    fn grow_stack(&mut self, need: u64) -> Result<(), Throw> {
        let limit = thread::MAX_STACK as u64;
        let old_size = self.stack_size;
        if old_size as u64 > limit {
            // Already using the error reserve: an error while handling an overflow.
            return Err(self.error_msg_raw(b"error in error handling"));
        }
        let mut new_size = (old_size as u64 * 2).max(need + thread::MIN_STACK as u64);
        let overflow = need > limit;
        if overflow {
            new_size = limit + thread::ERROR_STACK_EXTRA as u64;
        } else if new_size > limit {
            new_size = limit;
        }
        let new_size = new_size as u32;
        let old = self.stack;
        let nb = match self.heap.alloc(1 + new_size, KIND_BUFFER, 0) {
            Ok(b) => b as usize + 1,
            Err(_) => return Err(self.out_of_memory()),
        };
        self.heap.mem.copy_within(old..old + old_size as usize, nb);
        self.heap.mem[nb + old_size as usize..nb + new_size as usize].fill(Slot::default());
        self.heap.free(old as u32 - 1);
        // Open upvalues point into the old stack: move them.
        let delta = (nb as i64 - old as i64) * SLOT_BYTES as i64;
        let mut cur = tf::open_upvals(&self.heap, self.thread);
        while cur != 0 {
            let i = slot_index(cur);
            let hi = self.heap.mem[i].hi;
            let loc = (hi as u32 as i64 + delta) as u32;
            self.heap.mem[i].hi = (hi & !0xffff_ffff) | loc as u64;
            cur = (hi >> 32) as u32;
        }
        self.stack = nb;
        self.stack_size = new_size;
        tf::set_stack(&mut self.heap, self.thread, nb, new_size);
        if overflow {
            return Err(self.rt_error("stack overflow"));
        }
        Ok(())
    }

    /// After a protected call caught an error: gives back the error reserve
    /// a stack overflow added (`luaD_shrinkstack`), so that the next overflow
    /// happens at the same depth instead of [`thread::ERROR_STACK_EXTRA`]
    /// slots later. The buffer keeps its size; only the usable part shrinks.
    pub(crate) fn shrink_stack_after_error(&mut self) {
        let limit = thread::MAX_STACK;
        if self.stack_size > limit && self.top.max(self.frame_top_max()) <= limit {
            self.stack_size = limit;
            tf::set_stack(&mut self.heap, self.thread, self.stack, limit);
        }
    }

    /// Pushes a frame record; returns its index.
    #[inline]
    pub(crate) fn push_frame(&mut self, f: Frame) -> Result<u32, Throw> {
        if self.nframes >= self.frame_cap {
            self.grow_frames()?;
        }
        let i = self.nframes;
        f.store(&mut self.heap.mem, self.frames + (i * FRAME_SLOTS) as usize);
        self.nframes = i + 1;
        Ok(i)
    }

    #[cold]
    fn grow_frames(&mut self) -> Result<(), Throw> {
        // Lua limits call depth only through the stack, and every frame
        // holds at least its function slot: a million one-slot frames fit.
        if self.frame_cap >= thread::MAX_STACK {
            return Err(self.rt_error("stack overflow"));
        }
        let new_cap = self.frame_cap * 2;
        let nb = match self.heap.alloc(1 + new_cap * FRAME_SLOTS, KIND_BUFFER, 0) {
            Ok(b) => b as usize + 1,
            Err(_) => return Err(self.out_of_memory()),
        };
        let used = (self.frame_cap * FRAME_SLOTS) as usize;
        self.heap
            .mem
            .copy_within(self.frames..self.frames + used, nb);
        self.heap.free(self.frames as u32 - 1);
        self.frames = nb;
        self.frame_cap = new_cap;
        tf::set_frames(&mut self.heap, self.thread, nb, new_cap);
        Ok(())
    }

    /// Writes `saved_pc` of frame `fi`.
    #[inline(always)]
    pub(crate) fn set_saved_pc(&mut self, fi: u32, pc: u32) {
        let at = self.frames + (fi * FRAME_SLOTS) as usize;
        let hi = self.heap.mem[at].hi;
        self.heap.mem[at].hi = (hi & !0xffff_ffff) | pc as u64;
    }

    /// Writes `func` of frame `fi` (vararg adjustment).
    #[inline(always)]
    pub(crate) fn set_frame_func(&mut self, fi: u32, func: u32, top: u32) {
        let at = self.frames + (fi * FRAME_SLOTS) as usize;
        self.heap.mem[at].lo = func as u64 | (top as u64) << 32;
    }

    /// Writes `extra` of frame `fi`.
    #[inline(always)]
    pub(crate) fn set_frame_extra(&mut self, fi: u32, extra: u32) {
        let at = self.frames + (fi * FRAME_SLOTS) as usize + 1;
        let lo = self.heap.mem[at].lo;
        self.heap.mem[at].lo = (lo & 0xffff_ffff) | (extra as u64) << 32;
    }

    /// Sets flag bits of frame `fi`.
    #[inline(always)]
    pub(crate) fn or_frame_flags(&mut self, fi: u32, flags: u32) {
        let at = self.frames + (fi * FRAME_SLOTS) as usize + 1;
        self.heap.mem[at].lo |= flags as u64;
    }

    /// Value at stack index `i` of the running coroutine.
    #[inline(always)]
    pub(crate) fn stk(&self, i: u32) -> Value {
        self.heap.get(self.stack + i as usize)
    }

    /// Writes stack index `i` of the running coroutine.
    #[inline(always)]
    pub(crate) fn set_stk(&mut self, i: u32, v: Value) {
        self.heap.set(self.stack + i as usize, v);
    }

    /// Pushes a value on the running coroutine's stack.
    pub fn push(&mut self, v: Value) -> Result<(), Throw> {
        if self.top >= self.stack_size {
            self.ensure_stack(self.top, 1)?;
        }
        let t = self.top;
        self.set_stk(t, v);
        self.top = t + 1;
        Ok(())
    }

    /// Resolves `__call` for a non-function at stack index `func`: shifts
    /// the arguments up and puts the metamethod in its place.
    fn try_call_tm(&mut self, func: u32) -> Result<(), Throw> {
        let f = self.stk(func);
        let tm = self.get_tm_by_obj(f, Tm::Call);
        if !tm.is_function() && tm.is_nil() {
            return Err(self.call_error(func, f));
        }
        self.ensure_stack(self.top, 1)?;
        let mut i = self.top;
        while i > func {
            let v = self.stk(i - 1);
            self.set_stk(i, v);
            i -= 1;
        }
        self.top += 1;
        self.set_stk(func, tm);
        Ok(())
    }

    /// "attempt to call a X value (info)": named after the calling
    /// instruction when there is one (`luaG_callerror`), else the slot.
    pub(crate) fn call_error(&mut self, func: u32, f: Value) -> Throw {
        let info = match self.calling_instruction_name() {
            Some(v) => format!(" ({} '{}')", v.kind, v.name),
            None => self.stack_index_info(func),
        };
        self.type_error(f, "call", &info)
    }

    /// `funcnamefromcall` for the innermost frame, if it is a Lua frame.
    fn calling_instruction_name(&self) -> Option<super::error::VarInfo> {
        if self.nframes == 0 {
            return None;
        }
        let fr = self.frame(self.current_frame_index());
        if fr.flags & FRAME_LUA == 0 {
            return None;
        }
        let p = &self.protos[fr.id as usize].proto;
        super::error::func_name_from_code(p, fr.saved_pc.saturating_sub(1) as usize)
    }

    /// Variable info for a stack index inside the innermost Lua frame.
    pub(crate) fn stack_index_info(&self, idx: u32) -> String {
        if self.nframes == 0 {
            return String::new();
        }
        let fr = self.frame(self.current_frame_index());
        if fr.flags & FRAME_LUA == 0 || idx <= fr.func {
            return String::new();
        }
        self.reg_info(idx - fr.func - 1)
    }

    /// Pushes nil for the parameters a call of the function at stack index
    /// `func` did not get (the arguments end at `top`; room is checked).
    #[inline(always)]
    pub(crate) fn fill_missing_args(&mut self, func: u32, nparams: u32) {
        while self.top < func + 1 + nparams {
            let t = self.top;
            self.set_stk(t, Value::NIL);
            self.top = t + 1;
        }
    }

    /// Starts a call of the value at stack index `func`, arguments up to
    /// `top`. Lua functions get a frame (run by the caller's interpreter);
    /// natives run to completion here.
    pub(crate) fn precall(&mut self, func: u32, nresults: i32) -> Result<PreCall, Throw> {
        let mut func_v = self.stk(func);
        let mut guard = 0;
        loop {
            match func_v.tag() {
                TAG_LFUNC => {
                    let cl = slot_index(func_v.offset());
                    let id = super::closure::proto_id(&self.heap, cl);
                    let (nparams, maxstack) = {
                        let p = &self.protos[id as usize].proto;
                        (p.num_params as u32, p.max_stack_size as u32)
                    };
                    // As luaD_precall: the frame size is checked from the top
                    // of the arguments, so the depth at which a recursion
                    // overflows matches lua5.4's whatever the argument count.
                    self.ensure_stack(self.top.max(func + 1), maxstack)?;
                    self.fill_missing_args(func, nparams);
                    self.profile.on_call(id);
                    self.push_frame(Frame {
                        func,
                        top: func + 1 + maxstack,
                        saved_pc: 0,
                        nresults,
                        flags: FRAME_LUA,
                        extra: 0,
                        id,
                    })?;
                    return Ok(PreCall::Lua);
                }
                TAG_NFUNC | TAG_NCLOSURE => return self.call_native(func, func_v, nresults),
                _ => {
                    guard += 1;
                    if guard > 100 {
                        return Err(self.rt_error("'__call' chain too long; possible loop"));
                    }
                    self.try_call_tm(func)?;
                    func_v = self.stk(func);
                }
            }
        }
    }

    /// The native-registry index of a native function value (`None` for
    /// anything else). Indices below `native::FIRST_ORDINARY_NATIVE` are
    /// `pcall`/`xpcall`, which set up protected frames.
    pub(crate) fn native_id(&self, f: Value) -> Option<u32> {
        match f.tag() {
            TAG_NFUNC => Some(f.payload() as u32),
            TAG_NCLOSURE => Some(super::closure::native_closure::native_id(
                &self.heap,
                slot_index(f.offset()),
            )),
            _ => None,
        }
    }

    /// Runs the native at stack index `func` and moves its results.
    /// `pcall`/`xpcall` instead leave a boundary frame and may start a Lua call.
    pub(crate) fn call_native(
        &mut self,
        func: u32,
        f: Value,
        nresults: i32,
    ) -> Result<PreCall, Throw> {
        let Some(id) = self.native_id(f) else {
            return Err(self.call_error(func, f));
        };
        self.ensure_stack(self.top, thread::MIN_STACK)?;
        let nargs = self.top - func - 1;
        let fi = self.push_frame(Frame {
            func,
            top: self.top + thread::MIN_STACK,
            saved_pc: 0,
            nresults,
            flags: FRAME_NATIVE,
            extra: 0,
            id,
        })?;
        if id < super::native::FIRST_ORDINARY_NATIVE {
            return self.start_protected_call(fi, id);
        }
        let entry = self.natives[id as usize].f;
        let n = entry(self, Args { func, n: nargs })?;
        let first = self.top - n;
        self.poscall(fi, first, n);
        Ok(PreCall::Done)
    }

    /// Moves `n` results starting at stack index `first` to frame `fi`'s
    /// function slot, adjusted to the wanted count, and pops the frame.
    #[inline]
    pub(crate) fn poscall(&mut self, fi: u32, first: u32, n: u32) {
        let f = self.frame(fi);
        let res = f.func;
        let wanted = f.nresults;
        let base = self.stack;
        match wanted {
            0 => self.top = res,
            1 => {
                let v = if n == 0 {
                    Value::NIL
                } else {
                    self.heap.get(base + first as usize)
                };
                self.heap.set(base + res as usize, v);
                self.top = res + 1;
            }
            _ => {
                let count = if wanted < 0 { n } else { wanted as u32 };
                let copy = n.min(count) as usize;
                if copy > 0 && first != res {
                    self.heap.mem.copy_within(
                        base + first as usize..base + first as usize + copy,
                        base + res as usize,
                    );
                }
                for j in copy..count as usize {
                    self.heap.set(base + res as usize + j, Value::NIL);
                }
                self.top = res + count;
            }
        }
        self.nframes = fi;
    }

    /// Calls the value at stack index `func` with the arguments above it
    /// (up to `top`) from Rust, running Lua code to completion. Results are
    /// left at `func..top`.
    pub fn call_at(&mut self, func: u32, nresults: i32) -> Result<(), Throw> {
        call_at_with(self, |vm| vm, func, nresults, |vm, entry| vm.execute(entry))
    }

    /// `luaE_checkcstack` for a call that runs at C level `level`: "C stack
    /// overflow" exactly at the limit, "error in error handling" once the
    /// handling of that error itself went 10% deeper; in between, calls go
    /// on (message handlers and `__close` need some room).
    pub(crate) fn check_c_level(&mut self, level: u32) -> Result<(), Throw> {
        if level < MAX_C_CALLS {
            Ok(())
        } else if level == MAX_C_CALLS {
            Err(self.rt_error("C stack overflow"))
        } else if level >= MAX_C_CALLS / 10 * 11 {
            Err(self.error_msg_raw(b"error in error handling"))
        } else {
            Ok(())
        }
    }

    /// Calls a metamethod already set up at `func`. When the interpreter
    /// asked for it (`mm_resumable`), the call may yield: the interrupted
    /// frame is flagged so that, if the coroutine is resumed later, the
    /// interpreter completes the instruction itself ([`Vm::finish_op`]).
    fn call_metamethod(&mut self, func: u32, nresults: i32) -> Result<(), Throw> {
        if !std::mem::take(&mut self.mm_resumable) || self.nframes == 0 {
            return self.call_at(func, nresults);
        }
        let caller = self.nframes - 1;
        self.or_frame_flags(caller, thread::FRAME_INTERRUPTED);
        self.c_calls += 1;
        let r = if let Err(e) = self.check_c_level(self.c_calls + self.pcalls) {
            Err(e)
        } else {
            let entry = self.nframes;
            match self.precall(func, nresults) {
                Ok(PreCall::Done) => Ok(()),
                Ok(PreCall::Lua) => self.execute(entry),
                Err(e) => Err(e),
            }
        };
        self.c_calls -= 1;
        if r != Err(Throw::Yield) {
            self.clear_frame_flags(caller, thread::FRAME_INTERRUPTED);
        }
        r
    }

    /// Clears flag bits of frame `fi`.
    #[inline(always)]
    pub(crate) fn clear_frame_flags(&mut self, fi: u32, flags: u32) {
        let at = self.frames + (fi * FRAME_SLOTS) as usize + 1;
        self.heap.mem[at].lo &= !(flags as u64);
    }

    /// Calls `f` with `args`, returning up to `nresults` results (-1 = all).
    pub fn call_value(
        &mut self,
        f: Value,
        args: &[Value],
        nresults: i32,
    ) -> Result<Vec<Value>, Throw> {
        let func = self.top;
        self.ensure_stack(func, args.len() as u32 + 1 + thread::MIN_STACK)?;
        self.set_stk(func, f);
        for (i, a) in args.iter().enumerate() {
            self.set_stk(func + 1 + i as u32, *a);
        }
        self.top = func + 1 + args.len() as u32;
        self.call_at(func, nresults)?;
        let out: Vec<Value> = (func..self.top).map(|i| self.stk(i)).collect();
        self.top = func;
        Ok(out)
    }

    /// Calls a metamethod with two arguments and one result (`luaT_callTMres`).
    pub(crate) fn call_tm_res(&mut self, tm: Value, a: Value, b: Value) -> Result<Value, Throw> {
        let func = self.top;
        self.ensure_stack(func, 3 + thread::MIN_STACK)?;
        self.set_stk(func, tm);
        self.set_stk(func + 1, a);
        self.set_stk(func + 2, b);
        self.top = func + 3;
        self.call_metamethod(func, 1)?;
        let r = self.stk(func);
        self.top = func;
        Ok(r)
    }

    /// Calls `__close(obj, err)` with no results (resumable when the
    /// interpreter asked for it).
    pub(crate) fn call_tm3_args(&mut self, tm: Value, obj: Value, err: Value) -> Result<(), Throw> {
        let func = self.top;
        self.ensure_stack(func, 3 + thread::MIN_STACK)?;
        self.set_stk(func, tm);
        self.set_stk(func + 1, obj);
        self.set_stk(func + 2, err);
        self.top = func + 3;
        let resumable = self.mm_resumable;
        self.call_metamethod(func, 0)?;
        // Each variable gets its own resumable call.
        self.mm_resumable = resumable;
        self.top = func;
        Ok(())
    }

    /// Calls a metamethod with three arguments and no result (`luaT_callTM`).
    pub(crate) fn call_tm3(
        &mut self,
        tm: Value,
        a: Value,
        b: Value,
        c: Value,
    ) -> Result<(), Throw> {
        let func = self.top;
        self.ensure_stack(func, 4 + thread::MIN_STACK)?;
        self.set_stk(func, tm);
        self.set_stk(func + 1, a);
        self.set_stk(func + 2, b);
        self.set_stk(func + 3, c);
        self.top = func + 4;
        self.call_metamethod(func, 0)?;
        self.top = func;
        Ok(())
    }
}
