//! [`Cache`]: lookups, atomic inserts, LRU eviction and statistics over one
//! cache directory.
//!
//! Layout (see `docs/cache.md`):
//!
//! ```text
//! DIR/index.json               advisory index (sizes, last use)
//! DIR/index.lock               advisory lock around index updates
//! DIR/CACHEDIR.TAG             tells backup tools to skip the directory
//! DIR/artifacts/<key>.sjc      compiled code + side tables
//! DIR/profiles/<hash>.sjc      execution profiles, by proto hash
//! ```
//!
//! Every instance works on files only, so several instances — in one
//! process or many — can share a directory. Hits are recorded in memory and
//! folded into the index on the next `put`, `flush`, `stats` or drop, so a
//! lookup costs one file read.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use super::error::{CacheError, Result};
use super::files::{self, LockGuard};
use super::format::{self, HEADER_LEN, Kind};
use super::index::{EntryId, EntryMeta, Index};
use super::key::CacheKey;

/// Name of the index file in the cache directory.
pub const INDEX_FILE: &str = "index.json";
/// Name of the lock file in the cache directory.
pub const LOCK_FILE: &str = "index.lock";
/// Name of the cache directory tag (<https://bford.info/cachedir/>).
pub const CACHEDIR_TAG: &str = "CACHEDIR.TAG";

const CACHEDIR_TAG_CONTENT: &[u8] = b"Signature: 8a477f597d28d172789f06886806bc55\n\
# This file is a cache directory tag created by slotjit.\n\
# For information about cache directory tags see https://bford.info/cachedir/\n";

/// Pending hits are folded into the index once this many have accumulated.
const FLUSH_THRESHOLD: usize = 256;

/// One cached artifact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The compiled code, as the engine serialized it.
    pub artifact: Vec<u8>,
    /// The side tables the code needs (deopt sites, inlining map), opaque here.
    pub side_table: Vec<u8>,
}

/// A snapshot of the cache's state and of this instance's counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Entry files (artifacts and profiles) the index knows.
    pub entries: u64,
    /// Their total size in bytes (headers included).
    pub total_bytes: u64,
    /// The size budget this instance enforces.
    pub budget_bytes: u64,
    /// Lookups (artifacts and profiles) that returned an entry.
    pub hits: u64,
    /// Lookups that returned nothing, including those that found a bad entry.
    pub misses: u64,
    /// Bad entries (truncated, foreign, replaced, corrupt) found and deleted.
    pub corrupt_evictions: u64,
    /// Entries deleted to stay within the budget.
    pub lru_evictions: u64,
}

/// A recorded but not yet indexed change.
#[derive(Clone, Copy, Debug)]
enum Pending {
    /// The entry was read successfully at this time.
    Used(EntryMeta),
    /// The entry was found missing or bad.
    Gone,
}

#[derive(Default)]
struct Counters {
    hits: AtomicU64,
    misses: AtomicU64,
    corrupt_evictions: AtomicU64,
    lru_evictions: AtomicU64,
}

/// A persistent cache of compiled artifacts and profiles in one directory.
///
/// `Cache` is `Send + Sync`; methods take `&self`. Bad content is never an
/// error: [`Cache::get`] deletes a bad entry and reports a miss, so the
/// caller recompiles.
pub struct Cache {
    dir: PathBuf,
    budget: u64,
    counters: Counters,
    pending: Mutex<BTreeMap<EntryId, Pending>>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("dir", &self.dir)
            .field("budget", &self.budget)
            .finish_non_exhaustive()
    }
}

impl Cache {
    /// Opens the cache in `dir`, creating the directory if needed, with a
    /// budget of `budget_bytes` for all entry files together. Deletes temp
    /// files left by crashed writers and rebuilds a missing or corrupt index.
    pub fn open(dir: &Path, budget_bytes: u64) -> Result<Cache> {
        fs::create_dir_all(dir).map_err(|e| CacheError::io("create directory", dir, e))?;
        for kind in Kind::ALL {
            let sub = dir.join(kind.dir_name());
            fs::create_dir_all(&sub).map_err(|e| CacheError::io("create directory", &sub, e))?;
            files::clean_stale_temps(&sub)?;
        }
        files::clean_stale_temps(dir)?;
        let tag = dir.join(CACHEDIR_TAG);
        if !tag.exists() {
            files::write_atomic(&tag, CACHEDIR_TAG_CONTENT)?;
        }
        let cache = Cache {
            dir: dir.to_path_buf(),
            budget: budget_bytes,
            counters: Counters::default(),
            pending: Mutex::new(BTreeMap::new()),
        };
        let _lock = cache.lock()?;
        if Index::load(&cache.index_path())?.is_none() {
            Index::scan(dir)?.store(&cache.index_path())?;
        }
        Ok(cache)
    }

