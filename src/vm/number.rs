//! Lua 5.4 number semantics: integer/float arithmetic, conversions,
//! comparisons between mixed kinds, and the textual forms numbers take
//! (`%.14g` for floats, as `lua5.4` prints them).

/// Converts a float with an exact integer value to that integer.
#[inline]
pub fn float_to_int_exact(f: f64) -> Option<i64> {
    // -2^63 <= f < 2^63 and integral.
    if (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f) {
        let i = f as i64;
        if i as f64 == f {
            return Some(i);
        }
    }
    None
}

/// Floor of a float converted to an integer, if it fits (`math.floor` rule).
pub fn float_floor_to_int(f: f64) -> Option<i64> {
    float_to_int_exact(f.floor())
}

/// Integer floor division (the caller has excluded `b == 0`).
#[inline]
pub fn int_floor_div(a: i64, b: i64) -> i64 {
    if b == -1 {
        return a.wrapping_neg();
    }
    let q = a / b;
    if (a % b != 0) && ((a ^ b) < 0) {
        q - 1
    } else {
        q
    }
}

/// Integer modulo with the sign of the divisor (the caller has excluded `b == 0`).
#[inline]
pub fn int_mod(a: i64, b: i64) -> i64 {
    if b == -1 {
        return 0;
    }
    let r = a % b;
    if r != 0 && (r ^ b) < 0 { r + b } else { r }
}

/// Float modulo as Lua defines it.
#[inline]
pub fn float_mod(a: f64, b: f64) -> f64 {
    let m = a % b;
    if (m > 0.0 && b < 0.0) || (m < 0.0 && b > 0.0) {
        m + b
    } else {
        m
    }
}

/// Float floor division.
#[inline]
pub fn float_floor_div(a: f64, b: f64) -> f64 {
    (a / b).floor()
}

/// Lua's shift-left (negative counts shift right; counts >= 64 give 0).
#[inline]
pub fn shift_left(x: i64, y: i64) -> i64 {
    if y < 0 {
        if y <= -64 {
            0
        } else {
            ((x as u64) >> (-y) as u32) as i64
        }
    } else if y >= 64 {
        0
    } else {
        ((x as u64) << y as u32) as i64
    }
}

/// `i < f` for an integer and a float.
pub fn lt_int_float(i: i64, f: f64) -> bool {
    if (-(1i64 << 53)..=(1i64 << 53)).contains(&i) {
        (i as f64) < f
    } else if f.is_nan() {
        false
    } else if f >= 9.223_372_036_854_776e18 {
        true
    } else if f > -9.223_372_036_854_776e18 {
        // i < f <=> i < ceil(f)
        i < f.ceil() as i64
    } else {
        false
    }
}

/// `i <= f` for an integer and a float.
pub fn le_int_float(i: i64, f: f64) -> bool {
    if (-(1i64 << 53)..=(1i64 << 53)).contains(&i) {
        (i as f64) <= f
    } else if f.is_nan() {
        false
    } else if f >= 9.223_372_036_854_776e18 {
        true
    } else if f >= -9.223_372_036_854_776e18 {
        // i <= f <=> i <= floor(f)
        i <= f.floor() as i64
    } else {
        false
    }
}

/// `f < i` for a float and an integer.
pub fn lt_float_int(f: f64, i: i64) -> bool {
    if (-(1i64 << 53)..=(1i64 << 53)).contains(&i) {
        f < i as f64
    } else if f.is_nan() || f >= 9.223_372_036_854_776e18 {
        false
    } else if f >= -9.223_372_036_854_776e18 {
        // f < i <=> floor(f) < i
        (f.floor() as i64) < i
    } else {
        true
    }
}

/// `f <= i` for a float and an integer.
pub fn le_float_int(f: f64, i: i64) -> bool {
    if (-(1i64 << 53)..=(1i64 << 53)).contains(&i) {
        f <= i as f64
    } else if f.is_nan() || f >= 9.223_372_036_854_776e18 {
        false
    } else if f > -9.223_372_036_854_776e18 {
        // f <= i <=> ceil(f) <= i
        (f.ceil() as i64) <= i
    } else {
        true
    }
}

/// Mathematical equality of an integer and a float.
pub fn eq_int_float(i: i64, f: f64) -> bool {
    float_to_int_exact(f) == Some(i)
}

/// Appends the text of an integer (`%d`).
pub fn write_int(out: &mut Vec<u8>, i: i64) {
    use std::io::Write;
    let _ = write!(out, "{i}");
}

