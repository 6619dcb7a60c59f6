//! The tier-0 virtual machine: guest heap, values, tables, closures,
//! coroutines, the garbage collector, metamethods, errors and the bytecode
//! interpreter.
//!
//! One [`Vm`] is one isolate: everything a Lua program can observe lives in
//! its guest heap ([`heap::Heap`]), laid out as described in [`layout`].

pub mod closure;
pub mod coroutine;
pub mod error;
pub mod gc;
pub mod guest_memory;
pub mod heap;
pub mod host;
pub mod interp;
pub mod layout;
pub mod meta;
pub mod native;
pub mod number;
pub mod table;
pub mod thread;
pub mod value;

pub(crate) mod call;

use std::rc::Rc;

use crate::bytecode::{Constant, Instr, Proto};
pub use error::{Throw, VmError};
use heap::Heap;
use layout::*;
pub use native::{Args, NativeFn};
use thread::fields as tf;
pub use value::Value;

/// A prototype loaded into an isolate: its bytecode plus constants
/// materialized as guest values. The id is also its code-table slot.
pub struct LoadedProto {
    /// Id (index in the isolate's proto registry).
    pub id: u32,
    /// The verified prototype (debug info, nested protos).
    pub proto: Rc<Proto>,
    /// Instructions.
    pub code: Box<[Instr]>,
    /// Constants as guest values (strings interned in the heap).
    pub k: Box<[Value]>,
    /// Ids of nested prototypes, indexed like `proto.protos`.
    pub children: Box<[u32]>,
    /// Copied from `proto` for the call path: fixed parameters.
    pub num_params: u32,
    /// Copied from `proto` for the call path: frame size in registers.
    pub max_stack: u32,
}

/// Options for creating an isolate.
#[derive(Clone, Debug)]
pub struct VmOptions {
    /// Guest memory limit in bytes (the arena size).
    pub memory_limit: u64,
}

impl Default for VmOptions {
    fn default() -> Self {
        VmOptions {
            memory_limit: 1 << 30,
        }
    }
}

/// Metamethod events, in Lua 5.4's `TMS` order (the first six are cached
/// as "absent" bits in each metatable).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
#[allow(missing_docs)]
pub enum Tm {
    Index,
    NewIndex,
    Gc,
    Mode,
    Len,
    Eq,
    Add,
    Sub,
    Mul,
    Mod,
    Pow,
    Div,
    IDiv,
    BAnd,
    BOr,
    BXor,
    Shl,
    Shr,
    Unm,
    BNot,
    Lt,
    Le,
    Concat,
    Call,
    Close,
}

/// Names of the metamethod events, indexed by [`Tm`].
pub const TM_NAMES: [&str; 25] = [
    "__index",
    "__newindex",
    "__gc",
    "__mode",
    "__len",
    "__eq",
    "__add",
    "__sub",
    "__mul",
    "__mod",
    "__pow",
    "__div",
    "__idiv",
    "__band",
    "__bor",
    "__bxor",
    "__shl",
    "__shr",
    "__unm",
    "__bnot",
    "__lt",
    "__le",
    "__concat",
    "__call",
    "__close",
];

/// Rust-side per-coroutine data that has no place in guest memory yet.
#[derive(Default)]
pub(crate) struct ThreadAux {
    /// Stack indices of pending to-be-closed variables, innermost last.
    pub tbc: Vec<u32>,
    /// The coroutine died with an error (kept at its stack[0]).
    pub errored: bool,
    /// Its pending `pcall`/`xpcall` boundaries while it is not running
    /// (see [`Vm::pcalls`]).
    pub pcalls: u32,
}

