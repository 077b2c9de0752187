/*
 * oms.c: the order management system. The journal oms/orders.jsonl is the
 * truth (event sourcing): each line holds one order and its fill, so the
 * order log and the book can never disagree; the book is the fold of the
 * fills. A submit run places orders against a copy of the book in memory
 * and makes them real in one durable append under the OMS lock.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "order/order.h"

#define QTY_ONE 1000000         /* one share at QGTM_QTY_SCALE */

/* ------------------------------------------------------------ helpers -- */

void
qgtm_client_order_id(const char *strategy, const char *trace_id,
    const char *symbol, char out[QGTM_CLIENT_ORDER_ID_SIZE])
{
	char *seed = qgtm_xasprintf("%s|%s|%s", strategy, trace_id, symbol);
	char hex[65];

	qgtm_sha256_hex(seed, strlen(seed), hex);
	free(seed);
	snprintf(out, QGTM_CLIENT_ORDER_ID_SIZE, "qgtm-%.40s", hex);
}

void
qgtm_intent_order_id(const char *book, time_t day_of, const char *symbol,
    int64_t weight, char out[QGTM_CLIENT_ORDER_ID_SIZE])
{
	struct qgtm_date d = qgtm_ny_date(day_of);
	char w[32], hex[65], *seed;

	qgtm_dec_fmt(weight, QGTM_WEIGHT_SCALE, w, sizeof w);
	seed = qgtm_xasprintf("intent|%s|%04d-%02d-%02d|%s|%s", book, d.year,
	    d.month, d.day, symbol, w);
	qgtm_sha256_hex(seed, strlen(seed), hex);
	free(seed);
	snprintf(out, QGTM_CLIENT_ORDER_ID_SIZE, "qgtm-%.40s", hex);
}

/* ---------------------------------------------------------------- run -- */

int
qgtm_oms_tier(const struct qgtm_cfg *cfg)
{
	struct qgtm_ks_state st;
	struct qgtm_ks ks;

	if (qgtm_ks_open(&ks, cfg) == -1) {
		QGTM_WARN("msg=\"kill switch: %s; acting as FLATTEN\"",
		    qgtm_errmsg());
		return QGTM_TIER_FLATTEN;
	}
	qgtm_ks_read(&ks, &st);
	qgtm_ks_close(&ks);
	return st.effective;
}

/* The run's no-trade band: order.no_trade_band times its equity. */
static int
set_band(struct qgtm_oms_run *run)
{
	int64_t band;

	if (qgtm_dec_from_double(qgtm_cfg_num(run->cfg, "order.no_trade_band"),
	    QGTM_WEIGHT_SCALE, &band) == -1 || band < 0)
		return qgtm_seterr(QGTM_EX_CONFIG,
		    "config key order.no_trade_band: expected a number "
		    "0 or more");
	return qgtm_dec_mul(band, QGTM_WEIGHT_SCALE, run->equity, QGTM_CENTS,
	    QGTM_CENTS, &run->band);
}

/* Whether order (a journal record) is the sim's. */
static int
is_sim(json_t *order)
{
	const char *b = json_string_value(json_object_get(order, "broker"));

	return b == NULL || strcmp(b, "sim") == 0;
}

/*
 * Fill what resting sim order id (record order, left working) still has
 * working at the last close at the run's moment: a {"fill":...} line with
 * an activity id of its own, folded into the book and kept for the
 * journal and the audit chain.
 */
static int
mature_one(struct qgtm_oms_run *run, const char *id, json_t *order,
    int64_t left)
{
	const char *sym = json_string_value(json_object_get(order, "symbol"));
	const char *side = json_string_value(json_object_get(order, "side"));
	int s = side != NULL && strcmp(side, "sell") == 0 ? QGTM_SELL :
	    QGTM_BUY;
	struct qgtm_fill f;
	int64_t close;
	json_t *fill, *line;
	char *aid;
	int rc;

	if (sym == NULL || qgtm_book_last_close(run->cfg, sym, run->as_of, &close) == -1 ||
	    run->sim.ops->fill(&run->sim, sym, s, left, close, &f) == -1)
		return -1;
	fill = qgtm_book_fill_record(json_string_value(json_object_get(order,
	    "trace_id")), "sim", id, &f);
	aid = qgtm_xasprintf("sim-%s-%zu", id, json_array_size(
	    run->book.journal));
	json_object_set_new(fill, "activity_id", json_string(aid));
	free(aid);
	line = json_pack("{s:O}", "fill", fill);
	if ((rc = qgtm_book_fold_line(&run->book, line)) == 0) {
		json_array_append(run->placed, line);
		json_array_append(run->fills, fill);
	}
	json_decref(line);
	json_decref(fill);
	return rc;
}

