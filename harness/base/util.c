/* soupbench: error path, checked allocation, random numbers, small numerics. */
#define _POSIX_C_SOURCE 200809L
#include "sb.h"
#include "units.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* temporary files and the one error path                             */

#define SB_MAX_TMPFILES 16
static char *tmpfiles[SB_MAX_TMPFILES];

void sb_tmpfile_register(const char *path)
{
    for (int i = 0; i < SB_MAX_TMPFILES; i++)
        if (!tmpfiles[i]) {
            tmpfiles[i] = strdup(path);
            return;
        }
    sb_fail(SB_EXIT_FAIL, "internal error: too many temporary files (registering %s)", path);
}

void sb_tmpfile_unregister(const char *path)
{
    for (int i = 0; i < SB_MAX_TMPFILES; i++)
        if (tmpfiles[i] && strcmp(tmpfiles[i], path) == 0) {
            char *p = tmpfiles[i];
            tmpfiles[i] = NULL; /* first: the signal handler reads the table */
            free(p);
        }
}

static void remove_tmpfiles(void)
{
    for (int i = 0; i < SB_MAX_TMPFILES; i++)
        if (tmpfiles[i]) {
            char *p = tmpfiles[i];
            tmpfiles[i] = NULL;
            unlink(p);
            free(p);
        }
}

#define SB_MAX_OWNED 16
typedef struct {
    void (*release)(void *);
    void *p;
} Owned;
static Owned owned[SB_MAX_OWNED];
static int n_owned;

void sb_owned_push(void (*release)(void *), void *p)
{
    if (n_owned < SB_MAX_OWNED) /* beyond: not taken back, as before */
        owned[n_owned++] = (Owned){release, p};
}

void sb_owned_pop(void *p)
{
    for (int i = n_owned - 1; i >= 0; i--)
        if (owned[i].p == p) {
            memmove(owned + i, owned + i + 1, sizeof owned[0] * (size_t)(n_owned - i - 1));
            n_owned--;
            return;
        }
}

void sb_owned_release_all(void)
{
    while (n_owned > 0) {
        n_owned--;
        owned[n_owned].release(owned[n_owned].p);
    }
}

static void (*fail_handler)(int code);

void sb_fail_set_handler(void (*handler)(int code)) { fail_handler = handler; }

void sb_fail(int code, const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs("soupbench: ", stderr);
    /* which rank and unit failed, when there are several */
    char unit[160];
    if (sb_units_size() > 1)
        fprintf(stderr, "rank %d of %d: ", sb_units_rank(), sb_units_size());
    if (sb_units_current(unit, sizeof unit) && (sb_units_size() > 1 || sb_units_threads() > 1))
        fprintf(stderr, "unit %s: ", unit);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    remove_tmpfiles();
    if (fail_handler)
        fail_handler(code);
    /* _exit, not exit: the libraries' exit handlers may not survive the
     * failure being reported (HDF5 closing a file whose write failed on a
     * full disk crashes), and there is nothing left for them to do. */
    fflush(NULL);
    _exit(code);
}

/* ------------------------------------------------------------------ */
/* signals                                                            */

static pid_t signals_owner; /* the process that installed the handlers */

static void put(const char *s) { (void)!write(2, s, strlen(s)); }

/* Async-signal-safe: unlink, write and _exit only. */
static void on_signal(int sig)
{
    const char *name = sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" : "SIGPIPE";
    /* a closed pipe (`soupbench list | head`) is the reader's choice, not
     * an event to report: only what had to be removed is said */
    int quiet = sig == SIGPIPE, said = 0;
    if (!quiet) {
        put("soupbench: stopped by ");
        put(name);
        said = 1;
    }
    if (getpid() == signals_owner) /* not a child between fork and exec */
        for (int i = 0; i < SB_MAX_TMPFILES; i++) {
            const char *p = tmpfiles[i];
            if (p && unlink(p) == 0) {
                put(said ? " (removed " : "soupbench: stopped by SIGPIPE (removed ");
                put(p);
                put(")");
                said = 1;
            }
        }
    if (said)
        put("\n");
    _exit(128 + sig);
}

void sb_signals_install(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigfillset(&sa.sa_mask);
    signals_owner = getpid();
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
    signal(SIGXFSZ, SIG_IGN);
}

