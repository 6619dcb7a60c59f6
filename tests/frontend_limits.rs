//! Limits that need programs too big for the error table; expected
//! messages and counts were produced with luac5.4 on the same programs.

use slotjit::bytecode::OpCode;
use slotjit::lua::compile;

#[test]
fn loop_body_too_long() {
    let mut src = String::from("for i=1,2 do\n");
    for _ in 0..131_100 {
        src.push_str("x=1\n");
    }
    src.push_str("end\n");
    let e = compile(src.as_bytes(), "@big.lua").unwrap_err();
    assert_eq!(
        e.message,
        "big.lua:131102: control structure too long near 'end'"
    );
}

#[test]
fn too_many_upvalues() {
    let a: Vec<String> = (0..150).map(|i| format!("a{i}")).collect();
    let b: Vec<String> = (0..150).map(|i| format!("b{i}")).collect();
    let uses: Vec<String> = a.iter().chain(&b).map(|n| format!("x = {n}")).collect();
    let src = format!(
        "local {}\nlocal function f()\nlocal {}\nreturn function() {} end\nend\n",
        a.join(", "),
        b.join(", "),
        uses.join(" ")
    );
    let e = compile(src.as_bytes(), "@up.lua").unwrap_err();
    assert_eq!(
        e.message,
        "up.lua:4: too many upvalues (limit is 255) in function at line 4 near 'x'"
    );
}

#[test]
fn constants_beyond_bx_use_loadkx() {
    let items: Vec<String> = (0..140_000).map(|i| format!("{i}.5")).collect();
    let src = format!("x = {{{}}}\n", items.join(", "));
    let p = compile(src.as_bytes(), "@kx.lua").unwrap();
    let n = p
        .code
        .iter()
        .filter(|i| i.opcode() == Some(OpCode::LOADKX))
        .count();
    assert_eq!(n, 8929);
    let pos = p
        .code
        .iter()
        .position(|i| i.opcode() == Some(OpCode::LOADKX))
        .unwrap();
    // luac: 136311 LOADKX 22 ; 136312 EXTRAARG 131072 (1-based pcs)
    assert_eq!(pos + 1, 136311);
    assert_eq!(p.code[pos].a(), 22);
    assert_eq!(
        (p.code[pos + 1].opcode(), p.code[pos + 1].ax()),
        (Some(OpCode::EXTRAARG), 131072)
    );
    // NEWTABLE's array size needs the EXTRAARG too (luac: EXTRAARG 546).
    assert_eq!(
        (p.code[1].opcode(), p.code[1].k()),
        (Some(OpCode::NEWTABLE), true)
    );
    assert_eq!(p.code[2].ax(), 546);
}
