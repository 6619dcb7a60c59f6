//! The base library (`print`, `type`, `pairs`, `error`, `pcall`, ...), with
//! `lua5.4`'s argument checks and messages.

use crate::vm::layout::*;
use crate::vm::native::{NATIVE_PCALL, NATIVE_XPCALL};
use crate::vm::table::{self, Next};
use crate::vm::{Args, Throw, Value, Vm};

/// Installs the base library into the globals table.
pub fn open(vm: &mut Vm) -> Result<(), Throw> {
    let g = vm.globals_value();
    vm.raw_set_str(g, "_G", g)?;
    super::register_loaded(vm, "_G", g)?;
    let ver = vm.new_string(b"Lua 5.4")?;
    vm.raw_set_str(g, "_VERSION", ver)?;
    vm.raw_set_str(g, "pcall", Vm::native_value(NATIVE_PCALL))?;
    vm.raw_set_str(g, "xpcall", Vm::native_value(NATIVE_XPCALL))?;
    vm.set_native(g, "print", print)?;
    vm.set_native(g, "type", type_)?;
    vm.set_native(g, "tostring", tostring)?;
    vm.set_native(g, "tonumber", tonumber)?;
    vm.set_native(g, "select", select)?;
    let next_fn = vm.set_native(g, "next", next)?;
    vm.next_fn = next_fn;
    vm.set_native(g, "pairs", pairs)?;
    vm.set_native(g, "ipairs", ipairs)?;
    vm.ipairs_aux = Vm::native_value(vm.register_native("ipairs_aux", ipairs_aux));
    vm.set_native(g, "rawget", rawget)?;
    vm.set_native(g, "rawset", rawset)?;
    vm.set_native(g, "rawequal", rawequal)?;
    vm.set_native(g, "rawlen", rawlen)?;
    vm.set_native(g, "setmetatable", setmetatable)?;
    vm.set_native(g, "getmetatable", getmetatable)?;
    vm.set_native(g, "assert", assert)?;
    vm.set_native(g, "error", error)?;
    vm.set_native(g, "collectgarbage", collectgarbage)?;
    vm.set_native(g, "load", load)?;
    vm.set_native(g, "warn", warn)?;
    Ok(())
}

fn print(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let mut line = Vec::new();
    for i in 1..=a.n {
        if i > 1 {
            line.push(b'\t');
        }
        let v = vm.arg(a, i);
        if v.is_string() || v.is_number() {
            vm.append_str_or_number(&mut line, v);
        } else {
            let s = vm.tostring(v)?;
            line.extend_from_slice(vm.str_bytes(s));
        }
    }
    line.push(b'\n');
    // lua5.4's print ends with fflush(stdout): output interleaves with stderr
    // exactly as it does there.
    if vm
        .out
        .write_all(&line)
        .and_then(|()| vm.out.flush())
        .is_err()
    {
        return Err(vm.error_l("error writing to standard output"));
    }
    Ok(0)
}

use std::io::Write as _;

fn type_(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let v = vm.check_any(a, 1)?;
    let s = vm.new_string(v.type_name().as_bytes())?;
    vm.ret(&[s])
}

fn tostring(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let v = vm.check_any(a, 1)?;
    let s = vm.tostring(v)?;
    vm.ret(&[s])
}

fn tonumber(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let base = vm.arg(a, 2);
    if base.is_nil() {
        let v = vm.check_any(a, 1)?;
        let r = vm.to_number(v).unwrap_or(Value::NIL);
        return vm.ret(&[r]);
    }
    let b = vm.check_int(a, 2)?;
    let v = vm.arg(a, 1);
    if !v.is_string() {
        return Err(vm.type_arg_error_at(1, "string", v));
    }
    if !(2..=36).contains(&b) {
        return Err(vm.arg_error_at(2, "base out of range"));
    }
    let s = vm.str_bytes(v).to_vec();
    let r = parse_in_base(&s, b as u32).map_or(Value::NIL, Value::int);
    vm.ret(&[r])
}

/// `tonumber(s, base)`: optional whitespace and sign, digits in `base`, wrapping.
fn parse_in_base(s: &[u8], base: u32) -> Option<i64> {
    let s = trim_space(s);
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        return None;
    }
    let mut n: i64 = 0;
    for &c in digits {
        let d = (c as char).to_digit(36)?;
        if d >= base {
            return None;
        }
        n = n.wrapping_mul(base as i64).wrapping_add(d as i64);
    }
    Some(if neg { n.wrapping_neg() } else { n })
}

fn trim_space(s: &[u8]) -> &[u8] {
    let is_space = |c: &u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c);
    let start = s.iter().position(|c| !is_space(c)).unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|c| !is_space(c))
        .map_or(start, |e| e + 1);
    &s[start..end]
}

