//! Numeral conversion exactly as Lua 5.4's `luaO_str2num` (`lobject.c`):
//! decimal integers (overflow makes them floats), hexadecimal integers
//! (which wrap around), decimal and hexadecimal floats, with optional
//! surrounding whitespace and sign. `inf`/`nan` spellings are rejected.

/// A Lua number: the result of converting a numeral.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LuaNumber {
    /// A 64-bit integer.
    Int(i64),
    /// A 64-bit float.
    Float(f64),
}

/// C's `isspace` in the "C" locale, which is what `lctype.c` uses.
pub(crate) fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

fn hex_value(c: u8) -> Option<u32> {
    (c as char).to_digit(16)
}

fn trim_spaces(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&c| !is_space(c)).unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|&c| !is_space(c))
        .map_or(start, |p| p + 1);
    s.get(start..end).unwrap_or(&[])
}

/// Splits an optional leading sign off; returns (negative, rest).
fn split_sign(s: &[u8]) -> (bool, &[u8]) {
    match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, s),
    }
}

/// `l_str2int`: hexadecimal integers wrap around; decimal ones that
/// overflow are not integers (the caller then tries a float).
fn str2int(s: &[u8]) -> Option<i64> {
    let (neg, body) = split_sign(trim_spaces(s));
    let mut a: u64 = 0;
    if let Some(hex) = body
        .strip_prefix(b"0x")
        .or_else(|| body.strip_prefix(b"0X"))
    {
        if hex.is_empty() {
            return None;
        }
        for &c in hex {
            a = a.wrapping_mul(16).wrapping_add(u64::from(hex_value(c)?));
        }
    } else {
        if body.is_empty() {
            return None;
        }
        const MAX_BY_10: u64 = (i64::MAX / 10) as u64;
        const MAX_LAST_DIGIT: u64 = (i64::MAX % 10) as u64;
        for &c in body {
            if !c.is_ascii_digit() {
                return None;
            }
            let d = u64::from(c - b'0');
            if a >= MAX_BY_10 && (a > MAX_BY_10 || d > MAX_LAST_DIGIT + u64::from(neg)) {
                return None;
            }
            a = a * 10 + d;
        }
    }
    let v = if neg { 0u64.wrapping_sub(a) } else { a };
    Some(v as i64)
}

/// `l_str2d`: a float numeral as C's `strtod` reads it, with the whole
/// string (but surrounding whitespace) consumed.
fn str2float(s: &[u8]) -> Option<f64> {
    // Lua rejects anything that could be 'inf' or 'nan' before calling strtod.
    if s.iter().any(|&c| c == b'n' || c == b'N') {
        return None;
    }
    let t = trim_spaces(s);
    let (neg, body) = split_sign(t);
    let magnitude = if let Some(hex) = body
        .strip_prefix(b"0x")
        .or_else(|| body.strip_prefix(b"0X"))
    {
        parse_hex_float(hex)?
    } else {
        if body.first().is_some_and(|&c| c == b'+' || c == b'-') {
            return None;
        }
        // Rust's float grammar is strtod's decimal grammar (minus
        // whitespace, which was trimmed, and inf/nan, excluded above).
        std::str::from_utf8(body).ok()?.parse::<f64>().ok()?
    };
    Some(if neg { -magnitude } else { magnitude })
}

