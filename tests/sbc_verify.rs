//! The bytecode verifier: accepts what the compiler emits, rejects each
//! class of malformed proto with the right [`Rule`] (one test per rule), and
//! reports where. Every rejection is also checked through `decode`, the path
//! untrusted files take.

mod sbc_common;

use sbc_common::*;
use slotjit::bytecode::verify::MAX_NESTING_DEPTH;
use slotjit::bytecode::{
    Constant, Instr, Proto, Rule, SbcError, UpvalueDesc, VarKind, VerifyError, decode, encode,
    verify,
};

/// A non-vararg function `<t.lua:12>` with the given frame size and code.
fn func(max_stack_size: u8, code: Vec<Instr>) -> Proto {
    let n = code.len() as u32;
    Proto {
        source: "@t.lua".into(),
        line_defined: 12,
        last_line_defined: 20,
        max_stack_size,
        line_info: (12..12 + n).collect(),
        code,
        ..Proto::default()
    }
}

/// A vararg function (main-chunk shaped).
fn vfunc(max_stack_size: u8, code: Vec<Instr>) -> Proto {
    Proto {
        is_vararg: true,
        line_defined: 0,
        ..func(max_stack_size, code)
    }
}

fn with_k(mut p: Proto, k: Vec<Constant>) -> Proto {
    p.constants = k;
    p
}

#[track_caller]
fn accepts(p: &Proto) {
    if let Err(e) = verify(p) {
        panic!(
            "expected the proto to verify, got: {e}\n{}",
            slotjit::bytecode::disassemble(p)
        );
    }
    decode(&encode(p)).expect("decode must accept what verify accepts");
}

#[track_caller]
fn rejects(p: &Proto, rule: Rule, pc: Option<usize>, needle: &str) -> VerifyError {
    let err = match verify(p) {
        Ok(()) => panic!("expected {rule} violation, but the proto verified"),
        Err(e) => e,
    };
    assert_eq!(err.rule, rule, "wrong rule: {err}");
    assert_eq!(err.pc, pc, "wrong pc: {err}");
    let msg = err.to_string();
    assert!(msg.contains(needle), "message lacks {needle:?}: {msg}");
    assert!(msg.starts_with("SJ-SBC-VERIFY"), "{msg}");
    assert!(msg.contains(rule.name()), "{msg}");
    assert_eq!(err.code(), "SJ-SBC-VERIFY");
    match decode(&encode(p)) {
        Err(SbcError::Verify(e)) => assert_eq!(e, err),
        other => panic!("decode must fail verification too, got {other:?}"),
    }
    err
}

#[test]
fn accepts_compiler_shaped_protos() {
    accepts(&hello());
    accepts(&luac_shaped());
    accepts(&kitchen_sink());
    accepts(&nested(MAX_NESTING_DEPTH));
    accepts(&func(2, vec![abc(RETURN0, 0, 0, 0)]));
}

#[test]
fn accepts_boundary_cases() {
    // RETURN with no values may name the register just past the frame
    // (Lua emits `RETURN nactvar 1` even when all registers are locals).
    accepts(&func(4, vec![abc(RETURN, 4, 1, 0)]));
    // TFORCALL needs exactly A+7 registers.
    let tfor = |max| {
        func(
            max,
            vec![
                abx(TFORPREP, 0, 0),
                abc(TFORCALL, 0, 0, 1),
                abx(TFORLOOP, 0, 2),
                abc(RETURN0, 0, 0, 0),
            ],
        )
    };
    accepts(&tfor(7));
    rejects(&tfor(6), Rule::RegisterRange, Some(1), "TFORCALL");
    // A key of exactly MAX_SHORT_STRING bytes is a short string.
    let getfield = |len| {
        with_k(
            func(2, vec![abc(GETFIELD, 0, 1, 0), abc(RETURN0, 0, 0, 0)]),
            vec![Constant::Str(vec![b'x'; len])],
        )
    };
    accepts(&getfield(slotjit::bytecode::MAX_SHORT_STRING));
    rejects(
        &getfield(slotjit::bytecode::MAX_SHORT_STRING + 1),
        Rule::ConstantType,
        Some(0),
        "GETFIELD",
    );
    // A root's upvalues come from the loader, not a parent: not checked.
    let mut root = hello();
    root.upvalues[0].index = 200;
    accepts(&root);
    // NEWTABLE without k is still followed by its EXTRAARG (Lua 5.4 shape).
    accepts(&func(
        2,
        vec![abc(NEWTABLE, 0, 0, 5), extra(0), abc(RETURN0, 0, 0, 0)],
    ));
}

