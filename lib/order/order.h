/*
 * order/order.h: the public header of lib/order/: the order manager, the brokers behind their table, and reconciliation.
 */
#ifndef QGTM_ORDER_H
#define QGTM_ORDER_H

#include "base/base.h"
#include "net/net.h"
#include "audit/audit.h"
#include "data/data.h"
#include "book/book.h"
#include "risk/risk.h"

/* --------------------------------------------------------------- oms -- */

/*
 * The order management system (lib/order/oms.c, qgtm-order(1)) and the sim paper
 * broker (lib/order/broker_sim.c). The truth is one journal under the state
 * directory, the order log oms/orders.jsonl: one line per placed order,
 *	{"order":{order record},"fill":{fill record}}
 * so an order and its fill are kept together or not at all; a broker that
 * fills later (alpaca) adds {"order":...} alone when the order goes out and
 * {"fill":{... "activity_id" ...}} when qgtm_oms_record() takes in its
 * fill (one line per activity id, never two; a resting sim order's later
 * fill likewise, activity id "sim-..."), and {"cancel":{order record}}
 * when an open order is canceled. The orders still working are those
 * whose status is open (qgtm_order_is_open) less their fills and
 * cancels (book->open). Lines are
 * appended with one durable write per run under the flock oms/lock. A last
 * line without its newline is a torn write that never reported success:
 * readers ignore it and the next writer cuts it off. The book (cash and
 * positions) is the fold of the fills over broker.sim.initial_cash;
 * oms/book.json is a snapshot of it for pages, replaced after each run
 * that placed orders.
 */

#define QGTM_OMS_LOCK "oms/lock"
#define QGTM_OMS_SNAPSHOT "oms/book.json"
/* The "recon" records of every qgtm-order reconcile, appended. */
#define QGTM_OMS_RECON "oms/recon.jsonl"
/* How long a writer waits for oms/lock before QGTM_EX_TEMPFAIL. */
#define QGTM_OMS_LOCK_MS 10000
/* "qgtm-" and 40 hex digits, with the NUL. */
#define QGTM_CLIENT_ORDER_ID_SIZE 46

/*
 * qgtm_intent_order_id: the client order id of an intent: "qgtm-" and the
 * first 40 hex digits of the SHA-256 of
 * "intent|book|YYYY-MM-DD|symbol|weight", where the date is the New York
 * date at day_of (the session the decision is for) and weight the
 * approved weight (QGTM_WEIGHT_SCALE) as a decimal. Every run of the same
 * day's decision gives the same id, so the broker (which refuses a
 * client_order_id twice) and the journal hold at most one order per
 * intent. 45 characters, within Alpaca's 128.
 */
void qgtm_intent_order_id(const char *book, time_t day_of,
    const char *symbol, int64_t weight, char out[QGTM_CLIENT_ORDER_ID_SIZE]);

/*
 * qgtm_client_order_id: "qgtm-" and the first 40 hex digits of the
 * SHA-256 of "strategy|trace_id|symbol" into out. No longer the OMS's
 * key (a new trace id each run made each run a new order); the OMS uses
 * qgtm_intent_order_id().
 */
void qgtm_client_order_id(const char *strategy, const char *trace_id,
    const char *symbol, char out[QGTM_CLIENT_ORDER_ID_SIZE]);

/* How the sim broker fills (broker.sim.fills). */
enum {
	QGTM_SIM_IMMEDIATE,     /* every order fills in full when placed */
	QGTM_SIM_RESTING,       /* accepted; fills in full fill_delay_s later */
	QGTM_SIM_PARTIAL,       /* half fills at once, the rest as RESTING */
	QGTM_SIM_NEVER          /* accepted; never fills until canceled */
};

/* The sim broker's terms, from the config's broker.sim section. */
struct qgtm_broker_sim {
	int64_t slippage;       /* QGTM_WEIGHT_SCALE fraction of the price */
	int64_t per_share;      /* commission per share, QGTM_PRICE_SCALE */
	int64_t commission_min; /* QGTM_CENTS */
	int fills;              /* QGTM_SIM_* */
	long fill_delay_s;      /* RESTING and PARTIAL: seconds to the fill */
};

