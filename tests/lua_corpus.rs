//! Lua conformance corpus: runs every `tests/lua/*.lua` through the slotjit
//! binary and compares stdout, stderr and exit status byte-for-byte with the
//! expected files blessed from the reference `lua5.4` (see docs/testing.md and
//! scripts/bless-corpus.sh).
//!
//! For a program `tests/lua/NAME.lua`:
//! - `NAME.stdout`, `NAME.stderr`, `NAME.status` (required) hold the expected
//!   output; stderr has the interpreter prefix `slotjit: ` where lua5.4
//!   printed `lua5.4: `;
//! - `NAME.args` (optional): one command-line argument per line, passed after
//!   the file name;
//! - `NAME.stdin` (optional): fed to standard input (default: empty input).
//!
//! The program is run as `slotjit run [$SLOTJIT_CORPUS_ARGS...] NAME.lua
//! [args...]` with current directory `tests/lua`, and killed after
//! `$SLOTJIT_CORPUS_TIMEOUT` seconds (default 30).
//!
//! Environment:
//! - `SLOTJIT_CORPUS_FILTER=substr[,substr...]`: only programs whose name
//!   contains one of the substrings (the minimum-count check is then skipped);
//! - `SLOTJIT_CORPUS_EXCLUDE=substr[,substr...]`: leave out programs whose
//!   name contains one of the substrings (reported on stderr; e.g. `lib_`
//!   while the standard library is incomplete);
//! - `SLOTJIT_CORPUS_ARGS="--tier=interp"`: extra flags (split on whitespace)
//!   inserted after `run` -- used to run the same corpus on every tier;
//! - `SLOTJIT_CORPUS_JOBS=n`: programs run in parallel (default: CPU count).
//!
//! All programs are run; the test then fails listing every mismatch with a
//! short diff of the first differing lines. It never skips silently: a
//! program without its expected files, or a corpus smaller than
//! [`MIN_PROGRAMS`], is a failure.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// The corpus must never shrink below this many programs unnoticed.
const MIN_PROGRAMS: usize = 60;
/// Default per-program timeout.
const DEFAULT_TIMEOUT_SECS: u64 = 30;
/// How many differing lines of each stream to show per failing program.
const DIFF_LINES: usize = 6;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("lua")
}

struct Expected {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    status: i32,
    args: Vec<String>,
    stdin: Vec<u8>,
}

/// A program name and either its run time (pass) or a failure report.
type Outcome = (String, Result<Duration, String>);

struct Actual {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    /// Exit code; `None` if killed by a signal.
    status: Option<i32>,
    timed_out: bool,
    elapsed: Duration,
}

fn read_opt(path: &Path) -> Result<Option<Vec<u8>>, String> {
    match std::fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

fn load_expected(dir: &Path, name: &str) -> Result<Expected, String> {
    let mut missing = Vec::new();
    let mut req = |ext: &str| -> Result<Vec<u8>, String> {
        let p = dir.join(format!("{name}.{ext}"));
        match read_opt(&p)? {
            Some(b) => Ok(b),
            None => {
                missing.push(format!("{name}.{ext}"));
                Ok(Vec::new())
            }
        }
    };
    let stdout = req("stdout")?;
    let stderr = req("stderr")?;
    let status_txt = req("status")?;
    if !missing.is_empty() {
        return Err(format!(
            "missing expected file(s) {} (run scripts/bless-corpus.sh {name})",
            missing.join(", ")
        ));
    }
    let status_str = String::from_utf8_lossy(&status_txt);
    let status: i32 = status_str
        .trim()
        .parse()
        .map_err(|_| format!("{name}.status does not hold an exit code: {status_str:?}"))?;
    let args = match read_opt(&dir.join(format!("{name}.args")))? {
        Some(b) => String::from_utf8(b)
            .map_err(|_| format!("{name}.args is not UTF-8"))?
            .lines()
            .map(str::to_owned)
            .collect(),
        None => Vec::new(),
    };
    let stdin = read_opt(&dir.join(format!("{name}.stdin")))?.unwrap_or_default();
    Ok(Expected {
        stdout,
        stderr,
        status,
        args,
        stdin,
    })
}

fn run_program(
    bin: &Path,
    dir: &Path,
    name: &str,
    extra: &[String],
    exp: &Expected,
    timeout: Duration,
) -> Result<Actual, String> {
    let start = Instant::now();
    let mut child = Command::new(bin)
        .current_dir(dir)
        .arg("run")
        .args(extra)
        .arg(format!("{name}.lua"))
        .args(&exp.args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot spawn {}: {e}", bin.display()))?;

    let mut stdin = child.stdin.take().expect("piped stdin");
    let input = exp.stdin.clone();
    // Ignore write errors: the program may exit without reading its input.
    let writer = thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let mut out = child.stdout.take().expect("piped stdout");
    let mut err = child.stderr.take().expect("piped stderr");
    let out_reader = thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err_reader = thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });

    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break st,
            Ok(None) => {
                if start.elapsed() >= timeout {
                    timed_out = true;
                    let _ = child.kill();
                    break child.wait().map_err(|e| format!("wait: {e}"))?;
                }
                thread::sleep(Duration::from_millis(5));
            }
            Err(e) => return Err(format!("wait: {e}")),
        }
    };
    let elapsed = start.elapsed();
    let _ = writer.join();
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    Ok(Actual {
        stdout,
        stderr,
        status: status.code(),
        timed_out,
        elapsed,
    })
}

