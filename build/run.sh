#!/usr/bin/env bash
# Opens the Concord window, or says in one line what to do when there is no display.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "make run: no display (DISPLAY and WAYLAND_DISPLAY are unset); run it from a desktop session, or: xvfb-run -a make run" >&2
  exit 1
fi
exec ./build/bin/concord "$@"