#[test]
fn rule_empty_code() {
    rejects(&func(2, vec![]), Rule::EmptyCode, None, "at least a return");
}

#[test]
fn rule_invalid_opcode() {
    let bad = Instr(slotjit::bytecode::isa::ALL_OPCODES.len() as u32 | (3 << 7));
    let e = rejects(
        &func(2, vec![bad, abc(RETURN0, 0, 0, 0)]),
        Rule::InvalidOpcode,
        Some(0),
        "opcode number",
    );
    assert!(
        e.detail
            .contains(&slotjit::bytecode::isa::ALL_OPCODES.len().to_string())
    );
    rejects(
        &func(2, vec![abc(RETURN0, 0, 0, 0), Instr(0x7f)]),
        Rule::InvalidOpcode,
        Some(1),
        "127",
    );
}

#[test]
fn rule_stack_size() {
    rejects(
        &func(1, vec![abc(RETURN0, 0, 0, 0)]),
        Rule::StackSize,
        None,
        "max_stack_size 1",
    );
    let mut p = func(2, vec![abc(RETURN0, 0, 0, 0)]);
    p.num_params = 3;
    rejects(&p, Rule::StackSize, None, "num_params 3");
}

#[test]
fn rule_register_range() {
    let r0 = || abc(RETURN0, 0, 0, 0);
    let cases: Vec<(Proto, &str)> = vec![
        (func(4, vec![abc(MOVE, 0, 4, 0), r0()]), "B=4"),
        (func(4, vec![abc(MOVE, 4, 0, 0), r0()]), "A=4"),
        (func(4, vec![abc(ADD, 0, 1, 9), r0()]), "C=9"),
        (
            func(4, vec![abc(LOADNIL, 2, 2, 0), r0()]),
            "LOADNIL R[2]..R[4]",
        ),
        (func(4, vec![abc(CALL, 0, 5, 1), r0()]), "CALL arguments"),
        (func(4, vec![abc(CALL, 0, 1, 6), r0()]), "CALL results"),
        (
            func(4, vec![abc(TAILCALL, 1, 4, 0), abc(RETURN, 1, 0, 0)]),
            "TAILCALL arguments",
        ),
        (func(4, vec![abc(CONCAT, 2, 3, 0), r0()]), "CONCAT"),
        (func(4, vec![abc(SETLIST, 0, 4, 0), r0()]), "SETLIST items"),
        (func(4, vec![abc(RETURN, 2, 4, 0)]), "RETURN values"),
        (func(4, vec![abc(RETURN, 5, 1, 0)]), "RETURN values"),
        (func(4, vec![abc(RETURN1, 4, 0, 0)]), "A=4"),
        (
            func(4, vec![abx(FORPREP, 1, 0), abx(FORLOOP, 1, 1), r0()]),
            "FORPREP",
        ),
        (
            func(
                4,
                vec![
                    abx(TFORPREP, 1, 0),
                    abc(TFORCALL, 1, 0, 1),
                    abx(TFORLOOP, 1, 2),
                    r0(),
                ],
            ),
            "TFORPREP",
        ),
        (func(4, vec![abc(GETUPVAL, 7, 0, 0), r0()]), "A=7"),
        (func(4, vec![abc(TESTSET, 0, 4, 0), jmp(0), r0()]), "B=4"),
        (func(4, vec![abc(EQ, 0, 4, 0), jmp(0), r0()]), "B=4"),
        (func(4, vec![abc(SETTABLE, 0, 1, 4), r0()]), "C=4"),
        (func(4, vec![abc(TBC, 4, 0, 0), r0()]), "A=4"),
        (
            vfunc(
                4,
                vec![
                    abc(VARARGPREP, 0, 0, 0),
                    abc(VARARG, 2, 0, 4),
                    abc(RETURN, 0, 1, 1),
                ],
            ),
            "VARARG results",
        ),
    ];
    for (p, needle) in &cases {
        let pc = if p.is_vararg { 1 } else { 0 };
        rejects(p, Rule::RegisterRange, Some(pc), needle);
    }
    let mut upv = func(4, vec![abc(GETUPVAL, 7, 0, 0), r0()]);
    upv.upvalues.push(upval("x", false, 0));
    rejects(&upv, Rule::RegisterRange, Some(0), "A=7");
    let selfop = with_k(func(4, vec![abck(SELF, 3, 0, 0), r0()]), vec![s("m")]);
    rejects(&selfop, Rule::RegisterRange, Some(0), "SELF R[3]..R[4]");
}

