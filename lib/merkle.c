/*
 * merkle.c: the Merkle tree hash of RFC 9162 section 2.1 (the same as
 * RFC 6962), computed incrementally like the certificate-transparency
 * CompactMerkleTree: only the roots of the full subtrees are kept.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "qgtm.h"

/* MTH({}) = SHA-256 of the empty string. */
#define EMPTY_ROOT \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/*
 * SHA-256(prefix || a || b). OpenSSL fails here only when it cannot
 * allocate, which is treated like qgtm_xmalloc() running out of memory.
 */
static void
hash_parts(unsigned char prefix, const void *a, size_t an, const void *b,
    size_t bn, unsigned char md[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
	    EVP_DigestUpdate(ctx, &prefix, 1) &&
	    EVP_DigestUpdate(ctx, a, an) && EVP_DigestUpdate(ctx, b, bn) &&
	    EVP_DigestFinal_ex(ctx, md, NULL);
	EVP_MD_CTX_free(ctx);
	if (!ok)
		qgtm_die(QGTM_EX_OSERR, "out of memory computing SHA-256");
}

/* node = SHA-256(0x01 || left || right); node may alias either input. */
static void
hash_node(const unsigned char left[32], const unsigned char right[32],
    unsigned char node[32])
{
	hash_parts(0x01, left, 32, right, 32, node);
}

void
qgtm_merkle_init(struct qgtm_merkle *m)
{
	m->size = 0;
}

void
qgtm_merkle_add(struct qgtm_merkle *m, const void *p, size_t n)
{
	int depth = __builtin_popcountll(m->size);
	uint64_t s;

	hash_parts(0x00, p, n, "", 0, m->node[depth++]);
	/* Each trailing 1 bit of the old size is a full subtree to merge. */
	for (s = m->size; s & 1; s >>= 1) {
		hash_node(m->node[depth - 2], m->node[depth - 1],
		    m->node[depth - 2]);
		depth--;
	}
	m->size++;
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