/*
 * The broker interface (lib/order/broker.c, qgtm-order(1)): one table of
 * operations per broker. Each returns records as the OMS writes them
 * (qgtm-records(7)). "sim" (lib/order/broker_sim.c) is the OMS journal itself;
 * "alpaca" (lib/order/broker_alpaca.c) is the Trading API v2 at
 * broker.alpaca.url.
 */
struct qgtm_broker;

struct qgtm_broker_ops {
	const char *name;
	/* the "account" record (new reference), or NULL */
	json_t *(*account)(struct qgtm_broker *b);
	/* the "position" records (a new array), or NULL */
	json_t *(*positions)(struct qgtm_broker *b);
	/* the open "order" records (a new array), or NULL */
	json_t *(*open_orders)(struct qgtm_broker *b);
	/* cancel every open order, appending what was canceled to out;
	 * the number canceled, or -1 */
	int (*cancel_all)(struct qgtm_broker *b, json_t *out);
	/* close every position, appending order and fill records to out;
	 * the number of closing orders, or -1 */
	int (*close_all)(struct qgtm_broker *b, json_t *out);
	/* the "fill" records (a new array, oldest first) of the broker's
	 * executions after activity id after (NULL: all), each with its
	 * activity_id and broker_order_id; the sim's are in the order log
	 * already, so it gives none. NULL on an error. */
	json_t *(*fills)(struct qgtm_broker *b, const char *after);
	/* the "clock" record (new reference): is_open, next_open,
	 * next_close (UTC), as_of the broker's time; or NULL */
	json_t *(*clock)(struct qgtm_broker *b);
	/* the sessions from start to end (YYYY-MM-DD, inclusive) as a new
	 * array of {date, open, close} (UTC instants), or NULL */
	json_t *(*calendar)(struct qgtm_broker *b, const char *start,
	    const char *end);
	/* the daily equity series of the last days days as a new array of
	 * {date (New York), equity, profit_loss (from the day before)}
	 * (alpaca: GET /v2/account/portfolio/history), or NULL */
	json_t *(*history)(struct qgtm_broker *b, int days);
	/* read the terms the broker fills by into b->terms (sim: the
	 * config's broker.sim section, a negative one QGTM_EX_CONFIG;
	 * alpaca fills at the market and has none); 0 or -1 */
	int (*terms)(struct qgtm_broker *b);
	/* price a fill of a market order of qty (QGTM_QTY_SCALE, positive)
	 * on side at close (QGTM_PRICE_SCALE) by b->terms into out (sim:
	 * qgtm_broker_sim_fill); alpaca prices its own fills and refuses
	 * (QGTM_EX_USAGE); 0 or -1 */
	int (*fill)(struct qgtm_broker *b, const char *symbol, int side,
	    int64_t qty, int64_t close, struct qgtm_fill *out);
	/* place a market day order of qty (a decimal string) on side
	 * ("buy" or "sell") with client order id id, setting *order to
	 * its "order" record (new reference; NULL for a dry run); never
	 * sent twice blindly (alpaca: see broker_int.h). 1 placed now, 0
	 * placed already (or a dry run), or -1. The sim's orders are
	 * placed by the OMS in its journal: it refuses (QGTM_EX_USAGE) */
	int (*submit)(struct qgtm_broker *b, const char *id,
	    const char *symbol, const char *side, const char *qty,
	    json_t **order);
	/* the order with client order id id: *order set to its "order"
	 * record (new reference); 1 found, 0 not, or -1 (sim: the order
	 * log's record) */
	int (*lookup)(struct qgtm_broker *b, const char *id, json_t **order);
	/* the "order" record with filled_qty (new reference) of the order
	 * with broker order id bid, or NULL (the sim's orders have no
	 * broker order id: QGTM_EX_DATAERR) */
	json_t *(*order)(struct qgtm_broker *b, const char *bid);
	/* cancel the order with broker order id bid and wait until it is
	 * no longer working, setting *order to its last "order" record
	 * (new reference); 0, or -1 (QGTM_EX_TEMPFAIL: still working).
	 * The sim has no broker order ids (qgtm_oms_cancel_sim cancels
	 * its orders): it refuses (QGTM_EX_USAGE) */
	int (*cancel)(struct qgtm_broker *b, const char *bid,
	    json_t **order);
};

