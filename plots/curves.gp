# Online curves: one statistic against the number of answers on a log axis
# (t = 0 drawn at 0.5), a mean line and a 95% band per method. plot.c
# writes the data blocks and substitutes @TITLE@, @YLABEL@, @XTICS@, @PLOT@.
set title '@TITLE@' offset 14,0
set xlabel 'answers t (log scale)'
set ylabel '@YLABEL@'
set logscale x 2
set xtics @XTICS@
set key outside right top font ',10'
set offsets graph 0.02, graph 0.02, graph 0.05, graph 0.05
@PLOT@
