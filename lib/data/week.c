/*
 * calendar_week.c: the week-ahead calendar: the scheduled releases and
 * market events of one New York week, each with the strategies it touches
 * and whether auto-trading pauses around it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/data.h"

/*
 * FOMC decision days (the statement at 14:00 New York), from the Federal
 * Reserve's tentative schedules announced 2024-08-09 (2025-2026) and
 * 2025-09-05 (2027); share/qgtm/calendar/fomc.txt ships the same dates.
 */
static const char *const fomc_days[] = {
	"2026-01-28", "2026-03-18", "2026-04-29", "2026-06-17",
	"2026-07-29", "2026-09-16", "2026-10-28", "2026-12-09",
	"2027-01-27", "2027-03-17", "2027-04-28", "2027-06-09",
	"2027-07-28", "2027-09-15", "2027-10-27", "2027-12-08",
};

/* What each kind of event is, and which strategies read what it moves. */
struct event_kind {
	const char *id;
	const char *name;
	const char *touches;    /* space-separated strategy names */
};

static const struct event_kind kinds[] = {
	{ "eia_petroleum", "EIA Weekly Petroleum Status Report",
	    "inventory_surprise tsmom" },
	{ "eia_natgas", "EIA Natural Gas Storage Report", "tsmom" },
	{ "cot", "CFTC Commitments of Traders", "cot_positioning" },
	{ "fomc_decision", "FOMC rate decision and statement",
	    "real_rate_gold tsmom xsmom gold_silver_ratio" },
	{ "fomc_minutes", "FOMC minutes", "real_rate_gold" },
	{ "opex", "Quarterly options expiration", "tsmom xsmom" },
	{ "nyse_holiday", "NYSE closed", "all" },
	{ "nyse_early_close", "NYSE closes early (13:00)", "all" },
	{ "cpi", "Consumer Price Index (BLS)",
	    "real_rate_gold gold_silver_ratio tsmom" },
	{ "jobs", "Employment Situation (BLS)", "real_rate_gold tsmom" },
};

/* The FRED releases the calendar lists (FRED release ids, a fact of
 * FRED's API: CPI is 10, the Employment Situation 50); both at 08:30. */
static const struct {
	int id;
	const char *kind;
} fred_releases[] = { { 10, "cpi" }, { 50, "jobs" } };

const char *const *
qgtm_calendar_fomc_days(size_t *n)
{
	*n = sizeof fomc_days / sizeof fomc_days[0];
	return fomc_days;
}

static const struct event_kind *
kind(const char *id)
{
	size_t i;

	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kinds[i].id, id) == 0)
			return &kinds[i];
	return NULL;
}

/* Minutes auto-trading pauses on each side of an event of kind id. */
static long
pause_minutes(const struct qgtm_cfg *cfg, const char *id)
{
	json_t *v;
	size_t i, n = strlen(id);
	const char *s;

	json_array_foreach(qgtm_cfg_list(cfg, "calendar.pause"), i, v) {
		s = json_string_value(v);
		if (strncmp(s, id, n) == 0 && s[n] == ':')
			return strtol(s + n + 1, NULL, 10);
	}
	return 0;
}

/* Append the event of kind id at t to events when it falls in [from, to). */
static void
add_event(json_t *events, const struct qgtm_cfg *cfg, const char *id,
    time_t t, time_t from, time_t to)
{
	const struct event_kind *k = kind(id);
	long pause = pause_minutes(cfg, id);
	char ts[21], ny[32];
	struct qgtm_date d;
	json_t *ev;
	time_t local;

	if (t < from || t >= to)
		return;
	local = t + qgtm_ny_offset(t);
	d = qgtm_ny_date(t);
	snprintf(ny, sizeof ny, "%04d-%02d-%02d %02ld:%02ld", d.year, d.month,
	    d.day, (long)(local % 86400) / 3600, (long)(local % 3600) / 60);
	ev = json_pack("{s:s,s:s,s:s,s:s,s:s,s:b}", "id", id, "name", k->name,
	    "at", qgtm_time_fmt(t, ts), "at_ny", ny, "touches", k->touches,
	    "pause", pause > 0);
	if (pause > 0) {
		json_object_set_new(ev, "pause_from",
		    json_string(qgtm_time_fmt(t - pause * 60, ts)));
		json_object_set_new(ev, "pause_to",
		    json_string(qgtm_time_fmt(t + pause * 60, ts)));
	}
	json_array_append_new(events, ev);
}

