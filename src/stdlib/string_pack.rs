//! `string.pack`, `string.unpack` and `string.packsize`: a port of the
//! PACK/UNPACK section of `lstrlib.c` (x86-64 sizes and alignments: `h` 2,
//! `i`/`f` 4, `l`/`j`/`T`/`d`/`n` 8, `!` default 8), with `lua5.4`'s
//! messages.
//!
//! The format is read as a C string (it ends at the first zero byte), as
//! `luaL_checkstring` hands it to the C code.

use crate::vm::{Args, Throw, Value, Vm};

/// Maximum size of a packed integer (`MAXINTSIZE`).
const MAXINTSIZE: usize = 16;
/// Size of a Lua integer (`SZINT`).
const SZINT: usize = 8;
/// `MAXSIZE` of lstrlib.c 5.4.4 on 64-bit targets (`INT_MAX`): bounds
/// numerals in formats and `packsize` results.
const MAXSIZE: u64 = i32::MAX as u64;
/// Native maximum alignment (`offsetof(struct cD, u)`).
const NATIVE_MAXALIGN: u64 = 8;

/// Kinds of format options (`KOption`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum K {
    Int,
    Uint,
    Float,
    Number,
    Double,
    Char,
    String,
    Zstr,
    Padding,
    PaddAlign,
    Nop,
}

/// An error while reading the format: an argument error or a plain error.
enum FmtError {
    Arg(u32, String),
    Plain(String),
}

/// Format reader state (`Header` plus the format cursor).
struct Header<'a> {
    fmt: &'a [u8],
    pos: usize,
    little: bool,
    maxalign: u64,
}

