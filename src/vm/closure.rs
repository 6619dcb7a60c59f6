//! Lua closures, native closures and upvalues in guest memory.
//!
//! An upvalue object stores the byte offset of the slot holding its value:
//! a stack slot while the variable's frame is live ("open"), its own slot 1
//! after `close`. Reads and writes are therefore the same two loads either
//! way, in the interpreter and in compiled code.

use super::layout::*;
use super::thread::fields as tf;
use super::value::Value;
use super::{Throw, Vm};

/// Slot index of the closure's upvalue-offset words start.
#[inline(always)]
fn upval_word(h: &super::heap::Heap, cl: usize, i: u32) -> u32 {
    let s = h.mem[cl + 1 + (i / 4) as usize];
    let w = if i % 4 < 2 { s.lo } else { s.hi };
    if i.is_multiple_of(2) {
        w as u32
    } else {
        (w >> 32) as u32
    }
}

fn set_upval_word(h: &mut super::heap::Heap, cl: usize, i: u32, off: u32) {
    let s = &mut h.mem[cl + 1 + (i / 4) as usize];
    let w = if i % 4 < 2 { &mut s.lo } else { &mut s.hi };
    if i.is_multiple_of(2) {
        *w = (*w & !0xffff_ffff) | off as u64;
    } else {
        *w = (*w & 0xffff_ffff) | (off as u64) << 32;
    }
}

/// Proto id of a Lua closure (slot index `cl`).
#[inline(always)]
pub fn proto_id(h: &super::heap::Heap, cl: usize) -> u32 {
    h.mem[cl].hi as u32
}
/// Number of upvalues of a closure.
#[inline(always)]
pub fn nupvals(h: &super::heap::Heap, cl: usize) -> u32 {
    (h.mem[cl].hi >> 32) as u32
}
/// Byte offset of upvalue object `i` of Lua closure `cl`.
#[inline(always)]
pub fn upval(h: &super::heap::Heap, cl: usize, i: u32) -> u32 {
    upval_word(h, cl, i)
}
/// Reads the value of upvalue object `uv` (byte offset).
#[inline(always)]
pub fn upval_get(h: &super::heap::Heap, uv: u32) -> Value {
    let loc = h.mem[slot_index(uv)].hi as u32;
    h.get(slot_index(loc))
}
/// Writes the value of upvalue object `uv`.
#[inline(always)]
pub fn upval_set(h: &mut super::heap::Heap, uv: u32, v: Value) {
    let loc = h.mem[slot_index(uv)].hi as u32;
    h.set(slot_index(loc), v);
}

impl Vm {
    /// Allocates a Lua closure for proto `id` with `n` (unset) upvalues.
    pub(crate) fn alloc_lclosure(&mut self, id: u32, n: u32) -> Result<usize, Throw> {
        let slots = 1 + n.div_ceil(4);
        match self.heap.alloc_zeroed(slots, KIND_LCLOSURE, 0) {
            Ok(cl) => {
                self.heap.mem[cl as usize].hi = id as u64 | (n as u64) << 32;
                Ok(cl as usize)
            }
            Err(_) => Err(self.out_of_memory()),
        }
    }

    /// Finds or creates the open upvalue for absolute stack slot `level`.
    pub(crate) fn find_upval(&mut self, level: usize) -> Result<u32, Throw> {
        let t = self.thread;
        let target = slot_offset(level as u32);
        let mut prev = 0u32;
        let mut cur = tf::open_upvals(&self.heap, t);
        while cur != 0 {
            let hi = self.heap.mem[slot_index(cur)].hi;
            let loc = hi as u32;
            if loc < target {
                break;
            }
            if loc == target {
                return Ok(cur);
            }
            prev = cur;
            cur = (hi >> 32) as u32;
        }
        let uv = match self.heap.alloc(UPVAL_SLOTS, KIND_UPVAL, 0) {
            Ok(i) => i,
            Err(_) => return Err(self.out_of_memory()),
        };
        let uvo = slot_offset(uv);
        self.heap.mem[uv as usize].hi = target as u64 | (cur as u64) << 32;
        self.heap.mem[uv as usize + 1] = Slot::default();
        if prev == 0 {
            tf::set_open_upvals(&mut self.heap, t, uvo);
        } else {
            let phi = self.heap.mem[slot_index(prev)].hi;
            self.heap.mem[slot_index(prev)].hi = (phi & 0xffff_ffff) | (uvo as u64) << 32;
        }
        Ok(uvo)
    }

