//! Lua tables in guest memory: an array part and a hash part with Lua 5.4's
//! algorithms (main positions, Brent-style collision moves with a descending
//! free pointer, `rehash`/`computesizes` sizing, border search for `#`), so
//! that iteration order of number keys and `#` agree with `lua5.4`.
//!
//! Functions here are raw: no metamethods. Tables are addressed by the slot
//! index `t` of their header (see [`super::layout`] for the field layout).

use super::heap::{Heap, OutOfMemory};
use super::layout::*;
use super::value::Value;

/// Tag stored in a node's key for a removed collectable key (`next` can still
/// find it by identity, the collector no longer marks it).
pub const TAG_DEADKEY: u64 = 0xff;

/// Largest array part (2^MAXABITS).
const MAXABITS: u32 = 26;
const MAXASIZE: u64 = 1 << MAXABITS;

/// Errors raised by raw table writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableError {
    /// `t[nil] = v`
    NilKey,
    /// `t[0/0] = v`
    NanKey,
    /// The arena is exhausted.
    OutOfMemory,
}

impl From<OutOfMemory> for TableError {
    fn from(_: OutOfMemory) -> Self {
        TableError::OutOfMemory
    }
}

// -- field access ---------------------------------------------------------------

#[inline(always)]
fn array_off(h: &Heap, t: usize) -> u32 {
    h.mem[t + 1].lo as u32
}
/// Byte address of the array part's first element (0: no array part).
#[inline(always)]
pub fn array_address(h: &Heap, t: usize) -> u32 {
    array_off(h, t)
}
/// Size of the array part.
#[inline(always)]
pub fn array_size(h: &Heap, t: usize) -> u32 {
    (h.mem[t + 1].lo >> 32) as u32
}
#[inline(always)]
fn node_off(h: &Heap, t: usize) -> u32 {
    h.mem[t + 1].hi as u32
}
#[inline(always)]
fn lastfree(h: &Heap, t: usize) -> u32 {
    (h.mem[t + 1].hi >> 32) as u32
}
#[inline(always)]
fn set_lastfree(h: &mut Heap, t: usize, lf: u32) {
    let hi = h.mem[t + 1].hi;
    h.mem[t + 1].hi = (hi & 0xffff_ffff) | (lf as u64) << 32;
}
#[inline(always)]
fn lsizenode(h: &Heap, t: usize) -> u32 {
    (h.mem[t].lo >> 56) as u32
}
/// Number of hash nodes (0 when there is no hash part).
#[inline(always)]
pub fn node_count(h: &Heap, t: usize) -> u32 {
    if node_off(h, t) == 0 {
        0
    } else {
        1 << lsizenode(h, t)
    }
}
/// Metatable offset (0 = none).
#[inline(always)]
pub fn metatable(h: &Heap, t: usize) -> u32 {
    h.mem[t].hi as u32
}
/// Sets the metatable offset (0 = none).
#[inline(always)]
pub fn set_metatable(h: &mut Heap, t: usize, mt: u32) {
    let hi = h.mem[t].hi;
    h.mem[t].hi = (hi & !0xffff_ffff) | mt as u64;
}
/// The metamethod-absence cache byte (bit e set = event e known absent).
#[inline(always)]
pub fn tm_flags(h: &Heap, t: usize) -> u8 {
    (h.mem[t].lo >> 48) as u8
}
/// Records that metamethod `bit` is absent from table `t`.
#[inline(always)]
pub fn set_tm_absent(h: &mut Heap, t: usize, bit: u8) {
    h.mem[t].lo |= ((1u64 << bit) & 0xff) << 48;
}
/// Forgets cached metamethod absences (a key of this table changed).
#[inline(always)]
pub fn invalidate_tm_cache(h: &mut Heap, t: usize) {
    h.mem[t].lo &= !(0xffu64 << 48);
}

/// Slot index of the array-part element for integer key `key`, if the
/// key falls inside the array part.
#[inline(always)]
pub fn array_slot_of(h: &Heap, t: usize, key: i64) -> Option<usize> {
    let asize = array_size(h, t);
    ((key as u64).wrapping_sub(1) < asize as u64).then(|| array_slot(h, t, (key - 1) as u32))
}