/// A short diff of the first differing lines of two byte streams.
fn short_diff(label: &str, expected: &[u8], actual: &[u8]) -> String {
    let e = String::from_utf8_lossy(expected);
    let a = String::from_utf8_lossy(actual);
    let el: Vec<&str> = e.split_inclusive('\n').collect();
    let al: Vec<&str> = a.split_inclusive('\n').collect();
    let first = el.iter().zip(al.iter()).take_while(|(x, y)| x == y).count();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "  --- expected {label} / +++ actual {label} (first difference at line {}; {} vs {} lines)",
        first + 1,
        el.len(),
        al.len()
    );
    let show = |s: &mut String, sign: char, lines: &[&str]| {
        for l in lines.iter().skip(first).take(DIFF_LINES) {
            let t = l.strip_suffix('\n');
            match t {
                Some(t) => {
                    let _ = writeln!(s, "  {sign}{t}");
                }
                None => {
                    let _ = writeln!(s, "  {sign}{l}\\ (no newline at end)");
                }
            }
        }
        if lines.len() > first + DIFF_LINES {
            let _ = writeln!(
                s,
                "  {sign}... ({} more lines)",
                lines.len() - first - DIFF_LINES
            );
        }
    };
    if first > 0 {
        let _ = writeln!(s, "   {}", el[first - 1].trim_end_matches('\n'));
    }
    show(&mut s, '-', &el);
    show(&mut s, '+', &al);
    s
}

fn check_one(
    bin: &Path,
    dir: &Path,
    name: &str,
    extra: &[String],
    timeout: Duration,
) -> Result<Duration, String> {
    let exp = load_expected(dir, name)?;
    let act = run_program(bin, dir, name, extra, &exp, timeout)?;
    let mut report = String::new();
    if act.timed_out {
        let _ = writeln!(report, "  timed out after {:?} (killed)", timeout);
    }
    if act.status != Some(exp.status) {
        let got = match act.status {
            Some(c) => c.to_string(),
            None => "killed by a signal".to_owned(),
        };
        let _ = writeln!(report, "  exit status: expected {}, got {got}", exp.status);
    }
    if act.stdout != exp.stdout {
        report.push_str(&short_diff("stdout", &exp.stdout, &act.stdout));
    }
    if act.stderr != exp.stderr {
        report.push_str(&short_diff("stderr", &exp.stderr, &act.stderr));
    }
    if report.is_empty() {
        Ok(act.elapsed)
    } else {
        Err(report)
    }
}

