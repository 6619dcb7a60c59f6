//! Tier 1 through the public interfaces: the persistent artifact cache seen
//! from `slotjit run --stats`, corrupted and foreign cache entries, and the
//! isolate limits (deadline, memory) with the process and other isolates
//! going on. The whole Lua corpus under every tier is in `lua_corpus.rs`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use slotjit::cache::Cache;
use slotjit::codegen::baseline::{BatchFunction, compile_batch};
use slotjit::engine::{Engines, Isolate, IsolateOptions, PoolLimits};
use slotjit::jit::{JitOptions, TierMode, baseline_cache_key, function_name};
use slotjit::vm::{Value, VmError};

const PROGRAM: &str = r#"
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
local acc = 0.0
for i = 1, 200 do acc = acc + i * 0.5 end
local t = {}
for i = 1, 50 do t[i] = i * i end
print(fib(18), acc, #t, t[7], pcall(error, "boom"))
"#;
const EXPECTED: &str = "2584\t10050.0\t50\t49\tfalse\tboom\n";

fn slotjit() -> Command {
    Command::new(env!("CARGO_BIN_EXE_slotjit"))
}

/// Runs `file` with `--tier=baseline --stats` and the cache in `cache`;
/// returns (stdout, stats text).
fn run_cached(file: &Path, cache: &Path) -> (String, String) {
    let out = slotjit()
        .args(["run", "--tier=baseline", "--stats", "--cache-dir"])
        .arg(cache)
        .arg(file)
        .output()
        .expect("run slotjit");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "slotjit failed: {stderr}");
    (String::from_utf8_lossy(&out.stdout).into_owned(), stderr)
}

/// The number before `word` on the stats line starting with `line`.
fn stat(stats: &str, line: &str, word: &str) -> u64 {
    let l = stats
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(line))
        .unwrap_or_else(|| panic!("no '{line}' line in stats:\n{stats}"));
    let words: Vec<&str> = l.split_whitespace().collect();
    let at = words
        .iter()
        .position(|w| w.trim_end_matches(',') == word)
        .unwrap_or_else(|| panic!("no '{word}' in '{l}'"));
    words[at - 1].parse().expect("a number")
}

fn entry_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read cache dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "sjc") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn program_file(dir: &Path, name: &str, src: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, src).expect("write program");
    p
}

#[test]
fn second_run_compiles_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let cache = tmp.path().join("cache");
    let prog = program_file(tmp.path(), "p.lua", PROGRAM);
    let (out1, s1) = run_cached(&prog, &cache);
    assert_eq!(out1, EXPECTED);
    assert!(stat(&s1, "baseline:", "functions") >= 2, "{s1}");
    assert_eq!(stat(&s1, "cache:", "hits"), 0, "{s1}");
    assert!(stat(&s1, "cache:", "misses") >= 1, "{s1}");
    let (out2, s2) = run_cached(&prog, &cache);
    assert_eq!(out2, EXPECTED);
    assert_eq!(stat(&s2, "baseline:", "functions"), 0, "{s2}");
    assert_eq!(stat(&s2, "cache:", "misses"), 0, "{s2}");
    assert!(stat(&s2, "cache:", "hits") >= 1, "{s2}");
}

