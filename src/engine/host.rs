//! The host side of compiled code: the runtime imports (`step`, the
//! interpreter trampoline) and the *driver* that alternates between the
//! interpreter and compiled functions.
//!
//! The interpreter only has `&mut Vm`, and calling Wasm needs the store, so
//! the interpreter never calls compiled code itself. A driver — the top-level
//! call, or a host import called by compiled code — runs the interpreter
//! with itself registered as the exit point; when the interpreter enters a
//! frame whose proto has compiled code it stops (`JitHooks::pending`), the
//! driver calls the compiled function through the store and then lets the
//! interpreter continue. Errors from compiled code come back as a Wasm trap
//! carrying [`LuaThrow`]; the driver then unwinds Lua frames exactly as the
//! interpreter would (`pcall` boundaries included).
//!
//! Natives that call Lua (`table.sort` comparators, metamethods, `gsub`
//! callbacks) run the callee in the interpreter, and so do coroutines: a
//! coroutine can only yield when no Wasm frame is on the native stack.

use wasmtime::{AsContextMut, Caller, Func, Store, Trap};

use super::isolate::IsolateData;
use crate::codegen::rt_block;
use crate::vm::layout::SLOT_BYTES;
use crate::vm::thread::{FRAME_INTERRUPTED, FRAME_LUA};
use crate::vm::value::Value;
use crate::vm::{Throw, Tm, Vm, VmError};

/// Nesting of drivers (compiled code → import → compiled code ...) beyond
/// which calls stay in the interpreter. Each level costs native stack, while
/// the interpreter runs Lua-to-Lua calls without native recursion; this keeps
/// deep Lua recursion (up to the Lua stack limit) safe on any thread.
pub const MAX_NATIVE_NESTING: u32 = 48;

/// Marker error: a Lua error (the value is in the VM) unwinding Wasm frames.
#[derive(Debug)]
pub struct LuaThrow;

impl std::fmt::Display for LuaThrow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Lua error")
    }
}

impl std::error::Error for LuaThrow {}

fn vm_of(store: &mut Store<IsolateData>) -> &mut Vm {
    &mut store.data_mut().vm
}

/// [`Vm::call_protected`] with compiled code.
pub(crate) fn call_protected(
    store: &mut Store<IsolateData>,
    f: Value,
    args: &[Value],
) -> Result<Vec<Value>, VmError> {
    store.data_mut().vm.libs.interrupted = false;
    // A deadline for this call, if any (ticks of EPOCH_TICK_MS): Wasmtime's
    // epoch for compiled code, the same ticker's counter for the interpreter.
    match store.data().jit.time_limit {
        Some(limit) => {
            let ticks = (limit.as_millis() as u64 / super::EPOCH_TICK_MS).max(1);
            store.set_epoch_deadline(ticks);
            let clock = store.data().jit.engines().ticks.clone();
            let now = clock.load(std::sync::atomic::Ordering::Relaxed);
            store.data_mut().vm.profile.deadline = Some(crate::profile::Deadline {
                ticks: clock,
                at: now + ticks,
            });
        }
        None => {
            store.set_epoch_deadline(u64::MAX / 2);
            store.data_mut().vm.profile.deadline = None;
        }
    }
    crate::vm::host::call_protected_with(store, vm_of, f, args, call_at)
}

/// [`Vm::call_at`] (all results) through a driver.
fn call_at(store: &mut Store<IsolateData>, func: u32) -> Result<(), Throw> {
    crate::vm::call::call_at_with(store, vm_of, func, -1, |store, entry| {
        drive(store, entry, false)
    })
}

