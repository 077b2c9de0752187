/*
 * feed_sim.c: the sim world, the six providers of qgtm-fetch as the sim
 * market would have them. For a feed of fetch.sim.feeds the driver asks
 * here for each page instead of the network and hands it to the real
 * source's parser, so the records, their release times, the store and the
 * feed health are those of the real feed. Each source answers in its
 * provider's shape (the shapes of tests/standin/feeds.py):
 *   alpaca, openbb  the sim market's daily bars;
 *   lbma            gold and silver fixes following GLD and SLV;
 *   fred            DFII10 (moving against gold), T10YIE, DGS10 (their
 *                   sum) and DTWEXBGS, a value per business day ("." on a
 *                   federal holiday), first published the next business
 *                   day; DTWEXBGS on the Monday after its week and revised
 *                   a week later (ALFRED vintages);
 *   cftc            weekly managed-money positions of each contract, the
 *                   positions of Tuesday (Monday when Tuesday is a federal
 *                   holiday), served once CFTC would have released them;
 *                   speculators chase the 13-week trend of the metal;
 *   eia             weekly crude stocks (week ending Friday): a seasonal
 *                   cycle of builds and draws plus a surprise, served
 *                   from the Wednesday release on. The expectation the
 *                   inventory surprise is measured against is that
 *                   seasonal cycle, estimated by the strategy from the
 *                   same history.
 * Every path runs day by day from fetch.sim.start with a stream of its
 * own, so a value depends on the seed and its date only.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/data.h"

/* The built-in symbol of each CFTC contract the sim world knows. */
static const struct {
	const char *code, *symbol;
	double oi;              /* typical open interest, contracts */
} contracts[] = {
	{ "088691", "GLD", 500000 },    /* gold, COMEX */
	{ "084691", "SLV", 150000 },    /* silver, COMEX */
	{ "067651", "USO", 1800000 },   /* WTI crude, NYMEX */
};

/* A day (since the epoch) as YYYY-MM-DD. */
static char *
day_fmt(long day, char out[11])
{
	struct qgtm_date d = qgtm_civil_from_days(day);

	snprintf(out, 11, "%04d-%02d-%02d", d.year, d.month, d.day);
	return out;
}

static int
weekday_of(long day)
{
	struct qgtm_date d = qgtm_civil_from_days(day);

	return qgtm_weekday(d.year, d.month, d.day);
}

static int
holiday(long day)
{
	struct qgtm_date d = qgtm_civil_from_days(day);

	return qgtm_federal_holiday(d.year, d.month, d.day);
}

static int
business_day(long day)
{
	int wd = weekday_of(day);

	return wd != 0 && wd != 6 && !holiday(day);
}

/* The stream of name: the seed mixed with the name (FNV-1a). */
static uint64_t
stream(const struct qgtm_cfg *cfg, const char *name)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *name != '\0'; name++)
		h = (h ^ (unsigned char)*name) * 1099511628211ULL;
	return (uint64_t)qgtm_cfg_int(cfg, "fetch.sim.seed") ^ h;
}

static long
start_day(const struct qgtm_cfg *cfg)
{
	time_t t = 0;

	qgtm_time_parse(qgtm_cfg_str(cfg, "fetch.sim.start"), &t);
	return (long)(t / 86400);
}

/* The first day to serve of series: the day after the newest stored
 * (back_days before it, for revisions), or on a first fetch
 * fetch.sim.history_days ago for the weekly reports (cftc, eia: the
 * strategies need years of them) and fetch.lookback_days ago for the
 * daily series, as for the real feeds. */
static int
since_day(struct qgtm_feed *f, const char *series, int back_days, long *out)
{
	char last[11];
	time_t t;

	if (qgtm_pit_last_date(f->src->name, series, last) == -1)
		return -1;
	if (last[0] == '\0' || qgtm_time_parse(last, &t) == -1)
		*out = (long)(f->now / 86400) - qgtm_cfg_int(f->cfg,
		    strcmp(f->src->name, "cftc") == 0 ||
		    strcmp(f->src->name, "eia") == 0 ?
		    "fetch.sim.history_days" : "fetch.lookback_days");
	else
		*out = (long)(t / 86400) + (back_days > 0 ? -back_days : 1);
	if (*out < start_day(f->cfg))
		*out = start_day(f->cfg);
	return 0;
}

