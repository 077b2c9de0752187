/*
 * attrib.c: the week's PnL attributed to the strategies (qgtm_attrib_week)
 * by their share of each position in the combined book's weights.
 *
 * Each New York day and symbol, the symbol's PnL (its value at the day's
 * last close less its value at the day before's, less the cash its fills
 * paid) is two parts: holding (the quantity held at the day's start times
 * the change of price) and trading (the rest: the fills against the close,
 * their commission). The holding part goes to the strategies by the
 * weights in force at the day's start: the newest signal of each traded
 * strategy, a "combined" signal by its "contributions"; the trading part by
 * the signal that placed the day's last fill of the symbol (its trace id).
 * Where no signal gives the symbol a weight (a journal without signals in
 * the audit chain, a flatten) the strategies' own quantities stand in.
 * Every part is split in millionths of a cent by largest remainder, the
 * week's sums back to cents the same way, so the contributions sum to the
 * week's PnL exactly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

/* Millionths of a cent: the unit the parts are split in. */
#define MICRO 1000000

/* The strategies' running sums. */
struct acc {
	json_t *names;          /* array of the strategies, first seen first */
	__int128 *micro;        /* PnL in MICRO-ths of a cent, by index */
	json_int_t *trades, *hits;
	size_t cap;
};

/* The signals of the audit chain. */
struct sigs {
	json_t *list;           /* the signal records, in chain order */
	json_t *by_trace;       /* trace_id -> signal record (borrowed) */
};

/* ---------------------------------------------------------- splitting -- */

/* floor(a / d) for d > 0. */
static __int128
floor_div(__int128 a, __int128 d)
{
	__int128 q = a / d;

	return q * d > a ? q - 1 : q;
}

int
qgtm_attrib_split(const __int128 *u, size_t n, __int128 d, __int128 *out)
{
	__int128 *rem, left = 0, best;
	size_t i, k, pick;

	if (n == 0 || d <= 0)
		return -1;
	rem = qgtm_xcalloc(n, sizeof *rem);
	for (i = 0; i < n; i++) {
		out[i] = floor_div(u[i], d);
		rem[i] = u[i] - out[i] * d;
		left += rem[i];
	}
	if (left % d != 0) {
		free(rem);
		return -1;
	}
	for (k = (size_t)(left / d); k > 0; k--) {
		best = -1;
		pick = 0;
		for (i = 0; i < n; i++)
			if (rem[i] > best)
				best = rem[i], pick = i;
		out[pick]++;
		rem[pick] = -1;
	}
	free(rem);
	return 0;
}

/* ------------------------------------------------------- accumulators -- */

/* The index of strategy name in a, added when new. */
static size_t
acc_index(struct acc *a, const char *name)
{
	size_t i, n = json_array_size(a->names);

	for (i = 0; i < n; i++)
		if (strcmp(json_string_value(json_array_get(a->names, i)),
		    name) == 0)
			return i;
	if (n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 16;
		a->micro = qgtm_xrealloc(a->micro, a->cap * sizeof *a->micro);
		a->trades = qgtm_xrealloc(a->trades, a->cap *
		    sizeof *a->trades);
		a->hits = qgtm_xrealloc(a->hits, a->cap * sizeof *a->hits);
	}
	json_array_append_new(a->names, json_string(name));
	a->micro[n] = 0;
	a->trades[n] = a->hits[n] = 0;
	return n;
}

/* Add cents to the strategies of w (name -> weight, a non-zero sum), split
 * by their weights in MICRO-ths of a cent. */
static void
acc_split(struct acc *a, int64_t cents, json_t *w)
{
	size_t n = json_object_size(w), i = 0;
	__int128 *u = qgtm_xcalloc(n, sizeof *u), *out, sum = 0;
	const char *k;
	json_t *v;

	json_object_foreach(w, k, v)
		sum += json_integer_value(v);
	json_object_foreach(w, k, v)
		u[i++] = (__int128)cents * MICRO * json_integer_value(v) *
		    (sum < 0 ? -1 : 1);
	out = qgtm_xcalloc(n, sizeof *out);
	qgtm_attrib_split(u, n, sum < 0 ? -sum : sum, out);
	i = 0;
	json_object_foreach(w, k, v)
		a->micro[acc_index(a, k)] += out[i++];
	free(u);
	free(out);
}

