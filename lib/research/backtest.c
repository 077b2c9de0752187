/*
 * backtest.c: a strategy replayed day by day over the sim market through
 * the live path (qgtm-backtest(1)): the bars are stored in the
 * point-in-time store of the state directory, then every session the clock
 * is pinned to its close and the strategy's signal goes through the risk
 * gate and the OMS with the sim broker, exactly as examples/cycle.sh does
 * (or, frictionless, the approved weights are held exactly, without the
 * OMS). The state directory must be a private one (the command makes it).
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "research/research.h"

/* Set one key of cfg's tree (a dotted schema path) to v; steals v. */
static void
cfg_put(struct qgtm_cfg *cfg, const char *path, json_t *v)
{
	char *copy = qgtm_xstrdup(path), *p = copy, *dot;
	json_t *obj = cfg->root;

	while ((dot = strchr(p, '.')) != NULL) {
		*dot = '\0';
		obj = json_object_get(obj, p);
		p = dot + 1;
	}
	json_object_set_new(obj, p, v);
	free(copy);
}

int
qgtm_backtest_param(struct qgtm_cfg *cfg, const char *strategy,
    const char *kv)
{
	const char *eq = strchr(kv, '=');
	char path[128], *end;
	const struct qgtm_cfg_key *k = NULL;
	double x;
	size_t i;

	if (eq == NULL || eq == kv)
		return qgtm_seterr(QGTM_EX_USAGE, "--param '%s': expected "
		    "key=value", kv);
	snprintf(path, sizeof path, "signal.%s.%.*s", strategy,
	    (int)(eq - kv), kv);
	for (i = 0; i < qgtm_cfg_nkeys && k == NULL; i++)
		if (strcmp(qgtm_cfg_keys[i].path, path) == 0)
			k = &qgtm_cfg_keys[i];
	if (k == NULL || (k->type != QGTM_CFG_INT && k->type != QGTM_CFG_NUM))
		return qgtm_seterr(QGTM_EX_USAGE, "unknown parameter '%.*s' "
		    "of strategy %s", (int)(eq - kv), kv, strategy);
	x = strtod(eq + 1, &end);
	if (eq[1] == '\0' || *end != '\0' || !isfinite(x) ||
	    (k->type == QGTM_CFG_INT && (x != floor(x) || fabs(x) > 1e15)))
		return qgtm_seterr(QGTM_EX_USAGE, "--param %s: expected %s, "
		    "got '%s'", path + strlen("signal.") + strlen(strategy) + 1,
		    k->type == QGTM_CFG_INT ? "an integer" : "a number", eq + 1);
	cfg_put(cfg, path, k->type == QGTM_CFG_INT ?
	    json_integer((json_int_t)x) : json_real(x));
	return 0;
}

/*
 * Generate the sim history up to to_day and store it, then read each
 * universe symbol's bars back through the point-in-time store into s (n of
 * them). The join shows a session only the bars available at its close, so
 * storing all at once is what a daily fetch would have stored by then; the
 * store keeps what it wrote as the file's parsed bars, so no session parses
 * a file (parsing at every session made long runs quadratic).
 */
static int
generate(const struct qgtm_cfg *cfg, long to_day, struct qgtm_series *s)
{
	json_t *universe = qgtm_cfg_list(cfg, "common.universe"), *v;
	size_t i, n = json_array_size(universe);
	const time_t known = (time_t)(to_day + 2) * 86400; /* after to_day */
	struct qgtm_series *made;
	struct qgtm_sim sim;
	time_t start;
	int rc;

	if (qgtm_time_parse(qgtm_cfg_str(cfg, "fetch.sim.start"), &start) ==
	    -1 || n == 0)
		return qgtm_seterr(QGTM_EX_CONFIG, "bad fetch.sim.start or "
		    "empty common.universe");
	sim.seed = (uint64_t)qgtm_cfg_int(cfg, "fetch.sim.seed");
	sim.start_day = (long)(start / 86400);
	made = qgtm_xcalloc(n, sizeof *made);
	rc = qgtm_sim_bars(&sim, universe, sim.start_day, to_day, known,
	    made);
	for (i = 0; i < n && rc == 0; i++)
		rc = qgtm_pit_create_bars("sim", &made[i]);
	qgtm_strategy_bars_free(made, n);
	json_array_foreach(universe, i, v)
		if (rc == 0)
			rc = qgtm_pit_bars("sim", json_string_value(v), known,
			    &s[i]);
	return rc;
}

