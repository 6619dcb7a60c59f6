//! Wasmtime engines: the one runtime [`wasmtime::Engine`] every isolate's
//! `Store` belongs to, and the compile-only engine of the baseline tier.
//!
//! DESIGN decision 7: Wasmtime refuses modules from another engine in a
//! store, so tier engines only *compile* (`Engine::precompile_module`) and
//! the bytes are loaded into the runtime engine with `Module::deserialize`.
//! All engines come from [`base_config`]; only the Cranelift optimization
//! level differs, which Wasmtime treats as compatible. The same bytes are what
//! the persistent cache stores.
//!
//! Also here: the epoch ticker thread behind wall-clock deadlines.

pub mod host;
pub mod isolate;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sha2::{Digest, Sha256};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, OptLevel, PoolingAllocationConfig};

pub use isolate::{Isolate, IsolateOptions};

/// Milliseconds between two epoch ticks (the granularity of time limits).
pub const EPOCH_TICK_MS: u64 = 10;

/// Largest guest memory an isolate can have (offsets are 32-bit; Wasm pages
/// are 64 KiB, so this is 65,535 pages).
pub const MAX_MEMORY_BYTES: u64 = (u32::MAX as u64 + 1) - 65536;

/// Native stack available to compiled code and the host frames between its
/// activations. Calls between compiled functions nest on the native stack,
/// but only up to `host::MAX_NATIVE_NESTING` levels (deeper calls run in the
/// interpreter, which needs no native recursion), so this stays small enough
/// for any thread, including 2 MiB test threads.
pub const MAX_WASM_STACK: usize = 1 << 20;

/// Why native code is unavailable.
#[derive(Debug, Clone, thiserror::Error)]
pub enum EngineError {
    /// Wasmtime could not create an engine (unsupported host, bad config).
    #[error(
        "SJ-JIT-ENGINE: cannot create the native code engine: {0}\nremedy: run with --jit=off (the interpreter gives the same results), or report the host platform"
    )]
    Create(String),
    /// A store, memory or table could not be created for an isolate.
    #[error(
        "SJ-JIT-ISOLATE: cannot create an isolate: {0}\nremedy: lower --memory-limit or the number of isolates alive at once"
    )]
    Isolate(String),
}

impl EngineError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            EngineError::Create(_) => "SJ-JIT-ENGINE",
            EngineError::Isolate(_) => "SJ-JIT-ISOLATE",
        }
    }
}

/// Sizes of the pooling allocator.
#[derive(Clone, Copy, Debug)]
pub struct PoolLimits {
    /// Isolates (stores) alive at once.
    pub isolates: u32,
    /// Compiled modules instantiated per isolate (each batch of compiled
    /// functions is one instance; see the JIT's install policy).
    pub instances_per_isolate: u32,
    /// Largest guest memory of an isolate, in bytes.
    pub max_memory_bytes: u64,
    /// Code-table entries (loaded protos) per isolate.
    pub code_table_entries: u32,
}

impl Default for PoolLimits {
    fn default() -> Self {
        PoolLimits {
            isolates: 16,
            instances_per_isolate: 256,
            max_memory_bytes: MAX_MEMORY_BYTES,
            code_table_entries: 1 << 16,
        }
    }
}

/// The Wasmtime configuration every engine starts from.
pub fn base_config(opt: OptLevel) -> Config {
    let mut c = Config::new();
    c.cranelift_opt_level(opt);
    // Deadlines: compiled loops check the epoch; a ticker thread advances it.
    c.epoch_interruption(true);
    // The interpreter holds a view of the linear memory: it must never move.
    c.memory_may_move(false);
    c.memory_reservation(1 << 32);
    c.memory_reservation_for_growth(0);
    c.max_wasm_stack(MAX_WASM_STACK);
    c.wasm_backtrace_max_frames(None);
    // Baseline modules keep frame pushes and returns in small helper
    // functions (compact Wasm, quick to translate); inlining puts them back
    // into the call sites where Cranelift finds it worthwhile.
    c.compiler_inlining(wasmtime::Inlining::Yes);
    if let Some(strategy) = profiling_strategy() {
        c.profiler(strategy);
    }
    c
}

