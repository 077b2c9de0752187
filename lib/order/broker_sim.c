/*
 * broker_sim.c: the sim paper broker. It fills market orders at the
 * store's last close moved against the order by a fixed slippage, and
 * charges a per-share commission with a minimum, all in exact units; by
 * default at once, or (broker.sim.fills) later, in part, or never, so
 * orders rest open as at a real broker.
 */
#include <stdio.h>
#include <string.h>

#include "order/order.h"
#include "order/broker_int.h"

#define BPS_PER_ONE 10000
#define WEIGHT_ONE 1000000      /* 1.0 at QGTM_WEIGHT_SCALE */

/* The fill mode (broker.sim.fills, an enum the config checked) and
 * delay. */
static int
sim_fills_init(struct qgtm_broker_sim *b, const struct qgtm_cfg *cfg)
{
	static const char *const modes[] = {
		[QGTM_SIM_IMMEDIATE] = "immediate", [QGTM_SIM_RESTING] = "resting",
		[QGTM_SIM_PARTIAL] = "partial", [QGTM_SIM_NEVER] = "never"
	};
	const char *m = qgtm_cfg_str(cfg, "broker.sim.fills");

	b->fills = QGTM_SIM_IMMEDIATE;
	while (m != NULL && b->fills < QGTM_SIM_NEVER &&
	    strcmp(modes[b->fills], m) != 0)
		b->fills++;
	b->fill_delay_s = (long)qgtm_cfg_int(cfg, "broker.sim.fill_delay_s");
	if (b->fill_delay_s < 0)
		return qgtm_seterr(QGTM_EX_CONFIG, "config key "
		    "broker.sim.fill_delay_s: must not be negative");
	return 0;
}

int
qgtm_broker_sim_init(struct qgtm_broker_sim *b, const struct qgtm_cfg *cfg)
{
	double bps = qgtm_cfg_num(cfg, "broker.sim.slippage_bps");

	if (qgtm_dec_from_double(bps / BPS_PER_ONE, QGTM_WEIGHT_SCALE,
	    &b->slippage) == -1 || b->slippage < 0)
		return qgtm_seterr(QGTM_EX_CONFIG,
		    "config key broker.sim.slippage_bps: expected a "
		    "number 0 or more");
	if (qgtm_cfg_dec(cfg, "broker.sim.commission_per_share",
	    QGTM_PRICE_SCALE, &b->per_share) == -1 ||
	    qgtm_cfg_dec(cfg, "broker.sim.commission_min", QGTM_CENTS,
	    &b->commission_min) == -1)
		return -1;
	if (b->per_share < 0 || b->commission_min < 0)
		return qgtm_seterr(QGTM_EX_CONFIG,
		    "config key broker.sim.commission_*: must not be "
		    "negative");
	return sim_fills_init(b, cfg);
}

int
qgtm_broker_sim_fill(const struct qgtm_broker_sim *b, const char *symbol,
    int side, int64_t qty, int64_t close, struct qgtm_fill *out)
{
	int64_t factor = WEIGHT_ONE + side * b->slippage, p4;

	memset(out, 0, sizeof *out);
	snprintf(out->symbol, sizeof out->symbol, "%s", symbol);
	out->side = side;
	out->qty = qty;
	if (qgtm_dec_mul(close, QGTM_PRICE_SCALE, factor, QGTM_WEIGHT_SCALE, 4,
	    &p4) == -1 ||
	    qgtm_dec_rescale(p4, 4, QGTM_PRICE_SCALE, &out->price) == -1 ||
	    qgtm_dec_mul(qty, QGTM_QTY_SCALE, out->price, QGTM_PRICE_SCALE,
	    QGTM_CENTS, &out->notional) == -1 ||
	    qgtm_dec_mul(qty, QGTM_QTY_SCALE, b->per_share, QGTM_PRICE_SCALE,
	    QGTM_CENTS, &out->commission) == -1)
		return -1;
	if (out->commission < b->commission_min)
		out->commission = b->commission_min;
	return 0;
}

