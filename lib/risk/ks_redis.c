/*
 * ks_redis.c: the Redis state backend of the kill switch, through hiredis.
 * Objects are hashes (qgtm:killswitch holds the tier, so `redis-cli
 * HGETALL qgtm:killswitch` shows operators what the programs see);
 * streams are Redis streams of one field "data" holding the record's
 * JSON. A change is WATCH qgtm:killswitch, read, MULTI, write, EXEC: a nil
 * EXEC means another writer got in first, and the change is tried again.
 * Connection trouble is QGTM_EX_TEMPFAIL, which the kill switch reads as
 * "unavailable" and fails closed on. The kill switch reaches it only
 * through its table, qgtm_ks_redis_backend (lib/risk/ks_int.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>

#include "risk/ks_int.h"

#define KEY_STATE "qgtm:killswitch"
/* The heartbeat stream keeps about this many entries (XADD MAXLEN ~). */
#define BEATS_MAX "10000"
/* Connect and command timeout. */
#define TIMEOUT_MS 2000
/* Most arguments of one command: HSET key and 32 fields. */
#define MAXARGS 66

/* The key of an object or stream name. */
static void
ks_redis_key(const char *name, char *out, size_t outsz)
{
	static const char *const map[][2] = {
		{ "state", KEY_STATE }, { "marker", "qgtm:killswitch:init" },
		{ "history", "qgtm:killswitch:events" },
		{ "heartbeat", "qgtm:heartbeat" },
	};
	size_t i;

	for (i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(name, map[i][0]) == 0) {
			snprintf(out, outsz, "%s", map[i][1]);
			return;
		}
	snprintf(out, outsz, "qgtm:%s", name);
	for (; *out != '\0'; out++)
		if (*out == '/')
			*out = ':';
}

/* The connection, made on first use; NULL with QGTM_EX_TEMPFAIL. */
static redisContext *
ks_redis_conn(struct qgtm_ks *ks)
{
	struct timeval tv = { TIMEOUT_MS / 1000, TIMEOUT_MS % 1000 * 1000 };
	char host[256];
	redisContext *c;
	int port = 6379, db = 0;
	redisReply *r;

	if (ks->conn != NULL)
		return ks->conn;
	if (sscanf(ks->url, "redis://%255[^:/]:%d/%d", host, &port, &db) < 1) {
		qgtm_seterr(QGTM_EX_CONFIG, "config key state.backend: bad "
		    "URL '%s'", ks->url);
		return NULL;
	}
	c = redisConnectWithTimeout(host, port, tv);
	if (c == NULL || c->err) {
		qgtm_seterr(QGTM_EX_TEMPFAIL, "redis %s:%d: %s", host, port,
		    c != NULL ? c->errstr : "cannot connect");
		redisFree(c);
		return NULL;
	}
	redisSetTimeout(c, tv);
	r = redisCommand(c, "SELECT %d", db);
	if (r == NULL || r->type == REDIS_REPLY_ERROR) {
		qgtm_seterr(QGTM_EX_TEMPFAIL, "redis %s:%d: cannot select "
		    "db %d", host, port, db);
		freeReplyObject(r);
		redisFree(c);
		return NULL;
	}
	freeReplyObject(r);
	return ks->conn = c;
}

/* Forget a broken connection; the error says why. */
static void
ks_redis_drop(struct qgtm_ks *ks)
{
	redisContext *c = ks->conn;

	qgtm_seterr(QGTM_EX_TEMPFAIL, "redis: %s", c != NULL && c->err ?
	    c->errstr : "connection lost");
	redisFree(c);
	ks->conn = NULL;
}

/* Run argv; the reply (freeReplyObject()) or NULL with the error set. An
 * error reply is QGTM_EX_DATAERR (a key of the wrong type). */
