/*
 * sign.c: Ed25519 signatures of JSON objects (OpenSSL EVP_PKEY_ED25519),
 * shared by the two-person reset (lib/reset.c) and the kill switch's
 * chain records (lib/kschain.c). A signature covers the canonical JSON
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

#include "qgtm.h"

#define SIGLEN 64

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
qgtm_verify_bytes(struct evp_pkey_st *pub, const void *p, size_t n,
    const char *b64)
{
	unsigned char sig[SIGLEN + 3];
	EVP_MD_CTX *ctx;
	int ok;

	if (pub == NULL || b64 == NULL || strlen(b64) != QGTM_SIG_B64LEN ||
	    EVP_DecodeBlock(sig, (const unsigned char *)b64,
	    QGTM_SIG_B64LEN) != SIGLEN + 2)
		return 0;
	ctx = EVP_MD_CTX_new();
	ok = ctx != NULL && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL,
	    pub) == 1 && EVP_DigestVerify(ctx, sig, SIGLEN, p, n) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
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
