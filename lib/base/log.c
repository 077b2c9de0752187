/*
 * log.c: diagnostics on stderr only, silent on success by default.
 * A line is "ts=... level=... prog=... trace_id=... <body>" where the body
 * is key=value text from the caller; QGTM_LOG_FORMAT=json turns the same
 * into one JSON object. Registered secrets never reach a line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

#define MAX_SECRETS 16
#define LINE_MAX_BYTES 4096

int qgtm_log_level = QGTM_LOG_WARNING;

static int log_json;
static int log_journal;
static char trace_id[33];
static char *secrets[MAX_SECRETS];
static int nsecrets;

void
qgtm_log_setup(void)
{
	const char *fmt = getenv("QGTM_LOG_FORMAT");
	const char *debug = getenv("QGTM_DEBUG");

	log_json = fmt != NULL && strcmp(fmt, "json") == 0;
	log_journal = getenv("JOURNAL_STREAM") != NULL;
	if (debug != NULL && *debug != '\0' && strcmp(debug, "0") != 0)
		qgtm_log_level = QGTM_LOG_DEBUG;
}

/* Called for every record a pipeline stage reads: a copy, not a printf. */
void
qgtm_log_set_trace(const char *id)
{
	size_t n = id != NULL ? strnlen(id, sizeof trace_id - 1) : 0;

	memcpy(trace_id, id != NULL ? id : "", n);
	trace_id[n] = '\0';
}

void
qgtm_secret_register(const char *secret)
{
	int i;

	/* Very short values would redact ordinary text; they are not keys. */
	if (secret == NULL || strlen(secret) < 4 || nsecrets == MAX_SECRETS)
		return;
	for (i = 0; i < nsecrets; i++)
		if (strcmp(secrets[i], secret) == 0)
			return;
	secrets[nsecrets++] = qgtm_xstrdup(secret);
}

void
qgtm_redact(const char *s, char *out, size_t outsz)
{
	static const char mark[] = "[REDACTED]";
	size_t o = 0, n;
	int i, hit;

	if (outsz == 0)
		return;
	while (*s != '\0' && o + 1 < outsz) {
		hit = 0;
		for (i = 0; i < nsecrets && !hit; i++) {
			n = strlen(secrets[i]);
			if (strncmp(s, secrets[i], n) == 0) {
				n = strlen(mark);
				if (n > outsz - 1 - o)
					n = outsz - 1 - o;
				memcpy(out + o, mark, n);
				o += n;
				s += strlen(secrets[i]);
				hit = 1;
			}
		}
		if (!hit)
			out[o++] = *s++;
	}
	out[o] = '\0';
}

static const char *
level_name(int level)
{
	switch (level) {
	case QGTM_LOG_ERR:     return "error";
	case QGTM_LOG_WARNING: return "warning";
	case QGTM_LOG_NOTICE:  return "notice";
	case QGTM_LOG_INFO:    return "info";
	default:               return "debug";
	}
}

/*
 * Split "k=v k2=\"v w\" word" into a JSON object; a bare word becomes
 * part of "msg". Returns a new reference.
 */
static json_t *
body_to_json(const char *p)
{
	json_t *obj = json_object();
	struct qgtm_buf key, val, msg;

	qgtm_buf_init(&key, LINE_MAX_BYTES);
	qgtm_buf_init(&val, LINE_MAX_BYTES);
	qgtm_buf_init(&msg, LINE_MAX_BYTES);
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		qgtm_buf_reset(&key);
		qgtm_buf_reset(&val);
		while (*p != '\0' && *p != ' ' && *p != '=')
			qgtm_buf_add(&key, p++, 1);
		if (*p != '=') {
			if (msg.len > 0)
				qgtm_buf_add(&msg, " ", 1);
			qgtm_buf_add(&msg, key.data, key.len);
			continue;
		}
		p++;
		if (*p == '"') {
			for (p++; *p != '\0' && *p != '"'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				qgtm_buf_add(&val, p, 1);
			}
			if (*p == '"')
				p++;
		} else {
			while (*p != '\0' && *p != ' ')
				qgtm_buf_add(&val, p++, 1);
		}
		json_object_set_new(obj, key.data,
		    json_stringn(val.data != NULL ? val.data : "", val.len));
	}
	if (msg.len > 0)
		json_object_set_new(obj, "msg", json_string(msg.data));
	qgtm_buf_release(&key);
	qgtm_buf_release(&val);
	qgtm_buf_release(&msg);
	return obj;
}

void
qgtm_log_write(int level, const char *fmt, ...)
{
	char body[LINE_MAX_BYTES], clean[LINE_MAX_BYTES], ts[21];
	const char *prefix = "";
	char pri[8];
	json_t *obj;
	char *text;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(body, sizeof body, fmt, ap);
	va_end(ap);
	qgtm_redact(body, clean, sizeof clean);
	qgtm_time_fmt(qgtm_now(), ts);
	if (log_journal) {
		snprintf(pri, sizeof pri, "<%d>", level);
		prefix = pri;
	}
	if (log_json) {
		obj = body_to_json(clean);
		json_object_set_new(obj, "ts", json_string(ts));
		json_object_set_new(obj, "level", json_string(level_name(level)));
		json_object_set_new(obj, "prog", json_string(qgtm_progname));
		json_object_set_new(obj, "trace_id", trace_id[0] != '\0' ?
		    json_string(trace_id) : json_null());
		text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
		fprintf(stderr, "%s%s\n", prefix, text != NULL ? text : "{}");
		free(text);
		json_decref(obj);
		return;
	}
	fprintf(stderr, "%sts=%s level=%s prog=%s trace_id=%s %s\n", prefix, ts,
	    level_name(level), qgtm_progname,
	    trace_id[0] != '\0' ? trace_id : "-", clean);
}

void
qgtm_log_set_json(int json)
{
	log_json = json;
}
