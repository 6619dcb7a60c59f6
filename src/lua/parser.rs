//! The Lua 5.4 parser, after Lua 5.4.4's `lparser.c`: a single pass over
//! the token stream that drives the code generator (`code.rs`). It owns
//! function states, blocks, local variables (including `<const>` and
//! `<close>`), upvalue resolution, labels/gotos and all statement and
//! expression grammar, with lua5.4's error messages and limits.

use std::collections::HashMap;
use std::rc::Rc;

use crate::bytecode::{Instr, LocalVar, OpCode, Proto, UpvalueDesc, VarKind};

use super::code::{BinOpr, ConstVal, ExpDesc, ExpKind, KKey, MULTRET, NO_JUMP, UnOpr, with_op};
use super::lexer::{LResult, Lexer, Tok};
use super::{CompileError, chunk_id};

/// Maximum number of local variables per function (`MAXVARS`).
const MAX_VARS: usize = 200;
/// Maximum number of upvalues per function (`MAXUPVAL`).
const MAX_UPVAL: usize = 255;
/// `LUAI_MAXCCALLS`: nesting limit of the recursive descent.
const MAX_C_CALLS: u32 = 200;
/// C calls already active when `lua5.4 file.lua` starts parsing; Lua's
/// limit counts them too, and we match that command's behaviour.
const BASE_C_CALLS: u32 = 1;
/// Array items accumulated before a `SETLIST`.
const FIELDS_PER_FLUSH: i32 = 50;
/// Priority of unary operators.
const UNARY_PRIORITY: u8 = 12;

/// Description of an active local variable (`Vardesc`).
pub(crate) struct VarDesc {
    pub(crate) kind: VarKind,
    /// Register holding the variable.
    ridx: u32,
    /// Index of its debug entry in `Proto::local_vars`.
    pidx: usize,
    name: Rc<str>,
    /// Value of a compile-time constant.
    pub(crate) k: Option<ConstVal>,
}

/// A pending goto or an active label (`Labeldesc`).
#[derive(Clone)]
struct LabelDesc {
    name: Rc<str>,
    pc: i32,
    line: u32,
    /// Number of active variables at that position.
    nactvar: u32,
    /// Whether a goto that leaves the scope of an upvalue needs a `CLOSE`.
    close: bool,
}

/// A lexical block (`BlockCnt`).
#[derive(Clone, Copy)]
struct BlockCnt {
    firstlabel: usize,
    firstgoto: usize,
    nactvar: u32,
    upval: bool,
    isloop: bool,
    insidetbc: bool,
}

/// State of a function being compiled (`FuncState`).
pub(crate) struct FuncState {
    pub(crate) f: Proto,
    blocks: Vec<BlockCnt>,
    pub(crate) lasttarget: i32,
    firstlocal: usize,
    firstlabel: usize,
    nactvar: u32,
    pub(crate) freereg: u32,
    pub(crate) needclose: bool,
}

impl FuncState {
    fn new(source: &str, line: u32, firstlocal: usize, firstlabel: usize) -> FuncState {
        FuncState {
            f: Proto {
                source: source.to_string(),
                line_defined: line,
                max_stack_size: 2,
                ..Proto::default()
            },
            blocks: Vec::new(),
            lasttarget: 0,
            firstlocal,
            firstlabel,
            nactvar: 0,
            freereg: 0,
            needclose: false,
        }
    }
}

/// Parser and code generator state (`LexState` + `Dyndata`).
pub(crate) struct Parser<'a> {
    pub(crate) lx: Lexer<'a>,
    /// The function being compiled.
    pub(crate) fs: FuncState,
    /// Enclosing functions, innermost last.
    outer: Vec<FuncState>,
    /// Active local variables of all open functions.
    pub(crate) actvar: Vec<VarDesc>,
    gotos: Vec<LabelDesc>,
    labels: Vec<LabelDesc>,
    /// Constant cache shared by all functions, like Lua's scanner table.
    pub(crate) kcache: HashMap<KKey, usize>,
    /// Current nesting (`nCcalls`).
    depth: u32,
    source: String,
}

/// Compiles a main chunk (`luaY_parser` + `mainfunc`).
pub(crate) fn compile_chunk(source: &[u8], chunkname: &str) -> Result<Proto, CompileError> {
    let mut p = Parser {
        lx: Lexer::new(source, chunk_id(chunkname)),
        fs: FuncState::new(chunkname, 0, 0, 0),
        outer: Vec::new(),
        actvar: Vec::new(),
        gotos: Vec::new(),
        labels: Vec::new(),
        kcache: HashMap::new(),
        depth: BASE_C_CALLS,
        source: chunkname.to_string(),
    };
    p.mainfunc()
}

fn getunopr(t: &Tok) -> Option<UnOpr> {
    Some(match t {
        Tok::Not => UnOpr::Not,
        Tok::Char(b'-') => UnOpr::Minus,
        Tok::Char(b'~') => UnOpr::BNot,
        Tok::Char(b'#') => UnOpr::Len,
        _ => return None,
    })
}

fn getbinopr(t: &Tok) -> Option<BinOpr> {
    Some(match t {
        Tok::Char(b'+') => BinOpr::Add,
        Tok::Char(b'-') => BinOpr::Sub,
        Tok::Char(b'*') => BinOpr::Mul,
        Tok::Char(b'%') => BinOpr::Mod,
        Tok::Char(b'^') => BinOpr::Pow,
        Tok::Char(b'/') => BinOpr::Div,
        Tok::IDiv => BinOpr::IDiv,
        Tok::Char(b'&') => BinOpr::BAnd,
        Tok::Char(b'|') => BinOpr::BOr,
        Tok::Char(b'~') => BinOpr::BXor,
        Tok::Shl => BinOpr::Shl,
        Tok::Shr => BinOpr::Shr,
        Tok::Concat => BinOpr::Concat,
        Tok::Ne => BinOpr::Ne,
        Tok::Eq => BinOpr::Eq,
        Tok::Char(b'<') => BinOpr::Lt,
        Tok::Le => BinOpr::Le,
        Tok::Char(b'>') => BinOpr::Gt,
        Tok::Ge => BinOpr::Ge,
        Tok::And => BinOpr::And,
        Tok::Or => BinOpr::Or,
        _ => return None,
    })
}

/// (left, right) priorities of a binary operator.
fn priority(op: BinOpr) -> (u8, u8) {
    match op {
        BinOpr::Add | BinOpr::Sub => (10, 10),
        BinOpr::Mul | BinOpr::Mod | BinOpr::Div | BinOpr::IDiv => (11, 11),
        BinOpr::Pow => (14, 13),
        BinOpr::BAnd => (6, 6),
        BinOpr::BOr => (4, 4),
        BinOpr::BXor => (5, 5),
        BinOpr::Shl | BinOpr::Shr => (7, 7),
        BinOpr::Concat => (9, 8),
        BinOpr::Eq | BinOpr::Lt | BinOpr::Le | BinOpr::Ne | BinOpr::Gt | BinOpr::Ge => (3, 3),
        BinOpr::And => (2, 2),
        BinOpr::Or => (1, 1),
    }
}

