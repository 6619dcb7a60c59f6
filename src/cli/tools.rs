//! `slotjit compile` and `slotjit disasm`.

use std::path::PathBuf;

use clap::Args;

use super::report;
use super::run::load_program_file;

/// Arguments of `slotjit compile`.
#[derive(Args, Debug)]
pub struct CompileArgs {
    /// Lua source file.
    file: PathBuf,
    /// Output file (default: the input with extension `.sbc`).
    #[arg(short, long)]
    output: Option<PathBuf>,
}

/// Arguments of `slotjit disasm`.
#[derive(Args, Debug)]
pub struct DisasmArgs {
    /// A `.lua` source file or a `.sbc` compiled chunk.
    file: PathBuf,
}

/// `slotjit compile FILE.lua -o FILE.sbc`.
pub fn compile(a: CompileArgs) -> i32 {
    let proto = match load_program_file(&a.file) {
        Ok(p) => p,
        Err(msg) => {
            report(&msg);
            return 1;
        }
    };
    let out = a.output.unwrap_or_else(|| a.file.with_extension("sbc"));
    let bytes = slotjit::bytecode::sbc::encode(&proto);
    if let Err(e) = std::fs::write(&out, bytes) {
        report(&format!("cannot write {}: {e}", out.display()));
        return 1;
    }
    0
}

/// `slotjit disasm FILE`.
pub fn disasm(a: DisasmArgs) -> i32 {
    match load_program_file(&a.file) {
        Ok(p) => {
            print!("{}", slotjit::bytecode::disasm::disassemble(&p));
            0
        }
        Err(msg) => {
            report(&msg);
            1
        }
    }
}
