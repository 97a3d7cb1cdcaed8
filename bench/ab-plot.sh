#!/usr/bin/env bash
# bench/ab-plot.sh - draws the runs of saved bench/ab.sh outputs as bars of CPU per request, each
# split into user mode and kernel, one bar per contender and run, the runs of each file in a group.
#
#   bench/ab.sh ... > /tmp/ab-c8.md; bench/ab.sh --conns 64 ... > /tmp/ab-c64.md
#   bench/ab-plot.sh --out docs/ab-cpu-split.png --title "..." /tmp/ab-c8.md /tmp/ab-c64.md
#
# Reads the per-run rows of ab.sh's first table (round, contender, req/s, p99, CPU µs/req, of it
# user, other, errors); an output without the user-mode column (ab.sh before it had one) is refused.
# Each group is labelled with the file's connection count (the "cN" of ab.sh's last line), and
# with "together" or "relaunch" when the runs were made so. Needs gnuplot (Debian: gnuplot-nox).
set -uo pipefail

OUT="" TITLE="CPU per request by run: user mode and kernel"
FILES=()
while [ $# -gt 0 ]; do
  case $1 in
    --out) OUT=$2; shift 2 ;;
    --title) TITLE=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) FILES+=("$1"); shift ;;
  esac
done
[ -n "$OUT" ] || { echo "--out FILE.png is required" >&2; exit 2; }
[ ${#FILES[@]} -gt 0 ] || { echo "give one or more saved bench/ab.sh outputs" >&2; exit 2; }
command -v gnuplot >/dev/null || { echo "missing 'gnuplot' (Debian: apt-get install gnuplot-nox)" >&2; exit 2; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/portcullis-abplot.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

# data.tsv: x, contender, total, user, label (the label only on a group's first bar)
: >"$TMP/data.tsv"; : >"$TMP/tics.txt"
x=0 names=""
for f in "${FILES[@]}"; do
  [ -r "$f" ] || { echo "cannot read $f" >&2; exit 2; }
  grep -q '^| round | contender | req/s | p99 ms | CPU µs/req | of it user |' "$f" \
    || { echo "$f: not an output of bench/ab.sh with the user-mode column" >&2; exit 2; }
  conns=$(grep -o ' c[0-9]* (h2load' "$f" | tail -1 | awk '{print $1}')
  # The way the runs were paired: side by side (--together) or launch after launch (--relaunch).
  if grep -q '^- --together:' "$f"; then conns="$conns together"; elif grep -q '^- --relaunch:' "$f"; then conns="$conns relaunch"; fi
  # per-run rows: | r | name | rps | p99 | cpu | user | other | errors |
  awk -F'|' -v x0="$x" -v c="${conns:-?}" '
    NF >= 9 && $2 ~ /^ *[0-9]+ *$/ {
      r = $2 + 0; n = $3; gsub(/ /, "", n); cpu = $6 + 0; usr = $7 + 0
      if (!(n in idx)) { idx[n] = k++; order[k - 1] = n }
      row[r, n] = cpu "\t" usr; if (r > rounds) rounds = r
    }
    END {
      x = x0
      for (r = 1; r <= rounds; r++) {
        for (j = 0; j < k; j++) {
          n = order[j]
          if ((r, n) in row) printf "%d\t%s\t%s\n", x, n, row[r, n] >> "'"$TMP/data.tsv"'"
          x++
        }
        printf "\"%s #%d\" %.1f\n", c, r, x - k + (k - 1) / 2 >> "'"$TMP/tics.txt"'"
        x++
      }
      print x + 1 > "'"$TMP/next.txt"'"
    }' "$f"
  x=$(cat "$TMP/next.txt")
done
names=$(cut -f2 "$TMP/data.tsv" | awk '!seen[$0]++' | tr '\n' ' ')
tics=$(paste -sd, "$TMP/tics.txt")

colors_dark=("#1f4e99" "#b35900" "#2e7d32" "#6a1b9a")
colors_light=("#9fb8e0" "#f2be8c" "#a5d6a7" "#ce93d8")
plot=""
i=0
for n in $names; do
  sep=$([ -n "$plot" ] && echo ", ")
  plot+="$sep'$TMP/data.tsv' using (strcol(2) eq '$n' ? \$1 : 1/0):3 with boxes fill solid 1.0 border lc rgb '${colors_dark[$i]}' lc rgb '${colors_light[$i]}' title '$n: kernel'"
  plot+=", '$TMP/data.tsv' using (strcol(2) eq '$n' ? \$1 : 1/0):4 with boxes fill solid 1.0 border lc rgb '${colors_dark[$i]}' lc rgb '${colors_dark[$i]}' title '$n: user mode'"
  i=$(( (i + 1) % ${#colors_dark[@]} ))
done
gnuplot <<GP || { echo "gnuplot failed" >&2; exit 1; }
set terminal pngcairo size $(( x * 24 > 1000 ? x * 24 : 1000 )),520 noenhanced font ",11"
set output '$OUT'
set datafile separator "\t"
set title '$TITLE'
set ylabel "CPU per request (µs): user mode (dark) + kernel (light)"
set boxwidth 0.9
set style fill solid 1.0
set xtics ($tics) scale 0 rotate by 30 right
set xrange [-1:$x]
set yrange [0:*]
set grid ytics
set key outside right top box
plot $plot
GP
echo "$OUT"
