# The spectral-gap sweep: one panel per MDP setting, each method's gap to
# the oracle against the horizon (log scale, left axis) and the residual of
# the user's Q* on the basis span (right axis). plot.c substitutes @TITLE@
# and @LAYOUT@ (rows,columns), then writes each panel's data and plot.
# A larger canvas than common.gp's, in the same format (fmt, out).
if (fmt eq 'png') { set terminal pngcairo size 1400,1000 noenhanced font 'Sans,11' linewidth 1.5 }
if (fmt eq 'svg') { set terminal svg size 1400,1000 dynamic noenhanced font 'Sans,11' linewidth 1.5 background '#ffffff' }
if (fmt eq 'pdf') { set terminal pdfcairo size 14in,10in noenhanced font 'Sans,11' linewidth 1.5 }
set output out
set multiplot layout @LAYOUT@ title '@TITLE@'
set xlabel 'horizon H'
set ylabel 'gap J_u(pi*) - J_u(pi), mean over users'
set y2label 'relative residual'
set logscale y
set format y '%.0e'
set y2range [0:1.05]
set y2tics nomirror
set xtics 1
set key bottom right font ',9' samplen 2 spacing 1.0
