/*
 * grid.c: a parameter grid of a strategy (qgtm-backtest(1) --grid): its
 * configurations in mixed-radix order, one backtest of each into a return
 * matrix, and the selection statistics of that matrix (the best Sharpe,
 * its deflated Sharpe ratio, the probability of backtest overfitting).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "research/research.h"

/* Split "key=v1,v2,..." into d (d->text set first, for the release). */
static int
grid_parse_dim(const char *s, struct qgtm_grid_dim *d)
{
	char *p, *comma;

	d->text = qgtm_xstrdup(s);
	if ((p = strchr(d->text, '=')) == NULL || p == d->text || p[1] == '\0')
		return qgtm_seterr(QGTM_EX_USAGE, "--grid '%s': expected "
		    "key=v1,v2,...", s);
	*p++ = '\0';
	d->key = d->text;
	d->vals = qgtm_xcalloc(strlen(p) + 1, sizeof *d->vals);
	for (d->n = 0;; p = comma + 1) {
		if ((comma = strchr(p, ',')) != NULL)
			*comma = '\0';
		if (*p == '\0')
			return qgtm_seterr(QGTM_EX_USAGE, "--grid '%s': empty "
			    "value", s);
		d->vals[d->n++] = p;
		if (comma == NULL)
			break;
	}
	return 0;
}

int
qgtm_grid_parse(struct qgtm_grid *g, const char *const *specs, size_t n,
    struct qgtm_cfg *cfg, const char *strategy)
{
	size_t i, c;

	g->ndims = n;
	g->dims = qgtm_xcalloc(n, sizeof *g->dims);
	g->nconf = 1;
	for (i = 0; i < n; i++) {
		if (grid_parse_dim(specs[i], &g->dims[i]) == -1)
			return -1;
		if (g->dims[i].n > 1000 || g->nconf * g->dims[i].n > 1000)
			return qgtm_seterr(QGTM_EX_USAGE, "--grid: more than "
			    "1000 configurations");
		g->nconf *= g->dims[i].n;
	}
	if (g->nconf < 2)
		return qgtm_seterr(QGTM_EX_USAGE, "--grid: need at least 2 "
		    "configurations");
	for (c = 0; c < g->nconf; c++)
		if (qgtm_grid_apply(cfg, strategy, g, c) == -1)
			return -1;
	return 0;
}

int
qgtm_grid_apply(struct qgtm_cfg *cfg, const char *strategy,
    const struct qgtm_grid *g, size_t c)
{
	char kv[160];
	size_t k;

	for (k = 0; k < g->ndims; k++, c /= g->dims[k - 1].n) {
		snprintf(kv, sizeof kv, "%s=%s", g->dims[k].key,
		    g->dims[k].vals[c % g->dims[k].n]);
		if (qgtm_backtest_param(cfg, strategy, kv) == -1)
			return -1;
	}
	return 0;
}

char *
qgtm_grid_label(const struct qgtm_grid *g, size_t c)
{
	struct qgtm_buf b;
	size_t k;

	qgtm_buf_init(&b, 4096);
	for (k = 0; k < g->ndims; k++, c /= g->dims[k - 1].n)
		qgtm_buf_addf(&b, "%s%s=%s", k ? " " : "", g->dims[k].key,
		    g->dims[k].vals[c % g->dims[k].n]);
	return qgtm_buf_detach(&b);
}

void
qgtm_grid_release(struct qgtm_grid *g)
{
	size_t k;

	for (k = 0; k < g->ndims; k++) {
		free(g->dims[k].text);
		free(g->dims[k].vals);
	}
	free(g->dims);
	memset(g, 0, sizeof *g);
}

/* Put the daily returns of bt, the run of configuration c, into column c
 * of mx, sized and dated by the first run. */
static void
grid_keep(struct qgtm_grid_returns *mx, size_t c,
    const struct qgtm_backtest *bt)
{
	size_t i;

	if (c == 0) {
		mx->t = bt->ndays;
		mx->m = qgtm_xcalloc(mx->t * mx->n, sizeof *mx->m);
		mx->dates = qgtm_xcalloc(mx->t, sizeof *mx->dates);
		for (i = 0; i < mx->t; i++)
			memcpy(mx->dates[i], bt->days[i].date, 11);
	}
	for (i = 0; i < mx->t && i < bt->ndays; i++)
		mx->m[i * mx->n + c] = bt->days[i].ret;
}

