#!/usr/bin/env bash
# bench/conns-plot.sh - draws the conns case of saved bench/run.sh outputs: for each via (direct,
# nginx as a proxy, the gateway, the bare Vert.x proxy), its req/s at 1,024 connections as a share
# of its req/s at 64, one bar per via at the median and one point per pair of runs, with the
# target's 0.85 as a line.
#
#   bench/run.sh --conns-rounds 3 --cases conns > /tmp/conns.md
#   bench/conns-plot.sh --out docs/conns-c1024.png --title "..." /tmp/conns.md [more.md ...]
#
# Reads the "Each pair's c1024 ÷ c64" table (written with --conns-rounds 2 or more); several files
# are pooled per via. Needs gnuplot (Debian: gnuplot-nox).
set -euo pipefail
OUT="" TITLE="req/s at 1,024 connections ÷ req/s at 64, one core per side"
while [ $# -gt 0 ]; do
  case $1 in
    --out) OUT=$2; shift 2 ;;
    --title) TITLE=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ -n "$OUT" ] && [ $# -ge 1 ] || { echo "usage: $0 --out PNG [--title T] RUN.md ..." >&2; exit 2; }
command -v gnuplot >/dev/null || { echo "gnuplot is missing (Debian: gnuplot-nox)" >&2; exit 1; }
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
# points.tsv: via index, ratio; bars.tsv: via index, median, label
awk -F'|' '
  /^Each pair.s c1024/ { t = 1; next }
  t && /^\| via/ { next }
  t && /^\|---/ { next }
  t && /^\|/ {
    via = $2; gsub(/^ +| +$/, "", via)
    if (!(via in idx)) { idx[via] = ++n; name[n] = via }
    k = split($3, r, " ")
    for (i = 1; i <= k; i++) if (r[i] != "-") { print idx[via] "\t" r[i] > pts; v[idx[via], ++c[idx[via]]] = r[i] }
    next
  }
  t && !/^\|/ && NF > 0 { t = 0 }
  END {
    if (n == 0) { print "no \"Each pair'"'"'s c1024 ÷ c64\" table found (run with --conns-rounds 2 or more)" > "/dev/stderr"; exit 1 }
    for (j = 1; j <= n; j++) {
      m = c[j]; for (a = 1; a <= m; a++) s[a] = v[j, a]
      for (a = 1; a <= m; a++) for (b = a + 1; b <= m; b++) if (s[b] < s[a]) { x = s[a]; s[a] = s[b]; s[b] = x }
      med = (m % 2) ? s[(m + 1) / 2] : (s[m / 2] + s[m / 2 + 1]) / 2
      printf "%d\t%.3f\t\"%s\"\n", j, med, name[j] > bars
    }
  }' pts="$TMP/points.tsv" bars="$TMP/bars.tsv" "$@"
N=$(wc -l <"$TMP/bars.tsv")
gnuplot <<GP
set terminal pngcairo size 900,520 font ",11"
set output "$OUT"
set title "$TITLE"
set ylabel "c1024 req/s ÷ c64 req/s"
set yrange [0:1.05]
set xrange [0.4:$N + 0.6]
set style fill solid 0.35 border -1
set boxwidth 0.55
set grid ytics
set key top right
set arrow from 0.4,0.85 to $N + 0.6,0.85 nohead dt 2 lw 2 lc rgb "#c00000"
set label "target 0.85" at 0.45,0.885 tc rgb "#c00000"
plot "$TMP/bars.tsv" using 1:2:xtic(3) with boxes lc rgb "#4477aa" title "median of the pairs", \
     "$TMP/points.tsv" using 1:2 with points pt 7 ps 1.3 lc rgb "#222222" title "one pair of runs (c64, then c1024)"
GP
echo "wrote $OUT" >&2