#[test]
fn rule_constant_index() {
    let r0 = || abc(RETURN0, 0, 0, 0);
    let one = || vec![s("k")];
    rejects(
        &with_k(func(2, vec![abx(LOADK, 0, 1), r0()]), one()),
        Rule::ConstantIndex,
        Some(0),
        "Bx=1",
    );
    rejects(
        &with_k(func(2, vec![abc(LOADKX, 0, 0, 0), extra(5), r0()]), one()),
        Rule::ConstantIndex,
        Some(0),
        "Ax of EXTRAARG=5",
    );
    rejects(
        &with_k(func(2, vec![abc(EQK, 0, 3, 0), jmp(0), r0()]), one()),
        Rule::ConstantIndex,
        Some(0),
        "B=3",
    );
    rejects(
        &with_k(func(2, vec![abck(SETFIELD, 0, 0, 7), r0()]), one()),
        Rule::ConstantIndex,
        Some(0),
        "C=7",
    );
    rejects(
        &func(2, vec![abc(GETFIELD, 0, 1, 0), r0()]),
        Rule::ConstantIndex,
        Some(0),
        "C=0",
    );
    rejects(
        &with_k(func(2, vec![abc(ADDK, 0, 1, 1), r0()]), one()),
        Rule::ConstantIndex,
        Some(0),
        "C=1",
    );
}

#[test]
fn rule_constant_type() {
    let r0 = || abc(RETURN0, 0, 0, 0);
    let mut tabup = with_k(
        func(2, vec![abc(GETTABUP, 0, 0, 0), r0()]),
        vec![Constant::Int(1)],
    );
    tabup.upvalues.push(upval("_ENV", true, 0));
    rejects(&tabup, Rule::ConstantType, Some(0), "short string");
    let mut settabup = with_k(
        func(2, vec![abc(SETTABUP, 0, 0, 0), r0()]),
        vec![Constant::Nil],
    );
    settabup.upvalues.push(upval("_ENV", true, 0));
    rejects(&settabup, Rule::ConstantType, Some(0), "K[0]");
    rejects(
        &with_k(
            func(2, vec![abc(SETFIELD, 0, 0, 1), r0()]),
            vec![Constant::Float(1.0)],
        ),
        Rule::ConstantType,
        Some(0),
        "SETFIELD",
    );
    for bad in [s("1"), Constant::Bool(true), Constant::Nil] {
        rejects(
            &with_k(func(2, vec![abc(ADDK, 0, 1, 0), r0()]), vec![bad]),
            Rule::ConstantType,
            Some(0),
            "a number",
        );
    }
    accepts(&with_k(
        func(2, vec![abc(MULK, 0, 1, 0), r0()]),
        vec![Constant::Float(2.5)],
    ));
    accepts(&with_k(
        func(2, vec![abc(BXORK, 0, 1, 0), r0()]),
        vec![Constant::Int(3)],
    ));
    rejects(
        &with_k(
            func(2, vec![abc(BANDK, 0, 1, 0), r0()]),
            vec![Constant::Float(3.0)],
        ),
        Rule::ConstantType,
        Some(0),
        "an integer",
    );
    rejects(
        &with_k(
            func(3, vec![abck(SELF, 0, 1, 0), r0()]),
            vec![Constant::Int(3)],
        ),
        Rule::ConstantType,
        Some(0),
        "method name",
    );
}

