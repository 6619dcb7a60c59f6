//! The `os` library (`loslib.c` of Lua 5.4.4).
//!
//! Dates are computed without libc: the proleptic Gregorian calendar in
//! UTC. lua5.4 uses the local time zone for `os.date` without `!` and for
//! `os.time{...}`; slotjit treats local time as UTC (which is what lua5.4
//! does on a machine whose zone is UTC, as the test machines are).
//! `strftime` conversions are those of the C/POSIX locale.
//!
//! `os.exit` does not end the process: it records the exit status in
//! [`super::LibState::exit_code`] and raises an error that unwinds to the
//! embedder (the CLI checks the status and exits with it).

use crate::vm::layout::*;
use crate::vm::meta::Origin;
use crate::vm::{Args, Throw, Value, Vm};

/// Installs `os`. `full` adds the functions the sandbox lacks
/// (`execute`, `exit`, `getenv`, `remove`, `rename`, `tmpname`).
pub fn open(vm: &mut Vm, full: bool) -> Result<Value, Throw> {
    let t = vm.new_table(0, 16)?;
    vm.set_global("os", t)?;
    vm.set_native(t, "clock", clock)?;
    vm.set_native(t, "date", date)?;
    vm.set_native(t, "difftime", difftime)?;
    vm.set_native(t, "time", time)?;
    vm.set_native(t, "setlocale", setlocale)?;
    if full {
        vm.set_native(t, "execute", execute)?;
        vm.set_native(t, "exit", exit)?;
        vm.set_native(t, "getenv", getenv)?;
        vm.set_native(t, "remove", remove)?;
        vm.set_native(t, "rename", rename)?;
        vm.set_native(t, "tmpname", tmpname)?;
    }
    Ok(t)
}

/// The instant `os.clock` counts from (first use in the process).
fn clock_origin() -> std::time::Instant {
    static ORIGIN: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    *ORIGIN.get_or_init(std::time::Instant::now)
}

/// `os.clock`: processor time in lua5.4; here the elapsed time since the
/// library was first opened in this process (the runtime is
/// single-threaded, so the two agree up to time spent blocked).
fn clock(vm: &mut Vm, _a: Args) -> Result<u32, Throw> {
    let s = clock_origin().elapsed().as_secs_f64();
    vm.ret(&[Value::float(s)])
}

/// Touches the clock origin so `os.clock` starts near zero at start-up.
pub fn init_clock() {
    let _ = clock_origin();
}

fn now() -> i64 {
    match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

// -- calendar ----------------------------------------------------------------------------

/// Broken-down time (`struct tm` with a full year and 1-based month).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tm {
    /// Full year.
    pub year: i64,
    /// 1..=12.
    pub month: i64,
    /// 1..=31.
    pub day: i64,
    /// 0..=23.
    pub hour: i64,
    /// 0..=59.
    pub min: i64,
    /// 0..=60.
    pub sec: i64,
    /// Day of the week, 0 = Sunday.
    pub wday: i64,
    /// Day of the year, 0-based.
    pub yday: i64,
}

