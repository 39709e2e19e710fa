#!/usr/bin/env bash
# Installs what Concord needs to build, run and test: Debian packages (when
# root; otherwise prints the exact command and stops), npm packages from the
# lock file, and Go modules. Usage: build/deps.sh [system|npm|go|all|dist]
# (dist: the extra Debian packages `make dist` and `make test-dist` need).
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(build-essential pkg-config libgtk-3-dev libwebkit2gtk-4.1-dev xvfb xauth xdotool xclip chromium)
# Only for the packages: icons (rsvg-convert, icotool), the Windows installer
# (makensis), and test-dist's checks (desktop-file-validate, file, xprop, a screenshot).
DIST_APT_PACKAGES=(librsvg2-bin icoutils nsis desktop-file-utils file x11-utils imagemagick)

# system PACKAGE...: installs the Debian packages that are missing.
system() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "Concord needs these Debian packages: ${missing[*]}" >&2
    echo "Install them with:" >&2
    echo "  sudo sh -c '$cmd'" >&2
    exit 1
  fi
  echo "Installing Debian packages: ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

npm_deps() {
  command -v node >/dev/null || { echo "Concord needs Node.js 20 or newer (node not found)" >&2; exit 1; }
  local major; major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 20 ] || { echo "Concord needs Node.js 20 or newer (found $(node --version))" >&2; exit 1; }
  # Reinstall when the lock file changed since the last install.
  if [ ! -f frontend/node_modules/.package-lock.json ] || [ frontend/package-lock.json -nt frontend/node_modules/.package-lock.json ]; then
    (cd frontend && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

go_deps() {
  command -v go >/dev/null || { echo "Concord needs Go 1.26 or newer (go not found)" >&2; exit 1; }
  go mod download
}

case "${1:-all}" in
  system) system "${APT_PACKAGES[@]}" ;;
  npm) npm_deps ;;
  go) go_deps ;;
  all) system "${APT_PACKAGES[@]}"; npm_deps; go_deps ;;
  dist) system "${APT_PACKAGES[@]}" "${DIST_APT_PACKAGES[@]}"; npm_deps; go_deps ;;
  *) echo "usage: $0 [system|npm|go|all|dist]" >&2; exit 2 ;;
esac