    /// The cache directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The size budget in bytes.
    pub fn budget_bytes(&self) -> u64 {
        self.budget
    }

    /// Looks up an artifact. `Ok(None)` on a miss — including an entry that
    /// was truncated, of another format version or kind, stored under another
    /// key, or fails its checksum; such a file is deleted. `Err` only for
    /// I/O failures other than "not found".
    pub fn get(&self, key: &CacheKey) -> Result<Option<Entry>> {
        let id = EntryId {
            kind: Kind::Artifact,
            key: *key,
        };
        Ok(self.read(id)?.map(|(artifact, side_table)| Entry {
            artifact,
            side_table,
        }))
    }

    /// Stores an artifact and its side tables under `key`, replacing any
    /// previous entry atomically, then evicts least-recently-used entries
    /// while the total exceeds the budget (possibly this one, if it alone is
    /// larger than the budget).
    pub fn put(&self, key: &CacheKey, artifact: &[u8], side_table: &[u8]) -> Result<()> {
        let id = EntryId {
            kind: Kind::Artifact,
            key: *key,
        };
        self.write(id, artifact, side_table)
    }

    /// Looks up the profile stored for a proto hash; same miss and deletion
    /// rules as [`Cache::get`].
    pub fn get_profile(&self, proto_hash: &[u8; 32]) -> Result<Option<Vec<u8>>> {
        let id = EntryId {
            kind: Kind::Profile,
            key: CacheKey(*proto_hash),
        };
        Ok(self.read(id)?.map(|(blob, _)| blob))
    }

    /// Stores a profile blob for a proto hash (beside the artifacts, under
    /// the same budget). Fold a profile-format version into the hash if the
    /// blob layout can change.
    pub fn put_profile(&self, proto_hash: &[u8; 32], blob: &[u8]) -> Result<()> {
        let id = EntryId {
            kind: Kind::Profile,
            key: CacheKey(*proto_hash),
        };
        self.write(id, blob, &[])
    }

    /// Index totals plus this instance's counters. Folds pending hits into
    /// the index first.
    pub fn stats(&self) -> Result<CacheStats> {
        self.flush()?;
        let index = match Index::load(&self.index_path())? {
            Some(index) => index,
            None => self.rebuild_locked()?,
        };
        let c = &self.counters;
        Ok(CacheStats {
            entries: index.entries.len() as u64,
            total_bytes: index.total_bytes(),
            budget_bytes: self.budget,
            hits: c.hits.load(Ordering::Relaxed),
            misses: c.misses.load(Ordering::Relaxed),
            corrupt_evictions: c.corrupt_evictions.load(Ordering::Relaxed),
            lru_evictions: c.lru_evictions.load(Ordering::Relaxed),
        })
    }

