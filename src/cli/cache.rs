//! The `cache` subcommand: `slotjit cache stats` and `slotjit cache clear`
//! over the persistent native-code cache ([`slotjit::cache`]).
//!
//! Failures print `slotjit: <CODE>: <cause>` and `  hint: <remedy>` on
//! stderr and exit with status 1.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use slotjit::cache::{self, Cache, CacheError};

/// Arguments of `slotjit cache`.
#[derive(Args, Debug)]
pub struct CacheArgs {
    #[command(subcommand)]
    command: CacheCommand,
}

#[derive(Subcommand, Debug)]
enum CacheCommand {
    /// Show where the cache is, how many entries it holds and their total size.
    ///
    /// Counts come from the cache index (rebuilt from a directory scan if it
    /// is missing or corrupt). A cache directory that does not exist is
    /// reported as empty and is not created.
    Stats(DirArg),
    /// Delete every cached artifact and profile.
    ///
    /// Compiled code is simply recompiled (and profiles re-collected) on the
    /// next run. Other files in the directory are left alone.
    Clear(DirArg),
}

#[derive(Args, Debug)]
struct DirArg {
    /// Cache directory [default: $SLOTJIT_CACHE_DIR, else
    /// $XDG_CACHE_HOME/slotjit, else $HOME/.cache/slotjit].
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
}

impl DirArg {
    fn resolve(&self) -> Result<PathBuf, CacheError> {
        match &self.cache_dir {
            Some(dir) => Ok(dir.clone()),
            None => cache::default_dir(),
        }
    }
}

/// Runs `slotjit cache …`; returns the exit status.
pub fn cache(args: CacheArgs) -> i32 {
    let result = match args.command {
        CacheCommand::Stats(d) => stats(&d),
        CacheCommand::Clear(d) => clear(&d),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("slotjit: {}: {e}", e.code());
            eprintln!("  hint: {}", e.remedy());
            1
        }
    }
}

fn stats(d: &DirArg) -> Result<(), CacheError> {
    let dir = d.resolve()?;
    println!("cache directory: {}", dir.display());
    let (entries, bytes, budget) = if dir.exists() {
        let s = Cache::open(&dir, cache::DEFAULT_BUDGET_BYTES)?.stats()?;
        (s.entries, s.total_bytes, s.budget_bytes)
    } else {
        (0, 0, cache::DEFAULT_BUDGET_BYTES)
    };
    println!("entries:         {entries}");
    println!("total size:      {} ({bytes} bytes)", human(bytes));
    println!("budget:          {} ({budget} bytes)", human(budget));
    Ok(())
}

fn clear(d: &DirArg) -> Result<(), CacheError> {
    let dir = d.resolve()?;
    let removed = if dir.exists() {
        Cache::open(&dir, cache::DEFAULT_BUDGET_BYTES)?.clear()?
    } else {
        0
    };
    let plural = if removed == 1 { "entry" } else { "entries" };
    println!("removed {removed} {plural} from {}", dir.display());
    Ok(())
}

/// `1536` → `1.5 KiB`.
fn human(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
