/*
 * ks.c: the five-tier kill switch. The tier lives in a state backend
 * (files under the state directory, lib/risk/ks_file.c, or Redis,
 * lib/risk/ks_redis.c), reached only through its table (lib/risk/ks_int.h),
 * as a flat object of strings; every change is a compare-and-set under the
 * backend's lock (flock, or WATCH/MULTI), so two writers never lose an
 * escalation, and leaves a "tier" record in the history stream. The
 * authority is the audit chain (lib/risk/ks_chain.c): each change is a signed
 * record appended there first, and every read checks the backend's state
 * against the chain's. A state that cannot be trusted (missing, corrupt,
 * tampered, undurable) reads as at least NO_NEW and at least the chain's
 * tier: the switch fails closed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "risk/ks_int.h"

/* How many times a change is retried when another writer got in first. */
#define CAS_TRIES 50

static const char *const health_names[] = {
	"ok", "missing", "corrupt", "unreadable", "unavailable", "tampered",
	"undurable"
};

const char *
qgtm_ks_health_name(int health)
{
	return health_names[health];
}

/* Does the backend hold state already: a failed store or commit that put
 * it in place all the same (when only syncing the directory failed,
 * qgtm_write_atomic)? */
int
qgtm_ks_state_is(struct qgtm_ks *ks, json_t *state)
{
	json_t *got = NULL;
	int same = ks->be->load(ks, "state", &got) == 1 &&
	    json_equal(got, state);

	json_decref(got);
	return same;
}

/* ----------------------------------------------------------- handle -- */

int
qgtm_ks_open(struct qgtm_ks *ks, const struct qgtm_cfg *cfg)
{
	const char *url = qgtm_cfg_str(cfg, "state.backend");

	memset(ks, 0, sizeof *ks);
	ks->cfg = cfg;
	ks->lockfd = -1;
	ks->chainfd = -1;
	if (strcmp(url, "file") == 0)
		ks->be = &qgtm_ks_file_backend;
	else if (strncmp(url, "redis://", 8) == 0)
		ks->be = &qgtm_ks_redis_backend;
	else
		return qgtm_seterr(QGTM_EX_CONFIG, "config key state.backend: "
		    "expected file or redis://host:port/db, not '%s'", url);
	ks->url = qgtm_xstrdup(url);
	return ks->be->open(ks);
}

void
qgtm_ks_close(struct qgtm_ks *ks)
{
	if (ks->be != NULL)
		ks->be->close(ks);
	free(ks->url);
	ks->url = NULL;
	ks->be = NULL;
}

int
qgtm_ks_load(struct qgtm_ks *ks, const char *name, json_t **out)
{
	return ks->be->load(ks, name, out);
}

int
qgtm_ks_store(struct qgtm_ks *ks, const char *name, json_t *obj)
{
	return ks->be->store(ks, name, obj);
}

int
qgtm_ks_beat(struct qgtm_ks *ks, json_t *rec)
{
	return ks->be->beat(ks, rec);
}

/* -------------------------------------------------------------- read -- */

/* Copy the string field key of obj into out; 0, or -1 when not a string. */
static int
field(json_t *obj, const char *key, char *out, size_t outsz)
{
	const char *s = json_string_value(json_object_get(obj, key));

	if (s == NULL || strlen(s) >= outsz)
		return -1;
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

/* Read a stored state object into st; -1 (DATAERR) when malformed. */
static int
state_parse(json_t *obj, struct qgtm_ks_state *st)
{
	char tier[16], seq[24], *end;
	time_t t;

	if (field(obj, "tier", tier, sizeof tier) == -1 ||
	    (st->tier = qgtm_tier_parse(tier)) == -1 ||
	    field(obj, "seq", seq, sizeof seq) == -1 ||
	    field(obj, "since", st->since, sizeof st->since) == -1 ||
	    qgtm_time_parse(st->since, &t) == -1 ||
	    field(obj, "reason", st->reason, sizeof st->reason) == -1 ||
	    field(obj, "by", st->by, sizeof st->by) == -1 ||
	    field(obj, "approved_by", st->approved_by,
	    sizeof st->approved_by) == -1)
		return qgtm_seterr(QGTM_EX_DATAERR, "kill switch state: "
		    "malformed");
	errno = 0;
	st->seq = strtoll(seq, &end, 10);
	if (errno != 0 || end == seq || *end != '\0' || st->seq < 0)
		return qgtm_seterr(QGTM_EX_DATAERR, "kill switch state: "
		    "malformed seq");
	return 0;
}

/* The stored object of st (a new reference). */
static json_t *
state_json(const struct qgtm_ks_state *st)
{
	char seq[24];

	snprintf(seq, sizeof seq, "%lld", st->seq);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}",
	    "tier", qgtm_tier_name(st->tier), "seq", seq, "since", st->since,
	    "reason", st->reason, "by", st->by,
	    "approved_by", st->approved_by);
}

