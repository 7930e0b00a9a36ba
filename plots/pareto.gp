# Pareto front of one aspect pair: every method's points (filled:
# non-dominated, hollow: dominated), the oracle's front as a line, and
# pi_ref's reference point. plot.c writes the data blocks and @PLOT@.
set title '@TITLE@'
set xlabel '@XLABEL@'
set ylabel '@YLABEL@'
set key outside right top vertical Left reverse font ',10' spacing 1.1 samplen 1 width -2
# A margin around the autoscaled range so no marker is cut at the border.
set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05
@PLOT@