/* ------------------------------------------------------------ weights -- */

/* Add v to the integer member name of w. */
static void
w_add(json_t *w, const char *name, json_int_t v)
{
	json_object_set_new(w, name, json_integer(json_integer_value(
	    json_object_get(w, name)) + v));
}

/* The sum of the weights of w is not 0. */
static int
w_any(json_t *w)
{
	json_int_t sum = 0;
	const char *k;
	json_t *v;

	json_object_foreach(w, k, v)
		sum += json_integer_value(v);
	return sum != 0;
}

/* Add to w the weights signal rec gives sym: by "contributions" when it
 * has them, else the whole weight to its strategy. */
static void
w_signal(json_t *rec, const char *sym, json_t *w)
{
	const char *strat = json_string_value(json_object_get(rec, "strategy"));
	json_t *t, *c, *v;
	const char *k;
	int64_t x;
	size_t i;

	json_array_foreach(json_object_get(rec, "targets"), i, t) {
		if (strcmp(qgtm_page_str(t, "symbol"), sym) != 0)
			continue;
		if ((c = json_object_get(t, "contributions")) != NULL) {
			json_object_foreach(c, k, v)
				if (qgtm_dec_parse(json_string_value(v),
				    QGTM_WEIGHT_SCALE, &x) == 0)
					w_add(w, k, x);
		} else if (strat != NULL && qgtm_dec_parse(json_string_value(
		    json_object_get(t, "weight")), QGTM_WEIGHT_SCALE, &x) == 0)
			w_add(w, strat, x);
	}
}

/* The moment of signal rec (its as_of), or -1. */
static time_t
sig_time(json_t *rec)
{
	time_t t;

	if (qgtm_time_parse(qgtm_page_str(rec, "as_of"), &t) == -1)
		return -1;
	return t;
}

/* Into w, the weights of sym in force at t: the newest signal of each
 * strategy as of t; when they sum to 0, the newest signal that gives sym
 * a weight. */
static void
w_in_force(const struct sigs *s, const char *sym, time_t t, json_t *w)
{
	json_t *newest = json_object(), *rec, *last = NULL, *one;
	const char *k;
	size_t i;

	json_array_foreach(s->list, i, rec) {
		if (sig_time(rec) > t)
			continue;
		json_object_set(newest, qgtm_page_str(rec, "strategy"), rec);
		one = json_object();
		w_signal(rec, sym, one);
		if (w_any(one))
			last = rec;
		json_decref(one);
	}
	json_object_foreach(newest, k, rec)
		w_signal(rec, sym, w);
	if (!w_any(w) && last != NULL) {
		json_object_clear(w);
		w_signal(last, sym, w);
	}
	json_decref(newest);
}

/* The fill of journal line (borrowed) when it is one of sym in (from,
 * to], read into *f with its strategy into *strat; else NULL. */
static json_t *
sym_fill(json_t *line, const char *sym, time_t from, time_t to,
    struct qgtm_fill *f, const char **strat)
{
	json_t *fill;
	time_t t;

	fill = qgtm_journal_line_fill(line, strat, &t);
	if (fill == NULL || t <= from || t > to ||
	    strcmp(qgtm_page_str(fill, "symbol"), sym) != 0 ||
	    qgtm_journal_fill(fill, f) == -1)
		return NULL;
	return fill;
}

/* Into w, the strategies' own signed quantities of sym from the fills of
 * journal in (from, to]; the strategy of the last such fill into *last
 * (unchanged when none). */
static void
w_own(json_t *journal, const char *sym, time_t from, time_t to, json_t *w,
    const char **last)
{
	struct qgtm_fill f;
	const char *s;
	json_t *line;
	size_t i;

	json_array_foreach(journal, i, line) {
		if (sym_fill(line, sym, from, to, &f, &s) == NULL)
			continue;
		w_add(w, s, f.qty * f.side);
		*last = s;
	}
}

/* ------------------------------------------------------------ signals -- */

