/*
 * feed_alpaca.c: bars from Alpaca Market Data v2, every symbol of the
 * universe in one multi-symbol request, following next_page_token. Daily
 * bars by default; fetch.alpaca.timeframe asks for intraday bars, which go
 * to the series SYMBOL@TIMEFRAME.
 *
 * The feed (fetch.alpaca.feed): "iex" is one exchange, about 2% of the
 * volume, with its own close; "sip" is every US exchange, but on a free
 * (Basic) plan only data older than 15 minutes may be asked for, and
 * without "end" the request asks up to now and is refused with 403;
 * "delayed_sip" is SIP delayed by 15 minutes, open to free plans, and the
 * default. https://docs.alpaca.markets/docs/about-market-data-api
 * ("Subscription Plans": Basic, "Latest 15 minutes" of SIP not included)
 * and https://docs.alpaca.markets/reference/stockbars ("feed", "end").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/data.h"

/* The most points a page may hold (across all symbols). */
#define ALPACA_LIMIT "10000"
/* How old SIP data must be for a free plan (docs above). */
#define SIP_DELAY_S (15 * 60)

/* The "end" of a request: now, or 15 minutes ago for a SIP feed, so a
 * free plan may ask (RFC 3339, 21 bytes). */
static const char *
alpaca_end(const struct qgtm_feed *f, char out[21])
{
	int sip = strcmp(qgtm_cfg_str(f->cfg, "fetch.alpaca.feed"), "iex") !=
	    0;

	return qgtm_time_fmt(f->now - (sip ? SIP_DELAY_S : 0), out);
}

/* The length in seconds of an intraday timeframe ("1Hour", "15Min"),
 * or 0 for "1Day" (the config allows only those values). */
static long
timeframe_seconds(const struct qgtm_feed *f)
{
	const char *tf = qgtm_cfg_str(f->cfg, "fetch.alpaca.timeframe");
	char *unit;
	long n = strtol(tf, &unit, 10);

	if (strcmp(unit, "Hour") == 0)
		return n * 3600;
	if (strcmp(unit, "Min") == 0)
		return n * 60;
	return 0;
}

/* The store series of sym: SYM for daily bars, SYM@TIMEFRAME otherwise. */
static void
series_name(const struct qgtm_feed *f, const char *sym, char *out,
    size_t outsz)
{
	if (timeframe_seconds(f) == 0)
		snprintf(out, outsz, "%s", sym);
	else
		snprintf(out, outsz, "%s@%s", sym,
		    qgtm_cfg_str(f->cfg, "fetch.alpaca.timeframe"));
}

/* One unit: the universe, comma-separated. */
static json_t *
alpaca_units(struct qgtm_feed *f)
{
	json_t *u = qgtm_cfg_list(f->cfg, "common.universe"), *v;
	struct qgtm_buf b;
	json_t *units;
	size_t i;

	qgtm_buf_init(&b, 64 * 1024);
	json_array_foreach(u, i, v)
		qgtm_buf_addf(&b, "%s%s", i > 0 ? "," : "", json_string_value(v));
	units = json_pack("[s]", b.data != NULL ? b.data : "");
	qgtm_buf_release(&b);
	return units;
}

/* The earliest first date any symbol of the universe needs. */
static int
alpaca_since(struct qgtm_feed *f, char out[11])
{
	json_t *u = qgtm_cfg_list(f->cfg, "common.universe"), *v;
	char since[11], series[48];
	size_t i;

	snprintf(out, 11, "9999-12-31");
	json_array_foreach(u, i, v) {
		/* Intraday: ask again from the day before the newest stored
		 * bar, whose day may have gone on; the store keeps no twins. */
		series_name(f, json_string_value(v), series, sizeof series);
		if (qgtm_feed_since(f, series, timeframe_seconds(f) > 0,
		    since) == -1)
			return -1;
		if (strcmp(since, out) < 0)
			memcpy(out, since, 11);
	}
	return 0;
}

