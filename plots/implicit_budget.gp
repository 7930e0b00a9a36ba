# A rejection sampler's proposal budget M (spectral_soup_implicit): the
# share of the target's (the explicit soup's) gain over pi_ref that the
# sampler's served policy reaches, with 95% error bars, on the left axis,
# and the sampler's acceptance per proposal and fallback per token, exact
# (lines) and measured (points), on the right, against M on a log axis.
# plot.c writes the data block and substitutes @TITLE@ and @PLOT@.
set title '@TITLE@'
set xlabel 'budget M: proposals per token at most (log scale)'
set ylabel 'share of the target''s gain over pi_ref (%)'
set y2label 'acceptance per proposal, fallback per token'
set logscale x 2
set y2range [0:1]
set y2tics 0.1 nomirror
set key outside right top font ',10'
set offsets graph 0.03, graph 0.03, graph 0.05, graph 0.05
@PLOT@
