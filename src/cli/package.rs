//! Package subcommands: `pack`, `inspect`, `verify`, `extract`; running a
//! package (`slotjit run app.psp`, routed here from `run`); and the
//! self-executing launcher check `main` does before parsing arguments.
//!
//! Every failure prints `slotjit: <CODE>: <cause>` and `  hint: <remedy>` on
//! stderr and exits with status 1.

use std::cell::RefCell;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use clap::Args;

use slotjit::package::index::{FORMAT_VERSION, INDEX_SIZE, Index, MAGIC_END, MAGIC_START};
use slotjit::package::metadata::hex;
use slotjit::package::runtime::{self, RunError};
use slotjit::package::slots::check_dependencies;
use slotjit::package::{
    EntryPoint, Outcome, Package, PackageError, PackageSpec, ReadOptions, SigningKey, SlotError,
    SlotKind, SlotManager, SlotMeta, SlotSource, SlotSpec, SlotjitSlot, Trust, verify_path,
    write_package,
};
use slotjit::vm::{Vm, VmError, VmOptions};

/// Size of the PSPF trailer: start magic, 8192-byte index, end magic.
const TRAILER: usize = 4 + INDEX_SIZE + 4;

/// Prints `slotjit: CODE: cause` and `  hint: remedy`; returns exit status 1.
fn fail(code: &str, cause: &dyn std::fmt::Display, remedy: &str) -> i32 {
    eprintln!("slotjit: {code}: {cause}");
    eprintln!("  hint: {remedy}");
    1
}

fn fail_pkg(e: &PackageError) -> i32 {
    fail(e.code(), e, e.remedy())
}

fn fail_slot(e: &SlotError) -> i32 {
    fail(e.code(), e, e.remedy())
}

// -- trailer sniffing ------------------------------------------------------------------

/// Does this 8200-byte tail look like a valid PSPF/2025 trailer (both magics,
/// the format version and the index Adler-32)?
fn valid_trailer(tail: &[u8]) -> bool {
    if tail.len() != TRAILER || tail[..4] != MAGIC_START || tail[TRAILER - 4..] != MAGIC_END {
        return false;
    }
    let Ok(raw) = <&[u8; INDEX_SIZE]>::try_from(&tail[4..4 + INDEX_SIZE]) else {
        return false;
    };
    let idx = Index::parse(raw);
    idx.format_version == FORMAT_VERSION && idx.check_checksum().is_ok()
}

/// Reads only the last 8200 bytes of `path` and checks them: the cheap test
/// `run` and the self-executing launcher use.
pub fn has_pspf_trailer(path: &Path) -> bool {
    let Ok(mut f) = File::open(path) else {
        return false;
    };
    let Ok(len) = f.metadata().map(|m| m.len()) else {
        return false;
    };
    if len < TRAILER as u64 || f.seek(SeekFrom::End(-(TRAILER as i64))).is_err() {
        return false;
    }
    let mut tail = vec![0u8; TRAILER];
    f.read_exact(&mut tail).is_ok() && valid_trailer(&tail)
}

/// Self-executing packages: when the running executable ends with a valid
/// PSPF trailer (it was made by `slotjit pack --launcher self`), run its
/// entry with every command-line argument as a script argument and return
/// the exit status. A plain `slotjit` costs one open and one 8200-byte read.
pub fn self_exec() -> Option<i32> {
    let exe = std::env::current_exe().ok()?;
    if !has_pspf_trailer(&exe) {
        return None;
    }
    let mut argv = std::env::args_os().map(|a| a.to_string_lossy().into_owned());
    let script = argv.next().unwrap_or_else(|| exe.display().to_string());
    let args: Vec<String> = argv.collect();
    Some(run_package(
        &exe,
        &script,
        &args,
        None,
        slotjit::stdlib::LibProfile::Full,
    ))
}

// -- run -------------------------------------------------------------------------------

fn read_options(extra_dirs: &[PathBuf], require_trusted: bool) -> ReadOptions {
    let mut o = ReadOptions::with_default_trust_dirs();
    let mut dirs = extra_dirs.to_vec();
    dirs.append(&mut o.trusted_key_dirs);
    o.trusted_key_dirs = dirs;
    o.require_trusted = require_trusted;
    o
}

