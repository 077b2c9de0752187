/*
 * feed_openbb.c: daily bars from an OpenBB Platform REST server's
 * /api/v1/equity/price/historical, one symbol per request. A 204 is
 * OpenBB's "no data".
 */
#include <string.h>

#include "data/data.h"

static int
openbb_request(struct qgtm_feed *f, const char *unit,
    const struct qgtm_feed_page *pg, struct qgtm_buf *url)
{
	char since[11];

	(void)pg;
	if (qgtm_feed_since(f, unit, 0, since) == -1)
		return -1;
	qgtm_buf_addf(url, "%s/api/v1/equity/price/historical?",
	    qgtm_cfg_str(f->cfg, "fetch.openbb.url"));
	qgtm_url_param(url, "symbol", unit);
	qgtm_url_param(url, "provider",
	    qgtm_cfg_str(f->cfg, "fetch.openbb.provider"));
	qgtm_url_param(url, "start_date", since);
	qgtm_url_param(url, "interval", "1d");
	return 0;
}

static int
openbb_parse(struct qgtm_feed *f, const char *unit, json_t *page,
    struct qgtm_feed_page *pg)
{
	static const char *const keys[5] = { "open", "high", "low", "close",
	    "volume" };
	json_t *results = json_object_get(page, "results"), *r;
	const char *date;
	size_t i;

	(void)pg;
	if (!json_is_array(results))
		return qgtm_feed_fail(f, "%s: no results array", unit);
	json_array_foreach(results, i, r) {
		date = json_string_value(json_object_get(r, "date"));
		if (date == NULL || strlen(date) != 10)
			return qgtm_feed_fail(f, "%s: results[%zu]: not a daily "
			    "date", unit, i);
		if (qgtm_feed_bar(f, unit, date, r, keys) == -1)
			return -1;
	}
	return 0;
}

const struct qgtm_feed_src qgtm_feed_openbb = {
	"openbb", NULL, openbb_request, openbb_parse,
	qgtm_feed_fresh_session, "fetch.openbb.symbols"
};
