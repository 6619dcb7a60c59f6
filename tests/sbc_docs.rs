//! `docs/bytecode.md` stays in sync with the code: its opcode table is
//! generated from `ALL_OPCODES` (run with `SLOTJIT_BLESS=1` to rewrite it),
//! and its verifier section names every verifier rule.

use std::path::PathBuf;

use slotjit::bytecode::Rule;
use slotjit::bytecode::isa::{ALL_OPCODES, Format, OpFlags};

const BEGIN: &str = "<!-- BEGIN GENERATED OPCODE TABLE";
const END: &str = "<!-- END GENERATED OPCODE TABLE -->";

fn doc_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/bytecode.md")
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::ABC => "iABC",
        Format::ABx => "iABx",
        Format::AsBx => "iAsBx",
        Format::Ax => "iAx",
        Format::SJ => "isJ",
    }
}

fn flag_names(f: OpFlags) -> String {
    let names = [
        (f.sets_a(), "A"),
        (f.is_test(), "T"),
        (f.uses_top(), "IT"),
        (f.sets_top(), "OT"),
        (f.0 & OpFlags::K_OPERAND != 0, "K"),
    ];
    let set: Vec<&str> = names
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, n)| *n)
        .collect();
    set.join(" ")
}

/// The generated table (without the marker lines).
fn opcode_table() -> String {
    let mut s =
        String::from("| # | Opcode | Format | Flags | Semantics |\n|---:|---|---|---|---|\n");
    for op in ALL_OPCODES {
        s.push_str(&format!(
            "| {} | `{}` | {} | {} | {} |\n",
            *op as u8,
            op.name(),
            format_name(op.format()),
            flag_names(op.flags()),
            // `|` would end the table cell.
            op.semantics().replace('|', "\\|")
        ));
    }
    s
}

#[test]
fn opcode_table_matches_the_isa() {
    let path = doc_path();
    let doc = std::fs::read_to_string(&path).expect("docs/bytecode.md must exist");
    let begin = doc
        .find(BEGIN)
        .expect("docs/bytecode.md lacks the BEGIN GENERATED OPCODE TABLE marker");
    let body_start = begin + doc[begin..].find('\n').expect("marker line must end") + 1;
    let end = doc
        .find(END)
        .expect("docs/bytecode.md lacks the END GENERATED OPCODE TABLE marker");
    assert!(end >= body_start, "END marker precedes BEGIN marker");
    let current = &doc[body_start..end];
    let want = opcode_table();
    if current == want {
        return;
    }
    if std::env::var_os("SLOTJIT_BLESS").is_some_and(|v| v == "1") {
        let updated = format!("{}{}{}", &doc[..body_start], want, &doc[end..]);
        std::fs::write(&path, updated).expect("rewrite docs/bytecode.md");
        eprintln!("rewrote the opcode table in {}", path.display());
        return;
    }
    let first_diff = current
        .lines()
        .zip(want.lines())
        .position(|(a, b)| a != b)
        .map(|i| {
            format!(
                "first difference at table line {}:\n  doc:  {:?}\n  isa:  {:?}",
                i + 1,
                current.lines().nth(i),
                want.lines().nth(i)
            )
        })
        .unwrap_or_else(|| "tables differ in length".to_string());
    panic!(
        "the opcode table in docs/bytecode.md is out of date with src/bytecode/isa.rs ({first_diff}).\n\
         Regenerate it with:  SLOTJIT_BLESS=1 cargo test --test sbc_docs"
    );
}

#[test]
fn generated_table_covers_every_opcode_once() {
    let t = opcode_table();
    assert_eq!(t.lines().count(), ALL_OPCODES.len() + 2);
    for op in ALL_OPCODES {
        assert_eq!(
            t.matches(&format!("| `{}` |", op.name())).count(),
            1,
            "{}",
            op.name()
        );
    }
    // Escaping: the BOR row must keep its five cells.
    let bor = t.lines().find(|l| l.contains("`BOR`")).unwrap();
    assert_eq!(bor.matches(" | ").count(), 4, "{bor}");
}

#[test]
fn verifier_section_names_every_rule() {
    let doc = std::fs::read_to_string(doc_path()).unwrap();
    let rules = Rule::ALL;
    for r in rules {
        assert!(
            doc.contains(&format!("| `{}` |", r.name())),
            "docs/bytecode.md does not document rule {r}"
        );
    }
    for code in [
        "SJ-SBC-MAGIC",
        "SJ-SBC-VERSION",
        "SJ-SBC-HEADER",
        "SJ-SBC-TRUNCATED",
        "SJ-SBC-CHECKSUM",
        "SJ-SBC-MALFORMED",
        "SJ-SBC-LIMIT",
        "SJ-SBC-VERIFY",
    ] {
        assert!(
            doc.contains(&format!("| `{code}` |")),
            "docs/bytecode.md does not document {code}"
        );
    }
}
