//! Tier policy, compilation and installation of compiled code.
//!
//! Tier 0 counts calls and loop back-edges per proto ([`crate::profile`]);
//! a proto that crosses its threshold is queued in `Profile::hot`. At the
//! next safe point (a driver about to run the interpreter) the queue is
//! compiled as one batch module by the baseline engine, the artifact is
//! loaded into the runtime engine, instantiated against the isolate's memory
//! and code table, and each function is installed into its proto's table
//! slot with `Table::set` — from then on the interpreter enters it.
//!
//! `--tier=baseline` compiles every proto before its first call
//! (threshold 0); `--tier=interp` never compiles.

use std::sync::Arc;
use std::time::{Duration, Instant};

use wasmtime::{
    AsContextMut, Global, GlobalType, Instance, Module, Mutability, Ref, StoreContextMut, Val,
    ValType,
};

use sha2::{Digest, Sha256};

use crate::bytecode::isa::OpCode;
use crate::cache::{Cache, CacheKey, KeyParts};
use crate::codegen::baseline::{BatchFunction, compile_batch};
use crate::engine::Engines;
use crate::engine::isolate::{IsolateData, sync_code_table};
use crate::vm::Vm;

pub mod worker;

/// Version of the code generators, part of every cache key: bump it when
/// generated code changes meaning for the same bytecode.
pub const CODEGEN_VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "+baseline.6");

/// Cache tier byte of baseline artifacts.
const CACHE_TIER_BASELINE: u8 = 1;

/// Which tiers may run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TierMode {
    /// Interpreter only.
    Interp,
    /// Every function compiled by the baseline tier before it first runs.
    Baseline,
    /// Interpreter first; hot functions are compiled.
    #[default]
    Auto,
}

/// Tier policy settings.
#[derive(Clone, Debug)]
pub struct JitOptions {
    /// Which tiers may run.
    pub tier: TierMode,
    /// Calls after which a function is compiled (auto mode).
    pub call_threshold: u64,
    /// Loop back-edges after which a function is compiled (auto mode).
    pub backedge_threshold: u64,
    /// Auto mode compiles on the running thread, at the moment a function
    /// gets hot, instead of on the compile worker: slower to run, but tier-up
    /// (and on-stack replacement) happens at the same point every run, which
    /// is what reproducing a tier-up problem needs.
    pub synchronous: bool,
}

impl Default for JitOptions {
    fn default() -> Self {
        JitOptions {
            tier: TierMode::Auto,
            call_threshold: 10,
            backedge_threshold: 1000,
            synchronous: false,
        }
    }
}

/// Metrics of one isolate's JIT (`slotjit run --stats`).
#[derive(Clone, Debug, Default)]
pub struct JitStats {
    /// Batch modules compiled by the baseline tier.
    pub baseline_modules: u64,
    /// Functions compiled by the baseline tier.
    pub baseline_functions: u64,
    /// Time spent generating Wasm and compiling it to native code.
    pub compile_time: Duration,
    /// Bytes of Wasm generated.
    pub wasm_bytes: u64,
    /// Bytes of native artifacts produced.
    pub artifact_bytes: u64,
    /// Code-table installs (`Table::set`).
    pub installs: u64,
    /// Batches that found the isolate's instance limit reached; their
    /// functions run interpreted until the next recycle.
    pub deferred_batches: u64,
    /// Isolate recycles: the store rebuilt around one module holding every
    /// compiled function (see `Isolate::recycle`).
    pub recycles: u64,
    /// Recycles that could not be done (pool full, compile failure).
    pub recycle_failures: u64,
    /// Functions whose compilation failed (they stay in the interpreter).
    pub failures: u64,
    /// Interpreter-to-compiled-code entries.
    pub native_calls: u64,
    /// Of those, entries into a running frame at a loop head (on-stack
    /// replacement: a loop that got hot goes on in compiled code).
    pub loop_entries: u64,
    /// Batches handed to the compile worker (`--tier=auto`); their
    /// Cranelift time is in `compile_time`, spent off the running thread.
    pub background_compiles: u64,
    /// Batch modules loaded from the persistent cache (not compiled).
    pub cache_hits: u64,
    /// Batch modules not found in the cache (then compiled and stored).
    pub cache_misses: u64,
    /// Cached artifacts Wasmtime refused to load (recompiled and replaced).
    pub cache_rejected: u64,
    /// Time spent loading cached artifacts.
    pub cache_load_time: Duration,
    /// Bad cache entries found and deleted (this process's cache handle).
    pub cache_corrupt_evictions: u64,
    /// Cache entries evicted to stay within the size budget.
    pub cache_lru_evictions: u64,
    /// Peak guest memory in bytes (filled in by [`JitState::stats`]).
    pub peak_memory: u64,
    /// Instructions compiled code handed to the interpreter (`step`), per
    /// opcode number: where baseline code leaves its fast paths.
    pub steps_by_opcode: Vec<u64>,
    /// Calls from compiled code into interpreted functions (through the
    /// trampoline in their code-table slot).
    pub trampoline_entries: u64,
    /// Native (Rust) library functions called directly by compiled code.
    pub native_fn_calls: u64,
    /// Time in compiled code, and outside it (interpreter, runtime,
    /// library, compilation), measured only with [`JitState::measure_tiers`].
    pub tier_time: Option<TierTime>,
}

