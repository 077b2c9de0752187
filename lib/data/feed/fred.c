/*
 * feed_fred.c: FRED/ALFRED series observations as JSON. Each value is
 * stored with the vintage it belongs to (realtime_start), so a revision
 * is a new observation known from its own day on; "." is a missing value.
 */
#include <string.h>

#include "data/data.h"

/* How far back a fetch looks for revisions of stored observations. */
#define FRED_REVISION_DAYS 7
/* FRED's page size limit. */
#define FRED_LIMIT "100000"

static int
fred_request(struct qgtm_feed *f, const char *unit,
    const struct qgtm_feed_page *pg, struct qgtm_buf *url)
{
	const char *key = qgtm_feed_key(f, "FRED_API_KEY",
	    "fetch.fred.api_key_file");
	char since[11], offset[24];

	if (key == NULL ||
	    qgtm_feed_since(f, unit, FRED_REVISION_DAYS, since) == -1)
		return -1;
	snprintf(offset, sizeof offset, "%ld", pg->offset);
	qgtm_buf_addf(url, "%s/series/observations?",
	    qgtm_cfg_str(f->cfg, "fetch.fred.url"));
	qgtm_url_param(url, "series_id", unit);
	qgtm_url_param(url, "api_key", key);
	qgtm_url_param(url, "file_type", "json");
	qgtm_url_param(url, "observation_start", since);
	qgtm_url_param(url, "realtime_start", since);
	qgtm_url_param(url, "realtime_end", "9999-12-31");
	qgtm_url_param(url, "sort_order", "asc");
	qgtm_url_param(url, "limit", FRED_LIMIT);
	qgtm_url_param(url, "offset", offset);
	return 0;
}

/*
 * A vintage dated D was published some time on D: it counts as known
 * from the end of D, New York time, so nothing is seen early.
 */
static int
vintage_time(struct qgtm_feed *f, const char *rt, time_t *out)
{
	time_t t;
	struct qgtm_date d;

	if (strlen(rt) != 10 || qgtm_time_parse(rt, &t) == -1)
		return qgtm_feed_fail(f, "bad realtime_start '%.20s'", rt);
	d = qgtm_civil_from_days((long)(t / 86400) + 1);
	*out = qgtm_ny_time(d.year, d.month, d.day, 0, 0);
	return 0;
}

static int
fred_obs(struct qgtm_feed *f, const char *unit, size_t i, json_t *o)
{
	const char *date, *rt;
	char dec[32];
	time_t avail = 0;

	date = json_string_value(json_object_get(o, "date"));
	rt = json_string_value(json_object_get(o, "realtime_start"));
	if (date == NULL || rt == NULL)
		return qgtm_feed_fail(f, "%s: observations[%zu] without date "
		    "or realtime_start", unit, i);
	if (qgtm_feed_dec(f, json_object_get(o, "value"), "value", dec) == -1 ||
	    vintage_time(f, rt, &avail) == -1)
		return -1;
	return qgtm_feed_obs(f, unit, date, dec, avail);
}

static int
fred_parse(struct qgtm_feed *f, const char *unit, json_t *page,
    struct qgtm_feed_page *pg)
{
	json_t *obs = json_object_get(page, "observations"), *o;
	json_t *count = json_object_get(page, "count");
	size_t i;

	if (!json_is_array(obs) || !json_is_integer(count))
		return qgtm_feed_fail(f, "%s: no observations array and count",
		    unit);
	json_array_foreach(obs, i, o)
		if (fred_obs(f, unit, i, o) == -1)
			return -1;
	pg->offset += (long)json_array_size(obs);
	return json_array_size(obs) > 0 &&
	    pg->offset < (long)json_integer_value(count);
}

/* Daily series are known two days on; DTWEXBGS comes out weekly. */
static void
fred_fresh(time_t now, char out[11])
{
	qgtm_date_fmt(now - 10 * 86400, out);
}

const struct qgtm_feed_src qgtm_feed_fred = {
	"fred", NULL, fred_request, fred_parse, fred_fresh, "fetch.fred.series"
};