/// Slot index of array element `i` (0-based).
#[inline(always)]
fn array_slot(h: &Heap, t: usize, i: u32) -> usize {
    slot_index(array_off(h, t)) + i as usize
}
/// Slot index of node `n`.
#[inline(always)]
fn node_slot(h: &Heap, t: usize, n: u32) -> usize {
    slot_index(node_off(h, t)) + (n * NODE_SLOTS) as usize
}
#[inline(always)]
fn node_key_tag(h: &Heap, ns: usize) -> u64 {
    h.mem[ns + 1].hi & 0xff
}
#[inline(always)]
fn node_key(h: &Heap, ns: usize) -> Value {
    Value::new(h.mem[ns + 1].hi & 0xff, h.mem[ns + 1].lo)
}
#[inline(always)]
fn node_next(h: &Heap, ns: usize) -> i32 {
    (h.mem[ns + 1].hi >> 32) as i32
}
#[inline(always)]
fn set_node_next(h: &mut Heap, ns: usize, next: i32) {
    let hi = h.mem[ns + 1].hi;
    h.mem[ns + 1].hi = (hi & 0xffff_ffff) | ((next as u32 as u64) << 32);
}
#[inline(always)]
fn set_node_key(h: &mut Heap, ns: usize, k: Value) {
    let hi = h.mem[ns + 1].hi;
    h.mem[ns + 1] = Slot {
        lo: k.payload(),
        hi: (hi & !0xff) | k.tag(),
    };
}

// -- creation -------------------------------------------------------------------

/// Creates a table with room for `narray` array items and `nhash` hash items;
/// returns the slot index of its header.
pub fn new_table(h: &mut Heap, narray: u32, nhash: u32) -> Result<usize, OutOfMemory> {
    let t = h.alloc(TABLE_SLOTS, KIND_TABLE, 0)? as usize;
    h.mem[t].hi = 0;
    h.mem[t + 1] = Slot::default();
    if narray > 0 || nhash > 0 {
        resize(h, t, narray, nhash)?
    }
    Ok(t)
}

/// Ceiling of log2(x) for x >= 1.
fn ceil_log2(x: u64) -> u32 {
    if x <= 1 {
        0
    } else {
        64 - (x - 1).leading_zeros()
    }
}

// -- main positions ---------------------------------------------------------------

#[inline(always)]
fn hashmod(n: u64, size: u32) -> u32 {
    (n % (((size - 1) | 1) as u64)) as u32
}

/// Lua 5.4's `l_hashfloat`.
fn hash_float(n: f64) -> u32 {
    if !n.is_finite() {
        return 0;
    }
    let (m, e) = frexp(n);
    let m = m * -(i32::MIN as f64);
    // m is in (-2^31, 2^31), so the conversion is exact enough to be integral.
    if m.is_nan() || m.abs() >= 9.223_372_036_854_776e18 {
        return 0;
    }
    let ni = m as i64;
    let u = (e as u32).wrapping_add(ni as u32);
    if u <= i32::MAX as u32 { u } else { !u }
}

fn frexp(x: f64) -> (f64, i32) {
    if x == 0.0 || !x.is_finite() {
        return (x, 0);
    }
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    if exp == 0 {
        // Subnormal: scale up first.
        let (m, e) = frexp(x * f64::from_bits(0x4350_0000_0000_0000)); // 2^54
        return (m, e - 54);
    }
    let m = f64::from_bits((bits & !(0x7ffu64 << 52)) | (1022u64 << 52));
    (m, exp - 1022)
}

/// Node index of `key`'s main position (the table must have a hash part).
fn main_position(h: &Heap, t: usize, key: Value) -> u32 {
    let size = 1u32 << lsizenode(h, t);
    match key.tag() {
        // Lua's hashint: the same modulo whether or not the key fits an int.
        TAG_INT => hashmod(key.payload(), size),
        TAG_FLOAT => hashmod(hash_float(key.as_float_unchecked()) as u64, size),
        TAG_STR => h.str_hash(slot_index(key.offset())) & (size - 1),
        TAG_FALSE => 0,
        TAG_TRUE => 1 & (size - 1),
        _ => hashmod(key.payload() & 0xffff_ffff, size),
    }
}

