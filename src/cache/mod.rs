//! The persistent native-code cache (design decision 11): compiled artifacts
//! with their side tables, and execution profiles, stored on disk across runs.
//!
//! The cache knows nothing about Wasmtime: the engine hands it opaque bytes
//! under a [`CacheKey`] derived from everything that decides reuse
//! ([`KeyParts`]: code-generator version, engine compatibility hash, tier,
//! proto hash, specialization-plan hash). Profiles are stored beside the
//! artifacts, keyed by proto hash, for warm starts.
//!
//! Guarantees (details and the file format in `docs/cache.md`):
//! - every entry file carries its format version, kind, key and a SHA-256
//!   checksum; a bad, foreign or replaced entry is deleted and reported as a
//!   miss — never an error, never a panic;
//! - entries and the index are written to a temp file and renamed into
//!   place, so readers never see partial files and any number of threads or
//!   processes may share one directory;
//! - the index (`index.json`: sizes, last use) is advisory, updated under an
//!   advisory file lock, and rebuilt from a directory scan when missing or
//!   corrupt; it drives LRU eviction down to the size budget.
//!
//! Module map: [`key`] (cache keys), [`format`] (entry files), [`index`]
//! (the advisory index), [`store`] ([`Cache`] itself), `files` (temp files,
//! renames, locking), [`error`].

pub mod error;
mod files;
pub mod format;
pub mod index;
pub mod key;
pub mod store;

use std::ffi::OsString;
use std::path::PathBuf;

pub use error::{CacheError, Result};
pub use format::Kind;
pub use key::{CacheKey, KeyParts};
pub use store::{Cache, CacheStats, Entry};

/// Budget used when none is configured: 256 MiB of entry files.
pub const DEFAULT_BUDGET_BYTES: u64 = 256 * 1024 * 1024;

/// The default cache directory: `$SLOTJIT_CACHE_DIR` if set, else
/// `$XDG_CACHE_HOME/slotjit`, else `$HOME/.cache/slotjit`.
pub fn default_dir() -> Result<PathBuf> {
    default_dir_with(|name| std::env::var_os(name))
}

/// [`default_dir`] with the environment given as a lookup function, so the
/// rule can be tested without touching the process environment. Empty
/// values count as unset; `XDG_CACHE_HOME` and `HOME` must be absolute (the
/// XDG rule), `SLOTJIT_CACHE_DIR` is taken as given.
pub fn default_dir_with(var: impl Fn(&str) -> Option<OsString>) -> Result<PathBuf> {
    let set = |name: &str| var(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = set("SLOTJIT_CACHE_DIR") {
        return Ok(dir);
    }
    if let Some(xdg) = set("XDG_CACHE_HOME").filter(|p| p.is_absolute()) {
        return Ok(xdg.join("slotjit"));
    }
    if let Some(home) = set("HOME").filter(|p| p.is_absolute()) {
        return Ok(home.join(".cache").join("slotjit"));
    }
    Err(CacheError::NoDefaultDir)
}
