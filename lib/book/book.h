/*
 * book/book.h: the public header of lib/book/: the book: positions, cash and equity folded from the order journal.
 */
#ifndef QGTM_BOOK_H
#define QGTM_BOOK_H

#include "base/base.h"
#include "data/data.h"

/* -------------------------------------------------------------- book -- */

/* One open position. */
struct qgtm_position {
	char symbol[16];
	int64_t qty;            /* QGTM_QTY_SCALE; negative is short, never 0 */
	int64_t avg_price;      /* QGTM_PRICE_SCALE, average cost of qty */
};

/* The book. Owns pos; a book from qgtm_oms_book_load() shares its JSON
 * containers (journal, orders, activities) with the process's cached fold
 * of the journal, so treat them as read-only outside lib/book/book.c. */
struct qgtm_book {
	int64_t cash;                   /* QGTM_CENTS */
	struct qgtm_position *pos;      /* sorted by symbol */
	size_t npos;
	json_t *journal;        /* array of the journal lines, oldest first */
	json_t *orders;         /* object: client_order_id -> order record */
	json_t *activities;     /* object: broker activity id -> fill record */
	json_t *open;           /* object: client_order_id -> the quantity
	                           (integer, QGTM_QTY_SCALE) still working of
	                           each order the journal holds open */
};

/* The order journal (written by lib/order/oms.c; see order/order.h). */
#define QGTM_OMS_JOURNAL "oms/orders.jsonl"
/* The largest journal read (1 GiB): far beyond years of daily orders. */
#define QGTM_OMS_JOURNAL_MAX (1024L * 1024 * 1024)

enum { QGTM_SELL = -1, QGTM_BUY = 1 };

/* One execution. */
struct qgtm_fill {
	char symbol[16];
	int side;               /* QGTM_BUY or QGTM_SELL */
	int64_t qty;            /* QGTM_QTY_SCALE, positive */
	int64_t price;          /* QGTM_PRICE_SCALE */
	int64_t commission;     /* QGTM_CENTS */
	int64_t notional;       /* QGTM_CENTS: qty * price, half to even */
};

/*
 * qgtm_book_fill_record: the "fill" record (new reference, the envelope
 * of qgtm_record_new() with trace_id) of f for the order with client
 * order id id at broker: client_order_id, broker, symbol, side ("buy" or
 * "sell"), then qty, price, commission and notional as decimal strings.
 * qgtm_book_fill_parse() reads it back.
 */
json_t *qgtm_book_fill_record(const char *trace_id, const char *broker,
    const char *id, const struct qgtm_fill *f);

/*
 * qgtm_book_fill_parse: read a "fill" record (borrowed) into f: symbol,
 * side, qty (positive), price, commission and notional; anything else is
 * QGTM_EX_DATAERR ("field 'qty': not positive"). Other fields are not
 * read. Returns 0 or -1.
 */
int qgtm_book_fill_parse(json_t *rec, struct qgtm_fill *f);

/* qgtm_book_init: an empty book holding cash (cents); allocates the two
 * JSON containers. qgtm_book_release: free what book owns. */
void qgtm_book_init(struct qgtm_book *book, int64_t cash);
void qgtm_book_release(struct qgtm_book *book);

/*
 * qgtm_book_apply: fold one fill into book. A buy pays notional plus
 * commission, a sell receives notional minus commission. A fill that adds
 * to a position moves its average price to the quantity-weighted mean
 * (half to even); one that reduces it keeps the average; one that crosses
 * zero opens the rest at the fill price. Returns 0, or -1
 * (QGTM_EX_DATAERR) on an overflow.
 */
int qgtm_book_apply(struct qgtm_book *book, const struct qgtm_fill *f);

/* qgtm_book_position: the position in symbol, or NULL when flat.
 * Borrowed: valid until the next change of book. */
const struct qgtm_position *qgtm_book_position(const struct qgtm_book *book,
    const char *symbol);

/*
 * qgtm_oms_book_load: fold the journal over broker.sim.initial_cash into
 * book (initialized here). A missing journal is an empty book. A malformed
 * line is "oms/orders.jsonl:LINE: reason" (QGTM_EX_DATAERR); an unreadable
 * journal QGTM_EX_IOERR. Takes no lock. The fold is cached in the process
 * (keyed by the journal's path, device and inode): a later load folds only
 * the lines appended since, and a journal replaced or shrunk is folded
 * afresh. Returns 0 or -1; on -1 book holds nothing to release.
 */