// -- reads -------------------------------------------------------------------------

/// Raw `t[key]` for an integer key.
#[inline]
pub fn get_int(h: &Heap, t: usize, key: i64) -> Value {
    let asize = array_size(h, t);
    if (key as u64).wrapping_sub(1) < asize as u64 {
        return h.get(array_slot(h, t, (key - 1) as u32));
    }
    if node_off(h, t) == 0 {
        return Value::NIL;
    }
    let mut n = main_position(h, t, Value::int(key));
    loop {
        let ns = node_slot(h, t, n);
        let ks = h.mem[ns + 1];
        if ks.hi & 0xff == TAG_INT && ks.lo == key as u64 {
            return h.get(ns);
        }
        let next = node_next(h, ns);
        if next == 0 {
            return Value::NIL;
        }
        n = (n as i32 + next) as u32;
    }
}

/// Raw `t[key]` for a string key given by the string's slot index.
#[inline(always)]
pub fn get_str(h: &Heap, t: usize, s: usize) -> Value {
    match str_slot(h, t, s) {
        Some(vs) => h.get(vs),
        None => Value::NIL,
    }
}

/// Slot index of the value stored under string key `s` (present even if
/// its value is nil), for reads and in-place writes with one lookup.
#[inline(always)]
pub fn str_slot(h: &Heap, t: usize, s: usize) -> Option<usize> {
    let mem = &h.mem[..];
    let noff = mem[t + 1].hi as u32;
    if noff == 0 {
        return None;
    }
    let mask = (1u32 << (mem[t].lo >> 56)) - 1;
    let sh = mem[s];
    let mut n = (sh.hi >> 32) as u32 & mask;
    let off = (s as u64) * SLOT_BYTES as u64;
    let nodes = slot_index(noff);
    let interned = header_aux(sh.lo) & AUX_INTERNED != 0;
    loop {
        let ns = nodes + (n * NODE_SLOTS) as usize;
        let ks = mem[ns + 1];
        if ks.hi & 0xff == TAG_STR
            && (ks.lo == off || (!interned && h.str_eq(slot_index(ks.lo as u32), s)))
        {
            return Some(ns);
        }
        let next = (ks.hi >> 32) as i32;
        if next == 0 {
            return None;
        }
        n = (n as i32 + next) as u32;
    }
}

/// Normalizes a float key with an integral value to an integer key.
#[inline]
fn normalize_key(key: Value) -> Value {
    if key.tag() == TAG_FLOAT {
        let f = key.as_float_unchecked();
        if let Some(i) = super::number::float_to_int_exact(f) {
            return Value::int(i);
        }
    }
    key
}

fn keys_equal(h: &Heap, a: Value, b: Value) -> bool {
    if a.tag() != b.tag() {
        return false;
    }
    match a.tag() {
        TAG_STR => h.str_eq(slot_index(a.offset()), slot_index(b.offset())),
        TAG_FLOAT => a.as_float_unchecked() == b.as_float_unchecked(),
        _ => a.payload() == b.payload(),
    }
}

/// Node index holding `key` (already normalized, not an array index), if any.
fn find_node(h: &Heap, t: usize, key: Value) -> Option<u32> {
    if node_off(h, t) == 0 {
        return None;
    }
    let mut n = main_position(h, t, key);
    loop {
        let ns = node_slot(h, t, n);
        if keys_equal(h, node_key(h, ns), key) {
            return Some(n);
        }
        let next = node_next(h, ns);
        if next == 0 {
            return None;
        }
        n = (n as i32 + next) as u32;
    }
}

