/*
 * otel.c: OpenTelemetry traces without an SDK. A program collects its
 * spans in memory and exports them once, at its end, as one OTLP/JSON
 * ExportTraceServiceRequest: appended as a line to $QGTM_OTEL_FILE and/or
 * POSTed to $OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces.
 *
 * The encoding is the OTLP/HTTP JSON one (opentelemetry-proto,
 * docs/specification.md "JSON Protobuf Encoding" and
 * opentelemetry/proto/trace/v1/trace.proto,
 * collector/trace/v1/trace_service.proto): lowerCamelCase field names,
 * traceId and spanId as lowercase hex (32 and 16 digits, not base64),
 * 64-bit integers (startTimeUnixNano, endTimeUnixNano, intValue) as
 * decimal strings, enums (kind, status.code) as integers. The endpoint
 * variable is the base URL of OTLP/HTTP, to which "/v1/traces" is
 * appended (OpenTelemetry specification, protocol/exporter.md).
 *
 * Trace context travels as the W3C traceparent
 * "00-<trace-id>-<parent-id>-<flags>" (https://www.w3.org/TR/trace-context/
 * section 3.2): in records next to trace_id, and to child processes in
 * the TRACEPARENT environment variable.
 *
 * A program has one stage span per trace it takes part in: a pipeline
 * stage reading the records of two signals is in both traces. Child spans
 * (one per order in qgtm-order) hang under the stage span of their trace.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "net/net.h"

/* Distinct traces a program takes part in, and spans in all. */
#define OTEL_MAX_STAGES 32
#define OTEL_MAX_SPANS 1024

/* OTLP enums (trace.proto): SpanKind, Status.StatusCode. */
enum { KIND_INTERNAL = 1 };
enum { STATUS_OK = 1, STATUS_ERROR = 2 };

struct qgtm_otel_span {
	char trace[33];
	char id[17];
	char parent[17];        /* "" for a root */
	char *name;             /* NULL for a stage span: the run's name */
	int stage;              /* a program's run in this trace */
	int kind;
	unsigned long long start_ns, end_ns;   /* end 0 while open */
	json_t *attrs;          /* OTLP KeyValue array */
	int status;
	char *message;
};

static struct {
	int on;
	pid_t pid;              /* a forked child never exports */
	unsigned long long start_ns;
	char *name;             /* "qgtm-order submit" */
	struct qgtm_otel_span *v[OTEL_MAX_SPANS];
	size_t n, nstages;
} ot;

static unsigned long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL +
	    (unsigned long long)ts.tv_nsec;
}

/* Are the len bytes at s lowercase hex digits? */
static int
is_hex(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* A W3C id: lowercase hex, not all zero (trace-context 3.2.2.3-4). */
static int
is_hex_id(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && s[i] == '0'; i++)
		;
	return i < len && is_hex(s, len);
}

static int
is_trace_id(const char *s)
{
	return s != NULL && strlen(s) == 32 && is_hex_id(s, 32);
}

int
qgtm_otel_parse_traceparent(const char *tp, char trace[33], char span[17])
{
	size_t len;

	if (tp == NULL || (len = strlen(tp)) < QGTM_TRACEPARENT_LEN)
		return -1;
	/* version: two hex digits, "ff" forbidden; 00 has nothing after. */
	if (!is_hex(tp, 2) || strncmp(tp, "ff", 2) == 0 || tp[2] != '-' ||
	    tp[35] != '-' || tp[52] != '-' || !is_hex_id(tp + 3, 32) ||
	    !is_hex_id(tp + 36, 16) || !is_hex(tp + 53, 2))
		return -1;
	if (len > QGTM_TRACEPARENT_LEN && (strncmp(tp, "00", 2) == 0 ||
	    tp[QGTM_TRACEPARENT_LEN] != '-'))
		return -1;
	memcpy(trace, tp + 3, 32);
	trace[32] = '\0';
	memcpy(span, tp + 36, 16);
	span[16] = '\0';
	return 0;
}

/* A fresh span id: 16 hex digits, not all zero. */
static void
new_span_id(char out[17])
{
	unsigned char raw[8];
	int i;

	do {
		if (RAND_bytes(raw, sizeof raw) != 1)
			memset(raw, 0, sizeof raw);
		for (i = 0; i < 8; i++)
			snprintf(out + 2 * i, 3, "%02x", raw[i]);
	} while (!is_hex_id(out, 16));
}