/*
 * The frictionless grid: the history made, stored and read once, then
 * every configuration run over it (qgtm_backtest_sessions() changes
 * neither), sharing the store's memos.
 */
static int
grid_run_shared(struct qgtm_cfg *cfg, const struct qgtm_strategy *st,
    const struct qgtm_grid *g, const struct qgtm_grid_span *span,
    struct qgtm_grid_returns *mx)
{
	struct qgtm_bt_data data;
	struct qgtm_backtest bt;
	size_t c;
	int rc;

	if (span->fresh(span->arg) == -1)
		return -1;
	rc = qgtm_backtest_open(cfg, span->to, &data);
	for (c = 0; c < g->nconf && rc == 0; c++) {
		if ((rc = qgtm_grid_apply(cfg, st->name, g, c)) == -1)
			break;
		rc = qgtm_backtest_sessions(cfg, st, &data, span->from, 1,
		    &bt);
		if (rc == 0)
			grid_keep(mx, c, &bt);
		qgtm_backtest_release(&bt);
	}
	qgtm_backtest_close(&data);
	return rc;
}

int
qgtm_grid_run(struct qgtm_cfg *cfg, const struct qgtm_strategy *st,
    const struct qgtm_grid *g, const struct qgtm_grid_span *span,
    struct qgtm_grid_returns *mx)
{
	struct qgtm_backtest bt;
	size_t c;

	memset(mx, 0, sizeof *mx);
	mx->n = g->nconf;
	if (span->frictionless)
		return grid_run_shared(cfg, st, g, span, mx);
	for (c = 0; c < g->nconf; c++) {
		if (qgtm_grid_apply(cfg, st->name, g, c) == -1 ||
		    span->fresh(span->arg) == -1 ||
		    qgtm_backtest_run(cfg, st, span->from, span->to, 0,
		    &bt) == -1)
			return -1;
		grid_keep(mx, c, &bt);
		qgtm_backtest_release(&bt);
	}
	return 0;
}

void
qgtm_grid_returns_release(struct qgtm_grid_returns *mx)
{
	free(mx->m);
	free(mx->dates);
	memset(mx, 0, sizeof *mx);
}

/* The error of a matrix too short for PBO with 16 partitions. */
static int
grid_too_short(const struct qgtm_grid_returns *mx)
{
	return qgtm_seterr(QGTM_EX_USAGE, "%zu sessions are too few for PBO "
	    "with 16 partitions (at least 32)", mx->t);
}

int
qgtm_grid_judge(const struct qgtm_grid_returns *mx,
    struct qgtm_grid_verdict *v)
{
	double *col, *sr;
	size_t c, i;
	int rc = 0;

	memset(v, 0, sizeof *v);
	if (mx->t < 32)         /* S = 16 partitions of at least 2 rows */
		return grid_too_short(mx);
	col = qgtm_xcalloc(mx->t, sizeof *col);
	sr = qgtm_xcalloc(mx->n, sizeof *sr);
	for (c = 0; c < mx->n; c++) {
		for (i = 0; i < mx->t; i++)
			col[i] = mx->m[i * mx->n + c];
		sr[c] = qgtm_stats_sharpe(col, mx->t);
		if (sr[c] > sr[v->best])
			v->best = c;
	}
	for (i = 0; i < mx->t; i++)
		col[i] = mx->m[i * mx->n + v->best];
	qgtm_stats_moments(col, mx->t, &v->skew, &v->kurt);
	v->sharpe = sr[v->best];
	v->trials_var = qgtm_math_sd(sr, mx->n);
	v->trials_var *= v->trials_var;
	v->dsr = qgtm_stats_dsr(v->sharpe, (double)mx->t, (double)mx->n,
	    v->trials_var, v->skew, v->kurt, &v->sr0);
	if (qgtm_stats_pbo(mx->m, mx->t, mx->n, 16, QGTM_PBO_SHARPE,
	    &v->pbo) == -1) {
		qgtm_pbo_release(&v->pbo);
		rc = grid_too_short(mx);
	}
	free(col);
	free(sr);
	return rc;
}
