//! An isolate with native code: a Wasmtime `Store` whose data is the VM and
//! whose linear memory *is* the VM's guest heap (DESIGN decision 1), plus the
//! `funcref` code table with one stable slot per proto (decision 5).
//!
//! The memory and the table come from a tiny "heap module" instantiated from
//! the pooling allocator, so their size limits are the pool's. The memory has
//! minimum = maximum size and never moves, which is what lets the interpreter
//! keep a view of it (see [`crate::vm::guest_memory`]).

use std::sync::Arc;

use wasmtime::{AsContextMut, Func, Instance, Memory, Module, Ref, Store, Table, TypedFunc};

use super::{EngineError, Engines, MAX_MEMORY_BYTES};
use crate::jit::{JitOptions, JitState};
use crate::vm::guest_memory::GuestMemory;
use crate::vm::heap::Heap;
use crate::vm::{Value, Vm, VmError, VmOptions};

/// Wasm page size.
const PAGE: u64 = 65536;

/// Options of an isolate.
#[derive(Clone, Debug)]
pub struct IsolateOptions {
    /// Guest memory limit in bytes (rounded up to whole 64 KiB pages).
    pub memory_limit: u64,
    /// Tier policy.
    pub jit: JitOptions,
}

impl Default for IsolateOptions {
    fn default() -> Self {
        IsolateOptions {
            memory_limit: VmOptions::default().memory_limit,
            jit: JitOptions::default(),
        }
    }
}

/// Wasmtime handles the runtime needs inside host calls.
pub(crate) struct RuntimeHandles {
    pub memory: Memory,
    pub table: Table,
    /// The runtime's function imports given to every compiled module, in
    /// the order of [`crate::codegen::RT_FUNCTION_IMPORTS`].
    pub imports: Vec<Func>,
    /// The interpreter trampoline every code-table slot starts with.
    pub trampoline: Func,
    /// Per proto id: its compiled entry, once installed (`Rc`: cloning a
    /// `TypedFunc` clones its registered type, measurably slower per call).
    /// Its length is the number of code-table slots initialized so far.
    pub entries: Vec<Option<std::rc::Rc<TypedFunc<(), ()>>>>,
}

/// The data of an isolate's store.
pub struct IsolateData {
    /// The VM (interpreter state, heap view, globals, protos).
    pub(crate) vm: Vm,
    /// Native-code side; `None` only while the isolate is being built.
    pub(crate) rt: Option<RuntimeHandles>,
    /// JIT policy, compile queue and metrics.
    pub(crate) jit: JitState,
}

/// One sandboxed instance of the runtime with native code.
pub struct Isolate {
    pub(crate) store: Store<IsolateData>,
}

