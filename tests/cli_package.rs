//! The package subcommands end to end through the `slotjit` binary: `pack`
//! a multi-slot package (lua source, compiled bytecode, a precompiled `.sbc`,
//! data, a directory, dependencies), `inspect`, `verify`, `run` (entry,
//! `require` of other slots, arguments), `extract`; tampered copies refused
//! with the failing check named; a self-executing package run directly;
//! dependency cycles; and the flavorpack vectors, which have no slotjit entry.

mod package_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use package_support::*;
use slotjit::package::*;

fn slotjit() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_slotjit"));
    // Trust decisions must not depend on the machine running the tests.
    for k in [
        "FLAVOR_TRUSTED_KEYS_DIR",
        "FLAVOR_CONFIG_DIR",
        "XDG_CONFIG_HOME",
    ] {
        c.env_remove(k);
    }
    c.env(
        "HOME",
        std::env::temp_dir().join("slotjit-cli-package-home"),
    );
    c
}

struct Run {
    code: i32,
    out: String,
    err: String,
}

fn run(c: &mut Command) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = c.output().expect("spawn slotjit");
    Run {
        code: status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&stdout).into_owned(),
        err: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

fn sj(args: &[&str]) -> Run {
    run(slotjit().args(args))
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, text).unwrap();
    p
}

const MAIN: &str = "\
local util = require('util')
local fmt = require('fmt')
print('main chunk', select('#', ...), ...)
local M = {}
function M.main(...)
  print('args', select('#', ...), ...)
  print(util.greet(fmt.name))
  print('config', (require('config')))
  print('alias', require('helpers') == util)
  local ok, err = pcall(require, 'nowhere')
  print('missing', ok)
  print('arg0', arg[0] ~= nil, arg[1])
end
return M
";

/// A source tree and the SLOTSPECs that pack it.
fn sources(dir: &Path) -> Vec<String> {
    let main = write(dir, "src/main.lua", MAIN);
    let util = write(
        dir,
        "lib/util.lua",
        "return { greet = function(n) return 'hello ' .. n end }\n",
    );
    let fmt_lua = write(dir, "lib/fmt.lua", "return { name = 'slots' }\n");
    let fmt_sbc = dir.join("lib/fmt.sbc");
    let c = sj(&[
        "compile",
        fmt_lua.to_str().unwrap(),
        "-o",
        fmt_sbc.to_str().unwrap(),
    ]);
    assert_eq!(c.code, 0, "{}", c.err);
    let conf = write(dir, "conf.json", "{\"debug\": true}");
    write(dir, "assets/a.txt", "alpha\n");
    write(dir, "assets/sub/b.txt", "beta\n");
    let p = |x: &Path| x.to_str().unwrap().to_string();
    vec![
        format!("main={}:depends=util,fmt", p(&main)),
        format!("util={}:source:exports=helpers", p(&util)),
        format!("fmt={}", p(&fmt_sbc)),
        format!("assets={}/:data:zstd", p(&dir.join("assets"))),
        format!("config={}:data:lifecycle=startup", p(&conf)),
    ]
}

fn pack(dir: &Path, out: &str, extra: &[&str]) -> PathBuf {
    let pkg = dir.join(out);
    let specs = sources(dir);
    let mut args = vec![
        "pack",
        "-o",
        pkg.to_str().unwrap(),
        "--key-seed",
        "cli-test",
        "--entry",
        "main:main",
        "--name",
        "app",
        "--version",
        "1.2.3",
    ];
    args.extend_from_slice(extra);
    args.extend(specs.iter().map(String::as_str));
    let r = sj(&args);
    assert_eq!(r.code, 0, "pack failed: {}", r.err);
    assert!(r.out.contains("5 slots"), "{}", r.out);
    pkg
}

