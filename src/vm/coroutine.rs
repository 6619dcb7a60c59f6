//! Coroutine switching: creating coroutines, `resume` (which runs the
//! coroutine's frames in a nested interpreter loop) and `yield` (which
//! unwinds that loop, leaving the coroutine's frames in guest memory to be
//! continued later). Because `pcall` is a frame rather than Rust recursion,
//! a coroutine can yield across it.

use super::call::{MAX_C_CALLS, PreCall};
use super::layout::*;
use super::thread::{self, Status, fields as tf};
use super::value::Value;
use super::{Throw, Vm};

/// Result of resuming a coroutine.
pub enum ResumeOutcome {
    /// The coroutine yielded these values.
    Yielded(Vec<Value>),
    /// The coroutine's body returned these values.
    Returned(Vec<Value>),
    /// The coroutine raised this error (it is now dead).
    Failed(Value),
}

/// Stack index of a new coroutine's body function (stack[0] is the base
/// slot, which keeps the error value of a coroutine that died in error).
const BODY: u32 = 1;

impl Vm {
    /// Creates a coroutine that will run `f`.
    pub fn new_coroutine(&mut self, f: Value) -> Result<Value, Throw> {
        self.maybe_gc_with(&[f]);
        let t = match thread::new_thread(&mut self.heap, 48, 8) {
            Ok(t) => t,
            Err(_) => return Err(self.out_of_memory()),
        };
        let aux = self.new_aux();
        tf::set_aux_id(&mut self.heap, t, aux);
        tf::set_status(&mut self.heap, t, Status::Suspended);
        // As in lua5.4, stack[0] is the (unused) base slot and the body goes
        // at stack[1]: recursion inside overflows at the same depth.
        let stack = tf::stack(&self.heap, t);
        self.heap.set(stack, Value::NIL);
        self.heap.set(stack + BODY as usize, f);
        tf::set_top(&mut self.heap, t, BODY + 1);
        self.gc.threads.push(t);
        Ok(Value::object(TAG_THREAD, slot_offset(t as u32)))
    }

    /// The running coroutine as a value.
    pub fn running_thread(&self) -> Value {
        Value::object(TAG_THREAD, slot_offset(self.thread as u32))
    }

    /// Whether the running coroutine is the main one.
    pub fn is_main_thread(&self) -> bool {
        self.thread == self.main_thread
    }