/// What `SLOTJIT_PERF_MAP` asks for (docs/performance.md, "Profiling
/// native code"): `1` writes /tmp/perf-PID.map so `perf report` names
/// compiled Lua functions; `jitdump` also records their code so `perf
/// annotate` can show it (with the `jitdump` cargo feature; without it,
/// the names only).
fn profiling_strategy() -> Option<wasmtime::ProfilingStrategy> {
    match std::env::var("SLOTJIT_PERF_MAP").ok()?.as_str() {
        "1" | "perfmap" => Some(wasmtime::ProfilingStrategy::PerfMap),
        "jitdump" if cfg!(feature = "jitdump") => Some(wasmtime::ProfilingStrategy::JitDump),
        "jitdump" => Some(wasmtime::ProfilingStrategy::PerfMap),
        _ => None,
    }
}

/// Hashes a Wasmtime `Hash` value into bytes (stable within one build of
/// slotjit and Wasmtime, which is all the cache key needs).
struct Sha256Hasher(Sha256);

impl std::hash::Hasher for Sha256Hasher {
    fn finish(&self) -> u64 {
        let d = self.0.clone().finalize();
        u64::from_le_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

/// The runtime engine plus the tier engines, shared by all isolates of a
/// process, and the epoch ticker.
pub struct Engines {
    /// Owns every store; loads compiled bytes.
    pub runtime: Engine,
    /// Compiles baseline code (templates; Cranelift `Speed` with inlining).
    pub baseline: Engine,
    /// SHA-256 of the runtime engine's compatibility hash (part of cache keys).
    pub compat_hash: [u8; 32],
    /// Pool sizes the runtime engine was built with.
    pub limits: PoolLimits,
    /// Ticks of the epoch ticker (the interpreter's deadline clock; Wasmtime
    /// keeps its own epoch, advanced in the same step).
    pub ticks: Arc<std::sync::atomic::AtomicU64>,
    ticker: Arc<AtomicBool>,
    /// Background compiles with the baseline engine (`--tier=auto`).
    pub(crate) worker: crate::jit::worker::CompileWorker,
}

impl Engines {
    /// Creates the engines and starts the epoch ticker.
    pub fn new(limits: PoolLimits) -> Result<Arc<Engines>, EngineError> {
        let mut pool = PoolingAllocationConfig::new();
        // Each isolate: one heap instance (memory + code table) plus compiled
        // module instances. One isolate's worth more for the store that a
        // recycling isolate builds while its old one still exists (if two
        // recycle at once, the second finds the pool full and waits for the
        // next call).
        let per = limits.instances_per_isolate + 1;
        let stores = limits.isolates + 1;
        pool.total_core_instances(stores * per);
        pool.total_memories(stores);
        pool.total_tables(stores);
        pool.max_memory_size(limits.max_memory_bytes as usize);
        pool.table_elements(limits.code_table_entries as usize);
        pool.max_memories_per_module(1);
        pool.max_tables_per_module(1);
        let mut runtime_cfg = base_config(OptLevel::Speed);
        runtime_cfg.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        let runtime = Engine::new(&runtime_cfg).map_err(|e| EngineError::Create(e.to_string()))?;
        // Baseline code is compiled optimized too: unoptimized Cranelift
        // reloads the imported memory's base for every access (measured in
        // docs/decisions.md, "Baseline is compiled by Cranelift `Speed`").
        let baseline = Engine::new(&base_config(OptLevel::Speed))
            .map_err(|e| EngineError::Create(e.to_string()))?;
        let mut h = Sha256Hasher(Sha256::new());
        std::hash::Hash::hash(&runtime.precompile_compatibility_hash(), &mut h);
        let compat_hash: [u8; 32] = h.0.finalize().into();
        let ticker = Arc::new(AtomicBool::new(true));
        let ticks = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let worker = crate::jit::worker::CompileWorker::start(baseline.clone())
            .map_err(|e| EngineError::Create(format!("cannot start the compile worker: {e}")))?;
        let engines = Arc::new(Engines {
            runtime,
            baseline,
            worker,
            compat_hash,
            limits,
            ticks: ticks.clone(),
            ticker: ticker.clone(),
        });
        let engine = engines.runtime.clone();
        std::thread::Builder::new()
            .name("slotjit-epoch".into())
            .spawn(move || {
                while ticker.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(EPOCH_TICK_MS));
                    engine.increment_epoch();
                    ticks.fetch_add(1, Ordering::Relaxed);
                }
            })
            .map_err(|e| EngineError::Create(format!("cannot start the epoch ticker: {e}")))?;
        Ok(engines)
    }
}

impl Drop for Engines {
    fn drop(&mut self) {
        self.ticker.store(false, Ordering::Relaxed);
    }
}
