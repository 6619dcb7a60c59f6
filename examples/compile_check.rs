//! Developer tool: compiles each Lua file named on the command line and
//! prints `<file>\t<OK or error message>` (to diff against `luac5.4 -p`),
//! or with `--listing` the disassembly (to compare code shape with
//! `luac5.4 -l -l`).
//!
//! `cargo run --example compile_check -- [--listing] FILE...`

fn main() {
    let mut listing = false;
    for arg in std::env::args().skip(1) {
        if arg == "--listing" {
            listing = true;
            continue;
        }
        let src = match std::fs::read(&arg) {
            Ok(s) => s,
            Err(e) => {
                println!("{arg}\tcannot read: {e}");
                continue;
            }
        };
        let name = std::path::Path::new(&arg)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or(&arg);
        match slotjit::lua::compile(&src, &format!("@{name}")) {
            Ok(p) if listing => print!("{}", slotjit::bytecode::disassemble(&p)),
            Ok(_) => println!("{arg}\tOK"),
            Err(e) => println!("{arg}\t{}", e.message),
        }
    }
}
