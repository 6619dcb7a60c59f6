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
    /// Tiers to time slotjit with, each as its own contender (e.g.
    /// `interp,baseline`); the ratio columns then also compare each later
    /// tier with the first (`interp/baseline` = the speedup of baseline).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "auto",
        value_name = "TIER,..."
    )]
    tiers: Vec<String>,
    /// Skip the reference interpreters (time slotjit only).
    #[arg(long)]
    no_reference: bool,
}

struct Contender {
    name: String,
    /// One of slotjit's own configurations (not a reference interpreter).
    ours: bool,
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
    let mut contenders = Vec::new();
    for tier in &a.tiers {
        let mut prefix = vec!["run".to_string(), format!("--tier={tier}")];
        prefix.extend(a.slotjit_flags.iter().cloned());
        contenders.push(Contender {
            name: if a.tiers.len() == 1 {
                "slotjit".into()
            } else {
                format!("sj-{tier}")
            },
            ours: true,
            program: exe.clone(),
            prefix,
        });
    }
    if contenders.is_empty() {
        report("--tiers is empty");
        return 1;
    }
    if !a.no_reference {
        for name in ["lua5.4", "luajit"] {
            if let Some(p) = find_in_path(name) {
                contenders.push(Contender {
                    name: name.into(),
                    ours: false,
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
    // Ratio columns (numerator, denominator): each of our configurations
    // against each reference, then the first configuration against each
    // later one (its speedup).
    let nours = contenders.iter().filter(|c| c.ours).count();
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for i in 0..nours {
        for j in nours..contenders.len() {
            pairs.push((i, j));
        }
    }
    for j in 1..nours {
        pairs.push((0, j));
    }
    let ratio_header: Vec<String> = pairs
        .iter()
        .map(|&(i, j)| {
            let short = |c: &Contender| c.name.trim_start_matches("sj-").to_string();
            format!(
                "{:>18}",
                format!("{}/{}", short(&contenders[i]), short(&contenders[j]))
            )
        })
        .collect();
    println!(
        "{:<18}{}{}",
        "program",
        header.join(""),
        ratio_header.join("")
    );
    let mut log_ratio_sums = vec![0f64; pairs.len()];
    let mut counted = vec![0u32; pairs.len()];
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
                            // luajit is 5.1: its output may differ.
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
        for (k, &(i, j)) in pairs.iter().enumerate() {
            match (times[i], times[j]) {
                (Some(num), Some(den)) => {
                    let r = num.as_secs_f64() / den.as_secs_f64();
                    log_ratio_sums[k] += r.ln();
                    counted[k] += 1;
                    ratios.push(format!("{r:>18.2}"));
                }
                _ => ratios.push(format!("{:>18}", "-")),
            }
        }
        println!("{:<18}{}{}", name, cols.join(""), ratios.join(""));
    }
    let geo: Vec<String> = (0..pairs.len())
        .map(|k| {
            if counted[k] == 0 {
                format!("{:>18}", "-")
            } else {
                format!("{:>18.2}", (log_ratio_sums[k] / counted[k] as f64).exp())
            }
        })
        .collect();
    println!(
        "{:<18}{}{}",
        "geomean",
        " ".repeat(10 * contenders.len()),
        geo.join("")
    );
    println!(
        "(ratios are time / time: below 1.0 means the left one is faster; \
         first-tier/later-tier above 1.0 is the later tier's speedup)"
    );
    status
}
