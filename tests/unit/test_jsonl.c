/*
 * test_jsonl.c: JSON Lines reading with positions, the envelope, typed
 * getters, output, and trace ids.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"

struct seen {
	int n;
	unsigned long last_line;
	char types[8][16];
};

static int
remember(json_t *rec, const struct qgtm_jsonl_pos *pos, void *arg)
{
	struct seen *s = arg;

	if (s->n < 8)
		snprintf(s->types[s->n], 16, "%s", qgtm_record_type(rec));
	s->n++;
	s->last_line = pos->line;
	return 0;
}

/* Write text into a fresh file and read it with qgtm_jsonl_each. */
static int
read_text(const char *text, int keep_going, struct seen *s, char **pathp)
{
	char *dir = unit_tmpdir();
	char *path = qgtm_xasprintf("%s/in.jsonl", dir);
	char *argv[1] = { path };
	int rc;

	unit_write_file(path, text);
	memset(s, 0, sizeof *s);
	rc = qgtm_jsonl_each(1, argv, keep_going, remember, s);
	*pathp = path;
	free(dir);
	return rc;
}

START_TEST(reads_records_and_skips_blank_and_crlf)
{
	struct seen s;
	char *path;

	ck_assert_int_eq(read_text("{\"type\":\"a\"}\n\n{\"type\":\"b\"}\r\n"
	    "{\"type\":\"c\"}", 0, &s, &path), 0);
	ck_assert_int_eq(s.n, 3);
	ck_assert_str_eq(s.types[2], "c");
	ck_assert_uint_eq(s.last_line, 4);
	free(path);
}
END_TEST

START_TEST(malformed_json_names_file_and_line)
{
	struct seen s;
	char *path, *want;

	ck_assert_int_eq(read_text("{\"type\":\"a\"}\n{\"type\":\n", 0, &s,
	    &path), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_DATAERR);
	want = qgtm_xasprintf("%s:2: invalid JSON", path);
	ck_assert_msg(strncmp(qgtm_errmsg(), want, strlen(want)) == 0,
	    "got '%s'", qgtm_errmsg());
	ck_assert_int_eq(s.n, 1);
	free(want);
	free(path);
}
END_TEST

START_TEST(envelope_type_is_required)
{
	struct seen s;
	char *path;

	ck_assert_int_eq(read_text("{\"type\":5}\n", 0, &s, &path), -1);
	ck_assert_ptr_nonnull(strstr(qgtm_errmsg(),
	    ":1: field 'type': expected a string"));
	free(path);
	ck_assert_int_eq(read_text("[1,2]\n", 0, &s, &path), -1);
	ck_assert_ptr_nonnull(strstr(qgtm_errmsg(), ":1: not a JSON object"));
	free(path);
}
END_TEST

START_TEST(keep_going_skips_bad_records)
{
	struct seen s;
	char *path;

	ck_assert_int_eq(read_text("{\"type\":\"a\"}\nnope\n{\"type\":\"b\"}\n",
	    1, &s, &path), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_DATAERR);
	ck_assert_int_eq(s.n, 2);
	free(path);
}
END_TEST

START_TEST(overlong_line_is_refused)
{
	struct seen s;
	char *path, *text;
	size_t n = QGTM_JSONL_MAX_LINE + 10;

	text = qgtm_xmalloc(n + 2);
	memset(text, ' ', n);
	text[n] = '\n';
	text[n + 1] = '\0';
	ck_assert_int_eq(read_text(text, 0, &s, &path), -1);
	ck_assert_ptr_nonnull(strstr(qgtm_errmsg(), ":1: line longer than"));
	free(text);
	free(path);
}
END_TEST

