/*
 * book.c: the book: cash, positions and the orders still working, folded
 * from the order journal oms/orders.jsonl (which lib/order/oms.c writes),
 * cached in the process, and marked to market from the price store.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "book/book.h"


/* ------------------------------------------------------------ symbols -- */

int
qgtm_symbol_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 15 || s[0] == '.' || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789.-", s[i]) == NULL)
			return 0;
	return 1;
}

const char *
qgtm_json_symbol(json_t *v)
{
	const char *s = json_string_value(v);

	return s != NULL && strlen(s) == json_string_length(v) &&
	    qgtm_symbol_ok(s) ? s : NULL;
}

json_t *
qgtm_qty_json(int64_t qty)
{
	char buf[32];
	size_t n;

	qgtm_dec_fmt(qty, QGTM_QTY_SCALE, buf, sizeof buf);
	n = strlen(buf);
	while (buf[n - 1] == '0')
		buf[--n] = '\0';
	if (buf[n - 1] == '.')
		buf[n - 1] = '\0';
	return json_string(buf);
}

/* --------------------------------------------------------------- book -- */

void
qgtm_book_init(struct qgtm_book *book, int64_t cash)
{
	memset(book, 0, sizeof *book);
	book->cash = cash;
	book->journal = json_array();
	book->orders = json_object();
	book->activities = json_object();
	book->open = json_object();
}

void
qgtm_book_release(struct qgtm_book *book)
{
	free(book->pos);
	json_decref(book->journal);
	json_decref(book->orders);
	json_decref(book->activities);
	json_decref(book->open);
	memset(book, 0, sizeof *book);
}