static redisReply *
ks_redis_run(struct qgtm_ks *ks, int argc, const char **argv)
{
	redisContext *c = ks_redis_conn(ks);
	redisReply *r;

	if (c == NULL)
		return NULL;
	if ((r = redisCommandArgv(c, argc, argv, NULL)) == NULL) {
		ks_redis_drop(ks);
		return NULL;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		qgtm_seterr(QGTM_EX_DATAERR, "redis %s: %s", argv[0], r->str);
		freeReplyObject(r);
		return NULL;
	}
	return r;
}

/* Run a command whose reply does not matter; 0 or -1. */
static int
ks_redis_run0(struct qgtm_ks *ks, int argc, const char **argv)
{
	redisReply *r = ks_redis_run(ks, argc, argv);

	freeReplyObject(r);
	return r == NULL ? -1 : 0;
}

static int
ks_redis_open(struct qgtm_ks *ks)
{
	ks->conn = NULL;
	return 0;
}

static void
ks_redis_close(struct qgtm_ks *ks)
{
	redisFree(ks->conn);
	ks->conn = NULL;
}

static int
ks_redis_begin(struct qgtm_ks *ks)
{
	const char *argv[] = { "WATCH", KEY_STATE };

	return ks_redis_run0(ks, 2, argv);
}

static void
ks_redis_end(struct qgtm_ks *ks)
{
	const char *argv[] = { "UNWATCH" };

	if (ks->conn != NULL)
		ks_redis_run0(ks, 1, argv);
}

static int
ks_redis_load(struct qgtm_ks *ks, const char *name, json_t **out)
{
	const char *argv[] = { "HGETALL", NULL };
	char key[128];
	redisReply *r;
	size_t i;

	*out = NULL;
	ks_redis_key(name, key, sizeof key);
	argv[1] = key;
	if ((r = ks_redis_run(ks, 2, argv)) == NULL)
		return -1;
	if (r->type == REDIS_REPLY_ARRAY && r->elements > 0) {
		*out = json_object();
		for (i = 0; i + 1 < r->elements; i += 2)
			json_object_set_new(*out, r->element[i]->str,
			    json_stringn(r->element[i + 1]->str,
			    r->element[i + 1]->len));
	}
	freeReplyObject(r);
	return *out != NULL ? 1 : 0;
}