/* The instant hh:mm New York on day (days since the epoch). */
static time_t
ny_on(long day, int hh, int mm)
{
	struct qgtm_date c = qgtm_civil_from_days(day);

	return qgtm_ny_time(c.year, c.month, c.day, hh, mm);
}

/*
 * Quarterly options expiration of month m: the third Friday, or the
 * Thursday before when that Friday is an NYSE holiday (as on Good Friday).
 */
static long
opex_day(int y, int m)
{
	int first = qgtm_weekday(y, m, 1);
	long day = qgtm_days_from_civil(y, m, 1 + (5 - first + 7) % 7 + 14);
	struct qgtm_date c = qgtm_civil_from_days(day);

	return qgtm_nyse_is_trading_day(c.year, c.month, c.day) ? day : day - 1;
}

/*
 * The COT reports released in the week from monday: positions as of a
 * Tuesday, released that Friday by rule, but up to seven weeks later off
 * it (the 2025 shutdown's catch-up, qgtm_cot_release), so the reports of
 * the eight weeks before are looked at too.
 */
static void
add_cot(json_t *events, const struct qgtm_cfg *cfg, long monday,
    time_t from, time_t to)
{
	struct qgtm_date c;
	long day;

	for (day = monday - 8 * 7 + 1; day < monday + 7; day += 7) {
		c = qgtm_civil_from_days(day);
		add_event(events, cfg, "cot",
		    qgtm_cot_release(c.year, c.month, c.day), from, to);
	}
}

/* The weekly reports and market days of the week from monday. */
static void
add_weekly(json_t *events, const struct qgtm_cfg *cfg, long monday,
    time_t from, time_t to)
{
	struct qgtm_date c;
	long day;
	int wd;

	for (day = monday - 7; day < monday + 7; day++) {
		c = qgtm_civil_from_days(day);
		wd = qgtm_weekday(c.year, c.month, c.day);
		if (wd == 5)            /* a WPSR covers the week ending Friday */
			add_event(events, cfg, "eia_petroleum",
			    qgtm_eia_release(c.year, c.month, c.day), from, to);
		/* Natural gas storage: Thursday 10:30; Wednesday 12:00 when
		 * the Thursday is a federal holiday (Thanksgiving). */
		if (wd == 4)
			add_event(events, cfg, "eia_natgas",
			    qgtm_federal_holiday(c.year, c.month, c.day) ?
			    ny_on(day - 1, 12, 0) : ny_on(day, 10, 30), from, to);
		if (wd >= 1 && wd <= 5 &&
		    !qgtm_nyse_is_trading_day(c.year, c.month, c.day))
			add_event(events, cfg, "nyse_holiday", ny_on(day, 9, 30),
			    from, to);
		else if (wd >= 1 && wd <= 5 &&
		    qgtm_nyse_close(c.year, c.month, c.day) !=
		    ny_on(day, 16, 0))
			add_event(events, cfg, "nyse_early_close",
			    ny_on(day, 13, 0), from, to);
		if (c.month % 3 == 0 && day == opex_day(c.year, c.month))
			add_event(events, cfg, "opex", ny_on(day, 16, 0), from,
			    to);
	}
}

/* FOMC decisions and their minutes (three weeks later) in the week. */
static void
add_fomc(json_t *events, const struct qgtm_cfg *cfg, time_t from, time_t to)
{
	time_t t;
	size_t i;
	long day;

	for (i = 0; i < sizeof fomc_days / sizeof fomc_days[0]; i++) {
		if (qgtm_time_parse(fomc_days[i], &t) == -1)
			continue;
		day = (long)(t / 86400);
		add_event(events, cfg, "fomc_decision", ny_on(day, 14, 0), from,
		    to);
		add_event(events, cfg, "fomc_minutes", ny_on(day + 21, 14, 0),
		    from, to);
	}
}

static int
by_time(const void *a, const void *b)
{
	const char *x = json_string_value(json_object_get(*(json_t *const *)a,
	    "at"));
	const char *y = json_string_value(json_object_get(*(json_t *const *)b,
	    "at"));

	return strcmp(x, y);
}

