/*
 * curve.c: daily equity curves: a book folded from the journal's fills
 * (of one strategy or all) marked at each session close of the point-in-
 * time store, for the readiness chart and the strategy report.
 */
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

/* The most sessions a curve holds: a year. */
#define CURVE_MAX 260

/* The symbols the fills of strat (NULL: every one) up to now touched, a
 * new array; the first fill's moment into *first (0 when none). */
static json_t *
curve_symbols(json_t *journal, const char *strat, time_t now, time_t *first)
{
	json_t *syms = json_array(), *line, *fill;
	const char *s, *sym;
	size_t i;
	time_t t;

	*first = 0;
	json_array_foreach(journal, i, line) {
		fill = qgtm_journal_line_fill(line, &s, &t);
		sym = json_string_value(json_object_get(fill, "symbol"));
		if (fill == NULL || sym == NULL || t > now ||
		    (strat != NULL && strcmp(s, strat) != 0))
			continue;
		qgtm_model_list_add(syms, sym);
		if (*first == 0)
			*first = t;
	}
	return syms;
}

/* The close of series at t (the last bar available by then) into *px,
 * moving *at forward; 0, or -1 when none is. */
static int
series_close(const struct qgtm_series *ser, size_t *at, time_t t,
    int64_t *px)
{
	while (*at < ser->n && ser->bars[*at].available_at <= t)
		(*at)++;
	if (*at == 0)
		return -1;
	*px = ser->bars[*at - 1].close;
	return 0;
}

/* The equity of book at t, each position marked at its series' close
 * (as qgtm_oms_equity marks it); 0, or -1 when a price is missing. */
static int
curve_mark(const struct qgtm_book *book, json_t *syms,
    const struct qgtm_series *ser, size_t *at, time_t t, int64_t *out)
{
	__int128 sum = book->cash;
	int64_t px, value;
	size_t i, k;

	for (i = 0; i < book->npos; i++) {
		for (k = 0; k < json_array_size(syms) &&
		    strcmp(json_string_value(json_array_get(syms, k)),
		    book->pos[i].symbol) != 0; k++)
			continue;
		if (k == json_array_size(syms) ||
		    series_close(&ser[k], &at[k], t, &px) == -1 ||
		    qgtm_dec_mul(book->pos[i].qty, QGTM_QTY_SCALE, px,
		    QGTM_PRICE_SCALE, QGTM_CENTS, &value) == -1)
			return -1;
		sum += value;
	}
	return qgtm_fit64(sum, out, "the curve");
}

/* Fold into book the fills of strat in journal from *next on with a
 * moment at or before t. Returns 0 or -1. */
static int
curve_fold(json_t *journal, const char *strat, size_t *next, time_t t,
    struct qgtm_book *book)
{
	struct qgtm_fill f;
	const char *s;
	json_t *fill;
	time_t ft;

	for (; *next < json_array_size(journal); (*next)++) {
		fill = qgtm_journal_line_fill(json_array_get(journal, *next),
		    &s, &ft);
		if (fill == NULL || (strat != NULL && strcmp(s, strat) != 0))
			continue;
		if (ft > t)
			break;
		if (qgtm_journal_fill(fill, &f) == -1 ||
		    qgtm_book_apply(book, &f) == -1)
			return -1;
	}
	return 0;
}

/* The index of the longest of n series: its bars are the sessions. */
static size_t
longest(const struct qgtm_series *ser, size_t n)
{
	size_t i, best = 0;

	for (i = 1; i < n; i++)
		if (ser[i].n > ser[best].n)
			best = i;
	return best;
}

/* Append to dates and cents the book's equity at each session close from
 * the one before first up to now, the last CURVE_MAX of them. */
static int
curve_walk(const char *source, json_t *journal, const char *strat,
    int64_t cash, time_t first, time_t now, json_t *syms, json_t *dates,
    json_t *cents)
{
	size_t n = json_array_size(syms), i, next = 0, *at;
	struct qgtm_series *ser = qgtm_xcalloc(n, sizeof *ser);
	const struct qgtm_series *cal;
	struct qgtm_book book;
	int64_t eq;
	int rc = 0;

	at = qgtm_xcalloc(n, sizeof *at);
	for (i = 0; i < n && rc == 0; i++)
		rc = qgtm_pit_bars(source, json_string_value(
		    json_array_get(syms, i)), now, &ser[i]);
	qgtm_book_init(&book, cash);
	cal = &ser[longest(ser, n)];
	for (i = 0; rc == 0 && i < cal->n; i++) {
		time_t t = cal->bars[i].available_at;

		if (t <= first - 86400 ||
		    (rc = curve_fold(journal, strat, &next, t, &book)) == -1 ||
		    curve_mark(&book, syms, ser, at, t, &eq) == -1)
			continue;
		json_array_append_new(dates, json_string(cal->bars[i].date));
		json_array_append_new(cents, json_integer(eq));
	}
	while (json_array_size(dates) > CURVE_MAX) {
		json_array_remove(dates, 0);
		json_array_remove(cents, 0);
	}
	qgtm_book_release(&book);
	for (i = 0; i < n; i++)
		qgtm_series_release(&ser[i]);
	free(ser);
	free(at);
	return rc;
}

json_t *
qgtm_curve_equity(const struct qgtm_cfg *cfg, json_t *journal,
    const char *strat, int64_t cash, time_t now)
{
	json_t *dates = json_array(), *cents = json_array(), *syms;
	time_t first;
	int rc = 0;

	syms = curve_symbols(journal, strat, now, &first);
	if (json_array_size(syms) > 0)
		rc = curve_walk(qgtm_cfg_str(cfg, "common.price_source"),
		    journal, strat, cash, first, now, syms, dates, cents);
	json_decref(syms);
	if (rc == -1) {
		json_decref(dates);
		json_decref(cents);
		return NULL;
	}
	return json_pack("{s:o, s:o}", "dates", dates, "equity_cents", cents);
}
