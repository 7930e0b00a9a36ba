/* soupbench data: the real data files of datasets/manifest.json.
 *
 *     soupbench data verify [FILE...]   where each file is, and its SHA-256
 *     soupbench data fetch  [FILE...]   download the missing ones, verified
 *     soupbench data list   [FILE...]   path, size, licence
 *
 * The search order and the checks are datasets/manifest.c's; this file adds
 * the report and the download. A download goes through curl into the cache
 * under a temporary name, is verified, and only then renamed into place, so
 * a failed or corrupted download leaves nothing behind.
 *
 * Fetch rules (datasets/README.md): curl may use https only, redirects
 * included (--proto =https --proto-redir =https); the URL comes after
 * "--", so it is never read as an option; no more than the manifest's size
 * is written (--max-filesize, and RLIMIT_FSIZE on curl) before the hash is
 * checked. $SOUPBENCH_MIRROR is an https URL or a local folder (an
 * absolute path, or file:///PATH), for which curl may use file:// only. */
#include "commands.h"
#include "digest.h"
#include "manifest.h"
#include "sb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char data_usage[] =
    "usage: soupbench data verify|fetch|list [FILE...]\n"
    "\n"
    "The real data files pinned by datasets/manifest.json (compiled into soupbench).\n"
    "\n"
    "  verify    check each file's SHA-256 and print where it was found\n"
    "  fetch     download the missing files from their pinned upstream URL into\n"
    "            the cache (with curl), verify them, and verify the present ones\n"
    "  list      print each file's path, size and licence\n"
    "\n"
    "FILE... restricts the command to these manifest paths, for example\n"
    "vader/vader_lexicon.txt. A file is looked for, in order, under\n"
    "$SOUPBENCH_DATA, ../shared/data (relative to the current folder, then to\n"
    "the folder holding soupbench), and the download cache ($SOUPBENCH_CACHE,\n"
    "default ~/.cache/soupbench). $SOUPBENCH_MIRROR, a base laid out like\n"
    "../shared/data, replaces the upstream URLs: an https:// URL, or a local\n"
    "folder (/mnt/soupbench-data or file:///mnt/soupbench-data). Downloads use\n"
    "https only (redirects too) and stop past the size the manifest pins.\n"
    "\n"
    "Exit status: 0 when every file is present and valid, 2 otherwise.\n";

/* ------------------------------------------------------------------ */
/* arguments                                                          */

/* The manifest entries named on the command line (all when none), in
 * manifest order; *n set. malloc'd array of pointers into the manifest. */
static const SbDataFile **select_files(int argc, char **argv, int *n)
{
    int total;
    const SbDataFile *all = sb_manifest_all(&total);
    const SbDataFile **sel = sb_calloc((size_t)total, sizeof *sel);
    int k = 0;
    for (int i = 2; i < argc; i++)
        if (!sb_manifest_find(argv[i])) {
            fprintf(stderr, "soupbench data: '%s' is not a file of the data manifest (see 'soupbench data list')\n",
                    argv[i]);
            free(sel);
            return NULL;
        }
    for (int j = 0; j < total; j++) {
        int wanted = argc <= 2;
        for (int i = 2; i < argc && !wanted; i++)
            wanted = strcmp(argv[i], all[j].path) == 0;
        if (wanted)
            sel[k++] = &all[j];
    }
    *n = k;
    return sel;
}

/* ------------------------------------------------------------------ */
/* verify                                                             */

/* The width of the longest path, to align the columns. */
static int path_width(const SbDataFile **files, int n)
{
    int width = 4;
    for (int i = 0; i < n; i++) {
        int w = (int)strlen(files[i]->path);
        width = w > width ? w : width;
    }
    return width;
}