/// Every kind of damage to an entry: the run recompiles (a miss, not a
/// crash) and prints the right result.
#[test]
fn damaged_entries_are_recompiled() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let cache = tmp.path().join("cache");
    let prog = program_file(tmp.path(), "p.lua", PROGRAM);
    let other = program_file(tmp.path(), "q.lua", "print(('x'):rep(3), 6 * 7)\n");
    type Damage = fn(&Path);
    let damages: [(&str, Damage); 4] = [
        ("flip in the middle", |p| {
            let mut b = std::fs::read(p).unwrap();
            let mid = b.len() / 2;
            b[mid] ^= 0x55;
            std::fs::write(p, b).unwrap();
        }),
        ("flip in the header", |p| {
            let mut b = std::fs::read(p).unwrap();
            b[20] ^= 1;
            std::fs::write(p, b).unwrap();
        }),
        ("flip in the last byte", |p| {
            let mut b = std::fs::read(p).unwrap();
            let last = b.len() - 1;
            b[last] ^= 0x80;
            std::fs::write(p, b).unwrap();
        }),
        ("truncation", |p| {
            let b = std::fs::read(p).unwrap();
            std::fs::write(p, &b[..b.len() / 3]).unwrap();
        }),
    ];
    for (what, damage) in damages {
        let _ = std::fs::remove_dir_all(&cache);
        run_cached(&prog, &cache);
        let files = entry_files(&cache);
        assert!(!files.is_empty(), "no cache entries written");
        for f in &files {
            damage(f);
        }
        let (out, stats) = run_cached(&prog, &cache);
        assert_eq!(out, EXPECTED, "after {what}");
        assert_eq!(stat(&stats, "cache:", "hits"), 0, "after {what}: {stats}");
        assert!(
            stat(&stats, "cache:", "corrupt") >= 1,
            "after {what}: {stats}"
        );
        assert!(stat(&stats, "baseline:", "functions") >= 2, "after {what}");
        // The replacement entry is good again.
        let (_, stats) = run_cached(&prog, &cache);
        assert!(stat(&stats, "cache:", "hits") >= 1, "after {what}: {stats}");
    }
    // An entry replaced by another program's entry (file copied over).
    let _ = std::fs::remove_dir_all(&cache);
    run_cached(&prog, &cache);
    let mine = entry_files(&cache);
    run_cached(&other, &cache);
    let theirs: Vec<PathBuf> = entry_files(&cache)
        .into_iter()
        .filter(|p| !mine.contains(p))
        .collect();
    assert!(!theirs.is_empty(), "second program wrote no entry");
    for f in &mine {
        std::fs::copy(&theirs[0], f).expect("replace entry");
    }
    let (out, stats) = run_cached(&prog, &cache);
    assert_eq!(out, EXPECTED);
    assert_eq!(stat(&stats, "cache:", "hits"), 0, "{stats}");
}

fn engines() -> Arc<Engines> {
    Engines::new(PoolLimits::default()).expect("native engine")
}

fn isolate(engines: &Arc<Engines>, tier: TierMode, memory: u64) -> Isolate {
    let opts = IsolateOptions {
        memory_limit: memory,
        jit: JitOptions {
            tier,
            ..JitOptions::default()
        },
    };
    let mut iso = Isolate::new(engines, &opts).expect("isolate");
    slotjit::stdlib::open_with_profile(iso.vm_mut(), slotjit::stdlib::LibProfile::Full)
        .map_err(|_| ())
        .expect("stdlib");
    iso
}

fn run_chunk(iso: &mut Isolate, src: &str) -> Result<Vec<Value>, VmError> {
    let proto = slotjit::lua::compile(src.as_bytes(), "=test").expect("compile");
    let f = iso.vm_mut().load_main(proto).map_err(|_| ()).expect("load");
    iso.call_protected(f, &[])
}

fn int_global(iso: &mut Isolate, name: &str) -> Option<i64> {
    iso.vm_mut().get_global(name).ok()?.as_int()
}

