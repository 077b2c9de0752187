/*
 * feed_cftc.c: the CFTC Commitments of Traders (disaggregated, futures
 * only) through the Socrata API: managed-money long and short and open
 * interest of each contract, as three series "<code>-mm-long",
 * "<code>-mm-short" and "<code>-oi". A Tuesday's positions are known at
 * the Friday 15:30 New York release, later after a holiday. Paged with
 * $limit and $offset in a fixed $order; with a Socrata app token when
 * one is configured.
 */
#include <stdlib.h>
#include <string.h>

#include "data/data.h"

static const char *const columns[3][2] = {
	{ "m_money_positions_long_all", "mm-long" },
	{ "m_money_positions_short_all", "mm-short" },
	{ "open_interest_all", "oi" }
};

static json_t *
cftc_units(struct qgtm_feed *f)
{
	(void)f;
	return json_pack("[s]", "cot");
}

/* "code1','code2" and the earliest date any contract needs. */
static int
cftc_filter(struct qgtm_feed *f, struct qgtm_buf *codes, char since[11])
{
	json_t *list = qgtm_cfg_list(f->cfg, "fetch.cftc.contracts"), *v;
	char series[32], s[11];
	size_t i;

	snprintf(since, 11, "9999-12-31");
	json_array_foreach(list, i, v) {
		qgtm_buf_addf(codes, "%s'%s'", i > 0 ? "," : "",
		    json_string_value(v));
		snprintf(series, sizeof series, "%s-oi", json_string_value(v));
		if (qgtm_feed_since(f, series, 0, s) == -1)
			return -1;
		if (strcmp(s, since) < 0)
			memcpy(since, s, 11);
	}
	return 0;
}

/*
 * Send the Socrata app token when one is configured ($SOCRATA_APP_TOKEN
 * or fetch.cftc.app_token_file): without one, requests share the
 * throttled pool of anonymous callers ("Application Tokens",
 * https://dev.socrata.com/docs/app-tokens.html: the X-App-Token header).
 */
static int
cftc_token(struct qgtm_feed *f)
{
	const char *env = getenv("SOCRATA_APP_TOKEN"), *token;

	if ((env == NULL || *env == '\0') &&
	    *qgtm_cfg_str(f->cfg, "fetch.cftc.app_token_file") == '\0')
		return 0;
	if ((token = qgtm_feed_key(f, "SOCRATA_APP_TOKEN",
	    "fetch.cftc.app_token_file")) == NULL)
		return -1;
	qgtm_feed_header(f, 0, "X-App-Token", token);
	return 0;
}

static int
cftc_request(struct qgtm_feed *f, const char *unit,
    const struct qgtm_feed_page *pg, struct qgtm_buf *url)
{
	struct qgtm_buf codes;
	char since[11], *where, num[24];
	int rc;

	(void)unit;
	if (cftc_token(f) == -1)
		return -1;
	qgtm_buf_init(&codes, 64 * 1024);
	if ((rc = cftc_filter(f, &codes, since)) == 0) {
		where = qgtm_xasprintf("cftc_contract_market_code in(%s) AND "
		    "report_date_as_yyyy_mm_dd >= '%s'", codes.data, since);
		qgtm_buf_addf(url, "%s/resource/%s.json?",
		    qgtm_cfg_str(f->cfg, "fetch.cftc.url"),
		    qgtm_cfg_str(f->cfg, "fetch.cftc.dataset"));
		qgtm_url_param(url, "$select", "report_date_as_yyyy_mm_dd,"
		    "cftc_contract_market_code,open_interest_all,"
		    "m_money_positions_long_all,m_money_positions_short_all");
		qgtm_url_param(url, "$where", where);
		qgtm_url_param(url, "$order",
		    "report_date_as_yyyy_mm_dd,cftc_contract_market_code");
		snprintf(num, sizeof num, "%lld",
		    qgtm_cfg_int(f->cfg, "fetch.cftc.page_rows"));
		qgtm_url_param(url, "$limit", num);
		snprintf(num, sizeof num, "%ld", pg->offset);
		qgtm_url_param(url, "$offset", num);
		free(where);
	}
	qgtm_buf_release(&codes);
	return rc;
}

/* The release of the report of date (its week's Tuesday). */
static int
cot_available(struct qgtm_feed *f, const char *date, time_t *out)
{
	struct qgtm_date d;
	time_t t;
	int wd;

	if (qgtm_time_parse(date, &t) == -1)
		return qgtm_feed_fail(f, "bad report date '%s'", date);
	d = qgtm_civil_from_days((long)(t / 86400));
	wd = qgtm_weekday(d.year, d.month, d.day);
	d = qgtm_civil_from_days((long)(t / 86400) + 2 - wd);
	*out = qgtm_cot_release(d.year, d.month, d.day);
	return 0;
}

static int
cftc_row(struct qgtm_feed *f, size_t i, json_t *row)
{
	const char *rd = json_string_value(json_object_get(row,
	    "report_date_as_yyyy_mm_dd"));
	const char *code = json_string_value(json_object_get(row,
	    "cftc_contract_market_code"));
	char date[11], series[32], dec[32];
	time_t avail = 0;
	int k;

	if (rd == NULL || code == NULL || strlen(rd) < 10 || strlen(code) > 16)
		return qgtm_feed_fail(f, "row %zu: no report date or contract",
		    i);
	snprintf(date, sizeof date, "%.10s", rd);
	if (cot_available(f, date, &avail) == -1)
		return -1;
	for (k = 0; k < 3; k++) {
		if (qgtm_feed_dec(f, json_object_get(row, columns[k][0]),
		    columns[k][0], dec) == -1)
			return -1;
		snprintf(series, sizeof series, "%s-%s", code, columns[k][1]);
		if (qgtm_feed_obs(f, series, date, dec, avail) == -1)
			return -1;
	}
	return 0;
}

static int
cftc_parse(struct qgtm_feed *f, const char *unit, json_t *page,
    struct qgtm_feed_page *pg)
{
	json_t *row;
	size_t i;

	(void)unit;
	if (!json_is_array(page))
		return qgtm_feed_fail(f, "not an array of rows");
	json_array_foreach(page, i, row)
		if (cftc_row(f, i, row) == -1)
			return -1;
	pg->offset += (long)json_array_size(page);
	return (long long)json_array_size(page) ==
	    qgtm_cfg_int(f->cfg, "fetch.cftc.page_rows");
}

/* The report date of the latest COT released by now. */
static void
cftc_fresh(time_t now, char out[11])
{
	struct qgtm_date d = qgtm_ny_date(now);
	long day = qgtm_days_from_civil(d.year, d.month, d.day);

	day -= (qgtm_weekday(d.year, d.month, d.day) + 5) % 7;  /* Tuesday */
	for (;; day -= 7) {
		d = qgtm_civil_from_days(day);
		if (qgtm_cot_release(d.year, d.month, d.day) <= now)
			break;
	}
	snprintf(out, 11, "%04d-%02d-%02d", d.year, d.month, d.day);
}

const struct qgtm_feed_src qgtm_feed_cftc = {
	"cftc", cftc_units, cftc_request, cftc_parse, cftc_fresh,
	NULL
};
