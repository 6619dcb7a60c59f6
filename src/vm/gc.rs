//! Mark-sweep garbage collection over the guest heap.
//!
//! Stop-the-world and non-moving: mark from the roots (globals, registry,
//! string metatable, loaded proto constants, every coroutine's live stack,
//! the error value in flight and values rooted by natives or the embedder),
//! then let [`super::heap::Heap::sweep`] free the rest. A collection runs
//! when allocation since the last one doubles the live size (Lua's default
//! pause of 200%). Values held only in Rust locals are not roots, which is
//! why allocating VM functions take the values they must keep as arguments.

use super::Vm;
use super::closure;
use super::layout::*;
use super::table;
use super::thread::fields as tf;
use super::value::Value;

/// Collector bookkeeping.
#[derive(Default)]
pub struct GcState {
    /// Collect when the heap's in-use slots reach this.
    pub threshold: u64,
    /// `collectgarbage("stop")` sets this.
    pub stopped: bool,
    /// Preallocated "not enough memory" string (offset).
    pub oom_string: u32,
    /// Every coroutine object (slot indices), to close upvalues of dead ones.
    pub threads: Vec<usize>,
    /// Number of completed collections.
    pub cycles: u64,
    /// Mode last selected with `collectgarbage("incremental")` (only reported).
    pub incremental_mode: bool,
}

/// Smallest threshold, in slots (256 KiB), so tiny scripts never collect.
const MIN_THRESHOLD: u64 = 16 * 1024;

impl Vm {
    /// Collects if the allocation debt is due.
    #[inline]
    pub fn maybe_gc(&mut self) {
        if self.heap.in_use_slots >= self.gc.threshold && !self.gc.stopped {
            self.collect();
        }
    }

    /// Like [`Vm::maybe_gc`], keeping `extra` alive through the collection.
    #[inline]
    pub fn maybe_gc_with(&mut self, extra: &[Value]) {
        if self.heap.in_use_slots >= self.gc.threshold && !self.gc.stopped {
            let mark = self.roots.len();
            self.roots.extend_from_slice(extra);
            self.collect();
            self.roots.truncate(mark);
        }
    }

    /// Runs a full collection.
    pub fn collect(&mut self) {
        self.save_thread_cache();
        let mut gray: Vec<Value> = Vec::with_capacity(256);
        // Roots.
        gray.push(Value::object(TAG_TABLE, self.globals));
        gray.push(Value::object(TAG_TABLE, self.registry));
        if self.string_meta != 0 {
            gray.push(Value::object(TAG_TABLE, self.string_meta));
        }
        for &s in &self.tm_names {
            gray.push(Value::object(TAG_STR, s));
        }
        if self.gc.oom_string != 0 {
            gray.push(Value::object(TAG_STR, self.gc.oom_string));
        }
        for p in &self.protos {
            gray.extend(p.k.iter().copied().filter(|v| v.is_collectable()));
        }
        for &t in self.jit.constant_tables.iter().filter(|&&t| t != 0) {
            gray.push(Value::object(TAG_TABLE, t));
        }
        gray.extend(self.roots.iter().copied().filter(|v| v.is_collectable()));
        if self.error_value.is_collectable() {
            gray.push(self.error_value);
        }
        gray.push(Value::object(
            TAG_THREAD,
            slot_offset(self.main_thread as u32),
        ));
        gray.push(Value::object(TAG_THREAD, slot_offset(self.thread as u32)));
        self.propagate(&mut gray);

        // Coroutines that died unreachable may still have open upvalues that
        // live closures use: close them so they stop pointing into the stack.
        let threads = std::mem::take(&mut self.gc.threads);
        let mut live = Vec::with_capacity(threads.len());
        for t in threads {
            if self.heap.header(t) >> 40 & MARK_BIT as u64 != 0 {
                live.push(t);
                continue;
            }
            let mut cur = tf::open_upvals(&self.heap, t);
            while cur != 0 {
                let i = slot_index(cur);
                let hi = self.heap.mem[i].hi;
                if self.heap.header(i) >> 40 & MARK_BIT as u64 != 0 {
                    let v = self.heap.get(slot_index(hi as u32));
                    self.heap.set(i + 1, v);
                    self.heap.mem[i].hi = slot_offset(i as u32 + 1) as u64;
                    if v.is_collectable() {
                        gray.push(v);
                    }
                }
                cur = (hi >> 32) as u32;
            }
            tf::set_open_upvals(&mut self.heap, t, 0);
            let aux = tf::aux_id(&self.heap, t) as usize;
            if let Some(slot) = self.aux.get_mut(aux) {
                *slot = None;
            }
        }
        self.propagate(&mut gray);
        self.gc.threads = live;

        self.heap.sweep();
        self.gc.cycles += 1;
        self.gc.threshold = (self.heap.in_use_slots * 2).max(MIN_THRESHOLD);
    }