/* The sim market's closes of symbol, one per calendar day from the start
 * to today (the last close on a day without a session; 0 before the
 * first), as a new array of count *n. */
static double *
closes(struct qgtm_feed *f, const char *symbol, long *n)
{
	struct qgtm_sim sim = { (uint64_t)qgtm_cfg_int(f->cfg, "fetch.sim.seed"),
	    start_day(f->cfg) };
	long from = sim.start_day, to = (long)(f->now / 86400), day;
	json_t *u = json_pack("[s]", symbol);
	struct qgtm_series s;
	double *c, last = 0;
	size_t k = 0;
	time_t t;

	*n = to - from + 1;
	c = qgtm_xcalloc((size_t)*n + 1, sizeof *c);
	if (qgtm_sim_bars(&sim, u, from, to, f->now, &s) == -1) {
		qgtm_series_release(&s);
		json_decref(u);
		free(c);
		return NULL;
	}
	for (day = from; day <= to; day++) {
		if (k < s.n && qgtm_time_parse(s.bars[k].date, &t) == 0 &&
		    (long)(t / 86400) == day)
			last = (double)s.bars[k++].close / 1e6;
		c[day - from] = last;
	}
	qgtm_series_release(&s);
	json_decref(u);
	return c;
}

/* ----------------------------------------------------- alpaca, openbb -- */

/* The bars of the symbols of universe from day from as out[k]. */
static int
market_bars(struct qgtm_feed *f, json_t *universe, long from,
    struct qgtm_series *out)
{
	struct qgtm_sim sim = { (uint64_t)qgtm_cfg_int(f->cfg, "fetch.sim.seed"),
	    start_day(f->cfg) };

	return qgtm_sim_bars(&sim, universe, from, (long)(f->now / 86400),
	    f->now, out);
}

/* One bar in keys o h l c v (Alpaca) or open ... volume (OpenBB). */
static json_t *
bar_json(const struct qgtm_bar *b, int openbb)
{
	json_t *o = json_pack("{s:f,s:f,s:f,s:f,s:I}",
	    openbb ? "open" : "o", (double)b->open / 1e6,
	    openbb ? "high" : "h", (double)b->high / 1e6,
	    openbb ? "low" : "l", (double)b->low / 1e6,
	    openbb ? "close" : "c", (double)b->close / 1e6,
	    openbb ? "volume" : "v", (json_int_t)b->volume);
	struct qgtm_date d;
	char t[32];
	time_t day;

	if (openbb) {
		json_object_set_new(o, "date", json_string(b->date));
		json_object_set_new(o, "vwap", json_null());
		return o;
	}
	/* Alpaca stamps a daily bar with midnight New York, in UTC. */
	qgtm_time_parse(b->date, &day);
	d = qgtm_civil_from_days((long)(day / 86400));
	qgtm_time_fmt(qgtm_ny_time(d.year, d.month, d.day, 0, 0), t);
	json_object_set_new(o, "t", json_string(t));
	json_object_set_new(o, "n", json_integer(b->volume / 100));
	return o;
}

/* The symbols of unit ("A,B,C") as a new array. */
static json_t *
split_symbols(const char *unit)
{
	json_t *a = json_array();
	size_t n;

	while (*unit != '\0') {
		n = strcspn(unit, ",");
		json_array_append_new(a, json_stringn(unit, n));
		unit += n + (unit[n] == ',');
	}
	return a;
}