int sb_tmpfile_remove_stale(const char *path, const char *tag)
{
    char *copy = sb_strdup(path);
    char *slash = strrchr(copy, '/');
    const char *dir = slash ? (slash == copy ? "/" : copy) : ".", *base = slash ? slash + 1 : copy;
    if (slash)
        *slash = '\0';
    size_t nb = strlen(base), nt = strlen(tag);
    DIR *d = opendir(dir);
    int removed = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        const char *n = e->d_name;
        if (strncmp(n, base, nb) != 0 || strncmp(n + nb, tag, nt) != 0)
            continue;
        const char *digits = n + nb + nt;
        char *end;
        errno = 0;
        long pid = strtol(digits, &end, 10);
        if (end == digits || *end || errno || pid <= 0 || pid == (long)getpid())
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* alive, or not ours to judge */
        size_t len = strlen(dir) + strlen(n) + 2;
        char *stale = sb_malloc(len);
        snprintf(stale, len, "%s/%s", dir, n);
        if (unlink(stale) == 0) {
            fprintf(stderr, "soupbench: removed %s, left by process %ld, which is gone\n", stale, pid);
            removed++;
        }
        free(stale);
    }
    if (d)
        closedir(d);
    free(copy);
    return removed;
}

/* ------------------------------------------------------------------ */
/* checked allocation                                                 */

void *sb_malloc_at(size_t n, const char *file, int line)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        sb_fail(SB_EXIT_FAIL, "out of memory: malloc(%zu) at %s:%d", n, file, line);
    return p;
}

void *sb_calloc_at(size_t count, size_t size, const char *file, int line)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        sb_fail(SB_EXIT_FAIL, "out of memory: calloc(%zu, %zu) at %s:%d", count, size, file, line);
    return p;
}

void *sb_realloc_at(void *p, size_t n, const char *file, int line)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        sb_fail(SB_EXIT_FAIL, "out of memory: realloc(%zu) at %s:%d", n, file, line);
    return q;
}

char *sb_strdup_at(const char *s, const char *file, int line)
{
    size_t n = strlen(s) + 1;
    char *d = sb_malloc_at(n, file, line);
    memcpy(d, s, n);
    return d;
}

int sb_mkdir_p(const char *path)
{
    char *dir = sb_strdup(path);
    int rc = 0;
    for (char *p = dir + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
                rc = -1;
                break;
            }
            *p = c;
            if (c == '\0')
                break;
        }
    }
    free(dir);
    return rc;
}

char *sb_column_names(const char *prefix, int first, int n)
{
    size_t cap = (strlen(prefix) + 12) * (size_t)(n > 0 ? n : 1) + 1, len = 0;
    char *s = sb_malloc(cap);
    s[0] = '\0';
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len, "%s%s%d", i ? "," : "", prefix, first + i);
    return s;
}

char *sb_join_names(char *const *names, int n, const char *prefix, const char *sep)
{
    size_t cap = 1, len = 0;
    for (int i = 0; i < n; i++)
        cap += strlen(prefix) + strlen(names[i]) + strlen(sep);
    char *s = sb_malloc(cap);
    s[0] = '\0';
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len, "%s%s%s", i ? sep : "", prefix, names[i]);
    return s;
}

char *sb_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = sb_malloc(cap);
    for (;;) {
        if (n + 1 >= cap) {
            if (sb_size_mul(cap, 2, &cap) != 0) {
                free(buf);
                fclose(f);
                errno = EFBIG;
                return NULL;
            }
            buf = sb_realloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        errno = EIO;
        return NULL;
    }
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

/* ------------------------------------------------------------------ */
/* text from untrusted files                                          */

int sb_name_safe(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (!(('A' <= c && c <= 'Z') || ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') || c == '_' ||
              c == '-' || c == '.'))
            return 0;
    }
    return n >= 1 && n <= SB_SAFE_NAME_MAX && s[0] != '.' && s[0] != '-';
}

/* Length of the valid UTF-8 sequence at p (1 to 4), 0 if there is none
 * (overlong forms, surrogates and code points past U+10FFFF refused). */
static int utf8_length(const unsigned char *p, unsigned *cp)
{
    int n;
    unsigned c = p[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        n = 2, c &= 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3, c &= 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, c &= 0x07;
    } else {
        return 0;
    }
    for (int i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3F);
    }
    if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return n;
}

