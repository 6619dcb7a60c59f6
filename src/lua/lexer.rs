//! The Lua 5.4 lexer, modelled on `llex.c`: tokens, the one-token
//! lookahead, line counting, escapes, long brackets, numerals, and the
//! lexical error messages (`... near 'tok'`) byte-for-byte as lua5.4
//! produces them. The raw text of the last token is kept in `buff`
//! because Lua's messages quote it (`txtToken`).

use std::rc::Rc;

use super::CompileError;
use super::number::{LuaNumber, is_space, str2number};

/// A token. Single-byte tokens (`+`, `(`, or any unrecognized byte)
/// are `Char`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    Char(u8),
    And,
    Break,
    Do,
    Else,
    Elseif,
    End,
    False,
    For,
    Function,
    Goto,
    If,
    In,
    Local,
    Nil,
    Not,
    Or,
    Repeat,
    Return,
    Then,
    True,
    Until,
    While,
    IDiv,
    Concat,
    Dots,
    Eq,
    Ge,
    Le,
    Ne,
    Shl,
    Shr,
    DbColon,
    Eos,
    Flt(f64),
    Int(i64),
    Name(Rc<str>),
    Str(Rc<[u8]>),
}

const RESERVED: &[(&str, Tok)] = &[
    ("and", Tok::And),
    ("break", Tok::Break),
    ("do", Tok::Do),
    ("else", Tok::Else),
    ("elseif", Tok::Elseif),
    ("end", Tok::End),
    ("false", Tok::False),
    ("for", Tok::For),
    ("function", Tok::Function),
    ("goto", Tok::Goto),
    ("if", Tok::If),
    ("in", Tok::In),
    ("local", Tok::Local),
    ("nil", Tok::Nil),
    ("not", Tok::Not),
    ("or", Tok::Or),
    ("repeat", Tok::Repeat),
    ("return", Tok::Return),
    ("then", Tok::Then),
    ("true", Tok::True),
    ("until", Tok::Until),
    ("while", Tok::While),
];

impl Tok {
    /// `luaX_token2str`: how a token kind is named in messages.
    pub(crate) fn describe(&self) -> String {
        let fixed = match self {
            Tok::Char(c) => {
                return if (0x20..0x7f).contains(c) {
                    format!("'{}'", *c as char)
                } else {
                    format!("'<\\{}>'", c)
                };
            }
            Tok::IDiv => "//",
            Tok::Concat => "..",
            Tok::Dots => "...",
            Tok::Eq => "==",
            Tok::Ge => ">=",
            Tok::Le => "<=",
            Tok::Ne => "~=",
            Tok::Shl => "<<",
            Tok::Shr => ">>",
            Tok::DbColon => "::",
            Tok::Eos => return "<eof>".to_string(),
            Tok::Flt(_) => return "<number>".to_string(),
            Tok::Int(_) => return "<integer>".to_string(),
            Tok::Name(_) => return "<name>".to_string(),
            Tok::Str(_) => return "<string>".to_string(),
            word => RESERVED
                .iter()
                .find(|(_, t)| t == word)
                .map_or("?", |(s, _)| s),
        };
        format!("'{fixed}'")
    }
}

/// Which token text a lexical error quotes (`lexerror`'s `token`).
#[derive(Clone, Copy, PartialEq)]
enum Near {
    /// No `near` part.
    Nothing,
    /// `near <eof>`.
    Eof,
    /// The raw text accumulated in the buffer.
    Buffer,
}

const EOZ: i32 = -1;

/// Lexer state (`LexState` minus the parser parts).
pub(crate) struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
    current: i32,
    /// Line of the current character.
    pub(crate) linenumber: u32,
    /// Line of the last token consumed by the parser.
    pub(crate) lastline: u32,
    /// The current token.
    pub(crate) t: Tok,
    lookahead: Option<Tok>,
    /// Raw text of the most recently scanned token.
    buff: Vec<u8>,
    /// `luaO_chunkid` of the chunk name, for messages.
    chunkid: String,
}

pub(crate) type LResult<T> = Result<T, CompileError>;

