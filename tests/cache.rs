//! The persistent native-code cache through its public API, on real files in
//! temp directories: hits and misses; every kind of bad entry (flipped byte,
//! truncation, replaced file, foreign version or kind) is a miss that deletes
//! the file and is counted; LRU eviction by last *use*; index rebuild; stale
//! temp clean-up; many threads and processes sharing one directory; and the
//! `slotjit cache stats|clear` commands.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};
use slotjit::cache::format::{self, CHECKSUM_OFFSET, HEADER_LEN, VERSION_OFFSET};
use slotjit::cache::index::Index;
use slotjit::cache::{Cache, CacheKey, CacheStats, Entry, KeyParts, default_dir_with};

const BIG: u64 = 1 << 30;

/// A key for test number `n`.
fn key(n: u32) -> CacheKey {
    let mut proto = [0u8; 32];
    proto[..4].copy_from_slice(&n.to_le_bytes());
    CacheKey::derive(&KeyParts {
        codegen_version: "test-1",
        engine_hash: b"engine",
        tier: 1,
        proto_hash: &proto,
        plan_hash: &[7; 32],
    })
}

/// Where the documented layout puts an artifact.
fn artifact_path(dir: &Path, key: &CacheKey) -> PathBuf {
    dir.join("artifacts").join(format!("{key}.sjc"))
}

fn profile_path(dir: &Path, hash: &[u8; 32]) -> PathBuf {
    dir.join("profiles")
        .join(format!("{}.sjc", CacheKey(*hash)))
}

fn stats(cache: &Cache) -> CacheStats {
    cache.stats().expect("stats")
}

/// Asserts that `get(k)` is a miss that deleted the file and was counted.
fn assert_evicted(cache: &Cache, k: &CacheKey, what: &str) {
    let before = stats(cache);
    assert_eq!(cache.get(k).expect("get"), None, "{what}: expected a miss");
    assert!(
        !artifact_path(cache.dir(), k).exists(),
        "{what}: bad file not deleted"
    );
    let after = stats(cache);
    assert_eq!(
        after.corrupt_evictions,
        before.corrupt_evictions + 1,
        "{what}"
    );
    assert_eq!(after.misses, before.misses + 1, "{what}");
}

/// Rewrites the header checksum so that only a deliberately changed field is
/// wrong.
fn reseal(bytes: &mut [u8]) {
    let mut h = Sha256::new();
    h.update(&bytes[..CHECKSUM_OFFSET]);
    h.update(&bytes[HEADER_LEN..]);
    let sum: [u8; 32] = h.finalize().into();
    bytes[CHECKSUM_OFFSET..HEADER_LEN].copy_from_slice(&sum);
}

#[test]
fn key_derivation_separates_fields_and_displays_as_hex() {
    let parts = |cv: &'static str, eh: &'static [u8], tier: u8| {
        CacheKey::derive(&KeyParts {
            codegen_version: cv,
            engine_hash: eh,
            tier,
            proto_hash: &[1; 32],
            plan_hash: &[2; 32],
        })
    };
    assert_eq!(parts("ab", b"c", 1), parts("ab", b"c", 1));
    assert_ne!(parts("ab", b"c", 1), parts("a", b"bc", 1));
    assert_ne!(parts("ab", b"c", 1), parts("ab", b"c", 2));
    let k = parts("ab", b"c", 1);
    let hex = k.to_string();
    assert_eq!(hex.len(), 64);
    assert!(
        hex.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    assert_eq!(CacheKey::from_hex(&hex), Some(k));
    assert_eq!(CacheKey::from_hex(&hex[1..]), None);
    assert_eq!(CacheKey::from_hex(&hex.replace(&hex[..1], "g")), None);
}

#[test]
fn put_then_get_is_a_hit() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path(), BIG).unwrap();
    let k = key(1);
    cache.put(&k, b"native code", b"deopt table").unwrap();
    let got = cache.get(&k).unwrap();
    assert_eq!(
        got,
        Some(Entry {
            artifact: b"native code".to_vec(),
            side_table: b"deopt table".to_vec(),
        })
    );
    // Empty payloads are fine too, and a put replaces.
    cache.put(&k, b"", b"").unwrap();
    let got = cache.get(&k).unwrap().unwrap();
    assert!(got.artifact.is_empty() && got.side_table.is_empty());
    let s = stats(&cache);
    assert_eq!((s.hits, s.misses, s.corrupt_evictions), (2, 0, 0));
    assert_eq!(s.entries, 1);
    assert_eq!(s.total_bytes, HEADER_LEN as u64);
    assert_eq!(s.budget_bytes, BIG);
    // A second instance (a later run) sees the entry.
    drop(cache);
    let again = Cache::open(dir.path(), BIG).unwrap();
    assert!(again.get(&k).unwrap().is_some());
}