/// What the interpreter needs to know about compiled code: which protos have
/// it, and whether a driver that can call it is waiting (see
/// [`Vm::execute_mode`]). Without a native engine this stays empty and the
/// interpreter never stops early.
#[derive(Debug)]
pub struct JitHooks {
    /// Frame index of the driver whose run may stop to enter compiled code
    /// (`u32::MAX`: none).
    pub(crate) exit_entry: u32,
    /// Set when a run stopped because the newest frame has compiled code.
    pub(crate) pending: bool,
    /// Set with `pending` when the run stopped at a loop back-edge: the
    /// newest frame's saved pc is a loop head, where compiled code can take
    /// over the running frame (on-stack replacement).
    pub(crate) at_loop_head: bool,
    /// In a single-step run: the one instruction has been executed.
    pub(crate) step_done: bool,
    /// Per proto id: compiled code is installed in its code-table slot.
    compiled: Vec<bool>,
    /// Per proto id: byte offset of the table whose array part holds the
    /// proto's constants in guest memory (0: not made yet), for compiled
    /// code, which reads constants there (see [`Vm::guest_constants`]).
    /// Collector roots.
    pub(crate) constant_tables: Vec<u32>,
    /// Raised by the compile worker when finished code waits to be
    /// installed: the interpreter then returns to its driver at the next
    /// call or return.
    pub(crate) ready: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Default for JitHooks {
    fn default() -> Self {
        JitHooks {
            exit_entry: u32::MAX,
            pending: false,
            at_loop_head: false,
            step_done: false,
            compiled: Vec::new(),
            constant_tables: Vec::new(),
            ready: Default::default(),
        }
    }
}

impl JitHooks {
    /// Whether proto `id` has compiled code.
    #[inline(always)]
    pub fn is_compiled(&self, id: u32) -> bool {
        self.compiled.get(id as usize).copied().unwrap_or(false)
    }