static struct qgtm_otel_span *
span_new(const char *trace, const char *parent, int stage, int kind)
{
	struct qgtm_otel_span *sp;

	if (ot.n == OTEL_MAX_SPANS || (stage && ot.nstages == OTEL_MAX_STAGES))
		return NULL;
	sp = qgtm_xcalloc(1, sizeof *sp);
	snprintf(sp->trace, sizeof sp->trace, "%s", trace);
	snprintf(sp->parent, sizeof sp->parent, "%s", parent);
	new_span_id(sp->id);
	sp->stage = stage;
	sp->kind = kind;
	sp->start_ns = stage ? ot.start_ns : now_ns();
	sp->attrs = json_array();
	ot.v[ot.n++] = sp;
	ot.nstages += stage;
	return sp;
}

/* The stage span of trace; with make, a new root one when missing. */
static struct qgtm_otel_span *
stage_of(const char *trace, int make)
{
	size_t i;

	for (i = 0; i < ot.n; i++)
		if (ot.v[i]->stage && strcmp(ot.v[i]->trace, trace) == 0)
			return ot.v[i];
	return make ? span_new(trace, "", 1, KIND_INTERNAL) : NULL;
}

/* The first stage span; with make, a new root in a fresh trace when
 * there is none. NULL when none can be made. */
static struct qgtm_otel_span *
first_stage(int make)
{
	char trace[33];
	size_t i;

	for (i = 0; i < ot.n; i++)
		if (ot.v[i]->stage)
			return ot.v[i];
	if (!make || qgtm_trace_id_new(trace, NULL) == -1)
		return NULL;
	return stage_of(trace, 1);
}

static void
set_env_traceparent(const struct qgtm_otel_span *sp)
{
	char tp[QGTM_TRACEPARENT_LEN + 1];

	snprintf(tp, sizeof tp, "00-%s-%s-01", sp->trace, sp->id);
	setenv("TRACEPARENT", tp, 1);
}

static int
env_set(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0';
}

/* Is traceparent a valid one of trace_id? (the hook base/ calls) */
static int
otel_is_of(const char *traceparent, const char *trace_id)
{
	char trace[33], span[17];

	return qgtm_otel_parse_traceparent(traceparent, trace, span) == 0 &&
	    strcmp(trace, trace_id) == 0;
}

/* What base/ calls while spans are collected (qgtm_trace_hooks_set). */
static const struct qgtm_trace_hooks otel_hooks = {
	.adopt = qgtm_otel_adopt,
	.is_of = otel_is_of,
	.traceparent = qgtm_otel_traceparent,
	.finish = qgtm_otel_finish,
};

void
qgtm_otel_begin(const char *verb)
{
	char trace[33], parent[17];
	struct qgtm_otel_span *sp;

	if (ot.on || (!env_set("QGTM_OTEL_FILE") &&
	    !env_set("OTEL_EXPORTER_OTLP_ENDPOINT")))
		return;
	ot.on = 1;
	qgtm_trace_hooks_set(&otel_hooks);
	ot.pid = getpid();
	ot.start_ns = now_ns();
	ot.name = verb != NULL ? qgtm_xasprintf("%s %s", qgtm_progname, verb) :
	    qgtm_xstrdup(qgtm_progname);
	if (qgtm_otel_parse_traceparent(getenv("TRACEPARENT"), trace,
	    parent) == 0 && (sp = span_new(trace, parent, 1,
	    KIND_INTERNAL)) != NULL)
		set_env_traceparent(sp);
}

int
qgtm_otel_enabled(void)
{
	return ot.on;
}

void
qgtm_otel_adopt(const char *traceparent, const char *trace_id)
{
	char trace[33], parent[17];
	struct qgtm_otel_span *sp;

	if (!ot.on || qgtm_otel_parse_traceparent(traceparent, trace,
	    parent) == -1 || trace_id == NULL || strcmp(trace, trace_id) != 0)
		return;
	if ((sp = stage_of(trace, 0)) == NULL)
		span_new(trace, parent, 1, KIND_INTERNAL);
	else if (strcmp(sp->id, parent) != 0)
		snprintf(sp->parent, sizeof sp->parent, "%s", parent);
}

const char *
qgtm_otel_traceparent(const char *trace_id,
    char out[QGTM_TRACEPARENT_LEN + 1])
{
	struct qgtm_otel_span *sp;

	if (!ot.on || !is_trace_id(trace_id) ||
	    (sp = stage_of(trace_id, 1)) == NULL)
		return NULL;
	snprintf(out, QGTM_TRACEPARENT_LEN + 1, "00-%s-%s-01", sp->trace,
	    sp->id);
	return out;
}