/*
 * The strategy and the moment of the signal of a chain line of n bytes,
 * read without parsing it: its rec's keys are in canonical order
 * (lib/audit/canon.c), as_of first and the strategy right after src, so
 * both sit at fixed marks. Returns the strategy's length with *name at
 * it and the moment in *t, or 0 when the marks are not there.
 */
static size_t
sig_peek(const char *line, size_t n, const char **name, time_t *t)
{
	static const char at[] = "\"rec\":{\"as_of\":\"";
	static const char by[] = "\"src\":\"qgtm-signal\",\"strategy\":\"";
	const char *a = memmem(line, n, at, sizeof at - 1), *b, *q;
	char ts[21];

	b = memmem(line, n, by, sizeof by - 1);
	if (a == NULL || b == NULL || (size_t)(line + n - a) < sizeof at + 20)
		return 0;
	memcpy(ts, a + sizeof at - 1, 20);
	ts[20] = '\0';
	*name = b + sizeof by - 1;
	q = memchr(*name, '"', (size_t)(line + n - *name));
	if (q == NULL || memchr(*name, '\\', (size_t)(q - *name)) != NULL ||
	    qgtm_time_parse(ts, t) == -1)
		return 0;
	return (size_t)(q - *name);
}

/*
 * The signal records of the audit chain: each strategy's newest as of
 * start and every one up to end. A chain that cannot be read gives none
 * (the strategies' own quantities then stand in). Only the lines of the
 * window are parsed, and of those before it the newest of each strategy
 * (sig_peek): the chain holds a signal a strategy a session, all of
 * history. A line the peek cannot read is parsed.
 */
static void
sigs_load(const struct qgtm_cfg *cfg, time_t start, time_t end,
    struct sigs *s)
{
	char *path = qgtm_state_path(qgtm_cfg_str(cfg, "audit.chain"), 0);
	FILE *f = path ? fopen(path, "r") : NULL;
	json_t *e, *rec, *before = json_object(), *v;
	char *line = NULL, name[128];
	const char *k, *p;
	size_t cap = 0, i, len;
	off_t at = 0;
	ssize_t n;
	time_t t;

	s->list = json_array();
	s->by_trace = json_object();
	for (; f != NULL && (n = getline(&line, &cap, f)) > 0; at += n) {
		if (strstr(line, "\"signal\"") == NULL)
			continue;
		if ((len = sig_peek(line, (size_t)n, &p, &t)) > 0 &&
		    len < sizeof name && (t > end || t <= start)) {
			if (t > end)
				continue;
			/* Kept as its offset; parsed below if the newest. */
			memcpy(name, p, len);
			name[len] = '\0';
			json_object_set_new(before, name, json_integer(at));
			continue;
		}
		if ((e = json_loads(line, 0, NULL)) == NULL)
			continue;
		rec = json_object_get(e, "rec");
		if (strcmp(qgtm_page_str(rec, "type"), "signal") == 0 &&
		    (t = sig_time(rec)) != -1 && t <= end) {
			if (t <= start)
				json_object_set(before, qgtm_page_str(rec,
				    "strategy"), rec);
			else
				json_array_append(s->list, rec);
		}
		json_decref(e);
	}
	json_object_foreach(before, k, v) {
		if (!json_is_integer(v))
			continue;
		e = fseeko(f, json_integer_value(v), SEEK_SET) == 0 &&
		    getline(&line, &cap, f) > 0 ? json_loads(line, 0, NULL) :
		    NULL;
		rec = json_object_get(e, "rec");
		json_object_set(before, k, rec != NULL ? rec : json_null());
		json_decref(e);
	}
	json_object_foreach(before, k, v)
		if (!json_is_null(v))
			json_array_insert(s->list, 0, v);
	json_array_foreach(s->list, i, v)
		json_object_set(s->by_trace, qgtm_page_str(v, "trace_id"), v);
	json_decref(before);
	if (f != NULL)
		fclose(f);
	free(line);
	free(path);
}

/* --------------------------------------------------------------- days -- */

/* The value in cents of qty of sym at the last close as of t into *v
 * (0 when qty is 0). Returns 0 or -1. */