/* Fill the sim's resting orders that came due by the run's moment. */
static int
mature(struct qgtm_oms_run *run)
{
	json_t *due = json_object(), *left, *order;
	const char *id;
	time_t placed;
	int rc = 0;

	json_object_foreach(run->book.open, id, left) {
		order = json_object_get(run->book.orders, id);
		if (order != NULL && is_sim(order) && qgtm_time_parse(
		    json_string_value(json_object_get(order, "ts")),
		    &placed) == 0 && placed + run->sim.terms.fill_delay_s <=
		    run->as_of)
			json_object_set(due, id, left);
	}
	if (json_object_size(due) > 0)
		qgtm_book_own(&run->book);
	json_object_foreach(due, id, left)
		if (rc == 0)
			rc = mature_one(run, id, json_object_get(
			    run->book.orders, id), json_integer_value(left));
	json_decref(due);
	return rc;
}

int
qgtm_oms_run_begin(struct qgtm_oms_run *run, const struct qgtm_cfg *cfg,
    time_t as_of, int dry_run)
{
	char *lockpath;

	memset(run, 0, sizeof *run);
	run->cfg = cfg;
	run->as_of = as_of;
	run->dry_run = dry_run;
	run->lockfd = -1;
	if (qgtm_cfg_num(cfg, "order.no_trade_band") < 0)
		return set_band(run);   /* the config error, before the lock */
	if (qgtm_cfg_dec(cfg, "order.min_notional", QGTM_CENTS,
	    &run->min_notional) == -1 ||
	    qgtm_broker_open(&run->sim, cfg, "sim", as_of) == -1 ||
	    run->sim.ops->terms(&run->sim) == -1)
		return -1;
	if (!dry_run) {
		if ((lockpath = qgtm_state_path(QGTM_OMS_LOCK, 1)) == NULL)
			return -1;
		run->lockfd = qgtm_lock(lockpath, QGTM_OMS_LOCK_MS);
		free(lockpath);
		if (run->lockfd == -1)
			return -1;
	}
	if (qgtm_book_load_whole(cfg, &run->book, &run->journal_len) == -1) {
		qgtm_unlock(run->lockfd);
		return -1;
	}
	run->placed = json_array();
	run->fills = json_array();
	if ((run->sim.terms.fills == QGTM_SIM_RESTING ||
	    run->sim.terms.fills == QGTM_SIM_PARTIAL) && mature(run) == -1) {
		qgtm_oms_run_release(run);
		return -1;
	}
	if (qgtm_oms_equity(cfg, &run->book, as_of, &run->equity) == -1 ||
	    set_band(run) == -1) {
		qgtm_oms_run_release(run);
		return -1;
	}
	return 0;
}

/* A decimal string field of a broker record at scale, 0 when absent. */
static int
broker_dec(json_t *rec, const char *key, int scale, int64_t *out)
{
	const char *s = json_string_value(json_object_get(rec, key));

	*out = 0;
	if (s != NULL && qgtm_dec_parse(s, scale, out) == -1)
		return qgtm_seterr(QGTM_EX_PROTOCOL, "broker %s '%s': %s", key,
		    s, qgtm_errmsg());
	return 0;
}

/* Replace the positions of run's book with the broker's. */
static int
take_positions(struct qgtm_oms_run *run, json_t *recs)
{
	const char *sym;
	json_t *rec;
	int64_t qty;
	size_t i;

	run->book.npos = 0;
	json_array_foreach(recs, i, rec) {
		sym = qgtm_json_symbol(json_object_get(rec, "symbol"));
		if (sym == NULL || broker_dec(rec, "qty", QGTM_QTY_SCALE,
		    &qty) == -1)
			return qgtm_seterr(QGTM_EX_PROTOCOL, "broker position "
			    "%zu: bad symbol or qty", i);
		if (qty != 0)
			qgtm_book_set_qty(&run->book, sym, qty);
	}
	return 0;
}

/* Read the broker's positions into run's book again. */
static int
reread_positions(struct qgtm_oms_run *run)
{
	json_t *pos = run->broker->ops->positions(run->broker);
	int rc;

	if (pos == NULL)
		return -1;
	rc = take_positions(run, pos);
	json_decref(pos);
	return rc;
}

int
qgtm_oms_run_broker(struct qgtm_oms_run *run, struct qgtm_broker *b)
{
	json_t *acct, *pos = NULL;
	int rc = -1;

	run->broker = b;
	if ((acct = b->ops->account(b)) != NULL &&
	    (pos = b->ops->positions(b)) != NULL &&
	    (run->at_broker = b->ops->open_orders(b)) != NULL &&
	    broker_dec(acct, "equity", QGTM_CENTS, &run->equity) == 0 &&
	    take_positions(run, pos) == 0)
		rc = set_band(run);
	json_decref(acct);
	json_decref(pos);
	return rc;
}

void
qgtm_oms_run_release(struct qgtm_oms_run *run)
{
	qgtm_unlock(run->lockfd);
	run->lockfd = -1;
	qgtm_book_release(&run->book);
	qgtm_broker_close(&run->sim);
	json_decref(run->placed);
	json_decref(run->at_broker);
	json_decref(run->fills);
	run->placed = run->at_broker = run->fills = NULL;
}

