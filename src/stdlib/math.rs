//! The `math` library (`lmathlib.c` of Lua 5.4.4), including its
//! xoshiro256** pseudo-random generator, so that `math.randomseed(n)`
//! produces the same `math.random` sequences as lua5.4.
//!
//! Integer/float result types follow lua5.4 exactly: functions that accept
//! integers (`abs`, `floor`, `ceil`, `fmod`, `modf`, `max`, `min`) keep an
//! integer argument an integer; `floor`/`ceil` of a float produce an integer
//! when the result fits (`pushnumint`).

use crate::vm::layout::*;
use crate::vm::{Args, Throw, Value, Vm};

/// Installs `math` into the globals table.
pub fn open(vm: &mut Vm) -> Result<Value, Throw> {
    let t = vm.new_table(0, 32)?;
    vm.set_global("math", t)?;
    let fns: [(&'static str, crate::vm::NativeFn); 23] = [
        ("abs", abs),
        ("ceil", ceil),
        ("floor", floor),
        ("fmod", fmod),
        ("modf", modf),
        ("sqrt", sqrt),
        ("exp", exp),
        ("log", log),
        ("sin", sin),
        ("cos", cos),
        ("tan", tan),
        ("asin", asin),
        ("acos", acos),
        ("atan", atan),
        ("tointeger", tointeger),
        ("type", type_),
        ("ult", ult),
        ("max", max),
        ("min", min),
        ("random", random),
        ("randomseed", randomseed),
        ("deg", deg),
        ("rad", rad),
    ];
    for (name, f) in fns {
        vm.set_native(t, name, f)?;
    }
    // LUA_COMPAT_MATHLIB: the reference lua5.4 (Debian's build, with
    // LUA_COMPAT_5_3) keeps these 5.3 functions.
    let compat: [(&'static str, crate::vm::NativeFn); 8] = [
        ("cosh", cosh),
        ("sinh", sinh),
        ("tanh", tanh),
        ("pow", pow),
        ("frexp", frexp),
        ("ldexp", ldexp),
        ("log10", log10),
        ("atan2", atan),
    ];
    for (name, f) in compat {
        vm.set_native(t, name, f)?;
    }
    vm.raw_set_str(t, "pi", Value::float(std::f64::consts::PI))?;
    vm.raw_set_str(t, "huge", Value::float(f64::INFINITY))?;
    vm.raw_set_str(t, "maxinteger", Value::int(i64::MAX))?;
    vm.raw_set_str(t, "mininteger", Value::int(i64::MIN))?;
    // Like lua5.4, the generator starts from a time-dependent seed.
    let seed = time_seed();
    vm.libs.rng = Xoshiro::seeded(seed.0, seed.1);
    Ok(t)
}

/// `lua_Number` argument `i` as a float (`luaL_checknumber`).
fn num(vm: &mut Vm, a: Args, i: u32) -> Result<f64, Throw> {
    let v = vm.check_number(a, i)?;
    Ok(v.as_f64().unwrap_or(0.0))
}

/// `lua_isinteger`: an actual integer value (not a numeric string).
fn is_int(vm: &Vm, a: Args, i: u32) -> Option<i64> {
    vm.arg(a, i).as_int()
}

/// `pushnumint`: an integer when the float fits, else the float.
fn numint(d: f64) -> Value {
    if (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&d) {
        Value::int(d as i64)
    } else {
        Value::float(d)
    }
}

fn abs(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    if let Some(n) = is_int(vm, a, 1) {
        return vm.ret(&[Value::int(n.wrapping_abs())]);
    }
    let x = num(vm, a, 1)?;
    vm.ret(&[Value::float(x.abs())])
}

fn floor(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    if let Some(n) = is_int(vm, a, 1) {
        return vm.ret(&[Value::int(n)]);
    }
    let x = num(vm, a, 1)?;
    vm.ret(&[numint(x.floor())])
}

fn ceil(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    if let Some(n) = is_int(vm, a, 1) {
        return vm.ret(&[Value::int(n)]);
    }
    let x = num(vm, a, 1)?;
    vm.ret(&[numint(x.ceil())])
}

fn fmod(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    if let (Some(m), Some(d)) = (is_int(vm, a, 1), is_int(vm, a, 2)) {
        if (d as u64).wrapping_add(1) <= 1 {
            // Special cases -1 and 0: avoid overflow of MININT % -1.
            if d == 0 {
                return Err(vm.arg_error_at(2, "zero"));
            }
            return vm.ret(&[Value::int(0)]);
        }
        // C's `%` truncates toward zero, as Rust's does.
        return vm.ret(&[Value::int(m % d)]);
    }
    let x = num(vm, a, 1)?;
    let y = num(vm, a, 2)?;
    vm.ret(&[Value::float(x % y)])
}

fn modf(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    if let Some(n) = is_int(vm, a, 1) {
        return vm.ret(&[Value::int(n), Value::float(0.0)]);
    }
    let n = num(vm, a, 1)?;
    let ip = if n < 0.0 { n.ceil() } else { n.floor() };
    // The test keeps inf/-inf from producing NaN as fraction.
    let frac = if n == ip { 0.0 } else { n - ip };
    vm.ret(&[numint(ip), Value::float(frac)])
}

macro_rules! float_fn {
    ($name:ident, $e:expr) => {
        fn $name(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
            let x = num(vm, a, 1)?;
            let f: fn(f64) -> f64 = $e;
            vm.ret(&[Value::float(f(x))])
        }
    };
}

float_fn!(sqrt, f64::sqrt);
float_fn!(exp, f64::exp);
float_fn!(sin, f64::sin);
float_fn!(cos, f64::cos);
float_fn!(tan, f64::tan);
float_fn!(asin, f64::asin);
float_fn!(acos, f64::acos);
float_fn!(cosh, f64::cosh);
float_fn!(sinh, f64::sinh);
float_fn!(tanh, f64::tanh);
float_fn!(log10, f64::log10);

fn pow(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let x = num(vm, a, 1)?;
    let y = num(vm, a, 2)?;
    vm.ret(&[Value::float(crate::vm::meta::pow(x, y))])
}

/// C `frexp`: `x = m * 2^e` with `0.5 <= |m| < 1`.
fn frexp_f(x: f64) -> (f64, i64) {
    if x == 0.0 || !x.is_finite() {
        return (x, 0);
    }
    let (x, adj) = if x.abs() < f64::MIN_POSITIVE {
        (x * 2f64.powi(64), -64)
    } else {
        (x, 0)
    };
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64 - 1022;
    let m = f64::from_bits((bits & !(0x7ffu64 << 52)) | (1022u64 << 52));
    (m, exp + adj)
}

fn frexp(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let x = num(vm, a, 1)?;
    let (m, e) = frexp_f(x);
    vm.ret(&[Value::float(m), Value::int(e)])
}

fn ldexp(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let x = num(vm, a, 1)?;
    let e = vm.check_int(a, 2)? as i32;
    // Scale in steps so huge exponents saturate instead of overflowing powi.
    let mut r = x;
    let mut e = e as i64;
    while e > 1000 {
        r *= 2f64.powi(1000);
        e -= 1000;
    }
    while e < -1000 {
        r *= 2f64.powi(-1000);
        e += 1000;
    }
    vm.ret(&[Value::float(r * 2f64.powi(e as i32))])
}

float_fn!(deg, |x| x * (180.0 / std::f64::consts::PI));
float_fn!(rad, |x| x * (std::f64::consts::PI / 180.0));

fn log(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let x = num(vm, a, 1)?;
    let r = if vm.arg(a, 2).is_nil() {
        x.ln()
    } else {
        let base = num(vm, a, 2)?;
        if base == 2.0 {
            x.log2()
        } else if base == 10.0 {
            x.log10()
        } else {
            x.ln() / base.ln()
        }
    };
    vm.ret(&[Value::float(r)])
}

fn atan(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let y = num(vm, a, 1)?;
    let x = if vm.arg(a, 2).is_nil() {
        1.0
    } else {
        num(vm, a, 2)?
    };
    vm.ret(&[Value::float(y.atan2(x))])
}

fn tointeger(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let v = vm.arg(a, 1);
    // lua_tointegerx: integers, integral floats and numeric strings.
    if let Some(n) = vm.to_integer_strict(v) {
        return vm.ret(&[Value::int(n)]);
    }
    vm.check_any(a, 1)?;
    vm.ret(&[Value::NIL])
}

fn type_(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let v = vm.check_any(a, 1)?;
    let name: &[u8] = match v.tag() {
        TAG_INT => b"integer",
        TAG_FLOAT => b"float",
        _ => return vm.ret(&[Value::NIL]),
    };
    let s = vm.new_string(name)?;
    vm.ret(&[s])
}

fn ult(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let x = vm.check_int(a, 1)?;
    let y = vm.check_int(a, 2)?;
    vm.ret(&[Value::bool((x as u64) < (y as u64))])
}

/// `math.max`/`math.min` (lua5.4.4 does not require numbers: it compares
/// with `lua_compare`, so `math.min("a", "b")` is `"a"`); the first extreme
/// argument wins.
fn extreme(vm: &mut Vm, a: Args, want_max: bool) -> Result<u32, Throw> {
    if a.n < 1 {
        return Err(vm.arg_error_at(1, "value expected"));
    }
    let mut best_i = 1;
    for i in 2..=a.n {
        let best = vm.arg(a, best_i);
        let v = vm.arg(a, i);
        let better = if want_max {
            vm.less(best, v, false)?
        } else {
            vm.less(v, best, false)?
        };
        if better {
            best_i = i;
        }
    }
    let r = vm.arg(a, best_i);
    vm.ret(&[r])
}

fn max(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    extreme(vm, a, true)
}

fn min(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    extreme(vm, a, false)
}

// -- pseudo-random numbers -----------------------------------------------------------

/// xoshiro256** state, as in lmathlib.c.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Xoshiro(pub [u64; 4]);

impl Xoshiro {
    /// `setseed`: the state lua5.4 derives from the seed pair `(n1, n2)`.
    pub fn seeded(n1: u64, n2: u64) -> Xoshiro {
        let mut x = Xoshiro([n1, 0xff, n2, 0]);
        for _ in 0..16 {
            x.next_u64(); // discard initial values to "spread" the seed
        }
        x
    }

    /// `nextrand`.
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.0;
        let s0 = s[0];
        let s1 = s[1];
        let s2 = s[2] ^ s0;
        let s3 = s[3] ^ s1;
        let res = s1.wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        s[0] = s0 ^ s3;
        s[1] = s1 ^ s2;
        s[2] = s2 ^ (s1 << 17);
        s[3] = s3.rotate_left(45);
        res
    }

    /// `I2d`: a float in [0, 1) from the high 53 bits.
    pub fn to_float(r: u64) -> f64 {
        (r >> 11) as f64 * (0.5f64).powi(53)
    }

    /// `project`: a value in `[0, n]` from `ran`, drawing again (rejection
    /// sampling) when the masked value falls outside.
    pub fn project(&mut self, ran: u64, n: u64) -> u64 {
        if n & n.wrapping_add(1) == 0 {
            return ran & n; // n + 1 is a power of 2
        }
        let mut lim = n;
        lim |= lim >> 1;
        lim |= lim >> 2;
        lim |= lim >> 4;
        lim |= lim >> 8;
        lim |= lim >> 16;
        lim |= lim >> 32;
        let mut ran = ran & lim;
        while ran > n {
            ran = self.next_u64() & lim;
        }
        ran
    }
}

/// A seed pair from the clock, standing in for lua5.4's `time(NULL)` and
/// state address.
fn time_seed() -> (u64, u64) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let addr = &now as *const _ as u64;
    (now.as_secs(), now.subsec_nanos() as u64 ^ addr)
}

