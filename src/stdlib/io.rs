//! The `io` library (`liolib.c` of Lua 5.4.4) over buffered streams kept on
//! the Rust side of the isolate.
//!
//! A file handle is a full userdata whose metatable is the registry's
//! `FILE*` metatable (`__name = "FILE*"`, `__index` = the methods,
//! `__tostring`, `__close`, `__gc`) and whose host value is the id of its
//! stream in [`IoState::streams`]. Scripts cannot forge one. Deviation from
//! lua5.4: unreachable files are closed when the isolate is dropped rather
//! than by the collector (the VM has no finalizers yet).
//!
//! All file-system access goes through [`fs::FsAccess`] (cap-std), which
//! confines sandboxed isolates to their granted directories.

pub mod fs;
pub mod stream;

use std::io::SeekFrom;

use crate::vm::layout::*;
use crate::vm::{Args, Throw, Value, Vm};
use stream::{Stream, Target};

/// The Rust side of the `io` library: every stream the isolate opened.
#[derive(Default)]
pub struct IoState {
    /// Streams by id; `None` once closed. Ids 0..3 are stdin, stdout, stderr.
    pub streams: Vec<Option<Stream>>,
    /// Native id of the `lines` iterator.
    pub readline_id: u32,
    /// Maximum number of simultaneously open disk files (0 = no limit).
    pub max_open: usize,
}

/// Registry keys.
const FILE_MT: &str = "FILE*";
const IO_INPUT: &str = "_IO_input";
const IO_OUTPUT: &str = "_IO_output";

/// Most formats `io.lines` accepts (`MAXARGLINE`).
const MAXARGLINE: u32 = 250;
/// Longest numeral `read("n")` accepts (`L_MAXLENNUM`).
const L_MAXLENNUM: usize = 200;

fn registry(vm: &Vm) -> Value {
    Value::object(TAG_TABLE, vm.registry)
}

/// Installs `io` into the globals table. `full` adds `io.tmpfile`.
pub fn open(vm: &mut Vm, full: bool) -> Result<Value, Throw> {
    let t = vm.new_table(0, 16)?;
    vm.set_global("io", t)?;
    vm.set_native(t, "close", io_close)?;
    vm.set_native(t, "flush", io_flush)?;
    vm.set_native(t, "input", io_input)?;
    vm.set_native(t, "lines", io_lines)?;
    vm.set_native(t, "open", io_open)?;
    vm.set_native(t, "output", io_output)?;
    vm.set_native(t, "read", io_read)?;
    vm.set_native(t, "type", io_type)?;
    vm.set_native(t, "write", io_write)?;
    if full {
        vm.set_native(t, "tmpfile", io_tmpfile)?;
    }
    // The FILE* metatable and its methods.
    let mt = vm.new_table(0, 8)?;
    let reg = registry(vm);
    vm.raw_set_str(reg, FILE_MT, mt)?;
    let methods = vm.new_table(0, 8)?;
    vm.raw_set_str(mt, "__index", methods)?;
    let name = vm.new_string(b"FILE*")?;
    vm.raw_set_str(mt, "__name", name)?;
    vm.set_native(mt, "__tostring", f_tostring)?;
    vm.set_native(mt, "__close", f_gc)?;
    vm.set_native(mt, "__gc", f_gc)?;
    vm.set_native(methods, "close", f_close)?;
    vm.set_native(methods, "flush", f_flush)?;
    vm.set_native(methods, "lines", f_lines)?;
    vm.set_native(methods, "read", f_read)?;
    vm.set_native(methods, "seek", f_seek)?;
    vm.set_native(methods, "setvbuf", f_setvbuf)?;
    vm.set_native(methods, "write", f_write)?;
    vm.libs.io.readline_id = vm.register_native("for iterator", io_readline);
    // Standard streams.
    vm.libs.io.streams.clear();
    vm.libs
        .io
        .streams
        .push(Some(Stream::new(Target::Stdin, true, false)));
    vm.libs
        .io
        .streams
        .push(Some(Stream::new(Target::Stdout, false, true)));
    vm.libs
        .io
        .streams
        .push(Some(Stream::new(Target::Stderr, false, true)));
    for (id, field, reg_key) in [
        (0, "stdin", Some(IO_INPUT)),
        (1, "stdout", Some(IO_OUTPUT)),
        (2, "stderr", None),
    ] {
        let f = handle_value(vm, id)?;
        vm.raw_set_str(t, field, f)?;
        if let Some(k) = reg_key {
            vm.raw_set_str(reg, k, f)?;
        }
    }
    Ok(t)
}

