//! The `package` library and `require` (`loadlib.c` of Lua 5.4.4), plus
//! `loadfile`/`dofile` (from `lbaselib.c`/`lauxlib.c`), which share the
//! file loader.
//!
//! `package.loaded` is the registry's `_LOADED` table (the VM names
//! functions in tracebacks from it); `package.preload` is `_PRELOAD`.
//! `package.searchers` is a plain Lua table: the preload and Lua-file
//! searchers, and in the `full` profile two stand-ins for lua5.4's C
//! searchers that walk `package.cpath` so that "module not found" messages
//! match lua5.4's byte for byte (slotjit never loads native code: a found C
//! library fails as in a lua5.4 built without dynamic-library support).
//! Embedders may append searchers (e.g. for package slots).
//!
//! Files are read through the isolate's [`super::io::fs::FsAccess`], so in
//! the sandbox `require` only finds modules in granted directories.

use crate::vm::layout::*;
use crate::vm::meta::Origin;
use crate::vm::table as rt;
use crate::vm::{Args, Throw, Value, Vm};

/// lua5.4's (Debian build) default `package.path`.
pub const DEFAULT_PATH: &str = "/usr/local/share/lua/5.4/?.lua;/usr/local/share/lua/5.4/?/init.lua;\
/usr/local/lib/lua/5.4/?.lua;/usr/local/lib/lua/5.4/?/init.lua;/usr/share/lua/5.4/?.lua;\
/usr/share/lua/5.4/?/init.lua;./?.lua;./?/init.lua";
/// lua5.4's (Debian build) default `package.cpath`.
pub const DEFAULT_CPATH: &str = "/usr/local/lib/lua/5.4/?.so;/usr/lib/x86_64-linux-gnu/lua/5.4/?.so;\
/usr/lib/lua/5.4/?.so;/usr/local/lib/lua/5.4/loadall.so;./?.so";
/// Default `package.path` in the sandbox (resolved in the granted directories).
pub const SANDBOX_PATH: &str = "./?.lua;./?/init.lua";
/// `package.config`.
pub const CONFIG: &str = "/\n;\n?\n!\n-\n";

/// Message of lua5.4 builds without dynamic-library support.
const DLMSG: &str = "dynamic libraries not enabled; check your Lua installation";

fn registry(vm: &Vm) -> Value {
    Value::object(TAG_TABLE, vm.registry)
}

/// The registry's `_LOADED` table, created on first use.
pub fn loaded_table(vm: &mut Vm) -> Result<Value, Throw> {
    registry_table(vm, "_LOADED")
}

fn registry_table(vm: &mut Vm, key: &str) -> Result<Value, Throw> {
    let reg = registry(vm);
    let t = vm.raw_get_str(reg, key)?;
    if t.is_table() {
        return Ok(t);
    }
    let t = vm.new_table(0, 16)?;
    vm.raw_set_str(reg, key, t)?;
    Ok(t)
}

/// Installs `package` and `require`; `full` adds the C-searcher stand-ins,
/// `cpath`, `loadlib`, `loadfile` and `dofile`, and honours `LUA_PATH`.
pub fn open(vm: &mut Vm, full: bool) -> Result<Value, Throw> {
    let pkg = vm.new_table(0, 8)?;
    vm.set_global("package", pkg)?;
    let loaded = loaded_table(vm)?;
    vm.raw_set_str(pkg, "loaded", loaded)?;
    let preload = registry_table(vm, "_PRELOAD")?;
    vm.raw_set_str(pkg, "preload", preload)?;
    let config = vm.new_string(CONFIG.as_bytes())?;
    vm.raw_set_str(pkg, "config", config)?;
    let path = if full {
        env_path("LUA_PATH", DEFAULT_PATH)
    } else {
        SANDBOX_PATH.to_string()
    };
    let pv = vm.new_string(path.as_bytes())?;
    vm.raw_set_str(pkg, "path", pv)?;
    vm.set_native(pkg, "searchpath", searchpath_fn)?;
    let searchers = vm.new_table(4, 0)?;
    vm.raw_set_str(pkg, "searchers", searchers)?;
    let mut list: Vec<(&'static str, crate::vm::NativeFn)> = vec![
        ("searcher_preload", searcher_preload),
        ("searcher_Lua", searcher_lua),
    ];
    if full {
        list.push(("searcher_C", searcher_c));
        list.push(("searcher_Croot", searcher_croot));
        let cp = env_path("LUA_CPATH", DEFAULT_CPATH);
        let cpv = vm.new_string(cp.as_bytes())?;
        vm.raw_set_str(pkg, "cpath", cpv)?;
        vm.set_native(pkg, "loadlib", loadlib)?;
        let g = vm.globals_value();
        vm.set_native(g, "loadfile", loadfile)?;
        vm.set_native(g, "dofile", dofile)?;
    }
    for (i, (name, f)) in list.into_iter().enumerate() {
        let id = vm.register_native(name, f);
        let c = vm.new_native_closure(id, &[pkg])?;
        vm.raw_set(searchers, Value::int(i as i64 + 1), c)?;
    }
    let id = vm.register_native("require", require);
    let req = vm.new_native_closure(id, &[pkg])?;
    vm.set_global("require", req)?;
    Ok(pkg)
}

