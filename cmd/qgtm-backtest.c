/*
 * qgtm-backtest: replay a strategy over the sim market, day by day, through
 * the same signal -> risk -> OMS -> sim broker calls as the live cycle, in
 * a private temporary state directory (with a copy of the user's stored
 * observations); print its performance and, with --out, write its daily
 * returns, its trades and an equity chart. "decay" compares each
 * strategy's last six months with its history before.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/base.h"
#include "strategy/strategy.h"
#include "research/research.h"
#include "report/report.h"
#include "cli/cli.h"

static const char usage_str[] =
    "usage: qgtm-backtest [-Cqv] [-c config] --strategy name [--from date]"
    " [--to date] [--param key=value ...] [--grid key=v1,v2,...]"
    " [--walk-forward train=N,test=M[,anchored]] [--frictionless]"
    " [--out dir]\n"
    "       qgtm-backtest decay [-jqv] [-c config] [--strategy name ...]"
    " [--from date] [--to date] [--no-save]";

enum { O_STRATEGY = 256, O_FROM, O_TO, O_PARAM, O_OUT, O_GRID, O_WF,
	O_FRICTIONLESS, O_NO_SAVE };

static const struct option longopts[] = {
	{ "strategy", required_argument, NULL, O_STRATEGY },
	{ "from", required_argument, NULL, O_FROM },
	{ "to", required_argument, NULL, O_TO },
	{ "param", required_argument, NULL, O_PARAM },
	{ "out", required_argument, NULL, O_OUT },
	{ "grid", required_argument, NULL, O_GRID },
	{ "walk-forward", required_argument, NULL, O_WF },
	{ "frictionless", no_argument, NULL, O_FRICTIONLESS },
	{ "no-save", no_argument, NULL, O_NO_SAVE },
	{ NULL, 0, NULL, 0 }
};

/* The command line. */
struct args {
	const char *cfgpath, *strategy, *from, *to, *out, *wf;
	const char **params, **grids, **strategies;
	size_t nparams, ngrids, nstrategies;
	int show_config, decay, json, frictionless, no_save;
};

static void __attribute__((noreturn))
usage(int ex)
{
	fprintf(ex == 0 ? stdout : stderr, "%s\n", usage_str);
	exit(ex == 0 ? qgtm_exit(0) : ex);
}

static void
parse_args(int argc, char **argv, struct args *a)
{
	int ch;

	memset(a, 0, sizeof *a);
	a->params = qgtm_xcalloc((size_t)argc, sizeof *a->params);
	a->grids = qgtm_xcalloc((size_t)argc, sizeof *a->grids);
	a->strategies = qgtm_xcalloc((size_t)argc, sizeof *a->strategies);
	if (argc > 1 && strcmp(argv[1], "decay") == 0) {
		a->decay = 1;
		argv[1] = argv[0];
		argc--;
		argv++;
	}
	while ((ch = getopt_long(argc, argv, "Cc:hjqVv", longopts, NULL)) != -1)
		switch (ch) {
		case 'C': a->show_config = 1; break;
		case 'c': a->cfgpath = optarg; break;
		case 'h': usage(0);
		case 'j': a->json = 1; break;
		case 'q': qgtm_log_level--; break;
		case 'V': qgtm_version(); exit(qgtm_exit(0));
		case 'v': qgtm_log_level++; break;
		case O_STRATEGY:
			a->strategy = a->strategies[a->nstrategies++] = optarg;
			break;
		case O_FROM: a->from = optarg; break;
		case O_TO: a->to = optarg; break;
		case O_PARAM: a->params[a->nparams++] = optarg; break;
		case O_OUT: a->out = optarg; break;
		case O_GRID: a->grids[a->ngrids++] = optarg; break;
		case O_WF: a->wf = optarg; break;
		case O_FRICTIONLESS: a->frictionless = 1; break;
		case O_NO_SAVE: a->no_save = 1; break;
		default: usage(QGTM_EX_USAGE);
		}
	if (optind != argc || (a->strategy == NULL && !a->show_config &&
	    !a->decay) || ((a->json || a->no_save) && !a->decay) ||
	    (a->decay && (a->nparams > 0 || a->ngrids > 0 || a->wf != NULL ||
	    a->out || a->frictionless)))
		usage(QGTM_EX_USAGE);
}