const EXPECTED_RUN: &str = "\
main chunk\t2\tx\ty z
args\t2\tx\ty z
hello slots
config\t{\"debug\": true}
alias\ttrue
missing\tfalse
arg0\ttrue\tx
";

#[test]
fn pack_inspect_verify_run_extract() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = pack(dir.path(), "app.psp", &[]);
    let pkg_s = pkg.to_str().unwrap();

    let r = sj(&["inspect", pkg_s]);
    assert_eq!(r.code, 0, "{}", r.err);
    for want in [
        "package    app 1.2.3",
        "self-signed",
        "entry      main:main",
        "slots      5",
    ] {
        assert!(r.out.contains(want), "missing {want:?} in:\n{}", r.out);
    }
    let row = |id: &str| {
        r.out
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some(id))
            .unwrap_or_else(|| panic!("no row for {id}:\n{}", r.out))
            .split_whitespace()
            .collect::<Vec<_>>()
    };
    // # ID KIND LIFECYCLE LOAD OPS STORED ORIGINAL STATE DEPENDS EXPORTS
    assert_eq!(row("main")[2], "sbc", "compiled by default");
    assert_eq!(row("main")[8], "DORMANT");
    assert_eq!(row("main")[9], "util,fmt");
    assert_eq!(row("main")[10], "main");
    assert_eq!(row("util")[2], "lua", "kept as source");
    assert_eq!(row("util")[10], "helpers");
    assert_eq!(row("fmt")[2], "sbc");
    assert_eq!(row("assets")[2], "data");
    assert_eq!(row("assets")[5], "tar+zstd");
    assert_eq!(row("config")[3], "startup");
    assert_eq!(row("config")[4], "at-open");
    assert_eq!(row("config")[8], "STAGED");

    let r = sj(&["verify", pkg_s]);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    for want in [
        "ok    signature",
        "ok    slot[0].hash",
        "ok    slotjit.depends",
        "ok    slotjit.entry",
        "ok    slot[0].code",
        "package OK",
    ] {
        assert!(r.out.contains(want), "missing {want:?} in:\n{}", r.out);
    }

    let r = sj(&["run", pkg_s, "x", "y z"]);
    assert_eq!(r.code, 0, "{}", r.err);
    assert_eq!(r.out, EXPECTED_RUN);

    // A data slot, decoded.
    let conf = dir.path().join("conf.out");
    let r = sj(&["extract", pkg_s, "config", "-o", conf.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.err);
    assert_eq!(std::fs::read(&conf).unwrap(), b"{\"debug\": true}");
    // A tar slot, into a directory.
    let tree = dir.path().join("tree");
    let r = sj(&["extract", pkg_s, "assets", "-o", tree.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.err);
    assert_eq!(std::fs::read(tree.join("a.txt")).unwrap(), b"alpha\n");
    assert_eq!(std::fs::read(tree.join("sub/b.txt")).unwrap(), b"beta\n");
    // A code slot's raw decoded bytes: the .sbc.
    let r = sj(&["extract", pkg_s, "fmt", "-o", "-"]);
    assert_eq!(r.code, 0);
    assert!(slotjit::bytecode::is_sbc(r.out.as_bytes()));
    let r = sj(&["extract", pkg_s, "ghost", "-o", "-"]);
    assert_eq!(r.code, 1);
    assert!(
        r.err.starts_with("slotjit: SJ-PKG-NO-SUCH-SLOT: "),
        "{}",
        r.err
    );
    assert!(r.err.contains("\n  hint: "), "{}", r.err);
}

#[test]
fn pack_is_deterministic_and_keeps_sources_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let a = std::fs::read(pack(dir.path(), "a.psp", &[])).unwrap();
    let b = std::fs::read(pack(dir.path(), "b.psp", &[])).unwrap();
    assert_eq!(a, b);
    let k = pack(dir.path(), "k.psp", &["--keep-source"]);
    let r = sj(&["inspect", k.to_str().unwrap()]);
    let main = r.out.lines().find(|l| l.contains(" main ")).unwrap();
    assert!(main.contains(" lua "), "{main}");
    let r = sj(&["run", k.to_str().unwrap(), "x", "y z"]);
    assert_eq!(r.out, EXPECTED_RUN, "{}", r.err);
}

