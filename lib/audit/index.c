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
 * An index is used when the chain still ends where it says with the hash
 * it says; otherwise the chain is verified, the tree built and the index
 * written anew. qgtm_audit_verify checks every node of an index present.
 */
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

/* Check the mapped header h (len bytes in all); fill t and sum from it. */
static int
index_parse(const char *path, unsigned char *h, size_t len,
    struct qgtm_mtree *t, struct qgtm_audit_summary *sum)
{
	uint64_t n = get64(h + 8);

	if (len < IDX_HEAD || memcmp(h, IDX_MAGIC, 8) != 0 ||
	    n > (len - IDX_HEAD) / 32 || len != IDX_HEAD + 32 * nodes_of(n) ||
	    (n > 0 && get64(h + 24) >= get64(h + 16)))
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

int
qgtm_audit_index_open(const char *chain_path, struct qgtm_mtree *t,
    struct qgtm_audit_summary *sum)
{
	char *path = qgtm_xasprintf("%s.idx", chain_path);
	struct stat st;
	void *map = MAP_FAILED;
	int fd, rc = 1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno != ENOENT)
			rc = qgtm_seterr_errno(QGTM_EX_IOERR, "cannot open '%s'",
			    path);
	} else if (fstat(fd, &st) == -1 || st.st_size < IDX_HEAD)
		rc = damaged(path);
	else if ((map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE,
	    fd, 0)) == MAP_FAILED)
		rc = qgtm_seterr_errno(QGTM_EX_IOERR, "cannot map '%s'", path);
	else if ((rc = index_parse(path, map, (size_t)st.st_size, t, sum)) == -1)
		munmap(map, (size_t)st.st_size);
	if (fd != -1)
		close(fd);
	free(path);
	return rc;
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
	char want[75], got[75];
	uint64_t bytes = get64(h + 16), last = get64(h + 24);
	struct stat st;
	ssize_t r;
	int fd;

	if (stat(chain_path, &st) == -1 || (uint64_t)st.st_size != bytes)
		return 0;
	if (get64(h + 8) == 0)
		return 1;
	memcpy(want, "{\"hash\":\"", 9);
	qgtm_hash_hex(h + 32, want + 9);
	want[73] = '"';
	if ((fd = open(chain_path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	r = pread(fd, got, 74, (off_t)last);
	close(fd);
	return r == 74 && memcmp(got, want, 74) == 0;
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

int
qgtm_audit_tree(const char *chain_path, struct qgtm_audit_summary *out,
    struct qgtm_mtree *tree)
{
	struct build b = { tree, 0 };
	unsigned char root[32];

	if (qgtm_audit_index_open(chain_path, tree, out) == 0) {
		if (index_fresh(chain_path, tree->map)) {
			qgtm_mtree_root(tree, tree->size, root);
			qgtm_hash_hex(root, out->root);
			return 0;
		}
		qgtm_mtree_release(tree);
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
