/* soupbench: a shard's recorded units in its results file (/units), and
 * the reading back that `soupbench merge` does (harness/base/units.h). */
#ifndef SB_UNITSTORE_H
#define SB_UNITSTORE_H

#include "results.h"
#include "units.h"

/* /units: the shard's index and count as attributes, then per stage (in
 * run order) /units/<seq> with attributes name and kind and the datasets
 * out [n x cols], owned [n], journal_offsets [n + 1] and journal_bytes. */
void sb_unitstore_write(SbResults *r, const SbUnitStore *s, int index, int count);
/* Reads a shard's /units into s; 0 on success, else -1 with the reason
 * (naming the file and the object) in why. */
int sb_unitstore_read(SbResultsReader *rd, SbUnitStore *s, int *index, int *count, char *why, size_t why_size);

#endif