/* A YYYY-MM-DD option as days since the epoch; dies on a bad one. */
static long
parse_day(const char *opt, const char *s)
{
	time_t t;

	if (strlen(s) != 10 || qgtm_time_parse(s, &t) == -1)
		qgtm_die(QGTM_EX_USAGE, "--%s: expected YYYY-MM-DD, got '%s'",
		    opt, s);
	return (long)(t / 86400);
}

/* The private state directory, removed at exit whatever happens, and
 * the user's, whose observations each run copies (set in main). */
static char *state_dir, *user_state;

static void
remove_state(void)
{
	if (state_dir != NULL)
		qgtm_remove_tree(state_dir);
	free(state_dir);
	free(user_state);
	state_dir = user_state = NULL;
}

/* Make the private state directory and point QGTM_STATE_DIR at it. */
static void
private_state(void)
{
	const char *base = getenv("TMPDIR");
	char *dir = qgtm_xasprintf("%s/qgtm-backtest.XXXXXX",
	    base != NULL && *base != '\0' ? base : "/tmp");

	if (mkdtemp(dir) == NULL)
		qgtm_die(QGTM_EX_CANTCREAT, "cannot create '%s': %s", dir,
		    strerror(errno));
	base = getenv("QGTM_STATE_DIR");
	user_state = base != NULL && *base != '\0' ? qgtm_xstrdup(base) : NULL;
	setenv("QGTM_STATE_DIR", dir, 1);
	state_dir = dir;
	atexit(remove_state);
	qgtm_atdie(remove_state);
}

/* ------------------------------------------------------------ report -- */

/* The report numbers of a finished backtest. */
struct perf {
	struct qgtm_stats_summary s;
	double turnover;        /* traded notional / mean equity, a year */
	size_t trades;
};

static void
measure(const struct qgtm_backtest *bt, struct perf *p)
{
	double *r = qgtm_xcalloc(bt->ndays, sizeof *r), mean_eq = 0;
	size_t i;

	for (i = 0; i < bt->ndays; i++) {
		r[i] = bt->days[i].ret;
		mean_eq += bt->days[i].equity / (double)bt->ndays;
	}
	qgtm_stats_summary(r, bt->ndays, 252, &p->s);
	p->turnover = bt->traded / mean_eq * 252 / (double)bt->ndays;
	p->trades = json_array_size(bt->fills);
	free(r);
}

static void
print_report(const struct qgtm_backtest *bt, const struct perf *p)
{
	printf("from=%s\nto=%s\ndays=%zu\n", bt->days[0].date,
	    bt->days[bt->ndays - 1].date, bt->ndays);
	printf("final_equity=%.2f\n", bt->days[bt->ndays - 1].equity);
	printf("cagr=%.6f\nvol=%.6f\nsharpe=%.6f\nsortino=%.6f\n",
	    p->s.annual_return, p->s.vol, p->s.sharpe, p->s.sortino);
	printf("max_drawdown=%.6f\ncalmar=%.6f\nhit_rate=%.6f\n",
	    p->s.max_drawdown, p->s.calmar, p->s.hit_rate);
	printf("turnover=%.6f\ntrades=%zu\n", p->turnover, p->trades);
}

/* Open DIR/name for writing; dies on failure. */
static FILE *
open_out(const char *dir, const char *name)
{
	char *path = qgtm_xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	if (f == NULL)
		qgtm_die(QGTM_EX_CANTCREAT, "cannot create '%s': %s", path,
		    strerror(errno));
	free(path);
	return f;
}

static void
close_out(FILE *f, const char *name)
{
	if (ferror(f) | fclose(f))
		qgtm_die(QGTM_EX_IOERR, "cannot write '%s'", name);
}

