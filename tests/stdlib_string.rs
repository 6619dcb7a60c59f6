//! Direct tests of the `string` library through the VM's embedding API
//! (no Lua compiler needed): pattern matching, `format` conversions, pack
//! and unpack, the string metatable. Expected values were produced with
//! `lua5.4` (5.4.4).

use slotjit::vm::{Value, Vm, VmOptions};

/// An argument for a library call.
#[derive(Clone, Copy)]
enum A<'a> {
    S(&'a str),
    B(&'a [u8]),
    I(i64),
    F(f64),
    Nil,
    T,
}

struct Lua {
    vm: Vm,
}

impl Lua {
    fn new() -> Lua {
        let mut vm = Vm::new(VmOptions::default()).expect("vm");
        slotjit::stdlib::open_all(&mut vm).expect("stdlib");
        Lua { vm }
    }

    fn func(&mut self, name: &str) -> Value {
        let lib = self.vm.get_global("string").expect("string table");
        self.vm.raw_get_str(lib, name).expect("function")
    }

    /// Calls `string.<name>(args...)`; results rendered as text.
    fn call(&mut self, name: &str, args: &[A]) -> Result<Vec<String>, String> {
        let f = self.func(name);
        self.call_value(f, args)
    }

    fn call_value(&mut self, f: Value, args: &[A]) -> Result<Vec<String>, String> {
        // Keep argument strings reachable from a global while creating them.
        let keep = self.vm.new_table(8, 0).expect("table");
        self.vm.set_global("__test_args", keep).expect("set");
        let mut vals = Vec::new();
        for (i, a) in args.iter().enumerate() {
            let v = match *a {
                A::S(s) => self.vm.new_string(s.as_bytes()).expect("str"),
                A::B(b) => self.vm.new_string(b).expect("str"),
                A::I(i) => Value::int(i),
                A::F(f) => Value::float(f),
                A::Nil => Value::NIL,
                A::T => Value::TRUE,
            };
            self.vm
                .raw_set(keep, Value::int(i as i64 + 1), v)
                .expect("raw_set");
            vals.push(v);
        }
        match self.vm.call_protected(f, &vals) {
            Ok(rs) => Ok(rs.iter().map(|v| self.show(*v)).collect()),
            Err(e) => Err(e.to_string()),
        }
    }

    fn show(&self, v: Value) -> String {
        if v.is_string() {
            String::from_utf8_lossy(self.vm.str_bytes(v)).into_owned()
        } else {
            self.vm.display(v)
        }
    }

    fn bytes(&mut self, name: &str, args: &[A]) -> Vec<u8> {
        let f = self.func(name);
        let vals: Vec<Value> = args
            .iter()
            .map(|a| match *a {
                A::S(s) => self.vm.new_string(s.as_bytes()).expect("str"),
                A::B(b) => self.vm.new_string(b).expect("str"),
                A::I(i) => Value::int(i),
                A::F(f) => Value::float(f),
                A::Nil => Value::NIL,
                A::T => Value::TRUE,
            })
            .collect();
        let r = self.vm.call_protected(f, &vals).expect("call");
        self.vm.str_bytes(r[0]).to_vec()
    }

    /// `string.format(fmt, args...)` as text.
    fn fmt(&mut self, fmt: &str, args: &[A]) -> String {
        let mut all = vec![A::S(fmt)];
        all.extend_from_slice(args);
        match self.call("format", &all) {
            Ok(v) => v.join("\t"),
            Err(e) => format!("ERR {e}"),
        }
    }
}

fn ok(v: &[&str]) -> Result<Vec<String>, String> {
    Ok(v.iter().map(|s| s.to_string()).collect())
}

#[test]
fn smoke() {
    let mut l = Lua::new();
    assert_eq!(l.call("len", &[A::S("abc")]), ok(&["3"]));
    assert_eq!(
        l.call("find", &[A::S("hello"), A::S("l+")]),
        ok(&["3", "4"])
    );
    assert_eq!(
        l.fmt(
            "%5.2s|%-10d|%+.3e|%#x",
            &[A::S("abc"), A::I(42), A::F(12345.678), A::I(255)]
        ),
        "   ab|42        |+1.235e+04|0xff"
    );
    assert_eq!(
        l.call("format", &[A::S("%d"), A::S("x")]),
        Err("bad argument #2 to '?' (number expected, got string)".into())
    );
}
