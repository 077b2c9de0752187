/*
 * realrate.c: the real-rate gold model (after Erb and Harvey (2013), "The
 * golden dilemma", FAJ 69(4):10-42; practitioner parameters, see
 * qgtm-strategies(7)): over the last window_days sessions, regress
 * ln(gold close) on the FRED 10-year TIPS yield (DFII10) by OLS, pairing
 * each session with the newest yield dated at least lag_days before it
 * (the point-in-time rule: H.15 publishes with a lag), and run the
 * residual z-scores (residual / its sample sd) through the entry/exit
 * bands. Gold rich to its real rate (state +1) is held short, cheap long.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "strategy/strategy.h"

static json_t *
rr_params(const struct qgtm_cfg *cfg)
{
	json_t *p = qgtm_strategy_params(cfg, "real_rate_gold", 1);

	json_object_set_new(p, "universe", json_pack("[O]",
	    json_object_get(p, "symbol")));
	return p;
}

/* The regression sample: y = ln close, x = the lagged real yield. */
struct rr_fit {
	double *x, *y;
	size_t n;
	const struct qgtm_obs *last;    /* the newest yield used */
};

/* Pair the last `want` bars of g with the newest non-missing yield dated
 * lag days or more before each; fit->n = 0 when some bar has none. */
static int
pair(const struct qgtm_series *g, const struct qgtm_obs_series *o,
    size_t want, long lag, struct rr_fit *fit)
{
	size_t i, j = 0, k = 0;
	const struct qgtm_obs *best = NULL;
	char cut[11];

	fit->n = 0;
	if (g->n < want || want < 3)
		return 0;
	for (i = g->n - want; i < g->n; i++) {
		if (qgtm_strategy_date_add(g->bars[i].date, -lag, cut) == -1)
			return -1;
		for (; j < o->n && strcmp(o->obs[j].date, cut) <= 0; j++)
			if (!o->obs[j].missing)
				best = &o->obs[j];
		if (best == NULL)
			return 0;
		fit->x[k] = qgtm_dec_to_double(best->value, QGTM_PRICE_SCALE);
		fit->y[k++] = log(qgtm_dec_to_double(g->bars[i].close,
		    QGTM_PRICE_SCALE));
	}
	fit->n = k;
	fit->last = best;
	return 0;
}

/* Residuals of the OLS fit into fit->y, their z-scores in place; the
 * slope into *beta. */
static void
residual_z(struct rr_fit *fit, double *beta)
{
	double mx = qgtm_math_mean(fit->x, fit->n);
	double my = qgtm_math_mean(fit->y, fit->n), sxy = 0, sxx = 0, sd;
	size_t i;

	for (i = 0; i < fit->n; i++) {
		sxy += (fit->x[i] - mx) * (fit->y[i] - my);
		sxx += (fit->x[i] - mx) * (fit->x[i] - mx);
	}
	*beta = sxx > 0 ? sxy / sxx : 0;
	for (i = 0; i < fit->n; i++)
		fit->y[i] -= my + *beta * (fit->x[i] - mx);
	sd = qgtm_math_sd(fit->y, fit->n);
	for (i = 0; i < fit->n; i++)
		fit->y[i] = sd > 0 ? fit->y[i] / sd : NAN;
}

/* The target of the gold symbol from bars g and yields o. */
static int
rr_target(json_t *params, const struct qgtm_series *g,
    const struct qgtm_obs_series *o, json_t **reason, double *w,
    time_t *data_as_of)
{
	size_t want = (size_t)json_integer_value(json_object_get(params,
	    "window_days"));
	struct rr_fit fit = { qgtm_xcalloc(want + 1, sizeof(double)),
	    qgtm_xcalloc(want + 1, sizeof(double)), 0, NULL };
	double beta;
	int state, rc;

	*w = 0;
	rc = pair(g, o, want, (long)json_integer_value(json_object_get(params,
	    "lag_days")), &fit);
	if (rc == 0 && fit.n > 0) {
		residual_z(&fit, &beta);
		state = qgtm_strategy_band(fit.y, fit.n, json_real_value(
		    json_object_get(params, "entry_z")), json_real_value(
		    json_object_get(params, "exit_z")));
		*w = -state * json_real_value(json_object_get(params,
		    "max_weight"));
		*reason = json_pack("{s:s,s:s,s:o,s:o,s:o,s:i}", "date",
		    g->bars[g->n - 1].date, "real_yield_date", fit.last->date,
		    "real_yield", qgtm_strategy_dec(fit.x[fit.n - 1]), "beta",
		    qgtm_strategy_dec(beta), "z", qgtm_strategy_dec(
		    fit.y[fit.n - 1]), "state", state);
		*data_as_of = fit.last->available_at > g->bars[g->n - 1].available_at
		    ? fit.last->available_at : g->bars[g->n - 1].available_at;
	} else if (rc == 0)
		*reason = json_pack("{s:I,s:I}", "insufficient_history",
		    (json_int_t)g->n, "real_yields", (json_int_t)o->n);
	free(fit.x);
	free(fit.y);
	return rc;
}

static int
rr_targets(const struct qgtm_cfg *cfg, json_t *params, time_t as_of,
    json_t *targets, time_t *data_as_of)
{
	const char *series = json_string_value(json_object_get(params, "series"));
	struct qgtm_obs_series o;
	struct qgtm_series *g;
	json_t *reason = NULL;
	double w = 0;
	size_t n;
	int rc = 0;

	(void)cfg;
	*data_as_of = 0;
	if ((g = qgtm_strategy_bars(params, as_of, &n)) == NULL)
		return -1;
	if (qgtm_pit_obs("fred", series, as_of, &o) == -1) {
		qgtm_strategy_bars_free(g, n);
		return -1;
	}
	if (o.n == 0) {
		reason = qgtm_strategy_no_data("fred", series);
		*data_as_of = g->bars[g->n - 1].available_at;
	} else
		rc = rr_target(params, g, &o, &reason, &w, data_as_of);
	if (rc == 0)
		qgtm_strategy_target(targets, json_string_value(json_array_get(
		    json_object_get(params, "universe"), 0)), w, reason);
	qgtm_obs_series_release(&o);
	qgtm_strategy_bars_free(g, n);
	return rc;
}

const struct qgtm_strategy qgtm_strategy_real_rate_gold = {
	"real_rate_gold", rr_params, rr_targets,
};