    /// Deletes every entry file (artifacts and profiles) and empties the
    /// index; returns how many entry files were removed. Other files in the
    /// directory, and temp files of writers still running, are left alone.
    pub fn clear(&self) -> Result<u64> {
        let _lock = self.lock()?;
        self.take_pending();
        let mut removed = 0;
        for id in Index::scan(&self.dir)?.entries.keys() {
            let path = id.path(&self.dir);
            match fs::remove_file(&path) {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e) => return Err(CacheError::io("remove", path, e)),
            }
        }
        Index::default().store(&self.index_path())?;
        Ok(removed)
    }

    /// Folds recorded hits and misses into the index now (it also happens on
    /// `put`, `stats`, drop, and every few hundred lookups).
    pub fn flush(&self) -> Result<()> {
        if self.pending_len() == 0 {
            return Ok(());
        }
        self.update_index(|_| {})
    }

    /// Replaces the index by a fresh directory scan (sizes and modification
    /// times), discarding the recorded use order.
    pub fn rebuild_index(&self) -> Result<()> {
        self.rebuild_locked().map(|_| ())
    }

    // -- internals ------------------------------------------------------------------

    fn index_path(&self) -> PathBuf {
        self.dir.join(INDEX_FILE)
    }

    fn lock(&self) -> Result<LockGuard> {
        LockGuard::acquire(&self.dir.join(LOCK_FILE))
    }

    fn rebuild_locked(&self) -> Result<Index> {
        let _lock = self.lock()?;
        let index = Index::scan(&self.dir)?;
        index.store(&self.index_path())?;
        Ok(index)
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, BTreeMap<EntryId, Pending>> {
        // The map is always consistent (single inserts), so a panic elsewhere
        // while it was locked leaves nothing to repair.
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn pending_len(&self) -> usize {
        self.pending().len()
    }

    fn take_pending(&self) -> BTreeMap<EntryId, Pending> {
        std::mem::take(&mut *self.pending())
    }

    fn record(&self, id: EntryId, p: Pending) -> usize {
        let mut pending = self.pending();
        pending.insert(id, p);
        pending.len()
    }

    /// Reads and validates one entry; counts the outcome.
    fn read(&self, id: EntryId) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
        let path = id.path(&self.dir);
        let mut file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                self.counters.misses.fetch_add(1, Ordering::Relaxed);
                self.record(id, Pending::Gone);
                return Ok(None);
            }
            Err(e) => return Err(CacheError::io("open", path, e)),
        };
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)
            .map_err(|e| CacheError::io("read", &path, e))?;
        let lens = format::decode(&bytes, id.kind, &id.key.0).map(|(a, s)| (a.len(), s.len()));
        let Ok((artifact_len, _)) = lens else {
            self.evict_corrupt(&path, &file);
            self.counters.misses.fetch_add(1, Ordering::Relaxed);
            self.counters
                .corrupt_evictions
                .fetch_add(1, Ordering::Relaxed);
            self.record(id, Pending::Gone);
            return Ok(None);
        };
        self.counters.hits.fetch_add(1, Ordering::Relaxed);
        let meta = EntryMeta {
            size: bytes.len() as u64,
            last_use_ns: files::now_ns(),
        };
        if self.record(id, Pending::Used(meta)) >= FLUSH_THRESHOLD {
            // The index is advisory: a failed flush only loses use times.
            let _ = self.flush();
        }
        bytes.drain(..HEADER_LEN);
        let side_table = bytes.split_off(artifact_len);
        Ok(Some((bytes, side_table)))
    }

    /// Deletes a bad entry file — unless a writer has meanwhile renamed a
    /// fresh entry over it (then the path names another inode). Failures are
    /// ignored: the caller gets a miss either way.
    fn evict_corrupt(&self, path: &Path, opened: &File) {
        if !same_file(path, opened) {
            return;
        }
        let _ = fs::remove_file(path);
    }

    /// Writes one entry atomically and records it in the index.
    fn write(&self, id: EntryId, artifact: &[u8], side_table: &[u8]) -> Result<()> {
        let bytes = format::encode(id.kind, &id.key.0, artifact, side_table);
        files::write_atomic(&id.path(&self.dir), &bytes)?;
        let meta = EntryMeta {
            size: bytes.len() as u64,
            last_use_ns: files::now_ns(),
        };
        self.update_index(|index| {
            index.entries.insert(id, meta);
        })
    }

    /// One locked read-modify-write of the index: load (or rebuild), apply
    /// pending uses, apply `change`, evict to the budget, store.
    fn update_index(&self, change: impl FnOnce(&mut Index)) -> Result<()> {
        let _lock = self.lock()?;
        let mut index = match Index::load(&self.index_path())? {
            Some(index) => index,
            None => Index::scan(&self.dir)?,
        };
        for (id, p) in self.take_pending() {
            match p {
                Pending::Gone => {
                    index.entries.remove(&id);
                }
                Pending::Used(meta) => match index.entries.get_mut(&id) {
                    Some(known) => known.last_use_ns = known.last_use_ns.max(meta.last_use_ns),
                    // Written by a writer whose index update was lost (or
                    // evicted meanwhile): index it only if it still exists.
                    None if id.path(&self.dir).is_file() => {
                        index.entries.insert(id, meta);
                    }
                    None => {}
                },
            }
        }
        change(&mut index);
        let evicted = self.evict_lru(&mut index);
        let stored = index.store(&self.index_path());
        evicted.and(stored)
    }

    /// Deletes least-recently-used entries until the index total fits the
    /// budget. Stops at the first file that cannot be deleted.
    fn evict_lru(&self, index: &mut Index) -> Result<()> {
        let mut total = index.total_bytes();
        if total <= self.budget {
            return Ok(());
        }
        let mut by_age: Vec<(u64, EntryId, u64)> = index
            .entries
            .iter()
            .map(|(id, m)| (m.last_use_ns, *id, m.size))
            .collect();
        by_age.sort_unstable();
        for (_, id, size) in by_age {
            if total <= self.budget {
                break;
            }
            files::remove_if_present(&id.path(&self.dir))?;
            index.entries.remove(&id);
            total = total.saturating_sub(size);
            self.counters.lru_evictions.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }
}

impl Drop for Cache {
    fn drop(&mut self) {
        // Best effort: losing use times only makes eviction less precise.
        let _ = self.flush();
    }
}

/// Does `path` still name the file `opened` refers to?
#[cfg(unix)]
fn same_file(path: &Path, opened: &File) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::metadata(path), opened.metadata()) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Without inode numbers, assume it does.
#[cfg(not(unix))]
fn same_file(_path: &Path, _opened: &File) -> bool {
    true
}