/// Runs a package's entry point in a fresh isolate with the library
/// `profile`: `script` becomes `arg[0]`, `args` are `...` and `arg[1..]`.
/// Returns the exit status (`os.exit`'s when the code called it).
pub fn run_package(
    path: &Path,
    script: &str,
    args: &[String],
    memory_limit: Option<u64>,
    profile: slotjit::stdlib::LibProfile,
) -> i32 {
    let package = match Package::open(path, &read_options(&[], false)) {
        Ok(p) => p,
        Err(e) => return fail_pkg(&e),
    };
    let mut mgr = match SlotManager::deferred(package) {
        Ok(m) => m,
        Err(e) => return fail_slot(&e),
    };
    // Say "not runnable" before touching any slot.
    if let Err(e) = mgr.entry() {
        return fail_slot(&e);
    }
    if let Err(e) = mgr.load_startup() {
        return fail_slot(&e);
    }
    let opts = VmOptions {
        memory_limit: memory_limit.unwrap_or(VmOptions::default().memory_limit),
    };
    let mut vm = match Vm::new(opts) {
        Ok(vm) => vm,
        Err(e) => return fail(e.code(), &e, "lower --memory-limit or free memory"),
    };
    if slotjit::stdlib::open_with_profile(&mut vm, profile).is_err()
        || runtime::install(&mut vm, Rc::new(RefCell::new(mgr))).is_err()
    {
        return fail(
            "SJ-VM-MEMORY",
            &"cannot initialize the standard library",
            "raise --memory-limit",
        );
    }
    let r = runtime::run_entry(&mut vm, script, args);
    vm.flush();
    match r {
        Ok(_) => 0,
        // `os.exit` unwinds to here with the status to exit with.
        Err(RunError::Lua(_)) if vm.libs.exit_code.is_some() => vm.libs.exit_code.unwrap_or(0),
        Err(RunError::Slot(e)) => fail_slot(&e),
        Err(RunError::Lua(VmError::Runtime { message, traceback })) => {
            if traceback.is_empty() {
                eprintln!("slotjit: {message}");
            } else {
                eprintln!("slotjit: {message}\n{traceback}");
            }
            1
        }
        Err(RunError::Lua(e)) => {
            eprintln!("slotjit: {}: {e}", e.code());
            1
        }
    }
}

// -- pack ------------------------------------------------------------------------------

/// Arguments of `slotjit pack`.
#[derive(Args, Debug)]
#[command(after_long_help = PACK_HELP)]
pub struct PackArgs {
    /// Output package file (written with mode 0755).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: PathBuf,
    /// Derive the Ed25519 signing key from this seed (secret = SHA-256 of the
    /// seed; flavorpack's --key-seed). Deterministic: same inputs, same bytes.
    #[arg(long, value_name = "SEED", conflicts_with = "key")]
    key_seed: Option<String>,
    /// Sign with this PKCS#8 PEM Ed25519 private key.
    #[arg(long, value_name = "FILE")]
    key: Option<PathBuf>,
    /// Launcher at the start of the file: `self` (this slotjit binary: the
    /// package runs when executed directly), a FILE, or `none`.
    #[arg(long, value_name = "self|FILE|none", default_value = "none")]
    launcher: String,
    /// What `slotjit run` executes: the chunk of slot SLOT, then (with :FN)
    /// the function FN it returns in a table or defines as a global.
    #[arg(long, value_name = "SLOT[:FN]")]
    entry: Option<String>,
    /// Package name (default: the output file name without extension).
    #[arg(long, value_name = "N")]
    name: Option<String>,
    /// Package version.
    #[arg(long = "version", value_name = "V", default_value = "0.0.0")]
    pkg_version: String,
    /// Store Lua slots as source text (kind lua) instead of compiling them to
    /// slot bytecode (kind sbc).
    #[arg(long)]
    keep_source: bool,
    /// Slots, in table order: ID=PATH[:OPTION]... (see below).
    #[arg(required = true, value_name = "SLOTSPEC")]
    slots: Vec<String>,
}