/* The sim book marked at the broker's moment: positions, then account. */
static json_t *
sim_marked(struct qgtm_broker *b)
{
	struct qgtm_book book;
	json_t *recs;

	if (qgtm_oms_book_load(b->cfg, &book) == -1)
		return NULL;
	recs = qgtm_oms_positions(b->cfg, &book, b->as_of);
	qgtm_book_release(&book);
	return recs;
}

/* The book's account record, with last_equity (the book before today
 * marked at yesterday's closes) and daily_pl. */
static json_t *
sim_account(struct qgtm_broker *b)
{
	struct qgtm_book book;
	json_t *recs, *acct = NULL;
	int64_t last;

	if (qgtm_oms_book_load(b->cfg, &book) == -1)
		return NULL;
	if ((recs = qgtm_oms_positions(b->cfg, &book, b->as_of)) != NULL &&
	    qgtm_oms_last_equity(b->cfg, &book, b->as_of, &last) == 0) {
		acct = json_incref(json_array_get(recs, json_array_size(recs) -
		    1));
		json_object_set_new(acct, "last_equity", qgtm_dec_json(last,
		    QGTM_CENTS));
		qgtm_broker_daily_pl(acct);
	}
	json_decref(recs);
	qgtm_book_release(&book);
	return acct;
}

static json_t *
sim_positions(struct qgtm_broker *b)
{
	json_t *recs = sim_marked(b);

	if (recs != NULL)
		json_array_remove(recs, json_array_size(recs) - 1);
	return recs;
}

/* The orders the journal holds open (none unless broker.sim.fills
 * rests them). */
static json_t *
sim_open_orders(struct qgtm_broker *b)
{
	return qgtm_oms_open_sim(b->cfg);
}

/* The sim cancels at once: nothing is ever pending_cancel. */
static int
sim_cancel_all(struct qgtm_broker *b, json_t *out)
{
	return qgtm_oms_cancel_sim(b->cfg, out);
}

static int
sim_close_all(struct qgtm_broker *b, json_t *out)
{
	return qgtm_oms_close_all(b->cfg, b->as_of, out);
}

#define CALENDAR_DAYS 3700     /* the longest calendar asked: ten years */
#define CLOCK_DAYS 14           /* always holds the next two sessions */

/* The NYSE sessions from day first to day last (days since 1970). */
static json_t *
sessions(long first, long last)
{
	json_t *out = json_array();
	struct qgtm_date d;
	char date[11];

	for (; first <= last; first++) {
		d = qgtm_civil_from_days(first);
		if (!qgtm_nyse_is_trading_day(d.year, d.month, d.day))
			continue;
		snprintf(date, sizeof date, "%04d-%02d-%02d", d.year, d.month,
		    d.day);
		json_array_append_new(out, qgtm_broker_session(date,
		    qgtm_ny_time(d.year, d.month, d.day, 9, 30),
		    qgtm_nyse_close(d.year, d.month, d.day)));
	}
	return out;
}

static json_t *
sim_calendar(struct qgtm_broker *b, const char *start, const char *end)
{
	time_t s, e;

	(void)b;
	if (qgtm_time_parse(start, &s) == -1 || qgtm_time_parse(end, &e) == -1)
		return NULL;
	if (e < s || (e - s) / 86400 > CALENDAR_DAYS) {
		qgtm_seterr(QGTM_EX_USAGE, "calendar %s to %s: not 0 to %d "
		    "days", start, end, CALENDAR_DAYS);
		return NULL;
	}
	return sessions(s / 86400, e / 86400);
}

/* The clock of the NYSE calendar at the broker's moment. */
static json_t *
sim_clock(struct qgtm_broker *b)
{
	struct qgtm_date d = qgtm_ny_date(b->as_of);
	long today = qgtm_days_from_civil(d.year, d.month, d.day);
	json_t *cal = sessions(today, today + CLOCK_DAYS), *s, *rec;
	time_t open, close, next_open = 0, next_close = 0;
	size_t i;
	int is_open = 0;

	json_array_foreach(cal, i, s) {
		if (qgtm_time_parse(json_string_value(json_object_get(s,
		    "open")), &open) == -1 || qgtm_time_parse(
		    json_string_value(json_object_get(s, "close")), &close) == -1)
			break;
		is_open |= open <= b->as_of && b->as_of < close;
		if (next_open == 0 && open > b->as_of)
			next_open = open;
		if (next_close == 0 && close > b->as_of)
			next_close = close;
	}
	rec = qgtm_broker_clock_new("sim", b->as_of, is_open, next_open,
	    next_close);
	json_decref(cal);
	return rec;
}