    /// Whether the compile worker has finished code for this isolate.
    #[inline(always)]
    pub fn installs_waiting(&self) -> bool {
        self.ready.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Forgets all compiled code (the isolate's store is being rebuilt).
    pub(crate) fn clear_compiled(&mut self) {
        self.compiled.fill(false);
    }

    /// Records that proto `id` now runs compiled code.
    pub fn set_compiled(&mut self, id: u32) {
        let i = id as usize;
        if self.compiled.len() <= i {
            self.compiled.resize(i + 1, false);
        }
        self.compiled[i] = true;
    }
}

/// An isolate: guest heap, loaded code, globals and the running coroutine.
pub struct Vm {
    /// Guest memory.
    pub heap: Heap,
    pub(crate) protos: Vec<Rc<LoadedProto>>,
    pub(crate) natives: Vec<native::NativeEntry>,
    /// Offset of the globals table.
    pub globals: u32,
    /// Offset of the registry table (package.loaded, etc.).
    pub registry: u32,
    /// Offset of the string metatable (0 = none).
    pub string_meta: u32,
    /// Interned metamethod names (offsets), indexed by [`Tm`].
    pub(crate) tm_names: [u32; 25],
    /// Main coroutine (slot index).
    pub(crate) main_thread: usize,
    /// Running coroutine (slot index).
    pub(crate) thread: usize,
    /// Cached: slot index of the running coroutine's stack[0].
    pub(crate) stack: usize,
    /// Cached: the running coroutine's stack size.
    pub(crate) stack_size: u32,
    /// Cached: slot index of frame record 0 of the running coroutine.
    pub(crate) frames: usize,
    /// Cached: number of frames of the running coroutine.
    pub(crate) nframes: u32,
    /// Cached: frame capacity.
    pub(crate) frame_cap: u32,
    /// Top of the running coroutine's stack (stack index).
    pub(crate) top: u32,
    /// The error value in flight (a GC root).
    pub(crate) error_value: Value,
    /// Nesting depth of Rust-level re-entries (native → Lua calls).
    pub(crate) c_calls: u32,
    /// Cached: pending `pcall`/`xpcall` boundaries of the running coroutine.
    /// In `lua5.4` each is a C call (`lua_pcallk`), so they count towards
    /// the "C stack overflow" limit together with [`Vm::c_calls`].
    pub(crate) pcalls: u32,
    /// Re-entries that forbid yielding (count of Rust frames in the running coroutine).
    pub(crate) nny: u32,
    pub(crate) aux: Vec<Option<ThreadAux>>,
    /// Values rooted by natives and the embedder.
    pub(crate) roots: Vec<Value>,
    /// Emptied vectors for values in transit (resume arguments and
    /// results), so that a steady stream of resumes allocates nothing.
    spare_value_vecs: Vec<Vec<Value>>,
    /// Collector state.
    pub(crate) gc: gc::GcState,
    /// Where `print`/`io.write` output goes.
    pub out: Box<dyn std::io::Write>,
    /// Execution profile (tier-up counters and type feedback).
    pub profile: crate::profile::Profile,
    /// Number of values the pending yield passes to `resume`.
    pub(crate) yield_count: u32,
    /// The `next` function (returned by `pairs`).
    pub next_fn: Value,
    /// The iterator `ipairs` returns.
    pub ipairs_aux: Value,
    /// Native id of the function `coroutine.wrap` returns.
    pub wrap_aux: u32,
    /// Whether `load` accepts binary (`.sbc`) chunks.
    pub allow_binary_chunks: bool,
    /// Native id of the host entry frame (0 = not registered yet).
    pub(crate) host_entry_native: u32,
    /// Set after an internal error: the isolate refuses further calls.
    pub poisoned: bool,
    /// Rust-side state of the standard library (random generator, open
    /// files, file-system capabilities, `os.exit` status); see
    /// [`crate::stdlib::LibState`].
    pub libs: crate::stdlib::LibState,
    /// The interpreter's current slow path may yield through a metamethod.
    pub(crate) mm_resumable: bool,
    /// `warn("@on")` state.
    pub warnings_on: bool,
    /// Embedder state that natives reach through `&mut Vm` (natives are plain
    /// `fn` pointers, so they cannot capture it). The package runtime keeps
    /// its slot manager here for `require`; downcast with
    /// `host_data.as_ref()?.downcast_ref::<T>()`. `None` by default. It is
    /// not a GC root: guest values must not be stored in it.
    pub host_data: Option<Box<dyn std::any::Any>>,
    /// Interpreter side of the JIT.
    pub jit: JitHooks,
}

impl Vm {
    /// Creates an isolate with an empty global table and no library.
    pub fn new(opts: VmOptions) -> Result<Vm, VmError> {
        Vm::with_heap(Heap::new(opts.memory_limit))
    }

    /// Creates an isolate over a given (zeroed) heap, e.g. one in the linear
    /// memory of a Wasmtime store.
    pub fn with_heap(mut heap: Heap) -> Result<Vm, VmError> {
        let oom = |_| VmError::OutOfMemory;
        let globals = table::new_table(&mut heap, 0, 64).map_err(oom)?;
        let registry = table::new_table(&mut heap, 0, 8).map_err(oom)?;
        let mut tm_names = [0u32; 25];
        for (i, name) in TM_NAMES.iter().enumerate() {
            tm_names[i] = slot_offset(heap.new_string(name.as_bytes()).map_err(oom)?);
        }
        let main = thread::new_thread(&mut heap, 64, 16).map_err(oom)?;
        let mut vm = Vm {
            heap,
            protos: Vec::new(),
            natives: Vec::new(),
            globals: slot_offset(globals as u32),
            registry: slot_offset(registry as u32),
            string_meta: 0,
            tm_names,
            main_thread: main,
            thread: main,
            stack: 0,
            stack_size: 0,
            frames: 0,
            nframes: 0,
            frame_cap: 0,
            top: 0,
            error_value: Value::NIL,
            c_calls: 0,
            pcalls: 0,
            nny: 1,
            aux: Vec::new(),
            roots: Vec::new(),
            spare_value_vecs: Vec::new(),
            gc: gc::GcState::default(),
            out: Box::new(std::io::BufWriter::new(std::io::stdout())),
            profile: crate::profile::Profile::default(),
            yield_count: 0,
            next_fn: Value::NIL,
            ipairs_aux: Value::NIL,
            wrap_aux: 0,
            allow_binary_chunks: true,
            host_entry_native: 0,
            poisoned: false,
            libs: crate::stdlib::LibState::default(),
            mm_resumable: false,
            warnings_on: false,
            host_data: None,
            jit: JitHooks::default(),
        };
        let aux = vm.new_aux();
        tf::set_aux_id(&mut vm.heap, main, aux);
        tf::set_status(&mut vm.heap, main, thread::Status::Running);
        vm.load_thread_cache();
        vm.gc.threads.push(main);
        native::register_core(&mut vm);
        vm.gc.threshold = vm.heap.in_use_slots * 2 + 16 * 1024;
        Ok(vm)
    }

    pub(crate) fn new_aux(&mut self) -> u32 {
        if let Some(i) = self.aux.iter().position(Option::is_none) {
            self.aux[i] = Some(ThreadAux::default());
            return i as u32;
        }
        self.aux.push(Some(ThreadAux::default()));
        (self.aux.len() - 1) as u32
    }

    pub(crate) fn aux_mut(&mut self, t: usize) -> &mut ThreadAux {
        let id = tf::aux_id(&self.heap, t) as usize;
        if self.aux.len() <= id {
            self.aux.resize_with(id + 1, || None);
        }
        self.aux[id].get_or_insert_with(ThreadAux::default)
    }

    /// Loads the running coroutine's hot fields into the Rust cache.
    pub(crate) fn load_thread_cache(&mut self) {
        let t = self.thread;
        self.stack = tf::stack(&self.heap, t);
        self.stack_size = tf::stack_size(&self.heap, t);
        self.frames = tf::frames(&self.heap, t);
        self.frame_cap = tf::frame_cap(&self.heap, t);
        self.nframes = tf::frame_count(&self.heap, t);
        self.top = tf::top(&self.heap, t);
        self.pcalls = self.aux_mut(t).pcalls;
    }

    /// Writes the cached hot fields back into the running coroutine object.
    pub(crate) fn save_thread_cache(&mut self) {
        let t = self.thread;
        tf::set_top(&mut self.heap, t, self.top);
        tf::set_frame_count(&mut self.heap, t, self.nframes);
        let pcalls = self.pcalls;
        self.aux_mut(t).pcalls = pcalls;
    }

    // -- value helpers -------------------------------------------------------------

    /// Creates a string value.
    pub fn new_string(&mut self, s: &[u8]) -> Result<Value, Throw> {
        self.maybe_gc();
        match self.heap.new_string(s) {
            Ok(i) => Ok(Value::object(TAG_STR, slot_offset(i))),
            Err(_) => Err(self.out_of_memory()),
        }
    }

    /// Creates a table value.
    pub fn new_table(&mut self, narray: u32, nhash: u32) -> Result<Value, Throw> {
        self.maybe_gc();
        match table::new_table(&mut self.heap, narray, nhash) {
            Ok(t) => Ok(Value::object(TAG_TABLE, slot_offset(t as u32))),
            Err(_) => Err(self.out_of_memory()),
        }
    }

    /// Bytes of a string value (empty for non-strings).
    pub fn str_bytes(&self, v: Value) -> &[u8] {
        if v.is_string() {
            self.heap.str_bytes(slot_index(v.offset()))
        } else {
            &[]
        }
    }

    /// Raw get.
    pub fn raw_get(&self, t: Value, k: Value) -> Value {
        table::get(&self.heap, slot_index(t.offset()), k)
    }

    /// Raw get with a string key.
    pub fn raw_get_str(&mut self, t: Value, k: &str) -> Result<Value, Throw> {
        let key = self.new_string(k.as_bytes())?;
        Ok(self.raw_get(t, key))
    }

    /// Raw set (errors for nil/NaN keys and memory exhaustion).
    pub fn raw_set(&mut self, t: Value, k: Value, v: Value) -> Result<(), Throw> {
        self.maybe_gc_with(&[t, k, v]);
        match table::set(&mut self.heap, slot_index(t.offset()), k, v) {
            Ok(()) => Ok(()),
            Err(table::TableError::NilKey) => Err(self.rt_error("table index is nil")),
            Err(table::TableError::NanKey) => Err(self.rt_error("table index is NaN")),
            Err(table::TableError::OutOfMemory) => Err(self.out_of_memory()),
        }
    }

    /// Raw set with a string key.
    pub fn raw_set_str(&mut self, t: Value, k: &str, v: Value) -> Result<(), Throw> {
        self.roots.push(v);
        let key = self.new_string(k.as_bytes());
        self.roots.pop();
        self.raw_set(t, key?, v)
    }

    /// The globals table as a value.
    pub fn globals_value(&self) -> Value {
        Value::object(TAG_TABLE, self.globals)
    }

    /// Sets a global variable.
    pub fn set_global(&mut self, name: &str, v: Value) -> Result<(), Throw> {
        let g = self.globals_value();
        self.raw_set_str(g, name, v)
    }

    /// Reads a global variable.
    pub fn get_global(&mut self, name: &str) -> Result<Value, Throw> {
        let g = self.globals_value();
        self.raw_get_str(g, name)
    }

    // -- loading code ------------------------------------------------------------

    /// Loads a (verified) proto tree; returns the id of its root.
    pub fn load_proto(&mut self, proto: Rc<Proto>) -> Result<u32, Throw> {
        let mut children = Vec::with_capacity(proto.protos.len());
        for child in &proto.protos {
            children.push(self.load_proto(Rc::new(child.clone()))?);
        }
        // Strings created here are rooted until the proto is registered.
        let mark = self.roots.len();
        let mut k = Vec::with_capacity(proto.constants.len());
        for c in &proto.constants {
            let v = match c {
                Constant::Nil => Value::NIL,
                Constant::Bool(b) => Value::bool(*b),
                Constant::Int(i) => Value::int(*i),
                Constant::Float(f) => Value::float(*f),
                Constant::Str(s) => match self.new_string(s) {
                    Ok(v) => {
                        self.roots.push(v);
                        v
                    }
                    Err(e) => {
                        self.roots.truncate(mark);
                        return Err(e);
                    }
                },
            };
            k.push(v);
        }
        self.roots.truncate(mark);
        let id = self.protos.len() as u32;
        self.profile.add_proto(proto.code.len());
        self.protos.push(Rc::new(LoadedProto {
            id,
            num_params: proto.num_params as u32,
            max_stack: proto.max_stack_size as u32,
            code: proto.code.clone().into_boxed_slice(),
            k: k.into_boxed_slice(),
            children: children.into_boxed_slice(),
            proto,
        }));
        Ok(id)
    }

    /// Byte address of proto `id`'s constants in guest memory: 16-byte
    /// values in constant order (the array part of a table only the VM
    /// references), made on first request. Compiled code gets the address
    /// as an imported global, so a cached module stays valid in any run.
    /// A proto without constants has address 0.
    pub fn guest_constants(&mut self, id: u32) -> Result<u32, Throw> {
        let i = id as usize;
        if let Some(&t) = self.jit.constant_tables.get(i)
            && t != 0
        {
            return Ok(table::array_address(&self.heap, slot_index(t)));
        }
        let p = self.protos[i].clone();
        if p.k.is_empty() {
            return Ok(0);
        }
        let t = self.new_table(p.k.len() as u32, 0)?;
        let ti = slot_index(t.offset());
        for (n, v) in p.k.iter().enumerate() {
            // Inside the array part just sized for them: cannot fail.
            if table::set_int(&mut self.heap, ti, n as i64 + 1, *v).is_err() {
                return Err(self.out_of_memory());
            }
        }
        if self.jit.constant_tables.len() <= i {
            self.jit.constant_tables.resize(i + 1, 0);
        }
        self.jit.constant_tables[i] = t.offset();
        Ok(table::array_address(&self.heap, ti))
    }

    /// Loads a main chunk and returns a closure for it whose `_ENV` is the globals table.
    pub fn load_main(&mut self, proto: Proto) -> Result<Value, Throw> {
        let id = self.load_proto(Rc::new(proto))?;
        let g = self.globals_value();
        closure::new_main_closure(self, id, g)
    }

    /// The loaded proto with id `id`.
    pub fn proto(&self, id: u32) -> &Rc<LoadedProto> {
        &self.protos[id as usize]
    }

    /// Number of loaded protos (the code-table size).
    pub fn proto_count(&self) -> usize {
        self.protos.len()
    }

    /// Metamethod `name` of `v` (nil if none), for events outside [`Tm`].
    pub fn get_tm_by_name(&mut self, v: Value, name: &str) -> Result<Value, Throw> {
        match self.metatable_of(v) {
            None => Ok(Value::NIL),
            Some(mt) => {
                let key = self.new_string(name.as_bytes())?;
                Ok(table::get(&self.heap, slot_index(mt), key))
            }
        }
    }

    /// Upvalue `i` (0-based) of the native closure being called.
    pub fn native_upvalue(&self, a: Args, i: u32) -> Value {
        let f = self.stk(a.func);
        if f.tag() != TAG_NCLOSURE {
            return Value::NIL;
        }
        let nc = slot_index(f.offset());
        if i >= closure::native_closure::nupvals(&self.heap, nc) {
            return Value::NIL;
        }
        self.heap.get(closure::native_closure::upval_slot(nc, i))
    }

    /// Creates a full userdata carrying the host value `payload`, with
    /// metatable `mt` (a table value, or nil for none).
    pub fn new_userdata(&mut self, payload: u64, mt: Value) -> Result<Value, Throw> {
        self.maybe_gc_with(&[mt]);
        match self.heap.alloc(2, KIND_USERDATA, 0) {
            Ok(u) => {
                let mto = if mt.is_table() { mt.offset() } else { 0 };
                self.heap.mem[u as usize].hi = mto as u64;
                self.heap.mem[u as usize + 1] = Slot { lo: payload, hi: 0 };
                Ok(Value::object(TAG_USERDATA, slot_offset(u)))
            }
            Err(_) => Err(self.out_of_memory()),
        }
    }

    /// The host value of a full userdata (`None` for other values).
    pub fn userdata_payload(&self, v: Value) -> Option<u64> {
        (v.tag() == TAG_USERDATA).then(|| self.heap.mem[slot_index(v.offset()) + 1].lo)
    }

    /// The main coroutine as a value.
    pub fn main_thread_value(&self) -> Value {
        Value::object(TAG_THREAD, slot_offset(self.main_thread as u32))
    }

    /// Flushes buffered output.
    pub fn flush(&mut self) {
        let _ = self.out.flush();
    }
}

use std::io::Write as _;
