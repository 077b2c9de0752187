/*
 * audit_checkpoint.c: signed checkpoints of the chain's Merkle tree. A
 * checkpoint is the record
 *	{"key":K,"origin":"qgtm-audit","root":R,"sig":S,"size":N,
 *	 "src":"qgtm-audit","ts":T,"type":"audit_checkpoint","v":1}
 * appended as the entry of seq N: the first N entries have the root R
 * (hex). S is the Ed25519 signature (base64) by the key whose raw public
 * half is K (base64) of the checkpoint note of C2SP tlog-checkpoint,
 *	"qgtm-audit\n" N "\n" base64(raw R) "\n"
 * so that openssl pkeyutl -verify -rawin re-checks it (see qgtm-audit(1)).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "qgtm.h"

#define ORIGIN "qgtm-audit"
#define KEYLEN 32
#define SIGLEN 64
/* Tries when appenders keep the chain growing under a checkpoint. */
#define CHECKPOINT_TRIES 5

/* The note signed for (size, root): a new allocation (free()). */
static char *
note(uint64_t size, const unsigned char root[32])
{
	unsigned char b64[4 * 33 / 3 + 1];

	EVP_EncodeBlock(b64, root, 32);
	return qgtm_xasprintf("%s\n%llu\n%s\n", ORIGIN,
	    (unsigned long long)size, (char *)b64);
}

/* The want bytes base64 s holds (exactly that many), into out. */
static int
unbase64(const char *s, unsigned char *out, size_t want)
{
	unsigned char buf[SIGLEN + 3];
	size_t len = s == NULL ? 0 : strlen(s);

	if (len != 4 * ((want + 2) / 3) || len > 4 * sizeof buf / 3 ||
	    EVP_DecodeBlock(buf, (const unsigned char *)s, (int)len) <
	    (int)want)
		return -1;
	memcpy(out, buf, want);
	return 0;
}

/* The Ed25519 private key in PEM text pem, or NULL (DATAERR). */
static EVP_PKEY *
private_key(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *key = bio == NULL ? NULL :
	    PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);

	BIO_free(bio);
	if (key == NULL || EVP_PKEY_id(key) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(key);
		qgtm_seterr(QGTM_EX_DATAERR, "checkpoint key: not an Ed25519 "
		    "private key in PEM");
		return NULL;
	}
	return key;
}

/* The checkpoint record of (size, root) signed by key, or NULL. */
static json_t *
signed_record(EVP_PKEY *key, uint64_t size, const unsigned char root[32])
{
	unsigned char sig[SIGLEN], pub[KEYLEN], b64sig[4 * SIGLEN / 3 + 4],
	    b64pub[4 * 33 / 3 + 1];
	size_t siglen = sizeof sig, publen = sizeof pub;
	char *text = note(size, root), hex[65], ts[21];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	ok = ctx != NULL && EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) == 1
	    && EVP_DigestSign(ctx, sig, &siglen, (unsigned char *)text,
	    strlen(text)) == 1 &&
	    EVP_PKEY_get_raw_public_key(key, pub, &publen) == 1;
	EVP_MD_CTX_free(ctx);
	free(text);
	if (!ok) {
		qgtm_seterr(QGTM_EX_SOFTWARE, "cannot sign a checkpoint");
		return NULL;
	}
	EVP_EncodeBlock(b64sig, sig, (int)siglen);
	EVP_EncodeBlock(b64pub, pub, (int)publen);
	qgtm_hash_hex(root, hex);
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:i}",
	    "key", (char *)b64pub, "origin", ORIGIN, "root", hex, "sig",
	    (char *)b64sig, "size", (json_int_t)size, "src", "qgtm-audit",
	    "ts", qgtm_time_fmt(qgtm_now(), ts), "type", "audit_checkpoint",
	    "v", 1);
}

