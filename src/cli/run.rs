//! `slotjit run`: loads a script or compiled chunk into a fresh isolate with
//! the standard library and runs it the way `lua5.4 script.lua args...` does.

use std::path::{Path, PathBuf};

use clap::Args;

use slotjit::bytecode::Proto;
use slotjit::engine::{Engines, Isolate, IsolateOptions, PoolLimits};
use slotjit::jit::{JitOptions, TierMode};
use slotjit::vm::{Value, Vm, VmError, VmOptions};

use super::report;

/// Arguments of `slotjit run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// Execute this chunk of Lua code (like `lua5.4 -e`); the file is then optional.
    #[arg(short = 'e', value_name = "CHUNK")]
    execute: Option<String>,
    /// After the run, print the profile (call counts, back-edges, type feedback) to stderr.
    #[arg(long)]
    profile_dump: bool,
    /// Guest memory limit, e.g. `256M`, `2G` (default 1G).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    memory_limit: Option<u64>,
    /// Run with the `sandbox` library profile (see docs/sandbox.md): no
    /// process control, environment or file loading, and files only inside
    /// directories granted with --allow-dir.
    #[arg(long)]
    sandbox: bool,
    /// Grant the sandboxed script access to DIR (repeatable; implies nothing
    /// without --sandbox, where every path is reachable anyway).
    #[arg(long = "allow-dir", value_name = "DIR")]
    allow_dir: Vec<PathBuf>,
    /// Which tiers run: `interp` (interpreter only), `baseline` (every
    /// function compiled to native code before it first runs) or `auto`
    /// (interpreter first, hot functions compiled in the background; a hot
    /// loop of a function already running continues in compiled code).
    /// Results are identical.
    #[arg(long, value_enum, default_value_t = TierArg::Auto, value_name = "TIER")]
    tier: TierArg,
    /// `off`: no native code engine at all (the interpreter over a host
    /// memory arena); `on` (default) uses Wasmtime when the host supports it.
    #[arg(long, value_enum, default_value_t = JitSwitch::On, value_name = "on|off")]
    jit: JitSwitch,
    /// Calls after which a function is compiled in `--tier=auto` (loops
    /// count one call per 100 back-edges).
    #[arg(long, value_name = "N", default_value_t = 10)]
    jit_threshold: u64,
    /// In `--tier=auto`, compile hot functions on the running thread when
    /// they get hot instead of on the background worker: tier-up happens at
    /// the same point in every run (for reproducing problems; slower).
    #[arg(long)]
    jit_sync: bool,
    /// Wall-clock limit for the script; past it the run stops with
    /// SJ-JIT-EXEC-TIMEOUT, which `pcall` cannot catch. E.g. `500ms`, `10s`.
    #[arg(long, value_name = "TIME", value_parser = parse_duration)]
    time_limit: Option<std::time::Duration>,
    /// Directory of the persistent native-code cache (default:
    /// `$SLOTJIT_CACHE_DIR`, else `$XDG_CACHE_HOME/slotjit`, else
    /// `~/.cache/slotjit`). See `slotjit cache --help`.
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Neither read nor write the native-code cache (compile everything).
    #[arg(long)]
    no_cache: bool,
    /// After the run, print JIT metrics to stderr: compilations, time and
    /// bytes, code-table installs, native entries, peak guest memory.
    #[arg(long)]
    stats: bool,
    /// Script file (`.lua` or `.sbc`) followed by its arguments.
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "FILE [ARGS]"
    )]
    script: Vec<String>,
}

/// `--tier` values.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum TierArg {
    Interp,
    Baseline,
    Auto,
}

/// `--jit` values.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum JitSwitch {
    On,
    Off,
}

fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let bad = |e: std::num::ParseFloatError| format!("invalid time '{s}': {e}");
    let secs = if let Some(ms) = s.strip_suffix("ms") {
        ms.parse::<f64>().map_err(bad)? / 1000.0
    } else if let Some(sec) = s.strip_suffix('s') {
        sec.parse::<f64>().map_err(bad)?
    } else {
        s.parse::<f64>().map_err(bad)?
    };
    if !(secs.is_finite() && secs > 0.0) {
        return Err(format!("invalid time '{s}': must be positive"));
    }
    Ok(std::time::Duration::from_secs_f64(secs))
}

/// Where the script runs: a plain VM (tier 0 over a host arena) or an
/// isolate with native code.
enum Runner {
    Plain(Box<Vm>),
    Native(Box<Isolate>),
}

impl Runner {
    fn vm(&mut self) -> &mut Vm {
        match self {
            Runner::Plain(vm) => vm,
            Runner::Native(iso) => iso.vm_mut(),
        }
    }