/// The `FILE*` metatable.
fn file_mt(vm: &mut Vm) -> Result<Value, Throw> {
    let reg = registry(vm);
    vm.raw_get_str(reg, FILE_MT)
}

/// A new handle value for stream `id`.
fn handle_value(vm: &mut Vm, id: u32) -> Result<Value, Throw> {
    let mt = file_mt(vm)?;
    vm.new_userdata(id as u64, mt)
}

/// Registers a new stream and returns its handle value.
fn new_handle(vm: &mut Vm, s: Stream) -> Result<Value, Throw> {
    let id = vm.libs.io.streams.len() as u32;
    vm.libs.io.streams.push(Some(s));
    handle_value(vm, id)
}

/// The stream id of a handle value (open or closed), if it is one.
fn stream_id(vm: &mut Vm, v: Value) -> Result<Option<u32>, Throw> {
    let Some(id) = vm.userdata_payload(v) else {
        return Ok(None);
    };
    let mt = file_mt(vm)?;
    if !mt.is_table() || vm.metatable_of(v) != Some(mt.offset()) {
        return Ok(None);
    }
    Ok((id < vm.libs.io.streams.len() as u64).then_some(id as u32))
}

fn is_open(vm: &Vm, id: u32) -> bool {
    matches!(vm.libs.io.streams.get(id as usize), Some(Some(s)) if !s.is_closed())
}

/// `tofile`: argument `i` must be an open file handle.
fn tofile(vm: &mut Vm, a: Args, i: u32) -> Result<u32, Throw> {
    let v = vm.arg(a, i);
    match stream_id(vm, v)? {
        None => Err(vm.type_arg_error_at(i, "FILE*", v)),
        Some(id) if !is_open(vm, id) => Err(vm.error_l("attempt to use a closed file")),
        Some(id) => Ok(id),
    }
}

/// Runs `op` on stream `id` with the isolate's output at hand.
fn with_stream<R>(
    vm: &mut Vm,
    id: u32,
    op: impl FnOnce(&mut Stream, &mut dyn std::io::Write) -> std::io::Result<R>,
) -> std::io::Result<R> {
    let out: &mut dyn std::io::Write = &mut *vm.out;
    match vm.libs.io.streams.get_mut(id as usize) {
        Some(Some(s)) => op(s, out),
        _ => Err(std::io::Error::from_raw_os_error(9)),
    }
}

/// `luaL_fileresult` for a failure: `nil, [fname: ]msg, errno`.
pub(crate) fn fail_result(
    vm: &mut Vm,
    e: &std::io::Error,
    fname: Option<&[u8]>,
) -> Result<u32, Throw> {
    let (msg, errno) = fs::describe(e);
    let mut text = Vec::new();
    if let Some(f) = fname {
        text.extend_from_slice(f);
        text.extend_from_slice(b": ");
    }
    text.extend_from_slice(msg.as_bytes());
    let s = vm.new_string(&text)?;
    vm.ret(&[Value::NIL, s, Value::int(errno as i64)])
}

/// `luaL_fileresult`: `true` or the failure triple.
fn file_result(vm: &mut Vm, r: std::io::Result<()>) -> Result<u32, Throw> {
    match r {
        Ok(()) => vm.ret(&[Value::TRUE]),
        Err(e) => fail_result(vm, &e, None),
    }
}

fn open_stream(vm: &mut Vm, name: &[u8], mode: fs::Mode) -> std::io::Result<Stream> {
    let max = vm.libs.io.max_open;
    if max > 0 {
        let open = vm
            .libs
            .io
            .streams
            .iter()
            .filter(|s| matches!(s, Some(s) if !s.is_closed()))
            .count();
        if open >= max + 3 {
            return Err(std::io::Error::from_raw_os_error(24));
        }
    }
    let f = vm.libs.fs.open(name, mode)?;
    Ok(Stream::new(Target::Disk(f), mode.read, mode.write))
}

fn io_open(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let fname = vm.check_string(a, 1)?;
    let name = vm.str_bytes(fname).to_vec();
    let mode_b = match vm.opt_string(a, 2)? {
        Some(m) => vm.str_bytes(m).to_vec(),
        None => b"r".to_vec(),
    };
    let Some(mode) = fs::Mode::parse(&mode_b) else {
        return Err(vm.arg_error_at(2, "invalid mode"));
    };
    match open_stream(vm, &name, mode) {
        Ok(s) => {
            let h = new_handle(vm, s)?;
            vm.ret(&[h])
        }
        Err(e) => fail_result(vm, &e, Some(&name)),
    }
}