    /// Closes every open upvalue at or above absolute stack slot `level`.
    pub(crate) fn close_upvals(&mut self, level: usize) {
        let t = self.thread;
        let target = slot_offset(level as u32);
        let mut cur = tf::open_upvals(&self.heap, t);
        while cur != 0 {
            let i = slot_index(cur);
            let hi = self.heap.mem[i].hi;
            let loc = hi as u32;
            if loc < target {
                break;
            }
            let v = self.heap.get(slot_index(loc));
            self.heap.set(i + 1, v);
            let next = (hi >> 32) as u32;
            self.heap.mem[i].hi = slot_offset(i as u32 + 1) as u64;
            cur = next;
        }
        tf::set_open_upvals(&mut self.heap, t, cur);
    }

    /// Creates the closure for `CLOSURE`: captures from the frame at `base`
    /// or from the enclosing closure `parent`.
    pub(crate) fn make_closure(
        &mut self,
        id: u32,
        base: usize,
        parent: usize,
    ) -> Result<Value, Throw> {
        self.maybe_gc();
        let p = self.protos[id as usize].clone();
        let n = p.proto.upvalues.len() as u32;
        let cl = self.alloc_lclosure(id, n)?;
        // Root the closure while upvalues are allocated.
        let v = Value::object(TAG_LFUNC, slot_offset(cl as u32));
        self.roots.push(v);
        for (i, d) in p.proto.upvalues.iter().enumerate() {
            let uv = if d.in_stack {
                match self.find_upval(base + d.index as usize) {
                    Ok(uv) => uv,
                    Err(e) => {
                        self.roots.pop();
                        return Err(e);
                    }
                }
            } else {
                upval(&self.heap, parent, d.index as u32)
            };
            set_upval_word(&mut self.heap, cl, i as u32, uv);
        }
        self.roots.pop();
        Ok(v)
    }
}

/// Creates a main-chunk closure whose first upvalue (`_ENV`) holds `env`.
pub fn new_main_closure(vm: &mut Vm, id: u32, env: Value) -> Result<Value, Throw> {
    let n = vm.protos[id as usize].proto.upvalues.len() as u32;
    let cl = vm.alloc_lclosure(id, n)?;
    let v = Value::object(TAG_LFUNC, slot_offset(cl as u32));
    vm.roots.push(v);
    for i in 0..n {
        let uv = match vm.heap.alloc(UPVAL_SLOTS, KIND_UPVAL, 0) {
            Ok(uv) => uv,
            Err(_) => {
                vm.roots.pop();
                return Err(vm.out_of_memory());
            }
        };
        vm.heap.mem[uv as usize].hi = slot_offset(uv + 1) as u64;
        vm.heap
            .set(uv as usize + 1, if i == 0 { env } else { Value::NIL });
        set_upval_word(&mut vm.heap, cl, i, slot_offset(uv));
    }
    vm.roots.pop();
    Ok(v)
}

/// Native closures: `hi = native id | nupvals << 32`, upvalue values follow.
pub mod native_closure {

    /// Native id of a native closure.
    pub fn native_id(h: &super::super::heap::Heap, nc: usize) -> u32 {
        h.mem[nc].hi as u32
    }
    /// Number of upvalues.
    pub fn nupvals(h: &super::super::heap::Heap, nc: usize) -> u32 {
        (h.mem[nc].hi >> 32) as u32
    }
    /// Slot index of upvalue `i`.
    pub fn upval_slot(nc: usize, i: u32) -> usize {
        nc + 1 + i as usize
    }
}

impl Vm {
    /// Creates a native closure for native `id` with the given upvalues.
    pub fn new_native_closure(&mut self, id: u32, upvals: &[Value]) -> Result<Value, Throw> {
        self.maybe_gc_with(upvals);
        let n = upvals.len() as u32;
        match self.heap.alloc(1 + n, KIND_NCLOSURE, 0) {
            Ok(nc) => {
                self.heap.mem[nc as usize].hi = id as u64 | (n as u64) << 32;
                for (i, v) in upvals.iter().enumerate() {
                    self.heap.set(nc as usize + 1 + i, *v);
                }
                Ok(Value::object(TAG_NCLOSURE, slot_offset(nc)))
            }
            Err(_) => Err(self.out_of_memory()),
        }
    }
}

/// Replaces the value of upvalue 0 of Lua closure `f` (`load`'s `env` argument).
pub fn set_first_upvalue(vm: &mut Vm, f: Value, v: Value) {
    if f.tag() != TAG_LFUNC {
        return;
    }
    let cl = slot_index(f.offset());
    if nupvals(&vm.heap, cl) == 0 {
        return;
    }
    let uv = upval(&vm.heap, cl, 0);
    upval_set(&mut vm.heap, uv, v);
}
