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

#include "strategy/strategy.h"

/*
 * The exponentially weighted mean and variance of a stream, updated per
 * observation: every weight so far is multiplied by delta and the new one
 * is 1; var is the weighted mean square about the weighted mean (biased).
 * The update is the one pandas' ewm(adjust=True).var(bias=True) makes
 * (pandas/_libs/window/aggregations.pyx, ewmcov); tests/unit/test_strategy.c
 * pins the two together to 1e-16.
 */
struct ewm {
	double delta, wsum, mean, var;
};

static void
ewm_push(struct ewm *e, double x)
{
	double old = e->wsum * e->delta, mean0 = e->mean;

	e->wsum = old + 1.0;
	e->mean = (old * mean0 + x) / e->wsum;
	e->var = (old * (e->var + (mean0 - e->mean) * (mean0 - e->mean)) +
	    (x - e->mean) * (x - e->mean)) / e->wsum;
}

static double
ewm_sigma(const struct ewm *e, size_t n, double annualization)
{
	return n < 2 ? NAN : sqrt(annualization * e->var);
}

double
qgtm_tsmom_sigma(const double *r, size_t n, double com, double annualization)
{
	struct ewm e = { com / (1.0 + com), 0, 0, 0 };
	size_t i;

	for (i = 0; i < n; i++)
		ewm_push(&e, r[i]);
	return ewm_sigma(&e, n, annualization);
}

/* The arguments of fill_sigma. */
struct sigma_args {
	double com, annualization;
};

/* out[k]: qgtm_tsmom_sigma of the k daily returns of bars[0..k] (a
 * qgtm_causal_fill: the same arithmetic, one return at a time). */
static void
fill_sigma(const struct qgtm_bar *bars, size_t n, double *out,
    const void *arg)
{
	const struct sigma_args *a = arg;
	struct ewm e = { a->com / (1.0 + a->com), 0, 0, 0 };
	size_t k;

	for (k = 0; k < n; k++) {
		if (k > 0)
			ewm_push(&e, (double)bars[k].close /
			    (double)bars[k - 1].close - 1.0);
		out[k] = ewm_sigma(&e, k, a->annualization);
	}
}

static json_t *
tsmom_params(const struct qgtm_cfg *cfg)
{
	return qgtm_strategy_params(cfg, "tsmom", 1);
}

/* One symbol's measured inputs. */
struct tsmom_leg {
	const char *symbol;
	int ok;
	double ret, sigma;
	long f, from;
};

/* The arguments of fill_sigma from params and the key of their memo. */
static void
sigma_args(json_t *params, struct sigma_args *a, char key[64])
{
	a->com = (double)json_integer_value(json_object_get(params,
	    "vol_com_days"));
	a->annualization = (double)json_integer_value(json_object_get(params,
	    "annualization"));
	snprintf(key, 64, "tsmom.sigma %.17g %.17g", a->com,
	    a->annualization);
}

/* Measure ret_12m and sigma for one series with the arguments a of
 * fill_sigma and their memo key; leg->ok = 0 when too short. */
static void
measure(const struct qgtm_series *s, json_t *params,
    const struct sigma_args *a, const char *key, struct tsmom_leg *leg)
{
	leg->ok = 0;
	if ((leg->f = qgtm_strategy_formation(s)) < 1)
		return;
	leg->from = qgtm_strategy_months_back(s, leg->f, (int)json_integer_value(
	    json_object_get(params, "lookback_months")));
	if (leg->from < 0 || leg->from == leg->f)
		return;
	leg->sigma = qgtm_series_causal(s, (size_t)leg->f, key, fill_sigma, a);
	leg->ret = (double)s->bars[leg->f].close /
	    (double)s->bars[leg->from].close - 1.0;
	leg->ok = isfinite(leg->sigma) && leg->sigma > 0;
}

/* Append the target of one leg given the number n of live legs. */
static void
leg_target(json_t *targets, const struct tsmom_leg *leg,
    const struct qgtm_series *s, json_t *params, int n)
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
		json_object_set_new(reason, "ret_12m", qgtm_strategy_dec(leg->ret));
		json_object_set_new(reason, "sigma", qgtm_strategy_dec(leg->sigma));
	} else
		json_object_set_new(reason, "insufficient_history",
		    json_integer((json_int_t)s->n));
	qgtm_strategy_target(targets, leg->symbol, w, reason);
}

static int
tsmom_targets(const struct qgtm_cfg *cfg, json_t *params, time_t as_of,
    json_t *targets, time_t *data_as_of)
{
	json_t *universe = json_object_get(params, "universe");
	struct qgtm_series *s;
	struct tsmom_leg *legs;
	struct sigma_args a;
	char key[64];
	size_t i, n;
	int live = 0;

	(void)cfg;
	*data_as_of = 0;
	sigma_args(params, &a, key);
	if ((s = qgtm_strategy_bars(params, as_of, &n)) == NULL)
		return -1;
	legs = qgtm_xcalloc(n > 0 ? n : 1, sizeof *legs);
	for (i = 0; i < n; i++) {
		legs[i].symbol = json_string_value(json_array_get(universe, i));
		measure(&s[i], params, &a, key, &legs[i]);
		live += legs[i].ok;
		if (legs[i].ok && s[i].bars[legs[i].f].available_at > *data_as_of)
			*data_as_of = s[i].bars[legs[i].f].available_at;
	}
	for (i = 0; i < n; i++)
		leg_target(targets, &legs[i], &s[i], params, live > 0 ? live : 1);
	qgtm_strategy_bars_free(s, n);
	free(legs);
	return 0;
}

const struct qgtm_strategy qgtm_strategy_tsmom = {
	"tsmom", tsmom_params, tsmom_targets,
};
