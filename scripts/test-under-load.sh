#!/usr/bin/env bash
# `npm test` N times in a row (default 5) while a CPU hog spins beside it, as docs/RELIABILITY.md
# ("Running under load") reports: stops at the first failing run. Run it in a clean clone after `npm ci`.
# Each run's output goes to $OUT/run-<i>.log and one summary line per run to $OUT/summary.log.
set -uo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
OUT="${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/cloudfn-load-XXXXXX")}"
node -e 'for(;;){}' &
hog=$!
trap 'kill "$hog" 2>/dev/null' EXIT
echo "commit $(git rev-parse --short HEAD), hog pid $hog, output in $OUT" | tee -a "$OUT/summary.log"
for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  ( while sleep 30; do cut -d' ' -f1 /proc/loadavg; done ) > "$OUT/load-$i.log" &
  sampler=$!
  npm test > "$OUT/run-$i.log" 2>&1
  rc=$?
  kill "$sampler"
  load=$(sort -n "$OUT/load-$i.log" | sed -n '1p;$p' | tr '\n' ' ')
  tests=$(grep -a 'Tests ' "$OUT/run-$i.log" | tail -1 | sed 's/\x1b\[[0-9;]*m//g')
  echo "run $i: exit $rc, $(($(date +%s) - start)) s, load average min/max $load, $tests" | tee -a "$OUT/summary.log"
  [ "$rc" -eq 0 ] || exit "$rc"
done