/// Raw `t[key]`.
pub fn get(h: &Heap, t: usize, key: Value) -> Value {
    match key.tag() {
        TAG_INT => get_int(h, t, key.as_int_unchecked()),
        TAG_STR => get_str(h, t, slot_index(key.offset())),
        TAG_NIL => Value::NIL,
        TAG_FLOAT => {
            let k = normalize_key(key);
            if k.tag() == TAG_INT {
                get_int(h, t, k.as_int_unchecked())
            } else {
                find_node(h, t, k).map_or(Value::NIL, |n| h.get(node_slot(h, t, n)))
            }
        }
        _ => find_node(h, t, key).map_or(Value::NIL, |n| h.get(node_slot(h, t, n))),
    }
}

// -- writes ------------------------------------------------------------------------

/// Slot index where `t[key]` lives if the key is present (even with a nil
/// value), for in-place updates.
fn existing_slot(h: &Heap, t: usize, key: Value) -> Option<usize> {
    if key.tag() == TAG_INT {
        let k = key.as_int_unchecked();
        let asize = array_size(h, t);
        if (k as u64).wrapping_sub(1) < asize as u64 {
            return Some(array_slot(h, t, (k - 1) as u32));
        }
    }
    find_node(h, t, key).map(|n| node_slot(h, t, n))
}

/// Raw `t[key] = val`.
pub fn set(h: &mut Heap, t: usize, key: Value, val: Value) -> Result<(), TableError> {
    let key = match key.tag() {
        TAG_NIL => return Err(TableError::NilKey),
        TAG_FLOAT => {
            if key.as_float_unchecked().is_nan() {
                return Err(TableError::NanKey);
            }
            normalize_key(key)
        }
        TAG_STR => {
            invalidate_tm_cache(h, t);
            key
        }
        _ => key,
    };
    if let Some(s) = existing_slot(h, t, key) {
        h.set(s, val);
        return Ok(());
    }
    if val.is_nil() {
        return Ok(());
    }
    new_key(h, t, key, val)
}

/// Raw `t[i] = val` for an integer key.
#[inline]
pub fn set_int(h: &mut Heap, t: usize, i: i64, val: Value) -> Result<(), TableError> {
    let asize = array_size(h, t);
    if (i as u64).wrapping_sub(1) < asize as u64 {
        let s = array_slot(h, t, (i - 1) as u32);
        h.set(s, val);
        return Ok(());
    }
    set(h, t, Value::int(i), val)
}

/// Inserts a key known to be absent (Lua's `luaH_newkey`).
fn new_key(h: &mut Heap, t: usize, key: Value, val: Value) -> Result<(), TableError> {
    if node_off(h, t) == 0 {
        rehash(h, t, key)?;
        return set(h, t, key, val);
    }
    let mut mp = main_position(h, t, key);
    let mps = node_slot(h, t, mp);
    if !h.get(mps).is_nil() {
        let Some(f) = free_position(h, t) else {
            rehash(h, t, key)?;
            return set(h, t, key, val);
        };
        let fs = node_slot(h, t, f);
        let other_key = node_key(h, mps);
        let mut othern = main_position(h, t, other_key);
        if othern != mp {
            // The colliding node is out of its main position: move it to the
            // free slot and take its place.
            loop {
                let os = node_slot(h, t, othern);
                let next = (othern as i32 + node_next(h, os)) as u32;
                if next == mp {
                    set_node_next(h, os, f as i32 - othern as i32);
                    break;
                }
                othern = next;
            }
            h.mem[fs] = h.mem[mps];
            h.mem[fs + 1] = h.mem[mps + 1];
            let mnext = node_next(h, mps);
            if mnext != 0 {
                set_node_next(h, fs, node_next(h, fs) + (mp as i32 - f as i32));
                set_node_next(h, mps, 0);
            }
            h.set(mps, Value::NIL);
        } else {
            // The colliding node is in its main position: chain the new key
            // through the free slot.
            let mnext = node_next(h, mps);
            if mnext != 0 {
                set_node_next(h, fs, (mp as i32 + mnext) - f as i32);
            }
            set_node_next(h, mps, f as i32 - mp as i32);
            mp = f;
        }
    }
    let ns = node_slot(h, t, mp);
    set_node_key(h, ns, key);
    h.set(ns, val);
    Ok(())
}

