//! File-level primitives of the cache: unique temp names, atomic
//! replace-by-rename, stale temp clean-up, the advisory index lock and the
//! process-wide use clock.
//!
//! Nothing here knows the entry format; every function maps I/O failures to
//! [`CacheError::Io`] with the path involved.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::error::{CacheError, Result};

/// Prefix of every temp file the cache creates (entries and the index).
pub const TEMP_PREFIX: &str = ".tmp-";

/// Temp files older than this are leftovers of a crashed writer.
pub const STALE_TEMP_AGE: Duration = Duration::from_secs(10 * 60);

/// Makes temp names unique between threads of one process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Last value handed out by [`now_ns`].
static LAST_USE: AtomicU64 = AtomicU64::new(0);

/// A unique temp file name: pid, a process-wide counter and the wall clock's
/// nanoseconds, so writers in other processes (or a pid reused after a
/// crash) do not collide either.
fn temp_name() -> String {
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{TEMP_PREFIX}{}-{n}-{nanos:08x}", std::process::id())
}

/// Writes `bytes` to `dest` atomically: a new temp file in `dest`'s
/// directory, then a rename over `dest`. A reader sees the old file, the new
/// one, or none — never a partial file. The data is not fsynced: a crash may
/// leave a torn entry, which the entry checksum then rejects.
pub fn write_atomic(dest: &Path, bytes: &[u8]) -> Result<()> {
    let dir = dest.parent().unwrap_or(Path::new("."));
    let (tmp, mut file) = create_temp(dir)?;
    let written = file.write_all(bytes).and_then(|()| file.flush());
    drop(file);
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(CacheError::io("write", tmp, e));
    }
    if let Err(e) = fs::rename(&tmp, dest) {
        let _ = fs::remove_file(&tmp);
        return Err(CacheError::io("rename into", dest, e));
    }
    Ok(())
}

/// Creates a fresh temp file in `dir`, retrying on the (unlikely) name clash
/// and recreating `dir` once if it was removed under us.
fn create_temp(dir: &Path) -> Result<(PathBuf, File)> {
    let mut recreated = false;
    let mut attempts = 0;
    loop {
        let tmp = dir.join(temp_name());
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == ErrorKind::AlreadyExists && attempts < 8 => attempts += 1,
            Err(e) if e.kind() == ErrorKind::NotFound && !recreated => {
                recreated = true;
                fs::create_dir_all(dir).map_err(|e| CacheError::io("create directory", dir, e))?;
            }
            Err(e) => return Err(CacheError::io("create", tmp, e)),
        }
    }
}

/// Deletes temp files in `dir` last modified more than [`STALE_TEMP_AGE`]
/// ago. Returns how many were removed; files that vanish meanwhile or cannot
/// be inspected are skipped.
pub fn clean_stale_temps(dir: &Path) -> Result<u64> {
    let now = SystemTime::now();
    let mut removed = 0;
    let rd = fs::read_dir(dir).map_err(|e| CacheError::io("list", dir, e))?;
    for item in rd.flatten() {
        let name = item.file_name();
        if !name.to_string_lossy().starts_with(TEMP_PREFIX) {
            continue;
        }
        let Ok(modified) = item.metadata().and_then(|m| m.modified()) else {
            continue;
        };
        let stale = now
            .duration_since(modified)
            .is_ok_and(|age| age > STALE_TEMP_AGE);
        if stale && fs::remove_file(item.path()).is_ok() {
            removed += 1;
        }
    }
    Ok(removed)
}

/// Removes `path`; a file that is already gone counts as removed.
pub fn remove_if_present(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(CacheError::io("remove", path, e)),
    }
}

/// An exclusive advisory lock on the cache's lock file, held until drop.
///
/// It serializes index read-modify-write cycles between threads and
/// processes. Where the file system cannot lock, the guard holds nothing and
/// concurrent index updates may be lost — never corrupted, because the
/// index is always replaced by rename.
pub struct LockGuard {
    _file: File,
}

impl LockGuard {
    /// Opens (creating if needed) and locks `path`, blocking until it is free.
    pub fn acquire(path: &Path) -> Result<LockGuard> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| CacheError::io("open lock file", path, e))?;
        match file.lock() {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::Unsupported => {}
            Err(e) => return Err(CacheError::io("lock", path, e)),
        }
        Ok(LockGuard { _file: file })
    }
}

/// Wall-clock nanoseconds since the Unix epoch as a use time, strictly
/// increasing within this process so that uses in quick succession still
/// order correctly.
pub fn now_ns() -> u64 {
    let wall = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let prev = LAST_USE.fetch_max(wall, Ordering::SeqCst);
    if prev >= wall {
        LAST_USE.fetch_add(1, Ordering::SeqCst) + 1
    } else {
        wall
    }
}

/// A modification time as nanoseconds since the Unix epoch (0 if unknown).
pub fn system_time_ns(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}
