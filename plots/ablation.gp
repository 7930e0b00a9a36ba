# The basis-size ablation: final normalised score against K (log axis),
# one line with 95% error bars per reference width, and the effective rank
# of the basis implicit-Q matrix on the right axis (with, when stored, the
# rank of the exact basis and markers at K = m and K = d). plot.c writes the data
# blocks and substitutes @TITLE@ and @PLOT@.
set title '@TITLE@'
set xlabel 'basis size K (log scale)'
set ylabel 'normalised score after the last answer (%)'
set y2label 'rank of the implicit-Q matrix (see the key)'
set logscale x 2
set y2tics nomirror
set key outside right top font ',10'
set offsets graph 0.03, graph 0.03, graph 0.05, graph 0.05
@PLOT@