impl<'a> Header<'a> {
    fn new(fmt: &'a [u8]) -> Header<'a> {
        // The C code sees a zero-terminated string.
        let end = fmt.iter().position(|&c| c == 0).unwrap_or(fmt.len());
        Header {
            fmt: &fmt[..end],
            pos: 0,
            little: cfg!(target_endian = "little"),
            maxalign: 1,
        }
    }

    fn done(&self) -> bool {
        self.pos >= self.fmt.len()
    }

    fn peek(&self) -> u8 {
        self.fmt.get(self.pos).copied().unwrap_or(0)
    }

    /// `getnum`: a decimal numeral, or `df` when there is none.
    fn getnum(&mut self, df: u64) -> u64 {
        if !self.peek().is_ascii_digit() {
            return df;
        }
        let mut a: u64 = 0;
        loop {
            a = a * 10 + (self.peek() - b'0') as u64;
            self.pos += 1;
            if !(self.peek().is_ascii_digit() && a <= (MAXSIZE - 9) / 10) {
                return a;
            }
        }
    }

    /// `getnumlimit`: an integer size in `[1, 16]`.
    fn getnumlimit(&mut self, df: u64) -> Result<u64, FmtError> {
        let sz = self.getnum(df);
        if sz.wrapping_sub(1) >= MAXINTSIZE as u64 {
            // C passes the size_t to a '%d': only the low 32 bits show.
            return Err(FmtError::Plain(format!(
                "integral size ({}) out of limits [1,{MAXINTSIZE}]",
                sz as u32 as i32
            )));
        }
        Ok(sz)
    }

    /// `getoption`: the next option and its size.
    fn getoption(&mut self) -> Result<(K, u64), FmtError> {
        let opt = self.peek();
        self.pos += 1;
        Ok(match opt {
            b'b' => (K::Int, 1),
            b'B' => (K::Uint, 1),
            b'h' => (K::Int, 2),
            b'H' => (K::Uint, 2),
            b'l' | b'j' => (K::Int, 8),
            b'L' | b'J' | b'T' => (K::Uint, 8),
            b'f' => (K::Float, 4),
            b'n' => (K::Number, 8),
            b'd' => (K::Double, 8),
            b'i' => (K::Int, self.getnumlimit(4)?),
            b'I' => (K::Uint, self.getnumlimit(4)?),
            b's' => (K::String, self.getnumlimit(8)?),
            b'c' => {
                let sz = self.getnum(u64::MAX);
                if sz == u64::MAX {
                    return Err(FmtError::Plain("missing size for format option 'c'".into()));
                }
                (K::Char, sz)
            }
            b'z' => (K::Zstr, 0),
            b'x' => (K::Padding, 1),
            b'X' => (K::PaddAlign, 0),
            b' ' => (K::Nop, 0),
            b'<' => {
                self.little = true;
                (K::Nop, 0)
            }
            b'>' => {
                self.little = false;
                (K::Nop, 0)
            }
            b'=' => {
                self.little = cfg!(target_endian = "little");
                (K::Nop, 0)
            }
            b'!' => {
                self.maxalign = self.getnumlimit(NATIVE_MAXALIGN)?;
                (K::Nop, 0)
            }
            c => {
                return Err(FmtError::Plain(format!(
                    "invalid format option '{}'",
                    c as char
                )));
            }
        })
    }

    /// `getdetails`: option, size and padding needed to align it at `total`.
    fn getdetails(&mut self, total: u64) -> Result<(K, u64, u64), FmtError> {
        let (opt, size) = self.getoption()?;
        let mut align = size;
        if opt == K::PaddAlign {
            let bad = if self.done() {
                true
            } else {
                let (next, nsize) = self.getoption()?;
                align = nsize;
                next == K::Char || align == 0
            };
            if bad {
                return Err(FmtError::Arg(
                    1,
                    "invalid next option for option 'X'".into(),
                ));
            }
        }
        let ntoalign = if align <= 1 || opt == K::Char {
            0
        } else {
            if align > self.maxalign {
                align = self.maxalign;
            }
            if !align.is_power_of_two() {
                return Err(FmtError::Arg(
                    1,
                    "format asks for alignment not power of 2".into(),
                ));
            }
            (align - (total & (align - 1))) & (align - 1)
        };
        Ok((opt, size, ntoalign))
    }
}

fn raise(vm: &mut Vm, e: FmtError) -> Throw {
    match e {
        FmtError::Arg(i, m) => vm.arg_error_at(i, &m),
        FmtError::Plain(m) => vm.error_l(&m),
    }
}

/// `packint`: `size` bytes of `n`, sign-extended past 8 bytes when `neg`.
fn packint(out: &mut Vec<u8>, n: u64, little: bool, size: usize, neg: bool) {
    let mut bytes = vec![0u8; size];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = if i < SZINT {
            (n >> (8 * i)) as u8
        } else if neg {
            0xff
        } else {
            0
        };
    }
    if !little {
        bytes.reverse();
    }
    out.extend_from_slice(&bytes);
}

fn put_bytes(out: &mut Vec<u8>, native_le: &[u8], little: bool) {
    if little {
        out.extend_from_slice(native_le);
    } else {
        out.extend(native_le.iter().rev());
    }
}

/// Fails with "not enough memory" when a result would exceed the isolate's
/// memory limit (instead of letting Rust abort on a huge allocation).
pub(crate) fn check_room(vm: &mut Vm, len: u64) -> Result<(), Throw> {
    if len > vm.heap.limit_bytes() {
        Err(vm.out_of_memory())
    } else {
        Ok(())
    }
}

