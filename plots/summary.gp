# One statistic per method (J_u, normalised score) over held-out users with its 95% bootstrap CI.
# plot.c writes the data block $SUMMARY with rows
#   index J_mean J_lo J_hi colour(24-bit RGB as an integer) "method"
# and substitutes @TITLE@, @NROWS@ and @YLABEL@. The CI is drawn as a capped vector
# (yerrorbars would punch a gap around a point we do not draw).
set title '@TITLE@'
set xlabel ''
set ylabel '@YLABEL@'
set style fill solid 0.85 border lc rgb '#303030'
set boxwidth 0.7
set xtics rotate by 30 right nomirror
set xzeroaxis lt -1 lc rgb '#404040'
set key off
set xrange [0.4:@NROWS@ + 0.6]
set offsets 0, 0, graph 0.05, 0
# bars start at zero: the y range always includes it
set yrange [*<0:0<*]
plot $SUMMARY using 1:2:(0.7):5:xtic(6) with boxes lc rgb variable, \
     $SUMMARY using 1:3:(0):($4 - $3) with vectors heads size screen 0.008,90 lc rgb '#202020' lw 1.5
