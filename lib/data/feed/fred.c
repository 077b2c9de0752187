/*
 * feed_fred.c: FRED/ALFRED series observations as JSON. Each value is
 * stored with the vintage it belongs to (realtime_start), so a revision
 * is a new observation known from its own day on; "." is a missing value.
 * A long first fetch asks for its real-time period in windows, as FRED
 * refuses a period holding more than 2,000 vintage dates.
 */
#include <string.h>

#include "data/data.h"

/* How far back a fetch looks for revisions of stored observations. */
#define FRED_REVISION_DAYS 7
/* FRED's page size limit. */
#define FRED_LIMIT "100000"
/*
 * FRED answers HTTP 400 to a request whose real-time period holds more
 * than 2,000 vintage dates (fred/series/observations, "realtime_start",
 * "vintage_dates": https://fred.stlouisfed.org/docs/api/fred/
 * series_observations.html). A vintage date is a day, so a window of
 * this many days holds at most that many; a daily series gets a new
 * vintage every business day, so without windows a first fetch of more
 * than about 2,900 days fails.
 */
#define FRED_WINDOW_DAYS 2000
#define FRED_REALTIME_END "9999-12-31"

/*
 * The real-time window of page pg: from the window's start (in pg->token,
 * "YYYY-MM-DD" or "YYYY-MM-DD@offset"; since for the first window) for
 * FRED_WINDOW_DAYS days, or to FRED_REALTIME_END when that reaches today.
 */
static int
fred_window(struct qgtm_feed *f, const struct qgtm_feed_page *pg,
    const char *since, char start[11], char end[11])
{
	time_t t;

	snprintf(start, 11, "%.10s", pg->token[0] != '\0' ? pg->token : since);
	if (qgtm_time_parse(start, &t) == -1)
		return qgtm_feed_fail(f, "bad real-time window '%s'", start);
	t += 86400 * (time_t)(FRED_WINDOW_DAYS - 1);
	if (t >= f->now - f->now % 86400)
		snprintf(end, 11, "%s", FRED_REALTIME_END);
	else
		qgtm_date_fmt(t, end);
	return 0;
}

static int
fred_request(struct qgtm_feed *f, const char *unit,
    const struct qgtm_feed_page *pg, struct qgtm_buf *url)
{
	const char *key = qgtm_feed_key(f, "FRED_API_KEY",
	    "fetch.fred.api_key_file");
	char since[11], offset[24], rt_start[11], rt_end[11];

	if (key == NULL ||
	    qgtm_feed_since(f, unit, FRED_REVISION_DAYS, since) == -1 ||
	    fred_window(f, pg, since, rt_start, rt_end) == -1)
		return -1;
	snprintf(offset, sizeof offset, "%ld", pg->offset);
	qgtm_buf_addf(url, "%s/series/observations?",
	    qgtm_cfg_str(f->cfg, "fetch.fred.url"));
	qgtm_url_param(url, "series_id", unit);
	qgtm_url_param(url, "api_key", key);
	qgtm_url_param(url, "file_type", "json");
	qgtm_url_param(url, "observation_start", since);
	qgtm_url_param(url, "realtime_start", rt_start);
	qgtm_url_param(url, "realtime_end", rt_end);
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

/*
 * FRED cuts each vintage period to the request's real-time period, so a
 * value still current when a window starts comes again in that window
 * with the window's start as its realtime_start: it is no revision, and
 * is left out when this fetch already holds that value for its date.
 */
static int
fred_obs(struct qgtm_feed *f, const char *unit, size_t i, json_t *o,
    const char *rt_start, json_t *held)
{
	const char *date, *rt;
	char dec[32];
	time_t avail = 0;
	json_t *v;

	date = json_string_value(json_object_get(o, "date"));
	rt = json_string_value(json_object_get(o, "realtime_start"));
	if (date == NULL || rt == NULL)
		return qgtm_feed_fail(f, "%s: observations[%zu] without date "
		    "or realtime_start", unit, i);
	if (qgtm_feed_dec(f, json_object_get(o, "value"), "value", dec) == -1 ||
	    vintage_time(f, rt, &avail) == -1)
		return -1;
	v = json_object_get(held, date);
	if (v != NULL && strcmp(rt, rt_start) == 0 &&
	    strcmp(json_is_string(v) ? json_string_value(v) : "", dec) == 0)
		return 0;
	return qgtm_feed_obs(f, unit, date, dec, avail);
}

/* The latest value this fetch holds for each date of unit (a new
 * object: date -> value). */
static json_t *
fred_held(struct qgtm_feed *f, const char *unit)
{
	json_t *held = json_object(), *rec;
	size_t i;

	json_array_foreach(json_object_get(f->series, unit), i, rec)
		json_object_set(held, json_string_value(json_object_get(rec,
		    "date")), json_object_get(rec, "value"));
	return held;
}

/* Move pg on: the next page of the window, else the next window. */
static int
fred_next(struct qgtm_feed *f, json_t *page, struct qgtm_feed_page *pg,
    size_t n)
{
	const char *end = json_string_value(json_object_get(page,
	    "realtime_end"));
	json_t *count = json_object_get(page, "count");
	time_t t;

	pg->offset += (long)n;
	if (n > 0 && pg->offset < (long)json_integer_value(count)) {
		if (pg->token[0] != '\0')      /* a later window: "start@off" */
			snprintf(pg->token + 10, sizeof pg->token - 10, "@%ld",
			    pg->offset);
		return 1;
	}
	if (strcmp(end, FRED_REALTIME_END) == 0)
		return 0;
	if (qgtm_time_parse(end, &t) == -1)
		return qgtm_feed_fail(f, "bad realtime_end '%.20s'", end);
	qgtm_date_fmt(t + 86400, pg->token);
	pg->offset = 0;
	return 1;
}

static int
fred_parse(struct qgtm_feed *f, const char *unit, json_t *page,
    struct qgtm_feed_page *pg)
{
	json_t *obs = json_object_get(page, "observations"), *o, *held;
	const char *rt_start = json_string_value(json_object_get(page,
	    "realtime_start"));
	size_t i;
	int rc = 0;

	if (!json_is_array(obs) ||
	    !json_is_integer(json_object_get(page, "count")) ||
	    rt_start == NULL || !json_is_string(json_object_get(page,
	    "realtime_end")))
		return qgtm_feed_fail(f, "%s: no observations array, count "
		    "and real-time period", unit);
	held = fred_held(f, unit);
	json_array_foreach(obs, i, o)
		if (rc == 0)
			rc = fred_obs(f, unit, i, o, rt_start, held);
	json_decref(held);
	return rc == -1 ? -1 : fred_next(f, page, pg, json_array_size(obs));
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
