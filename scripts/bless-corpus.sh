#!/usr/bin/env bash
# Regenerate the expected output files of the Lua conformance corpus from the
# reference interpreter `lua5.4` (PUC-Rio Lua 5.4).
#
#   scripts/bless-corpus.sh            # every tests/lua/*.lua
#   scripts/bless-corpus.sh NAME...    # only these (NAME, NAME.lua or a path)
#
# For each program NAME.lua it writes, beside it:
#   NAME.stdout  exact stdout bytes
#   NAME.stderr  exact stderr bytes, with "lua5.4: " at the start of a line
#                replaced by "slotjit: " (the interpreter's message prefix)
#   NAME.status  exit status as decimal text + newline
# Programs run with cwd tests/lua and a relative file name, with the lines of
# NAME.args (if present) as extra arguments and NAME.stdin (if present, else
# empty input) on stdin -- exactly as tests/lua_corpus.rs runs slotjit.
#
# Environment: LUA54 (default: lua5.4) names the reference interpreter.
# Each program is run twice; the script fails if the two runs differ
# (non-deterministic program), so expected files are never blessed from
# flaky output.
set -euo pipefail

LUA54="${LUA54:-lua5.4}"
if ! command -v "$LUA54" >/dev/null 2>&1; then
  echo "bless-corpus: '$LUA54' not found; refusing to bless (install lua5.4)" >&2
  exit 2
fi
if ! "$LUA54" -v 2>&1 | grep -q '^Lua 5\.4'; then
  echo "bless-corpus: '$LUA54' is not Lua 5.4: $("$LUA54" -v 2>&1)" >&2
  exit 2
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/tests/lua"
cd "$dir"

names=()
if [ "$#" -eq 0 ]; then
  for f in *.lua; do names+=("${f%.lua}"); done
else
  for a in "$@"; do
    a="$(basename "$a")"
    a="${a%.lua}"
    a="${a%.stdout}"; a="${a%.stderr}"; a="${a%.status}"
    if [ ! -f "$a.lua" ]; then
      echo "bless-corpus: no such program tests/lua/$a.lua" >&2
      exit 2
    fi
    names+=("$a")
  done
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# run NAME OUTPREFIX: run the program once, leaving OUTPREFIX.{stdout,stderr,status}
run() {
  local name="$1" out="$2" st=0
  local args=()
  if [ -f "$name.args" ]; then mapfile -t args < "$name.args"; fi
  local input=/dev/null
  if [ -f "$name.stdin" ]; then input="$name.stdin"; fi
  timeout 120 "$LUA54" "$name.lua" ${args[@]+"${args[@]}"} <"$input" >"$out.stdout" 2>"$out.raw" || st=$?
  sed 's/^lua5\.4: /slotjit: /' "$out.raw" >"$out.stderr"
  echo "$st" >"$out.status"
}

fail=0
for name in "${names[@]}"; do
  run "$name" "$tmp/a"
  run "$name" "$tmp/b"
  nondet=0
  for ext in stdout stderr status; do
    if ! cmp -s "$tmp/a.$ext" "$tmp/b.$ext"; then nondet=1; fi
  done
  if [ "$nondet" = 1 ]; then
    echo "bless-corpus: $name.lua is NOT deterministic under $LUA54 (two runs differ); not blessed" >&2
    for ext in stdout stderr status; do diff -u "$tmp/a.$ext" "$tmp/b.$ext" | head -20 >&2 || true; done
    fail=1
    continue
  fi
  if [ "$(cat "$tmp/a.status")" = 124 ]; then
    echo "bless-corpus: $name.lua timed out under $LUA54; not blessed" >&2
    fail=1
    continue
  fi
  changed=""
  for ext in stdout stderr status; do
    if ! cmp -s "$tmp/a.$ext" "$name.$ext" 2>/dev/null; then
      cp "$tmp/a.$ext" "$name.$ext"
      changed="$changed $ext"
    fi
  done
  if [ -n "$changed" ]; then
    echo "blessed $name (status $(cat "$name.status");$changed)"
  fi
done
exit "$fail"