/// `opencheckfile`: opens or raises `cannot open file 'NAME' (MSG)`.
fn open_check(vm: &mut Vm, name: &[u8], mode: fs::Mode) -> Result<Value, Throw> {
    match open_stream(vm, name, mode) {
        Ok(s) => new_handle(vm, s),
        Err(e) => {
            let (msg, _) = fs::describe(&e);
            let n = String::from_utf8_lossy(name).into_owned();
            Err(vm.error_l(&format!("cannot open file '{n}' ({msg})")))
        }
    }
}

fn io_tmpfile(vm: &mut Vm, _a: Args) -> Result<u32, Throw> {
    let dir = std::env::temp_dir();
    let mut last = None;
    for i in 0..64u32 {
        let seed = vm.libs.rng.next_u64() ^ i as u64;
        let p = dir.join(format!("slotjit_tmp_{seed:016x}"));
        match std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&p)
        {
            Ok(f) => {
                // Unlinked at once: the file lives until the handle closes.
                let _ = std::fs::remove_file(&p);
                let h = new_handle(vm, Stream::new(Target::Disk(f), true, true))?;
                return vm.ret(&[h]);
            }
            Err(e) => last = Some(e),
        }
    }
    let e = last.unwrap_or_else(|| std::io::Error::from_raw_os_error(17));
    fail_result(vm, &e, None)
}

fn io_type(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let v = vm.check_any(a, 1)?;
    let r: &[u8] = match stream_id(vm, v)? {
        None => return vm.ret(&[Value::NIL]),
        Some(id) if is_open(vm, id) => b"file",
        Some(_) => b"closed file",
    };
    let s = vm.new_string(r)?;
    vm.ret(&[s])
}

fn f_tostring(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let v = vm.arg(a, 1);
    let text = match stream_id(vm, v)? {
        Some(id) if is_open(vm, id) => format!("file (0x{:08x})", v.offset()),
        Some(_) => "file (closed)".to_string(),
        None => return Err(vm.type_arg_error_at(1, "FILE*", v)),
    };
    let s = vm.new_string(text.as_bytes())?;
    vm.ret(&[s])
}

/// `aux_close`: standard streams refuse to close (and stay open).
fn aux_close(vm: &mut Vm, id: u32) -> Result<u32, Throw> {
    let std = matches!(vm.libs.io.streams.get(id as usize), Some(Some(s)) if s.is_std());
    if std {
        let m = vm.new_string(b"cannot close standard file")?;
        return vm.ret(&[Value::NIL, m]);
    }
    let r = with_stream(vm, id, |s, _| s.close());
    if let Some(slot) = vm.libs.io.streams.get_mut(id as usize) {
        *slot = None;
    }
    file_result(vm, r)
}

fn f_close(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let id = tofile(vm, a, 1)?;
    aux_close(vm, id)
}

fn io_close(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    if vm.arg(a, 1).is_nil() {
        let reg = registry(vm);
        let out = vm.raw_get_str(reg, IO_OUTPUT)?;
        let id = match stream_id(vm, out)? {
            Some(id) if is_open(vm, id) => id,
            _ => return Err(vm.error_l("attempt to use a closed file")),
        };
        return aux_close(vm, id);
    }
    f_close(vm, a)
}

fn f_gc(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let v = vm.arg(a, 1);
    if let Some(id) = stream_id(vm, v)?.filter(|&id| is_open(vm, id)) {
        aux_close(vm, id)?;
    }
    Ok(0)
}

/// `getiofile`: the default input or output stream.
fn getiofile(vm: &mut Vm, key: &str) -> Result<(Value, u32), Throw> {
    let reg = registry(vm);
    let f = vm.raw_get_str(reg, key)?;
    match stream_id(vm, f)? {
        Some(id) if is_open(vm, id) => Ok((f, id)),
        _ => {
            let which = if key == IO_INPUT { "input" } else { "output" };
            Err(vm.error_l(&format!("default {which} file is closed")))
        }
    }
}