fn is_alpha(c: i32) -> bool {
    c >= 0 && (c as u8 == b'_' || (c as u8).is_ascii_alphabetic())
}

fn is_alnum(c: i32) -> bool {
    c >= 0 && (c as u8 == b'_' || (c as u8).is_ascii_alphanumeric())
}

fn is_digit(c: i32) -> bool {
    c >= 0 && (c as u8).is_ascii_digit()
}

fn is_xdigit(c: i32) -> bool {
    c >= 0 && (c as u8).is_ascii_hexdigit()
}

fn is_newline(c: i32) -> bool {
    c == i32::from(b'\n') || c == i32::from(b'\r')
}

fn hexavalue(c: i32) -> u32 {
    u8::try_from(c)
        .ok()
        .and_then(|b| (b as char).to_digit(16))
        .unwrap_or(0)
}

impl<'a> Lexer<'a> {
    /// `luaX_setinput`.
    pub(crate) fn new(src: &'a [u8], chunkid: String) -> Lexer<'a> {
        let mut lx = Lexer {
            src,
            pos: 0,
            current: EOZ,
            linenumber: 1,
            lastline: 1,
            t: Tok::Eos,
            lookahead: None,
            buff: Vec::new(),
            chunkid,
        };
        lx.next_char();
        lx
    }

    fn next_char(&mut self) {
        self.current = match self.src.get(self.pos) {
            Some(&c) => {
                self.pos += 1;
                i32::from(c)
            }
            None => EOZ,
        };
    }

    fn save(&mut self, c: i32) {
        // Only real characters are ever saved (EOZ never reaches here).
        self.buff.push(c as u8);
    }

    fn save_and_next(&mut self) {
        let c = self.current;
        self.save(c);
        self.next_char();
    }

    fn check_next1(&mut self, c: u8) -> bool {
        if self.current == i32::from(c) {
            self.next_char();
            true
        } else {
            false
        }
    }

    /// Saves and skips the current char when it is one of `set`.
    fn check_next2(&mut self, set: &[u8; 2]) -> bool {
        if self.current == i32::from(set[0]) || self.current == i32::from(set[1]) {
            self.save_and_next();
            true
        } else {
            false
        }
    }

    fn buffremove(&mut self, n: usize) {
        let len = self.buff.len().saturating_sub(n);
        self.buff.truncate(len);
    }

    /// Formats `chunkid:line: msg` (`luaG_addinfo`).
    pub(crate) fn add_info(&self, msg: &str) -> String {
        format!("{}:{}: {}", self.chunkid, self.linenumber, msg)
    }

    fn buffer_text(&self) -> String {
        // '%s' stops at an embedded zero byte.
        let end = self
            .buff
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(self.buff.len());
        String::from_utf8_lossy(self.buff.get(..end).unwrap_or(&[])).into_owned()
    }

    /// `txtToken` for the current token.
    fn token_text(&self, tok: &Tok) -> String {
        match tok {
            Tok::Name(_) | Tok::Str(_) | Tok::Flt(_) | Tok::Int(_) => {
                format!("'{}'", self.buffer_text())
            }
            other => other.describe(),
        }
    }

    fn error(&self, msg: &str, near: Near) -> CompileError {
        let base = self.add_info(msg);
        let message = match near {
            Near::Nothing => base,
            Near::Eof => format!("{base} near <eof>"),
            Near::Buffer => format!("{base} near '{}'", self.buffer_text()),
        };
        CompileError::new(message, self.linenumber)
    }

    /// `luaX_syntaxerror`: an error near the current token.
    pub(crate) fn syntax_error(&self, msg: &str) -> CompileError {
        let base = self.add_info(msg);
        // A zero byte is token 0, which Lua's `lexerror` takes as "no token".
        if self.t == Tok::Char(0) {
            return CompileError::new(base, self.linenumber);
        }
        let near = self.token_text(&self.t);
        CompileError::new(format!("{base} near {near}"), self.linenumber)
    }

    /// `luaK_semerror`: an error without the `near` part.
    pub(crate) fn semantic_error(&self, msg: &str) -> CompileError {
        CompileError::new(self.add_info(msg), self.linenumber)
    }

    /// `luaX_next`.
    pub(crate) fn next(&mut self) -> LResult<()> {
        self.lastline = self.linenumber;
        self.t = match self.lookahead.take() {
            Some(tok) => tok,
            None => self.llex()?,
        };
        Ok(())
    }

    /// `luaX_lookahead`.
    pub(crate) fn lookahead(&mut self) -> LResult<Tok> {
        if self.lookahead.is_none() {
            let tok = self.llex()?;
            self.lookahead = Some(tok);
        }
        Ok(self.lookahead.clone().unwrap_or(Tok::Eos))
    }

    fn inclinenumber(&mut self) -> LResult<()> {
        let old = self.current;
        self.next_char();
        if is_newline(self.current) && self.current != old {
            self.next_char();
        }
        self.linenumber += 1;
        if self.linenumber >= i32::MAX as u32 {
            return Err(self.error("chunk has too many lines", Near::Nothing));
        }
        Ok(())
    }

    /// `skip_sep`: reads `[=*[` or `]=*]`; returns count+2 when the
    /// bracket is well formed, 1 for a lone bracket, 0 otherwise.
    fn skip_sep(&mut self) -> usize {
        let mut count = 0;
        let s = self.current;
        self.save_and_next();
        while self.current == i32::from(b'=') {
            self.save_and_next();
            count += 1;
        }
        if self.current == s {
            count + 2
        } else if count == 0 {
            1
        } else {
            0
        }
    }

    /// `read_long_string`; `is_string` false for comments.
    fn read_long_string(&mut self, is_string: bool, sep: usize) -> LResult<Option<Rc<[u8]>>> {
        let line = self.linenumber;
        self.save_and_next(); // skip 2nd '['
        if is_newline(self.current) {
            self.inclinenumber()?;
        }
        loop {
            match self.current {
                EOZ => {
                    let what = if is_string { "string" } else { "comment" };
                    let msg = format!("unfinished long {what} (starting at line {line})");
                    return Err(self.error(&msg, Near::Eof));
                }
                c if c == i32::from(b']') => {
                    if self.skip_sep() == sep {
                        self.save_and_next(); // skip 2nd ']'
                        break;
                    }
                }
                c if is_newline(c) => {
                    self.save(i32::from(b'\n'));
                    self.inclinenumber()?;
                    if !is_string {
                        self.buff.clear();
                    }
                }
                _ => {
                    if is_string {
                        self.save_and_next();
                    } else {
                        self.next_char();
                    }
                }
            }
        }
        if !is_string {
            return Ok(None);
        }
        let end = self.buff.len().saturating_sub(sep);
        Ok(Some(Rc::from(self.buff.get(sep..end).unwrap_or(&[]))))
    }

    /// `esccheck`: on failure, adds the offending char to the quoted text.
    fn esc_check(&mut self, ok: bool, msg: &str) -> LResult<()> {
        if ok {
            return Ok(());
        }
        if self.current != EOZ {
            self.save_and_next();
        }
        Err(self.error(msg, Near::Buffer))
    }

    fn gethexa(&mut self) -> LResult<u32> {
        self.save_and_next();
        self.esc_check(is_xdigit(self.current), "hexadecimal digit expected")?;
        Ok(hexavalue(self.current))
    }

    fn read_hexa_esc(&mut self) -> LResult<i32> {
        let mut r = self.gethexa()?;
        r = (r << 4) + self.gethexa()?;
        self.buffremove(2);
        Ok(r as i32)
    }

    fn read_utf8_esc(&mut self) -> LResult<u32> {
        let mut i = 4; // '\', 'u', '{', and first digit
        self.save_and_next(); // skip 'u'
        self.esc_check(self.current == i32::from(b'{'), "missing '{'")?;
        let mut r = self.gethexa()?;
        loop {
            self.save_and_next();
            if !is_xdigit(self.current) {
                break;
            }
            i += 1;
            self.esc_check(r <= (0x7FFF_FFFF >> 4), "UTF-8 value too large")?;
            r = (r << 4) + hexavalue(self.current);
        }
        self.esc_check(self.current == i32::from(b'}'), "missing '}'")?;
        self.next_char(); // skip '}'
        self.buffremove(i);
        Ok(r)
    }

    /// `luaO_utf8esc`: Lua's extended UTF-8 (up to 6 bytes, 31 bits).
    fn utf8_esc(&mut self) -> LResult<()> {
        let mut x = self.read_utf8_esc()?;
        if x < 0x80 {
            self.buff.push(x as u8);
            return Ok(());
        }
        // Continuation bytes are produced last-first, then the first byte.
        let mut rev = Vec::with_capacity(6);
        let mut mfb: u32 = 0x3f;
        loop {
            rev.push(0x80 | (x & 0x3f) as u8);
            x >>= 6;
            mfb >>= 1;
            if x <= mfb {
                break;
            }
        }
        rev.push(((!mfb << 1) | x) as u8);
        self.buff.extend(rev.iter().rev());
        Ok(())
    }

    fn read_dec_esc(&mut self) -> LResult<i32> {
        let mut r: i32 = 0;
        let mut i = 0;
        while i < 3 && is_digit(self.current) {
            r = 10 * r + self.current - i32::from(b'0');
            self.save_and_next();
            i += 1;
        }
        self.esc_check(r <= 255, "decimal escape too large")?;
        self.buffremove(i);
        Ok(r)
    }

    fn read_string(&mut self, del: i32) -> LResult<Tok> {
        self.save_and_next(); // keep delimiter (for error messages)
        while self.current != del {
            match self.current {
                EOZ => return Err(self.error("unfinished string", Near::Eof)),
                c if is_newline(c) => {
                    return Err(self.error("unfinished string", Near::Buffer));
                }
                c if c == i32::from(b'\\') => self.read_escape()?,
                _ => self.save_and_next(),
            }
        }
        self.save_and_next(); // skip delimiter
        let end = self.buff.len().saturating_sub(1);
        Ok(Tok::Str(Rc::from(self.buff.get(1..end).unwrap_or(&[]))))
    }

    /// One escape sequence; the '\\' is current.
    fn read_escape(&mut self) -> LResult<()> {
        self.save_and_next(); // keep '\\' for error messages
        let simple = |c: u8| -> Option<u8> {
            Some(match c {
                b'a' => 0x07,
                b'b' => 0x08,
                b'f' => 0x0c,
                b'n' => b'\n',
                b'r' => b'\r',
                b't' => b'\t',
                b'v' => 0x0b,
                b'\\' | b'"' | b'\'' => c,
                _ => return None,
            })
        };
        let cur = self.current;
        if cur == EOZ {
            return Ok(()); // the string loop reports the error
        }
        let cb = cur as u8;
        // (character to store, whether to skip the current char first)
        let (c, read) = if let Some(c) = simple(cb) {
            (i32::from(c), true)
        } else {
            match cb {
                b'x' => (self.read_hexa_esc()?, true),
                b'u' => return self.utf8_esc(),
                b'\n' | b'\r' => {
                    self.inclinenumber()?;
                    (i32::from(b'\n'), false)
                }
                b'z' => {
                    self.buffremove(1);
                    self.next_char();
                    while self.current >= 0 && is_space(self.current as u8) {
                        if is_newline(self.current) {
                            self.inclinenumber()?;
                        } else {
                            self.next_char();
                        }
                    }
                    return Ok(());
                }
                _ => {
                    self.esc_check(is_digit(cur), "invalid escape sequence")?;
                    (self.read_dec_esc()?, false)
                }
            }
        };
        if read {
            self.next_char();
        }
        self.buffremove(1); // remove '\\'
        self.save(c);
        Ok(())
    }

    /// `read_numeral`.
    fn read_numeral(&mut self) -> LResult<Tok> {
        let mut expo = b"Ee";
        let first = self.current;
        self.save_and_next();
        if first == i32::from(b'0') && self.check_next2(b"xX") {
            expo = b"Pp";
        }
        loop {
            if self.check_next2(expo) {
                self.check_next2(b"-+");
            } else if is_xdigit(self.current) || self.current == i32::from(b'.') {
                self.save_and_next();
            } else {
                break;
            }
        }
        if is_alpha(self.current) {
            self.save_and_next(); // force an error
        }
        match str2number(&self.buff) {
            Some(LuaNumber::Int(i)) => Ok(Tok::Int(i)),
            Some(LuaNumber::Float(f)) => Ok(Tok::Flt(f)),
            None => Err(self.error("malformed number", Near::Buffer)),
        }
    }

    /// `llex`: scans the next token.
    fn llex(&mut self) -> LResult<Tok> {
        self.buff.clear();
        loop {
            let c = self.current;
            if c == EOZ {
                return Ok(Tok::Eos);
            }
            let cb = c as u8;
            match cb {
                b'\n' | b'\r' => self.inclinenumber()?,
                b' ' | b'\x0c' | b'\t' | b'\x0b' => self.next_char(),
                b'-' => {
                    self.next_char();
                    if self.current != i32::from(b'-') {
                        return Ok(Tok::Char(b'-'));
                    }
                    self.skip_comment()?;
                }
                b'[' => {
                    let sep = self.skip_sep();
                    if sep >= 2 {
                        let s = self.read_long_string(true, sep)?;
                        return Ok(Tok::Str(s.unwrap_or_else(|| Rc::from(&[][..]))));
                    } else if sep == 0 {
                        return Err(self.error("invalid long string delimiter", Near::Buffer));
                    }
                    return Ok(Tok::Char(b'['));
                }
                b'=' => return Ok(self.one_or_two(b'=', Tok::Eq, b'=')),
                b'<' => {
                    self.next_char();
                    if self.check_next1(b'=') {
                        return Ok(Tok::Le);
                    }
                    if self.check_next1(b'<') {
                        return Ok(Tok::Shl);
                    }
                    return Ok(Tok::Char(b'<'));
                }
                b'>' => {
                    self.next_char();
                    if self.check_next1(b'=') {
                        return Ok(Tok::Ge);
                    }
                    if self.check_next1(b'>') {
                        return Ok(Tok::Shr);
                    }
                    return Ok(Tok::Char(b'>'));
                }
                b'/' => return Ok(self.one_or_two(b'/', Tok::IDiv, b'/')),
                b'~' => return Ok(self.one_or_two(b'=', Tok::Ne, b'~')),
                b':' => return Ok(self.one_or_two(b':', Tok::DbColon, b':')),
                b'"' | b'\'' => return self.read_string(c),
                b'.' => {
                    self.save_and_next();
                    if self.check_next1(b'.') {
                        if self.check_next1(b'.') {
                            return Ok(Tok::Dots);
                        }
                        return Ok(Tok::Concat);
                    }
                    if !is_digit(self.current) {
                        return Ok(Tok::Char(b'.'));
                    }
                    return self.read_numeral();
                }
                b'0'..=b'9' => return self.read_numeral(),
                _ if is_alpha(c) => return Ok(self.read_name()),
                _ => {
                    self.next_char();
                    return Ok(Tok::Char(cb));
                }
            }
        }
    }

    /// Skips a comment; the first '-' is consumed, the second is current.
    fn skip_comment(&mut self) -> LResult<()> {
        self.next_char();
        if self.current == i32::from(b'[') {
            let sep = self.skip_sep();
            self.buff.clear();
            if sep >= 2 {
                self.read_long_string(false, sep)?;
                self.buff.clear();
                return Ok(());
            }
        }
        while !is_newline(self.current) && self.current != EOZ {
            self.next_char();
        }
        Ok(())
    }

    /// A token `c` optionally followed by `second` (then `two`).
    fn one_or_two(&mut self, second: u8, two: Tok, one: u8) -> Tok {
        self.next_char();
        if self.check_next1(second) {
            two
        } else {
            Tok::Char(one)
        }
    }

    fn read_name(&mut self) -> Tok {
        loop {
            self.save_and_next();
            if !is_alnum(self.current) {
                break;
            }
        }
        // Names are ASCII letters, digits and '_', so this is lossless.
        let name = String::from_utf8_lossy(&self.buff).into_owned();
        match RESERVED.iter().find(|(s, _)| *s == name) {
            Some((_, tok)) => tok.clone(),
            None => Tok::Name(Rc::from(name)),
        }
    }
}
