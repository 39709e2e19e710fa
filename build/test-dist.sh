#!/usr/bin/env bash
# Checks the packages that `make dist` wrote into build/dist/: the .deb's
# control data and files, installing it (root only), launching the installed
# app under Xvfb and taking a screenshot, removing it; the .tar.gz and its
# install.sh; concord.exe (PE32+, GUI subsystem, icon and version resource);
# the NSIS installer; SHA256SUMS; version.sh's forms; and that the macOS
# target refuses on Linux. `make test-dist` builds the packages first.
# Ends with "test-dist: N passed, N failed, N skipped"; exits 1 on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

GO_WINRES=github.com/tc-hib/go-winres@v0.3.3
ICON_SIZES=(16 22 24 32 48 64 128 256 512)
out=build/dist
work=build/bin/dist-test
shot=$work/screenshot.png

passed=0 failed=0 skipped=0
pass() { passed=$((passed + 1)); echo "ok    $*"; }
fail() { failed=$((failed + 1)); echo "FAIL  $*" >&2; }
skip() { skipped=$((skipped + 1)); echo "skip  $*"; }
# check DESCRIPTION COMMAND...: passes when COMMAND succeeds.
check() { local what=$1; shift; if "$@" >/dev/null 2>&1; then pass "$what"; else fail "$what"; fi; }

# The window part runs inside xvfb-run: launch BIN on a new database, wait for
# its window, take a screenshot once the page is drawn and still (a blank or
# loading page is not), then copy the page's text through the clipboard and
# look for the Overview of the seeded demo study.
if [ "${1:-}" = --in-display ]; then
  bin=$2 home=$3
  HOME=$home XDG_CONFIG_HOME=$home/config XDG_DATA_HOME=$home/data XDG_CACHE_HOME=$home/cache \
    "$bin" --db "$home/concord.db" >"$home/app.log" 2>&1 &
  app=$!
  trap 'kill "$app" 2>/dev/null || true; wait "$app" 2>/dev/null || true' EXIT
  if ! win=$(timeout 60 xdotool search --sync --onlyvisible --name '^Concord$' | head -1) || [ -z "$win" ]; then
    echo "no window titled Concord within 60 s; the app said:" >&2; cat "$home/app.log" >&2; exit 1
  fi
  previous=
  for _ in $(seq 30); do
    sleep 1
    import -window root "$shot"
    frame=$(convert "$shot" rgb:- | sha256sum)
    [ "$(convert "$shot" -format %k info:)" -gt 200 ] && [ "$frame" = "$previous" ] && break
    previous=$frame
  done
  [ "$frame" = "$previous" ] || { echo "the window did not settle on a drawn page in 30 s (see $shot)" >&2; exit 1; }
  # The desktop entry's StartupWMClass=concord ties the window to its icon in a dock or task bar.
  class=$(xprop -id "$win" WM_CLASS)
  grep -q '"concord"' <<<"$class" || { echo "the window's $class does not match StartupWMClass=concord" >&2; exit 1; }
  xdotool windowfocus --sync "$win" key --window "$win" ctrl+a sleep 0.3 key --window "$win" ctrl+c sleep 0.5
  text=$(timeout 5 xclip -o -selection clipboard || true)
  if ! grep -q "^Overview" <<<"$text" || ! grep -q "demo study" <<<"$text"; then
    echo "the window does not show the Overview of the demo study; its text:" >&2; head -c 600 <<<"$text" >&2
    echo; echo "the app said:" >&2; cat "$home/app.log" >&2; exit 1
  fi
  exit 0
fi

