//! The tier-0 interpreter: the dispatch loop over slot bytecode.
//!
//! Registers are slots of the running coroutine's stack in guest memory
//! (`base + r`). Lua-to-Lua calls and returns never recurse on the Rust
//! stack: they push and pop frame records and continue in the same loop, so
//! deep Lua recursion is bounded by the Lua stack limit, and `pcall`
//! boundaries are frames the loop unwinds to. Fast paths (integer/float
//! arithmetic, table array and string-key access) are inline; everything
//! else goes through the slow paths in [`super::meta`], always after saving
//! `pc` so errors report the right line.

use super::call::PreCall;
use super::guest_memory::read_split;
use super::layout::*;
use super::meta::{Origin, number_less};
use super::number::*;
use super::table;
use super::thread::{FRAME_INTERRUPTED, FRAME_LUA, FRAME_PCALL, FRAME_TAIL, FRAME_XPCALL, Frame};
use super::value::Value;
use super::{Throw, Tm, Vm, closure};
use crate::bytecode::isa::op;

impl Vm {
    /// Runs frames until frame `entry` (the first frame of this call) has
    /// returned, catching errors at `pcall` boundaries at or above it.
    pub(crate) fn execute(&mut self, entry: u32) -> Result<(), Throw> {
        self.execute_mode::<false>(entry)
    }

    /// [`Vm::execute`], or with `STEP` only the instruction at the saved pc
    /// of frame `entry` (and whatever it calls): the slow path of compiled
    /// code. Either way the run stops early, with [`JitHooks::pending`] set,
    /// when a frame whose proto has compiled code is entered and
    /// [`JitHooks::exit_entry`] is `entry` (a driver that can call Wasm is
    /// waiting; see `crate::engine::host`).
    pub(crate) fn execute_mode<const STEP: bool>(&mut self, entry: u32) -> Result<(), Throw> {
        loop {
            // Separate instantiations: the common one has no feedback branch
            // and no step check at all.
            let r = if STEP {
                self.run::<false, true>(entry)
            } else if self.profile.feedback_enabled {
                self.run::<true, false>(entry)
            } else {
                self.run::<false, false>(entry)
            };
            match r {
                Ok(()) => return Ok(()),
                Err(Throw::Yield) => return Err(Throw::Yield),
                Err(Throw::Error) => {
                    if !self.catch(entry)? {
                        return Err(Throw::Error);
                    }
                    if self.nframes <= entry {
                        return Ok(());
                    }
                }
            }
        }
    }

    /// Finds the innermost protected-call boundary above `entry`; if there is
    /// one, unwinds to it, stores `false, error` as its results and returns true.
    pub(crate) fn catch(&mut self, entry: u32) -> Result<bool, Throw> {
        if self.libs.exit_code.is_some() || self.libs.interrupted {
            // `os.exit` and deadlines unwind to the host; no `pcall` may stop them.
            return Ok(false);
        }
        let mut m = self.nframes;
        let marker = loop {
            if m <= entry {
                return Ok(false);
            }
            m -= 1;
            let f = self.frame(m);
            if f.flags & (FRAME_PCALL | FRAME_XPCALL) != 0 {
                break f;
            }
        };
        if marker.flags & FRAME_XPCALL != 0 {
            let handler = self.stk(marker.extra);
            let err = self.error_value;
            self.top = self.top.max(self.frame_top_max());
            let r = self.call_value(handler, &[err], 1);
            self.error_value = match r {
                Ok(v) => v.first().copied().unwrap_or(Value::NIL),
                Err(_) => self.error_value,
            };
        }
        // Unwind: close upvalues and to-be-closed variables above the boundary.
        self.nframes = m + 1;
        let level = marker.func + 1;
        self.top = self.top.max(level);
        self.close_level(level, true)?;
        let err = self.error_value;
        self.set_stk(marker.func, Value::FALSE);
        self.set_stk(marker.func + 1, err);
        self.poscall(m, marker.func, 2);
        self.pcalls = self.pcalls.saturating_sub(1);
        self.shrink_stack_after_error();
        Ok(true)
    }

    /// The error that stops a run whose deadline passed: no `pcall` catches
    /// it (like `os.exit`), it unwinds to the embedder.
    pub(crate) fn deadline_error(&mut self) -> Throw {
        self.libs.interrupted = true;
        self.error_msg_raw(
            b"SJ-JIT-EXEC-TIMEOUT: time limit exceeded (the isolate's deadline passed)",
        )
    }

    /// Largest `top` among the running coroutine's frames.
    pub(crate) fn frame_top_max(&self) -> u32 {
        (0..self.nframes)
            .map(|i| self.frame(i).top)
            .max()
            .unwrap_or(0)
    }

    /// Closes upvalues and pending to-be-closed variables at stack index
    /// `level` or above. With `with_error`, `__close` receives the error value
    /// (and an error raised by it replaces the current one).
    pub(crate) fn close_level(&mut self, level: u32, with_error: bool) -> Result<(), Throw> {
        self.close_upvals(self.stack + level as usize);
        loop {
            let t = self.thread;
            let aux = self.aux_mut(t);
            let Some(&idx) = aux.tbc.last() else { break };
            if idx < level {
                break;
            }
            aux.tbc.pop();
            let obj = self.stk(idx);
            let tm = self.get_tm_by_obj(obj, Tm::Close);
            let err = if with_error {
                self.error_value
            } else {
                Value::NIL
            };
            if with_error {
                if let Err(Throw::Error) = self.call_value(tm, &[obj, err], 0) {
                    // The new error replaces the old one; keep closing.
                }
            } else {
                // From CLOSE/RETURN this call may yield; on resume the
                // instruction runs again and closes the remaining variables.
                self.call_tm3_args(tm, obj, err)?;
            }
        }
        self.mm_resumable = false;
        Ok(())
    }

    /// Registers stack index `idx` as a to-be-closed variable.
    pub(crate) fn new_tbc(&mut self, idx: u32, name_reg: Option<(u32, u32)>) -> Result<(), Throw> {
        let v = self.stk(idx);
        if v.is_falsy() {
            return Ok(());
        }
        let tm = self.get_tm_by_obj(v, Tm::Close);
        if tm.is_nil() {
            let name = name_reg
                .and_then(|(reg, pc)| {
                    let f = self.frame(self.current_frame_index());
                    let p = &self.protos[f.id as usize].proto;
                    p.local_name(reg + 1, pc).map(str::to_string)
                })
                .unwrap_or_else(|| "?".to_string());
            return Err(self.rt_error(&format!("variable '{name}' got a non-closable value")));
        }
        let t = self.thread;
        self.aux_mut(t).tbc.push(idx);
        Ok(())
    }

