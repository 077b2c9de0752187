/*
 * jsonl.c: JSON Lines in and out (jsonlines.org; jq's error positions),
 * the record envelope, typed field access, and trace ids.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "base/base.h"

struct reader {
	FILE *f;
	const char *name;
	unsigned long line;
	char *buf;
	size_t cap;
	int follow;             /* a pipeline's input, not a state file */
};

/*
 * Read one line (without its newline) into r->buf. Returns its length,
 * -1 at end of file, or -2 after setting an error (too long, read error).
 * A line over the cap is consumed to its end so reading can go on.
 */
static ssize_t
read_line(struct reader *r)
{
	size_t len = 0;
	int c, toolong = 0;

	while ((c = getc(r->f)) != EOF && c != '\n') {
		if (len + 1 >= QGTM_JSONL_MAX_LINE) {
			toolong = 1;
			continue;
		}
		if (len + 1 >= r->cap) {
			r->cap = r->cap == 0 ? 4096 : r->cap * 2;
			r->buf = qgtm_xrealloc(r->buf, r->cap);
		}
		r->buf[len++] = (char)c;
	}
	if (c == EOF && ferror(r->f)) {
		qgtm_seterr_errno(QGTM_EX_IOERR, "%s: read error", r->name);
		return -2;
	}
	if (c == EOF && len == 0 && !toolong)
		return -1;
	r->line++;
	if (toolong) {
		qgtm_seterr(QGTM_EX_DATAERR, "%s:%lu: line longer than %d bytes",
		    r->name, r->line, QGTM_JSONL_MAX_LINE);
		return -2;
	}
	if (len + 1 > r->cap) {
		r->cap = len + 1;
		r->buf = qgtm_xrealloc(r->buf, r->cap);
	}
	r->buf[len] = '\0';
	return (ssize_t)len;
}

/* Are the n bytes at p only blanks (a trailing "\r" included)? A NUL
 * is not a blank. */
static int
blank_line(const char *p, size_t n)
{
	for (; n > 0; p++, n--)
		if (*p != ' ' && *p != '\t' && *p != '\r')
			return 0;
	return 1;
}

/*
 * Parse one line into an object with a string "type" (the envelope every
 * record carries); NULL with "name:line: reason".
 */
static json_t *
parse_line(struct reader *r, size_t len)
{
	json_error_t jerr;
	const char *type;
	char msg[256];
	json_t *rec;

	rec = json_loadb(r->buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (rec == NULL) {
		qgtm_seterr(QGTM_EX_DATAERR, "%s:%lu: invalid JSON: %s",
		    r->name, r->line, jerr.text);
		return NULL;
	}
	if (!json_is_object(rec)) {
		json_decref(rec);
		qgtm_seterr(QGTM_EX_DATAERR, "%s:%lu: not a JSON object",
		    r->name, r->line);
		return NULL;
	}
	if (qgtm_json_str(rec, "type", &type) == -1) {
		json_decref(rec);
		snprintf(msg, sizeof msg, "%s", qgtm_errmsg());
		qgtm_seterr(QGTM_EX_DATAERR, "%s:%lu: %s", r->name, r->line, msg);
		return NULL;
	}
	return rec;
}

/*
 * A pipeline's input record carries its trace on: following log lines
 * name its trace_id, and its traceparent (when tracing) makes this
 * program's span of that trace a child of the sender's.
 */
static void
follow_trace(json_t *rec)
{
	const char *trace = json_string_value(json_object_get(rec, "trace_id"));

	if (trace == NULL)
		return;
	qgtm_log_set_trace(trace);
	if (qgtm_trace_hooks() != NULL)
		qgtm_trace_hooks()->adopt(json_string_value(json_object_get(rec,
		    "traceparent")), trace);
}

/*
 * Feed every record of one open stream to fn. Returns the number of
 * errors reported (with keep_going) or -1 at the first error otherwise.
 */
static int
each_in_stream(struct reader *r, int keep_going, qgtm_jsonl_fn fn, void *arg)
{
	struct qgtm_jsonl_pos pos;
	char msg[1200];
	ssize_t len;
	json_t *rec;
	int errors = 0, rc;

	while ((len = read_line(r)) != -1) {
		rc = -1;
		if (len >= 0 && blank_line(r->buf, (size_t)len))
			continue;
		if (len >= 0 && (rec = parse_line(r, (size_t)len)) != NULL) {
			pos.name = r->name;
			pos.line = r->line;
			if (r->follow)
				follow_trace(rec);
			rc = fn(rec, &pos, arg);
			json_decref(rec);
			if (rc == -1) {
				snprintf(msg, sizeof msg, "%s", qgtm_errmsg());
				qgtm_seterr(qgtm_errcode(), "%s:%lu: %s",
				    r->name, r->line, msg);
			}
		}
		if (rc == 0)
			continue;
		if (!keep_going || qgtm_errcode() == QGTM_EX_IOERR)
			return -1;
		qgtm_warn("%s", qgtm_errmsg());
		errors++;
	}
	return errors;
}

/* Open one operand ("-" is stdin). NULL with QGTM_EX_NOINPUT. */
static FILE *
open_input(const char *path)
{
	struct stat st;
	FILE *f;
	int fd;

	if (strcmp(path, "-") == 0)
		return stdin;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd != -1 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		qgtm_seterr(QGTM_EX_NOINPUT, "cannot read '%s': Is a directory",
		    path);
		return NULL;
	}
	if (fd == -1 || (f = fdopen(fd, "r")) == NULL) {
		qgtm_seterr_errno(QGTM_EX_NOINPUT, "cannot open '%s'", path);
		if (fd != -1)
			close(fd);
		return NULL;
	}
	return f;
}