/* Sign the chain's current tree and append that, if it did not grow. */
static int
checkpoint_once(const char *chain_path, EVP_PKEY *key, json_t **rec)
{
	struct qgtm_audit_summary sum;
	struct qgtm_mtree t;
	unsigned char root[32];
	json_t *recs;
	int rc;

	if (qgtm_audit_tree(chain_path, &sum, &t) == -1)
		return -1;
	qgtm_mtree_root(&t, t.size, root);
	*rec = signed_record(key, t.size, root);
	rc = *rec == NULL ? -1 : 0;
	if (rc == 0) {
		recs = json_pack("[O]", *rec);
		rc = qgtm_audit_append_after(chain_path, recs,
		    (long long)t.size);
		json_decref(recs);
	}
	qgtm_mtree_release(&t);
	if (rc == -1) {
		json_decref(*rec);
		*rec = NULL;
	}
	return rc;
}

int
qgtm_audit_checkpoint(const char *chain_path, const char *key_pem,
    json_t **rec)
{
	EVP_PKEY *key = private_key(key_pem);
	int rc = -1, i;

	*rec = NULL;
	for (i = 0; key != NULL && i < CHECKPOINT_TRIES; i++)
		if ((rc = checkpoint_once(chain_path, key, rec)) == 0 ||
		    qgtm_errcode() != QGTM_EX_TEMPFAIL)
			break;
	EVP_PKEY_free(key);
	return rc;
}

/* Does sig (base64) sign the note of (size, root) under pub (base64)? */
static int
signature_holds(const char *pub64, const char *sig64, uint64_t size,
    const unsigned char root[32])
{
	unsigned char pub[KEYLEN], sig[SIGLEN];
	EVP_PKEY *key = NULL;
	EVP_MD_CTX *ctx = NULL;
	char *text = note(size, root);
	int ok;

	ok = unbase64(pub64, pub, KEYLEN) == 0 &&
	    unbase64(sig64, sig, SIGLEN) == 0 &&
	    (key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub,
	    KEYLEN)) != NULL && (ctx = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1 &&
	    EVP_DigestVerify(ctx, sig, SIGLEN, (unsigned char *)text,
	    strlen(text)) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	free(text);
	return ok;
}

/* Check checkpoint record rec of the entry of seq against root (hex). */
static int
check_record(json_t *rec, uint64_t seq, const char root[65],
    const char *pubkey)
{
	const char *key = json_string_value(json_object_get(rec, "key"));
	const char *hex = json_string_value(json_object_get(rec, "root"));
	json_t *size = json_object_get(rec, "size");
	unsigned char md[32];

	if (!json_is_integer(size) || (uint64_t)json_integer_value(size) != seq)
		return qgtm_seterr(QGTM_EX_NO, "seq %llu: checkpoint: size is "
		    "not %llu, the entries before it", (unsigned long long)seq,
		    (unsigned long long)seq);
	if (hex == NULL || strcmp(hex, root) != 0)
		return qgtm_seterr(QGTM_EX_NO, "seq %llu: checkpoint: root is "
		    "not that of the entries before it", (unsigned long long)seq);
	if (pubkey != NULL && *pubkey != '\0' &&
	    (key == NULL || strcmp(key, pubkey) != 0))
		return qgtm_seterr(QGTM_EX_NO, "seq %llu: checkpoint: signed "
		    "by another key than audit.checkpoint_pubkey",
		    (unsigned long long)seq);
	if (qgtm_hash_parse(root, md) == -1 || !signature_holds(key,
	    json_string_value(json_object_get(rec, "sig")), seq, md))
		return qgtm_seterr(QGTM_EX_NO, "seq %llu: checkpoint: bad "
		    "signature", (unsigned long long)seq);
	return 0;
}

int
qgtm_audit_checkpoint_check(const char *line, size_t n, uint64_t seq,
    const char root[65], const char *pubkey)
{
	json_t *e = json_loadb(line, n, 0, NULL);
	json_t *rec = json_object_get(e, "rec");
	const char *type = json_string_value(json_object_get(rec, "type"));
	int rc = 0;

	if (type != NULL && strcmp(type, "audit_checkpoint") == 0)
		rc = check_record(rec, seq, root, pubkey);
	json_decref(e);
	return rc;
}
