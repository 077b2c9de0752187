/*
 * feed_eia.c: EIA API v2 weekly petroleum stocks, one series per request
 * (facets[series][]), paged with offset and length. The week ending
 * Friday F is known at the WPSR release, Wednesday 10:30 New York after
 * it (Thursday after a holiday).
 */
#include <string.h>

#include "data/data.h"

/* EIA's largest page. */
#define EIA_LENGTH "5000"

static int
eia_request(struct qgtm_feed *f, const char *unit,
    const struct qgtm_feed_page *pg, struct qgtm_buf *url)
{
	const char *key = qgtm_feed_key(f, "EIA_API_KEY",
	    "fetch.eia.api_key_file");
	char since[11], offset[24];

	if (key == NULL || qgtm_feed_since(f, unit, 0, since) == -1)
		return -1;
	snprintf(offset, sizeof offset, "%ld", pg->offset);
	qgtm_buf_addf(url, "%s/v2/petroleum/stoc/wstk/data/?",
	    qgtm_cfg_str(f->cfg, "fetch.eia.url"));
	qgtm_url_param(url, "api_key", key);
	qgtm_url_param(url, "frequency", "weekly");
	qgtm_url_param(url, "data[0]", "value");
	qgtm_url_param(url, "facets[series][]", unit);
	qgtm_url_param(url, "start", since);
	qgtm_url_param(url, "sort[0][column]", "period");
	qgtm_url_param(url, "sort[0][direction]", "asc");
	qgtm_url_param(url, "offset", offset);
	qgtm_url_param(url, "length", EIA_LENGTH);
	return 0;
}

static int
eia_row(struct qgtm_feed *f, const char *unit, size_t i, json_t *row)
{
	const char *period = json_string_value(json_object_get(row, "period"));
	const char *series = json_string_value(json_object_get(row, "series"));
	struct qgtm_date d;
	char dec[32];
	time_t t;

	if (period == NULL || series == NULL || strcmp(series, unit) != 0)
		return qgtm_feed_fail(f, "%s: data[%zu]: no period or another "
		    "series", unit, i);
	if (strlen(period) != 10 || qgtm_time_parse(period, &t) == -1)
		return qgtm_feed_fail(f, "%s: data[%zu]: bad period", unit, i);
	if (qgtm_feed_dec(f, json_object_get(row, "value"), "value", dec) == -1)
		return -1;
	d = qgtm_civil_from_days((long)(t / 86400));
	return qgtm_feed_obs(f, unit, period, dec,
	    qgtm_eia_release(d.year, d.month, d.day));
}

/* "total" arrives as a string or a number. */
static int
eia_total(struct qgtm_feed *f, json_t *v, long *out)
{
	char dec[32];
	int64_t n;

	if (v == NULL || qgtm_feed_dec(f, v, "total", dec) == -1 ||
	    dec[0] == '\0' || qgtm_dec_parse(dec, QGTM_PRICE_SCALE, &n) == -1)
		return qgtm_feed_fail(f, "no response.total");
	*out = (long)(n / 1000000);
	return 0;
}

static int
eia_parse(struct qgtm_feed *f, const char *unit, json_t *page,
    struct qgtm_feed_page *pg)
{
	json_t *resp = json_object_get(page, "response");
	json_t *data = json_object_get(resp, "data"), *row;
	long total = 0;
	size_t i;

	if (!json_is_array(data))
		return qgtm_feed_fail(f, "%s: no response.data array", unit);
	if (eia_total(f, json_object_get(resp, "total"), &total) == -1)
		return -1;
	json_array_foreach(data, i, row)
		if (eia_row(f, unit, i, row) == -1)
			return -1;
	pg->offset += (long)json_array_size(data);
	return json_array_size(data) > 0 && pg->offset < total;
}

/* The week ending Friday of the latest report released by now. */
static void
eia_fresh(time_t now, char out[11])
{
	struct qgtm_date d = qgtm_ny_date(now);
	long day = qgtm_days_from_civil(d.year, d.month, d.day);

	day -= (qgtm_weekday(d.year, d.month, d.day) + 2) % 7;  /* Friday */
	for (;; day -= 7) {
		d = qgtm_civil_from_days(day);
		if (qgtm_eia_release(d.year, d.month, d.day) <= now)
			break;
	}
	snprintf(out, 11, "%04d-%02d-%02d", d.year, d.month, d.day);
}

const struct qgtm_feed_src qgtm_feed_eia = {
	"eia", NULL, eia_request, eia_parse, eia_fresh, "fetch.eia.series"
};