/// `setpath`: the path from `NAME_5_4` or `NAME`, with `;;` replaced by
/// the default.
fn env_path(envname: &str, dft: &str) -> String {
    let v = std::env::var(format!("{envname}_5_4")).or_else(|_| std::env::var(envname));
    let Ok(path) = v else {
        return dft.to_string();
    };
    match path.find(";;") {
        None => path,
        Some(i) => {
            let mut s = String::new();
            if i > 0 {
                s.push_str(&path[..i]);
                s.push(';');
            }
            s.push_str(dft);
            if i + 2 < path.len() {
                s.push(';');
                s.push_str(&path[i + 2..]);
            }
            s
        }
    }
}

/// `luaL_gsub` over bytes.
fn gsub(s: &[u8], pat: &[u8], rep: &[u8]) -> Vec<u8> {
    if pat.is_empty() {
        return s.to_vec();
    }
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i..].starts_with(pat) {
            out.extend_from_slice(rep);
            i += pat.len();
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    out
}

/// `searchpath`: the first readable file of `path` for `name`, or the
/// "no file ..." message listing every candidate.
fn searchpath(
    vm: &Vm,
    name: &[u8],
    path: &[u8],
    sep: &[u8],
    dirsep: &[u8],
) -> Result<Vec<u8>, Vec<u8>> {
    let name = if !sep.is_empty() && name.contains(&sep[0]) {
        gsub(name, sep, dirsep)
    } else {
        name.to_vec()
    };
    let full = gsub(path, b"?", &name);
    for candidate in full.split(|&c| c == b';').filter(|p| !p.is_empty()) {
        if vm.libs.fs.readable(candidate) {
            return Ok(candidate.to_vec());
        }
    }
    let mut msg = b"no file '".to_vec();
    msg.extend_from_slice(&gsub(&full, b";", b"'\n\tno file '"));
    msg.push(b'\'');
    Err(msg)
}

fn searchpath_fn(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    // lua5.4 (built by gcc) evaluates these checks right to left.
    let rep = match vm.opt_string(a, 4)? {
        Some(s) => vm.str_bytes(s).to_vec(),
        None => b"/".to_vec(),
    };
    let sep = match vm.opt_string(a, 3)? {
        Some(s) => vm.str_bytes(s).to_vec(),
        None => b".".to_vec(),
    };
    let path = vm.check_string(a, 2)?;
    let name = vm.check_string(a, 1)?;
    let (n, p) = (vm.str_bytes(name).to_vec(), vm.str_bytes(path).to_vec());
    match searchpath(vm, &n, &p, &sep, &rep) {
        Ok(f) => {
            let s = vm.new_string(&f)?;
            vm.ret(&[s])
        }
        Err(m) => {
            let s = vm.new_string(&m)?;
            vm.ret(&[Value::NIL, s])
        }
    }
}

/// `findfile`: searches `package[pname]` (which must be a string).
fn findfile(
    vm: &mut Vm,
    a: Args,
    name: &[u8],
    pname: &str,
    dirsep: &[u8],
) -> Result<Result<Vec<u8>, Vec<u8>>, Throw> {
    let pkg = vm.native_upvalue(a, 0);
    let key = vm.new_string(pname.as_bytes())?;
    let path = vm.index(pkg, key, Origin::None)?;
    let mut p = Vec::new();
    if !vm.append_str_or_number(&mut p, path) {
        return Err(vm.error_l(&format!("'package.{pname}' must be a string")));
    }
    Ok(searchpath(vm, name, &p, b".", dirsep))
}