void
qgtm_otel_setenv(void)
{
	struct qgtm_otel_span *sp;

	if (ot.on && (sp = first_stage(1)) != NULL)
		set_env_traceparent(sp);
}

unsigned long long
qgtm_otel_now(void)
{
	return ot.on ? now_ns() : 0;
}

struct qgtm_otel_span *
qgtm_otel_span_start(const char *name, const char *trace_id, int kind,
    unsigned long long start_ns)
{
	struct qgtm_otel_span *stage, *sp;

	if (!ot.on || !is_trace_id(trace_id) ||
	    (stage = stage_of(trace_id, 1)) == NULL ||
	    (sp = span_new(trace_id, stage->id, 0, kind)) == NULL)
		return NULL;
	sp->name = qgtm_xstrdup(name);
	if (start_ns != 0)
		sp->start_ns = start_ns;
	return sp;
}

/* An OTLP AnyValue string: JSON text must be UTF-8, so a byte sequence
 * that is not becomes '?' bytes rather than losing the attribute. */
static json_t *
utf8_string(const char *s)
{
	json_t *v = json_string(s);
	char *copy;
	size_t i;

	if (v != NULL)
		return v;
	copy = qgtm_xstrdup(s);
	for (i = 0; copy[i] != '\0'; i++)
		if ((unsigned char)copy[i] >= 0x80)
			copy[i] = '?';
	v = json_string(copy);
	free(copy);
	return v;
}

static void
add_attr(struct qgtm_otel_span *sp, const char *key, json_t *anyvalue)
{
	json_array_append_new(sp->attrs, json_pack("{s:o,s:o}", "key",
	    utf8_string(key), "value", anyvalue));
}

void
qgtm_otel_span_str(struct qgtm_otel_span *sp, const char *key,
    const char *value)
{
	if (sp != NULL && key != NULL && value != NULL)
		add_attr(sp, key, json_pack("{s:o}", "stringValue",
		    utf8_string(value)));
}

void
qgtm_otel_span_int(struct qgtm_otel_span *sp, const char *key,
    long long value)
{
	char num[24];

	if (sp == NULL || key == NULL)
		return;
	snprintf(num, sizeof num, "%lld", value);
	add_attr(sp, key, json_pack("{s:s}", "intValue", num));
}

static void
span_close(struct qgtm_otel_span *sp, const char *error)
{
	if (sp->end_ns != 0)
		return;
	sp->end_ns = now_ns();
	if (sp->end_ns < sp->start_ns)
		sp->end_ns = sp->start_ns;
	sp->status = error != NULL ? STATUS_ERROR : STATUS_OK;
	free(sp->message);
	sp->message = error != NULL ? qgtm_xstrdup(error) : NULL;
}

void
qgtm_otel_span_end(struct qgtm_otel_span *sp, const char *error)
{
	if (sp != NULL)
		span_close(sp, error);
}

/* One OTLP Span object (trace.proto message Span). */
static json_t *
span_json(const struct qgtm_otel_span *sp)
{
	char start[24], end[24];
	json_t *obj, *status;

	snprintf(start, sizeof start, "%llu", sp->start_ns);
	snprintf(end, sizeof end, "%llu", sp->end_ns);
	status = json_pack("{s:i}", "code", sp->status);
	if (sp->message != NULL)
		json_object_set_new(status, "message", utf8_string(sp->message));
	obj = json_pack("{s:s,s:s}", "traceId", sp->trace, "spanId", sp->id);
	if (sp->parent[0] != '\0')
		json_object_set_new(obj, "parentSpanId", json_string(sp->parent));
	json_object_set_new(obj, "name", utf8_string(sp->name != NULL ?
	    sp->name : ot.name));
	json_object_set_new(obj, "kind", json_integer(sp->kind));
	json_object_set_new(obj, "startTimeUnixNano", json_string(start));
	json_object_set_new(obj, "endTimeUnixNano", json_string(end));
	json_object_set(obj, "attributes", sp->attrs);
	json_object_set_new(obj, "status", status);
	return obj;
}

