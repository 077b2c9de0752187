/*
 * killswitch.c: the five-tier kill switch. The tier lives in a state
 * backend (files under the state directory, or Redis through lib/redis.c)
 * as a flat object of strings; every change is a compare-and-set under the
 * backend's lock (flock, or WATCH/MULTI), so two writers never lose an
 * escalation, and leaves a "tier" record in the history stream. A state
 * that cannot be trusted reads as at least NO_NEW: the switch fails closed.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qgtm.h"

/* How many times a change is retried when another writer got in first. */
#define CAS_TRIES 50

static const char *const tier_names[QGTM_NTIERS] = {
	"NORMAL", "WARN", "THROTTLE", "NO_NEW", "FLATTEN"
};

static const char *const health_names[] = {
	"ok", "missing", "corrupt", "unreadable", "unavailable"
};

const char *
qgtm_tier_name(int tier)
{
	return tier >= 0 && tier < QGTM_NTIERS ? tier_names[tier] : NULL;
}

int
qgtm_tier_parse(const char *s)
{
	int i;

	for (i = 0; s != NULL && i < QGTM_NTIERS; i++)
		if (strcmp(s, tier_names[i]) == 0)
			return i;
	return -1;
}

const char *
qgtm_ks_health_name(int health)
{
	return health_names[health];
}

/* ------------------------------------------------------ file backend -- */

/* The file of an object name under the state directory (a new string):
 * "state", "marker", or risk/NAME.json for the others ("eval",
 * "heartbeat", "requests/ID"). */
static char *
file_path(const char *name, int mkdirs)
{
	char *rel, *path;

	if (strcmp(name, "state") == 0)
		return qgtm_state_path(QGTM_KS_STATE, mkdirs);
	if (strcmp(name, "marker") == 0)
		return qgtm_state_path(QGTM_KS_MARKER, mkdirs);
	rel = qgtm_xasprintf("risk/%s.json", name);
	path = qgtm_state_path(rel, mkdirs);
	free(rel);
	return path;
}

/* The file of a stream, risk/STREAM.jsonl (a new string). */
static char *
stream_path(const char *stream, int mkdirs)
{
	char *rel = qgtm_xasprintf("risk/%s.jsonl", stream), *path;

	path = qgtm_state_path(rel, mkdirs);
	free(rel);
	return path;
}

static int
file_open(struct qgtm_ks *ks)
{
	ks->lockfd = -1;
	return 0;
}

static void
file_close(struct qgtm_ks *ks)
{
	(void)ks;
}

static int
file_begin(struct qgtm_ks *ks)
{
	char *path = qgtm_state_path(QGTM_KS_LOCK, 1);

	if (path == NULL)
		return -1;
	ks->lockfd = qgtm_lock(path, QGTM_KS_LOCK_MS);
	free(path);
	return ks->lockfd == -1 ? -1 : 0;
}

static void
file_end(struct qgtm_ks *ks)
{
	qgtm_unlock(ks->lockfd);
	ks->lockfd = -1;
}

static int
file_load(struct qgtm_ks *ks, const char *name, json_t **out)
{
	char *path = file_path(name, 0);
	json_error_t jerr;
	int rc = 1;

	(void)ks;
	*out = NULL;
	if (access(path, F_OK) == -1 && errno == ENOENT)
		rc = 0;
	else if ((*out = json_load_file(path, JSON_REJECT_DUPLICATES,
	    &jerr)) == NULL)
		rc = qgtm_seterr(access(path, R_OK) == 0 ? QGTM_EX_DATAERR :
		    QGTM_EX_IOERR, "%s: %s", path, jerr.text);
	else if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		rc = qgtm_seterr(QGTM_EX_DATAERR, "%s: not an object", path);
	}
	free(path);
	return rc;
}