/// Appends the text `lua5.4` gives a float: `%.14g`, plus `.0` when the
/// result would read as an integer.
pub fn write_float(out: &mut Vec<u8>, f: f64) {
    let start = out.len();
    format_g(out, f, 14, false, false);
    let text = &out[start..];
    if text.iter().all(|c| c.is_ascii_digit() || *c == b'-') {
        out.extend_from_slice(b".0");
    }
}

/// C's `%.{prec}g` (with `#` when `alt`, upper-case when `upper`).
pub fn format_g(out: &mut Vec<u8>, f: f64, prec: usize, alt: bool, upper: bool) {
    if !f.is_finite() {
        write_nonfinite(out, f, upper);
        return;
    }
    let p = if prec == 0 { 1 } else { prec };
    if f == 0.0 {
        if f.is_sign_negative() {
            out.push(b'-');
        }
        out.push(b'0');
        if alt && p > 1 {
            out.push(b'.');
            out.extend(std::iter::repeat_n(b'0', p - 1));
        }
        return;
    }
    // Exponent after rounding to p significant digits.
    let sci = format!("{:.*e}", p - 1, f);
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let x: i32 = exp.parse().unwrap_or(0);
    if x < -4 || x >= p as i32 {
        let mut m = mant.to_string();
        if !alt {
            strip_fraction_zeros(&mut m);
        }
        out.extend_from_slice(m.as_bytes());
        out.push(if upper { b'E' } else { b'e' });
        out.push(if x < 0 { b'-' } else { b'+' });
        let ax = x.unsigned_abs();
        if ax < 10 {
            out.push(b'0');
        }
        out.extend_from_slice(ax.to_string().as_bytes());
    } else {
        let decimals = (p as i32 - 1 - x).max(0) as usize;
        let mut s = format!("{:.*}", decimals, f);
        if !alt {
            strip_fraction_zeros(&mut s);
        } else if !s.contains('.') {
            s.push('.');
        }
        out.extend_from_slice(s.as_bytes());
    }
}

/// Writes `inf`, `-inf`, `nan` or `-nan` the way glibc prints them.
pub fn write_nonfinite(out: &mut Vec<u8>, f: f64, upper: bool) {
    if f.is_sign_negative() {
        out.push(b'-');
    }
    let s: &[u8] = match (f.is_nan(), upper) {
        (true, false) => b"nan",
        (true, true) => b"NAN",
        (false, false) => b"inf",
        (false, true) => b"INF",
    };
    out.extend_from_slice(s);
}

fn strip_fraction_zeros(s: &mut String) {
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(f: f64) -> String {
        let mut v = vec![];
        write_float(&mut v, f);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn floats_print_like_lua() {
        assert_eq!(g(1.0), "1.0");
        assert_eq!(g(-0.0), "-0.0");
        assert_eq!(g(0.1), "0.1");
        assert_eq!(g(1e100), "1e+100");
        assert_eq!(g(1e15), "1e+15");
        assert_eq!(g(123456789012345.0), "1.2345678901234e+14");
        assert_eq!(g(3.25159265358979), "3.2515926535898");
        assert_eq!(g(1e-5), "1e-05");
        assert_eq!(g(0.0001), "0.0001");
        assert_eq!(g(2.0f64.powi(63)), "9.2233720368548e+18");
        assert_eq!(g(f64::INFINITY), "inf");
        assert_eq!(g(-f64::INFINITY), "-inf");
    }

    #[test]
    fn integer_division_and_modulo() {
        assert_eq!(int_floor_div(7, -2), -4);
        assert_eq!(int_mod(-7, 2), 1);
        assert_eq!(int_mod(7, -2), -1);
        assert_eq!(int_floor_div(i64::MIN, -1), i64::MIN);
        assert_eq!(float_mod(-7.0, 2.0), 1.0);
        assert_eq!(shift_left(1, 63), i64::MIN);
        assert_eq!(shift_left(-1, -1), i64::MAX);
        assert_eq!(shift_left(1, 64), 0);
    }

    #[test]
    fn mixed_comparisons() {
        assert!(lt_int_float(1, 1.5));
        assert!(lt_int_float(i64::MAX, 9.223_372_036_854_776e18));
        assert!(!lt_int_float(i64::MAX, 9.223_372_036_854_775e18));
        assert!(le_float_int(-f64::INFINITY, i64::MIN));
        assert!(!lt_float_int(f64::NAN, 0));
        assert!(eq_int_float(1 << 53, 9007199254740992.0));
    }
}