#[test]
fn trusted_key_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = pack(dir.path(), "app.psp", &[]);
    let keys = dir.path().join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    let pem = SigningKey::from_seed("cli-test")
        .public_key()
        .to_spki_pem()
        .unwrap();
    std::fs::write(keys.join("publisher.pub"), pem).unwrap();
    let r = sj(&[
        "inspect",
        pkg.to_str().unwrap(),
        "--trusted-keys",
        keys.to_str().unwrap(),
    ]);
    assert!(r.out.contains("signed by trusted key "), "{}", r.out);
    assert!(r.out.contains("publisher.pub"), "{}", r.out);
    // Through flavorpack's environment variable, too.
    let r = run(slotjit()
        .args(["verify", pkg.to_str().unwrap(), "--require-trusted"])
        .env("FLAVOR_TRUSTED_KEYS_DIR", &keys));
    assert_eq!(r.code, 0, "{}", r.out);
    assert!(r.out.contains("trust: signed by trusted key"), "{}", r.out);
    // --require-trusted without the key fails on the trust check.
    let r = sj(&["verify", pkg.to_str().unwrap(), "--require-trusted"]);
    assert_eq!(r.code, 1);
    assert!(r.out.contains("FAIL  trust: SJ-PKG-UNTRUSTED"), "{}", r.out);
}

/// Position of slot `id` in the package built by [`pack`].
fn slot_index(pkg: &Path, id: &str) -> usize {
    Package::open(pkg, &opts()).unwrap().find_slot(id).unwrap()
}

fn tampered(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_str().unwrap().to_string()
}

fn assert_refused(pkg: &str, check: &str, code: &str) {
    let r = sj(&["verify", pkg]);
    assert_eq!(r.code, 1, "verify accepted a tampered package:\n{}", r.out);
    let line = format!("FAIL  {check}: {code}: ");
    assert!(r.out.contains(&line), "no {line:?} in:\n{}", r.out);
    assert!(
        r.out
            .lines()
            .any(|l| l.starts_with(&line) && l.contains("(hint: ")),
        "{}",
        r.out
    );
    assert!(r.out.contains("package INVALID"), "{}", r.out);
    let r = sj(&["run", pkg, "x"]);
    assert_eq!(r.code, 1, "run accepted a tampered package:\n{}", r.out);
    assert_eq!(r.out, "", "nothing may run");
    assert!(
        r.err.starts_with(&format!("slotjit: {code}: ")),
        "run did not name {code}:\n{}",
        r.err
    );
    assert!(r.err.contains("\n  hint: "), "{}", r.err);
}

#[test]
fn tampered_packages_are_refused_with_the_check_named() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = pack(dir.path(), "app.psp", &[]);
    let good = std::fs::read(&pkg).unwrap();
    let main = slot_index(&pkg, "main");

    // 1. A flipped byte in the entry slot.
    let mut b = good.clone();
    let off = desc_u64(&b, main, D_OFFSET) as usize;
    b[off + 5] ^= 0x01;
    let p = tampered(dir.path(), "flip.psp", &b);
    assert_refused(&p, &format!("slot[{main}].hash"), "SJ-PKG-SLOT-CHECKSUM");

    // 2. The slot swapped for other bytes, with the descriptor checksum and
    //    size patched to match: only the signed JSON hash catches it.
    let other = slotjit::bytecode::encode(&slotjit::lua::compile(b"print('evil')", "=x").unwrap());
    let mut b = good.clone();
    let off = desc_u64(&b, main, D_OFFSET) as usize;
    let size = desc_u64(&b, main, D_SIZE) as usize;
    let gz = OperationChain::parse("gzip").unwrap();
    let enc = slotjit::package::operations::encode(&other, &gz).unwrap();
    assert!(
        enc.len() <= size + 4096 - size % 4096,
        "fits the slot's page"
    );
    b[off..off + enc.len()].copy_from_slice(&enc);
    set_desc_u64(&mut b, main, D_SIZE, enc.len() as u64);
    set_desc_u64(&mut b, main, D_CHECKSUM, prefix_u64(&enc));
    let p = tampered(dir.path(), "swap.psp", &b);
    assert_refused(&p, &format!("slot[{main}].hash"), "SJ-PKG-SLOT-HASH");

    // 3. A bad signature.
    let mut b = good.clone();
    let sig = index_pos(&b) + 128;
    b[sig] ^= 0x80;
    fix_adler(&mut b);
    let p = tampered(dir.path(), "sig.psp", &b);
    assert_refused(&p, "signature", "SJ-PKG-SIGNATURE");
}

