/* soupbench: progress bar (harness/progress.h). */
#include "progress.h"

#include <stdio.h>
#include <unistd.h>

#include "sb.h"

static void draw(SbProgress *pg)
{
    const int width = 30;
    double frac = pg->total > 0 ? (double)pg->done / (double)pg->total : 1.0;
    int filled = (int)(frac * width);
    double elapsed = sb_now() - pg->start;
    fprintf(stderr, "\r%-18s [", pg->label);
    for (int i = 0; i < width; i++)
        fputc(i < filled ? '#' : '.', stderr);
    fprintf(stderr, "] %3d%%  %ld/%ld  %.1fs", (int)(100 * frac), pg->done, pg->total, elapsed);
    if (frac > 0 && frac < 1)
        fprintf(stderr, "  ~%.0fs left ", elapsed * (1 - frac) / frac);
    else
        fputs("           ", stderr);
    fflush(stderr);
    pg->last_draw = sb_now();
}

void sb_progress_start(SbProgress *pg, const char *label, long total, int quiet)
{
    pg->label = label;
    pg->total = total;
    pg->done = 0;
    pg->enabled = !quiet && isatty(STDERR_FILENO);
    pg->start = pg->last_draw = sb_now();
    if (pg->enabled)
        draw(pg);
}

/* Thread-safe: the units of a stage advance one bar from several threads. */
void sb_progress_advance(SbProgress *pg, long n)
{
#ifdef _OPENMP
#pragma omp critical(sb_progress)
#endif
    {
        pg->done += n;
        if (pg->enabled && sb_now() - pg->last_draw > 0.1)
            draw(pg);
    }
}

void sb_progress_finish(SbProgress *pg)
{
    if (!pg->enabled)
        return;
    pg->done = pg->total;
    draw(pg);
    fputc('\n', stderr);
}
