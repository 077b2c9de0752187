/*
 * strategy.c: the strategy registry and the signal record every strategy
 * shares, so live signals and backtests are built by one code path.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strategy/strategy.h"

static const struct qgtm_strategy *const registry[] = {
	&qgtm_strategy_tsmom,
	&qgtm_strategy_xsmom,
	&qgtm_strategy_vol_risk_parity,
	&qgtm_strategy_gold_silver_ratio,
	&qgtm_strategy_real_rate_gold,
	&qgtm_strategy_cot_positioning,
	&qgtm_strategy_inventory_surprise,
	&qgtm_strategy_combined,
};
#define NSTRATEGIES (sizeof registry / sizeof registry[0])

const struct qgtm_strategy *
qgtm_strategy_find(const char *name)
{
	size_t i;

	for (i = 0; i < NSTRATEGIES; i++)
		if (strcmp(registry[i]->name, name) == 0)
			return registry[i];
	return NULL;
}

const char *
qgtm_strategy_names(void)
{
	static char names[256];
	size_t i, len = 0;

	if (names[0] != '\0')
		return names;
	for (i = 0; i < NSTRATEGIES && len < sizeof names; i++)
		len += (size_t)snprintf(names + len, sizeof names - len, "%s%s",
		    i > 0 ? " " : "", registry[i]->name);
	return names;
}

/* The last parameters hashed and their hash (params_hash()). */
static json_t *params_last;
static char params_last_hash[17];

/* 16 hex digits of the SHA-256 of the canonical parameters. The last
 * parameters hashed and their hash are kept: a backtest asks at every
 * session with equal ones, and comparing is cheaper than serializing. */
static void
params_hash(json_t *params, char out[17])
{
	char *canon, hex[65];

	if (params_last == NULL || !json_equal(params_last, params)) {
		canon = json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS);
		qgtm_sha256_hex(canon, strlen(canon), hex);
		free(canon);
		memcpy(params_last_hash, hex, 16);
		params_last_hash[16] = '\0';
		json_decref(params_last);
		params_last = json_deep_copy(params);
	}
	memcpy(out, params_last_hash, sizeof params_last_hash);
}

void
qgtm_strategy_cache_drop(void)
{
	json_decref(params_last);
	params_last = NULL;
	memset(params_last_hash, 0, sizeof params_last_hash);
}

json_t *
qgtm_strategy_signal(const struct qgtm_strategy *st,
    const struct qgtm_cfg *cfg, time_t as_of)
{
	char hash[17], trace[33], ts[21], *seed;
	json_t *params, *targets, *rec;
	time_t data_as_of = 0;

	params = st->params(cfg);
	targets = json_array();
	if (st->targets(cfg, params, as_of, targets, &data_as_of) == -1) {
		json_decref(params);
		json_decref(targets);
		return NULL;
	}
	params_hash(params, hash);
	seed = qgtm_xasprintf("%s|%s|%s", st->name, qgtm_time_fmt(as_of, ts),
	    hash);
	if (qgtm_trace_id_new(trace, seed) == -1) {
		free(seed);
		json_decref(params);
		json_decref(targets);
		return NULL;
	}
	free(seed);
	rec = qgtm_record_new("signal", trace);
	json_object_set_new(rec, "strategy", json_string(st->name));
	json_object_set_new(rec, "params", params);
	json_object_set_new(rec, "params_hash", json_string(hash));
	json_object_set_new(rec, "as_of", json_string(qgtm_time_fmt(as_of, ts)));
	json_object_set_new(rec, "data_as_of",
	    json_string(qgtm_time_fmt(data_as_of, ts)));
	json_object_set_new(rec, "targets", targets);
	return rec;
}

