//! Running package slots in an isolate: `require` resolves slots before the
//! filesystem, and the package entry point runs with the script arguments.
//!
//! [`install`] puts a [`SlotManager`] into [`Vm::host_data`] (natives are
//! plain `fn` pointers, so that is where they find it) and hooks `require`:
//! - when the `package` library is present (`package.searchers` is a table),
//!   a slot searcher is inserted at the front of `package.searchers`, so
//!   slots win over files and the rest of Lua's `require` protocol is kept;
//! - otherwise a minimal `require` is installed that consults
//!   `package.loaded` and then the slots (there is no filesystem search).
//!
//! `require(name)` finds a slot by id, else by an export name listed in a
//! slot's `slotjit.exports`. The slot is staged (with its `depends`, which
//! also *run* first, in topological order), its main chunk is called with
//! `(name, "<package>/<slot id>")` as Lua passes a loader, and the result is
//! stored in `package.loaded` under the requested name and under the slot
//! id, so a slot runs at most once per isolate whatever name reaches it. A
//! `data` slot's `require` value is its decoded bytes as a string. A
//! `require` loop between slots is an error naming the loop (Lua itself
//! would recurse until the stack overflows).

use std::cell::RefCell;
use std::rc::Rc;

use super::slots::{SlotError, SlotManager, SlotState, Staged};
use crate::vm::layout::TAG_TABLE;
use crate::vm::{Args, Throw, Value, Vm, VmError};

/// What [`install`] hooked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequireHook {
    /// A searcher at the front of `package.searchers`.
    Searcher,
    /// A minimal slots-only `require` (no `package` library in this isolate).
    MinimalRequire,
}

/// What the natives find in [`Vm::host_data`].
struct SlotHost {
    manager: Rc<RefCell<SlotManager>>,
    /// Slots whose main chunk is running, outermost first (loop detection).
    running: RefCell<Vec<usize>>,
    /// Native id of the loader closures the searcher returns.
    loader_native: u32,
}

/// Why running a package failed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A package or slot problem found before any Lua code ran.
    #[error(transparent)]
    Slot(#[from] SlotError),
    /// The Lua code raised an error (or the isolate failed).
    #[error(transparent)]
    Lua(#[from] VmError),
}

impl RunError {
    /// Stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            RunError::Slot(e) => e.code(),
            RunError::Lua(e) => e.code(),
        }
    }
}

fn host(vm: &Vm) -> Option<(Rc<RefCell<SlotManager>>, u32)> {
    let h = vm.host_data.as_ref()?.downcast_ref::<SlotHost>()?;
    Some((h.manager.clone(), h.loader_native))
}

fn with_running<R>(vm: &Vm, f: impl FnOnce(&mut Vec<usize>) -> R) -> Option<R> {
    let h = vm.host_data.as_ref()?.downcast_ref::<SlotHost>()?;
    let mut r = h.running.borrow_mut();
    Some(f(&mut r))
}

/// Give the isolate a slot manager and hook `require` (see the module docs).
/// Call after the standard library is opened.
pub fn install(vm: &mut Vm, manager: Rc<RefCell<SlotManager>>) -> Result<RequireHook, Throw> {
    let loader_native = vm.register_native("slot loader", slot_loader);
    vm.host_data = Some(Box::new(SlotHost {
        manager,
        running: RefCell::new(Vec::new()),
        loader_native,
    }));
    let package = vm.get_global("package")?;
    let searchers = if package.is_table() {
        vm.raw_get_str(package, "searchers")?
    } else {
        Value::NIL
    };
    if searchers.is_table() {
        // Shift the existing searchers up by one and put ours first.
        let mut n = 0i64;
        while !vm.raw_get(searchers, Value::int(n + 1)).is_nil() {
            n += 1;
        }
        for k in (1..=n).rev() {
            let v = vm.raw_get(searchers, Value::int(k));
            vm.raw_set(searchers, Value::int(k + 1), v)?;
        }
        let s = Vm::native_value(vm.register_native("slot searcher", slot_searcher));
        vm.raw_set(searchers, Value::int(1), s)?;
        return Ok(RequireHook::Searcher);
    }
    let g = vm.globals_value();
    vm.set_native(g, "require", minimal_require)?;
    if !package.is_table() {
        let p = vm.new_table(0, 2)?;
        vm.set_global("package", p)?;
        let loaded = loaded_table(vm)?;
        vm.raw_set_str(p, "loaded", loaded)?;
    }
    Ok(RequireHook::MinimalRequire)
}