/* Mark st untrustworthy: health from the error code, tier at least NO_NEW. */
static void
state_fail(struct qgtm_ks_state *st, int health)
{
	st->health = health;
	snprintf(st->detail, sizeof st->detail, "%s", qgtm_errmsg());
	if (st->effective < QGTM_TIER_NO_NEW)
		st->effective = QGTM_TIER_NO_NEW;
}

static int
health_of(int code)
{
	return code == QGTM_EX_DATAERR ? QGTM_KS_CORRUPT :
	    code == QGTM_EX_IOERR ? QGTM_KS_UNREADABLE : QGTM_KS_UNAVAILABLE;
}

/* The state of a never-initialized backend: NORMAL, seq 0. */
static void
state_fresh(struct qgtm_ks_state *st)
{
	memset(st, 0, sizeof *st);
	qgtm_time_fmt(qgtm_now(), st->since);
	snprintf(st->reason, sizeof st->reason, "initialized");
	snprintf(st->by, sizeof st->by, "%s", qgtm_progname);
}

/*
 * The marker in the state directory, kept for every backend: a Redis that
 * lost its data (restarted without persistence) loses its own marker too,
 * and this one still says a state existed. With create, make it.
 */
static int
local_marker(int create)
{
	char *path = qgtm_state_path(QGTM_KS_MARKER, create);
	int exists = path != NULL && access(path, F_OK) == 0;

	if (path != NULL && create && !exists)
		qgtm_write_atomic(path, "{}", 2);
	free(path);
	return exists;
}

/*
 * Load the state into st. Returns 1 when read, 0 when it never existed
 * (no state, no marker: st is fresh), -1 with st failed closed.
 */
static int
state_load(struct qgtm_ks *ks, struct qgtm_ks_state *st)
{
	json_t *obj;
	int rc;

	memset(st, 0, sizeof *st);
	rc = ks->be->load(ks, "state", &obj);
	if (rc == 1) {
		rc = state_parse(obj, st);
		json_decref(obj);
		st->effective = st->tier;
		if (rc == 0)
			return 1;
	} else if (rc == 0) {
		rc = ks->be->load(ks, "marker", &obj);
		json_decref(obj);
		if (rc == 0 && local_marker(0))
			rc = 1;
		if (rc == 0) {
			state_fresh(st);
			return 0;
		}
		if (rc == 1)
			rc = qgtm_seterr(QGTM_EX_NOINPUT, "kill switch state "
			    "is missing but was initialized before");
	}
	st->tier = QGTM_TIER_NORMAL;
	state_fail(st, qgtm_errcode() == QGTM_EX_NOINPUT ? QGTM_KS_MISSING :
	    health_of(qgtm_errcode()));
	return -1;
}

/*
 * Take the backend's lock; a remote backend (one other than files) also
 * takes the file lock, so that the changes of this host reach the audit
 * chain (a file of the state directory) one at a time. 0, -1 when the
 * file lock stayed busy, or -2 when a remote backend cannot be reached.
 */
static int
ks_begin(struct qgtm_ks *ks)
{
	char *path;

	if (ks->be->remote) {
		if ((path = qgtm_state_path(QGTM_KS_LOCK, 1)) == NULL)
			return -1;
		ks->chainfd = qgtm_lock(path, QGTM_KS_LOCK_MS);
		free(path);
		if (ks->chainfd == -1)
			return -1;
	}
	if (ks->be->begin(ks) == 0)
		return 0;
	qgtm_unlock(ks->chainfd);
	ks->chainfd = -1;
	return ks->be->remote ? -2 : -1;
}

static void
ks_end(struct qgtm_ks *ks)
{
	ks->be->end(ks);
	if (ks->chainfd != -1)
		qgtm_unlock(ks->chainfd);
	ks->chainfd = -1;
}

/* An untrusted st acts as at least NO_NEW, and at least as the tier the
 * chain holds. */
static void
floor_tier(struct qgtm_ks_state *st, const struct qgtm_ks_chain *ch)
{
	if (st->effective < QGTM_TIER_NO_NEW)
		st->effective = QGTM_TIER_NO_NEW;
	if (st->effective < ch->tier)
		st->effective = ch->tier;
}

