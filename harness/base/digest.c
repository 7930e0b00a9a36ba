/* soupbench: SHA-256 through libcrypto's EVP digests; files are hashed in
 * 64 KiB reads. */
#include "digest.h"
#include "sb.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

static EVP_MD_CTX *digest_begin(void)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
        sb_fail(SB_EXIT_FAIL, "libcrypto: cannot start a SHA-256 digest");
    return ctx;
}

static void digest_add(EVP_MD_CTX *ctx, const void *data, size_t n)
{
    if (EVP_DigestUpdate(ctx, data, n) != 1)
        sb_fail(SB_EXIT_FAIL, "libcrypto: SHA-256 update failed");
}

static void digest_end(EVP_MD_CTX *ctx, unsigned char digest[32])
{
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(ctx, digest, &len) != 1 || len != 32)
        sb_fail(SB_EXIT_FAIL, "libcrypto: SHA-256 final failed");
    EVP_MD_CTX_free(ctx);
}

void sb_sha256(const void *data, size_t n, unsigned char digest[32])
{
    EVP_MD_CTX *ctx = digest_begin();
    digest_add(ctx, data, n);
    digest_end(ctx, digest);
}

void sb_sha256_hex(const unsigned char digest[32], char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    hex[64] = '\0';
}

int sb_sha256_file(const char *path, char hex[65])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1; /* errno from fopen */
    enum { BUF = 64 * 1024 };
    unsigned char *buf = sb_malloc(BUF);
    EVP_MD_CTX *ctx = digest_begin();
    size_t got;
    errno = 0;
    while ((got = fread(buf, 1, BUF, f)) > 0)
        digest_add(ctx, buf, got);
    int err = ferror(f) ? (errno ? errno : EIO) : 0;
    fclose(f);
    free(buf);
    unsigned char digest[32];
    digest_end(ctx, digest);
    if (err) {
        errno = err;
        return -1;
    }
    sb_sha256_hex(digest, hex);
    return 0;
}