fn searcher_preload(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let name = vm.check_string(a, 1)?;
    let preload = registry_table(vm, "_PRELOAD")?;
    let v = vm.index(preload, name, Origin::None)?;
    if v.is_nil() {
        let msg = format!(
            "no field package.preload['{}']",
            String::from_utf8_lossy(vm.str_bytes(name))
        );
        let s = vm.new_string(msg.as_bytes())?;
        return vm.ret(&[s]);
    }
    vm.push(v)?;
    let tag = vm.new_string(b":preload:")?;
    vm.push(tag)?;
    Ok(2)
}

/// `checkload` failure: `error loading module 'M' from file 'F':\n\tMSG`.
fn load_error(vm: &mut Vm, name: &[u8], filename: &[u8], msg: &[u8]) -> Throw {
    let text = format!(
        "error loading module '{}' from file '{}':\n\t{}",
        String::from_utf8_lossy(name),
        String::from_utf8_lossy(filename),
        String::from_utf8_lossy(msg)
    );
    vm.error_l(&text)
}

fn searcher_lua(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let namev = vm.check_string(a, 1)?;
    let name = vm.str_bytes(namev).to_vec();
    match findfile(vm, a, &name, "path", b"/")? {
        Err(msg) => {
            let s = vm.new_string(&msg)?;
            vm.ret(&[s])
        }
        Ok(filename) => match load_file(vm, Some(&filename), None)? {
            Ok(f) => {
                vm.push(f)?;
                let s = vm.new_string(&filename)?;
                vm.push(s)?;
                Ok(2)
            }
            Err(msg) => Err(load_error(vm, &name, &filename, &msg)),
        },
    }
}

fn searcher_c(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let namev = vm.check_string(a, 1)?;
    let name = vm.str_bytes(namev).to_vec();
    match findfile(vm, a, &name, "cpath", b"/")? {
        Err(msg) => {
            let s = vm.new_string(&msg)?;
            vm.ret(&[s])
        }
        Ok(filename) => Err(load_error(vm, &name, &filename, DLMSG.as_bytes())),
    }
}

fn searcher_croot(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let namev = vm.check_string(a, 1)?;
    let name = vm.str_bytes(namev).to_vec();
    let Some(dot) = name.iter().position(|&c| c == b'.') else {
        return Ok(0); // a root module
    };
    match findfile(vm, a, &name[..dot], "cpath", b"/")? {
        Err(msg) => {
            let s = vm.new_string(&msg)?;
            vm.ret(&[s])
        }
        Ok(filename) => Err(load_error(vm, &name, &filename, DLMSG.as_bytes())),
    }
}

fn loadlib(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    vm.check_string(a, 1)?;
    vm.check_string(a, 2)?;
    let m = vm.new_string(DLMSG.as_bytes())?;
    let w = vm.new_string(b"absent")?;
    vm.ret(&[Value::NIL, m, w])
}

fn require(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let namev = vm.check_string(a, 1)?;
    let name = vm.str_bytes(namev).to_vec();
    let loaded = loaded_table(vm)?;
    vm.push(loaded)?;
    let v = vm.index(loaded, namev, Origin::None)?;
    if !v.is_falsy() {
        return vm.ret(&[v]);
    }
    // findloader
    let pkg = vm.native_upvalue(a, 0);
    let key = vm.new_string(b"searchers")?;
    let searchers = vm.index(pkg, key, Origin::None)?;
    if !searchers.is_table() {
        return Err(vm.error_l("'package.searchers' must be a table"));
    }
    vm.push(searchers)?;
    let mut msg: Vec<u8> = Vec::new();
    let mut i = 1i64;
    let (loader, data) = loop {
        msg.extend_from_slice(b"\n\t");
        let s = rt::get_int(&vm.heap, slot_index(searchers.offset()), i);
        if s.is_nil() {
            msg.truncate(msg.len() - 2);
            let text = format!(
                "module '{}' not found:{}",
                String::from_utf8_lossy(&name),
                String::from_utf8_lossy(&msg)
            );
            return Err(vm.error_l(&text));
        }
        let r = vm.call_value(s, &[namev], 2)?;
        let (f, d) = (
            r.first().copied().unwrap_or(Value::NIL),
            r.get(1).copied().unwrap_or(Value::NIL),
        );
        if f.is_function() {
            break (f, d);
        } else if f.is_string() || f.is_number() {
            vm.append_str_or_number(&mut msg, f);
        } else {
            msg.truncate(msg.len() - 2);
        }
        i += 1;
    };
    vm.push(loader)?;
    vm.push(data)?;
    let r = vm.call_value(loader, &[namev, data], 1)?;
    let res = r.first().copied().unwrap_or(Value::NIL);
    if !res.is_nil() {
        vm.set_index(loaded, namev, res, Origin::None)?;
    }
    let mut cur = vm.index(loaded, namev, Origin::None)?;
    if cur.is_nil() {
        cur = Value::TRUE;
        vm.set_index(loaded, namev, cur, Origin::None)?;
    }
    vm.ret(&[cur, data])
}

