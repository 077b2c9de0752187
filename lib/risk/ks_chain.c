/*
 * kschain.c: the kill switch's own record in the audit chain. Every tier
 * change is a signed "tier" record appended to the chain by the program
 * that made it. Replaying those records gives the tier in force, which the
 * backend's state (file or Redis) must agree with: the chain is the
 * authority, the state a copy that can be checked. A record signed by the
 * program key (risk.program_key) may only raise the tier; lowering it
 * takes a two-person reset whose request and approval, signed by two
 * different operator keys, are inside the record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "risk/risk.h"

/* The file of the program key: risk.program_key, else one made on first
 * use in the state directory (a new string). */
static char *
program_key_path(const struct qgtm_cfg *cfg)
{
	const char *path = qgtm_cfg_str(cfg, "risk.program_key");

	if (*path != '\0')
		return qgtm_xstrdup(path);
	return qgtm_state_path(QGTM_KS_PROGRAM_KEY, 1);
}

/* The program key; with make, made when it is the default and missing. */
static struct evp_pkey_st *
program_key(const struct qgtm_cfg *cfg, int make)
{
	char *path = program_key_path(cfg);
	struct evp_pkey_st *key;

	if (path == NULL)
		return NULL;
	key = qgtm_key_private(path);
	if (key == NULL && make && qgtm_errcode() == QGTM_EX_NOINPUT &&
	    *qgtm_cfg_str(cfg, "risk.program_key") == '\0' &&
	    qgtm_key_generate(path) == 0)
		key = qgtm_key_private(path);
	free(path);
	return key;
}

struct evp_pkey_st *
qgtm_ks_program_key(const struct qgtm_cfg *cfg)
{
	return program_key(cfg, 1);
}

/* The configured public key of signer ("program" or an operator). */
static struct evp_pkey_st *
signer_key(const struct qgtm_cfg *cfg, struct evp_pkey_st *prog,
    const char *signer)
{
	char b64[45];

	if (signer == NULL)
		return NULL;
	if (strcmp(signer, "program") != 0)
		return qgtm_operator_key(cfg, signer);
	if (prog == NULL || qgtm_key_public_b64(prog, b64) == -1)
		return NULL;
	return qgtm_key_public(b64);
}

void
qgtm_ks_mark_clock(json_t *rec)
{
	char real[21];

	if (!qgtm_clock_pinned())
		return;
	json_object_set_new(rec, "clock", json_string("pinned"));
	json_object_set_new(rec, "real_ts", json_string(qgtm_time_fmt(
	    time(NULL), real)));
}

int
qgtm_ks_sign(const struct qgtm_cfg *cfg, json_t *rec, const char *by,
    const char *keypath)
{
	struct evp_pkey_st *key, *pub;
	const char *signer = keypath != NULL ? by : "program";
	int rc = 0;

	qgtm_ks_mark_clock(rec);
	json_object_set_new(rec, "signer", json_string(signer));
	key = keypath != NULL ? qgtm_key_private(keypath) :
	    qgtm_ks_program_key(cfg);
	if (key == NULL)
		return -1;
	pub = signer_key(cfg, key, signer);
	if (pub == NULL)
		rc = qgtm_seterr(QGTM_EX_NOPERM, "unknown operator '%s'",
		    signer);
	else if (qgtm_sign_json(key, rec) == -1)
		rc = -1;
	else if (!qgtm_verify_json(pub, rec))
		rc = qgtm_seterr(QGTM_EX_NOPERM, "the key '%s' is not the "
		    "configured key of '%s'", keypath, signer);
	qgtm_key_free(pub);
	qgtm_key_free(key);
	return rc;
}

/* ------------------------------------------------------------ replay -- */

/* What one replay needs besides the result. */
struct replay {
	const struct qgtm_cfg *cfg;
	struct evp_pkey_st *prog;
	struct qgtm_ks_chain *ch;
	const char *path;       /* the chain, for messages */
};

/* Note the first reason the chain cannot be trusted, at the line of the
 * entry of seq. */
static void
bad(struct replay *r, unsigned long seq, const char *why)
{
	if (r->ch->bad[0] == '\0')
		snprintf(r->ch->bad, sizeof r->ch->bad, "%s:%lu: %s", r->path,
		    seq + 1, why);
}

