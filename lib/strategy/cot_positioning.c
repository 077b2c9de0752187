/*
 * cot.c: CFTC Commitments of Traders positioning, contrarian: for each
 * contract, the managed-money net position as a fraction of open interest
 * (Moskowitz, Ooi and Pedersen (2012) section 6 with the disaggregated
 * report's managed money as speculators), and its COT index over the last
 * lookback_weeks reports (Williams): 100 (net - min) / (max - min), 50
 * when max = min. Speculators crowded long (index >= upper) hold the
 * contract's symbol short; crowded short (index <= lower) long.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strategy/strategy.h"

static json_t *
cot_params(const struct qgtm_cfg *cfg)
{
	return qgtm_strategy_params(cfg, "cot_positioning", 0);
}

/* The three series of one contract as of the signal's moment. */
struct cot_data {
	struct qgtm_obs_series s[3];    /* mm-long, mm-short, oi */
};

static int
cot_load(const char *code, time_t as_of, struct cot_data *d)
{
	static const char *const suffix[3] = { "mm-long", "mm-short", "oi" };
	char series[40];
	int k;

	memset(d, 0, sizeof *d);
	for (k = 0; k < 3; k++) {
		snprintf(series, sizeof series, "%s-%s", code, suffix[k]);
		if (qgtm_pit_obs("cftc", series, as_of, &d->s[k]) == -1)
			return -1;
	}
	return 0;
}

static void
cot_release(struct cot_data *d)
{
	int k;

	for (k = 0; k < 3; k++)
		qgtm_obs_series_release(&d->s[k]);
}

/* The obs of s dated date, or NULL. */
static const struct qgtm_obs *
on_date(const struct qgtm_obs_series *s, const char *date)
{
	size_t i;

	for (i = s->n; i > 0; i--)
		if (strcmp(s->obs[i - 1].date, date) == 0)
			return s->obs[i - 1].missing ? NULL : &s->obs[i - 1];
	return NULL;
}

/* Net positions / open interest of the newest (at most max) complete
 * reports, oldest first; their count; *last: the newest report's oi. */
static size_t
net_series(const struct cot_data *d, double *net, size_t max,
    const struct qgtm_obs **last)
{
	const struct qgtm_obs *l, *s, *oi;
	size_t i, k = 0;

	*last = NULL;
	for (i = d->s[2].n; i > 0 && k < max; i--) {
		oi = &d->s[2].obs[i - 1];
		if (oi->missing || oi->value <= 0 ||
		    (l = on_date(&d->s[0], oi->date)) == NULL ||
		    (s = on_date(&d->s[1], oi->date)) == NULL)
			continue;
		if (*last == NULL)
			*last = oi;
		net[max - 1 - k++] = (double)(l->value - s->value) /
		    (double)oi->value;
	}
	memmove(net, net + (max - k), k * sizeof *net);
	return k;
}

/* The COT index of net[n-1] within net[0..n-1]. */
static double
cot_index(const double *net, size_t n)
{
	double lo = net[0], hi = net[0];
	size_t i;

	for (i = 1; i < n; i++) {
		lo = net[i] < lo ? net[i] : lo;
		hi = net[i] > hi ? net[i] : hi;
	}
	return hi > lo ? 100.0 * (net[n - 1] - lo) / (hi - lo) : 50.0;
}

/* Append the target of one "CODE=SYMBOL" item. */
static int
cot_one(json_t *params, const char *item, time_t as_of, json_t *targets,
    time_t *data_as_of)
{
	size_t weeks = (size_t)json_integer_value(json_object_get(params,
	    "lookback_weeks")), k;
	double *net, idx, w = 0;
	const struct qgtm_obs *last;
	const char *sym = strchr(item, '=');
	struct cot_data d;
	char code[16], series[40];
	json_t *reason;

	if (sym == NULL || sym == item || (size_t)(sym - item) >= sizeof code)
		return qgtm_seterr(QGTM_EX_CONFIG, "signal.cot_positioning."
		    "contracts: bad item '%s' (expected CODE=SYMBOL)", item);
	snprintf(code, sizeof code, "%.*s", (int)(sym++ - item), item);
	if (cot_load(code, as_of, &d) == -1) {
		cot_release(&d);
		return -1;
	}
	net = qgtm_xcalloc(weeks > 0 ? weeks : 1, sizeof *net);
	k = net_series(&d, net, weeks, &last);
	snprintf(series, sizeof series, "%s-oi", code);
	if (k == 0)
		reason = qgtm_strategy_no_data("cftc", series);
	else if (k < weeks || weeks < 2)
		reason = json_pack("{s:I}", "insufficient_history", (json_int_t)k);
	else {
		idx = cot_index(net, k);
		w = idx >= json_real_value(json_object_get(params, "upper")) ? -1 :
		    idx <= json_real_value(json_object_get(params, "lower")) ? 1 : 0;
		w *= json_real_value(json_object_get(params, "max_weight"));
		reason = json_pack("{s:s,s:s,s:o,s:o}", "contract", code,
		    "report", last->date, "net", qgtm_strategy_dec(net[k - 1]),
		    "index", qgtm_strategy_dec(idx));
		if (last->available_at > *data_as_of)
			*data_as_of = last->available_at;
	}
	qgtm_strategy_target(targets, sym, w, reason);
	free(net);
	cot_release(&d);
	return 0;
}

static int
cot_targets(const struct qgtm_cfg *cfg, json_t *params, time_t as_of,
    json_t *targets, time_t *data_as_of)
{
	json_t *v;
	size_t i;

	(void)cfg;
	*data_as_of = 0;
	json_array_foreach(json_object_get(params, "contracts"), i, v)
		if (cot_one(params, json_string_value(v), as_of, targets,
		    data_as_of) == -1)
			return -1;
	return 0;
}

const struct qgtm_strategy qgtm_strategy_cot_positioning = {
	"cot_positioning", cot_params, cot_targets,
};
