#!/usr/bin/env bash
# Baseline compile latency over the conformance corpus: for every program,
# `slotjit run --tier=baseline --stats` once cold (empty cache) and once warm
# (every module from the cache). Prints per-program compile time per
# function (cold) and load time per module (warm), with median and p99.
# Usage: scripts/compile-latency.sh [path/to/slotjit]   (default: target/release/slotjit)
set -euo pipefail
bin=${1:-target/release/slotjit}
cd "$(dirname "$0")/.."
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
cold=() coldm=() warm=()
for f in tests/lua/*.lua; do
  name=$(basename "$f" .lua)
  args=()
  [[ -f tests/lua/$name.args ]] && mapfile -t args < "tests/lua/$name.args"
  s1=$(cd tests/lua && "../../$bin" run --tier=baseline --stats --cache-dir "$cache" "$name.lua" "${args[@]}" </dev/null 2>&1 >/dev/null | grep -E "baseline:|cache:" || true)
  s2=$(cd tests/lua && "../../$bin" run --tier=baseline --stats --cache-dir "$cache" "$name.lua" "${args[@]}" </dev/null 2>&1 >/dev/null | grep -E "baseline:|cache:" || true)
  fns=$(sed -n 's/.*baseline: \([0-9]*\) functions.*/\1/p' <<<"$s1")
  ms=$(sed -n 's/.* \([0-9.]*\) ms compiling.*/\1/p' <<<"$s1")
  hits=$(sed -n 's/.*cache: \([0-9]*\) hits.*/\1/p' <<<"$s2")
  lms=$(sed -n 's/.* \([0-9.]*\) ms loading.*/\1/p' <<<"$s2")
  mods=$(sed -n 's/.* in \([0-9]*\) modules.*/\1/p' <<<"$s1")
  [[ -n "$fns" && "$fns" != 0 ]] && cold+=("$(awk -v m="$ms" -v n="$fns" 'BEGIN{printf "%.3f", m/n}')")
  [[ -n "$mods" && "$mods" != 0 ]] && coldm+=("$(awk -v m="$ms" -v n="$mods" 'BEGIN{printf "%.3f", m/n}')")
  [[ -n "$hits" && "$hits" != 0 ]] && warm+=("$(awk -v m="$lms" -v n="$hits" 'BEGIN{printf "%.3f", m/n}')")
done
stats() { sort -n | awk '{a[NR]=$1} END{m=a[int((NR+1)/2)]; p=a[int(NR*0.99+0.999)]; printf "n=%d median=%.3f ms p99=%.3f ms max=%.3f ms\n", NR, m, p, a[NR]}'; }
echo "cold compile per function (program average): $(printf '%s\n' "${cold[@]}" | stats)"
echo "cold compile per module:                     $(printf '%s\n' "${coldm[@]}" | stats)"
echo "warm cache load per module:                  $(printf '%s\n' "${warm[@]}" | stats)"