/* Is rec's signature that of its "signer"? */
static int
signed_ok(struct replay *r, json_t *rec)
{
	struct evp_pkey_st *pub = signer_key(r->cfg, r->prog,
	    json_string_value(json_object_get(rec, "signer")));
	int ok = qgtm_verify_json(pub, rec);

	qgtm_key_free(pub);
	return ok;
}

/* Raw public key of operator name into raw; 0 or -1. */
static int
operator_raw(const struct qgtm_cfg *cfg, const char *name,
    unsigned char raw[QGTM_KEY_RAWLEN])
{
	struct evp_pkey_st *pub = name != NULL ? qgtm_operator_key(cfg,
	    name) : NULL;
	char b64[45];
	int rc;

	if (pub == NULL)
		return -1;
	rc = qgtm_key_public_b64(pub, b64) == 0 ? qgtm_key_raw(b64, raw) : -1;
	qgtm_key_free(pub);
	return rc;
}

/* The string member key of obj, or "" (never NULL). */
static const char *
str(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s != NULL ? s : "";
}

int
qgtm_ks_two_person(const struct qgtm_cfg *cfg, json_t *req, json_t *appr,
    const char **why)
{
	unsigned char a[QGTM_KEY_RAWLEN], b[QGTM_KEY_RAWLEN];
	struct evp_pkey_st *pub;
	int ok;

	if (!json_is_object(req) || !json_is_object(appr))
		return *why = "not a two-person reset", 0;
	pub = qgtm_operator_key(cfg, str(req, "by"));
	ok = qgtm_verify_json(pub, req);
	qgtm_key_free(pub);
	if (!ok)
		return *why = "the request's signature does not verify", 0;
	pub = qgtm_operator_key(cfg, str(appr, "by"));
	ok = qgtm_verify_json(pub, appr);
	qgtm_key_free(pub);
	if (!ok)
		return *why = "the approval's signature does not verify", 0;
	if (operator_raw(cfg, str(req, "by"), a) == -1 ||
	    operator_raw(cfg, str(appr, "by"), b) == -1 ||
	    memcmp(a, b, sizeof a) == 0)
		return *why = "request and approval signed by one key", 0;
	if (strcmp(str(appr, "request_id"), str(req, "id")) != 0 ||
	    strcmp(str(appr, "request_sig"), str(req, "sig")) != 0)
		return *why = "the approval is of another request", 0;
	if (strcmp(str(appr, "ts"), str(req, "expires")) > 0)
		return *why = "approved after the request expired", 0;
	return 1;
}

/* A "tier" record that lowers the tier: valid only as a two-person reset
 * whose approver signed the record, made against the tier in force. */
static int
lowering_ok(struct replay *r, json_t *rec, const char **why)
{
	json_t *req = json_object_get(rec, "request");
	json_t *appr = json_object_get(rec, "approval");
	char seq[24];

	if (!qgtm_ks_two_person(r->cfg, req, appr, why))
		return 0;
	snprintf(seq, sizeof seq, "%lld", r->ch->seq);
	if (strcmp(str(rec, "signer"), str(appr, "by")) != 0 ||
	    strcmp(str(req, "to"), str(rec, "to")) != 0 ||
	    strcmp(str(req, "seq"), seq) != 0)
		return *why = "the record is not the approved change", 0;
	return 1;
}

/* Apply one "tier" record of chain entry eseq. */
static void
replay_tier(struct replay *r, json_t *rec, unsigned long eseq)
{
	struct qgtm_ks_chain *ch = r->ch;
	const char *sig = json_string_value(json_object_get(rec, "sig"));
	json_int_t seq = json_integer_value(json_object_get(rec, "seq"));
	int to = qgtm_tier_parse(str(rec, "to"));
	const char *why = NULL;
	char msg[160];

	if (sig != NULL && json_equal(json_object_get(ch->sigs, sig), rec))
		return;                 /* a copy (piped to the chain too) */
	if (sig == NULL || !signed_ok(r, rec))
		why = "a tier record without a valid signature";
	else if (to == -1 || seq != ch->seq + 1)
		why = "a tier record out of sequence";
	if (why == NULL && to < ch->tier)
		lowering_ok(r, rec, &why);
	if (why != NULL) {
		snprintf(msg, sizeof msg, "%s (to %s, seq %lld)", why,
		    str(rec, "to"), (long long)seq);
		bad(r, eseq, msg);
		if (to > ch->tier)
			ch->tier = to;  /* a raise is honored all the same */
		return;
	}
	if (to >= QGTM_TIER_NO_NEW || to < ch->tier)
		ch->bad[0] = '\0';      /* acted on by a valid change */
	ch->tier = to;
	ch->seq = seq;
	ch->records++;
	snprintf(ch->since, sizeof ch->since, "%s", str(rec, "ts"));
	json_object_set(ch->sigs, sig, rec);
}

