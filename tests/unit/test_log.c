/*
 * test_log.c: log lines on stderr, their formats, trace ids, levels and
 * secret redaction.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

/* Run fn with stderr captured into a file; returns the text (free()). */
static char *
capture_stderr(void (*fn)(void))
{
	char *dir = unit_tmpdir(), *path = qgtm_xasprintf("%s/err", dir), *text;
	FILE *f = fopen(path, "w");
	int saved = dup(2);

	fflush(stderr);
	dup2(fileno(f), 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	fclose(f);
	text = unit_read_file(path);
	free(path);
	free(dir);
	return text;
}

static void
log_kv(void)
{
	qgtm_log_level = QGTM_LOG_INFO;
	qgtm_log_set_trace("4bf92f3577b34da6a3ce929d0e0e4736");
	QGTM_INFO("fetch source=sim rows=9 note=\"two words\"");
	QGTM_DEBUG("hidden=1");
	qgtm_log_set_trace(NULL);
}

START_TEST(text_lines_carry_level_prog_and_trace)
{
	char *text;

	qgtm_clock_pin("2026-04-12T22:00:00Z");
	qgtm_log_set_json(0);
	text = capture_stderr(log_kv);
	ck_assert_str_eq(text, "ts=2026-04-12T22:00:00Z level=info "
	    "prog=unit-tests trace_id=4bf92f3577b34da6a3ce929d0e0e4736 "
	    "fetch source=sim rows=9 note=\"two words\"\n");
	free(text);
}
END_TEST

START_TEST(json_lines_are_objects)
{
	json_t *obj;
	char *text;

	qgtm_clock_pin("2026-04-12T22:00:00Z");
	qgtm_log_set_json(1);
	text = capture_stderr(log_kv);
	qgtm_log_set_json(0);
	obj = json_loads(text, 0, NULL);
	ck_assert_ptr_nonnull(obj);
	ck_assert_str_eq(json_string_value(json_object_get(obj, "rows")), "9");
	ck_assert_str_eq(json_string_value(json_object_get(obj, "note")),
	    "two words");
	ck_assert_str_eq(json_string_value(json_object_get(obj, "msg")), "fetch");
	ck_assert_str_eq(json_string_value(json_object_get(obj, "trace_id")),
	    "4bf92f3577b34da6a3ce929d0e0e4736");
	json_decref(obj);
	free(text);
}
END_TEST

static void
log_secret(void)
{
	qgtm_secret_register("PKTESTSECRET123");
	QGTM_WARN("http url=https://x/?key=PKTESTSECRET123&y=1");
	qgtm_warn("header was PKTESTSECRET123");
	qgtm_seterr(QGTM_EX_NOPERM, "rejected key PKTESTSECRET123");
	fprintf(stderr, "%s\n", qgtm_errmsg());
}

START_TEST(secrets_never_reach_a_line)
{
	char *text = capture_stderr(log_secret);

	ck_assert_ptr_null(strstr(text, "PKTESTSECRET123"));
	ck_assert_ptr_nonnull(strstr(text, "key=[REDACTED]&y=1"));
	ck_assert_ptr_nonnull(strstr(text, "warning: header was [REDACTED]"));
	ck_assert_ptr_nonnull(strstr(text, "rejected key [REDACTED]"));
	free(text);
}
END_TEST

Suite *
suite_log(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, text_lines_carry_level_prog_and_trace);
	tcase_add_test(tc, json_lines_are_objects);
	tcase_add_test(tc, secrets_never_reach_a_line);
	suite_add_tcase(s, tc);
	return s;
}
