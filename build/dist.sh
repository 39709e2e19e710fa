#!/usr/bin/env bash
# Builds Concord's release packages into build/dist/ and writes their
# SHA256SUMS. The frontend must be built first (make dist does it).
# Usage: build/dist.sh [linux|windows|mac|all|sums]   (all = linux and windows)
#   linux    concord_<v>_amd64.deb (dpkg-deb) and concord-<v>-linux-amd64.tar.gz
#   windows  concord-<v>-windows-amd64.exe (no cgo) and concord-<v>-windows-amd64-setup.exe (NSIS)
#   mac      a universal .app in a .dmg; only on macOS (see the README's release section)
#   sums     only SHA256SUMS, e.g. after copying the Mac's .dmg into build/dist
set -euo pipefail
cd "$(dirname "$0")/.."

# A pinned go-winres, run with `go run`: no install step, cached by the Go module cache.
GO_WINRES=github.com/tc-hib/go-winres@v0.3.3
# Runtime libraries the Linux binary links against (never the -dev packages).
DEB_DEPENDS="libwebkit2gtk-4.1-0, libgtk-3-0"

out=build/dist
work=build/bin/dist-work
version=$(./build/version.sh git)
name=${version#v} # in file names: concord-1.2.0-linux-amd64.tar.gz
ldflags="-s -w $(./build/ldflags.sh)"

say() { echo "dist: $*" >&2; }
die() { echo "dist: $*" >&2; exit 1; }

need() {
  local missing=()
  for tool in "$@"; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  [ ${#missing[@]} -eq 0 ] || die "missing ${missing[*]}; run: ./build/deps.sh dist"
}

frontend_built() {
  [ -f frontend/dist/index.html ] || die "frontend/dist is empty; run make dist (it builds the frontend first)"
}

icons() {
  [ -f "$work/icons/concord.ico" ] && [ "$work/icons/concord.ico" -nt build/icon/concord.svg ] && return 0
  ./build/icons.sh "$work/icons"
}

# stage_tree DIR: the files both Linux packages install, under DIR/{bin,share}.
stage_tree() {
  local root=$1 size
  install -D -m 755 "$work/concord" "$root/bin/concord"
  install -D -m 644 build/linux/concord.desktop "$root/share/applications/concord.desktop"
  install -D -m 644 build/linux/concord-mime.xml "$root/share/mime/packages/concord.xml"
  install -D -m 644 build/icon/concord.svg "$root/share/icons/hicolor/scalable/apps/concord.svg"
  for size in 16 22 24 32 48 64 128 256 512; do
    install -D -m 644 "$work/icons/${size}x${size}.png" "$root/share/icons/hicolor/${size}x${size}/apps/concord.png"
  done
}

linux() {
  need go dpkg-deb rsvg-convert icotool
  frontend_built
  icons
  local arch deb_version pkg tarname
  arch=$(go env GOARCH)
  deb_version=$(./build/version.sh deb)
  rm -f "$out"/*.deb "$out"/*-linux-*
  say "linux $version: building the app"
  cp "$work/icons/256x256.png" app/icon/concord.png # the window's icon (app/window_icon.go)
  go build -tags desktop,production,webkit2_41 -trimpath -ldflags "$ldflags" -o "$work/concord" .

  pkg=$work/deb
  rm -rf "$pkg"
  stage_tree "$pkg/usr"
  install -D -m 644 /dev/stdin "$pkg/usr/share/doc/concord/copyright" <<TXT
Concord $version, by the Concord developers.
The icon (usr/share/icons/hicolor/*/apps/concord.*) was drawn for Concord.
TXT
  mkdir -p "$pkg/DEBIAN"
  # The desktop, MIME and icon caches are refreshed by dpkg triggers of
  # desktop-file-utils, shared-mime-info and hicolor-icon-theme: no scripts needed.
  cat > "$pkg/DEBIAN/control" <<TXT
Package: concord
Version: $deb_version
Architecture: $arch
Maintainer: ${DEB_MAINTAINER:-Concord developers <concord@localhost>}
Installed-Size: $(du -sk "$pkg/usr" | cut -f1)
Depends: $DEB_DEPENDS
Recommends: shared-mime-info, desktop-file-utils, hicolor-icon-theme
Section: science
Priority: optional
Description: audit LLM judges against human pairwise votes
 Concord keeps human pairwise votes next to an LLM judge's verdicts, runs the
 judge through any OpenAI-compatible API in both presentation orders, and
 measures judge-human and human-human agreement and position and length bias.
 A desktop app and a headless command line (concord help).
TXT
  say "linux: concord_${deb_version}_${arch}.deb"
  dpkg-deb --root-owner-group -Zxz --build "$pkg" "$out/concord_${deb_version}_${arch}.deb" >/dev/null

  tarname=concord-$name-linux-$arch
  rm -rf "${work:?}/$tarname"
  stage_tree "$work/$tarname"
  install -m 755 build/linux/install.sh "$work/$tarname/install.sh"
  install -m 644 build/linux/README.txt "$work/$tarname/README.txt"
  say "linux: $tarname.tar.gz"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@${SOURCE_DATE_EPOCH:-$(date +%s)}" \
    -C "$work" -czf "$out/$tarname.tar.gz" "$tarname"
}

windows() {
  need go makensis rsvg-convert icotool
  frontend_built
  icons
  local winversion syso exe setup
  winversion=$(./build/version.sh win)
  rm -f "$out"/*-windows-*
  # The icon group has id 3, where Wails looks for the window's icon; the
  # manifest is the one a Wails app needs (common controls 6, per-monitor DPI).
  cat > "$work/winres.json" <<JSON
{
  "RT_GROUP_ICON": {"#3": {"0000": "icons/concord.ico"}},
  "RT_MANIFEST": {"#1": {"0409": {
    "description": "Concord", "minimum-os": "win10", "execution-level": "as invoker",
    "dpi-awareness": "per monitor v2", "use-common-controls-v6": true
  }}},
  "RT_VERSION": {"#1": {"0000": {
    "fixed": {"file_version": "$winversion", "product_version": "$winversion"},
    "info": {"0409": {
      "CompanyName": "Concord developers", "FileDescription": "Concord",
      "FileVersion": "$version", "InternalName": "concord", "LegalCopyright": "Concord developers",
      "OriginalFilename": "concord.exe", "ProductName": "Concord", "ProductVersion": "$version"
    }}
  }}}
}
JSON
  # go build picks up a *_windows_amd64.syso in the main package's folder.
  syso=concord_windows_amd64.syso
  trap 'rm -f "$syso"' EXIT
  say "windows $version: resources ($winversion) and the app"
  go run "$GO_WINRES" make --in "$work/winres.json" --arch amd64 --out "$work/concord" >/dev/null
  mv "$work/concord_windows_amd64.syso" "$syso"
  exe=concord-$name-windows-amd64.exe
  CGO_ENABLED=0 GOOS=windows GOARCH=amd64 go build -tags desktop,production -trimpath \
    -ldflags "-H windowsgui $ldflags" -o "$out/$exe" .
  rm -f "$syso"
  trap - EXIT

  setup=concord-$name-windows-amd64-setup.exe
  say "windows: $setup"
  makensis -V2 -NOCD -DVERSION="$version" -DWINVERSION="$winversion" -DEXE="$out/$exe" \
    -DICON="$work/icons/concord.ico" -DOUTFILE="$out/$setup" build/windows/installer.nsi >/dev/null
}

mac() {
  [ "$(uname -s)" = Darwin ] || die "macOS packages can only be built on a Mac (see README: Releasing); nothing built"
  need go rsvg-convert hdiutil
  # Wails makes the .app bundle (Info.plist, .icns) from build/appicon.png.
  local wails_version dmg
  wails_version=$(go list -m -f '{{.Version}}' github.com/wailsapp/wails/v2)
  rsvg-convert --width 1024 --height 1024 --output build/appicon.png build/icon/concord.svg
  go run "github.com/wailsapp/wails/v2/cmd/wails@$wails_version" build -platform darwin/universal -clean -trimpath -ldflags "$ldflags"
  dmg=$out/concord-$name-macos-universal.dmg
  rm -f "$out"/*-macos-*
  hdiutil create -volname Concord -srcfolder build/bin/Concord.app -ov -format UDZO "$dmg"
}

checksums() {
  local sum=(sha256sum) files=() f
  command -v sha256sum >/dev/null || sum=(shasum -a 256) # macOS
  for f in "$out"/*; do
    [ -f "$f" ] && [ "${f##*/}" != SHA256SUMS ] && files+=("${f##*/}")
  done
  [ ${#files[@]} -gt 0 ] || die "nothing in $out to sum"
  (cd "$out" && "${sum[@]}" "${files[@]}" > SHA256SUMS)
  say "$out/SHA256SUMS"
}

target=${1:-all}
case "$target" in
  linux|windows|mac|all|sums) ;;
  *) echo "usage: $0 [linux|windows|mac|all|sums]" >&2; exit 2 ;;
esac
[ "$target" = mac ] && [ "$(uname -s)" != Darwin ] && mac
mkdir -p "$out" "$work"
case "$target" in
  all) rm -f "$out"/*; linux; windows ;;
  sums) ;;
  *) "$target" ;;
esac
checksums