static int
value_at(const struct qgtm_cfg *cfg, const char *sym, int64_t qty, time_t t,
    int64_t *v)
{
	int64_t px;

	*v = 0;
	if (qty == 0)
		return 0;
	if (qgtm_pit_last_close(qgtm_cfg_str(cfg, "common.price_source"), sym,
	    t, &px, NULL) == -1)
		return -1;
	return qgtm_dec_mul(qty, QGTM_QTY_SCALE, px, QGTM_PRICE_SCALE,
	    QGTM_CENTS, v);
}

/* The quantity of sym in book. */
static int64_t
qty_of(const struct qgtm_book *book, const char *sym)
{
	const struct qgtm_position *p = qgtm_book_position(book, sym);

	return p ? p->qty : 0;
}

/* What the fills of sym in journal in (t0, t1] did to cash, into *flow;
 * the trace id of the last into *trace (NULL when none). */
static void
day_flow(json_t *journal, const char *sym, time_t t0, time_t t1,
    int64_t *flow, const char **trace)
{
	struct qgtm_fill f;
	const char *s;
	json_t *line, *fill;
	size_t i;

	*flow = 0;
	*trace = NULL;
	json_array_foreach(journal, i, line) {
		if ((fill = sym_fill(line, sym, t0, t1, &f, &s)) == NULL)
			continue;
		*flow += f.notional * -f.side - f.commission;
		*trace = qgtm_page_str(fill, "trace_id");
	}
}

/* The input of one day's attribution. */
struct day {
	const struct qgtm_cfg *cfg;
	json_t *journal;
	json_t *week;           /* its lines with a fill in the week */
	const struct sigs *sigs;
	time_t t0, t1;
};

/* Into w, the weights the trading part of sym on day d goes by: the
 * signal of the last fill's trace, else the strategies' own quantities
 * traded that day, then held at its start, then the weights in force at
 * its start, else the last fill's strategy. */
static void
w_trading(const struct day *d, const char *sym, const char *trace, json_t *w)
{
	json_t *rec = trace ? json_object_get(d->sigs->by_trace, trace) : NULL;
	const char *last = "unknown";

	if (rec != NULL)
		w_signal(rec, sym, w);
	if (!w_any(w)) {
		json_object_clear(w);
		w_own(d->week, sym, d->t0, d->t1, w, &last);
	}
	if (!w_any(w)) {
		json_object_clear(w);
		w_own(d->journal, sym, 0, d->t0, w, &last);
	}
	if (!w_any(w)) {
		json_object_clear(w);
		w_in_force(d->sigs, sym, d->t0, w);
	}
	if (!w_any(w)) {
		json_object_clear(w);
		w_add(w, last, 1);
	}
}

/* Into w, the weights the holding part of sym on day d goes by: those in
 * force at its start, else the strategies' own quantities then. */
static void
w_holding(const struct day *d, const char *sym, json_t *w)
{
	const char *last = "unknown";

	w_in_force(d->sigs, sym, d->t0, w);
	if (!w_any(w)) {
		json_object_clear(w);
		w_own(d->journal, sym, 0, d->t0, w, &last);
	}
	if (!w_any(w)) {
		json_object_clear(w);
		w_add(w, last, 1);
	}
}

/* Attribute the PnL of sym on day d (held b0 at its start, b1 at its
 * end) into a. Returns 0 or -1. */
static int
day_symbol(const struct day *d, const char *sym, const struct qgtm_book *b0,
    const struct qgtm_book *b1, struct acc *a)
{
	int64_t q0 = qty_of(b0, sym), v0, h1, v1, flow;
	const char *trace;
	json_t *w;

	if (value_at(d->cfg, sym, q0, d->t0, &v0) == -1 ||
	    value_at(d->cfg, sym, q0, d->t1, &h1) == -1 ||
	    value_at(d->cfg, sym, qty_of(b1, sym), d->t1, &v1) == -1)
		return -1;
	day_flow(d->week, sym, d->t0, d->t1, &flow, &trace);
	if (h1 - v0 != 0) {
		w = json_object();
		w_holding(d, sym, w);
		acc_split(a, h1 - v0, w);
		json_decref(w);
	}
	if (v1 - h1 + flow != 0) {
		w = json_object();
		w_trading(d, sym, trace, w);
		acc_split(a, v1 - h1 + flow, w);
		json_decref(w);
	}
	return 0;
}

