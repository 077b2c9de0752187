/*
 * test_otel.c: the OTLP/JSON encoder of lib/net/otel.c: W3C traceparent
 * parsing, ids, parent links, attribute escaping, the file export, and
 * silence when tracing is off.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

/* The example of W3C trace-context, section 3.2.2 (traceparent). */
#define W3C_TRACE "4bf92f3577b34da6a3ce929d0e0e4736"
#define W3C_SPAN "00f067aa0ba902b7"
#define W3C_TP "00-" W3C_TRACE "-" W3C_SPAN "-01"

/* Tracing on, to a file in a fresh directory; returns the file (free()). */
static char *
tracing_on(const char *traceparent)
{
	char *dir = unit_tmpdir(), *path = qgtm_xasprintf("%s/spans", dir);

	setenv("QGTM_OTEL_FILE", path, 1);
	unsetenv("OTEL_EXPORTER_OTLP_ENDPOINT");
	if (traceparent != NULL)
		setenv("TRACEPARENT", traceparent, 1);
	else
		unsetenv("TRACEPARENT");
	qgtm_otel_begin("verb");
	free(dir);
	return path;
}

/* The spans of the encoded request (new reference), checking its frame. */
static json_t *
encoded_spans(void)
{
	char *text = qgtm_otel_encode();
	json_t *req, *rs, *spans;

	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_null(strchr(text, '\n'));
	req = json_loads(text, 0, NULL);
	ck_assert_ptr_nonnull(req);
	rs = json_array_get(json_object_get(req, "resourceSpans"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
	    json_array_get(json_object_get(json_object_get(rs, "resource"),
	    "attributes"), 0), "value"), "stringValue")), qgtm_progname);
	rs = json_array_get(json_object_get(rs, "scopeSpans"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(rs,
	    "scope"), "name")), "qgtm");
	spans = json_incref(json_object_get(rs, "spans"));
	json_decref(req);
	free(text);
	return spans;
}