/// Days since 1970-01-01 of a civil date (month 1-based).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// Civil date of a day number.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z.rem_euclid(146097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `gmtime`; `None` when the year does not fit C's `int tm_year`.
pub fn gmtime(t: i64) -> Option<Tm> {
    let days = t.div_euclid(86400);
    let secs = t.rem_euclid(86400);
    let (year, month, day) = civil_from_days(days);
    if year - 1900 > i32::MAX as i64 || year - 1900 < i32::MIN as i64 {
        return None;
    }
    Some(Tm {
        year,
        month,
        day,
        hour: secs / 3600,
        min: secs % 3600 / 60,
        sec: secs % 60,
        wday: (days + 4).rem_euclid(7),
        yday: days - days_from_civil(year, 1, 1),
    })
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

// -- os.date -------------------------------------------------------------------------------

const WDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Valid conversions (`LUA_STRFTIMEOPTIONS` for C99): one-character ones,
/// then two-character ones after `||`.
const OPTIONS_1: &[u8] = b"aAbBcCdDeFgGhHIjmMnprRStTuUVwWxXyYzZ%";
const OPTIONS_2: [&[u8]; 19] = [
    b"Ec", b"EC", b"Ex", b"EX", b"Ey", b"EY", b"Od", b"Oe", b"OH", b"OI", b"Om", b"OM", b"OS",
    b"Ou", b"OU", b"OV", b"Ow", b"OW", b"Oy",
];

/// glibc's `iso_week_days`.
fn iso_week_days(yday: i64, wday: i64) -> i64 {
    let big = (366 / 7 + 2) * 7;
    yday - (yday - wday + 4 + big) % 7 + 4 - 1
}

/// ISO 8601 week-based year and week number.
fn iso_week(tm: &Tm) -> (i64, i64) {
    let mut year = tm.year;
    let mut days = iso_week_days(tm.yday, tm.wday);
    if days < 0 {
        year -= 1;
        days = iso_week_days(tm.yday + 365 + is_leap(year) as i64, tm.wday);
    } else {
        let d = iso_week_days(tm.yday - (365 + is_leap(year) as i64), tm.wday);
        if d >= 0 {
            year += 1;
            days = d;
        }
    }
    (year, days / 7 + 1)
}

/// `strftime` of one conversion character in the C locale.
fn strftime1(out: &mut Vec<u8>, c: u8, tm: &Tm, utc: bool) {
    use std::io::Write;
    let hour12 = if tm.hour % 12 == 0 { 12 } else { tm.hour % 12 };
    let _ = match c {
        b'a' => write!(out, "{}", &WDAYS[tm.wday as usize][..3]),
        b'A' => write!(out, "{}", WDAYS[tm.wday as usize]),
        b'b' | b'h' => write!(out, "{}", &MONTHS[tm.month as usize - 1][..3]),
        b'B' => write!(out, "{}", MONTHS[tm.month as usize - 1]),
        b'c' => {
            strftime_str(out, b"%a %b %e %H:%M:%S %Y", tm, utc);
            Ok(())
        }
        b'C' => write!(out, "{:02}", tm.year.div_euclid(100)),
        b'd' => write!(out, "{:02}", tm.day),
        b'D' | b'x' => {
            strftime_str(out, b"%m/%d/%y", tm, utc);
            Ok(())
        }
        b'e' => write!(out, "{:2}", tm.day),
        b'F' => {
            strftime_str(out, b"%Y-%m-%d", tm, utc);
            Ok(())
        }
        b'g' => write!(out, "{:02}", iso_week(tm).0.rem_euclid(100)),
        b'G' => write!(out, "{}", iso_week(tm).0),
        b'H' => write!(out, "{:02}", tm.hour),
        b'I' => write!(out, "{:02}", hour12),
        b'j' => write!(out, "{:03}", tm.yday + 1),
        b'm' => write!(out, "{:02}", tm.month),
        b'M' => write!(out, "{:02}", tm.min),
        b'n' => out.write_all(b"\n"),
        b'p' => write!(out, "{}", if tm.hour < 12 { "AM" } else { "PM" }),
        b'r' => {
            strftime_str(out, b"%I:%M:%S %p", tm, utc);
            Ok(())
        }
        b'R' => {
            strftime_str(out, b"%H:%M", tm, utc);
            Ok(())
        }
        b'S' => write!(out, "{:02}", tm.sec),
        b't' => write!(out, "\t"),
        b'T' | b'X' => {
            strftime_str(out, b"%H:%M:%S", tm, utc);
            Ok(())
        }
        b'u' => write!(out, "{}", if tm.wday == 0 { 7 } else { tm.wday }),
        b'U' => write!(out, "{:02}", (tm.yday + 7 - tm.wday) / 7),
        b'V' => write!(out, "{:02}", iso_week(tm).1),
        b'w' => write!(out, "{}", tm.wday),
        b'W' => write!(out, "{:02}", (tm.yday + 7 - (tm.wday + 6) % 7) / 7),
        b'y' => write!(out, "{:02}", tm.year.rem_euclid(100)),
        b'Y' => write!(out, "{}", tm.year),
        b'z' => write!(out, "+0000"),
        b'Z' => write!(out, "{}", if utc { "GMT" } else { "UTC" }),
        b'%' => write!(out, "%"),
        _ => Ok(()),
    };
}

/// Expands a format known to be valid (used for composite conversions).
fn strftime_str(out: &mut Vec<u8>, fmt: &[u8], tm: &Tm, utc: bool) {
    let mut i = 0;
    while i < fmt.len() {
        if fmt[i] == b'%' && i + 1 < fmt.len() {
            strftime1(out, fmt[i + 1], tm, utc);
            i += 2;
        } else {
            out.push(fmt[i]);
            i += 1;
        }
    }
}

/// `l_checktime`: an integer time argument.
fn check_time(vm: &mut Vm, a: Args, i: u32) -> Result<i64, Throw> {
    vm.check_int(a, i)
}

fn date(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let fmt = match vm.opt_string(a, 1)? {
        Some(s) => vm.str_bytes(s).to_vec(),
        None => b"%c".to_vec(),
    };
    let t = if vm.arg(a, 2).is_nil() {
        now()
    } else {
        check_time(vm, a, 2)?
    };
    let (utc, s) = match fmt.split_first() {
        Some((b'!', rest)) => (true, rest),
        _ => (false, &fmt[..]),
    };
    let Some(tm) = gmtime(t) else {
        return Err(vm.error_l("date result cannot be represented in this installation"));
    };
    if s == b"*t" {
        let t = vm.new_table(0, 9)?;
        vm.push(t)?;
        set_all_fields(vm, t, &tm)?;
        return Ok(1);
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        if s[i] != b'%' {
            out.push(s[i]);
            i += 1;
            continue;
        }
        i += 1;
        let rest = &s[i..];
        if let Some(&c) = rest.first().filter(|c| OPTIONS_1.contains(c)) {
            strftime1(&mut out, c, &tm, utc);
            i += 1;
        } else if rest.len() >= 2 && OPTIONS_2.contains(&&rest[..2]) {
            // E and O modifiers change nothing in the C locale.
            strftime1(&mut out, rest[1], &tm, utc);
            i += 2;
        } else {
            let msg = format!(
                "invalid conversion specifier '%{}'",
                String::from_utf8_lossy(rest)
            );
            return Err(vm.arg_error_at(1, &msg));
        }
    }
    let r = vm.new_string(&out)?;
    vm.ret(&[r])
}

/// `setallfields`: stores a broken-down time into table `t`.
fn set_all_fields(vm: &mut Vm, t: Value, tm: &Tm) -> Result<(), Throw> {
    for (k, v) in [
        ("year", tm.year),
        ("month", tm.month),
        ("day", tm.day),
        ("hour", tm.hour),
        ("min", tm.min),
        ("sec", tm.sec),
        ("yday", tm.yday + 1),
        ("wday", tm.wday + 1),
    ] {
        let key = vm.new_string(k.as_bytes())?;
        vm.set_index(t, key, Value::int(v), Origin::None)?;
    }
    let key = vm.new_string(b"isdst")?;
    vm.set_index(t, key, Value::FALSE, Origin::None)
}

/// `getfield`: integer field `key` of the table at argument 1, minus
/// `delta`, checked to fit C's `int`.
fn get_field(
    vm: &mut Vm,
    t: Value,
    key: &str,
    default: Option<i64>,
    delta: i64,
) -> Result<i64, Throw> {
    let k = vm.new_string(key.as_bytes())?;
    let v = vm.index(t, k, Origin::None)?;
    match vm.to_integer_strict(v) {
        Some(res) => {
            let fits = if res >= 0 {
                res - delta <= i32::MAX as i64
            } else {
                i32::MIN as i64 + delta <= res
            };
            if !fits {
                return Err(vm.error_l(&format!("field '{key}' is out-of-bound")));
            }
            Ok(res - delta)
        }
        _ if !v.is_nil() => Err(vm.error_l(&format!("field '{key}' is not an integer"))),
        _ => match default {
            Some(d) => Ok(d),
            None => Err(vm.error_l(&format!("field '{key}' missing in date table"))),
        },
    }
}

fn time(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    if vm.arg(a, 1).is_nil() {
        return vm.ret(&[Value::int(now())]);
    }
    let t = vm.check_table(a, 1)?;
    // Field order as in loslib.c (it decides which error comes first).
    let year = get_field(vm, t, "year", None, 1900)?;
    let mon = get_field(vm, t, "month", None, 1)?;
    let mday = get_field(vm, t, "day", None, 0)?;
    let hour = get_field(vm, t, "hour", Some(12), 0)?;
    let min = get_field(vm, t, "min", Some(0), 0)?;
    let sec = get_field(vm, t, "sec", Some(0), 0)?;
    // mktime in UTC: normalize out-of-range fields by carrying.
    let y = year + 1900 + mon.div_euclid(12);
    let m = mon.rem_euclid(12) + 1;
    let days = days_from_civil(y, m, 1) + mday - 1;
    let secs = days * 86400 + hour * 3600 + min * 60 + sec;
    let norm = gmtime(secs);
    match norm {
        Some(tm) if secs != -1 => {
            set_all_fields(vm, t, &tm)?;
            vm.ret(&[Value::int(secs)])
        }
        _ => Err(vm.error_l("time result cannot be represented in this installation")),
    }
}

fn difftime(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let t1 = check_time(vm, a, 1)?;
    let t2 = check_time(vm, a, 2)?;
    vm.ret(&[Value::float(t1 as f64 - t2 as f64)])
}

/// `os.setlocale`: only the C locale exists.
fn setlocale(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let l = vm.opt_string(a, 1)?.map(|s| vm.str_bytes(s).to_vec());
    let cat = match vm.opt_string(a, 2)? {
        Some(s) => vm.str_bytes(s).to_vec(),
        None => b"all".to_vec(),
    };
    if !matches!(
        cat.as_slice(),
        b"all" | b"collate" | b"ctype" | b"monetary" | b"numeric" | b"time"
    ) {
        let msg = format!("invalid option '{}'", String::from_utf8_lossy(&cat));
        return Err(vm.arg_error_at(2, &msg));
    }
    match l.as_deref() {
        None | Some(b"") | Some(b"C") | Some(b"POSIX") => {
            let s = vm.new_string(b"C")?;
            vm.ret(&[s])
        }
        _ => vm.ret(&[Value::NIL]),
    }
}

fn getenv(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let name = vm.check_string(a, 1)?;
    let n = crate::stdlib::io::fs::path_of(vm.str_bytes(name))
        .as_os_str()
        .to_owned();
    match std::env::var_os(n) {
        Some(v) => {
            use std::os::unix::ffi::OsStrExt;
            let s = vm.new_string(v.as_bytes())?;
            vm.ret(&[s])
        }
        None => vm.ret(&[Value::NIL]),
    }
}

fn remove(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let name = vm.check_string(a, 1)?;
    let n = vm.str_bytes(name).to_vec();
    match vm.libs.fs.remove(&n) {
        Ok(()) => vm.ret(&[Value::TRUE]),
        Err(e) => crate::stdlib::io::fail_result(vm, &e, Some(&n)),
    }
}

fn rename(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let from = vm.check_string(a, 1)?;
    let to = vm.check_string(a, 2)?;
    let f = vm.str_bytes(from).to_vec();
    let t = vm.str_bytes(to).to_vec();
    match vm.libs.fs.rename(&f, &t) {
        Ok(()) => vm.ret(&[Value::TRUE]),
        Err(e) => crate::stdlib::io::fail_result(vm, &e, None),
    }
}

fn tmpname(vm: &mut Vm, _a: Args) -> Result<u32, Throw> {
    for _ in 0..64 {
        let r = vm.libs.rng.next_u64();
        let name = format!("/tmp/lua_{:06x}", r & 0xff_ffff);
        if std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&name)
            .is_ok()
        {
            let s = vm.new_string(name.as_bytes())?;
            return vm.ret(&[s]);
        }
    }
    Err(vm.error_l("unable to generate a unique filename"))
}

