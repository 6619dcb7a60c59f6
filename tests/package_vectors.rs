//! The three reference packages (flavorpack 0.5.4 Python builder, Rust
//! builder, independent mini writer): read, verify, decode and extract them,
//! comparing every field with the independent dumps in `*.dump.txt` and the
//! decoded contents with hand-copied digests.

mod package_support;

use std::collections::HashMap;

use package_support::*;
use sha2::{Digest, Sha256};
use slotjit::package::index::ascii_field;
use slotjit::package::metadata::hex;
use slotjit::package::*;

/// key=value tokens of one dump line.
fn kv(line: &str) -> HashMap<String, String> {
    line.split_whitespace()
        .filter_map(|t| t.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

struct Dump {
    top: HashMap<String, String>,
    lines: Vec<String>,
    slots: Vec<(HashMap<String, String>, serde_json::Value)>,
}

fn load_dump(name: &str) -> Dump {
    let text = std::fs::read_to_string(data(name)).unwrap();
    let mut top = HashMap::new();
    let mut slots = Vec::new();
    let mut lines = Vec::new();
    let mut pending: Option<HashMap<String, String>> = None;
    for line in text.lines() {
        lines.push(line.to_string());
        let t = line.trim_start();
        if let Some(j) = t.strip_prefix("json: ") {
            let v: serde_json::Value = serde_json::from_str(j).unwrap();
            slots.push((pending.take().unwrap(), v));
        } else if t.starts_with("slot[") {
            pending = Some(kv(t));
        } else {
            top.extend(kv(t));
        }
    }
    Dump { top, lines, slots }
}

impl Dump {
    fn num(&self, k: &str) -> u64 {
        let v = &self.top[k];
        match v.strip_prefix("0x") {
            Some(h) => u64::from_str_radix(h, 16).unwrap(),
            None => v.parse().unwrap(),
        }
    }

    /// The rest of a line starting with `prefix`.
    fn after(&self, prefix: &str) -> String {
        self.lines
            .iter()
            .find_map(|l| l.strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no line {prefix}"))
            .trim()
            .to_string()
    }

    /// `b'...'` attestation value.
    fn attest(&self, which: &str) -> Vec<u8> {
        let v = self.after(&format!("attest {which}"));
        let v = v.trim_start_matches(':').trim();
        v.trim_start_matches("b'")
            .trim_end_matches('\'')
            .as_bytes()
            .to_vec()
    }
}

fn slot_num(m: &HashMap<String, String>, k: &str) -> u64 {
    let v = &m[k];
    if let Some(h) = v.strip_prefix("0x") {
        u64::from_str_radix(h, 16).unwrap()
    } else if let Some(o) = v.strip_prefix("0o") {
        u64::from_str_radix(o, 8).unwrap()
    } else {
        v.parse().unwrap()
    }
}

/// Compare everything the dump prints with what our reader parsed.
fn check_against_dump(psp: &str, dump: &str) -> Package {
    let d = load_dump(dump);
    let bytes = std::fs::read(data(psp)).unwrap();
    let p = Package::open(data(psp), &opts()).unwrap();
    let idx = p.index();
    assert_eq!(bytes.len().to_string(), d.after("file size"), "file size");
    assert_eq!(u64::from(idx.format_version), d.num("format_version"));
    assert_eq!(u64::from(idx.index_checksum), d.num("index_checksum"));
    assert_eq!(u64::from(idx.computed_checksum()), d.num("computed"));
    assert_eq!(idx.package_size, d.num("package_size"));
    assert_eq!(idx.launcher_size, d.num("launcher_size"));
    assert_eq!(idx.metadata_offset, d.num("metadata_offset"));
    assert_eq!(idx.metadata_size, d.num("metadata_size"));
    assert_eq!(idx.slot_table_offset, d.num("slot_table_offset"));
    assert_eq!(idx.slot_table_size, d.num("slot_table_size"));
    assert_eq!(u64::from(idx.slot_count), d.num("slot_count"));
    assert_eq!(u64::from(idx.flags), d.num("flags"));
    assert_eq!(u64::from(idx.access_mode), d.num("access"));
    assert_eq!(u64::from(idx.cache_strategy), d.num("cache"));
    assert_eq!(u64::from(idx.page_size), d.num("page"));
    assert_eq!(hex(&idx.public_key), d.after("public_key"));
    assert_eq!(hex(&idx.raw[832..872]), d.after("bytes 832..872:"));
    assert_eq!(
        ascii_field(&idx.attestation_key_fp).unwrap_or(b""),
        d.attest("key_fp").as_slice()
    );
    assert_eq!(
        ascii_field(&idx.attestation_sbom_digest).unwrap_or(b""),
        d.attest("sbom").as_slice()
    );
    assert_eq!(d.after("signature over gunzipped JSON:"), "VALID");
    assert!(d.after("metadata sha256 ok:").starts_with("True"));
    assert!(idx.signature_tail_is_zero());
    // The gzip header bytes the dump shows.
    let gz_hdr = d.after("metadata sha256 ok: True gzip header:").to_string();
    let moff = idx.metadata_offset as usize;
    assert_eq!(hex(&bytes[moff..moff + 10]), gz_hdr);

    assert_eq!(p.slot_count(), d.slots.len());
    for (s, (dm, json)) in p.slots().zip(&d.slots) {
        let desc = s.descriptor;
        assert_eq!(desc.id, slot_num(dm, "id"));
        assert_eq!(desc.offset, slot_num(dm, "off"));
        assert_eq!(desc.size, slot_num(dm, "size"));
        assert_eq!(desc.original_size, slot_num(dm, "orig"));
        assert_eq!(desc.operations, slot_num(dm, "ops"));
        assert_eq!(u64::from(desc.purpose), slot_num(dm, "purpose"));
        assert_eq!(u64::from(desc.lifecycle), slot_num(dm, "lifecycle"));
        assert_eq!(u64::from(desc.priority), slot_num(dm, "prio"));
        assert_eq!(u64::from(desc.platform), slot_num(dm, "plat"));
        assert_eq!(u64::from(desc.permissions), slot_num(dm, "perms"));
        assert_eq!(dm["cksum_ok"], "True");
        // The JSON entry round-trips exactly through our typed SlotMeta.
        let ours = serde_json::to_value(s.meta).unwrap();
        assert_eq!(&ours, json, "slot {} JSON", s.index);
        // And the bytes verify lazily.
        let b = p.slot_bytes(s.index).unwrap();
        assert_eq!(prefix_u64(b), desc.checksum);
    }
    let report = p.verify_all();
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.trust, Some(Trust::SelfSigned));
    p
}

fn sha(b: &[u8]) -> String {
    hex(&Sha256::digest(b))
}

fn tar_listing(p: &Package, i: usize) -> Vec<(String, EntryKind, u64, u32, String)> {
    p.slot_tar(i)
        .unwrap()
        .into_iter()
        .map(|f| {
            (
                f.entry.path,
                f.entry.kind,
                f.entry.size,
                f.entry.mode,
                String::from_utf8(f.data).unwrap(),
            )
        })
        .collect()
}

const HELLO: &str = "#!/bin/sh\necho \"hello from slot0 $@\"\n";

#[test]
fn python_builder_vector() {
    let p = check_against_dump("py-builder-2slots.psp", "py-builder-2slots.dump.txt");
    assert_eq!(p.metadata().package.as_ref().unwrap().name, "tinyapp");
    let ex = p.metadata().execution.as_ref().unwrap();
    assert_eq!(ex.command, "/bin/sh {workenv}/bin/hello.sh");
    assert_eq!(ex.primary_slot, Some(0));
    assert_eq!(ex.env.get("FOO").map(String::as_str), Some("bar"));
    assert_eq!(p.index().capabilities, 0x83);
    assert_eq!(
        p.public_key().fingerprint(),
        "163ffeaeb6137ea540432cc606130f028d7481ee6aa6e4db20a2130d785ae2d6"
    );

    let tar = p.slot_data(0).unwrap();
    assert_eq!(tar.len(), 10240);
    assert_eq!(
        sha(&tar),
        "cb25f80bf3280a4ff4881a5daa73cf7ca01d56d9e6ef668cbfac675bdfa3a83f"
    );
    assert_eq!(
        tar_listing(&p, 0),
        vec![(
            "bin/hello.sh".into(),
            EntryKind::File,
            37,
            0o755,
            HELLO.into()
        )]
    );
    assert_eq!(p.slot_data(1).unwrap(), b"config=1\n");
    let att = p.slot_data(2).unwrap();
    assert_eq!(att.len(), 1201);
    assert_eq!(
        sha(&att),
        "cf6cd3f1e82d73766d99317113d2fa6dac2f8b03f7e7658830140117e2ed8772"
    );
    assert!(att.starts_with(b"{\"provenance\":{"));
    assert_eq!(p.slot(2).unwrap().id(), "_attestation");

    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        p.extract_slot(0, dir.path()).unwrap(),
        Extracted::Tree(_)
    ));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("bin/hello.sh")).unwrap(),
        HELLO
    );
    // Target "{workenv}/etc/conf.txt" lands at etc/conf.txt, mode 0o644.
    let Extracted::File(f) = p.extract_slot(1, dir.path()).unwrap() else {
        panic!()
    };
    assert_eq!(f, dir.path().join("etc/conf.txt"));
    assert_eq!(std::fs::read(&f).unwrap(), b"config=1\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let m = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(m(&f), 0o644);
        assert_eq!(m(&dir.path().join("bin/hello.sh")), 0o755);
    }
}

