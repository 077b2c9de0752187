/*
 * walkforward.c: walk-forward selection over a grid's return matrix: each
 * test window takes the configuration that was best on its training
 * window, and the stitched test returns are summarized (qgtm-backtest(1)
 * --walk-forward).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "research/research.h"

/* The first column with the best Sharpe over rows [from, to) of m. */
static size_t
best_column(const double *m, size_t n, size_t from, size_t to)
{
	double *col = qgtm_xcalloc(to - from, sizeof *col), best = -INFINITY;
	size_t i, j, pick = 0;

	for (j = 0; j < n; j++) {
		double sr;

		for (i = from; i < to; i++)
			col[i - from] = m[i * n + j];
		sr = qgtm_stats_sharpe(col, to - from);
		if (sr > best) {
			best = sr;
			pick = j;
		}
	}
	free(col);
	return pick;
}

int
qgtm_walk_forward(const double *m, size_t t, size_t n, size_t train,
    size_t test, int anchored, struct qgtm_wf *wf)
{
	struct qgtm_wf_fold *f;
	size_t start, i;

	memset(wf, 0, sizeof *wf);
	if (train < 2 || test < 1)
		return qgtm_seterr(QGTM_EX_USAGE, "walk-forward: train must "
		    "be at least 2 and test at least 1");
	if (n < 1 || t <= train)
		return qgtm_seterr(QGTM_EX_USAGE, "walk-forward: %zu sessions "
		    "leave no test window after a training window of %zu", t,
		    train);
	wf->oos = qgtm_xcalloc(t, sizeof *wf->oos);
	wf->chosen = qgtm_xcalloc(t, sizeof *wf->chosen);
	for (i = 0; i < t; i++)
		wf->oos[i] = NAN;
	for (start = train; start < t; start += test) {
		wf->folds = qgtm_xrealloc(wf->folds, (wf->nfolds + 1) *
		    sizeof *wf->folds);
		f = &wf->folds[wf->nfolds++];
		f->train_from = anchored ? 0 : start - train;
		f->train_to = start;
		f->test_from = start;
		f->test_to = start + test < t ? start + test : t;
		f->chosen = best_column(m, n, f->train_from, f->train_to);
		for (i = f->test_from; i < f->test_to; i++) {
			wf->oos[i] = m[i * n + f->chosen];
			wf->chosen[i] = f->chosen;
		}
	}
	wf->first = train;
	return 0;
}

void
qgtm_wf_release(struct qgtm_wf *wf)
{
	free(wf->folds);
	free(wf->oos);
	free(wf->chosen);
	memset(wf, 0, sizeof *wf);
}

int
qgtm_wf_summary(const struct qgtm_wf *wf, size_t t,
    struct qgtm_stats_summary *s)
{
	if (qgtm_stats_summary(wf->oos + wf->first, t - wf->first, 252, s) ==
	    -1)
		return qgtm_seterr(QGTM_EX_USAGE, "the walk-forward has fewer "
		    "than 2 test sessions");
	return 0;
}