/* Distrust st with health and a detail (unless distrusted already). */
static void
distrust(struct qgtm_ks_state *st, const struct qgtm_ks_chain *ch,
    int health, const char *detail)
{
	if (st->health == QGTM_KS_OK) {
		st->health = health;
		snprintf(st->detail, sizeof st->detail, "%s", detail);
	}
	floor_tier(st, ch);
}

/*
 * Check the state read (rc of state_load: 1 read, -1 failed) against the
 * chain: a state that says another tier or seq than the chain, a chain
 * with a bad kill-switch record or none at all, is not trusted.
 */
static void
judge(struct qgtm_ks_state *st, const struct qgtm_ks_chain *ch, int rc)
{
	char detail[256];

	if (rc == -1)
		floor_tier(st, ch);
	else if (ch->bad[0] != '\0')
		distrust(st, ch, QGTM_KS_TAMPERED, ch->bad);
	else if (ch->records == 0 && st->seq > 0)
		distrust(st, ch, QGTM_KS_TAMPERED, "the audit chain has no "
		    "record of the kill switch's changes: it was deleted, cut "
		    "or replaced");
	else if (st->tier != ch->tier || st->seq != ch->seq) {
		snprintf(detail, sizeof detail, "the state says %s (seq %lld) "
		    "but the audit chain says %s (seq %lld)",
		    qgtm_tier_name(st->tier), st->seq,
		    qgtm_tier_name(ch->tier), ch->seq);
		distrust(st, ch, QGTM_KS_TAMPERED, detail);
	}
}

/* A change whose intent is in the slot but not in the chain was not made
 * durable: act as at least NO_NEW, and at least as the tier asked for. */
static void
judge_intent(struct qgtm_ks_state *st, const struct qgtm_ks_chain *ch)
{
	json_t *in = qgtm_ks_intent_get();
	const char *sig = json_string_value(json_object_get(in, "sig"));
	int to = qgtm_tier_parse(json_string_value(json_object_get(in, "to")));
	char detail[256];

	if (in != NULL && (sig == NULL || json_object_get(ch->sigs,
	    sig) == NULL)) {
		snprintf(detail, sizeof detail, "a change to %s by %s at %s "
		    "was not made durable", to != -1 ? qgtm_tier_name(to) :
		    "?", json_string_value(json_object_get(in, "by")),
		    json_string_value(json_object_get(in, "ts")));
		distrust(st, ch, QGTM_KS_UNDURABLE, detail);
		if (to > st->effective)
			st->effective = to;
	}
	json_decref(in);
}

/* begin, load, and commit a fresh state; 1 done, 0 conflict, -1 error. */
static int
state_init(struct qgtm_ks *ks, struct qgtm_ks_state *st)
{
	json_t *obj;
	int rc;

	if (ks_begin(ks) < 0)
		return -1;
	if ((rc = state_load(ks, st)) == 0) {
		obj = state_json(st);
		rc = ks->be->commit(ks, obj, NULL);
		json_decref(obj);
	} else if (rc == 1)
		rc = 1;
	ks_end(ks);
	return rc;
}

/* A state that never existed: a first start when the chain has no record
 * of the kill switch either (a switch never changed is NORMAL: there is
 * nothing a deleter could undo); else it was deleted. */
static void
read_fresh(struct qgtm_ks *ks, struct qgtm_ks_state *st,
    struct qgtm_ks_chain *ch)
{
	int i, rc;

	if (ch->records > 0 || ch->bad[0] != '\0') {
		qgtm_seterr(QGTM_EX_NOINPUT, "kill switch state is missing "
		    "but the audit chain records the kill switch (tier %s)%s%s",
		    qgtm_tier_name(ch->tier), ch->bad[0] != '\0' ? "; " : "",
		    ch->bad);
		memset(st, 0, sizeof *st);     /* not the fresh state's */
		snprintf(st->since, sizeof st->since, "%s", ch->since);
		st->seq = ch->seq;
		state_fail(st, QGTM_KS_MISSING);
		floor_tier(st, ch);
		return;
	}
	for (i = 0, rc = 0; i < CAS_TRIES && rc == 0; i++)
		rc = state_init(ks, st);
	if (rc != 1) {
		if (rc == 0)
			qgtm_seterr(QGTM_EX_TEMPFAIL, "kill switch state: "
			    "cannot initialize");
		state_fail(st, health_of(qgtm_errcode()));
		return;
	}
	if (ks->be->remote)
		local_marker(1);
	qgtm_ks_chain_release(ch);
	qgtm_ks_chain_read(ks->cfg, ch);
	judge(st, ch, 1);
}