/* returns.csv, trades.csv and equity.svg into dir. */
static void
write_out(const char *dir, const char *title, const struct qgtm_backtest *bt)
{
	static const char *const cols[] = { "symbol", "side", "qty", "price",
		"commission", "notional" };
	double *eq = qgtm_xcalloc(bt->ndays, sizeof *eq);
	double *dd = qgtm_xcalloc(bt->ndays, sizeof *dd), peak = bt->initial;
	json_t *rec;
	FILE *f;
	size_t i, k;

	if (qgtm_mkdirs(dir, 0755) == -1)
		qgtm_die_lib();
	f = open_out(dir, "returns.csv");
	fprintf(f, "date,return,equity\n");
	for (i = 0; i < bt->ndays; i++) {
		fprintf(f, "%s,%.17g,%.2f\n", bt->days[i].date, bt->days[i].ret,
		    bt->days[i].equity);
		eq[i] = bt->days[i].equity;
		peak = fmax(peak, eq[i]);
		dd[i] = eq[i] / peak - 1.0;
	}
	close_out(f, "returns.csv");
	f = open_out(dir, "trades.csv");
	fprintf(f, "date,symbol,side,qty,price,commission,notional\n");
	json_array_foreach(bt->fills, i, rec) {
		fprintf(f, "%s", json_string_value(json_object_get(rec, "date")));
		for (k = 0; k < 6; k++)
			fprintf(f, ",%s", json_string_value(json_object_get(rec,
			    cols[k])));
		fprintf(f, "\n");
	}
	close_out(f, "trades.csv");
	f = open_out(dir, "equity.svg");
	if (qgtm_svg_equity(f, title, bt->days[0].date,
	    bt->days[bt->ndays - 1].date, eq, dd, bt->ndays) == -1)
		qgtm_die_lib();
	close_out(f, "equity.svg");
	free(eq);
	free(dd);
}

/* ------------------------------------------------------ grid and walk -- */

/* Parse "train=N,test=M[,anchored]"; dies on a bad one. */
static void
parse_wf(const char *s, size_t *train, size_t *test, int *anchored)
{
	unsigned long n, m;
	int len = 0;

	*anchored = 0;
	if (sscanf(s, "train=%lu,test=%lu%n", &n, &m, &len) != 2 ||
	    (s[len] != '\0' && strcmp(s + len, ",anchored") != 0) ||
	    strchr(s, '-') != NULL || strchr(s, '+') != NULL)
		qgtm_die(QGTM_EX_USAGE, "--walk-forward '%s': expected "
		    "train=N,test=M[,anchored]", s);
	*anchored = s[len] != '\0';
	*train = n;
	*test = m;
}

/* Empty the private state directory, so the next run starts afresh
 * with the user's observations only (arg unused). Returns 0, or -1 with
 * the error set. */
static int
fresh_state(void *arg)
{
	(void)arg;
	qgtm_remove_tree(state_dir);
	if (qgtm_mkdirs(state_dir, 0700) == -1 ||
	    qgtm_backtest_import(user_state) == -1)
		return -1;
	return 0;
}

static void
print_grid(const struct qgtm_grid *g, const struct qgtm_grid_returns *mx,
    const struct qgtm_grid_verdict *v, const struct qgtm_wf *wf)
{
	struct qgtm_stats_summary s;
	char *label = qgtm_grid_label(g, v->best);

	printf("configs=%zu\nsessions=%zu\nbest=%s\n", g->nconf, mx->t, label);
	printf("best_sharpe=%.6f\ntrials_var=%.9g\n", v->sharpe * sqrt(252),
	    v->trials_var);
	printf("dsr=%.6f\nsr0=%.9g\npbo=%.6f\npbo_splits=%zu\n", v->dsr,
	    v->sr0, v->pbo.pbo, v->pbo.nsplits);
	free(label);
	if (wf == NULL)
		return;
	if (qgtm_wf_summary(wf, mx->t, &s) == -1)
		qgtm_die_lib();
	printf("folds=%zu\noos_from=%s\noos_days=%zu\n", wf->nfolds,
	    mx->dates[wf->first], mx->t - wf->first);
	printf("oos_cagr=%.6f\noos_vol=%.6f\noos_sharpe=%.6f\n",
	    s.annual_return, s.vol, s.sharpe);
	printf("oos_sortino=%.6f\noos_max_drawdown=%.6f\noos_calmar=%.6f\n",
	    s.sortino, s.max_drawdown, s.calmar);
	printf("oos_hit_rate=%.6f\n", s.hit_rate);
}