/* One order a decision needs. */
struct plan {
	const struct qgtm_intent *t;
	char id[QGTM_CLIENT_ORDER_ID_SIZE];
	int64_t close;          /* QGTM_PRICE_SCALE */
	int64_t delta;          /* signed, QGTM_QTY_SCALE */
	const char *failed;     /* why it cannot go out now, or NULL */
};

/* The client order id of target t of decision d at the run's moment; a
 * closing run's decision (its trace id unique to it) is its own book. */
static void
intent_id(const struct qgtm_oms_run *run, const struct qgtm_decision *d,
    const struct qgtm_intent *t, char id[QGTM_CLIENT_ORDER_ID_SIZE])
{
	qgtm_intent_order_id(run->closing ? d->trace_id : d->strategy,
	    run->as_of, t->symbol, t->weight, id);
}

/* Make order (a broker's record, borrowed) part of the run: the journal
 * line {"order":order} and a copy in out. */
static void
journal_order(struct qgtm_oms_run *run, json_t *order, json_t *out)
{
	const char *id = json_string_value(json_object_get(order,
	    "client_order_id"));

	qgtm_book_own(&run->book);
	json_object_set(run->book.orders, id, order);
	qgtm_book_note_open(&run->book, id, order, 0);
	json_array_append_new(run->placed, json_pack("{s:O}", "order", order));
	json_array_append(out, order);
}

/* The broker's order record got as the journal keeps it: the decision's
 * trace id and strategy added (a new reference). */
static json_t *
ours(const struct qgtm_decision *d, json_t *got)
{
	json_t *order = json_deep_copy(got);

	json_object_set_new(order, "trace_id", json_string(d->trace_id));
	json_object_set_new(order, "strategy", json_string(d->strategy));
	json_object_del(order, "filled_qty");
	return order;
}

/*
 * Whether the broker holds the order of pl already (open, or found by its
 * client order id: sent by a run whose answer or journal write was lost).
 * Found, it goes to the journal as the broker has it. 1 found, 0 not, -1.
 */
static int
at_broker(struct qgtm_oms_run *run, const struct qgtm_decision *d,
    struct plan *pl, json_t *out)
{
	json_t *got = NULL, *rec, *order;
	const char *id;
	size_t i;
	int rc = 0;

	json_array_foreach(run->at_broker, i, rec) {
		id = json_string_value(json_object_get(rec, "client_order_id"));
		if (id != NULL && strcmp(id, pl->id) == 0) {
			got = json_incref(rec);
			rc = 1;
		}
	}
	if (rc == 0 && (rc = run->broker->ops->lookup(run->broker, pl->id,
	    &got)) != 1)
		return rc;
	order = ours(d, got);
	journal_order(run, order, out);
	QGTM_INFO("client_order_id=%s symbol=%s status=%s msg=\"at the broker "
	    "already; journaled as the broker has it\"", pl->id, pl->t->symbol,
	    json_string_value(json_object_get(order, "status")));
	json_decref(order);
	json_decref(got);
	return 1;
}

/* The signed quantity of order record o still working: qty less
 * filled_qty (when given), negative for a sell. */
static int64_t
working_qty(json_t *o, int64_t left)
{
	const char *side = json_string_value(json_object_get(o, "side"));
	int64_t qty = 0, filled = 0;

	if (left < 0) {
		broker_dec(o, "qty", QGTM_QTY_SCALE, &qty);
		broker_dec(o, "filled_qty", QGTM_QTY_SCALE, &filled);
		left = qty > filled ? qty - filled : 0;
	}
	return side != NULL && strcmp(side, "sell") == 0 ? -left : left;
}

/* The "cancel" record of order (journal line {"cancel":rec}). */
static json_t *
cancel_record(json_t *order, const char *status)
{
	json_t *rec = qgtm_record_new("order", json_string_value(
	    json_object_get(order, "trace_id")));
	static const char *const keys[] = {
		"client_order_id", "broker", "broker_order_id", "strategy",
		"symbol", "side", "qty", "order_type", NULL
	};
	size_t i;

	for (i = 0; keys[i] != NULL; i++)
		if (json_object_get(order, keys[i]) != NULL)
			json_object_set(rec, keys[i], json_object_get(order,
			    keys[i]));
	json_object_set_new(rec, "status", json_string(status));
	return rec;
}

/* Journal and report the cancel of order id (record order). */
static void
canceled(struct qgtm_oms_run *run, const char *id, json_t *order,
    const char *status, json_t *out)
{
	json_t *rec = cancel_record(order, status);

	qgtm_book_own(&run->book);
	json_object_del(run->book.open, id);
	json_array_append_new(run->placed, json_pack("{s:O}", "cancel", rec));
	json_array_append_new(out, rec);
	QGTM_INFO("client_order_id=%s msg=\"replaced: canceled\"", id);
}

