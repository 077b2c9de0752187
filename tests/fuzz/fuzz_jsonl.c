/*
 * fuzz_jsonl.c: the JSON Lines record reader (lib/base/jsonl.c) through its
 * public functions: qgtm_jsonl_each over a file of the fuzzer's bytes,
 * the typed getters on each record, and qgtm_jsonl_read_file, which must
 * agree with it. (Lines over QGTM_JSONL_MAX_LINE are the hostile-input
 * tests' part: a megabyte per input would slow the fuzzer a hundredfold.)
 */
#include <stdio.h>

#include "fuzz.h"

static FILE *devnull;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_setup("fuzz_jsonl");
	devnull = fopen("/dev/null", "w");
	fuzz_check(devnull != NULL, "cannot open /dev/null");
	return 0;
}

/* Read every field a stage reads; a record with "fail" fails. */
static int
each(json_t *rec, const struct qgtm_jsonl_pos *pos, void *arg)
{
	const char *s;
	long long n;
	double x;
	json_t *v;

	fuzz_check(pos->line > 0 && qgtm_record_type(rec) != NULL,
	    "a record without its line or type");
	(void)qgtm_json_str(rec, "symbol", &s);
	(void)qgtm_json_int(rec, "seq", &n);
	(void)qgtm_json_num(rec, "weight", &x);
	(void)qgtm_json_arr(rec, "targets", &v);
	(void)qgtm_json_obj(rec, "rec", &v);
	fuzz_check(qgtm_jsonl_print(devnull, rec) == 0, "cannot print");
	if (json_object_get(rec, "fail") != NULL)
		return qgtm_seterr(QGTM_EX_DATAERR, "failed");
	(*(size_t *)arg)++;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[1] = { (char *)fuzz_file("in.jsonl", data, size) };
	size_t seen = 0;
	json_t *all;
	int rc;

	rc = qgtm_jsonl_each(1, argv, 0, each, &seen);
	fuzz_check(rc == 0 || qgtm_errcode() == QGTM_EX_DATAERR,
	    "a read error other than DATAERR");
	all = qgtm_jsonl_read_file(argv[0], 0);
	if (rc == 0)
		fuzz_check(all != NULL && json_array_size(all) == seen,
		    "read_file does not give what each gave");
	json_decref(all);
	return 0;
}
