/*
 * crypto.c: the one crypto module, through OpenSSL: SHA-256 (one reused
 * digest context), hex, and Ed25519 signatures of JSON objects (OpenSSL EVP_PKEY_ED25519),
 * shared by the two-person reset (lib/risk/reset.c) and the kill switch's
 * chain records (lib/risk/ks_chain.c). A signature covers the canonical JSON
 * (compact, sorted keys) of the object without its "sig" and is stored
 * base64 in "sig". Public keys are the base64 of their 32 raw bytes.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "base/base.h"

#define SIGLEN QGTM_SIG_RAWLEN

/*
 * The one digest context and algorithm qgtm_sha256_cat reuses: fetching
 * SHA-256 and allocating a context per hash cost more than hashing a
 * 200-byte entry. Shared, so called from one thread only: the threads
 * some work starts (the chain walk's reader, lib/audit/lines.c; PBO's
 * splits) hash with contexts of their own and never call it.
 */
static EVP_MD_CTX *sha_ctx;
static EVP_MD *sha_md;

int
qgtm_key_raw(const char *b64, unsigned char raw[QGTM_KEY_RAWLEN])
{
	unsigned char buf[QGTM_KEY_RAWLEN + 3];

	/* 32 bytes are 44 characters with one "=" of padding; the decoder
	 * counts the padding as a byte. */
	if (b64 == NULL || strlen(b64) != 44 || b64[43] != '=' ||
	    b64[42] == '=' || EVP_DecodeBlock(buf, (const unsigned char *)b64,
	    44) != QGTM_KEY_RAWLEN + 1)
		return qgtm_seterr(QGTM_EX_DATAERR, "not a base64 Ed25519 "
		    "public key");
	memcpy(raw, buf, QGTM_KEY_RAWLEN);
	return 0;
}

struct evp_pkey_st *
qgtm_key_public(const char *b64)
{
	unsigned char raw[QGTM_KEY_RAWLEN];

	if (qgtm_key_raw(b64, raw) == -1)
		return NULL;
	return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw,
	    QGTM_KEY_RAWLEN);
}

int
qgtm_key_public_b64(struct evp_pkey_st *key, char out[45])
{
	unsigned char raw[QGTM_KEY_RAWLEN];
	size_t len = sizeof raw;

	if (EVP_PKEY_get_raw_public_key(key, raw, &len) != 1 ||
	    len != QGTM_KEY_RAWLEN)
		return qgtm_seterr(QGTM_EX_SOFTWARE, "no Ed25519 public key");
	EVP_EncodeBlock((unsigned char *)out, raw, QGTM_KEY_RAWLEN);
	return 0;
}

struct evp_pkey_st *
qgtm_key_private(const char *path)
{
	struct stat st;
	EVP_PKEY *key;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		qgtm_seterr_errno(errno == ENOENT ? QGTM_EX_NOINPUT :
		    QGTM_EX_IOERR, "cannot open key '%s'", path);
		return NULL;
	}
	if (fstat(fileno(f), &st) == -1 || !S_ISREG(st.st_mode) ||
	    (st.st_mode & 077) != 0) {
		fclose(f);
		qgtm_seterr(QGTM_EX_NOPERM, "key file '%s' has mode %04o; "
		    "must be 0600", path, (unsigned)(st.st_mode & 07777));
		return NULL;
	}
	key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (key == NULL || EVP_PKEY_id(key) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(key);
		qgtm_seterr(QGTM_EX_DATAERR, "key file '%s': not an Ed25519 "
		    "private key", path);
		return NULL;
	}
	return key;
}

struct evp_pkey_st *
qgtm_key_private_pem(const char *pem, const char *what)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *key = bio == NULL ? NULL :
	    PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);

	BIO_free(bio);
	if (key == NULL || EVP_PKEY_id(key) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(key);
		qgtm_seterr(QGTM_EX_DATAERR, "%s: not an Ed25519 private key "
		    "in PEM", what);
		return NULL;
	}
	return key;
}

int
qgtm_key_generate(const char *path)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	BIO *bio = key == NULL ? NULL : BIO_new(BIO_s_mem());
	char *pem, *tmp;
	long n;
	int rc;

	if (bio == NULL || PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0,
	    NULL, NULL) != 1) {
		BIO_free(bio);
		EVP_PKEY_free(key);
		return qgtm_seterr(QGTM_EX_SOFTWARE, "cannot make a key");
	}
	n = BIO_get_mem_data(bio, &pem);
	/* Never over a key another process made meanwhile: link, not rename. */
	tmp = qgtm_xasprintf("%s.new.%ld", path, (long)getpid());
	rc = qgtm_write_atomic_mode(tmp, pem, (size_t)n, 0600);
	OPENSSL_cleanse(pem, (size_t)n);
	BIO_free(bio);
	EVP_PKEY_free(key);
	if (rc == 0 && link(tmp, path) == -1 && errno != EEXIST)
		rc = qgtm_seterr_errno(QGTM_EX_IOERR, "cannot make key '%s'",
		    path);
	unlink(tmp);
	free(tmp);
	return rc;
}

