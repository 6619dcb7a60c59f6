//! The `coroutine` library on top of [`crate::vm::coroutine`].

use crate::vm::coroutine::ResumeOutcome;
use crate::vm::layout::*;
use crate::vm::{Args, Throw, Value, Vm};

/// Installs `coroutine` into the globals table.
pub fn open(vm: &mut Vm) -> Result<(), Throw> {
    let t = vm.new_table(0, 8)?;
    vm.set_global("coroutine", t)?;
    super::register_loaded(vm, "coroutine", t)?;
    vm.set_native(t, "create", create)?;
    vm.set_native(t, "resume", resume)?;
    vm.set_native(t, "yield", yield_)?;
    vm.set_native(t, "status", status)?;
    vm.set_native(t, "wrap", wrap)?;
    vm.set_native(t, "isyieldable", isyieldable)?;
    vm.set_native(t, "running", running)?;
    vm.set_native(t, "close", close)?;
    vm.wrap_aux = vm.register_native("wrap_aux", wrap_aux);
    Ok(())
}

fn check_co(vm: &mut Vm, a: Args, i: u32) -> Result<Value, Throw> {
    let v = vm.arg(a, i);
    if v.tag() == TAG_THREAD {
        Ok(v)
    } else {
        Err(vm.type_arg_error_at(i, "thread", v))
    }
}

fn create(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let f = vm.arg(a, 1);
    if !f.is_function() {
        return Err(vm.type_arg_error_at(1, "function", f));
    }
    let co = vm.new_coroutine(f)?;
    vm.ret(&[co])
}

/// Resumes `co` with arguments `first..`, passed in one of the VM's spare
/// vectors (no allocation per resume).
fn resume_with_args(vm: &mut Vm, co: Value, a: Args, first: u32) -> Result<ResumeOutcome, Throw> {
    let mut args = vm.take_values();
    args.extend((first..=a.n).map(|i| vm.arg(a, i)));
    let outcome = vm.resume(co, &args);
    vm.recycle_values(args);
    outcome
}

fn resume(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let co = check_co(vm, a, 1)?;
    match resume_with_args(vm, co, a, 2)? {
        ResumeOutcome::Yielded(v) | ResumeOutcome::Returned(v) => {
            let pushed = std::iter::once(Value::TRUE)
                .chain(v.iter().copied())
                .try_for_each(|x| vm.push(x));
            let n = v.len() as u32 + 1;
            vm.recycle_values(v);
            pushed.map(|()| n)
        }
        ResumeOutcome::Failed(e) => vm.ret(&[Value::FALSE, e]),
    }
}

fn yield_(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    if !vm.is_yieldable() {
        let msg = if vm.is_main_thread() {
            "attempt to yield from outside a coroutine"
        } else {
            "attempt to yield across a C-call boundary"
        };
        // lua_yieldk raises it with luaG_runerror from the C function
        // itself: no "file:line:" of the Lua caller.
        return Err(vm.error_msg_raw(msg.as_bytes()));
    }
    Err(vm.yield_values(a.n))
}

fn status(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let co = check_co(vm, a, 1)?;
    let s = vm.coroutine_status(co);
    let v = vm.new_string(s.as_bytes())?;
    vm.ret(&[v])
}

fn wrap(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let f = vm.arg(a, 1);
    if !f.is_function() {
        return Err(vm.type_arg_error_at(1, "function", f));
    }
    let co = vm.new_coroutine(f)?;
    let id = vm.wrap_aux;
    let w = vm.new_native_closure(id, &[co])?;
    vm.ret(&[w])
}

fn wrap_aux(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let co = vm.native_upvalue(a, 0);
    match resume_with_args(vm, co, a, 1)? {
        ResumeOutcome::Yielded(v) | ResumeOutcome::Returned(v) => {
            let r = vm.ret(&v);
            vm.recycle_values(v);
            r
        }
        ResumeOutcome::Failed(e) => {
            if vm.coroutine_status(co) == "dead" {
                // Close its pending to-be-closed variables first.
                vm.roots.push(e);
                let closed = vm.close_coroutine(co);
                vm.roots.pop();
                closed?;
            }
            if e.is_string() {
                let mut msg = vm.where_level(1).into_bytes();
                msg.extend_from_slice(vm.str_bytes(e));
                return Err(vm.error_msg_raw(&msg));
            }
            Err(vm.throw_value(e))
        }
    }
}

fn isyieldable(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let r = if a.n >= 1 {
        let co = check_co(vm, a, 1)?;
        if co == vm.running_thread() {
            vm.is_yieldable()
        } else {
            vm.coroutine_status(co) != "dead" && co != vm.main_thread_value()
        }
    } else {
        vm.is_yieldable()
    };
    vm.ret(&[Value::bool(r)])
}

fn running(vm: &mut Vm, _a: Args) -> Result<u32, Throw> {
    let t = vm.running_thread();
    let main = vm.is_main_thread();
    vm.ret(&[t, Value::bool(main)])
}

fn close(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let co = check_co(vm, a, 1)?;
    let st = vm.coroutine_status(co);
    if st != "suspended" && st != "dead" {
        let msg = format!("cannot close a {st} coroutine");
        return Err(vm.error_l(&msg));
    }
    match vm.close_coroutine(co)? {
        None => vm.ret(&[Value::TRUE]),
        Some(e) => vm.ret(&[Value::FALSE, e]),
    }
}
