#!/usr/bin/env bash
# Runs every Go fuzz target in the repository for a short while, one at a time
# (`go test -fuzz` takes one target). A failing input is written by Go to the
# package's testdata/fuzz/<FuzzName>/ and the script stops: commit that file,
# it is a regression test from then on. Usage: build/fuzz.sh [FUZZTIME]
# (default 5s a target; FUZZ_PARALLEL sets the number of fuzzing workers).
# A count such as 5000x (executions a target) has no wall-clock deadline: Go
# 1.26's fuzz coordinator can fail a target with a bare "context deadline
# exceeded" when a duration ends while a worker is busy (go.dev/issue/75804,
# fixed in Go 1.27), so make test uses a count.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime="${1:-${FUZZTIME:-5s}}"
parallel=()
[ -n "${FUZZ_PARALLEL:-}" ] && parallel=(-parallel "$FUZZ_PARALLEL")

mapfile -t targets < <(grep -rn --include='*_test.go' --exclude-dir=node_modules --exclude-dir=.git \
  -E '^func Fuzz[A-Za-z0-9_]*\(' . | sed -E 's|^([^:]*)/[^/:]*:[0-9]+:func (Fuzz[A-Za-z0-9_]*)\(.*|\1 \2|' | sort -u)
[ ${#targets[@]} -gt 0 ] || { echo "no fuzz targets found" >&2; exit 1; }

for t in "${targets[@]}"; do
  read -r dir name <<<"$t"
  echo "== $name ($dir, $fuzztime)"
  go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "${parallel[@]}" "$dir"
done