const PACK_HELP: &str = "\
SLOTSPEC:  ID=PATH[:OPTION]...

  ID is the slot name (what require() and --entry use); PATH a file or a
  directory. Options, in any order, separated by ':':

  kind        lua | sbc | data
              default from PATH: *.lua -> lua, *.sbc -> sbc, anything else
              (and every directory) -> data. A lua slot is compiled to slot
              bytecode and stored as kind sbc unless --keep-source or the
              `source` option is given; sbc input is decoded and verified.
              A data slot is loaded by require() as a string.
  source      keep this lua slot as source text (kind lua)
  compression gzip (default) | zstd | xz | bzip2 | raw
              flavorpack launchers read only gzip and raw. A directory is
              always tarred first (tar, then the compression).
  lifecycle=L startup: staged when the package opens, never evicted;
              runtime (default): staged on first use; lazy and any other
              flavorpack lifecycle: staged on access, low priority
  depends=A,B slots staged and run before this one (no cycles)
  exports=F,G other names require() finds this slot by
  target=P    extraction path for flavorpack launchers (default: ID)
  purpose=P   flavorpack purpose (default: code for lua/sbc, data otherwise)

EXAMPLES:
  slotjit pack -o app.psp --key-seed dev --entry main:main \\
      main=src/main.lua:depends=util util=lib/util.lua \\
      assets=assets/:data:zstd config=conf.json:data:lifecycle=startup
  slotjit pack -o app --launcher self --key keys/app.pem --entry main main=main.lua
  ./app arg1 arg2            # a --launcher self package runs when executed