static int
file_store(struct qgtm_ks *ks, const char *name, json_t *obj)
{
	char *path = file_path(name, 1), *text;
	int rc;

	(void)ks;
	if (path == NULL)
		return -1;
	text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
	rc = qgtm_write_atomic(path, text, strlen(text));
	free(text);
	free(path);
	return rc;
}

static int
file_append(struct qgtm_ks *ks, const char *stream, json_t *rec)
{
	char *path = stream_path(stream, 1), *text, *line;
	int rc;

	(void)ks;
	if (path == NULL)
		return -1;
	text = json_dumps(rec, JSON_COMPACT);
	line = qgtm_xasprintf("%s\n", text);
	rc = qgtm_append_fsync(path, line, strlen(line));
	free(line);
	free(text);
	free(path);
	return rc;
}

static json_t *
file_range(struct qgtm_ks *ks, const char *stream)
{
	char *path = stream_path(stream, 0);
	json_t *arr;

	(void)ks;
	arr = qgtm_jsonl_read_file(path, 1);
	free(path);
	return arr;
}

/* Whether a failed store put state in place all the same (when only
 * syncing the directory failed, qgtm_write_atomic). */
static int
stored_anyway(struct qgtm_ks *ks, json_t *state)
{
	json_t *got = NULL;
	int same = file_load(ks, "state", &got) == 1 && json_equal(got, state);

	json_decref(got);
	return same;
}

/* A history event whose state could not be stored is cut off again, so
 * the history never shows a change that did not happen. */
static int
file_commit_event(struct qgtm_ks *ks, json_t *state, json_t *event)
{
	char *path = stream_path("history", 0);
	struct stat st;
	off_t before = stat(path, &st) == 0 ? st.st_size : 0;
	int rc = file_append(ks, "history", event);

	if (rc == 0 && (rc = file_store(ks, "state", state)) == -1 &&
	    !stored_anyway(ks, state) && truncate(path, before) == -1)
		QGTM_ERR("file=%s msg=\"cannot cut a failed change off\"",
		    path);
	free(path);
	return rc;
}

/* A change under the flock: state, history event, marker; never conflicts. */
static int
file_commit(struct qgtm_ks *ks, json_t *state, json_t *event)
{
	json_t *marker;
	int rc;

	if (event != NULL && file_commit_event(ks, state, event) == -1)
		return -1;
	if (event == NULL && file_store(ks, "state", state) == -1)
		return -1;
	if ((rc = file_load(ks, "marker", &marker)) == 1)
		json_decref(marker);
	if (rc != 0)
		return rc == 1 ? 1 : -1;
	marker = json_pack("{s:s}", "created", json_string_value(
	    json_object_get(state, "since")));
	rc = file_store(ks, "marker", marker);
	json_decref(marker);
	return rc == -1 ? -1 : 1;
}

/* The newest beat replaces the one before; no stream of them. */
static int
file_beat(struct qgtm_ks *ks, json_t *rec)
{
	return file_store(ks, "heartbeat", rec);
}

static const struct qgtm_ks_backend file_backend = {
	"file", file_open, file_close, file_begin, file_commit, file_end,
	file_load, file_store, file_append, file_range, file_beat
};

/* ----------------------------------------------------------- handle -- */