/// An artifact compiled by an engine with another configuration, stored
/// under the very key the JIT looks up, is refused and recompiled.
#[test]
fn artifact_of_another_engine_configuration_is_not_used() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let engines = engines();
    let src = "x = 40 + 2";
    let proto = slotjit::lua::compile(src.as_bytes(), "=test").expect("compile");
    let wasm = compile_batch(&[BatchFunction {
        proto: &proto,
        name: function_name(&proto),
    }]);
    let key = baseline_cache_key(&engines, &wasm);
    // Another configuration: no epoch checks, movable memories, Winch-free
    // Cranelift defaults.
    let foreign = wasmtime::Engine::new(&wasmtime::Config::new()).expect("foreign engine");
    let artifact = foreign.precompile_module(&wasm).expect("foreign compile");
    let cache = Arc::new(Cache::open(tmp.path(), 1 << 30).expect("cache"));
    cache.put(&key, &artifact, &[]).expect("put");

    let mut iso = isolate(&engines, TierMode::Baseline, 64 << 20);
    iso.set_cache(Some(cache.clone()));
    run_chunk(&mut iso, src).expect("run");
    assert_eq!(int_global(&mut iso, "x"), Some(42));
    let s = iso.stats();
    assert_eq!(s.cache_hits, 0, "{s}");
    assert_eq!(s.cache_rejected, 1, "{s}");
    assert_eq!(s.baseline_functions, 1, "{s}");
    // The foreign entry was replaced by a good one.
    let mut again = isolate(&engines, TierMode::Baseline, 64 << 20);
    again.set_cache(Some(cache));
    run_chunk(&mut again, src).expect("run");
    assert_eq!(again.stats().cache_hits, 1);
}

/// An endless loop in compiled code (and in the interpreter) stops at the
/// deadline with SJ-JIT-EXEC-TIMEOUT, which `pcall` cannot catch; the same
/// isolate and another one keep working.
#[test]
fn deadline_stops_endless_loops_and_isolates_go_on() {
    let engines = engines();
    for tier in [TierMode::Baseline, TierMode::Interp, TierMode::Auto] {
        let mut iso = isolate(&engines, tier, 64 << 20);
        iso.set_time_limit(Some(Duration::from_millis(200)));
        let err = run_chunk(
            &mut iso,
            "while true do pcall(function() local n = 0 while true do n = n + 1 end end) end",
        )
        .expect_err("must time out");
        assert!(
            err.to_string().contains("SJ-JIT-EXEC-TIMEOUT"),
            "{tier:?}: {err}"
        );
        // Same isolate, new call: fine again.
        run_chunk(&mut iso, "y = 0 for i = 1, 1000 do y = y + i end").expect("after timeout");
        assert_eq!(int_global(&mut iso, "y"), Some(500500), "{tier:?}");
        // Another isolate of the same engines.
        let mut other = isolate(&engines, tier, 64 << 20);
        run_chunk(&mut other, "z = 7 * 6").expect("other isolate");
        assert_eq!(int_global(&mut other, "z"), Some(42));
    }
}

/// A memory bomb stops at the isolate's limit with a Lua "not enough
/// memory" error (catchable, as in Lua); other isolates are unaffected.
#[test]
fn memory_bomb_stops_at_the_isolate_limit() {
    let engines = engines();
    for tier in [TierMode::Baseline, TierMode::Auto] {
        let mut small = isolate(&engines, tier, 16 << 20);
        let err = run_chunk(
            &mut small,
            "local t = {} for i = 1, 1e9 do t[i] = ('x'):rep(64) .. i end",
        )
        .expect_err("must run out of memory");
        assert!(err.to_string().contains("not enough memory"), "{err}");
        run_chunk(
            &mut small,
            "local ok, e = pcall(function() local t = {} for i = 1, 1e9 do t[i] = {i} end end) \
             caught = (not ok and e == 'not enough memory') and 1 or 0",
        )
        .expect("pcall catches it");
        assert_eq!(int_global(&mut small, "caught"), Some(1));
        let mut other = isolate(&engines, tier, 64 << 20);
        run_chunk(&mut other, "w = #(('y'):rep(1000000))").expect("other isolate");
        assert_eq!(int_global(&mut other, "w"), Some(1_000_000));
    }
}

