//! `slotjit run`: loads a script or compiled chunk into a fresh isolate with
//! the standard library and runs it the way `lua5.4 script.lua args...` does.

use std::path::{Path, PathBuf};

use clap::Args;

use slotjit::bytecode::Proto;
use slotjit::vm::{Vm, VmError, VmOptions};

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
    /// Script file (`.lua` or `.sbc`) followed by its arguments.
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "FILE [ARGS]"
    )]
    script: Vec<String>,
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
    let opts = VmOptions {
        memory_limit: a.memory_limit.unwrap_or(VmOptions::default().memory_limit),
    };
    let mut vm = match Vm::new(opts) {
        Ok(vm) => vm,
        Err(e) => {
            report(&e.to_string());
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
    if slotjit::stdlib::open_with_profile(&mut vm, profile).is_err() {
        report("cannot initialize the standard library");
        return 1;
    }
    vm.profile.feedback_enabled = a.profile_dump;
    let status = run_in(&mut vm, &a);
    vm.flush();
    if a.profile_dump {
        eprint!("{}", slotjit::profile::dump(&vm));
    }
    status
}

fn run_in(vm: &mut Vm, a: &RunArgs) -> i32 {
    let (script, script_args): (Option<&String>, &[String]) = match a.script.split_first() {
        Some((f, rest)) => (Some(f), rest),
        None => (None, &[]),
    };
    if let Err(e) = set_arg_table(vm, script, script_args) {
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
        if let Err(code) = run_proto(vm, proto, &[]) {
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
        if let Err(code) = run_proto(vm, proto, script_args) {
            return code;
        }
    } else if a.execute.is_none() {
        report("nothing to run: give a script file or -e CHUNK (see `slotjit run --help`)");
        return 1;
    }
    0
}

fn run_proto(vm: &mut Vm, proto: Proto, args: &[String]) -> Result<(), i32> {
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
    match vm.call_protected(f, &vals) {
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
