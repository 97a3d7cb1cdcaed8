# Goodput against offered load, one line per label, from the CSV that bench/overload.sh keeps
# (label,offered_c,goodput_c). Labels hold no spaces (the script writes them with '_').
#   gnuplot -e "csv='docs/overload-goodput.csv'; out='docs/overload-goodput.png'" bench/overload/goodput.gp
set terminal pngcairo size 900,560 noenhanced font ",11"
set output out
set datafile separator ","
set title "Goodput against offered load - saturated backend, C = 200 req/s (8 workers x 40 ms), deadline 1 s"
set xlabel "offered load (x C), open-loop Poisson"
set ylabel "goodput: 2xx answers per second (x C)"
set xrange [0:4.5]
set yrange [0:1.2]
set xtics 0.5
set grid
set key top right box opaque
labels = system("tail -n +2 '" . csv . "' | cut -d, -f1 | awk '!seen[$0]++' | tr '\\n' ' '")
ideal(x) = x < 1 ? x : 1
plot ideal(x) title "ideal: min(offered, C)" dashtype 2 linecolor rgb "gray", \
     for [l in labels] csv using (strcol(1) eq l ? $2 : 1/0):3 smooth unique with linespoints pointtype 7 linewidth 2 title l