/* The ExportTraceServiceRequest (trace_service.proto) of every span. */
static json_t *
request_json(void)
{
	char pid[24], service[128];
	json_t *spans = json_array(), *resource;
	size_t i;

	for (i = 0; i < ot.n; i++) {
		span_close(ot.v[i], NULL);
		json_array_append_new(spans, span_json(ot.v[i]));
	}
	snprintf(pid, sizeof pid, "%ld", (long)getpid());
	snprintf(service, sizeof service, "%s", qgtm_progname);
	resource = json_pack("{s:[{s:s,s:{s:o}},{s:s,s:{s:s}},{s:s,s:{s:s}}]}",
	    "attributes",
	    "key", "service.name", "value", "stringValue", utf8_string(service),
	    "key", "service.version", "value", "stringValue", QGTM_VERSION,
	    "key", "process.pid", "value", "intValue", pid);
	return json_pack("{s:[{s:o,s:[{s:{s:s,s:s},s:o}]}]}", "resourceSpans",
	    "resource", resource, "scopeSpans", "scope", "name", "qgtm",
	    "version", QGTM_VERSION, "spans", spans);
}

/* The request as one line of JSON (a new allocation). */
static char *
encode(void)
{
	json_t *req;
	char *text;

	first_stage(1);         /* a program in no trace: its own root */
	req = request_json();
	text = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	return text;
}

char *
qgtm_otel_encode(void)
{
	return ot.on ? encode() : NULL;
}

/* Append one line to path: one write under an exclusive flock, fsync'd,
 * so lines of programs writing at once never interleave. */
static int
export_file(const char *path, const char *text)
{
	size_t len = strlen(text), off = 0;
	char *line = qgtm_xasprintf("%s\n", text);
	ssize_t w;
	int fd, rc = -1;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd == -1 || flock(fd, LOCK_EX) == -1)
		goto out;
	while (off < len + 1) {
		w = write(fd, line + off, len + 1 - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			goto out;
		off += (size_t)w;
	}
	rc = fsync(fd);
out:
	if (rc == -1)
		qgtm_warn("cannot write spans to '%s': %s", path, strerror(errno));
	if (fd != -1)
		close(fd);
	free(line);
	return rc;
}

/* POST to <endpoint>/v1/traces; a short budget, the program is ending. */
static void
export_http(const char *endpoint, const char *text)
{
	static const char *const headers[] = {
		"Content-Type: application/json", NULL
	};
	size_t n = strlen(endpoint);
	struct qgtm_http_req req;
	struct qgtm_http_resp resp;
	char *url;

	while (n > 0 && endpoint[n - 1] == '/')
		n--;
	url = qgtm_xasprintf("%.*s/v1/traces", (int)n, endpoint);
	qgtm_http_req_init(&req, NULL);
	qgtm_http_resp_init(&resp);
	req.method = "POST";
	req.url = url;
	req.headers = headers;
	req.body = text;
	req.body_len = strlen(text);
	req.connect_timeout_ms = 1000;
	req.timeout_ms = 3000;
	req.retries = 0;
	if (qgtm_http_do(&req, &resp) == -1)
		qgtm_warn("cannot export spans: %s", qgtm_errmsg());
	else if (resp.status < 200 || resp.status > 299)
		qgtm_warn("cannot export spans: the collector answered HTTP %ld",
		    resp.status);
	qgtm_http_resp_release(&resp);
	free(url);
}

static void
otel_free(void)
{
	size_t i;

	for (i = 0; i < ot.n; i++) {
		json_decref(ot.v[i]->attrs);
		free(ot.v[i]->message);
		free(ot.v[i]->name);
		free(ot.v[i]);
	}
	free(ot.name);
	memset(&ot, 0, sizeof ot);
}

void
qgtm_otel_finish(int rc)
{
	char msg[32];
	const char *file = getenv("QGTM_OTEL_FILE");
	const char *endpoint = getenv("OTEL_EXPORTER_OTLP_ENDPOINT");
	char *text;
	size_t i;

	if (!ot.on || ot.pid != getpid())
		return;
	ot.on = 0;      /* a die from here on does not come back */
	qgtm_trace_hooks_set(NULL);
	snprintf(msg, sizeof msg, "exit status %d", rc);
	first_stage(1);         /* a program in no trace: its own root */
	for (i = 0; i < ot.n; i++)
		if (ot.v[i]->stage) {
			qgtm_otel_span_int(ot.v[i], "qgtm.exit_status", rc);
			span_close(ot.v[i], rc != 0 ? msg : NULL);
		}
	text = encode();
	if (ot.nstages == 1)    /* the exporter's log lines name the trace */
		qgtm_log_set_trace(first_stage(0)->trace);
	if (text != NULL && file != NULL && *file != '\0')
		export_file(file, text);
	if (text != NULL && endpoint != NULL && *endpoint != '\0')
		export_http(endpoint, text);
	free(text);
	otel_free();
}
