//! Packages built the way flavorpack's builders build them — no `slotjit`
//! objects in the metadata, a plain `.lua` slot named by `primary_slot` —
//! still run: the primary slot is the entry when it holds Lua source.

use std::process::Command;

use slotjit::package::*;

fn foreign_package(dir: &std::path::Path, lua: &str, primary: Option<u64>) -> std::path::PathBuf {
    let mut spec = PackageSpec::new("foreign", "1.0.0");
    spec.command = "{workenv}/main.lua".into();
    spec.primary_slot = primary;
    spec.slots
        .push(SlotSpec::new("conf", SlotSource::Bytes(b"x=1\n".to_vec())).target("etc/conf.txt"));
    spec.slots
        .push(SlotSpec::new("main", SlotSource::Bytes(lua.as_bytes().to_vec())).target("main.lua"));
    let key = SigningKey::from_seed("foreign-builder");
    let bytes = build_package(&spec, &key).expect("package builds");
    let path = dir.join("foreign.psp");
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn primary_lua_slot_runs_when_there_is_no_slotjit_entry() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = foreign_package(dir.path(), "print('foreign ok', ...)\n", Some(1));
    let out = Command::new(env!("CARGO_BIN_EXE_slotjit"))
        .arg("run")
        .arg(&pkg)
        .arg("a1")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "foreign ok\ta1\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success());
}

#[test]
fn data_primary_slot_is_not_an_entry() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = foreign_package(dir.path(), "print('never')\n", Some(0));
    let out = Command::new(env!("CARGO_BIN_EXE_slotjit"))
        .arg("run")
        .arg(&pkg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("SJ-PKG-NO-ENTRY"), "{err}");
    assert!(out.stdout.is_empty());
}