#[test]
fn rule_upvalue_index() {
    let r0 = || abc(RETURN0, 0, 0, 0);
    let mut p = func(2, vec![abc(GETUPVAL, 0, 1, 0), r0()]);
    p.upvalues.push(upval("x", false, 0));
    rejects(&p, Rule::UpvalueIndex, Some(0), "B=1");
    rejects(
        &func(2, vec![abc(SETUPVAL, 0, 0, 0), r0()]),
        Rule::UpvalueIndex,
        Some(0),
        "B=0",
    );
    rejects(
        &with_k(func(2, vec![abc(SETTABUP, 1, 0, 0), r0()]), vec![s("x")]),
        Rule::UpvalueIndex,
        Some(0),
        "A=1",
    );
    // Beyond the decoder's limit too, so checked on the proto directly.
    let mut many = hello();
    many.upvalues = vec![upval("u", true, 0); 256];
    let e = verify(&many).unwrap_err();
    assert_eq!(e.rule, Rule::UpvalueIndex, "{e}");
    assert!(e.to_string().contains("256 upvalues"), "{e}");
    assert_eq!(decode(&encode(&many)).unwrap_err().code(), "SJ-SBC-LIMIT");
}

#[test]
fn rule_proto_index() {
    let mut p = func(2, vec![abx(CLOSURE, 0, 1), abc(RETURN0, 0, 0, 0)]);
    p.protos.push(func(2, vec![abc(RETURN0, 0, 0, 0)]));
    rejects(&p, Rule::ProtoIndex, Some(0), "Bx=1");
}

#[test]
fn rule_jump_target() {
    let r0 = || abc(RETURN0, 0, 0, 0);
    rejects(
        &func(2, vec![jmp(5), r0()]),
        Rule::JumpTarget,
        Some(0),
        "target pc 6",
    );
    rejects(
        &func(2, vec![jmp(-2), r0()]),
        Rule::JumpTarget,
        Some(0),
        "target pc -1",
    );
    rejects(
        &func(2, vec![r0(), jmp(-3)]),
        Rule::JumpTarget,
        Some(1),
        "target pc -1",
    );
    rejects(
        &func(2, vec![abc(MOVE, 0, 1, 0)]),
        Rule::JumpTarget,
        Some(0),
        "falls off the end",
    );
    // A test whose JMP is last: the skip falls off the end.
    rejects(
        &func(2, vec![abc(EQ, 0, 1, 0), jmp(-2)]),
        Rule::JumpTarget,
        Some(0),
        "falls off",
    );
    rejects(
        &func(2, vec![abc(LFALSESKIP, 0, 0, 0), r0()]),
        Rule::JumpTarget,
        Some(0),
        "falls off",
    );
    // A numeric for whose exit is past the end.
    rejects(
        &func(4, vec![abx(FORPREP, 0, 0), abx(FORLOOP, 0, 1)]),
        Rule::JumpTarget,
        Some(0),
        "falls off",
    );
}

#[test]
fn rule_target_is_extraarg() {
    let k = || vec![s("k")];
    rejects(
        &with_k(
            func(
                2,
                vec![
                    jmp(1),
                    abc(LOADKX, 0, 0, 0),
                    extra(0),
                    abc(RETURN0, 0, 0, 0),
                ],
            ),
            k(),
        ),
        Rule::TargetIsExtraArg,
        Some(0),
        "EXTRAARG at pc 2",
    );
    rejects(
        &with_k(
            func(
                2,
                vec![
                    abc(LFALSESKIP, 0, 0, 0),
                    abc(LOADKX, 0, 0, 0),
                    extra(0),
                    abc(RETURN0, 0, 0, 0),
                ],
            ),
            k(),
        ),
        Rule::TargetIsExtraArg,
        Some(0),
        "EXTRAARG",
    );
}

#[test]
fn rule_test_without_jump() {
    let r0 = || abc(RETURN0, 0, 0, 0);
    rejects(
        &func(2, vec![abc(EQ, 0, 1, 0), abc(MOVE, 0, 1, 0), r0()]),
        Rule::TestWithoutJump,
        Some(0),
        "JMP",
    );
    rejects(
        &func(2, vec![abc(TEST, 0, 0, 0), r0()]),
        Rule::TestWithoutJump,
        Some(0),
        "TEST",
    );
    rejects(
        &func(2, vec![abc(TESTSET, 0, 1, 0), r0()]),
        Rule::TestWithoutJump,
        Some(0),
        "TESTSET",
    );
    rejects(
        &func(2, vec![r0(), abc(LTI, 0, simm(3), 0)]),
        Rule::TestWithoutJump,
        Some(1),
        "LTI",
    );
}