/*
 * Cancel the broker's open orders in symbol that the journal holds (an
 * older intent this one replaces), waiting until the broker says they
 * are done, then read the positions again; an open order the journal
 * lacks is left alone and its quantity counted in *work. 0, or -1 when
 * an order could not be canceled (pl->failed says why).
 */
static int
settle_broker(struct qgtm_oms_run *run, struct plan *pl, json_t *out,
    int64_t *work)
{
	const char *sym, *id, *status;
	json_t *rec, *got;
	size_t i = 0;
	int n = 0;

	while ((rec = json_array_get(run->at_broker, i++)) != NULL) {
		sym = json_string_value(json_object_get(rec, "symbol"));
		id = json_string_value(json_object_get(rec, "client_order_id"));
		if (sym == NULL || strcmp(sym, pl->t->symbol) != 0)
			continue;
		if (id == NULL || json_object_get(run->book.orders, id) ==
		    NULL) {
			*work += working_qty(rec, -1);
			QGTM_WARN("symbol=%s msg=\"an open order at the broker "
			    "the journal lacks: counted as working\"", sym);
			continue;
		}
		if (run->dry_run)
			continue;
		if (run->broker->ops->cancel(run->broker, json_string_value(
		    json_object_get(rec, "broker_order_id")), &got) == -1) {
			pl->failed = "the order it replaces is not canceled";
			return -1;
		}
		status = json_string_value(json_object_get(got, "status"));
		canceled(run, id, json_object_get(run->book.orders, id),
		    status != NULL ? status : "canceled", out);
		json_decref(got);
		json_array_remove(run->at_broker, --i);   /* open no more */
		n++;
	}
	return n > 0 ? reread_positions(run) : 0;
}

/* Cancel the sim's open orders in symbol (an older intent this one
 * replaces); the sim cancels at once. */
static void
settle_sim(struct qgtm_oms_run *run, struct plan *pl, json_t *out)
{
	json_t *todo = json_array(), *left, *order;
	const char *id, *sym;
	size_t i;

	json_object_foreach(run->book.open, id, left) {
		order = json_object_get(run->book.orders, id);
		sym = json_string_value(json_object_get(order, "symbol"));
		if (order != NULL && is_sim(order) && sym != NULL &&
		    strcmp(sym, pl->t->symbol) == 0)
			json_array_append_new(todo, json_string(id));
	}
	json_array_foreach(todo, i, left) {
		id = json_string_value(left);
		if (!run->dry_run)
			canceled(run, id, json_object_get(run->book.orders, id),
			    "canceled", out);
	}
	json_decref(todo);
}

/*
 * Size the order of intent t into pl: target less position less what is
 * still working. Returns 1 when an order is needed, 0 when none (already
 * placed, nothing to do, too small, or an older order could not be
 * canceled: pl->failed), or -1.
 */
static int
plan_intent(struct qgtm_oms_run *run, const struct qgtm_decision *d,
    const struct qgtm_intent *t, struct plan *pl, json_t *out)
{
	const struct qgtm_position *p;
	int64_t shares, held, value, work = 0;
	int rc;

	pl->t = t;
	intent_id(run, d, t, pl->id);
	if (json_object_get(run->book.orders, pl->id) != NULL) {
		QGTM_INFO("client_order_id=%s symbol=%s msg=\"already placed\"",
		    pl->id, t->symbol);
		return 0;
	}
	if (run->broker != NULL && (rc = at_broker(run, d, pl, out)) != 0)
		return rc == 1 ? 0 : -1;
	if (run->broker != NULL && settle_broker(run, pl, out, &work) == -1)
		return pl->failed != NULL ? 0 : -1;
	if (run->broker == NULL && json_object_size(run->book.open) > 0)
		settle_sim(run, pl, out);
	if (qgtm_book_last_close(run->cfg, t->symbol, run->as_of, &pl->close) == -1)
		return -1;
	if (pl->close <= 0)
		return qgtm_seterr(QGTM_EX_DATAERR, "price of %s is not "
		    "positive", t->symbol);
	if (run->equity <= 0 && t->weight != 0)
		return qgtm_seterr(QGTM_EX_DATAERR, "equity %lld cents: cannot "
		    "size %s", (long long)run->equity, t->symbol);
	p = qgtm_book_position(&run->book, t->symbol);
	held = p != NULL ? p->qty : 0;
	if (qgtm_fit64((__int128)t->weight * run->equity /
	    ((__int128)pl->close * 100), &shares, "the OMS book") == -1 ||
	    qgtm_fit64((__int128)shares * QTY_ONE - held - work, &pl->delta,
	    "the OMS book") == -1 ||
	    qgtm_dec_mul(pl->delta < 0 ? -pl->delta : pl->delta,
	    QGTM_QTY_SCALE, pl->close, QGTM_PRICE_SCALE, QGTM_CENTS,
	    &value) == -1)
		return -1;
	if (pl->delta == 0)
		return 0;
	if (shares == 0 && held + work != 0)
		return 1;
	return value >= run->band && value >= run->min_notional;
}