/// The registry's `_LOADED` table (`package.loaded`), created on first use.
fn loaded_table(vm: &mut Vm) -> Result<Value, Throw> {
    let reg = Value::object(TAG_TABLE, vm.registry);
    let loaded = vm.raw_get_str(reg, "_LOADED")?;
    if loaded.is_table() {
        return Ok(loaded);
    }
    let t = vm.new_table(0, 16)?;
    vm.raw_set_str(reg, "_LOADED", t)?;
    Ok(t)
}

/// `"<package>/<slot id>"`: the loader data `require` returns second.
fn slot_path(m: &SlotManager, i: usize) -> String {
    format!("{}/{}", m.package_name(), m.slot_id(i))
}

/// Find the slot for `name` and stage it (with its dependencies). `Ok(None)`
/// when no slot has that name; a staging failure is a Lua error.
fn search(vm: &mut Vm, name: &str) -> Result<Option<(usize, String)>, Throw> {
    let Some((mgr, _)) = host(vm) else {
        return Ok(None);
    };
    let (i, path, staged) = {
        let mut m = mgr.borrow_mut();
        let Some(i) = m.resolve(name) else {
            return Ok(None);
        };
        let path = slot_path(&m, i);
        (i, path, m.stage(i).map(|_| ()))
    };
    if let Err(e) = staged {
        return Err(vm.error_l(&format!(
            "error loading module '{name}' from slot '{path}':\n\t{}: {e}",
            e.code()
        )));
    }
    Ok(Some((i, path)))
}

/// `package.searchers[1]`: returns a loader and the slot path, or a
/// "no slot" message for `require`'s not-found report.
fn slot_searcher(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let name_v = vm.check_string(a, 1)?;
    let name = String::from_utf8_lossy(vm.str_bytes(name_v)).into_owned();
    match search(vm, &name)? {
        Some((i, path)) => {
            let Some((_, loader)) = host(vm) else {
                return Ok(0);
            };
            let f = vm.new_native_closure(loader, &[Value::int(i as i64)])?;
            vm.roots.push(f);
            let p = vm.new_string(path.as_bytes());
            vm.roots.pop();
            let p = p?;
            vm.ret(&[f, p])
        }
        None => {
            let msg = not_found_line(vm, &name);
            let s = vm.new_string(msg.as_bytes())?;
            vm.ret(&[s])
        }
    }
}

fn not_found_line(vm: &Vm, name: &str) -> String {
    let pkg = host(vm)
        .map(|(m, _)| m.borrow().package_name().to_string())
        .unwrap_or_default();
    format!("no slot '{name}' in package '{pkg}'")
}

/// The loader closure: upvalue 1 is the slot position.
fn slot_loader(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let Some(i) = vm
        .native_upvalue(a, 0)
        .as_int()
        .and_then(|i| usize::try_from(i).ok())
    else {
        return Err(vm.error_l("slot loader without a slot"));
    };
    let args = [vm.arg(a, 1), vm.arg(a, 2)];
    let v = require_slot(vm, i, &args)?;
    vm.ret(&[v])
}

/// Minimal `require` (no `package` library): `package.loaded`, then slots.
fn minimal_require(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let name_v = vm.check_string(a, 1)?;
    let loaded = loaded_table(vm)?;
    let have = vm.raw_get(loaded, name_v);
    if !have.is_falsy() {
        return vm.ret(&[have]);
    }
    let name = String::from_utf8_lossy(vm.str_bytes(name_v)).into_owned();
    let Some((i, path)) = search(vm, &name)? else {
        let line = not_found_line(vm, &name);
        return Err(vm.error_l(&format!("module '{name}' not found:\n\t{line}")));
    };
    let p = vm.new_string(path.as_bytes())?;
    vm.roots.push(p);
    let r = require_slot(vm, i, &[name_v, p]);
    vm.roots.pop();
    let v = r?;
    let v = if v.is_nil() { Value::TRUE } else { v };
    vm.raw_set(loaded, name_v, v)?;
    vm.ret(&[v, p])
}