fn free_position(h: &mut Heap, t: usize) -> Option<u32> {
    let mut lf = lastfree(h, t);
    while lf > 0 {
        lf -= 1;
        let ns = node_slot(h, t, lf);
        if node_key_tag(h, ns) == TAG_NIL {
            set_lastfree(h, t, lf);
            return Some(lf);
        }
    }
    set_lastfree(h, t, 0);
    None
}

/// Array index (1..=MAXASIZE) of an integer key, if it could live in an array part.
fn array_index(k: i64) -> Option<u64> {
    let u = k as u64;
    if u.wrapping_sub(1) < MAXASIZE {
        Some(u)
    } else {
        None
    }
}

fn count_int(k: i64, nums: &mut [u32; MAXABITS as usize + 1]) -> u32 {
    match array_index(k) {
        Some(u) => {
            nums[ceil_log2(u) as usize] += 1;
            1
        }
        None => 0,
    }
}

fn num_use_array(h: &Heap, t: usize, nums: &mut [u32; MAXABITS as usize + 1]) -> u32 {
    let asize = array_size(h, t);
    let mut ause = 0;
    let mut i = 1u32;
    let mut lg = 0u32;
    let mut ttlg = 1u32;
    while lg <= MAXABITS {
        let mut lc = 0;
        let mut lim = ttlg;
        if lim > asize {
            lim = asize;
            if i > lim {
                break;
            }
        }
        while i <= lim {
            if !h.get(array_slot(h, t, i - 1)).is_nil() {
                lc += 1;
            }
            i += 1;
        }
        nums[lg as usize] += lc;
        ause += lc;
        lg += 1;
        ttlg = ttlg.saturating_mul(2);
    }
    ause
}

fn compute_sizes(nums: &[u32; MAXABITS as usize + 1], pna: &mut u32) -> u32 {
    let mut a = 0u32;
    let mut na = 0u32;
    let mut optimal = 0u32;
    let mut i = 0usize;
    let mut twotoi = 1u32;
    while twotoi > 0 && *pna > twotoi / 2 && i <= MAXABITS as usize {
        a += nums[i];
        if a > twotoi / 2 {
            optimal = twotoi;
            na = a;
        }
        i += 1;
        twotoi = twotoi.wrapping_mul(2);
    }
    *pna = na;
    optimal
}

fn rehash(h: &mut Heap, t: usize, extra: Value) -> Result<(), OutOfMemory> {
    let mut nums = [0u32; MAXABITS as usize + 1];
    let mut na = num_use_array(h, t, &mut nums);
    let mut total = na;
    for n in 0..node_count(h, t) {
        let ns = node_slot(h, t, n);
        if !h.get(ns).is_nil() {
            let k = node_key(h, ns);
            if k.tag() == TAG_INT {
                na += count_int(k.as_int_unchecked(), &mut nums);
            }
            total += 1;
        }
    }
    if extra.tag() == TAG_INT {
        na += count_int(extra.as_int_unchecked(), &mut nums);
    }
    total += 1;
    let asize = compute_sizes(&nums, &mut na);
    resize(h, t, asize, total - na)
}