/* A table row of the report: a label and a number. */
static void
html_row(FILE *f, const char *key, const char *fmt, double x)
{
	fputs("<tr><th>", f);
	qgtm_svg_text(f, key);
	fputs("</th><td>", f);
	fprintf(f, fmt, x);
	fputs("</td></tr>\n", f);
}

/* report.html: the numbers, the walk-forward chart and the folds. */
static void
write_html(const char *dir, const char *strategy, const struct qgtm_grid *g,
    const struct qgtm_grid_returns *mx, const struct qgtm_grid_verdict *v,
    const struct qgtm_wf *wf)
{
	struct qgtm_stats_summary s;
	double *eq = qgtm_xcalloc(mx->t, sizeof *eq), *dd, w = 1, peak = 1;
	char *buf = NULL, *label, *path;
	size_t len = 0, n = mx->t - wf->first, i, k;
	FILE *f = open_memstream(&buf, &len);

	dd = qgtm_xcalloc(mx->t, sizeof *dd);
	for (i = 0; i < n; i++) {
		w *= 1 + wf->oos[wf->first + i];
		peak = fmax(peak, w);
		eq[i] = w;
		dd[i] = w / peak - 1;
	}
	if (qgtm_wf_summary(wf, mx->t, &s) == -1)
		qgtm_die_lib();
	fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	    "<title>", f);
	qgtm_svg_text(f, strategy);
	fputs(" walk-forward</title><style>body{font-family:sans-serif;"
	    "max-width:50em;margin:auto}td,th{padding:0 1em;text-align:left}"
	    "</style></head><body>\n<h1>", f);
	qgtm_svg_text(f, strategy);
	fputs(": walk-forward</h1>\n<table>\n", f);
	html_row(f, "configurations", "%.0f", (double)g->nconf);
	html_row(f, "PBO (CSCV, S = 16)", "%.4f", v->pbo.pbo);
	html_row(f, "DSR of the best configuration", "%.4f", v->dsr);
	html_row(f, "out-of-sample Sharpe", "%.4f", s.sharpe);
	html_row(f, "out-of-sample CAGR", "%.4f", s.annual_return);
	html_row(f, "out-of-sample max drawdown", "%.4f", s.max_drawdown);
	fputs("</table>\n", f);
	qgtm_svg_equity(f, "out-of-sample growth of 1 and drawdown",
	    mx->dates[wf->first], mx->dates[mx->t - 1], eq, dd, n);
	fputs("<table>\n<tr><th>train</th><th>test</th><th>chosen</th></tr>\n",
	    f);
	for (k = 0; k < wf->nfolds; k++) {
		const struct qgtm_wf_fold *fo = &wf->folds[k];

		label = qgtm_grid_label(g, fo->chosen);
		fprintf(f, "<tr><td>%s to %s</td><td>%s to %s</td><td>",
		    mx->dates[fo->train_from], mx->dates[fo->train_to - 1],
		    mx->dates[fo->test_from], mx->dates[fo->test_to - 1]);
		qgtm_svg_text(f, label);
		fputs("</td></tr>\n", f);
		free(label);
	}
	fputs("</table>\n</body></html>\n", f);
	fclose(f);
	path = qgtm_xasprintf("%s/report.html", dir);
	if (qgtm_write_atomic(path, buf, len) == -1)
		qgtm_die_lib();
	free(path);
	free(buf);
	free(eq);
	free(dd);
}

/* grid.csv, grid-configs.txt and, after a walk-forward, walkforward.csv
 * and report.html. */