START_TEST(missing_file_and_directory_are_noinput)
{
	char *dir = unit_tmpdir();
	char *argv[1] = { dir };
	char *missing = qgtm_xasprintf("%s/none", dir);
	struct seen s = { 0 };

	ck_assert_int_eq(qgtm_jsonl_each(1, argv, 0, remember, &s), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_NOINPUT);
	argv[0] = missing;
	ck_assert_int_eq(qgtm_jsonl_each(1, argv, 0, remember, &s), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_NOINPUT);
	ck_assert_ptr_nonnull(strstr(qgtm_errmsg(), "No such file"));
	json_t *arr = qgtm_jsonl_read_file(missing, 1);
	ck_assert_uint_eq(json_array_size(arr), 0);
	json_decref(arr);
	free(missing);
	free(dir);
}
END_TEST

START_TEST(typed_getters_report_field)
{
	json_t *rec = json_loads("{\"s\":\"x\",\"i\":3,\"r\":1.5}", 0, NULL);
	const char *s;
	long long i;
	double d;

	ck_assert_int_eq(qgtm_json_str(rec, "s", &s), 0);
	ck_assert_str_eq(s, "x");
	ck_assert_int_eq(qgtm_json_int(rec, "i", &i), 0);
	ck_assert_int_eq(i, 3);
	ck_assert_int_eq(qgtm_json_num(rec, "i", &d), 0);
	ck_assert_int_eq(qgtm_json_str(rec, "i", &s), -1);
	ck_assert_str_eq(qgtm_errmsg(), "field 'i': expected a string");
	ck_assert_int_eq(qgtm_json_int(rec, "zz", &i), -1);
	ck_assert_str_eq(qgtm_errmsg(), "missing field 'zz'");
	json_decref(rec);
}
END_TEST

START_TEST(record_envelope_and_compact_print)
{
	char *dir = unit_tmpdir(), *path = qgtm_xasprintf("%s/o", dir), *text;
	FILE *f;
	json_t *rec;

	ck_assert_int_eq(qgtm_clock_pin("2026-04-12T22:00:00Z"), 0);
	rec = qgtm_record_new("bar", "0123456789abcdef0123456789abcdef");
	f = fopen(path, "w");
	ck_assert_int_eq(qgtm_jsonl_print(f, rec), 0);
	fclose(f);
	text = unit_read_file(path);
	ck_assert_str_eq(text, "{\"type\":\"bar\",\"v\":1,\"ts\":"
	    "\"2026-04-12T22:00:00Z\",\"src\":\"unit-tests\",\"clock\":"
	    "\"pinned\",\"trace_id\":\"0123456789abcdef0123456789abcdef\"}\n");
	json_decref(rec);
	free(text);
	free(path);
	free(dir);
}
END_TEST

START_TEST(trace_ids_are_w3c_form)
{
	char a[33], b[33];

	/* Pinned clock: derived from the seed, so replays repeat. */
	ck_assert_int_eq(qgtm_clock_pin("2026-04-12T22:00:00Z"), 0);
	qgtm_trace_id_new(a, "seed");
	qgtm_trace_id_new(b, "seed");
	ck_assert_str_eq(a, b);
	ck_assert_uint_eq(strlen(a), 32);
	ck_assert_uint_eq(strspn(a, "0123456789abcdef"), 32);
	qgtm_trace_id_new(b, NULL);
	ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(sha256_matches_fips_vector)
{
	char hex[65];

	/* FIPS 180-2 appendix B.1: SHA-256("abc"). */
	qgtm_sha256_hex("abc", 3, hex);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
}
END_TEST

Suite *
suite_jsonl(void)
{
	Suite *s = suite_create("jsonl");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, reads_records_and_skips_blank_and_crlf);
	tcase_add_test(tc, malformed_json_names_file_and_line);
	tcase_add_test(tc, envelope_type_is_required);
	tcase_add_test(tc, keep_going_skips_bad_records);
	tcase_add_test(tc, overlong_line_is_refused);
	tcase_add_test(tc, missing_file_and_directory_are_noinput);
	tcase_add_test(tc, typed_getters_report_field);
	tcase_add_test(tc, record_envelope_and_compact_print);
	tcase_add_test(tc, trace_ids_are_w3c_form);
	tcase_add_test(tc, sha256_matches_fips_vector);
	suite_add_tcase(s, tc);
	return s;
}