static json_t *
market_page(struct qgtm_feed *f, const char *unit, int openbb)
{
	json_t *syms = split_symbols(unit), *v, *bars, *arr, *page = NULL;
	struct qgtm_series *s;
	long from = 0, d;
	size_t k, i, n = json_array_size(syms);
	int rc = 0;

	if (!openbb && strcmp(qgtm_cfg_str(f->cfg, "fetch.alpaca.timeframe"),
	    "1Day") != 0) {
		json_decref(syms);
		qgtm_seterr(QGTM_EX_CONFIG, "alpaca: the sim world has daily "
		    "bars only (fetch.alpaca.timeframe: 1Day)");
		return NULL;
	}
	json_array_foreach(syms, k, v) {
		if ((rc = since_day(f, json_string_value(v), 0, &d)) == -1)
			break;
		from = k == 0 || d < from ? d : from;
	}
	s = qgtm_xcalloc(n + 1, sizeof *s);
	if (rc == 0 && market_bars(f, syms, from, s) == 0) {
		bars = json_object();
		json_array_foreach(syms, k, v) {
			arr = json_array();
			for (i = 0; i < s[k].n; i++)
				json_array_append_new(arr, bar_json(&s[k].bars[i],
				    openbb));
			json_object_set_new(bars, json_string_value(v), arr);
		}
		if (openbb) {
			page = json_pack("{s:O,s:s}", "results",
			    json_object_get(bars, unit), "provider", "sim");
			json_decref(bars);
		} else
			page = json_pack("{s:o,s:n}", "bars", bars,
			    "next_page_token");
	}
	for (k = 0; k < n; k++)
		qgtm_series_release(&s[k]);
	free(s);
	json_decref(syms);
	return page;
}

/* --------------------------------------------------------------- lbma -- */

/* Is day a London fixing day (a weekday but Christmas, Boxing and New
 * Year's Day)? */
static int
london_day(long day)
{
	struct qgtm_date d = qgtm_civil_from_days(day);
	int wd = weekday_of(day);

	return wd != 0 && wd != 6 && !(d.month == 12 && d.day >= 25 &&
	    d.day <= 26) && !(d.month == 1 && d.day == 1);
}

static json_t *
lbma_page(struct qgtm_feed *f, const char *unit)
{
	int silver = strcmp(unit, "silver") == 0, am = strcmp(unit, "gold_am")
	    == 0;
	long n, i, from = start_day(f->cfg);
	double *c, usd, scale = silver ? 1.075 : 10.75;  /* metal per share */
	char date[11], today[11];
	json_t *page;

	if (!silver && !am && strcmp(unit, "gold_pm") != 0) {
		qgtm_seterr(QGTM_EX_PROTOCOL, "lbma: HTTP 404: not found");
		return NULL;
	}
	if ((c = closes(f, silver ? "SLV" : "GLD", &n)) == NULL)
		return NULL;
	qgtm_date_fmt(f->now - 15 * 3600, today);      /* fixed by 15:00 */
	page = json_array();
	for (i = 1; i < n; i++) {
		if (!london_day(from + i) || c[i - 1] <= 0 ||
		    strcmp(day_fmt(from + i, date), today) > 0)
			continue;
		/* The morning fix halfway from the last close to today's. */
		usd = scale * (am ? sqrt(c[i - 1] * c[i]) : c[i]);
		json_array_append_new(page, json_pack("{s:i,s:s,s:[f,f,f]}",
		    "is_cms_locked", 0, "d", date,
		    "v", round(usd * 1000) / 1000,
		    round(usd * 0.79 * 100) / 100, round(usd * 0.92 * 100) / 100));
	}
	free(c);
	return page;
}

/* --------------------------------------------------------------- fred -- */

/* One FRED series path: the value of each business day from the start. */
struct fred_path {
	double *v;              /* by day from the start; NAN: not a value */
	long n;
};

/* A mean-reverting path: level mu, daily sd sd, half-life hl days; with
 * gold: moving against the gold return of the day by rho. */
static void
ou_path(struct fred_path *p, uint64_t rng, long from, double x0, double mu,
    double sd, double hl, const double *gold, double rho)
{
	double x = x0, k = log(2.0) / hl, z, g;
	long i;

	for (i = 0; i < p->n; i++) {
		p->v[i] = NAN;
		if (weekday_of(from + i) % 6 == 0)
			continue;       /* no weekend observations */
		z = qgtm_sim_normal(&rng);
		if (!business_day(from + i))
			continue;       /* a weekday holiday: "." */
		g = gold != NULL && i > 0 && gold[i - 1] > 0 ?
		    log(gold[i] / gold[i - 1]) / 0.0095 : 0;
		if (gold != NULL)
			z = rho * g + sqrt(1 - rho * rho) * z;
		x += k * (mu - x) + sd * z;
		p->v[i] = x;
	}
}