/* Append the fills of out (records of one run) to bt, with their date. */
static void
keep_fills(struct qgtm_backtest *bt, json_t *out, const char *date)
{
	json_t *rec;
	size_t i;

	json_array_foreach(out, i, rec) {
		if (strcmp(qgtm_record_type(rec), "fill") != 0)
			continue;
		json_object_set_new(rec, "date", json_string(date));
		bt->traded += fabs(atof(json_string_value(json_object_get(rec,
		    "notional"))));
		json_array_append(bt->fills, rec);
	}
}

/* The decision of st at as_of: its signal through the risk gate. */
static int
decide(const struct qgtm_cfg *cfg, const struct qgtm_strategy *st,
    time_t as_of, struct qgtm_decision *d)
{
	struct qgtm_risk r;
	json_t *sig, *dec = NULL;
	int rc;

	if ((sig = qgtm_strategy_signal(st, cfg, as_of)) == NULL)
		return -1;
	if (qgtm_risk_init(&r, cfg, as_of) == 0) {
		dec = qgtm_risk_decide(&r, sig);
		qgtm_risk_release(&r);
	}
	json_decref(sig);
	rc = dec == NULL ? -1 : qgtm_decision_parse(dec, d);
	json_decref(dec);
	return rc;
}

/* One session: signal -> risk -> OMS with the sim broker; *equity is the
 * book marked at the close after the orders, in cents. */
static int
run_day(const struct qgtm_cfg *cfg, const struct qgtm_strategy *st,
    time_t as_of, json_t *out, int64_t *equity)
{
	struct qgtm_decision d;
	struct qgtm_oms_run run;
	int rc = -1;

	if (decide(cfg, st, as_of, &d) == -1)
		return -1;
	if (qgtm_oms_run_begin(&run, cfg, as_of, 0) == 0) {
		if (qgtm_oms_run_decision(&run, &d, out) >= 0 &&
		    qgtm_oms_run_commit(&run) == 0)
			rc = qgtm_oms_equity(cfg, &run.book, as_of, equity);
		qgtm_oms_run_release(&run);
	}
	qgtm_decision_release(&d);
	return rc;
}

/* The equity of the last session recorded, or the initial cash. */
static double
last_equity(const struct qgtm_backtest *bt)
{
	return bt->ndays > 0 ? bt->days[bt->ndays - 1].equity : bt->initial;
}

/* Record one session's equity and return. */
static void
add_day(struct qgtm_backtest *bt, const char *date, double equity,
    double ret)
{
	struct qgtm_bt_day *day;

	if (bt->ndays == bt->cap) {
		bt->cap = bt->cap == 0 ? 512 : 2 * bt->cap;
		bt->days = qgtm_xrealloc(bt->days, bt->cap * sizeof *bt->days);
	}
	day = &bt->days[bt->ndays++];
	snprintf(day->date, sizeof day->date, "%s", date);
	day->equity = equity;
	day->ret = ret;
}

/* One live-path session: the book's equity after the day's orders. */
static int
live_day(const struct qgtm_cfg *cfg, const struct qgtm_strategy *st,
    time_t as_of, const char *date, struct qgtm_backtest *bt)
{
	json_t *out = json_array();
	int64_t cents;
	double equity;
	int rc;

	rc = run_day(cfg, st, as_of, out, &cents);
	if (rc == 0) {
		keep_fills(bt, out, date);
		equity = (double)cents / 100.0;
		add_day(bt, date, equity, equity / last_equity(bt) - 1.0);
	}
	json_decref(out);
	return rc;
}

/* -------------------------------------------------------- frictionless -- */

/*
 * The frictionless book: the weights the last decision approved, held
 * from one close to the next as exact fractions of equity, with no
 * shares, no costs and no OMS. A session's return is the sum over
 * symbols of the weight held since the previous close times the symbol's
 * close-to-close return; then the day's decision sets the new weights
 * (a rejected decision, or a target without an approved weight, keeps
 * what is held).
 */