static int data_verify(const SbDataFile **files, int n)
{
    int ok = 0, missing = 0, mismatched = 0, w = path_width(files, n);
    for (int i = 0; i < n; i++) {
        const SbDataFile *e = files[i];
        char *found = sb_data_locate(e->path);
        char hex[65];
        if (!found) {
            printf("missing    %s\n", e->path);
            missing++;
        } else if (sb_sha256_file(found, hex) != 0) {
            printf("unreadable %-*s  %s: %s\n", w, e->path, found, strerror(errno));
            mismatched++;
        } else if (strcmp(hex, e->sha256) != 0) {
            printf("MISMATCH   %-*s  %s: expected %s, found %s\n", w, e->path, found, e->sha256, hex);
            mismatched++;
        } else {
            printf("ok         %-*s  %s\n", w, e->path, found);
            ok++;
        }
        free(found);
    }
    printf("%d file%s: %d ok, %d missing, %d invalid\n", n, n == 1 ? "" : "s", ok, missing, mismatched);
    if (missing || mismatched) {
        fflush(stdout);
        fprintf(stderr,
                "soupbench: data verify: %d of %d files missing or invalid; delete the invalid ones and run "
                "'soupbench data fetch' (or 'make data')\n",
                missing + mismatched, n);
        return SB_EXIT_USAGE;
    }
    return SB_EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* fetch                                                              */

/* curl -fsSL --retry 2 --proto P --proto-redir P --max-filesize N -o tmp
 * -- url, writing at most max_size bytes; curl's exit status (127: not
 * run). */
static int run_curl(const char *url, const char *proto, long max_size, const char *tmp)
{
    char size[32];
    snprintf(size, sizeof size, "%ld", max_size);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        sb_fail(SB_EXIT_FAIL, "cannot fork to run curl: %s", strerror(errno));
    if (pid == 0) {
        /* a server that ignores --max-filesize (no Content-Length) still
         * cannot write more: the write fails with EFBIG (SIGXFSZ ignored) */
        struct rlimit rl = {(rlim_t)max_size, (rlim_t)max_size};
        signal(SIGXFSZ, SIG_IGN);
        setrlimit(RLIMIT_FSIZE, &rl);
        execlp("curl", "curl", "-fsSL", "--retry", "2", "--proto", proto, "--proto-redir", proto, "--max-filesize",
               size, "-o", tmp, "--", url, (char *)NULL);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            sb_fail(SB_EXIT_FAIL, "waiting for curl: %s", strerror(errno));
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* The URL of e and the one protocol curl may use for it ("=https" or
 * "=file"): the manifest's, or under $SOUPBENCH_MIRROR, which must be an
 * https URL or a local folder (exit 2 otherwise). malloc'd. */
static char *download_url(const SbDataFile *e, const char **proto)
{
    const char *mirror = getenv("SOUPBENCH_MIRROR");
    if (!mirror || !*mirror) {
        if (strncmp(e->url, "https://", 8) != 0)
            sb_fail(SB_EXIT_FAIL, "internal error: datasets/manifest.json: %s: expected an https:// URL, found %s",
                    e->path, e->url);
        *proto = "=https";
        return sb_strdup(e->url);
    }
    int control = 0;
    for (const unsigned char *c = (const unsigned char *)mirror; *c; c++)
        control |= *c < 0x20 || *c == 0x7f;
    const char *base = NULL, *scheme = "";
    if (!control && strncmp(mirror, "https://", 8) == 0 && mirror[8] && mirror[8] != '/') {
        base = mirror, *proto = "=https";
    } else if (!control && strncmp(mirror, "file:///", 8) == 0) {
        base = mirror, *proto = "=file";
    } else if (!control && mirror[0] == '/') {
        base = mirror, scheme = "file://", *proto = "=file";
    }
    if (!base) {
        char *found = sb_printable(mirror, 200, 0);
        sb_fail(SB_EXIT_USAGE,
                "$SOUPBENCH_MIRROR: expected an https:// URL or a local folder (an absolute path or file:///PATH), "
                "found \"%s\" (plain http and other schemes are refused)",
                found);
    }
    size_t n = strlen(scheme) + strlen(base) + strlen(e->path) + 2;
    char *url = sb_malloc(n);
    snprintf(url, n, "%s%s%s%s", scheme, base, base[strlen(base) - 1] == '/' ? "" : "/", e->path);
    return url;
}

/* Download one file into the cache; on any failure nothing is left behind
 * and the run ends (exit 2) naming the file and the URL. */
static void fetch_one(const SbDataFile *e, const char *cache)
{
    const char *proto;
    char *url = download_url(e, &proto);
    size_t n = strlen(cache) + strlen(e->path) + 32;
    char *dest = sb_malloc(n), *tmp = sb_malloc(n);
    snprintf(dest, n, "%s/%s", cache, e->path);
    snprintf(tmp, n, "%s.part-%ld", dest, (long)getpid());
    char *dir = sb_strdup(dest);
    *strrchr(dir, '/') = '\0';
    if (sb_mkdir_p(dir) != 0)
        sb_fail(SB_EXIT_USAGE, "data file %s: cannot create the cache folder %s: %s", e->path, dir, strerror(errno));
    sb_tmpfile_remove_stale(dest, ".part-");

    printf("fetching  %s  from %s\n", e->path, url);
    sb_tmpfile_register(tmp);
    int rc = run_curl(url, proto, e->size, tmp);
    struct stat st;
    if (rc == 127)
        sb_fail(SB_EXIT_USAGE, "data file %s: cannot run curl to download %s; install curl, or copy the file to %s",
                e->path, url, dest);
    /* 63: above --max-filesize; 23: a write refused (RLIMIT_FSIZE) */
    if (rc == 63 || (rc == 23 && stat(tmp, &st) == 0 && st.st_size >= e->size))
        sb_fail(SB_EXIT_USAGE,
                "data file %s: download from %s is larger than the %ld bytes the manifest pins; nothing was kept",
                e->path, url, e->size);
    if (rc != 0)
        sb_fail(SB_EXIT_USAGE, "data file %s: download from %s failed (curl exit status %d); nothing was kept",
                e->path, url, rc);
    char hex[65];
    if (sb_sha256_file(tmp, hex) != 0)
        sb_fail(SB_EXIT_USAGE, "data file %s: cannot read the download from %s: %s; nothing was kept", e->path, url,
                strerror(errno));
    if (strcmp(hex, e->sha256) != 0)
        sb_fail(SB_EXIT_USAGE,
                "data file %s: downloaded from %s: SHA-256 mismatch: expected %s, found %s; nothing was kept",
                e->path, url, e->sha256, hex);
    if (rename(tmp, dest) != 0)
        sb_fail(SB_EXIT_USAGE, "data file %s: cannot rename %s to %s: %s", e->path, tmp, dest, strerror(errno));
    sb_tmpfile_unregister(tmp);
    printf("fetched   %s  %s\n", e->path, dest);
    free(dir);
    free(tmp);
    free(dest);
    free(url);
}

static int data_fetch(const SbDataFile **files, int n)
{
    char *cache = sb_data_cache_dir();
    int present = 0, fetched = 0;
    for (int i = 0; i < n; i++) {
        char *found = sb_data_locate(files[i]->path);
        if (found) {
            /* Present: verified only (a mismatch ends the run with its message). */
            free(found);
            char *path = sb_data_path(files[i]->path);
            printf("present   %s  %s\n", files[i]->path, path);
            free(path);
            present++;
        } else {
            fetch_one(files[i], cache);
            fetched++;
        }
    }
    printf("%d file%s: %d present, %d downloaded into %s\n", n, n == 1 ? "" : "s", present, fetched, cache);
    free(cache);
    return SB_EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* list                                                               */

static int data_list(const SbDataFile **files, int n)
{
    int width = path_width(files, n);
    long total = 0;
    printf("%-*s  %10s  %s\n", width, "PATH", "BYTES", "LICENCE");
    for (int i = 0; i < n; i++) {
        printf("%-*s  %10ld  %s\n", width, files[i]->path, files[i]->size, files[i]->licence);
        total += files[i]->size;
    }
    printf("%d file%s, %ld bytes\n", n, n == 1 ? "" : "s", total);
    return SB_EXIT_OK;
}

/* ------------------------------------------------------------------ */

int sb_cmd_data(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(data_usage, stdout);
            return SB_EXIT_OK;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "soupbench data: unknown option %s\n\n%s", argv[i], data_usage);
            return SB_EXIT_USAGE;
        }
    if (argc < 2) {
        fputs(data_usage, stderr);
        return SB_EXIT_USAGE;
    }
    static const struct {
        const char *name;
        int (*fn)(const SbDataFile **, int);
    } actions[] = {{"verify", data_verify}, {"fetch", data_fetch}, {"list", data_list}};
    for (size_t a = 0; a < sizeof actions / sizeof actions[0]; a++)
        if (strcmp(argv[1], actions[a].name) == 0) {
            int n;
            const SbDataFile **files = select_files(argc, argv, &n);
            if (!files)
                return SB_EXIT_USAGE;
            int rc = actions[a].fn(files, n);
            free(files);
            return rc;
        }
    fprintf(stderr, "soupbench data: unknown action '%s'\n\n%s", argv[1], data_usage);
    return SB_EXIT_USAGE;
}