fn g_iofile(vm: &mut Vm, a: Args, key: &str, mode: &[u8]) -> Result<u32, Throw> {
    let v = vm.arg(a, 1);
    if !v.is_nil() {
        let f = if v.is_string() || v.is_number() {
            let s = vm.check_string(a, 1)?;
            let name = vm.str_bytes(s).to_vec();
            let m = fs::Mode::parse(mode).unwrap_or(fs::Mode {
                read: true,
                write: false,
                append: false,
                create: false,
                truncate: false,
            });
            open_check(vm, &name, m)?
        } else {
            tofile(vm, a, 1)?;
            v
        };
        let reg = registry(vm);
        vm.push(f)?;
        vm.raw_set_str(reg, key, f)?;
    }
    let reg = registry(vm);
    let cur = vm.raw_get_str(reg, key)?;
    vm.ret(&[cur])
}

fn io_input(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    g_iofile(vm, a, IO_INPUT, b"r")
}

fn io_output(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    g_iofile(vm, a, IO_OUTPUT, b"w")
}

fn f_flush(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let id = tofile(vm, a, 1)?;
    let r = with_stream(vm, id, |s, out| s.flush(out));
    file_result(vm, r)
}

fn io_flush(vm: &mut Vm, _a: Args) -> Result<u32, Throw> {
    let (f, id) = getiofile(vm, IO_OUTPUT)?;
    vm.push(f)?;
    let r = with_stream(vm, id, |s, out| s.flush(out));
    file_result(vm, r)
}

fn f_setvbuf(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let id = tofile(vm, a, 1)?;
    let opt = vm.check_string(a, 2)?;
    let o = vm.str_bytes(opt).to_vec();
    let (unbuf, line) = match o.as_slice() {
        b"no" => (true, false),
        b"full" => (false, false),
        b"line" => (false, true),
        _ => {
            let msg = format!("invalid option '{}'", String::from_utf8_lossy(&o));
            return Err(vm.arg_error_at(2, &msg));
        }
    };
    let r = with_stream(vm, id, |s, out| {
        s.unbuffered = unbuf;
        s.line_buffered = line;
        if unbuf { s.flush(out) } else { Ok(()) }
    });
    file_result(vm, r)
}

fn f_seek(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let id = tofile(vm, a, 1)?;
    let whence = match vm.opt_string(a, 2)? {
        Some(s) => vm.str_bytes(s).to_vec(),
        None => b"cur".to_vec(),
    };
    let off = vm.opt_int(a, 3, 0)?;
    let pos = match whence.as_slice() {
        b"set" => {
            if off < 0 {
                return fail_result(vm, &std::io::Error::from_raw_os_error(22), None);
            }
            SeekFrom::Start(off as u64)
        }
        b"cur" => SeekFrom::Current(off),
        b"end" => SeekFrom::End(off),
        _ => {
            let msg = format!("invalid option '{}'", String::from_utf8_lossy(&whence));
            return Err(vm.arg_error_at(2, &msg));
        }
    };
    match with_stream(vm, id, |s, _| s.seek(pos)) {
        Ok(p) => vm.ret(&[Value::int(p as i64)]),
        Err(e) => fail_result(vm, &e, None),
    }
}

// -- writing ---------------------------------------------------------------------------

/// `g_write`: writes arguments `first..` to stream `id`; returns `file` on success.
fn g_write(vm: &mut Vm, a: Args, id: u32, first: u32, file: Value) -> Result<u32, Throw> {
    let mut status: std::io::Result<()> = Ok(());
    for i in first..=a.n {
        let v = vm.arg(a, i);
        let mut buf = Vec::new();
        match v.tag() {
            TAG_INT => crate::vm::number::write_int(&mut buf, v.as_int_unchecked()),
            // LUA_NUMBER_FMT: "%.14g", without the ".0" tostring adds.
            TAG_FLOAT => {
                crate::vm::number::format_g(&mut buf, v.as_float_unchecked(), 14, false, false)
            }
            _ => {
                let s = vm.check_string(a, i)?;
                buf.extend_from_slice(vm.str_bytes(s));
            }
        }
        if status.is_ok() {
            status = with_stream(vm, id, |s, out| s.write(out, &buf));
        }
    }
    match status {
        Ok(()) => vm.ret(&[file]),
        Err(e) => fail_result(vm, &e, None),
    }
}

fn io_write(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let (f, id) = getiofile(vm, IO_OUTPUT)?;
    vm.push(f)?;
    g_write(vm, a, id, 1, f)
}

fn f_write(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let id = tofile(vm, a, 1)?;
    let f = vm.arg(a, 1);
    g_write(vm, a, id, 2, f)
}

// -- reading ---------------------------------------------------------------------------

/// One `read` format.
enum Fmt {
    Count(u64),
    Number,
    Line(bool),
    All,
}