#[test]
fn rule_missing_extraarg() {
    let r0 = || abc(RETURN0, 0, 0, 0);
    rejects(
        &with_k(func(2, vec![abc(LOADKX, 0, 0, 0), r0()]), vec![s("k")]),
        Rule::MissingExtraArg,
        Some(0),
        "LOADKX",
    );
    rejects(
        &func(2, vec![abc(NEWTABLE, 0, 0, 0), r0()]),
        Rule::MissingExtraArg,
        Some(0),
        "NEWTABLE",
    );
    rejects(
        &func(2, vec![abck(SETLIST, 0, 1, 0), r0()]),
        Rule::MissingExtraArg,
        Some(0),
        "SETLIST",
    );
    rejects(
        &func(2, vec![r0(), abck(NEWTABLE, 0, 0, 0)]),
        Rule::MissingExtraArg,
        Some(1),
        "EXTRAARG",
    );
}

#[test]
fn rule_stray_extraarg() {
    let r0 = || abc(RETURN0, 0, 0, 0);
    rejects(
        &func(2, vec![extra(0), r0()]),
        Rule::StrayExtraArg,
        Some(0),
        "does not follow",
    );
    rejects(
        &func(2, vec![abc(MOVE, 0, 1, 0), extra(0), r0()]),
        Rule::StrayExtraArg,
        Some(1),
        "EXTRAARG",
    );
    rejects(
        &func(2, vec![r0(), extra(0)]),
        Rule::StrayExtraArg,
        Some(1),
        "EXTRAARG",
    );
    // SETLIST only takes one when k is set.
    rejects(
        &func(2, vec![abc(SETLIST, 0, 1, 0), extra(0), r0()]),
        Rule::StrayExtraArg,
        Some(1),
        "EXTRAARG",
    );
    rejects(
        &func(2, vec![abc(NEWTABLE, 0, 0, 0), extra(0), extra(0), r0()]),
        Rule::StrayExtraArg,
        Some(2),
        "EXTRAARG",
    );
}

#[test]
fn rule_loop_shape() {
    let r0 = || abc(RETURN0, 0, 0, 0);
    let m = || abc(MOVE, 0, 1, 0);
    rejects(
        &func(8, vec![abx(FORPREP, 0, 0), m(), r0()]),
        Rule::LoopShape,
        Some(0),
        "FORLOOP at pc 1",
    );
    // FORLOOP jumps back to the wrong place.
    rejects(
        &func(8, vec![abx(FORPREP, 0, 1), m(), abx(FORLOOP, 0, 1), r0()]),
        Rule::LoopShape,
        Some(0),
        "jumping back to pc 1",
    );
    // A FORLOOP without its FORPREP.
    rejects(
        &func(8, vec![m(), abx(FORLOOP, 0, 1), r0()]),
        Rule::LoopShape,
        Some(1),
        "FORPREP",
    );
    // Mismatched base registers.
    rejects(
        &func(8, vec![abx(FORPREP, 0, 1), m(), abx(FORLOOP, 1, 2), r0()]),
        Rule::LoopShape,
        Some(0),
        "A=0",
    );
    rejects(
        &func(8, vec![abx(TFORPREP, 0, 0), m(), r0()]),
        Rule::LoopShape,
        Some(0),
        "TFORCALL with A=0",
    );
    rejects(
        &func(8, vec![abx(TFORPREP, 0, 0), abc(TFORCALL, 0, 0, 1), r0()]),
        Rule::LoopShape,
        Some(0),
        "TFORLOOP",
    );
    rejects(
        &func(8, vec![abc(TFORCALL, 0, 0, 1), r0()]),
        Rule::LoopShape,
        Some(0),
        "followed by TFORLOOP",
    );
    rejects(
        &func(8, vec![m(), abx(TFORLOOP, 0, 1), r0()]),
        Rule::LoopShape,
        Some(1),
        "follow a TFORCALL",
    );
    rejects(
        &func(8, vec![abc(TFORCALL, 0, 0, 1), abx(TFORLOOP, 0, 1), r0()]),
        Rule::LoopShape,
        Some(1),
        "TFORPREP",
    );
}

