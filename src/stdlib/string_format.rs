//! `string.format` building blocks: conversion specifications as `lstrlib.c`
//! validates them, and C `printf` semantics (glibc's exact output) for each
//! conversion `string.format` supports, implemented in Rust.
//!
//! The VM-facing driver (argument fetching, `%s` with `__tostring`, error
//! raising) lives in `string.rs`; everything here is pure so it can be
//! tested directly. Decimal digits come from Rust's exact float formatting,
//! which rounds like glibc (exact binary value, ties to even).

/// Valid flags for `a A e E f g G` (`L_FMTFLAGSF`).
pub const FLAGS_F: &[u8] = b"-+#0 ";
/// Valid flags for `o x X` (`L_FMTFLAGSX`).
pub const FLAGS_X: &[u8] = b"-#0";
/// Valid flags for `d i` (`L_FMTFLAGSI`).
pub const FLAGS_I: &[u8] = b"-+0 ";
/// Valid flags for `u` (`L_FMTFLAGSU`).
pub const FLAGS_U: &[u8] = b"-0";
/// Valid flags for `c p s` (`L_FMTFLAGSC`).
pub const FLAGS_C: &[u8] = b"-";

/// `MAX_FORMAT` of lstrlib.c: specifications this long are rejected.
const MAX_FORMAT: usize = 32;

/// A parsed conversion specification (what `printf` sees).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Spec {
    /// `-`: left-justify.
    pub left: bool,
    /// `+`: always print a sign.
    pub plus: bool,
    /// ` `: a space where a `+` would go.
    pub space: bool,
    /// `#`: alternate form.
    pub alt: bool,
    /// `0`: pad numbers with zeros.
    pub zero: bool,
    /// Minimum field width.
    pub width: usize,
    /// Precision, if given.
    pub prec: Option<usize>,
}

/// Splits the conversion specification that starts right after a `%` at
/// `fmt[i..]` (`getformat`): returns the specification text (everything
/// up to and including the conversion character, which is 0 when the
/// format ends) and the index just past it. `Err` carries the
/// "invalid format (too long)" message.
pub fn get_format(fmt: &[u8], i: usize) -> Result<(Vec<u8>, usize), String> {
    let span = fmt
        .get(i..)
        .unwrap_or(&[])
        .iter()
        .take_while(|c| b"-+ #0123456789.".contains(c))
        .count();
    let len = span + 1; // plus the conversion character
    if len >= MAX_FORMAT - 10 {
        return Err("invalid format (too long)".to_string());
    }
    let mut form = Vec::with_capacity(len + 1);
    form.push(b'%');
    for k in 0..len {
        // Past the end C reads the terminating zero.
        form.push(fmt.get(i + k).copied().unwrap_or(0));
    }
    Ok((form, i + len))
}

/// The specification as C would print it with `%s`: up to the first zero byte.
pub fn form_text(form: &[u8]) -> String {
    let end = form.iter().position(|&c| c == 0).unwrap_or(form.len());
    String::from_utf8_lossy(&form[..end]).into_owned()
}

fn skip_2digits(form: &[u8], mut k: usize) -> usize {
    for _ in 0..2 {
        if form.get(k).is_some_and(u8::is_ascii_digit) {
            k += 1;
        } else {
            break;
        }
    }
    k
}

/// `checkformat`: validates flags, a width of at most two digits and (when
/// `precision` is allowed) a precision of at most two digits. `Err` is the
/// "invalid conversion specification" message.
pub fn check_format(form: &[u8], flags: &[u8], precision: bool) -> Result<(), String> {
    let mut k = 1;
    while form.get(k).is_some_and(|c| flags.contains(c)) {
        k += 1;
    }
    if form.get(k) != Some(&b'0') {
        k = skip_2digits(form, k);
        if form.get(k) == Some(&b'.') && precision {
            k = skip_2digits(form, k + 1);
        }
    }
    if !form.get(k).is_some_and(u8::is_ascii_alphabetic) {
        return Err(format!(
            "invalid conversion specification: '{}'",
            form_text(form)
        ));
    }
    Ok(())
}