/// Parses format value `v` (argument number `argi` for messages).
fn parse_fmt(vm: &mut Vm, v: Value, argi: u32) -> Result<Fmt, Throw> {
    if v.is_number() {
        return match vm.to_integer_strict(v) {
            Some(n) => Ok(Fmt::Count(n as u64)),
            None => Err(vm.arg_error_at(argi, "number has no integer representation")),
        };
    }
    if !v.is_string() {
        return Err(vm.type_arg_error_at(argi, "string", v));
    }
    let p = vm.str_bytes(v);
    let p = if p.first() == Some(&b'*') { &p[1..] } else { p };
    match p.first() {
        Some(b'n') => Ok(Fmt::Number),
        Some(b'l') => Ok(Fmt::Line(false)),
        Some(b'L') => Ok(Fmt::Line(true)),
        Some(b'a') => Ok(Fmt::All),
        _ => Err(vm.arg_error_at(argi, "invalid format")),
    }
}

/// `read_number`: reads the longest prefix that can be a numeral, then
/// converts it (lua5.4's `l_getn` algorithm).
fn read_number(s: &mut Stream) -> std::io::Result<Option<Value>> {
    struct Rn<'a> {
        s: &'a mut Stream,
        buf: Vec<u8>,
        c: Option<u8>,
        overflow: bool,
    }
    impl Rn<'_> {
        fn nextc(&mut self) -> std::io::Result<bool> {
            if self.buf.len() >= L_MAXLENNUM {
                self.overflow = true;
                return Ok(false);
            }
            if let Some(c) = self.c {
                self.buf.push(c);
            }
            self.s.getc()?;
            self.c = self.s.peek()?;
            Ok(true)
        }
        fn test2(&mut self, set: &[u8; 2]) -> std::io::Result<bool> {
            match self.c {
                Some(c) if c == set[0] || c == set[1] => self.nextc(),
                _ => Ok(false),
            }
        }
        fn digits(&mut self, hex: bool) -> std::io::Result<usize> {
            let mut n = 0;
            while let Some(c) = self.c {
                let ok = if hex {
                    c.is_ascii_hexdigit()
                } else {
                    c.is_ascii_digit()
                };
                if !ok || !self.nextc()? {
                    break;
                }
                n += 1;
            }
            Ok(n)
        }
    }
    // Skip whitespace (C isspace).
    while let Some(c) = s.peek()? {
        if matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
            s.getc()?;
        } else {
            break;
        }
    }
    let c = s.peek()?;
    let mut rn = Rn {
        s,
        buf: Vec::new(),
        c,
        overflow: false,
    };
    let mut count = 0;
    let mut hex = false;
    rn.test2(b"-+")?;
    if rn.test2(b"00")? {
        if rn.test2(b"xX")? {
            hex = true;
        } else {
            count = 1;
        }
    }
    count += rn.digits(hex)?;
    if rn.test2(b"..")? {
        count += rn.digits(hex)?;
    }
    if count > 0 && rn.test2(if hex { b"pP" } else { b"eE" })? {
        rn.test2(b"-+")?;
        rn.digits(false)?;
    }
    if rn.overflow {
        return Ok(None);
    }
    Ok(crate::lua::str2number(&rn.buf).map(|n| match n {
        crate::lua::LuaNumber::Int(i) => Value::int(i),
        crate::lua::LuaNumber::Float(f) => Value::float(f),
    }))
}

/// One read result: a value, or failure (pushed as nil, ends the reads).
enum Got {
    Bytes(Vec<u8>),
    Val(Value),
    Fail,
}

/// `g_read`: reads with `fmts` from stream `id`, pushing the results.
/// `first` is the argument number of the first format (for messages).
fn g_read(vm: &mut Vm, id: u32, fmts: &[Value], first: u32) -> Result<u32, Throw> {
    let mut parsed = Vec::with_capacity(fmts.len().max(1));
    if fmts.is_empty() {
        parsed.push(Fmt::Line(false));
    }
    for (k, v) in fmts.iter().enumerate() {
        parsed.push(parse_fmt(vm, *v, first + k as u32)?);
    }
    let mut n = 0;
    for f in parsed {
        let r = with_stream(vm, id, |s, _| -> std::io::Result<Got> {
            Ok(match f {
                Fmt::Count(0) => {
                    if s.peek()?.is_some() {
                        Got::Bytes(Vec::new())
                    } else {
                        Got::Fail
                    }
                }
                Fmt::Count(k) => {
                    let b = s.read_n(k)?;
                    if b.is_empty() {
                        Got::Fail
                    } else {
                        Got::Bytes(b)
                    }
                }
                Fmt::Number => match read_number(s)? {
                    Some(v) => Got::Val(v),
                    None => Got::Fail,
                },
                Fmt::Line(keep) => match s.read_line(keep)? {
                    Some(b) => Got::Bytes(b),
                    None => Got::Fail,
                },
                Fmt::All => Got::Bytes(s.read_all()?),
            })
        });
        match r {
            Err(e) => return fail_result(vm, &e, None),
            Ok(Got::Fail) => {
                vm.push(Value::NIL)?;
                return Ok(n + 1);
            }
            Ok(Got::Val(v)) => vm.push(v)?,
            Ok(Got::Bytes(b)) => {
                let s = vm.new_string(&b)?;
                vm.push(s)?;
            }
        }
        n += 1;
    }
    Ok(n)
}