/* The index of symbol's position, or where it would be inserted. */
static size_t
position_index(const struct qgtm_book *book, const char *symbol)
{
	size_t lo = 0, hi = book->npos, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (strcmp(book->pos[mid].symbol, symbol) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct qgtm_position *
qgtm_book_position(const struct qgtm_book *book, const char *symbol)
{
	size_t i = position_index(book, symbol);

	return i < book->npos && strcmp(book->pos[i].symbol, symbol) == 0 ?
	    &book->pos[i] : NULL;
}

/* A new flat position for symbol at index i. */
static struct qgtm_position *
position_insert(struct qgtm_book *book, size_t i, const char *symbol)
{
	book->pos = qgtm_xrealloc(book->pos, (book->npos + 1) *
	    sizeof *book->pos);
	memmove(&book->pos[i + 1], &book->pos[i], (book->npos - i) *
	    sizeof *book->pos);
	book->npos++;
	memset(&book->pos[i], 0, sizeof book->pos[i]);
	snprintf(book->pos[i].symbol, sizeof book->pos[i].symbol, "%s", symbol);
	return &book->pos[i];
}

/* Move position p by the signed quantity q at price. */
static int
position_move(struct qgtm_position *p, int64_t q, int64_t price)
{
	__int128 qty = (__int128)p->qty + q, cost;

	if (p->qty == 0 || (p->qty < 0) == (q < 0)) {
		cost = (__int128)p->qty * p->avg_price + (__int128)q * price;
		if (qgtm_fit64(qty > 0 ? qgtm_div_half_even(cost, qty) :
		    qgtm_div_half_even(-cost, -qty), &p->avg_price, "the OMS book") == -1)
			return -1;
	} else if (qty != 0 && (qty < 0) != (p->qty < 0))
		p->avg_price = price;
	return qgtm_fit64(qty, &p->qty, "the OMS book");
}

int
qgtm_book_apply(struct qgtm_book *book, const struct qgtm_fill *f)
{
	size_t i = position_index(book, f->symbol);
	struct qgtm_position *p;
	__int128 flow = (__int128)f->notional * -f->side - f->commission;

	if (qgtm_fit64(book->cash + flow, &book->cash, "the OMS book") == -1)
		return -1;
	p = i < book->npos && strcmp(book->pos[i].symbol, f->symbol) == 0 ?
	    &book->pos[i] : position_insert(book, i, f->symbol);
	if (position_move(p, f->qty * f->side, f->price) == -1)
		return -1;
	if (p->qty == 0) {
		memmove(p, p + 1, (book->npos - i - 1) * sizeof *p);
		book->npos--;
	}
	return 0;
}

/* ------------------------------------------------------------ journal -- */

/* A decimal field of a record at scale. */
static int
dec_field(json_t *rec, const char *key, int scale, int64_t *out)
{
	const char *s;

	if (qgtm_json_str(rec, key, &s) == -1)
		return -1;
	if (qgtm_dec_parse(s, scale, out) == -1)
		return qgtm_seterr(QGTM_EX_DATAERR, "field '%s': %s", key,
		    qgtm_errmsg());
	return 0;
}

/* A "side" field: "buy" or "sell". */
static int
side_field(json_t *rec, int *side)
{
	const char *s;

	if (qgtm_json_str(rec, "side", &s) == -1)
		return -1;
	if (strcmp(s, "buy") != 0 && strcmp(s, "sell") != 0)
		return qgtm_seterr(QGTM_EX_DATAERR,
		    "field 'side': expected buy or sell");
	*side = s[0] == 'b' ? QGTM_BUY : QGTM_SELL;
	return 0;
}

json_t *
qgtm_book_fill_record(const char *trace_id, const char *broker,
    const char *id, const struct qgtm_fill *f)
{
	json_t *rec = qgtm_record_new("fill", trace_id);

	json_object_set_new(rec, "client_order_id", json_string(id));
	json_object_set_new(rec, "broker", json_string(broker));
	json_object_set_new(rec, "symbol", json_string(f->symbol));
	json_object_set_new(rec, "side", json_string(f->side == QGTM_BUY ?
	    "buy" : "sell"));
	json_object_set_new(rec, "qty", qgtm_qty_json(f->qty));
	json_object_set_new(rec, "price", qgtm_dec_json(f->price,
	    QGTM_PRICE_SCALE));
	json_object_set_new(rec, "commission", qgtm_dec_json(f->commission,
	    QGTM_CENTS));
	json_object_set_new(rec, "notional", qgtm_dec_json(f->notional,
	    QGTM_CENTS));
	return rec;
}

int
qgtm_book_fill_parse(json_t *rec, struct qgtm_fill *f)
{
	const char *sym;

	memset(f, 0, sizeof *f);
	if (qgtm_json_str(rec, "symbol", &sym) == -1 || side_field(rec,
	    &f->side) == -1 ||
	    dec_field(rec, "qty", QGTM_QTY_SCALE, &f->qty) == -1 ||
	    dec_field(rec, "price", QGTM_PRICE_SCALE, &f->price) == -1 ||
	    dec_field(rec, "commission", QGTM_CENTS, &f->commission) == -1 ||
	    dec_field(rec, "notional", QGTM_CENTS, &f->notional) == -1)
		return -1;
	if (!qgtm_symbol_ok(sym))
		return qgtm_seterr(QGTM_EX_DATAERR, "field 'symbol': invalid");
	if (f->qty <= 0)
		return qgtm_seterr(QGTM_EX_DATAERR,
		    "field 'qty': not positive");
	memcpy(f->symbol, sym, strlen(sym) + 1);
	return 0;
}

/* Take qty off what order id still has working; done at zero. */
static void
open_take(struct qgtm_book *book, const char *id, int64_t qty)
{
	json_t *left = json_object_get(book->open, id);

	if (left == NULL)
		return;
	if (json_integer_value(left) <= qty)
		json_object_del(book->open, id);
	else
		json_object_set_new(book->open, id, json_integer(
		    json_integer_value(left) - qty));
}

/* Note order id (its record order) as working when its status is open:
 * its qty less filled. */
void
qgtm_book_note_open(struct qgtm_book *book, const char *id, json_t *order,
    int64_t filled)
{
	const char *q = json_string_value(json_object_get(order, "qty"));
	int64_t qty;

	if (!qgtm_order_is_open(json_string_value(json_object_get(order,
	    "status"))) || q == NULL || qgtm_dec_parse(q, QGTM_QTY_SCALE,
	    &qty) == -1 || qty <= filled)
		return;
	json_object_set_new(book->open, id, json_integer(qty - filled));
}

/* Fold the line {"fill":fill} of a broker's execution into book. */
static int
fold_activity(struct qgtm_book *book, json_t *fill)
{
	const char *coid = json_string_value(json_object_get(fill,
	    "client_order_id"));
	struct qgtm_fill f;
	const char *id;

	if (qgtm_json_str(fill, "activity_id", &id) == -1)
		return -1;
	if (json_object_get(book->activities, id) != NULL)
		return qgtm_seterr(QGTM_EX_DATAERR,
		    "duplicate activity_id '%s'", id);
	if (qgtm_book_fill_parse(fill, &f) == -1 ||
	    qgtm_book_apply(book, &f) == -1)
		return -1;
	if (coid != NULL)
		open_take(book, coid, f.qty);
	return json_object_set(book->activities, id, fill);
}

/* Fold the line {"cancel":rec}: order rec.client_order_id works no more. */
static int
fold_cancel(struct qgtm_book *book, json_t *line, json_t *rec)
{
	const char *id;

	if (qgtm_json_str(rec, "client_order_id", &id) == -1)
		return -1;
	json_object_del(book->open, id);
	return json_array_append(book->journal, line);
}

/* Fold one journal line (an object, borrowed) into book. */
int
qgtm_book_fold_line(struct qgtm_book *book, json_t *line)
{
	struct qgtm_fill f;
	json_t *order, *fill = json_object_get(line, "fill");
	const char *id;

	if (json_is_object(order = json_object_get(line, "cancel")))
		return fold_cancel(book, line, order);
	if (json_object_get(line, "order") == NULL && json_is_object(fill)) {
		if (fold_activity(book, fill) == -1)
			return -1;
		return json_array_append(book->journal, line);
	}
	if (qgtm_json_obj(line, "order", &order) == -1 ||
	    qgtm_json_str(order, "client_order_id", &id) == -1)
		return -1;
	if (json_object_get(book->orders, id) != NULL)
		return qgtm_seterr(QGTM_EX_DATAERR,
		    "duplicate client_order_id '%s'", id);
	if (fill != NULL && (qgtm_book_fill_parse(fill, &f) == -1 ||
	    qgtm_book_apply(book, &f) == -1))
		return -1;
	json_object_set(book->orders, id, order);
	qgtm_book_note_open(book, id, order, fill != NULL ? f.qty : 0);
	return json_array_append(book->journal, line);
}

/* Read the whole file at fd into buf. */
static int
read_all(int fd, const char *path, struct qgtm_buf *buf)
{
	char chunk[65536];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return qgtm_seterr_errno(QGTM_EX_IOERR,
			    "cannot read '%s'", path);
		if (qgtm_buf_add(buf, chunk, (size_t)n) == -1)
			return qgtm_seterr(QGTM_EX_IOERR, "'%s' is too large",
			    path);
	}
	return 0;
}

/*
 * Parse and fold the whole lines of the journal text p (len bytes) into
 * book; *line is the number of the line before p and counts on.
 */
static int
fold_text(struct qgtm_book *book, const char *path, const char *p,
    size_t len, unsigned long *line)
{
	const char *end = p + len, *nl;
	json_error_t jerr;
	char msg[1024];
	json_t *obj;
	int rc;

	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		++*line;
		if (nl == p)
			continue;
		obj = json_loadb(p, (size_t)(nl - p), JSON_REJECT_DUPLICATES,
		    &jerr);
		if (obj == NULL)
			return qgtm_seterr(QGTM_EX_DATAERR,
			    "%s:%lu: invalid JSON: %s", path, *line, jerr.text);
		rc = json_is_object(obj) ? qgtm_book_fold_line(book, obj) :
		    qgtm_seterr(QGTM_EX_DATAERR, "not a JSON object");
		json_decref(obj);
		if (rc == -1) {
			snprintf(msg, sizeof msg, "%s", qgtm_errmsg());
			return qgtm_seterr(QGTM_EX_DATAERR, "%s:%lu: %s", path,
			    *line, msg);
		}
	}
	return 0;
}