static const char *
str(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* The value object of attribute key of span, or NULL. */
static json_t *
attr(json_t *span, const char *key)
{
	json_t *a;
	size_t i;

	json_array_foreach(json_object_get(span, "attributes"), i, a)
		if (strcmp(str(a, "key"), key) == 0)
			return json_object_get(a, "value");
	return NULL;
}

static int
all_digits(const char *s)
{
	return s != NULL && *s != '\0' && strspn(s, "0123456789") == strlen(s);
}

START_TEST(traceparent_parse)
{
	char trace[33], span[17];

	ck_assert_int_eq(qgtm_otel_parse_traceparent(W3C_TP, trace, span), 0);
	ck_assert_str_eq(trace, W3C_TRACE);
	ck_assert_str_eq(span, W3C_SPAN);
	/* A later version may add fields after a dash (section 3.2.4). */
	ck_assert_int_eq(qgtm_otel_parse_traceparent("cc-" W3C_TRACE "-"
	    W3C_SPAN "-01-what-the-future-holds", trace, span), 0);
	ck_assert_int_eq(qgtm_otel_parse_traceparent(W3C_TP "-x", trace,
	    span), -1);
	ck_assert_int_eq(qgtm_otel_parse_traceparent("ff-" W3C_TRACE "-"
	    W3C_SPAN "-01", trace, span), -1);
	ck_assert_int_eq(qgtm_otel_parse_traceparent("00-"
	    "00000000000000000000000000000000-" W3C_SPAN "-01", trace, span),
	    -1);
	ck_assert_int_eq(qgtm_otel_parse_traceparent("00-" W3C_TRACE
	    "-0000000000000000-01", trace, span), -1);
	ck_assert_int_eq(qgtm_otel_parse_traceparent("00-"
	    "4BF92F3577B34DA6A3CE929D0E0E4736-" W3C_SPAN "-01", trace, span),
	    -1);
	ck_assert_int_eq(qgtm_otel_parse_traceparent("00-" W3C_TRACE "-"
	    W3C_SPAN "-1", trace, span), -1);
	ck_assert_int_eq(qgtm_otel_parse_traceparent(NULL, trace, span), -1);
}
END_TEST

START_TEST(off_without_environment)
{
	char tp[QGTM_TRACEPARENT_LEN + 1];

	unsetenv("QGTM_OTEL_FILE");
	unsetenv("OTEL_EXPORTER_OTLP_ENDPOINT");
	setenv("TRACEPARENT", W3C_TP, 1);
	qgtm_otel_begin(NULL);
	ck_assert_int_eq(qgtm_otel_enabled(), 0);
	ck_assert_ptr_null(qgtm_otel_traceparent(W3C_TRACE, tp));
	ck_assert_ptr_null(qgtm_otel_span_start("submit", W3C_TRACE, 3, 0));
	ck_assert_ptr_null(qgtm_otel_encode());
	ck_assert(qgtm_otel_now() == 0);
	qgtm_otel_finish(0);
	/* TRACEPARENT is passed on untouched. */
	ck_assert_str_eq(getenv("TRACEPARENT"), W3C_TP);
}
END_TEST

START_TEST(adopt_nearest_upstream)
{
	char tp[QGTM_TRACEPARENT_LEN + 1], trace[33], id[17];
	char *path = tracing_on(NULL);
	json_t *spans, *stage;

	qgtm_otel_adopt("00-" W3C_TRACE "-1111111111111111-01", W3C_TRACE);
	qgtm_otel_adopt("00-" W3C_TRACE "-2222222222222222-01", W3C_TRACE);
	/* a traceparent of another trace than the record's is ignored */
	qgtm_otel_adopt(W3C_TP, "0af7651916cd43dd8448eb211c80319c");
	ck_assert_ptr_nonnull(qgtm_otel_traceparent(W3C_TRACE, tp));
	ck_assert_int_eq(qgtm_otel_parse_traceparent(tp, trace, id), 0);
	ck_assert_str_eq(trace, W3C_TRACE);
	spans = encoded_spans();
	ck_assert_uint_eq(json_array_size(spans), 1);
	stage = json_array_get(spans, 0);
	ck_assert_str_eq(str(stage, "traceId"), W3C_TRACE);
	ck_assert_str_eq(str(stage, "spanId"), id);
	ck_assert_str_eq(str(stage, "parentSpanId"), "2222222222222222");
	json_decref(spans);
	qgtm_otel_finish(0);
	free(path);
}
END_TEST

START_TEST(root_and_child_links)
{
	static const char nasty[] = "a \"quoted\" \\ back\nslash\t\x01 \xc3\xa9";
	char tp[QGTM_TRACEPARENT_LEN + 1];
	char *path = tracing_on(NULL);
	struct qgtm_otel_span *sp;
	json_t *spans, *stage, *child, *v;

	ck_assert_ptr_nonnull(qgtm_otel_traceparent(W3C_TRACE, tp));
	sp = qgtm_otel_span_start("submit", W3C_TRACE, 3, 0);
	ck_assert_ptr_nonnull(sp);
	qgtm_otel_span_str(sp, "symbol", nasty);
	qgtm_otel_span_str(sp, "bad_utf8", "x\xff\xfey");
	qgtm_otel_span_int(sp, "qty", -42);
	qgtm_otel_span_end(sp, "failed");
	spans = encoded_spans();
	ck_assert_uint_eq(json_array_size(spans), 2);
	stage = json_array_get(spans, 0);
	child = json_array_get(spans, 1);
	/* the stage span is a root; its id is the traceparent's */
	ck_assert_ptr_null(json_object_get(stage, "parentSpanId"));
	ck_assert_int_eq(strncmp(tp + 36, str(stage, "spanId"), 16), 0);
	ck_assert_uint_eq(strlen(str(stage, "spanId")), 16);
	ck_assert_str_eq(str(child, "traceId"), W3C_TRACE);
	ck_assert_str_eq(str(child, "parentSpanId"), str(stage, "spanId"));
	ck_assert_str_ne(str(child, "spanId"), str(stage, "spanId"));
	ck_assert_str_eq(str(child, "name"), "submit");
	ck_assert_int_eq(json_integer_value(json_object_get(child, "kind")), 3);
	ck_assert(all_digits(str(child, "startTimeUnixNano")));
	ck_assert(all_digits(str(child, "endTimeUnixNano")));
	ck_assert_str_eq(str(attr(child, "symbol"), "stringValue"), nasty);
	ck_assert_str_eq(str(attr(child, "bad_utf8"), "stringValue"),
	    "x??y");
	ck_assert_str_eq(str(attr(child, "qty"), "intValue"), "-42");
	v = json_object_get(child, "status");
	ck_assert_int_eq(json_integer_value(json_object_get(v, "code")), 2);
	ck_assert_str_eq(str(v, "message"), "failed");
	json_decref(spans);
	qgtm_otel_finish(0);
	free(path);
}
END_TEST

START_TEST(environment_parent_and_file)
{
	char *path = tracing_on(W3C_TP), *text, tp[QGTM_TRACEPARENT_LEN + 1];
	json_t *req, *span;

	/* children of this program continue from its own span */
	ck_assert_ptr_nonnull(qgtm_otel_traceparent(W3C_TRACE, tp));
	ck_assert_str_eq(getenv("TRACEPARENT"), tp);
	qgtm_otel_finish(65);
	ck_assert_int_eq(qgtm_otel_enabled(), 0);
	text = unit_read_file(path);
	ck_assert_ptr_nonnull(text);
	ck_assert_int_eq(text[strlen(text) - 1], '\n');
	ck_assert_ptr_eq(strchr(text, '\n'), text + strlen(text) - 1);
	req = json_loads(text, 0, NULL);
	ck_assert_ptr_nonnull(req);
	span = json_array_get(json_object_get(json_array_get(json_object_get(
	    json_array_get(json_object_get(req, "resourceSpans"), 0),
	    "scopeSpans"), 0), "spans"), 0);
	ck_assert_str_eq(str(span, "parentSpanId"), W3C_SPAN);
	ck_assert_str_eq(str(attr(span, "qgtm.exit_status"), "intValue"), "65");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    span, "status"), "code")), 2);
	json_decref(req);
	free(text);
	free(path);
}
END_TEST