#[test]
fn rust_builder_vector() {
    let p = check_against_dump("rs-builder-2slots.psp", "rs-builder-2slots.dump.txt");
    // 8192-byte gap after the launcher: we follow metadata_offset.
    assert_eq!(p.index().metadata_offset, 65 + 8192);
    assert_eq!(p.index().capabilities, 0x81);
    let tar = p.slot_data(0).unwrap();
    assert_eq!(tar.len(), 10240);
    assert_eq!(
        sha(&tar),
        "2352d0c5858b65d5739963455ab8d873e3d5523ef7a50b99aa2e2fe256baab64"
    );
    assert_eq!(
        tar_listing(&p, 0),
        vec![
            ("".into(), EntryKind::Dir, 0, 0o755, String::new()),
            ("bin".into(), EntryKind::Dir, 0, 0o755, String::new()),
            (
                "bin/hello.sh".into(),
                EntryKind::File,
                37,
                0o755,
                HELLO.into()
            ),
        ]
    );
    assert_eq!(p.slot_data(1).unwrap(), b"config=1\n");
    assert_eq!(p.slot(0).unwrap().mode(), 0o600);
    let dir = tempfile::tempdir().unwrap();
    p.extract_slot(0, dir.path()).unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("bin/hello.sh")).unwrap(),
        HELLO
    );
}

