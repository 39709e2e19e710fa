#!/usr/bin/env bash
# Prints Concord's version in the form a package needs, from `git describe`
# ("dev" outside a git checkout; $CONCORD_DESCRIBE overrides it).
# Usage: build/version.sh [git|deb|win]
#   git  v1.2.0-3-gabc1234-dirty, as git describes it (the default)
#   deb  1.2.0+3.gabc1234.dirty: a Debian version (starts with a digit, sorts after 1.2.0)
#   win  1.2.0.3: the four numbers of a Windows version resource (0.0.0.0 before the first tag)
set -euo pipefail
cd "$(dirname "$0")/.."

describe=${CONCORD_DESCRIBE:-$(git describe --tags --always --dirty 2>/dev/null || true)}
[ -n "$describe" ] || describe=dev

# A release tag, v1.2.3 or 1.2, then commits since it and the dirty mark.
tagged='^v?([0-9]+)(\.([0-9]+))?(\.([0-9]+))?(-([0-9]+)-(g[0-9a-f]+))?(-dirty)?$'

case "${1:-git}" in
  git) echo "$describe" ;;
  deb)
    if [[ $describe =~ $tagged ]]; then
      v=${describe#v}; v=${v%%-*}
      extra=()
      [ -n "${BASH_REMATCH[7]}" ] && extra+=("${BASH_REMATCH[7]}" "${BASH_REMATCH[8]}")
      [ -n "${BASH_REMATCH[9]}" ] && extra+=(dirty)
      if [ ${#extra[@]} -gt 0 ]; then v+="+$(IFS=.; echo "${extra[*]}")"; fi
      echo "$v"
    else
      echo "0.0.0+git.${describe//-/.}"
    fi
    ;;
  win)
    if [[ $describe =~ $tagged ]]; then
      echo "${BASH_REMATCH[1]}.${BASH_REMATCH[3]:-0}.${BASH_REMATCH[5]:-0}.${BASH_REMATCH[7]:-0}"
    else
      echo 0.0.0.0
    fi
    ;;
  *) echo "usage: $0 [git|deb|win]" >&2; exit 2 ;;
esac