/// A comma-separated list from the environment (empty if unset).
fn list_var(name: &str) -> Vec<String> {
    std::env::var(name)
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The corpus with the default settings (native engine, `--tier=auto`)
/// plus `$SLOTJIT_CORPUS_ARGS`.
#[test]
fn lua_corpus() {
    // Shared across test runs: a second run loads every module from it.
    let cache = format!("--cache-dir={}/corpus-cache", env!("CARGO_TARGET_TMPDIR"));
    run_corpus(&[&cache]);
}

/// Tier 0 alone over a host arena (no Wasmtime at all).
#[test]
fn lua_corpus_jit_off() {
    run_corpus(&["--jit=off"]);
}

/// Tier 0 over the isolate's Wasm linear memory.
#[test]
fn lua_corpus_tier_interp() {
    run_corpus(&["--tier=interp"]);
}

/// Every function compiled by the baseline tier before it first runs.
#[test]
fn lua_corpus_tier_baseline() {
    run_corpus(&["--tier=baseline", "--no-cache"]);
}

/// Tier-up in the middle of programs: functions compiled after two calls.
#[test]
fn lua_corpus_tier_auto_eager() {
    run_corpus(&["--tier=auto", "--jit-threshold=2", "--no-cache"]);
}

/// Tier-up at fixed points: hot functions compiled the moment they get hot,
/// hot loops of running frames continued in compiled code (OSR).
#[test]
fn lua_corpus_tier_auto_synchronous() {
    run_corpus(&[
        "--tier=auto",
        "--jit-threshold=2",
        "--jit-sync",
        "--no-cache",
    ]);
}

fn run_corpus(tier_args: &[&str]) {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_slotjit"));
    let dir = corpus_dir();
    let filter = list_var("SLOTJIT_CORPUS_FILTER");
    let exclude = list_var("SLOTJIT_CORPUS_EXCLUDE");
    let mut extra: Vec<String> = tier_args.iter().map(|s| s.to_string()).collect();
    extra.extend(
        std::env::var("SLOTJIT_CORPUS_ARGS")
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_owned),
    );
    let timeout = Duration::from_secs(
        std::env::var("SLOTJIT_CORPUS_TIMEOUT")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(DEFAULT_TIMEOUT_SECS),
    );

    let mut all: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read corpus dir {}: {e}", dir.display()))
        .filter_map(|e| {
            let p = e.expect("dir entry").path();
            (p.extension().is_some_and(|x| x == "lua"))
                .then(|| p.file_stem().unwrap().to_string_lossy().into_owned())
        })
        .collect();
    all.sort();

    let mut problems: Vec<String> = Vec::new();
    // Expected files whose program is gone are a corpus bug too.
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if let Some(ext) = p.extension().and_then(|x| x.to_str())
            && matches!(ext, "stdout" | "stderr" | "status" | "args" | "stdin")
        {
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            if !all.contains(&stem) {
                problems.push(format!(
                    "{}: orphan expected file (no {stem}.lua)",
                    p.display()
                ));
            }
        }
    }

    let names: Vec<String> = if filter.is_empty() {
        if all.len() < MIN_PROGRAMS {
            problems.push(format!(
                "corpus has only {} programs in {}, expected at least {MIN_PROGRAMS}",
                all.len(),
                dir.display()
            ));
        }
        all
    } else {
        let v: Vec<String> = all
            .into_iter()
            .filter(|n| filter.iter().any(|f| n.contains(f.as_str())))
            .collect();
        if v.is_empty() {
            problems.push(format!(
                "SLOTJIT_CORPUS_FILTER={filter:?} matches no program"
            ));
        }
        v
    };
    // Explicit, loud exclusion (e.g. `lib_` until the stdlib lands): the
    // minimum-count check above still applies to the whole corpus.
    let before = names.len();
    let names: Vec<String> = names
        .into_iter()
        .filter(|n| !exclude.iter().any(|x| n.contains(x.as_str())))
        .collect();
    if before != names.len() {
        eprintln!(
            "lua_corpus: SLOTJIT_CORPUS_EXCLUDE={exclude:?} excluded {} of {before} programs",
            before - names.len()
        );
    }

    let jobs = std::env::var("SLOTJIT_CORPUS_JOBS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| thread::available_parallelism().map_or(2, |n| n.get()))
        .max(1);
    let next = Arc::new(AtomicUsize::new(0));
    let names = Arc::new(names);
    let results: Arc<Mutex<Vec<Outcome>>> = Arc::new(Mutex::new(Vec::new()));
    let workers: Vec<_> = (0..jobs)
        .map(|_| {
            let (next, names, results) = (next.clone(), names.clone(), results.clone());
            let (bin, dir, extra) = (bin.clone(), dir.clone(), extra.clone());
            thread::spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(name) = names.get(i) else { break };
                    let r = check_one(&bin, &dir, name, &extra, timeout);
                    results.lock().unwrap().push((name.clone(), r));
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("corpus worker panicked");
    }
    let mut results = Arc::try_unwrap(results).ok().unwrap().into_inner().unwrap();
    results.sort_by(|a, b| a.0.cmp(&b.0));

    let total = results.len();
    let mut failed = Vec::new();
    let mut details = String::new();
    for (name, r) in &results {
        if let Err(report) = r {
            failed.push(name.clone());
            let _ = writeln!(details, "\n=== {name}.lua FAILED\n{}", report.trim_end());
        }
    }
    let mut slow: Vec<_> = results
        .iter()
        .filter_map(|(n, r)| r.as_ref().ok().map(|d| (d, n)))
        .collect();
    slow.sort();
    if let Some((d, n)) = slow.last() {
        eprintln!("lua_corpus: slowest passing program: {n}.lua ({d:?})");
    }
    eprintln!(
        "lua_corpus: {}/{total} programs passed (slotjit run {})",
        total - failed.len(),
        extra.join(" ")
    );

    if !failed.is_empty() || !problems.is_empty() {
        let mut msg = String::new();
        for p in &problems {
            let _ = writeln!(msg, "corpus problem: {p}");
        }
        if !failed.is_empty() {
            let _ = writeln!(
                msg,
                "{} of {total} corpus programs mismatched: {}",
                failed.len(),
                failed.join(" ")
            );
            msg.push_str(&details);
            let _ = writeln!(
                msg,
                "\n(re-run a subset with SLOTJIT_CORPUS_FILTER=name; compare with live lua5.4 via scripts/check-corpus-live.sh)"
            );
        }
        panic!("{msg}");
    }
}