/* The order record of one planned order. */
static json_t *
order_record(const struct qgtm_decision *d, const struct plan *pl,
    const char *status)
{
	json_t *rec = qgtm_record_new("order", d->trace_id);

	json_object_set_new(rec, "client_order_id", json_string(pl->id));
	json_object_set_new(rec, "broker", json_string("sim"));
	json_object_set_new(rec, "strategy", json_string(d->strategy));
	json_object_set_new(rec, "symbol", json_string(pl->t->symbol));
	json_object_set_new(rec, "side", json_string(pl->delta > 0 ? "buy" :
	    "sell"));
	json_object_set_new(rec, "qty", qgtm_qty_json(pl->delta > 0 ?
	    pl->delta : -pl->delta));
	json_object_set_new(rec, "order_type", json_string("market"));
	json_object_set_new(rec, "status", json_string(status));
	return rec;
}

/*
 * Whether the kill switch refuses planned order pl: under FLATTEN every
 * order of a submit, under NO_NEW one that adds risk (opens, grows or
 * flips a position). A closing run places orders that only reduce.
 */
static int
refused(const struct qgtm_oms_run *run, const struct plan *pl)
{
	const struct qgtm_position *p = qgtm_book_position(&run->book,
	    pl->t->symbol);
	int64_t held = p != NULL ? p->qty : 0, after = held + pl->delta;
	int adds = after != 0 && (held == 0 || (held < 0) != (after < 0) ||
	    (after < 0 ? -after : after) > (held < 0 ? -held : held));

	if (run->closing)
		return adds;
	return run->tier >= QGTM_TIER_FLATTEN ||
	    (run->tier >= QGTM_TIER_NO_NEW && adds);
}

/* Record in out the order of pl that the kill switch refused. */
static void
refuse(const struct qgtm_oms_run *run, const struct qgtm_decision *d,
    const struct plan *pl, json_t *out)
{
	const char *tier = qgtm_tier_name(run->tier);
	json_t *order = order_record(d, pl, "refused");

	json_object_set_new(order, "reason", json_pack("s++",
	    "kill switch tier ", tier != NULL ? tier : "?",
	    run->tier >= QGTM_TIER_FLATTEN ? "" : ": the order adds risk"));
	json_array_append_new(out, order);
	QGTM_WARN("client_order_id=%s symbol=%s tier=%s msg=\"refused by the "
	    "kill switch\"", pl->id, pl->t->symbol, tier);
}

/*
 * Send one planned order to run's broker and record it in out, in the
 * journal (as the broker answered it: its quantity and status) only when
 * the broker took it; a failure is an order record with status "failed"
 * and the reason, so a rerun sends it again.
 */
static int
place_broker(struct qgtm_oms_run *run, const struct qgtm_decision *d,
    const struct plan *pl, json_t *out)
{
	json_t *order = order_record(d, pl, run->dry_run ? "dry_run" :
	    "failed"), *got = NULL, *mine;
	const char *qty = json_string_value(json_object_get(order, "qty"));
	int rc;

	json_object_set_new(order, "broker", json_string(run->broker->ops->name));
	rc = run->broker->ops->submit(run->broker, pl->id, pl->t->symbol,
	    pl->delta > 0 ? "buy" : "sell", qty, &got);
	if (rc == -1) {
		json_object_set_new(order, "reason", json_string(qgtm_errmsg()));
		QGTM_WARN("client_order_id=%s symbol=%s msg=\"%s\"", pl->id,
		    pl->t->symbol, qgtm_errmsg());
	} else if (got != NULL) {
		mine = ours(d, got);
		journal_order(run, mine, out);
		json_decref(mine);
		json_decref(got);
		json_decref(order);
		return 0;
	}
	json_array_append_new(out, order);
	return 0;
}

/* Fill one planned order, apply it to the book, record it in out. A
 * resting sim (broker.sim.fills) accepts it and fills later, half now
 * (partial), or never; a closing run's orders fill at once. */