/* An open broker. Owns url and the keys. */
struct qgtm_broker {
	const struct qgtm_broker_ops *ops;
	const struct qgtm_cfg *cfg;     /* borrowed */
	time_t as_of;           /* the sim marks and fills at this moment */
	char *url;              /* alpaca: base URL without a trailing / */
	int dry_run;            /* alpaca: print orders' requests, send none */
	char *key_id, *secret;  /* alpaca: the API keys */
	struct qgtm_broker_sim terms;   /* sim: read by ops->terms() */
};

extern const struct qgtm_broker_ops qgtm_broker_sim_ops;

/*
 * One qgtm-order submit run. Orders are placed against the book in memory
 * and become real only with qgtm_oms_run_commit(), so a run that fails
 * half way places nothing.
 */
struct qgtm_oms_run {
	const struct qgtm_cfg *cfg;     /* borrowed */
	struct qgtm_book book;
	struct qgtm_broker sim; /* the sim: its terms (sim.terms), fills */
	time_t as_of;           /* prices are the last closes at as_of */
	int64_t equity;         /* QGTM_CENTS, the book at the start */
	int64_t band;           /* order.no_trade_band * equity, QGTM_CENTS */
	int64_t min_notional;   /* order.min_notional, QGTM_CENTS */
	int dry_run;
	int tier;               /* the kill switch's effective QGTM_TIER_* */
	int closing;            /* 1: place only orders that reduce risk */
	struct qgtm_broker *broker;     /* borrowed; NULL: the sim */
	int lockfd;             /* oms/lock, or -1 for a dry run */
	size_t journal_len;     /* bytes of whole lines in the journal */
	json_t *placed;         /* journal lines not yet written */
	json_t *at_broker;      /* alpaca: the broker's open order records */
	json_t *fills;          /* the sim's fills of resting orders that came
	                           due at this run (for the audit chain) */
};

/* qgtm_oms_tier: the kill switch's effective tier (QGTM_TIER_*), read
 * through qgtm_ks_read(); FLATTEN when it cannot be opened (fail closed). */
int qgtm_oms_tier(const struct qgtm_cfg *cfg);

/*
 * qgtm_oms_run_begin: take oms/lock (not for a dry run; busy after
 * QGTM_OMS_LOCK_MS is QGTM_EX_TEMPFAIL), load the book and its equity at
 * as_of and the broker's terms. The tier starts NORMAL (a backtest obeys
 * no live switch); a live submit sets run->tier from qgtm_oms_tier().
 * Returns 0 or -1; on -1 nothing is held.
 */
int qgtm_oms_run_begin(struct qgtm_oms_run *run, const struct qgtm_cfg *cfg,
    time_t as_of, int dry_run);

/*
 * qgtm_oms_run_decision: turn the approved targets of d into orders. For
 * each: target = trunc(weight * equity / close) whole shares; the order is
 * the difference from the position held and the quantity still working,
 * skipped when it is zero, or its notional is below no_trade_band *
 * equity or min_notional (unless it closes the position), or when its
 * client order id (qgtm_intent_order_id: the strategy, the New York date
 * of run->as_of, the symbol, the weight) is already in the book. An open
 * order of an older intent in the symbol is canceled first (journaled
 * {"cancel":...}, an order record with status "canceled" in out). Each
 * order is filled by the sim broker (broker.sim.fills: at once; or
 * accepted, status "accepted" or "partially_filled", and filled by a
 * later run's qgtm_oms_run_begin(), whose fills go to run->fills) and
 * applied to the book in memory; its order record (status "filled") and
 * fill record are appended to out. A dry run appends the order records only, status "dry_run", and
 * changes nothing. Nothing is placed for a decision that fails (a missing
 * price: QGTM_EX_DATAERR). The kill switch refuses every order under
 * FLATTEN and, under NO_NEW, each that adds risk (opens, grows or flips a
 * position), whatever the decision says: a refused order is appended to
 * out as an order record with status "refused" and a reason, and is
 * neither filled nor journaled. A closing run (run->closing) places only
 * orders that reduce risk, whatever the tier. Returns the number of
 * orders placed, or -1.
 */
