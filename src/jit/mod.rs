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

use wasmtime::{AsContextMut, Instance, Module, Ref, StoreContextMut};

use crate::codegen::baseline::{BatchFunction, compile_batch};
use crate::engine::Engines;
use crate::engine::isolate::{IsolateData, sync_code_table};
use crate::vm::Vm;

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
}

impl Default for JitOptions {
    fn default() -> Self {
        JitOptions {
            tier: TierMode::Auto,
            call_threshold: 10,
            backedge_threshold: 1000,
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
    /// Functions whose compilation failed (they stay in the interpreter).
    pub failures: u64,
    /// Interpreter-to-compiled-code entries.
    pub native_calls: u64,
    /// Peak guest memory in bytes (filled in by [`JitState::stats`]).
    pub peak_memory: u64,
}

impl std::fmt::Display for JitStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "slotjit stats:")?;
        writeln!(
            f,
            "  baseline: {} functions in {} modules, {:.2} ms compiling, {} B wasm, {} B native artifacts",
            self.baseline_functions,
            self.baseline_modules,
            self.compile_time.as_secs_f64() * 1000.0,
            self.wasm_bytes,
            self.artifact_bytes
        )?;
        writeln!(f, "  code-table installs: {}", self.installs)?;
        writeln!(f, "  compile failures: {}", self.failures)?;
        writeln!(f, "  interpreter -> native entries: {}", self.native_calls)?;
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
    /// Instances created so far (bounded by the pool; see `Engines`).
    instances: u32,
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
        }
    }

    /// The options in effect.
    pub fn options(&self) -> &JitOptions {
        &self.opts
    }

    /// Metrics, with the VM's peak memory.
    pub fn stats(&self, vm: &Vm) -> JitStats {
        let mut s = self.stats.clone();
        s.peak_memory = vm.heap.peak_bytes();
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

/// `chunk:line:function` for the name section.
fn function_name(vm: &Vm, id: u32) -> String {
    let p = &vm.protos[id as usize].proto;
    let chunk = p.source.trim_start_matches(['@', '=']);
    if p.line_defined == 0 {
        format!("{chunk}:0:main")
    } else {
        format!("{chunk}:{}:function", p.line_defined)
    }
}

/// Compiles and installs whatever the policy asks for now. Never fails: a
/// function that cannot be compiled stays in the interpreter (counted in
/// [`JitStats::failures`]).
pub(crate) fn compile_pending<C: AsContextMut<Data = IsolateData>>(cx: &mut C) {
    let mut cx = cx.as_context_mut();
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
    if let Err(e) = sync_code_table(&mut cx) {
        fail(&mut cx, batch.len(), &e);
        return;
    }
    if let Err(e) = compile_and_install(&mut cx, &batch) {
        fail(&mut cx, batch.len(), &e);
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

fn compile_and_install(
    cx: &mut StoreContextMut<'_, IsolateData>,
    batch: &[u32],
) -> Result<(), String> {
    let t0 = Instant::now();
    let data = cx.data_mut();
    if data.jit.instances >= data.jit.engines.limits.instances_per_isolate {
        return Err(format!(
            "instance limit of the isolate reached ({})",
            data.jit.instances
        ));
    }
    let names: Vec<String> = batch.iter().map(|&id| function_name(&data.vm, id)).collect();
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
    let wasm = compile_batch(&funcs);
    let engines = data.jit.engines.clone();
    let artifact = engines
        .baseline
        .precompile_module(&wasm)
        .map_err(|e| format!("baseline compile failed: {e}"))?;
    // SAFETY: `artifact` was produced just now, in this process, by an
    // engine built from the same configuration as the runtime engine
    // (`engine::base_config`); it is not untrusted input.
    let module = unsafe { Module::deserialize(&engines.runtime, &artifact) }
        .map_err(|e| format!("cannot load compiled code: {e}"))?;
    let (step, memory, table) = {
        let rt = cx.data().rt.as_ref().ok_or("no runtime handles")?;
        (rt.step, rt.memory, rt.table)
    };
    let instance = Instance::new(&mut *cx, &module, &[step.into(), memory.into(), table.into()])
        .map_err(|e| format!("cannot instantiate compiled code: {e}"))?;
    cx.data_mut().jit.instances += 1;
    for (i, &id) in batch.iter().enumerate() {
        let name = crate::codegen::export_name(i);
        let f = instance
            .get_typed_func::<i32, ()>(&mut *cx, &name)
            .map_err(|e| format!("compiled module lacks {name}: {e}"))?;
        table
            .set(&mut *cx, id as u64, Ref::Func(Some(*f.func())))
            .map_err(|e| format!("cannot install into the code table: {e}"))?;
        let data = cx.data_mut();
        if let Some(rt) = data.rt.as_mut()
            && let Some(slot) = rt.entries.get_mut(id as usize)
        {
            *slot = Some(f);
        }
        data.vm.jit.set_compiled(id);
        data.jit.stats.installs += 1;
    }
    let s = &mut cx.data_mut().jit.stats;
    s.baseline_modules += 1;
    s.baseline_functions += batch.len() as u64;
    s.wasm_bytes += wasm.len() as u64;
    s.artifact_bytes += artifact.len() as u64;
    s.compile_time += t0.elapsed();
    Ok(())
}
