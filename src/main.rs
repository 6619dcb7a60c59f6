//! The `slotjit` command-line tool. Each subcommand lives in [`cli`].

mod cli;

use clap::Parser;

fn main() {
    let args = cli::Cli::parse();
    let code = cli::dispatch(args);
    std::process::exit(code);
}