/// Wall-clock time split between compiled code and everything else.
#[derive(Clone, Copy, Debug, Default)]
pub struct TierTime {
    /// In compiled (Wasm) code, exclusive of the host calls it makes.
    pub native: Duration,
    /// Everywhere else while the isolate ran code.
    pub other: Duration,
}

/// Switches the wall clock between "in compiled code" and "elsewhere" at
/// every tier transition. Off by default: two clock reads per transition
/// are noticeable when compiled code calls the runtime millions of times.
#[derive(Debug)]
struct TierClock {
    since: Instant,
    in_native: bool,
    time: TierTime,
}

impl JitStats {
    /// Counts one `step` of the instruction with opcode number `op`.
    #[inline]
    pub(crate) fn count_step(&mut self, op: u8) {
        let i = op as usize;
        if self.steps_by_opcode.len() <= i {
            self.steps_by_opcode.resize(i + 1, 0);
        }
        self.steps_by_opcode[i] += 1;
    }

    /// Total `step` calls.
    pub fn steps(&self) -> u64 {
        self.steps_by_opcode.iter().sum()
    }
}

impl std::fmt::Display for JitStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "slotjit stats:")?;
        writeln!(
            f,
            "  baseline: {} functions in {} modules ({} compiled in the background), {:.2} ms compiling, {} B wasm, {} B native artifacts",
            self.baseline_functions,
            self.baseline_modules,
            self.background_compiles,
            self.compile_time.as_secs_f64() * 1000.0,
            self.wasm_bytes,
            self.artifact_bytes
        )?;
        writeln!(
            f,
            "  cache: {} hits, {} misses, {} rejected, {:.2} ms loading, {} corrupt evicted, {} LRU evicted",
            self.cache_hits,
            self.cache_misses,
            self.cache_rejected,
            self.cache_load_time.as_secs_f64() * 1000.0,
            self.cache_corrupt_evictions,
            self.cache_lru_evictions
        )?;
        writeln!(
            f,
            "  code-table installs: {} ({} batches deferred at the instance limit, {} recycles, {} failed)",
            self.installs, self.deferred_batches, self.recycles, self.recycle_failures
        )?;
        writeln!(f, "  compile failures: {}", self.failures)?;
        writeln!(
            f,
            "  tier transitions: interpreter -> native {} ({} at loop heads), native -> interpreted function {}, native -> library function {}",
            self.native_calls, self.loop_entries, self.trampoline_entries, self.native_fn_calls
        )?;
        if let Some(t) = self.tier_time {
            let total = (t.native + t.other).as_secs_f64();
            let share = if total > 0.0 {
                100.0 * t.native.as_secs_f64() / total
            } else {
                0.0
            };
            writeln!(
                f,
                "  time: {:.2} ms in compiled code ({share:.0}%), {:.2} ms in the interpreter and runtime",
                t.native.as_secs_f64() * 1000.0,
                t.other.as_secs_f64() * 1000.0
            )?;
        }
        let mut busiest: Vec<(u64, &str)> = self
            .steps_by_opcode
            .iter()
            .enumerate()
            .filter(|&(_, &n)| n > 0)
            .map(|(op, &n)| {
                let name = OpCode::from_u8(op as u8).map_or("?", OpCode::name);
                (n, name)
            })
            .collect();
        busiest.sort_by(|a, b| b.cmp(a));
        let top: Vec<String> = busiest
            .iter()
            .take(6)
            .map(|(n, name)| format!("{name} {n}"))
            .collect();
        writeln!(
            f,
            "  native -> interpreter steps: {}{}",
            self.steps(),
            if top.is_empty() {
                String::new()
            } else {
                format!(" (most: {})", top.join(", "))
            }
        )?;
        writeln!(f, "  peak guest memory: {} B", self.peak_memory)
    }
}