/* --------------------------------------------------------- fold cache -- */

/*
 * The fold of the journal, kept for the life of the process. A process
 * that loads the book at every session (a backtest loads it twice a
 * session) would otherwise replay the whole journal each time, which is
 * quadratic in its history; with the cache each line is folded once. It
 * is keyed by the journal's path, device and inode and the initial cash,
 * and remembers the bytes of whole lines folded so far and the last bytes
 * of them: a load folds only the whole lines appended since, and folds
 * afresh a journal that was replaced, shrank, or no longer ends the
 * folded part with the same bytes. A book handed out shares the cache's
 * JSON containers by reference count, and whoever changes a shared one
 * copies it first (book_own), so neither sees the other's changes. The
 * journal is only ever appended to, one whole line per order and its
 * fill, so the fold of the old lines plus the new ones is the fold of
 * the whole file: loads give the same book as before.
 */
#define TAIL_MAX 4096           /* bytes kept of the end of the folded part */

static struct {
	char *path;             /* NULL: nothing cached */
	int64_t cash;           /* the initial cash the fold starts from */
	int exists;             /* 0: the journal was missing */
	dev_t dev;
	ino_t ino;
	size_t whole;           /* bytes folded, whole lines only */
	unsigned long lines;    /* lines folded */
	char tail[TAIL_MAX];    /* the last ntail bytes folded */
	size_t ntail;
	struct qgtm_book book;
} cache;