    /// `coroutine.status` of a coroutine value.
    pub fn coroutine_status(&self, co: Value) -> &'static str {
        let t = slot_index(co.offset());
        if t == self.thread {
            return "running";
        }
        match tf::status(&self.heap, t) {
            Status::Suspended => "suspended",
            Status::Running => "running",
            Status::Normal => "normal",
            Status::Dead => "dead",
        }
    }

    /// An empty vector for values in transit, from the spares when there
    /// is one; give it back with [`Vm::recycle_values`].
    pub fn take_values(&mut self) -> Vec<Value> {
        self.spare_value_vecs.pop().unwrap_or_default()
    }

    /// Returns a vector from [`Vm::take_values`] (or a resume outcome) to
    /// the spares. Nested resumes need one pair each; a few are kept.
    pub fn recycle_values(&mut self, mut v: Vec<Value>) {
        const KEPT: usize = 8;
        if self.spare_value_vecs.len() < KEPT {
            v.clear();
            self.spare_value_vecs.push(v);
        }
    }

    /// Whether the running code may yield.
    pub fn is_yieldable(&self) -> bool {
        self.nny == 0 && !self.is_main_thread()
    }

    fn switch_to(&mut self, t: usize) {
        self.save_thread_cache();
        self.thread = t;
        self.load_thread_cache();
    }

    /// Resumes coroutine `co` with `args`. Errors are only raised for
    /// problems in the *caller* (stack overflow); the coroutine's own errors
    /// come back as [`ResumeOutcome::Failed`].
    pub fn resume(&mut self, co: Value, args: &[Value]) -> Result<ResumeOutcome, Throw> {
        let t = slot_index(co.offset());
        let status = tf::status(&self.heap, t);
        if t == self.thread || status != Status::Suspended {
            let msg = if status == Status::Dead {
                "cannot resume dead coroutine"
            } else {
                "cannot resume non-suspended coroutine"
            };
            let v = self.new_string(msg.as_bytes())?;
            return Ok(ResumeOutcome::Failed(v));
        }
        // lua_resume starts the coroutine's count of C levels from the
        // resumer's, which includes its pending protected calls.
        let outer = self.pcalls;
        if self.c_calls + outer >= MAX_C_CALLS {
            let v = self.new_string(b"C stack overflow")?;
            return Ok(ResumeOutcome::Failed(v));
        }
        let prev = self.thread;
        let saved_nny = self.nny;
        tf::set_status(&mut self.heap, prev, Status::Normal);
        self.switch_to(t);
        tf::set_status(&mut self.heap, t, Status::Running);
        tf::set_resumer(&mut self.heap, t, slot_offset(prev as u32));
        self.nny = 0;
        self.c_calls += 1 + outer;

        let pushed = args.iter().try_for_each(|a| self.push(*a));
        let outcome = match pushed {
            Err(e) => Err(e),
            Ok(()) => self.run_coroutine(args.len() as u32),
        };

        self.c_calls -= 1 + outer;
        self.nny = saved_nny;
        let result = match outcome {
            Ok(()) => {
                let mut vals = self.take_values();
                vals.extend((BODY..self.top).map(|i| self.stk(i)));
                self.top = 0;
                tf::set_status(&mut self.heap, t, Status::Dead);
                ResumeOutcome::Returned(vals)
            }
            Err(Throw::Yield) => {
                let n = self.yield_count;
                let mut vals = self.take_values();
                vals.extend((self.top - n..self.top).map(|i| self.stk(i)));
                self.top -= n;
                tf::set_status(&mut self.heap, t, Status::Suspended);
                ResumeOutcome::Yielded(vals)
            }
            Err(Throw::Error) if self.libs.exit_code.is_some() => {
                // `os.exit` inside a coroutine: keep unwinding to the host.
                self.switch_to(prev);
                tf::set_status(&mut self.heap, prev, Status::Running);
                return Err(Throw::Error);
            }
            Err(Throw::Error) => {
                let err = self.error_value;
                // Keep the error where the collector and `close` find it.
                self.ensure_stack(0, 1)?;
                self.set_stk(0, err);
                self.top = self.top.max(1);
                tf::set_status(&mut self.heap, t, Status::Dead);
                self.aux_mut(t).errored = true;
                ResumeOutcome::Failed(err)
            }
        };
        // Keep results reachable while switching back.
        let mark = self.roots.len();
        match &result {
            ResumeOutcome::Yielded(v) | ResumeOutcome::Returned(v) => {
                self.roots.extend_from_slice(v)
            }
            ResumeOutcome::Failed(e) => self.roots.push(*e),
        }
        self.switch_to(prev);
        tf::set_status(&mut self.heap, prev, Status::Running);
        self.roots.truncate(mark);
        Ok(result)
    }

    fn run_coroutine(&mut self, nargs: u32) -> Result<(), Throw> {
        if self.nframes == 0 {
            // First resume: the body is at stack[BODY], arguments above it.
            match self.precall(BODY, -1)? {
                PreCall::Done => Ok(()),
                PreCall::Lua => self.execute(0),
            }
        } else {
            // Finish the pending `yield` call with the resume arguments.
            let fi = self.nframes - 1;
            let first = self.top - nargs;
            self.poscall(fi, first, nargs);
            if self.nframes == 0 {
                return Ok(());
            }
            self.execute(0)
        }
    }

    /// `coroutine.yield`: records how many values (at the top of the stack) are yielded.
    pub fn yield_values(&mut self, n: u32) -> Throw {
        self.yield_count = n;
        Throw::Yield
    }

    /// `coroutine.close`: closes a suspended or dead coroutine's pending
    /// to-be-closed variables. Returns the error value if it died in error
    /// or a `__close` failed.
    pub fn close_coroutine(&mut self, co: Value) -> Result<Option<Value>, Throw> {
        let t = slot_index(co.offset());
        let errored = self.aux_mut(t).errored;
        let prev = self.thread;
        let saved_nny = self.nny;
        let err = if errored {
            Some(self.heap.get(tf::stack(&self.heap, t)))
        } else {
            None
        };
        self.switch_to(t);
        self.nny = 1;
        self.error_value = err.unwrap_or(Value::NIL);
        let r = self.close_level(0, errored);
        let new_err = match r {
            Err(Throw::Error) => Some(self.error_value),
            _ => err,
        };
        self.nframes = 0;
        self.top = 0;
        self.close_upvals(self.stack);
        tf::set_status(&mut self.heap, t, Status::Dead);
        self.switch_to(prev);
        self.nny = saved_nny;
        Ok(new_err)
    }
}
