//! Lua values as they are stored in guest memory: a 16-byte [`Slot`] holding
//! a payload and a tag (see [`super::layout`]).

use super::layout::*;

/// A Lua value: exactly the bytes of a value slot in guest memory.
///
/// Copying a `Value` copies the slot; heap references inside it are plain
/// offsets, so a `Value` held only in Rust is *not* a GC root (see
/// `Vm::root`-style APIs for values that must survive a collection).
#[derive(Clone, Copy, PartialEq, Eq, Default)]
#[repr(transparent)]
pub struct Value(pub Slot);

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.tag() {
            TAG_NIL => write!(f, "nil"),
            TAG_FALSE => write!(f, "false"),
            TAG_TRUE => write!(f, "true"),
            TAG_INT => write!(f, "{}", self.0.lo as i64),
            TAG_FLOAT => write!(f, "{:?}", f64::from_bits(self.0.lo)),
            t => write!(f, "<tag {t} @{:#x}>", self.0.lo),
        }
    }
}

impl Value {
    /// `nil`.
    pub const NIL: Value = Value(Slot { lo: 0, hi: TAG_NIL });
    /// `false`.
    pub const FALSE: Value = Value(Slot {
        lo: 0,
        hi: TAG_FALSE,
    });
    /// `true`.
    pub const TRUE: Value = Value(Slot {
        lo: 1,
        hi: TAG_TRUE,
    });

    /// Builds a value from a tag and payload.
    #[inline(always)]
    pub const fn new(tag: u64, payload: u64) -> Value {
        Value(Slot {
            lo: payload,
            hi: tag,
        })
    }
    /// An integer.
    #[inline(always)]
    pub const fn int(i: i64) -> Value {
        Value::new(TAG_INT, i as u64)
    }
    /// A float.
    #[inline(always)]
    pub fn float(f: f64) -> Value {
        Value::new(TAG_FLOAT, f.to_bits())
    }
    /// A boolean.
    #[inline(always)]
    pub const fn bool(b: bool) -> Value {
        if b { Value::TRUE } else { Value::FALSE }
    }
    /// A reference to a heap object of a collectable type.
    #[inline(always)]
    pub const fn object(tag: u64, offset: u32) -> Value {
        Value::new(tag, offset as u64)
    }

    /// The tag.
    #[inline(always)]
    pub const fn tag(self) -> u64 {
        self.0.hi
    }
    /// The raw payload.
    #[inline(always)]
    pub const fn payload(self) -> u64 {
        self.0.lo
    }
    /// Heap offset of an object reference.
    #[inline(always)]
    pub const fn offset(self) -> u32 {
        self.0.lo as u32
    }
    /// Integer payload (meaningful when the tag is INT).
    #[inline(always)]
    pub const fn as_int_unchecked(self) -> i64 {
        self.0.lo as i64
    }
    /// Float payload (meaningful when the tag is FLOAT).
    #[inline(always)]
    pub fn as_float_unchecked(self) -> f64 {
        f64::from_bits(self.0.lo)
    }

    /// `nil` or `false`.
    #[inline(always)]
    pub const fn is_falsy(self) -> bool {
        self.0.hi <= TAG_FALSE
    }
    /// `nil`.
    #[inline(always)]
    pub const fn is_nil(self) -> bool {
        self.0.hi == TAG_NIL
    }
    /// Integer or float.
    #[inline(always)]
    pub const fn is_number(self) -> bool {
        self.0.hi.wrapping_sub(TAG_INT) < 2
    }
    /// A string.
    #[inline(always)]
    pub const fn is_string(self) -> bool {
        self.0.hi == TAG_STR
    }
    /// A table.
    #[inline(always)]
    pub const fn is_table(self) -> bool {
        self.0.hi == TAG_TABLE
    }
    /// Any kind of function.
    #[inline(always)]
    pub const fn is_function(self) -> bool {
        matches!(self.0.hi, TAG_LFUNC | TAG_NFUNC | TAG_NCLOSURE)
    }
    /// Whether the payload references a heap object.
    #[inline(always)]
    pub const fn is_collectable(self) -> bool {
        tag_is_collectable(self.0.hi)
    }

    /// The integer, if this is an integer value.
    #[inline(always)]
    pub const fn as_int(self) -> Option<i64> {
        if self.0.hi == TAG_INT {
            Some(self.0.lo as i64)
        } else {
            None
        }
    }
    /// The number as a float, if this is a number value.
    #[inline(always)]
    pub fn as_f64(self) -> Option<f64> {
        match self.0.hi {
            TAG_INT => Some(self.0.lo as i64 as f64),
            TAG_FLOAT => Some(f64::from_bits(self.0.lo)),
            _ => None,
        }
    }

    /// Lua's type name (`type(v)`).
    pub const fn type_name(self) -> &'static str {
        type_name_of_tag(self.0.hi)
    }
}

/// Lua's type name for a tag.
pub const fn type_name_of_tag(tag: u64) -> &'static str {
    match tag {
        TAG_NIL => "nil",
        TAG_FALSE | TAG_TRUE => "boolean",
        TAG_INT | TAG_FLOAT => "number",
        TAG_STR => "string",
        TAG_TABLE => "table",
        TAG_LFUNC | TAG_NFUNC | TAG_NCLOSURE => "function",
        TAG_THREAD => "thread",
        TAG_LIGHTUD | TAG_USERDATA => "userdata",
        _ => "no value",
    }
}
