/*
 * reset.c: the two-person reset of the kill switch. One operator asks
 * (a request naming the tier to go down to, the state's seq it was made
 * against and an expiry), another approves; each act is signed with the
 * operator's Ed25519 key (OpenSSL EVP), so the audit chain proves who asked
 * and who approved. The public keys are the config's risk.operators.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "qgtm.h"

#define ED25519_KEYLEN 32
#define ED25519_SIGLEN 64

/* Refuse with a code: sets the error (QGTM_EX_NOPERM) and *why. */
static int
refuse(const char **why, const char *code, const char *fmt, const char *arg)
{
	*why = code;
	return qgtm_seterr(QGTM_EX_NOPERM, fmt, arg);
}

/* The configured public key of operator name, or NULL (unknown). */
static EVP_PKEY *
operator_key(const struct qgtm_cfg *cfg, const char *name)
{
	unsigned char raw[ED25519_KEYLEN + 3];
	const char *item, *colon;
	json_t *v;
	size_t i, len = strlen(name);
	int n;

	json_array_foreach(qgtm_cfg_list(cfg, "risk.operators"), i, v) {
		item = json_string_value(v);
		colon = strchr(item, ':');
		if (colon == NULL || (size_t)(colon - item) != len ||
		    strncmp(item, name, len) != 0)
			continue;
		if (strlen(colon + 1) != 44)
			return NULL;
		n = EVP_DecodeBlock(raw, (const unsigned char *)colon + 1, 44);
		if (n != ED25519_KEYLEN + 1 && n != ED25519_KEYLEN + 2 &&
		    n != ED25519_KEYLEN + 3)
			return NULL;
		return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw,
		    ED25519_KEYLEN);
	}
	return NULL;
}

/* The private key in the PEM file path, which must be mode 0600. */
static EVP_PKEY *
private_key(const char *path)
{
	struct stat st;
	EVP_PKEY *key;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		qgtm_seterr_errno(QGTM_EX_NOINPUT, "cannot open key '%s'", path);
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

/* The canonical bytes of obj without "sig" (a new string, free()). */
static char *
signed_text(json_t *obj)
{
	json_t *copy = json_copy(obj);
	char *text;

	json_object_del(copy, "sig");
	text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(copy);
	return text;
}

/* Sign obj with key into its "sig" (base64); 0 or -1. */
static int
sign(EVP_PKEY *key, json_t *obj)
{
	unsigned char sig[ED25519_SIGLEN], b64[4 * ED25519_SIGLEN / 3 + 4];
	size_t siglen = sizeof sig;
	char *text = signed_text(obj);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	ok = ctx != NULL && EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) == 1
	    && EVP_DigestSign(ctx, sig, &siglen, (unsigned char *)text,
	    strlen(text)) == 1;
	EVP_MD_CTX_free(ctx);
	free(text);
	if (!ok)
		return qgtm_seterr(QGTM_EX_SOFTWARE, "cannot sign");
	EVP_EncodeBlock(b64, sig, (int)siglen);
	json_object_set_new(obj, "sig", json_string((char *)b64));
	return 0;
}

/* Does obj's "sig" verify under key? 1 or 0. */
static int
verify(EVP_PKEY *key, json_t *obj)
{
	const char *b64 = json_string_value(json_object_get(obj, "sig"));
	unsigned char sig[ED25519_SIGLEN + 3];
	char *text;
	EVP_MD_CTX *ctx;
	int ok;

	if (b64 == NULL || strlen(b64) != 88 || EVP_DecodeBlock(sig,
	    (const unsigned char *)b64, 88) != ED25519_SIGLEN + 2)
		return 0;
	text = signed_text(obj);
	ctx = EVP_MD_CTX_new();
	ok = ctx != NULL && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL,
	    key) == 1 && EVP_DigestVerify(ctx, sig, ED25519_SIGLEN,
	    (unsigned char *)text, strlen(text)) == 1;
	EVP_MD_CTX_free(ctx);
	free(text);
	return ok;
}

/*
 * Sign obj as operator by with the key in keypath, and check the
 * signature against by's configured public key. 0, or -1 (*why set for a
 * refusal).
 */
static int
sign_as(const struct qgtm_cfg *cfg, const char *by, const char *keypath,
    json_t *obj, const char **why)
{
	EVP_PKEY *pub = operator_key(cfg, by), *key;
	int rc = 0;

	if (pub == NULL)
		return refuse(why, "UNKNOWN_OPERATOR", "unknown operator '%s'",
		    by);
	if ((key = private_key(keypath)) == NULL)
		rc = -1;
	else if (sign(key, obj) == -1)
		rc = -1;
	else if (!verify(pub, obj))
		rc = refuse(why, "BAD_SIGNATURE", "the key '%s' is not the "
		    "configured key of the operator", keypath);
	EVP_PKEY_free(key);
	EVP_PKEY_free(pub);
	return rc;
}

/* A record of type with the fields of obj (a new reference). */
static json_t *
record_of(const char *type, json_t *obj)
{
	json_t *rec = qgtm_record_new(type, NULL);

	json_object_update(rec, obj);
	return rec;
}