#[test]
fn unknown_key_is_a_miss() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path(), BIG).unwrap();
    cache.put(&key(1), b"a", b"b").unwrap();
    assert_eq!(cache.get(&key(2)).unwrap(), None);
    let s = stats(&cache);
    assert_eq!((s.hits, s.misses, s.corrupt_evictions), (0, 1, 0));
    assert!(artifact_path(dir.path(), &key(1)).exists());
}

#[test]
fn flipped_byte_in_header_payload_or_checksum_is_a_miss_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path(), BIG).unwrap();
    let k = key(3);
    cache.put(&k, b"artifact!", b"side").unwrap();
    let path = artifact_path(dir.path(), &k);
    let good = fs::read(&path).unwrap();
    assert_eq!(good.len(), HEADER_LEN + 9 + 4);
    // Every byte: magic, version, kind, key, lengths, checksum, artifact, side table.
    for i in 0..good.len() {
        let mut bad = good.clone();
        bad[i] ^= 0x01;
        fs::write(&path, &bad).unwrap();
        assert_evicted(&cache, &k, &format!("flip at byte {i}"));
    }
    assert_eq!(stats(&cache).corrupt_evictions, good.len() as u64);
    // The entry can be stored again afterwards.
    cache.put(&k, b"artifact!", b"side").unwrap();
    assert!(cache.get(&k).unwrap().is_some());
}

#[test]
fn truncated_or_extended_file_is_a_miss_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path(), BIG).unwrap();
    let k = key(4);
    cache.put(&k, &[0xAB; 100], &[0xCD; 20]).unwrap();
    let path = artifact_path(dir.path(), &k);
    let good = fs::read(&path).unwrap();
    for len in [
        0,
        1,
        8,
        HEADER_LEN - 1,
        HEADER_LEN,
        HEADER_LEN + 50,
        good.len() - 1,
    ] {
        fs::write(&path, &good[..len]).unwrap();
        assert_evicted(&cache, &k, &format!("truncated to {len}"));
    }
    let mut longer = good.clone();
    longer.push(0);
    fs::write(&path, &longer).unwrap();
    assert_evicted(&cache, &k, "one byte appended");
}

#[test]
fn entry_copied_over_another_keys_file_is_a_miss_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path(), BIG).unwrap();
    let (k1, k2) = (key(5), key(6));
    cache.put(&k1, b"one", b"1").unwrap();
    cache.put(&k2, b"two", b"2").unwrap();
    fs::copy(
        artifact_path(dir.path(), &k1),
        artifact_path(dir.path(), &k2),
    )
    .unwrap();
    assert_evicted(&cache, &k2, "replaced entry");
    assert_eq!(cache.get(&k1).unwrap().unwrap().artifact, b"one");
}

#[test]
fn foreign_format_version_or_magic_is_a_miss_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path(), BIG).unwrap();
    let k = key(7);
    let path = artifact_path(dir.path(), &k);
    for (what, patch) in [
        ("version 2", (VERSION_OFFSET, 2u8)),
        ("version 0", (VERSION_OFFSET, 0u8)),
        ("magic", (0, b'X')),
    ] {
        cache.put(&k, b"code", b"tables").unwrap();
        let mut bytes = fs::read(&path).unwrap();
        bytes[patch.0] = patch.1;
        // A well-formed file of another version: only the field differs.
        reseal(&mut bytes);
        fs::write(&path, &bytes).unwrap();
        assert_evicted(&cache, &k, what);
    }
    assert_eq!(format::FORMAT_VERSION, 1);
}