    /// Finishes a `pcall`/`xpcall` boundary whose callee returned normally.
    fn finish_protected(&mut self, fi: u32) -> Result<(), Throw> {
        let f = self.frame(fi);
        if f.flags & (FRAME_PCALL | FRAME_XPCALL) == 0 {
            let msg = format!("frame {fi} is not resumable (flags {:#x})", f.flags);
            return Err(self.error_msg_raw(msg.as_bytes()));
        }
        // Callee results are where the callee was (see start_protected_call).
        let first = if f.flags & FRAME_XPCALL != 0 {
            f.func + super::native::XPCALL_CALLEE
        } else {
            f.func + super::native::PCALL_CALLEE
        };
        let n = self.top - first;
        self.set_stk(first - 1, Value::TRUE);
        self.poscall(fi, first - 1, n + 1);
        self.pcalls = self.pcalls.saturating_sub(1);
        Ok(())
    }

    /// Whether the driver of this run (`entry`) may take over: frame
    /// indices are per coroutine, and only the main coroutine's runs ever
    /// have a driver (compiled code never runs in coroutines).
    #[inline(always)]
    fn driver_waits(&self, entry: u32) -> bool {
        self.jit.exit_entry == entry && self.thread == self.main_thread
    }

    /// Whether a driver has work whatever the frame: hot protos to compile
    /// or finished code to install.
    #[inline(always)]
    fn jit_work_waiting(&self) -> bool {
        !self.profile.hot.is_empty() || self.jit.installs_waiting()
    }

    /// Whether a waiting driver wants a running frame of proto `id` back:
    /// it has work, or compiled code for the proto.
    #[inline(always)]
    fn driver_takes(&self, entry: u32, id: u32) -> bool {
        self.driver_waits(entry) && (self.jit_work_waiting() || self.jit.is_compiled(id))
    }

