#!/usr/bin/env bash
# Live oracle: run every corpus program (or the given ones) under the real
# lua5.4 AND under a slotjit binary, and report every difference in stdout,
# stderr (after the "lua5.4: " -> "slotjit: " prefix rewrite) and exit status.
# Also warns when the committed expected files are stale w.r.t. live lua5.4.
#
#   scripts/check-corpus-live.sh [options] [NAME...]
#
# Options:
#   --slotjit PATH   slotjit binary (default: $SLOTJIT, else target/debug/slotjit)
#   --args "FLAGS"   extra flags inserted after `run` (default: $SLOTJIT_CORPUS_ARGS),
#                    e.g. --args "--tier=interp"
#   --dir DIR        program directory (default: tests/lua; e.g. benches/lua)
#   --timeout SECS   per-program timeout (default 30)
#   --quiet          only print the summary and the names of failing programs
#
# Exit status: 0 if slotjit matches live lua5.4 on every program, 1 otherwise,
# 2 on usage errors or if lua5.4 / slotjit is missing.
set -uo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
LUA54="${LUA54:-lua5.4}"
slotjit="${SLOTJIT:-$root/target/debug/slotjit}"
extra="${SLOTJIT_CORPUS_ARGS:-}"
dir="$root/tests/lua"
tmo=30
quiet=0
names=()
while [ "$#" -gt 0 ]; do
  case "$1" in
    --slotjit) slotjit="$2"; shift 2 ;;
    --args) extra="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --timeout) tmo="$2"; shift 2 ;;
    --quiet|-q) quiet=1; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    -*) echo "check-corpus-live: unknown option $1" >&2; exit 2 ;;
    *) names+=("$1"); shift ;;
  esac
done

if ! command -v "$LUA54" >/dev/null 2>&1; then
  echo "check-corpus-live: '$LUA54' not found (install lua5.4)" >&2; exit 2
fi
case "$slotjit" in /*) ;; *) slotjit="$PWD/$slotjit" ;; esac
if [ ! -x "$slotjit" ]; then
  echo "check-corpus-live: slotjit binary '$slotjit' not found (cargo build, or pass --slotjit / set SLOTJIT)" >&2
  exit 2
fi
dir="$(cd "$dir" && pwd)"
cd "$dir"
if [ "${#names[@]}" -eq 0 ]; then
  for f in *.lua; do names+=("${f%.lua}"); done
else
  for i in "${!names[@]}"; do n="$(basename "${names[$i]}")"; names[$i]="${n%.lua}"; done
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
read -r -a extra_arr <<<"$extra"

# run OUTPREFIX NAME CMD...: one run, leaving OUTPREFIX.{stdout,stderr,status}
run() {
  local out="$1" name="$2"; shift 2
  local args=() st=0 input=/dev/null
  if [ -f "$name.args" ]; then mapfile -t args < "$name.args"; fi
  if [ -f "$name.stdin" ]; then input="$name.stdin"; fi
  timeout -k 5 "$tmo" "$@" "$name.lua" ${args[@]+"${args[@]}"} <"$input" >"$out.stdout" 2>"$out.raw" || st=$?
  sed 's/^lua5\.4: /slotjit: /' "$out.raw" >"$out.stderr"
  echo "$st" >"$out.status"
}

pass=0; failed=(); stale=()
for name in "${names[@]}"; do
  if [ ! -f "$name.lua" ]; then echo "no such program $dir/$name.lua" >&2; failed+=("$name"); continue; fi
  run "$tmp/ref" "$name" "$LUA54"
  run "$tmp/sj" "$name" "$slotjit" run ${extra_arr[@]+"${extra_arr[@]}"}
  bad=0
  for ext in status stdout stderr; do
    if ! cmp -s "$tmp/ref.$ext" "$tmp/sj.$ext"; then
      if [ "$bad" = 0 ] && [ "$quiet" = 0 ]; then echo "=== MISMATCH $name.lua"; fi
      bad=1
      if [ "$quiet" = 0 ]; then
        diff -u --label "lua5.4 $ext" --label "slotjit $ext" "$tmp/ref.$ext" "$tmp/sj.$ext" | head -40
      fi
    fi
  done
  if [ "$(cat "$tmp/sj.status")" = 124 ]; then echo "    ($name.lua: slotjit timed out after ${tmo}s)"; fi
  if [ "$bad" = 0 ]; then pass=$((pass + 1)); else failed+=("$name"); fi
  # Stale expected files (only meaningful for the corpus directory).
  if [ -f "$name.stdout" ]; then
    for ext in stdout stderr status; do
      if ! cmp -s "$tmp/ref.$ext" "$name.$ext" 2>/dev/null; then stale+=("$name.$ext"); fi
    done
  fi
done

echo
echo "check-corpus-live: $pass/${#names[@]} programs match live $LUA54 ($slotjit run $extra)"
if [ "${#failed[@]}" -gt 0 ]; then echo "mismatching: ${failed[*]}"; fi
if [ "${#stale[@]}" -gt 0 ]; then
  echo "warning: committed expected files differ from live $LUA54 (re-bless?): ${stale[*]}"
fi
[ "${#failed[@]}" -eq 0 ]