/// `--stats` metrics of tier transitions: calls from compiled code into an
/// interpreted function (a chunk `load`ed while compiled code runs enters
/// through the trampoline), direct library calls, `step`s per opcode and
/// the time split between compiled code and the rest.
#[test]
fn tier_transitions_and_time_per_tier_are_reported() {
    let engines = engines();
    let mut iso = isolate(&engines, TierMode::Baseline, 64 << 20);
    iso.measure_tiers();
    run_chunk(
        &mut iso,
        "local f = load('return 1 + ...') \
         local s = 0 \
         for i = 1, 3 do s = s + f(i) + math.abs(-i) end \
         x = tonumber(s .. '')",
    )
    .expect("run");
    assert_eq!(int_global(&mut iso, "x"), Some(15));
    let s = iso.stats();
    assert!(s.trampoline_entries >= 1, "{s}");
    // `load`, `math.abs` three times, `tonumber`.
    assert!(s.native_fn_calls >= 5, "{s}");
    let concat = slotjit::bytecode::isa::OpCode::CONCAT as usize;
    assert!(
        s.steps_by_opcode.get(concat).copied().unwrap_or(0) >= 1,
        "{s}"
    );
    let t = s.tier_time.expect("measured");
    assert!(
        t.native > Duration::ZERO && t.other > Duration::ZERO,
        "{t:?}"
    );
    let text = s.to_string();
    assert!(
        text.contains("tier transitions:") && text.contains("in compiled code"),
        "{text}"
    );
    // Not measured unless asked for.
    let mut quiet = isolate(&engines, TierMode::Baseline, 64 << 20);
    run_chunk(&mut quiet, "y = 1").expect("run");
    assert!(quiet.stats().tier_time.is_none());
}

/// `--tier=auto` compiles on the compile worker: the hot function keeps
/// running in the interpreter until its code is ready, then it is installed
/// at a safe point and runs compiled, with the same results.
#[test]
fn auto_tier_compiles_in_the_background_and_installs_later() {
    let engines = engines();
    let mut iso = isolate(&engines, TierMode::Auto, 64 << 20);
    run_chunk(
        &mut iso,
        "function work(n) local s = 0 for i = 1, n do s = s + i % 7 end return s end",
    )
    .expect("define");
    // Bounded wait for the worker (not a timing assertion: the loop only
    // ends early once the code is installed).
    let mut rounds = 0;
    while iso.stats().installs == 0 && rounds < 2000 {
        run_chunk(&mut iso, "r = 0 for _ = 1, 20 do r = r + work(100) end").expect("run");
        assert_eq!(int_global(&mut iso, "r"), Some(20 * 297), "round {rounds}");
        rounds += 1;
        std::thread::sleep(Duration::from_millis(5));
    }
    let s = iso.stats();
    assert!(s.background_compiles >= 1, "{s}");
    assert!(
        s.installs >= 1,
        "never installed after {rounds} rounds: {s}"
    );
    // And the compiled code computes the same.
    run_chunk(&mut iso, "r = 0 for _ = 1, 20 do r = r + work(100) end").expect("run");
    assert_eq!(int_global(&mut iso, "r"), Some(20 * 297));
}

/// Puts the baseline artifact of `src`'s main function (as `--tier=auto`
/// batches it when only its loops are hot) into `cache`, so that tier-up
/// happens at the first hot back-edge, not whenever the worker is done.
fn precompile_main(engines: &Arc<Engines>, cache: &Cache, src: &str) {
    let proto = slotjit::lua::compile(src.as_bytes(), "=test").expect("compile");
    let wasm = compile_batch(&[BatchFunction {
        proto: &proto,
        name: function_name(&proto),
    }]);
    let artifact = engines.baseline.precompile_module(&wasm).expect("compile");
    cache
        .put(&baseline_cache_key(engines, &wasm), &artifact, &[])
        .expect("put");
}