/* One read of chain and state into st. */
static void
read_once(struct qgtm_ks *ks, struct qgtm_ks_state *st)
{
	struct qgtm_ks_chain ch;
	int rc;

	qgtm_ks_chain_read(ks->cfg, &ch);
	if ((rc = state_load(ks, st)) == 1 && ks->be->remote)
		local_marker(1);
	if (rc == 0)
		read_fresh(ks, st, &ch);
	else
		judge(st, &ch, rc);
	judge_intent(st, &ch);
	qgtm_ks_chain_release(&ch);
}

/* Wait until no change is in progress (the lock risk/lock is free);
 * 0, or -1 when it stayed busy. */
static int
await_change(void)
{
	char *path = qgtm_state_path(QGTM_KS_LOCK, 1);
	int fd = path != NULL ? qgtm_lock(path, QGTM_KS_LOCK_MS) : -1;

	free(path);
	qgtm_unlock(fd);
	return fd == -1 ? -1 : 0;
}

/* Make ahead what a change on a full disk needs: the intent slot, the
 * reserve and the program key. */
static void
prepare(const struct qgtm_cfg *cfg)
{
	struct evp_pkey_st *key;

	if (qgtm_ks_prepare() == -1)
		qgtm_warn("kill switch intent slot: %s", qgtm_errmsg());
	if ((key = qgtm_ks_program_key(cfg)) == NULL)
		qgtm_warn("kill switch program key: %s", qgtm_errmsg());
	qgtm_key_free(key);
}

void
qgtm_ks_read(struct qgtm_ks *ks, struct qgtm_ks_state *st)
{
	prepare(ks->cfg);
	read_once(ks, st);
	/* A change in progress shows the chain ahead of the state or its
	 * intent not yet in the chain: read again once it is done. */
	if ((st->health == QGTM_KS_TAMPERED || st->health ==
	    QGTM_KS_UNDURABLE) && await_change() == 0)
		read_once(ks, st);
	if (st->health == QGTM_KS_TAMPERED || st->health == QGTM_KS_UNDURABLE)
		qgtm_seterr(QGTM_EX_UNAVAILABLE, "kill switch state is %s: %s",
		    qgtm_ks_health_name(st->health), st->detail);
}

/* ------------------------------------------------------------ change -- */

/* The "tier" record of a change from st to c (a new reference), signed. */
static json_t *
tier_record(const struct qgtm_ks *ks, const struct qgtm_ks_state *st,
    const struct qgtm_ks_change *c, long long seq)
{
	json_t *rec = qgtm_record_new("tier", NULL);

	json_object_set_new(rec, "from", json_string(
	    qgtm_tier_name(st->effective)));
	json_object_set_new(rec, "to", json_string(qgtm_tier_name(c->to)));
	json_object_set_new(rec, "seq", json_integer(seq));
	json_object_set_new(rec, "reason", json_string(c->reason));
	json_object_set_new(rec, "by", json_string(c->by));
	json_object_set_new(rec, "approved_by", c->approved_by != NULL ?
	    json_string(c->approved_by) : json_null());
	json_object_set_new(rec, "request_id", c->request_id != NULL ?
	    json_string(c->request_id) : json_null());
	json_object_set_new(rec, "health", json_string(
	    qgtm_ks_health_name(st->health)));
	json_object_set_new(rec, "backend", json_string(ks->url));
	if (c->request != NULL)
		json_object_set(rec, "request", c->request);
	if (c->approval != NULL)
		json_object_set(rec, "approval", c->approval);
	if (qgtm_ks_sign(ks->cfg, rec, c->approved_by != NULL ?
	    c->approved_by : c->by, c->keypath) == -1) {
		json_decref(rec);
		return NULL;
	}
	return rec;
}

/*
 * May c change st? 1 yes, 0 nothing to do (only_up and not higher), -1
 * refused (QGTM_EX_NOPERM).
 */
static int
change_allowed(const struct qgtm_ks_state *st, const struct qgtm_ks_change *c)
{
	if (c->expect_seq >= 0 && (st->health != QGTM_KS_OK ||
	    st->seq != c->expect_seq))
		return qgtm_seterr(QGTM_EX_NOPERM, "the tier changed since "
		    "the request");
	if (st->health != QGTM_KS_OK && c->to < QGTM_TIER_NO_NEW)
		return qgtm_seterr(QGTM_EX_NOPERM, "kill switch state is %s: "
		    "only NO_NEW or FLATTEN may be set",
		    qgtm_ks_health_name(st->health));
	if (c->only_up && st->health == QGTM_KS_OK && c->to <= st->tier)
		return 0;
	return 1;
}

