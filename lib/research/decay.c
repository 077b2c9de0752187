/*
 * decay.c: how a strategy's recent Sharpe ratio compares with its
 * history before (qgtm-backtest(1) decay): over the last sessions of a
 * backtest, or over its paper record when it has one that long.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "research/research.h"

/* The annualized Sharpe of the returns of days [from, to) of bt. */
static double
span_sharpe(const struct qgtm_backtest *bt, size_t from, size_t to)
{
	double *r = qgtm_xcalloc(to - from, sizeof *r), sr;
	size_t i;

	for (i = from; i < to; i++)
		r[i - from] = bt->days[i].ret;
	sr = qgtm_stats_sharpe(r, to - from) * sqrt(252);
	free(r);
	return sr;
}

/* Set d's ratio and status from its two Sharpe ratios. */
static void
judge_decay(struct qgtm_decay *d)
{
	d->ratio = d->recent / d->insample;
	if (!isfinite(d->ratio))
		d->ratio = NAN;
	if (!(d->insample > 0) || isnan(d->recent))
		d->status = "no_edge";
	else
		d->status = d->recent < 0.5 * d->insample ? "decayed" : "ok";
}

int
qgtm_backtest_decay(const struct qgtm_backtest *bt, size_t recent,
    struct qgtm_decay *d)
{
	if (recent < 2 || bt->ndays < recent + 2)
		return qgtm_seterr(QGTM_EX_USAGE, "decay: %zu sessions are too "
		    "few for a recent window of %zu and 2 in-sample ones",
		    bt->ndays, recent);
	d->basis = "backtest";
	d->nrecent = recent;
	d->ninsample = bt->ndays - recent;
	d->insample = span_sharpe(bt, 0, d->ninsample);
	d->recent = span_sharpe(bt, d->ninsample, bt->ndays);
	snprintf(d->recent_from, sizeof d->recent_from, "%s",
	    bt->days[d->ninsample].date);
	snprintf(d->to, sizeof d->to, "%s", bt->days[bt->ndays - 1].date);
	judge_decay(d);
	return 0;
}

int
qgtm_backtest_decay_paper(const struct qgtm_backtest *bt, const double *pnl,
    size_t n, const char *recent_from, const char *to, struct qgtm_decay *d)
{
	size_t before = 0;

	while (before < bt->ndays &&
	    strcmp(bt->days[before].date, recent_from) < 0)
		before++;
	if (n < 2 || before < 2)
		return qgtm_seterr(QGTM_EX_USAGE, "decay: %zu paper sessions "
		    "and %zu backtest sessions before %s are too few", n,
		    before, recent_from);
	d->basis = "paper";
	d->nrecent = n;
	d->ninsample = before;
	d->insample = span_sharpe(bt, 0, before);
	d->recent = qgtm_stats_sharpe(pnl, n) * sqrt(252);
	snprintf(d->recent_from, sizeof d->recent_from, "%s", recent_from);
	snprintf(d->to, sizeof d->to, "%s", to);
	judge_decay(d);
	return 0;
}

int
qgtm_decay_measure(const struct qgtm_backtest *bt, json_t *daily,
    size_t recent, struct qgtm_decay *d)
{
	json_t *dates = json_object_get(daily, "dates");
	json_t *cents = json_object_get(daily, "cumulative_pnl_cents");
	size_t n = json_array_size(cents), i;
	double *pnl;
	int rc = -1;

	if (n > recent && json_array_size(dates) == n) {
		pnl = qgtm_xcalloc(recent, sizeof *pnl);
		for (i = 0; i < recent; i++)
			pnl[i] = (double)(json_integer_value(json_array_get(
			    cents, n - recent + i)) -
			    json_integer_value(json_array_get(cents,
			    n - recent + i - 1))) / 100.0;
		rc = qgtm_backtest_decay_paper(bt, pnl, recent,
		    json_string_value(json_array_get(dates, n - recent)),
		    json_string_value(json_array_get(dates, n - 1)), d);
		free(pnl);
	}
	if (rc == -1)
		rc = qgtm_backtest_decay(bt, recent, d);
	return rc;
}