A key is required: --key-seed SEED (deterministic, for development) or
--key FILE (PKCS#8 PEM). Dependency cycles are refused, naming the cycle.";

/// One parsed SLOTSPEC.
#[derive(Debug, Default)]
struct SlotArg {
    id: String,
    path: PathBuf,
    kind: Option<String>,
    source: bool,
    compression: Option<String>,
    lifecycle: Option<String>,
    depends: Vec<String>,
    exports: Vec<String>,
    target: Option<String>,
    purpose: Option<String>,
}

fn split_list(v: &str) -> Vec<String> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

fn parse_slotspec(spec: &str) -> Result<SlotArg, String> {
    let (id, rest) = spec
        .split_once('=')
        .ok_or_else(|| format!("slot spec '{spec}' has no '=': expected ID=PATH[:OPTION]..."))?;
    if id.is_empty() {
        return Err(format!("slot spec '{spec}' has an empty ID"));
    }
    let mut parts = rest.split(':');
    let path = parts.next().unwrap_or_default();
    if path.is_empty() {
        return Err(format!("slot spec '{spec}' has an empty PATH"));
    }
    let mut s = SlotArg {
        id: id.to_string(),
        path: PathBuf::from(path),
        ..Default::default()
    };
    for opt in parts {
        match opt.split_once('=') {
            None => match opt {
                "lua" | "sbc" | "data" => s.kind = Some(opt.to_string()),
                "source" => s.source = true,
                "gzip" | "zstd" | "xz" | "bzip2" | "raw" | "none" => {
                    s.compression = Some(opt.to_string())
                }
                _ => return Err(format!("unknown option '{opt}' in slot spec '{spec}'")),
            },
            Some(("lifecycle", v)) if !v.is_empty() => s.lifecycle = Some(v.to_string()),
            Some(("depends", v)) => s.depends = split_list(v),
            Some(("exports", v)) => s.exports = split_list(v),
            Some(("target", v)) if !v.is_empty() => s.target = Some(v.to_string()),
            Some(("purpose", v)) if !v.is_empty() => s.purpose = Some(v.to_string()),
            Some((k, _)) => return Err(format!("bad option '{k}=' in slot spec '{spec}'")),
        }
    }
    Ok(s)
}

/// A pack failure: code, cause, remedy.
struct PackError(&'static str, String, &'static str);

impl From<PackageError> for PackError {
    fn from(e: PackageError) -> Self {
        PackError(e.code(), e.to_string(), e.remedy())
    }
}

fn build_slot(s: &SlotArg, package: &str, keep_source: bool) -> Result<SlotSpec, PackError> {
    let is_dir = s.path.is_dir();
    let ext = s.path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let kind = s.kind.clone().unwrap_or_else(|| {
        match ext {
            _ if is_dir => "data",
            "lua" => "lua",
            "sbc" => "sbc",
            _ => "data",
        }
        .to_string()
    });
    let spec_err = |m: String| {
        PackError(
            "SJ-CLI-SLOTSPEC",
            m,
            "fix the SLOTSPEC (see `slotjit pack --help`)",
        )
    };
    if is_dir && kind != "data" {
        return Err(spec_err(format!(
            "slot '{}': a directory can only be a data slot",
            s.id
        )));
    }
    let read = |p: &Path| std::fs::read(p).map_err(|e| PackageError::io(p, e));
    let chunkname = format!("@{package}/{}", s.id);
    let (source, stored_kind) = match kind.as_str() {
        "lua" => {
            let text = read(&s.path)?;
            let body = if text.first() == Some(&b'#') {
                let nl = text.iter().position(|&c| c == b'\n').unwrap_or(text.len());
                &text[nl..]
            } else {
                &text[..]
            };
            // Compile either way, so a syntax error stops the pack, not the run.
            let proto = slotjit::lua::compile(body, &chunkname).map_err(|e| {
                PackError(
                    "SJ-PKG-SLOT-COMPILE",
                    format!("slot '{}': {}", s.id, e.message),
                    "fix the Lua source and pack again",
                )
            })?;
            if keep_source || s.source {
                (SlotSource::Bytes(text), "lua")
            } else {
                (SlotSource::Bytes(slotjit::bytecode::encode(&proto)), "sbc")
            }
        }
        "sbc" => {
            let bytes = read(&s.path)?;
            slotjit::bytecode::decode(&bytes).map_err(|e| {
                PackError(
                    "SJ-PKG-SLOT-BYTECODE",
                    format!("slot '{}': {e}", s.id),
                    "recompile the file with `slotjit compile`",
                )
            })?;
            (SlotSource::Bytes(bytes), "sbc")
        }
        _ if is_dir => (SlotSource::Directory(s.path.clone()), "data"),
        _ => (SlotSource::File(s.path.clone()), "data"),
    };
    if s.source && stored_kind != "lua" {
        return Err(spec_err(format!(
            "slot '{}': `source` applies only to lua slots",
            s.id
        )));
    }
    let compression = s.compression.as_deref().unwrap_or("gzip");
    let ops_text = match (is_dir, compression) {
        (true, "raw" | "none") => "tar".to_string(),
        (true, c) => format!("tar|{c}"),
        (false, c) => c.to_string(),
    };
    let ops = slotjit::package::OperationChain::parse(&ops_text)?;
    let code = stored_kind != "data";
    let mut spec = SlotSpec::new(s.id.clone(), source)
        .operations(ops)
        .purpose(
            s.purpose
                .clone()
                .unwrap_or_else(|| if code { "code" } else { "data" }.into()),
        )
        .lifecycle(s.lifecycle.clone().unwrap_or_else(|| "runtime".into()))
        .slotjit(SlotjitSlot {
            kind: stored_kind.into(),
            exports: s.exports.clone(),
            depends: s.depends.clone(),
            extra: Default::default(),
        });
    if let Some(t) = &s.target {
        spec = spec.target(t.clone());
    } else if code {
        spec = spec.target(format!("{}.{stored_kind}", s.id));
    }
    Ok(spec)
}

/// `slotjit pack`.
pub fn pack(a: PackArgs) -> i32 {
    match pack_inner(&a) {
        Ok(()) => 0,
        Err(PackError(code, cause, remedy)) => fail(code, &cause, remedy),
    }
}

fn pack_inner(a: &PackArgs) -> Result<(), PackError> {
    let key = match (&a.key_seed, &a.key) {
        (Some(seed), _) => SigningKey::from_seed(seed),
        (None, Some(file)) => SigningKey::from_pem_file(file)?,
        (None, None) => {
            return Err(PackError(
                "SJ-PKG-KEY",
                "no signing key given".into(),
                "pass --key-seed SEED (development) or --key FILE (PKCS#8 PEM private key)",
            ));
        }
    };
    let name = a.name.clone().unwrap_or_else(|| {
        a.output
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "package".into())
    });
    let spec_err = |m: String| {
        PackError(
            "SJ-CLI-SLOTSPEC",
            m,
            "fix the SLOTSPEC (see `slotjit pack --help`)",
        )
    };
    let mut args = Vec::with_capacity(a.slots.len());
    for s in &a.slots {
        args.push(parse_slotspec(s).map_err(spec_err)?);
    }
    let entry = match &a.entry {
        None => None,
        Some(e) => {
            let (slot, function) = match e.split_once(':') {
                Some((s, f)) if !f.is_empty() => (s.to_string(), Some(f.to_string())),
                Some((s, _)) => (s.to_string(), None),
                None => (e.clone(), None),
            };
            let Some(sa) = args.iter_mut().find(|s| s.id == slot) else {
                return Err(PackError(
                    "SJ-PKG-NO-ENTRY",
                    format!("--entry names slot '{slot}', which is not among the SLOTSPECs"),
                    "give --entry the ID of one of the lua or sbc slots",
                ));
            };
            if let Some(f) = &function
                && !sa.exports.contains(f)
            {
                sa.exports.push(f.clone());
            }
            Some(EntryPoint {
                slot,
                function,
                extra: Default::default(),
            })
        }
    };
    let mut slots = Vec::with_capacity(args.len());
    for s in &args {
        slots.push(build_slot(s, &name, a.keep_source)?);
    }
    if let Some(e) = &entry
        && let Some(s) = slots.iter().find(|s| s.id == e.slot)
        && s.slotjit.as_ref().is_some_and(|j| j.kind == "data")
    {
        return Err(PackError(
            "SJ-PKG-SLOT-KIND",
            format!("--entry slot '{}' is a data slot", e.slot),
            "the entry must be a lua or sbc slot",
        ));
    }
    // Refuse what the runtime would refuse: unknown dependencies and cycles.
    let metas: Vec<SlotMeta> = slots
        .iter()
        .map(|s| SlotMeta {
            id: s.id.clone(),
            slotjit: s.slotjit.clone(),
            ..Default::default()
        })
        .collect();
    check_dependencies(&metas).map_err(|e| PackError(e.code(), e.to_string(), e.remedy()))?;
    let launcher = match a.launcher.as_str() {
        "none" => Vec::new(),
        "self" => {
            let exe = std::env::current_exe().map_err(PackageError::from)?;
            std::fs::read(&exe).map_err(|e| PackageError::io(&exe, e))?
        }
        file => std::fs::read(file).map_err(|e| PackageError::io(file, e))?,
    };
    let launcher_size = launcher.len();
    let mut spec = PackageSpec::new(name.clone(), a.pkg_version.clone());
    spec.launcher = launcher;
    spec.entry = entry;
    spec.slots = slots;
    write_package(&spec, &key, &a.output)?;
    let size = std::fs::metadata(&a.output).map(|m| m.len()).unwrap_or(0);
    println!(
        "wrote {}: package {name} {}, {} slots, {size} bytes (launcher {launcher_size} bytes), key {}",
        a.output.display(),
        a.pkg_version,
        spec.slots.len(),
        &key.public_key().fingerprint()[..16]
    );
    Ok(())
}

