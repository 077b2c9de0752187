/*
 * gsr.c: gold/silver ratio mean reversion (practitioner convention; see
 * qgtm-strategies(7)): on the common sessions of gold and silver, take
 * x = ln(gold close / silver close) over the last lookback_days, its
 * z-scores against that window's mean and sample sd, and run them through
 * the entry/exit bands (qgtm_strategy_band). A high ratio (state +1)
 * holds silver long and gold short, a low one the reverse, each leg
 * gross/2: dollar-neutral on the ratio.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "strategy/strategy.h"

static json_t *
gsr_params(const struct qgtm_cfg *cfg)
{
	json_t *p = qgtm_strategy_params(cfg, "gold_silver_ratio", 1);

	json_object_set_new(p, "universe", json_pack("[O,O]",
	    json_object_get(p, "gold"), json_object_get(p, "silver")));
	return p;
}

/* The log ratios of the newest (at most max) common sessions of g and s,
 * oldest first, into x; their count. *last: the newest gold bar used. */
static size_t
log_ratios(const struct qgtm_series *g, const struct qgtm_series *s,
    double *x, size_t max, const struct qgtm_bar **last)
{
	size_t i = g->n, j = s->n, k = 0;
	int c;

	*last = NULL;
	while (i > 0 && j > 0 && k < max) {
		c = strcmp(g->bars[i - 1].date, s->bars[j - 1].date);
		if (c == 0) {
			if (*last == NULL)
				*last = &g->bars[i - 1];
			x[k++] = log((double)g->bars[i - 1].close /
			    (double)s->bars[j - 1].close);
		}
		i -= c >= 0;
		j -= c <= 0;
	}
	for (i = 0; i < k / 2; i++) {
		double t = x[i];
		x[i] = x[k - 1 - i];
		x[k - 1 - i] = t;
	}
	return k;
}

/* z-scores of x[0..n-1] in place against their mean and sample sd. */
static void
zscores(double *x, size_t n)
{
	double m = qgtm_math_mean(x, n), sd = qgtm_math_sd(x, n);
	size_t i;

	for (i = 0; i < n; i++)
		x[i] = sd > 0 ? (x[i] - m) / sd : NAN;
}

static int
gsr_targets(const struct qgtm_cfg *cfg, json_t *params, time_t as_of,
    json_t *targets, time_t *data_as_of)
{
	json_t *u = json_object_get(params, "universe"), *reason;
	size_t days = (size_t)json_integer_value(json_object_get(params,
	    "lookback_days")), k, n;
	double gross = json_real_value(json_object_get(params, "gross")), *x;
	double ratio, leg = 0;
	const struct qgtm_bar *last;
	struct qgtm_series *s;
	int state;

	(void)cfg;
	*data_as_of = 0;
	if ((s = qgtm_strategy_bars(params, as_of, &n)) == NULL)
		return -1;
	x = qgtm_xcalloc(days > 0 ? days : 1, sizeof *x);
	k = log_ratios(&s[0], &s[1], x, days, &last);
	if (k == days && days >= 2) {
		ratio = exp(x[k - 1]);
		zscores(x, k);
		state = qgtm_strategy_band(x, k, json_real_value(json_object_get(
		    params, "entry_z")), json_real_value(json_object_get(params,
		    "exit_z")));
		leg = -state * gross / 2;
		reason = json_pack("{s:s,s:o,s:o,s:i}", "date", last->date,
		    "ratio", qgtm_strategy_dec(ratio), "z",
		    qgtm_strategy_dec(x[k - 1]), "state", state);
		*data_as_of = last->available_at;
	} else
		reason = json_pack("{s:I}", "insufficient_history", (json_int_t)k);
	qgtm_strategy_target(targets, json_string_value(json_array_get(u, 0)),
	    leg, reason);
	qgtm_strategy_target(targets, json_string_value(json_array_get(u, 1)),
	    -leg, json_incref(reason));
	qgtm_strategy_bars_free(s, n);
	free(x);
	return 0;
}

const struct qgtm_strategy qgtm_strategy_gold_silver_ratio = {
	"gold_silver_ratio", gsr_params, gsr_targets,
};
