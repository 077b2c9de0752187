/*
 * recon.c: reconciliation of the OMS against the broker. Each check gives
 * "recon" records with a severity; a critical break raises the kill switch
 * to NO_NEW, since the OMS no longer knows what the account holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "order/order.h"

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

/* Open orders at the broker the order log does not hold: nobody here
 * placed them, so the OMS no longer knows what will be held: critical. */
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
			worst = note(out, 2, "open_order", "client_order_id",
			    id != NULL ? id : "", "open at the broker, not in "
			    "the order log");
	}
	return worst;
}

/* Orders the journal holds working (of broker b) that are not open at
 * the broker: filled without a fill the log has, canceled or expired
 * there: a difference, warn. */
static int
compare_working(const struct qgtm_book *book, const char *broker,
    json_t *open, json_t *out)
{
	const char *id, *oid, *ob;
	json_t *left, *rec, *order;
	size_t i;
	int found, worst = 0;

	json_object_foreach(book->open, id, left) {
		order = json_object_get(book->orders, id);
		ob = json_string_value(json_object_get(order, "broker"));
		if (strcmp(ob != NULL ? ob : "sim", broker) != 0)
			continue;
		found = 0;
		json_array_foreach(open, i, rec) {
			oid = json_string_value(json_object_get(rec,
			    "client_order_id"));
			found |= oid != NULL && strcmp(oid, id) == 0;
		}
		if (!found)
			worst = note(out, 1, "working", "client_order_id", id,
			    "working in the order log, not open at the broker");
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

/* The quantity (QGTM_QTY_SCALE) of fill record f when coid (the id of
 * its order) is id, else 0. */
static int64_t
fill_qty(json_t *f, const char *coid, const char *id)
{
	const char *q = json_string_value(json_object_get(f, "qty"));
	int64_t qty;

	return coid != NULL && strcmp(coid, id) == 0 && q != NULL &&
	    qgtm_dec_parse(q, QGTM_QTY_SCALE, &qty) == 0 ? qty : 0;
}

/* The client order id of a fill record. */
static const char *
coid_of(json_t *rec)
{
	return json_string_value(json_object_get(rec, "client_order_id"));
}

/* The quantity of the fills of order id in book (its own line's fill
 * and every activity linked to it) and in staged[0..upto]. */
static int64_t
filled_of(const struct qgtm_book *book, const char *id, json_t *staged,
    size_t upto)
{
	json_t *line, *fill, *order;
	int64_t sum = 0;
	size_t i;

	json_array_foreach(book->journal, i, line) {
		if ((fill = json_object_get(line, "fill")) == NULL)
			continue;
		order = json_object_get(line, "order");
		sum += fill_qty(fill, coid_of(order != NULL ? order : fill), id);
	}
	for (i = 0; i <= upto; i++) {
		fill = json_array_get(staged, i);
		sum += fill_qty(fill, coid_of(fill), id);
	}
	return sum;
}

/* Check staged fill i against its order in book and the fills before
 * it; the severity. */
static int
check_fill(const struct qgtm_book *book, json_t *staged, size_t i,
    json_t *out)
{
	json_t *fill = json_array_get(staged, i), *order;
	const char *id = coid_of(fill);
	const char *bid = json_string_value(json_object_get(fill,
	    "broker_order_id"));
	const char *q;
	int64_t qty;
	char detail[160];

	if (id == NULL || (order = json_object_get(book->orders, id)) == NULL) {
		snprintf(detail, sizeof detail, "a fill of broker order %s, "
		    "which the order log does not hold", bid != NULL ? bid :
		    "(none)");
		return note(out, 2, "unknown_order", "broker_order_id",
		    bid != NULL ? bid : "", detail);
	}
	q = json_string_value(json_object_get(order, "qty"));
	if (q == NULL || qgtm_dec_parse(q, QGTM_QTY_SCALE, &qty) == -1 ||
	    filled_of(book, id, staged, i) <= qty)
		return 0;
	snprintf(detail, sizeof detail, "fills of %s exceed the order's qty "
	    "%s", id, q != NULL ? q : "?");
	return note(out, 2, "overfill", "client_order_id", id, detail);
}

/* Whether id is a client order id this OMS makes: "qgtm-" and 40 lower
 * case hex digits. */
static int
own_id(const char *id)
{
	size_t i;

	if (id == NULL || strlen(id) != 45 || strncmp(id, "qgtm-", 5) != 0)
		return 0;
	for (i = 5; i < 45; i++)
		if (strchr("0123456789abcdef", id[i]) == NULL)
			return 0;
	return 1;
}

/* Whether book holds the order with broker order id bid. */
static int
knows(const struct qgtm_book *book, const char *bid)
{
	const char *key, *v;
	json_t *order;

	json_object_foreach(book->orders, key, order) {
		v = json_string_value(json_object_get(order, "broker_order_id"));
		if (v != NULL && strcmp(v, bid) == 0)
			return 1;
	}
	return 0;
}

/*
 * Journal the orders of fills (of b) that the journal lacks but that
 * are this OMS's own (sent by a run that died before its journal write),
 * as the broker has them, with a "warn" record each; the worst severity,
 * or -1.
 */
static int
recover(struct qgtm_broker *b, const struct qgtm_book *book, json_t *fills,
    json_t *out)
{
	json_t *fill, *order, *seen = json_object(), *recs = json_array();
	const char *bid, *id;
	char detail[160];
	size_t i;
	int rc = 0, worst = 0;

	json_array_foreach(fills, i, fill) {
		bid = json_string_value(json_object_get(fill,
		    "broker_order_id"));
		if (bid == NULL ||
		    json_object_get(seen, bid) != NULL || knows(book, bid))
			continue;
		json_object_set_new(seen, bid, json_true());
		if ((order = b->ops->order(b, bid)) == NULL) {
			rc = -1;
			break;
		}
		id = json_string_value(json_object_get(order,
		    "client_order_id"));
		if (own_id(id)) {
			json_object_del(order, "filled_qty");
			json_array_append(recs, order);
			snprintf(detail, sizeof detail, "order %s at the broker, "
			    "sent by a run that died before its journal "
			    "write: journaled now", bid);
			worst = note(out, 1, "recovered", "client_order_id", id,
			    detail);
		}
		json_decref(order);
	}
	if (rc == 0 && json_array_size(recs) > 0 &&
	    qgtm_oms_record(b->cfg, recs) == -1)
		rc = -1;
	json_decref(seen);
	json_decref(recs);
	return rc == -1 ? -1 : worst;
}

int
qgtm_recon_fills(struct qgtm_broker *b, json_t *out, json_t *fills)
{
	struct qgtm_book book;
	json_t *got, *staged;
	char detail[64];
	size_t i;
	int w, worst;

	if (qgtm_oms_book_load(b->cfg, &book) == -1)
		return -1;
	got = b->ops->fills(b, qgtm_oms_last_activity(&book));
	worst = got == NULL ? -1 : recover(b, &book, got, out);
	qgtm_book_release(&book);
	if (worst == -1 || qgtm_oms_book_load(b->cfg, &book) == -1) {
		json_decref(got);
		return -1;
	}
	staged = qgtm_oms_fills_new(&book, got);
	json_decref(got);
	if (json_array_size(staged) > 0) {
		snprintf(detail, sizeof detail, "%zu new fills at the %s broker "
		    "folded into the book", json_array_size(staged),
		    b->ops->name);
		note(out, 0, "fills", NULL, NULL, detail);
	}
	for (i = 0; i < json_array_size(staged); i++)
		if ((w = check_fill(&book, staged, i, out)) > worst)
			worst = w;
	qgtm_book_release(&book);
	json_array_extend(fills, staged);
	json_decref(staged);
	return worst;
}

int
qgtm_recon(struct qgtm_broker *b, json_t *out)
{
	return qgtm_recon_run(b, out, NULL);
}

int
qgtm_recon_run(struct qgtm_broker *b, json_t *out, json_t *fills)
{
	json_t *staged = json_array();
	int f;

	if ((f = qgtm_recon_fills(b, out, staged)) != -1 &&
	    json_array_size(staged) > 0 && qgtm_oms_record(b->cfg,
	    staged) == -1)
		f = -1;
	if (f != -1 && fills != NULL)
		json_array_extend(fills, staged);
	json_decref(staged);
	return f == -1 ? -1 : qgtm_recon_compare(b, out, f);
}

int
qgtm_recon_compare(struct qgtm_broker *b, json_t *out, int worst)
{
	json_t *mine = NULL, *theirs = NULL, *open = NULL;
	struct qgtm_book book;
	char detail[128];
	int w, rc = 0;

	if (qgtm_oms_book_load(b->cfg, &book) == -1)
		return -1;
	mine = book_positions(&book);
	if ((theirs = b->ops->positions(b)) == NULL ||
	    (open = b->ops->open_orders(b)) == NULL)
		rc = -1;
	if (rc == 0) {
		if ((w = compare_positions(mine, theirs, out)) > worst)
			worst = w;
		if ((w = compare_orders(book.orders, open, out)) > worst)
			worst = w;
		if ((w = compare_working(&book, b->ops->name, open,
		    out)) > worst)
			worst = w;
		snprintf(detail, sizeof detail, "%zu positions, %zu open "
		    "orders at the %s broker", json_array_size(theirs),
		    json_array_size(open), b->ops->name);
		note(out, worst, "summary", NULL, NULL, detail);
	}
	json_decref(mine);
	json_decref(theirs);
	json_decref(open);
	qgtm_book_release(&book);
	return rc == -1 ? -1 : worst;
}