void
qgtm_key_free(struct evp_pkey_st *key)
{
	EVP_PKEY_free(key);
}

/* The canonical bytes of obj without "sig" (a new string, free()). */
static char *
signed_text(json_t *obj)
{
	json_t *copy = json_copy(obj);
	char *text;

	json_object_del(copy, "sig");
	text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(copy);
	if (text == NULL)
		qgtm_seterr(QGTM_EX_SOFTWARE, "cannot serialize what to sign");
	return text;
}

int
qgtm_sign_bytes(struct evp_pkey_st *key, const void *p, size_t n,
    char out[QGTM_SIG_B64LEN + 1])
{
	unsigned char sig[SIGLEN];
	size_t siglen = sizeof sig;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	ok = ctx != NULL && EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) == 1
	    && EVP_DigestSign(ctx, sig, &siglen, p, n) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return qgtm_seterr(QGTM_EX_SOFTWARE, "cannot sign");
	EVP_EncodeBlock((unsigned char *)out, sig, (int)siglen);
	return 0;
}

int
qgtm_verify_raw(struct evp_pkey_st *pub, const void *p, size_t n,
    const unsigned char sig[QGTM_SIG_RAWLEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	ok = ctx != NULL && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL,
	    pub) == 1 && EVP_DigestVerify(ctx, sig, SIGLEN, p, n) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

int
qgtm_verify_bytes(struct evp_pkey_st *pub, const void *p, size_t n,
    const char *b64)
{
	unsigned char sig[SIGLEN + 3];

	if (pub == NULL || b64 == NULL || strlen(b64) != QGTM_SIG_B64LEN ||
	    EVP_DecodeBlock(sig, (const unsigned char *)b64,
	    QGTM_SIG_B64LEN) != SIGLEN + 2)
		return 0;
	return qgtm_verify_raw(pub, p, n, sig);
}

int
qgtm_sign_json(struct evp_pkey_st *key, json_t *obj)
{
	char *text = signed_text(obj), b64[QGTM_SIG_B64LEN + 1];
	int rc;

	if (text == NULL)
		return -1;
	rc = qgtm_sign_bytes(key, text, strlen(text), b64);
	free(text);
	if (rc == 0)
		json_object_set_new(obj, "sig", json_string(b64));
	return rc;
}

int
qgtm_verify_json(struct evp_pkey_st *pub, json_t *obj)
{
	char *text;
	int ok;

	if (pub == NULL || (text = signed_text(obj)) == NULL)
		return 0;
	ok = qgtm_verify_bytes(pub, text, strlen(text), json_string_value(
	    json_object_get(obj, "sig")));
	free(text);
	return ok;
}

void
qgtm_sha256_cat(const void *a, size_t an, const void *b, size_t bn,
    unsigned char md[32])
{
	int ok;

	if (sha_ctx == NULL) {
		sha_ctx = EVP_MD_CTX_new();
		sha_md = EVP_MD_fetch(NULL, "SHA256", NULL);
	}
	/* OpenSSL fails here only when it cannot allocate. */
	ok = sha_ctx != NULL && sha_md != NULL &&
	    EVP_DigestInit_ex2(sha_ctx, sha_md, NULL) &&
	    EVP_DigestUpdate(sha_ctx, a, an) &&
	    EVP_DigestUpdate(sha_ctx, b, bn) &&
	    EVP_DigestFinal_ex(sha_ctx, md, NULL);
	if (!ok)
		qgtm_die(QGTM_EX_OSERR, "out of memory computing SHA-256");
}

void
qgtm_hash_hex(const unsigned char md[32], char out[65])
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 32; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[64] = '\0';
}

int
qgtm_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
qgtm_unhex(const char *s, size_t len, unsigned char *out, size_t *n)
{
	size_t i;
	int hi, lo;

	if (len % 2 != 0)
		return qgtm_seterr(QGTM_EX_DATAERR, "odd number of hex digits");
	for (i = 0; i < len / 2; i++) {
		hi = qgtm_hex_digit((unsigned char)s[2 * i]);
		lo = qgtm_hex_digit((unsigned char)s[2 * i + 1]);
		if (hi == -1 || lo == -1)
			return qgtm_seterr(QGTM_EX_DATAERR, "not a hex digit "
			    "near '%.2s'", s + 2 * i);
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	*n = len / 2;
	return 0;
}

int
qgtm_hash_parse(const char *s, unsigned char md[32])
{
	size_t n;

	if (strlen(s) != 64)
		return qgtm_seterr(QGTM_EX_DATAERR, "'%.80s': not a hash of "
		    "64 hex digits", s);
	return qgtm_unhex(s, 64, md, &n);
}

void
qgtm_sha256_hex(const void *p, size_t n, char out[65])
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	int i;

	EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL);
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}
