# soupbench: terminal and look shared by every figure (prepended to each).
# plot.c substitutes @FORMAT@ (png, svg or pdf) and @OUTPUT@ (the path).
# Text is noenhanced: method and aspect names contain underscores.
# fmt and out stay defined for templates that need a larger canvas.
fmt = '@FORMAT@'
out = '@OUTPUT@'
if ('@FORMAT@' eq 'png') { set terminal pngcairo size 900,650 noenhanced font 'Sans,12' linewidth 1.5 }
if ('@FORMAT@' eq 'svg') { set terminal svg size 900,650 dynamic noenhanced font 'Sans,12' linewidth 1.5 background '#ffffff' }
if ('@FORMAT@' eq 'pdf') { set terminal pdfcairo size 9in,6.5in noenhanced font 'Sans,12' linewidth 1.5 }
set output '@OUTPUT@'
set border 3 lw 1 lc rgb '#404040'
set tics nomirror out
set grid lc rgb '#e0e0e0' lw 1 dt solid
set key box lc rgb '#c8c8c8' opaque samplen 1.5 spacing 1.15
set pointsize 1.4