// -- inspect ---------------------------------------------------------------------------

/// Arguments of `slotjit inspect`.
#[derive(Args, Debug)]
pub struct InspectArgs {
    /// The package file.
    package: PathBuf,
    /// Also trust `*.pub` keys in this directory (before flavorpack's default
    /// trusted-keys directories). Repeatable.
    #[arg(long = "trusted-keys", value_name = "DIR")]
    trusted_keys: Vec<PathBuf>,
}

fn trust_line(t: &Trust) -> String {
    match t {
        Trust::Trusted { key_file } => format!("signed by trusted key {}", key_file.display()),
        Trust::SelfSigned => "self-signed (the key is in no trusted-keys directory)".into(),
    }
}

/// `slotjit inspect`.
pub fn inspect(a: InspectArgs) -> i32 {
    let opts = read_options(&a.trusted_keys, false);
    let p = match Package::open(&a.package, &opts) {
        Ok(p) => p,
        Err(e) => return fail_pkg(&e),
    };
    let open_bytes = p.bytes_read();
    let meta = p.metadata();
    let (name, version) = meta
        .package
        .as_ref()
        .map(|i| (i.name.as_str(), i.version.as_str()))
        .unwrap_or(("?", "?"));
    let idx = p.index();
    let mut out = String::new();
    use std::fmt::Write as _;
    let _ = writeln!(out, "package    {name} {version}");
    let _ = writeln!(
        out,
        "file       {} ({} bytes; launcher {} bytes; metadata {} bytes gzip)",
        a.package.display(),
        idx.package_size,
        idx.launcher_size,
        idx.metadata_size
    );
    let _ = writeln!(
        out,
        "format     {} (index and metadata checks passed)",
        meta.format.as_deref().unwrap_or("PSPF/2025")
    );
    let _ = writeln!(
        out,
        "signature  Ed25519 valid, key {}",
        p.public_key().fingerprint()
    );
    let _ = writeln!(out, "trust      {}", trust_line(p.trust()));
    let entry = meta.execution.as_ref().and_then(|e| e.slotjit.as_ref());
    let _ = writeln!(
        out,
        "entry      {}",
        match entry {
            Some(EntryPoint {
                slot,
                function: Some(f),
                ..
            }) => format!("{slot}:{f}"),
            Some(e) => e.slot.clone(),
            None => "none (no execution.slotjit: built for flavorpack launchers; `slotjit run` will refuse it)".into(),
        }
    );
    // States after opening as `run` would: startup slots staged.
    let mut note = None;
    let mgr = match Package::open(&a.package, &opts)
        .map_err(SlotError::from)
        .and_then(SlotManager::deferred)
    {
        Ok(mut m) => {
            if let Err(e) = m.load_startup() {
                note = Some(format!("startup load failed: {}: {e}", e.code()));
            }
            Some(m)
        }
        Err(e) => {
            note = Some(format!("slot graph refused: {}: {e}", e.code()));
            None
        }
    };
    let _ = writeln!(
        out,
        "slots      {} (opening read {open_bytes} bytes)",
        p.slot_count()
    );
    if let Some(n) = &note {
        let _ = writeln!(out, "warning    {n}");
    }
    let mut rows = vec![
        [
            "#",
            "ID",
            "KIND",
            "LIFECYCLE",
            "LOAD",
            "OPS",
            "STORED",
            "ORIGINAL",
            "STATE",
            "DEPENDS",
            "EXPORTS",
        ]
        .map(String::from),
    ];
    for s in p.slots() {
        let i = s.index;
        let sj = s.meta.slotjit.as_ref();
        let kind = SlotKind::of(s.meta);
        let ops = match s.chain() {
            Ok(c) if c.ops().is_empty() => "raw".to_string(),
            Ok(c) => c
                .ops()
                .iter()
                .map(|o| o.name())
                .collect::<Vec<_>>()
                .join("+"),
            Err(_) => format!("0x{:x}?", s.descriptor.operations),
        };
        let join = |v: Option<&Vec<String>>| match v {
            Some(v) if !v.is_empty() => v.join(","),
            _ => "-".into(),
        };
        rows.push([
            i.to_string(),
            s.id().to_string(),
            kind.name().to_string(),
            if s.meta.lifecycle.is_empty() {
                "-".into()
            } else {
                s.meta.lifecycle.clone()
            },
            slotjit::package::LoadStrategy::for_lifecycle(&s.meta.lifecycle)
                .name()
                .into(),
            ops,
            s.descriptor.size.to_string(),
            s.descriptor.original_size.to_string(),
            mgr.as_ref()
                .map_or("?".into(), |m| m.state(i).name().to_string()),
            join(sj.map(|j| &j.depends)),
            join(sj.map(|j| &j.exports)),
        ]);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    out.push('\n');
    for r in &rows {
        let mut line = String::from(" ");
        for (c, cell) in r.iter().enumerate() {
            let _ = write!(line, " {cell:<w$}", w = widths[c]);
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    print!("{out}");
    0
}

// -- verify ----------------------------------------------------------------------------

/// Arguments of `slotjit verify`.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The package file.
    package: PathBuf,
    /// Also trust `*.pub` keys in this directory. Repeatable.
    #[arg(long = "trusted-keys", value_name = "DIR")]
    trusted_keys: Vec<PathBuf>,
    /// Fail unless the signing key is trusted.
    #[arg(long)]
    require_trusted: bool,
}

/// `slotjit verify`: one line per named check, exit 0 when all pass.
pub fn verify(a: VerifyArgs) -> i32 {
    let opts = read_options(&a.trusted_keys, a.require_trusted);
    let report = match verify_path(&a.package, &opts) {
        Ok(r) => r,
        Err(e) => return fail_pkg(&e),
    };
    let mut failed = 0usize;
    let mut out = String::new();
    use std::fmt::Write as _;
    let fail_line =
        |out: &mut String, name: &str, code: &str, cause: &dyn std::fmt::Display, remedy: &str| {
            let _ = writeln!(out, "FAIL  {name}: {code}: {cause} (hint: {remedy})");
        };
    for c in &report.checks {
        match &c.outcome {
            Outcome::Passed => {
                let _ = writeln!(out, "ok    {}", c.name);
            }
            Outcome::Failed(e) => {
                failed += 1;
                fail_line(&mut out, &c.name, e.code(), e, e.remedy());
            }
            Outcome::Skipped(why) => {
                failed += 1;
                let _ = writeln!(out, "skip  {} ({why})", c.name);
            }
        }
    }
    // slotjit's own checks: the dependency graph, the entry, and every code
    // slot through the bytecode verifier / the Lua compiler.
    match Package::open(&a.package, &opts) {
        Err(_) => {
            let _ = writeln!(out, "skip  slotjit.* (the package does not open)");
        }
        Ok(p) => {
            match check_dependencies(&p.metadata().slots) {
                Ok(()) => {
                    let _ = writeln!(out, "ok    slotjit.depends");
                }
                Err(e) => {
                    failed += 1;
                    fail_line(&mut out, "slotjit.depends", e.code(), &e, e.remedy());
                }
            }
            let entry = p
                .metadata()
                .execution
                .as_ref()
                .and_then(|e| e.slotjit.clone());
            match entry {
                None => {
                    let _ = writeln!(
                        out,
                        "n/a   slotjit.entry (no execution.slotjit: not runnable by slotjit)"
                    );
                }
                Some(ep) => match p.find_slot(&ep.slot) {
                    Some(i) if p.slot(i).is_ok_and(|s| SlotKind::of(s.meta).is_code()) => {
                        let _ = writeln!(out, "ok    slotjit.entry");
                    }
                    found => {
                        failed += 1;
                        let why = if found.is_some() {
                            format!("entry slot '{}' is not a lua or sbc slot", ep.slot)
                        } else {
                            format!("entry slot '{}' does not exist", ep.slot)
                        };
                        let e = SlotError::NoEntry(why);
                        fail_line(&mut out, "slotjit.entry", e.code(), &e, e.remedy());
                    }
                },
            }
            for s in p.slots() {
                let kind = SlotKind::of(s.meta);
                let name = format!("slot[{}].code", s.index);
                if !kind.is_code() {
                    continue;
                }
                if !matches!(
                    report.get(&format!("slot[{}].decode", s.index)),
                    Some(Outcome::Passed)
                ) {
                    failed += 1;
                    let _ = writeln!(out, "skip  {name} (slot did not decode)");
                    continue;
                }
                let r = p.slot_data(s.index).map_err(SlotError::from).and_then(|d| {
                    if kind == SlotKind::Sbc {
                        slotjit::bytecode::decode(&d)
                            .map(|_| ())
                            .map_err(|e| SlotError::Bytecode {
                                slot: s.id().into(),
                                detail: e.to_string(),
                            })
                    } else {
                        let chunk = format!("@{}", s.id());
                        let body = if d.first() == Some(&b'#') {
                            let nl = d.iter().position(|&c| c == b'\n').unwrap_or(d.len());
                            &d[nl..]
                        } else {
                            &d[..]
                        };
                        slotjit::lua::compile(body, &chunk)
                            .map(|_| ())
                            .map_err(|e| SlotError::Compile {
                                slot: s.id().into(),
                                message: e.message,
                            })
                    }
                });
                match r {
                    Ok(()) => {
                        let _ = writeln!(out, "ok    {name}");
                    }
                    Err(e) => {
                        failed += 1;
                        fail_line(&mut out, &name, e.code(), &e, e.remedy());
                    }
                }
            }
        }
    }
    let _ = writeln!(
        out,
        "trust: {}",
        match &report.trust {
            Some(t) => trust_line(t),
            None => "unknown (signature not verified)".into(),
        }
    );
    if failed == 0 {
        let _ = writeln!(out, "package OK");
    } else {
        let _ = writeln!(out, "package INVALID ({failed} checks did not pass)");
    }
    print!("{out}");
    if failed == 0 { 0 } else { 1 }
}

// -- extract ---------------------------------------------------------------------------

/// Arguments of `slotjit extract`.
#[derive(Args, Debug)]
pub struct ExtractArgs {
    /// The package file.
    package: PathBuf,
    /// Slot id (or table position).
    slot: String,
    /// Where to write: a file for the decoded bytes (`-` = stdout), or, for a
    /// tar slot, a directory to extract into (entries that would escape it
    /// are refused).
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    output: PathBuf,
}

/// `slotjit extract`.
pub fn extract(a: ExtractArgs) -> i32 {
    let p = match Package::open(&a.package, &read_options(&[], false)) {
        Ok(p) => p,
        Err(e) => return fail_pkg(&e),
    };
    let Some(i) = p
        .find_slot(&a.slot)
        .or_else(|| a.slot.parse::<usize>().ok().filter(|&i| i < p.slot_count()))
    else {
        return fail_pkg(&PackageError::NoSuchSlot(a.slot.clone()));
    };
    let is_tar = match p.slot(i).and_then(|s| s.chain()) {
        Ok(c) => c.has_tar(),
        Err(e) => return fail_pkg(&e),
    };
    let data = match p.slot_data(i) {
        Ok(d) => d,
        Err(e) => return fail_pkg(&e),
    };
    if is_tar {
        match slotjit::package::tar_safety::extract_tar(&data, &a.output) {
            Ok(entries) => {
                println!(
                    "extracted slot '{}' ({} entries) into {}",
                    p.slot(i).map(|s| s.id().to_string()).unwrap_or_default(),
                    entries.len(),
                    a.output.display()
                );
                0
            }
            Err(e) => fail_pkg(&e),
        }
    } else if a.output.as_os_str() == "-" {
        let mut so = std::io::stdout().lock();
        if so.write_all(&data).and_then(|_| so.flush()).is_err() {
            return fail_pkg(&PackageError::from(std::io::Error::other(
                "cannot write to standard output",
            )));
        }
        0
    } else {
        match std::fs::write(&a.output, &data) {
            Ok(()) => {
                println!(
                    "extracted slot '{}' ({} bytes, sha256 {}) to {}",
                    p.slot(i).map(|s| s.id().to_string()).unwrap_or_default(),
                    data.len(),
                    &hex(&sha2_digest(&data))[..16],
                    a.output.display()
                );
                0
            }
            Err(e) => fail_pkg(&PackageError::io(&a.output, e)),
        }
    }
}

fn sha2_digest(d: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(d).into()
}
