/* soupbench: SHA-256, from OpenSSL's libcrypto (EVP interface).
 *
 * One digest for the two places that need it: the data manifest (every real
 * data file is checked against its pinned hash) and the results provenance
 * (the reference policy's hash, so a basis is reused only with the same
 * reference). */
#ifndef SB_DIGEST_H
#define SB_DIGEST_H

#include <stddef.h>

/* SHA-256 of a buffer. */
void sb_sha256(const void *data, size_t n, unsigned char digest[32]);
/* The 32 bytes as 64 lowercase hex digits and a NUL. */
void sb_sha256_hex(const unsigned char digest[32], char hex[65]);
/* SHA-256 of a file as 64 lowercase hex digits into hex[65]; -1 with errno
 * set if the file cannot be read. */
int sb_sha256_file(const char *path, char hex[65]);

#endif