    fn propagate(&mut self, gray: &mut Vec<Value>) {
        while let Some(v) = gray.pop() {
            let i = slot_index(v.offset());
            if i == 0 || self.heap.mark(i) {
                continue;
            }
            match v.tag() {
                TAG_STR => {}
                TAG_TABLE => table::traverse(&mut self.heap, i, |x| gray.push(x)),
                TAG_LFUNC => {
                    for u in 0..closure::nupvals(&self.heap, i) {
                        let uv = closure::upval(&self.heap, i, u);
                        if uv != 0 {
                            self.mark_upval(uv, gray);
                        }
                    }
                }
                TAG_NCLOSURE => {
                    let n = closure::native_closure::nupvals(&self.heap, i);
                    for u in 0..n {
                        let x = self.heap.get(closure::native_closure::upval_slot(i, u));
                        if x.is_collectable() {
                            gray.push(x);
                        }
                    }
                }
                TAG_THREAD => self.traverse_thread(i, gray),
                TAG_USERDATA => {
                    let mt = self.heap.mem[i].hi as u32;
                    if mt != 0 {
                        gray.push(Value::object(TAG_TABLE, mt));
                    }
                }
                _ => {}
            }
        }
    }

    fn mark_upval(&mut self, uv: u32, gray: &mut Vec<Value>) {
        let i = slot_index(uv);
        if self.heap.mark(i) {
            return;
        }
        let loc = self.heap.mem[i].hi as u32;
        if slot_index(loc) == i + 1 {
            let v = self.heap.get(i + 1);
            if v.is_collectable() {
                gray.push(v);
            }
        }
        // Open: the value is on a stack, marked with its thread.
    }

    fn traverse_thread(&mut self, t: usize, gray: &mut Vec<Value>) {
        let stack = tf::stack(&self.heap, t);
        let size = tf::stack_size(&self.heap, t);
        let frames = tf::frames(&self.heap, t);
        let nframes = tf::frame_count(&self.heap, t);
        self.heap.mark(stack - 1);
        self.heap.mark(frames - 1);
        let mut live_top = tf::top(&self.heap, t);
        for f in 0..nframes {
            let fr =
                super::thread::Frame::load(&self.heap.mem, frames + (f * FRAME_SLOTS) as usize);
            live_top = live_top.max(fr.top);
        }
        let live_top = live_top.min(size) as usize;
        for s in 0..live_top {
            let v = self.heap.get(stack + s);
            if v.is_collectable() {
                gray.push(v);
            }
        }
        // Dead part of the stack: clear, so stale references never survive
        // into a later collection (they were not marked now).
        self.heap.mem[stack + live_top..stack + size as usize].fill(Slot::default());
        let mut cur = tf::open_upvals(&self.heap, t);
        while cur != 0 {
            let i = slot_index(cur);
            self.heap.mark(i);
            cur = (self.heap.mem[i].hi >> 32) as u32;
        }
    }
}
