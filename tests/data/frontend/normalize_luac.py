#!/usr/bin/env python3
"""Regenerates tests/data/frontend/shape/*.expected from `luac5.4 -l -l`.

The listing is normalized to what our ISA can express (see
tests/frontend_support/mod.rs): MMBIN/MMBINI/MMBINK lines are dropped
(their "flip" / "__shl" information moves to a `k` on the arithmetic
instruction), instructions are renumbered, jump operands become absolute
targets, local ranges are remapped, comments and addresses removed.
Usage: python3 normalize_luac.py   (needs luac5.4 on PATH)
"""
import glob, os, re, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
SHAPE = os.path.join(HERE, "shape")
LINE = re.compile(r"^\t(\d+)\t\[(-|\d+)\]\t(\S+)\s*\t?(.*)$")
HDR1 = re.compile(r"^(main|function) <[^:]*:(\d+),(\d+)> \((\d+) instructions? at [0-9a-fx]+\)$")
HDR2 = re.compile(r"^(\d+\+?) params?, (\d+) slots?, (\d+) upvalues?, (\d+) locals?, (\d+) constants?, (\d+) functions?$")
SECTION = re.compile(r"^(constants|locals|upvalues) \((\d+)\) for [0-9a-fx]+:$")
MMBIN = {"MMBIN", "MMBINI", "MMBINK"}
FLIP_OPS = {"ADDI", "ADDK", "MULK", "BANDK", "BORK", "BXORK"}
TM_SHL = 16


def split_functions(text):
    funcs, cur = [], None
    for line in text.splitlines():
        m = HDR1.match(line)
        if m:
            cur = {"hdr": m.groups(), "code": [], "sections": {}, "sec": None}
            funcs.append(cur)
            continue
        if cur is None or not line:
            continue
        m = HDR2.match(line)
        if m:
            cur["counts"] = m.groups()
            continue
        m = SECTION.match(line)
        if m:
            cur["sec"] = m.group(1)
            cur["sections"][cur["sec"]] = []
            continue
        if cur["sec"] is None:
            cur["code"].append(line)
        else:
            cur["sections"][cur["sec"]].append(line)
    return funcs


def normalize_function(f):
    raw = []
    for line in f["code"]:
        m = LINE.match(line)
        if not m:
            raise SystemExit("cannot parse: %r" % line)
        pc, ln, op, rest = m.groups()
        rest = rest.split("\t;")[0].strip()
        raw.append([int(pc), ln, op, rest.split() if rest else []])
    # old 1-based pc -> new 1-based pc
    newpc, n = {}, 0
    for ins in raw:
        if ins[2] not in MMBIN:
            n += 1
        newpc[ins[0]] = n
    def remap_pos(p0):  # 0-based position (may be == len)
        return sum(1 for ins in raw[:p0] if ins[2] not in MMBIN)
    out = []
    for idx, (pc, ln, op, args) in enumerate(raw):
        if op in MMBIN:
            continue
        nxt = raw[idx + 1] if idx + 1 < len(raw) else None
        kflag = ""
        if nxt and nxt[2] in MMBIN:
            if op in FLIP_OPS and nxt[3][-1] == "1":
                kflag = "k"
            if op == "SHRI" and int(nxt[3][2]) == TM_SHL:
                kflag = "k"
        a = args
        if op == "JMP":
            s = "-> %d" % newpc[pc + 1 + int(a[0])]
        elif op == "FORPREP":
            s = "%s -> %d" % (a[0], newpc[pc + int(a[1]) + 2])
        elif op == "TFORPREP":
            s = "%s -> %d" % (a[0], newpc[pc + 1 + int(a[1])])
        elif op in ("FORLOOP", "TFORLOOP"):
            s = "%s -> %d" % (a[0], newpc[pc + 1 - int(a[1])])
        elif op in FLIP_OPS or op in ("SHRI", "SHLI"):
            s = " ".join(a) + kflag
        else:
            s = " ".join(a)
        out.append("\t%d\t[%s]\t%s\t%s" % (newpc[pc], ln, op, s))
    kind, ld, lld, _ = f["hdr"]
    params, slots, nup, nloc, nk, nf = f["counts"]
    plus = "+" if params.endswith("+") else ""
    lines = ["function <%s,%s> %s%s params, %s slots, %s upvalues, %s locals, %s constants, %s functions"
             % (ld, lld, params.rstrip("+"), plus, slots, nup, nloc, nk, nf)]
    lines += out
    secs = f["sections"]
    lines.append("constants (%d)" % len(secs.get("constants", [])))
    lines += secs.get("constants", [])
    lines.append("locals (%d)" % len(secs.get("locals", [])))
    for l in secs.get("locals", []):
        _, i, name, s, e = l.split("\t")
        lines.append("\t%s\t%s\t%d\t%d" % (i, name, remap_pos(int(s) - 1) + 1, remap_pos(int(e) - 1) + 1))
    lines.append("upvalues (%d)" % len(secs.get("upvalues", [])))
    lines += secs.get("upvalues", [])
    return "\n".join(lines) + "\n"


def main():
    for path in sorted(glob.glob(os.path.join(SHAPE, "*.lua"))):
        text = subprocess.run(["luac5.4", "-l", "-l", "-p", path], capture_output=True, text=True, check=True).stdout
        funcs = split_functions(text)
        with open(path[:-4] + ".expected", "w") as fh:
            fh.write("".join(normalize_function(f) for f in funcs))
    print("ok")

if __name__ == "__main__":
    main()