fn select(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let n = a.n as i64;
    let first = vm.arg(a, 1);
    if first.is_string() && vm.str_bytes(first) == b"#" {
        return vm.ret(&[Value::int(n - 1)]);
    }
    let i = vm.check_int(a, 1)?;
    let start = if i < 0 {
        if -i > n - 1 {
            return Err(vm.arg_error_at(1, "index out of range"));
        }
        n + i
    } else if i == 0 {
        return Err(vm.arg_error_at(1, "index out of range"));
    } else {
        i.min(n)
    };
    // Results are the arguments from `start + 1` on; they already sit on the stack.
    let count = (n - start) as u32;
    for j in 0..count {
        let v = vm.arg(a, start as u32 + 1 + j);
        vm.push(v)?;
    }
    Ok(count)
}

fn next(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let t = vm.check_table(a, 1)?;
    let k = vm.arg(a, 2);
    match table::next(&vm.heap, slot_index(t.offset()), k) {
        Next::Entry(k, v) => vm.ret(&[k, v]),
        Next::End => vm.ret(&[Value::NIL]),
        Next::InvalidKey => Err(vm.error_l("invalid key to 'next'")),
    }
}

fn pairs(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let t = vm.check_any(a, 1)?;
    let tm = vm.get_tm_by_name(t, "__pairs")?;
    if tm.is_nil() {
        let f = vm.next_fn;
        return vm.ret(&[f, t, Value::NIL]);
    }
    let r = vm.call_value(tm, &[t], 3)?;
    vm.ret(&r)
}

fn ipairs(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let t = vm.check_any(a, 1)?;
    let f = vm.ipairs_aux;
    vm.ret(&[f, t, Value::int(0)])
}

fn ipairs_aux(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let i = vm.check_int(a, 2)?.wrapping_add(1);
    let t = vm.arg(a, 1);
    let v = if t.is_table() {
        let raw = table::get_int(&vm.heap, slot_index(t.offset()), i);
        if raw.is_nil() && vm.metatable_of(t).is_some() {
            vm.index(t, Value::int(i), crate::vm::meta::Origin::None)?
        } else {
            raw
        }
    } else {
        vm.index(t, Value::int(i), crate::vm::meta::Origin::None)?
    };
    if v.is_nil() {
        vm.ret(&[Value::NIL])
    } else {
        vm.ret(&[Value::int(i), v])
    }
}

fn rawget(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let t = vm.check_table(a, 1)?;
    let k = vm.check_any(a, 2)?;
    let v = vm.raw_get(t, k);
    vm.ret(&[v])
}

fn rawset(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let t = vm.check_table(a, 1)?;
    let k = vm.check_any(a, 2)?;
    let v = vm.check_any(a, 3)?;
    vm.raw_set(t, k, v)?;
    vm.ret(&[t])
}

fn rawequal(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let x = vm.check_any(a, 1)?;
    let y = vm.check_any(a, 2)?;
    let r = vm.raw_equals(x, y);
    vm.ret(&[Value::bool(r)])
}

fn rawlen(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let v = vm.arg(a, 1);
    let n = match v.tag() {
        TAG_TABLE => table::length(&vm.heap, slot_index(v.offset())) as i64,
        TAG_STR => vm.str_bytes(v).len() as i64,
        _ => return Err(vm.type_arg_error_at(1, "table or string", v)),
    };
    vm.ret(&[Value::int(n)])
}

fn setmetatable(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let t = vm.check_table(a, 1)?;
    let mt = vm.arg(a, 2);
    if !mt.is_nil() && !mt.is_table() {
        return Err(vm.type_arg_error_at(2, "nil or table", mt));
    }
    let protected = vm.get_tm_by_name(t, "__metatable")?;
    if !protected.is_nil() {
        return Err(vm.error_l("cannot change a protected metatable"));
    }
    let off = if mt.is_nil() { 0 } else { mt.offset() };
    table::set_metatable(&mut vm.heap, slot_index(t.offset()), off);
    vm.ret(&[t])
}

fn getmetatable(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let v = vm.check_any(a, 1)?;
    let Some(mt) = vm.metatable_of(v) else {
        return vm.ret(&[Value::NIL]);
    };
    let protected = vm.get_tm_by_name(v, "__metatable")?;
    if !protected.is_nil() {
        return vm.ret(&[protected]);
    }
    vm.ret(&[Value::object(TAG_TABLE, mt)])
}

fn assert(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let v = vm.check_any(a, 1)?;
    if !v.is_falsy() {
        // Return all arguments: they are already the top `n` stack values.
        return Ok(a.n);
    }
    // Like lua5.4, the message goes through `error` at level 1, so a string
    // message gets the caller's position.
    let msg = if a.n >= 2 {
        vm.arg(a, 2)
    } else {
        vm.new_string(b"assertion failed!")?
    };
    if msg.is_string() {
        let mut full = vm.where_level(1).into_bytes();
        full.extend_from_slice(vm.str_bytes(msg));
        return Err(vm.error_msg_raw(&full));
    }
    Err(vm.throw_value(msg))
}

fn error(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let v = vm.arg(a, 1);
    let level = vm.opt_int(a, 2, 1)?;
    if v.is_string() && level > 0 {
        let mut msg = vm.where_level(level as u32).into_bytes();
        msg.extend_from_slice(vm.str_bytes(v));
        return Err(vm.error_msg_raw(&msg));
    }
    Err(vm.throw_value(v))
}