#[test]
fn profiles_persist_beside_artifacts_and_kinds_do_not_mix() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path(), BIG).unwrap();
    let hash = [9u8; 32];
    assert_eq!(cache.get_profile(&hash).unwrap(), None);
    cache.put_profile(&hash, b"counters").unwrap();
    // An artifact under the same 32 bytes is a different entry.
    cache.put(&CacheKey(hash), b"code", b"").unwrap();
    drop(cache);
    let cache = Cache::open(dir.path(), BIG).unwrap();
    assert_eq!(cache.get_profile(&hash).unwrap().unwrap(), b"counters");
    assert_eq!(
        cache.get(&CacheKey(hash)).unwrap().unwrap().artifact,
        b"code"
    );
    assert!(profile_path(dir.path(), &hash).is_file());
    assert_eq!(stats(&cache).entries, 2);
    // A profile file copied to an artifact name is refused (wrong kind).
    fs::copy(
        profile_path(dir.path(), &hash),
        artifact_path(dir.path(), &CacheKey(hash)),
    )
    .unwrap();
    assert_evicted(&cache, &CacheKey(hash), "profile as artifact");
    // A corrupt profile is deleted too.
    let p = profile_path(dir.path(), &hash);
    let mut bytes = fs::read(&p).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x80;
    fs::write(&p, &bytes).unwrap();
    assert_eq!(cache.get_profile(&hash).unwrap(), None);
    assert!(!p.exists());
}

#[test]
fn lru_eviction_keeps_the_budget_and_evicts_the_least_recently_used() {
    let dir = tempfile::tempdir().unwrap();
    let entry = (HEADER_LEN + 100) as u64;
    let cache = Cache::open(dir.path(), 3 * entry).unwrap();
    let [a, b, c, d, e] = [key(10), key(11), key(12), key(13), key(14)];
    for k in [&a, &b, &c] {
        cache.put(k, &[1; 60], &[2; 40]).unwrap();
    }
    assert_eq!(stats(&cache).lru_evictions, 0);
    // Using `a` makes `b` the least recently used.
    assert!(cache.get(&a).unwrap().is_some());
    cache.put(&d, &[1; 60], &[2; 40]).unwrap();
    let s = stats(&cache);
    assert_eq!(s.lru_evictions, 1);
    assert_eq!((s.entries, s.total_bytes), (3, 3 * entry));
    assert!(
        !artifact_path(dir.path(), &b).exists(),
        "b was least recently used"
    );
    for k in [&a, &c, &d] {
        assert!(artifact_path(dir.path(), k).exists());
    }
    // A use recorded by another instance (another process) counts once it is
    // flushed, here on drop: now `a` is newer than `c`.
    let other = Cache::open(dir.path(), 3 * entry).unwrap();
    assert!(other.get(&c).unwrap().is_some());
    assert!(other.get(&a).unwrap().is_some());
    drop(other);
    cache.put(&e, &[1; 60], &[2; 40]).unwrap();
    assert!(
        !artifact_path(dir.path(), &d).exists(),
        "d was least recently used"
    );
    assert!(cache.get(&a).unwrap().is_some());
    assert!(cache.get(&c).unwrap().is_some());
    let s = stats(&cache);
    assert!(s.total_bytes <= s.budget_bytes);
    assert_eq!(s.lru_evictions, 2);
}

#[test]
fn entry_larger_than_the_budget_is_not_kept() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path(), 1000).unwrap();
    cache.put(&key(1), &[0; 100], b"").unwrap();
    cache.put(&key(2), &[0; 5000], b"").unwrap();
    let s = stats(&cache);
    assert_eq!((s.entries, s.lru_evictions), (0, 2));
    assert_eq!(cache.get(&key(2)).unwrap(), None);
}

#[test]
fn corrupt_or_missing_index_is_rebuilt_from_the_directory() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index.json");
    let cache = Cache::open(dir.path(), BIG).unwrap();
    for n in 0..3 {
        cache.put(&key(n), &[n as u8; 10], b"").unwrap();
    }
    cache.put_profile(&[1; 32], b"p").unwrap();
    let expect = (4, 3 * (HEADER_LEN as u64 + 10) + HEADER_LEN as u64 + 1);
    drop(cache);

    for garbage in [
        &b"{not json"[..],
        b"",
        br#"{"format":99,"entries":[]}"#,
        br#"{"format":1,"entries":[{"kind":"artifact","key":"../../etc","size":1,"last_use_ns":1}]}"#,
    ] {
        fs::write(&index, garbage).unwrap();
        let cache = Cache::open(dir.path(), BIG).unwrap();
        let s = stats(&cache);
        assert_eq!((s.entries, s.total_bytes), expect);
        assert!(Index::load(&index).unwrap().is_some(), "index rewritten");
    }

    // Removed while a cache is open: rebuilt on the next use.
    let cache = Cache::open(dir.path(), BIG).unwrap();
    fs::remove_file(&index).unwrap();
    let s = stats(&cache);
    assert_eq!((s.entries, s.total_bytes), expect);
    fs::remove_file(&index).unwrap();
    cache.put(&key(3), &[3; 10], b"").unwrap();
    assert_eq!(stats(&cache).entries, 5);
    assert!(cache.get(&key(0)).unwrap().is_some());
}

