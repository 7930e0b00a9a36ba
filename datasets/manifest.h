/* soupbench: the real data files (datasets/manifest.json), where they are,
 * and their integrity (SPEC section 5).
 *
 * Every file is named by its path relative to the data root, as laid out in
 * ../shared/data (for example "vader/vader_lexicon.txt"). A file is looked
 * for, in order, under $SOUPBENCH_DATA, under ../shared/data (relative to
 * the current folder, then to the folder of the soupbench executable's
 * parent), and in the download cache ($SOUPBENCH_CACHE, default
 * ~/.cache/soupbench); `soupbench data fetch` downloads missing files from
 * their pinned upstream URL into the cache. Every use checks the SHA-256
 * against the manifest: a missing file or a mismatch is an error (exit 2)
 * naming the file, the expected and the found hash, and what to do. */
#ifndef SB_MANIFEST_H
#define SB_MANIFEST_H

typedef struct {
    const char *path;     /* relative to the data root */
    const char *url;      /* pinned upstream URL */
    const char *sha256;   /* 64 lowercase hex digits */
    long size;            /* bytes */
    const char *licence;
    const char *citation;
} SbDataFile;

/* The manifest's entries (parsed once from the embedded manifest.json). */
const SbDataFile *sb_manifest_all(int *n);
const SbDataFile *sb_manifest_find(const char *path);

/* The verified local path of a manifest file (malloc'd); on a missing file
 * or a checksum mismatch, sb_fail with exit code 2. */
char *sb_data_path(const char *path);

/* The download cache folder (malloc'd). */
char *sb_data_cache_dir(void);
/* The first existing candidate of the search order, unverified (malloc'd),
 * NULL when the file is nowhere. */
char *sb_data_locate(const char *path);

#endif