#[test]
fn dependency_cycles_are_refused_naming_the_cycle() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.lua", "return 1");
    let b = write(dir.path(), "b.lua", "return 2");
    let out = dir.path().join("c.psp");
    let r = sj(&[
        "pack",
        "-o",
        out.to_str().unwrap(),
        "--key-seed",
        "k",
        "--entry",
        "a",
        &format!("a={}:depends=b", a.display()),
        &format!("b={}:depends=a", b.display()),
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.err
            .starts_with("slotjit: SJ-PKG-DEPENDENCY-CYCLE: dependency cycle: a -> b -> a\n"),
        "{}",
        r.err
    );
    assert!(!out.exists());

    // Built by another tool (the library writer): run and verify refuse it.
    let mut spec = PackageSpec::new("cyc", "1");
    spec.entry = Some(EntryPoint {
        slot: "a".into(),
        ..Default::default()
    });
    let lua = |id: &str, dep: &str| {
        SlotSpec::new(id, SlotSource::Bytes(b"return 1".to_vec())).slotjit(SlotjitSlot {
            kind: "lua".into(),
            depends: vec![dep.into()],
            ..Default::default()
        })
    };
    spec.slots = vec![lua("a", "b"), lua("b", "a")];
    write_package(&spec, &SigningKey::from_seed(SEED), &out).unwrap();
    let r = sj(&["run", out.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert!(
        r.err
            .starts_with("slotjit: SJ-PKG-DEPENDENCY-CYCLE: dependency cycle: a -> b -> a\n"),
        "{}",
        r.err
    );
    let r = sj(&["verify", out.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert!(
        r.out.contains(
            "FAIL  slotjit.depends: SJ-PKG-DEPENDENCY-CYCLE: dependency cycle: a -> b -> a"
        ),
        "{}",
        r.out
    );
}

#[test]
fn pack_usage_errors_are_coded() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.lua", "return 1");
    let bad = write(dir.path(), "bad.lua", "local = 1");
    let out = dir.path().join("x.psp");
    let o = out.to_str().unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec![format!("a={}", a.display())], "SJ-PKG-KEY"),
        (
            vec!["--key-seed".into(), "k".into(), format!("a{}", a.display())],
            "SJ-CLI-SLOTSPEC",
        ),
        (
            vec![
                "--key-seed".into(),
                "k".into(),
                format!("a={}:lzma", a.display()),
            ],
            "SJ-CLI-SLOTSPEC",
        ),
        (
            vec![
                "--key-seed".into(),
                "k".into(),
                format!("a={}", bad.display()),
            ],
            "SJ-PKG-SLOT-COMPILE",
        ),
        (
            vec![
                "--key-seed".into(),
                "k".into(),
                "--entry".into(),
                "zz".into(),
                format!("a={}", a.display()),
            ],
            "SJ-PKG-NO-ENTRY",
        ),
        (
            vec![
                "--key-seed".into(),
                "k".into(),
                format!("a={}:depends=ghost", a.display()),
            ],
            "SJ-PKG-DEPENDENCY-MISSING",
        ),
    ];
    for (extra, code) in cases {
        let mut args = vec!["pack".to_string(), "-o".into(), o.into()];
        args.extend(extra);
        let r = run(slotjit().args(&args));
        assert_eq!(r.code, 1, "{args:?}");
        assert!(
            r.err.starts_with(&format!("slotjit: {code}: ")),
            "{args:?}: {}",
            r.err
        );
        assert!(r.err.contains("\n  hint: "), "{}", r.err);
    }
}

#[test]
fn help_teaches_the_slotspec_syntax() {
    let r = sj(&["pack", "--help"]);
    assert_eq!(r.code, 0);
    for want in [
        "ID=PATH[:OPTION]",
        "depends=",
        "lifecycle=",
        "--launcher",
        "--entry",
    ] {
        assert!(r.out.contains(want), "{want}:\n{}", r.out);
    }
    for cmd in ["inspect", "verify", "extract"] {
        assert_eq!(sj(&[cmd, "--help"]).code, 0);
    }
}

#[test]
fn self_executing_package_runs_directly() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = pack(dir.path(), "app", &["--launcher", "self"]);
    // The launcher is the slotjit binary itself.
    let exe = std::fs::metadata(env!("CARGO_BIN_EXE_slotjit"))
        .unwrap()
        .len();
    let p = Package::open(&pkg, &opts()).unwrap();
    assert_eq!(p.index().launcher_size, exe);
    drop(p);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&pkg, std::fs::Permissions::from_mode(0o755)).unwrap();
        let r = run(Command::new(&pkg)
            .args(["x", "y z"])
            .env_remove("FLAVOR_TRUSTED_KEYS_DIR"));
        assert_eq!(r.code, 0, "{}", r.err);
        assert_eq!(r.out, EXPECTED_RUN);
        // Arguments that look like slotjit options are the script's.
        let r = run(Command::new(&pkg).args(["--help", "inspect"]));
        assert_eq!(r.code, 0, "{}", r.err);
        assert!(r.out.contains("args\t2\t--help\tinspect"), "{}", r.out);
    }
    // `slotjit run` also accepts it.
    let r = sj(&["run", pkg.to_str().unwrap(), "x", "y z"]);
    assert_eq!(r.out, EXPECTED_RUN, "{}", r.err);
}