/* Give *c, a JSON container, to its holder alone: a shallow copy when
 * another book shares it (refcount is a public member of json_t). */
static void
own(json_t **c)
{
	json_t *copy;

	if ((*c)->refcount <= 1)
		return;
	copy = json_copy(*c);
	json_decref(*c);
	*c = copy;
}

/* Make the JSON containers of book its own before it changes them. */
void
qgtm_book_own(struct qgtm_book *book)
{
	own(&book->journal);
	own(&book->orders);
	own(&book->activities);
	own(&book->open);
}

static void
cache_drop(void)
{
	if (cache.path != NULL)
		qgtm_book_release(&cache.book);
	free(cache.path);
	memset(&cache, 0, sizeof cache);
}

/* Start an empty fold of the journal at path (st: its status, NULL when
 * it is missing) over cash. */
static void
cache_reset(const char *path, int64_t cash, const struct stat *st)
{
	cache_drop();
	cache.path = qgtm_xstrdup(path);
	cache.cash = cash;
	if (st != NULL) {
		cache.exists = 1;
		cache.dev = st->st_dev;
		cache.ino = st->st_ino;
	}
	qgtm_book_init(&cache.book, cash);
}

/* Whether the cache folds a beginning of the journal at path, open at fd
 * with status st, over cash. */
static int
cache_fits(int fd, const char *path, int64_t cash, const struct stat *st)
{
	char tail[TAIL_MAX];

	if (cache.path == NULL || strcmp(cache.path, path) != 0 ||
	    cache.cash != cash || !cache.exists || cache.dev != st->st_dev ||
	    cache.ino != st->st_ino || st->st_size < (off_t)cache.whole)
		return 0;
	return cache.ntail == 0 || (pread(fd, tail, cache.ntail,
	    (off_t)(cache.whole - cache.ntail)) == (ssize_t)cache.ntail &&
	    memcmp(tail, cache.tail, cache.ntail) == 0);
}

/* Remember p (n bytes just folded) as the end of the folded part. */
static void
keep_tail(const char *p, size_t n)
{
	size_t old;

	if (n >= TAIL_MAX) {
		memcpy(cache.tail, p + n - TAIL_MAX, TAIL_MAX);
		cache.ntail = TAIL_MAX;
		return;
	}
	old = cache.ntail + n > TAIL_MAX ? TAIL_MAX - n : cache.ntail;
	memmove(cache.tail, cache.tail + cache.ntail - old, old);
	memcpy(cache.tail + old, p, n);
	cache.ntail = old + n;
}

/* Fold into the cache the whole lines of the journal at path, open at
 * fd, that follow the part it folded; a torn last line is left out. */
static int
cache_fold(int fd, const char *path)
{
	struct qgtm_buf buf;
	size_t whole = 0;
	char *nl;
	int rc;

	if (lseek(fd, (off_t)cache.whole, SEEK_SET) == -1)
		return qgtm_seterr_errno(QGTM_EX_IOERR, "cannot read '%s'",
		    path);
	qgtm_buf_init(&buf, QGTM_OMS_JOURNAL_MAX - cache.whole);
	rc = read_all(fd, path, &buf);
	if (rc == 0 && buf.len > 0 &&
	    (nl = memrchr(buf.data, '\n', buf.len)) != NULL)
		whole = (size_t)(nl - buf.data) + 1;
	if (rc == 0 && whole < buf.len)
		QGTM_WARN("journal=%s torn_bytes=%zu msg=\"torn last line "
		    "ignored\"", path, buf.len - whole);
	if (rc == 0 && whole > 0) {
		qgtm_book_own(&cache.book);
		rc = fold_text(&cache.book, path, buf.data, whole,
		    &cache.lines);
	}
	if (rc == 0 && whole > 0) {
		keep_tail(buf.data, whole);
		cache.whole += whole;
	}
	qgtm_buf_release(&buf);
	return rc;
}