/* qgtm_jsonl_each, following traces when follow is set. */
static int
jsonl_each(int argc, char **argv, int keep_going, qgtm_jsonl_fn fn,
    void *arg, int follow)
{
	static char *stdin_only[] = { "-" };
	struct reader r = { .follow = follow };
	int i, n, errors = 0, failed = 0, code = 0;
	char msg[1200];

	if (argc == 0) {
		argc = 1;
		argv = stdin_only;
	}
	for (i = 0; i < argc && !failed; i++) {
		r.f = open_input(argv[i]);
		if (r.f == NULL) {
			free(r.buf);
			return -1;
		}
		r.name = strcmp(argv[i], "-") == 0 ? "<stdin>" : argv[i];
		r.line = 0;
		n = each_in_stream(&r, keep_going, fn, arg);
		if (n == -1)
			failed = 1;
		else
			errors += n;
		if (r.f != stdin)
			fclose(r.f);
	}
	free(r.buf);
	if (failed)
		return -1;
	if (errors > 0) {
		code = qgtm_errcode();
		snprintf(msg, sizeof msg, "%d bad record(s) skipped", errors);
		return qgtm_seterr(code, "%s", msg);
	}
	return 0;
}

int
qgtm_jsonl_each(int argc, char **argv, int keep_going, qgtm_jsonl_fn fn,
    void *arg)
{
	return jsonl_each(argc, argv, keep_going, fn, arg, 1);
}

/* Collect records into an array (callback of qgtm_jsonl_read_file). */
static int
collect(json_t *rec, const struct qgtm_jsonl_pos *pos, void *arg)
{
	(void)pos;
	json_array_append(arg, rec);
	return 0;
}