static void
write_grid(const char *dir, const char *strategy, const struct qgtm_grid *g,
    const struct qgtm_grid_returns *mx, const struct qgtm_grid_verdict *v,
    const struct qgtm_wf *wf)
{
	FILE *f;
	char *label;
	size_t i, c;

	if (qgtm_mkdirs(dir, 0755) == -1)
		qgtm_die_lib();
	f = open_out(dir, "grid.csv");
	for (i = 0; i < mx->t; i++)
		for (c = 0; c < mx->n; c++)
			fprintf(f, "%.17g%c", mx->m[i * mx->n + c],
			    c + 1 < mx->n ? ',' : '\n');
	close_out(f, "grid.csv");
	f = open_out(dir, "grid-configs.txt");
	for (c = 0; c < g->nconf; c++) {
		label = qgtm_grid_label(g, c);
		fprintf(f, "%s\n", label);
		free(label);
	}
	close_out(f, "grid-configs.txt");
	if (wf == NULL)
		return;
	f = open_out(dir, "walkforward.csv");
	fprintf(f, "date,return,config\n");
	for (i = wf->first; i < mx->t; i++)
		fprintf(f, "%s,%.17g,%zu\n", mx->dates[i], wf->oos[i],
		    wf->chosen[i] + 1);
	close_out(f, "walkforward.csv");
	write_html(dir, strategy, g, mx, v, wf);
}

/* The --grid mode; returns after printing and writing everything. */
static void
grid_main(const struct args *a, struct qgtm_cfg *cfg,
    const struct qgtm_strategy *st, long from, long to)
{
	struct qgtm_grid g;
	struct qgtm_grid_returns mx;
	struct qgtm_grid_verdict v;
	struct qgtm_grid_span span = { from, to, a->frictionless, fresh_state,
	    NULL };
	struct qgtm_wf wf;
	size_t train = 0, test = 0;
	int anchored = 0;

	if (a->wf != NULL)
		parse_wf(a->wf, &train, &test, &anchored);
	if (qgtm_grid_parse(&g, a->grids, a->ngrids, cfg, a->strategy) == -1 ||
	    qgtm_grid_run(cfg, st, &g, &span, &mx) == -1)
		qgtm_die_lib();
	remove_state();
	if (qgtm_grid_judge(&mx, &v) == -1)
		qgtm_die_lib();
	memset(&wf, 0, sizeof wf);
	if (a->wf != NULL && qgtm_walk_forward(mx.m, mx.t, mx.n, train, test,
	    anchored, &wf) == -1)
		qgtm_die_lib();
	if (a->wf != NULL &&    /* dies before anything is written */
	    qgtm_wf_summary(&wf, mx.t, &(struct qgtm_stats_summary){ 0 }) ==
	    -1)
		qgtm_die_lib();
	if (a->out != NULL)
		write_grid(a->out, st->name, &g, &mx, &v, a->wf ? &wf : NULL);
	print_grid(&g, &mx, &v, a->wf ? &wf : NULL);
	qgtm_wf_release(&wf);
	qgtm_pbo_release(&v.pbo);
	qgtm_grid_release(&g);
	qgtm_grid_returns_release(&mx);
}

/* ------------------------------------------------------------ decay -- */

/* The recent window of decay: six months of sessions. */
#define DECAY_SESSIONS 126

/* The strategies decay measures: the --strategy ones, else every one
 * registered; dies on an unknown name before anything runs. */
static json_t *
decay_names(const struct args *a)
{
	json_t *names = json_array();
	char *all = qgtm_xstrdup(qgtm_strategy_names()), *p, *save = NULL;
	size_t i;

	for (i = 0; i < a->nstrategies; i++) {
		if (qgtm_strategy_find(a->strategies[i]) == NULL)
			qgtm_die(QGTM_EX_USAGE, "unknown strategy '%s' (known: "
			    "%s)", a->strategies[i], qgtm_strategy_names());
		json_array_append_new(names, json_string(a->strategies[i]));
	}
	for (p = strtok_r(all, " ", &save); p != NULL && a->nstrategies == 0;
	    p = strtok_r(NULL, " ", &save))
		json_array_append_new(names, json_string(p));
	free(all);
	return names;
}

/* x, a NaN of either sign becoming the one printf shows as "nan". */
static double
plain_nan(double x)
{
	return isnan(x) ? NAN : x;
}

