//! The compile worker: a background thread, one per process, that turns
//! baseline Wasm into native artifacts with the baseline engine while the
//! isolates that asked go on interpreting.
//!
//! Only the Cranelift step moves off the owning thread: generating Wasm
//! needs the protos (not `Send`) and is quick; loading, instantiating and
//! installing need the isolate's store and happen at its next safe point
//! (`super::compile_pending`). A finished job raises the isolate's
//! [`ReadyFlag`], which makes its interpreter return to the driver at the
//! next call so the code gets installed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use wasmtime::Engine;

/// Set by the worker when an isolate has finished artifacts waiting.
pub type ReadyFlag = Arc<AtomicBool>;

/// One module to compile.
struct Job {
    wasm: Vec<u8>,
    /// Identifies the job to its isolate.
    tag: u64,
    reply: Sender<Finished>,
    ready: ReadyFlag,
}

/// A compiled (or failed) job, as its isolate receives it.
pub struct Finished {
    /// The job's tag.
    pub tag: u64,
    /// The native artifact (`Engine::precompile_module`), or why not.
    pub artifact: Result<Vec<u8>, String>,
    /// Time the worker spent compiling.
    pub compile_time: Duration,
}

/// The process's compile thread.
pub struct CompileWorker {
    jobs: Mutex<Sender<Job>>,
}

impl CompileWorker {
    /// Starts the thread; it compiles with `engine` and ends when the
    /// worker is dropped.
    pub fn start(engine: Engine) -> std::io::Result<CompileWorker> {
        let (tx, rx) = channel::<Job>();
        std::thread::Builder::new()
            .name("slotjit-compile".into())
            .spawn(move || run(&engine, &rx))?;
        Ok(CompileWorker {
            jobs: Mutex::new(tx),
        })
    }

    /// Queues `wasm`; the result arrives on `reply` and raises `ready`.
    /// When the worker is gone, gives `wasm` back (the caller compiles it).
    pub fn submit(
        &self,
        wasm: Vec<u8>,
        tag: u64,
        reply: Sender<Finished>,
        ready: ReadyFlag,
    ) -> Result<(), Vec<u8>> {
        let job = Job {
            wasm,
            tag,
            reply,
            ready,
        };
        match self.jobs.lock() {
            Ok(jobs) => jobs.send(job).map_err(|e| e.0.wasm),
            Err(_) => Err(job.wasm),
        }
    }
}

fn run(engine: &Engine, jobs: &Receiver<Job>) {
    for job in jobs {
        let t = Instant::now();
        let artifact = engine
            .precompile_module(&job.wasm)
            .map_err(|e| format!("baseline compile failed: {e:#}"));
        let finished = Finished {
            tag: job.tag,
            artifact,
            compile_time: t.elapsed(),
        };
        // The isolate may be gone; then nobody wants the result.
        if job.reply.send(finished).is_ok() {
            job.ready.store(true, Ordering::Release);
        }
    }
}
