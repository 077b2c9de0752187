/*
 * merkle.c: the Merkle tree hash of RFC 9162 section 2.1 (the same as
 * RFC 6962), computed incrementally like the certificate-transparency
 * CompactMerkleTree: only the roots of the full subtrees are kept.
 */
#include <sys/mman.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "audit/audit.h"

/* MTH({}) = SHA-256 of the empty string. */
#define EMPTY_ROOT \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* SHA-256(prefix || a || b) for a of at most 64 bytes (b any length). */
static void
hash_parts(unsigned char prefix, const void *a, size_t an, const void *b,
    size_t bn, unsigned char md[32])
{
	unsigned char head[65];

	head[0] = prefix;
	memcpy(head + 1, a, an);
	qgtm_sha256_cat(head, an + 1, b, bn, md);
}

/* node = SHA-256(0x01 || left || right); node may alias either input. */
static void
hash_node(const unsigned char left[32], const unsigned char right[32],
    unsigned char node[32])
{
	unsigned char in[65];

	in[0] = 0x01;
	memcpy(in + 1, left, 32);
	memcpy(in + 33, right, 32);
	/* One update of the 65 bytes: a second costs more than the copy. */
	qgtm_sha256_cat(in, sizeof in, "", 0, node);
}

void
qgtm_merkle_init(struct qgtm_merkle *m)
{
	m->size = 0;
}

size_t
qgtm_merkle_add_leaf(struct qgtm_merkle *m, const unsigned char leaf[32],
    unsigned char (*made)[32])
{
	int depth = __builtin_popcountll(m->size);
	size_t k = 1;
	uint64_t s;

	memcpy(m->node[depth++], leaf, 32);
	if (made != NULL)
		memcpy(made[0], leaf, 32);
	/* Each trailing 1 bit of the old size is a full subtree to merge. */
	for (s = m->size; s & 1; s >>= 1) {
		hash_node(m->node[depth - 2], m->node[depth - 1],
		    m->node[depth - 2]);
		depth--;
		if (made != NULL)
			memcpy(made[k], m->node[depth - 1], 32);
		k++;
	}
	m->size++;
	return k;
}

void
qgtm_merkle_add(struct qgtm_merkle *m, const void *p, size_t n)
{
	unsigned char leaf[32];

	qgtm_merkle_leaf(p, n, leaf);
	qgtm_merkle_add_leaf(m, leaf, NULL);
}

