#!/usr/bin/env bash
# Prints the -ldflags value that stamps the version, commit and build time
# into concord/app (Version, Commit, BuildDate). Works on a clone without tags
# (the abbreviated commit) and outside git ("dev"); $SOURCE_DATE_EPOCH, when
# set, fixes the build time so that two builds of one commit are identical.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(./build/version.sh git)
commit=$(git rev-parse --short HEAD 2>/dev/null || true)
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
  date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
else
  date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
fi
echo "-X concord/app.Version=$version -X concord/app.Commit=$commit -X concord/app.BuildDate=$date"