/* The path of series over the days from the start to today. */
static int
fred_series(struct qgtm_feed *f, const char *series, struct fred_path *p)
{
	double vol = qgtm_cfg_num(f->cfg, "fetch.sim.rate_vol") /
	    sqrt(252.0), *gold = NULL;
	struct fred_path a;
	long from = start_day(f->cfg), i;

	p->n = (long)(f->now / 86400) - from + 1;
	p->v = qgtm_xcalloc((size_t)p->n + 1, sizeof *p->v);
	if (strcmp(series, "DTWEXBGS") == 0)
		ou_path(p, stream(f->cfg, series), from, 4.8, 4.8, 0.004, 500,
		    NULL, 0);
	else if (strcmp(series, "T10YIE") == 0)
		ou_path(p, stream(f->cfg, series), from, 2.2, 2.2, vol * 0.5,
		    250, NULL, 0);
	else if (strcmp(series, "DFII10") == 0 || strcmp(series, "DGS10") == 0) {
		if ((gold = closes(f, "GLD", &i)) == NULL)
			return -1;
		ou_path(p, stream(f->cfg, "DFII10"), from, 1.5, 1.0, vol, 750,
		    gold, -0.45);
		free(gold);
		if (strcmp(series, "DGS10") == 0) {
			a.n = p->n;
			a.v = qgtm_xcalloc((size_t)a.n + 1, sizeof *a.v);
			ou_path(&a, stream(f->cfg, "T10YIE"), from, 2.2, 2.2,
			    vol * 0.5, 250, NULL, 0);
			for (i = 0; i < p->n; i++)
				p->v[i] += a.v[i];
			free(a.v);
		}
	} else
		ou_path(p, stream(f->cfg, series), from, 2.0, 2.0, vol, 500,
		    NULL, 0);
	if (strcmp(series, "DTWEXBGS") == 0)
		for (i = 0; i < p->n; i++)
			p->v[i] = exp(p->v[i]);
	return 0;
}

/* Add the vintage (first, last] published on day start to obs. */
static void
add_vintage(json_t *obs, long date, long start, long end, double v,
    int places, long since)
{
	char d[11], rs[11], re[11], val[32];

	if (end < since)
		return;
	if (isnan(v))
		snprintf(val, sizeof val, ".");
	else
		snprintf(val, sizeof val, "%.*f", places, v);
	json_array_append_new(obs, json_pack("{s:s,s:s,s:s,s:s}",
	    "realtime_start", day_fmt(start > since ? start : since, rs),
	    "realtime_end", end == 2932896 ? "9999-12-31" : day_fmt(end, re),
	    "date", day_fmt(date, d), "value", val));
}

static json_t *
fred_page(struct qgtm_feed *f, const char *unit)
{
	int weekly = strcmp(unit, "DTWEXBGS") == 0;
	long from = start_day(f->cfg), today = (long)(f->now / 86400), since;
	long i, pub, rev, never = 2932896;      /* 9999-12-31 */
	struct fred_path p;
	uint64_t rng = stream(f->cfg, "revisions");
	char rs[11];
	json_t *obs;

	if (since_day(f, unit, weekly ? 14 : 7, &since) == -1 ||
	    fred_series(f, unit, &p) == -1)
		return NULL;
	obs = json_array();
	for (i = since - from; i >= 0 && i < p.n; i++) {
		if (weekday_of(from + i) % 6 == 0)
			continue;
		/* Published the next business day; DTWEXBGS the Monday after
		 * its week, and revised the Monday after that. */
		pub = from + i + 1;
		while (!business_day(pub) || (weekly && weekday_of(pub) != 1))
			pub++;
		if (pub > today)
			break;
		rev = weekly ? pub + 7 : never;
		if (rev > today)
			rev = never;
		add_vintage(obs, from + i, pub, rev == never ? never : rev - 1,
		    p.v[i], weekly ? 4 : 2, since);
		if (rev != never)
			add_vintage(obs, from + i, rev, never, p.v[i] *
			    (1 + 0.002 * qgtm_sim_normal(&rng)), 4, since);
	}
	free(p.v);
	return json_pack("{s:s,s:s,s:I,s:i,s:o}", "realtime_start",
	    day_fmt(since, rs), "realtime_end", "9999-12-31", "count",
	    (json_int_t)json_array_size(obs), "offset", 0, "observations", obs);
}