int
qgtm_ks_open(struct qgtm_ks *ks, const struct qgtm_cfg *cfg)
{
	const char *url = qgtm_cfg_str(cfg, "state.backend");

	memset(ks, 0, sizeof *ks);
	ks->cfg = cfg;
	ks->lockfd = -1;
	if (strcmp(url, "file") == 0)
		ks->be = &file_backend;
	else if (strncmp(url, "redis://", 8) == 0)
		ks->be = &qgtm_redis_backend;
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

/* begin, load, and commit a fresh state; 1 done, 0 conflict, -1 error. */
static int
state_init(struct qgtm_ks *ks, struct qgtm_ks_state *st)
{
	json_t *obj;
	int rc;

	if (ks->be->begin(ks) == -1)
		return -1;
	if ((rc = state_load(ks, st)) == 0) {
		obj = state_json(st);
		rc = ks->be->commit(ks, obj, NULL);
		json_decref(obj);
	} else if (rc == 1)
		rc = 1;
	ks->be->end(ks);
	return rc;
}

void
qgtm_ks_read(struct qgtm_ks *ks, struct qgtm_ks_state *st)
{
	int i, rc;

	if ((rc = state_load(ks, st)) == 1 && ks->be != &file_backend)
		local_marker(1);
	if (rc != 0)
		return;
	for (i = 0, rc = 0; i < CAS_TRIES && rc == 0; i++)
		rc = state_init(ks, st);
	if (rc != 1) {
		if (rc == 0)
			qgtm_seterr(QGTM_EX_TEMPFAIL, "kill switch state: "
			    "cannot initialize");
		state_fail(st, health_of(qgtm_errcode()));
	} else if (ks->be != &file_backend)
		local_marker(1);
}

/* ------------------------------------------------------------ change -- */

/* The "tier" record of a change from st to c (a new reference). */
static json_t *
tier_record(const struct qgtm_ks *ks, const struct qgtm_ks_state *st,
    const struct qgtm_ks_change *c)
{
	json_t *rec = qgtm_record_new("tier", NULL);

	json_object_set_new(rec, "from", json_string(
	    qgtm_tier_name(st->effective)));
	json_object_set_new(rec, "to", json_string(qgtm_tier_name(c->to)));
	json_object_set_new(rec, "seq", json_integer(st->seq + 1));
	json_object_set_new(rec, "reason", json_string(c->reason));
	json_object_set_new(rec, "by", json_string(c->by));
	json_object_set_new(rec, "approved_by", c->approved_by != NULL ?
	    json_string(c->approved_by) : json_null());
	json_object_set_new(rec, "request_id", c->request_id != NULL ?
	    json_string(c->request_id) : json_null());
	json_object_set_new(rec, "health", json_string(
	    qgtm_ks_health_name(st->health)));
	json_object_set_new(rec, "backend", json_string(ks->url));
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

/* The seq of the last change in the history, so that a state repaired
 * after it was lost never reuses a seq an old reset request names. */
static long long
history_seq(struct qgtm_ks *ks)
{
	json_t *arr = ks->be->range(ks, "history");
	json_int_t seq = json_integer_value(json_object_get(json_array_get(
	    arr, json_array_size(arr) - 1), "seq"));

	json_decref(arr);
	return seq;
}

/* One attempt under the backend's lock: 1 changed, 0 nothing to do, 2 a
 * conflict (try again), -1 error. */
static int
change_once(struct qgtm_ks *ks, const struct qgtm_ks_change *c, json_t **rec)
{
	struct qgtm_ks_state st, next;
	json_t *obj, *ev;
	int rc;

	if (ks->be->begin(ks) == -1)
		return -1;
	if (state_load(ks, &st) == -1 && st.health == QGTM_KS_UNAVAILABLE)
		rc = -1;
	else if ((rc = change_allowed(&st, c)) == 1) {
		if (st.health != QGTM_KS_OK)
			st.seq = history_seq(ks);
		ev = tier_record(ks, &st, c);
		state_fresh(&next);
		next.tier = c->to;
		next.seq = st.seq + 1;
		qgtm_utf8_copy(next.reason, sizeof next.reason, c->reason);
		qgtm_utf8_copy(next.by, sizeof next.by, c->by);
		qgtm_utf8_copy(next.approved_by, sizeof next.approved_by,
		    c->approved_by != NULL ? c->approved_by : "");
		obj = state_json(&next);
		rc = ks->be->commit(ks, obj, ev);
		json_decref(obj);
		if (rc == 1 && ks->be != &file_backend)
			local_marker(1);
		if (rc == 1)
			*rec = ev;
		else
			json_decref(ev);
		rc = rc == 0 ? 2 : rc;
	}
	ks->be->end(ks);
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