#[test]
fn flavorpack_vectors_verify_inspect_extract_but_do_not_run() {
    for name in [
        "py-builder-2slots.psp",
        "rs-builder-2slots.psp",
        "mini-writer-2slots.psp",
    ] {
        let v = data(name);
        let v = v.to_str().unwrap();
        let r = sj(&["verify", v]);
        assert_eq!(r.code, 0, "{name}:\n{}", r.out);
        assert!(r.out.contains("n/a   slotjit.entry"), "{}", r.out);
        let r = sj(&["inspect", v]);
        assert_eq!(r.code, 0, "{name}: {}", r.err);
        assert!(r.out.contains("entry      none"), "{}", r.out);
        let r = sj(&["run", v]);
        assert_eq!(r.code, 1);
        assert!(
            r.err.starts_with("slotjit: SJ-PKG-NO-ENTRY: ")
                && r.err.contains("no slotjit entry point")
                && r.err.contains("  hint: "),
            "{name}: {}",
            r.err
        );
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("slot0");
        let r = sj(&["extract", v, "0", "-o", out.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{name}: {}", r.err);
        assert!(out.exists());
    }
    // The Python builder's tar.gz slot, extracted with the reader's tar safety.
    let dir = tempfile::tempdir().unwrap();
    let v = data("py-builder-2slots.psp");
    let r = sj(&[
        "extract",
        v.to_str().unwrap(),
        "app",
        "-o",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.err);
    assert!(r.out.contains("entries"), "{}", r.out);
    let r = sj(&["extract", v.to_str().unwrap(), "conf", "-o", "-"]);
    assert_eq!(r.code, 0);
    assert!(!r.out.is_empty());
}

#[test]
fn plain_scripts_still_run() {
    let dir = tempfile::tempdir().unwrap();
    let s = write(dir.path(), "s.lua", "print('plain', ...)");
    let r = sj(&["run", s.to_str().unwrap(), "1"]);
    assert_eq!(r.code, 0, "{}", r.err);
    assert_eq!(r.out, "plain\t1\n");
    // A file that merely ends like a package is not mistaken for one.
    let r = sj(&["inspect", s.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert!(
        r.err.starts_with("slotjit: SJ-PKG-TRUNCATED: "),
        "{}",
        r.err
    );
}

#[test]
fn os_exit_status_and_sandbox_profile() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(
        dir.path(),
        "m.lua",
        "print(os.execute == nil, io.open('/etc/passwd') == nil)\nif os.exit then os.exit(tonumber((...)) or 0) end\n",
    );
    let out = dir.path().join("m.psp");
    let r = sj(&[
        "pack",
        "-o",
        out.to_str().unwrap(),
        "--key-seed",
        "k",
        "--entry",
        "m",
        &format!("m={}", m.display()),
    ]);
    assert_eq!(r.code, 0, "{}", r.err);
    let r = sj(&["run", out.to_str().unwrap(), "3"]);
    assert_eq!(r.code, 3, "{}", r.err);
    assert_eq!(r.out, "false\tfalse\n");
    let r = sj(&["run", "--sandbox", out.to_str().unwrap(), "0"]);
    assert_eq!(r.code, 0, "{}", r.err);
    assert_eq!(r.out, "true\ttrue\n");
}
