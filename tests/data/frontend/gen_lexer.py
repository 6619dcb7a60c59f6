#!/usr/bin/env python3
"""Regenerates tests/frontend_lexer.rs: literal values and str2number
results as lua5.4 computes them. Usage: python3 tests/data/frontend/gen_lexer.py"""
import os, subprocess

STRINGS = [
    rb'"abc"', rb"'abc'", rb'"\a\b\f\n\r\t\v\\\"\'"', rb'"\x41\x7a\xff\x00"', rb'"\65\066\0677\255\0"',
    rb'"\u{0}\u{7F}\u{80}\u{7FF}\u{800}\u{FFFF}\u{10000}\u{10FFFF}\u{110000}\u{3FFFFFF}\u{4000000}\u{7FFFFFFF}"',
    rb'"a\z   ' + b"\n\n" + rb'   b"', rb'"a\
b"', b'"a\\\r\nb"', b'"a\\\n\rb"', rb'"\z"', b'[[\nabc]]', b'[[\r\nabc]]', b'[==[a]]b]=]c]==]',
    b'[[a\r\nb\n\rc\rd\ne]]', b'[=[\n]=]', b'[[]]', b'""', rb'"\u{00041}"', rb'"\xAb\xcD"', b"'\x80\xff'",
]

NUMERALS = [
    b"0", b"1", b"65535", b"65536", b"65537", b"-65535", b"9223372036854775807", b"9223372036854775808",
    b"0x7fffffffffffffff", b"0xffffffffffffffff", b"0x10000000000000000", b"0x1p4", b"0x.8", b"0x1.8p-1",
    b"0xA.8P+2", b"1e10", b"1E-2", b".5", b"5.", b"3.14159265358979", b"1e308", b"1e309", b"2^53",
    b"0x1p-1074", b"0x1p-1075", b"4.9e-324", b"123456789012345678901234567890", b"0e12", b"0x0p0", b"0x1P+1",
    b"1.5e+3", b"0xABCDEFabcdef", b"100000000000000", b"1e15", b"0x8000000000000000",
]

STR2NUM = [
    b"10", b"  10  ", b"\t\n 0x10 \v\f\r", b"-10", b"+10", b"- 10", b"--10", b"1e1", b"1e", b"0x", b"0x1p",
    b"inf", b"nan", b"-inf", b"infinity", b"1e500", b"-1e500", b"0x1g", b"1 2", b"", b"  ", b".", b"-.5",
    b"+.5e1", b"5.e-1", b"0X1P-2", b"0x.", b"0x.1", b"1.5x", b"9223372036854775807", b"9223372036854775808",
    b"-9223372036854775808", b"-9223372036854775809", b"0xffffffffffffffff", b"-0x1", b"1__", b"1_000",
    b"0b101", b"1.0", b"-0", b"-0.0", b"00012", b"0x00012", b"1e+", b"1e+5", b"1E-5", b"0x1.fffffffffffff8p0",
    b"0x1.00000000000008p0", b"0x1.000000000000080000001p0", b"0x1.00000000000018p0", b"1\x00",
    b"0x123456789abcdef0123", b"123456789012345678901234567890e-30", b"0x1p99999999", b"0x1p-99999999",
    b"  -  1", b"\xa01",
]

LUA = r'''
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local function num(v)
  if v == nil then return "nil" end
  if math.type(v) == "integer" then return "I" .. string.format("%d", v) end
  return "F" .. hex(string.pack("<d", v))
end
local mode = arg[1]
for line in io.lines(arg[2]) do
  local src = line:gsub("%x%x", function(h) return string.char(tonumber(h, 16)) end)
  if mode == "str" then
    io.write(hex(assert(load("return " .. src))()), "\n")
  elseif mode == "lit" then
    io.write(num(assert(load("return " .. src))()), "\n")
  else
    io.write(num(tonumber(src)), "\n")
  end
end
'''


def run(mode, items):
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        script = os.path.join(d, "g.lua"); data = os.path.join(d, "in.txt")
        open(script, "w").write(LUA)
        open(data, "w").write("".join(x.hex() + "\n" for x in items))
        out = subprocess.run(["lua5.4", script, mode, data], capture_output=True, check=True).stdout.decode()
        return out.split("\n")[:len(items)]


def rust_bytes(b):
    out = []
    for c in b:
        if c == 0x22: out.append('\\"')
        elif c == 0x5c: out.append('\\\\')
        elif 0x20 <= c < 0x7f: out.append(chr(c))
        else: out.append('\\x%02x' % c)
    return 'b"' + "".join(out) + '"'


def num_rust(s):
    if s == "nil": return "None"
    if s[0] == "I": return "Some(LuaNumber::Int(%si64))" % s[1:]
    return "Some(LuaNumber::Float(f64::from_bits(0x%016x)))" % int.from_bytes(bytes.fromhex(s[1:]), "little")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    strs = run("str", STRINGS); lits = run("lit", NUMERALS); s2n = run("s2n", STR2NUM)
    rows_s = "\n".join("    (%s, %s)," % (rust_bytes(a), rust_bytes(bytes.fromhex(b))) for a, b in zip(STRINGS, strs))
    rows_l = "\n".join("    (%s, %s)," % (rust_bytes(a), num_rust(b)) for a, b in zip(NUMERALS, lits))
    rows_n = "\n".join("    (%s, %s)," % (rust_bytes(a), num_rust(b)) for a, b in zip(STR2NUM, s2n))
    text = open(os.path.join(here, "frontend_lexer.rs.in")).read()
    text = text.replace("@STRINGS@", rows_s).replace("@NUMERALS@", rows_l).replace("@STR2NUM@", rows_n)
    open(os.path.join(here, "..", "..", "frontend_lexer.rs"), "w").write(text)
    print("ok", len(strs), len(lits), len(s2n))

main()
