/*
 * audit/audit_int.h: internal to the audit folder: the reader of a
 * chain's lines (lib/audit/lines.c) that verify's walk (chain.c) uses.
 */
#ifndef QGTM_AUDIT_AUDIT_INT_H
#define QGTM_AUDIT_AUDIT_INT_H

#include <sys/types.h>

#include "audit/audit.h"

/* One line of the chain as qgtm_lines_next gives it. */
struct qgtm_line {
	const char *p;          /* n bytes, then a NUL (no newline) */
	size_t n;
	int has_nl;             /* it ended in "\n" (else: torn) */
	const unsigned char *leaf;      /* its leaf hash, SHA-256(0 || p) */
};

struct qgtm_lines;

/*
 * qgtm_lines_start: read the bytes [off, size) of the file open on fd
 * (pread: its offset is not used) as lines, each with its leaf hash, in
 * chunks; with qgtm_audit_walk_threads() above 1, a second thread reads
 * and hashes the chunks ahead of the caller. The lines and their hashes
 * are the same either way. Returns the reader (qgtm_lines_stop frees it)
 * or NULL (QGTM_EX_OSERR) when OpenSSL's SHA-256 cannot be set up.
 */
struct qgtm_lines *qgtm_lines_start(int fd, off_t off, off_t size);

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