fn execute(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let Some(cmd) = vm.opt_string(a, 1)? else {
        return vm.ret(&[Value::TRUE]); // a shell is available
    };
    let c = crate::stdlib::io::fs::path_of(vm.str_bytes(cmd))
        .as_os_str()
        .to_owned();
    vm.flush();
    let status = std::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(c)
        .status();
    match status {
        Ok(st) => {
            use std::os::unix::process::ExitStatusExt;
            let (what, code) = match (st.code(), st.signal()) {
                (Some(c), _) => ("exit", c),
                (None, Some(s)) => ("signal", s),
                _ => ("exit", 1),
            };
            let w = vm.new_string(what.as_bytes())?;
            let ok = if what == "exit" && code == 0 {
                Value::TRUE
            } else {
                Value::NIL
            };
            vm.ret(&[ok, w, Value::int(code as i64)])
        }
        Err(e) => crate::stdlib::io::fail_result(vm, &e, None),
    }
}

/// The error value `os.exit` raises; embedders recognize the exit through
/// [`super::LibState::exit_code`], not through this text.
pub const EXIT_MESSAGE: &[u8] = b"os.exit called";

fn exit(vm: &mut Vm, a: Args) -> Result<u32, Throw> {
    let v = vm.arg(a, 1);
    let code = if v.is_nil() || v.tag() == TAG_TRUE {
        0
    } else if v.tag() == TAG_FALSE {
        1
    } else {
        vm.opt_int(a, 1, 0)? as i32
    };
    vm.libs.exit_code = Some(code);
    vm.flush();
    Err(vm.error_msg_raw(EXIT_MESSAGE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_is_thursday() {
        let tm = gmtime(0).unwrap_or(Tm {
            year: 0,
            month: 0,
            day: 0,
            hour: 0,
            min: 0,
            sec: 0,
            wday: 9,
            yday: 9,
        });
        assert_eq!(
            (tm.year, tm.month, tm.day, tm.wday, tm.yday),
            (1970, 1, 1, 4, 0)
        );
        let mut out = Vec::new();
        strftime_str(&mut out, b"%c|%G-W%V-%u|%j|%D|%r", &tm, true);
        assert_eq!(
            String::from_utf8_lossy(&out),
            "Thu Jan  1 00:00:00 1970|1970-W01-4|001|01/01/70|12:00:00 AM"
        );
    }

    #[test]
    fn days_round_trip() {
        for d in [-800_000i64, -1, 0, 59, 365, 11_016, 2_932_896] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
    }
}