START_TEST(program_in_no_trace_is_a_root)
{
	char *path = tracing_on(NULL);
	json_t *spans, *stage;

	spans = encoded_spans();
	ck_assert_uint_eq(json_array_size(spans), 1);
	stage = json_array_get(spans, 0);
	ck_assert_uint_eq(strlen(str(stage, "traceId")), 32);
	ck_assert_ptr_null(json_object_get(stage, "parentSpanId"));
	json_decref(spans);
	qgtm_otel_finish(0);
	free(path);
}
END_TEST

/* The text qgtm_jsonl_emit() prints for the record JSON text rec. */
static char *
emitted(const char *rec)
{
	char *dir = unit_tmpdir(), *path = qgtm_xasprintf("%s/out", dir), *text;
	json_t *r = json_loads(rec, 0, NULL);
	FILE *f = fopen(path, "w");
	int saved = dup(1);

	ck_assert_ptr_nonnull(r);
	fflush(stdout);
	dup2(fileno(f), 1);
	ck_assert_int_eq(qgtm_jsonl_emit(r), 0);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	fclose(f);
	json_decref(r);
	text = unit_read_file(path);
	free(path);
	free(dir);
	return text;
}

/* Records leave with a traceparent of their own trace, after trace_id. */
START_TEST(records_carry_traceparent)
{
	char tp[QGTM_TRACEPARENT_LEN + 1], *want, *text;
	char *path = tracing_on(NULL);

	ck_assert_ptr_nonnull(qgtm_otel_traceparent(W3C_TRACE, tp));
	want = qgtm_xasprintf("{\"type\":\"decision\",\"trace_id\":\""
	    W3C_TRACE "\",\"traceparent\":\"%s\",\"status\":\"approved\"}\n",
	    tp);
	text = emitted("{\"type\":\"decision\",\"trace_id\":\"" W3C_TRACE
	    "\",\"status\":\"approved\"}");
	ck_assert_str_eq(text, want);
	free(text);
	/* a traceparent of another trace is replaced in place */
	text = emitted("{\"type\":\"decision\",\"trace_id\":\"" W3C_TRACE
	    "\",\"traceparent\":\"00-0af7651916cd43dd8448eb211c80319c-"
	    W3C_SPAN "-01\",\"status\":\"approved\"}");
	ck_assert_str_eq(text, want);
	free(text);
	free(want);
	/* an upstream one of the same trace passes; no trace_id, none added */
	text = emitted("{\"type\":\"signal\",\"trace_id\":\"" W3C_TRACE
	    "\",\"traceparent\":\"" W3C_TP "\"}");
	ck_assert_str_eq(text, "{\"type\":\"signal\",\"trace_id\":\""
	    W3C_TRACE "\",\"traceparent\":\"" W3C_TP "\"}\n");
	free(text);
	text = emitted("{\"type\":\"bar\"}");
	ck_assert_str_eq(text, "{\"type\":\"bar\"}\n");
	free(text);
	qgtm_otel_finish(0);
	free(path);
	/* tracing off: records as they are */
	text = emitted("{\"type\":\"decision\",\"trace_id\":\"" W3C_TRACE
	    "\"}");
	ck_assert_str_eq(text, "{\"type\":\"decision\",\"trace_id\":\""
	    W3C_TRACE "\"}\n");
	free(text);
}
END_TEST