/* Sort an array of events by "at" (RFC 3339 UTC sorts as text). */
static void
sort_events(json_t *events)
{
	size_t i, n = json_array_size(events);
	json_t **v = qgtm_xcalloc(n + 1, sizeof *v);

	for (i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(events, i));
	qsort(v, n, sizeof *v, by_time);
	json_array_clear(events);
	for (i = 0; i < n; i++)
		json_array_append_new(events, v[i]);
	free(v);
}

/* The release dates of FRED release id on or after `from_date`, as a new
 * JSON array of date strings, or NULL with the error set. */
static json_t *
fred_release_dates(const struct qgtm_cfg *cfg, const char *key, int id,
    const char *from_date)
{
	struct qgtm_http_req req;
	struct qgtm_http_resp resp;
	struct qgtm_buf url;
	char idbuf[16];
	json_t *doc, *dates = NULL, *v;
	size_t i;

	qgtm_buf_init(&url, 4096);
	qgtm_buf_addf(&url, "%s/release/dates?",
	    qgtm_cfg_str(cfg, "fetch.fred.url"));
	snprintf(idbuf, sizeof idbuf, "%d", id);
	qgtm_url_param(&url, "release_id", idbuf);
	qgtm_url_param(&url, "file_type", "json");
	qgtm_url_param(&url, "include_release_dates_with_no_data", "true");
	qgtm_url_param(&url, "realtime_start", from_date);
	qgtm_url_param(&url, "api_key", key);
	qgtm_http_req_init(&req, cfg);
	req.url = url.data;
	qgtm_http_resp_init(&resp);
	if (qgtm_http_do(&req, &resp) == 0 && resp.status != 200)
		qgtm_seterr(qgtm_http_status_code(resp.status),
		    "FRED release dates: HTTP %ld", resp.status);
	else if (resp.status == 200) {
		doc = json_loadb(resp.body.data, resp.body.len, 0, NULL);
		if (!json_is_array(json_object_get(doc, "release_dates")))
			qgtm_seterr(QGTM_EX_PROTOCOL,
			    "FRED release dates: unexpected response");
		else {
			dates = json_array();
			json_array_foreach(json_object_get(doc, "release_dates"),
			    i, v)
				if (json_is_string(json_object_get(v, "date")))
					json_array_append(dates,
					    json_object_get(v, "date"));
		}
		json_decref(doc);
	}
	qgtm_http_resp_release(&resp);
	qgtm_buf_release(&url);
	return dates;
}

int
qgtm_calendar_releases(const struct qgtm_cfg *cfg, json_t *events, int y,
    int m, int d)
{
	long day = qgtm_days_from_civil(y, m, d);
	long monday = day - (qgtm_weekday(y, m, d) + 6) % 7;
	time_t from = ny_on(monday, 0, 0), to = ny_on(monday + 7, 0, 0), t;
	const char *env = getenv("FRED_API_KEY");
	char monday_s[11], *key;
	json_t *dates, *v;
	size_t i, j;
	int rc = 0;

	if ((env == NULL || *env == '\0') &&
	    *qgtm_cfg_str(cfg, "fetch.fred.api_key_file") == '\0')
		return 1;
	if ((key = qgtm_cfg_secret(cfg, "FRED_API_KEY",
	    "fetch.fred.api_key_file")) == NULL)
		return -1;
	qgtm_date_fmt(from, monday_s);
	for (i = 0; rc == 0 && i < sizeof fred_releases /
	    sizeof fred_releases[0]; i++) {
		dates = fred_release_dates(cfg, key, fred_releases[i].id,
		    monday_s);
		if (dates == NULL)
			rc = -1;
		json_array_foreach(dates, j, v)
			if (qgtm_time_parse(json_string_value(v), &t) == 0)
				add_event(events, cfg, fred_releases[i].kind,
				    ny_on((long)(t / 86400), 8, 30), from, to);
		json_decref(dates);
	}
	free(key);
	sort_events(events);
	return rc;
}

json_t *
qgtm_calendar_week(const struct qgtm_cfg *cfg, int y, int m, int d)
{
	long day = qgtm_days_from_civil(y, m, d);
	long monday = day - (qgtm_weekday(y, m, d) + 6) % 7;
	time_t from = ny_on(monday, 0, 0), to = ny_on(monday + 7, 0, 0);
	json_t *events = json_array();

	add_weekly(events, cfg, monday, from, to);
	add_cot(events, cfg, monday, from, to);
	add_fomc(events, cfg, from, to);
	sort_events(events);
	return events;
}