/// Writes a 32-bit word of the runtime block (little-endian, as Wasm
/// reads it).
fn set_rt_word(vm: &mut Vm, byte: u32, v: u32) {
    let at = byte as usize;
    vm.heap.bytes_mut()[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

/// Reads a 32-bit word of the runtime block.
fn rt_word(vm: &Vm, byte: u32) -> u32 {
    let at = byte as usize;
    let mut w = [0; 4];
    w.copy_from_slice(&vm.heap.bytes()[at..at + 4]);
    u32::from_le_bytes(w)
}

/// Before control goes (back) to compiled code: publishes the running
/// coroutine's frame and stack state, and the base of the newest frame,
/// in the runtime block.
fn sync_to_wasm(vm: &mut Vm) {
    let slot = SLOT_BYTES;
    let base = match vm.nframes.checked_sub(1) {
        Some(fi) => (vm.stack as u32 + vm.frame(fi).func + 1) * slot,
        None => 0,
    };
    let words = [
        (rt_block::BASE, base),
        (rt_block::NFRAMES, vm.nframes),
        (rt_block::TOP, vm.top),
        (rt_block::FRAMES, vm.frames as u32 * slot),
        (rt_block::FRAME_CAP, vm.frame_cap),
        (rt_block::STACK, vm.stack as u32 * slot),
        (rt_block::STACK_SIZE, vm.stack_size),
        (rt_block::INDEX_NAME, vm.tm_names[Tm::Index as usize]),
        (rt_block::STRING_META, vm.string_meta),
    ];
    for (byte, v) in words {
        set_rt_word(vm, byte, v);
    }
}

/// [`sync_to_wasm`], after giving protos loaded since (`load`, `require`)
/// their code-table slots, so that direct calls can reach them. A full
/// table is no error: calls of protos without a slot go through `step`.
fn return_to_wasm(cx: &mut impl AsContextMut<Data = IsolateData>) {
    let _ = super::isolate::sync_code_table(cx);
    sync_to_wasm(&mut cx.as_context_mut().data_mut().vm);
}

/// On entry from compiled code (or after it returned or trapped): takes
/// back the frame count and top it maintained.
fn sync_from_wasm(vm: &mut Vm) {
    vm.nframes = rt_word(vm, rt_block::NFRAMES);
    vm.top = rt_word(vm, rt_block::TOP);
}

/// Native nesting now: drivers plus direct calls in progress.
fn native_depth(data: &IsolateData) -> u32 {
    data.jit.nesting + rt_word(&data.vm, rt_block::DEPTH)
}

/// Runs frames until frame `entry` has returned (or, with `step`, until the
/// instruction at its saved pc has executed), calling compiled code for
/// frames that have it.
pub(crate) fn drive<C: AsContextMut<Data = IsolateData>>(
    cx: &mut C,
    entry: u32,
    step: bool,
) -> Result<(), Throw> {
    let mut cx = cx.as_context_mut();
    loop {
        crate::jit::compile_pending(&mut cx);
        let data = cx.data_mut();
        // With `--tier=interp` nothing is ever compiled: keep the
        // interpreter's own fast paths (no exit checks that could succeed).
        let native_ok = data.jit.nesting < MAX_NATIVE_NESTING
            && native_depth(data) < crate::codegen::MAX_DIRECT_CALL_DEPTH
            && data.jit.options().tier != crate::jit::TierMode::Interp;
        let vm = &mut data.vm;
        let saved_exit = vm.jit.exit_entry;
        vm.jit.exit_entry = if native_ok { entry } else { u32::MAX };
        vm.jit.pending = false;
        vm.jit.at_loop_head = false;
        let r = if step {
            vm.execute_mode::<true>(entry)
        } else {
            vm.execute_mode::<false>(entry)
        };
        vm.jit.exit_entry = saved_exit;
        r?;
        if !std::mem::take(&mut vm.jit.pending) {
            return Ok(());
        }
        // The run stopped at a frame start: to compile hot protos (next
        // iteration), or because the newest frame has compiled code; or at
        // a loop head (on-stack replacement: compiled code continues the
        // frame there).
        let fi = vm.nframes - 1;
        let fr = vm.frame(fi);
        let at_loop_head = std::mem::take(&mut vm.jit.at_loop_head);
        if !((fr.saved_pc == 0 || at_loop_head)
            && fr.flags & (FRAME_LUA | FRAME_INTERRUPTED) == FRAME_LUA
            && !(step && fi == entry)
            && vm.jit.is_compiled(fr.id))
        {
            continue;
        }
        let entry_fn = data
            .rt
            .as_ref()
            .and_then(|rt| rt.entries.get(fr.id as usize).cloned().flatten());
        let Some(entry_fn) = entry_fn else {
            return Err(vm.error_msg_raw(b"SJ-JIT-EXEC-INSTALL: compiled entry missing"));
        };
        let saved_step = vm.jit.step_done;
        // An error unwinding compiled code skips its depth decrements.
        let saved_depth = rt_word(vm, rt_block::DEPTH);
        data.jit.nesting += 1;
        data.jit.stats.native_calls += 1;
        data.jit.stats.loop_entries += u64::from(fr.saved_pc != 0);
        return_to_wasm(&mut cx);
        cx.data_mut().jit.switch_tier(true);
        let res = entry_fn.call(&mut cx, ());
        let data = cx.data_mut();
        data.jit.switch_tier(false);
        data.jit.nesting -= 1;
        let vm = &mut data.vm;
        vm.jit.step_done = saved_step;
        sync_from_wasm(vm);
        set_rt_word(vm, rt_block::DEPTH, saved_depth);
        if let Err(e) = res {
            if wasm_error_to_throw(vm, e) == Throw::Yield {
                return Err(Throw::Yield);
            }
            if !vm.catch(entry)? {
                return Err(Throw::Error);
            }
        }
        if vm.nframes <= entry {
            return Ok(());
        }
    }
}

/// Turns an error that unwound compiled code into a Lua error in `vm`
/// (the returned throw): a Lua error passes through; a deadline, a stack
/// overflow or a trap becomes an error value with its stable code.
fn wasm_error_to_throw(vm: &mut Vm, e: wasmtime::Error) -> Throw {
    if e.is::<LuaThrow>() {
        return Throw::Error;
    }
    match e.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => vm.deadline_error(),
        Some(Trap::StackOverflow) => vm.rt_error("stack overflow"),
        Some(t) => {
            let msg = format!("SJ-JIT-EXEC-TRAP: compiled code trapped: {t}");
            vm.error_msg_raw(msg.as_bytes())
        }
        None => {
            let msg = format!("SJ-JIT-EXEC-HOST: {e}");
            vm.error_msg_raw(msg.as_bytes())
        }
    }
}

/// The host side of every import compiled code calls: takes back the frame
/// count and top compiled code maintained, runs `body`, then republishes
/// the runtime block (with code-table slots for protos loaded meanwhile),
/// whatever `body` returned, and switches the tier clock around it. Every
/// import goes through here, so none can forget a half of the protocol.
fn from_wasm<R>(
    caller: &mut Caller<'_, IsolateData>,
    body: impl FnOnce(&mut Caller<'_, IsolateData>) -> R,
) -> R {
    let data = caller.data_mut();
    data.jit.switch_tier(false);
    sync_from_wasm(&mut data.vm);
    let r = body(caller);
    return_to_wasm(caller);
    caller.data_mut().jit.switch_tier(true);
    r
}

/// The `step` import: executes the instruction at `pc` of the running frame.
fn step(mut caller: Caller<'_, IsolateData>, pc: i32) -> wasmtime::Result<i32> {
    from_wasm(&mut caller, |c| step_instruction(c, pc))
}

/// `step` between the runtime-block syncs.
fn step_instruction(caller: &mut Caller<'_, IsolateData>, pc: i32) -> wasmtime::Result<i32> {
    let vm = &mut caller.data_mut().vm;
    let Some(fi) = vm.nframes.checked_sub(1) else {
        return Err(wasmtime::Error::msg("step without a frame"));
    };
    vm.set_saved_pc(fi, pc as u32);
    // A tail call replaces the frame: run the callee to completion instead
    // of stopping after one instruction (the frame is then done).
    use crate::bytecode::isa::op;
    let opb = instruction_at(vm, fi, pc as u32).map(|i| i.op_byte());
    if let Some(op) = opb {
        caller.data_mut().jit.stats.count_step(op);
    }
    let vm = &mut caller.data_mut().vm;
    let saved = vm.jit.step_done;
    vm.jit.step_done = false;
    let r = match opb {
        Some(op::CALL | op::TFORCALL) => drive(caller, fi, true),
        Some(op::TAILCALL) => drive(caller, fi, false),
        // Nothing else enters a Lua frame in this run (metamethods and
        // natives calling Lua run nested, in the interpreter): no driver
        // loop needed, and no exit may happen.
        _ => {
            let saved_exit = vm.jit.exit_entry;
            vm.jit.exit_entry = u32::MAX;
            let r = vm.execute_mode::<true>(fi);
            vm.jit.exit_entry = saved_exit;
            r
        }
    };
    let vm = &mut caller.data_mut().vm;
    vm.jit.step_done = saved;
    match r {
        Ok(()) => {
            if vm.nframes <= fi {
                Ok(crate::codegen::STEP_FRAME_DONE)
            } else {
                Ok(vm.frame(fi).saved_pc as i32)
            }
        }
        Err(t) => Err(throw_to_wasm(vm, t)),
    }
}

/// Instruction `pc` of frame `fi`'s proto (`None` if out of range).
fn instruction_at(vm: &Vm, fi: u32, pc: u32) -> Option<crate::bytecode::Instr> {
    let id = vm.frame(fi).id as usize;
    vm.protos.get(id)?.code.get(pc as usize).copied()
}

/// The error that carries a Lua throw out of an import.
fn throw_to_wasm(vm: &mut Vm, t: Throw) -> wasmtime::Error {
    if t == Throw::Yield {
        // Compiled code runs on the main coroutine only, which cannot
        // yield; report it as Lua does. (`rt_error` sets the error value;
        // the throw itself is the trap.)
        vm.rt_error("attempt to yield from outside a coroutine");
    }
    wasmtime::Error::new(LuaThrow)
}

/// The `call_native` import (see [`crate::codegen::RT_CALL_NATIVE`]): the
/// `CALL`, `TAILCALL` or `TFORCALL` at `pc` of the running frame, when its callee is an
/// ordinary native function, runs it right here instead of through `step`
/// and the interpreter. Returns 1 when done, 0 when `step` must do it.
fn call_native(mut caller: Caller<'_, IsolateData>, pc: i32) -> wasmtime::Result<i32> {
    from_wasm(&mut caller, |c| {
        let data = c.data_mut();
        match call_native_at(&mut data.vm, pc as u32) {
            Ok(done) => {
                data.jit.stats.native_fn_calls += done as u64;
                Ok(done as i32)
            }
            Err(t) => Err(throw_to_wasm(&mut data.vm, t)),
        }
    })
}

/// The `new_table` import (see [`crate::codegen::RT_NEW_TABLE`]).
fn new_table(
    mut caller: Caller<'_, IsolateData>,
    pc: i32,
    a: i32,
    array: i32,
    hash: i32,
) -> wasmtime::Result<()> {
    from_wasm(&mut caller, |c| {
        let vm = &mut c.data_mut().vm;
        new_table_at(vm, pc as u32, a as u32, array as u32, hash as u32)
            .map_err(|t| throw_to_wasm(vm, t))
    })
}

/// [`new_table`] between the runtime-block syncs.
fn new_table_at(vm: &mut Vm, pc: u32, a: u32, array: u32, hash: u32) -> Result<(), Throw> {
    let Some(fi) = vm.nframes.checked_sub(1) else {
        return Err(vm.error_msg_raw(b"SJ-JIT-EXEC-HOST: new_table without a frame"));
    };
    // Past the instruction, as the interpreter leaves it (tracebacks).
    vm.set_saved_pc(fi, pc + 1);
    let t = vm.new_table(array, hash)?;
    let reg = vm.frame(fi).func + 1 + a;
    vm.set_stk(reg, t);
    Ok(())
}

/// [`call_native`] between the runtime-block syncs.
fn call_native_at(vm: &mut Vm, pc: u32) -> Result<bool, Throw> {
    use crate::bytecode::isa::op;
    let Some(fi) = vm.nframes.checked_sub(1) else {
        return Ok(false);
    };
    let fr = vm.frame(fi);
    let Some(i) = instruction_at(vm, fi, pc) else {
        return Ok(false);
    };
    let (ra, b, nresults) = match i.op_byte() {
        op::CALL => (i.a(), i.b(), i.c() as i32 - 1),
        // A tail-called native returns everything to the `RETURN` after it.
        op::TAILCALL => (i.a(), i.b(), -1),
        // The generic `for` calls its iterator (copied to `A+4`) with two
        // arguments.
        op::TFORCALL => (i.a() + 4, 3, i.c() as i32),
        _ => return Ok(false),
    };
    let ra = fr.func + 1 + ra;
    let f = vm.stk(ra);
    // `pcall`/`xpcall` set up protected frames: the interpreter's job.
    match vm.native_id(f) {
        Some(id) if id >= crate::vm::native::FIRST_ORDINARY_NATIVE => {}
        _ => return Ok(false),
    }
    // As the interpreter leaves it during a call: past the instruction
    // (error messages find the call site from it).
    vm.set_saved_pc(fi, pc + 1);
    if b != 0 {
        vm.top = ra + b;
    }
    vm.call_native(ra, f, nresults)?;
    Ok(true)
}

/// The `grow_stack` import (see [`crate::codegen::RT_GROW_STACK`]): the
/// newest frame, pushed by compiled code, needs `need` slots above the
/// arguments and the stack is short.
fn grow_stack(mut caller: Caller<'_, IsolateData>, need: i32) -> wasmtime::Result<()> {
    from_wasm(&mut caller, |c| {
        let vm = &mut c.data_mut().vm;
        make_room(vm, need as u32).map_err(|t| throw_to_wasm(vm, t))
    })
}

/// Grows the stack so that the newest frame (its record pushed, not yet
/// entered) has `need` slots above the arguments, as `precall` does. An
/// overflow is raised without the frame, as from the calling instruction.
fn make_room(vm: &mut Vm, need: u32) -> Result<(), Throw> {
    let Some(fi) = vm.nframes.checked_sub(1) else {
        return Err(vm.error_msg_raw(b"SJ-JIT-EXEC-HOST: frame set-up without a frame"));
    };
    let func = vm.frame(fi).func;
    vm.nframes = fi;
    vm.ensure_stack(vm.top.max(func + 1), need)?;
    vm.nframes = fi + 1;
    Ok(())
}

/// The interpreter trampoline: the initial entry of every code-table slot.
/// Compiled code pushed the callee's frame record; this completes it as
/// `precall` would (room, missing arguments, top, call count) and runs the
/// frame in the interpreter.
fn trampoline(mut caller: Caller<'_, IsolateData>) -> wasmtime::Result<()> {
    caller.data_mut().jit.stats.trampoline_entries += 1;
    from_wasm(&mut caller, |c| {
        let r = enter_interpreted(&mut c.data_mut().vm).and_then(|fi| drive(c, fi, false));
        r.map_err(|t| throw_to_wasm(&mut c.data_mut().vm, t))
    })
}

/// Frame set-up of the trampoline; returns the frame's index.
fn enter_interpreted(vm: &mut Vm) -> Result<u32, Throw> {
    let Some(fi) = vm.nframes.checked_sub(1) else {
        return Err(vm.error_msg_raw(b"SJ-JIT-EXEC-HOST: trampoline without a frame"));
    };
    let fr = vm.frame(fi);
    let (params, max_stack) = match vm.protos.get(fr.id as usize) {
        Some(p) => (p.num_params, p.max_stack),
        None => return Err(vm.error_msg_raw(b"SJ-JIT-EXEC-HOST: frame of an unknown proto")),
    };
    make_room(vm, max_stack)?;
    vm.fill_missing_args(fr.func, params);
    vm.set_frame_func(fi, fr.func, fr.func + 1 + max_stack);
    vm.profile.on_call(fr.id);
    Ok(fi)
}

/// Creates the runtime's function imports for a store, in the order of
/// [`crate::codegen::RT_FUNCTION_IMPORTS`].
pub(crate) fn runtime_imports(store: &mut Store<IsolateData>) -> Vec<Func> {
    use crate::codegen::{
        RT_CALL_NATIVE, RT_FUNCTION_IMPORTS, RT_GROW_STACK, RT_NEW_TABLE, RT_STEP,
    };
    RT_FUNCTION_IMPORTS
        .iter()
        .map(|&name| match name {
            RT_STEP => Func::wrap(&mut *store, step),
            RT_GROW_STACK => Func::wrap(&mut *store, grow_stack),
            RT_CALL_NATIVE => Func::wrap(&mut *store, call_native),
            RT_NEW_TABLE => Func::wrap(&mut *store, new_table),
            _ => unreachable!("every runtime import has a host function"),
        })
        .collect()
}

/// Creates the trampoline for a store.
pub(crate) fn trampoline_func(store: &mut Store<IsolateData>) -> Func {
    Func::wrap(&mut *store, trampoline)
}