/// Parses a validated specification (`%` flags width `.` precision conv).
pub fn parse_spec(form: &[u8]) -> Spec {
    let mut s = Spec::default();
    let mut k = 1;
    while let Some(&c) = form.get(k) {
        match c {
            b'-' => s.left = true,
            b'+' => s.plus = true,
            b' ' => s.space = true,
            b'#' => s.alt = true,
            b'0' => s.zero = true,
            _ => break,
        }
        k += 1;
    }
    while let Some(&c) = form.get(k).filter(|c| c.is_ascii_digit()) {
        s.width = s
            .width
            .saturating_mul(10)
            .saturating_add((c - b'0') as usize);
        k += 1;
    }
    if form.get(k) == Some(&b'.') {
        k += 1;
        let mut p: usize = 0;
        while let Some(&c) = form.get(k).filter(|c| c.is_ascii_digit()) {
            p = p.saturating_mul(10).saturating_add((c - b'0') as usize);
            k += 1;
        }
        s.prec = Some(p);
    }
    s
}

/// Emits `sign`, `prefix` and `body` padded to the field width: zeros go
/// between prefix and body when `zero_pad`, spaces otherwise.
fn pad(out: &mut Vec<u8>, spec: &Spec, sign: &[u8], prefix: &[u8], body: &[u8], zero_pad: bool) {
    let len = sign.len() + prefix.len() + body.len();
    let fill = spec.width.saturating_sub(len);
    if spec.left {
        out.extend_from_slice(sign);
        out.extend_from_slice(prefix);
        out.extend_from_slice(body);
        out.extend(std::iter::repeat_n(b' ', fill));
    } else if zero_pad {
        out.extend_from_slice(sign);
        out.extend_from_slice(prefix);
        out.extend(std::iter::repeat_n(b'0', fill));
        out.extend_from_slice(body);
    } else {
        out.extend(std::iter::repeat_n(b' ', fill));
        out.extend_from_slice(sign);
        out.extend_from_slice(prefix);
        out.extend_from_slice(body);
    }
}

fn sign_of(spec: &Spec, negative: bool) -> &'static [u8] {
    if negative {
        b"-"
    } else if spec.plus {
        b"+"
    } else if spec.space {
        b" "
    } else {
        b""
    }
}

/// Integer conversions `d i u o x X` of a Lua integer (`%lld` and friends;
/// `u o x X` see the two's-complement bits as unsigned).
pub fn format_int(out: &mut Vec<u8>, spec: &Spec, conv: u8, n: i64) {
    let (negative, mag) = match conv {
        b'd' | b'i' => (n < 0, n.unsigned_abs()),
        _ => (false, n as u64),
    };
    let mut digits = match conv {
        b'o' => format!("{mag:o}"),
        b'x' => format!("{mag:x}"),
        b'X' => format!("{mag:X}"),
        _ => mag.to_string(),
    }
    .into_bytes();
    if let Some(p) = spec.prec {
        if p == 0 && mag == 0 {
            digits.clear();
        } else if digits.len() < p {
            let mut d = vec![b'0'; p - digits.len()];
            d.extend_from_slice(&digits);
            digits = d;
        }
    }
    let mut prefix: &[u8] = b"";
    if spec.alt {
        match conv {
            // '#' forces the first octal digit to be a zero.
            b'o' if digits.first() != Some(&b'0') => digits.insert(0, b'0'),
            b'x' if mag != 0 => prefix = b"0x",
            b'X' if mag != 0 => prefix = b"0X",
            _ => {}
        }
    }
    let sign = if matches!(conv, b'd' | b'i') {
        sign_of(spec, negative)
    } else {
        b""
    };
    // A precision disables zero padding for integers.
    let zero_pad = spec.zero && spec.prec.is_none();
    pad(out, spec, sign, prefix, &digits, zero_pad);
}

/// `%c`: one byte (the integer converted to `unsigned char`), padded.
pub fn format_char(out: &mut Vec<u8>, spec: &Spec, n: i64) {
    pad(out, spec, b"", b"", &[n as u8], false);
}

/// `%s` with a width and/or precision: the precision truncates.
pub fn format_str(out: &mut Vec<u8>, spec: &Spec, s: &[u8]) {
    let body = match spec.prec {
        Some(p) if p < s.len() => &s[..p],
        _ => s,
    };
    pad(out, spec, b"", b"", body, false);
}