#[test]
fn rule_open_range() {
    let r0 = || abc(RETURN0, 0, 0, 0);
    rejects(
        &func(4, vec![abc(CALL, 0, 0, 1), r0()]),
        Rule::OpenRange,
        Some(0),
        "does not set top",
    );
    rejects(
        &func(4, vec![abc(MOVE, 0, 1, 0), abc(RETURN, 0, 0, 0)]),
        Rule::OpenRange,
        Some(1),
        "RETURN",
    );
    rejects(
        &func(4, vec![abc(CALL, 0, 1, 0), abc(MOVE, 1, 0, 0), r0()]),
        Rule::OpenRange,
        Some(0),
        "does not use top",
    );
    // The producer starts below the consumer's first register: top - first < 0.
    rejects(
        &func(8, vec![abc(CALL, 2, 1, 0), abc(CALL, 3, 0, 1), r0()]),
        Rule::OpenRange,
        Some(1),
        "reads R[4]..top but the previous CALL sets top from R[2]",
    );
    rejects(
        &vfunc(
            4,
            vec![
                abc(VARARGPREP, 0, 0, 0),
                abc(NEWTABLE, 1, 0, 0),
                extra(0),
                abc(VARARG, 1, 0, 0),
                abc(SETLIST, 1, 0, 0),
                abc(RETURN, 0, 1, 1),
            ],
        ),
        Rule::OpenRange,
        Some(4),
        "SETLIST",
    );
    // A consumer reached by a jump would see a stale top.
    rejects(
        &func(
            4,
            vec![abc(CALL, 1, 1, 0), abc(CALL, 0, 0, 1), jmp(-2), r0()],
        ),
        Rule::OpenRange,
        Some(1),
        "jump target",
    );
    // A well-formed chain f(g(h())) is fine.
    accepts(&func(
        6,
        vec![
            abc(CALL, 2, 1, 0),
            abc(CALL, 1, 0, 0),
            abc(CALL, 0, 0, 1),
            r0(),
        ],
    ));
}

#[test]
fn rule_vararg() {
    let r0 = || abc(RETURN0, 0, 0, 0);
    rejects(
        &func(4, vec![abc(VARARG, 0, 0, 2), r0()]),
        Rule::Vararg,
        Some(0),
        "not vararg",
    );
    rejects(
        &vfunc(4, vec![abc(MOVE, 0, 1, 0), abc(RETURN, 0, 1, 1)]),
        Rule::Vararg,
        Some(0),
        "start with VARARGPREP",
    );
    rejects(
        &vfunc(4, vec![abc(VARARGPREP, 1, 0, 0), abc(RETURN, 0, 1, 1)]),
        Rule::Vararg,
        Some(0),
        "A = num_params",
    );
    rejects(
        &func(4, vec![abc(VARARGPREP, 0, 0, 0), r0()]),
        Rule::Vararg,
        Some(0),
        "VARARGPREP",
    );
    rejects(
        &vfunc(
            4,
            vec![
                abc(VARARGPREP, 0, 0, 0),
                abc(VARARGPREP, 0, 0, 0),
                abc(RETURN, 0, 1, 1),
            ],
        ),
        Rule::Vararg,
        Some(1),
        "first instruction",
    );
    rejects(
        &vfunc(4, vec![abc(VARARGPREP, 0, 0, 0), abc(RETURN, 0, 1, 0)]),
        Rule::Vararg,
        Some(1),
        "needs C=1",
    );
    rejects(
        &func(4, vec![abc(RETURN, 0, 1, 1)]),
        Rule::Vararg,
        Some(0),
        "needs C=0",
    );
    rejects(
        &vfunc(4, vec![abc(VARARGPREP, 0, 0, 0), r0()]),
        Rule::Vararg,
        Some(1),
        "RETURN0",
    );
    rejects(
        &func(4, vec![abc(TAILCALL, 0, 1, 1), abc(RETURN, 0, 0, 0)]),
        Rule::Vararg,
        Some(0),
        "C=1",
    );
    rejects(
        &vfunc(
            4,
            vec![abc(VARARGPREP, 0, 0, 0), jmp(-2), abc(RETURN, 0, 1, 1)],
        ),
        Rule::Vararg,
        Some(1),
        "jumps back to VARARGPREP at pc 0",
    );
    let mut two = vfunc(4, vec![abc(VARARGPREP, 2, 0, 0), abc(RETURN, 0, 1, 3)]);
    two.num_params = 2;
    accepts(&two);
}