struct flat {
	json_t *universe;       /* borrowed: the symbols */
	struct qgtm_series *s;  /* borrowed: each symbol's bars, by session */
	double *w;              /* the weight held of each symbol */
};

/* The close of symbol k's bar of session i, in price units. */
static int
close_at(const struct flat *fl, size_t k, size_t i, double *close)
{
	const struct qgtm_series *s = &fl->s[k];
	const char *date = fl->s[0].bars[i].date;

	if (i >= s->n || strcmp(s->bars[i].date, date) != 0)
		return qgtm_seterr(QGTM_EX_DATAERR, "no sim close of %s on %s",
		    s->symbol, date);
	*close = (double)s->bars[i].close;
	return 0;
}

/* The return of session i (> 0) on the weights held since session i-1. */
static int
flat_return(const struct flat *fl, size_t i, double *ret)
{
	double c0, c1;
	size_t k;

	*ret = 0;
	for (k = 0; k < json_array_size(fl->universe); k++) {
		if (fl->w[k] == 0)
			continue;
		if (close_at(fl, k, i - 1, &c0) == -1 ||
		    close_at(fl, k, i, &c1) == -1)
			return -1;
		*ret += fl->w[k] * (c1 / c0 - 1.0);
	}
	return 0;
}

/* The index of symbol in the universe, or -1. */
static long
symbol_index(const struct flat *fl, const char *symbol)
{
	json_t *v;
	size_t k;

	json_array_foreach(fl->universe, k, v)
		if (strcmp(json_string_value(v), symbol) == 0)
			return (long)k;
	return -1;
}

/* Hold the approved weights of d from now on; the dollars traded at
 * equity go to bt->traded. */
static void
flat_rebalance(struct flat *fl, const struct qgtm_decision *d, double equity,
    struct qgtm_backtest *bt)
{
	double w;
	size_t k;
	long at;

	if (!d->tradable)
		return;
	for (k = 0; k < d->n; k++) {
		if (!d->t[k].approved ||
		    (at = symbol_index(fl, d->t[k].symbol)) == -1)
			continue;
		w = qgtm_dec_to_double(d->t[k].weight, QGTM_WEIGHT_SCALE);
		bt->traded += fabs(w - fl->w[at]) * equity;
		fl->w[at] = w;
	}
}

/* One frictionless session, session i of the history. */
static int
flat_day(const struct qgtm_cfg *cfg, const struct qgtm_strategy *st,
    time_t as_of, size_t i, struct flat *fl, struct qgtm_backtest *bt)
{
	struct qgtm_decision d;
	const char *date = fl->s[0].bars[i].date;
	double ret = 0, equity;

	if ((i > 0 && flat_return(fl, i, &ret) == -1) ||
	    decide(cfg, st, as_of, &d) == -1)
		return -1;
	equity = last_equity(bt) * (1.0 + ret);
	flat_rebalance(fl, &d, equity, bt);
	qgtm_decision_release(&d);
	add_day(bt, date, equity, ret);
	return 0;
}

/* Run sessions from `from` on of the symbols' bars s through the live path
 * or the frictionless book. */
static int
run_sessions(const struct qgtm_cfg *cfg, const struct qgtm_strategy *st,
    const char *from, int frictionless, struct flat *fl,
    struct qgtm_backtest *bt)
{
	const struct qgtm_series *sessions = &fl->s[0];
	time_t as_of;
	size_t i;
	int rc = 0;

	for (i = 0; i < sessions->n && rc == 0; i++) {
		if (strcmp(sessions->bars[i].date, from) < 0)
			continue;
		as_of = sessions->bars[i].available_at;
		qgtm_clock_pin_at(as_of);
		if (frictionless)
			rc = flat_day(cfg, st, as_of, i, fl, bt);
		else
			rc = live_day(cfg, st, as_of, sessions->bars[i].date, bt);
	}
	return rc;
}

int
qgtm_backtest_open(struct qgtm_cfg *cfg, long to_day,
    struct qgtm_bt_data *data)
{
	json_t *universe = qgtm_cfg_list(cfg, "common.universe");
	int64_t cash;

