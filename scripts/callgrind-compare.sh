#!/usr/bin/env bash
# Counts instructions (valgrind --tool=callgrind) executed by slotjit and by
# lua5.4 on the small programs in benches/callgrind/. Instruction counts are
# repeatable whatever else the machine is doing, unlike wall time.
# Usage: scripts/callgrind-compare.sh [path/to/slotjit]   (default target/release/slotjit)
# slotjit runs with $SLOTJIT_FLAGS (default --tier=interp: the interpreter
# against lua5.4; compiled code under valgrind would count Cranelift too).
set -euo pipefail
cd "$(dirname "$0")/.."
SJ=${1:-target/release/slotjit}
command -v valgrind >/dev/null || { echo "valgrind is required" >&2; exit 1; }
count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | awk '/Collected/ {print $4}'; }
printf "%-16s %14s %14s %8s\n" program slotjit lua5.4 ratio
for f in benches/callgrind/*.lua; do
  # shellcheck disable=SC2086 # the flags are meant to split
  a=$(count "$SJ" run ${SLOTJIT_FLAGS:---tier=interp} "$f")
  b=$(command -v lua5.4 >/dev/null && count lua5.4 "$f" || echo 0)
  r=$(awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
  printf "%-16s %14s %14s %8s\n" "$(basename "$f" .lua)" "$a" "$b" "$r"
done
