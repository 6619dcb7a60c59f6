//! The `debug` library subset: `traceback` and `getinfo` (the parts
//! programs use for diagnostics), plus `getmetatable`/`setmetatable` in
//! the full profile. The sandbox profile keeps only `traceback`.

use crate::vm::layout::*;
use crate::vm::thread::FRAME_LUA;
use crate::vm::{Args, Throw, Value, Vm};

/// Installs `debug` (`full`: every function here; otherwise `traceback` only).
pub fn open(vm: &mut Vm, full: bool) -> Result<(), Throw> {
    let t = vm.new_table(0, 4)?;
    vm.set_global("debug", t)?;
    super::register_loaded(vm, "debug", t)?;
    vm.set_native(t, "traceback", traceback)?;
    if full {
        vm.set_native(t, "getinfo", getinfo)?;
        vm.set_native(t, "getmetatable", getmetatable)?;
        vm.set_native(t, "setmetatable", setmetatable)?;
    }
    Ok(())
}

/// `[thread,]` prefix of the debug functions: the target coroutine (if any)
/// and the index of the first remaining argument.
fn thread_arg(vm: &Vm, a: Args) -> (Option<Value>, u32) {
    let v = vm.arg(a, 1);
    if v.tag() == TAG_THREAD && v != vm.running_thread() {
        (Some(v), 2)
    } else {
        (None, if v.tag() == TAG_THREAD { 2 } else { 1 })
    }
}

fn traceback(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let (co, first) = thread_arg(vm, a);
    let msg = vm.arg(a, first);
    if !msg.is_nil() && !msg.is_string() && !msg.is_number() {
        return vm.ret(&[msg]);
    }
    let default_level = if co.is_some() { 0 } else { 1 };
    let level = vm.opt_int(a, first + 1, default_level)?.max(0) as u32;
    let mut text = Vec::new();
    if !msg.is_nil() {
        vm.append_str_or_number(&mut text, msg);
        text.push(b'\n');
    }
    let tb = match co {
        Some(co) => vm.traceback_of(co, level),
        None => {
            let top = vm.current_frame_index();
            if level > top {
                "stack traceback:".to_string()
            } else {
                vm.traceback(Some(top - level))
            }
        }
    };
    text.extend_from_slice(tb.as_bytes());
    let s = vm.new_string(&text)?;
    vm.ret(&[s])
}

fn getinfo(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let (_co, first) = thread_arg(vm, a);
    let target = vm.arg(a, first);
    let what = match vm.opt_string(a, first + 1)? {
        Some(s) => String::from_utf8_lossy(vm.str_bytes(s)).into_owned(),
        None => "flnStu".to_string(),
    };
    if let Some(c) = what.chars().find(|c| !"SlnrutfL>".contains(*c)) {
        let _ = c;
        return Err(vm.arg_error_at(first + 1, "invalid option"));
    }
    // Resolve the function and, for a stack level, its frame.
    let (func, frame) = if let Some(level) = target.as_int() {
        let top = vm.current_frame_index() as i64;
        if level < 0 || level > top {
            return vm.ret(&[Value::NIL]);
        }
        let fi = (top - level) as u32;
        (vm.frame_function(fi), Some(fi))
    } else if target.is_function() {
        (target, None)
    } else {
        return Err(vm.type_arg_error_at(first, "function or level", target));
    };
    let t = vm.new_table(0, 12)?;
    vm.push(t)?;
    let lua = func.tag() == TAG_LFUNC;
    let proto = lua.then(|| {
        let id = crate::vm::closure::proto_id(&vm.heap, slot_index(func.offset()));
        vm.proto(id).proto.clone()
    });
    if what.contains('S') {
        let (source, short, line, last, kind) = match &proto {
            Some(p) => (
                p.source.clone(),
                crate::lua::chunk_id(&p.source),
                p.line_defined as i64,
                p.last_line_defined as i64,
                if p.line_defined == 0 { "main" } else { "Lua" },
            ),
            None => ("=[C]".to_string(), "[C]".to_string(), -1, -1, "C"),
        };
        set_str(vm, t, "source", &source)?;
        set_str(vm, t, "short_src", &short)?;
        vm.raw_set_str(t, "linedefined", Value::int(line))?;
        vm.raw_set_str(t, "lastlinedefined", Value::int(last))?;
        set_str(vm, t, "what", kind)?;
    }
    if what.contains('l') {
        let line = match (frame, &proto) {
            (Some(fi), Some(p)) if vm.frame_flags(fi) & FRAME_LUA != 0 => {
                p.line_at(vm.frame_saved_pc(fi).saturating_sub(1) as usize) as i64
            }
            _ => -1,
        };
        vm.raw_set_str(t, "currentline", Value::int(line))?;
    }
    if what.contains('u') {
        let (nups, nparams, vararg) = match &proto {
            Some(p) => (p.upvalues.len() as i64, p.num_params as i64, p.is_vararg),
            None => (0, 0, true),
        };
        vm.raw_set_str(t, "nups", Value::int(nups))?;
        vm.raw_set_str(t, "nparams", Value::int(nparams))?;
        vm.raw_set_str(t, "isvararg", Value::bool(vararg))?;
    }
    if what.contains('n') {
        if let Some(info) = frame.and_then(|fi| vm.frame_func_name(fi)) {
            set_str(vm, t, "name", &info.name)?;
            set_str(vm, t, "namewhat", info.kind)?;
        } else {
            set_str(vm, t, "namewhat", "")?;
        }
    }
    if what.contains('t') {
        let tail = frame.is_some_and(|fi| vm.frame_flags(fi) & crate::vm::thread::FRAME_TAIL != 0);
        vm.raw_set_str(t, "istailcall", Value::bool(tail))?;
    }
    if what.contains('f') {
        vm.raw_set_str(t, "func", func)?;
    }
    Ok(1)
}

fn set_str(vm: &mut Vm, t: Value, key: &str, val: &str) -> Result<(), Throw> {
    let v = vm.new_string(val.as_bytes())?;
    vm.raw_set_str(t, key, v)
}

fn getmetatable(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let v = vm.check_any(a, 1)?;
    let mt = vm
        .metatable_of(v)
        .map_or(Value::NIL, |m| Value::object(TAG_TABLE, m));
    vm.ret(&[mt])
}

fn setmetatable(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let v = vm.arg(a, 1);
    let mt = vm.arg(a, 2);
    if !mt.is_nil() && !mt.is_table() {
        return Err(vm.type_arg_error_at(2, "nil or table", mt));
    }
    let off = if mt.is_nil() { 0 } else { mt.offset() };
    match v.tag() {
        TAG_TABLE => crate::vm::table::set_metatable(&mut vm.heap, slot_index(v.offset()), off),
        TAG_STR => vm.string_meta = off,
        _ => return Err(vm.arg_error_at(1, "cannot set the metatable of this type here")),
    }
    vm.ret(&[v])
}
