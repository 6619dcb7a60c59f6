//! The compiler must return `Err` (never panic, never overflow the
//! stack) on arbitrary input: truncations of real programs, random bytes,
//! random token soup and pathological nesting.

use std::path::Path;

use slotjit::lua::compile;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn corpus() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/frontend/shape");
    let mut v: Vec<Vec<u8>> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("lua"))
        .map(|p| std::fs::read(p).unwrap())
        .filter(|s| s.len() < 20_000)
        .collect();
    v.sort();
    v
}

#[test]
fn truncated_programs_do_not_panic() {
    for src in corpus() {
        for cut in 0..src.len() {
            let _ = compile(&src[..cut], "@cut.lua");
        }
    }
}

#[test]
fn mutated_programs_do_not_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let corpus = corpus();
    for round in 0..3000 {
        let mut src = corpus[round % corpus.len()].clone();
        for _ in 0..1 + rng.below(4) {
            let pos = rng.below(src.len().max(1));
            match rng.below(3) {
                0 if !src.is_empty() => {
                    src.remove(pos.min(src.len() - 1));
                }
                1 => src.insert(pos.min(src.len()), rng.next() as u8),
                _ => {
                    let end = (pos + rng.below(40)).min(src.len());
                    let piece = src[pos.min(end)..end].to_vec();
                    let at = rng.below(src.len() + 1);
                    src.splice(at..at, piece);
                }
            }
        }
        let _ = compile(&src, "@mut.lua");
    }
}

#[test]
fn random_bytes_and_token_soup_return_errors() {
    let mut rng = Rng(12345);
    for _ in 0..2000 {
        let len = rng.below(200);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let _ = compile(&bytes, "=rand");
    }
    const TOKENS: &[&str] = &[
        "local", "function", "end", "if", "then", "else", "elseif", "while", "do", "for", "in",
        "repeat", "until", "return", "break", "goto", "::l::", "x", "y", "t", "=", "==", "~=", "<",
        "<=", "..", "...", "(", ")", "{", "}", "[", "]", ",", ";", ":", ".", "+", "-", "*", "/",
        "//", "%", "^", "#", "&", "|", "~", "<<", ">>", "and", "or", "not", "nil", "true", "false",
        "1", "2.5", "0x10", "'s'", "[[l]]", "<const>", "<close>", "f", "g", "goto l", "::m::",
    ];
    for _ in 0..20_000 {
        let n = 1 + rng.below(30);
        let src: Vec<&str> = (0..n).map(|_| TOKENS[rng.below(TOKENS.len())]).collect();
        let _ = compile(src.join(" ").as_bytes(), "=soup");
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let n = 100_000;
    for src in [
        format!("x = {}1", "(".repeat(n)),
        format!("x = {}", "{".repeat(n)),
        "do ".repeat(n),
        format!("x = {}", "function() ".repeat(n)),
        format!("x = {}1", "- ".repeat(n)),
        format!("x = {}1", "not ".repeat(n)),
        format!("x = 1{}", " .. 1".repeat(n)),
        format!("x = 1{}", " ^ 1".repeat(n)),
        format!("{}x = 1", "a, ".repeat(n)),
        "if x then ".repeat(n),
        "while x do ".repeat(n),
        "repeat ".repeat(n),
        format!("x = {}", "f(".repeat(n)),
        format!("x = {}", "a[".repeat(n)),
        format!("local function f() {}", "local function g() ".repeat(n)),
    ] {
        let e = compile(src.as_bytes(), "@deep.lua").unwrap_err();
        assert!(!e.message.is_empty());
    }
    // Long but flat programs are fine.
    let flat = format!("x = a{}", ".b".repeat(n));
    compile(flat.as_bytes(), "@flat.lua").unwrap();
    let calls = format!("f{}", "()".repeat(10_000));
    compile(calls.as_bytes(), "@calls.lua").unwrap();
}