/// `string.pack(fmt, v1, v2, ...)`.
pub fn pack(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let fv = vm.check_string(a, 1)?;
    let fmt = vm.str_bytes(fv).to_vec();
    // lstrlib.c pushes a nil mark above the arguments, so the first missing
    // argument reads as a present nil ("got nil", not "got no value").
    vm.push(Value::NIL)?;
    let mut h = Header::new(&fmt);
    let mut out: Vec<u8> = Vec::new();
    let mut arg: u32 = 1;
    let mut total: u64 = 0;
    while !h.done() {
        let (opt, size, ntoalign) = h.getdetails(total).map_err(|e| raise(vm, e))?;
        // (lua5.4.4 has no size check here; the memory limit bounds the result.)
        total = total.saturating_add(ntoalign + size);
        check_room(vm, total)?;
        out.extend(std::iter::repeat_n(0u8, ntoalign as usize));
        arg += 1;
        match opt {
            K::Int => {
                let n = vm.check_int(a, arg)?;
                if (size as usize) < SZINT {
                    let lim = 1i64 << (size * 8 - 1);
                    if !(-lim <= n && n < lim) {
                        return Err(vm.arg_error_at(arg, "integer overflow"));
                    }
                }
                packint(&mut out, n as u64, h.little, size as usize, n < 0);
            }
            K::Uint => {
                let n = vm.check_int(a, arg)?;
                if (size as usize) < SZINT && (n as u64) >= 1u64 << (size * 8) {
                    return Err(vm.arg_error_at(arg, "unsigned overflow"));
                }
                packint(&mut out, n as u64, h.little, size as usize, false);
            }
            K::Float => {
                let f = number_arg(vm, a, arg)? as f32;
                put_bytes(&mut out, &f.to_le_bytes(), h.little);
            }
            K::Number | K::Double => {
                let f = number_arg(vm, a, arg)?;
                put_bytes(&mut out, &f.to_le_bytes(), h.little);
            }
            K::Char => {
                let sv = vm.check_string(a, arg)?;
                let len = vm.str_bytes(sv).len() as u64;
                if len > size {
                    return Err(vm.arg_error_at(arg, "string longer than given size"));
                }
                check_room(vm, out.len() as u64 + size)?;
                out.extend_from_slice(vm.str_bytes(sv));
                out.extend(std::iter::repeat_n(0u8, (size - len) as usize));
            }
            K::String => {
                let sv = vm.check_string(a, arg)?;
                let len = vm.str_bytes(sv).len() as u64;
                if !(size >= 8 || len < 1u64 << (size * 8)) {
                    return Err(vm.arg_error_at(arg, "string length does not fit in given size"));
                }
                packint(&mut out, len, h.little, size as usize, false);
                out.extend_from_slice(vm.str_bytes(sv));
                total = total.saturating_add(len);
            }
            K::Zstr => {
                let sv = vm.check_string(a, arg)?;
                if vm.str_bytes(sv).contains(&0) {
                    return Err(vm.arg_error_at(arg, "string contains zeros"));
                }
                out.extend_from_slice(vm.str_bytes(sv));
                out.push(0);
                total = total.saturating_add(vm.str_bytes(sv).len() as u64 + 1);
            }
            K::Padding => {
                out.push(0);
                arg -= 1;
            }
            K::PaddAlign | K::Nop => arg -= 1,
        }
        check_room(vm, out.len() as u64)?;
    }
    let s = vm.new_string(&out)?;
    vm.ret(&[s])
}

fn number_arg(vm: &mut Vm, a: Args, i: u32) -> Result<f64, Throw> {
    let v = vm.check_number(a, i)?;
    Ok(v.as_f64().unwrap_or(0.0))
}

/// `string.packsize(fmt)`.
pub fn packsize(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let fv = vm.check_string(a, 1)?;
    let fmt = vm.str_bytes(fv).to_vec();
    let mut h = Header::new(&fmt);
    let mut total: u64 = 0;
    while !h.done() {
        let (opt, size, ntoalign) = h.getdetails(total).map_err(|e| raise(vm, e))?;
        if opt == K::String || opt == K::Zstr {
            return Err(vm.arg_error_at(1, "variable-length format"));
        }
        let size = size.saturating_add(ntoalign);
        if size > MAXSIZE || total > MAXSIZE - size {
            return Err(vm.arg_error_at(1, "format result too large"));
        }
        total += size;
    }
    vm.ret(&[Value::int(total as i64)])
}