#[test]
fn stale_temp_files_are_removed_on_open() {
    let dir = tempfile::tempdir().unwrap();
    drop(Cache::open(dir.path(), BIG).unwrap());
    let old = dir.path().join("artifacts").join(".tmp-1-2-3");
    let fresh = dir.path().join("artifacts").join(".tmp-4-5-6");
    let old_index_tmp = dir.path().join(".tmp-7-8-9");
    for p in [&old, &fresh, &old_index_tmp] {
        fs::write(p, b"partial").unwrap();
    }
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    for p in [&old, &old_index_tmp] {
        let f = fs::File::options().write(true).open(p).unwrap();
        f.set_modified(hour_ago).unwrap();
    }
    let cache = Cache::open(dir.path(), BIG).unwrap();
    assert!(!old.exists() && !old_index_tmp.exists());
    assert!(fresh.exists(), "a running writer's temp file is kept");
    assert_eq!(stats(&cache).entries, 0, "temp files are not entries");
}

#[test]
fn clear_removes_every_entry_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path(), BIG).unwrap();
    cache.put(&key(1), b"a", b"").unwrap();
    cache.put(&key(2), b"b", b"").unwrap();
    cache.put_profile(&[3; 32], b"p").unwrap();
    let notes = dir.path().join("artifacts").join("notes.txt");
    fs::write(&notes, b"mine").unwrap();
    assert_eq!(cache.clear().unwrap(), 3);
    let s = stats(&cache);
    assert_eq!((s.entries, s.total_bytes), (0, 0));
    assert_eq!(cache.get(&key(1)).unwrap(), None);
    assert_eq!(cache.get_profile(&[3; 32]).unwrap(), None);
    assert!(notes.exists());
    assert_eq!(cache.clear().unwrap(), 0);
}

#[test]
fn real_io_failure_is_an_error_with_a_code() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain-file");
    fs::write(&file, b"x").unwrap();
    let err = Cache::open(&file, BIG).unwrap_err();
    assert_eq!(err.code(), "SJ-CACHE-IO");
    assert!(!err.remedy().is_empty());
    assert!(err.to_string().contains("plain-file"), "{err}");
}

/// A fake environment for [`default_dir_with`].
fn env<'a>(vars: &'a [(&str, &str)]) -> impl Fn(&str) -> Option<std::ffi::OsString> + 'a {
    move |name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| std::ffi::OsString::from(*v))
    }
}

#[test]
fn default_dir_follows_slotjit_then_xdg_then_home() {
    let all = [
        ("SLOTJIT_CACHE_DIR", "/sj"),
        ("XDG_CACHE_HOME", "/xdg"),
        ("HOME", "/home/u"),
    ];
    assert_eq!(default_dir_with(env(&all)).unwrap(), PathBuf::from("/sj"));
    assert_eq!(
        default_dir_with(env(&all[1..])).unwrap(),
        PathBuf::from("/xdg/slotjit")
    );
    assert_eq!(
        default_dir_with(env(&all[2..])).unwrap(),
        PathBuf::from("/home/u/.cache/slotjit")
    );
    // Empty or relative XDG_CACHE_HOME is ignored.
    let odd = [
        ("SLOTJIT_CACHE_DIR", ""),
        ("XDG_CACHE_HOME", "rel"),
        ("HOME", "/h"),
    ];
    assert_eq!(
        default_dir_with(env(&odd)).unwrap(),
        PathBuf::from("/h/.cache/slotjit")
    );
    let err = default_dir_with(env(&[])).unwrap_err();
    assert_eq!(err.code(), "SJ-CACHE-NO-DIR");
}

// -- concurrency ---------------------------------------------------------------------

/// Keys shared by all workers, so they overwrite and evict each other's entries.
const SHARED_KEYS: u32 = 12;

