//! Lua 5.4 pattern matching: a port of the `match` machinery of
//! `lstrlib.c` to safe Rust over byte slices.
//!
//! Positions are byte indices into the subject (`src`) and the pattern
//! (`pat`). C reads the terminating `'\0'` of both strings in a few places
//! (one past the end); [`at`] reproduces that by answering 0 past the end, so
//! the matcher behaves exactly like `lua5.4` on every input, including
//! patterns and subjects with embedded zeros, without ever indexing out of
//! bounds. Recursion is bounded by [`MAXCCALLS`] (the C stack guard that
//! raises "pattern too complex"), and every error is reported as a
//! [`PatternError`] carrying `lua5.4`'s message, which the caller raises with
//! `luaL_error` semantics.

/// Maximum number of captures in one pattern (`LUA_MAXCAPTURES`).
pub const MAXCAPTURES: usize = 32;

/// Maximum recursion depth of [`Matcher::do_match`] (`MAXCCALLS` in lstrlib.c).
pub const MAXCCALLS: u32 = 200;

const L_ESC: u8 = b'%';

/// Characters that make `string.find` use the matcher instead of a plain search.
const SPECIALS: &[u8] = b"^$*+?.([%-";

/// Capture length marker: the capture is still open.
const CAP_UNFINISHED: isize = -1;
/// Capture length marker: a position capture `()`.
const CAP_POSITION: isize = -2;

/// An error raised while matching, with `lua5.4`'s message (no position).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError(pub String);

impl PatternError {
    fn new(msg: &str) -> PatternError {
        PatternError(msg.to_string())
    }
}

/// Result of matching: `Ok(Some(end))` on success, `Ok(None)` on failure.
pub type MatchResult = Result<Option<usize>, PatternError>;

/// The value of one capture after a successful match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capture {
    /// A substring of the subject: `src[start..end]`.
    Span(usize, usize),
    /// A position capture: the 1-based position it captured.
    Position(usize),
}

/// Byte `i` of `s`, or 0 past the end (C's terminating zero).
#[inline]
fn at(s: &[u8], i: usize) -> u8 {
    s.get(i).copied().unwrap_or(0)
}

/// Whether the pattern contains none of the special characters, in which
/// case `string.find` does a plain substring search.
pub fn no_specials(pat: &[u8]) -> bool {
    !pat.iter().any(|c| SPECIALS.contains(c))
}

/// Plain substring search (`lmemfind`): index of the first occurrence of
/// `needle` in `hay`.
pub fn find_plain(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    if needle.len() > hay.len() {
        return None;
    }
    let first = needle[0];
    let last_start = hay.len() - needle.len();
    let mut i = 0;
    while i <= last_start {
        // Find the next candidate first byte, then compare the rest.
        match hay[i..=last_start].iter().position(|&c| c == first) {
            None => return None,
            Some(off) => {
                let s = i + off;
                if &hay[s..s + needle.len()] == needle {
                    return Some(s);
                }
                i = s + 1;
            }
        }
    }
    None
}

/// C-locale character class test (`match_class`): `cl` is the class letter
/// after `%`; upper-case letters complement; other characters match
/// themselves.
pub fn match_class(c: u8, cl: u8) -> bool {
    let res = match cl.to_ascii_lowercase() {
        b'a' => c.is_ascii_alphabetic(),
        b'c' => c.is_ascii_control(),
        b'd' => c.is_ascii_digit(),
        b'g' => c.is_ascii_graphic(),
        b'l' => c.is_ascii_lowercase(),
        b'p' => c.is_ascii_punctuation(),
        // C's isspace also accepts \v (0x0b), which Rust's is_ascii_whitespace does not.
        b's' => matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c),
        b'u' => c.is_ascii_uppercase(),
        b'w' => c.is_ascii_alphanumeric(),
        b'x' => c.is_ascii_hexdigit(),
        b'z' => c == 0, // deprecated, still accepted by lua5.4
        _ => return cl == c,
    };
    if cl.is_ascii_lowercase() { res } else { !res }
}