static int
alpaca_request(struct qgtm_feed *f, const char *unit,
    const struct qgtm_feed_page *pg, struct qgtm_buf *url)
{
	const char *id = qgtm_feed_key(f, "APCA_API_KEY_ID",
	    "broker.alpaca.key_id_file");
	const char *secret = id == NULL ? NULL : qgtm_feed_key(f,
	    "APCA_API_SECRET_KEY", "broker.alpaca.secret_key_file");
	char since[11], end[21];

	if (secret == NULL || alpaca_since(f, since) == -1)
		return -1;
	qgtm_feed_header(f, 0, "APCA-API-KEY-ID", id);
	qgtm_feed_header(f, 1, "APCA-API-SECRET-KEY", secret);
	qgtm_buf_addf(url, "%s/v2/stocks/bars?",
	    qgtm_cfg_str(f->cfg, "fetch.alpaca.url"));
	qgtm_url_param(url, "symbols", unit);
	qgtm_url_param(url, "timeframe",
	    qgtm_cfg_str(f->cfg, "fetch.alpaca.timeframe"));
	qgtm_url_param(url, "start", since);
	qgtm_url_param(url, "end", alpaca_end(f, end));
	qgtm_url_param(url, "limit", ALPACA_LIMIT);
	qgtm_url_param(url, "adjustment", "raw");
	qgtm_url_param(url, "feed", qgtm_cfg_str(f->cfg, "fetch.alpaca.feed"));
	qgtm_url_param(url, "sort", "asc");
	if (pg->token[0] != '\0')
		qgtm_url_param(url, "page_token", pg->token);
	return 0;
}

/* Was sym asked for? unit is "A,B,C". ("" never was: it would match
 * everywhere without moving on.) */
static int
requested(const char *unit, const char *sym)
{
	size_t n = strlen(sym);
	const char *p;

	for (p = unit; n > 0 && (p = strstr(p, sym)) != NULL; p += n)
		if ((p == unit || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

static int
alpaca_bars(struct qgtm_feed *f, const char *unit, const char *sym,
    json_t *bars)
{
	static const char *const keys[5] = { "o", "h", "l", "c", "v" };
	long seconds = timeframe_seconds(f);
	struct qgtm_date d;
	const char *ts;
	char date[11], series[48];
	json_t *b;
	time_t t;
	size_t i;

	if (!requested(unit, sym) || !json_is_array(bars))
		return qgtm_feed_fail(f, "bars of '%.16s', not asked for", sym);
	json_array_foreach(bars, i, b) {
		ts = json_string_value(json_object_get(b, "t"));
		if (ts == NULL || qgtm_time_parse(ts, &t) == -1)
			return qgtm_feed_fail(f, "%s: bars[%zu].t: not a time",
			    sym, i);
		if (seconds > 0) {
			series_name(f, sym, series, sizeof series);
			if (qgtm_feed_bar_intraday(f, sym, series, t, seconds, b,
			    keys) == -1)
				return -1;
			continue;
		}
		d = qgtm_ny_date(t);
		snprintf(date, sizeof date, "%04d-%02d-%02d", d.year, d.month,
		    d.day);
		if (qgtm_feed_bar(f, sym, date, b, keys) == -1)
			return -1;
	}
	return 0;
}

static int
alpaca_parse(struct qgtm_feed *f, const char *unit, json_t *page,
    struct qgtm_feed_page *pg)
{
	json_t *bars = json_object_get(page, "bars"), *arr;
	json_t *next = json_object_get(page, "next_page_token");
	const char *sym;

	if (!json_is_object(bars) && !json_is_null(bars))
		return qgtm_feed_fail(f, "no bars object");
	if (next != NULL && !json_is_null(next) && !json_is_string(next))
		return qgtm_feed_fail(f, "next_page_token is not a string");
	json_object_foreach(bars, sym, arr)
		if (alpaca_bars(f, unit, sym, arr) == -1)
			return -1;
	if (!json_is_string(next) || *json_string_value(next) == '\0')
		return 0;
	if (strlen(json_string_value(next)) >= sizeof pg->token)
		return qgtm_feed_fail(f, "next_page_token too long");
	snprintf(pg->token, sizeof pg->token, "%s", json_string_value(next));
	return 1;
}

const struct qgtm_feed_src qgtm_feed_alpaca = {
	"alpaca", alpaca_units, alpaca_request, alpaca_parse,
	qgtm_feed_fresh_session, NULL
};
