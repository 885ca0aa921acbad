#!/usr/bin/env bash
# Makes the PNG icons of the web app manifest from the SVGs in this folder. Run once by hand
# when an SVG changes and commit the PNGs: builds need none of these tools.
#   apt-get install librsvg2-bin pngquant optipng      (Debian)
# icon.svg           "any" icon (rounded corners, transparent outside)
# icon-maskable.svg  "maskable" icon: full-bleed background, the mark scaled to 84 % so that
#                    it stays inside the safe zone (the centred circle of radius 40 %).
set -euo pipefail
cd "$(dirname "$0")"
for size in 192 512; do
  rsvg-convert -w "$size" -h "$size" icon.svg -o "icon-$size.png"
  rsvg-convert -w "$size" -h "$size" icon-maskable.svg -o "icon-maskable-$size.png"
done
for f in icon-192.png icon-512.png icon-maskable-192.png icon-maskable-512.png; do
  pngquant --force --skip-if-larger --quality 80-100 --speed 1 --output "$f" -- "$f" || true
  optipng -quiet -o7 -strip all "$f"
done
ls -l ./*.png