/* The "decay" record of one strategy's backtest bt and its decay d. */
static json_t *
decay_record(const char *name, const struct qgtm_backtest *bt,
    const struct qgtm_decay *d)
{
	json_t *rec = qgtm_record_new("decay", NULL);

	json_object_set_new(rec, "strategy", json_string(name));
	json_object_set_new(rec, "basis", json_string(d->basis));
	json_object_set_new(rec, "from", json_string(bt->days[0].date));
	json_object_set_new(rec, "recent_from", json_string(d->recent_from));
	json_object_set_new(rec, "to", json_string(d->to));
	json_object_set_new(rec, "insample_sharpe", isfinite(d->insample) ?
	    json_real(d->insample) : json_null());
	json_object_set_new(rec, "recent_sharpe", isfinite(d->recent) ?
	    json_real(d->recent) : json_null());
	json_object_set_new(rec, "ratio", isfinite(d->ratio) ?
	    json_real(d->ratio) : json_null());
	json_object_set_new(rec, "status", json_string(d->status));
	json_object_set_new(rec, "insample_days",
	    json_integer((json_int_t)d->ninsample));
	json_object_set_new(rec, "recent_days",
	    json_integer((json_int_t)d->nrecent));
	return rec;
}

/* One strategy's decay line, or its "decay" record rec with -j. */
static void
print_decay(int json, const char *name, const struct qgtm_decay *d,
    json_t *rec)
{
	if (json) {
		if (qgtm_jsonl_emit(rec) == -1)
			qgtm_die_lib();
		return;
	}
	printf("strategy=%s insample_sharpe=%.6f recent_sharpe=%.6f "
	    "ratio=%.6f status=%s insample_days=%zu recent_days=%zu\n",
	    name, plain_nan(d->insample), plain_nan(d->recent),
	    plain_nan(d->ratio), d->status, d->ninsample, d->nrecent);
}

/* Append recs (the decay records of a run) to the user's state
 * directory's QGTM_REPORT_DECAY in one durable write, for the readiness
 * page. */
static void
save_decay(json_t *recs)
{
	char *path = qgtm_xasprintf("%s/%s", user_state, QGTM_REPORT_DECAY);
	char *slash = strrchr(path, '/'), *line;
	struct qgtm_buf buf;
	json_t *rec;
	size_t i;

	*slash = '\0';
	if (qgtm_mkdirs(path, 0750) == -1)
		qgtm_die_lib();
	*slash = '/';
	qgtm_buf_init(&buf, (size_t)1 << 20);
	json_array_foreach(recs, i, rec) {
		line = json_dumps(rec, JSON_COMPACT);
		qgtm_buf_addf(&buf, "%s\n", line);
		free(line);
	}
	if (qgtm_append_fsync(path, buf.data, buf.len) == -1)
		qgtm_die_lib();
	qgtm_buf_release(&buf);
	free(path);
}

/* Point the state directory at dir (QGTM_STATE_DIR, then the library). */
static void
use_state(const struct qgtm_cfg *cfg, const char *dir)
{
	setenv("QGTM_STATE_DIR", dir, 1);
	if (qgtm_state_init(cfg) == -1)
		qgtm_die_lib();
}

/*
 * The paper record of each strategy of names in the user's state
 * directory, read before anything runs: an object name -> its daily
 * attributed PnL ({dates, cumulative_pnl_cents} of
 * qgtm_report_strategy()). A record that cannot be read is left out,
 * with a warning: decay then falls back on the backtest.
 */
static json_t *
paper_records(const struct qgtm_cfg *cfg, json_t *names)
{
	json_t *out = json_object(), *name, *rec;
	time_t now = qgtm_now();
	size_t i;

	use_state(cfg, user_state);
	json_array_foreach(names, i, name) {
		rec = qgtm_report_strategy(cfg, json_string_value(name), now);
		if (rec == NULL)
			QGTM_WARN("strategy=%s msg=\"no paper record: %s\"",
			    json_string_value(name), qgtm_errmsg());
		else
			json_object_set(out, json_string_value(name),
			    json_object_get(rec, "daily"));
		json_decref(rec);
	}
	use_state(cfg, state_dir);
	return out;
}

