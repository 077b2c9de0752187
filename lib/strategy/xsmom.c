/*
 * xsmom.c: cross-sectional momentum after Asness, Moskowitz and Pedersen
 * (2013), "Value and momentum everywhere", JF 68(3):929-985, as described
 * by Moskowitz, Ooi and Pedersen (2012) section 5: each month-end, rank
 * the instruments by their return over the past lookback_months skipping
 * the most recent skip_months (12-1 momentum), and hold each in proportion
 * to its rank minus the mean rank, scaled so the absolute weights sum to
 * gross (half long, half short). Ties share their average rank.
 */
#include <math.h>
#include <stdlib.h>

#include "strategy/strategy.h"

static json_t *
xsmom_params(const struct qgtm_cfg *cfg)
{
	return qgtm_strategy_params(cfg, "xsmom", 1);
}

/* One symbol's momentum: ret from bar `from` to bar `end`; ok when set. */
struct xs_leg {
	int ok;
	long from, end;
	double ret, rank;
};

static void
measure(const struct qgtm_series *s, json_t *params, struct xs_leg *leg)
{
	long f = qgtm_strategy_formation(s);
	int back = (int)json_integer_value(json_object_get(params,
	    "lookback_months"));
	int skip = (int)json_integer_value(json_object_get(params,
	    "skip_months"));

	leg->from = qgtm_strategy_months_back(s, f, back);
	leg->end = qgtm_strategy_months_back(s, f, skip);
	leg->ok = f >= 0 && leg->from >= 0 && leg->end > leg->from;
	if (leg->ok)
		leg->ret = (double)s->bars[leg->end].close /
		    (double)s->bars[leg->from].close - 1.0;
}

/* Average ranks (1 = lowest return) of the ok legs; their count. */
static int
rank_legs(struct xs_leg *legs, size_t n)
{
	size_t i, j, below, equal;
	int live = 0;

	for (i = 0; i < n; i++) {
		if (!legs[i].ok)
			continue;
		live++;
		below = equal = 0;
		for (j = 0; j < n; j++) {
			if (!legs[j].ok)
				continue;
			below += legs[j].ret < legs[i].ret;
			equal += legs[j].ret == legs[i].ret;
		}
		legs[i].rank = (double)below + ((double)equal + 1.0) / 2.0;
	}
	return live;
}

static int
xsmom_targets(const struct qgtm_cfg *cfg, json_t *params, time_t as_of,
    json_t *targets, time_t *data_as_of)
{
	json_t *universe = json_object_get(params, "universe"), *reason;
	double gross = json_real_value(json_object_get(params, "gross"));
	double mid, dsum = 0, w;
	struct qgtm_series *s;
	struct xs_leg *legs;
	size_t i, n;
	int live;

	(void)cfg;
	*data_as_of = 0;
	if ((s = qgtm_strategy_bars(params, as_of, &n)) == NULL)
		return -1;
	legs = qgtm_xcalloc(n > 0 ? n : 1, sizeof *legs);
	for (i = 0; i < n; i++)
		measure(&s[i], params, &legs[i]);
	live = rank_legs(legs, n);
	mid = (live + 1) / 2.0;
	for (i = 0; i < n; i++)
		if (legs[i].ok)
			dsum += fabs(legs[i].rank - mid);
	for (i = 0; i < n; i++) {
		w = 0;
		if (legs[i].ok && live >= 2) {
			w = dsum > 0 ? gross * (legs[i].rank - mid) / dsum : 0;
			reason = json_pack("{s:s,s:s,s:o,s:f}", "from",
			    s[i].bars[legs[i].from].date, "to",
			    s[i].bars[legs[i].end].date, "ret",
			    qgtm_strategy_dec(legs[i].ret), "rank", legs[i].rank);
			if (s[i].bars[legs[i].end].available_at > *data_as_of)
				*data_as_of = s[i].bars[legs[i].end].available_at;
		} else
			reason = json_pack("{s:I}", "insufficient_history",
			    (json_int_t)s[i].n);
		qgtm_strategy_target(targets, json_string_value(json_array_get(
		    universe, i)), w, reason);
	}
	qgtm_strategy_bars_free(s, n);
	free(legs);
	return 0;
}

const struct qgtm_strategy qgtm_strategy_xsmom = {
	"xsmom", xsmom_params, xsmom_targets,
};