/* The value of schema key k in cfg as a new JSON value. */
static json_t *
key_value(const struct qgtm_cfg *cfg, const struct qgtm_cfg_key *k)
{
	switch (k->type) {
	case QGTM_CFG_INT:
		return json_integer((json_int_t)qgtm_cfg_int(cfg, k->path));
	case QGTM_CFG_NUM:
		return json_real(qgtm_cfg_num(cfg, k->path));
	case QGTM_CFG_BOOL:
		return json_boolean(qgtm_cfg_bool(cfg, k->path));
	case QGTM_CFG_LIST:
		return json_incref(qgtm_cfg_list(cfg, k->path));
	default:
		return json_string(qgtm_cfg_str(cfg, k->path));
	}
}

json_t *
qgtm_strategy_params(const struct qgtm_cfg *cfg, const char *name,
    int prices)
{
	json_t *p = json_object();
	size_t i, len;
	char prefix[64];

	len = (size_t)snprintf(prefix, sizeof prefix, "signal.%s.", name);
	for (i = 0; i < qgtm_cfg_nkeys; i++)
		if (strncmp(qgtm_cfg_keys[i].path, prefix, len) == 0)
			json_object_set_new(p, qgtm_cfg_keys[i].path + len,
			    key_value(cfg, &qgtm_cfg_keys[i]));
	if (prices) {
		json_object_set(p, "universe", qgtm_cfg_list(cfg,
		    "common.universe"));
		json_object_set_new(p, "source", json_string(qgtm_cfg_str(cfg,
		    "common.price_source")));
	}
	return p;
}

json_t *
qgtm_strategy_dec(double x)
{
	int64_t v;

	if (qgtm_dec_from_double(x, QGTM_WEIGHT_SCALE, &v) == -1)
		v = 0;
	return qgtm_dec_json(v, QGTM_WEIGHT_SCALE);
}

void
qgtm_strategy_target(json_t *targets, const char *symbol, double w,
    json_t *reason)
{
	json_array_append_new(targets, json_pack("{s:s,s:o,s:o}", "symbol",
	    symbol, "weight", qgtm_strategy_dec(w), "reason", reason));
}

json_t *
qgtm_strategy_no_data(const char *source, const char *series)
{
	char what[64], hint[64];

	snprintf(what, sizeof what, "%s/%s", source, series);
	snprintf(hint, sizeof hint, "run qgtm-fetch %s", source);
	return json_pack("{s:s,s:s}", "no_data", what, "hint", hint);
}

/* A bar's date "YYYY-MM-DD" as the integer YYYYMMDD, which orders as the
 * text does; -1 when it is not digits in that shape. */
static long
date_num(const char *date)
{
	static const int at[] = { 0, 1, 2, 3, 5, 6, 8, 9 };
	long v = 0;
	size_t i;

	if (date[4] != '-' || date[7] != '-')
		return -1;
	for (i = 0; i < sizeof at / sizeof *at; i++) {
		if (date[at[i]] < '0' || date[at[i]] > '9')
			return -1;
		v = v * 10 + (date[at[i]] - '0');
	}
	return v;
}

/* The day of the last NYSE session of month m of year y, or 0. */
static int
last_session_day(int y, int m)
{
	struct qgtm_date d;
	long day;

	for (day = qgtm_days_from_civil(m == 12 ? y + 1 : y, m % 12 + 1, 1) - 1;
	    ; day--) {
		d = qgtm_civil_from_days(day);
		if (d.month != m)
			return 0;
		if (qgtm_nyse_is_trading_day(d.year, d.month, d.day))
			return d.day;
	}
}

/* out[k]: the index of the newest month-end session among bars[0..k], or
 * -1 (a qgtm_causal_fill). A bar is its month's last session when no NYSE
 * session follows it in its month: the calendar's knowledge, worked out
 * once a month. */
static void
fill_formation(const struct qgtm_bar *bars, size_t n, double *out,
    const void *arg)
{
	double last = -1;
	long v, month = -1;
	int end = 0;
	size_t k;

	(void)arg;
	for (k = 0; k < n; k++) {
		if ((v = date_num(bars[k].date)) >= 0) {
			if (v / 100 != month) {
				month = v / 100;
				end = last_session_day((int)(month / 100),
				    (int)(month % 100));
			}
			if (v % 100 >= end)
				last = (double)k;
		}
		out[k] = last;
	}
}

