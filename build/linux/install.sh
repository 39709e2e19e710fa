#!/bin/sh
# Installs Concord from this folder under PREFIX (default: /usr/local as root,
# ~/.local otherwise): the binary, the menu entry, the icons and the .concord
# file type. `./install.sh --uninstall` removes exactly those files again.
# Concord needs the GTK 3 and WebKitGTK 4.1 runtime libraries of your
# distribution (Debian/Ubuntu: libgtk-3-0 libwebkit2gtk-4.1-0; Fedora: gtk3
# webkit2gtk4.1; Arch: gtk3 webkit2gtk-4.1).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" -eq 0 ]; then default=/usr/local; else default="$HOME/.local"; fi
prefix=${PREFIX:-$default}

files=$(cd "$here" && find bin share -type f | sort)

refresh() {
  command -v update-mime-database >/dev/null && update-mime-database "$prefix/share/mime" >/dev/null 2>&1 || true
  command -v update-desktop-database >/dev/null && update-desktop-database "$prefix/share/applications" >/dev/null 2>&1 || true
  command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$prefix/share/icons/hicolor" >/dev/null 2>&1 || true
}

case "${1:-}" in
  --uninstall)
    for f in $files; do rm -f "$prefix/$f"; done
    refresh
    echo "Concord removed from $prefix"
    ;;
  "")
    for f in $files; do
      mkdir -p "$(dirname "$prefix/$f")"
      cp "$here/$f" "$prefix/$f"
    done
    chmod 755 "$prefix/bin/concord"
    # The menu entry starts the binary by its full path: $prefix/bin may not be on PATH.
    sed "s|^Exec=concord |Exec=$prefix/bin/concord |" "$here/share/applications/concord.desktop" \
      > "$prefix/share/applications/concord.desktop"
    refresh
    echo "Concord installed in $prefix (run $prefix/bin/concord, or find it in the menu)"
    ;;
  *) echo "usage: $0 [--uninstall]   (PREFIX=/opt/concord $0 installs elsewhere)" >&2; exit 2 ;;
esac