// -- loading files -------------------------------------------------------------------

/// `luaL_loadfilex`: reads and compiles a file (standard input when
/// `filename` is `None`). The outer error is a Lua error (memory); the
/// inner one is the load failure message.
pub fn load_file(
    vm: &mut Vm,
    filename: Option<&[u8]>,
    mode: Option<&[u8]>,
) -> Result<Result<Value, Vec<u8>>, Throw> {
    let (bytes, chunkname) = match filename {
        Some(f) => match vm.libs.fs.read(f) {
            Ok(b) => {
                let mut c = b"@".to_vec();
                c.extend_from_slice(f);
                (b, c)
            }
            Err(e) => {
                let (m, _) = super::io::fs::describe(&e);
                let mut msg = b"cannot open ".to_vec();
                msg.extend_from_slice(f);
                msg.extend_from_slice(b": ");
                msg.extend_from_slice(m.as_bytes());
                return Ok(Err(msg));
            }
        },
        None => (read_stdin(vm), b"=stdin".to_vec()),
    };
    // Skip a UTF-8 BOM and a first line starting with '#' (keeping its
    // newline so line numbers stay right).
    let mut src: &[u8] = &bytes;
    if src.starts_with(b"\xEF\xBB\xBF") {
        src = &src[3..];
    }
    if src.first() == Some(&b'#') {
        let nl = src.iter().position(|&c| c == b'\n').unwrap_or(src.len());
        src = &src[nl..];
    }
    let is_binary = src.first() == Some(&0x1b);
    let mode = mode.unwrap_or(b"bt");
    let chunk = String::from_utf8_lossy(&chunkname).into_owned();
    if is_binary && !mode.contains(&b'b') || !is_binary && !mode.contains(&b't') {
        let kind = if is_binary { "binary" } else { "text" };
        let m = format!(
            "attempt to load a {kind} chunk (mode is '{}')",
            String::from_utf8_lossy(mode)
        );
        return Ok(Err(m.into_bytes()));
    }
    let proto = if is_binary {
        if !vm.allow_binary_chunks {
            return Ok(Err(
                b"binary chunks are not allowed in this profile".to_vec()
            ));
        }
        match crate::bytecode::sbc::decode(src) {
            Ok(p) => p,
            Err(e) => return Ok(Err(format!("{}: {e}", &chunk[1..]).into_bytes())),
        }
    } else {
        match crate::lua::compile(src, &chunk) {
            Ok(p) => p,
            Err(e) => return Ok(Err(e.message.into_bytes())),
        }
    };
    Ok(Ok(vm.load_main(proto)?))
}

/// Everything left on the isolate's standard input stream.
fn read_stdin(vm: &mut Vm) -> Vec<u8> {
    match vm.libs.io.streams.get_mut(0) {
        Some(Some(s)) => s.read_all().unwrap_or_default(),
        _ => {
            use std::io::Read;
            let mut v = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut v);
            v
        }
    }
}

fn loadfile(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let fname = vm.opt_string(a, 1)?.map(|s| vm.str_bytes(s).to_vec());
    let mode = vm.opt_string(a, 2)?.map(|s| vm.str_bytes(s).to_vec());
    match load_file(vm, fname.as_deref(), mode.as_deref())? {
        Ok(f) => {
            if a.n >= 3 {
                let env = vm.arg(a, 3);
                crate::vm::closure::set_first_upvalue(vm, f, env);
            }
            vm.ret(&[f])
        }
        Err(m) => {
            let s = vm.new_string(&m)?;
            vm.ret(&[Value::NIL, s])
        }
    }
}

fn dofile(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let fname = vm.opt_string(a, 1)?.map(|s| vm.str_bytes(s).to_vec());
    let f = match load_file(vm, fname.as_deref(), None)? {
        Ok(f) => f,
        Err(m) => return Err(vm.error_msg_raw(&m)),
    };
    vm.push(f)?;
    let r = vm.call_value(f, &[], -1)?;
    vm.top -= 1;
    vm.ret(&r)
}