/// Artifact and side table written for key `n` by `worker` in round `round`:
/// lengths and contents vary, and each payload says whose it is, so a reader
/// can check that what it got is one complete write.
fn payload(n: u32, worker: u32, round: u32) -> (Vec<u8>, Vec<u8>) {
    let len = 200 + ((n * 37 + worker * 11 + round * 5) % 700) as usize;
    let mut artifact = Vec::with_capacity(len);
    artifact.extend_from_slice(&n.to_le_bytes());
    artifact.extend_from_slice(&worker.to_le_bytes());
    artifact.extend_from_slice(&round.to_le_bytes());
    while artifact.len() < len {
        artifact.push((artifact.len() as u32 ^ n ^ worker ^ round) as u8);
    }
    let side = artifact.iter().rev().take(len / 3).copied().collect();
    (artifact, side)
}

fn check_payload(n: u32, e: &Entry) {
    let word = |i: usize| u32::from_le_bytes(e.artifact[4 * i..4 * i + 4].try_into().unwrap());
    assert!(e.artifact.len() >= 12, "short artifact for key {n}");
    assert_eq!(word(0), n, "artifact of another key");
    let (artifact, side) = payload(n, word(1), word(2));
    assert_eq!(e.artifact, artifact, "artifact of key {n} mixed");
    assert_eq!(e.side_table, side, "side table of key {n} mixed");
}

/// Opens its own `Cache` on `dir` and hammers the shared keys.
fn hammer(dir: &Path, worker: u32, rounds: u32) -> CacheStats {
    // A budget of about half the working set keeps eviction busy too.
    let cache = Cache::open(dir, 6 * 1024).unwrap();
    for round in 0..rounds {
        let n = (round * 7 + worker * 3) % SHARED_KEYS;
        if (round + worker).is_multiple_of(3) {
            let (a, s) = payload(n, worker, round);
            cache.put(&key(n), &a, &s).unwrap();
        } else if let Some(e) = cache.get(&key(n)).unwrap() {
            check_payload(n, &e);
        }
        if round.is_multiple_of(50) {
            cache
                .put_profile(&[worker as u8; 32], &round.to_le_bytes())
                .unwrap();
            let _ = cache.get_profile(&[(worker as u8) ^ 1; 32]).unwrap();
        }
    }
    stats(&cache)
}

/// After the storm: every entry file left validates, and the index parses.
fn check_directory(dir: &Path) {
    let index_path = dir.join("index.json");
    assert!(Index::load(&index_path).unwrap().is_some(), "index corrupt");
    let leftovers: Vec<_> = [
        dir.to_path_buf(),
        dir.join("artifacts"),
        dir.join("profiles"),
    ]
    .iter()
    .flat_map(|d| fs::read_dir(d).unwrap())
    .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
    .filter(|n| n.starts_with(".tmp-"))
    .collect();
    assert!(leftovers.is_empty(), "temp files left: {leftovers:?}");
    let cache = Cache::open(dir, BIG).unwrap();
    let mut present = 0;
    for n in 0..SHARED_KEYS {
        let on_disk = artifact_path(dir, &key(n)).exists();
        match cache.get(&key(n)).unwrap() {
            Some(e) => {
                check_payload(n, &e);
                present += 1;
            }
            None => assert!(!on_disk, "entry {n} on disk but invalid"),
        }
    }
    assert!(present > 0);
    let s = stats(&cache);
    assert_eq!(s.corrupt_evictions, 0);
    // The rebuilt view agrees with the files.
    cache.rebuild_index().unwrap();
    assert!(stats(&cache).entries >= present);
}

#[test]
fn threads_with_separate_instances_never_corrupt_entries() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let workers: Vec<_> = (0..6)
        .map(|w| {
            let p = path.clone();
            std::thread::spawn(move || hammer(&p, w, 400))
        })
        .collect();
    let (mut hits, mut evictions) = (0, 0);
    for w in workers {
        let s = w.join().expect("worker panicked");
        assert_eq!(s.corrupt_evictions, 0, "a worker saw a bad entry");
        hits += s.hits;
        evictions += s.lru_evictions;
    }
    assert!(
        hits > 0 && evictions > 0,
        "{hits} hits, {evictions} evictions"
    );
    check_directory(&path);
}

/// Environment variable naming the directory a child process hammers.
const CHILD_DIR_VAR: &str = "SLOTJIT_CACHE_TEST_CHILD_DIR";

