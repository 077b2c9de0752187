/*
 * recon.c: reconciliation of the OMS against the broker. Each check gives
 * "recon" records with a severity; a critical break raises the kill switch
 * to NO_NEW, since the OMS no longer knows what the account holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qgtm.h"

static const char *const severities[] = { "info", "warn", "critical" };

/* One "recon" record into out; returns sev. */
static int
note(json_t *out, int sev, const char *check, const char *key,
    const char *val, const char *detail)
{
	json_t *rec = qgtm_record_new("recon", NULL);

	json_object_set_new(rec, "severity", json_string(severities[sev]));
	json_object_set_new(rec, "check", json_string(check));
	if (key != NULL)
		json_object_set_new(rec, key, json_string(val));
	json_object_set_new(rec, "detail", json_string(detail));
	json_array_append_new(out, rec);
	return sev;
}

/* The qty string of symbol among position records, or "0". */
static const char *
qty_of(json_t *recs, const char *symbol)
{
	json_t *rec;
	size_t i;

	json_array_foreach(recs, i, rec)
		if (strcmp(json_string_value(json_object_get(rec, "symbol")),
		    symbol) == 0)
			return json_string_value(json_object_get(rec, "qty"));
	return "0";
}

/* Every symbol of a and b compared by quantity; the worst severity. */
static int
compare_positions(json_t *book, json_t *broker, json_t *out)
{
	json_t *both = json_array(), *rec;
	const char *sym, *want, *have;
	char detail[128];
	int64_t w, h;
	size_t i;
	int worst = 0;

	json_array_extend(both, book);
	json_array_extend(both, broker);
	json_array_foreach(both, i, rec) {
		sym = json_string_value(json_object_get(rec, "symbol"));
		if (sym == NULL || (i >= json_array_size(book) &&
		    strcmp(qty_of(book, sym), "0") != 0))
			continue;       /* not a position, or compared already */
		want = qty_of(book, sym);
		have = qty_of(broker, sym);
		if (qgtm_dec_parse(want, QGTM_QTY_SCALE, &w) == -1 ||
		    qgtm_dec_parse(have, QGTM_QTY_SCALE, &h) == -1) {
			w = 1;          /* unreadable: a break */
			h = 0;
		}
		snprintf(detail, sizeof detail, "book %s, broker %s", want, have);
		if (w != h)
			worst = note(out, 2, "position", "symbol", sym, detail);
	}
	json_decref(both);
	return worst;
}

/* Open orders at the broker the order log does not hold: warn. */
static int
compare_orders(json_t *orders, json_t *open, json_t *out)
{
	const char *id;
	json_t *rec;
	size_t i;
	int worst = 0;

	json_array_foreach(open, i, rec) {
		id = json_string_value(json_object_get(rec, "client_order_id"));
		if (id == NULL || json_object_get(orders, id) == NULL)
			worst = note(out, 1, "open_order", "client_order_id",
			    id != NULL ? id : "", "open at the broker, not in "
			    "the order log");
	}
	return worst;
}

/* The book's positions as {symbol, qty} (a new array), unmarked: a
 * symbol without a price is compared all the same. */
static json_t *
book_positions(const struct qgtm_book *book)
{
	json_t *out = json_array();
	size_t i;

	for (i = 0; i < book->npos; i++)
		json_array_append_new(out, json_pack("{s:s,s:o}", "symbol",
		    book->pos[i].symbol, "qty",
		    qgtm_qty_json(book->pos[i].qty)));
	return out;
}

/* Fold the broker's fills the order log lacks into it (an info record
 * when there were any), so the book holds what the broker executed. */
static int
take_fills(struct qgtm_broker *b, json_t *out)
{
	struct qgtm_book book;
	json_t *fills;
	char detail[64];
	int n;

	if (qgtm_oms_book_load(b->cfg, &book) == -1)
		return -1;
	fills = b->ops->fills(b, qgtm_oms_last_activity(&book));
	qgtm_book_release(&book);
	if (fills == NULL)
		return -1;
	n = qgtm_oms_record(b->cfg, fills);
	json_decref(fills);
	if (n > 0) {
		snprintf(detail, sizeof detail, "%d new fills at the %s broker "
		    "folded into the book", n, b->ops->name);
		note(out, 0, "fills", NULL, NULL, detail);
	}
	return n == -1 ? -1 : 0;
}

int
qgtm_recon(struct qgtm_broker *b, json_t *out)
{
	json_t *mine = NULL, *theirs = NULL, *open = NULL;
	struct qgtm_book book;
	char detail[128];
	int worst = 0, w;

	if (take_fills(b, out) == -1 || qgtm_oms_book_load(b->cfg,
	    &book) == -1)
		return -1;
	mine = book_positions(&book);
	if ((theirs = b->ops->positions(b)) == NULL ||
	    (open = b->ops->open_orders(b)) == NULL)
		worst = -1;
	if (worst == 0) {
		w = compare_positions(mine, theirs, out);
		worst = compare_orders(book.orders, open, out);
		worst = w > worst ? w : worst;
		snprintf(detail, sizeof detail, "%zu positions, %zu open "
		    "orders at the %s broker", json_array_size(theirs),
		    json_array_size(open), b->ops->name);
		note(out, worst, "summary", NULL, NULL, detail);
	}
	json_decref(mine);
	json_decref(theirs);
	json_decref(open);
	qgtm_book_release(&book);
	return worst;
}