fn collectgarbage(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let opt = match vm.opt_string(a, 1)? {
        Some(s) => String::from_utf8_lossy(vm.str_bytes(s)).into_owned(),
        None => "collect".to_string(),
    };
    match opt.as_str() {
        "collect" => {
            vm.collect();
            vm.ret(&[Value::int(0)])
        }
        "count" => {
            let kb = vm.heap.bytes_in_use() as f64 / 1024.0;
            vm.ret(&[Value::float(kb)])
        }
        "step" => {
            vm.collect();
            vm.ret(&[Value::TRUE])
        }
        "stop" => {
            vm.gc.stopped = true;
            vm.ret(&[Value::int(0)])
        }
        "restart" => {
            vm.gc.stopped = false;
            vm.ret(&[Value::int(0)])
        }
        "isrunning" => {
            let r = !vm.gc.stopped;
            vm.ret(&[Value::bool(r)])
        }
        "incremental" | "generational" => {
            // Only the mode name is kept: the collector is always a full
            // mark-sweep. lua.c starts in generational mode.
            let prev = if vm.gc.incremental_mode {
                "incremental"
            } else {
                "generational"
            };
            vm.gc.incremental_mode = opt == "incremental";
            let s = vm.new_string(prev.as_bytes())?;
            vm.ret(&[s])
        }
        "setpause" | "setstepmul" => vm.ret(&[Value::int(0)]),
        _ => {
            let msg = format!("invalid option '{opt}'");
            Err(vm.arg_error_at(1, &msg))
        }
    }
}

fn load(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let chunk = vm.arg(a, 1);
    let mut source = Vec::new();
    let default_name;
    if chunk.is_string() {
        source.extend_from_slice(vm.str_bytes(chunk));
        default_name = source.clone();
    } else if chunk.is_function() {
        loop {
            let piece = vm.call_value(chunk, &[], 1)?;
            let p = piece.first().copied().unwrap_or(Value::NIL);
            if p.is_nil() || (p.is_string() && vm.str_bytes(p).is_empty()) {
                break;
            }
            if !p.is_string() {
                let msg = vm.new_string(b"reader function must return a string")?;
                return vm.ret(&[Value::NIL, msg]);
            }
            source.extend_from_slice(vm.str_bytes(p));
        }
        default_name = b"=(load)".to_vec();
    } else {
        return Err(vm.type_arg_error_at(1, "string", chunk));
    }
    let name = match vm.opt_string(a, 2)? {
        Some(s) => vm.str_bytes(s).to_vec(),
        None => default_name,
    };
    let mode = match vm.opt_string(a, 3)? {
        Some(s) => String::from_utf8_lossy(vm.str_bytes(s)).into_owned(),
        None => "bt".to_string(),
    };
    let is_binary = source.first() == Some(&0x1b);
    if is_binary && !mode.contains('b') || !is_binary && !mode.contains('t') {
        let kind = if is_binary { "binary" } else { "text" };
        let msg = format!("attempt to load a {kind} chunk (mode is '{mode}')");
        let m = vm.new_string(msg.as_bytes())?;
        return vm.ret(&[Value::NIL, m]);
    }
    let chunkname = String::from_utf8_lossy(&name).into_owned();
    let proto = if is_binary {
        if !vm.allow_binary_chunks {
            let m = vm.new_string(b"binary chunks are not allowed in this profile")?;
            return vm.ret(&[Value::NIL, m]);
        }
        match crate::bytecode::sbc::decode(&source) {
            Ok(p) => p,
            Err(e) => {
                let m = vm.new_string(e.to_string().as_bytes())?;
                return vm.ret(&[Value::NIL, m]);
            }
        }
    } else {
        match crate::lua::compile(&source, &chunkname) {
            Ok(p) => p,
            Err(e) => {
                let m = vm.new_string(e.message.as_bytes())?;
                return vm.ret(&[Value::NIL, m]);
            }
        }
    };
    let f = vm.load_main(proto)?;
    let env = vm.arg(a, 4);
    if a.n >= 4 {
        crate::vm::closure::set_first_upvalue(vm, f, env);
    }
    vm.ret(&[f])
}

/// `warn(msg1, ...)`: `@on`/`@off` switch warnings (off at start, as in
/// lua.c); otherwise, when on, prints `Lua warning: ` and the message.
fn warn(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    vm.check_string(a, 1)?;
    for i in 2..=a.n {
        vm.check_string(a, i)?;
    }
    let mut msg = Vec::new();
    for i in 1..=a.n {
        let v = vm.arg(a, i);
        msg.extend_from_slice(vm.str_bytes(v));
    }
    match msg.as_slice() {
        b"@on" => vm.warnings_on = true,
        b"@off" => vm.warnings_on = false,
        m if m.first() == Some(&b'@') => {}
        m if vm.warnings_on => {
            vm.flush();
            let mut line = b"Lua warning: ".to_vec();
            line.extend_from_slice(m);
            line.push(b'\n');
            use std::io::Write;
            let _ = std::io::stderr().write_all(&line);
        }
        _ => {}
    }
    Ok(0)
}