json_t *
qgtm_jsonl_read_file(const char *path, int missing_ok)
{
	json_t *arr;
	char *argv[1];

	if (missing_ok && access(path, F_OK) == -1 && errno == ENOENT)
		return json_array();
	arr = json_array();
	argv[0] = (char *)path;
	if (jsonl_each(1, argv, 0, collect, arr, 0) == -1) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

int
qgtm_jsonl_print(FILE *out, json_t *rec)
{
	if (json_dumpf(rec, out, JSON_COMPACT) == -1 || putc('\n', out) == EOF)
		return qgtm_seterr_errno(QGTM_EX_IOERR, "write error");
	return 0;
}

/* Does rec carry a traceparent of its own trace_id (from upstream)? */
static int
has_own_traceparent(const struct qgtm_trace_hooks *h, json_t *rec,
    const char *trace_id)
{
	return h->is_of(json_string_value(json_object_get(rec, "traceparent")),
	    trace_id);
}

/*
 * A copy of rec with "traceparent" right after its "trace_id" (new
 * reference), or NULL when it needs none: tracing is off, it has no
 * trace_id, or it carries an upstream traceparent of that trace already.
 * A traceparent of another trace is replaced, so the two always agree.
 */
static json_t *
with_traceparent(json_t *rec)
{
	const struct qgtm_trace_hooks *h = qgtm_trace_hooks();
	char tp[QGTM_TRACEPARENT_LEN + 1];
	const char *key;
	json_t *trace, *copy, *v;

	if (h == NULL ||
	    !json_is_string(trace = json_object_get(rec, "trace_id")) ||
	    has_own_traceparent(h, rec, json_string_value(trace)) ||
	    h->traceparent(json_string_value(trace), tp) == NULL)
		return NULL;
	copy = json_object();
	json_object_foreach(rec, key, v) {
		if (strcmp(key, "traceparent") != 0)
			json_object_set(copy, key, v);
		if (v == trace)
			json_object_set_new(copy, "traceparent", json_string(tp));
	}
	return copy;
}

int
qgtm_jsonl_emit(json_t *rec)
{
	json_t *traced = with_traceparent(rec);
	int rc = qgtm_jsonl_print(stdout, traced != NULL ? traced : rec);

	json_decref(traced);
	if (rc == -1)
		return qgtm_seterr_errno(QGTM_EX_IOERR, "<stdout>: write error");
	return 0;
}

json_t *
qgtm_record_new(const char *type, const char *trace_id)
{
	char ts[21];
	json_t *rec = json_object();

	json_object_set_new(rec, "type", json_string(type));
	json_object_set_new(rec, "v", json_integer(QGTM_RECORD_VERSION));
	json_object_set_new(rec, "ts", json_string(qgtm_time_fmt(qgtm_now(), ts)));
	json_object_set_new(rec, "src", json_string(qgtm_progname));
	if (qgtm_clock_pinned())        /* a replay's moment, not the time */
		json_object_set_new(rec, "clock", json_string("pinned"));
	if (trace_id != NULL)
		json_object_set_new(rec, "trace_id", json_string(trace_id));
	return rec;
}

const char *
qgtm_record_type(json_t *rec)
{
	return json_string_value(json_object_get(rec, "type"));
}

/* Fetch key from obj checking its type; the getters below share it. */
static json_t *
field(json_t *obj, const char *key, json_type want, const char *what)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL) {
		qgtm_seterr(QGTM_EX_DATAERR, "missing field '%s'", key);
		return NULL;
	}
	if (json_typeof(v) != want &&
	    !(want == JSON_REAL && json_is_integer(v))) {
		qgtm_seterr(QGTM_EX_DATAERR, "field '%s': expected %s", key, what);
		return NULL;
	}
	return v;
}

int
qgtm_json_str(json_t *obj, const char *key, const char **out)
{
	json_t *v = field(obj, key, JSON_STRING, "a string");

	if (v == NULL)
		return -1;
	*out = json_string_value(v);
	return 0;
}

int
qgtm_json_int(json_t *obj, const char *key, long long *out)
{
	json_t *v = field(obj, key, JSON_INTEGER, "an integer");

	if (v == NULL)
		return -1;
	*out = json_integer_value(v);
	return 0;
}

int
qgtm_json_num(json_t *obj, const char *key, double *out)
{
	json_t *v = field(obj, key, JSON_REAL, "a number");

	if (v == NULL)
		return -1;
	*out = json_number_value(v);
	return 0;
}

int
qgtm_json_arr(json_t *obj, const char *key, json_t **out)
{
	return (*out = field(obj, key, JSON_ARRAY, "an array")) != NULL ? 0 : -1;
}

int
qgtm_json_obj(json_t *obj, const char *key, json_t **out)
{
	return (*out = field(obj, key, JSON_OBJECT, "an object")) != NULL ? 0 : -1;
}

int
qgtm_json_item_err(const char *array, size_t i, const char *key,
    const char *what)
{
	return qgtm_seterr(QGTM_EX_DATAERR, "field '%s[%zu].%s': %s", array, i,
	    key, what);
}

int
qgtm_trace_id_new(char out[33], const char *seed)
{
	unsigned char raw[16];
	char hex[65];
	int i;

	if (qgtm_clock_pinned() && seed != NULL) {
		qgtm_sha256_hex(seed, strlen(seed), hex);
		memcpy(out, hex, 32);
		out[32] = '\0';
		return 0;
	}
	do {
		if (RAND_bytes(raw, sizeof raw) != 1)
			return qgtm_seterr(QGTM_EX_OSERR,
			    "cannot read random bytes for a trace id");
		for (i = 0; i < 16 && raw[i] == 0; i++)
			;
	} while (i == 16);
	for (i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
	return 0;
}