/* Put the intent of rec in the slot before anything is written. */
static void
intent_of(json_t *rec)
{
	json_t *in = json_pack("{s:O, s:O, s:O, s:O}", "to",
	    json_object_get(rec, "to"), "by", json_object_get(rec, "by"),
	    "ts", json_object_get(rec, "ts"), "sig",
	    json_object_get(rec, "sig"));

	if (in == NULL || qgtm_ks_intent_set(in) == -1)
		qgtm_warn("kill switch intent: %s", qgtm_errmsg());
	json_decref(in);
}

/* The intent of rec into the slot, then rec into the chain; 0 or -1. */
static int
chain_first(struct qgtm_ks *ks, json_t *rec)
{
	intent_of(rec);
	if (qgtm_ks_chain_append(ks->cfg, rec) == 0)
		return 0;
	return qgtm_seterr(qgtm_errcode(), "the change to %s cannot be made "
	    "durable: %s", json_string_value(json_object_get(rec, "to")),
	    qgtm_errmsg());
}

/*
 * An escalation while the backend is unreachable (its error set): the
 * signed record still goes to the audit chain, the authority, so every
 * reader (which finds the backend unreachable too) acts on it. The state
 * follows at the next change; until then it reads as tampered. Returns
 * 1, 0 when the chain holds c->to or higher already, or -1.
 */
static int
change_unreachable(struct qgtm_ks *ks, const struct qgtm_ks_change *c,
    json_t **rec)
{
	char *path = qgtm_state_path(QGTM_KS_LOCK, 1), why[256];
	struct qgtm_ks_state st = { 0 };
	struct qgtm_ks_chain ch;
	int fd, rc = 0;

	snprintf(why, sizeof why, "%s", qgtm_errmsg());
	fd = path != NULL ? qgtm_lock(path, QGTM_KS_LOCK_MS) : -1;
	free(path);
	if (fd == -1)
		return -1;
	qgtm_ks_chain_read(ks->cfg, &ch);
	st.health = QGTM_KS_UNAVAILABLE;
	st.effective = ch.tier > QGTM_TIER_NO_NEW ? ch.tier : QGTM_TIER_NO_NEW;
	if (c->to > ch.tier) {
		if ((*rec = tier_record(ks, &st, c, ch.seq + 1)) == NULL ||
		    chain_first(ks, *rec) == -1) {
			json_decref(*rec);
			*rec = NULL;
			rc = -1;
		} else {
			qgtm_ks_intent_clear();
			qgtm_warn("kill switch state unreachable (%s): the change "
			    "to %s is in the audit chain only", why,
			    qgtm_tier_name(c->to));
			rc = 1;
		}
	}
	qgtm_ks_chain_release(&ch);
	qgtm_unlock(fd);
	return rc;
}

/*
 * Make the signed record rec durable: the audit chain first (the tier is
 * in force once it is there), then the backend's state. A state that
 * cannot follow is told on every read (it disagrees with the chain).
 * Returns 1, 0 on a backend conflict, -1 when the chain refused it.
 */
static int
commit(struct qgtm_ks *ks, json_t *state, json_t *rec)
{
	int rc;

	if (chain_first(ks, rec) == -1)
		return -1;
	rc = ks->be->commit(ks, state, rec);
	if (rc == -1 && !qgtm_ks_state_is(ks, state) &&
	    qgtm_ks_reserve_release() == 1)
		rc = ks->be->commit(ks, state, rec);
	if (rc == -1) {
		qgtm_warn("the audit chain holds the change to %s, the kill "
		    "switch state does not: %s", json_string_value(
		    json_object_get(rec, "to")), qgtm_errmsg());
		rc = 1;
	}
	if (rc == 1)
		qgtm_ks_intent_clear();
	return rc;
}

/* One attempt under the backend's lock: 1 changed, 0 nothing to do, 2 a
 * conflict (try again), -1 error. */
