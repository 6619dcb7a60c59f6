//! The `slotjit` command-line tool. Each subcommand lives in [`cli`].

mod cli;

use clap::Parser;

fn main() {
    // A package made with `slotjit pack --launcher self` is this binary with
    // slots appended: run its entry instead of parsing a command line. For a
    // plain binary this costs one 8200-byte read of our own executable.
    if let Some(code) = cli::package::self_exec() {
        std::process::exit(code);
    }
    let args = cli::Cli::parse();
    let code = cli::dispatch(args);
    std::process::exit(code);
}
