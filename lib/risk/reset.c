/*
 * reset.c: the two-person reset of the kill switch. One operator asks
 * (a request naming the tier to go down to, the state's seq it was made
 * against and an expiry), another approves; each act is signed with the
 * operator's Ed25519 key (lib/base/crypto.c) and appended to the audit chain, so
 * the chain proves who asked and who approved. The public keys are the
 * config's risk.operators; operators are their keys, so the approver's key
 * may not be the requester's. Times are the system clock's, never the
 * pinned one: a pinned clock neither lengthens nor revives a request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "risk/risk.h"

/* Refuse with a code: sets the error (QGTM_EX_NOPERM) and *why. */
static int
refuse(const char **why, const char *code, const char *fmt, const char *arg)
{
	*why = code;
	return qgtm_seterr(QGTM_EX_NOPERM, fmt, arg);
}

struct evp_pkey_st *
qgtm_operator_key(const struct qgtm_cfg *cfg, const char *name)
{
	const char *item, *colon;
	json_t *v;
	size_t i, len = strlen(name);

	json_array_foreach(qgtm_cfg_list(cfg, "risk.operators"), i, v) {
		item = json_string_value(v);
		colon = strchr(item, ':');
		if (colon != NULL && (size_t)(colon - item) == len &&
		    strncmp(item, name, len) == 0)
			return qgtm_key_public(colon + 1);
	}
	return NULL;
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
	struct evp_pkey_st *pub = qgtm_operator_key(cfg, by), *key;
	int rc = 0;

	if (pub == NULL)
		return refuse(why, "UNKNOWN_OPERATOR", "unknown operator '%s'",
		    by);
	if ((key = qgtm_key_private(keypath)) == NULL)
		rc = -1;
	else if (qgtm_sign_json(key, obj) == -1)
		rc = -1;
	else if (!qgtm_verify_json(pub, obj))
		rc = refuse(why, "BAD_SIGNATURE", "the key '%s' is not the "
		    "configured key of the operator", keypath);
	qgtm_key_free(key);
	qgtm_key_free(pub);
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
	time_t now = time(NULL);        /* security time: never QGTM_NOW */
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
	qgtm_ks_mark_clock(req);
	if (sign_as(ks->cfg, r->by, r->keypath, req, why) == 0) {
		text = qgtm_xasprintf("requests/%s", id);
		rec = record_of("reset_request", req);
		if (qgtm_ks_chain_append(ks->cfg, rec) == -1 ||
		    qgtm_ks_store(ks, text, req) == -1) {
			json_decref(rec);
			rec = NULL;
		}
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
	rc = qgtm_ks_load(ks, name, req);
	free(name);
	if (rc == 0)
		return refuse(why, "NO_REQUEST", "no reset request '%s'", id);
	return rc == 1 ? 0 : -1;
}

/* Are the configured keys of operators a and b one key? */
static int
same_key(const struct qgtm_cfg *cfg, const char *a, const char *b)
{
	struct evp_pkey_st *ka = qgtm_operator_key(cfg, a);
	struct evp_pkey_st *kb = qgtm_operator_key(cfg, b);
	char ba[45], bb[45];
	int same = ka != NULL && kb != NULL && qgtm_key_public_b64(ka,
	    ba) == 0 && qgtm_key_public_b64(kb, bb) == 0 &&
	    strcmp(ba, bb) == 0;

	qgtm_key_free(ka);
	qgtm_key_free(kb);
	return same;
}

/* The checks of an approval of req by approver before signing. Times are
 * the system clock's: a pinned clock neither lengthens nor revives. */
static int
approval_allowed(struct qgtm_ks *ks, json_t *req, const char *approver,
    const char **why)
{
	const char *by = json_string_value(json_object_get(req, "by"));
	const char *exp = json_string_value(json_object_get(req, "expires"));
	const char *seq = json_string_value(json_object_get(req, "seq"));
	struct qgtm_ks_state st;
	struct evp_pkey_st *pub;
	char now[21];
	int ok;

	if ((pub = qgtm_operator_key(ks->cfg, approver)) == NULL)
		return refuse(why, "UNKNOWN_OPERATOR", "unknown operator '%s'",
		    approver);
	qgtm_key_free(pub);
	if (by == NULL || (pub = qgtm_operator_key(ks->cfg, by)) == NULL)
		return refuse(why, "UNKNOWN_OPERATOR", "the request's "
		    "operator '%s' is not configured", by != NULL ? by : "");
	ok = qgtm_verify_json(pub, req);
	qgtm_key_free(pub);
	if (!ok)
		return refuse(why, "BAD_SIGNATURE", "request %s: bad signature",
		    json_string_value(json_object_get(req, "id")));
	if (strcmp(by, approver) == 0)
		return refuse(why, "SAME_OPERATOR", "'%s' made the request; "
		    "another operator must approve it", by);
	if (same_key(ks->cfg, by, approver))
		return refuse(why, "SAME_OPERATOR", "'%s' made the request "
		    "with the same key; another operator must approve it", by);
	if (exp == NULL || strcmp(qgtm_time_fmt(time(NULL), now), exp) > 0)
		return refuse(why, "EXPIRED", "the request expired at %s "
		    "(system clock)", exp != NULL ? exp : "?");
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
	    json_object_get(req, "to"), "ts", qgtm_time_fmt(time(NULL), ts));
	qgtm_ks_mark_clock(appr);
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
		c.keypath = keypath;
		c.request = req;
		c.approval = appr;
		if ((rc = qgtm_ks_change(ks, &c, tier_rec)) == 1) {
			rec = record_of("reset_approval", appr);
			if (qgtm_ks_chain_append(ks->cfg, rec) == -1)
				qgtm_warn("audit chain: %s", qgtm_errmsg());
		} else if (qgtm_errcode() == QGTM_EX_NOPERM)
			*why = "TIER_CHANGED";
	}
	json_decref(appr);
	json_decref(req);
	return rec;
}
