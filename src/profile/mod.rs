//! Execution profiles collected by tier 0 for the later tiers: per-proto
//! call and loop back-edge counters, and per-site type feedback (operand
//! types at arithmetic, comparison and index sites; the callee seen at call
//! sites). Indexed by proto id, i.e. by code-table slot.

use crate::vm::layout::TAG_COUNT;

/// Feedback bit for each value tag (bit `tag` of a site's mask).
pub const fn tag_bit(tag: u64) -> u16 {
    1 << (tag as u16 & 15)
}

/// Profile of one proto.
#[derive(Clone, Debug, Default)]
pub struct ProtoProfile {
    /// Times the proto was entered.
    pub calls: u64,
    /// Loop back-edges taken.
    pub backedges: u64,
    /// Per instruction: union of operand tag bits seen (0 = never executed
    /// or not a feedback site).
    pub site_types: Vec<u16>,
    /// Per instruction: the callee seen at a call site (raw value payload
    /// plus one; 0 = none yet; `u64::MAX` = more than one callee).
    pub callees: Vec<u64>,
}

/// All protos' profiles for one isolate.
#[derive(Clone, Debug)]
pub struct Profile {
    /// Indexed by proto id.
    pub protos: Vec<ProtoProfile>,
    /// Whether per-site feedback is being recorded.
    pub feedback_enabled: bool,
    /// Calls after which a proto asks to be compiled (`u64::MAX`: never).
    pub call_threshold: u64,
    /// Loop back-edges after which a proto asks to be compiled.
    pub backedge_threshold: u64,
    /// Protos that crossed a threshold, in order; the JIT drains this.
    pub hot: Vec<u32>,
    /// Wall-clock deadline of the running call, checked on loop back-edges
    /// and tail calls (compiled code is stopped by Wasmtime's epoch check).
    pub deadline: Option<Deadline>,
}

/// A deadline in ticks of a shared clock (advanced by the engine's ticker).
#[derive(Clone, Debug)]
pub struct Deadline {
    /// The tick counter.
    pub ticks: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// The tick at which the deadline has passed.
    pub at: u64,
}

impl Deadline {
    /// Whether the deadline has passed.
    #[inline(always)]
    pub fn passed(&self) -> bool {
        self.ticks.load(std::sync::atomic::Ordering::Relaxed) >= self.at
    }
}

impl Default for Profile {
    fn default() -> Self {
        Profile {
            protos: Vec::new(),
            feedback_enabled: false,
            call_threshold: u64::MAX,
            backedge_threshold: u64::MAX,
            hot: Vec::new(),
            deadline: None,
        }
    }
}

impl Profile {
    /// Makes room for a newly loaded proto with `code_len` instructions.
    pub fn add_proto(&mut self, code_len: usize) {
        self.protos.push(ProtoProfile {
            calls: 0,
            backedges: 0,
            site_types: vec![0; code_len],
            callees: vec![0; code_len],
        });
    }

    /// Counts a call of proto `id`.
    #[inline(always)]
    pub fn on_call(&mut self, id: u32) {
        if let Some(p) = self.protos.get_mut(id as usize) {
            p.calls += 1;
            if p.calls == self.call_threshold {
                self.hot.push(id);
            }
        }
    }

    /// Counts a taken loop back-edge in proto `id`; true when the deadline
    /// has passed (the interpreter then stops the run).
    #[inline(always)]
    #[must_use]
    pub fn on_backedge(&mut self, id: u32) -> bool {
        if let Some(p) = self.protos.get_mut(id as usize) {
            p.backedges += 1;
            if p.backedges == self.backedge_threshold {
                self.hot.push(id);
            }
        }
        self.deadline_passed()
    }

    /// Whether the running call's deadline has passed.
    #[inline(always)]
    pub fn deadline_passed(&self) -> bool {
        self.deadline.as_ref().is_some_and(Deadline::passed)
    }

    /// Records operand tags seen at instruction `pc` of proto `id`.
    #[inline(always)]
    pub fn on_types(&mut self, id: u32, pc: usize, a: u64, b: u64) {
        if !self.feedback_enabled {
            return;
        }
        if let Some(s) = self
            .protos
            .get_mut(id as usize)
            .and_then(|p| p.site_types.get_mut(pc))
        {
            *s |= tag_bit(a) | tag_bit(b);
        }
    }