void
qgtm_merkle_root(const struct qgtm_merkle *m, char out[65])
{
	unsigned char md[32];
	int i, depth = __builtin_popcountll(m->size);

	if (depth == 0) {
		memcpy(out, EMPTY_ROOT, 65);
		return;
	}
	memcpy(md, m->node[depth - 1], sizeof md);
	/* Fold right to left: each larger subtree is the left child. */
	for (i = depth - 2; i >= 0; i--)
		hash_node(m->node[i], md, md);
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* ------------------------------------------------------ hex helpers -- */

void
qgtm_merkle_leaf(const void *p, size_t n, unsigned char md[32])
{
	hash_parts(0x00, "", 0, p, n, md);
}

/* ------------------------------------------------------- full trees -- */

/* The largest power of two strictly smaller than n (n >= 2). */
static uint64_t
split(uint64_t n)
{
	uint64_t k = 1;

	while (k * 2 < n)
		k *= 2;
	return k;
}

void
qgtm_mtree_init(struct qgtm_mtree *t)
{
	memset(t, 0, sizeof *t);
}

void
qgtm_mtree_release(struct qgtm_mtree *t)
{
	if (t->map != NULL)
		munmap(t->map, t->maplen);
	else
		free(t->node);
	qgtm_mtree_init(t);
}

/* Make room for one more node. */
static unsigned char *
next_node(struct qgtm_mtree *t)
{
	if (t->nnodes == t->cap) {
		t->cap = t->cap == 0 ? 1024 : t->cap * 2;
		t->node = qgtm_xrealloc(t->node, t->cap * sizeof *t->node);
	}
	return t->node[t->nnodes++];
}

void
qgtm_mtree_add_hash(struct qgtm_mtree *t, const unsigned char leaf[32])
{
	unsigned char *n;
	uint64_t s;
	size_t top;

	memcpy(next_node(t), leaf, 32);
	/*
	 * Post order: each trailing 1 bit of the old size completes a full
	 * subtree, whose root follows its right child. The left child of
	 * a level-l node sits 2^(l+1) - 1 places before the right one.
	 */
	for (s = t->size, top = 1; s & 1; s >>= 1, top = top * 2 + 1) {
		n = next_node(t);
		hash_node(n - 32 * (top + 1), n - 32, n);
	}
	t->size++;
}

void
qgtm_mtree_add(struct qgtm_mtree *t, const void *p, size_t n)
{
	unsigned char leaf[32];

	qgtm_merkle_leaf(p, n, leaf);
	qgtm_mtree_add_hash(t, leaf);
}

/* The root of the full subtree of n = 2^l leaves starting at lo. */
static const unsigned char *
full_node(const struct qgtm_mtree *t, uint64_t lo, uint64_t n)
{
	uint64_t last = lo + n - 1;

	return t->node[2 * last - (uint64_t)__builtin_popcountll(last) +
	    (uint64_t)__builtin_ctzll(n)];
}

/* MTH(D[lo:lo+n]), n >= 1, as RFC 9162 2.1.1 splits it. */
static void
range_root(const struct qgtm_mtree *t, uint64_t lo, uint64_t n,
    unsigned char out[32])
{
	unsigned char left[32], right[32];
	uint64_t k;

	if ((n & (n - 1)) == 0 && lo % n == 0) {
		memcpy(out, full_node(t, lo, n), 32);
		return;
	}
	k = split(n);
	range_root(t, lo, k, left);
	range_root(t, lo + k, n - k, right);
	hash_node(left, right, out);
}

int
qgtm_mtree_root(const struct qgtm_mtree *t, uint64_t size,
    unsigned char root[32])
{
	if (size > t->size)
		return qgtm_seterr(QGTM_EX_USAGE, "size %llu: the tree has "
		    "only %llu leaves", (unsigned long long)size,
		    (unsigned long long)t->size);
	if (size == 0)
		return qgtm_hash_parse(EMPTY_ROOT, root);
	range_root(t, 0, size, root);
	return 0;
}

/* PATH(m, D[lo:lo+n]) of RFC 9162 2.1.3.1, appended to proof. */
static void
path(const struct qgtm_mtree *t, uint64_t m, uint64_t lo, uint64_t n,
    unsigned char (*proof)[32], size_t *len)
{
	uint64_t k;

	if (n == 1)
		return;
	k = split(n);
	if (m < k) {
		path(t, m, lo, k, proof, len);
		range_root(t, lo + k, n - k, proof[(*len)++]);
	} else {
		path(t, m - k, lo + k, n - k, proof, len);
		range_root(t, lo, k, proof[(*len)++]);
	}
}

int
qgtm_mtree_prove(const struct qgtm_mtree *t, uint64_t index, uint64_t size,
    unsigned char (*proof)[32], size_t *len)
{
	*len = 0;
	if (size > t->size)
		return qgtm_mtree_root(t, size, proof[0]);
	if (index >= size)
		return qgtm_seterr(QGTM_EX_USAGE, "index %llu: not below the "
		    "tree size %llu", (unsigned long long)index,
		    (unsigned long long)size);
	path(t, index, 0, size, proof, len);
	return 0;
}

/* SUBPROOF(m, D[lo:lo+n], b) of RFC 9162 2.1.4.1, appended to proof. */
static void
subproof(const struct qgtm_mtree *t, uint64_t m, uint64_t lo, uint64_t n,
    int b, unsigned char (*proof)[32], size_t *len)
{
	uint64_t k;

	if (m == n) {
		if (!b)
			range_root(t, lo, n, proof[(*len)++]);
		return;
	}
	k = split(n);
	if (m <= k) {
		subproof(t, m, lo, k, b, proof, len);
		range_root(t, lo + k, n - k, proof[(*len)++]);
	} else {
		subproof(t, m - k, lo + k, n - k, 0, proof, len);
		range_root(t, lo, k, proof[(*len)++]);
	}
}

int
qgtm_mtree_consistency(const struct qgtm_mtree *t, uint64_t from,
    uint64_t to, unsigned char (*proof)[32], size_t *len)
{
	*len = 0;
	if (to > t->size)
		return qgtm_mtree_root(t, to, proof[0]);
	if (from == 0 || from > to)
		return qgtm_seterr(QGTM_EX_USAGE, "sizes %llu and %llu: a "
		    "consistency proof needs 0 < from <= to",
		    (unsigned long long)from, (unsigned long long)to);
	subproof(t, from, 0, to, 1, proof, len);
	return 0;
}

/* ----------------------------------------------------- verification -- */

/* Shift fn and sn right together until fn's low bit is set or fn is 0. */
static void
shift_while_even(uint64_t *fn, uint64_t *sn)
{
	while ((*fn & 1) == 0 && *fn != 0) {
		*fn >>= 1;
		*sn >>= 1;
	}
}

int
qgtm_merkle_check_inclusion(const unsigned char leaf[32], uint64_t index,
    uint64_t size, const unsigned char (*proof)[32], size_t len,
    const unsigned char root[32])
{
	uint64_t fn = index, sn = size - 1;
	unsigned char r[32];
	size_t i;

	if (index >= size)
		return qgtm_seterr(QGTM_EX_NO, "index %llu: not below the "
		    "tree size %llu", (unsigned long long)index,
		    (unsigned long long)size);
	memcpy(r, leaf, 32);
	for (i = 0; i < len; i++) {
		if (sn == 0)
			return qgtm_seterr(QGTM_EX_NO, "inclusion proof: "
			    "longer than the path (%zu hashes)", len);
		if ((fn & 1) || fn == sn) {
			hash_node(proof[i], r, r);
			shift_while_even(&fn, &sn);
		} else
			hash_node(r, proof[i], r);
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		return qgtm_seterr(QGTM_EX_NO, "inclusion proof: shorter "
		    "than the path (%zu hashes)", len);
	if (memcmp(r, root, 32) != 0)
		return qgtm_seterr(QGTM_EX_NO, "inclusion proof: does not "
		    "lead to the root");
	return 0;
}

/* The checks of RFC 9162 2.1.4.2 before the walk; 1 when already done. */
static int
consistency_trivial(uint64_t first, uint64_t second,
    const unsigned char r1[32], const unsigned char r2[32], size_t len)
{
	if (first == 0 || first > second)
		return qgtm_seterr(QGTM_EX_NO, "consistency: sizes %llu and "
		    "%llu: need 0 < first <= second",
		    (unsigned long long)first, (unsigned long long)second);
	if (first == second) {
		if (len != 0)
			return qgtm_seterr(QGTM_EX_NO, "consistency: equal "
			    "sizes need an empty proof");
		if (memcmp(r1, r2, 32) != 0)
			return qgtm_seterr(QGTM_EX_NO, "consistency: equal "
			    "sizes with different roots");
		return 1;
	}
	if (len == 0)
		return qgtm_seterr(QGTM_EX_NO, "consistency: empty proof");
	return 0;
}

int
qgtm_merkle_check_consistency(uint64_t first, uint64_t second,
    const unsigned char r1[32], const unsigned char r2[32],
    const unsigned char (*proof)[32], size_t len)
{
	uint64_t fn = first - 1, sn = second - 1;
	unsigned char fr[32], sr[32];
	size_t i = 0;
	int rc;

	if ((rc = consistency_trivial(first, second, r1, r2, len)) != 0)
		return rc == 1 ? 0 : -1;
	/* A power-of-two first tree is a node of the second: its root
	 * starts the walk in the proof's place. */
	if ((first & (first - 1)) == 0)
		memcpy(fr, r1, 32);
	else
		memcpy(fr, proof[i++], 32);
	memcpy(sr, fr, 32);
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	for (; i < len; i++) {
		if (sn == 0)
			return qgtm_seterr(QGTM_EX_NO, "consistency proof: "
			    "too long (%zu hashes)", len);
		if ((fn & 1) || fn == sn) {
			hash_node(proof[i], fr, fr);
			hash_node(proof[i], sr, sr);
			shift_while_even(&fn, &sn);
		} else
			hash_node(sr, proof[i], sr);
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		return qgtm_seterr(QGTM_EX_NO, "consistency proof: too short "
		    "(%zu hashes)", len);
	if (memcmp(fr, r1, 32) != 0 || memcmp(sr, r2, 32) != 0)
		return qgtm_seterr(QGTM_EX_NO, "consistency proof: does not "
		    "lead to both roots");
	return 0;
}