int qgtm_oms_run_decision(struct qgtm_oms_run *run,
    const struct qgtm_decision *d, json_t *out);

/*
 * qgtm_oms_run_commit: append the placed orders to the journal in one
 * durable write (cutting off a torn last line first) and replace the
 * snapshot oms/book.json. Does nothing for a dry run, or when nothing was
 * placed and the snapshot is not older than the journal. Returns 0 or -1
 * (QGTM_EX_IOERR); after a failed snapshot the orders are placed all the
 * same, and the next commit replaces the snapshot.
 */
int qgtm_oms_run_commit(struct qgtm_oms_run *run);

/* qgtm_oms_run_release: unlock and free what run owns. */
void qgtm_oms_run_release(struct qgtm_oms_run *run);

/*
 * qgtm_oms_run_broker: send the run's orders to b (alpaca) instead of the
 * sim: the equity and positions sizing them become the broker's (its
 * account "equity" and positions), and its open orders are read
 * (run->at_broker). An intent the broker holds already (open, or found by
 * b->ops->lookup) is journaled as the broker has it and not sent; the
 * journal's own open orders in the symbol are canceled first
 * (b->ops->cancel; one that does not cancel in time makes the intent
 * a "failed" order record), open orders the journal lacks count as
 * working; each order goes out through b->ops->submit with its
 * client order id, and the journal gets the order alone, as the broker
 * answered it (the broker fills it later; no snapshot is written). An
 * order the broker did not take is an order record with status "failed"
 * and a reason, not journaled, so a rerun sends it again. Call after
 * qgtm_oms_run_begin(). Returns 0 or -1.
 */
int qgtm_oms_run_broker(struct qgtm_oms_run *run, struct qgtm_broker *b);

/*
 * qgtm_oms_close_all: close every position of the sim book at its last
 * close at as_of in one closing run under oms/lock (strategy "flatten",
 * trace_id "flatten-T-N" with N the journal's length, so a later close
 * gets new client order ids); the order and fill records are appended to
 * out. Returns the number of orders placed, or -1.
 */
int qgtm_oms_close_all(const struct qgtm_cfg *cfg, time_t as_of,
    json_t *out);

/*
 * qgtm_oms_record: make what a broker did part of the order log, under
 * oms/lock, in one durable append: each "order" record of recs (an array,
 * borrowed) with a client_order_id the log lacks becomes the line
 * {"order":rec}, and each "fill" record with an activity_id the log lacks
 * becomes {"fill":rec}, given the client_order_id of the logged order
 * with its broker_order_id. Anything else, and what the log holds
 * already, is skipped, so recording twice changes nothing. Folding such a
 * fill moves the book like any other. Returns the number of lines
 * appended, or -1.
 */
int qgtm_oms_record(const struct qgtm_cfg *cfg, json_t *recs);

/* qgtm_oms_record_new: qgtm_oms_record(), and each record that became a
 * journal line is appended to added (an array; a fill as it was
 * journaled: with the client_order_id and trace_id of its order when the
 * log holds that order). Returns the number of lines appended, or -1. */
int qgtm_oms_record_new(const struct qgtm_cfg *cfg, json_t *recs,
    json_t *added);

/* qgtm_oms_fills_new: the "fill" records of recs (an array, borrowed)
 * whose activity ids book lacks, each once, as qgtm_oms_record() would
 * journal them (copies linked to their orders), in a new array; nothing
 * is written. */
json_t *qgtm_oms_fills_new(const struct qgtm_book *book, json_t *recs);

/* qgtm_oms_cancel_sim: cancel every open order of the sim in the journal
 * (one {"cancel":rec} line each, under oms/lock), appending an "order"
 * record with status "canceled" per order to out. Returns the number
 * canceled, or -1. */