    /// Records the callee (raw payload) seen at call site `pc` of proto `id`.
    #[inline(always)]
    pub fn on_callee(&mut self, id: u32, pc: usize, callee: u64) {
        if !self.feedback_enabled {
            return;
        }
        if let Some(s) = self
            .protos
            .get_mut(id as usize)
            .and_then(|p| p.callees.get_mut(pc))
        {
            let c = callee.wrapping_add(1);
            if *s == 0 {
                *s = c;
            } else if *s != c {
                *s = u64::MAX;
            }
        }
    }
}

/// Names of the tags in a feedback mask, e.g. `int|float`.
pub fn describe_mask(mask: u16) -> String {
    const NAMES: [&str; TAG_COUNT as usize] = [
        "nil", "false", "true", "int", "float", "string", "table", "lfunc", "nfunc", "nclosure",
        "thread", "lightud", "userdata",
    ];
    let parts: Vec<&str> = (0..TAG_COUNT as usize)
        .filter(|t| mask & (1 << t) != 0)
        .map(|t| NAMES[t])
        .collect();
    parts.join("|")
}

/// Human-readable profile of every loaded proto (for `--profile-dump`).
pub fn dump(vm: &crate::vm::Vm) -> String {
    use std::fmt::Write;
    let mut out = String::from("-- slotjit profile --\n");
    for (id, p) in vm.profile.protos.iter().enumerate() {
        let lp = vm.proto(id as u32);
        let name = format!(
            "{}:{}",
            crate::lua::chunk_id(&lp.proto.source),
            lp.proto.line_defined
        );
        let _ = writeln!(
            out,
            "proto {id} <{name}> calls={} backedges={}",
            p.calls, p.backedges
        );
        for (pc, mask) in p.site_types.iter().enumerate().filter(|(_, m)| **m != 0) {
            let op = lp
                .code
                .get(pc)
                .and_then(|i| i.opcode())
                .map_or("?", |o| o.name());
            let line = lp.proto.line_at(pc);
            let _ = writeln!(
                out,
                "  pc {pc:<4} [{line}] {op:<10} types={}",
                describe_mask(*mask)
            );
        }
        for (pc, c) in p.callees.iter().enumerate().filter(|(_, c)| **c != 0) {
            let what = if *c == u64::MAX {
                "polymorphic".to_string()
            } else {
                format!("{:#x}", c - 1)
            };
            let _ = writeln!(out, "  pc {pc:<4} call target {what}");
        }
    }
    out
}

/// Records type feedback for the instruction `i` at `pc` of proto `id`
/// about to run with registers at slot `base`: operand tags at arithmetic,
/// comparison and index sites, and the callee at call sites. Called by the
/// interpreter only while feedback is enabled (one branch otherwise).
pub fn record_site(
    vm: &mut crate::vm::Vm,
    id: u32,
    pc: usize,
    i: crate::bytecode::Instr,
    base: usize,
    k: &[crate::vm::Value],
) {
    use crate::bytecode::isa::op;
    let reg = |r: u32| vm.heap.mem.get(base + r as usize).map_or(0, |s| s.hi);
    let kt = |c: u32| k.get(c as usize).map_or(0, |v| v.tag());
    let (a, b) = match i.op_byte() {
        op::ADD
        | op::SUB
        | op::MUL
        | op::MOD
        | op::POW
        | op::DIV
        | op::IDIV
        | op::BAND
        | op::BOR
        | op::BXOR
        | op::SHL
        | op::SHR => (reg(i.b()), reg(i.c())),
        op::ADDK
        | op::SUBK
        | op::MULK
        | op::MODK
        | op::POWK
        | op::DIVK
        | op::IDIVK
        | op::BANDK
        | op::BORK
        | op::BXORK => (reg(i.b()), kt(i.c())),
        op::ADDI | op::SHRI | op::SHLI | op::UNM | op::BNOT | op::LEN => (reg(i.b()), reg(i.b())),
        op::EQ | op::LT | op::LE => (reg(i.a()), reg(i.b())),
        op::EQK | op::EQI | op::LTI | op::LEI | op::GTI | op::GEI => (reg(i.a()), reg(i.a())),
        op::GETTABLE => (reg(i.b()), reg(i.c())),
        op::GETI | op::GETFIELD | op::SELF => (reg(i.b()), reg(i.b())),
        op::SETTABLE => (reg(i.a()), reg(i.b())),
        op::SETI | op::SETFIELD => (reg(i.a()), reg(i.a())),
        op::CALL | op::TAILCALL => {
            let callee = vm.heap.mem.get(base + i.a() as usize).map_or(0, |s| s.lo);
            let tag = reg(i.a());
            vm.profile.on_types(id, pc, tag, tag);
            vm.profile.on_callee(id, pc, callee);
            return;
        }
        _ => return,
    };
    vm.profile.on_types(id, pc, a, b);
}
