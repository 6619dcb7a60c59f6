//! The `utf8` library (`lutf8lib.c` of Lua 5.4.4): `char`, `charpattern`,
//! `codepoint`, `len`, `offset`, `codes`.
//!
//! Decoding follows lua5.4 byte for byte, including its acceptance of the
//! original 6-byte UTF-8 forms (up to 0x7FFFFFFF) in lax mode and its
//! treatment of the byte after the end of a string as the terminating NUL.

use crate::vm::{Args, Throw, Value, Vm};

const MAXUNICODE: u32 = 0x10FFFF;
const MAXUTF: u32 = 0x7FFF_FFFF;

/// Installs `utf8` into the globals table.
pub fn open(vm: &mut Vm) -> Result<Value, Throw> {
    let t = vm.new_table(0, 8)?;
    vm.set_global("utf8", t)?;
    vm.set_native(t, "offset", offset)?;
    vm.set_native(t, "codepoint", codepoint)?;
    vm.set_native(t, "char", char_)?;
    vm.set_native(t, "len", len)?;
    vm.set_native(t, "codes", codes)?;
    let pat = vm.new_string(b"[\x00-\x7F\xC2-\xFD][\x80-\xBF]*")?;
    vm.raw_set_str(t, "charpattern", pat)?;
    let strict = vm.register_native("for iterator", iter_strict);
    let lax = vm.register_native("for iterator", iter_lax);
    vm.libs.utf8_iters = (strict, lax);
    Ok(t)
}

/// Byte `i` of `s`, 0 past the end (C strings end with NUL).
fn byte(s: &[u8], i: usize) -> u8 {
    s.get(i).copied().unwrap_or(0)
}

fn iscont(s: &[u8], i: usize) -> bool {
    byte(s, i) & 0xC0 == 0x80
}

/// `u_posrelat`: negative positions count from the end.
fn posrelat(pos: i64, len: usize) -> i64 {
    if pos >= 0 {
        pos
    } else if pos.unsigned_abs() > len as u64 {
        0
    } else {
        len as i64 + pos + 1
    }
}

/// `utf8_decode`: the code point at `i` and the index after it, or `None`
/// for an invalid sequence.
pub fn decode(s: &[u8], i: usize, strict: bool) -> Option<(u32, usize)> {
    const LIMITS: [u64; 6] = [!0, 0x80, 0x800, 0x10000, 0x200000, 0x4000000];
    let mut c = byte(s, i) as u64;
    let mut res: u64 = 0;
    let mut count = 0usize;
    if c < 0x80 {
        res = c;
    } else {
        while c & 0x40 != 0 {
            count += 1;
            let cc = byte(s, i + count) as u64;
            if cc & 0xC0 != 0x80 {
                return None;
            }
            res = (res << 6) | (cc & 0x3F);
            c <<= 1;
        }
        if count > 5 {
            return None;
        }
        res |= (c & 0x7F) << (count * 5);
        if res > MAXUTF as u64 || res < LIMITS[count] {
            return None;
        }
    }
    if strict && (res > MAXUNICODE as u64 || (0xD800..=0xDFFF).contains(&res)) {
        return None;
    }
    Some((res as u32, i + count + 1))
}

/// `luaO_utf8esc`: encodes `x` (at most 0x7FFFFFFF) in the extended UTF-8
/// Lua uses (up to six bytes).
pub fn encode(out: &mut Vec<u8>, mut x: u32) {
    if x < 0x80 {
        out.push(x as u8);
        return;
    }
    let mut buf = [0u8; 8];
    let mut n = 0;
    let mut mfb: u32 = 0x3f; // largest value that fits in the first byte
    loop {
        buf[7 - n] = 0x80 | (x & 0x3f) as u8;
        n += 1;
        x >>= 6;
        mfb >>= 1;
        if x <= mfb {
            break;
        }
    }
    buf[7 - n] = ((!mfb << 1) | x) as u8;
    n += 1;
    out.extend_from_slice(&buf[8 - n..]);
}

fn str_arg(vm: &mut Vm, a: Args, i: u32) -> Result<Vec<u8>, Throw> {
    let s = vm.check_string(a, i)?;
    Ok(vm.str_bytes(s).to_vec())
}

fn len(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let s = str_arg(vm, a, 1)?;
    let l = s.len();
    let mut posi = posrelat(vm.opt_int(a, 2, 1)?, l);
    let mut posj = posrelat(vm.opt_int(a, 3, -1)?, l);
    let lax = !vm.arg(a, 4).is_falsy();
    if !(1 <= posi && posi - 1 <= l as i64) {
        return Err(vm.arg_error_at(2, "initial position out of bounds"));
    }
    posi -= 1;
    posj -= 1;
    if posj >= l as i64 {
        return Err(vm.arg_error_at(3, "final position out of bounds"));
    }
    let mut n: i64 = 0;
    while posi <= posj {
        match decode(&s, posi as usize, !lax) {
            Some((_, next)) => posi = next as i64,
            None => return vm.ret(&[Value::NIL, Value::int(posi + 1)]),
        }
        n += 1;
    }
    vm.ret(&[Value::int(n)])
}