/// Resizes both parts (Lua's `luaH_resize`), re-inserting displaced entries.
pub fn resize(h: &mut Heap, t: usize, new_asize: u32, nhsize: u32) -> Result<(), OutOfMemory> {
    let old_asize = array_size(h, t);
    let old_aoff = array_off(h, t);
    let old_noff = node_off(h, t);
    let old_ncount = node_count(h, t);

    // New hash part.
    let (new_noff, lsize) = if nhsize == 0 {
        (0u32, 0u32)
    } else {
        let lsize = ceil_log2(nhsize as u64);
        if lsize > 30 {
            return Err(OutOfMemory);
        }
        let count = 1u32 << lsize;
        let slots = count.checked_mul(NODE_SLOTS).ok_or(OutOfMemory)?;
        let b = h.alloc_zeroed(1 + slots, KIND_BUFFER, 0)?;
        (slot_offset(b + 1), lsize)
    };
    // New array part.
    let new_aoff = if new_asize == old_asize {
        old_aoff
    } else if new_asize == 0 {
        0
    } else if new_asize > old_asize
        && old_aoff != 0
        && h.grow_in_place(slot_index(old_aoff) as u32 - 1, 1 + new_asize)
    {
        let start = slot_index(old_aoff);
        h.mem[start + old_asize as usize..start + new_asize as usize].fill(Slot::default());
        old_aoff
    } else {
        let b = match h.alloc_zeroed(1 + new_asize, KIND_BUFFER, 0) {
            Ok(b) => b,
            Err(e) => {
                if new_noff != 0 {
                    h.free(new_noff / SLOT_BYTES - 1);
                }
                return Err(e);
            }
        };
        let keep = old_asize.min(new_asize) as usize;
        if keep > 0 {
            let src = slot_index(old_aoff);
            let dst = (b + 1) as usize;
            h.mem.copy_within(src..src + keep, dst);
        }
        slot_offset(b + 1)
    };

    // Install the new parts, then re-insert what no longer fits.
    h.mem[t + 1] = Slot {
        lo: new_aoff as u64 | (new_asize as u64) << 32,
        hi: new_noff as u64 | ((if new_noff == 0 { 0 } else { 1u64 << lsize }) << 32),
    };
    let lo = h.mem[t].lo;
    h.mem[t].lo = (lo & !(0xffu64 << 56)) | (lsize as u64) << 56;

    // Entries of the vanishing array slice.
    if new_asize < old_asize {
        for i in new_asize..old_asize {
            let v = h.get(slot_index(old_aoff) + i as usize);
            if !v.is_nil() {
                reinsert(h, t, Value::int(i as i64 + 1), v)?;
            }
        }
    }
    // Entries of the old hash part.
    for n in 0..old_ncount {
        let ns = slot_index(old_noff) + (n * NODE_SLOTS) as usize;
        let v = h.get(ns);
        if !v.is_nil() {
            let k = node_key(h, ns);
            reinsert(h, t, k, v)?;
        }
    }
    if new_aoff != old_aoff && old_aoff != 0 {
        h.free(old_aoff / SLOT_BYTES - 1);
    }
    if old_noff != 0 {
        h.free(old_noff / SLOT_BYTES - 1);
    }
    Ok(())
}

/// Insertion during a resize: the new parts are sized to hold everything, so
/// this never triggers another rehash.
fn reinsert(h: &mut Heap, t: usize, key: Value, val: Value) -> Result<(), OutOfMemory> {
    match set(h, t, key, val) {
        Ok(()) => Ok(()),
        Err(_) => Err(OutOfMemory),
    }
}

// -- length and traversal -------------------------------------------------------------

/// The border `#t` (Lua 5.4's `luaH_getn` without the `alimit` hint).
pub fn length(h: &Heap, t: usize) -> u64 {
    let limit = array_size(h, t);
    if limit > 0 && h.get(array_slot(h, t, limit - 1)).is_nil() {
        if limit >= 2 && !h.get(array_slot(h, t, limit - 2)).is_nil() {
            return (limit - 1) as u64;
        }
        // Binary search for a border in [0, limit].
        let (mut i, mut j) = (0u32, limit);
        while j - i > 1 {
            let m = (i + j) / 2;
            if h.get(array_slot(h, t, m - 1)).is_nil() {
                j = m;
            } else {
                i = m;
            }
        }
        return i as u64;
    }
    if node_off(h, t) == 0 || get_int(h, t, limit as i64 + 1).is_nil() {
        return limit as u64;
    }
    hash_search(h, t, limit as u64)
}

fn hash_search(h: &Heap, t: usize, mut j: u64) -> u64 {
    let mut i;
    if j == 0 {
        j = 1;
    }
    loop {
        i = j;
        if j <= i64::MAX as u64 / 2 {
            j *= 2;
        } else {
            j = i64::MAX as u64;
            if get_int(h, t, j as i64).is_nil() {
                break;
            }
            return j;
        }
        if get_int(h, t, j as i64).is_nil() {
            break;
        }
    }
    while j - i > 1 {
        let m = (i + j) / 2;
        if get_int(h, t, m as i64).is_nil() {
            j = m;
        } else {
            i = m;
        }
    }
    i
}