int qgtm_oms_cancel_sim(const struct qgtm_cfg *cfg, json_t *out);

/* qgtm_oms_open_sim: the "order" records (a new array) of the sim's
 * orders the journal holds open, each with "left" (the quantity still
 * working), or NULL. */
json_t *qgtm_oms_open_sim(const struct qgtm_cfg *cfg);

/* qgtm_oms_last_activity: the greatest broker activity id in book
 * (borrowed), or NULL when it holds none. Ids begin with their time, so
 * this is the latest fill the book folded from a broker. */
const char *qgtm_oms_last_activity(const struct qgtm_book *book);

/* qgtm_records_append: append records (an array) as JSON Lines to the
 * state file rel in one durable write. Returns 0 or -1 (QGTM_EX_IOERR). */
int qgtm_records_append(const char *rel, json_t *recs);

/* ------------------------------------------------------------ broker -- */

/*
 * qgtm_broker_open: the broker named name (NULL: config key
 * order.broker) at as_of; for alpaca, read its URL and keys
 * (qgtm_cfg_secret: $APCA_API_KEY_ID or broker.alpaca.key_id_file,
 * $APCA_API_SECRET_KEY or broker.alpaca.secret_key_file). An unknown
 * name is QGTM_EX_USAGE. Returns 0 or -1; release with
 * qgtm_broker_close() after 0.
 */
int qgtm_broker_open(struct qgtm_broker *b, const struct qgtm_cfg *cfg,
    const char *name, time_t as_of);
void qgtm_broker_close(struct qgtm_broker *b);

/* qgtm_broker_daily_pl: set "daily_pl" of an account record (borrowed)
 * to its equity minus its last_equity (decimal strings, cents), or null
 * when either is missing or unreadable. Both brokers' accounts carry
 * equity, last_equity and daily_pl, Alpaca's as its dashboard shows them. */
void qgtm_broker_daily_pl(json_t *acct);

/* qgtm_broker_session: a new session object {date, open, close} (the
 * instants as RFC 3339 UTC). qgtm_broker_clock_new: a new "clock" record
 * of broker (broker, is_open, next_open, next_close, as_of now). */
json_t *qgtm_broker_session(const char *date, time_t open, time_t close);
/* qgtm_broker_day: a new day of a history: {date (New York date of t),
 * equity, profit_loss: equity - prev} (cents as decimal strings;
 * profit_loss is null when equity - prev does not fit in 64 bits). */
json_t *qgtm_broker_day(time_t t, int64_t equity, int64_t prev);
json_t *qgtm_broker_clock_new(const char *broker, time_t now, int is_open,
    time_t next_open, time_t next_close);

/* The answers of the Alpaca Trading API that qgtm_alpaca_records reads. */
enum qgtm_alpaca_answer {
	QGTM_ALPACA_ACCOUNT,    /* an Account: the "account" record */
	QGTM_ALPACA_POSITIONS,  /* Positions: an array of "position" records */
	QGTM_ALPACA_ORDERS,     /* Orders: an array of "order" records */
	QGTM_ALPACA_ORDER,      /* one Order: its "order" record */
	QGTM_ALPACA_FILLS,      /* FILL activities: an array of "fill" records */
	QGTM_ALPACA_CLOCK,      /* the Clock: the "clock" record */
	QGTM_ALPACA_CALENDAR,   /* Calendar days: an array of sessions */
	QGTM_ALPACA_HISTORY     /* a PortfolioHistory: an array of days */
};

/*
 * qgtm_alpaca_records: what the body (borrowed; NULL for an empty one) of
 * a 2xx answer of kind holds, as the broker operations return it (the
 * account's as_of is as_of). Pure: no I/O, so a fuzz harness can feed it
 * any parsed bytes. Returns a new reference, or NULL with
 * QGTM_EX_PROTOCOL ("alpaca: WHAT: unexpected answer" for a body of the
 * wrong JSON type; a FILL activity without a readable qty, price or side
 * and a Clock or Calendar day without its times are unreadable).
 */