/// JIT state of one isolate.
pub struct JitState {
    engines: Arc<Engines>,
    opts: JitOptions,
    /// Metrics.
    pub stats: JitStats,
    /// Current nesting of drivers (see `engine::host::MAX_NATIVE_NESTING`).
    pub(crate) nesting: u32,
    /// Wall-clock limit of each top-level call.
    pub time_limit: Option<Duration>,
    /// Protos already compiled or given up on.
    done: Vec<bool>,
    /// Instances created so far in the current store (bounded by the
    /// pool; see `Engines`).
    instances: u32,
    /// Protos whose batch found no instance room: compiled at the next
    /// recycle.
    deferred: Vec<u32>,
    /// Persistent artifact cache (shared by the process's isolates).
    pub(crate) cache: Option<Arc<Cache>>,
    /// Time per tier, when measured.
    clock: Option<TierClock>,
    /// Batches on the compile worker.
    in_flight: Vec<InFlight>,
    /// Tag of the next batch sent to the worker.
    next_tag: u64,
    /// Where the worker sends finished batches.
    replies: (
        std::sync::mpsc::Sender<worker::Finished>,
        std::sync::mpsc::Receiver<worker::Finished>,
    ),
}

impl JitState {
    /// Fresh state.
    pub fn new(engines: Arc<Engines>, opts: JitOptions) -> Self {
        JitState {
            engines,
            opts,
            stats: JitStats::default(),
            nesting: 0,
            time_limit: None,
            done: Vec::new(),
            instances: 0,
            deferred: Vec::new(),
            cache: None,
            clock: None,
            in_flight: Vec::new(),
            next_tag: 0,
            replies: std::sync::mpsc::channel(),
        }
    }

    /// Whether the isolate may instantiate one more compiled module.
    fn instance_room(&self) -> bool {
        self.instances < self.engines.limits.instances_per_isolate
    }

    /// Leaves `batch` interpreted until the next recycle.
    fn defer(&mut self, batch: &[u32]) {
        self.deferred.extend_from_slice(batch);
        self.stats.deferred_batches += 1;
    }

    /// Whether functions wait for a recycle of the isolate's store (never
    /// with a bound of zero instances: a new store would have no room
    /// either).
    pub(crate) fn wants_recycle(&self) -> bool {
        !self.deferred.is_empty() && self.engines.limits.instances_per_isolate > 0
    }

    /// Starts measuring time in compiled code against time elsewhere
    /// (reported in [`JitStats::tier_time`]). Costs two clock reads per
    /// tier transition.
    pub fn measure_tiers(&mut self) {
        self.clock = Some(TierClock {
            since: Instant::now(),
            in_native: false,
            time: TierTime::default(),
        });
    }

    /// Records a tier transition: into compiled code (`native`) or out of it.
    #[inline(always)]
    pub(crate) fn switch_tier(&mut self, native: bool) {
        if self.clock.is_some() {
            self.switch_tier_measured(native);
        }
    }