/// Result of [`next`].
pub enum Next {
    /// The following entry.
    Entry(Value, Value),
    /// Traversal is over.
    End,
    /// The key is not in the table ("invalid key to 'next'").
    InvalidKey,
}

/// Lua's `next`: the entry after `key` (`nil` = first entry).
pub fn next(h: &Heap, t: usize, key: Value) -> Next {
    let asize = array_size(h, t);
    // Position after which to continue: 0..asize are array slots, then nodes.
    let mut i: u64 = match key.tag() {
        TAG_NIL => 0,
        _ => {
            let k = normalize_key(key);
            match k.as_int() {
                Some(ik) if (ik as u64).wrapping_sub(1) < asize as u64 => ik as u64,
                _ => match find_node_dead_ok(h, t, k) {
                    Some(n) => asize as u64 + n as u64 + 1,
                    None => return Next::InvalidKey,
                },
            }
        }
    };
    while i < asize as u64 {
        let v = h.get(array_slot(h, t, i as u32));
        if !v.is_nil() {
            return Next::Entry(Value::int(i as i64 + 1), v);
        }
        i += 1;
    }
    let ncount = node_count(h, t) as u64;
    let mut n = i - asize as u64;
    while n < ncount {
        let ns = node_slot(h, t, n as u32);
        let v = h.get(ns);
        if !v.is_nil() {
            return Next::Entry(node_key(h, ns), v);
        }
        n += 1;
    }
    Next::End
}

/// Like `find_node` but also matches keys the collector marked dead (by identity).
fn find_node_dead_ok(h: &Heap, t: usize, key: Value) -> Option<u32> {
    if node_off(h, t) == 0 {
        return None;
    }
    let mut n = main_position(h, t, key);
    loop {
        let ns = node_slot(h, t, n);
        let nk = node_key(h, ns);
        if keys_equal(h, nk, key)
            || (nk.tag() == TAG_DEADKEY && key.is_collectable() && nk.payload() == key.payload())
        {
            return Some(n);
        }
        let next = node_next(h, ns);
        if next == 0 {
            return None;
        }
        n = (n as i32 + next) as u32;
    }
}

// -- collector support ------------------------------------------------------------------