    fn call_protected(&mut self, f: Value, args: &[Value]) -> Result<Vec<Value>, VmError> {
        match self {
            Runner::Plain(vm) => vm.call_protected(f, args),
            Runner::Native(iso) => iso.call_protected(f, args),
        }
    }
}

/// Creates the runner `a` asks for. Without a usable native engine the
/// reason is printed once and the interpreter runs everything.
fn make_runner(a: &RunArgs, memory_limit: u64) -> Result<Runner, String> {
    let plain = || {
        Vm::new(VmOptions { memory_limit })
            .map(|vm| Runner::Plain(Box::new(vm)))
            .map_err(|e| e.to_string())
    };
    if a.jit == JitSwitch::Off {
        if a.time_limit.is_some() {
            return Err("--time-limit needs the native engine (drop --jit=off)".into());
        }
        return plain();
    }
    let engines = match Engines::new(PoolLimits::default()) {
        Ok(e) => e,
        Err(e) => {
            report(&e.to_string());
            return plain();
        }
    };
    let jit = JitOptions {
        tier: match a.tier {
            TierArg::Interp => TierMode::Interp,
            TierArg::Baseline => TierMode::Baseline,
            TierArg::Auto => TierMode::Auto,
        },
        call_threshold: a.jit_threshold,
        backedge_threshold: a.jit_threshold.saturating_mul(100),
        synchronous: a.jit_sync,
    };
    match Isolate::new(&engines, &IsolateOptions { memory_limit, jit }) {
        Ok(mut iso) => {
            iso.set_time_limit(a.time_limit);
            if a.stats {
                iso.measure_tiers();
            }
            if !a.no_cache && a.tier != TierArg::Interp {
                iso.set_cache(open_cache(a));
            }
            Ok(Runner::Native(Box::new(iso)))
        }
        Err(e) => {
            report(&e.to_string());
            plain()
        }
    }
}

/// Opens the artifact cache; a cache that cannot be opened is reported and
/// the run goes on without it.
fn open_cache(a: &RunArgs) -> Option<std::sync::Arc<slotjit::cache::Cache>> {
    let dir = match &a.cache_dir {
        Some(d) => d.clone(),
        None => match slotjit::cache::default_dir() {
            Ok(d) => d,
            Err(e) => {
                report(&format!("{e} (running without the native-code cache)"));
                return None;
            }
        },
    };
    match slotjit::cache::Cache::open(&dir, slotjit::cache::DEFAULT_BUDGET_BYTES) {
        Ok(c) => Some(std::sync::Arc::new(c)),
        Err(e) => {
            report(&format!("{e} (running without the native-code cache)"));
            None
        }
    }
}