/* One valid chain entry: pick out the kill switch's records. */
static int
replay_entry(const char *line, size_t n, unsigned long eseq, void *arg)
{
	struct replay *r = arg;
	json_t *entry, *rec;

	if (strstr(line, "\"type\":\"tier\"") == NULL)
		return 0;
	if ((entry = json_loadb(line, n, 0, NULL)) == NULL)
		return 0;               /* the walk checked it parses */
	rec = json_object_get(entry, "rec");
	if (strcmp(str(rec, "type"), "tier") == 0)
		replay_tier(r, rec, eseq);
	json_decref(entry);
	return 0;
}

/*
 * The newest published checkpoint of the chain into *ck: 1, 0 when none
 * is published, or -1 when the published checkpoints cannot be read.
 * They live where the state directory's writer cannot change them
 * (qgtm_audit_published), so an unreadable anchor is not read as none.
 * The chain holds the checkpoint as entry ck->size, after ck->size
 * entries of its root: one cut or rewritten before it (every hash
 * recomputed, a tier record taken out) fails the walk.
 */
static int
published(const struct qgtm_cfg *cfg, struct qgtm_checkpoint *ck,
    char *why, size_t n)
{
	int has = qgtm_audit_published(cfg, NULL, ck);

	if (has == -1)
		snprintf(why, n, "published checkpoints: %s", qgtm_errmsg());
	return has;
}

char *
qgtm_ks_chain_path(const struct qgtm_cfg *cfg, int mkdirs)
{
	return qgtm_state_path(qgtm_cfg_str(cfg, "audit.chain"), mkdirs);
}

void
qgtm_ks_chain_read(const struct qgtm_cfg *cfg, struct qgtm_ks_chain *ch)
{
	struct qgtm_audit_summary sum = { 0 };
	char *path = qgtm_ks_chain_path(cfg, 0);
	struct replay r = { cfg, NULL, ch, path };
	struct qgtm_checkpoint ck;
	char unread[sizeof ch->bad] = "";
	int has;

	memset(ch, 0, sizeof *ch);
	ch->sigs = json_object();
	has = published(cfg, &ck, unread, sizeof unread);
	r.prog = program_key(cfg, 0);   /* none: its records do not verify */
	/* The replay clears bad on a valid change: the walk's and the
	 * anchor's trouble is noted after it. */
	if (path == NULL || qgtm_audit_walk_against(path, has == 1 ? &ck :
	    NULL, &sum, replay_entry, &r) == -1)
		snprintf(ch->bad, sizeof ch->bad, "audit chain: %s",
		    qgtm_errmsg());
	if (has == -1)
		snprintf(ch->bad, sizeof ch->bad, "%s", unread);
	ch->entries = sum.entries;
	ch->published = has == 1 ? (long long)ck.size : has;
	qgtm_key_free(r.prog);
	free(path);
}

void
qgtm_ks_chain_release(struct qgtm_ks_chain *ch)
{
	json_decref(ch->sigs);
	ch->sigs = NULL;
}

/* ------------------------------------------------------------ append -- */

int
qgtm_ks_chain_append(const struct qgtm_cfg *cfg, json_t *rec)
{
	char *path = qgtm_ks_chain_path(cfg, 1);
	json_t *arr;
	int rc;

	if (path == NULL)
		return -1;
	arr = json_pack("[O]", rec);
	rc = qgtm_audit_append_records(path, arr);
	if (rc == -1 && qgtm_ks_reserve_release() == 1)
		rc = qgtm_audit_append_records(path, arr);
	json_decref(arr);
	free(path);
	return rc;
}