static int
place(struct qgtm_oms_run *run, const struct qgtm_decision *d,
    const struct plan *pl, json_t *out)
{
	int side = pl->delta > 0 ? QGTM_BUY : QGTM_SELL;
	int mode = run->closing ? QGTM_SIM_IMMEDIATE : run->sim.terms.fills;
	int64_t qty = pl->delta * side;
	struct qgtm_fill f;
	json_t *order, *fill = NULL, *line;

	if (mode == QGTM_SIM_PARTIAL)
		qty = qty / 2 / QTY_ONE * QTY_ONE;
	else if (mode != QGTM_SIM_IMMEDIATE)
		qty = 0;
	if (qty > 0 && (run->sim.ops->fill(&run->sim, pl->t->symbol, side,
	    qty, pl->close, &f) == -1 ||
	    qgtm_book_apply(&run->book, &f) == -1))
		return -1;
	order = order_record(d, pl, run->dry_run ? "dry_run" :
	    mode == QGTM_SIM_IMMEDIATE ? "filled" : qty > 0 ?
	    "partially_filled" : "accepted");
	qgtm_book_own(&run->book);
	json_object_set(run->book.orders, pl->id, order);
	json_array_append(out, order);
	QGTM_INFO("client_order_id=%s symbol=%s side=%s qty=%s", pl->id,
	    pl->t->symbol, side == QGTM_BUY ? "buy" : "sell",
	    json_string_value(json_object_get(order, "qty")));
	if (run->dry_run) {
		json_decref(order);
		return 0;
	}
	qgtm_book_note_open(&run->book, pl->id, order, qty);
	if (qty > 0) {
		fill = qgtm_book_fill_record(d->trace_id, "sim", pl->id, &f);
		json_array_append(out, fill);
		line = json_pack("{s:o,s:o}", "order", order, "fill", fill);
	} else
		line = json_pack("{s:o}", "order", order);
	json_array_append(run->book.journal, line);
	json_array_append_new(run->placed, line);
	return 0;
}

/* Record in out the order of pl that could not go out now. */
static void
not_now(const struct qgtm_oms_run *run, const struct qgtm_decision *d,
    const struct plan *pl, json_t *out)
{
	json_t *order = order_record(d, pl, "failed");

	json_object_set_new(order, "broker", json_string(run->broker != NULL ?
	    run->broker->ops->name : "sim"));
	json_object_set_new(order, "reason", json_string(pl->failed));
	json_array_append_new(out, order);
	QGTM_WARN("client_order_id=%s symbol=%s msg=\"%s\"", pl->id,
	    pl->t->symbol, pl->failed);
}

int
qgtm_oms_run_decision(struct qgtm_oms_run *run, const struct qgtm_decision *d,
    json_t *out)
{
	struct plan *pl;
	size_t i, n = 0, placed;
	int rc = 0;

	if (!d->tradable)
		return 0;
	pl = qgtm_xcalloc(d->n > 0 ? d->n : 1, sizeof *pl);
	for (i = 0; i < d->n && rc != -1; i++) {
		if (!d->t[i].approved)
			continue;
		pl[n].failed = NULL;
		if ((rc = plan_intent(run, d, &d->t[i], &pl[n], out)) == 1)
			n++;
		else if (rc == 0 && pl[n].failed != NULL)
			not_now(run, d, &pl[n], out);
	}
	for (i = 0, placed = 0; i < n && rc != -1; i++) {
		if (refused(run, &pl[i])) {
			refuse(run, d, &pl[i], out);
			continue;
		}
		rc = run->broker != NULL ? place_broker(run, d, &pl[i], out) :
		    place(run, d, &pl[i], out);
		placed++;
	}
	free(pl);
	return rc == -1 ? -1 : (int)placed;
}

/* Cut a torn last line (bytes after the last whole line) off the journal. */
static int
cut_torn(const char *path, size_t whole)
{
	struct stat st;

	if (stat(path, &st) == -1)
		return errno == ENOENT ? 0 : qgtm_seterr_errno(QGTM_EX_IOERR,
		    "cannot stat '%s'", path);
	if (st.st_size > (off_t)whole && truncate(path, (off_t)whole) == -1)
		return qgtm_seterr_errno(QGTM_EX_IOERR, "cannot truncate '%s'",
		    path);
	return 0;
}

/* Serialize records (an array) as JSON Lines into buf. */
static void
lines(json_t *recs, struct qgtm_buf *buf)
{
	json_t *rec;
	size_t i;
	char *s;

	json_array_foreach(recs, i, rec) {
		s = json_dumps(rec, JSON_COMPACT);
		qgtm_buf_addf(buf, "%s\n", s);
		free(s);
	}
}

/* Replace oms/book.json with the book marked at the run's moment. */
static int
write_snapshot(const struct qgtm_oms_run *run)
{
	json_t *recs, *snap;
	char *path, *text;
	int rc;

	if ((recs = qgtm_oms_positions(run->cfg, &run->book,
	    run->as_of)) == NULL)
		return -1;
	snap = json_pack("{s:O,s:o}", "account", json_array_get(recs,
	    json_array_size(recs) - 1), "positions", recs);
	json_array_remove(recs, json_array_size(recs) - 1);
	text = json_dumps(snap, JSON_COMPACT);
	json_decref(snap);
	path = qgtm_state_path(QGTM_OMS_SNAPSHOT, 1);
	rc = path == NULL ? -1 : qgtm_write_atomic(path, text, strlen(text));
	free(path);
	free(text);
	return rc;
}