fn random(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let rv = vm.libs.rng.next_u64();
    let (low, up) = match a.n {
        0 => return vm.ret(&[Value::float(Xoshiro::to_float(rv))]),
        1 => {
            let up = vm.check_int(a, 1)?;
            if up == 0 {
                return vm.ret(&[Value::int(rv as i64)]); // full random integer
            }
            (1, up)
        }
        2 => (vm.check_int(a, 1)?, vm.check_int(a, 2)?),
        _ => return Err(vm.error_l("wrong number of arguments")),
    };
    if low > up {
        return Err(vm.arg_error_at(1, "interval is empty"));
    }
    let p = vm
        .libs
        .rng
        .project(rv, (up as u64).wrapping_sub(low as u64));
    vm.ret(&[Value::int(p.wrapping_add(low as u64) as i64)])
}

fn randomseed(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let (n1, n2) = if a.n == 0 {
        time_seed()
    } else {
        let n1 = vm.check_int(a, 1)?;
        let n2 = vm.opt_int(a, 2, 0)?;
        (n1 as u64, n2 as u64)
    };
    vm.libs.rng = Xoshiro::seeded(n1, n2);
    vm.ret(&[Value::int(n1 as i64), Value::int(n2 as i64)])
}

#[cfg(test)]
mod tests {
    use super::Xoshiro;

    #[test]
    fn project_power_of_two_masks() {
        let mut x = Xoshiro::seeded(1, 0);
        assert_eq!(x.project(0xffff_ffff_ffff_ffff, 7), 7);
    }
}
