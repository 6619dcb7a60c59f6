//! Cross-check our writer with the independent Python parser/verifier
//! (`shared/pspf-vectors/pspf_dump.py`) when python3 and `cryptography` are
//! available. Otherwise this test prints why it was skipped; the other
//! package tests still cover the writer.

mod package_support;

use std::path::PathBuf;
use std::process::Command;

use package_support::*;
use slotjit::package::*;

fn find_dump_script() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut cands = Vec::new();
    if let Some(p) = std::env::var_os("PSPF_DUMP_PY") {
        cands.push(PathBuf::from(p));
    }
    cands.push(root.join("../shared/pspf-vectors/pspf_dump.py"));
    // Worktrees live one level deeper (e.g. /work/wt/<name>).
    cands.push(root.join("../../shared/pspf-vectors/pspf_dump.py"));
    cands.into_iter().find(|p| p.is_file())
}

fn python_ok() -> Result<(), String> {
    let out = Command::new("python3")
        .args(["-c", "import cryptography"])
        .output()
        .map_err(|e| format!("python3 not runnable: {e}"))?;
    if !out.status.success() {
        return Err("python3 lacks the `cryptography` module".into());
    }
    Ok(())
}

#[test]
fn pspf_dump_accepts_our_package() {
    let Some(script) = find_dump_script() else {
        println!("skipped because pspf_dump.py was not found (set PSPF_DUMP_PY)");
        return;
    };
    if let Err(why) = python_ok() {
        println!("skipped because {why}");
        return;
    }
    let mut spec = sample_spec();
    spec.slots.push(
        SlotSpec::new("_attestation", SlotSource::Bytes(b"{\"sbom\":{}}".to_vec()))
            .lifecycle("attestation"),
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ours.psp");
    write_package(&spec, &SigningKey::from_seed(SEED), &path).unwrap();
    let out = Command::new("python3")
        .arg(&script)
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(
        text.contains("start magic f09f93a6 end magic f09faa84"),
        "{text}"
    );
    assert!(
        text.contains("signature over gunzipped JSON: VALID"),
        "{text}"
    );
    assert!(text.contains("metadata sha256 ok: True"), "{text}");
    assert!(
        text.contains(&format!("package_size={size} (file {size})")),
        "{text}"
    );
    // The computed Adler-32 equals the stored one.
    let line = text
        .lines()
        .find(|l| l.starts_with("format_version="))
        .unwrap();
    let vals: Vec<&str> = line
        .split_whitespace()
        .filter_map(|t| t.split_once('=').map(|x| x.1))
        .collect();
    assert_eq!(vals[0], "0x20250001");
    assert_eq!(vals[1], vals[2], "{line}");
    let slot_lines: Vec<&str> = text.lines().filter(|l| l.starts_with("slot[")).collect();
    assert_eq!(slot_lines.len(), spec.slots.len());
    for l in slot_lines {
        assert!(l.contains("cksum_ok=True"), "{l}");
        assert!(l.contains("name_hash_ok=True"), "{l}");
        assert!(l.contains("(%4096=0)"), "{l}");
    }
    // The attestation digest the dump prints is the one we wrote.
    let p = Package::open(&path, &opts()).unwrap();
    let att = p.slot_bytes(p.find_slot("_attestation").unwrap()).unwrap();
    let digest = slotjit::package::metadata::hex(&sha2::Digest::finalize(
        sha2::Digest::chain_update(sha2::Sha256::default(), att),
    ));
    assert!(
        text.contains(&format!("attest sbom   : b'{digest}'")),
        "{text}"
    );
}
