/*
 * audit_commit.c: the commit mark beside the audit chain, "<chain>.commit",
 * one line {"bytes":B,"entries":N,"head":H}: the chain's first B bytes,
 * N entries ending in the entry of hash H, are committed (qgtm-audit(1),
 * COMMIT MARK). An appender writes its batch's entries, fsyncs the chain,
 * and only then replaces the mark (temp file, fsync, rename, fsync of the
 * directory): the rename is the batch's commit. Bytes past B are the tail
 * of an append that did not finish; verify reports them and repair cuts
 * them. A chain without a mark (written before marks existed, or a copy)
 * is committed as a whole.
 *
 * Writing a mark allocates nothing (its paths and directory are opened
 * ahead), so that neither an allocation failure nor anything else between
 * a batch's write and its commit can leave a half-done state behind that
 * the caller cannot undo.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"

/* Longest mark: two 20-digit counts and a hash with the punctuation. */
#define MARK_MAX 160

/* Is s exactly 64 lowercase hex digits? */
static int
is_hash(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n == 64 && s[n] == '\0';
}

/* Parse the n bytes at p, the text of path, into c. */
static int
mark_parse(const char *path, const char *p, size_t n,
    struct qgtm_audit_commit *c)
{
	json_error_t jerr;
	const char *head;
	long long bytes, entries;
	json_t *o;
	int rc = -1;

	o = json_loadb(p, n, JSON_REJECT_DUPLICATES, &jerr);
	if (o != NULL && json_is_object(o) && json_object_size(o) == 3 &&
	    qgtm_json_int(o, "bytes", &bytes) == 0 &&
	    qgtm_json_int(o, "entries", &entries) == 0 &&
	    qgtm_json_str(o, "head", &head) == 0 && bytes >= 0 &&
	    entries >= 0 && entries <= bytes && is_hash(head)) {
		c->bytes = bytes;
		c->entries = (unsigned long)entries;
		memcpy(c->head, head, sizeof c->head);
		rc = 0;
	}
	json_decref(o);
	if (rc == -1)
		qgtm_seterr(QGTM_EX_NO, "%s: not a commit mark, or a damaged "
		    "one", path);
	return rc;
}

int
qgtm_audit_commit_read(const char *chain_path, struct qgtm_audit_commit *c)
{
	char *path = qgtm_xasprintf("%s.commit", chain_path), buf[MARK_MAX];
	ssize_t n = -1;
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) != -1) {
		n = read(fd, buf, sizeof buf);
		close(fd);
	}
	if (fd == -1 && errno == ENOENT)
		rc = 1;
	else if (n == -1)
		rc = qgtm_seterr_errno(QGTM_EX_IOERR, "cannot read '%s'", path);
	else
		rc = mark_parse(path, buf, (size_t)n, c);
	free(path);
	return rc;
}

int
qgtm_audit_marker_open(struct qgtm_audit_marker *m, const char *chain_path)
{
	const char *slash = strrchr(chain_path, '/');
	char *dir;

	dir = slash == NULL ? qgtm_xstrdup(".") : slash == chain_path ?
	    qgtm_xstrdup("/") : qgtm_xasprintf("%.*s",
	    (int)(slash - chain_path), chain_path);
	m->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (m->dirfd == -1) {
		qgtm_seterr_errno(QGTM_EX_IOERR, "cannot open '%s'", dir);
		free(dir);
		return -1;
	}
	free(dir);
	m->path = qgtm_xasprintf("%s.commit", chain_path);
	/* One writer at a time (the appenders' lock): a fixed name, which a
	 * killed writer leaves for the next one to overwrite. */
	m->tmp = qgtm_xasprintf("%s.commit.tmp", chain_path);
	return 0;
}

void
qgtm_audit_marker_close(struct qgtm_audit_marker *m)
{
	if (m->dirfd != -1)
		close(m->dirfd);
	m->dirfd = -1;
	free(m->path);
	free(m->tmp);
	m->path = m->tmp = NULL;
}

int
qgtm_audit_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	ssize_t w;

	while (n > 0) {
		w = qgtm_fault(QGTM_FAULT_WRITE) ? -1 : write(fd, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
qgtm_audit_marker_put(const struct qgtm_audit_marker *m,
    const struct qgtm_audit_commit *c)
{
	char buf[MARK_MAX];
	int fd, n, rc = 0;

	n = snprintf(buf, sizeof buf, "{\"bytes\":%lld,\"entries\":%lu,"
	    "\"head\":\"%s\"}\n", c->bytes, c->entries, c->head);
	fd = open(m->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd == -1)
		return qgtm_seterr_errno(QGTM_EX_IOERR, "cannot create '%s'",
		    m->tmp);
	if (qgtm_audit_write_all(fd, buf, (size_t)n) == -1 ||
	    (qgtm_fault(QGTM_FAULT_FSYNC) ? -1 : fsync(fd)) == -1)
		rc = qgtm_seterr_errno(QGTM_EX_IOERR, "cannot write '%s'",
		    m->tmp);
	if (close(fd) == -1 && rc == 0)
		rc = qgtm_seterr_errno(QGTM_EX_IOERR, "cannot write '%s'",
		    m->tmp);
	if (rc == 0 && (qgtm_fault(QGTM_FAULT_RENAME) ? -1 :
	    rename(m->tmp, m->path)) == -1)
		rc = qgtm_seterr_errno(QGTM_EX_IOERR, "cannot rename '%s' to "
		    "'%s'", m->tmp, m->path);
	if (rc == -1) {
		unlink(m->tmp);
		return rc;
	}
	if ((qgtm_fault(QGTM_FAULT_FSYNC) ? -1 : fsync(m->dirfd)) == -1)
		return qgtm_seterr_errno(QGTM_EX_IOERR, "cannot sync the "
		    "directory of '%s'", m->path);
	return 0;
}