/* The text of a field value: a string as is, anything else as JSON. */
static char *
ks_redis_field_text(json_t *v)
{
	if (json_is_string(v))
		return qgtm_xstrdup(json_string_value(v));
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* Queue DEL key and HSET key with the fields of obj (inside MULTI). */
static int
ks_redis_queue_object(struct qgtm_ks *ks, const char *name, json_t *obj)
{
	const char *argv[MAXARGS], *del[] = { "DEL", NULL }, *k;
	char *text[MAXARGS], key[128];
	json_t *v;
	int n = 2, i, rc;

	ks_redis_key(name, key, sizeof key);
	del[1] = key;
	if (ks_redis_run0(ks, 2, del) == -1)
		return -1;
	argv[0] = "HSET";
	argv[1] = key;
	json_object_foreach(obj, k, v) {
		if (n + 2 > MAXARGS)
			return qgtm_seterr(QGTM_EX_SOFTWARE, "redis: object "
			    "'%s' has too many fields", name);
		argv[n] = k;
		argv[n + 1] = text[n + 1] = ks_redis_field_text(v);
		n += 2;
	}
	rc = ks_redis_run0(ks, n, argv);
	for (i = 3; i < n; i += 2)
		free(text[i]);
	return rc;
}

/* Queue XADD key [MAXLEN ~ max] * data JSON (maxlen may be NULL). */
static int
ks_redis_queue_xadd(struct qgtm_ks *ks, const char *name, const char *maxlen,
    json_t *rec)
{
	const char *argv[8];
	char key[128], *json = json_dumps(rec, JSON_COMPACT);
	int n = 0, rc;

	ks_redis_key(name, key, sizeof key);
	argv[n++] = "XADD";
	argv[n++] = key;
	if (maxlen != NULL) {
		argv[n++] = "MAXLEN";
		argv[n++] = "~";
		argv[n++] = maxlen;
	}
	argv[n++] = "*";
	argv[n++] = "data";
	argv[n++] = json;
	rc = ks_redis_run0(ks, n, argv);
	free(json);
	return rc;
}

/* EXEC: 1 done, 0 when a watched key changed (nil), -1. */
static int
ks_redis_exec(struct qgtm_ks *ks)
{
	const char *argv[] = { "EXEC" };
	redisReply *r = ks_redis_run(ks, 1, argv);
	int rc;

	if (r == NULL)
		return -1;
	rc = r->type == REDIS_REPLY_NIL ? 0 : 1;
	freeReplyObject(r);
	return rc;
}

/* MULTI, or DISCARD after a failure inside it. */
static int
ks_redis_multi(struct qgtm_ks *ks)
{
	const char *argv[] = { "MULTI" };

	return ks_redis_run0(ks, 1, argv);
}

static void
ks_redis_discard(struct qgtm_ks *ks)
{
	const char *argv[] = { "DISCARD" };

	if (ks->conn != NULL)
		ks_redis_run0(ks, 1, argv);
}

static int
ks_redis_commit(struct qgtm_ks *ks, json_t *state, json_t *event)
{
	const char *marker[] = { "HSETNX", "qgtm:killswitch:init", "created",
	    json_string_value(json_object_get(state, "since")) };

	if (ks_redis_multi(ks) == -1)
		return -1;
	if (ks_redis_queue_object(ks, "state", state) == -1 || (event != NULL &&
	    ks_redis_queue_xadd(ks, "history", NULL, event) == -1) ||
	    ks_redis_run0(ks, 4, marker) == -1) {
		ks_redis_discard(ks);
		return -1;
	}
	return ks_redis_exec(ks);
}

static int
ks_redis_store(struct qgtm_ks *ks, const char *name, json_t *obj)
{
	if (ks_redis_multi(ks) == -1)
		return -1;
	if (ks_redis_queue_object(ks, name, obj) == -1) {
		ks_redis_discard(ks);
		return -1;
	}
	return ks_redis_exec(ks) == 1 ? 0 : -1;
}

static json_t *
ks_redis_range(struct qgtm_ks *ks, const char *stream)
{
	const char *argv[] = { "XRANGE", NULL, "-", "+" };
	char key[128];
	redisReply *r, *e;
	json_t *arr, *rec;
	size_t i;

	ks_redis_key(stream, key, sizeof key);
	argv[1] = key;
	if ((r = ks_redis_run(ks, 4, argv)) == NULL)
		return NULL;
	arr = json_array();
	for (i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
		e = r->element[i];
		if (e->elements == 2 && e->element[1]->elements == 2 &&
		    (rec = json_loads(e->element[1]->element[1]->str, 0,
		    NULL)) != NULL)
			json_array_append_new(arr, rec);
	}
	freeReplyObject(r);
	return arr;
}

static int
ks_redis_beat(struct qgtm_ks *ks, json_t *rec)
{
	if (ks_redis_multi(ks) == -1)
		return -1;
	if (ks_redis_queue_object(ks, "heartbeat", rec) == -1 ||
	    ks_redis_queue_xadd(ks, "heartbeats", BEATS_MAX, rec) == -1) {
		ks_redis_discard(ks);
		return -1;
	}
	return ks_redis_exec(ks) == 1 ? 0 : -1;
}

const struct qgtm_ks_backend qgtm_ks_redis_backend = {
	.name = "redis",
	.remote = 1,
	.open = ks_redis_open,
	.close = ks_redis_close,
	.begin = ks_redis_begin,
	.commit = ks_redis_commit,
	.end = ks_redis_end,
	.load = ks_redis_load,
	.store = ks_redis_store,
	.range = ks_redis_range,
	.beat = ks_redis_beat
};