long
qgtm_strategy_formation(const struct qgtm_series *s)
{
	if (s->n == 0)
		return -1;
	return (long)qgtm_series_causal(s, s->n - 1, "strategy.formation",
	    fill_formation, NULL);
}

/* out[k]: the index of the last bar dated in or before the month `*arg`
 * months before that of bar k, or -1 (a qgtm_causal_fill). Dates increase
 * along a series, so the index only moves forward; they are compared as
 * YYYYMMDD integers, the limit being day 31 of that month. */
static void
fill_months_back(const struct qgtm_bar *bars, size_t n, double *out,
    const void *arg)
{
	int months = *(const int *)arg;
	long j = -1, v, y, m;
	size_t k;

	for (k = 0; k < n; k++) {
		if ((v = date_num(bars[k].date)) < 0) {
			out[k] = -1;
			continue;
		}
		y = v / 10000;
		m = v / 100 % 100 - months;
		while (m < 1) {
			m += 12;
			y--;
		}
		while (j < (long)k &&
		    date_num(bars[j + 1].date) <= y * 10000 + m * 100 + 31)
			j++;
		out[k] = (double)j;
	}
}

long
qgtm_strategy_months_back(const struct qgtm_series *s, long f, int months)
{
	char key[48];

	if (f < 0 || (size_t)f >= s->n)
		return -1;
	snprintf(key, sizeof key, "strategy.months_back %d", months);
	return (long)qgtm_series_causal(s, (size_t)f, key, fill_months_back,
	    &months);
}

double *
qgtm_strategy_returns(const struct qgtm_series *s, size_t from, size_t to)
{
	double *r = qgtm_xcalloc(to > from ? to - from : 1, sizeof *r);
	size_t i;

	for (i = from + 1; i <= to; i++)
		r[i - from - 1] = (double)s->bars[i].close /
		    (double)s->bars[i - 1].close - 1.0;
	return r;
}

struct qgtm_series *
qgtm_strategy_bars(json_t *params, time_t as_of, size_t *n)
{
	json_t *universe = json_object_get(params, "universe"), *v;
	const char *source = json_string_value(json_object_get(params, "source"));
	struct qgtm_series *s;
	size_t i, have = 0;
	char ts[21];

	*n = json_array_size(universe);
	s = qgtm_xcalloc(*n > 0 ? *n : 1, sizeof *s);
	json_array_foreach(universe, i, v) {
		if (qgtm_pit_bars(source, json_string_value(v), as_of, &s[i]) == -1) {
			qgtm_strategy_bars_free(s, *n);
			return NULL;
		}
		have += s[i].n > 0;
	}
	if (have == 0) {
		qgtm_strategy_bars_free(s, *n);
		qgtm_seterr(QGTM_EX_NOINPUT, "no '%s' bars in the store as of %s "
		    "(run qgtm-fetch %s first)", source, qgtm_time_fmt(as_of, ts),
		    source);
		return NULL;
	}
	return s;
}

void
qgtm_strategy_bars_free(struct qgtm_series *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		qgtm_series_release(&s[i]);
	free(s);
}

int
qgtm_strategy_band(const double *z, size_t n, double entry, double exit)
{
	int state = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!isfinite(z[i]))
			continue;
		if (z[i] >= entry)
			state = 1;
		else if (z[i] <= -entry)
			state = -1;
		else if ((state == 1 && z[i] <= exit) ||
		    (state == -1 && z[i] >= -exit))
			state = 0;
	}
	return state;
}

/*
 * The combination: each budgeted strategy's targets scaled by its budget
 * in exact decimals, so the contributions to a symbol sum to its weight.
 */