/* Bring the cache up to date with the journal at path folded over cash. */
static int
cache_update(const char *path, int64_t cash)
{
	struct stat st;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT) {
		cache_reset(path, cash, NULL);
		return 0;
	}
	if (fd == -1)
		return qgtm_seterr_errno(QGTM_EX_IOERR, "cannot open '%s'",
		    path);
	if (fstat(fd, &st) == -1)
		rc = qgtm_seterr_errno(QGTM_EX_IOERR, "cannot stat '%s'", path);
	else {
		if (!cache_fits(fd, path, cash, &st))
			cache_reset(path, cash, &st);
		rc = cache_fold(fd, path);
	}
	close(fd);
	if (rc == -1)
		cache_drop();
	return rc;
}

/* The cached book as book: cash and positions of its own, the JSON
 * containers shared. */
static void
cache_lend(struct qgtm_book *book)
{
	*book = cache.book;
	book->pos = NULL;
	if (book->npos > 0) {
		book->pos = qgtm_xcalloc(book->npos, sizeof *book->pos);
		memcpy(book->pos, cache.book.pos, book->npos *
		    sizeof *book->pos);
	}
	json_incref(book->journal);
	json_incref(book->orders);
	json_incref(book->activities);
	json_incref(book->open);
}

/*
 * Set book to the fold of the journal over broker.sim.initial_cash, and
 * *whole to the length of the journal's whole lines (a torn last line is
 * left out). On -1 book holds nothing to release.
 */
int
qgtm_book_load_whole(const struct qgtm_cfg *cfg, struct qgtm_book *book, size_t *whole)
{
	char *path;
	int64_t cash;
	int rc;

	if (qgtm_cfg_dec(cfg, "broker.sim.initial_cash", QGTM_CENTS,
	    &cash) == -1)
		return -1;
	if ((path = qgtm_state_path(QGTM_OMS_JOURNAL, 0)) == NULL)
		return -1;
	rc = cache_update(path, cash);
	free(path);
	if (rc == -1)
		return -1;
	cache_lend(book);
	*whole = cache.whole;
	return 0;
}

int
qgtm_oms_book_load(const struct qgtm_cfg *cfg, struct qgtm_book *book)
{
	size_t whole;

	return qgtm_book_load_whole(cfg, book, &whole);
}

/* ------------------------------------------------------------ marking -- */

/* The last close of symbol at as_of from the config's price source. */
int
qgtm_book_last_close(const struct qgtm_cfg *cfg, const char *symbol, time_t as_of,
    int64_t *close)
{
	return qgtm_pit_last_close(qgtm_cfg_str(cfg, "common.price_source"),
	    symbol, as_of, close, NULL);
}

/* Mark position p at as_of: its price and market value (cents). */
static int
mark(const struct qgtm_cfg *cfg, const struct qgtm_position *p, time_t as_of,
    int64_t *price, int64_t *value)
{
	if (qgtm_book_last_close(cfg, p->symbol, as_of, price) == -1)
		return -1;
	return qgtm_dec_mul(p->qty, QGTM_QTY_SCALE, *price, QGTM_PRICE_SCALE,
	    QGTM_CENTS, value);
}

/* The book's market value (cents) at as_of. */
static int
market_value(const struct qgtm_cfg *cfg, const struct qgtm_book *book,
    time_t as_of, int64_t *out)
{
	int64_t price, value;
	__int128 sum = 0;
	size_t i;

	for (i = 0; i < book->npos; i++) {
		if (mark(cfg, &book->pos[i], as_of, &price, &value) == -1)
			return -1;
		sum += value;
	}
	return qgtm_fit64(sum, out, "the OMS book");
}

int
qgtm_oms_equity(const struct qgtm_cfg *cfg, const struct qgtm_book *book,
    time_t as_of, int64_t *equity)
{
	int64_t mv;

	if (market_value(cfg, book, as_of, &mv) == -1)
		return -1;
	return qgtm_fit64((__int128)book->cash + mv, equity, "the OMS book");
}

