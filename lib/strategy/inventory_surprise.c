/*
 * inventory.c: the EIA crude inventory surprise (after Ye and Karali
 * (2016), Energy Economics 59:349-364, with the de-seasonalized baseline
 * in place of an analyst survey): the newest weekly change of commercial
 * crude stocks (WCESTUS1) minus the mean change of the same week (364,
 * 728, ... days earlier) over the past `years` years, divided by the
 * sample sd of the scale_weeks weekly changes before it. A build larger
 * than seasonal (z >= entry_z) holds crude short, a larger draw long,
 * until the next report.
 */
#include <stdlib.h>
#include <string.h>

#include "strategy/strategy.h"

static json_t *
inv_params(const struct qgtm_cfg *cfg)
{
	return qgtm_strategy_params(cfg, "inventory_surprise", 0);
}

/* The change into report i (i >= 1) of the non-missing reports o. */
static double
change(const struct qgtm_obs *o, size_t i)
{
	return qgtm_dec_to_double(o[i].value - o[i - 1].value,
	    QGTM_PRICE_SCALE);
}

/* The index (>= 1) of the report dated date in o[0..n-1], or 0. */
static size_t
find_report(const struct qgtm_obs *o, size_t n, const char *date)
{
	size_t i;

	for (i = n; i > 1; i--)
		if (strcmp(o[i - 1].date, date) == 0)
			return i - 1;
	return 0;
}

/* The seasonal mean change of the week of report last over `years`
 * years into *base; -1 when a year lacks that week. */
static int
seasonal(const struct qgtm_obs *o, size_t last, long years, double *base)
{
	char date[11];
	size_t m;
	long k;

	*base = 0;
	for (k = 1; k <= years; k++) {
		if (qgtm_strategy_date_add(o[last].date, -364 * k, date) == -1 ||
		    (m = find_report(o, last, date)) == 0)
			return -1;
		*base += change(o, m) / (double)years;
	}
	return 0;
}

/* The surprise reason and weight from the non-missing reports o[0..n-1]. */
static json_t *
surprise(json_t *params, const struct qgtm_obs *o, size_t n, double *w)
{
	long years = (long)json_integer_value(json_object_get(params, "years"));
	size_t weeks = (size_t)json_integer_value(json_object_get(params,
	    "scale_weeks")), i;
	double base, sd, z, *c, entry = json_real_value(json_object_get(params,
	    "entry_z"));

	*w = 0;
	if (n < weeks + 2 || weeks < 2 || years < 1 ||
	    seasonal(o, n - 1, years, &base) == -1)
		return json_pack("{s:I}", "insufficient_history", (json_int_t)n);
	c = qgtm_xcalloc(weeks, sizeof *c);
	for (i = 0; i < weeks; i++)
		c[i] = change(o, n - 1 - weeks + i);
	sd = qgtm_math_sd(c, weeks);
	free(c);
	z = sd > 0 ? (change(o, n - 1) - base) / sd : 0;
	*w = (z >= entry ? -1 : z <= -entry ? 1 : 0) *
	    json_real_value(json_object_get(params, "max_weight"));
	return json_pack("{s:s,s:o,s:o,s:o,s:o}", "report", o[n - 1].date,
	    "change", qgtm_strategy_dec(change(o, n - 1)), "baseline",
	    qgtm_strategy_dec(base), "sd", qgtm_strategy_dec(sd), "z",
	    qgtm_strategy_dec(z));
}

static int
inv_targets(const struct qgtm_cfg *cfg, json_t *params, time_t as_of,
    json_t *targets, time_t *data_as_of)
{
	const char *series = json_string_value(json_object_get(params, "series"));
	struct qgtm_obs_series s;
	json_t *reason;
	size_t i, n = 0;
	double w = 0;

	(void)cfg;
	*data_as_of = 0;
	if (qgtm_pit_obs("eia", series, as_of, &s) == -1)
		return -1;
	for (i = 0; i < s.n; i++)
		if (!s.obs[i].missing)
			s.obs[n++] = s.obs[i];
	if (n == 0)
		reason = qgtm_strategy_no_data("eia", series);
	else {
		reason = surprise(params, s.obs, n, &w);
		*data_as_of = s.obs[n - 1].available_at;
	}
	qgtm_strategy_target(targets, json_string_value(json_object_get(params,
	    "symbol")), w, reason);
	qgtm_obs_series_release(&s);
	return 0;
}

const struct qgtm_strategy qgtm_strategy_inventory_surprise = {
	"inventory_surprise", inv_params, inv_targets,
};