static json_t *
combined_params(const struct qgtm_cfg *cfg)
{
	json_t *p = qgtm_strategy_params(cfg, "combined", 0);
	json_t *components = json_object(), *v;
	const struct qgtm_strategy *st;
	size_t i, len;
	char name[64];

	json_array_foreach(json_object_get(p, "budgets"), i, v) {
		len = strcspn(json_string_value(v), "=");
		snprintf(name, sizeof name, "%.*s", (int)len, json_string_value(v));
		if ((st = qgtm_strategy_find(name)) != NULL &&
		    st != &qgtm_strategy_combined)
			json_object_set_new(components, name, st->params(cfg));
	}
	json_object_set_new(p, "components", components);
	json_object_set_new(p, "source", json_string(qgtm_cfg_str(cfg,
	    "common.price_source")));
	return p;
}

/* Parse "name=budget" into its strategy and budget (QGTM_WEIGHT_SCALE). */
static const struct qgtm_strategy *
parse_budget(const char *item, int64_t *budget)
{
	const char *eq = strchr(item, '=');
	const struct qgtm_strategy *st = NULL;
	char name[64];

	if (eq != NULL && (size_t)(eq - item) < sizeof name) {
		snprintf(name, sizeof name, "%.*s", (int)(eq - item), item);
		st = qgtm_strategy_find(name);
	}
	if (st == NULL || st == &qgtm_strategy_combined ||
	    qgtm_dec_parse(eq + 1, QGTM_WEIGHT_SCALE, budget) == -1) {
		qgtm_seterr(QGTM_EX_CONFIG, "signal.combined.budgets: bad item "
		    "'%s' (expected NAME=BUDGET with NAME one of: %s)", item,
		    qgtm_strategy_names());
		return NULL;
	}
	return st;
}

/* The combined target of symbol in out, appended when new. Borrowed. */
static json_t *
combined_target(json_t *out, const char *symbol)
{
	json_t *t;
	size_t i;

	json_array_foreach(out, i, t)
		if (strcmp(json_string_value(json_object_get(t, "symbol")),
		    symbol) == 0)
			return t;
	t = json_pack("{s:s,s:I,s:{},s:{}}", "symbol", symbol, "weight",
	    (json_int_t)0, "contributions", "reason");
	json_array_append_new(out, t);
	return t;
}

/* Add budget times each of one strategy's targets into out. */
static int
add_component(json_t *out, const char *name, int64_t budget, json_t *targets)
{
	json_t *t, *ct;
	int64_t w, c;
	size_t i;

	json_array_foreach(targets, i, t) {
		if (qgtm_dec_parse(json_string_value(json_object_get(t, "weight")),
		    QGTM_WEIGHT_SCALE, &w) == -1 ||
		    qgtm_dec_mul(budget, QGTM_WEIGHT_SCALE, w, QGTM_WEIGHT_SCALE,
		    QGTM_WEIGHT_SCALE, &c) == -1)
			return qgtm_seterr(QGTM_EX_SOFTWARE, "%s: bad weight",
			    name);
		ct = combined_target(out, json_string_value(json_object_get(t,
		    "symbol")));
		json_object_set_new(ct, "weight", json_integer(json_integer_value(
		    json_object_get(ct, "weight")) + c));
		json_object_set_new(json_object_get(ct, "contributions"), name,
		    qgtm_dec_json(c, QGTM_WEIGHT_SCALE));
		json_object_set(json_object_get(ct, "reason"), name,
		    json_object_get(t, "reason"));
	}
	return 0;
}

/* Does an item before item i of budgets name strategy name? */
static int
listed_before(json_t *budgets, size_t i, const char *name)
{
	size_t k, len = strlen(name);
	const char *item;

	for (k = 0; k < i; k++) {
		item = json_string_value(json_array_get(budgets, k));
		if (strncmp(item, name, len) == 0 && item[len] == '=')
			return 1;
	}
	return 0;
}

/* The annualized sample sd of the last `days` daily returns of the
 * portfolio part (its weights held fixed) from the closes of source as of
 * as_of, into *vol; NAN when a held symbol has fewer than days + 1 bars. */