/// Parses `hexdigits[.hexdigits][p[+-]digits]` (after `0x`), correctly
/// rounded to nearest-even like glibc's `strtod`.
fn parse_hex_float(s: &[u8]) -> Option<f64> {
    let mut mant: u64 = 0;
    let mut sticky = false;
    let mut exp: i64 = 0; // binary exponent adjustment
    let mut any_digit = false;
    let mut seen_dot = false;
    let mut i = 0;
    while let Some(&c) = s.get(i) {
        if c == b'.' {
            if seen_dot {
                return None;
            }
            seen_dot = true;
        } else if let Some(d) = hex_value(c) {
            any_digit = true;
            if mant >> 60 == 0 {
                mant = (mant << 4) | u64::from(d);
                if seen_dot {
                    exp -= 4;
                }
            } else {
                // Too many significant digits: keep only whether they are zero.
                sticky |= d != 0;
                if !seen_dot {
                    exp += 4;
                }
            }
        } else {
            break;
        }
        i += 1;
    }
    if !any_digit {
        return None;
    }
    if let Some(&c) = s.get(i) {
        if c != b'p' && c != b'P' {
            return None;
        }
        let (eneg, digits) = split_sign(s.get(i + 1..).unwrap_or(&[]));
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let mut e: i64 = 0;
        for &d in digits {
            e = (e * 10 + i64::from(d - b'0')).min(1 << 40);
        }
        exp += if eneg { -e } else { e };
    }
    Some(compose_binary_float(mant, exp, sticky))
}

/// Rounds `mant * 2^exp` (plus a nonzero tail below `mant` when `sticky`)
/// to the nearest double, ties to even.
fn compose_binary_float(mant: u64, exp: i64, sticky: bool) -> f64 {
    if mant == 0 {
        return 0.0;
    }
    let lz = mant.leading_zeros();
    let m = mant << lz;
    // value = m * 2^e2, m in [2^63, 2^64): its binary exponent is e2 + 63.
    let e2 = exp - i64::from(lz);
    let big_e = e2 + 63;
    if big_e > 1023 {
        return f64::INFINITY;
    }
    let bits: i64 = if big_e >= -1022 {
        53
    } else {
        53 - (-1022 - big_e)
    };
    if bits < 0 {
        return 0.0;
    }
    if bits == 0 {
        // Value in [2^-1075, 2^-1074): above half of the smallest subnormal?
        let above_half = m > (1u64 << 63) || sticky;
        return if above_half { f64::from_bits(1) } else { 0.0 };
    }
    let shift = 64 - bits as u32;
    let mut keep = m >> shift;
    let rem = m & ((1u64 << shift) - 1);
    let half = 1u64 << (shift - 1);
    if rem > half || (rem == half && (sticky || keep & 1 == 1)) {
        keep += 1;
    }
    if big_e >= -1022 {
        let mut e = big_e;
        if keep == 1u64 << 53 {
            keep >>= 1;
            e += 1;
            if e > 1023 {
                return f64::INFINITY;
            }
        }
        let biased = (e + 1023) as u64;
        f64::from_bits((biased << 52) | (keep & ((1u64 << 52) - 1)))
    } else {
        // Subnormal: the bit pattern is the mantissa itself (a carry into
        // bit 52 correctly yields the smallest normal number).
        f64::from_bits(keep)
    }
}

/// Lua's `luaO_str2num`; see [`crate::lua::str2number`].
pub fn str2number(s: &[u8]) -> Option<LuaNumber> {
    if s.contains(&0) {
        return None;
    }
    if let Some(i) = str2int(s) {
        return Some(LuaNumber::Int(i));
    }
    str2float(s).map(LuaNumber::Float)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_floats_round_correctly() {
        assert_eq!(str2number(b"0x1p4"), Some(LuaNumber::Float(16.0)));
        assert_eq!(str2number(b"0x.8"), Some(LuaNumber::Float(0.5)));
        assert_eq!(
            str2number(b"0x1p-1074"),
            Some(LuaNumber::Float(f64::from_bits(1)))
        );
        assert_eq!(str2number(b"0x1p-1075"), Some(LuaNumber::Float(0.0)));
        assert_eq!(
            str2number(b"0x1.8p-1074"),
            Some(LuaNumber::Float(f64::from_bits(2)))
        );
        assert_eq!(
            str2number(b"0x1p1024"),
            Some(LuaNumber::Float(f64::INFINITY))
        );
        assert_eq!(
            str2number(b"0x1.fffffffffffff8p0"),
            Some(LuaNumber::Float(2.0))
        );
    }
}