json_t *
qgtm_reset_request(struct qgtm_ks *ks, const struct qgtm_reset *r,
    const char **why)
{
	struct qgtm_ks_state st;
	char seq[24], created[21], expires[21], id[65], *text;
	time_t now = qgtm_now();
	json_t *req, *rec = NULL;

	*why = NULL;
	qgtm_ks_read(ks, &st);
	if (st.health != QGTM_KS_OK) {
		refuse(why, "STATE_UNTRUSTED", "kill switch state is %s: "
		    "escalate to NO_NEW to repair it first",
		    qgtm_ks_health_name(st.health));
		return NULL;
	}
	if (r->to >= st.tier) {
		refuse(why, "NOT_LOWER", "the tier is %s: a reset must go "
		    "lower", qgtm_tier_name(st.tier));
		return NULL;
	}
	snprintf(seq, sizeof seq, "%lld", st.seq);
	req = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	    "to", qgtm_tier_name(r->to), "from", qgtm_tier_name(st.tier),
	    "seq", seq, "by", r->by, "reason", r->reason,
	    "created", qgtm_time_fmt(now, created), "expires",
	    qgtm_time_fmt(now + 60 * qgtm_cfg_int(ks->cfg,
	    "risk.reset_expiry_minutes"), expires));
	text = json_dumps(req, JSON_COMPACT | JSON_SORT_KEYS);
	qgtm_sha256_hex(text, strlen(text), id);
	free(text);
	id[16] = '\0';
	json_object_set_new(req, "id", json_string(id));
	if (sign_as(ks->cfg, r->by, r->keypath, req, why) == 0) {
		text = qgtm_xasprintf("requests/%s", id);
		if (ks->be->store(ks, text, req) == 0)
			rec = record_of("reset_request", req);
		free(text);
	}
	json_decref(req);
	return rec;
}

/* Load request id into *req; 0, or -1 (*why NO_REQUEST when absent). */
static int
load_request(struct qgtm_ks *ks, const char *id, json_t **req,
    const char **why)
{
	char *name;
	size_t i;
	int rc;

	for (i = 0; id[i] != '\0'; i++)
		if (i >= 16 || strchr("0123456789abcdef", id[i]) == NULL)
			return refuse(why, "NO_REQUEST", "no reset request '%s'",
			    id);
	name = qgtm_xasprintf("requests/%s", id);
	rc = ks->be->load(ks, name, req);
	free(name);
	if (rc == 0)
		return refuse(why, "NO_REQUEST", "no reset request '%s'", id);
	return rc == 1 ? 0 : -1;
}

/* The checks of an approval of req by approver before signing. */
static int
approval_allowed(struct qgtm_ks *ks, json_t *req, const char *approver,
    const char **why)
{
	const char *by = json_string_value(json_object_get(req, "by"));
	const char *exp = json_string_value(json_object_get(req, "expires"));
	const char *seq = json_string_value(json_object_get(req, "seq"));
	struct qgtm_ks_state st;
	EVP_PKEY *pub;
	char now[21];
	int ok;

	if ((pub = operator_key(ks->cfg, approver)) == NULL)
		return refuse(why, "UNKNOWN_OPERATOR", "unknown operator '%s'",
		    approver);
	EVP_PKEY_free(pub);
	if (by == NULL || (pub = operator_key(ks->cfg, by)) == NULL)
		return refuse(why, "UNKNOWN_OPERATOR", "the request's "
		    "operator '%s' is not configured", by != NULL ? by : "");
	ok = verify(pub, req);
	EVP_PKEY_free(pub);
	if (!ok)
		return refuse(why, "BAD_SIGNATURE", "request %s: bad signature",
		    json_string_value(json_object_get(req, "id")));
	if (strcmp(by, approver) == 0)
		return refuse(why, "SAME_OPERATOR", "'%s' made the request; "
		    "another operator must approve it", by);
	if (exp == NULL || strcmp(qgtm_time_fmt(qgtm_now(), now), exp) > 0)
		return refuse(why, "EXPIRED", "the request expired at %s",
		    exp != NULL ? exp : "?");
	qgtm_ks_read(ks, &st);
	snprintf(now, sizeof now, "%lld", st.seq);
	if (st.health != QGTM_KS_OK || seq == NULL || strcmp(seq, now) != 0)
		return refuse(why, "TIER_CHANGED", "the tier changed since the "
		    "request (now %s)", qgtm_tier_name(st.effective));
	return 0;
}

json_t *
qgtm_reset_approve(struct qgtm_ks *ks, const char *id, const char *by,
    const char *keypath, json_t **tier_rec, const char **why)
{
	struct qgtm_ks_change c = { 0 };
	json_t *req, *appr, *rec = NULL;
	char ts[21];
	int rc;

	*why = NULL;
	*tier_rec = NULL;
	if (load_request(ks, id, &req, why) == -1)
		return NULL;
	appr = json_pack("{s:s, s:O, s:s, s:O, s:s}", "request_id", id,
	    "request_sig", json_object_get(req, "sig"), "by", by, "to",
	    json_object_get(req, "to"), "ts", qgtm_time_fmt(qgtm_now(), ts));
	if (approval_allowed(ks, req, by, why) == 0 &&
	    sign_as(ks->cfg, by, keypath, appr, why) == 0) {
		c.to = qgtm_tier_parse(json_string_value(json_object_get(req,
		    "to")));
		c.reason = json_string_value(json_object_get(req, "reason"));
		c.by = json_string_value(json_object_get(req, "by"));
		c.approved_by = by;
		c.request_id = id;
		c.expect_seq = strtoll(json_string_value(json_object_get(req,
		    "seq")), NULL, 10);
		if ((rc = qgtm_ks_change(ks, &c, tier_rec)) == 1)
			rec = record_of("reset_approval", appr);
		else if (qgtm_errcode() == QGTM_EX_NOPERM)
			*why = "TIER_CHANGED";
	}
	json_decref(appr);
	json_decref(req);
	return rec;
}
