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
#[derive(Clone, Debug, Default)]
pub struct Profile {
    /// Indexed by proto id.
    pub protos: Vec<ProtoProfile>,
    /// Whether per-site feedback is being recorded.
    pub feedback_enabled: bool,
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
        }
    }

    /// Counts a taken loop back-edge in proto `id`.
    #[inline(always)]
    pub fn on_backedge(&mut self, id: u32) {
        if let Some(p) = self.protos.get_mut(id as usize) {
            p.backedges += 1;
        }
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
        "thread", "lightud",
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
