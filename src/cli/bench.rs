//! `slotjit bench`: times a set of Lua programs under `slotjit` and under
//! the reference interpreters (`lua5.4`, `luajit` when installed) in the
//! same run, checks they print the same output, and prints per-program
//! ratios plus the geometric mean. Measurements are the fastest wall-clock
//! time of whole-process runs, so start-up is included for every contender
//! alike.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clap::Args;

use super::report;

/// Arguments of `slotjit bench`.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Directory of benchmark programs (every `*.lua` in it) or single files.
    #[arg(default_value = "benches/lua")]
    paths: Vec<PathBuf>,
    /// Runs per program and contender; the fastest is reported.
    #[arg(long, default_value_t = 3)]
    runs: u32,
    /// Extra flags passed to `slotjit run` (e.g. `--runs 5 -- --tier=interp`).
    #[arg(long = "slotjit-flag", value_name = "FLAG", allow_hyphen_values = true)]
    slotjit_flags: Vec<String>,
    /// Skip the reference interpreters (time slotjit only).
    #[arg(long)]
    no_reference: bool,
}

struct Contender {
    name: String,
    program: PathBuf,
    prefix: Vec<String>,
}

fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn programs(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .filter(|f| f.extension().is_some_and(|x| x == "lua"))
                .collect();
            files.sort();
            out.extend(files);
        } else {
            out.push(p.clone());
        }
    }
    out
}

/// Runs one program once; returns (elapsed, stdout) or a failure message.
fn run_once(c: &Contender, prog: &Path) -> Result<(Duration, Vec<u8>), String> {
    let start = Instant::now();
    let out = Command::new(&c.program)
        .args(&c.prefix)
        .arg(prog)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot start {}: {e}", c.name))?;
    let elapsed = start.elapsed();
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!(
            "{} failed on {}: {}",
            c.name,
            prog.display(),
            err.lines().next().unwrap_or("")
        ));
    }
    Ok((elapsed, out.stdout))
}

/// The fastest run: on a shared machine interference only ever adds time,
/// so the minimum is the most repeatable estimate.
fn fastest(v: Vec<Duration>) -> Duration {
    v.into_iter().min().unwrap_or_default()
}

/// Runs `slotjit bench`; returns the exit status.
pub fn bench(a: BenchArgs) -> i32 {
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => {
            report(&format!("cannot locate the slotjit executable: {e}"));
            return 1;
        }
    };
    let mut prefix = vec!["run".to_string()];
    prefix.extend(a.slotjit_flags.iter().cloned());
    let mut contenders = vec![Contender {
        name: "slotjit".into(),
        program: exe,
        prefix,
    }];
    if !a.no_reference {
        for name in ["lua5.4", "luajit"] {
            if let Some(p) = find_in_path(name) {
                contenders.push(Contender {
                    name: name.into(),
                    program: p,
                    prefix: vec![],
                });
            } else {
                eprintln!("note: {name} not found in PATH; not compared");
            }
        }
    }
    let progs = programs(&a.paths);
    if progs.is_empty() {
        report("no benchmark programs found (give a directory of .lua files)");
        return 1;
    }
    let runs = a.runs.max(1);
    let header: Vec<String> = contenders
        .iter()
        .map(|c| format!("{:>10}", c.name))
        .collect();
    let ratio_header: Vec<String> = contenders[1..]
        .iter()
        .map(|c| format!("{:>14}", format!("sj/{}", c.name)))
        .collect();
    println!(
        "{:<18}{}{}",
        "program",
        header.join(""),
        ratio_header.join("")
    );
    let mut log_ratio_sums = vec![0f64; contenders.len()];
    let mut counted = vec![0u32; contenders.len()];
    let mut status = 0;
    for prog in &progs {
        let name = prog
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("?")
            .to_string();
        eprint!("{name}: ");
        let mut times = Vec::new();
        let mut reference_output: Option<Vec<u8>> = None;
        for c in &contenders {
            let mut samples = Vec::new();
            let mut failed = None;
            for _ in 0..runs {
                eprint!(".");
                match run_once(c, prog) {
                    Ok((d, out)) => {
                        if c.name != "luajit" {
                            match &reference_output {
                                None => reference_output = Some(out),
                                Some(r) if *r != out => {
                                    failed = Some(format!("{} printed different output", c.name));
                                }
                                _ => {}
                            }
                        }
                        samples.push(d);
                    }
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                }
            }
            match failed {
                Some(e) => {
                    eprintln!();
                    report(&e);
                    status = 1;
                    times.push(None);
                }
                None => times.push(Some(fastest(samples))),
            }
        }
        eprintln!();
        let cols: Vec<String> = times
            .iter()
            .map(|t| {
                t.map_or(format!("{:>10}", "fail"), |d| {
                    format!("{:>9.3}s", d.as_secs_f64())
                })
            })
            .collect();
        let mut ratios = Vec::new();
        for (i, t) in times.iter().enumerate().skip(1) {
            match (times[0], t) {
                (Some(sj), Some(other)) => {
                    let r = sj.as_secs_f64() / other.as_secs_f64();
                    log_ratio_sums[i] += r.ln();
                    counted[i] += 1;
                    ratios.push(format!("{r:>14.2}"));
                }
                _ => ratios.push(format!("{:>14}", "-")),
            }
        }
        println!("{:<18}{}{}", name, cols.join(""), ratios.join(""));
    }
    let geo: Vec<String> = (1..contenders.len())
        .map(|i| {
            if counted[i] == 0 {
                format!("{:>14}", "-")
            } else {
                format!("{:>14.2}", (log_ratio_sums[i] / counted[i] as f64).exp())
            }
        })
        .collect();
    println!(
        "{:<18}{}{}",
        "geomean",
        " ".repeat(10 * contenders.len()),
        geo.join("")
    );
    println!("(ratios are slotjit time / reference time: below 1.0 means slotjit is faster)");
    status
}
