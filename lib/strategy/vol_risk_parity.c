/*
 * riskparity.c: inverse-volatility risk parity (the naive risk parity of
 * skfolio's InverseVolatility and PortfolioAnalytics'
 * inverse.volatility.weight): each month-end, weight each instrument by
 * w_i = (1/sigma_i) / sum_j (1/sigma_j), times gross, where sigma is the
 * sample standard deviation of its last lookback_days daily returns up to
 * that month-end, shown annualized by sqrt(252). Long only.
 */
#include <math.h>
#include <stdlib.h>

#include "strategy/strategy.h"

static json_t *
rp_params(const struct qgtm_cfg *cfg)
{
	return qgtm_strategy_params(cfg, "vol_risk_parity", 1);
}

/* The annualized sd of the last days returns up to month-end f, or NAN. */
static double
sigma_at(const struct qgtm_series *s, long f, long days)
{
	double *r, sd;

	if (f < days || days < 2)
		return NAN;
	r = qgtm_strategy_returns(s, (size_t)(f - days), (size_t)f);
	sd = qgtm_math_sd(r, (size_t)days) * sqrt(252.0);
	free(r);
	return sd > 0 ? sd : NAN;
}

static int
rp_targets(const struct qgtm_cfg *cfg, json_t *params, time_t as_of,
    json_t *targets, time_t *data_as_of)
{
	json_t *universe = json_object_get(params, "universe");
	long days = (long)json_integer_value(json_object_get(params,
	    "lookback_days"));
	double gross = json_real_value(json_object_get(params, "gross"));
	double *sigma, inv = 0;
	struct qgtm_series *s;
	long *f;
	size_t i, n;

	(void)cfg;
	*data_as_of = 0;
	if ((s = qgtm_strategy_bars(params, as_of, &n)) == NULL)
		return -1;
	sigma = qgtm_xcalloc(n > 0 ? n : 1, sizeof *sigma);
	f = qgtm_xcalloc(n > 0 ? n : 1, sizeof *f);
	for (i = 0; i < n; i++) {
		f[i] = qgtm_strategy_formation(&s[i]);
		sigma[i] = sigma_at(&s[i], f[i], days);
		if (isfinite(sigma[i])) {
			inv += 1.0 / sigma[i];
			if (s[i].bars[f[i]].available_at > *data_as_of)
				*data_as_of = s[i].bars[f[i]].available_at;
		}
	}
	for (i = 0; i < n; i++)
		qgtm_strategy_target(targets, json_string_value(json_array_get(
		    universe, i)), isfinite(sigma[i]) ? gross / sigma[i] / inv : 0,
		    isfinite(sigma[i]) ? json_pack("{s:s,s:o}", "formation",
		    s[i].bars[f[i]].date, "sigma", qgtm_strategy_dec(sigma[i])) :
		    json_pack("{s:I}", "insufficient_history", (json_int_t)s[i].n));
	qgtm_strategy_bars_free(s, n);
	free(sigma);
	free(f);
	return 0;
}

const struct qgtm_strategy qgtm_strategy_vol_risk_parity = {
	"vol_risk_parity", rp_params, rp_targets,
};
