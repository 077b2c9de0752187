/*
 * fuzz_feed.c: one feed's response parser, qgtm_feed_parse() with the
 * source FUZZ_FEED (mk/fuzz.mk builds this file once per feed as
 * fuzz_feed_<source>), on a dry-run fetch in an empty store. Alpaca's
 * bars are read as daily bars for inputs of even length and as hourly
 * bars for odd ones (fetch.alpaca.timeframe).
 */
#include <string.h>

#include "fuzz.h"

#ifndef FUZZ_FEED
#error "FUZZ_FEED names the source: cc -DFUZZ_FEED=fred"
#endif
#define SRC_OF(name) qgtm_feed_##name
#define SRC(name) SRC_OF(name)
#define NAME_OF(name) #name
#define NAME(name) NAME_OF(name)

/* A unit of each source as its config lists it. */
static const struct {
	const char *source, *unit;
} units[] = {
	{ "fred", "DGS10" }, { "alpaca", "GLD,SLV" }, { "cftc", "cot" },
	{ "lbma", "gold_pm" }, { "eia", "WCESTUS1" }, { "openbb", "GLD" },
};

static struct qgtm_cfg daily, hourly;
static const char *unit;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	size_t i;

	(void)argc;
	(void)argv;
	fuzz_setup("fuzz_feed_" NAME(FUZZ_FEED));
	fuzz_cfg(&daily, "fetch:\n  cftc:\n    page_rows: 2\n");
	fuzz_cfg(&hourly, "fetch:\n  alpaca:\n    timeframe: 1Hour\n");
	for (i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strcmp(units[i].source, NAME(FUZZ_FEED)) == 0)
			unit = units[i].unit;
	fuzz_check(unit != NULL, "no unit for this source");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qgtm_feed f;
	struct qgtm_feed_page pg = { 0 };
	int rc;

	qgtm_feed_init(&f, &SRC(FUZZ_FEED), size % 2 ? &hourly : &daily, 1);
	rc = qgtm_feed_parse(&f, unit, (const char *)data, size, &pg);
	fuzz_check(rc == 1 || rc == 0 || (rc == -1 &&
	    qgtm_errcode() == QGTM_EX_PROTOCOL), "parse gave no clear answer");
	fuzz_check(memchr(pg.token, '\0', sizeof pg.token) != NULL,
	    "the page token is not a string");
	fuzz_check(rc != 1 || pg.token[0] != '\0' || pg.offset > 0,
	    "another page follows but paging did not move on");
	qgtm_feed_release(&f);
	return 0;
}