/// Rewrites Rust's exponent (`e5`, `e-7`) into C's (`e+05`, `e-07`).
fn fix_exponent(rust: &str, upper: bool) -> Vec<u8> {
    let (mant, exp) = rust.split_once('e').unwrap_or((rust, "0"));
    let x: i32 = exp.parse().unwrap_or(0);
    let mut v = mant.as_bytes().to_vec();
    v.push(if upper { b'E' } else { b'e' });
    v.push(if x < 0 { b'-' } else { b'+' });
    let ax = x.unsigned_abs();
    if ax < 10 {
        v.push(b'0');
    }
    v.extend_from_slice(ax.to_string().as_bytes());
    v
}

/// Digits of a non-negative finite float for `%e` with `prec` decimals.
fn body_e(f: f64, prec: usize, alt: bool, upper: bool) -> Vec<u8> {
    let s = format!("{:.*e}", prec, f);
    let mut v = fix_exponent(&s, upper);
    if alt && prec == 0 {
        // "2e+00" -> "2.e+00"
        let epos = v
            .iter()
            .position(|&c| c == b'e' || c == b'E')
            .unwrap_or(v.len());
        v.insert(epos, b'.');
    }
    v
}

/// Digits of a non-negative finite float for `%f` with `prec` decimals.
fn body_f(f: f64, prec: usize, alt: bool) -> Vec<u8> {
    let mut v = format!("{:.*}", prec, f).into_bytes();
    if alt && prec == 0 {
        v.push(b'.');
    }
    v
}

/// Digits of a non-negative finite float for `%g`.
fn body_g(f: f64, prec: usize, alt: bool, upper: bool) -> Vec<u8> {
    let p = if prec == 0 { 1 } else { prec };
    // The exponent X as %e would print it with P-1 decimals.
    let x: i32 = if f == 0.0 {
        0
    } else {
        let s = format!("{:.*e}", p - 1, f);
        s.split_once('e')
            .and_then(|(_, e)| e.parse().ok())
            .unwrap_or(0)
    };
    let mut v = if x < -4 || x >= p as i32 {
        body_e(f, p - 1, alt, upper)
    } else {
        body_f(f, (p as i32 - 1 - x) as usize, alt)
    };
    if !alt {
        // Remove trailing zeros of the fraction, and the point if nothing is left.
        let epos = v
            .iter()
            .position(|&c| c == b'e' || c == b'E')
            .unwrap_or(v.len());
        let (mant, exp) = v.split_at(epos);
        if mant.contains(&b'.') {
            let mut m = mant.to_vec();
            while m.last() == Some(&b'0') {
                m.pop();
            }
            if m.last() == Some(&b'.') {
                m.pop();
            }
            m.extend_from_slice(exp);
            v = m;
        }
    }
    v
}

