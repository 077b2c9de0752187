/*
 * ks_file.c: the file backend of the kill switch. Objects are JSON files
 * under the state directory (risk/killswitch.json the tier,
 * risk/killswitch.init the marker, risk/NAME.json the others), each
 * replaced atomically; streams are JSON Lines files risk/STREAM.jsonl,
 * appended with fsync. A change is made under the flock of risk/lock, so
 * it never conflicts. The kill switch reaches it only through its table,
 * qgtm_ks_file_backend (lib/risk/ks_int.h).
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "risk/ks_int.h"

/* The file of an object name under the state directory (a new string):
 * "state", "marker", or risk/NAME.json for the others ("eval",
 * "heartbeat", "requests/ID"). */
static char *
ks_file_path(const char *name, int mkdirs)
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
ks_file_stream_path(const char *stream, int mkdirs)
{
	char *rel = qgtm_xasprintf("risk/%s.jsonl", stream), *path;

	path = qgtm_state_path(rel, mkdirs);
	free(rel);
	return path;
}

static int
ks_file_open(struct qgtm_ks *ks)
{
	ks->lockfd = -1;
	return 0;
}

static void
ks_file_close(struct qgtm_ks *ks)
{
	(void)ks;
}

static int
ks_file_begin(struct qgtm_ks *ks)
{
	char *path = qgtm_state_path(QGTM_KS_LOCK, 1);

	if (path == NULL)
		return -1;
	ks->lockfd = qgtm_lock(path, QGTM_KS_LOCK_MS);
	free(path);
	return ks->lockfd == -1 ? -1 : 0;
}

static void
ks_file_end(struct qgtm_ks *ks)
{
	qgtm_unlock(ks->lockfd);
	ks->lockfd = -1;
}

static int
ks_file_load(struct qgtm_ks *ks, const char *name, json_t **out)
{
	char *path = ks_file_path(name, 0);
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
ks_file_store(struct qgtm_ks *ks, const char *name, json_t *obj)
{
	char *path = ks_file_path(name, 1), *text;
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

/* Append rec to the stream as one line, synced; 0 or -1. */
static int
ks_file_append(const char *stream, json_t *rec)
{
	char *path = ks_file_stream_path(stream, 1), *text, *line;
	int rc;

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
ks_file_range(struct qgtm_ks *ks, const char *stream)
{
	char *path = ks_file_stream_path(stream, 0);
	json_t *arr;

	(void)ks;
	arr = qgtm_jsonl_read_file(path, 1);
	free(path);
	return arr;
}

/* A history event whose state could not be stored is cut off again, so
 * the history never shows a change that did not happen. */
static int
ks_file_commit_event(struct qgtm_ks *ks, json_t *state, json_t *event)
{
	char *path = ks_file_stream_path("history", 0);
	struct stat st;
	off_t before = stat(path, &st) == 0 ? st.st_size : 0;
	int rc = ks_file_append("history", event);

	if (rc == 0 && (rc = ks_file_store(ks, "state", state)) == -1 &&
	    !qgtm_ks_state_is(ks, state) && truncate(path, before) == -1)
		QGTM_ERR("file=%s msg=\"cannot cut a failed change off\"",
		    path);
	free(path);
	return rc;
}

/* A change under the flock: state, history event, marker; never conflicts. */
static int
ks_file_commit(struct qgtm_ks *ks, json_t *state, json_t *event)
{
	json_t *marker;
	int rc;

	if (event != NULL && ks_file_commit_event(ks, state, event) == -1)
		return -1;
	if (event == NULL && ks_file_store(ks, "state", state) == -1)
		return -1;
	if ((rc = ks_file_load(ks, "marker", &marker)) == 1)
		json_decref(marker);
	if (rc != 0)
		return rc == 1 ? 1 : -1;
	marker = json_pack("{s:s}", "created", json_string_value(
	    json_object_get(state, "since")));
	rc = ks_file_store(ks, "marker", marker);
	json_decref(marker);
	return rc == -1 ? -1 : 1;
}

/* The newest beat replaces the one before; no stream of them. */
static int
ks_file_beat(struct qgtm_ks *ks, json_t *rec)
{
	return ks_file_store(ks, "heartbeat", rec);
}

const struct qgtm_ks_backend qgtm_ks_file_backend = {
	.name = "file",
	.remote = 0,
	.open = ks_file_open,
	.close = ks_file_close,
	.begin = ks_file_begin,
	.commit = ks_file_commit,
	.end = ks_file_end,
	.load = ks_file_load,
	.store = ks_file_store,
	.range = ks_file_range,
	.beat = ks_file_beat
};