/* The decay verb: one backtest per strategy over [from, to] against its
 * paper record, or its last DECAY_SESSIONS sessions against the ones
 * before; the records are saved unless --no-save. */
static void
decay_main(const struct args *a, struct qgtm_cfg *cfg, long from, long to)
{
	json_t *names = decay_names(a), *name, *recs = json_array(), *rec;
	json_t *papers = paper_records(cfg, names);
	struct qgtm_backtest bt;
	struct qgtm_decay d;
	const char *s;
	size_t i;

	json_array_foreach(names, i, name) {
		s = json_string_value(name);
		if (fresh_state(NULL) == -1 ||
		    qgtm_backtest_run(cfg, qgtm_strategy_find(s), from, to, 0,
		    &bt) == -1 || qgtm_decay_measure(&bt,
		    json_object_get(papers, s), DECAY_SESSIONS, &d) == -1)
			qgtm_die_lib();
		if (qgtm_clock_init() == -1)    /* the record's ts: now */
			qgtm_die_lib();
		rec = decay_record(s, &bt, &d);
		print_decay(a->json, s, &d, rec);
		json_array_append_new(recs, rec);
		qgtm_backtest_release(&bt);
	}
	if (!a->no_save)
		save_decay(recs);
	json_decref(recs);
	json_decref(papers);
	json_decref(names);
}

/* ------------------------------------------------------------- main -- */

int
main(int argc, char *argv[])
{
	const struct qgtm_strategy *st = NULL;
	struct qgtm_backtest bt;
	struct qgtm_cfg cfg;
	struct args a;
	struct perf p;
	char title[128];
	long from, to;
	size_t i;
	int rc;

	qgtm_init(argv[0], 0);
	parse_args(argc, argv, &a);
	if (!a.decay && a.strategy != NULL &&
	    (st = qgtm_strategy_find(a.strategy)) == NULL)
		qgtm_die(QGTM_EX_USAGE, "unknown strategy '%s' (known: %s)",
		    a.strategy, qgtm_strategy_names());
	if (!a.show_config)
		private_state();
	if ((rc = qgtm_cmd_start(&cfg, a.cfgpath, a.show_config)) != 0) {
		if (rc == 1)
			return qgtm_exit(0);
		qgtm_die_lib();
	}
	if (user_state == NULL)
		user_state = qgtm_xstrdup(qgtm_cfg_str(&cfg, "common.state_dir"));
	for (i = 0; i < a.nparams; i++)
		if (qgtm_backtest_param(&cfg, a.strategy, a.params[i]) == -1)
			qgtm_die_lib();
	to = a.to ? parse_day("to", a.to) : (long)(qgtm_now() / 86400) - 1;
	from = a.from ? parse_day("from", a.from) : to - (a.decay ? 1095 : 364);
	if (from > to)
		qgtm_die(QGTM_EX_USAGE, "--from is after --to");
	if (a.wf != NULL && a.ngrids == 0)
		qgtm_die(QGTM_EX_USAGE, "--walk-forward needs --grid");
	if (a.decay)
		decay_main(&a, &cfg, from, to);
	else if (a.ngrids > 0)
		grid_main(&a, &cfg, st, from, to);
	if (a.decay || a.ngrids > 0) {
		qgtm_cfg_release(&cfg);
		free(a.params);
		free(a.grids);
		free(a.strategies);
		return qgtm_exit(0);
	}
	if (fresh_state(NULL) == -1)
		qgtm_die_lib();
	rc = qgtm_backtest_run(&cfg, st, from, to, a.frictionless, &bt);
	remove_state();
	if (rc == -1)
		qgtm_die_lib();
	measure(&bt, &p);
	if (a.out != NULL) {
		snprintf(title, sizeof title, "%s: equity and drawdown",
		    a.strategy);
		write_out(a.out, title, &bt);
	}
	print_report(&bt, &p);
	qgtm_backtest_release(&bt);
	qgtm_cfg_release(&cfg);
	free(a.params);
	free(a.grids);
	free(a.strategies);
	return qgtm_exit(0);
}