char *sb_printable(const char *s, size_t max_bytes, int flags)
{
    size_t len = strlen(s), shown = max_bytes && len > max_bytes ? max_bytes : len, cap;
    /* at most 6 output bytes per input byte, "..." and the NUL */
    if (sb_size_mul(shown, 6, &cap) != 0 || sb_size_add(cap, 4, &cap) != 0)
        sb_fail(SB_EXIT_FAIL, "out of memory: a string of %zu bytes to show", len);
    char *out = sb_malloc(cap), *o = out;
    const unsigned char *p = (const unsigned char *)s, *end = p + shown;
    while (p < end) {
        unsigned cp = 0;
        int n = utf8_length(p, &cp);
        if (n == 0 || p + n > end) { /* not UTF-8 (or cut by max_bytes) */
            o += sprintf(o, "\\x%02X", *p++);
        } else if (cp == '\n' || cp == '\t') {
            if (flags & SB_PRINT_LINES)
                *o++ = (char)cp;
            else
                o += sprintf(o, "\\%c", cp == '\n' ? 'n' : 't');
            p++;
        } else if (cp == '\r') {
            o += sprintf(o, "\\r");
            p++;
        } else if (cp < 0x20 || cp == 0x7F) {
            o += sprintf(o, "\\x%02X", cp);
            p++;
        } else if (cp >= 0x80 && cp <= 0x9F) { /* C1 controls (8-bit CSI...) */
            o += sprintf(o, "\\u%04X", cp);
            p += n;
        } else {
            memcpy(o, p, (size_t)n);
            o += n;
            p += n;
        }
    }
    if (shown < len)
        o += sprintf(o, "...");
    *o = '\0';
    return out;
}

const char *sb_json_find_nul(const char *text, size_t len)
{
    const char *nul = memchr(text, '\0', len);
    int in_string = 0;
    for (const char *p = text, *end = nul ? nul : text + len; p < end; p++) {
        if (!in_string) {
            in_string = *p == '"';
        } else if (*p == '"') {
            in_string = 0;
        } else if (*p == '\\' && p + 1 < end) {
            if (p[1] == 'u' && end - p >= 6 && memcmp(p + 2, "0000", 4) == 0)
                return p;
            p++; /* the escaped character */
        }
    }
    return nul;
}

/* ------------------------------------------------------------------ */
/* random numbers: xoshiro256** seeded through splitmix64             */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void sb_rng_seed(SbRng *rng, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&x);
}

void sb_rng_derive(SbRng *out, uint64_t seed, const char *purpose)
{
    /* FNV-1a of the purpose, mixed with the seed. */
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const char *p = purpose; *p; p++) {
        h ^= (unsigned char)*p;
        h *= 0x100000001b3ULL;
    }
    uint64_t x = seed ^ h;
    sb_rng_seed(out, splitmix64(&x));
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t sb_rng_u64(SbRng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t sb_seed_from_weights(uint64_t seed, const double *w, int m)
{
    uint64_t h = seed;
    for (int j = 0; j < m; j++) {
        uint64_t bits;
        memcpy(&bits, &w[j], sizeof bits);
        h = h * 0x100000001b3ULL ^ bits;
    }
    return h;
}

double sb_rng_uniform(SbRng *rng) { return (double)(sb_rng_u64(rng) >> 11) * 0x1.0p-53; }

double sb_rng_normal(SbRng *rng)
{
    /* Box-Muller; one draw per call keeps the stream position simple. */
    double u1 = sb_rng_uniform(rng), u2 = sb_rng_uniform(rng);
    return sqrt(-2.0 * log1p(-u1)) * cos(2.0 * M_PI * u2);
}

int sb_rng_below(SbRng *rng, int n)
{
    SB_ASSERT(n > 0);
    return (int)(sb_rng_uniform(rng) * n);
}

void sb_rng_permutation(SbRng *rng, int n, int *out)
{
    for (int i = 0; i < n; i++)
        out[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = sb_rng_below(rng, i + 1), t = out[i];
        out[i] = out[j];
        out[j] = t;
    }
}

int sb_rng_categorical(SbRng *rng, const double *p, int n)
{
    double total = 0;
    for (int i = 0; i < n; i++)
        total += p[i];
    double u = sb_rng_uniform(rng) * total, acc = 0;
    for (int i = 0; i < n; i++) {
        acc += p[i];
        if (u < acc)
            return i;
    }
    for (int i = n - 1; i >= 0; i--) /* u rounded up to total */
        if (p[i] > 0)
            return i;
    return n - 1;
}

/* ------------------------------------------------------------------ */
/* numerics                                                           */

double sb_logsumexp(const double *x, int n)
{
    double m = -INFINITY;
    for (int i = 0; i < n; i++)
        if (x[i] > m)
            m = x[i];
    if (m == -INFINITY)
        return -INFINITY;
    double s = 0;
    for (int i = 0; i < n; i++)
        s += exp(x[i] - m);
    return m + log(s);
}

void sb_log_softmax(const double *x, int n, double *out)
{
    double lse = sb_logsumexp(x, n);
    for (int i = 0; i < n; i++)
        out[i] = x[i] - lse;
}

void sb_softmax(const double *x, int n, double *out)
{
    sb_log_softmax(x, n, out);
    for (int i = 0; i < n; i++)
        out[i] = exp(out[i]);
}

double sb_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
