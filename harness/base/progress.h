/* soupbench: a progress bar on standard error, drawn only when it is a
 * terminal and the run is not --quiet. */
#ifndef SB_PROGRESS_H
#define SB_PROGRESS_H

typedef struct {
    const char *label;
    long total, done;
    int enabled;
    double start, last_draw;
} SbProgress;

void sb_progress_start(SbProgress *pg, const char *label, long total, int quiet);
void sb_progress_advance(SbProgress *pg, long n);
/* Draw the final state and end the line. */
void sb_progress_finish(SbProgress *pg);

#endif