/* --------------------------------------------------------------- cftc -- */

/* The report date of the week of tuesday: Monday when it is a holiday. */
static long
report_day(long tuesday)
{
	return holiday(tuesday) ? tuesday - 1 : tuesday;
}

/* One row of the disaggregated report as Socrata sends it. */
static json_t *
cot_row(long day, const char *code, double oi, double lo, double sh)
{
	char date[32], n[3][32];

	day_fmt(day, date);
	snprintf(date + 10, sizeof date - 10, "T00:00:00.000");
	snprintf(n[0], sizeof n[0], "%.0f", oi);
	snprintf(n[1], sizeof n[1], "%.0f", lo);
	snprintf(n[2], sizeof n[2], "%.0f", sh);
	return json_pack("{s:s,s:s,s:s,s:s,s:s}", "report_date_as_yyyy_mm_dd",
	    date, "cftc_contract_market_code", code, "open_interest_all", n[0],
	    "m_money_positions_long_all", n[1], "m_money_positions_short_all",
	    n[2]);
}

/* Every released report of contract code from since on, as rows. */
static int
cot_rows(struct qgtm_feed *f, const char *code, long since, json_t *rows)
{
	double noise = qgtm_cfg_num(f->cfg, "fetch.sim.cot_noise"), oi0 = 100000;
	double *c = NULL, x = 0, r, lo, sh, oi;
	const char *sym = NULL;
	long from = start_day(f->cfg), n = 0, day, rd;
	uint64_t rng = stream(f->cfg, code);
	struct qgtm_date d;
	size_t i;

	for (i = 0; i < sizeof contracts / sizeof contracts[0]; i++)
		if (strcmp(contracts[i].code, code) == 0) {
			sym = contracts[i].symbol;
			oi0 = contracts[i].oi;
		}
	if (sym != NULL && (c = closes(f, sym, &n)) == NULL)
		return -1;
	oi = oi0;
	for (day = from + (9 - weekday_of(from)) % 7; ; day += 7) {
		rd = report_day(day);
		d = qgtm_civil_from_days(rd);
		if (qgtm_cot_release(d.year, d.month, d.day) > f->now)
			break;
		/* Speculators chase the 13-week trend, with a lag of noise. */
		r = c != NULL && rd - from < n && rd - from >= 91 &&
		    c[rd - from - 91] > 0 ? log(c[rd - from] /
		    c[rd - from - 91]) : 0;
		x = 0.7 * x + 0.3 * tanh(4 * r) + noise * qgtm_sim_normal(&rng);
		oi *= exp(0.03 * qgtm_sim_normal(&rng) - 0.1 * log(oi / oi0));
		lo = oi * fmax(0.02, 0.22 + 0.12 * x);
		sh = oi * fmax(0.02, 0.10 - 0.07 * x);
		if (rd < since)
			continue;
		json_array_append_new(rows, cot_row(rd, code, oi, lo, sh));
	}
	free(c);
	return 0;
}

static int
by_report(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int c = strcmp(json_string_value(json_object_get(x,
	    "report_date_as_yyyy_mm_dd")), json_string_value(json_object_get(y,
	    "report_date_as_yyyy_mm_dd")));

	return c != 0 ? c : strcmp(json_string_value(json_object_get(x,
	    "cftc_contract_market_code")), json_string_value(json_object_get(y,
	    "cftc_contract_market_code")));
}

