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
    /// Print the tier-1 (baseline) Wasm of every function, in the text
    /// format, instead of the bytecode: what Cranelift turns into native code.
    #[arg(long)]
    wasm: bool,
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
        Ok(p) if a.wasm => print_baseline_wasm(&p),
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

/// Prints the baseline module of every proto of the tree, one module per
/// function (a real batch holds several, with the same code each).
fn print_baseline_wasm(root: &slotjit::bytecode::Proto) -> i32 {
    let mut stack = vec![root];
    while let Some(proto) = stack.pop() {
        let name = slotjit::jit::function_name(proto);
        let wasm = slotjit::codegen::baseline::compile_batch(&[
            slotjit::codegen::baseline::BatchFunction {
                proto,
                name: name.clone(),
            },
        ]);
        match wasmprinter::print_bytes(&wasm) {
            Ok(text) => println!(";; {name}\n{text}"),
            Err(e) => {
                report(&format!("generated Wasm for {name} does not print: {e}"));
                return 1;
            }
        }
        stack.extend(proto.protos.iter().rev());
    }
    0
}