    #[cold]
    fn switch_tier_measured(&mut self, native: bool) {
        if let Some(c) = &mut self.clock {
            let now = Instant::now();
            let spent = now - c.since;
            if c.in_native {
                c.time.native += spent;
            } else {
                c.time.other += spent;
            }
            c.since = now;
            c.in_native = native;
        }
    }

    /// The process's engines.
    pub fn engines(&self) -> &Arc<Engines> {
        &self.engines
    }

    /// The options in effect.
    pub fn options(&self) -> &JitOptions {
        &self.opts
    }

    /// Metrics, with the VM's peak memory.
    pub fn stats(&self, vm: &Vm) -> JitStats {
        let mut s = self.stats.clone();
        s.peak_memory = vm.heap.peak_bytes();
        s.tier_time = self.clock.as_ref().map(|c| {
            let mut t = c.time;
            // The current stretch, up to now.
            let open = c.since.elapsed();
            if c.in_native {
                t.native += open;
            } else {
                t.other += open;
            }
            t
        });
        if let Some(cs) = self.cache.as_ref().and_then(|c| c.stats().ok()) {
            s.cache_corrupt_evictions = cs.corrupt_evictions;
            s.cache_lru_evictions = cs.lru_evictions;
        }
        s
    }

    /// Sets the profile thresholds of `vm` for this policy.
    pub fn configure(&self, vm: &mut Vm) {
        let (c, b) = match self.opts.tier {
            TierMode::Interp | TierMode::Baseline => (u64::MAX, u64::MAX),
            TierMode::Auto => (
                self.opts.call_threshold.max(1),
                self.opts.backedge_threshold.max(1),
            ),
        };
        vm.profile.call_threshold = c;
        vm.profile.backedge_threshold = b;
    }
}

/// `chunk:line:function` of a proto, for the name section.
pub fn function_name(p: &crate::bytecode::Proto) -> String {
    let chunk = p.source.trim_start_matches(['@', '=']);
    if p.line_defined == 0 {
        format!("{chunk}:0:main")
    } else {
        format!("{chunk}:{}:function", p.line_defined)
    }
}

/// The cache key of a baseline module: the generated Wasm (a function of the
/// protos and the generator), the generator version and the runtime
/// engine's compatibility hash.
pub fn baseline_cache_key(engines: &Engines, wasm: &[u8]) -> CacheKey {
    let wasm_hash: [u8; 32] = Sha256::digest(wasm).into();
    CacheKey::derive(&KeyParts {
        codegen_version: CODEGEN_VERSION,
        engine_hash: &engines.compat_hash,
        tier: CACHE_TIER_BASELINE,
        proto_hash: &wasm_hash,
        plan_hash: &[0; 32],
    })
}

/// Compiles and installs whatever the policy asks for now, and installs
/// what the compile worker has finished. Never fails: a function that
/// cannot be compiled stays in the interpreter (counted in
/// [`JitStats::failures`]).
#[inline]
pub(crate) fn compile_pending<C: AsContextMut<Data = IsolateData>>(cx: &mut C) {
    let mut cx = cx.as_context_mut();
    let data = cx.data_mut();
    let finished = data.vm.jit.installs_waiting();
    // The common case, checked first: nothing new to compile or install.
    if !finished
        && data.vm.profile.hot.is_empty()
        && (data.jit.opts.tier != TierMode::Baseline || data.jit.done.len() >= data.vm.protos.len())
    {
        return;
    }
    if finished {
        install_finished(&mut cx);
    }
    let data = cx.data_mut();
    let hot = std::mem::take(&mut data.vm.profile.hot);
    if data.jit.opts.tier == TierMode::Interp || data.rt.is_none() {
        return;
    }
    let n = data.vm.protos.len();
    if data.jit.done.len() < n {
        data.jit.done.resize(n, false);
    }
    let mut batch: Vec<u32> = Vec::new();
    if data.jit.opts.tier == TierMode::Baseline {
        batch.extend((0..n as u32).filter(|&id| !data.jit.done[id as usize]));
    } else {
        for id in hot {
            if !data.jit.done[id as usize] && !batch.contains(&id) {
                batch.push(id);
            }
        }
    }
    if batch.is_empty() {
        return;
    }
    for &id in &batch {
        data.jit.done[id as usize] = true;
    }
    let n = batch.len();
    if let Err(e) = compile_batch_now_or_later(&mut cx, batch) {
        fail(&mut cx, n, &e);
    }
}

