/*
 * tsmom.c: time-series momentum after Moskowitz, Ooi and Pedersen (2012),
 * "Time series momentum", JFE 104(2):228-250: each month-end, hold each
 * instrument long or short by the sign of its past 12-month return, sized
 * to target_vol / sigma where sigma is the exponentially weighted ex-ante
 * volatility of Eq. 1 (centre of mass 60 days, annualized by 261), and
 * average equally over the instruments (Eq. 5). Weights are also capped at
 * max_weight. Returns are price returns: excess over cash needs the FRED
 * feed and is not applied here (documented in qgtm-signal(1)).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qgtm.h"

double
qgtm_tsmom_sigma(const double *r, size_t n, double com, double annualization)
{
	double delta = com / (1.0 + com), w = 1.0, wsum = 0, mean = 0, var = 0;
	size_t i;

	if (n < 2)
		return NAN;
	for (i = 0; i < n; i++, w *= delta) {
		mean += w * r[n - 1 - i];
		wsum += w;
	}
	mean /= wsum;
	w = 1.0;
	for (i = 0; i < n; i++, w *= delta)
		var += w * (r[n - 1 - i] - mean) * (r[n - 1 - i] - mean);
	return sqrt(annualization * var / wsum);
}

static json_t *
tsmom_params(const struct qgtm_cfg *cfg)
{
	return json_pack("{s:I,s:I,s:I,s:f,s:f,s:O,s:s}",
	    "lookback_months", (json_int_t)qgtm_cfg_int(cfg,
	    "signal.tsmom.lookback_months"),
	    "vol_com_days", (json_int_t)qgtm_cfg_int(cfg,
	    "signal.tsmom.vol_com_days"),
	    "annualization", (json_int_t)qgtm_cfg_int(cfg,
	    "signal.tsmom.annualization"),
	    "target_vol", qgtm_cfg_num(cfg, "signal.tsmom.target_vol"),
	    "max_weight", qgtm_cfg_num(cfg, "signal.tsmom.max_weight"),
	    "universe", qgtm_cfg_list(cfg, "common.universe"),
	    "source", qgtm_cfg_str(cfg, "common.price_source"));
}

/* Is date the last NYSE session of its month? */
static int
month_end_session(const char *date)
{
	int y, m, d;
	long day;
	struct qgtm_date next;

	if (sscanf(date, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return 0;
	for (day = qgtm_days_from_civil(y, m, d) + 1;; day++) {
		next = qgtm_civil_from_days(day);
		if (next.month != m)
			return 1;
		if (qgtm_nyse_is_trading_day(next.year, next.month, next.day))
			return 0;
	}
}

/* Index of the newest month-end bar, or -1. */
static long
formation_index(const struct qgtm_series *s)
{
	long i;

	for (i = (long)s->n - 1; i >= 0; i--)
		if (month_end_session(s->bars[i].date))
			return i;
	return -1;
}

/* Index of the last bar in or before the month `months` before bar f. */
static long
lookback_index(const struct qgtm_series *s, long f, int months)
{
	char limit[24];
	int y, m, d;
	long i;

	if (sscanf(s->bars[f].date, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return -1;
	m -= months;
	while (m < 1) {
		m += 12;
		y--;
	}
	snprintf(limit, sizeof limit, "%04d-%02d-31", y, m);
	for (i = f; i >= 0; i--)
		if (strcmp(s->bars[i].date, limit) <= 0)
			return i;
	return -1;
}

/* One symbol's measured inputs. */
struct tsmom_leg {
	const char *symbol;
	int ok;
	double ret, sigma;
	long f, from;
};

/* Measure ret_12m and sigma for one series; leg->ok = 0 when too short. */
static void
measure(const struct qgtm_series *s, json_t *params, struct tsmom_leg *leg)
{
	double *r;
	long i;

	leg->ok = 0;
	if ((leg->f = formation_index(s)) < 1)
		return;
	leg->from = lookback_index(s, leg->f, (int)json_integer_value(
	    json_object_get(params, "lookback_months")));
	if (leg->from < 0 || leg->from == leg->f)
		return;
	r = qgtm_xcalloc((size_t)leg->f, sizeof *r);
	for (i = 1; i <= leg->f; i++)
		r[i - 1] = (double)s->bars[i].close / (double)s->bars[i - 1].close
		    - 1.0;
	leg->sigma = qgtm_tsmom_sigma(r, (size_t)leg->f, (double)
	    json_integer_value(json_object_get(params, "vol_com_days")),
	    (double)json_integer_value(json_object_get(params, "annualization")));
	free(r);
	leg->ret = (double)s->bars[leg->f].close /
	    (double)s->bars[leg->from].close - 1.0;
	leg->ok = isfinite(leg->sigma) && leg->sigma > 0;
}

/* A double as a decimal string of 6 places (weights and reasons). */
static json_t *
dec6(double x)
{
	char buf[32];
	int64_t v;

	if (qgtm_dec_from_double(x, QGTM_WEIGHT_SCALE, &v) == -1)
		v = 0;
	return json_string(qgtm_dec_fmt(v, QGTM_WEIGHT_SCALE, buf, sizeof buf));
}

/* The target object of one leg given the number n of live legs. */
static json_t *
leg_target(const struct tsmom_leg *leg, const struct qgtm_series *s,
    json_t *params, int n)
{
	double tv = json_real_value(json_object_get(params, "target_vol"));
	double cap = json_real_value(json_object_get(params, "max_weight"));
	double w = 0;
	json_t *reason = json_object();

	if (leg->ok) {
		w = (leg->ret > 0 ? 1.0 : leg->ret < 0 ? -1.0 : 0.0) *
		    tv / leg->sigma / n;
		w = fmax(-cap, fmin(cap, w));
		json_object_set_new(reason, "formation",
		    json_string(s->bars[leg->f].date));
		json_object_set_new(reason, "lookback_from",
		    json_string(s->bars[leg->from].date));
		json_object_set_new(reason, "ret_12m", dec6(leg->ret));
		json_object_set_new(reason, "sigma", dec6(leg->sigma));
	} else
		json_object_set_new(reason, "insufficient_history",
		    json_integer((json_int_t)s->n));
	return json_pack("{s:s,s:o,s:o}", "symbol", leg->symbol, "weight",
	    dec6(w), "reason", reason);
}

static int
tsmom_targets(const struct qgtm_cfg *cfg, json_t *params, time_t as_of,
    json_t *targets, time_t *data_as_of)
{
	json_t *universe = json_object_get(params, "universe"), *v;
	const char *source = json_string_value(json_object_get(params, "source"));
	size_t i, n = json_array_size(universe), have = 0;
	struct qgtm_series *s = qgtm_xcalloc(n, sizeof *s);
	struct tsmom_leg *legs = qgtm_xcalloc(n, sizeof *legs);
	int live = 0, rc = 0;
	char ts[21];

	(void)cfg;
	*data_as_of = 0;
	json_array_foreach(universe, i, v) {
		legs[i].symbol = json_string_value(v);
		if ((rc = qgtm_pit_bars(source, legs[i].symbol, as_of, &s[i])) == -1)
			break;
		have += s[i].n > 0;
		measure(&s[i], params, &legs[i]);
		live += legs[i].ok;
		if (legs[i].ok && s[i].bars[legs[i].f].available_at > *data_as_of)
			*data_as_of = s[i].bars[legs[i].f].available_at;
	}
	if (rc == 0 && have == 0)
		rc = qgtm_seterr(QGTM_EX_NOINPUT, "no '%s' bars in the store as of "
		    "%s (run qgtm-fetch %s first)", source,
		    qgtm_time_fmt(as_of, ts), source);
	for (i = 0; rc == 0 && i < n; i++)
		json_array_append_new(targets, leg_target(&legs[i], &s[i], params,
		    live > 0 ? live : 1));
	for (i = 0; i < n; i++)
		qgtm_series_release(&s[i]);
	free(s);
	free(legs);
	return rc;
}

const struct qgtm_strategy qgtm_strategy_tsmom = {
	"tsmom", tsmom_params, tsmom_targets,
};
