//! Command-line interface: argument definitions and dispatch. Failures are
//! reported as `slotjit: MESSAGE` (plus, for Lua errors, a traceback) on
//! stderr with exit status 1, like `lua5.4`.

mod bench;
mod cache;
pub mod package;
mod run;
mod tools;

use clap::{Parser, Subcommand};

/// slotjit — a sandboxed tiered JIT runtime for Lua 5.4 code in PSPF/2025 packages.
#[derive(Parser, Debug)]
#[command(name = "slotjit", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a Lua script (`.lua`), a compiled chunk (`.sbc`), a package (`.psp`) or a chunk given with -e.
    ///
    /// Script arguments follow the file name and are visible as `...` and in
    /// the global `arg` table (`arg[0]` is the script name), as in `lua5.4`.
    /// A PSPF/2025 package (recognized by its trailer, whatever its name) runs
    /// its entry point (`slotjit pack --entry`) with the arguments.
    /// An uncaught error prints `slotjit: MESSAGE` and a traceback to stderr
    /// and exits with status 1.
    Run(run::RunArgs),
    /// Compile a Lua script to slot bytecode (`.sbc`).
    Compile(tools::CompileArgs),
    /// Print the slot bytecode of a `.lua` or `.sbc` file, one function at a time.
    Disasm(tools::DisasmArgs),
    /// Time Lua programs under slotjit and lua5.4/luajit (when installed) and print the ratios.
    ///
    /// Every program runs `--runs` times per contender; the fastest wall time
    /// is reported with slotjit/reference ratios and their geometric mean.
    /// Outputs must agree, so a fast wrong answer is reported as a failure.
    Bench(bench::BenchArgs),
    /// Build a signed PSPF/2025 package from Lua, bytecode and data slots.
    ///
    /// Lua slots are compiled to slot bytecode (unless kept as source), every
    /// slot is hashed into the signed metadata, and `--entry` records what
    /// `slotjit run` executes. With `--launcher self` the package is this
    /// slotjit binary plus the slots, and runs when executed directly.
    Pack(package::PackArgs),
    /// Show a package: name, signature and trust, entry, and every slot with
    /// its kind, lifecycle, load strategy, operations, sizes and state.
    Inspect(package::InspectArgs),
    /// Check a package completely: every structural check, the signature,
    /// every slot's hashes and decoding, the dependency graph and every code
    /// slot's bytecode. One line per named check; exit status 0 only if all pass.
    Verify(package::VerifyArgs),
    /// Write one slot's decoded bytes to a file, or extract a tar slot into a
    /// directory (paths that would escape it are refused).
    Extract(package::ExtractArgs),
    /// Inspect or empty the persistent cache of compiled code and profiles.
    Cache(cache::CacheArgs),
}

/// Runs a parsed command line; returns the process exit status.
pub fn dispatch(cli: Cli) -> i32 {
    match cli.command {
        Command::Run(a) => run::run(a),
        Command::Compile(a) => tools::compile(a),
        Command::Disasm(a) => tools::disasm(a),
        Command::Bench(a) => bench::bench(a),
        Command::Pack(a) => package::pack(a),
        Command::Inspect(a) => package::inspect(a),
        Command::Verify(a) => package::verify(a),
        Command::Extract(a) => package::extract(a),
        Command::Cache(a) => cache::cache(a),
    }
}

/// Prints `slotjit: MESSAGE` to stderr.
pub(crate) fn report(msg: &str) {
    eprintln!("slotjit: {msg}");
}