fn fail(cx: &mut StoreContextMut<'_, IsolateData>, n: usize, why: &str) {
    let jit = &mut cx.data_mut().jit;
    jit.stats.failures += n as u64;
    if jit.stats.failures == n as u64 {
        // Said once per isolate; the functions keep running in tier 0.
        eprintln!("slotjit: SJ-JIT-COMPILE: {why} (continuing in the interpreter)");
    }
}

/// A batch the compile worker is working on.
struct InFlight {
    tag: u64,
    batch: Vec<u32>,
    key: CacheKey,
    wasm_bytes: usize,
}

/// Generates the batch's module; installs it from the cache, or compiles it
/// here (`--tier=baseline`: code must exist before the first call) or on the
/// compile worker (`--tier=auto`: the interpreter goes on meanwhile).
fn compile_batch_now_or_later(
    cx: &mut StoreContextMut<'_, IsolateData>,
    batch: Vec<u32>,
) -> Result<(), String> {
    let data = cx.data_mut();
    if !data.jit.instance_room() {
        data.jit.defer(&batch);
        return Ok(());
    }
    match batch_module(cx, &batch, false)? {
        BatchModule::Ready(module) => install(cx, &batch, &module),
        BatchModule::Compiling => Ok(()),
        BatchModule::Compiled(c) => load_compiled(cx, &batch, &c),
    }
}

/// What [`batch_module`] made of a batch.
enum BatchModule {
    /// Loaded from the persistent cache.
    Ready(Module),
    /// Compiled here, to be stored in the cache and loaded.
    Compiled(CompiledBatch),
    /// Handed to the compile worker.
    Compiling,
}

/// A batch's native artifact, fresh from Cranelift.
struct CompiledBatch {
    artifact: Vec<u8>,
    key: CacheKey,
    wasm_bytes: usize,
    compile_time: Duration,
}

/// Generates the batch's module and finds it in the cache, compiles it
/// here, or (`--tier=auto` without `--jit-sync`, unless `now`) hands it to
/// the compile worker, for [`install_finished`] to pick up.
fn batch_module(
    cx: &mut StoreContextMut<'_, IsolateData>,
    batch: &[u32],
    now: bool,
) -> Result<BatchModule, String> {
    let t0 = Instant::now();
    let data = cx.data_mut();
    let names: Vec<String> = batch
        .iter()
        .map(|&id| function_name(&data.vm.protos[id as usize].proto))
        .collect();
    let protos: Vec<_> = batch
        .iter()
        .map(|&id| data.vm.protos[id as usize].proto.clone())
        .collect();
    let funcs: Vec<BatchFunction<'_>> = protos
        .iter()
        .zip(&names)
        .map(|(p, n)| BatchFunction {
            proto: p,
            name: n.clone(),
        })
        .collect();
    let mut wasm = compile_batch(&funcs);
    let engines = data.jit.engines.clone();
    let key = baseline_cache_key(&engines, &wasm);
    if let Some(module) = cached_module(cx, &key) {
        return Ok(BatchModule::Ready(module));
    }
    let data = cx.data_mut();
    if !now && data.jit.opts.tier == TierMode::Auto && !data.jit.opts.synchronous {
        let tag = data.jit.next_tag;
        data.jit.next_tag += 1;
        let wasm_bytes = wasm.len();
        let reply = data.jit.replies.0.clone();
        let ready = data.vm.jit.ready.clone();
        match engines.worker.submit(wasm, tag, reply, ready) {
            Ok(()) => {
                data.jit.in_flight.push(InFlight {
                    tag,
                    batch: batch.to_vec(),
                    key,
                    wasm_bytes,
                });
                data.jit.stats.background_compiles += 1;
                data.jit.stats.compile_time += t0.elapsed();
                return Ok(BatchModule::Compiling);
            }
            // No worker: compile here.
            Err(back) => wasm = back,
        }
    }
    let artifact = engines
        .baseline
        .precompile_module(&wasm)
        .map_err(|e| format!("baseline compile failed: {e:#}"))?;
    Ok(BatchModule::Compiled(CompiledBatch {
        artifact,
        key,
        wasm_bytes: wasm.len(),
        compile_time: t0.elapsed(),
    }))
}

