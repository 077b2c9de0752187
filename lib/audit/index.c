/*
 * audit_index.c: the Merkle index beside a chain, "<chain>.idx". It is
 * derived data: every node of the chain's tree, so that root, prove and
 * consistency answer from it in O(log^2 n) reads instead of hashing the
 * whole chain. Layout (integers are unsigned 64-bit big-endian):
 *
 *	 0  "QGTMIDX1"
 *	 8  n, the entries covered
 *	16  the chain's size in bytes with those n entries
 *	24  where the last of them starts (its line)
 *	32  the last entry's hash (32 bytes)
 *	64  the 2n - popcount(n) nodes of struct qgtm_mtree, 32 bytes each
 *
 * The nodes are in post order, so a tree's nodes are a prefix of every
 * larger tree's: adding leaves only appends nodes. Append keeps the index
 * current that way (qgtm_audit_index_extend, under the appenders' lock):
 * it loads the roots of the full subtrees (one node per bit of n), checks
 * the new lines as verify does, appends the nodes they complete and only
 * then rewrites the header. A kill in between leaves a file longer than
 * its header says: the header still describes a valid prefix, the bytes
 * past it are ignored and the next extension cuts them; a file shorter
 * than its header says is damaged, and the next qgtm_audit_tree rebuilds
 * it. Writers hold an exclusive flock on the index, readers a shared one
 * while they read the header and map it.
 *
 * An index is used when the chain still ends where it says with the hash
 * it says; when the chain merely grew past it, it is extended from its
 * end (only the new lines are read); otherwise the chain is verified, the
 * tree built and the index written anew. qgtm_audit_verify checks every
 * node of an index present.
 */
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"

#define IDX_MAGIC "QGTMIDX1"
#define IDX_HEAD 64

/* The u64 stored big-endian at p. */
static uint64_t
get64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* Store v big-endian at p. */
static void
put64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

/* The node count of a tree of n leaves. */
static uint64_t
nodes_of(uint64_t n)
{
	return 2 * n - (uint64_t)__builtin_popcountll(n);
}

/* The error for a file that is not a good index. */
static int
damaged(const char *path)
{
	return qgtm_seterr(QGTM_EX_NO, "%s: not a chain index, or a damaged "
	    "one (delete it: it is rebuilt)", path);
}

/*
 * Is h the header of an index file of len bytes? Bytes past the nodes
 * it covers are what an extension killed before its header wrote: the
 * header still describes a valid prefix, and the next extension cuts
 * them.
 */
static int
header_ok(const unsigned char *h, size_t len)
{
	uint64_t n = get64(h + 8);

	return len >= IDX_HEAD && memcmp(h, IDX_MAGIC, 8) == 0 &&
	    n <= (len - IDX_HEAD) / 32 &&
	    len >= IDX_HEAD + 32 * nodes_of(n) &&
	    (n == 0 || get64(h + 24) < get64(h + 16));
}

/* Check the mapped header h (len bytes in all); fill t and sum from it. */
static int
index_parse(const char *path, unsigned char *h, size_t len,
    struct qgtm_mtree *t, struct qgtm_audit_summary *sum)
{
	uint64_t n = get64(h + 8);

	if (!header_ok(h, len))
		return damaged(path);
	qgtm_mtree_init(t);
	t->map = h;
	t->maplen = len;
	t->node = (unsigned char (*)[32])(h + IDX_HEAD);
	t->size = n;
	t->nnodes = t->cap = (size_t)nodes_of(n);
	memset(sum, 0, sizeof *sum);
	sum->entries = (unsigned long)n;
	sum->good_bytes = (long long)get64(h + 16);
	qgtm_hash_hex(h + 32, sum->head);
	return 0;
}

/* flock(2) fd with op, through EINTR. */
static void
lock_fd(int fd, int op)
{
	while (flock(fd, op) == -1 && errno == EINTR)
		;
}

/* Map the index open at fd (locked) into t and sum, as index_open. */
static int
index_map(const char *path, int fd, struct qgtm_mtree *t,
    struct qgtm_audit_summary *sum)
{
	struct stat st;
	void *map;

	if (fstat(fd, &st) == -1 || st.st_size < IDX_HEAD)
		return damaged(path);
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return qgtm_seterr_errno(QGTM_EX_IOERR, "cannot map '%s'", path);
	if (index_parse(path, map, (size_t)st.st_size, t, sum) == -1) {
		munmap(map, (size_t)st.st_size);
		return -1;
	}
	return 0;
}

/* Open the index at path with flags into *fd and flock it with op.
 * Returns 0; 1 when there is none; -1 (IOERR). */
static int
index_fd(const char *path, int flags, int op, int *fd)
{
	if ((*fd = open(path, flags | O_CLOEXEC)) == -1)
		return errno == ENOENT ? 1 : qgtm_seterr_errno(QGTM_EX_IOERR,
		    "cannot open '%s'", path);
	lock_fd(*fd, op);
	return 0;
}