json_t *qgtm_alpaca_records(enum qgtm_alpaca_answer kind, json_t *body,
    time_t as_of);

/* What qgtm_flatten() is asked. */
struct qgtm_flatten {
	const char *by;         /* the operator */
	const char *reason;
	const char *chain;      /* the audit chain each step is appended to */
};

/*
 * qgtm_flatten: the emergency flatten. Raises the kill switch to FLATTEN
 * (only up), cancels every open order, closes every position, confirms
 * that the broker shows no position and no open order, and alerts. Each
 * step gives a "flatten" record (step tier, cancel_all, close_all,
 * confirm, alert; ok, detail, by, reason), appended to out and, with the
 * step's order, fill and tier records, to the audit chain as it happens.
 * Returns 1 when the account is flat, 0 when it is not, or -1 on an
 * error (a step that failed has its record with ok false).
 */
int qgtm_flatten(struct qgtm_broker *b, const struct qgtm_flatten *f,
    json_t *out);

/*
 * qgtm_recon: reconcile the OMS book with broker b (lib/order/recon.c): the
 * broker's new fills are taken in first (qgtm_recon_fills), then every
 * symbol held by either is compared by quantity (a difference is a
 * "critical" break), and every open order at the broker whose client
 * order id the order log lacks is "critical" too (an order nobody here
 * placed); an order the journal holds working that the broker does not
 * list open is a "warn". Appends one "recon" record per break (severity,
 * check "position", "open_order", "working", "unknown_order", "overfill"
 * or "recovered", symbol or
 * client_order_id, detail) and a last "summary" with the worst severity
 * to out. Returns the worst severity (0 info, 1 warn, 2 critical) or -1.
 * qgtm_recon_run: the same, appending the fills it journaled to fills (an
 * array, or NULL).
 */
int qgtm_recon(struct qgtm_broker *b, json_t *out);
int qgtm_recon_run(struct qgtm_broker *b, json_t *out, json_t *fills);

/* qgtm_recon_compare: the comparison of qgtm_recon (positions, open and
 * working orders) without taking in fills, its summary at least as severe
 * as worst (what was found before it). Returns the worst severity or -1. */
int qgtm_recon_compare(struct qgtm_broker *b, json_t *out, int worst);

/*
 * qgtm_recon_fills: the broker's fills the order log lacks, as they will
 * be journaled (qgtm_oms_fills_new), appended to fills (an array); they
 * are not journaled here: the caller appends them to the audit chain
 * first and then journals them with qgtm_oms_record(), so a failure
 * between the two repeats a fill in the chain rather than lose it. Each
 * new fill is checked against the log and the fills before it: a fill of
 * an order the log does not hold ("unknown_order") and one that takes its
 * order's fills past the order's quantity ("overfill") are "critical"
 * recon records in out; the fill is journaled all the same (the journal
 * holds what the broker did). An order of this OMS's own (an intent's client order id,
 * qgtm_intent_order_id) that the broker holds but the journal lacks (its
 * run died after sending it) is journaled as the broker has it first, a
 * "warn" record "recovered". An info record counts the fills. Returns
 * the worst severity, or -1.
 */
int qgtm_recon_fills(struct qgtm_broker *b, json_t *out, json_t *fills);

/*
 * qgtm_broker_sim_fill: fill a market order of qty (QGTM_QTY_SCALE,
 * positive) on side at close (QGTM_PRICE_SCALE): the price moves against
 * the order by the slippage (up for a buy, down for a sell) and is rounded
 * half to even to 4 decimals; commission is max(commission_min, per_share *
 * shares) rounded half to even to cents; notional is qty * price in cents.
 * Fills out (symbol included). Returns 0, or -1 (QGTM_EX_DATAERR) on an
 * overflow.
 */
int qgtm_broker_sim_fill(const struct qgtm_broker_sim *b, const char *symbol,
    int side, int64_t qty, int64_t close, struct qgtm_fill *out);

#include "banned.h"

#endif /* QGTM_ORDER_H */