int
qgtm_oms_last_equity(const struct qgtm_cfg *cfg, const struct qgtm_book *book,
    time_t as_of, int64_t *out)
{
	time_t day = as_of - as_of % 86400;
	struct qgtm_book prev;
	json_t *line, *rec;
	const char *ts;
	char cut[21];
	int64_t cash;
	size_t i;
	int rc = 0;

	if (qgtm_cfg_dec(cfg, "broker.sim.initial_cash", QGTM_CENTS,
	    &cash) == -1)
		return -1;
	qgtm_time_fmt(day, cut);
	qgtm_book_init(&prev, cash);
	json_array_foreach(book->journal, i, line) {
		if ((rec = json_object_get(line, "order")) == NULL)
			rec = json_object_get(line, "fill");
		ts = json_string_value(json_object_get(rec, "ts"));
		if (ts == NULL || strcmp(ts, cut) >= 0 ||
		    (rc = qgtm_book_fold_line(&prev, line)) == -1)
			break;          /* the journal is in time order */
	}
	if (rc == 0)
		rc = qgtm_oms_equity(cfg, &prev, day - 1, out);
	qgtm_book_release(&prev);
	return rc;
}

/* The "position" record of p marked at as_of. */
static json_t *
position_record(const struct qgtm_cfg *cfg, const struct qgtm_position *p,
    time_t as_of)
{
	int64_t price, value;
	json_t *rec;
	char ts[21];

	if (mark(cfg, p, as_of, &price, &value) == -1)
		return NULL;
	rec = qgtm_record_new("position", NULL);
	json_object_set_new(rec, "symbol", json_string(p->symbol));
	json_object_set_new(rec, "qty", qgtm_qty_json(p->qty));
	json_object_set_new(rec, "avg_price", qgtm_dec_json(p->avg_price,
	    QGTM_PRICE_SCALE));
	json_object_set_new(rec, "price", qgtm_dec_json(price, QGTM_PRICE_SCALE));
	json_object_set_new(rec, "market_value", qgtm_dec_json(value, QGTM_CENTS));
	json_object_set_new(rec, "as_of", json_string(qgtm_time_fmt(as_of,
	    ts)));
	return rec;
}

/* The "account" record of book marked at as_of. */
static json_t *
account_record(const struct qgtm_cfg *cfg, const struct qgtm_book *book,
    time_t as_of)
{
	int64_t mv, equity;
	json_t *rec;
	char ts[21];

	if (market_value(cfg, book, as_of, &mv) == -1 ||
	    qgtm_fit64((__int128)book->cash + mv, &equity, "the OMS book") == -1)
		return NULL;
	rec = qgtm_record_new("account", NULL);
	json_object_set_new(rec, "broker", json_string("sim"));
	json_object_set_new(rec, "cash", qgtm_dec_json(book->cash, QGTM_CENTS));
	json_object_set_new(rec, "market_value", qgtm_dec_json(mv, QGTM_CENTS));
	json_object_set_new(rec, "equity", qgtm_dec_json(equity, QGTM_CENTS));
	json_object_set_new(rec, "positions", json_integer((json_int_t)
	    book->npos));
	json_object_set_new(rec, "as_of", json_string(qgtm_time_fmt(as_of,
	    ts)));
	return rec;
}

json_t *
qgtm_oms_positions(const struct qgtm_cfg *cfg, const struct qgtm_book *book,
    time_t as_of)
{
	json_t *arr = json_array(), *rec;
	size_t i;

	for (i = 0; i <= book->npos; i++) {
		rec = i < book->npos ? position_record(cfg, &book->pos[i],
		    as_of) : account_record(cfg, book, as_of);
		if (rec == NULL) {
			json_decref(arr);
			return NULL;
		}
		json_array_append_new(arr, rec);
	}
	return arr;
}

void
qgtm_book_set_qty(struct qgtm_book *book, const char *symbol, int64_t qty)
{
	position_insert(book, position_index(book, symbol), symbol)->qty = qty;
}

int
qgtm_order_is_open(const char *status)
{
	static const char *const open[] = {
		"new", "accepted", "pending_new", "accepted_for_bidding",
		"partially_filled", "pending_cancel", "pending_replace", "held",
		NULL
	};
	size_t i;

	for (i = 0; status != NULL && open[i] != NULL; i++)
		if (strcmp(status, open[i]) == 0)
			return 1;
	return 0;
}

void
qgtm_book_cache_drop(void)
{
	cache_drop();
}