/// Builds the heap module: an exported memory of `pages` pages (minimum =
/// maximum) and an exported, growable `funcref` code table.
fn heap_module(pages: u64, table_max: u32) -> Vec<u8> {
    use wasm_encoder::{
        ExportKind, ExportSection, MemorySection, MemoryType, Module, RefType, TableSection,
        TableType,
    };
    let mut m = Module::new();
    let mut tables = TableSection::new();
    tables.table(TableType {
        element_type: RefType::FUNCREF,
        table64: false,
        minimum: 0,
        maximum: Some(table_max as u64),
        shared: false,
    });
    m.section(&tables);
    let mut mems = MemorySection::new();
    mems.memory(MemoryType {
        minimum: pages,
        maximum: Some(pages),
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    m.section(&mems);
    let mut ex = ExportSection::new();
    ex.export(crate::codegen::RT_MEMORY, ExportKind::Memory, 0);
    ex.export(crate::codegen::RT_CODE_TABLE, ExportKind::Table, 0);
    m.section(&ex);
    m.finish()
}

/// A fresh store of `engines`' runtime engine holding `data`, with the heap
/// module (memory of `pages` pages, empty code table) instantiated in it.
fn heap_store(
    engines: &Arc<Engines>,
    pages: u64,
    data: IsolateData,
) -> Result<(Store<IsolateData>, Memory, Table), String> {
    let mut store = Store::new(&engines.runtime, data);
    // No deadline until a call sets one.
    store.set_epoch_deadline(u64::MAX / 2);
    let module = Module::new(
        &engines.runtime,
        heap_module(pages, engines.limits.code_table_entries),
    )
    .map_err(|e| e.to_string())?;
    let instance = Instance::new(&mut store, &module, &[]).map_err(|e| e.to_string())?;
    let memory = instance
        .get_memory(&mut store, crate::codegen::RT_MEMORY)
        .ok_or("heap module has no memory")?;
    let table = instance
        .get_table(&mut store, crate::codegen::RT_CODE_TABLE)
        .ok_or("heap module has no code table")?;
    Ok((store, memory, table))
}

/// The interpreter's view of `memory`, the heap memory of `store`.
fn guest_view(store: &Store<IsolateData>, memory: Memory) -> Result<GuestMemory, String> {
    let base = memory.data_ptr(store);
    let size = memory.data_size(store);
    // SAFETY: the memory was created with minimum = maximum size under a
    // config with `memory_may_move(false)`, so `base`/`size` stay valid
    // and fixed for the store's life; Wasm memory bases are page-aligned.
    // The view goes into this store's data (the VM) and `Isolate` never
    // lets the VM move out of it (only `&mut` access inside the crate,
    // never a swap; `Isolate::recycle` moves it into the next store
    // together with a view of that store's memory). Compiled code only runs
    // through `&mut` access to the store, which excludes live borrows of
    // the view.
    unsafe { GuestMemory::from_wasm(base, size) }
        .ok_or_else(|| "linear memory is not aligned for 16-byte slots".to_string())
}

/// A VM to hold the place of the real one in a store's data while the
/// real one is not there yet (a store needs its data up front).
fn placeholder_vm() -> Result<Vm, String> {
    Vm::new(VmOptions {
        memory_limit: 64 * 1024,
    })
    .map_err(|e| e.to_string())
}

/// The runtime's Wasmtime handles in `store`: its heap memory and code
/// table, fresh host imports and a fresh trampoline.
fn runtime_handles(store: &mut Store<IsolateData>, memory: Memory, table: Table) -> RuntimeHandles {
    let imports = super::host::runtime_imports(store);
    let trampoline = super::host::trampoline_func(store);
    RuntimeHandles {
        memory,
        table,
        imports,
        trampoline,
        entries: Vec::new(),
    }
}

impl Isolate {
    /// Creates an isolate in `engines`' runtime engine.
    pub fn new(engines: &Arc<Engines>, opts: &IsolateOptions) -> Result<Isolate, EngineError> {
        let limit = opts
            .memory_limit
            .clamp(PAGE, MAX_MEMORY_BYTES.min(engines.limits.max_memory_bytes));
        let data = IsolateData {
            vm: placeholder_vm().map_err(EngineError::Isolate)?,
            rt: None,
            jit: JitState::new(engines.clone(), opts.jit.clone()),
        };
        let (mut store, memory, table) =
            heap_store(engines, limit.div_ceil(PAGE), data).map_err(EngineError::Isolate)?;
        let view = guest_view(&store, memory).map_err(EngineError::Isolate)?;
        let iso = |e: &dyn std::fmt::Display| EngineError::Isolate(e.to_string());
        let mut vm = Vm::with_heap(Heap::with_memory(view)).map_err(|e| iso(&e))?;
        store.data().jit.configure(&mut vm);
        store.data_mut().vm = vm;
        let rt = runtime_handles(&mut store, memory, table);
        store.data_mut().rt = Some(rt);
        Ok(Isolate { store })
    }

    /// Rebuilds the isolate's store when functions wait for instance room:
    /// a Wasmtime store never frees instances, so past the pool's bound per
    /// isolate the only way to get room is a new store. Its memory gets a
    /// copy of the guest heap (the VM keeps every offset), its code table
    /// trampolines, and one module holding every compiled function plus
    /// the waiting ones replaces all earlier instances. Runs only between
    /// top-level calls, when no compiled code is on the stack. On failure
    /// the isolate goes on as it was (the waiting functions interpreted).
    fn recycle(&mut self) {
        if !self.store.data().jit.wants_recycle() {
            return;
        }
        if let Err(e) = self.rebuild_store() {
            let jit = &mut self.store.data_mut().jit;
            jit.stats.recycle_failures += 1;
            if jit.stats.recycle_failures == 1 {
                // Said once per isolate, like compile failures.
                eprintln!("slotjit: SJ-JIT-RECYCLE: {e} (continuing with the current store)");
            }
        }
    }

    fn rebuild_store(&mut self) -> Result<(), String> {
        let engines = self.store.data().jit.engines().clone();
        let old_memory = self
            .store
            .data()
            .rt
            .as_ref()
            .ok_or("no runtime handles")?
            .memory;
        let pages = old_memory.data_size(&self.store) as u64 / PAGE;
        let data = IsolateData {
            vm: placeholder_vm()?,
            rt: None,
            jit: JitState::new(engines.clone(), JitOptions::default()),
        };
        // A full pool fails here, before the waiting functions are taken:
        // the next call tries again.
        let (mut store, memory, table) = heap_store(&engines, pages, data)?;
        let (ids, module) = crate::jit::merged_module(&mut self.store.as_context_mut())?;
        // Everything the heap ever handed out lies below its high-water
        // mark; the rest of the new memory stays untouched (zero).
        let used = (self.store.data().vm.heap.peak_bytes() as usize)
            .min(old_memory.data_size(&self.store));
        memory.data_mut(&mut store)[..used].copy_from_slice(&old_memory.data(&self.store)[..used]);
        let view = guest_view(&store, memory)?;
        // From here on nothing can fail: the VM (now viewing the new memory)
        // and the JIT state trade places with the new store's stand-ins, and
        // the old store, holding those, is dropped with its instances.
        let old = self.store.data_mut();
        old.rt = None;
        old.vm.heap.mem = view;
        let new = store.data_mut();
        std::mem::swap(&mut old.vm, &mut new.vm);
        std::mem::swap(&mut old.jit, &mut new.jit);
        let rt = runtime_handles(&mut store, memory, table);
        store.data_mut().rt = Some(rt);
        self.store = store;
        let mut cx = self.store.as_context_mut();
        if let Err(e) = crate::jit::install_merged(&mut cx, &ids, &module) {
            // Every function runs interpreted now; that is slower, not wrong.
            return Err(format!("cannot install the merged module: {e}"));
        }
        Ok(())
    }

    /// The VM, to load code, set globals and open libraries.
    ///
    /// The VM's heap is a view of this isolate's linear memory: do not move
    /// the VM out (`std::mem::swap`/`replace`). Dropping an isolate whose VM
    /// was moved aborts the process rather than leave a dangling view.
    pub fn vm_mut(&mut self) -> &mut Vm {
        &mut self.store.data_mut().vm
    }

    /// Read access to the VM.
    pub fn vm(&self) -> &Vm {
        &self.store.data().vm
    }

    /// Calls `f` with `args` like [`Vm::call_protected`], entering compiled
    /// code wherever it is installed.
    pub fn call_protected(&mut self, f: Value, args: &[Value]) -> Result<Vec<Value>, VmError> {
        // Functions deferred in earlier calls get their code now (not at
        // the end of a call: there may be no next one to profit).
        self.recycle();
        super::host::call_protected(&mut self.store, f, args)
    }

    /// JIT metrics so far.
    pub fn stats(&self) -> crate::jit::JitStats {
        self.store.data().jit.stats(&self.store.data().vm)
    }

    /// Uses `cache` for compiled artifacts (shared by the process's isolates).
    pub fn set_cache(&mut self, cache: Option<Arc<crate::cache::Cache>>) {
        self.store.data_mut().jit.cache = cache;
    }

    /// Starts measuring time in compiled code against time elsewhere
    /// ([`crate::jit::JitStats::tier_time`]); it costs a little per tier
    /// transition, so it is off unless asked for (`run --stats`).
    pub fn measure_tiers(&mut self) {
        self.store.data_mut().jit.measure_tiers();
    }

    /// Sets (or clears) the wall-clock limit of each following call.
    pub fn set_time_limit(&mut self, limit: Option<std::time::Duration>) {
        self.store.data_mut().jit.time_limit = limit;
    }
}

impl Drop for Isolate {
    fn drop(&mut self) {
        // The VM's heap is a view of this store's memory. If the VM was moved
        // out (`mem::swap`/`replace` through `vm_mut`), it would outlive the
        // memory about to be freed: refuse to continue rather than leave a
        // dangling view behind.
        let data = self.store.data();
        if let Some(rt) = data.rt.as_ref() {
            let mem_base = rt.memory.data_ptr(&self.store) as usize;
            if data.vm.heap.mem.base_address() != mem_base {
                eprintln!(
                    "slotjit: SJ-VM-INTERNAL: an isolate's VM was moved out of its store; aborting"
                );
                std::process::abort();
            }
        }
    }
}

/// Fills code-table slots of protos loaded since the last call with the
/// interpreter trampoline (stable slot = proto id).
pub(crate) fn sync_code_table(
    cx: &mut impl wasmtime::AsContextMut<Data = IsolateData>,
) -> Result<(), String> {
    let mut cx = cx.as_context_mut();
    let data = cx.data_mut();
    let n = data.vm.protos.len() as u32;
    let Some(rt) = data.rt.as_mut() else {
        return Ok(());
    };
    let have = rt.entries.len() as u32;
    if have >= n {
        return Ok(());
    }
    let (table, tramp) = (rt.table, rt.trampoline);
    rt.entries.resize(n as usize, None);
    table
        .grow(&mut cx, (n - have) as u64, Ref::Func(Some(tramp)))
        .map_err(|e| format!("code table full ({n} protos): {e}"))?;
    Ok(())
}