fn parse_size(s: &str) -> Result<u64, String> {
    let (num, mult) = match s.chars().last() {
        Some('K' | 'k') => (&s[..s.len() - 1], 1u64 << 10),
        Some('M' | 'm') => (&s[..s.len() - 1], 1 << 20),
        Some('G' | 'g') => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    num.parse::<u64>()
        .map(|n| n * mult)
        .map_err(|e| format!("invalid size '{s}': {e}"))
}

/// Reads a `.lua` or `.sbc` file into a verified proto; the error is a
/// ready-to-print message (`lua5.4` style).
pub fn load_program_file(path: &Path) -> Result<Proto, String> {
    let bytes = std::fs::read(path).map_err(|_| format!("cannot open {}", path.display()))?;
    load_program_bytes(&bytes, &format!("@{}", path.display()))
}

fn load_program_bytes(bytes: &[u8], chunkname: &str) -> Result<Proto, String> {
    if slotjit::bytecode::sbc::is_sbc(bytes) {
        return slotjit::bytecode::sbc::decode(bytes)
            .map_err(|e| format!("{}: {e}", &chunkname[1..]));
    }
    // Like luaL_loadfile: skip a first line starting with '#'.
    let src = if bytes.first() == Some(&b'#') {
        let nl = bytes
            .iter()
            .position(|&c| c == b'\n')
            .unwrap_or(bytes.len());
        // Keep the newline so line numbers stay right.
        &bytes[nl..]
    } else {
        bytes
    };
    slotjit::lua::compile(src, chunkname).map_err(|e| e.message)
}

/// Runs `slotjit run`; returns the exit status.
pub fn run(a: RunArgs) -> i32 {
    // A PSPF package (recognized by its trailer) runs its entry point.
    if a.execute.is_none()
        && let Some((file, args)) = a.script.split_first()
        && super::package::has_pspf_trailer(Path::new(file))
    {
        let profile = if a.sandbox {
            slotjit::stdlib::LibProfile::Sandbox {
                allowed_dirs: a.allow_dir.clone(),
            }
        } else {
            slotjit::stdlib::LibProfile::Full
        };
        return super::package::run_package(Path::new(file), file, args, a.memory_limit, profile);
    }
    let memory_limit = a.memory_limit.unwrap_or(VmOptions::default().memory_limit);
    let mut runner = match make_runner(&a, memory_limit) {
        Ok(r) => r,
        Err(e) => {
            report(&e);
            return 1;
        }
    };
    let profile = if a.sandbox {
        slotjit::stdlib::LibProfile::Sandbox {
            allowed_dirs: a.allow_dir.clone(),
        }
    } else {
        slotjit::stdlib::LibProfile::Full
    };
    for d in &a.allow_dir {
        if !d.is_dir() {
            report(&format!("--allow-dir {}: not a directory", d.display()));
            return 1;
        }
    }
    if slotjit::stdlib::open_with_profile(runner.vm(), profile).is_err() {
        report("cannot initialize the standard library");
        return 1;
    }
    runner.vm().profile.feedback_enabled = a.profile_dump;
    let status = run_in(&mut runner, &a);
    runner.vm().flush();
    if a.profile_dump {
        eprint!("{}", slotjit::profile::dump(runner.vm()));
    }
    if a.stats {
        match &runner {
            Runner::Native(iso) => eprint!("{}", iso.stats()),
            Runner::Plain(_) => eprintln!("slotjit: --stats: no native engine (interpreter only)"),
        }
    }
    status
}

fn run_in(runner: &mut Runner, a: &RunArgs) -> i32 {
    let (script, script_args): (Option<&String>, &[String]) = match a.script.split_first() {
        Some((f, rest)) => (Some(f), rest),
        None => (None, &[]),
    };
    if let Err(e) = set_arg_table(runner.vm(), script, script_args) {
        report(&e);
        return 1;
    }
    if let Some(chunk) = &a.execute {
        let proto = match slotjit::lua::compile(chunk.as_bytes(), "=(command line)") {
            Ok(p) => p,
            Err(e) => {
                report(&e.message);
                return 1;
            }
        };
        if let Err(code) = run_proto(runner, proto, &[]) {
            return code;
        }
    }
    if let Some(file) = script {
        let proto = match load_program_file(&PathBuf::from(file)) {
            Ok(p) => p,
            Err(msg) => {
                report(&msg);
                return 1;
            }
        };
        if let Err(code) = run_proto(runner, proto, script_args) {
            return code;
        }
    } else if a.execute.is_none() {
        report("nothing to run: give a script file or -e CHUNK (see `slotjit run --help`)");
        return 1;
    }
    0
}

fn run_proto(runner: &mut Runner, proto: Proto, args: &[String]) -> Result<(), i32> {
    let vm = runner.vm();
    let f = match vm.load_main(proto) {
        Ok(f) => f,
        Err(_) => {
            report("not enough memory");
            return Err(1);
        }
    };
    let mut vals = Vec::with_capacity(args.len());
    for s in args {
        match vm.new_string(s.as_bytes()) {
            Ok(v) => vals.push(v),
            Err(_) => {
                report("not enough memory");
                return Err(1);
            }
        }
    }
    let r = runner.call_protected(f, &vals);
    let vm = runner.vm();
    match r {
        Ok(_) => Ok(()),
        // `os.exit` unwinds to here with the status to exit with.
        Err(_) if vm.libs.exit_code.is_some() => Err(vm.libs.exit_code.unwrap_or(0)),
        Err(e) => {
            vm.flush();
            match e {
                VmError::Runtime { message, traceback } => {
                    if traceback.is_empty() {
                        eprintln!("slotjit: {message}");
                    } else {
                        eprintln!("slotjit: {message}\n{traceback}");
                    }
                }
                other => eprintln!("slotjit: {other} [{}]", other.code()),
            }
            Err(1)
        }
    }
}

/// The global `arg`: `arg[0]` = script, `arg[1..]` = its arguments,
/// `arg[-1]` = the interpreter.
fn set_arg_table(vm: &mut Vm, script: Option<&String>, args: &[String]) -> Result<(), String> {
    let oom = |_| "not enough memory".to_string();
    let t = vm.new_table(args.len() as u32, 2).map_err(oom)?;
    vm.set_global("arg", t).map_err(oom)?;
    let exe = std::env::args().next().unwrap_or_else(|| "slotjit".into());
    let exe_v = vm.new_string(exe.as_bytes()).map_err(oom)?;
    vm.raw_set(t, slotjit::vm::Value::int(-1), exe_v)
        .map_err(oom)?;
    if let Some(s) = script {
        let v = vm.new_string(s.as_bytes()).map_err(oom)?;
        vm.raw_set(t, slotjit::vm::Value::int(0), v).map_err(oom)?;
    }
    for (i, s) in args.iter().enumerate() {
        let v = vm.new_string(s.as_bytes()).map_err(oom)?;
        vm.raw_set(t, slotjit::vm::Value::int(i as i64 + 1), v)
            .map_err(oom)?;
    }
    Ok(())
}
