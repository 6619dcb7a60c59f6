//! Code-shape tests: our listing of each `tests/data/frontend/shape/*.lua`
//! must equal the normalized `luac5.4 -l -l` listing committed beside it
//! (regenerate with `python3 tests/data/frontend/normalize_luac.py`).

mod frontend_support;

use std::path::Path;

#[test]
fn listings_match_luac() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/frontend/shape");
    let mut failures = Vec::new();
    let mut count = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.extension().and_then(|e| e.to_str()) != Some("lua") {
            continue;
        }
        count += 1;
        let src = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        let expected = std::fs::read_to_string(path.with_extension("expected")).unwrap();
        let proto = match slotjit::lua::compile(&src, &format!("@{name}")) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{name}: compile error {e}"));
                continue;
            }
        };
        let got = frontend_support::listing(&proto);
        if got != expected {
            let diff: Vec<String> = got
                .lines()
                .zip(expected.lines())
                .enumerate()
                .filter(|(_, (g, e))| g != e)
                .take(8)
                .map(|(i, (g, e))| {
                    format!("  line {}: got {:?}\n           want {:?}", i + 1, g, e)
                })
                .collect();
            failures.push(format!(
                "{name}: listing differs ({} vs {} lines)\n{}",
                got.lines().count(),
                expected.lines().count(),
                diff.join("\n")
            ));
        }
    }
    assert!(count > 0, "no shape files found");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