static int
part_vol(json_t *part, const char *source, size_t days, time_t as_of,
    double *vol)
{
	double *r = qgtm_xcalloc(days + 1, sizeof *r), *ri, w;
	struct qgtm_series s;
	size_t i, k;
	json_t *t;

	*vol = NAN;
	json_array_foreach(part, i, t) {
		w = strtod(json_string_value(json_object_get(t, "weight")), NULL);
		if (w == 0)
			continue;
		if (qgtm_pit_bars(source, json_string_value(json_object_get(t,
		    "symbol")), as_of, &s) == -1) {
			free(r);
			return -1;
		}
		if (s.n < days + 1 || days < 2) {
			qgtm_series_release(&s);
			free(r);
			return 0;
		}
		ri = qgtm_strategy_returns(&s, s.n - 1 - days, s.n - 1);
		for (k = 0; k < days; k++)
			r[k] += w * ri[k];
		free(ri);
		qgtm_series_release(&s);
	}
	*vol = qgtm_math_sd(r, days) * sqrt(252.0);
	free(r);
	return 0;
}

/* With target_vol > 0, turn budget into budget * target_vol / the ex-ante
 * vol of part (0 when that is unknown or 0), rounded to 6 places. */
static int
risk_budget(json_t *params, json_t *part, time_t as_of, int64_t *budget)
{
	double tv = json_real_value(json_object_get(params, "target_vol")), vol;

	if (tv <= 0)
		return 0;
	if (part_vol(part, json_string_value(json_object_get(params, "source")),
	    (size_t)json_integer_value(json_object_get(params, "vol_days")),
	    as_of, &vol) == -1)
		return -1;
	if (!isfinite(vol) || vol <= 0 || qgtm_dec_from_double(
	    qgtm_dec_to_double(*budget, QGTM_WEIGHT_SCALE) * tv / vol,
	    QGTM_WEIGHT_SCALE, budget) == -1)
		*budget = 0;
	return 0;
}

static int
combined_targets(const struct qgtm_cfg *cfg, json_t *params, time_t as_of,
    json_t *targets, time_t *data_as_of)
{
	json_t *v, *part, *t;
	const struct qgtm_strategy *st;
	time_t when;
	int64_t budget;
	size_t i;
	int rc = 0;

	*data_as_of = 0;
	json_array_foreach(json_object_get(params, "budgets"), i, v) {
		if ((st = parse_budget(json_string_value(v), &budget)) == NULL)
			return -1;
		if (listed_before(json_object_get(params, "budgets"), i, st->name))
			return qgtm_seterr(QGTM_EX_CONFIG, "signal.combined.budgets: "
			    "strategy '%s' listed twice", st->name);
		part = json_array();
		rc = st->targets(cfg, json_object_get(json_object_get(params,
		    "components"), st->name), as_of, part, &when);
		if (rc == 0)
			rc = risk_budget(params, part, as_of, &budget);
		if (rc == 0)
			rc = add_component(targets, st->name, budget, part);
		json_decref(part);
		if (rc == -1)
			return -1;
		if (when > *data_as_of)
			*data_as_of = when;
	}
	json_array_foreach(targets, i, t)
		json_object_set_new(t, "weight", qgtm_dec_json(json_integer_value(
		    json_object_get(t, "weight")), QGTM_WEIGHT_SCALE));
	return 0;
}

const struct qgtm_strategy qgtm_strategy_combined = {
	"combined", combined_params, combined_targets,
};

int
qgtm_strategy_date_add(const char *date, long days, char out[11])
{
	struct qgtm_date d;
	int y, m, dd;
	char buf[40];

	if (sscanf(date, "%4d-%2d-%2d", &y, &m, &dd) != 3)
		return qgtm_seterr(QGTM_EX_DATAERR, "bad date '%s'", date);
	d = qgtm_civil_from_days(qgtm_days_from_civil(y, m, dd) + days);
	snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
	memcpy(out, buf, 10);
	out[10] = '\0';
	return 0;
}