/// The one module a recycled store starts with: every function that has
/// compiled code plus the deferred ones, found in the cache or compiled on
/// this thread. Returns the protos in it and the module, loaded into the
/// runtime engine; on failure the deferred functions stay interpreted.
pub(crate) fn merged_module(
    cx: &mut StoreContextMut<'_, IsolateData>,
) -> Result<(Vec<u32>, Module), String> {
    let data = cx.data_mut();
    let mut ids: Vec<u32> = (0..data.vm.protos.len() as u32)
        .filter(|&id| data.vm.jit.is_compiled(id))
        .collect();
    let deferred = std::mem::take(&mut data.jit.deferred);
    ids.extend(&deferred);
    ids.sort_unstable();
    ids.dedup();
    let r = match batch_module(cx, &ids, true) {
        Ok(BatchModule::Ready(module)) => Ok(module),
        Ok(BatchModule::Compiled(c)) => load_artifact(cx, ids.len(), &c),
        Ok(BatchModule::Compiling) => Err("the merged module went to the worker".to_string()),
        Err(e) => Err(e),
    };
    match r {
        Ok(module) => Ok((ids, module)),
        Err(e) => {
            fail(cx, deferred.len(), &e);
            Err(e)
        }
    }
}

/// Installs the merged module of a recycle into the isolate's fresh store
/// (whose code table holds only trampolines): `ids` run compiled again.
pub(crate) fn install_merged(
    cx: &mut StoreContextMut<'_, IsolateData>,
    ids: &[u32],
    module: &Module,
) -> Result<(), String> {
    let data = cx.data_mut();
    data.jit.instances = 0;
    data.jit.stats.recycles += 1;
    data.vm.jit.clear_compiled();
    install(cx, ids, module)
}

/// Installs every batch the compile worker has finished.
fn install_finished(cx: &mut StoreContextMut<'_, IsolateData>) {
    let data = cx.data_mut();
    data.vm
        .jit
        .ready
        .store(false, std::sync::atomic::Ordering::Relaxed);
    while let Ok(done) = cx.data_mut().jit.replies.1.try_recv() {
        let jit = &mut cx.data_mut().jit;
        let Some(at) = jit.in_flight.iter().position(|f| f.tag == done.tag) else {
            continue;
        };
        let job = jit.in_flight.swap_remove(at);
        let r = done.artifact.and_then(|artifact| {
            let compiled = CompiledBatch {
                artifact,
                key: job.key,
                wasm_bytes: job.wasm_bytes,
                compile_time: done.compile_time,
            };
            load_compiled(cx, &job.batch, &compiled)
        });
        if let Err(e) = r {
            fail(cx, job.batch.len(), &e);
        }
    }
}

/// The module for `key` from the persistent cache, if it has a good one.
fn cached_module(cx: &mut StoreContextMut<'_, IsolateData>, key: &CacheKey) -> Option<Module> {
    let data = cx.data_mut();
    let cache = data.jit.cache.clone()?;
    let engines = data.jit.engines.clone();
    let t = Instant::now();
    // A read error is a miss: compiling is always possible.
    let Ok(Some(entry)) = cache.get(key) else {
        cx.data_mut().jit.stats.cache_misses += 1;
        return None;
    };
    // SAFETY: the entry passed the cache's SHA-256 checksum and key check,
    // so these are the bytes this code generator stored after
    // `precompile_module` with an engine of the same compatibility hash
    // (part of the key); Wasmtime still checks its own header and refuses
    // artifacts of another engine configuration.
    match unsafe { Module::deserialize(&engines.runtime, &entry.artifact) } {
        Ok(m) => {
            let s = &mut cx.data_mut().jit.stats;
            s.cache_hits += 1;
            s.cache_load_time += t.elapsed();
            Some(m)
        }
        Err(_) => {
            cx.data_mut().jit.stats.cache_rejected += 1;
            None
        }
    }
}