/* Attribute day d into a: every symbol held at its start or end or
 * filled in it. Returns 0 or -1. */
static int
day_attrib(const struct day *d, struct acc *a)
{
	json_t *syms = json_array(), *line, *v;
	struct qgtm_book b0, b1;
	const char *s;
	size_t i;
	time_t t;
	int rc = 0;

	if (qgtm_journal_book(d->journal, 0, NULL, 0, d->t0, &b0) == -1)
		return json_decref(syms), -1;
	if (qgtm_journal_book(d->journal, 0, NULL, 0, d->t1, &b1) == -1) {
		qgtm_book_release(&b0);
		return json_decref(syms), -1;
	}
	for (i = 0; i < b0.npos; i++)
		qgtm_model_list_add(syms, b0.pos[i].symbol);
	json_array_foreach(d->week, i, line)
		if ((v = qgtm_journal_line_fill(line, &s, &t)) != NULL &&
		    t > d->t0 && t <= d->t1)
			qgtm_model_list_add(syms, qgtm_page_str(v, "symbol"));
	json_array_foreach(syms, i, v)
		if (rc == 0)
			rc = day_symbol(d, json_string_value(v), &b0, &b1, a);
	qgtm_book_release(&b0);
	qgtm_book_release(&b1);
	json_decref(syms);
	return rc;
}

/* -------------------------------------------------------------- trades -- */

/* Count each fill of the week for the strategies its weights name (as for
 * its trading part), with hits: a buy below, or a sell above, the price
 * at end. Returns the number of fills. */
static json_int_t
week_trades(const struct day *wk, struct acc *a)
{
	const char *s, *sym, *k;
	struct qgtm_fill f;
	json_t *line, *fill, *w, *v;
	struct day d = *wk;
	json_int_t n = 0;
	int64_t px;
	size_t i;
	time_t t;
	int hit;

	json_array_foreach(wk->week, i, line) {
		fill = qgtm_journal_line_fill(line, &s, &t);
		if (fill == NULL || t <= wk->t0 || t > wk->t1 ||
		    qgtm_journal_fill(fill, &f) == -1)
			continue;
		sym = f.symbol;
		n++;
		hit = qgtm_pit_last_close(qgtm_cfg_str(wk->cfg,
		    "common.price_source"), sym, wk->t1, &px, NULL) == 0 &&
		    (f.side == QGTM_BUY ? px > f.price : px < f.price);
		d.t0 = t - 1;
		d.t1 = t;
		w = json_object();
		w_trading(&d, sym, qgtm_page_str(fill, "trace_id"), w);
		json_object_foreach(w, k, v)
			if (json_integer_value(v) != 0) {
				a->trades[acc_index(a, k)]++;
				a->hits[acc_index(a, k)] += hit;
			}
		json_decref(w);
	}
	return n;
}

/* ------------------------------------------------------------- result -- */

/* 1 when strategy row x ranks before y: larger contribution, then name. */
static int
ranks_before(json_t *x, json_t *y)
{
	json_int_t cx = json_integer_value(json_object_get(x, "pnl_cents"));
	json_int_t cy = json_integer_value(json_object_get(y, "pnl_cents"));

	if (cx != cy)
		return cx > cy;
	return strcmp(qgtm_page_str(x, "strategy"), qgtm_page_str(y,
	    "strategy")) < 0;
}

/* Insert row (stolen) into rows, kept ranked. */
static void
insert_ranked(json_t *rows, json_t *row)
{
	size_t i = 0;

	while (i < json_array_size(rows) && !ranks_before(row,
	    json_array_get(rows, i)))
		i++;
	json_array_insert_new(rows, i, row);
}

/* The rows of a ranked into rec, the week's sums back to cents: each
 * strategy's share rounded down, the cents left by largest remainder;
 * rounding_cents is what that moved against each share rounded half to
 * even. */