/// The body of a child process of
/// `processes_and_threads_share_a_directory_safely` (this test binary run
/// again with `--exact child_process_worker`); without the variable it does
/// nothing.
#[test]
fn child_process_worker() {
    let Some(dir) = std::env::var_os(CHILD_DIR_VAR) else {
        return;
    };
    let worker = std::process::id() % 1000 + 100;
    let s = hammer(Path::new(&dir), worker, 400);
    assert_eq!(s.corrupt_evictions, 0, "a child saw a bad entry");
}

#[test]
fn processes_and_threads_share_a_directory_safely() {
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..2)
        .map(|_| {
            Command::new(&exe)
                .args(["--exact", "child_process_worker", "--test-threads=1"])
                .env(CHILD_DIR_VAR, dir.path())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn child")
        })
        .collect();
    let path = dir.path().to_path_buf();
    let threads: Vec<_> = (0..2)
        .map(|w| {
            let p = path.clone();
            std::thread::spawn(move || hammer(&p, w, 400))
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().expect("thread panicked").corrupt_evictions, 0);
    }
    for c in children {
        let out = c.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "child failed: {text}");
        assert!(text.contains("1 passed"), "child did not run: {text}");
    }
    check_directory(&path);
}

// -- command line --------------------------------------------------------------------

fn slotjit() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_slotjit"));
    for var in ["SLOTJIT_CACHE_DIR", "XDG_CACHE_HOME", "HOME"] {
        c.env_remove(var);
    }
    c
}

fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().expect("slotjit starts");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "failed: {stderr}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn cli_cache_stats_and_clear() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path(), BIG).unwrap();
    cache.put(&key(1), &[0; 1000], b"").unwrap();
    cache.put_profile(&[1; 32], b"p").unwrap();
    drop(cache);
    let d = dir.path();
    let out = run_ok(slotjit().args(["cache", "stats", "--cache-dir"]).arg(d));
    assert!(
        out.contains(&format!("cache directory: {}", d.display())),
        "{out}"
    );
    assert!(out.contains("entries:         2\n"), "{out}");
    let total = 2 * HEADER_LEN as u64 + 1001;
    assert!(out.contains(&format!("({total} bytes)")), "{out}");
    assert!(out.contains("budget:"), "{out}");

    let out = run_ok(slotjit().args(["cache", "clear", "--cache-dir"]).arg(d));
    assert_eq!(out, format!("removed 2 entries from {}\n", d.display()));
    let out = run_ok(slotjit().args(["cache", "stats", "--cache-dir"]).arg(d));
    assert!(out.contains("entries:         0\n"), "{out}");
}

#[test]
fn cli_cache_uses_the_default_directory() {
    let dir = tempfile::tempdir().unwrap();
    let sj = dir.path().join("sj");
    let out = run_ok(
        slotjit()
            .args(["cache", "stats"])
            .env("SLOTJIT_CACHE_DIR", &sj),
    );
    assert!(
        out.contains(&format!("cache directory: {}", sj.display())),
        "{out}"
    );
    assert!(out.contains("entries:         0\n"), "{out}");
    assert!(!sj.exists(), "stats must not create the directory");

    let out = run_ok(
        slotjit()
            .args(["cache", "clear"])
            .env("XDG_CACHE_HOME", dir.path()),
    );
    let xdg = dir.path().join("slotjit");
    assert_eq!(out, format!("removed 0 entries from {}\n", xdg.display()));

    let out = run_ok(slotjit().args(["cache", "stats"]).env("HOME", dir.path()));
    let home = dir.path().join(".cache").join("slotjit");
    assert!(out.contains(&home.display().to_string()), "{out}");

    let out = slotjit().args(["cache", "stats"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("slotjit: SJ-CACHE-NO-DIR: "), "{err}");
    assert!(err.contains("\n  hint: "), "{err}");
}

#[test]
fn cli_cache_reports_io_errors_and_has_help() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("f");
    fs::write(&file, b"x").unwrap();
    let out = slotjit()
        .args(["cache", "stats", "--cache-dir"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("slotjit: SJ-CACHE-IO: "), "{err}");

    let help = run_ok(slotjit().args(["cache", "--help"]));
    assert!(help.contains("stats") && help.contains("clear"), "{help}");
    let help = run_ok(slotjit().args(["cache", "stats", "--help"]));
    assert!(help.contains("--cache-dir"), "{help}");
    assert!(help.contains("SLOTJIT_CACHE_DIR"), "{help}");
    let help = run_ok(slotjit().args(["--help"]));
    assert!(help.contains("cache"), "{help}");
}
