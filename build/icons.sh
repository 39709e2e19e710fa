#!/usr/bin/env bash
# Renders build/icon/concord.svg to the sizes the packages need, into DIR:
# DIR/NxN.png for the hicolor theme (16 to 512) and DIR/concord.ico for Windows
# (16 to 256; 256 stored as PNG). Needs rsvg-convert (librsvg2-bin) and
# icotool (icoutils). Usage: build/icons.sh DIR
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: build/icons.sh DIR}
svg=build/icon/concord.svg

for tool in rsvg-convert icotool; do
  command -v "$tool" >/dev/null || { echo "icons: $tool not found; run: ./build/deps.sh dist" >&2; exit 1; }
done
mkdir -p "$out"
for size in 16 22 24 32 48 64 128 256 512; do
  rsvg-convert --width "$size" --height "$size" --output "$out/${size}x${size}.png" "$svg"
done
icotool --create --output "$out/concord.ico" \
  "$out"/{16x16,24x24,32x32,48x48,64x64,128x128}.png --raw="$out/256x256.png"