/* Whether oms/book.json is missing or older than the journal. */
static int
snapshot_stale(void)
{
	char *journal = qgtm_state_path(QGTM_OMS_JOURNAL, 0);
	char *snap = qgtm_state_path(QGTM_OMS_SNAPSHOT, 0);
	struct stat j, b;
	int stale = stat(journal, &j) == 0 && (stat(snap, &b) == -1 ||
	    b.st_mtim.tv_sec < j.st_mtim.tv_sec ||
	    (b.st_mtim.tv_sec == j.st_mtim.tv_sec &&
	    b.st_mtim.tv_nsec < j.st_mtim.tv_nsec));

	free(snap);
	free(journal);
	return stale;
}

/*
 * Append the journal lines add (an array) to the journal whose whole
 * lines are *whole bytes long, in one durable write after cutting a torn
 * last line off; *whole grows by what was written.
 */
static int
journal_append(size_t *whole, json_t *add)
{
	struct qgtm_buf buf;
	char *path;
	int rc;

	if ((path = qgtm_state_path(QGTM_OMS_JOURNAL, 1)) == NULL)
		return -1;
	qgtm_buf_init(&buf, QGTM_OMS_JOURNAL_MAX);
	lines(add, &buf);
	rc = cut_torn(path, *whole);
	if (rc == 0)
		rc = qgtm_append_fsync(path, buf.data, buf.len);
	if (rc == 0)
		*whole += buf.len;
	qgtm_buf_release(&buf);
	free(path);
	return rc;
}

int
qgtm_oms_run_commit(struct qgtm_oms_run *run)
{
	int placed = json_array_size(run->placed) > 0;

	/* With nothing placed, a stale snapshot is still replaced: a rerun
	 * repairs one whose write failed after the journal's. */
	if (run->dry_run || (!placed && (run->broker != NULL ||
	    !snapshot_stale())))
		return 0;
	if (placed && journal_append(&run->journal_len, run->placed) == -1)
		return -1;
	json_array_clear(run->placed);
	if (run->broker != NULL)
		return 0;       /* the broker's book is the broker's */
	return write_snapshot(run);
}

int
qgtm_oms_close_all(const struct qgtm_cfg *cfg, time_t as_of, json_t *out)
{
	struct qgtm_decision d = { 0 };
	struct qgtm_oms_run run;
	char ts[21];
	size_t i;
	int n;

	if (qgtm_oms_run_begin(&run, cfg, as_of, 0) == -1)
		return -1;
	run.closing = 1;
	d.strategy = qgtm_xstrdup("flatten");
	d.trace_id = qgtm_xasprintf("flatten-%s-%zu", qgtm_time_fmt(as_of,
	    ts), json_array_size(run.book.journal));
	d.tradable = 1;
	d.n = run.book.npos;
	d.t = qgtm_xcalloc(d.n > 0 ? d.n : 1, sizeof *d.t);
	for (i = 0; i < d.n; i++) {
		memcpy(d.t[i].symbol, run.book.pos[i].symbol,
		    sizeof d.t[i].symbol);
		d.t[i].approved = 1;
	}
	n = qgtm_oms_run_decision(&run, &d, out);
	if (n != -1 && qgtm_oms_run_commit(&run) == -1)
		n = -1;
	qgtm_oms_run_release(&run);
	qgtm_decision_release(&d);
	return n;
}

const char *
qgtm_oms_last_activity(const struct qgtm_book *book)
{
	const char *key, *last = NULL;
	json_t *fill;

	json_object_foreach(book->activities, key, fill)
		if (strncmp(key, "sim-", 4) != 0 &&     /* the sim's own */
		    (last == NULL || strcmp(key, last) > 0))
			last = key;
	return last;
}

/* Give fill (a copy) the client_order_id, trace_id and strategy of
 * book's order with its broker_order_id, when the log holds that order. */
static void
link_fill(const struct qgtm_book *book, json_t *fill)
{
	const char *bid = json_string_value(json_object_get(fill,
	    "broker_order_id")), *id, *oid;
	json_t *order;

	json_object_foreach(book->orders, id, order) {
		oid = json_string_value(json_object_get(order,
		    "broker_order_id"));
		if (bid != NULL && oid != NULL && strcmp(bid, oid) == 0) {
			json_object_set_new(fill, "client_order_id",
			    json_string(id));
			if (json_object_get(order, "trace_id") != NULL)
				json_object_set(fill, "trace_id",
				    json_object_get(order, "trace_id"));
			if (json_object_get(order, "strategy") != NULL)
				json_object_set(fill, "strategy",
				    json_object_get(order, "strategy"));
			return;
		}
	}
}

/* The new journal line of broker record rec, or NULL when it is neither
 * an order nor an activity's fill, or the log holds it already. */
static json_t *
broker_line(const struct qgtm_book *book, json_t *rec)
{
	const char *type = qgtm_record_type(rec);
	const char *coid = json_string_value(json_object_get(rec,
	    "client_order_id"));
	const char *aid = json_string_value(json_object_get(rec,
	    "activity_id"));
	json_t *fill;

	if (type != NULL && strcmp(type, "order") == 0 && coid != NULL &&
	    json_object_get(book->orders, coid) == NULL)
		return json_pack("{s:O}", "order", rec);
	if (type == NULL || strcmp(type, "fill") != 0 || aid == NULL ||
	    json_object_get(book->activities, aid) != NULL)
		return NULL;
	fill = json_deep_copy(rec);
	link_fill(book, fill);
	return json_pack("{s:o}", "fill", fill);
}

