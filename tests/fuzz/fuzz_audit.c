/*
 * fuzz_audit.c: the audit entry parser (lib/audit/chain.c, audit_canon.c,
 * audit_checkpoint.c). Every input is held to qgtm_json_canon's contract
 * (a value it accepts parses with jansson and re-serializes to the same
 * bytes). An input starting with '{' is a chain: qgtm_audit_verify reads
 * it line by line; one that verifies is valid to its last byte. An input
 * starting with '#' is records, one a line: appended to a new chain, they
 * must verify (checkpoint records aside: their signatures are checked).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_setup("fuzz_audit");
	return 0;
}

/* The contract of qgtm_json_canon on the n bytes at p. */
static void
canon_contract(const char *p, size_t n)
{
	const char *end = qgtm_json_canon(p, p + n);
	json_t *v;
	char *s;

	if (end == NULL)
		return;
	fuzz_check(end > p && end <= p + n, "canon: end out of the bytes");
	v = json_loadb(p, (size_t)(end - p), JSON_REJECT_DUPLICATES |
	    JSON_DECODE_ANY, NULL);
	fuzz_check(v != NULL, "canon accepts what jansson refuses");
	s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	fuzz_check(s != NULL && strlen(s) == (size_t)(end - p) &&
	    memcmp(s, p, strlen(s)) == 0, "canon accepts a form jansson "
	    "writes otherwise");
	free(s);
	json_decref(v);
}

/* Verify the chain of the n bytes at p. */
static void
verify_chain(const char *p, size_t n)
{
	struct qgtm_audit_summary sum;
	const char *path = fuzz_file("chain.jsonl", p, n);

	if (qgtm_audit_verify(path, &sum) == 0)
		fuzz_check(sum.bad_line == 0 && sum.good_bytes == (long long)n,
		    "a valid chain with a bad line or bytes left over");
	else
		fuzz_check(qgtm_errcode() == QGTM_EX_NO && sum.bad_line > 0 &&
		    sum.good_bytes < (long long)n, "a bad chain without its "
		    "bad line");
}

/* The objects of the lines of the n bytes at p, as a new array. */
static json_t *
records(const char *p, size_t n)
{
	json_t *recs = json_array(), *rec;
	const char *end = p + n, *nl;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		rec = json_loadb(p, (size_t)(nl - p), JSON_REJECT_DUPLICATES,
		    NULL);
		if (json_is_object(rec))
			json_array_append(recs, rec);
		json_decref(rec);
	}
	return recs;
}

/* Append the records of the n bytes at p to a new chain and verify it. */
static void
append_verify(const char *p, size_t n)
{
	const char *path = fuzz_file("new.jsonl", "", 0);
	json_t *recs = records(p, n), *rec;
	struct qgtm_audit_summary sum;
	int checkpoint = 0;
	char mark[160];
	size_t i;

	/* A new chain: without the commit mark of the one before. */
	snprintf(mark, sizeof mark, "%s.commit", path);
	unlink(mark);

	json_array_foreach(recs, i, rec)
		checkpoint |= qgtm_record_type(rec) != NULL &&
		    strcmp(qgtm_record_type(rec), "audit_checkpoint") == 0;
	if (qgtm_audit_append_records(path, recs) == -1)
		fuzz_check(qgtm_errcode() == QGTM_EX_DATAERR,
		    "an append failed but not for its data");
	else if (qgtm_audit_verify(path, &sum) == -1)
		fuzz_check(checkpoint && qgtm_errcode() == QGTM_EX_NO,
		    "appended records do not verify");
	else
		fuzz_check(sum.entries == json_array_size(recs),
		    "the chain does not hold what was appended");
	json_decref(recs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;

	canon_contract(p, size);
	if (size > 0 && p[0] == '{')
		verify_chain(p, size);
	else if (size > 0 && p[0] == '#')
		append_verify(p + 1, size - 1);
	return 0;
}
