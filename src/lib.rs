//! slotjit: a sandboxed tiered JIT runtime for Lua 5.4 code stored in the
//! slots of PSPF/2025 packages.
//!
//! Data flow (see `docs/` and the design brief): Lua source is compiled by
//! [`lua`] into slot bytecode ([`bytecode`]), which the tier-0 interpreter in
//! [`vm`] runs over a guest heap that is the Wasm linear memory of an
//! [`engine`] isolate; hot functions are compiled by [`codegen`] under the
//! policy of [`jit`] and run as native code through Wasmtime. Packages
//! ([`package`]) carry the bytecode in signed, lazily loaded slots; compiled
//! code and profiles persist across runs in the [`cache`].

pub mod bytecode;
pub mod cache;
pub mod codegen;
pub mod engine;
pub mod jit;
pub mod lua;
pub mod package;
pub mod profile;
pub mod stdlib;
pub mod vm;
