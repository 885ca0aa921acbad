#!/usr/bin/env bash
# Prints the size of every file of a build, raw and gzip-compressed (level 9), and the totals.
set -euo pipefail
dir="${1:-dist}"
[ -d "$dir" ] || { echo "no build in $dir (run: trunk build --release)" >&2; exit 1; }
printf '%-58s %10s %10s\n' "file" "raw B" "gzip B"
total_raw=0; total_gz=0
while IFS= read -r f; do
  raw=$(stat -c %s "$f"); gz=$(gzip -9 -c "$f" | wc -c)
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz))
  printf '%-58s %10d %10d\n' "${f#$dir/}" "$raw" "$gz"
done < <(find "$dir" -type f | sort)
printf '%-58s %10d %10d\n' "TOTAL" "$total_raw" "$total_gz"