static void
acc_rows(struct acc *a, json_t *rec)
{
	size_t i, n = json_array_size(a->names);
	__int128 *cents = qgtm_xcalloc(n ? n : 1, sizeof *cents), near = 0;
	json_t *rows = json_array();
	int64_t total = 0;

	if (n > 0)
		qgtm_attrib_split(a->micro, n, MICRO, cents);
	for (i = 0; i < n; i++) {
		total += (int64_t)cents[i];
		near += qgtm_div_half_even(a->micro[i], MICRO);
		insert_ranked(rows, json_pack("{s:O, s:I, s:I, s:I}",
		    "strategy", json_array_get(a->names, i), "pnl_cents",
		    (json_int_t)cents[i], "trades", a->trades[i], "hits",
		    a->hits[i]));
	}
	json_object_set_new(rec, "strategies", rows);
	json_object_set_new(rec, "rounding_cents", json_integer(
	    (json_int_t)(total - near)));
	free(cents);
}

/* best and worst of rec's ranked rows, and "traded": how many strategies
 * traded or contributed; worst is null when fewer than two did. */
static void
best_worst(json_t *rec)
{
	json_t *rows = json_object_get(rec, "strategies"), *r, *live;
	size_t i;

	live = json_array();
	json_array_foreach(rows, i, r)
		if (json_integer_value(json_object_get(r, "trades")) != 0 ||
		    json_integer_value(json_object_get(r, "pnl_cents")) != 0)
			json_array_append(live, r);
	json_object_set_new(rec, "strategies_active", json_integer(
	    (json_int_t)json_array_size(live)));
	json_object_set(rec, "best", json_array_size(live) > 0 ?
	    json_object_get(json_array_get(live, 0), "strategy") :
	    json_null());
	json_object_set(rec, "worst", json_array_size(live) > 1 ?
	    json_object_get(json_array_get(live, json_array_size(live) - 1),
	    "strategy") : json_null());
	json_decref(live);
}

/* The configured strategies into a, "combined" as the strategies of its
 * budgets. */
static void
acc_configured(const struct qgtm_cfg *cfg, struct acc *a)
{
	json_t *v, *b;
	size_t i, k;
	char name[64];

	json_array_foreach(qgtm_cfg_list(cfg, "signal.strategies"), i, v) {
		if (strcmp(json_string_value(v), "combined") != 0) {
			acc_index(a, json_string_value(v));
			continue;
		}
		json_array_foreach(qgtm_cfg_list(cfg,
		    "signal.combined.budgets"), k, b) {
			snprintf(name, sizeof name, "%.*s", (int)strcspn(
			    json_string_value(b), "="), json_string_value(b));
			acc_index(a, name);
		}
	}
}

int
qgtm_attrib_week(const struct qgtm_cfg *cfg, json_t *journal, long mon,
    time_t end, json_t *rec)
{
	time_t start = qgtm_model_ny_midnight(mon, 0), t1;
	struct acc a = { json_array(), NULL, NULL, NULL, 0 };
	struct sigs s;
	struct day d = { cfg, journal, json_array(), &s, start, end };
	const char *strat;
	json_t *line;
	size_t i;
	int rc = 0;

	json_array_foreach(journal, i, line)
		if (qgtm_journal_line_fill(line, &strat, &t1) != NULL &&
		    t1 > start && t1 <= end)
			json_array_append(d.week, line);
	sigs_load(cfg, start, end, &s);
	acc_configured(cfg, &a);
	for (i = 0; i < 7 && rc == 0 && d.t0 < end; i++, d.t0 = t1) {
		t1 = qgtm_model_ny_midnight(mon, (long)i + 1);
		d.t1 = t1 < end ? t1 : end;
		rc = day_attrib(&d, &a);
	}
	if (rc == 0) {
		d.t0 = start;
		d.t1 = end;
		json_object_set_new(rec, "fills", json_integer(week_trades(&d,
		    &a)));
		acc_rows(&a, rec);
		best_worst(rec);
	}
	json_decref(d.week);
	json_decref(a.names);
	free(a.micro);
	free(a.trades);
	free(a.hits);
	json_decref(s.list);
	json_decref(s.by_trace);
	return rc;
}