/* A pipeline's input adopts the traceparent; a state file does not. */
static int
count_cb(json_t *rec, const struct qgtm_jsonl_pos *pos, void *arg)
{
	(void)rec;
	(void)pos;
	(*(int *)arg)++;
	return 0;
}

START_TEST(input_records_are_followed)
{
	char *path = tracing_on(NULL), *dir = unit_tmpdir();
	char *in = qgtm_xasprintf("%s/in.jsonl", dir);
	char *argv[1] = { in };
	json_t *spans, *arr;
	int n = 0;

	unit_write_file(in, "{\"type\":\"signal\",\"trace_id\":\"" W3C_TRACE
	    "\",\"traceparent\":\"" W3C_TP "\"}\n");
	arr = qgtm_jsonl_read_file(in, 0);
	ck_assert_ptr_nonnull(arr);
	json_decref(arr);
	spans = encoded_spans();
	ck_assert_str_ne(str(json_array_get(spans, 0), "traceId"), W3C_TRACE);
	json_decref(spans);
	ck_assert_int_eq(qgtm_jsonl_each(1, argv, 0, count_cb, &n), 0);
	ck_assert_int_eq(n, 1);
	spans = encoded_spans();
	ck_assert_str_eq(str(json_array_get(spans, 1), "traceId"), W3C_TRACE);
	ck_assert_str_eq(str(json_array_get(spans, 1), "parentSpanId"),
	    W3C_SPAN);
	json_decref(spans);
	qgtm_otel_finish(0);
	free(in);
	free(dir);
	free(path);
}
END_TEST

Suite *
suite_otel(void)
{
	Suite *s = suite_create("otel");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, traceparent_parse);
	tcase_add_test(tc, off_without_environment);
	tcase_add_test(tc, adopt_nearest_upstream);
	tcase_add_test(tc, root_and_child_links);
	tcase_add_test(tc, environment_parent_and_file);
	tcase_add_test(tc, program_in_no_trace_is_a_root);
	tcase_add_test(tc, records_carry_traceparent);
	tcase_add_test(tc, input_records_are_followed);
	suite_add_tcase(s, tc);
	return s;
}