/// On-stack replacement: a chunk that runs once, with a loop that gets hot,
/// goes on in compiled code from a loop head with its registers as the
/// interpreter left them; later loops run compiled too, and an error
/// raised in compiled code after the switch reports the right line.
#[test]
fn hot_loop_of_a_running_frame_continues_in_compiled_code() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let engines = engines();
    let cache = Arc::new(Cache::open(tmp.path(), 1 << 30).expect("cache"));
    let src = "local s, f = 0, 0.5\n\
               for i = 1, 5000 do s = s + i % 7; f = f * 1.0001 end\n\
               local t, k = {}, 0\n\
               while k < 3000 do k = k + 1; t[k] = k * 2 end\n\
               x, y, z = s, #t + t[3000], f > 0.5";
    precompile_main(&engines, &cache, src);
    let mut iso = isolate(&engines, TierMode::Auto, 64 << 20);
    iso.set_cache(Some(cache.clone()));
    run_chunk(&mut iso, src).expect("run");
    assert_eq!(int_global(&mut iso, "x"), Some(14_997));
    assert_eq!(int_global(&mut iso, "y"), Some(3000 + 6000));
    assert_eq!(iso.vm_mut().get_global("z").ok(), Some(Value::TRUE));
    let s = iso.stats();
    assert_eq!(s.cache_hits, 1, "{s}");
    assert_eq!(s.loop_entries, 1, "{s}");

    let failing = "local n = 0\n\
                   for i = 1, 5000 do\n\
                   n = n + 1\n\
                   if i == 4000 then error('stop at ' .. n) end\n\
                   end";
    precompile_main(&engines, &cache, failing);
    let mut iso = isolate(&engines, TierMode::Auto, 64 << 20);
    iso.set_cache(Some(cache));
    let err = run_chunk(&mut iso, failing).expect_err("raises");
    assert!(err.to_string().contains("test:4: stop at 4000"), "{err}");
    assert_eq!(iso.stats().loop_entries, 1);
}

/// Past the pool's instance bound per isolate, batches wait; between calls
/// the isolate rebuilds its store around one module with every compiled
/// function, keeping the heap (globals, tables, closures) as it was.
#[test]
fn isolate_recycles_its_store_at_the_instance_limit() {
    let engines = Engines::new(PoolLimits {
        isolates: 2,
        instances_per_isolate: 2,
        ..PoolLimits::default()
    })
    .expect("native engine");
    let mut iso = isolate(&engines, TierMode::Baseline, 16 << 20);
    for k in 1..=6i64 {
        // Each chunk is one batch (its main function and `f<k>`).
        let src = format!(
            "local base = {k}\n\
             function f{k}(n) local s = base for i = 1, n do s = s + i end return s end\n\
             data{k} = {{}} for i = 1, 100 do data{k}[i] = i * {k} end\n\
             function g{k}(x) if x == 0 then error('zero in g{k}') end return x end"
        );
        run_chunk(&mut iso, &src).expect("chunk runs");
        for j in 1..=k {
            let f = iso
                .vm_mut()
                .get_global(&format!("f{j}"))
                .map_err(|_| ())
                .expect("f");
            let before = iso.stats().native_calls;
            let r = iso.call_protected(f, &[Value::int(10)]).expect("call");
            assert_eq!(r[0].as_int(), Some(j + 55), "f{j} after chunk {k}");
            // Every function runs compiled: its batch had instance room, or
            // waited and the recycle at the start of this call compiled it.
            assert_eq!(iso.stats().native_calls, before + 1, "f{j} compiled");
            let check = format!("return data{j}[7], #data{j}");
            let r = run_chunk(&mut iso, &check).expect("check runs");
            assert_eq!((r[0].as_int(), r[1].as_int()), (Some(7 * j), Some(100)));
        }
    }
    let s = iso.stats();
    assert!(s.recycles >= 2, "{s}");
    assert!(s.deferred_batches >= 2, "{s}");
    assert_eq!((s.failures, s.recycle_failures), (0, 0), "{s}");
    // Errors raised in code that came back through a recycle still name
    // their line.
    let g = iso.vm_mut().get_global("g1").map_err(|_| ()).expect("g1");
    let e = iso.call_protected(g, &[Value::int(0)]).expect_err("error");
    assert!(e.to_string().contains("test:4: zero in g1"), "{e}");
}