/// `unpackint`: reads a `size`-byte integer, checking that bytes beyond the
/// eighth are only sign extension.
fn unpackint(bytes: &[u8], little: bool, issigned: bool) -> Result<i64, String> {
    let size = bytes.len();
    let byte = |i: usize| {
        if little {
            bytes[i]
        } else {
            bytes[size - 1 - i]
        }
    };
    let limit = size.min(SZINT);
    let mut res: u64 = 0;
    for i in (0..limit).rev() {
        res = (res << 8) | byte(i) as u64;
    }
    if size < SZINT {
        if issigned {
            let mask = 1u64 << (size * 8 - 1);
            res = (res ^ mask).wrapping_sub(mask);
        }
    } else if size > SZINT {
        let mask = if !issigned || (res as i64) >= 0 {
            0
        } else {
            0xff
        };
        for i in limit..size {
            if byte(i) != mask {
                return Err(format!("{size}-byte integer does not fit into Lua Integer"));
            }
        }
    }
    Ok(res as i64)
}

/// `string.unpack(fmt, s [, pos])`.
pub fn unpack(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let fv = vm.check_string(a, 1)?;
    let dv = vm.check_string(a, 2)?;
    let ld = vm.str_bytes(dv).len() as u64;
    let init = vm.opt_int(a, 3, 1)?;
    let pos = super::posrelat_start(init, ld as usize) as u64 - 1;
    if pos > ld {
        return Err(vm.arg_error_at(3, "initial position out of string"));
    }
    let fmt = vm.str_bytes(fv).to_vec();
    let mut h = Header::new(&fmt);
    let mut pos = pos;
    let mut n: u32 = 0;
    while !h.done() {
        let (opt, size, ntoalign) = h.getdetails(pos).map_err(|e| raise(vm, e))?;
        if ntoalign.saturating_add(size) > ld - pos {
            return Err(vm.arg_error_at(2, "data string too short"));
        }
        pos += ntoalign;
        // stack space for the item and the final position
        super::check_stack(vm, 2, "too many results")?;
        let p = pos as usize;
        let sz = size as usize;
        n += 1;
        match opt {
            K::Int | K::Uint => {
                let r = unpackint(&vm.str_bytes(dv)[p..p + sz], h.little, opt == K::Int);
                match r {
                    Ok(v) => vm.push(Value::int(v))?,
                    Err(m) => return Err(vm.error_l(&m)),
                }
            }
            K::Float => {
                let mut b = [0u8; 4];
                b.copy_from_slice(&vm.str_bytes(dv)[p..p + 4]);
                let f = if h.little {
                    f32::from_le_bytes(b)
                } else {
                    f32::from_be_bytes(b)
                };
                vm.push(Value::float(f as f64))?;
            }
            K::Number | K::Double => {
                let mut b = [0u8; 8];
                b.copy_from_slice(&vm.str_bytes(dv)[p..p + 8]);
                let f = if h.little {
                    f64::from_le_bytes(b)
                } else {
                    f64::from_be_bytes(b)
                };
                vm.push(Value::float(f))?;
            }
            K::Char => {
                let bytes = vm.str_bytes(dv)[p..p + sz].to_vec();
                let s = vm.new_string(&bytes)?;
                vm.push(s)?;
            }
            K::String => {
                let r = unpackint(&vm.str_bytes(dv)[p..p + sz], h.little, false);
                let len = match r {
                    Ok(v) => v as u64,
                    Err(m) => return Err(vm.error_l(&m)),
                };
                if len > ld - pos - size {
                    return Err(vm.arg_error_at(2, "data string too short"));
                }
                let start = p + sz;
                let bytes = vm.str_bytes(dv)[start..start + len as usize].to_vec();
                let s = vm.new_string(&bytes)?;
                vm.push(s)?;
                pos += len;
            }
            K::Zstr => {
                let data = vm.str_bytes(dv);
                let len = data[p..]
                    .iter()
                    .position(|&c| c == 0)
                    .unwrap_or(data.len() - p);
                if pos + len as u64 >= ld {
                    return Err(vm.arg_error_at(2, "unfinished string for format 'z'"));
                }
                let bytes = data[p..p + len].to_vec();
                let s = vm.new_string(&bytes)?;
                vm.push(s)?;
                pos += len as u64 + 1;
            }
            K::PaddAlign | K::Padding | K::Nop => n -= 1,
        }
        pos += size;
    }
    vm.push(Value::int(pos as i64 + 1))?;
    Ok(n + 1)
}