fn name_tok() -> Tok {
    Tok::Name(Rc::from(""))
}

impl<'a> Parser<'a> {
    // ----- errors and token helpers -------------------------------------------------

    fn error_expected(&self, tok: &Tok) -> CompileError {
        self.lx
            .syntax_error(&format!("{} expected", tok.describe()))
    }

    fn errorlimit(&self, line_defined: u32, limit: usize, what: &str) -> CompileError {
        let place = if line_defined == 0 {
            "main function".to_string()
        } else {
            format!("function at line {line_defined}")
        };
        self.lx
            .syntax_error(&format!("too many {what} (limit is {limit}) in {place}"))
    }

    fn testnext(&mut self, tok: &Tok) -> LResult<bool> {
        if self.lx.t == *tok {
            self.lx.next()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn check(&self, tok: &Tok) -> LResult<()> {
        if self.lx.t == *tok {
            Ok(())
        } else {
            Err(self.error_expected(tok))
        }
    }

    fn checknext(&mut self, tok: &Tok) -> LResult<()> {
        self.check(tok)?;
        self.lx.next()
    }

    /// `check_match`: mentions the opening token when on another line.
    fn check_match(&mut self, what: &Tok, who: &Tok, line: u32) -> LResult<()> {
        if self.testnext(what)? {
            return Ok(());
        }
        if line == self.lx.linenumber {
            Err(self.error_expected(what))
        } else {
            Err(self.lx.syntax_error(&format!(
                "{} expected (to close {} at line {})",
                what.describe(),
                who.describe(),
                line
            )))
        }
    }

    fn str_checkname(&mut self) -> LResult<Rc<str>> {
        match &self.lx.t {
            Tok::Name(n) => {
                let n = n.clone();
                self.lx.next()?;
                Ok(n)
            }
            _ => Err(self.error_expected(&name_tok())),
        }
    }

    fn codename(&mut self) -> LResult<ExpDesc> {
        let n = self.str_checkname()?;
        Ok(ExpDesc::new(ExpKind::KStr(Rc::from(n.as_bytes()))))
    }

    /// `enterlevel`: bounds the recursion like Lua's C-stack limit.
    fn enterlevel(&mut self) -> LResult<()> {
        self.depth += 1;
        if self.depth >= MAX_C_CALLS {
            return Err(CompileError::new(
                "C stack overflow".to_string(),
                self.lx.linenumber,
            ));
        }
        Ok(())
    }

    fn leavelevel(&mut self) {
        self.depth -= 1;
    }

    // ----- variables ----------------------------------------------------------------

    /// The function state `level` steps out (0 = current).
    fn fs_at(&self, level: usize) -> Option<&FuncState> {
        if level == 0 {
            Some(&self.fs)
        } else {
            self.outer
                .len()
                .checked_sub(level)
                .and_then(|i| self.outer.get(i))
        }
    }

    fn fs_at_mut(&mut self, level: usize) -> Option<&mut FuncState> {
        if level == 0 {
            Some(&mut self.fs)
        } else {
            self.outer
                .len()
                .checked_sub(level)
                .and_then(|i| self.outer.get_mut(i))
        }
    }

    fn vardesc(&self, fs: &FuncState, vidx: u32) -> Option<&VarDesc> {
        self.actvar.get(fs.firstlocal + vidx as usize)
    }

    fn registerlocalvar(&mut self, name: &str) -> usize {
        let pc = self.pc() as u32;
        self.fs.f.local_vars.push(LocalVar {
            name: name.to_string(),
            start_pc: pc,
            end_pc: 0,
        });
        self.fs.f.local_vars.len() - 1
    }

    /// `new_localvar`: declares (but does not activate) a variable.
    fn new_localvar(&mut self, name: Rc<str>) -> LResult<u32> {
        if self.actvar.len() + 1 - self.fs.firstlocal > MAX_VARS {
            return Err(self.errorlimit(self.fs.f.line_defined, MAX_VARS, "local variables"));
        }
        self.actvar.push(VarDesc {
            kind: VarKind::Regular,
            ridx: 0,
            pidx: 0,
            name,
            k: None,
        });
        Ok((self.actvar.len() - 1 - self.fs.firstlocal) as u32)
    }

    /// `reglevel`: register level of the first `nvar` variables.
    fn reglevel_of(&self, fs: &FuncState, nvar: u32) -> u32 {
        (0..nvar)
            .rev()
            .filter_map(|i| self.vardesc(fs, i))
            .find(|vd| vd.kind != VarKind::CompileTimeConst)
            .map_or(0, |vd| vd.ridx + 1)
    }

    pub(crate) fn reglevel(&self, nvar: u32) -> u32 {
        self.reglevel_of(&self.fs, nvar)
    }

    /// `luaY_nvarstack`: number of registers holding active variables.
    pub(crate) fn nvarstack(&self) -> u32 {
        self.reglevel(self.fs.nactvar)
    }

    fn localdebuginfo(&mut self, vidx: u32) -> Option<&mut LocalVar> {
        let vd = self.actvar.get(self.fs.firstlocal + vidx as usize)?;
        if vd.kind == VarKind::CompileTimeConst {
            return None;
        }
        self.fs.f.local_vars.get_mut(vd.pidx)
    }

    fn check_readonly(&self, e: &ExpDesc) -> LResult<()> {
        let name = match e.k {
            ExpKind::Const(i) => self.actvar.get(i).map(|v| v.name.to_string()),
            ExpKind::Local { vidx, .. } => self
                .vardesc(&self.fs, vidx)
                .filter(|v| v.kind != VarKind::Regular)
                .map(|v| v.name.to_string()),
            ExpKind::Upval(u) => self
                .fs
                .f
                .upvalues
                .get(u as usize)
                .filter(|up| up.kind != VarKind::Regular)
                .and_then(|up| up.name.clone()),
            _ => None,
        };
        match name {
            Some(n) => Err(self
                .lx
                .semantic_error(&format!("attempt to assign to const variable '{n}'"))),
            None => Ok(()),
        }
    }

    /// `adjustlocalvars`: activates the last `nvars` declared variables.
    fn adjustlocalvars(&mut self, nvars: u32) {
        let mut reglevel = self.nvarstack();
        for _ in 0..nvars {
            let vidx = self.fs.nactvar;
            self.fs.nactvar += 1;
            let idx = self.fs.firstlocal + vidx as usize;
            let name = match self.actvar.get(idx) {
                Some(v) => v.name.clone(),
                None => continue,
            };
            let pidx = self.registerlocalvar(&name);
            if let Some(v) = self.actvar.get_mut(idx) {
                v.ridx = reglevel;
                v.pidx = pidx;
            }
            reglevel += 1;
        }
    }

    /// `removevars`: closes the scope of variables down to `tolevel`.
    fn removevars(&mut self, tolevel: u32) {
        let pc = self.pc() as u32;
        let removed = self.fs.nactvar.saturating_sub(tolevel) as usize;
        while self.fs.nactvar > tolevel {
            self.fs.nactvar -= 1;
            let v = self.fs.nactvar;
            if let Some(var) = self.localdebuginfo(v) {
                var.end_pc = pc;
            }
        }
        let len = self.actvar.len().saturating_sub(removed);
        self.actvar.truncate(len);
    }

    fn searchupvalue(fs: &FuncState, name: &str) -> Option<u32> {
        fs.f.upvalues
            .iter()
            .position(|u| u.name.as_deref() == Some(name))
            .map(|i| i as u32)
    }

    /// `newupvalue`: adds upvalue `name` (found as `v` one level out) to
    /// the function at `level`.
    fn newupvalue(&mut self, level: usize, name: &Rc<str>, v: &ExpDesc) -> LResult<u32> {
        let (nups, line_defined) = match self.fs_at(level) {
            Some(fs) => (fs.f.upvalues.len(), fs.f.line_defined),
            None => return Ok(0),
        };
        if nups + 1 > MAX_UPVAL {
            return Err(self.errorlimit(line_defined, MAX_UPVAL, "upvalues"));
        }
        let desc = match (&v.k, self.fs_at(level + 1)) {
            (ExpKind::Local { ridx, vidx }, Some(prev)) => UpvalueDesc {
                name: Some(name.to_string()),
                in_stack: true,
                index: *ridx as u8,
                kind: self
                    .vardesc(prev, *vidx)
                    .map_or(VarKind::Regular, |vd| vd.kind),
            },
            (ExpKind::Upval(u), Some(prev)) => UpvalueDesc {
                name: Some(name.to_string()),
                in_stack: false,
                index: *u as u8,
                kind: prev
                    .f
                    .upvalues
                    .get(*u as usize)
                    .map_or(VarKind::Regular, |up| up.kind),
            },
            _ => return Ok(0),
        };
        match self.fs_at_mut(level) {
            Some(fs) => {
                fs.f.upvalues.push(desc);
                Ok(nups as u32)
            }
            None => Ok(0),
        }
    }

    /// `searchvar`: an active local of the function at `level`.
    fn searchvar(&self, level: usize, name: &str) -> Option<ExpDesc> {
        let fs = self.fs_at(level)?;
        (0..fs.nactvar).rev().find_map(|i| {
            let vd = self.vardesc(fs, i)?;
            if &*vd.name != name {
                return None;
            }
            Some(ExpDesc::new(if vd.kind == VarKind::CompileTimeConst {
                ExpKind::Const(fs.firstlocal + i as usize)
            } else {
                ExpKind::Local {
                    ridx: vd.ridx,
                    vidx: i,
                }
            }))
        })
    }

    /// `markupval`: the block declaring variable `vidx` must close it.
    fn markupval(&mut self, level: usize, vidx: u32) {
        if let Some(fs) = self.fs_at_mut(level) {
            if let Some(bl) = fs.blocks.iter_mut().rev().find(|bl| bl.nactvar <= vidx) {
                bl.upval = true;
            }
            fs.needclose = true;
        }
    }

    /// `marktobeclosed`
    fn marktobeclosed(&mut self) {
        if let Some(bl) = self.fs.blocks.last_mut() {
            bl.upval = true;
            bl.insidetbc = true;
        }
        self.fs.needclose = true;
    }

    /// `singlevaraux`: resolves `name` from function `level` outwards;
    /// `Void` means a global.
    fn singlevaraux(&mut self, level: usize, name: &Rc<str>, base: bool) -> LResult<ExpDesc> {
        if self.fs_at(level).is_none() {
            return Ok(ExpDesc::new(ExpKind::Void));
        }
        if let Some(v) = self.searchvar(level, name) {
            if let (ExpKind::Local { vidx, .. }, false) = (&v.k, base) {
                self.markupval(level, *vidx);
            }
            return Ok(v);
        }
        let existing = self
            .fs_at(level)
            .and_then(|fs| Self::searchupvalue(fs, name));
        let idx = match existing {
            Some(i) => i,
            None => {
                let v = self.singlevaraux(level + 1, name, false)?;
                if matches!(v.k, ExpKind::Local { .. } | ExpKind::Upval(_)) {
                    self.newupvalue(level, name, &v)?
                } else {
                    return Ok(v);
                }
            }
        };
        Ok(ExpDesc::new(ExpKind::Upval(idx)))
    }

    /// `singlevar`: a name; globals become `_ENV.name`.
    fn singlevar(&mut self) -> LResult<ExpDesc> {
        let name = self.str_checkname()?;
        let mut var = self.singlevaraux(0, &name, true)?;
        if var.k == ExpKind::Void {
            let env: Rc<str> = Rc::from("_ENV");
            var = self.singlevaraux(0, &env, true)?;
            self.exp2anyregup(&mut var)?;
            let mut key = ExpDesc::new(ExpKind::KStr(Rc::from(name.as_bytes())));
            self.indexed(&mut var, &mut key)?;
        }
        Ok(var)
    }

    /// `adjust_assign`: adjusts `nexps` values (last one `e`) to `nvars`.
    fn adjust_assign(&mut self, nvars: u32, nexps: u32, e: &mut ExpDesc) -> LResult<()> {
        let needed = nvars as i32 - nexps as i32;
        if e.k.has_multret() {
            let extra = (needed + 1).max(0);
            self.setreturns(e, extra)?;
        } else {
            if e.k != ExpKind::Void {
                self.exp2nextreg(e)?;
            }
            if needed > 0 {
                let fr = self.fs.freereg;
                self.code_nil(fr, needed as u32);
            }
        }
        if needed > 0 {
            self.reserveregs(needed as u32)?;
        } else {
            self.fs.freereg = (self.fs.freereg as i32 + needed).max(0) as u32;
        }
        Ok(())
    }

    // ----- labels, gotos and blocks --------------------------------------------------

    fn jumpscopeerror(&self, gt: &LabelDesc) -> CompileError {
        let varname = self
            .vardesc(&self.fs, gt.nactvar)
            .map_or_else(String::new, |v| v.name.to_string());
        self.lx.semantic_error(&format!(
            "<goto {}> at line {} jumps into the scope of local '{}'",
            gt.name, gt.line, varname
        ))
    }

    /// `solvegoto`: patches pending goto `g` to `label` and drops it.
    fn solvegoto(&mut self, g: usize, label: &LabelDesc) -> LResult<()> {
        let Some(gt) = self.gotos.get(g).cloned() else {
            return Ok(());
        };
        if gt.nactvar < label.nactvar {
            return Err(self.jumpscopeerror(&gt));
        }
        self.patchlist(gt.pc, label.pc)?;
        self.gotos.remove(g);
        Ok(())
    }

    fn findlabel(&self, name: &str) -> Option<&LabelDesc> {
        self.labels
            .get(self.fs.firstlabel..)?
            .iter()
            .find(|l| &*l.name == name)
    }

    fn newlabelentry(&self, name: Rc<str>, line: u32, pc: i32) -> LabelDesc {
        LabelDesc {
            name,
            pc,
            line,
            nactvar: self.fs.nactvar,
            close: false,
        }
    }

    fn newgotoentry(&mut self, name: Rc<str>, line: u32, pc: i32) {
        let gt = self.newlabelentry(name, line, pc);
        self.gotos.push(gt);
    }

    /// `solvegotos`: resolves pending gotos of the current block to `lb`;
    /// true when one of them needs a `CLOSE`.
    fn solvegotos(&mut self, lb: &LabelDesc) -> LResult<bool> {
        let mut i = self.fs.blocks.last().map_or(0, |b| b.firstgoto);
        let mut needsclose = false;
        while let Some(gt) = self.gotos.get(i) {
            if gt.name == lb.name {
                needsclose |= gt.close;
                self.solvegoto(i, lb)?;
            } else {
                i += 1;
            }
        }
        Ok(needsclose)
    }

    /// `createlabel`; `last`: the label ends its block.
    fn createlabel(&mut self, name: Rc<str>, line: u32, last: bool) -> LResult<bool> {
        let pc = self.getlabel();
        let mut lb = self.newlabelentry(name, line, pc);
        if last {
            lb.nactvar = self.fs.blocks.last().map_or(0, |b| b.nactvar);
        }
        self.labels.push(lb.clone());
        if self.solvegotos(&lb)? {
            let level = self.nvarstack();
            self.code_abc(OpCode::CLOSE, level, 0, 0);
            return Ok(true);
        }
        Ok(false)
    }

    fn enterblock(&mut self, isloop: bool) {
        let insidetbc = self.fs.blocks.last().is_some_and(|b| b.insidetbc);
        self.fs.blocks.push(BlockCnt {
            firstlabel: self.labels.len(),
            firstgoto: self.gotos.len(),
            nactvar: self.fs.nactvar,
            upval: false,
            isloop,
            insidetbc,
        });
    }

    fn undefgoto(&self, gt: &LabelDesc) -> CompileError {
        let msg = if &*gt.name == "break" {
            format!("break outside loop at line {}", gt.line)
        } else {
            format!(
                "no visible label '{}' for <goto> at line {}",
                gt.name, gt.line
            )
        };
        self.lx.semantic_error(&msg)
    }

    /// `leaveblock` (5.4.4 order: the closing `CLOSE` is still inside the
    /// scope of the block's variables). Returns the block left.
    fn leaveblock(&mut self) -> LResult<BlockCnt> {
        let Some(bl) = self.fs.blocks.last().copied() else {
            return Err(CompileError::new(
                "internal error: no block".into(),
                self.lx.linenumber,
            ));
        };
        let stklevel = self.reglevel(bl.nactvar);
        let mut hasclose = false;
        if bl.isloop {
            hasclose = self.createlabel(Rc::from("break"), 0, false)?;
        }
        let nested = self.fs.blocks.len() > 1;
        if !hasclose && nested && bl.upval {
            self.code_abc(OpCode::CLOSE, stklevel, 0, 0);
        }
        self.fs.freereg = stklevel;
        // `movegotosout` needs register levels of variables about to go.
        let block_level = self.reglevel(bl.nactvar);
        let leaving: Vec<bool> = self
            .gotos
            .get(bl.firstgoto..)
            .unwrap_or(&[])
            .iter()
            .map(|gt| self.reglevel(gt.nactvar) > block_level)
            .collect();
        self.removevars(bl.nactvar);
        self.labels.truncate(bl.firstlabel);
        self.fs.blocks.pop();
        if nested {
            let gotos = self.gotos.get_mut(bl.firstgoto..).unwrap_or(&mut []);
            for (gt, leaves) in gotos.iter_mut().zip(leaving) {
                if leaves {
                    gt.close |= bl.upval;
                }
                gt.nactvar = bl.nactvar;
            }
        } else if let Some(gt) = self.gotos.get(bl.firstgoto) {
            return Err(self.undefgoto(gt));
        }
        Ok(bl)
    }

    // ----- functions ------------------------------------------------------------------

    fn open_func(&mut self, line: u32) {
        let child = FuncState::new(&self.source, line, self.actvar.len(), self.labels.len());
        let parent = std::mem::replace(&mut self.fs, child);
        self.outer.push(parent);
        self.enterblock(false);
    }

    /// `close_func` for a nested function: finishes it and stores its
    /// prototype in the enclosing function.
    fn close_func(&mut self) -> LResult<()> {
        let proto = self.finish_func()?;
        let Some(parent) = self.outer.pop() else {
            return Err(CompileError::new(
                "internal error: no parent".into(),
                self.lx.linenumber,
            ));
        };
        self.fs = parent;
        self.fs.f.protos.push(proto);
        Ok(())
    }

    fn finish_func(&mut self) -> LResult<Proto> {
        let first = self.nvarstack();
        self.ret(first, 0);
        self.leaveblock()?;
        self.finish()?;
        Ok(std::mem::take(&mut self.fs.f))
    }

    /// `codeclosure`: `CLOSURE` in the enclosing function for the
    /// function being closed (which becomes the parent's next prototype).
    fn codeclosure(&mut self) -> LResult<ExpDesc> {
        let Some(parent) = self.outer.pop() else {
            return Err(CompileError::new(
                "internal error: no parent".into(),
                self.lx.linenumber,
            ));
        };
        let child = std::mem::replace(&mut self.fs, parent);
        let idx = self.fs.f.protos.len() as u32;
        let pc = self.code_abx(OpCode::CLOSURE, 0, idx);
        let mut v = ExpDesc::new(ExpKind::Reloc(pc));
        let r = self.exp2nextreg(&mut v);
        let parent = std::mem::replace(&mut self.fs, child);
        self.outer.push(parent);
        r.map(|()| v)
    }

    fn setvararg(&mut self, nparams: u32) {
        self.fs.f.is_vararg = true;
        self.code_abc(OpCode::VARARGPREP, nparams, 0, 0);
    }

    fn mainfunc(&mut self) -> LResult<Proto> {
        self.enterblock(false);
        self.setvararg(0);
        self.fs.f.upvalues.push(UpvalueDesc {
            name: Some("_ENV".to_string()),
            in_stack: true,
            index: 0,
            kind: VarKind::Regular,
        });
        self.lx.next()?;
        self.statlist()?;
        self.check(&Tok::Eos)?;
        self.finish_func()
    }

    // ----- grammar: expressions ---------------------------------------------------------

    fn block_follow(&self, withuntil: bool) -> bool {
        match self.lx.t {
            Tok::Else | Tok::Elseif | Tok::End | Tok::Eos => true,
            Tok::Until => withuntil,
            _ => false,
        }
    }

    fn statlist(&mut self) -> LResult<()> {
        while !self.block_follow(true) {
            if self.lx.t == Tok::Return {
                return self.statement();
            }
            self.statement()?;
        }
        Ok(())
    }

    /// `fieldsel`: `['.' | ':'] NAME`
    fn fieldsel(&mut self, v: &mut ExpDesc) -> LResult<()> {
        self.exp2anyregup(v)?;
        self.lx.next()?;
        let mut key = self.codename()?;
        self.indexed(v, &mut key)
    }

    /// `yindex`: `'[' expr ']'`
    fn yindex(&mut self) -> LResult<ExpDesc> {
        self.lx.next()?;
        let mut v = self.expr()?;
        self.exp2val(&mut v)?;
        self.checknext(&Tok::Char(b']'))?;
        Ok(v)
    }

    fn recfield(&mut self, cc: &mut ConsControl) -> LResult<()> {
        let reg = self.fs.freereg;
        let mut key = if matches!(self.lx.t, Tok::Name(_)) {
            self.codename()?
        } else {
            self.yindex()?
        };
        cc.nh += 1;
        self.checknext(&Tok::Char(b'='))?;
        let mut tab = ExpDesc::new(ExpKind::NonReloc(cc.table));
        self.indexed(&mut tab, &mut key)?;
        let mut val = self.expr()?;
        self.storevar(&tab, &mut val)?;
        self.fs.freereg = reg;
        Ok(())
    }

    fn closelistfield(&mut self, cc: &mut ConsControl) -> LResult<()> {
        if cc.v.k == ExpKind::Void {
            return Ok(());
        }
        self.exp2nextreg(&mut cc.v)?;
        cc.v = ExpDesc::new(ExpKind::Void);
        if cc.tostore == FIELDS_PER_FLUSH {
            self.setlist(cc.table, cc.na, cc.tostore);
            cc.na += cc.tostore as u32;
            cc.tostore = 0;
        }
        Ok(())
    }

    fn lastlistfield(&mut self, cc: &mut ConsControl) -> LResult<()> {
        if cc.tostore == 0 {
            return Ok(());
        }
        if cc.v.k.has_multret() {
            self.setmultret(&cc.v)?;
            self.setlist(cc.table, cc.na, MULTRET);
            cc.na = cc.na.wrapping_sub(1);
        } else {
            if cc.v.k != ExpKind::Void {
                self.exp2nextreg(&mut cc.v)?;
            }
            self.setlist(cc.table, cc.na, cc.tostore);
        }
        cc.na = cc.na.wrapping_add(cc.tostore as u32);
        Ok(())
    }

    fn field(&mut self, cc: &mut ConsControl) -> LResult<()> {
        let is_rec = match self.lx.t {
            Tok::Name(_) => self.lx.lookahead()? == Tok::Char(b'='),
            Tok::Char(b'[') => true,
            _ => false,
        };
        if is_rec {
            self.recfield(cc)
        } else {
            cc.v = self.expr()?;
            cc.tostore += 1;
            Ok(())
        }
    }

    fn constructor(&mut self) -> LResult<ExpDesc> {
        let line = self.lx.linenumber;
        let pc = self.code_abc(OpCode::NEWTABLE, 0, 0, 0);
        self.code(Instr(0)); // space for EXTRAARG
        let table = self.fs.freereg;
        let mut cc = ConsControl {
            v: ExpDesc::new(ExpKind::Void),
            table,
            nh: 0,
            na: 0,
            tostore: 0,
        };
        self.reserveregs(1)?;
        self.checknext(&Tok::Char(b'{'))?;
        loop {
            if self.lx.t == Tok::Char(b'}') {
                break;
            }
            self.closelistfield(&mut cc)?;
            self.field(&mut cc)?;
            if !(self.testnext(&Tok::Char(b','))? || self.testnext(&Tok::Char(b';'))?) {
                break;
            }
        }
        self.check_match(&Tok::Char(b'}'), &Tok::Char(b'{'), line)?;
        self.lastlistfield(&mut cc)?;
        self.settablesize(pc, table, cc.na, cc.nh);
        Ok(ExpDesc::new(ExpKind::NonReloc(table)))
    }

    fn parlist(&mut self) -> LResult<()> {
        let mut nparams = 0;
        let mut isvararg = false;
        if self.lx.t != Tok::Char(b')') {
            loop {
                match self.lx.t {
                    Tok::Name(_) => {
                        let n = self.str_checkname()?;
                        self.new_localvar(n)?;
                        nparams += 1;
                    }
                    Tok::Dots => {
                        self.lx.next()?;
                        isvararg = true;
                    }
                    _ => return Err(self.lx.syntax_error("<name> or '...' expected")),
                }
                if isvararg || !self.testnext(&Tok::Char(b','))? {
                    break;
                }
            }
        }
        self.adjustlocalvars(nparams);
        self.fs.f.num_params = self.fs.nactvar as u8;
        if isvararg {
            self.setvararg(self.fs.nactvar);
        }
        self.reserveregs(self.fs.nactvar)
    }

    /// `body`: `'(' parlist ')' block END`
    fn body(&mut self, ismethod: bool, line: u32) -> LResult<ExpDesc> {
        self.open_func(line);
        self.checknext(&Tok::Char(b'('))?;
        if ismethod {
            self.new_localvar(Rc::from("self"))?;
            self.adjustlocalvars(1);
        }
        self.parlist()?;
        self.checknext(&Tok::Char(b')'))?;
        self.statlist()?;
        self.fs.f.last_line_defined = self.lx.linenumber;
        self.check_match(&Tok::End, &Tok::Function, line)?;
        let e = self.codeclosure()?;
        self.close_func()?;
        Ok(e)
    }

    /// `explist`: returns the count and the last expression (unclosed).
    fn explist(&mut self) -> LResult<(u32, ExpDesc)> {
        let mut n = 1;
        let mut v = self.expr()?;
        while self.testnext(&Tok::Char(b','))? {
            self.exp2nextreg(&mut v)?;
            v = self.expr()?;
            n += 1;
        }
        Ok((n, v))
    }

    fn funcargs(&mut self, f: &mut ExpDesc, line: u32) -> LResult<()> {
        let mut args = match self.lx.t.clone() {
            Tok::Char(b'(') => {
                self.lx.next()?;
                let args = if self.lx.t == Tok::Char(b')') {
                    ExpDesc::new(ExpKind::Void)
                } else {
                    let (_, a) = self.explist()?;
                    if a.k.has_multret() {
                        self.setmultret(&a)?;
                    }
                    a
                };
                self.check_match(&Tok::Char(b')'), &Tok::Char(b'('), line)?;
                args
            }
            Tok::Char(b'{') => self.constructor()?,
            Tok::Str(s) => {
                self.lx.next()?;
                ExpDesc::new(ExpKind::KStr(s))
            }
            _ => return Err(self.lx.syntax_error("function arguments expected")),
        };
        let base = match f.k {
            ExpKind::NonReloc(r) => r,
            _ => 0,
        };
        let nparams: i32 = if args.k.has_multret() {
            MULTRET
        } else {
            if args.k != ExpKind::Void {
                self.exp2nextreg(&mut args)?;
            }
            self.fs.freereg as i32 - (base as i32 + 1)
        };
        f.k = ExpKind::Call(self.code_abc(OpCode::CALL, base, (nparams + 1) as u32, 2));
        self.fixline(line);
        self.fs.freereg = base + 1;
        Ok(())
    }

    fn primaryexp(&mut self) -> LResult<ExpDesc> {
        match self.lx.t {
            Tok::Char(b'(') => {
                let line = self.lx.linenumber;
                self.lx.next()?;
                let mut v = self.expr()?;
                self.check_match(&Tok::Char(b')'), &Tok::Char(b'('), line)?;
                self.dischargevars(&mut v);
                Ok(v)
            }
            Tok::Name(_) => self.singlevar(),
            _ => Err(self.lx.syntax_error("unexpected symbol")),
        }
    }

    fn suffixedexp(&mut self) -> LResult<ExpDesc> {
        let line = self.lx.linenumber;
        let mut v = self.primaryexp()?;
        loop {
            match self.lx.t {
                Tok::Char(b'.') => self.fieldsel(&mut v)?,
                Tok::Char(b'[') => {
                    self.exp2anyregup(&mut v)?;
                    let mut key = self.yindex()?;
                    self.indexed(&mut v, &mut key)?;
                }
                Tok::Char(b':') => {
                    self.lx.next()?;
                    let mut key = self.codename()?;
                    self.code_self(&mut v, &mut key)?;
                    self.funcargs(&mut v, line)?;
                }
                Tok::Char(b'(') | Tok::Str(_) | Tok::Char(b'{') => {
                    self.exp2nextreg(&mut v)?;
                    self.funcargs(&mut v, line)?;
                }
                _ => return Ok(v),
            }
        }
    }

    fn simpleexp(&mut self) -> LResult<ExpDesc> {
        let k = match self.lx.t.clone() {
            Tok::Flt(f) => ExpKind::KFlt(f),
            Tok::Int(i) => ExpKind::KInt(i),
            Tok::Str(s) => ExpKind::KStr(s),
            Tok::Nil => ExpKind::Nil,
            Tok::True => ExpKind::True,
            Tok::False => ExpKind::False,
            Tok::Dots => {
                if !self.fs.f.is_vararg {
                    return Err(self
                        .lx
                        .syntax_error("cannot use '...' outside a vararg function"));
                }
                ExpKind::Vararg(self.code_abc(OpCode::VARARG, 0, 0, 1))
            }
            Tok::Char(b'{') => return self.constructor(),
            Tok::Function => {
                self.lx.next()?;
                let line = self.lx.linenumber;
                return self.body(false, line);
            }
            _ => return self.suffixedexp(),
        };
        self.lx.next()?;
        Ok(ExpDesc::new(k))
    }

    /// `subexpr`: operators with priority above `limit`; returns the
    /// expression and the first operator not handled.
    fn subexpr(&mut self, limit: u8) -> LResult<(ExpDesc, Option<BinOpr>)> {
        self.enterlevel()?;
        let mut v = if let Some(uop) = getunopr(&self.lx.t) {
            let line = self.lx.linenumber;
            self.lx.next()?;
            let (mut v, _) = self.subexpr(UNARY_PRIORITY)?;
            self.prefix(uop, &mut v, line)?;
            v
        } else {
            self.simpleexp()?
        };
        let mut op = getbinopr(&self.lx.t);
        while let Some(o) = op {
            let (left, right) = priority(o);
            if left <= limit {
                break;
            }
            let line = self.lx.linenumber;
            self.lx.next()?;
            self.infix(o, &mut v)?;
            let (mut v2, nextop) = self.subexpr(right)?;
            self.posfix(o, &mut v, &mut v2, line)?;
            op = nextop;
        }
        self.leavelevel();
        Ok((v, op))
    }

    fn expr(&mut self) -> LResult<ExpDesc> {
        Ok(self.subexpr(0)?.0)
    }

    // ----- grammar: statements ---------------------------------------------------------

    fn block(&mut self) -> LResult<()> {
        self.enterblock(false);
        self.statlist()?;
        self.leaveblock()?;
        Ok(())
    }

    /// `check_conflict`: in `a, t[a] = ...`-style assignments, earlier
    /// table targets that use the variable being assigned read a copy.
    fn check_conflict(&mut self, lhs: &mut [ExpDesc], v: &ExpDesc) -> LResult<()> {
        let extra = self.fs.freereg;
        let mut conflict = false;
        for lh in lhs.iter_mut() {
            match (&mut lh.k, &v.k) {
                (ExpKind::IndexUp { t, idx }, ExpKind::Upval(u)) if *t == *u => {
                    conflict = true;
                    lh.k = ExpKind::IndexStr {
                        t: extra,
                        idx: *idx,
                    };
                }
                (
                    ExpKind::Indexed { t, .. }
                    | ExpKind::IndexI { t, .. }
                    | ExpKind::IndexStr { t, .. },
                    ExpKind::Local { ridx, .. },
                ) => {
                    if *t == *ridx {
                        conflict = true;
                        *t = extra;
                    }
                    if let ExpKind::Indexed { idx, .. } = &mut lh.k
                        && *idx == *ridx
                    {
                        conflict = true;
                        *idx = extra;
                    }
                }
                _ => {}
            }
        }
        if conflict {
            match v.k {
                ExpKind::Local { ridx, .. } => self.code_abc(OpCode::MOVE, extra, ridx, 0),
                ExpKind::Upval(u) => self.code_abc(OpCode::GETUPVAL, extra, u, 0),
                _ => 0,
            };
            self.reserveregs(1)?;
        }
        Ok(())
    }

    /// `restassign`: the rest of a multiple assignment; `lhs` holds the
    /// targets read so far, the current one last.
    fn restassign(&mut self, lhs: &mut Vec<ExpDesc>, nvars: u32) -> LResult<()> {
        let cur = lhs
            .last()
            .cloned()
            .unwrap_or_else(|| ExpDesc::new(ExpKind::Void));
        if !cur.k.is_var() {
            return Err(self.lx.syntax_error("syntax error"));
        }
        self.check_readonly(&cur)?;
        if self.testnext(&Tok::Char(b','))? {
            let nv = self.suffixedexp()?;
            if !nv.k.is_indexed() {
                self.check_conflict(lhs, &nv)?;
            }
            lhs.push(nv);
            self.enterlevel()?;
            self.restassign(lhs, nvars + 1)?;
            self.leavelevel();
            lhs.pop();
        } else {
            self.checknext(&Tok::Char(b'='))?;
            let (nexps, mut e) = self.explist()?;
            if nexps != nvars {
                self.adjust_assign(nvars, nexps, &mut e)?;
            } else {
                self.setoneret(&mut e);
                let target = lhs.last().cloned().unwrap_or(cur);
                return self.storevar(&target, &mut e);
            }
        }
        let mut e = ExpDesc::new(ExpKind::NonReloc(self.fs.freereg.saturating_sub(1)));
        let target = lhs.last().cloned().unwrap_or(cur);
        self.storevar(&target, &mut e)
    }

    /// `cond`: returns the false-exit jump list.
    fn cond(&mut self) -> LResult<i32> {
        let mut v = self.expr()?;
        if v.k == ExpKind::Nil {
            v.k = ExpKind::False;
        }
        self.goiftrue(&mut v)?;
        Ok(v.f)
    }

    fn gotostat(&mut self) -> LResult<()> {
        let line = self.lx.linenumber;
        let name = self.str_checkname()?;
        match self.findlabel(&name).cloned() {
            None => {
                let j = self.jump();
                self.newgotoentry(name, line, j);
            }
            Some(lb) => {
                let lblevel = self.reglevel(lb.nactvar);
                if self.nvarstack() > lblevel {
                    self.code_abc(OpCode::CLOSE, lblevel, 0, 0);
                }
                let j = self.jump();
                self.patchlist(j, lb.pc)?;
            }
        }
        Ok(())
    }

    fn breakstat(&mut self) -> LResult<()> {
        let line = self.lx.linenumber;
        self.lx.next()?;
        let j = self.jump();
        self.newgotoentry(Rc::from("break"), line, j);
        Ok(())
    }

    fn labelstat(&mut self, name: Rc<str>, line: u32) -> LResult<()> {
        self.checknext(&Tok::DbColon)?;
        while self.lx.t == Tok::Char(b';') || self.lx.t == Tok::DbColon {
            self.statement()?;
        }
        if let Some(lb) = self.findlabel(&name) {
            let msg = format!("label '{}' already defined on line {}", name, lb.line);
            return Err(self.lx.semantic_error(&msg));
        }
        let last = self.block_follow(false);
        self.createlabel(name, line, last)?;
        Ok(())
    }

    fn whilestat(&mut self, line: u32) -> LResult<()> {
        self.lx.next()?;
        let whileinit = self.getlabel();
        let condexit = self.cond()?;
        self.enterblock(true);
        self.checknext(&Tok::Do)?;
        self.block()?;
        self.jumpto(whileinit)?;
        self.check_match(&Tok::End, &Tok::While, line)?;
        self.leaveblock()?;
        self.patchtohere(condexit)
    }

    fn repeatstat(&mut self, line: u32) -> LResult<()> {
        let repeat_init = self.getlabel();
        self.enterblock(true); // loop block
        self.enterblock(false); // scope block
        self.lx.next()?;
        self.statlist()?;
        self.check_match(&Tok::Until, &Tok::Repeat, line)?;
        let mut condexit = self.cond()?;
        let bl2 = self.leaveblock()?;
        if bl2.upval {
            let exit = self.jump();
            self.patchtohere(condexit)?;
            let level = self.reglevel(bl2.nactvar);
            self.code_abc(OpCode::CLOSE, level, 0, 0);
            condexit = self.jump();
            self.patchtohere(exit)?;
        }
        self.patchlist(condexit, repeat_init)?;
        self.leaveblock()?;
        Ok(())
    }

    fn exp1(&mut self) -> LResult<()> {
        let mut e = self.expr()?;
        self.exp2nextreg(&mut e)
    }

    /// `fixforjump`: loop jumps are unsigned `Bx` distances.
    fn fixforjump(&mut self, pc: i32, dest: i32, back: bool) -> LResult<()> {
        let mut offset = dest - (pc + 1);
        if back {
            offset = -offset;
        }
        if offset > crate::bytecode::isa::MAX_ARG_BX as i32 {
            return Err(self.lx.syntax_error("control structure too long"));
        }
        self.patch_instr(pc, |i| i.with_bx(offset.max(0) as u32));
        Ok(())
    }

    fn forbody(&mut self, base: u32, line: u32, nvars: u32, isgen: bool) -> LResult<()> {
        self.checknext(&Tok::Do)?;
        let prep_op = if isgen {
            OpCode::TFORPREP
        } else {
            OpCode::FORPREP
        };
        let prep = self.code_abx(prep_op, base, 0);
        self.enterblock(false);
        self.adjustlocalvars(nvars);
        self.reserveregs(nvars)?;
        self.block()?;
        self.leaveblock()?;
        let here = self.getlabel();
        self.fixforjump(prep, here, false)?;
        if isgen {
            self.code_abc(OpCode::TFORCALL, base, 0, nvars);
            self.fixline(line);
        }
        let loop_op = if isgen {
            OpCode::TFORLOOP
        } else {
            OpCode::FORLOOP
        };
        let endfor = self.code_abx(loop_op, base, 0);
        self.fixforjump(endfor, prep + 1, true)?;
        self.fixline(line);
        Ok(())
    }

    fn fornum(&mut self, varname: Rc<str>, line: u32) -> LResult<()> {
        let base = self.fs.freereg;
        for _ in 0..3 {
            self.new_localvar(Rc::from("(for state)"))?;
        }
        self.new_localvar(varname)?;
        self.checknext(&Tok::Char(b'='))?;
        self.exp1()?;
        self.checknext(&Tok::Char(b','))?;
        self.exp1()?;
        if self.testnext(&Tok::Char(b','))? {
            self.exp1()?;
        } else {
            let r = self.fs.freereg;
            self.code_int(r, 1);
            self.reserveregs(1)?;
        }
        self.adjustlocalvars(3);
        self.forbody(base, line, 1, false)
    }

    fn forlist(&mut self, indexname: Rc<str>) -> LResult<()> {
        let mut nvars = 5; // gen, state, control, toclose, 'indexname'
        let base = self.fs.freereg;
        for _ in 0..4 {
            self.new_localvar(Rc::from("(for state)"))?;
        }
        self.new_localvar(indexname)?;
        while self.testnext(&Tok::Char(b','))? {
            let n = self.str_checkname()?;
            self.new_localvar(n)?;
            nvars += 1;
        }
        self.checknext(&Tok::In)?;
        let line = self.lx.linenumber;
        let (n, mut e) = self.explist()?;
        self.adjust_assign(4, n, &mut e)?;
        self.adjustlocalvars(4);
        self.marktobeclosed();
        self.checkstack(3)?;
        self.forbody(base, line, nvars - 4, true)
    }

    fn forstat(&mut self, line: u32) -> LResult<()> {
        self.enterblock(true);
        self.lx.next()?;
        let varname = self.str_checkname()?;
        match self.lx.t {
            Tok::Char(b'=') => self.fornum(varname, line)?,
            Tok::Char(b',') | Tok::In => self.forlist(varname)?,
            _ => return Err(self.lx.syntax_error("'=' or 'in' expected")),
        }
        self.check_match(&Tok::End, &Tok::For, line)?;
        self.leaveblock()?;
        Ok(())
    }

    fn test_then_block(&mut self, escapelist: &mut i32) -> LResult<()> {
        self.lx.next()?;
        let mut v = self.expr()?;
        self.checknext(&Tok::Then)?;
        let jf = if self.lx.t == Tok::Break {
            let line = self.lx.linenumber;
            self.goiffalse(&mut v)?;
            self.lx.next()?;
            self.enterblock(false);
            self.newgotoentry(Rc::from("break"), line, v.t);
            while self.testnext(&Tok::Char(b';'))? {}
            if self.block_follow(false) {
                self.leaveblock()?;
                return Ok(());
            }
            self.jump()
        } else {
            self.goiftrue(&mut v)?;
            self.enterblock(false);
            v.f
        };
        self.statlist()?;
        self.leaveblock()?;
        if self.lx.t == Tok::Else || self.lx.t == Tok::Elseif {
            let j = self.jump();
            self.concat(escapelist, j)?;
        }
        self.patchtohere(jf)
    }

    fn ifstat(&mut self, line: u32) -> LResult<()> {
        let mut escapelist = NO_JUMP;
        self.test_then_block(&mut escapelist)?;
        while self.lx.t == Tok::Elseif {
            self.test_then_block(&mut escapelist)?;
        }
        if self.testnext(&Tok::Else)? {
            self.block()?;
        }
        self.check_match(&Tok::End, &Tok::If, line)?;
        self.patchtohere(escapelist)
    }

    fn localfunc(&mut self) -> LResult<()> {
        let fvar = self.fs.nactvar;
        let name = self.str_checkname()?;
        self.new_localvar(name)?;
        self.adjustlocalvars(1);
        let line = self.lx.linenumber;
        self.body(false, line)?;
        // The variable's debug scope starts after the closure exists.
        let pc = self.pc() as u32;
        if let Some(var) = self.localdebuginfo(fvar) {
            var.start_pc = pc;
        }
        Ok(())
    }

    fn getlocalattribute(&mut self) -> LResult<VarKind> {
        if self.testnext(&Tok::Char(b'<'))? {
            let attr = self.str_checkname()?;
            self.checknext(&Tok::Char(b'>'))?;
            return match &*attr {
                "const" => Ok(VarKind::Const),
                "close" => Ok(VarKind::ToBeClosed),
                _ => Err(self
                    .lx
                    .semantic_error(&format!("unknown attribute '{attr}'"))),
            };
        }
        Ok(VarKind::Regular)
    }

    fn checktoclose(&mut self, level: Option<u32>) {
        if let Some(level) = level {
            self.marktobeclosed();
            let r = self.reglevel(level);
            self.code_abc(OpCode::TBC, r, 0, 0);
        }
    }

    fn localstat(&mut self) -> LResult<()> {
        let mut toclose: Option<u32> = None;
        let mut nvars = 0;
        let mut vidx;
        loop {
            let name = self.str_checkname()?;
            vidx = self.new_localvar(name)?;
            let kind = self.getlocalattribute()?;
            if let Some(v) = self.actvar.last_mut() {
                v.kind = kind;
            }
            if kind == VarKind::ToBeClosed {
                if toclose.is_some() {
                    return Err(self
                        .lx
                        .semantic_error("multiple to-be-closed variables in local list"));
                }
                toclose = Some(self.fs.nactvar + nvars);
            }
            nvars += 1;
            if !self.testnext(&Tok::Char(b','))? {
                break;
            }
        }
        let (nexps, mut e) = if self.testnext(&Tok::Char(b'='))? {
            self.explist()?
        } else {
            (0, ExpDesc::new(ExpKind::Void))
        };
        let last = self.fs.firstlocal + vidx as usize;
        let is_const = self
            .actvar
            .get(last)
            .is_some_and(|v| v.kind == VarKind::Const);
        let folded = if nvars == nexps && is_const {
            self.exp2const(&e)
        } else {
            None
        };
        if let Some(k) = folded {
            if let Some(v) = self.actvar.get_mut(last) {
                v.kind = VarKind::CompileTimeConst;
                v.k = Some(k);
            }
            self.adjustlocalvars(nvars - 1);
            self.fs.nactvar += 1;
        } else {
            self.adjust_assign(nvars, nexps, &mut e)?;
            self.adjustlocalvars(nvars);
        }
        self.checktoclose(toclose);
        Ok(())
    }

    fn funcname(&mut self) -> LResult<(ExpDesc, bool)> {
        let mut v = self.singlevar()?;
        while self.lx.t == Tok::Char(b'.') {
            self.fieldsel(&mut v)?;
        }
        let mut ismethod = false;
        if self.lx.t == Tok::Char(b':') {
            ismethod = true;
            self.fieldsel(&mut v)?;
        }
        Ok((v, ismethod))
    }

    fn funcstat(&mut self, line: u32) -> LResult<()> {
        self.lx.next()?;
        let (v, ismethod) = self.funcname()?;
        let mut b = self.body(ismethod, line)?;
        self.check_readonly(&v)?;
        self.storevar(&v, &mut b)?;
        self.fixline(line);
        Ok(())
    }

    fn exprstat(&mut self) -> LResult<()> {
        let v = self.suffixedexp()?;
        if self.lx.t == Tok::Char(b'=') || self.lx.t == Tok::Char(b',') {
            let mut lhs = vec![v];
            self.restassign(&mut lhs, 1)
        } else {
            let ExpKind::Call(pc) = v.k else {
                return Err(self.lx.syntax_error("syntax error"));
            };
            self.patch_instr(pc, |i| i.with_c(1));
            Ok(())
        }
    }

    fn retstat(&mut self) -> LResult<()> {
        let mut first = self.nvarstack();
        let nret: i32 = if self.block_follow(true) || self.lx.t == Tok::Char(b';') {
            0
        } else {
            let (n, mut e) = self.explist()?;
            if e.k.has_multret() {
                self.setmultret(&e)?;
                let insidetbc = self.fs.blocks.last().is_some_and(|b| b.insidetbc);
                if let ExpKind::Call(pc) = e.k
                    && n == 1
                    && !insidetbc
                {
                    self.patch_instr(pc, |i| with_op(i, OpCode::TAILCALL));
                }
                MULTRET
            } else if n == 1 {
                first = self.exp2anyreg(&mut e)?;
                1
            } else {
                self.exp2nextreg(&mut e)?;
                n as i32
            }
        };
        self.ret(first, nret);
        self.testnext(&Tok::Char(b';'))?;
        Ok(())
    }

    fn statement(&mut self) -> LResult<()> {
        let line = self.lx.linenumber;
        self.enterlevel()?;
        match self.lx.t {
            Tok::Char(b';') => self.lx.next()?,
            Tok::If => self.ifstat(line)?,
            Tok::While => self.whilestat(line)?,
            Tok::Do => {
                self.lx.next()?;
                self.block()?;
                self.check_match(&Tok::End, &Tok::Do, line)?;
            }
            Tok::For => self.forstat(line)?,
            Tok::Repeat => self.repeatstat(line)?,
            Tok::Function => self.funcstat(line)?,
            Tok::Local => {
                self.lx.next()?;
                if self.testnext(&Tok::Function)? {
                    self.localfunc()?;
                } else {
                    self.localstat()?;
                }
            }
            Tok::DbColon => {
                self.lx.next()?;
                let name = self.str_checkname()?;
                self.labelstat(name, line)?;
            }
            Tok::Return => {
                self.lx.next()?;
                self.retstat()?;
            }
            Tok::Break => self.breakstat()?,
            Tok::Goto => {
                self.lx.next()?;
                self.gotostat()?;
            }
            _ => self.exprstat()?,
        }
        self.fs.freereg = self.nvarstack();
        self.leavelevel();
        Ok(())
    }
}

/// Table constructor state (`ConsControl`).
struct ConsControl {
    /// Last list item read.
    v: ExpDesc,
    /// Register of the table.
    table: u32,
    /// Number of record elements.
    nh: u32,
    /// Number of array elements already stored.
    na: u32,
    /// Number of array elements pending.
    tostore: i32,
}