    /// The dispatch loop.
    #[allow(clippy::cognitive_complexity)]
    fn run<const FEEDBACK: bool, const STEP: bool>(&mut self, entry: u32) -> Result<(), Throw> {
        'newframe: loop {
            let mut fi = self.nframes - 1;
            let fr = self.frame(fi);
            if self.driver_waits(entry)
                && (self.jit_work_waiting()
                    || (fr.saved_pc == 0
                        && !(STEP && fi == entry)
                        && fr.flags & (FRAME_LUA | FRAME_INTERRUPTED) == FRAME_LUA
                        && self.jit.is_compiled(fr.id)))
            {
                self.jit.pending = true;
                return Ok(());
            }
            if fr.flags & FRAME_LUA == 0 {
                self.finish_protected(fi)?;
                if fi <= entry {
                    return Ok(());
                }
                continue 'newframe;
            }
            if fr.flags & FRAME_INTERRUPTED != 0 {
                self.finish_op(fi, &fr)?;
                continue 'newframe;
            }
            let lp = self.protos[fr.id as usize].clone();
            let code = &lp.code[..];
            let k = &lp.k[..];
            let mut func = fr.func;
            let mut ftop = fr.top;
            let mut cl = slot_index(self.stk(func).offset());
            let mut base = self.stack + func as usize + 1;
            let mut pc = fr.saved_pc as usize;
            let mut nresults = fr.nresults;
            // Every frame this loop runs has this proto (see below).
            let id = fr.id;

            // Switches to frame `$nfi` (whose record is `$frame`, already in
            // hand) when it runs the same proto (recursion, returns into a
            // recursive caller): no proto reload needed. Only the record's
            // fields that differ are taken (not a copy of the whole record,
            // which cost a dozen instructions per call).
            macro_rules! enter_same_proto {
                ($nfi:expr, $frame:expr) => {{
                    let frame: Frame = $frame;
                    fi = $nfi;
                    func = frame.func;
                    ftop = frame.top;
                    nresults = frame.nresults;
                    cl = slot_index(self.stk(func).offset());
                    base = self.stack + func as usize + 1;
                    pc = frame.saved_pc as usize;
                }};
            }

            loop {
                if STEP && fi == entry {
                    if self.jit.step_done {
                        self.set_saved_pc(fi, pc as u32);
                        return Ok(());
                    }
                    self.jit.step_done = true;
                }
                let i = code[pc];
                pc += 1;
                if FEEDBACK {
                    crate::profile::record_site(self, id, pc - 1, i, base, k);
                }
                let opb = i.op_byte();
                // One reborrow per instruction: register reads and writes in
                // the fast paths then use a local slice (no reloads of the
                // arena's pointer and length through `self`).
                let mem: &mut [Slot] = &mut self.heap.mem;
                // Register access through the per-instruction `mem` slice (fast
                // paths) ...
                macro_rules! r {
                    ($i:expr) => {
                        mem[base + $i as usize]
                    };
                }
                macro_rules! rv {
                    ($i:expr) => {
                        Value(read_split(&mem[base + $i as usize]))
                    };
                }
                macro_rules! set_r {
                    ($i:expr, $v:expr) => {{
                        let v: Value = $v;
                        mem[base + $i as usize] = v.0;
                    }};
                }
                // ... and through `self` once a slow path has used the VM.
                #[allow(unused_macros)]
                macro_rules! rs {
                    ($i:expr) => {
                        self.heap.mem[base + $i as usize]
                    };
                }
                #[allow(unused_macros)]
                macro_rules! rvs {
                    ($i:expr) => {
                        Value(read_split(&self.heap.mem[base + $i as usize]))
                    };
                }
                macro_rules! set_rs {
                    ($i:expr, $v:expr) => {{
                        let v: Value = $v;
                        self.heap.mem[base + $i as usize] = v.0;
                    }};
                }
                macro_rules! save {
                    () => {{
                        self.set_saved_pc(fi, pc as u32);
                        self.top = ftop;
                    }};
                }
                macro_rules! protect {
                    ($e:expr) => {{
                        save!();
                        self.mm_resumable = true;
                        let r = $e;
                        self.mm_resumable = false;
                        let r = r?;
                        base = self.stack + func as usize + 1;
                        r
                    }};
                }
                // A taken loop back-edge: counts hotness, checks the deadline,
                // and returns to a waiting driver when there is compiling
                // or installing to do or the proto has compiled code, which
                // then continues this frame at the loop head (OSR). A loop
                // head at pc 0 cannot be told from a fresh call: it stays.
                macro_rules! backedge {
                    () => {{
                        if self.profile.on_backedge(id) {
                            self.set_saved_pc(fi, pc as u32);
                            return Err(self.deadline_error());
                        }
                        if pc != 0 && !(STEP && fi == entry) && self.driver_takes(entry, id) {
                            self.set_saved_pc(fi, pc as u32);
                            self.jit.pending = true;
                            self.jit.at_loop_head = true;
                            return Ok(());
                        }
                    }};
                }
                macro_rules! cond_jump {
                    ($cond:expr, $i:expr) => {{
                        if $cond != $i.k() {
                            pc += 1;
                        } else {
                            let j = code[pc];
                            pc = (pc as i64 + 1 + j.sj() as i64) as usize;
                        }
                    }};
                }
                // Arithmetic fast paths. `$c` is the second operand (register or
                // constant); anything unusual goes to the one out-of-line slow
                // path, which re-reads the operands itself.
                macro_rules! arith {
                    ($i:expr, $c:expr, $int:expr, $flt:expr) => {{
                        let b = rv!($i.b());
                        let c: Value = $c;
                        if b.tag() == TAG_INT && c.tag() == TAG_INT {
                            let r = $int(b.as_int_unchecked(), c.as_int_unchecked());
                            set_r!($i.a(), Value::int(r));
                        } else if b.tag() == TAG_FLOAT && c.tag() == TAG_FLOAT {
                            let (x, y) = (b.as_float_unchecked(), c.as_float_unchecked());
                            set_r!($i.a(), Value::float($flt(x, y)));
                        } else if let (Some(x), Some(y)) = (b.as_f64(), c.as_f64()) {
                            set_r!($i.a(), Value::float($flt(x, y)));
                        } else {
                            protect!(self.arith_instr_slow($i, func + 1, k));
                        }
                    }};
                }
                // `/` and `^`: always float.
                macro_rules! float_only {
                    ($i:expr, $c:expr, $flt:expr) => {{
                        let b = rv!($i.b());
                        let c: Value = $c;
                        if let (Some(x), Some(y)) = (b.as_f64(), c.as_f64()) {
                            set_r!($i.a(), Value::float($flt(x, y)));
                        } else {
                            protect!(self.arith_instr_slow($i, func + 1, k));
                        }
                    }};
                }
                // `//` and `%`: an integer zero divisor is an error (slow path).
                macro_rules! int_div {
                    ($i:expr, $c:expr, $int:expr, $flt:expr) => {{
                        let b = rv!($i.b());
                        let c: Value = $c;
                        let both_int = b.tag() == TAG_INT && c.tag() == TAG_INT;
                        if both_int && c.as_int_unchecked() != 0 {
                            let r = $int(b.as_int_unchecked(), c.as_int_unchecked());
                            set_r!($i.a(), Value::int(r));
                        } else if let (false, Some(x), Some(y)) = (both_int, b.as_f64(), c.as_f64())
                        {
                            set_r!($i.a(), Value::float($flt(x, y)));
                        } else {
                            protect!(self.arith_instr_slow($i, func + 1, k));
                        }
                    }};
                }
                // Bitwise on two integers; float and string operands go slow.
                macro_rules! bitwise {
                    ($i:expr, $c:expr, $op:expr) => {{
                        let b = rv!($i.b());
                        let c: Value = $c;
                        if b.tag() == TAG_INT && c.tag() == TAG_INT {
                            set_r!(
                                $i.a(),
                                Value::int($op(b.as_int_unchecked(), c.as_int_unchecked()))
                            );
                        } else {
                            protect!(self.arith_instr_slow($i, func + 1, k));
                        }
                    }};
                }
                match opb {
                    op::MOVE => {
                        let v = read_split(&r!(i.b()));
                        r!(i.a()) = v;
                    }
                    op::LOADI => set_r!(i.a(), Value::int(i.sbx() as i64)),
                    op::LOADF => set_r!(i.a(), Value::float(i.sbx() as f64)),
                    op::LOADK => set_r!(i.a(), k[i.bx() as usize]),
                    op::LOADKX => {
                        let ax = code[pc].ax();
                        pc += 1;
                        set_r!(i.a(), k[ax as usize]);
                    }
                    op::LOADFALSE => set_r!(i.a(), Value::FALSE),
                    op::LFALSESKIP => {
                        set_r!(i.a(), Value::FALSE);
                        pc += 1;
                    }
                    op::LOADTRUE => set_r!(i.a(), Value::TRUE),
                    op::LOADNIL => {
                        let a = base + i.a() as usize;
                        self.heap.mem[a..=a + i.b() as usize].fill(Slot::default());
                    }
                    op::GETUPVAL => {
                        let uv = closure::upval(&self.heap, cl, i.b());
                        set_rs!(i.a(), closure::upval_get(&self.heap, uv));
                    }
                    op::SETUPVAL => {
                        let uv = closure::upval(&self.heap, cl, i.b());
                        let v = rvs!(i.a());
                        closure::upval_set(&mut self.heap, uv, v);
                    }
                    op::GETTABUP => {
                        let uv = closure::upval(&self.heap, cl, i.b());
                        let t = closure::upval_get(&self.heap, uv);
                        let key = k[i.c() as usize];
                        if t.is_table() {
                            let ti = slot_index(t.offset());
                            let v = table::get_str(&self.heap, ti, slot_index(key.offset()));
                            if !v.is_nil() || table::metatable(&self.heap, ti) == 0 {
                                set_rs!(i.a(), v);
                                continue;
                            }
                        }
                        let v = protect!(self.index(t, key, Origin::Upval(i.b())));
                        set_rs!(i.a(), v);
                    }
                    op::GETTABLE => {
                        let t = rv!(i.b());
                        let key = rv!(i.c());
                        if t.is_table() {
                            let ti = slot_index(t.offset());
                            let v = if key.tag() == TAG_INT {
                                table::get_int(&self.heap, ti, key.as_int_unchecked())
                            } else {
                                table::get(&self.heap, ti, key)
                            };
                            if !v.is_nil() || table::metatable(&self.heap, ti) == 0 {
                                set_rs!(i.a(), v);
                                continue;
                            }
                        }
                        let v = protect!(self.index(t, key, Origin::Reg(i.b())));
                        set_rs!(i.a(), v);
                    }
                    op::GETI => {
                        let t = rv!(i.b());
                        if t.is_table() {
                            let ti = slot_index(t.offset());
                            let v = table::get_int(&self.heap, ti, i.c() as i64);
                            if !v.is_nil() || table::metatable(&self.heap, ti) == 0 {
                                set_rs!(i.a(), v);
                                continue;
                            }
                        }
                        let v =
                            protect!(self.index(t, Value::int(i.c() as i64), Origin::Reg(i.b())));
                        set_rs!(i.a(), v);
                    }
                    op::GETFIELD => {
                        let t = rv!(i.b());
                        let key = k[i.c() as usize];
                        if t.is_table() {
                            let ti = slot_index(t.offset());
                            let v = table::get_str(&self.heap, ti, slot_index(key.offset()));
                            if !v.is_nil() || table::metatable(&self.heap, ti) == 0 {
                                set_rs!(i.a(), v);
                                continue;
                            }
                            let v = protect!(self.index_str_miss(t, key, Origin::Reg(i.b())));
                            set_rs!(i.a(), v);
                            continue;
                        }
                        let v = protect!(self.index(t, key, Origin::Reg(i.b())));
                        set_rs!(i.a(), v);
                    }
                    op::SETTABUP => {
                        let uv = closure::upval(&self.heap, cl, i.a());
                        let t = closure::upval_get(&self.heap, uv);
                        let key = k[i.b() as usize];
                        let v = if i.k() {
                            k[i.c() as usize]
                        } else {
                            rvs!(i.c())
                        };
                        if t.is_table() {
                            let ti = slot_index(t.offset());
                            if self.fast_set_str(ti, key, v) {
                                continue;
                            }
                        }
                        protect!(self.set_index(t, key, v, Origin::Upval(i.a())));
                    }
                    op::SETTABLE => {
                        let t = rv!(i.a());
                        let key = rv!(i.b());
                        let v = if i.k() { k[i.c() as usize] } else { rv!(i.c()) };
                        if t.is_table() && key.tag() == TAG_INT {
                            let ti = slot_index(t.offset());
                            if self.fast_set_int(ti, key.as_int_unchecked(), v) {
                                continue;
                            }
                        }
                        protect!(self.set_index(t, key, v, Origin::Reg(i.a())));
                    }
                    op::SETI => {
                        let t = rv!(i.a());
                        let v = if i.k() { k[i.c() as usize] } else { rv!(i.c()) };
                        if t.is_table() {
                            let ti = slot_index(t.offset());
                            if self.fast_set_int(ti, i.b() as i64, v) {
                                continue;
                            }
                        }
                        protect!(self.set_index(
                            t,
                            Value::int(i.b() as i64),
                            v,
                            Origin::Reg(i.a())
                        ));
                    }
                    op::SETFIELD => {
                        let t = rv!(i.a());
                        let key = k[i.b() as usize];
                        let v = if i.k() { k[i.c() as usize] } else { rv!(i.c()) };
                        if t.is_table() {
                            let ti = slot_index(t.offset());
                            if self.fast_set_str(ti, key, v) {
                                continue;
                            }
                        }
                        protect!(self.set_index(t, key, v, Origin::Reg(i.a())));
                    }
                    op::NEWTABLE => {
                        let (asize, hsize) = i.new_table_sizes(code[pc]);
                        pc += 1;
                        let t = protect!(self.new_table(asize, hsize));
                        set_rs!(i.a(), t);
                    }
                    op::SELF => {
                        let t = rv!(i.b());
                        let key = if i.k() { k[i.c() as usize] } else { rv!(i.c()) };
                        set_r!(i.a() + 1, t);
                        if t.is_table() && key.is_string() {
                            let ti = slot_index(t.offset());
                            let v = table::get_str(&self.heap, ti, slot_index(key.offset()));
                            if !v.is_nil() || table::metatable(&self.heap, ti) == 0 {
                                set_rs!(i.a(), v);
                                continue;
                            }
                            let v = protect!(self.index_str_miss(t, key, Origin::Reg(i.b())));
                            set_rs!(i.a(), v);
                            continue;
                        }
                        let v = protect!(self.index(t, key, Origin::Reg(i.b())));
                        set_rs!(i.a(), v);
                    }
                    op::ADDI => {
                        let b = rv!(i.b());
                        let imm = i.sc() as i64;
                        if b.tag() == TAG_INT {
                            set_r!(i.a(), Value::int(b.as_int_unchecked().wrapping_add(imm)));
                        } else if b.tag() == TAG_FLOAT {
                            set_r!(i.a(), Value::float(b.as_float_unchecked() + imm as f64));
                        } else {
                            protect!(self.arith_instr_slow(i, func + 1, k));
                        }
                    }
                    op::ADDK => {
                        arith!(i, k[i.c() as usize], i64::wrapping_add, |x: f64, y: f64| x
                            + y)
                    }
                    op::SUBK => {
                        arith!(i, k[i.c() as usize], i64::wrapping_sub, |x: f64, y: f64| x
                            - y)
                    }
                    op::MULK => {
                        arith!(i, k[i.c() as usize], i64::wrapping_mul, |x: f64, y: f64| x
                            * y)
                    }
                    op::MODK => int_div!(i, k[i.c() as usize], int_mod, float_mod),
                    op::POWK => float_only!(i, k[i.c() as usize], super::meta::pow),
                    op::DIVK => float_only!(i, k[i.c() as usize], |x: f64, y: f64| x / y),
                    op::IDIVK => int_div!(i, k[i.c() as usize], int_floor_div, float_floor_div),
                    op::BANDK => bitwise!(i, k[i.c() as usize], |x: i64, y: i64| x & y),
                    op::BORK => bitwise!(i, k[i.c() as usize], |x: i64, y: i64| x | y),
                    op::BXORK => bitwise!(i, k[i.c() as usize], |x: i64, y: i64| x ^ y),
                    op::SHRI => {
                        let b = rv!(i.b());
                        let sc = i.sc() as i64;
                        if b.tag() == TAG_INT {
                            set_r!(i.a(), Value::int(shift_left(b.as_int_unchecked(), -sc)));
                        } else {
                            protect!(self.arith_instr_slow(i, func + 1, k));
                        }
                    }
                    op::SHLI => {
                        let b = rv!(i.b());
                        let sc = i.sc() as i64;
                        if b.tag() == TAG_INT {
                            set_r!(i.a(), Value::int(shift_left(sc, b.as_int_unchecked())));
                        } else {
                            protect!(self.arith_instr_slow(i, func + 1, k));
                        }
                    }
                    op::ADD => arith!(i, rv!(i.c()), i64::wrapping_add, |x: f64, y: f64| x + y),
                    op::SUB => arith!(i, rv!(i.c()), i64::wrapping_sub, |x: f64, y: f64| x - y),
                    op::MUL => arith!(i, rv!(i.c()), i64::wrapping_mul, |x: f64, y: f64| x * y),
                    op::MOD => int_div!(i, rv!(i.c()), int_mod, float_mod),
                    op::POW => float_only!(i, rv!(i.c()), super::meta::pow),
                    op::DIV => float_only!(i, rv!(i.c()), |x: f64, y: f64| x / y),
                    op::IDIV => int_div!(i, rv!(i.c()), int_floor_div, float_floor_div),
                    op::BAND => bitwise!(i, rv!(i.c()), |x: i64, y: i64| x & y),
                    op::BOR => bitwise!(i, rv!(i.c()), |x: i64, y: i64| x | y),
                    op::BXOR => bitwise!(i, rv!(i.c()), |x: i64, y: i64| x ^ y),
                    op::SHL => bitwise!(i, rv!(i.c()), shift_left),
                    op::SHR => bitwise!(i, rv!(i.c()), |x: i64, y: i64| shift_left(
                        x,
                        y.wrapping_neg()
                    )),
                    op::UNM => {
                        let b = rv!(i.b());
                        match b.tag() {
                            TAG_INT => {
                                set_r!(i.a(), Value::int(b.as_int_unchecked().wrapping_neg()))
                            }
                            TAG_FLOAT => set_r!(i.a(), Value::float(-b.as_float_unchecked())),
                            _ => {
                                protect!(self.arith_instr_slow(i, func + 1, k));
                            }
                        }
                    }
                    op::BNOT => {
                        let b = rv!(i.b());
                        if b.tag() == TAG_INT {
                            set_r!(i.a(), Value::int(!b.as_int_unchecked()));
                        } else {
                            protect!(self.arith_instr_slow(i, func + 1, k));
                        }
                    }
                    op::NOT => {
                        let b = rv!(i.b());
                        set_r!(i.a(), Value::bool(b.is_falsy()));
                    }
                    op::LEN => {
                        let b = rv!(i.b());
                        if b.is_string() {
                            // String length lives in the header's `hi` word.
                            let len = mem[slot_index(b.offset())].hi as u32;
                            set_r!(i.a(), Value::int(len as i64));
                        } else {
                            let v = protect!(self.length(b, Origin::Reg(i.b())));
                            set_rs!(i.a(), v);
                        }
                    }
                    op::CONCAT => {
                        let first = func + 1 + i.a();
                        protect!(self.concat(first, i.b()));
                    }
                    op::CLOSE => {
                        protect!(self.close_level(func + 1 + i.a(), false));
                    }
                    op::TBC => {
                        protect!(self.new_tbc(func + 1 + i.a(), Some((i.a(), pc as u32 - 1))));
                    }
                    op::JMP => {
                        let sj = i.sj();
                        pc = (pc as i64 + sj as i64) as usize;
                        if sj < 0 {
                            backedge!();
                        }
                    }
                    op::EQ => {
                        let a = rv!(i.a());
                        let b = rv!(i.b());
                        let eq = if a.tag() == b.tag()
                            && !matches!(a.tag(), TAG_FLOAT | TAG_STR | TAG_TABLE)
                        {
                            a.payload() == b.payload()
                        } else {
                            protect!(self.equals(a, b))
                        };
                        cond_jump!(eq, i);
                    }
                    op::LT | op::LE => {
                        let a = rvs!(i.a());
                        let b = rvs!(i.b());
                        let le = opb == op::LE;
                        let res = match number_less(a, b, le) {
                            Some(r) => r,
                            None => protect!(self.less(a, b, le)),
                        };
                        cond_jump!(res, i);
                    }
                    op::EQK => {
                        let a = rv!(i.a());
                        let b = k[i.b() as usize];
                        cond_jump!(self.raw_equals(a, b), i);
                    }
                    op::EQI => {
                        let a = rv!(i.a());
                        let im = i.sb() as i64;
                        let eq = match a.tag() {
                            TAG_INT => a.as_int_unchecked() == im,
                            TAG_FLOAT => a.as_float_unchecked() == im as f64,
                            _ => false,
                        };
                        cond_jump!(eq, i);
                    }
                    op::LTI | op::LEI | op::GTI | op::GEI => {
                        let a = rv!(i.a());
                        let im = i.sb() as i64;
                        let res = match a.tag() {
                            TAG_INT => {
                                let x = a.as_int_unchecked();
                                match opb {
                                    op::LTI => x < im,
                                    op::LEI => x <= im,
                                    op::GTI => x > im,
                                    _ => x >= im,
                                }
                            }
                            TAG_FLOAT => {
                                let x = a.as_float_unchecked();
                                let y = im as f64;
                                match opb {
                                    op::LTI => x < y,
                                    op::LEI => x <= y,
                                    op::GTI => x > y,
                                    _ => x >= y,
                                }
                            }
                            _ => {
                                let imv = if i.c() != 0 {
                                    Value::float(im as f64)
                                } else {
                                    Value::int(im)
                                };
                                match opb {
                                    op::LTI => protect!(self.less(a, imv, false)),
                                    op::LEI => protect!(self.less(a, imv, true)),
                                    op::GTI => protect!(self.less(imv, a, false)),
                                    _ => protect!(self.less(imv, a, true)),
                                }
                            }
                        };
                        cond_jump!(res, i);
                    }
                    op::TEST => {
                        let a = rv!(i.a());
                        cond_jump!(!a.is_falsy(), i);
                    }
                    op::TESTSET => {
                        let b = rv!(i.b());
                        if b.is_falsy() == i.k() {
                            pc += 1;
                        } else {
                            set_r!(i.a(), b);
                            let j = code[pc];
                            pc = (pc as i64 + 1 + j.sj() as i64) as usize;
                        }
                    }
                    op::CALL => {
                        let ra = func + 1 + i.a();
                        if i.b() != 0 {
                            self.top = ra + i.b();
                        }
                        self.set_saved_pc(fi, pc as u32);
                        let f = rvs!(i.a());
                        let pushed = if f.tag() == TAG_LFUNC {
                            self.push_lua_frame(ra, f, i.c() as i32 - 1)
                        } else {
                            None
                        };
                        if let Some(callee) = pushed {
                            let nfi = self.nframes - 1;
                            // With a driver waiting, the callee may have
                            // compiled code: enter it through 'newframe.
                            if callee.id == id && !self.driver_takes(entry, id) {
                                enter_same_proto!(nfi, callee);
                                continue;
                            }
                            continue 'newframe;
                        }
                        match self.precall(ra, i.c() as i32 - 1)? {
                            PreCall::Lua => continue 'newframe,
                            PreCall::Done => {
                                base = self.stack + func as usize + 1;
                            }
                        }
                    }
                    op::TAILCALL => {
                        self.set_saved_pc(fi, pc as u32);
                        if self.tail_call(fi, func, i)? {
                            continue 'newframe;
                        }
                        base = self.stack + func as usize + 1;
                    }
                    op::RETURN => {
                        let ra = func + 1 + i.a();
                        let n = if i.b() != 0 { i.b() - 1 } else { self.top - ra };
                        self.set_saved_pc(fi, pc as u32);
                        if i.k() {
                            self.top = (ra + n).max(ftop);
                            self.close_level(func + 1, false)?;
                        }
                        if i.c() != 0 {
                            let extra = self.frame(fi).extra;
                            func -= extra + i.c();
                            self.set_frame_func(fi, func, ftop);
                        }
                        self.poscall(fi, ra, n);
                        if fi <= entry {
                            return Ok(());
                        }
                        continue 'newframe;
                    }
                    op::RETURN0 | op::RETURN1 => {
                        let ra = func + 1 + i.a();
                        let n = if opb == op::RETURN0 { 0 } else { 1 };
                        // Inline `poscall` for the usual wanted counts.
                        match nresults {
                            0 => self.top = func,
                            1 | -1 if n == 1 => {
                                let v = read_split(&mem[base + i.a() as usize]);
                                mem[base - 1] = v;
                                self.top = func + 1;
                            }
                            1 => {
                                mem[base - 1] = Slot::default();
                                self.top = func + 1;
                            }
                            _ => self.poscall(fi, ra, n),
                        }
                        self.nframes = fi;
                        if fi <= entry {
                            return Ok(());
                        }
                        let caller = self.frame(fi - 1);
                        if caller.id == id
                            && caller.flags & (FRAME_LUA | FRAME_INTERRUPTED) == FRAME_LUA
                        {
                            enter_same_proto!(fi - 1, caller);
                            continue;
                        }
                        continue 'newframe;
                    }
                    op::FORLOOP => {
                        let a = i.a();
                        let step = rv!(a + 2);
                        if step.tag() == TAG_INT {
                            let count = r!(a + 1).lo;
                            if count > 0 {
                                let idx = (r!(a).lo as i64).wrapping_add(step.as_int_unchecked());
                                r!(a + 1).lo = count - 1;
                                r!(a).lo = idx as u64;
                                set_r!(a + 3, Value::int(idx));
                                pc -= i.bx() as usize;
                                backedge!();
                            }
                        } else {
                            let st = step.as_float_unchecked();
                            let limit = rvs!(a + 1).as_float_unchecked();
                            let idx = rvs!(a).as_float_unchecked() + st;
                            let go = if st > 0.0 { idx <= limit } else { limit <= idx };
                            if go {
                                set_rs!(a, Value::float(idx));
                                set_rs!(a + 3, Value::float(idx));
                                pc -= i.bx() as usize;
                                backedge!();
                            }
                        }
                    }
                    op::FORPREP => {
                        let skip = protect!(self.for_prep(base + i.a() as usize));
                        if skip {
                            pc += i.bx() as usize + 1;
                        }
                    }
                    op::TFORPREP => {
                        protect!(
                            self.new_tbc(func + 1 + i.a() + 3, Some((i.a() + 3, pc as u32 - 1)))
                        );
                        pc += i.bx() as usize;
                    }
                    op::TFORCALL => {
                        let a = i.a();
                        let ra = func + 1 + a;
                        let sb = self.stack;
                        self.heap.mem.copy_within(
                            sb + ra as usize..sb + ra as usize + 3,
                            sb + ra as usize + 4,
                        );
                        self.top = ra + 4 + 3;
                        self.set_saved_pc(fi, pc as u32);
                        match self.precall(ra + 4, i.c() as i32)? {
                            PreCall::Lua => continue 'newframe,
                            PreCall::Done => base = self.stack + func as usize + 1,
                        }
                    }
                    op::TFORLOOP => {
                        let a = i.a();
                        let v = rv!(a + 4);
                        if !v.is_nil() {
                            set_r!(a + 2, v);
                            pc -= i.bx() as usize;
                            backedge!();
                        }
                    }
                    op::SETLIST => {
                        let a = i.a();
                        let ra = func + 1 + a;
                        let mut n = i.b();
                        let mut last = i.c();
                        if n == 0 {
                            n = self.top - ra - 1;
                        } else {
                            self.top = ftop;
                        }
                        last += n;
                        if i.k() {
                            last += code[pc].ax() * (crate::bytecode::isa::MAX_ARG_C + 1);
                            pc += 1;
                        }
                        let t = rvs!(a);
                        let ti = slot_index(t.offset());
                        if last > table::array_size(&self.heap, ti) {
                            protect!(self.resize_array(ti, last));
                        }
                        for j in 1..=n {
                            let v = rvs!(a + j);
                            let idx = last - n + j;
                            if table::set_int(&mut self.heap, ti, idx as i64, v).is_err() {
                                save!();
                                return Err(self.out_of_memory());
                            }
                        }
                    }
                    op::CLOSURE => {
                        let child = lp.children[i.bx() as usize];
                        let v = protect!(self.make_closure(child, base, cl));
                        set_rs!(i.a(), v);
                    }
                    op::VARARG => {
                        let ra = func + 1 + i.a();
                        let wanted = i.c() as i32 - 1;
                        let nextra = self.frame(fi).extra;
                        let n = if wanted < 0 {
                            save!();
                            self.ensure_stack(ra, nextra + 1)?;
                            base = self.stack + func as usize + 1;
                            self.top = ra + nextra;
                            nextra
                        } else {
                            wanted as u32
                        };
                        for j in 0..n {
                            let v = if j < nextra {
                                self.stk(func - nextra + j)
                            } else {
                                Value::NIL
                            };
                            self.set_stk(ra + j, v);
                        }
                    }
                    op::VARARGPREP => {
                        let nfix = i.a();
                        let actual = self.top - func - 1;
                        let nextra = actual.saturating_sub(nfix);
                        save!();
                        self.top = func + 1 + actual;
                        let maxstack = lp.proto.max_stack_size as u32;
                        // luaT_adjustvarargs: the moved frame ends at
                        // top + 1 + maxstack (fixed parameters inside it).
                        self.ensure_stack(self.top, maxstack + 1)?;
                        let t0 = self.top;
                        let fv = self.stk(func);
                        self.set_stk(t0, fv);
                        for j in 1..=nfix {
                            let v = self.stk(func + j);
                            self.set_stk(t0 + j, v);
                            self.set_stk(func + j, Value::NIL);
                        }
                        func += actual + 1;
                        ftop += actual + 1;
                        self.set_frame_func(fi, func, ftop);
                        self.set_frame_extra(fi, nextra);
                        self.top = func + 1 + nfix;
                        base = self.stack + func as usize + 1;
                    }
                    _ => {
                        // EXTRAARG is consumed by its owner; anything else is
                        // impossible in verified code.
                        save!();
                        return Err(self.rt_error("invalid instruction"));
                    }
                }
            }
        }
    }

    /// Completes the instruction a resumed coroutine was interrupted in (its
    /// metamethod's result is at the top of the stack), like `luaV_finishOp`.
    fn finish_op(&mut self, fi: u32, fr: &Frame) -> Result<(), Throw> {
        self.clear_frame_flags(fi, FRAME_INTERRUPTED);
        let p = &self.protos[fr.id as usize];
        let Some(&i) = p.code.get(fr.saved_pc.saturating_sub(1) as usize) else {
            return Ok(());
        };
        let result = if self.top > 0 {
            self.stk(self.top - 1)
        } else {
            Value::NIL
        };
        match i.op_byte() {
            // The comparison's outcome decides whether the following JMP runs.
            op::EQ | op::LT | op::LE | op::LTI | op::LEI | op::GTI | op::GEI
                if result.is_falsy() == i.k() =>
            {
                self.set_saved_pc(fi, fr.saved_pc + 1);
            }
            op::EQ | op::LT | op::LE | op::LTI | op::LEI | op::GTI | op::GEI => {}
            op::SETTABUP | op::SETTABLE | op::SETI | op::SETFIELD => {}
            op::CLOSE | op::RETURN => {
                // Run the instruction again: it closes what is left.
                self.set_saved_pc(fi, fr.saved_pc - 1);
                return Ok(());
            }
            op::CONCAT => self.finish_concat(fr.func + 1 + i.a(), result)?,
            _ if i.opcode().is_some_and(|o| o.flags().sets_a()) => {
                self.set_stk(fr.func + 1 + i.a(), result);
            }
            _ => {}
        }
        self.top = fr.top;
        Ok(())
    }

    /// The common case of calling a Lua closure at stack index `ra`: enough
    /// stack and frame room already. Returns the pushed frame's record, or
    /// `None` (nothing done) otherwise, and the general `precall` takes over.
    #[inline(always)]
    fn push_lua_frame(&mut self, ra: u32, f: Value, nresults: i32) -> Option<Frame> {
        let id = closure::proto_id(&self.heap, slot_index(f.offset()));
        let (np, ms) = {
            let p = &self.protos[id as usize];
            (p.num_params, p.max_stack)
        };
        // Room as luaD_precall counts it: frame size above the arguments.
        if self.top + ms > self.stack_size || self.nframes >= self.frame_cap {
            return None;
        }
        self.fill_missing_args(ra, np);
        let fi = self.nframes;
        let frame = Frame {
            func: ra,
            top: ra + 1 + ms,
            saved_pc: 0,
            nresults,
            flags: FRAME_LUA,
            extra: 0,
            id,
        };
        frame.store(
            &mut self.heap.mem,
            self.frames + (fi * FRAME_SLOTS) as usize,
        );
        self.nframes = fi + 1;
        self.profile.on_call(id);
        Some(frame)
    }

    /// `TAILCALL`: reuses frame `fi` for a Lua callee (returns true: run
    /// the new frame); a native callee runs as a plain call whose results
    /// the following `RETURN` returns (false). Out of line: rare and large.
    #[inline(never)]
    fn tail_call(&mut self, fi: u32, func: u32, i: crate::bytecode::Instr) -> Result<bool, Throw> {
        let ra = func + 1 + i.a();
        let mut nargs1 = i.b();
        if nargs1 != 0 {
            self.top = ra + nargs1;
        } else {
            nargs1 = self.top - ra;
        }
        if i.k() {
            self.close_upvals(self.stack + func as usize + 1);
        }
        let delta = if i.c() != 0 {
            self.frame(fi).extra + i.c()
        } else {
            0
        };
        // Resolve __call chains first.
        let mut f = self.stk(ra);
        let mut guard = 0;
        while !f.is_function() {
            guard += 1;
            let tm = self.get_tm_by_obj(f, Tm::Call);
            if tm.is_nil() || guard > 100 {
                return Err(self.call_error(ra, f));
            }
            self.ensure_stack(self.top, 1)?;
            let mut j = self.top;
            while j > ra {
                let v = self.stk(j - 1);
                self.set_stk(j, v);
                j -= 1;
            }
            self.top += 1;
            nargs1 += 1;
            self.set_stk(ra, tm);
            f = tm;
        }
        if f.tag() != TAG_LFUNC {
            return Ok(matches!(self.precall(ra, -1)?, PreCall::Lua));
        }
        let id = closure::proto_id(&self.heap, slot_index(f.offset()));
        let (np, ms) = {
            let p = &self.protos[id as usize];
            (p.num_params, p.max_stack)
        };
        let newfunc = func - delta;
        self.ensure_stack(newfunc + 1, ms + 1)?;
        let sb = self.stack;
        self.heap.mem.copy_within(
            sb + ra as usize..sb + (ra + nargs1) as usize,
            sb + newfunc as usize,
        );
        let mut n = nargs1;
        while n <= np {
            self.set_stk(newfunc + n, Value::NIL);
            n += 1;
        }
        let old = self.frame(fi);
        Frame {
            func: newfunc,
            top: newfunc + 1 + ms,
            saved_pc: 0,
            nresults: old.nresults,
            flags: old.flags | FRAME_TAIL,
            extra: 0,
            id,
        }
        .store(
            &mut self.heap.mem,
            self.frames + (fi * FRAME_SLOTS) as usize,
        );
        self.top = newfunc + n;
        self.profile.on_call(id);
        if self.profile.deadline_passed() {
            return Err(self.deadline_error());
        }
        Ok(true)
    }

    /// Slow path of every arithmetic and bitwise instruction: re-reads the
    /// operands (so the fast paths keep nothing alive for it), applies
    /// string coercion through metamethods, `__add` & co. and the errors,
    /// and writes `R[A]`. Out of line to keep the dispatch loop small.
    #[cold]
    #[inline(never)]
    fn arith_instr_slow(
        &mut self,
        i: crate::bytecode::Instr,
        rbase: u32,
        k: &[Value],
    ) -> Result<(), Throw> {
        let rb = self.stk(rbase + i.b());
        let (b, ob) = (rb, Origin::Reg(i.b()));
        let kc = || k.get(i.c() as usize).copied().unwrap_or(Value::NIL);
        let Some(tm) = super::meta::arith_event(i) else {
            return Err(self.rt_error("invalid instruction"));
        };
        // Operands in source order, with where they came from.
        let (x, y, ox, oy) = match i.op_byte() {
            op::ADD
            | op::SUB
            | op::MUL
            | op::MOD
            | op::POW
            | op::DIV
            | op::IDIV
            | op::BAND
            | op::BOR
            | op::BXOR
            | op::SHL
            | op::SHR => (b, self.stk(rbase + i.c()), ob, Origin::Reg(i.c())),
            op::ADDI | op::SHRI | op::SHLI => {
                // SHRI from `x << c` stores -c; the event is __shl(x, c).
                let imm = if i.op_byte() == op::SHRI && i.k() {
                    -(i.sc() as i64)
                } else {
                    i.sc() as i64
                };
                let c = Value::int(imm);
                if i.k() && i.op_byte() == op::ADDI || i.op_byte() == op::SHLI {
                    (c, b, Origin::None, ob)
                } else {
                    (b, c, ob, Origin::None)
                }
            }
            op::UNM | op::BNOT => (b, b, ob, ob),
            // The constant forms; `k` means the compiler swapped the operands.
            _ if i.k() => (kc(), b, Origin::None, ob),
            _ => (b, kc(), ob, Origin::None),
        };
        let v = self.arith_slow(tm, x, y, ox, oy)?;
        // Stack-relative: the stack may have moved during a metamethod call.
        self.set_stk(rbase + i.a(), v);
        Ok(())
    }

    /// Fast `t[key] = v` for a short-string key: succeeds when the key is
    /// present (overwrite) or the table has no metatable (raw insert is then
    /// done by the caller's slow path only when allocation is needed).
    #[inline]
    fn fast_set_str(&mut self, ti: usize, key: Value, v: Value) -> bool {
        match table::str_slot(&self.heap, ti, slot_index(key.offset())) {
            // Present with a value: plain overwrite (no metamethod applies);
            // present but nil: still in place when no metatable could intervene.
            Some(vs) if !self.heap.get(vs).is_nil() => {
                self.heap.set(vs, v);
                true
            }
            Some(vs) if table::metatable(&self.heap, ti) == 0 => {
                // A revived key may be a metamethod name: drop cached absences.
                table::invalidate_tm_cache(&mut self.heap, ti);
                self.heap.set(vs, v);
                true
            }
            _ => false,
        }
    }

    /// Fast `t[i] = v` for an integer key inside the array part.
    #[inline]
    fn fast_set_int(&mut self, ti: usize, key: i64, v: Value) -> bool {
        match table::array_slot_of(&self.heap, ti, key) {
            // Any slot when no `__newindex` can intervene, or one that holds
            // a value: store in place. The metatable first: it is in the
            // (hot) header, and without one the old value is never read,
            // so a store to a cold slot does not wait for its cache miss.
            Some(s) if table::metatable(&self.heap, ti) == 0 || !self.heap.get(s).is_nil() => {
                self.heap.set(s, v);
                true
            }
            _ => false,
        }
    }

    /// Grows a table's array part to `n` (SETLIST preallocation).
    pub(crate) fn resize_array(&mut self, ti: usize, n: u32) -> Result<(), Throw> {
        self.maybe_gc();
        let nh = table::node_count(&self.heap, ti);
        match table::resize(&mut self.heap, ti, n, nh) {
            Ok(()) => Ok(()),
            Err(_) => Err(self.out_of_memory()),
        }
    }

    /// `FORPREP`: checks and converts the control values at absolute slot
    /// `ra`; returns true when the loop must be skipped.
    fn for_prep(&mut self, ra: usize) -> Result<bool, Throw> {
        let init = self.heap.get(ra);
        let limit = self.heap.get(ra + 1);
        let step = self.heap.get(ra + 2);
        if init.tag() == TAG_INT && step.tag() == TAG_INT {
            let (i0, st) = (init.as_int_unchecked(), step.as_int_unchecked());
            if st == 0 {
                return Err(self.rt_error("'for' step is zero"));
            }
            self.heap.set(ra + 3, Value::int(i0));
            let lim = match self.for_limit(limit, st)? {
                None => return Ok(true),
                Some(l) => l,
            };
            if if st > 0 { i0 > lim } else { i0 < lim } {
                return Ok(true);
            }
            let count = if st > 0 {
                let c = (lim as u64).wrapping_sub(i0 as u64);
                if st != 1 { c / st as u64 } else { c }
            } else {
                let c = (i0 as u64).wrapping_sub(lim as u64);
                c / ((-(st + 1)) as u64 + 1)
            };
            self.heap.set(ra + 1, Value::int(count as i64));
            return Ok(false);
        }
        let Some(fl) = self.to_number(limit).and_then(|v| v.as_f64()) else {
            return Err(self.for_error(limit, "limit"));
        };
        let Some(fs) = self.to_number(step).and_then(|v| v.as_f64()) else {
            return Err(self.for_error(step, "step"));
        };
        let Some(fi) = self.to_number(init).and_then(|v| v.as_f64()) else {
            return Err(self.for_error(init, "initial value"));
        };
        if fs == 0.0 {
            return Err(self.rt_error("'for' step is zero"));
        }
        if if fs > 0.0 { fl < fi } else { fi < fl } {
            return Ok(true);
        }
        self.heap.set(ra, Value::float(fi));
        self.heap.set(ra + 1, Value::float(fl));
        self.heap.set(ra + 2, Value::float(fs));
        self.heap.set(ra + 3, Value::float(fi));
        Ok(false)
    }

    /// `forlimit`: the integer loop limit, or `None` when the loop must not run.
    fn for_limit(&mut self, limit: Value, step: i64) -> Result<Option<i64>, Throw> {
        let conv = match limit.tag() {
            TAG_INT => Some(limit.as_int_unchecked()),
            _ => {
                let n = self.to_number(limit);
                match n {
                    Some(v) if v.tag() == TAG_INT => Some(v.as_int_unchecked()),
                    Some(v) => {
                        let f = v.as_float_unchecked();
                        let r = if step < 0 { f.ceil() } else { f.floor() };
                        float_to_int_exact(r)
                    }
                    None => return Err(self.for_error(limit, "limit")),
                }
            }
        };
        match conv {
            Some(l) => Ok(Some(l)),
            None => {
                // A float out of integer range (or NaN): clip, as `forlimit` does.
                let f = self
                    .to_number(limit)
                    .and_then(|v| v.as_f64())
                    .unwrap_or(0.0);
                if f > 0.0 {
                    if step < 0 {
                        return Ok(None);
                    }
                    Ok(Some(i64::MAX))
                } else {
                    if step > 0 {
                        return Ok(None);
                    }
                    Ok(Some(i64::MIN))
                }
            }
        }
    }

    fn for_error(&mut self, v: Value, what: &str) -> Throw {
        let t = self.type_name_for_error(v);
        self.rt_error(&format!("bad 'for' {what} (number expected, got {t})"))
    }
}