rm -rf "$work"; mkdir -p "$work"
[ -d "$out" ] || { echo "test-dist: $out is missing; run make test-dist (it runs make dist first)" >&2; exit 1; }
shopt -s nullglob
debs=("$out"/concord_*.deb) tars=("$out"/concord-*-linux-*.tar.gz)
exes=("$out"/concord-*-windows-amd64.exe) setups=("$out"/concord-*-windows-amd64-setup.exe)
shopt -u nullglob
for kind in debs tars exes setups; do
  declare -n list=$kind
  [ ${#list[@]} -eq 1 ] || { echo "test-dist: want exactly one of $kind in $out, found ${#list[@]}; run make dist" >&2; exit 1; }
done
deb=${debs[0]} tarball=${tars[0]} exe=${exes[0]} setup=${setups[0]}

echo "== version.sh"
while read -r describe want_deb want_win; do
  got_deb=$(CONCORD_DESCRIBE=$describe ./build/version.sh deb) got_win=$(CONCORD_DESCRIBE=$describe ./build/version.sh win)
  if [ "$got_deb $got_win" = "$want_deb $want_win" ]; then pass "version $describe -> $got_deb, $got_win"
  else fail "version $describe -> $got_deb, $got_win; want $want_deb, $want_win"; fi
done <<'TABLE'
v1.2.3 1.2.3 1.2.3.0
v1.2.3-4-gabc1234 1.2.3+4.gabc1234 1.2.3.4
v1.2.3-4-gabc1234-dirty 1.2.3+4.gabc1234.dirty 1.2.3.4
v2.0-dirty 2.0+dirty 2.0.0.0
abc1234 0.0.0+git.abc1234 0.0.0.0
abc1234-dirty 0.0.0+git.abc1234.dirty 0.0.0.0
dev 0.0.0+git.dev 0.0.0.0
TABLE
check "dpkg accepts the Debian version of this checkout" dpkg --validate-version "$(./build/version.sh deb)"

echo "== $deb"
dpkg-deb -I "$deb" > "$work/deb-info"
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' > "$work/deb-files"
depends=$(dpkg-deb -f "$deb" Depends)
check "Depends names libwebkit2gtk-4.1-0 ($depends)" grep -Eq '(^|, )libwebkit2gtk-4\.1-0(,|$| )' <<<"$depends"
check "Depends names libgtk-3-0" grep -Eq '(^|, )libgtk-3-0(,|$| )' <<<"$depends"
check "Depends names no -dev package" bash -c '! grep -q -- "-dev" <<<"$1"' _ "$depends"
check "Package is concord, Architecture amd64" test "$(dpkg-deb -f "$deb" Package Architecture | tr '\n' ' ')" = "Package: concord Architecture: amd64 "
for f in /usr/bin/concord /usr/share/applications/concord.desktop /usr/share/mime/packages/concord.xml \
  /usr/share/icons/hicolor/scalable/apps/concord.svg; do
  check "deb holds $f" grep -qx "$f" "$work/deb-files"
done
for size in "${ICON_SIZES[@]}"; do
  check "deb holds the ${size}x${size} icon" grep -qx "/usr/share/icons/hicolor/${size}x${size}/apps/concord.png" "$work/deb-files"
done
mkdir -p "$work/deb-root"
dpkg-deb -x "$deb" "$work/deb-root"
desktop=$work/deb-root/usr/share/applications/concord.desktop
check "desktop-file-validate accepts the desktop entry" desktop-file-validate "$desktop"
check "desktop entry: Exec=concord %f" grep -qx 'Exec=concord %f' "$desktop"
check "desktop entry: Icon=concord" grep -qx 'Icon=concord' "$desktop"
check "desktop entry: MimeType=application/x-concord-study;" grep -qx 'MimeType=application/x-concord-study;' "$desktop"
mime=$work/deb-root/usr/share/mime/packages/concord.xml
check "MIME type application/x-concord-study for *.concord" \
  bash -c 'grep -q "<mime-type type=\"application/x-concord-study\">" "$1" && grep -q "<glob pattern=\"\*.concord\"/>" "$1"' _ "$mime"
for size in 16 256 512; do
  check "the ${size}x${size} icon is a ${size}x${size} PNG" \
    grep -q "PNG image data, $size x $size" <(file "$work/deb-root/usr/share/icons/hicolor/${size}x${size}/apps/concord.png")
done
check "the packaged binary is an x86-64 ELF executable" grep -q "ELF 64-bit LSB .*x86-64" <(file "$work/deb-root/usr/bin/concord")

echo "== install, launch and remove the .deb"
if [ "$(id -u)" -ne 0 ]; then
  skip "installing the .deb needs root (run make test-dist as root)"
elif dpkg-query -W -f='${Status}' concord 2>/dev/null | grep -q "install ok installed"; then
  skip "a concord package is already installed here; not replacing it (dpkg -r concord, then run again)"
else
  trap 'dpkg -r concord >/dev/null 2>&1 || true' EXIT
  if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 "./$deb" >"$work/apt.log" 2>&1; then
    pass "apt-get installs $(basename "$deb")"
    check "/usr/bin/concord is installed" test -x /usr/bin/concord
    check "the MIME database knows application/x-concord-study" test -f /usr/share/mime/application/x-concord-study.xml
    check "the desktop database maps application/x-concord-study to concord.desktop" \
      grep -q '^application/x-concord-study=.*concord.desktop' /usr/share/applications/mimeinfo.cache
    if command -v xvfb-run >/dev/null && command -v xdotool >/dev/null && command -v xclip >/dev/null && command -v xprop >/dev/null && command -v import >/dev/null; then
      mkdir -p "$work/home"
      if xvfb-run -a -s "-screen 0 1280x800x24" "$0" --in-display /usr/bin/concord "$(realpath "$work/home")"; then
        pass "the installed app opens its window on the demo study's Overview (screenshot: $shot)"
      else
        fail "the installed app did not show a drawn window"
      fi
    else
      skip "no xvfb-run, xdotool, xclip, xprop or import (imagemagick): window not checked (./build/deps.sh dist)"
    fi
    if dpkg -r concord >"$work/remove.log" 2>&1; then pass "dpkg -r concord"; else fail "dpkg -r concord (see $work/remove.log)"; fi
    check "/usr/bin/concord is gone after removal" test ! -e /usr/bin/concord
    check "the MIME type is gone after removal" test ! -e /usr/share/mime/application/x-concord-study.xml
  else
    fail "apt-get install ./$deb (see $work/apt.log)"
  fi
  trap - EXIT
fi

echo "== $tarball"
mkdir -p "$work/tar" "$work/prefix"
tar -xzf "$tarball" -C "$work/tar"
top=$(find "$work/tar" -mindepth 1 -maxdepth 1 -type d)
check "tarball has install.sh and README.txt" test -x "$top/install.sh" -a -f "$top/README.txt"
check "tarball holds the same binary as the .deb" cmp "$top/bin/concord" "$work/deb-root/usr/bin/concord"
check "tarball holds the same share/ files as the .deb" \
  diff <(cd "$top/share" && find . -type f | sort) <(cd "$work/deb-root/usr/share" && find . -type f ! -path './doc/*' | sort)
prefix=$(realpath "$work/prefix")
if PREFIX=$prefix "$top/install.sh" >"$work/install.log" 2>&1; then
  pass "install.sh installs into PREFIX"
  check "install.sh: binary, MIME type and 48x48 icon in place" \
    test -x "$prefix/bin/concord" -a -f "$prefix/share/mime/packages/concord.xml" -a -f "$prefix/share/icons/hicolor/48x48/apps/concord.png"
  check "install.sh: the menu entry starts $prefix/bin/concord %f" grep -qx "Exec=$prefix/bin/concord %f" "$prefix/share/applications/concord.desktop"
  PREFIX=$prefix "$top/install.sh" --uninstall >>"$work/install.log" 2>&1
  check "install.sh --uninstall leaves no file of ours" test -z "$(find "$prefix" -name 'concord*' -type f)"
else
  fail "install.sh (see $work/install.log)"
fi

echo "== $exe"
check "concord.exe is a PE32+ x86-64 GUI executable" grep -q "PE32+ executable (GUI) x86-64" <(file "$exe")
if go run "$GO_WINRES" extract --dir "$work/winres" "$exe" >"$work/winres.log" 2>&1; then
  version=${exe##*/concord-}; version=${version%-windows-amd64.exe}
  check "version resource: ProductVersion $version" grep -Eq "\"ProductVersion\": \"v?$version\"" "$work/winres/winres.json"
  check "version resource: OriginalFilename concord.exe" grep -q '"OriginalFilename": "concord.exe"' "$work/winres/winres.json"
  check "icon group #3 (the one Wails shows) holds 16 to 256 px" \
    bash -c 'icotool -l "$1" | grep -q "width=16 " && icotool -l "$1" | grep -q "width=256 "' _ "$work/winres/#3_0000.ico"
else
  fail "go-winres extract $exe (see $work/winres.log)"
fi
check "the installer is an NSIS installer" grep -q "Nullsoft Installer" <(file "$setup")

echo "== SHA256SUMS and the macOS target"
check "SHA256SUMS lists every package and matches it" \
  bash -c 'cd "$1" && test "$(wc -l < SHA256SUMS)" -eq "$(find . -maxdepth 1 -type f ! -name SHA256SUMS | wc -l)" && sha256sum --quiet -c SHA256SUMS' _ "$out"
if [ "$(uname -s)" != Darwin ]; then
  set +e; ./build/dist.sh mac >"$work/mac.out" 2>"$work/mac.err"; rc=$?; set -e
  if [ $rc -eq 1 ] && [ "$(wc -l <"$work/mac.err")" -eq 1 ] && [ ! -s "$work/mac.out" ]; then
    pass "dist.sh mac refuses on $(uname -s) with one line: $(cat "$work/mac.err")"
  else
    fail "dist.sh mac on $(uname -s): exit $rc, stderr: $(cat "$work/mac.err")"
  fi
fi

echo "test-dist: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