/// glibc's `%a` digits of a non-negative finite double (after `0x`):
/// `1.8p+1`, `0.0000000000001p-1022` for subnormals, rounded to `prec`
/// hex digits (ties to even) when a precision is given.
fn body_a(f: f64, prec: Option<usize>, alt: bool, upper: bool) -> Vec<u8> {
    let bits = f.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1u64 << 52) - 1);
    let (mut lead, exp) = if biased == 0 {
        // Zero prints exponent 0; subnormals keep the minimum exponent.
        (0u64, if frac == 0 { 0 } else { -1022 })
    } else {
        (1u64, biased - 1023)
    };
    // 13 hex digits of fraction.
    let mut digits: Vec<u8> = (0..13)
        .rev()
        .map(|k| ((frac >> (4 * k)) & 0xf) as u8)
        .collect();
    match prec {
        None => {
            while digits.last() == Some(&0) {
                digits.pop();
            }
        }
        Some(p) if p < 13 => {
            // Round the dropped digits to nearest, ties to even.
            let keep = p;
            let dropped_bits = 4 * (13 - keep) as u32;
            let rest = frac & ((1u64 << dropped_bits) - 1);
            let half = 1u64 << (dropped_bits - 1);
            let mut kept = frac >> dropped_bits;
            let odd = if keep == 0 {
                lead & 1 == 1
            } else {
                kept & 1 == 1
            };
            if rest > half || (rest == half && odd) {
                kept += 1;
                if keep == 0 || kept >> (4 * keep) != 0 {
                    // Carry into the leading digit (glibc prints 0x2p+0, 0x2.0p+0).
                    lead += 1;
                    kept &= if keep == 0 {
                        0
                    } else {
                        (1u64 << (4 * keep)) - 1
                    };
                }
            }
            digits = (0..keep)
                .rev()
                .map(|k| ((kept >> (4 * k)) & 0xf) as u8)
                .collect();
        }
        Some(p) => digits.resize(p, 0),
    }
    let hex = |d: u8| -> u8 {
        let c = b"0123456789abcdef"[d as usize & 0xf];
        if upper { c.to_ascii_uppercase() } else { c }
    };
    let mut v = vec![hex(lead as u8)];
    if !digits.is_empty() || alt {
        v.push(b'.');
    }
    v.extend(digits.iter().map(|&d| hex(d)));
    v.push(if upper { b'P' } else { b'p' });
    v.push(if exp < 0 { b'-' } else { b'+' });
    v.extend_from_slice(exp.unsigned_abs().to_string().as_bytes());
    v
}

/// Float conversions `e E f g G a A` with glibc's output.
pub fn format_float(out: &mut Vec<u8>, spec: &Spec, conv: u8, f: f64) {
    let upper = conv.is_ascii_uppercase();
    let negative = f.is_sign_negative();
    let sign = sign_of(spec, negative);
    if !f.is_finite() {
        let body: &[u8] = match (f.is_nan(), upper) {
            (true, false) => b"nan",
            (true, true) => b"NAN",
            (false, false) => b"inf",
            (false, true) => b"INF",
        };
        // glibc pads infinities and NaNs with spaces even with '0'.
        pad(out, spec, sign, b"", body, false);
        return;
    }
    let a = f.abs();
    let prec = spec.prec.unwrap_or(6);
    let (prefix, body): (&[u8], Vec<u8>) = match conv.to_ascii_lowercase() {
        b'e' => (b"", body_e(a, prec, spec.alt, upper)),
        b'f' => (b"", body_f(a, prec, spec.alt)),
        b'g' => (b"", body_g(a, prec, spec.alt, upper)),
        _ => (
            if upper { b"0X" } else { b"0x" },
            body_a(a, spec.prec, spec.alt, upper),
        ),
    };
    pad(out, spec, sign, prefix, &body, spec.zero);
}

/// `%q` of a string (`addquoted`): a Lua string literal that reads back
/// as the same bytes.
pub fn add_quoted(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    for (i, &c) in s.iter().enumerate() {
        if c == b'"' || c == b'\\' || c == b'\n' {
            out.push(b'\\');
            out.push(c);
        } else if c.is_ascii_control() {
            // A following digit forces three digits so it is not absorbed.
            let next_is_digit = s.get(i + 1).is_some_and(u8::is_ascii_digit);
            let text = if next_is_digit {
                format!("\\{c:03}")
            } else {
                format!("\\{c}")
            };
            out.extend_from_slice(text.as_bytes());
        } else {
            out.push(c);
        }
    }
    out.push(b'"');
}

/// `%q` of a float (`quotefloat`): hexadecimal, or the fixed forms for
/// infinities and NaN.
pub fn quote_float(out: &mut Vec<u8>, f: f64) {
    if f == f64::INFINITY {
        out.extend_from_slice(b"1e9999");
    } else if f == f64::NEG_INFINITY {
        out.extend_from_slice(b"-1e9999");
    } else if f.is_nan() {
        out.extend_from_slice(b"(0/0)");
    } else {
        format_float(out, &Spec::default(), b'a', f);
    }
}

/// `%q` of an integer: decimal, except the minimum integer, which has no
/// decimal literal and is written in hex.
pub fn quote_int(out: &mut Vec<u8>, n: i64) {
    if n == i64::MIN {
        out.extend_from_slice(b"0x8000000000000000");
    } else {
        out.extend_from_slice(n.to_string().as_bytes());
    }
}
