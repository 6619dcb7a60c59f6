//! The one error type of the native-code cache.
//!
//! Bad cache *content* is never an error: a truncated, foreign, replaced or
//! corrupted entry is deleted and reported as a miss. What remains are real
//! I/O failures (a directory that cannot be created or read, a full disk,
//! permission denied) and the absence of any usable default location. Each
//! has a stable code (`SJ-CACHE-…`) and a one-line remedy.

use std::path::PathBuf;

/// Result alias used throughout `crate::cache`.
pub type Result<T, E = CacheError> = std::result::Result<T, E>;

/// Everything that can go wrong while using the cache.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CacheError {
    /// An I/O operation on a cache file or directory failed.
    #[error("cannot {op} {}: {source}", path.display())]
    Io {
        /// What was being done (`create directory`, `read`, `rename`, …).
        op: &'static str,
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// None of `$SLOTJIT_CACHE_DIR`, `$XDG_CACHE_HOME` and `$HOME` is set
    /// (to an absolute path, for the last two).
    #[error("no cache directory: SLOTJIT_CACHE_DIR, XDG_CACHE_HOME and HOME are all unset")]
    NoDefaultDir,
}

impl CacheError {
    /// The stable machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Io { .. } => "SJ-CACHE-IO",
            Self::NoDefaultDir => "SJ-CACHE-NO-DIR",
        }
    }

    /// A one-line hint on what to do about this error.
    pub fn remedy(&self) -> &'static str {
        match self {
            Self::Io { .. } => {
                "check that the cache directory is writable and the disk is not full, or point SLOTJIT_CACHE_DIR elsewhere"
            }
            Self::NoDefaultDir => {
                "set SLOTJIT_CACHE_DIR (or pass --cache-dir) to a writable directory"
            }
        }
    }

    /// Wraps an I/O error with the operation and path it concerns.
    pub fn io(op: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            op,
            path: path.into(),
            source,
        }
    }
}
