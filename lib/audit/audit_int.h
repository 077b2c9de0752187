/*
 * audit/audit_int.h: internal to the audit folder: the reader of a
 * chain's lines (lib/audit/lines.c) that verify's walk (chain.c) uses.
 */
#ifndef QGTM_AUDIT_AUDIT_INT_H
#define QGTM_AUDIT_AUDIT_INT_H

#include <sys/types.h>

#include "audit/audit.h"

/* A SHA-256 context of one thread, the EVP_MD fetched once. */
struct qgtm_hasher {
	struct evp_md_ctx_st *ctx;
	struct evp_md_st *md;
};

/*
 * qgtm_hasher_cat: qgtm_sha256_cat with h's context, which only its
 * thread uses; h NULL: qgtm_sha256_cat itself (the calling thread must
 * be the library's main one).
 */
void qgtm_hasher_cat(struct qgtm_hasher *h, const void *a, size_t an,
    const void *b, size_t bn, unsigned char md[32]);

/*
 * The check of one line that needs no other line, run in whichever
 * thread gets to it first, which must not matter: fills the local_size
 * bytes at out from the n bytes at line (a NUL follows them), hashing
 * with h only, calling nothing that sets the library's error state.
 */
typedef void (*qgtm_lines_fn)(struct qgtm_hasher *h, const char *line,
    size_t n, void *out);

/* One line of the chain as qgtm_lines_next gives it. */
struct qgtm_line {
	const char *p;          /* n bytes, then a NUL (no newline) */
	size_t n;
	int has_nl;             /* it ended in "\n" (else: torn) */
	const unsigned char *leaf;      /* its leaf hash, SHA-256(0 || p) */
	const void *local;      /* what fn filled in for it */
};

struct qgtm_lines;

/*
 * qgtm_lines_start: read the bytes [off, size) of the file open on fd
 * (pread: its offset is not used) as lines, in chunks, each with its
 * leaf hash and what fn (local_size bytes) makes of it; with
 * qgtm_audit_walk_threads() above 1, a second thread reads chunks ahead
 * and shares the leaves and fn's work with the caller, who takes the
 * lines in order. The lines and what comes with them are the same
 * either way. Returns the reader (qgtm_lines_stop frees it) or NULL
 * (QGTM_EX_OSERR) when OpenSSL's SHA-256 cannot be set up.
 */
struct qgtm_lines *qgtm_lines_start(int fd, off_t off, off_t size,
    qgtm_lines_fn fn, size_t local_size);

/*
 * qgtm_lines_next: the next line into *l (borrowed until the next call).
 * Returns 1, 0 after the last line (the end of the file or of size), or
 * -1 with errno set (no error message) when a read failed after the
 * lines given.
 */
int qgtm_lines_next(struct qgtm_lines *r, struct qgtm_line *l);

/* qgtm_lines_stop: stop reading (joining the thread) and free r. */
void qgtm_lines_stop(struct qgtm_lines *r);

#endif /* QGTM_AUDIT_AUDIT_INT_H */