int
qgtm_audit_index_open(const char *chain_path, struct qgtm_mtree *t,
    struct qgtm_audit_summary *sum)
{
	char *path = qgtm_xasprintf("%s.idx", chain_path);
	int fd, rc;

	/* No writer between its nodes and its header meanwhile. */
	if ((rc = index_fd(path, O_RDONLY, LOCK_SH, &fd)) == 0) {
		rc = index_map(path, fd, t, sum);
		/* The mapping keeps the file open: unlock it explicitly. */
		lock_fd(fd, LOCK_UN);
		close(fd);
	}
	free(path);
	return rc;
}

/*
 * Does the line at the last entry's place in the chain still begin with
 * the hash header h records (an empty index: is it of an empty chain)?
 */
static int
last_holds(const char *chain_path, const unsigned char *h)
{
	char want[75], got[75];
	ssize_t r;
	int fd;

	if (get64(h + 8) == 0)
		return get64(h + 16) == 0;
	memcpy(want, "{\"hash\":\"", 9);
	qgtm_hash_hex(h + 32, want + 9);
	want[73] = '"';
	if ((fd = open(chain_path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	r = pread(fd, got, 74, (off_t)get64(h + 24));
	close(fd);
	return r == 74 && memcmp(got, want, 74) == 0;
}

/*
 * Does the chain still end as index t (header h) says: the same size,
 * and the line at the last entry's place carrying its hash? A chain
 * only grows, so that is enough to tell a fresh index from a stale one;
 * damage anywhere else is verify's to find.
 */
static int
index_fresh(const char *chain_path, const unsigned char *h)
{
	struct stat st;

	if (stat(chain_path, &st) == -1 || (uint64_t)st.st_size != get64(h + 16))
		return 0;
	return last_holds(chain_path, h);
}

/*
 * The roots of the full subtrees of the first n leaves, largest first,
 * from the index at fd into m: the node of the subtree of 2^b leaves
 * ending at leaf last is at 2 last - popcount(last) + b.
 */
static int
frontier(const char *path, int fd, uint64_t n, struct qgtm_merkle *m)
{
	uint64_t lo = 0, last, at;
	int b, i = 0;

	qgtm_merkle_init(m);
	for (b = 63; b >= 0; b--) {
		if ((n >> b & 1) == 0)
			continue;
		last = lo + ((uint64_t)1 << b) - 1;
		at = 2 * last - (uint64_t)__builtin_popcountll(last) +
		    (uint64_t)b;
		if (pread(fd, m->node[i++], 32, (off_t)(IDX_HEAD + 32 * at)) !=
		    32)
			return damaged(path);
		lo += (uint64_t)1 << b;
	}
	m->size = n;
	return 0;
}

/* The length of the last line walked (callback of qgtm_audit_walk_on). */
static int
note_len(const char *line, size_t n, unsigned long seq, void *arg)
{
	(void)line;
	(void)seq;
	*(size_t *)arg = n;
	return 0;
}

/*
 * Extend the index open at fd (flocked exclusively) over the entries the
 * chain gained past its end (no append in progress): append their nodes,
 * then the header.
 */
static int
extend_locked(const char *chain_path, const char *path, int fd)
{
	unsigned char h[IDX_HEAD];
	struct qgtm_audit_summary sum;
	struct qgtm_merkle m;
	struct stat st, cst;
	size_t last_len = 0;
	char head[65];
	uint64_t n, end;
	FILE *out;
	int rc, dfd;

	if (fstat(fd, &st) == -1 || pread(fd, h, IDX_HEAD, 0) != IDX_HEAD ||
	    !header_ok(h, (size_t)st.st_size))
		return damaged(path);
	n = get64(h + 8);
	if (stat(chain_path, &cst) == -1 ||
	    (uint64_t)cst.st_size < get64(h + 16) || !last_holds(chain_path, h))
		return qgtm_seterr(QGTM_EX_NO, "%s: the chain does not begin "
		    "as it says", path);
	if (frontier(path, fd, n, &m) == -1)
		return -1;
	qgtm_hash_hex(h + 32, head);
	end = IDX_HEAD + 32 * nodes_of(n);
	if ((uint64_t)st.st_size > end && ftruncate(fd, (off_t)end) == -1)
		return qgtm_seterr_errno(QGTM_EX_IOERR, "cannot write '%s'",
		    path);
	if ((dfd = dup(fd)) == -1 || (out = fdopen(dfd, "r+")) == NULL) {
		if (dfd != -1)
			close(dfd);
		return qgtm_seterr_errno(QGTM_EX_IOERR, "cannot write '%s'",
		    path);
	}
	if (fseeko(out, (off_t)end, SEEK_SET) == -1)
		rc = qgtm_seterr_errno(QGTM_EX_IOERR, "cannot write '%s'", path);
	else
		rc = qgtm_audit_walk_on(chain_path, &m, (long long)get64(h + 16),
		    head, out, &sum, note_len, &last_len);
	if (fclose(out) == EOF && rc == 0)
		rc = qgtm_seterr_errno(QGTM_EX_IOERR, "cannot write '%s'", path);
	if (rc == -1) {         /* back to what the header says */
		if (ftruncate(fd, (off_t)end) == -1)
			QGTM_DEBUG("index=%s msg=\"cannot truncate\"", path);
		return -1;
	}
	if (sum.entries == n)
		return 0;
	put64(h + 8, sum.entries);
	put64(h + 16, (uint64_t)sum.good_bytes);
	/* The last line and its "\n" end the valid prefix. */
	put64(h + 24, (uint64_t)sum.good_bytes - last_len - 1);
	if (qgtm_hash_parse(sum.head, h + 32) == -1)
		return -1;
	if (pwrite(fd, h, IDX_HEAD, 0) != IDX_HEAD)
		return qgtm_seterr_errno(QGTM_EX_IOERR, "cannot write '%s'",
		    path);
	return 0;
}

int
qgtm_audit_index_extend(const char *chain_path, int settle)
{
	char *path = qgtm_xasprintf("%s.idx", chain_path);
	char *lock = qgtm_xasprintf("%s.lock", chain_path);
	int fd, lfd = -1, rc;

	/*
	 * The appenders' lock before the index's, in the order append takes
	 * them: shared, so no append is in progress while the chain is read.
	 */
	if (settle && (lfd = open(lock, O_RDONLY | O_CLOEXEC)) != -1)
		lock_fd(lfd, LOCK_SH);
	if ((rc = index_fd(path, O_RDWR, LOCK_EX, &fd)) == 0) {
		rc = extend_locked(chain_path, path, fd);
		close(fd);
	}
	if (lfd != -1)
		close(lfd);
	free(lock);
	free(path);
	return rc;
}

/* A tree being built and the length of the last line added to it. */
struct build {
	struct qgtm_mtree *tree;
	size_t last_len;
};

/* Add an entry line to the tree (callback of qgtm_audit_walk). */
static int
tree_add(const char *line, size_t n, unsigned long seq, void *arg)
{
	struct build *b = arg;

	(void)seq;
	qgtm_mtree_add(b->tree, line, n);
	b->last_len = n;
	return 0;
}

/*
 * Write the index of tree t over the chain of sum (best effort: a failed
 * write is only logged). Returns 0, or -1 with the error set when the
 * chain's head is not a hash.
 */
static int
index_write(const char *chain_path, const struct qgtm_mtree *t,
    const struct qgtm_audit_summary *sum, uint64_t last)
{
	char *path = qgtm_xasprintf("%s.idx", chain_path);
	size_t len = IDX_HEAD + 32 * t->nnodes;
	unsigned char *b = qgtm_xmalloc(len);

	memcpy(b, IDX_MAGIC, 8);
	put64(b + 8, t->size);
	put64(b + 16, (uint64_t)sum->good_bytes);
	put64(b + 24, last);
	memset(b + 32, 0, 32);
	if (t->size > 0 && qgtm_hash_parse(sum->head, b + 32) == -1) {
		free(b);
		free(path);
		return -1;
	}
	if (t->nnodes > 0)      /* an empty chain has no nodes (NULL) */
		memcpy(b + IDX_HEAD, t->node, 32 * t->nnodes);
	/* A read-only copy of a chain has no index: that is fine. */
	if (qgtm_write_atomic(path, b, len) == -1)
		QGTM_DEBUG("index=%s msg=\"%s\"", path, qgtm_errmsg());
	free(b);
	free(path);
	return 0;
}

/* The root of tree t (the index just opened) into out. */
static int
from_index(struct qgtm_mtree *t, struct qgtm_audit_summary *out)
{
	unsigned char root[32];

	qgtm_mtree_root(t, t->size, root);
	qgtm_hash_hex(root, out->root);
	return 0;
}

int
qgtm_audit_tree(const char *chain_path, struct qgtm_audit_summary *out,
    struct qgtm_mtree *tree)
{
	struct build b = { tree, 0 };
	int rc;

	if ((rc = qgtm_audit_index_open(chain_path, tree, out)) == 0) {
		if (index_fresh(chain_path, tree->map))
			return from_index(tree, out);
		qgtm_mtree_release(tree);
		/* Stale: extended from its end when the chain merely grew. */
		if (qgtm_audit_index_extend(chain_path, 1) == 0 &&
		    qgtm_audit_index_open(chain_path, tree, out) == 0)
			return from_index(tree, out);
	}
	qgtm_mtree_init(tree);
	if (qgtm_audit_walk(chain_path, out, tree_add, &b) == -1) {
		qgtm_mtree_release(tree);
		return -1;
	}
	/* The last line and its "\n" end the valid prefix. */
	if (index_write(chain_path, tree, out, tree->size == 0 ? 0 :
	    (uint64_t)out->good_bytes - b.last_len - 1) == -1) {
		qgtm_mtree_release(tree);
		return -1;
	}
	return 0;
}