/*
 * The book's equity at the close of each session closed in the days days
 * up to the broker's moment (the book before the next UTC day marked at
 * the closes known then) with its change from the session before; the
 * first session of the window is only the base of the second.
 */
static json_t *
sim_history(struct qgtm_broker *b, int days)
{
	long today = b->as_of / 86400, day;
	json_t *cal = sessions(today - days, today), *out, *s;
	struct qgtm_book book;
	int64_t eq, prev = 0;
	int have_prev = 0;
	time_t close;
	size_t i;

	if (qgtm_oms_book_load(b->cfg, &book) == -1) {
		json_decref(cal);
		return NULL;
	}
	out = json_array();
	json_array_foreach(cal, i, s) {
		qgtm_time_parse(json_string_value(json_object_get(s, "close")),
		    &close);
		day = close / 86400 + 1;
		if (close > b->as_of || qgtm_oms_last_equity(b->cfg, &book,
		    (time_t)day * 86400, &eq) == -1)
			continue;       /* not closed yet, or no price */
		if (have_prev)
			json_array_append_new(out, qgtm_broker_day(close, eq,
			    prev));
		prev = eq;
		have_prev = 1;
	}
	json_decref(cal);
	qgtm_book_release(&book);
	return out;
}

/* The sim's fills are in the order log already: none to fold. */
static json_t *
sim_fills(struct qgtm_broker *b, const char *after)
{
	(void)b;
	(void)after;
	return json_array();
}

static int
sim_terms(struct qgtm_broker *b)
{
	return qgtm_broker_sim_init(&b->terms, b->cfg);
}

static int
sim_fill(struct qgtm_broker *b, const char *symbol, int side, int64_t qty,
    int64_t close, struct qgtm_fill *out)
{
	return qgtm_broker_sim_fill(&b->terms, symbol, side, qty, close, out);
}

/* The sim's orders are placed by the OMS, in its journal. */
static int
sim_submit(struct qgtm_broker *b, const char *id, const char *symbol,
    const char *side, const char *qty, json_t **order)
{
	(void)b;
	(void)symbol;
	(void)side;
	(void)qty;
	*order = NULL;
	return qgtm_seterr(QGTM_EX_USAGE, "sim: order %s: the sim's orders "
	    "are placed by the OMS", id);
}

/* The order log's order id. */
static int
sim_lookup(struct qgtm_broker *b, const char *id, json_t **order)
{
	struct qgtm_book book;

	*order = NULL;
	if (qgtm_oms_book_load(b->cfg, &book) == -1)
		return -1;
	*order = json_incref(json_object_get(book.orders, id));
	qgtm_book_release(&book);
	return *order != NULL;
}

/* The sim's orders have no broker order id. */
static json_t *
sim_order(struct qgtm_broker *b, const char *bid)
{
	(void)b;
	qgtm_seterr(QGTM_EX_DATAERR, "sim: no order %s", bid != NULL ? bid :
	    "?");
	return NULL;
}

/* The sim's orders are canceled by qgtm_oms_cancel_sim(), by client
 * order id. */
static int
sim_cancel(struct qgtm_broker *b, const char *bid, json_t **order)
{
	(void)b;
	*order = NULL;
	return qgtm_seterr(QGTM_EX_USAGE, "sim: no order %s to cancel",
	    bid != NULL ? bid : "?");
}

const struct qgtm_broker_ops qgtm_broker_sim_ops = {
	.name = "sim",
	.account = sim_account,
	.positions = sim_positions,
	.open_orders = sim_open_orders,
	.cancel_all = sim_cancel_all,
	.close_all = sim_close_all,
	.fills = sim_fills,
	.clock = sim_clock,
	.calendar = sim_calendar,
	.history = sim_history,
	.terms = sim_terms,
	.fill = sim_fill,
	.submit = sim_submit,
	.lookup = sim_lookup,
	.order = sim_order,
	.cancel = sim_cancel
};
