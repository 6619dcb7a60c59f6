//! The `string` library (Lua 5.4's `lstrlib.c`) and the string metatable.
//!
//! Submodules hold the parts that are big enough to stand alone:
//! [`pattern`] (the pattern matcher), [`format`] (printf-style
//! conversions) and [`pack`] (binary packing). This file has the natives,
//! their argument handling and the string metatable with its arithmetic
//! metamethods (`"10" + 1`).
//!
//! GC discipline: argument slots are roots, so the subject and pattern
//! strings stay alive during a call; byte slices borrowed from the heap are
//! never held across a call that can allocate, and values created while
//! building results are kept on `vm.roots` (or pushed) until they are
//! returned.

#[path = "string_format.rs"]
pub mod format;
#[path = "string_pack.rs"]
pub mod pack;
#[path = "string_pattern.rs"]
pub mod pattern;

use crate::vm::layout::*;
use crate::vm::meta::Origin;
use crate::vm::{Args, Throw, Tm, Value, Vm};
use pattern::{Capture, Matcher, PatternError};

/// Installs the `string` table and the string metatable.
pub fn open(vm: &mut Vm) -> Result<(), Throw> {
    let lib = vm.new_table(0, 24)?;
    vm.set_global("string", lib)?;
    let fns: [(&'static str, crate::vm::NativeFn); 16] = [
        ("byte", byte),
        ("char", char),
        ("dump", dump),
        ("find", find),
        ("format", format_),
        ("gsub", gsub),
        ("len", len),
        ("lower", lower),
        ("match", match_),
        ("rep", rep),
        ("reverse", reverse),
        ("sub", sub),
        ("upper", upper),
        ("pack", pack::pack),
        ("packsize", pack::packsize),
        ("unpack", pack::unpack),
    ];
    for (name, f) in fns {
        vm.set_native(lib, name, f)?;
    }
    // `gmatch` is a closure whose upvalue is the id of the iterator native
    // (the VM has no per-library state to keep it in).
    let aux_id = vm.register_native("gmatch_aux", gmatch_aux);
    let gmatch_id = vm.register_native("gmatch", gmatch);
    let gm = vm.new_native_closure(gmatch_id, &[Value::int(aux_id as i64)])?;
    vm.raw_set_str(lib, "gmatch", gm)?;
    // package.loaded.string: messages name natives "string.rep" through it.
    super::register_loaded(vm, "string", lib)?;
    let mt = vm.new_table(0, 12)?;
    // Root the metatable right away: it is the string metatable from now on.
    vm.string_meta = mt.offset();
    let meta: [(&'static str, crate::vm::NativeFn); 8] = [
        ("__add", arith_add),
        ("__sub", arith_sub),
        ("__mul", arith_mul),
        ("__mod", arith_mod),
        ("__pow", arith_pow),
        ("__div", arith_div),
        ("__idiv", arith_idiv),
        ("__unm", arith_unm),
    ];
    for (name, f) in meta {
        vm.set_native(mt, name, f)?;
    }
    vm.raw_set_str(mt, "__index", lib)?;
    Ok(())
}

// -- positions ---------------------------------------------------------------------

/// `posrelatI`: a relative initial position clipped to `[1, inf)`.
pub(crate) fn posrelat_start(pos: i64, len: usize) -> usize {
    if pos > 0 {
        pos as usize
    } else if pos == 0 || pos < -(len as i64) {
        1
    } else {
        (len as i64 + pos + 1) as usize
    }
}

/// `getendpos`: a relative end position clipped to `[0, len]`.
fn end_pos(pos: i64, len: usize) -> usize {
    if pos > len as i64 {
        len
    } else if pos >= 0 {
        pos as usize
    } else if pos < -(len as i64) {
        0
    } else {
        (len as i64 + pos + 1) as usize
    }
}

/// `luaL_checkstack`: room for `n` more values within `LUAI_MAXSTACK`
/// (counting Lua's `EXTRA_STACK` of 5), else "stack overflow (msg)".
pub(crate) fn check_stack(vm: &mut Vm, n: usize, msg: &str) -> Result<(), Throw> {
    vm.check_stack(n, msg)
}

// -- basic functions ---------------------------------------------------------------

fn len(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let s = vm.check_string(a, 1)?;
    let n = vm.str_bytes(s).len() as i64;
    vm.ret(&[Value::int(n)])
}

fn sub(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let s = vm.check_string(a, 1)?;
    let l = vm.str_bytes(s).len();
    let i = vm.check_int(a, 2)?;
    let j = vm.opt_int(a, 3, -1)?;
    let start = posrelat_start(i, l);
    let end = end_pos(j, l);
    let r = if start <= end {
        let bytes = vm.str_bytes(s)[start - 1..end].to_vec();
        vm.new_string(&bytes)?
    } else {
        vm.new_string(b"")?
    };
    vm.ret(&[r])
}

fn map_bytes(vm: &mut Vm, a: Args, f: fn(&[u8]) -> Vec<u8>) -> Result<u32, Throw> {
    let s = vm.check_string(a, 1)?;
    let out = f(vm.str_bytes(s));
    let r = vm.new_string(&out)?;
    vm.ret(&[r])
}

fn reverse(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    map_bytes(vm, a, |s| s.iter().rev().copied().collect())
}

fn lower(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    map_bytes(vm, a, <[u8]>::to_ascii_lowercase)
}

fn upper(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    map_bytes(vm, a, <[u8]>::to_ascii_uppercase)
}

fn rep(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let s = vm.check_string(a, 1)?;
    let n = vm.check_int(a, 2)?;
    let sep = vm.opt_string(a, 3)?;
    if n <= 0 {
        let r = vm.new_string(b"")?;
        return vm.ret(&[r]);
    }
    let l = vm.str_bytes(s).len() as u64;
    let lsep = sep.map_or(0, |v| vm.str_bytes(v).len() as u64);
    // lstrlib.c 5.4.4 limits results to INT_MAX bytes.
    const MAXSIZE: u64 = i32::MAX as u64;
    if l + lsep > MAXSIZE / n as u64 {
        return Err(vm.error_l("resulting string too large"));
    }
    let total = n as u64 * (l + lsep) - lsep;
    if total == 0 {
        // Empty pieces: do not loop `n` (up to 2^63) times for nothing.
        let r = vm.new_string(b"")?;
        return vm.ret(&[r]);
    }
    pack::check_room(vm, total)?;
    let mut out = Vec::with_capacity(total as usize);
    {
        let sb = vm.str_bytes(s);
        let sepb = sep.map_or(&[][..], |v| vm.str_bytes(v));
        for k in 0..n {
            if k > 0 {
                out.extend_from_slice(sepb);
            }
            out.extend_from_slice(sb);
        }
    }
    let r = vm.new_string(&out)?;
    vm.ret(&[r])
}

fn byte(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let s = vm.check_string(a, 1)?;
    let l = vm.str_bytes(s).len();
    let pi = vm.opt_int(a, 2, 1)?;
    let pose = {
        let v = vm.opt_int(a, 3, pi)?;
        end_pos(v, l)
    };
    let posi = posrelat_start(pi, l);
    if posi > pose {
        return Ok(0);
    }
    if pose - posi >= i32::MAX as usize {
        return Err(vm.error_l("string slice too long"));
    }
    let n = pose - posi + 1;
    check_stack(vm, n, "string slice too long")?;
    for k in 0..n {
        let c = vm.str_bytes(s)[posi - 1 + k];
        vm.push(Value::int(c as i64))?;
    }
    Ok(n as u32)
}

fn char(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let mut out = Vec::with_capacity(a.n as usize);
    for i in 1..=a.n {
        let c = vm.check_int(a, i)? as u64;
        if c > 255 {
            return Err(vm.arg_error_at(i, "value out of range"));
        }
        out.push(c as u8);
    }
    let r = vm.new_string(&out)?;
    vm.ret(&[r])
}

fn dump(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let f = vm.arg(a, 1);
    if !f.is_function() {
        return Err(vm.type_arg_error_at(1, "function", f));
    }
    let bytes = if f.tag() == TAG_LFUNC {
        let id = crate::vm::closure::proto_id(&vm.heap, slot_index(f.offset()));
        let proto = vm.proto(id).proto.clone();
        crate::bytecode::sbc::encode(&proto)
    } else {
        Vec::new()
    };
    if bytes.is_empty() {
        return Err(vm.error_l("unable to dump given function"));
    }
    let r = vm.new_string(&bytes)?;
    vm.ret(&[r])
}

// -- pattern matching ----------------------------------------------------------------

fn pattern_error(vm: &mut Vm, e: PatternError) -> Throw {
    vm.error_l(&e.0)
}

/// Pushes one capture of subject `s` on the stack.
fn push_capture(vm: &mut Vm, s: Value, c: Capture) -> Result<(), Throw> {
    let v = capture_value(vm, s, c)?;
    vm.push(v)
}

/// The value of a capture: a substring or a position.
fn capture_value(vm: &mut Vm, s: Value, c: Capture) -> Result<Value, Throw> {
    match c {
        Capture::Position(p) => Ok(Value::int(p as i64)),
        Capture::Span(b, e) => {
            let bytes = vm.str_bytes(s)[b..e].to_vec();
            vm.new_string(&bytes)
        }
    }
}

/// `string.find` and `string.match` (`str_find_aux`).
fn find_aux(vm: &mut Vm, a: Args, find: bool) -> Result<u32, Throw> {
    let sv = vm.check_string(a, 1)?;
    let pv = vm.check_string(a, 2)?;
    let ls = vm.str_bytes(sv).len();
    let i = vm.opt_int(a, 3, 1)?;
    let init = posrelat_start(i, ls) - 1;
    if init > ls {
        return vm.ret(&[Value::NIL]);
    }
    let plain = find && (!vm.arg(a, 4).is_falsy() || pattern::no_specials(vm.str_bytes(pv)));
    if plain {
        let (src, pat) = (vm.str_bytes(sv), vm.str_bytes(pv));
        return match pattern::find_plain(&src[init..], pat) {
            Some(k) => {
                let start = (init + k) as i64;
                let end = start + pat.len() as i64;
                vm.ret(&[Value::int(start + 1), Value::int(end)])
            }
            None => vm.ret(&[Value::NIL]),
        };
    }
    let found = pattern::search(vm.str_bytes(sv), vm.str_bytes(pv), init);
    let found = match found {
        Ok(Some(f)) => f,
        Ok(None) => return vm.ret(&[Value::NIL]),
        Err(e) => return Err(pattern_error(vm, e)),
    };
    let mut n = 0;
    if find {
        vm.push(Value::int(found.start as i64 + 1))?;
        vm.push(Value::int(found.end as i64))?;
        n += 2;
    } else if found.captures.is_empty() {
        push_capture(vm, sv, Capture::Span(found.start, found.end))?;
        return Ok(1);
    }
    for c in &found.captures {
        push_capture(vm, sv, *c)?;
    }
    Ok(n + found.captures.len() as u32)
}

fn find(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    find_aux(vm, a, true)
}

fn match_(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    find_aux(vm, a, false)
}

/// `string.gmatch(s, pattern [, init])`: an iterator closure over
/// `(s, pattern, position, end of last match)`.
fn gmatch(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let sv = vm.check_string(a, 1)?;
    let pv = vm.check_string(a, 2)?;
    let ls = vm.str_bytes(sv).len();
    let i = vm.opt_int(a, 3, 1)?;
    let mut init = posrelat_start(i, ls) - 1;
    if init > ls {
        init = ls + 1; // nothing will match
    }
    let id = vm.native_upvalue(a, 0).as_int().unwrap_or(0) as u32;
    let f = vm.new_native_closure(id, &[sv, pv, Value::int(init as i64), Value::int(-1)])?;
    vm.ret(&[f])
}

fn gmatch_aux(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let sv = vm.native_upvalue(a, 0);
    let pv = vm.native_upvalue(a, 1);
    let start = vm.native_upvalue(a, 2).as_int().unwrap_or(0).max(0) as usize;
    let lastmatch = vm.native_upvalue(a, 3).as_int().unwrap_or(-1);
    let outcome = {
        let (src, pat) = (vm.str_bytes(sv), vm.str_bytes(pv));
        let mut m = Matcher::new(src, pat);
        let mut result = Ok(None);
        let mut s = start;
        while s <= src.len() {
            match m.match_at(s) {
                Ok(Some(e)) if e as i64 != lastmatch => {
                    let n = m.num_results(true);
                    result = (0..n)
                        .map(|k| m.get_capture(k, s, e))
                        .collect::<Result<Vec<_>, _>>()
                        .map(|c| Some((e, c)));
                    break;
                }
                Ok(_) => s += 1,
                Err(err) => {
                    result = Err(err);
                    break;
                }
            }
        }
        result
    };
    match outcome {
        Err(e) => Err(pattern_error(vm, e)),
        Ok(None) => Ok(0),
        Ok(Some((e, caps))) => {
            vm.set_native_upvalue(a, 2, Value::int(e as i64));
            vm.set_native_upvalue(a, 3, Value::int(e as i64));
            for c in &caps {
                push_capture(vm, sv, *c)?;
            }
            Ok(caps.len() as u32)
        }
    }
}

/// What `gsub` replaces matches with.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Repl {
    Str,
    Table,
    Func,
}

/// `add_s`: appends the replacement string `r` with `%0`-`%9` and `%%`
/// expanded.
fn add_s(
    out: &mut Vec<u8>,
    r: &[u8],
    src: &[u8],
    m: &Matcher,
    s: usize,
    e: usize,
) -> Result<(), PatternError> {
    let mut i = 0;
    while i < r.len() {
        let c = r[i];
        i += 1;
        if c != b'%' {
            out.push(c);
            continue;
        }
        let d = r.get(i).copied().unwrap_or(0);
        i += 1;
        if d == b'%' {
            out.push(b'%');
        } else if d == b'0' {
            out.extend_from_slice(&src[s..e]);
        } else if d.is_ascii_digit() {
            match m.get_capture((d - b'1') as usize, s, e)? {
                Capture::Span(b, e2) => out.extend_from_slice(&src[b..e2]),
                Capture::Position(p) => out.extend_from_slice(p.to_string().as_bytes()),
            }
        } else {
            return Err(PatternError(
                "invalid use of '%' in replacement string".to_string(),
            ));
        }
    }
    Ok(())
}

fn gsub(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let sv = vm.check_string(a, 1)?;
    let pv = vm.check_string(a, 2)?;
    let repl = vm.arg(a, 3);
    let srcl = vm.str_bytes(sv).len();
    let max_s = vm.opt_int(a, 4, srcl as i64 + 1)?;
    let kind = match repl.tag() {
        TAG_INT | TAG_FLOAT | TAG_STR => Repl::Str,
        TAG_TABLE => Repl::Table,
        TAG_LFUNC | TAG_NFUNC | TAG_NCLOSURE => Repl::Func,
        _ => return Err(vm.type_arg_error_at(3, "string/function/table", repl)),
    };
    // A number replacement is used as its string form (lua_tolstring).
    let repl = if kind == Repl::Str {
        vm.check_string(a, 3)?
    } else {
        repl
    };
    let anchor = vm.str_bytes(pv).first() == Some(&b'^');
    let pstart = usize::from(anchor);
    let mark = vm.roots.len();
    let r = gsub_loop(vm, sv, pv, pstart, repl, kind, max_s, anchor);
    vm.roots.truncate(mark);
    let (out, n, changed) = r?;
    let result = if changed { vm.new_string(&out)? } else { sv };
    vm.ret(&[result, Value::int(n)])
}

#[allow(clippy::too_many_arguments)]
fn gsub_loop(
    vm: &mut Vm,
    sv: Value,
    pv: Value,
    pstart: usize,
    repl: Value,
    kind: Repl,
    max_s: i64,
    anchor: bool,
) -> Result<(Vec<u8>, i64, bool), Throw> {
    let srcl = vm.str_bytes(sv).len();
    let limit = vm.heap.limit_bytes();
    let mut out: Vec<u8> = Vec::new();
    let mut src = 0usize;
    let mut lastmatch: Option<usize> = None;
    let mut n: i64 = 0;
    let mut changed = false;
    while n < max_s {
        // Match (and for string replacements, substitute) while borrowing
        // the heap; function and table replacements need the captures
        // as values first.
        let step = {
            let (s, p) = (vm.str_bytes(sv), &vm.str_bytes(pv)[pstart..]);
            let mut m = Matcher::new(s, p);
            match m.match_at(src) {
                Err(e) => Err(e),
                Ok(Some(e)) if Some(e) != lastmatch => {
                    if kind == Repl::Str {
                        add_s(&mut out, vm.str_bytes(repl), s, &m, src, e)
                            .map(|()| Some((e, Vec::new())))
                    } else if kind == Repl::Table {
                        m.get_capture(0, src, e).map(|c| Some((e, vec![c])))
                    } else {
                        let k = m.num_results(true);
                        (0..k)
                            .map(|i| m.get_capture(i, src, e))
                            .collect::<Result<Vec<_>, _>>()
                            .map(|c| Some((e, c)))
                    }
                }
                Ok(_) => Ok(None),
            }
        };
        match step {
            Err(e) => return Err(pattern_error(vm, e)),
            Ok(Some((e, caps))) => {
                n += 1;
                match kind {
                    Repl::Str => changed = true,
                    _ => {
                        let v = replacement_value(vm, sv, repl, kind, &caps)?;
                        if v.is_falsy() {
                            // nil/false keep the original text.
                            out.extend_from_slice(&vm.str_bytes(sv)[src..e]);
                        } else if v.is_string() || v.is_number() {
                            vm.append_str_or_number(&mut out, v);
                            changed = true;
                        } else {
                            let msg = format!("invalid replacement value (a {})", v.type_name());
                            return Err(vm.error_l(&msg));
                        }
                    }
                }
                src = e;
                lastmatch = Some(e);
            }
            Ok(None) => {
                if src < srcl {
                    out.push(vm.str_bytes(sv)[src]);
                    src += 1;
                } else {
                    break;
                }
            }
        }
        if out.len() as u64 > limit {
            return Err(vm.out_of_memory());
        }
        if anchor {
            break;
        }
    }
    out.extend_from_slice(&vm.str_bytes(sv)[src..]);
    Ok((out, n, changed))
}

/// Calls the replacement function with the captures, or indexes the
/// replacement table with the first one (`add_value`).
fn replacement_value(
    vm: &mut Vm,
    sv: Value,
    repl: Value,
    kind: Repl,
    caps: &[Capture],
) -> Result<Value, Throw> {
    let mark = vm.roots.len();
    for c in caps {
        let v = capture_value(vm, sv, *c)?;
        vm.roots.push(v);
    }
    let args: Vec<Value> = vm.roots[mark..].to_vec();
    let r = if kind == Repl::Func {
        vm.call_value(repl, &args, 1)
            .map(|r| r.first().copied().unwrap_or(Value::NIL))
    } else {
        vm.index(
            repl,
            args.first().copied().unwrap_or(Value::NIL),
            Origin::None,
        )
    };
    vm.roots.truncate(mark);
    r
}

// -- format --------------------------------------------------------------------------

/// `luaL_tolstring` as bytes: `__tostring` (whose result may be a string
/// or a number), `__name`, or the default form.
fn tolstring_bytes(vm: &mut Vm, v: Value, out: &mut Vec<u8>) -> Result<(), Throw> {
    if vm.append_str_or_number(out, v) {
        return Ok(());
    }
    let tm = vm.get_tm_by_name(v, "__tostring")?;
    if !tm.is_nil() {
        let r = vm.call_value(tm, &[v], 1)?;
        let r = r.first().copied().unwrap_or(Value::NIL);
        if !vm.append_str_or_number(out, r) {
            return Err(vm.error_l("'__tostring' must return a string"));
        }
        return Ok(());
    }
    let s = vm.tostring(v)?;
    out.extend_from_slice(vm.str_bytes(s));
    Ok(())
}

fn number_arg(vm: &mut Vm, a: Args, i: u32) -> Result<f64, Throw> {
    let v = vm.check_number(a, i)?;
    Ok(v.as_f64().unwrap_or(0.0))
}

fn format_(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let fv = vm.check_string(a, 1)?;
    let fmt = vm.str_bytes(fv).to_vec();
    let limit = vm.heap.limit_bytes();
    let top = a.n;
    let mut arg = 1u32;
    let mut out: Vec<u8> = Vec::with_capacity(fmt.len());
    let mut i = 0;
    while i < fmt.len() {
        let c = fmt[i];
        i += 1;
        if c != b'%' {
            out.push(c);
            continue;
        }
        if fmt.get(i) == Some(&b'%') {
            out.push(b'%');
            i += 1;
            continue;
        }
        arg += 1;
        if arg > top {
            return Err(vm.arg_error_at(arg, "no value"));
        }
        let (form, next) = match format::get_format(&fmt, i) {
            Ok(r) => r,
            Err(m) => return Err(vm.error_l(&m)),
        };
        i = next;
        let conv = form.last().copied().unwrap_or(0);
        let check = |vm: &mut Vm, flags: &[u8], prec: bool| -> Result<(), Throw> {
            format::check_format(&form, flags, prec).map_err(|m| vm.error_l(&m))
        };
        match conv {
            b'c' => {
                check(vm, format::FLAGS_C, false)?;
                let n = vm.check_int(a, arg)?;
                format::format_char(&mut out, &format::parse_spec(&form), n);
            }
            b'd' | b'i' | b'u' | b'o' | b'x' | b'X' => {
                let n = vm.check_int(a, arg)?;
                let flags = match conv {
                    b'd' | b'i' => format::FLAGS_I,
                    b'u' => format::FLAGS_U,
                    _ => format::FLAGS_X,
                };
                check(vm, flags, true)?;
                format::format_int(&mut out, &format::parse_spec(&form), conv, n);
            }
            b'a' | b'A' | b'e' | b'E' | b'f' | b'g' | b'G' => {
                let f = number_arg(vm, a, arg)?;
                check(vm, format::FLAGS_F, true)?;
                format::format_float(&mut out, &format::parse_spec(&form), conv, f);
            }
            b'p' => {
                check(vm, format::FLAGS_C, false)?;
                let v = vm.arg(a, arg);
                let text = match v.tag() {
                    TAG_STR | TAG_TABLE | TAG_LFUNC | TAG_NCLOSURE | TAG_THREAD => {
                        format!("0x{:08x}", v.offset())
                    }
                    TAG_NFUNC => format!("0x{:x}", crate::vm::meta::native_address(v)),
                    TAG_LIGHTUD => format!("0x{:08x}", v.payload()),
                    _ => "(null)".to_string(),
                };
                format::format_str(&mut out, &format::parse_spec(&form), text.as_bytes());
            }
            b'q' => {
                if form.len() > 2 {
                    return Err(vm.error_l("specifier '%q' cannot have modifiers"));
                }
                let v = vm.arg(a, arg);
                match v.tag() {
                    TAG_STR => format::add_quoted(&mut out, vm.str_bytes(v)),
                    TAG_INT => format::quote_int(&mut out, v.as_int_unchecked()),
                    TAG_FLOAT => format::quote_float(&mut out, v.as_float_unchecked()),
                    TAG_NIL | TAG_FALSE | TAG_TRUE => vm.to_display_bytes(v, &mut out),
                    _ => return Err(vm.arg_error_at(arg, "value has no literal form")),
                }
            }
            b's' => {
                let v = vm.arg(a, arg);
                let mut s = Vec::new();
                tolstring_bytes(vm, v, &mut s)?;
                if form.len() == 2 {
                    out.extend_from_slice(&s);
                } else {
                    if s.contains(&0) {
                        return Err(vm.arg_error_at(arg, "string contains zeros"));
                    }
                    check(vm, format::FLAGS_C, true)?;
                    if !form.contains(&b'.') && s.len() >= 100 {
                        // No precision and too long to format: keep it whole.
                        out.extend_from_slice(&s);
                    } else {
                        format::format_str(&mut out, &format::parse_spec(&form), &s);
                    }
                }
            }
            _ => {
                let msg = format!(
                    "invalid conversion '{}' to 'format'",
                    format::form_text(&form)
                );
                return Err(vm.error_l(&msg));
            }
        }
        if out.len() as u64 > limit {
            return Err(vm.out_of_memory());
        }
    }
    let r = vm.new_string(&out)?;
    vm.ret(&[r])
}

// -- string metatable: arithmetic on numeric strings ---------------------------------

/// `tonum`: a number, or a string that converts entirely to one.
fn tonum(vm: &Vm, v: Value) -> Option<Value> {
    if v.is_number() {
        Some(v)
    } else {
        vm.str_to_number(v)
    }
}

/// `arith` of lstrlib.c: converts both operands, else tries the second
/// operand's metamethod (`trymt`).
fn arith(vm: &mut Vm, a: Args, op: Tm, event: &str) -> Result<u32, Throw> {
    let x = vm.arg(a, 1);
    let y = vm.arg(a, 2);
    if let (Some(nx), Some(ny)) = (tonum(vm, x), tonum(vm, y)) {
        // Errors such as "attempt to divide by zero" are raised from this
        // native frame, so they carry no position (as in lua5.4).
        if let Some(r) = vm.arith_numbers(op, nx, ny)? {
            return vm.ret(&[r]);
        }
    }
    let tm = if y.is_string() {
        Value::NIL
    } else {
        metafield(vm, y, event)?
    };
    if tm.is_nil() {
        let msg = format!(
            "attempt to {} a '{}' with a '{}'",
            &event[2..],
            x.type_name(),
            y.type_name()
        );
        return Err(vm.error_l(&msg));
    }
    let r = vm.call_value(tm, &[x, y], 1)?;
    let r = r.first().copied().unwrap_or(Value::NIL);
    vm.ret(&[r])
}

/// `luaL_getmetafield`: a raw field of the value's metatable.
fn metafield(vm: &mut Vm, v: Value, event: &str) -> Result<Value, Throw> {
    match vm.metatable_of(v) {
        None => Ok(Value::NIL),
        Some(mt) => {
            let key = vm.new_string(event.as_bytes())?;
            Ok(vm.raw_get(Value::object(TAG_TABLE, mt), key))
        }
    }
}

fn arith_add(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    arith(vm, a, Tm::Add, "__add")
}
fn arith_sub(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    arith(vm, a, Tm::Sub, "__sub")
}
fn arith_mul(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    arith(vm, a, Tm::Mul, "__mul")
}
fn arith_mod(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    arith(vm, a, Tm::Mod, "__mod")
}
fn arith_pow(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    arith(vm, a, Tm::Pow, "__pow")
}
fn arith_div(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    arith(vm, a, Tm::Div, "__div")
}
fn arith_idiv(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    arith(vm, a, Tm::IDiv, "__idiv")
}
fn arith_unm(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    arith(vm, a, Tm::Unm, "__unm")
}
