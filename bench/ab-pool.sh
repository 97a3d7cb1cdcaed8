#!/usr/bin/env bash
# bench/ab-pool.sh - pools the rounds of saved bench/ab.sh outputs and gives each contender's
# per-round ratios to a reference contender: their medians over every round, and over the "clean"
# rounds, where no contender's launch cost more than --dear-above µs of CPU per request.
#
#   bench/ab.sh --together ... gw=gw:JAR bare=bare:JAR > /tmp/tog-a.md   # and again > /tmp/tog-b.md
#   bench/ab-pool.sh --ref bare --dear-above 50 /tmp/tog-a.md /tmp/tog-b.md
#
# A round is one file's round number: its contenders were measured at the same moment with
# --together, next to each other in time otherwise. Reads the per-run rows of ab.sh's first table
# (round, contender, req/s, p99, CPU µs/req, of it user, ...); a round without the reference is
# skipped. The ratios are contender ÷ reference (req/s, p99, CPU, user-mode CPU), one per round, so
# the host's drift between rounds cancels; a median of an even count is the mean of the middle two.
set -uo pipefail

REF="" DEAR=0
FILES=()
while [ $# -gt 0 ]; do
  case $1 in
    --ref) REF=$2; shift 2 ;;
    --dear-above) DEAR=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) FILES+=("$1"); shift ;;
  esac
done
[ -n "$REF" ] || { echo "--ref NAME (the contender the others are divided by) is required" >&2; exit 2; }
[[ $DEAR =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "--dear-above needs µs per request, got $DEAR" >&2; exit 2; }
[ ${#FILES[@]} -gt 0 ] || { echo "give one or more saved bench/ab.sh outputs" >&2; exit 2; }
for f in "${FILES[@]}"; do [ -r "$f" ] || { echo "cannot read $f" >&2; exit 2; }; done

awk -v ref="$REF" -v dear="$DEAR" '
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    if (n == 0) return "-"
    return sprintf("%.3f", n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2)
  }
  FNR == 1 { file++; table = 1 }
  # Only the first table: its rows have a round number, then a contender with no backquote.
  table && /^\| *[0-9]+ *\| / {
    n = split($0, c, "|")
    if (n < 8) next
    for (i = 2; i <= 7; i++) gsub(/^ +| +$/, "", c[i])
    if (c[7] !~ /^[0-9.]+$/) { printf "%s: no user-mode column (an ab.sh output from before it had one)\n", FILENAME > "/dev/stderr"; bad = 1; exit }
    key = file SUBSEP c[2]
    if (!(key in seen)) { seen[key] = 1; keys[++nk] = key }
    names[key] = names[key] " " c[3]
    rps[key, c[3]] = c[4]; p99[key, c[3]] = c[5]; cpu[key, c[3]] = c[6]; usr[key, c[3]] = c[7]
    if (!(c[3] in known)) { known[c[3]] = 1; order[++nc] = c[3] }
    if (dear > 0 && c[6] + 0 > dear) dearRound[key] = 1
    next
  }
  table && /^\| contender \|/ { table = 0 }
  END {
    if (bad) exit 2
    if (!(ref in known)) { printf "no contender named %s in these outputs\n", ref > "/dev/stderr"; exit 2 }
    for (k = 1; k <= nk; k++) {
      key = keys[k]
      if (!((key, ref) in cpu) || rps[key, ref] + 0 <= 0 || cpu[key, ref] + 0 <= 0) continue
      rounds++
      if (dearRound[key]) dearCount++
      for (i = 1; i <= nc; i++) {
        name = order[i]
        if (name == ref || !((key, name) in cpu)) continue
        r = sprintf(" %.4f", rps[key, name] / rps[key, ref])
        p = p99[key, ref] + 0 > 0 ? sprintf(" %.4f", p99[key, name] / p99[key, ref]) : ""
        cc = sprintf(" %.4f", cpu[key, name] / cpu[key, ref])
        u = usr[key, ref] + 0 > 0 ? sprintf(" %.4f", usr[key, name] / usr[key, ref]) : ""
        allR[name] = allR[name] r; allP[name] = allP[name] p; allC[name] = allC[name] cc; allU[name] = allU[name] u
        cntAll[name]++
        if (!dearRound[key]) {
          clR[name] = clR[name] r; clP[name] = clP[name] p; clC[name] = clC[name] cc; clU[name] = clU[name] u
          cntCl[name]++
        }
      }
    }
    printf "| contender ÷ %s | rounds | req/s | p99 | CPU µs/req | user CPU µs/req |\n", ref
    print "|---|--:|--:|--:|--:|--:|"
    for (i = 1; i <= nc; i++) {
      name = order[i]
      if (name == ref || !cntAll[name]) continue
      printf "| %s, every round | %d | %s | %s | %s | %s |\n", name, cntAll[name], median(allR[name]), median(allP[name]), median(allC[name]), median(allU[name])
      if (dear > 0)
        printf "| %s, rounds with no launch over %s µs/req | %d | %s | %s | %s | %s |\n", name, dear, cntCl[name] + 0, median(clR[name]), median(clP[name]), median(clC[name]), median(clU[name])
    }
    printf "\n- %d rounds from %d file(s)", rounds, file
    if (dear > 0) printf "; %d of them with a launch over %s µs of CPU per request", dearCount + 0, dear
    print "; medians of the per-round ratios"
  }
' "${FILES[@]}"
