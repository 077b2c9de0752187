/*
 * fuzz_broker_alpaca.c: the readers of the Alpaca Trading API's answers
 * (qgtm_alpaca_records, lib/order/broker_alpaca.c): the first byte picks the
 * answer (order, orders, positions, account, clock, fills, calendar,
 * history), the rest is its body, parsed as the broker parses it.
 */
#include <stdlib.h>

#include "fuzz.h"

#define KINDS (QGTM_ALPACA_HISTORY + 1)

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_setup("fuzz_broker_alpaca");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum qgtm_alpaca_answer kind;
	json_t *body, *recs;
	char *text;

	if (size < 1)
		return 0;
	kind = (enum qgtm_alpaca_answer)(data[0] % KINDS);
	body = size > 1 ? json_loadb((const char *)data + 1, size - 1, 0,
	    NULL) : NULL;
	recs = qgtm_alpaca_records(kind, body, 1773698400);
	fuzz_check(recs != NULL || qgtm_errcode() == QGTM_EX_PROTOCOL,
	    "a reader failed without PROTOCOL");
	if (recs != NULL) {
		text = json_dumps(recs, JSON_COMPACT);
		fuzz_check(text != NULL, "the records do not serialize");
		free(text);
	}
	json_decref(recs);
	json_decref(body);
	return 0;
}
