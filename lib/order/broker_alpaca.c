/*
 * broker_alpaca.c: the Alpaca Trading API v2 behind the broker interface.
 * Reads (GET) and the close-all and cancel-all calls (DELETE) are
 * idempotent and retried by qgtm_http_do(); an order (POST) never is: a
 * submission whose answer was lost is looked up by its client_order_id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "order/order.h"
#include "order/broker_int.h"

#define CLOSE_TRIES 5           /* close-all rounds for held positions */
#define FILLS_PAGE 100          /* activities per page, Alpaca's most */
#define ORDERS_PAGE 500         /* orders per page: Alpaca's most (the
                                   default is 50; docs.alpaca.markets,
                                   "Get All Orders": limit, after) */
#define POLL_MS 200             /* between reads while waiting */

/* An answer: the HTTP status, the body parsed (NULL when empty), and the
 * rate limit headers (-1 / 0 when absent). */
struct answer {
	long status;
	json_t *body;
	long retry_after;       /* Retry-After, seconds */
	long reset;             /* X-RateLimit-Reset, Unix seconds */
};

static void
nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * Send method path (with its query) and body (may be NULL) to the
 * broker. Returns 0 with *a set (any status), or -1 when no answer came
 * (QGTM_EX_TEMPFAIL for a timeout or lost connection).
 */
static int
call(struct qgtm_broker *b, const char *method, const char *path,
    const char *body, struct answer *a)
{
	struct qgtm_http_req req;
	struct qgtm_http_resp resp;
	char *url = qgtm_xasprintf("%s%s", b->url, path);
	char *kh = qgtm_xasprintf("APCA-API-KEY-ID: %s", b->key_id);
	char *sh = qgtm_xasprintf("APCA-API-SECRET-KEY: %s", b->secret);
	const char *headers[] = { kh, sh, "Content-Type: application/json",
	    NULL };
	int rc;

	qgtm_http_req_init(&req, b->cfg);
	qgtm_http_resp_init(&resp);
	req.method = method;
	req.url = url;
	req.headers = headers;
	req.body = body;
	req.body_len = body != NULL ? strlen(body) : 0;
	a->body = NULL;
	if ((rc = qgtm_http_do(&req, &resp)) == 0) {
		a->status = resp.status;
		a->body = resp.body.len > 0 ? json_loadb(resp.body.data,
		    resp.body.len, 0, NULL) : NULL;
		a->retry_after = resp.retry_after_s;
		a->reset = resp.ratelimit_reset;
	}
	qgtm_http_resp_release(&resp);
	free(url);
	free(kh);
	free(sh);
	return rc;
}

/* The error of a non-2xx answer, with Alpaca's message. */
static int
answer_err(const char *what, const struct answer *a)
{
	const char *msg = json_string_value(json_object_get(a->body,
	    "message"));

	return qgtm_seterr(qgtm_http_status_code(a->status), "alpaca: %s: "
	    "HTTP %ld: %s", what, a->status, msg != NULL ? msg : "no message");
}

/* GET path and read its 2xx answer as kind (qgtm_alpaca_records). */
static json_t *
get(struct qgtm_broker *b, const char *path, enum qgtm_alpaca_answer kind)
{
	struct answer a;
	json_t *recs;

	if (call(b, "GET", path, NULL, &a) == -1)
		return NULL;
	if (a.status / 100 != 2) {
		answer_err(path, &a);
		json_decref(a.body);
		return NULL;
	}
	recs = qgtm_alpaca_records(kind, a.body, b->as_of);
	json_decref(a.body);
	return recs;
}

