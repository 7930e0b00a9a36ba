# Spectra: singular values against their index, one line per spectrum.
# plot.c writes the data blocks and @PLOT@.
set title '@TITLE@'
set xlabel 'index'
set ylabel 'singular value'
set logscale y
set format y '%.0e'
set key top right Left reverse
set offsets graph 0.02, graph 0.02, 0, 0
@PLOT@
