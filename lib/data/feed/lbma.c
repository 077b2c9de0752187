/*
 * feed_lbma.c: LBMA precious-metal prices, one JSON file per price
 * (gold_am, gold_pm, silver, ...), rows {"d", "v": [USD, GBP, EUR]}. The
 * USD price is stored. The free JSON is published with a delay to
 * midnight London, so a price of day D counts from D+1 00:00 UTC, which
 * is at or after midnight London all year round.
 *
 * The LBMA Gold and Silver Prices are benchmarks administered by ICE
 * Benchmark Administration (IBA): using them to value holdings or
 * positions needs a licence from IBA, which this feed does not grant
 * (https://www.ice.com/iba/lbma-gold-silver-price, "Licensing";
 * https://www.lbma.org.uk/prices-and-data/precious-metal-prices). See
 * qgtm-fetch(1), CAVEATS.
 */
#include <string.h>

#include "data/data.h"

static int
lbma_request(struct qgtm_feed *f, const char *unit,
    const struct qgtm_feed_page *pg, struct qgtm_buf *url)
{
	(void)pg;
	if (unit[0] == '\0' || strspn(unit, "abcdefghijklmnopqrstuvwxyz_") !=
	    strlen(unit))
		return qgtm_seterr(QGTM_EX_CONFIG,
		    "fetch.lbma.series: bad name '%.32s'", unit);
	qgtm_buf_addf(url, "%s/json/%s.json",
	    qgtm_cfg_str(f->cfg, "fetch.lbma.url"), unit);
	return 0;
}

static int
lbma_row(struct qgtm_feed *f, const char *unit, const char *since, size_t i,
    json_t *row)
{
	const char *date = json_string_value(json_object_get(row, "d"));
	json_t *v = json_object_get(row, "v");
	char dec[32];
	time_t t;

	if (date == NULL || !json_is_array(v) || json_array_size(v) < 1)
		return qgtm_feed_fail(f, "%s: row %zu: no d or v", unit, i);
	if (strcmp(date, since) < 0)
		return 0;
	if (qgtm_feed_dec(f, json_array_get(v, 0), "v[0]", dec) == -1)
		return -1;
	if (strlen(date) != 10 || qgtm_time_parse(date, &t) == -1)
		return qgtm_feed_fail(f, "%s: row %zu: bad date", unit, i);
	return qgtm_feed_obs(f, unit, date, dec, t + 86400);
}

static int
lbma_parse(struct qgtm_feed *f, const char *unit, json_t *page,
    struct qgtm_feed_page *pg)
{
	char since[11];
	json_t *row;
	size_t i;

	(void)pg;
	if (!json_is_array(page))
		return qgtm_feed_fail(f, "%s: not an array of prices", unit);
	if (qgtm_feed_since(f, unit, 0, since) == -1)
		return -1;
	json_array_foreach(page, i, row)
		if (lbma_row(f, unit, since, i, row) == -1)
			return -1;
	return 0;
}

/* London fixes every business day: a price four days old is stale. */
static void
lbma_fresh(time_t now, char out[11])
{
	qgtm_date_fmt(now - 5 * 86400, out);
}

const struct qgtm_feed_src qgtm_feed_lbma = {
	"lbma", NULL, lbma_request, lbma_parse, lbma_fresh, "fetch.lbma.series"
};