/* The string of field key of o (borrowed), or NULL. */
static const char *
sval(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Copy the string field from of src into dst as to, when present. */
static void
copy_str(json_t *dst, const char *to, json_t *src, const char *from)
{
	json_t *v = json_object_get(src, from);

	if (json_is_string(v))
		json_object_set(dst, to, v);
}

/* The "order" record of an Alpaca Order object. */
static json_t *
order_rec(json_t *o)
{
	json_t *rec = qgtm_record_new("order", NULL);

	copy_str(rec, "client_order_id", o, "client_order_id");
	json_object_set_new(rec, "broker", json_string("alpaca"));
	copy_str(rec, "broker_order_id", o, "id");
	copy_str(rec, "symbol", o, "symbol");
	copy_str(rec, "side", o, "side");
	copy_str(rec, "qty", o, "qty");
	copy_str(rec, "order_type", o, "type");
	copy_str(rec, "status", o, "status");
	return rec;
}

/* long_market_value plus short_market_value of account a, in dollars. */
static json_t *
market_value(json_t *a)
{
	const char *l = json_string_value(json_object_get(a,
	    "long_market_value"));
	const char *s = json_string_value(json_object_get(a,
	    "short_market_value"));
	int64_t lv = 0, sv = 0, sum;

	if ((l != NULL && qgtm_dec_parse(l, QGTM_CENTS, &lv) == -1) ||
	    (s != NULL && qgtm_dec_parse(s, QGTM_CENTS, &sv) == -1) ||
	    __builtin_add_overflow(lv, sv, &sum))
		return json_null();
	return qgtm_dec_json(sum, QGTM_CENTS);
}

/* The "account" record of an Account object, as of as_of. */
static json_t *
account_rec(json_t *a, time_t as_of)
{
	json_t *rec = qgtm_record_new("account", NULL);
	char ts[21];

	json_object_set_new(rec, "broker", json_string("alpaca"));
	copy_str(rec, "cash", a, "cash");
	json_object_set_new(rec, "market_value", market_value(a));
	copy_str(rec, "equity", a, "equity");
	copy_str(rec, "last_equity", a, "last_equity");
	qgtm_broker_daily_pl(rec);
	copy_str(rec, "status", a, "status");
	json_object_set_new(rec, "as_of", json_string(qgtm_time_fmt(as_of,
	    ts)));
	return rec;
}

static json_t *
alpaca_account(struct qgtm_broker *b)
{
	return get(b, "/v2/account", QGTM_ALPACA_ACCOUNT);
}

/* The "position" records of an array of Position objects. */
static json_t *
position_recs(json_t *arr, time_t as_of)
{
	json_t *out = json_array(), *p, *rec;
	size_t i;

	(void)as_of;
	json_array_foreach(arr, i, p) {
		rec = qgtm_record_new("position", NULL);
		copy_str(rec, "symbol", p, "symbol");
		copy_str(rec, "qty", p, "qty");
		copy_str(rec, "avg_price", p, "avg_entry_price");
		copy_str(rec, "price", p, "current_price");
		copy_str(rec, "market_value", p, "market_value");
		json_array_append_new(out, rec);
	}
	return out;
}

static json_t *
alpaca_positions(struct qgtm_broker *b)
{
	return get(b, "/v2/positions", QGTM_ALPACA_POSITIONS);
}

/* The "order" records of an array of Order objects. */
static json_t *
order_recs(json_t *arr, time_t as_of)
{
	json_t *out = json_array(), *o;
	size_t i;

	(void)as_of;
	json_array_foreach(arr, i, o)
		json_array_append_new(out, order_rec(o));
	return out;
}

/*
 * One page of open orders, oldest first, submitted after *after (NULL:
 * from the first), appended to out as order records with filled_qty;
 * *after becomes the last one's submitted_at. Returns the page's
 * length, or -1.
 */
static int
orders_page(struct qgtm_broker *b, char **after, json_t *out)
{
	char *path = qgtm_xasprintf("/v2/orders?status=open&limit=%d"
	    "&direction=asc%s%s", ORDERS_PAGE, *after != NULL ? "&after=" : "",
	    *after != NULL ? *after : "");
	const char *last = NULL;
	struct answer a;
	json_t *o, *rec;
	size_t i;
	int n = -1;

	if (call(b, "GET", path, NULL, &a) == 0) {
		if (a.status / 100 != 2)
			answer_err("/v2/orders", &a);
		else if (!json_is_array(a.body))
			qgtm_seterr(QGTM_EX_PROTOCOL, "alpaca: /v2/orders: "
			    "unexpected answer");
		else
			n = (int)json_array_size(a.body);
	}
	json_array_foreach(n > 0 ? a.body : NULL, i, o) {
		json_array_append_new(out, rec = order_rec(o));
		copy_str(rec, "filled_qty", o, "filled_qty");
		if (sval(o, "submitted_at") != NULL)
			last = sval(o, "submitted_at");
	}
	free(path);
	free(*after);
	*after = last != NULL ? qgtm_xstrdup(last) : NULL;
	json_decref(a.body);
	return n;
}

/* Every open order, page by page (limit=500, after the last page's
 * newest), each once: a page that ends without a time ends the reading. */
static json_t *
alpaca_open_orders(struct qgtm_broker *b)
{
	json_t *out = json_array(), *seen = json_object(), *all = json_array();
	json_t *rec;
	char *after = NULL;
	const char *id;
	size_t i;
	int n;

	while ((n = orders_page(b, &after, all)) == ORDERS_PAGE &&
	    after != NULL)
		;
	free(after);
	json_array_foreach(all, i, rec) {
		id = sval(rec, "broker_order_id");
		if (id != NULL && json_object_get(seen, id) != NULL)
			continue;
		if (id != NULL)
			json_object_set_new(seen, id, json_true());
		json_array_append(out, rec);
	}
	json_decref(seen);
	json_decref(all);
	if (n == -1) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* 1 when an open order is still pending_cancel, 0 when none, or -1. */
static int
pending_cancel(struct qgtm_broker *b)
{
	json_t *open = alpaca_open_orders(b), *o;
	const char *s;
	size_t i;
	int n = 0;

	if (open == NULL)
		return -1;
	json_array_foreach(open, i, o) {
		s = json_string_value(json_object_get(o, "status"));
		n |= s != NULL && strcmp(s, "pending_cancel") == 0;
	}
	json_decref(open);
	return n;
}

/* Cancel every open order and wait (broker.alpaca.cancel_wait_ms at
 * most) until none is pending_cancel. */
static int
alpaca_cancel_all(struct qgtm_broker *b, json_t *out)
{
	long waited = 0, limit = qgtm_cfg_int(b->cfg,
	    "broker.alpaca.cancel_wait_ms");
	struct answer a;
	json_t *r;
	size_t i;
	int n = 0, p;

	(void)out;
	if (call(b, "DELETE", "/v2/orders", NULL, &a) == -1)
		return -1;
	if (a.status / 100 != 2) {
		answer_err("cancel all", &a);
		json_decref(a.body);
		return -1;
	}
	json_array_foreach(a.body, i, r)
		n += json_integer_value(json_object_get(r, "status")) / 100 == 2;
	json_decref(a.body);
	while ((p = pending_cancel(b)) == 1 && waited < limit) {
		nap(POLL_MS);
		waited += POLL_MS;
	}
	if (p == 1)
		return qgtm_seterr(QGTM_EX_TEMPFAIL, "alpaca: orders still "
		    "pending_cancel after %ld ms", limit);
	return p == -1 ? -1 : n;
}

/*
 * One DELETE /v2/positions?cancel_orders=true: closing orders to out,
 * failures as "order" records with status "rejected". Returns the
 * number of positions held for orders (to try again), or -1.
 */
static int
close_round(struct qgtm_broker *b, json_t *out, int *placed)
{
	json_t *r, *body, *rec;
	struct answer a;
	size_t i;
	int held = 0;

	if (call(b, "DELETE", "/v2/positions?cancel_orders=true", NULL,
	    &a) == -1)
		return -1;
	if (a.status / 100 != 2 || !json_is_array(a.body)) {
		answer_err("close all", &a);
		json_decref(a.body);
		return -1;
	}
	json_array_foreach(a.body, i, r) {
		body = json_object_get(r, "body");
		if (json_integer_value(json_object_get(r, "status")) / 100 == 2) {
			json_array_append_new(out, order_rec(body));
			(*placed)++;
			continue;
		}
		held += json_object_get(body, "held_for_orders") != NULL;
		rec = qgtm_record_new("order", NULL);
		json_object_set_new(rec, "broker", json_string("alpaca"));
		copy_str(rec, "symbol", r, "symbol");
		json_object_set_new(rec, "status", json_string("rejected"));
		copy_str(rec, "reason", body, "message");
		json_array_append_new(out, rec);
	}
	json_decref(a.body);
	return held;
}

/* Close every position, trying again those held for orders. */
static int
alpaca_close_all(struct qgtm_broker *b, json_t *out)
{
	int tries, held = 1, placed = 0;

	for (tries = 0; tries < CLOSE_TRIES && held > 0; tries++) {
		if (tries > 0)
			nap(POLL_MS);
		if ((held = close_round(b, out, &placed)) == -1)
			return -1;
	}
	return placed;
}

/* The "fill" record of a FILL activity (commission free), or NULL when
 * its qty or price is unreadable. */
static json_t *
fill_rec(json_t *act)
{
	const char *q = sval(act, "qty"), *p = sval(act, "price");
	const char *side = sval(act, "side");
	int64_t qty, price, notional;
	json_t *rec;

	if (q == NULL || p == NULL || side == NULL ||
	    qgtm_dec_parse(q, QGTM_QTY_SCALE, &qty) == -1 ||
	    qgtm_dec_parse(p, QGTM_PRICE_SCALE, &price) == -1 ||
	    qgtm_dec_mul(qty, QGTM_QTY_SCALE, price, QGTM_PRICE_SCALE,
	    QGTM_CENTS, &notional) == -1)
		return NULL;
	rec = qgtm_record_new("fill", NULL);
	json_object_set_new(rec, "broker", json_string("alpaca"));
	copy_str(rec, "activity_id", act, "id");
	copy_str(rec, "broker_order_id", act, "order_id");
	copy_str(rec, "symbol", act, "symbol");
	json_object_set_new(rec, "side", json_string(strncmp(side, "sell", 4)
	    == 0 ? "sell" : side));    /* sell_short is a sell */
	json_object_set(rec, "qty", json_object_get(act, "qty"));
	json_object_set(rec, "price", json_object_get(act, "price"));
	json_object_set_new(rec, "commission", qgtm_dec_json(0, QGTM_CENTS));
	json_object_set_new(rec, "notional", qgtm_dec_json(notional,
	    QGTM_CENTS));
	copy_str(rec, "transaction_time", act, "transaction_time");
	return rec;
}

/* The "fill" records of a page of FILL activities; NULL when one is
 * unreadable. */
static json_t *
fill_recs(json_t *page, time_t as_of)
{
	json_t *out = json_array(), *act, *rec;
	size_t i;

	(void)as_of;
	json_array_foreach(page, i, act) {
		if ((rec = fill_rec(act)) == NULL) {
			json_decref(out);
			qgtm_seterr(QGTM_EX_PROTOCOL, "alpaca: activity %zu: "
			    "bad qty, price or side", i);
			return NULL;
		}
		json_array_append_new(out, rec);
	}
	return out;
}

/*
 * One page of FILL activities after activity id token (NULL: from the
 * first), oldest first, appended to out as fill records. Returns the
 * page's length (a full page means more may follow), or -1.
 */
static int
fills_page(struct qgtm_broker *b, const char *token, json_t *out)
{
	char *path = qgtm_xasprintf("/v2/account/activities/FILL?"
	    "direction=asc&page_size=%d%s%s", FILLS_PAGE, token != NULL ?
	    "&page_token=" : "", token != NULL ? token : "");
	json_t *recs = get(b, path, QGTM_ALPACA_FILLS);
	int n;

	free(path);
	if (recs == NULL)
		return -1;
	n = (int)json_array_size(recs);
	json_array_extend(out, recs);
	json_decref(recs);
	return n;
}

/* Every fill after activity id after, page by page (page_token); a
 * page that ends without an id ends the reading. */
static json_t *
alpaca_fills(struct qgtm_broker *b, const char *after)
{
	json_t *out = json_array();
	char *token = after != NULL ? qgtm_xstrdup(after) : NULL;
	const char *last;
	int n;

	while ((n = fills_page(b, token, out)) == FILLS_PAGE &&
	    (last = json_string_value(json_object_get(json_array_get(out,
	    json_array_size(out) - 1), "activity_id"))) != NULL) {
		free(token);
		token = qgtm_xstrdup(last);
	}
	free(token);
	if (n == -1) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* Cents of the JSON number v; -1 when it is not one. */
static int
cents(json_t *v, int64_t *out)
{
	if (!json_is_number(v))
		return -1;
	return qgtm_dec_from_double(json_number_value(v), QGTM_CENTS, out);
}

/*
 * The days of a PortfolioHistory (parallel arrays) as day objects. Its
 * profit_loss is from the period's base value, not from the day before
 * (https://docs.alpaca.markets/reference/getaccountportfoliohistory-1:
 * "profit/loss in dollar from the base value"): a day's P/L is its
 * profit_loss less the day before's; without a readable one, its equity
 * less the day before's.
 */
static json_t *
history_days(json_t *h, time_t as_of)
{
	json_t *ts = json_object_get(h, "timestamp"), *out = json_array();
	json_t *eq = json_object_get(h, "equity");
	json_t *pl = json_object_get(h, "profit_loss");
	int64_t e, p, day, prev, last_pl = 0, last_e = 0;
	size_t i, n = 0;

	(void)as_of;
	for (i = 0; i < json_array_size(ts); i++) {
		if (!json_is_integer(json_array_get(ts, i)) ||
		    cents(json_array_get(eq, i), &e) == -1)
			continue;       /* a day without its equity */
		if (cents(json_array_get(pl, i), &p) == 0 &&
		    !__builtin_sub_overflow(p, last_pl, &day) &&
		    !__builtin_sub_overflow(e, day, &prev))
			last_pl = p;
		else
			prev = n > 0 ? last_e : e;
		last_e = e;
		n++;
		json_array_append_new(out, qgtm_broker_day((time_t)
		    json_integer_value(json_array_get(ts, i)), e, prev));
	}
	return out;
}

/* GET /v2/account/portfolio/history?period=ND&timeframe=1D. */
static json_t *
alpaca_history(struct qgtm_broker *b, int days)
{
	char *path = qgtm_xasprintf("/v2/account/portfolio/history?"
	    "period=%dD&timeframe=1D", days);
	json_t *out = get(b, path, QGTM_ALPACA_HISTORY);

	free(path);
	return out;
}

/* The time of field key of o (RFC 3339, any offset); -1 when bad. */
static time_t
time_of(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	time_t t;

	return s != NULL && qgtm_time_parse(s, &t) == 0 ? t : (time_t)-1;
}

/* The "clock" record of a Clock object, its New York times in UTC. */
static json_t *
clock_rec(json_t *c, time_t as_of)
{
	json_t *rec = NULL;
	time_t now, open, close;

	(void)as_of;
	if ((now = time_of(c, "timestamp")) == -1 ||
	    (open = time_of(c, "next_open")) == -1 ||
	    (close = time_of(c, "next_close")) == -1 ||
	    !json_is_boolean(json_object_get(c, "is_open")))
		qgtm_seterr(QGTM_EX_PROTOCOL, "alpaca: /v2/clock: unexpected "
		    "answer");
	else
		rec = qgtm_broker_clock_new("alpaca", now, json_is_true(
		    json_object_get(c, "is_open")), open, close);
	return rec;
}

static json_t *
alpaca_clock(struct qgtm_broker *b)
{
	return get(b, "/v2/clock", QGTM_ALPACA_CLOCK);
}

/* The session of a Calendar object (New York "HH:MM"), or NULL. */
static json_t *
session_of(json_t *day)
{
	const char *date = sval(day, "date"), *o = sval(day, "open");
	const char *c = sval(day, "close");
	int y, m, d, oh, om, ch, cm;

	if (date == NULL || o == NULL || c == NULL ||
	    sscanf(date, "%4d-%2d-%2d", &y, &m, &d) != 3 ||
	    sscanf(o, "%2d:%2d", &oh, &om) != 2 ||
	    sscanf(c, "%2d:%2d", &ch, &cm) != 2)
		return NULL;
	return qgtm_broker_session(date, qgtm_ny_time(y, m, d, oh, om),
	    qgtm_ny_time(y, m, d, ch, cm));
}

/* The sessions of an array of Calendar objects, their times in UTC. */
static json_t *
session_recs(json_t *arr, time_t as_of)
{
	json_t *out = json_array(), *day, *s;
	size_t i;

	(void)as_of;
	json_array_foreach(arr, i, day) {
		if ((s = session_of(day)) == NULL) {
			json_decref(out);
			out = NULL;
			qgtm_seterr(QGTM_EX_PROTOCOL, "alpaca: /v2/calendar: "
			    "day %zu unreadable", i);
			break;
		}
		json_array_append_new(out, s);
	}
	return out;
}

/* GET /v2/calendar?start=&end=. */
static json_t *
alpaca_calendar(struct qgtm_broker *b, const char *start, const char *end)
{
	char *path = qgtm_xasprintf("/v2/calendar?start=%s&end=%s", start,
	    end);
	json_t *out = get(b, path, QGTM_ALPACA_CALENDAR);

	free(path);
	return out;
}

/* The "order" record of one Order object. */
static json_t *
one_order_rec(json_t *o, time_t as_of)
{
	(void)as_of;
	return order_rec(o);
}

/* Each kind of answer: what it is, its body's JSON type, its reader. */
static const struct {
	const char *what;
	json_type type;
	json_t *(*read)(json_t *body, time_t as_of);
} readers[] = {
	[QGTM_ALPACA_ACCOUNT] = { "/v2/account", JSON_OBJECT, account_rec },
	[QGTM_ALPACA_POSITIONS] = { "/v2/positions", JSON_ARRAY,
	    position_recs },
	[QGTM_ALPACA_ORDERS] = { "/v2/orders", JSON_ARRAY, order_recs },
	[QGTM_ALPACA_ORDER] = { "/v2/orders:by_client_order_id", JSON_OBJECT,
	    one_order_rec },
	[QGTM_ALPACA_FILLS] = { "/v2/account/activities/FILL", JSON_ARRAY,
	    fill_recs },
	[QGTM_ALPACA_CLOCK] = { "/v2/clock", JSON_OBJECT, clock_rec },
	[QGTM_ALPACA_CALENDAR] = { "/v2/calendar", JSON_ARRAY, session_recs },
	[QGTM_ALPACA_HISTORY] = { "/v2/account/portfolio/history",
	    JSON_OBJECT, history_days },
};

json_t *
qgtm_alpaca_records(enum qgtm_alpaca_answer kind, json_t *body,
    time_t as_of)
{
	if (body == NULL || json_typeof(body) != readers[kind].type) {
		qgtm_seterr(QGTM_EX_PROTOCOL, "alpaca: %s: unexpected answer",
		    readers[kind].what);
		return NULL;
	}
	return readers[kind].read(body, as_of);
}

/* Alpaca fills at the market: no terms of its own. */
static int
alpaca_terms(struct qgtm_broker *b)
{
	(void)b;
	return 0;
}

/* Alpaca prices its own fills: none is priced here. */
static int
alpaca_fill(struct qgtm_broker *b, const char *symbol, int side, int64_t qty,
    int64_t close, struct qgtm_fill *out)
{
	(void)b;
	(void)side;
	(void)qty;
	(void)close;
	(void)out;
	return qgtm_seterr(QGTM_EX_USAGE, "alpaca: fills %s at the market",
	    symbol);
}

const struct qgtm_broker_ops qgtm_broker_alpaca_ops = {
	.name = "alpaca",
	.account = alpaca_account,
	.positions = alpaca_positions,
	.open_orders = alpaca_open_orders,
	.cancel_all = alpaca_cancel_all,
	.close_all = alpaca_close_all,
	.fills = alpaca_fills,
	.clock = alpaca_clock,
	.calendar = alpaca_calendar,
	.history = alpaca_history,
	.terms = alpaca_terms,
	.fill = alpaca_fill,
	.submit = qgtm_alpaca_submit,
	.lookup = qgtm_alpaca_lookup,
	.order = qgtm_alpaca_order,
	.cancel = qgtm_alpaca_cancel
};

int
qgtm_alpaca_lookup(struct qgtm_broker *b, const char *id, json_t **order)
{
	char *path = qgtm_xasprintf("/v2/orders:by_client_order_id?"
	    "client_order_id=%s", id);
	struct answer a;
	int rc = -1;

	*order = NULL;
	if (call(b, "GET", path, NULL, &a) == 0) {
		if (a.status == 404)
			rc = 0;
		else if (a.status / 100 != 2)
			answer_err("/v2/orders:by_client_order_id", &a);
		else if ((*order = qgtm_alpaca_records(QGTM_ALPACA_ORDER,
		    a.body, b->as_of)) != NULL)
			rc = 1;
	}
	free(path);
	json_decref(a.body);
	return rc;
}

/*
 * An answer to an order that does not say whether the order was placed:
 * none came (a timeout, a lost connection), or a 429 or 5xx. Alpaca
 * documents no promise that such an order was not received
 * (https://docs.alpaca.markets/reference/postorder), so the order is
 * looked up by its client_order_id before it is sent again.
 */
static int
ambiguous(int rc, const struct answer *a)
{
	if (rc == -1)
		return qgtm_errcode() == QGTM_EX_TEMPFAIL;
	return a->status == 429 || a->status / 100 == 5;
}

/*
 * After ambiguous answer number *sent to order id (rc -1: none came),
 * wait as the one retry policy says (qgtm_http_retry_wait: Alpaca's
 * X-RateLimit-Reset on a 429, else backoff), then look the order up.
 * Returns 1 found (*order set), 0 not found and it may be sent again,
 * or -1: the look-up failed, or the policy allows no other send (the
 * error of the last answer).
 */
static int
after_ambiguous(struct qgtm_broker *b, const char *id, int rc,
    const struct answer *a, struct qgtm_http_resp *last, json_t **order)
{
	struct qgtm_http_req pol;
	long wait;
	int found;

	qgtm_http_req_init(&pol, b->cfg);
	last->attempts++;
	last->status = rc == 0 ? a->status : 0;
	last->retry_after_s = rc == 0 ? a->retry_after : -1;
	last->ratelimit_reset = rc == 0 ? a->reset : 0;
	if ((wait = qgtm_http_retry_wait(&pol, last)) > 0) {
		QGTM_WARN("client_order_id=%s msg=\"no clear answer (HTTP %ld): "
		    "waiting %ld ms, then a look-up\"", id, last->status, wait);
		nap(wait);
		last->waited_ms += wait;
	}
	if ((found = qgtm_alpaca_lookup(b, id, order)) != 0)
		return found;
	if (wait >= 0)
		return 0;
	if (rc == 0)
		return answer_err("submit", a);
	return qgtm_seterr(QGTM_EX_TEMPFAIL, "alpaca: order %s: no answer "
	    "and not found by its client_order_id; nothing placed", id);
}

/* The order id answered 422 or 409: a duplicate client_order_id (placed
 * before: found by a look-up, returns 0) or refused (the answer's error,
 * -1). Whatever the message says: it is not a documented interface. */
static int
refused_or_duplicate(struct qgtm_broker *b, const char *id,
    const struct answer *a, json_t **order)
{
	int found = qgtm_alpaca_lookup(b, id, order);

	if (found == 1) {
		QGTM_INFO("client_order_id=%s msg=\"placed before: resolved by "
		    "look-up\"", id);
		return 0;
	}
	return found == -1 ? -1 : answer_err("submit", a);
}

int
qgtm_alpaca_submit(struct qgtm_broker *b, const char *id,
    const char *symbol, const char *side, const char *qty, json_t **order)
{
	json_t *req = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "symbol", symbol,
	    "qty", qty, "side", side, "type", "market", "time_in_force", "day",
	    "client_order_id", id);
	char *body = json_dumps(req, JSON_COMPACT | JSON_SORT_KEYS);
	struct answer a = { 0, NULL, -1, 0 };
	struct qgtm_http_resp last;
	int rc, found = 0;

	json_decref(req);
	*order = NULL;
	if (b->dry_run) {
		fprintf(stderr, "POST %s/v2/orders HTTP/1.1\nAPCA-API-KEY-ID: "
		    "%s\nAPCA-API-SECRET-KEY: ***\nContent-Type: "
		    "application/json\n\n%s\n\n", b->url, b->key_id, body);
		free(body);
		return 0;
	}
	qgtm_http_resp_init(&last);
	while ((rc = call(b, "POST", "/v2/orders", body, &a)) == -1 ||
	    ambiguous(rc, &a)) {
		if (!ambiguous(rc, &a) || (found = after_ambiguous(b, id, rc,
		    &a, &last, order)) != 0)
			break;
		json_decref(a.body);
		a.body = NULL;
		QGTM_WARN("client_order_id=%s msg=\"not at the broker: sent "
		    "again\"", id);
	}
	qgtm_http_resp_release(&last);
	free(body);
	if (found == 1)
		QGTM_INFO("client_order_id=%s msg=\"resolved by look-up\"", id);
	if (rc == -1 || found != 0)
		rc = found == 1 ? 0 : -1;
	else if (a.status == 200)
		*order = order_rec(a.body);
	else if (a.status == 422 || a.status == 409)
		rc = refused_or_duplicate(b, id, &a, order);
	else
		rc = answer_err("submit", &a);
	json_decref(a.body);
	return rc == -1 ? -1 : found == 0 && a.status == 200;
}

json_t *
qgtm_alpaca_order(struct qgtm_broker *b, const char *bid)
{
	char *path = qgtm_xasprintf("/v2/orders/%s", bid);
	struct answer a;
	json_t *rec = NULL;

	if (strchr(bid, '/') != NULL || strchr(bid, '?') != NULL) {
		free(path);
		qgtm_seterr(QGTM_EX_PROTOCOL, "alpaca: bad order id");
		return NULL;
	}
	if (call(b, "GET", path, NULL, &a) == 0) {
		if (a.status / 100 != 2)
			answer_err("/v2/orders/{id}", &a);
		else if ((rec = qgtm_alpaca_records(QGTM_ALPACA_ORDER, a.body,
		    b->as_of)) != NULL)
			copy_str(rec, "filled_qty", a.body, "filled_qty");
	}
	free(path);
	json_decref(a.body);
	return rec;
}

int
qgtm_alpaca_cancel(struct qgtm_broker *b, const char *bid, json_t **order)
{
	long waited = 0, limit = qgtm_cfg_int(b->cfg,
	    "broker.alpaca.cancel_wait_ms");
	char *path;
	struct answer a;
	int rc;

	*order = NULL;
	if (bid == NULL || strchr(bid, '/') != NULL || strchr(bid, '?') !=
	    NULL)
		return qgtm_seterr(QGTM_EX_PROTOCOL, "alpaca: cancel: bad "
		    "order id");
	path = qgtm_xasprintf("/v2/orders/%s", bid);
	rc = call(b, "DELETE", path, NULL, &a);
	free(path);
	if (rc == 0 && a.status / 100 != 2 && a.status != 422)
		rc = answer_err("cancel", &a);  /* 422: not cancelable */
	json_decref(a.body);
	while (rc == 0 && (*order = qgtm_alpaca_order(b, bid)) != NULL &&
	    qgtm_order_is_open(sval(*order, "status")) && waited < limit) {
		json_decref(*order);
		*order = NULL;
		nap(POLL_MS);
		waited += POLL_MS;
	}
	if (rc == -1 || *order == NULL)
		return -1;
	if (qgtm_order_is_open(sval(*order, "status"))) {
		json_decref(*order);
		*order = NULL;
		return qgtm_seterr(QGTM_EX_TEMPFAIL, "alpaca: order %s still "
		    "working %ld ms after its cancel", bid, limit);
	}
	return 0;
}