/// The state of one match attempt over a subject and a pattern.
pub struct Matcher<'a> {
    src: &'a [u8],
    pat: &'a [u8],
    /// Remaining recursion budget.
    depth: u32,
    /// Number of captures (finished or not).
    level: usize,
    /// `(start, len)` per capture; `len` may be `CAP_UNFINISHED`/`CAP_POSITION`.
    capture: [(usize, isize); MAXCAPTURES],
}

impl<'a> Matcher<'a> {
    /// A matcher for subject `src` and pattern `pat` (the pattern without a
    /// leading `^` anchor, which the callers handle).
    pub fn new(src: &'a [u8], pat: &'a [u8]) -> Matcher<'a> {
        Matcher {
            src,
            pat,
            depth: MAXCCALLS,
            level: 0,
            capture: [(0, 0); MAXCAPTURES],
        }
    }

    /// Resets the capture state before a new attempt (`reprepstate`).
    pub fn reset(&mut self) {
        self.level = 0;
        self.depth = MAXCCALLS;
    }

    /// Tries to match the whole pattern at subject position `s`; returns the
    /// end of the match.
    pub fn match_at(&mut self, s: usize) -> MatchResult {
        self.reset();
        self.do_match(s, 0)
    }

    /// Number of values a successful match produces: the captures, or the
    /// whole match when there are none and `whole` is set.
    pub fn num_results(&self, whole: bool) -> usize {
        if self.level == 0 && whole {
            1
        } else {
            self.level
        }
    }

    /// Number of captures of the last match.
    pub fn level(&self) -> usize {
        self.level
    }

    /// Capture `i` (0-based) of a match spanning `s..e` (`get_onecapture`):
    /// with no captures, index 0 is the whole match.
    pub fn get_capture(&self, i: usize, s: usize, e: usize) -> Result<Capture, PatternError> {
        if i >= self.level {
            if i != 0 {
                return Err(PatternError(format!("invalid capture index %{}", i + 1)));
            }
            return Ok(Capture::Span(s, e));
        }
        let (init, len) = self.capture[i];
        match len {
            CAP_UNFINISHED => Err(PatternError::new("unfinished capture")),
            CAP_POSITION => Ok(Capture::Position(init + 1)),
            l => Ok(Capture::Span(init, init + l as usize)),
        }
    }

    fn check_capture(&self, l: u8) -> Result<usize, PatternError> {
        let idx = l as i32 - b'1' as i32;
        if idx < 0 || idx as usize >= self.level || self.capture[idx as usize].1 == CAP_UNFINISHED {
            return Err(PatternError(format!("invalid capture index %{}", idx + 1)));
        }
        Ok(idx as usize)
    }

    fn capture_to_close(&self) -> Result<usize, PatternError> {
        (0..self.level)
            .rev()
            .find(|&l| self.capture[l].1 == CAP_UNFINISHED)
            .ok_or_else(|| PatternError::new("invalid pattern capture"))
    }

    /// End (exclusive) of the single-character class starting at `p`.
    fn class_end(&self, mut p: usize) -> Result<usize, PatternError> {
        let c = at(self.pat, p);
        p += 1;
        match c {
            L_ESC => {
                if p >= self.pat.len() {
                    return Err(PatternError::new("malformed pattern (ends with '%')"));
                }
                Ok(p + 1)
            }
            b'[' => {
                if at(self.pat, p) == b'^' {
                    p += 1;
                }
                // Look for the closing ']' (a ']' right after '[' or '[^' is literal).
                loop {
                    if p >= self.pat.len() {
                        return Err(PatternError::new("malformed pattern (missing ']')"));
                    }
                    let c = at(self.pat, p);
                    p += 1;
                    if c == L_ESC && p < self.pat.len() {
                        p += 1; // skip escapes such as '%]'
                    }
                    if at(self.pat, p) == b']' {
                        break;
                    }
                }
                Ok(p + 1)
            }
            _ => Ok(p),
        }
    }

    /// Whether `c` belongs to the set `[...]` spanning `p..=ec` (`ec` is the
    /// index of the closing `]`).
    fn match_bracket_class(&self, c: u8, mut p: usize, ec: usize) -> bool {
        let pat = self.pat;
        let mut sig = true;
        if at(pat, p + 1) == b'^' {
            sig = false;
            p += 1;
        }
        loop {
            p += 1;
            if p >= ec {
                break;
            }
            let pc = at(pat, p);
            if pc == L_ESC {
                p += 1;
                if match_class(c, at(pat, p)) {
                    return sig;
                }
            } else if at(pat, p + 1) == b'-' && p + 2 < ec {
                p += 2;
                if pc <= c && c <= at(pat, p) {
                    return sig;
                }
            } else if pc == c {
                return sig;
            }
        }
        !sig
    }

    /// Whether subject position `s` matches the single-character class at
    /// `p..ep`.
    fn single_match(&self, s: usize, p: usize, ep: usize) -> bool {
        let Some(&c) = self.src.get(s) else {
            return false;
        };
        match at(self.pat, p) {
            b'.' => true,
            L_ESC => match_class(c, at(self.pat, p + 1)),
            b'[' => self.match_bracket_class(c, p, ep - 1),
            pc => pc == c,
        }
    }

    fn match_balance(&self, s: usize, p: usize) -> Result<Option<usize>, PatternError> {
        if p + 1 >= self.pat.len() {
            return Err(PatternError::new(
                "malformed pattern (missing arguments to '%b')",
            ));
        }
        let Some(&first) = self.src.get(s) else {
            return Ok(None);
        };
        let (b, e) = (self.pat[p], self.pat[p + 1]);
        if first != b {
            return Ok(None);
        }
        let mut cont = 1usize;
        for (i, &c) in self.src.iter().enumerate().skip(s + 1) {
            if c == e {
                cont -= 1;
                if cont == 0 {
                    return Ok(Some(i + 1));
                }
            } else if c == b {
                cont += 1;
            }
        }
        Ok(None)
    }

    fn max_expand(&mut self, s: usize, p: usize, ep: usize) -> MatchResult {
        let mut i = 0usize;
        while self.single_match(s + i, p, ep) {
            i += 1;
        }
        // Try the rest of the pattern with the most repetitions first.
        loop {
            if let Some(r) = self.do_match(s + i, ep + 1)? {
                return Ok(Some(r));
            }
            if i == 0 {
                return Ok(None);
            }
            i -= 1;
        }
    }

    fn min_expand(&mut self, mut s: usize, p: usize, ep: usize) -> MatchResult {
        loop {
            if let Some(r) = self.do_match(s, ep + 1)? {
                return Ok(Some(r));
            }
            if self.single_match(s, p, ep) {
                s += 1;
            } else {
                return Ok(None);
            }
        }
    }

    fn start_capture(&mut self, s: usize, p: usize, what: isize) -> MatchResult {
        let level = self.level;
        if level >= MAXCAPTURES {
            return Err(PatternError::new("too many captures"));
        }
        self.capture[level] = (s, what);
        self.level = level + 1;
        let res = self.do_match(s, p)?;
        if res.is_none() {
            self.level -= 1; // undo capture
        }
        Ok(res)
    }

    fn end_capture(&mut self, s: usize, p: usize) -> MatchResult {
        let l = self.capture_to_close()?;
        self.capture[l].1 = (s - self.capture[l].0) as isize;
        let res = self.do_match(s, p)?;
        if res.is_none() {
            self.capture[l].1 = CAP_UNFINISHED; // undo capture
        }
        Ok(res)
    }

    fn match_capture(&self, s: usize, l: u8) -> Result<Option<usize>, PatternError> {
        let l = self.check_capture(l)?;
        let (init, len) = self.capture[l];
        // A position capture has a negative length, which C compares as a
        // huge size_t: it never matches.
        if len < 0 {
            return Ok(None);
        }
        let len = len as usize;
        if self.src.len().saturating_sub(s) >= len
            && self.src[init..init + len] == self.src[s..s + len]
        {
            Ok(Some(s + len))
        } else {
            Ok(None)
        }
    }

    /// Matches pattern position `p` against subject position `s` (lstrlib's
    /// `match`); returns the end of the match.
    pub fn do_match(&mut self, s: usize, p: usize) -> MatchResult {
        if self.depth == 0 {
            return Err(PatternError::new("pattern too complex"));
        }
        self.depth -= 1;
        let r = self.match_body(s, p);
        self.depth += 1;
        r
    }

    fn match_body(&mut self, mut s: usize, mut p: usize) -> MatchResult {
        let plen = self.pat.len();
        // Loop instead of tail calls, as the C code does with `goto init`.
        loop {
            if p >= plen {
                return Ok(Some(s));
            }
            match self.pat[p] {
                b'(' => {
                    return if at(self.pat, p + 1) == b')' {
                        self.start_capture(s, p + 2, CAP_POSITION)
                    } else {
                        self.start_capture(s, p + 1, CAP_UNFINISHED)
                    };
                }
                b')' => return self.end_capture(s, p + 1),
                b'$' if p + 1 == plen => {
                    return Ok(if s == self.src.len() { Some(s) } else { None });
                }
                L_ESC if at(self.pat, p + 1) == b'b' => match self.match_balance(s, p + 2)? {
                    Some(e) => {
                        s = e;
                        p += 4;
                        continue;
                    }
                    None => return Ok(None),
                },
                L_ESC if at(self.pat, p + 1) == b'f' => {
                    p += 2;
                    if at(self.pat, p) != b'[' {
                        return Err(PatternError::new("missing '[' after '%f' in pattern"));
                    }
                    let ep = self.class_end(p)?;
                    let previous = if s == 0 { 0 } else { at(self.src, s - 1) };
                    let current = at(self.src, s);
                    if !self.match_bracket_class(previous, p, ep - 1)
                        && self.match_bracket_class(current, p, ep - 1)
                    {
                        p = ep;
                        continue;
                    }
                    return Ok(None);
                }
                L_ESC if at(self.pat, p + 1).is_ascii_digit() => {
                    match self.match_capture(s, at(self.pat, p + 1))? {
                        Some(e) => {
                            s = e;
                            p += 2;
                            continue;
                        }
                        None => return Ok(None),
                    }
                }
                _ => {
                    let ep = self.class_end(p)?;
                    let suffix = at(self.pat, ep);
                    if !self.single_match(s, p, ep) {
                        if matches!(suffix, b'*' | b'?' | b'-') {
                            // The item accepts an empty match.
                            p = ep + 1;
                            continue;
                        }
                        return Ok(None);
                    }
                    match suffix {
                        b'?' => {
                            if let Some(r) = self.do_match(s + 1, ep + 1)? {
                                return Ok(Some(r));
                            }
                            p = ep + 1;
                        }
                        b'+' => return self.max_expand(s + 1, p, ep),
                        b'*' => return self.max_expand(s, p, ep),
                        b'-' => return self.min_expand(s, p, ep),
                        _ => {
                            s += 1;
                            p = ep;
                        }
                    }
                }
            }
        }
    }
}

/// The outcome of a `find`-style search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Start of the match (0-based).
    pub start: usize,
    /// End of the match (exclusive).
    pub end: usize,
    /// The captures (empty when the pattern has none).
    pub captures: Vec<Capture>,
}

/// Searches `pat` in `src` from byte `init` (0-based, `init <= src.len()`),
/// honouring a leading `^` anchor, as `string.find`/`string.match` do.
pub fn search(src: &[u8], pat: &[u8], init: usize) -> Result<Option<Found>, PatternError> {
    if init > src.len() {
        return Ok(None); // starts after the subject's end: nothing to find
    }
    let (anchor, pat) = match pat.split_first() {
        Some((b'^', rest)) => (true, rest),
        _ => (false, pat),
    };
    let mut m = Matcher::new(src, pat);
    let mut s1 = init;
    loop {
        if let Some(e) = m.match_at(s1)? {
            let captures = (0..m.level())
                .map(|i| m.get_capture(i, s1, e))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(Some(Found {
                start: s1,
                end: e,
                captures,
            }));
        }
        s1 += 1;
        if anchor || s1 > src.len() {
            return Ok(None);
        }
    }
}