#[test]
fn rule_operand() {
    let r0 = || abc(RETURN0, 0, 0, 0);
    rejects(
        &func(4, vec![abc(CONCAT, 0, 1, 0), r0()]),
        Rule::Operand,
        Some(0),
        "B=1",
    );
    rejects(
        &func(4, vec![abc(CONCAT, 0, 0, 0), r0()]),
        Rule::Operand,
        Some(0),
        "B=0",
    );
    accepts(&func(4, vec![abc(CONCAT, 0, 4, 0), r0()]));
}

#[test]
fn rule_line_info() {
    let mut p = hello();
    p.line_info.pop();
    rejects(
        &p,
        Rule::LineInfo,
        None,
        "4 line entries for 5 instructions",
    );
    p.line_info.clear();
    rejects(&p, Rule::LineInfo, None, "0 line entries");
}

#[test]
fn rule_local_var() {
    let mut p = hello();
    p.local_vars.push(local("x", 0, 6));
    rejects(&p, Rule::LocalVar, None, "'x' has range 0..6");
    let mut p = hello();
    p.local_vars.push(local("y", 3, 2));
    rejects(&p, Rule::LocalVar, None, "'y'");
    let mut p = hello();
    p.local_vars.push(local("z", 5, 5));
    accepts(&p);
}

#[test]
fn rule_upvalue_desc() {
    let mut p = luac_shaped();
    p.protos[0].upvalues[0].index = 8; // parent has 8 registers
    let e = rejects(&p, Rule::UpvalueDesc, None, "captures parent register 8");
    assert_eq!(e.path, "main/P[0]");
    let mut p = kitchen_sink();
    p.protos[0].protos[0].upvalues[0] = UpvalueDesc {
        name: Some("up".into()),
        in_stack: false,
        index: 2,
        kind: VarKind::Regular,
    };
    let e = rejects(
        &p,
        Rule::UpvalueDesc,
        None,
        "(up) captures parent upvalue 2",
    );
    assert_eq!(e.path, "main/P[0]/P[0]");
}

#[test]
fn rule_depth() {
    // Not through `rejects`: the decoder refuses such a file earlier, with a
    // limit error, before the verifier sees it.
    let p = nested(MAX_NESTING_DEPTH + 1);
    let e = verify(&p).unwrap_err();
    assert_eq!(e.rule, Rule::Depth, "{e}");
    assert!(
        e.to_string().contains("nesting depth 201 exceeds 200"),
        "{e}"
    );
    assert_eq!(e.path.matches("P[0]").count(), MAX_NESTING_DEPTH + 1);
    assert_eq!(decode(&encode(&p)).unwrap_err().code(), "SJ-SBC-LIMIT");
    // Far deeper than any recursion could handle: still a clean error.
    let deep = nested(20_000);
    assert_eq!(verify(&deep).unwrap_err().rule, Rule::Depth);
    // Dropping a 20k-deep tree recurses; leak it rather than risk the stack.
    std::mem::forget(deep);
}

#[test]
fn errors_name_function_path_pc_and_instruction() {
    let mut p = luac_shaped();
    p.protos[0].code[1] = abc(GETI, 2, 3, 1); // R[3] with 3 slots
    let e = verify(&p).unwrap_err();
    assert_eq!(e.function, "function <h.lua:4>");
    assert_eq!(e.path, "main/P[0]");
    assert_eq!(e.pc, Some(1));
    assert_eq!(
        e.to_string(),
        "SJ-SBC-VERIFY: bytecode verification failed in function <h.lua:4> [main/P[0]] at pc 1: \
         register-range: GETI: register B=3 is not below max_stack_size 3"
    );
    let mut main = hello();
    main.max_stack_size = 1;
    assert!(
        verify(&main)
            .unwrap_err()
            .to_string()
            .contains("main chunk <hello.lua>")
    );
}

#[test]
fn rule_names_are_unique_and_kebab_case() {
    let rules = Rule::ALL;
    let mut names: Vec<_> = rules.iter().map(|r| r.name()).collect();
    assert!(
        names
            .iter()
            .all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
    );
    names.sort();
    names.dedup();
    assert_eq!(names.len(), rules.len());
}