static json_t *
cftc_page(struct qgtm_feed *f, const struct qgtm_feed_page *pg)
{
	json_t *list = qgtm_cfg_list(f->cfg, "fetch.cftc.contracts"), *v;
	json_t *rows = json_array(), *page = json_array();
	long since = 0, s, lim = (long)qgtm_cfg_int(f->cfg,
	    "fetch.cftc.page_rows");
	char series[32];
	json_t **sorted;
	size_t i, n;

	json_array_foreach(list, i, v) {
		snprintf(series, sizeof series, "%s-oi", json_string_value(v));
		if (since_day(f, series, 0, &s) == -1)
			goto fail;
		since = i == 0 || s < since ? s : since;
	}
	json_array_foreach(list, i, v)
		if (cot_rows(f, json_string_value(v), since, rows) == -1)
			goto fail;
	n = json_array_size(rows);
	sorted = qgtm_xcalloc(n + 1, sizeof *sorted);
	for (i = 0; i < n; i++)
		sorted[i] = json_array_get(rows, i);
	qsort(sorted, n, sizeof *sorted, by_report);
	for (i = (size_t)pg->offset; i < n && (long)i < pg->offset + lim; i++)
		json_array_append(page, sorted[i]);
	free(sorted);
	json_decref(rows);
	return page;
fail:
	json_decref(rows);
	json_decref(page);
	return NULL;
}

/* ---------------------------------------------------------------- eia -- */

static json_t *
eia_page(struct qgtm_feed *f, const char *unit)
{
	double noise = qgtm_cfg_num(f->cfg, "fetch.sim.eia_noise");
	double stocks = 430000, w, season;
	long from = start_day(f->cfg), since, day;
	uint64_t rng = stream(f->cfg, unit);
	struct qgtm_date d;
	char date[11], val[32];
	json_t *data;

	if (since_day(f, unit, 0, &since) == -1)
		return NULL;
	data = json_array();
	for (day = from + (12 - weekday_of(from)) % 7; ; day += 7) {
		d = qgtm_civil_from_days(day);
		if (qgtm_eia_release(d.year, d.month, d.day) > f->now)
			break;
		/* Builds in the first half of the year, draws in the second
		 * (refinery runs), pulled toward a long-run level. */
		w = 2 * M_PI * (double)(qgtm_days_from_civil(d.year, d.month,
		    d.day) - qgtm_days_from_civil(d.year, 1, 1)) / 365.25;
		season = 2500 * cos(w - 0.6);
		stocks += season + noise * qgtm_sim_normal(&rng) -
		    0.02 * (stocks - 430000);
		if (day < since)
			continue;
		snprintf(val, sizeof val, "%.0f", stocks);
		json_array_append_new(data, json_pack("{s:s,s:s,s:s,s:s,s:s,"
		    "s:s,s:s,s:s,s:s,s:s,s:s}", "period", day_fmt(day, date),
		    "duoarea", "NUS", "area-name", "U.S.", "product", "EPC0",
		    "product-name", "Crude Oil", "process", "SAX",
		    "process-name", "Ending Stocks Excluding SPR", "series",
		    unit, "series-description", "sim weekly crude stocks",
		    "value", val, "units", "MBBL"));
	}
	return json_pack("{s:{s:I,s:s,s:s,s:o,s:s}}", "response", "total",
	    (json_int_t)json_array_size(data), "dateFormat", "YYYY-MM-DD",
	    "frequency", "weekly", "data", data, "description", "sim");
}

/* ------------------------------------------------------------- driver -- */

int
qgtm_feed_is_sim(const struct qgtm_feed *f)
{
	json_t *v;
	size_t i;

	json_array_foreach(qgtm_cfg_list(f->cfg, "fetch.sim.feeds"), i, v)
		if (strcmp(json_string_value(v), f->src->name) == 0)
			return 1;
	return 0;
}

json_t *
qgtm_feed_sim_page(struct qgtm_feed *f, const char *unit,
    const struct qgtm_feed_page *pg)
{
	const char *name = f->src->name;

	if (strcmp(name, "alpaca") == 0)
		return market_page(f, unit, 0);
	if (strcmp(name, "openbb") == 0)
		return market_page(f, unit, 1);
	if (strcmp(name, "lbma") == 0)
		return lbma_page(f, unit);
	if (strcmp(name, "fred") == 0)
		return fred_page(f, unit);
	if (strcmp(name, "cftc") == 0)
		return cftc_page(f, pg);
	if (strcmp(name, "eia") == 0)
		return eia_page(f, unit);
	qgtm_seterr(QGTM_EX_CONFIG, "fetch.sim.feeds: the sim world has no "
	    "source '%s'", name);
	return NULL;
}