int qgtm_oms_book_load(const struct qgtm_cfg *cfg, struct qgtm_book *book);

/*
 * qgtm_book_cache_drop: free the process's fold of the journal that
 * qgtm_oms_book_load() keeps (its book and the bytes it remembers); books
 * already handed out keep their own references and stay valid. The next
 * load folds the whole journal again and refills the cache, giving the
 * same book. Never fails.
 */
void qgtm_book_cache_drop(void);

/*
 * qgtm_oms_equity: cash plus every position marked at its last close
 * available at as_of from common.price_source (cents, each position
 * rounded half to even). Returns 0, or -1 (QGTM_EX_DATAERR "no price for
 * SYM as of T") when a position has no price.
 */
int qgtm_oms_equity(const struct qgtm_cfg *cfg, const struct qgtm_book *book,
    time_t as_of, int64_t *equity);

/*
 * qgtm_oms_positions: the book marked at as_of as records (a new array):
 * one "position" per position (symbol, qty, avg_price, price,
 * market_value) and a last "account" (broker, cash, market_value, equity,
 * positions), all with as_of. Returns NULL when a price is missing.
 */
json_t *qgtm_oms_positions(const struct qgtm_cfg *cfg,
    const struct qgtm_book *book, time_t as_of);

/* qgtm_qty_json: a quantity (QGTM_QTY_SCALE) as a new JSON string without
 * trailing zeros ("10", "0.5", "-20"), as order and position records
 * carry it. */
json_t *qgtm_qty_json(int64_t qty);

/* qgtm_symbol_ok: 1 for a ticker usable as a file name: 1-15 characters
 * of A-Z a-z 0-9 . - starting with a letter or digit; else 0. */
int qgtm_symbol_ok(const char *s);

/* qgtm_json_symbol: the string of v (borrowed) when v is a JSON string
 * without NUL that qgtm_symbol_ok() accepts; else NULL. */
const char *qgtm_json_symbol(json_t *v);

/*
 * qgtm_oms_last_equity: the equity (cents) the book had at the close of
 * the UTC day before as_of's: the journal lines stamped before that day
 * folded over broker.sim.initial_cash, marked at the last closes
 * available then. Returns 0, or -1 (a missing price, QGTM_EX_DATAERR).
 */
int qgtm_oms_last_equity(const struct qgtm_cfg *cfg,
    const struct qgtm_book *book, time_t as_of, int64_t *out);

/* qgtm_book_fold_line: fold one journal line (an object, borrowed) into
 * book. Returns 0, or -1 (QGTM_EX_DATAERR) on a malformed line. */
int qgtm_book_fold_line(struct qgtm_book *book, json_t *line);

/* qgtm_book_own: make the JSON containers of book (shared with the
 * process's cached fold) its own before the caller changes them. */
void qgtm_book_own(struct qgtm_book *book);

/* qgtm_book_load_whole: qgtm_oms_book_load(), and *whole set to the length
 * of the journal's whole lines (a torn last line is left out). */
int qgtm_book_load_whole(const struct qgtm_cfg *cfg, struct qgtm_book *book,
    size_t *whole);

/* qgtm_book_note_open: note order id (its record order, borrowed) as
 * working in book when its status is open: its qty less filled. */
void qgtm_book_note_open(struct qgtm_book *book, const char *id,
    json_t *order, int64_t filled);

/* qgtm_book_set_qty: the position in symbol holds qty (QGTM_QTY_SCALE,
 * not 0), at the average price it had, or 0 when it is new. */
void qgtm_book_set_qty(struct qgtm_book *book, const char *symbol,
    int64_t qty);

/* qgtm_book_last_close: the last close of symbol at as_of from the
 * config's common.price_source (QGTM_PRICE_SCALE). Returns 0 or -1. */
int qgtm_book_last_close(const struct qgtm_cfg *cfg, const char *symbol,
    time_t as_of, int64_t *close);

/* qgtm_order_is_open: 1 when status (an Alpaca or sim order status) is
 * one of a working order: new, accepted, pending_new,
 * accepted_for_bidding, partially_filled, pending_cancel,
 * pending_replace, held; else 0. */
int qgtm_order_is_open(const char *status);

#include "banned.h"

#endif /* QGTM_BOOK_H */