#[test]
fn mini_writer_vector() {
    let p = check_against_dump("mini-writer-2slots.psp", "mini-writer-2slots.dump.txt");
    assert_eq!(p.metadata().package.as_ref().unwrap().name, "mini");
    // No FEP-0004 fields at all.
    assert_eq!(ascii_field(&p.index().attestation_key_fp), None);
    let tar = p.slot_data(0).unwrap();
    assert_eq!(
        sha(&tar),
        "18f143829c20dd4f2442a9c8c2583ffda179cb2810eaba7b7c85ce4705ac2771"
    );
    let body = "#!/bin/sh\necho \"mini-writer ok $@\"; cat \"$(dirname \"$0\")/../etc/conf.txt\"\n";
    assert_eq!(
        tar_listing(&p, 0),
        vec![(
            "bin/hello.sh".into(),
            EntryKind::File,
            74,
            0o755,
            body.into()
        )]
    );
    assert_eq!(p.slot_data(1).unwrap(), b"conf=raw\n");
}

#[test]
fn vectors_trusted_when_key_installed() {
    // The py/rs vectors share a key; install it as a trusted *.pub.
    let p = Package::open(data("py-builder-2slots.psp"), &opts()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pem = p.public_key().to_spki_pem().unwrap();
    std::fs::write(dir.path().join("flavor.pub"), pem).unwrap();
    std::fs::write(dir.path().join("broken.pub"), "not a key").unwrap();
    let o = ReadOptions {
        trusted_key_dirs: vec![dir.path().join("missing"), dir.path().to_path_buf()],
        require_trusted: true,
        ..Default::default()
    };
    let rs = Package::open(data("rs-builder-2slots.psp"), &o).unwrap();
    assert_eq!(
        rs.trust(),
        &Trust::Trusted {
            key_file: dir.path().join("flavor.pub")
        }
    );
    // The mini writer used another key: refused when trust is required.
    let e = Package::open(data("mini-writer-2slots.psp"), &o).unwrap_err();
    assert_eq!(e.code(), "SJ-PKG-UNTRUSTED");
    let report = verify_path(&data("mini-writer-2slots.psp"), &o).unwrap();
    assert_eq!(report.failed_codes(), vec!["SJ-PKG-UNTRUSTED"]);
}