/// Calls `f` with every value and live key the table holds, marks its
/// buffers, and turns keys of removed entries into dead keys.
pub fn traverse(h: &mut Heap, t: usize, mut f: impl FnMut(Value)) {
    let aoff = array_off(h, t);
    if aoff != 0 {
        h.mark(slot_index(aoff) - 1);
        let start = slot_index(aoff);
        for i in 0..array_size(h, t) as usize {
            let v = h.get(start + i);
            if v.is_collectable() {
                f(v);
            }
        }
    }
    let noff = node_off(h, t);
    if noff != 0 {
        h.mark(slot_index(noff) - 1);
        for n in 0..node_count(h, t) {
            let ns = node_slot(h, t, n);
            let v = h.get(ns);
            if v.is_nil() {
                let kt = node_key_tag(h, ns);
                if tag_is_collectable(kt) {
                    let hi = h.mem[ns + 1].hi;
                    h.mem[ns + 1].hi = (hi & !0xff) | TAG_DEADKEY;
                }
                continue;
            }
            let k = node_key(h, ns);
            if k.is_collectable() {
                f(k);
            }
            if v.is_collectable() {
                f(v);
            }
        }
    }
    let mt = metatable(h, t);
    if mt != 0 {
        f(Value::object(TAG_TABLE, mt));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte offsets compiled code uses (`layout::TABLE_*`, `NODE_*`,
    /// `STRING_HASH_BYTE`) agree with the accessors here.
    #[test]
    fn field_offsets_match_the_accessors() {
        let mut h = Heap::new(1 << 20);
        let t = new_table(&mut h, 0, 4).unwrap();
        let mt = new_table(&mut h, 0, 0).unwrap();
        set_metatable(&mut h, t, slot_offset(mt as u32));
        set_tm_absent(&mut h, t, 3);
        let s = h.new_string(b"field").unwrap() as usize;
        let key = Value::object(TAG_STR, slot_offset(s as u32));
        set(&mut h, t, key, Value::int(7)).unwrap();
        let base = slot_offset(t as u32) as usize;
        let b = h.bytes();
        let word = |at: usize| u32::from_le_bytes(b[at..at + 4].try_into().unwrap());
        assert_eq!(word(base + TABLE_METATABLE_BYTE as usize), metatable(&h, t));
        assert_eq!(b[base + TABLE_TM_FLAGS_BYTE as usize], tm_flags(&h, t));
        assert_eq!(
            1u32 << b[base + TABLE_LSIZENODE_BYTE as usize],
            node_count(&h, t)
        );
        assert_eq!(word(base + TABLE_NODES_BYTE as usize), node_off(&h, t));
        let sb = slot_offset(s as u32) as usize;
        assert_eq!(word(sb + STRING_HASH_BYTE as usize), h.str_hash(s));
        assert_eq!(word(sb + STRING_LEN_BYTE as usize) as usize, h.str_len(s));
        let vs = str_slot(&h, t, s).unwrap();
        let node = slot_offset(vs as u32) as usize;
        assert_eq!(h.get(vs), Value::int(7));
        assert_eq!(word(node + NODE_KEY_BYTE as usize), key.offset());
        assert_eq!(b[node + NODE_KEY_TAG_BYTE as usize] as u64, TAG_STR);
        assert_eq!(
            word(node + NODE_NEXT_BYTE as usize) as i32,
            node_next(&h, vs)
        );
        assert_eq!(NODE_BYTES, 32);
    }

    #[test]
    fn sequences_go_to_the_array_part_and_length_is_a_border() {
        let mut h = Heap::new(1 << 20);
        let t = new_table(&mut h, 0, 0).unwrap();
        for i in 1..=100 {
            set(&mut h, t, Value::int(i), Value::int(i * 10)).unwrap();
        }
        assert_eq!(length(&h, t), 100);
        assert!(array_size(&h, t) >= 64);
        assert_eq!(get_int(&h, t, 37), Value::int(370));
        set(&mut h, t, Value::int(100), Value::NIL).unwrap();
        assert_eq!(length(&h, t), 99);
    }

    #[test]
    fn string_and_float_keys() {
        let mut h = Heap::new(1 << 20);
        let t = new_table(&mut h, 0, 0).unwrap();
        let mut keys = vec![];
        for i in 0..50 {
            let s = h.new_string(format!("key{i}").as_bytes()).unwrap();
            keys.push(s);
            set(
                &mut h,
                t,
                Value::object(TAG_STR, slot_offset(s)),
                Value::int(i),
            )
            .unwrap();
        }
        for (i, s) in keys.iter().enumerate() {
            assert_eq!(get_str(&h, t, *s as usize), Value::int(i as i64));
        }
        set(&mut h, t, Value::float(2.0), Value::TRUE).unwrap();
        assert_eq!(get_int(&h, t, 2), Value::TRUE);
        set(&mut h, t, Value::float(2.5), Value::FALSE).unwrap();
        assert_eq!(get(&h, t, Value::float(2.5)), Value::FALSE);
        assert_eq!(
            set(&mut h, t, Value::float(f64::NAN), Value::TRUE),
            Err(TableError::NanKey)
        );
        // next visits every entry exactly once.
        let mut count = 0;
        let mut k = Value::NIL;
        while let Next::Entry(nk, _) = next(&h, t, k) {
            count += 1;
            k = nk;
        }
        assert_eq!(count, 52);
    }

    #[test]
    fn hash_float_matches_lua() {
        // Values computed with Lua 5.4's l_hashfloat.
        assert_eq!(hash_float(0.5), 1073741824);
        assert_eq!(hash_float(f64::INFINITY), 0);
    }
}