/// Run slot `i` once per isolate: its dependencies first, then its chunk
/// with `args`; the value is cached in `package.loaded[<slot id>]`.
fn require_slot(vm: &mut Vm, i: usize, args: &[Value]) -> Result<Value, Throw> {
    let Some((mgr, _)) = host(vm) else {
        return Err(vm.error_l("no package is attached to this isolate"));
    };
    let (id, deps) = {
        let m = mgr.borrow();
        (m.slot_id(i).to_string(), m.depends(i).to_vec())
    };
    let loaded = loaded_table(vm)?;
    vm.roots.push(loaded);
    let r = (|| {
        let have = vm.raw_get_str(loaded, &id)?;
        if !have.is_nil() {
            return Ok(have);
        }
        let v = run_slot(vm, &mgr, i, &id, &deps, args)?;
        let v = if v.is_nil() { Value::TRUE } else { v };
        vm.raw_set_str(loaded, &id, v)?;
        Ok(v)
    })();
    vm.roots.pop();
    r
}

fn run_slot(
    vm: &mut Vm,
    mgr: &Rc<RefCell<SlotManager>>,
    i: usize,
    id: &str,
    deps: &[usize],
    args: &[Value],
) -> Result<Value, Throw> {
    let loop_path = with_running(vm, |r| {
        if let Some(pos) = r.iter().position(|&s| s == i) {
            return Some(r[pos..].to_vec());
        }
        r.push(i);
        None
    })
    .flatten();
    if let Some(chain) = loop_path {
        let m = mgr.borrow();
        let mut names: Vec<&str> = chain.iter().map(|&s| m.slot_id(s)).collect();
        names.push(id);
        let msg = format!(
            "SJ-PKG-DEPENDENCY-CYCLE: require loop between slots: {}",
            names.join(" -> ")
        );
        drop(m);
        return Err(vm.error_l(&msg));
    }
    let r = run_slot_body(vm, mgr, i, deps, args);
    with_running(vm, |r| {
        if let Some(pos) = r.iter().rposition(|&s| s == i) {
            r.truncate(pos);
        }
    });
    r
}

fn run_slot_body(
    vm: &mut Vm,
    mgr: &Rc<RefCell<SlotManager>>,
    i: usize,
    deps: &[usize],
    args: &[Value],
) -> Result<Value, Throw> {
    for &d in deps {
        let (did, dpath) = {
            let m = mgr.borrow();
            (m.slot_id(d).to_string(), slot_path(&m, d))
        };
        let n = vm.new_string(did.as_bytes())?;
        vm.roots.push(n);
        let p = vm.new_string(dpath.as_bytes());
        let r = match p {
            Ok(p) => {
                vm.roots.push(p);
                let r = require_slot(vm, d, &[n, p]);
                vm.roots.pop();
                r
            }
            Err(e) => Err(e),
        };
        vm.roots.pop();
        r?;
    }
    let staged = mgr.borrow_mut().stage(i);
    match staged {
        Ok(Staged::Code(proto)) => {
            let id = vm.load_proto(proto)?;
            let g = vm.globals_value();
            let f = crate::vm::closure::new_main_closure(vm, id, g)?;
            mgr.borrow_mut().mark(i, SlotState::Tier0);
            let r = vm.call_value(f, args, 1)?;
            Ok(r.first().copied().unwrap_or(Value::NIL))
        }
        Ok(Staged::Data(bytes)) => vm.new_string(&bytes),
        Err(e) => {
            let path = slot_path(&mgr.borrow(), i);
            Err(vm.error_l(&format!(
                "error loading slot '{path}':\n\t{}: {e}",
                e.code()
            )))
        }
    }
}

/// Sets the global `arg` as `lua.c` does: `arg[0]` = the package (script)
/// name, `arg[1..]` = its arguments, `arg[-1]` = the interpreter.
pub fn set_arg_table(vm: &mut Vm, script: &str, args: &[String]) -> Result<(), Throw> {
    let t = vm.new_table(args.len() as u32, 2)?;
    vm.set_global("arg", t)?;
    let exe = std::env::args().next().unwrap_or_else(|| "slotjit".into());
    let exe_v = vm.new_string(exe.as_bytes())?;
    vm.raw_set(t, Value::int(-1), exe_v)?;
    let s = vm.new_string(script.as_bytes())?;
    vm.raw_set(t, Value::int(0), s)?;
    for (i, a) in args.iter().enumerate() {
        let v = vm.new_string(a.as_bytes())?;
        vm.raw_set(t, Value::int(i as i64 + 1), v)?;
    }
    Ok(())
}