static int
change_once(struct qgtm_ks *ks, const struct qgtm_ks_change *c, json_t **rec)
{
	struct qgtm_ks_change cc = *c;
	struct qgtm_ks_state st, next;
	struct qgtm_ks_chain ch;
	json_t *obj, *ev;
	int rc;

	if ((rc = ks_begin(ks)) < 0)
		return rc == -2 && c->only_up ? change_unreachable(ks, c, rec) :
		    -1;
	qgtm_ks_chain_read(ks->cfg, &ch);
	/* Only a two-person reset goes below the tier the chain holds: an
	 * escalation that repairs a state is never a way down. */
	if (cc.request == NULL && cc.to < ch.tier && !cc.only_up) {
		qgtm_ks_chain_release(&ch);
		ks_end(ks);
		return qgtm_seterr(QGTM_EX_NOPERM, "lowering the tier takes a "
		    "two-person reset");
	}
	if (cc.request == NULL && cc.to < ch.tier)
		cc.to = ch.tier;
	c = &cc;
	if ((rc = state_load(ks, &st)) == -1 &&
	    st.health == QGTM_KS_UNAVAILABLE)
		rc = -1;
	else if (rc == 0 && ch.records == 0 && ch.bad[0] == '\0')
		rc = change_allowed(&st, c);    /* the first start */
	else {
		if (rc == 0) {
			st.health = QGTM_KS_MISSING;
			snprintf(st.detail, sizeof st.detail, "kill switch "
			    "state is missing");
		}
		judge(&st, &ch, rc == 0 ? -1 : rc);
		rc = change_allowed(&st, c);
	}
	if (rc == 1 && (ev = tier_record(ks, &st, c, ch.seq + 1)) == NULL)
		rc = -1;
	else if (rc == 1) {
		state_fresh(&next);
		next.tier = c->to;
		next.seq = ch.seq + 1;
		qgtm_utf8_copy(next.reason, sizeof next.reason, c->reason);
		qgtm_utf8_copy(next.by, sizeof next.by, c->by);
		qgtm_utf8_copy(next.approved_by, sizeof next.approved_by,
		    c->approved_by != NULL ? c->approved_by : "");
		obj = state_json(&next);
		rc = commit(ks, obj, ev);
		json_decref(obj);
		if (rc == 1 && ks->be->remote)
			local_marker(1);
		if (rc == 1)
			*rec = ev;
		else
			json_decref(ev);
		rc = rc == 0 ? 2 : rc;
	}
	qgtm_ks_chain_release(&ch);
	ks_end(ks);
	return rc;
}

int
qgtm_ks_change(struct qgtm_ks *ks, const struct qgtm_ks_change *c,
    json_t **rec)
{
	int i, rc = 2;

	*rec = NULL;
	for (i = 0; i < CAS_TRIES && rc == 2; i++)
		rc = change_once(ks, c, rec);
	if (rc == 2)
		return qgtm_seterr(QGTM_EX_TEMPFAIL, "kill switch state: "
		    "changed by others %d times in a row", CAS_TRIES);
	return rc;
}

json_t *
qgtm_ks_history(struct qgtm_ks *ks, time_t since)
{
	json_t *all = ks->be->range(ks, "history"), *out, *rec;
	time_t t;
	size_t i;

	if (all == NULL)
		return NULL;
	out = json_array();
	json_array_foreach(all, i, rec)
		if (qgtm_time_parse(json_string_value(json_object_get(rec,
		    "ts")), &t) == 0 && t >= since)
			json_array_append(out, rec);
	json_decref(all);
	return out;
}

json_t *
qgtm_ks_state_record(const struct qgtm_ks *ks, const struct qgtm_ks_state *st)
{
	json_t *rec = qgtm_record_new("risk_state", NULL);

	json_object_set_new(rec, "tier", json_string(
	    qgtm_tier_name(st->effective)));
	json_object_set_new(rec, "stored_tier", st->health == QGTM_KS_OK ?
	    json_string(qgtm_tier_name(st->tier)) : json_null());
	json_object_set_new(rec, "since", st->since[0] != '\0' ?
	    json_string(st->since) : json_null());
	json_object_set_new(rec, "reason", json_string(st->reason));
	json_object_set_new(rec, "by", json_string(st->by));
	json_object_set_new(rec, "approved_by", st->approved_by[0] != '\0' ?
	    json_string(st->approved_by) : json_null());
	json_object_set_new(rec, "seq", json_integer(st->seq));
	json_object_set_new(rec, "backend", json_string(ks->url));
	json_object_set_new(rec, "health", json_string(
	    qgtm_ks_health_name(st->health)));
	json_object_set_new(rec, "detail", st->health != QGTM_KS_OK ?
	    json_string(st->detail) : json_null());
	return rec;
}
