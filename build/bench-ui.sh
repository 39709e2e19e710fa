#!/usr/bin/env bash
# make bench-ui: the production window (WebKitGTK) on the MT-Bench data, driven
# by real key events under Xvfb. Prints keypress → next item (p50 / p95 / max
# and the parts) from the app's own latency trace (CONCORD_TRACE), the start-up
# time and the idle CPU. A benchmark: it asserts no time.
#
# Needs build/bin/concord (make build), Xvfb, xdotool and node; imagemagick's
# `import` for the mid-run screenshot if present. Settings (environment):
#   BENCH_DATA     the MT-Bench data (default ../shared/data)
#   BENCH_VOTES    votes to trace (default 110; the study has 120 turns)
#   BENCH_PAUSE_MS pause between keys (default 150: an annotator's beat)
#   BENCH_IDLE_S   idle CPU window on the home screen (default 30)
#   BENCH_OUT      where the trace, log and screenshots go (default build/bin/bench-ui)
#   BENCH_BIN      the binary to measure (default build/bin/concord), e.g. an older build to compare
set -euo pipefail
cd "$(dirname "$0")/.."

DATA=${BENCH_DATA:-../shared/data}
VOTES=${BENCH_VOTES:-110}
PAUSE_MS=${BENCH_PAUSE_MS:-150}
IDLE_S=${BENCH_IDLE_S:-30}
OUT=${BENCH_OUT:-build/bin/bench-ui}
BIN=${BENCH_BIN:-build/bin/concord}

for tool in Xvfb xdotool node; do
  command -v "$tool" >/dev/null || { echo "bench-ui: $tool not found (./build/deps.sh system installs it)" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "bench-ui: $BIN not found: run make build first" >&2; exit 1; }
[ -f "$DATA/mt_bench/question.jsonl" ] || { echo "bench-ui: MT-Bench data not found at $DATA (set BENCH_DATA)" >&2; exit 1; }

rm -rf "$OUT"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
tmp=$(mktemp -d)
xvfb_pid=""
app_pid=""
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null && wait "$app_pid" 2>/dev/null
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null && wait "$xvfb_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

# A copy of the MT-Bench data with a study of 120 turns over every model pair.
db=$tmp/mt.db
"$BIN" --db "$db" import "$DATA/mt_bench" "$DATA/judge_prompts.jsonl" "$DATA/mt_bench_human_judgments" >/dev/null
models=$(ls "$DATA/mt_bench/model_answer" | sed 's/\.jsonl$//' | paste -sd, -)
"$BIN" --db "$db" study create --name bench-ui --models "$models" --sample 60 --seed 5 >/dev/null

# A display of our own (the first free one), and a fresh profile for WebKit.
exec 3>"$tmp/display"
Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp >"$OUT/xvfb.log" 2>&1 &
xvfb_pid=$!
exec 3>&-
for _ in $(seq 100); do [ -s "$tmp/display" ] && break; sleep 0.1; done
[ -s "$tmp/display" ] || { echo "bench-ui: Xvfb did not start (see $OUT/xvfb.log)" >&2; exit 1; }
export DISPLAY=:$(cat "$tmp/display")
export XDG_DATA_HOME=$tmp/xdg/data XDG_CONFIG_HOME=$tmp/xdg/config XDG_CACHE_HOME=$tmp/xdg/cache
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"

trace=$OUT/trace.jsonl
CONCORD_TRACE=$trace "$BIN" --db "$db" >"$OUT/app.log" 2>&1 &
app_pid=$!

# Start-up ends when the window reports the home screen's counts.
for _ in $(seq 600); do grep -q '"kind":"startup"' "$trace" 2>/dev/null && break; sleep 0.1; done
grep -q '"kind":"startup"' "$trace" 2>/dev/null || { echo "bench-ui: the home screen never showed its counts (see $OUT/app.log)" >&2; exit 1; }
win=$(xdotool search --sync --onlyvisible --name '^Concord$' | head -1)

# Idle CPU: utime + stime of the app and its WebKit processes over IDLE_S s.
tree() {
  local p=$1
  echo "$p"
  for c in $(pgrep -P "$p"); do tree "$c"; done
}
ticks() {
  local t
  t=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $12 + $13}')
  echo "${t:-0}"
}
sleep 2
pids=$(tree "$app_pid")
declare -A before
for p in $pids; do before[$p]=$(ticks "$p"); done
sleep "$IDLE_S"
hz=$(getconf CLK_TCK)
idle_total=0
idle_parts=""
for p in $pids; do
  d=$(( $(ticks "$p") - ${before[$p]} ))
  idle_total=$((idle_total + d))
  idle_parts+="$(cat "/proc/$p/comm" 2>/dev/null || echo "$p") $(awk -v d="$d" -v hz="$hz" -v s="$IDLE_S" 'BEGIN{printf "%.2f%%", 100*d/hz/s}'), "
done

# To the study by keyboard: the Annotate link (second in the tab order), the
# annotator's name, then the study's name (after switch, Open package… and
# New study); a screenshot of where that led.
xdotool windowfocus --sync "$win"
xdotool key --delay 100 Tab Tab Return
sleep 1.5
xdotool key --delay 100 Tab Tab Tab Tab
xdotool type --delay 20 bench-ui
xdotool key Return
sleep 1.5
xdotool key --delay 100 Tab Tab Tab Tab Return
sleep 1.5
command -v import >/dev/null && import -window root "$OUT/study.png"

# Vote: 1, 2, 3 in turn, PAUSE_MS apart, as XTEST key events, in batches
# until VOTES votes are traced (a key pressed while a vote is in flight is
# dropped, as in the window); a screenshot half way.
votes() { grep -c '"kind":"vote"' "$trace" || true; }
pressed=0
shot=""
while [ "$(votes)" -lt "$VOTES" ]; do
  if [ "$pressed" -ge $((3 * VOTES)) ]; then
    echo "bench-ui: only $(votes) votes traced after $pressed keys (see $OUT/app.log and the screenshot)" >&2
    break
  fi
  batch=$((VOTES - $(votes)))
  [ "$batch" -gt 10 ] && batch=10
  keys=$(for i in $(seq "$pressed" $((pressed + batch - 1))); do echo $((i % 3 + 1)); done | paste -sd' ' -)
  # shellcheck disable=SC2086
  xdotool key --delay "$PAUSE_MS" $keys
  pressed=$((pressed + batch))
  sleep "$(awk -v p="$PAUSE_MS" 'BEGIN{print p/1000}')"
  if [ -z "$shot" ] && [ "$(votes)" -ge $((VOTES / 2)) ] && command -v import >/dev/null; then
    import -window root "$OUT/mid-run.png"
    shot=1
  fi
done
sleep 1

echo "bench-ui: production window (WebKitGTK, $(date -u +%Y-%m-%d)), MT-Bench, keys ${PAUSE_MS} ms apart; trace in $trace"
node build/bench-ui-summary.mjs "$trace"
awk -v d="$idle_total" -v hz="$hz" -v s="$IDLE_S" 'BEGIN{printf "idle CPU on the home screen over %d s: %.2f%% of a core", s, 100*d/hz/s}'
echo " (${idle_parts%, })"
stored=$("$BIN" --db "$db" study list | awk '$2 == "bench-ui" {print $5}')
echo "keys pressed: $pressed; votes stored: $stored (a key pressed while a vote is in flight is dropped)"