/// Run the package entry point (`execution.slotjit`) in an isolate prepared
/// with [`install`]: the entry slot is staged first (so a bad slot is
/// refused before any Lua code runs), its dependencies run in topological
/// order, then its chunk runs with `args` as `...`; when the entry names a
/// `function`, that field of the chunk's returned table (or, failing that,
/// that global) is then called with `args`. Returns the function's results
/// (or the chunk's). The global `arg` is set with `script` as `arg[0]`.
pub fn run_entry(vm: &mut Vm, script: &str, args: &[String]) -> Result<Vec<Value>, RunError> {
    let internal = |m: &str| RunError::Lua(VmError::Internal(m.to_string()));
    let Some((mgr, loader)) = host(vm) else {
        return Err(internal("run_entry: no slot manager installed"));
    };
    let (i, function, order, id) = {
        let mut m = mgr.borrow_mut();
        let (i, function) = {
            let (i, ep) = m.entry()?;
            (i, ep.function.clone())
        };
        let id = m.slot_id(i).to_string();
        m.proto(i)?;
        let mut order = m.load_order(i);
        order.pop();
        (i, function, order, id)
    };
    let oom = |_| RunError::Lua(VmError::OutOfMemory);
    set_arg_table(vm, script, args).map_err(oom)?;
    let mut argv = Vec::with_capacity(args.len());
    for a in args {
        let v = vm.new_string(a.as_bytes()).map_err(oom)?;
        vm.roots.push(v);
        argv.push(v);
    }
    let mark = vm.roots.len() - argv.len();
    let r = run_entry_rooted(vm, &mgr, loader, i, &id, function.as_deref(), &order, &argv);
    vm.roots.truncate(mark);
    r
}

#[allow(clippy::too_many_arguments)]
fn run_entry_rooted(
    vm: &mut Vm,
    mgr: &Rc<RefCell<SlotManager>>,
    loader: u32,
    i: usize,
    id: &str,
    function: Option<&str>,
    order: &[usize],
    argv: &[Value],
) -> Result<Vec<Value>, RunError> {
    let oom = |_| RunError::Lua(VmError::OutOfMemory);
    // Dependencies run from the host, one protected call each, so an error
    // in one gets a traceback rooted at its own chunk.
    for &d in order {
        let (did, dpath) = {
            let m = mgr.borrow();
            (m.slot_id(d).to_string(), slot_path(&m, d))
        };
        let f = vm
            .new_native_closure(loader, &[Value::int(d as i64)])
            .map_err(oom)?;
        // Keep the closure and the name alive while the next string allocates.
        let mark = vm.roots.len();
        vm.roots.push(f);
        let r = (|| {
            let n = vm.new_string(did.as_bytes()).map_err(oom)?;
            vm.roots.push(n);
            let p = vm.new_string(dpath.as_bytes()).map_err(oom)?;
            vm.call_protected(f, &[n, p]).map_err(RunError::Lua)
        })();
        vm.roots.truncate(mark);
        r?;
    }
    let proto = mgr.borrow_mut().proto(i)?;
    let pid = vm.load_proto(proto).map_err(oom)?;
    let g = vm.globals_value();
    let chunk = crate::vm::closure::new_main_closure(vm, pid, g).map_err(oom)?;
    mgr.borrow_mut().mark(i, SlotState::Tier0);
    with_running(vm, |r| r.push(i));
    let result = vm.call_protected(chunk, argv);
    with_running(vm, |r| r.clear());
    let results = result?;
    let module = results.first().copied().unwrap_or(Value::NIL);
    let loaded = loaded_table(vm).map_err(oom)?;
    let stored = if module.is_nil() { Value::TRUE } else { module };
    vm.raw_set_str(loaded, id, stored).map_err(oom)?;
    let Some(fname) = function else {
        return Ok(results);
    };
    let mut f = Value::NIL;
    if module.is_table() {
        f = vm.raw_get_str(module, fname).map_err(oom)?;
    }
    if f.is_nil() {
        f = vm.get_global(fname).map_err(oom)?;
    }
    if !f.is_function() {
        return Err(SlotError::NoEntry(format!(
            "entry function '{fname}' is neither a field of the table slot '{id}' returns nor a global \
             (found a {} value)",
            f.type_name()
        ))
        .into());
    }
    Ok(vm.call_protected(f, argv)?)
}