	memset(data, 0, sizeof *data);
	data->n = json_array_size(universe);
	cfg_put(cfg, "common.price_source", json_string("sim"));
	qgtm_pit_private(1);    /* the state directory is the run's own */
	data->s = qgtm_xcalloc(data->n > 0 ? data->n : 1, sizeof *data->s);
	if (qgtm_cfg_dec(cfg, "broker.sim.initial_cash", QGTM_CENTS, &cash) ==
	    -1 || generate(cfg, to_day, data->s) == -1)
		return -1;
	data->initial = (double)cash / 100.0;
	return 0;
}

void
qgtm_backtest_close(struct qgtm_bt_data *data)
{
	qgtm_strategy_bars_free(data->s, data->n);
	qgtm_pit_private(0);
	memset(data, 0, sizeof *data);
}

int
qgtm_backtest_sessions(const struct qgtm_cfg *cfg,
    const struct qgtm_strategy *st, const struct qgtm_bt_data *data,
    long from_day, int frictionless, struct qgtm_backtest *bt)
{
	struct flat fl = { qgtm_cfg_list(cfg, "common.universe"), data->s,
	    NULL };
	char from[11];
	int rc;

	memset(bt, 0, sizeof *bt);
	bt->fills = json_array();
	bt->initial = data->initial;
	fl.w = qgtm_xcalloc(data->n > 0 ? data->n : 1, sizeof *fl.w);
	qgtm_date_fmt((time_t)from_day * 86400, from);
	rc = run_sessions(cfg, st, from, frictionless, &fl, bt);
	if (rc == 0 && bt->ndays < 2)
		rc = qgtm_seterr(QGTM_EX_USAGE, "fewer than 2 sessions from %s",
		    from);
	free(fl.w);
	return rc;
}

int
qgtm_backtest_run(struct qgtm_cfg *cfg, const struct qgtm_strategy *st,
    long from_day, long to_day, int frictionless, struct qgtm_backtest *bt)
{
	struct qgtm_bt_data data;
	int rc;

	memset(bt, 0, sizeof *bt);
	bt->fills = json_array();
	rc = qgtm_backtest_open(cfg, to_day, &data);
	if (rc == 0) {
		json_decref(bt->fills);
		rc = qgtm_backtest_sessions(cfg, st, &data, from_day,
		    frictionless, bt);
	}
	qgtm_backtest_close(&data);
	return rc;
}

void
qgtm_backtest_release(struct qgtm_backtest *bt)
{
	free(bt->days);
	json_decref(bt->fills);
	memset(bt, 0, sizeof *bt);
}

/* ------------------------------------------------------------ import -- */

/* Store the series file dir/name ("<series>.jsonl") of source, if it is
 * one; any other name is skipped. */
static int
import_series(const char *source, const char *dir, const char *name)
{
	size_t len = strlen(name), added;
	char *path, *series;
	json_t *recs;
	int rc;

	if (len <= 6 || strcmp(name + len - 6, ".jsonl") != 0)
		return 0;
	path = qgtm_xasprintf("%s/%s", dir, name);
	series = qgtm_xasprintf("%.*s", (int)(len - 6), name);
	recs = qgtm_jsonl_read_file(path, 0);
	rc = recs == NULL ? -1 : qgtm_pit_store(source, series, recs, &added);
	json_decref(recs);
	free(series);
	free(path);
	return rc;
}

/* Every series of one source under user_dir; a missing one is skipped. */
static int
import_source(const char *user_dir, const char *source)
{
	char *dir = qgtm_xasprintf("%s/data/%s", user_dir, source);
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;

	if (d == NULL) {
		if (errno != ENOENT)
			rc = qgtm_seterr(QGTM_EX_NOINPUT, "cannot read '%s': %s",
			    dir, strerror(errno));
		free(dir);
		return rc;
	}
	while (rc == 0 && (e = readdir(d)) != NULL)
		rc = import_series(source, dir, e->d_name);
	closedir(d);
	free(dir);
	return rc;
}

int
qgtm_backtest_import(const char *user_dir)
{
	static const char *const sources[] = { "fred", "eia", "cftc" };
	size_t i;

	for (i = 0; i < sizeof sources / sizeof *sources; i++)
		if (import_source(user_dir, sources[i]) == -1)
			return -1;
	return 0;
}