/// Stores a freshly compiled artifact in the cache, loads it into the
/// runtime engine and installs it.
fn load_compiled(
    cx: &mut StoreContextMut<'_, IsolateData>,
    batch: &[u32],
    compiled: &CompiledBatch,
) -> Result<(), String> {
    let module = load_artifact(cx, batch.len(), compiled)?;
    install(cx, batch, &module)
}

/// Stores a freshly compiled artifact of `functions` functions in the
/// cache and loads it into the runtime engine.
fn load_artifact(
    cx: &mut StoreContextMut<'_, IsolateData>,
    functions: usize,
    compiled: &CompiledBatch,
) -> Result<Module, String> {
    let data = cx.data_mut();
    let engines = data.jit.engines.clone();
    if let Some(cache) = &data.jit.cache {
        // Best effort: a full disk only costs the next run a compile.
        let _ = cache.put(&compiled.key, &compiled.artifact, &[]);
    }
    // SAFETY: `artifact` was produced in this process by an engine built
    // from the same configuration as the runtime engine
    // (`engine::base_config`); it is not untrusted input.
    let module = unsafe { Module::deserialize(&engines.runtime, &compiled.artifact) }
        .map_err(|e| format!("cannot load compiled code: {e}"))?;
    let s = &mut cx.data_mut().jit.stats;
    s.baseline_modules += 1;
    s.baseline_functions += functions as u64;
    s.wasm_bytes += compiled.wasm_bytes as u64;
    s.artifact_bytes += compiled.artifact.len() as u64;
    s.compile_time += compiled.compile_time;
    Ok(module)
}

/// Instantiates `module` against the isolate's memory, code table and the
/// functions' constants, and installs each function in its proto's slot.
fn install(
    cx: &mut StoreContextMut<'_, IsolateData>,
    batch: &[u32],
    module: &Module,
) -> Result<(), String> {
    if !cx.data().jit.instance_room() {
        cx.data_mut().jit.defer(batch);
        return Ok(());
    }
    sync_code_table(cx)?;
    // Import order: the function imports, memory, code table, then the
    // address of each function's constants (`codegen::baseline::compile_batch`).
    let (mut imports, table) = {
        let rt = cx.data().rt.as_ref().ok_or("no runtime handles")?;
        let mut imports: Vec<wasmtime::Extern> = rt.imports.iter().map(|&f| f.into()).collect();
        imports.push(rt.memory.into());
        imports.push(rt.table.into());
        (imports, rt.table)
    };
    for &id in batch {
        let address =
            cx.data_mut().vm.guest_constants(id).map_err(|_| {
                "no guest memory left for the constants of compiled code".to_string()
            })?;
        let ty = GlobalType::new(ValType::I32, Mutability::Const);
        let global = Global::new(&mut *cx, ty, Val::I32(address as i32))
            .map_err(|e| format!("cannot create a constants global: {e}"))?;
        imports.push(global.into());
    }
    let instance = Instance::new(&mut *cx, module, &imports)
        .map_err(|e| format!("cannot instantiate compiled code: {e}"))?;
    cx.data_mut().jit.instances += 1;
    for (i, &id) in batch.iter().enumerate() {
        let name = crate::codegen::export_name(i);
        let f = instance
            .get_typed_func::<(), ()>(&mut *cx, &name)
            .map_err(|e| format!("compiled module lacks {name}: {e}"))?;
        table
            .set(&mut *cx, id as u64, Ref::Func(Some(*f.func())))
            .map_err(|e| format!("cannot install into the code table: {e}"))?;
        let data = cx.data_mut();
        if let Some(rt) = data.rt.as_mut()
            && let Some(slot) = rt.entries.get_mut(id as usize)
        {
            *slot = Some(std::rc::Rc::new(f));
        }
        data.vm.jit.set_compiled(id);
        data.jit.stats.installs += 1;
    }
    Ok(())
}