fn codepoint(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let s = str_arg(vm, a, 1)?;
    let l = s.len();
    let posi = posrelat(vm.opt_int(a, 2, 1)?, l);
    let pose = posrelat(vm.opt_int(a, 3, posi)?, l);
    let lax = !vm.arg(a, 4).is_falsy();
    if posi < 1 {
        return Err(vm.arg_error_at(2, "out of bounds"));
    }
    if pose > l as i64 {
        return Err(vm.arg_error_at(3, "out of bounds"));
    }
    if posi > pose {
        return Ok(0);
    }
    if pose - posi >= i32::MAX as i64 {
        return Err(vm.error_l("string slice too long"));
    }
    let mut i = (posi - 1) as usize;
    let end = pose as usize;
    let mut n = 0;
    while i < end {
        match decode(&s, i, !lax) {
            Some((code, next)) => {
                vm.push(Value::int(code as i64))?;
                n += 1;
                i = next;
            }
            None => return Err(vm.error_l("invalid UTF-8 code")),
        }
    }
    Ok(n)
}

fn char_(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let mut out = Vec::new();
    for i in 1..=a.n {
        let code = vm.check_int(a, i)? as u64;
        if code > MAXUTF as u64 {
            return Err(vm.arg_error_at(i, "value out of range"));
        }
        encode(&mut out, code as u32);
    }
    let s = vm.new_string(&out)?;
    vm.ret(&[s])
}

fn offset(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let s = str_arg(vm, a, 1)?;
    let l = s.len() as i64;
    let mut n = vm.check_int(a, 2)?;
    let default = if n >= 0 { 1 } else { l + 1 };
    let mut posi = posrelat(vm.opt_int(a, 3, default)?, s.len());
    if !(1 <= posi && posi - 1 <= l) {
        return Err(vm.arg_error_at(3, "position out of bounds"));
    }
    posi -= 1;
    if n == 0 {
        // Find the beginning of the current byte sequence.
        while posi > 0 && iscont(&s, posi as usize) {
            posi -= 1;
        }
    } else {
        if iscont(&s, posi as usize) {
            return Err(vm.error_l("initial position is a continuation byte"));
        }
        if n < 0 {
            while n < 0 && posi > 0 {
                loop {
                    posi -= 1;
                    if !(posi > 0 && iscont(&s, posi as usize)) {
                        break;
                    }
                }
                n += 1;
            }
        } else {
            n -= 1; // do not move for the first character
            while n > 0 && posi < l {
                loop {
                    posi += 1;
                    if !iscont(&s, posi as usize) {
                        break;
                    }
                }
                n -= 1;
            }
        }
    }
    if n == 0 {
        vm.ret(&[Value::int(posi + 1)])
    } else {
        vm.ret(&[Value::NIL])
    }
}

fn iter_aux(vm: &mut Vm, a: Args, strict: bool) -> Result<u32, Throw> {
    let sv = vm.check_string(a, 1)?;
    let s = vm.str_bytes(sv).to_vec();
    let l = s.len() as i64;
    let ctl = vm.arg(a, 2);
    // The control value is the previous position (1-based), i.e. the
    // 0-based index just after the previous character's first byte.
    let mut n = vm.to_integer_strict(ctl).unwrap_or(0) as u64;
    if n < l as u64 {
        while iscont(&s, n as usize) {
            n += 1; // skip continuation bytes
        }
    }
    if n >= l as u64 {
        return Ok(0); // also handles a negative control value
    }
    let n = n as i64;
    match decode(&s, n as usize, strict) {
        Some((code, _)) => vm.ret(&[Value::int(n + 1), Value::int(code as i64)]),
        None => Err(vm.error_l("invalid UTF-8 code")),
    }
}

fn iter_strict(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    iter_aux(vm, a, true)
}

fn iter_lax(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    iter_aux(vm, a, false)
}

fn codes(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let lax = !vm.arg(a, 2).is_falsy();
    let s = vm.check_string(a, 1)?;
    let (strict_id, lax_id) = vm.libs.utf8_iters;
    let f = Vm::native_value(if lax { lax_id } else { strict_id });
    vm.ret(&[f, s, Value::int(0)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_matches_lua() {
        let mut v = Vec::new();
        encode(&mut v, 0x7FFF_FFFF);
        assert_eq!(v, b"\xFD\xBF\xBF\xBF\xBF\xBF");
        v.clear();
        encode(&mut v, 0x20AC);
        assert_eq!(v, "€".as_bytes());
    }

    #[test]
    fn decode_rejects_overlong_and_surrogates() {
        assert_eq!(decode(b"\xC0\x80", 0, false), None);
        assert_eq!(decode(b"\xED\xA0\x80", 0, true), None);
        assert_eq!(decode(b"\xED\xA0\x80", 0, false), Some((0xD800, 3)));
        assert_eq!(
            decode(b"\xFD\xBF\xBF\xBF\xBF\xBF", 0, false),
            Some((0x7FFF_FFFF, 6))
        );
        assert_eq!(decode(b"\xFF", 0, false), None);
    }
}