fn args_from(vm: &Vm, a: Args, first: u32) -> Vec<Value> {
    (first..=a.n).map(|i| vm.arg(a, i)).collect()
}

fn io_read(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let (f, id) = getiofile(vm, IO_INPUT)?;
    vm.push(f)?;
    let fmts = args_from(vm, a, 1);
    let n = g_read(vm, id, &fmts, 1)?;
    // Drop the pushed handle from under the results.
    let top = vm.top;
    for i in 0..n {
        let v = vm.stk(top - n + i);
        vm.set_stk(top - n - 1 + i, v);
    }
    vm.top -= 1;
    Ok(n)
}

fn f_read(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let id = tofile(vm, a, 1)?;
    let fmts = args_from(vm, a, 2);
    g_read(vm, id, &fmts, 2)
}

/// `aux_lines`: the iterator closure over `file` with the formats from
/// argument 2 on.
fn aux_lines(vm: &mut Vm, a: Args, file: Value, toclose: bool) -> Result<Value, Throw> {
    let n = a.n.saturating_sub(1);
    if n > MAXARGLINE {
        return Err(vm.arg_error_at(MAXARGLINE + 2, "too many arguments"));
    }
    let mut up = vec![file, Value::int(n as i64), Value::bool(toclose)];
    up.extend(args_from(vm, a, 2));
    let id = vm.libs.io.readline_id;
    vm.new_native_closure(id, &up)
}

fn f_lines(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    tofile(vm, a, 1)?;
    let f = vm.arg(a, 1);
    let it = aux_lines(vm, a, f, false)?;
    vm.ret(&[it])
}

fn io_lines(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let v = vm.arg(a, 1);
    if v.is_nil() {
        let reg = registry(vm);
        let f = vm.raw_get_str(reg, IO_INPUT)?;
        match stream_id(vm, f)? {
            Some(id) if is_open(vm, id) => {}
            Some(_) => return Err(vm.error_l("attempt to use a closed file")),
            None => return Err(vm.type_arg_error_at(1, "FILE*", f)),
        }
        vm.push(f)?;
        let it = aux_lines(vm, a, f, false)?;
        return vm.ret(&[it]);
    }
    let s = vm.check_string(a, 1)?;
    let name = vm.str_bytes(s).to_vec();
    let mode = fs::Mode {
        read: true,
        write: false,
        append: false,
        create: false,
        truncate: false,
    };
    let f = open_check(vm, &name, mode)?;
    vm.push(f)?;
    let it = aux_lines(vm, a, f, true)?;
    vm.ret(&[it, Value::NIL, Value::NIL, f])
}

fn io_readline(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let file = vm.native_upvalue(a, 0);
    let n = vm.native_upvalue(a, 1).as_int().unwrap_or(0).max(0) as u32;
    let toclose = !vm.native_upvalue(a, 2).is_falsy();
    let id = match stream_id(vm, file)? {
        Some(id) if is_open(vm, id) => id,
        _ => return Err(vm.error_l("file is already closed")),
    };
    let fmts: Vec<Value> = (0..n).map(|i| vm.native_upvalue(a, 3 + i)).collect();
    let base = vm.top;
    let got = g_read(vm, id, &fmts, 2)?;
    let first = vm.stk(base);
    if !first.is_falsy() {
        return Ok(got);
    }
    // EOF or error.
    if got > 1 {
        let msg = vm.stk(base + 1);
        let text = String::from_utf8_lossy(vm.str_bytes(msg)).into_owned();
        return Err(vm.error_l(&text));
    }
    if toclose {
        vm.top = base;
        aux_close(vm, id)?;
    }
    vm.top = base;
    Ok(0)
}
