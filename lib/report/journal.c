/*
 * journal.c: books folded from the order journal for the report models:
 * the account loaded and marked, a fill of a journal line, the initial
 * cash, the book of a window of fills (of one strategy or all) and its
 * equity.
 */
#include <string.h>

#include "report/report_int.h"

int
qgtm_journal_account(const struct qgtm_cfg *cfg, time_t now,
    struct qgtm_book *book, int64_t *equity)
{
	if (qgtm_oms_book_load(cfg, book) == -1)
		return -1;
	if (qgtm_oms_equity(cfg, book, now, equity) == -1) {
		qgtm_book_release(book);
		return -1;
	}
	return 0;
}

int
qgtm_journal_fill(json_t *rec, struct qgtm_fill *f)
{
	const char *sym = json_string_value(json_object_get(rec, "symbol"));
	const char *side = json_string_value(json_object_get(rec, "side"));
	const char *k[] = { "qty", "price", "commission", "notional" };
	const int sc[] = { QGTM_QTY_SCALE, QGTM_PRICE_SCALE, QGTM_CENTS,
	    QGTM_CENTS };
	int64_t *v[] = { &f->qty, &f->price, &f->commission, &f->notional };
	size_t i;

	memset(f, 0, sizeof *f);
	if (sym == NULL || side == NULL || strlen(sym) >= sizeof f->symbol)
		return qgtm_seterr(QGTM_EX_DATAERR, "journal: bad fill");
	for (i = 0; i < 4; i++)
		if (qgtm_dec_parse(json_string_value(json_object_get(rec,
		    k[i])), sc[i], v[i]) == -1)
			return -1;
	memcpy(f->symbol, sym, strlen(sym) + 1);
	f->side = side[0] == 'b' ? QGTM_BUY : QGTM_SELL;
	return 0;
}

json_t *
qgtm_journal_line_fill(json_t *line, const char **strat, time_t *t)
{
	json_t *fill = json_object_get(line, "fill");
	const char *ts = json_string_value(json_object_get(fill, "ts"));

	*strat = json_string_value(json_object_get(json_object_get(line,
	    "order"), "strategy"));
	if (*strat == NULL) /* a broker's fill, taken on its own line */
		*strat = json_string_value(json_object_get(fill, "strategy"));
	if (fill == NULL || ts == NULL || qgtm_time_parse(ts, t) == -1)
		return NULL;
	if (*strat == NULL)
		*strat = "unknown";
	return fill;
}

/* The config was checked when it was loaded: no error to report. */
int64_t
qgtm_journal_cash0(const struct qgtm_cfg *cfg)
{
	int64_t cash = 0;

	qgtm_cfg_dec(cfg, "broker.sim.initial_cash", QGTM_CENTS, &cash);
	return cash;
}

int
qgtm_journal_book(json_t *journal, int64_t cash, const char *strat,
    time_t from, time_t to, struct qgtm_book *book)
{
	struct qgtm_fill f;
	const char *s;
	json_t *line, *fill;
	size_t i;
	time_t t;

	qgtm_book_init(book, cash);
	json_array_foreach(journal, i, line) {
		fill = qgtm_journal_line_fill(line, &s, &t);
		if (fill == NULL || t <= from || t > to ||
		    (strat != NULL && strcmp(s, strat) != 0))
			continue;
		if (qgtm_journal_fill(fill, &f) == -1 ||
		    qgtm_book_apply(book, &f) == -1) {
			qgtm_book_release(book);
			return -1;
		}
	}
	return 0;
}

int
qgtm_journal_equity(const struct qgtm_cfg *cfg, json_t *journal,
    int64_t cash, const char *strat, time_t from, time_t to, time_t as_of,
    int64_t *out)
{
	struct qgtm_book book;
	int rc;

	if (qgtm_journal_book(journal, cash, strat, from, to, &book) == -1)
		return -1;
	rc = qgtm_oms_equity(cfg, &book, as_of, out);
	qgtm_book_release(&book);
	return rc;
}