json_t *
qgtm_oms_fills_new(const struct qgtm_book *book, json_t *recs)
{
	json_t *out = json_array(), *seen = json_object(), *rec, *line;
	const char *aid;
	size_t i;

	json_array_foreach(recs, i, rec) {
		aid = json_string_value(json_object_get(rec, "activity_id"));
		if (aid == NULL || json_object_get(seen, aid) != NULL ||
		    (line = broker_line(book, rec)) == NULL)
			continue;
		json_object_set_new(seen, aid, json_true());
		if (json_object_get(line, "fill") != NULL)
			json_array_append(out, json_object_get(line, "fill"));
		json_decref(line);
	}
	json_decref(seen);
	return out;
}

/* Fold the new lines of recs into book (loaded under the lock) and
 * append them to the journal, each record journaled to added (or NULL);
 * the number appended, or -1. */
static int
record_locked(struct qgtm_book *book, size_t whole, json_t *recs,
    json_t *added)
{
	json_t *add = json_array(), *rec, *line;
	size_t i;
	int rc = 0;

	qgtm_book_own(book);
	json_array_foreach(recs, i, rec) {
		if ((line = broker_line(book, rec)) == NULL)
			continue;
		if ((rc = qgtm_book_fold_line(book, line)) == 0) {
			json_array_append(add, line);
			if (added != NULL)
				json_array_append(added, json_object_iter_value(
				    json_object_iter(line)));
		}
		json_decref(line);
		if (rc == -1)
			break;
	}
	if (rc == 0 && json_array_size(add) > 0)
		rc = journal_append(&whole, add);
	if (rc == 0)
		rc = (int)json_array_size(add);
	json_decref(add);
	return rc;
}

int
qgtm_oms_record(const struct qgtm_cfg *cfg, json_t *recs)
{
	return qgtm_oms_record_new(cfg, recs, NULL);
}

int
qgtm_oms_record_new(const struct qgtm_cfg *cfg, json_t *recs, json_t *added)
{
	struct qgtm_book book;
	char *lockpath;
	size_t whole;
	int fd, rc;

	if ((lockpath = qgtm_state_path(QGTM_OMS_LOCK, 1)) == NULL)
		return -1;
	fd = qgtm_lock(lockpath, QGTM_OMS_LOCK_MS);
	free(lockpath);
	if (fd == -1)
		return -1;
	if ((rc = qgtm_book_load_whole(cfg, &book, &whole)) == 0) {
		rc = record_locked(&book, whole, recs, added);
		qgtm_book_release(&book);
	}
	qgtm_unlock(fd);
	return rc;
}

int
qgtm_records_append(const char *rel, json_t *recs)
{
	struct qgtm_buf buf;
	char *path;
	int rc;

	if ((path = qgtm_state_path(rel, 1)) == NULL)
		return -1;
	qgtm_buf_init(&buf, QGTM_OMS_JOURNAL_MAX);
	lines(recs, &buf);
	rc = qgtm_append_fsync(path, buf.data, buf.len);
	qgtm_buf_release(&buf);
	free(path);
	return rc;
}

json_t *
qgtm_oms_open_sim(const struct qgtm_cfg *cfg)
{
	struct qgtm_book book;
	json_t *out, *left, *order, *rec;
	const char *id;

	if (qgtm_oms_book_load(cfg, &book) == -1)
		return NULL;
	out = json_array();
	json_object_foreach(book.open, id, left) {
		order = json_object_get(book.orders, id);
		if (order == NULL || !is_sim(order))
			continue;
		rec = json_deep_copy(order);
		json_object_set_new(rec, "left", qgtm_qty_json(
		    json_integer_value(left)));
		json_array_append_new(out, rec);
	}
	qgtm_book_release(&book);
	return out;
}

int
qgtm_oms_cancel_sim(const struct qgtm_cfg *cfg, json_t *out)
{
	struct qgtm_oms_run run;
	json_t *ids = json_array(), *left;
	const char *id;
	size_t i;
	int n;

	if (qgtm_oms_run_begin(&run, cfg, qgtm_now(), 0) == -1) {
		json_decref(ids);
		return -1;
	}
	json_object_foreach(run.book.open, id, left)
		if (is_sim(json_object_get(run.book.orders, id)))
			json_array_append_new(ids, json_string(id));
	json_array_foreach(ids, i, left) {
		id = json_string_value(left);
		canceled(&run, id, json_object_get(run.book.orders, id),
		    "canceled", out);
	}
	n = (int)json_array_size(ids);
	json_decref(ids);
	if (qgtm_oms_run_commit(&run) == -1)
		n = -1;
	qgtm_oms_run_release(&run);
	return n;
}
