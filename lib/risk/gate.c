/*
 * risk.c: the pre-trade risk gate. A signal's target weights meet the
 * limits of the config's risk section one after the other; every limit that
 * binds cuts the weight and leaves its reason code, and the signal becomes a
 * decision record. Everything is exact: weights in QGTM_WEIGHT_SCALE units,
 * notionals in cents, every cut rounded so the limit holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "risk/risk.h"

#define WEIGHT_ONE 1000000      /* 1.0 at QGTM_WEIGHT_SCALE */

static const char *const reason_names[QGTM_RISK_NREASONS] = {
	"GROSS_EXPOSURE", "KILL_SWITCH_FLATTEN", "KILL_SWITCH_NO_NEW",
	"KILL_SWITCH_THROTTLE", "NET_EXPOSURE", "NO_EQUITY", "NO_PRICE",
	"ORDER_NOTIONAL", "ORDER_RATE", "POSITION_NOTIONAL", "POSITION_PCT",
	"PRICE_COLLAR", "SYMBOL_NOT_ALLOWED", "UNKNOWN_SYMBOL",
};

const char *
qgtm_risk_reason_name(unsigned reason)
{
	int i;

	for (i = 0; i < QGTM_RISK_NREASONS; i++)
		if (reason == 1u << i)
			return reason_names[i];
	return NULL;
}

/* A fraction key (a num) in QGTM_WEIGHT_SCALE units, not negative. */
static int
cfg_fraction(const struct qgtm_cfg *cfg, const char *key, int64_t *out)
{
	if (qgtm_dec_from_double(qgtm_cfg_num(cfg, key), QGTM_WEIGHT_SCALE,
	    out) == -1 || *out < 0)
		return qgtm_seterr(QGTM_EX_CONFIG, "config key %s: expected a "
		    "number 0 or more", key);
	return 0;
}

/* A money key (a dec) in cents, not negative. */
static int
cfg_money(const struct qgtm_cfg *cfg, const char *key, int64_t *out)
{
	if (qgtm_cfg_dec(cfg, key, QGTM_CENTS, out) == -1)
		return -1;
	if (*out < 0)
		return qgtm_seterr(QGTM_EX_CONFIG, "config key %s: must not be "
		    "negative", key);
	return 0;
}

/* A count key (an int), not negative. */
static int
cfg_count(const struct qgtm_cfg *cfg, const char *key, long long *out)
{
	if ((*out = qgtm_cfg_int(cfg, key)) < 0)
		return qgtm_seterr(QGTM_EX_CONFIG, "config key %s: must not be "
		    "negative", key);
	return 0;
}

/* A fraction key that must not pass 1 either. */
static int
cfg_fraction1(const struct qgtm_cfg *cfg, const char *key, int64_t *out)
{
	if (cfg_fraction(cfg, key, out) == -1)
		return -1;
	if (*out > WEIGHT_ONE)
		return qgtm_seterr(QGTM_EX_CONFIG, "config key %s: must not be "
		    "above 1", key);
	return 0;
}

int
qgtm_risk_limits_load(const struct qgtm_cfg *cfg, struct qgtm_risk_limits *lim)
{
	if (cfg_money(cfg, "risk.max_position_notional",
	    &lim->max_position_notional) == -1 ||
	    cfg_fraction(cfg, "risk.max_position_pct",
	    &lim->max_position_pct) == -1 ||
	    cfg_fraction(cfg, "risk.max_gross_exposure",
	    &lim->max_gross_exposure) == -1 ||
	    cfg_money(cfg, "risk.max_order_notional",
	    &lim->max_order_notional) == -1 ||
	    cfg_fraction1(cfg, "risk.throttle_scale",
	    &lim->throttle_scale) == -1 ||
	    cfg_fraction(cfg, "risk.max_net_exposure",
	    &lim->max_net_exposure) == -1 ||
	    cfg_fraction(cfg, "risk.price_collar", &lim->price_collar) == -1 ||
	    cfg_count(cfg, "risk.max_orders_per_day",
	    &lim->max_orders_per_day) == -1 ||
	    cfg_count(cfg, "risk.max_orders_per_minute",
	    &lim->max_orders_per_minute) == -1)
		return -1;
	lim->allowed_symbols = qgtm_cfg_list(cfg, "risk.allowed_symbols");
	return 0;
}

/* The tier a str key names (the schema allows tier names only). */
static int
cfg_tier(const struct qgtm_cfg *cfg, const char *key)
{
	return qgtm_tier_parse(qgtm_cfg_str(cfg, key));
}

int
qgtm_rules_load(const struct qgtm_cfg *cfg, struct qgtm_rules *ru)
{
	if (cfg_fraction1(cfg, "risk.max_daily_loss",
	    &ru->max_daily_loss) == -1 ||
	    cfg_fraction1(cfg, "risk.max_drawdown", &ru->max_drawdown) == -1 ||
	    cfg_fraction1(cfg, "risk.warn_at", &ru->warn_at) == -1 ||
	    cfg_count(cfg, "risk.breaches_to_trip",
	    &ru->breaches_to_trip) == -1 ||
	    cfg_count(cfg, "risk.max_heartbeat_gap_s",
	    &ru->max_heartbeat_gap_s) == -1 ||
	    cfg_count(cfg, "risk.max_rejects_in_a_row",
	    &ru->max_rejects_in_a_row) == -1)
		return -1;
	ru->loss_tier = cfg_tier(cfg, "risk.loss_tier");
	ru->stale_feed_tier = cfg_tier(cfg, "risk.stale_feed_tier");
	ru->heartbeat_tier = cfg_tier(cfg, "risk.heartbeat_tier");
	ru->reject_tier = cfg_tier(cfg, "risk.reject_tier");
	ru->required_feeds = qgtm_cfg_list(cfg, "risk.required_feeds");
	return 0;
}

json_t *
qgtm_risk_limits_record(const struct qgtm_cfg *cfg,
    const struct qgtm_risk_limits *lim, const struct qgtm_rules *ru)
{
	json_t *rec = qgtm_record_new("limits", NULL);

	json_object_set_new(rec, "max_position_notional",
	    qgtm_dec_json(lim->max_position_notional, QGTM_CENTS));
	json_object_set_new(rec, "max_position_pct",
	    qgtm_dec_json(lim->max_position_pct, QGTM_WEIGHT_SCALE));
	json_object_set_new(rec, "max_gross_exposure",
	    qgtm_dec_json(lim->max_gross_exposure, QGTM_WEIGHT_SCALE));
	json_object_set_new(rec, "max_order_notional",
	    qgtm_dec_json(lim->max_order_notional, QGTM_CENTS));
	json_object_set_new(rec, "throttle_scale",
	    qgtm_dec_json(lim->throttle_scale, QGTM_WEIGHT_SCALE));
	json_object_set_new(rec, "max_net_exposure",
	    qgtm_dec_json(lim->max_net_exposure, QGTM_WEIGHT_SCALE));
	json_object_set_new(rec, "price_collar",
	    qgtm_dec_json(lim->price_collar, QGTM_WEIGHT_SCALE));
	json_object_set_new(rec, "max_orders_per_day",
	    json_integer(lim->max_orders_per_day));
	json_object_set_new(rec, "max_orders_per_minute",
	    json_integer(lim->max_orders_per_minute));
	json_object_set_new(rec, "allowed_symbols",
	    json_deep_copy(lim->allowed_symbols));
	qgtm_rules_limits_json(ru, rec);
	json_object_set_new(rec, "universe",
	    json_deep_copy(qgtm_cfg_list(cfg, "common.universe")));
	json_object_set_new(rec, "price_source",
	    json_string(qgtm_cfg_str(cfg, "common.price_source")));
	json_object_set_new(rec, "config",
	    cfg->path != NULL ? json_string(cfg->path) : json_null());
	return rec;
}

/* ------------------------------------------------------------ limits -- */

/* n / d rounded toward minus infinity, for d > 0. */
static __int128
div_floor(__int128 n, __int128 d)
{
	__int128 q = n / d;

	return q * d > n ? q - 1 : q;
}

static int64_t
abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

/* The notional of weight w at equity (cents). */
static int
notional(int64_t w, int64_t equity, int64_t *out)
{
	return qgtm_dec_mul(w, QGTM_WEIGHT_SCALE, equity, QGTM_CENTS,
	    QGTM_CENTS, out);
}

/* POSITION_NOTIONAL: cut |w * equity| to the limit, toward zero. */
static int
limit_position_notional(const struct qgtm_risk_limits *lim, int64_t equity,
    struct qgtm_risk_target *t)
{
	int64_t n;

	if (notional(t->approved, equity, &n) == -1)
		return -1;
	if (abs64(n) <= lim->max_position_notional)
		return 0;
	t->reasons |= QGTM_RISK_POSITION_NOTIONAL;
	return qgtm_fit64((__int128)lim->max_position_notional * WEIGHT_ONE /
	    equity * (t->approved < 0 ? -1 : 1), &t->approved, "a risk limit");
}

/* POSITION_PCT: cut |w| to the limit. */
static void
limit_position_pct(const struct qgtm_risk_limits *lim,
    struct qgtm_risk_target *t)
{
	if (abs64(t->approved) <= lim->max_position_pct)
		return;
	t->reasons |= QGTM_RISK_POSITION_PCT;
	t->approved = t->approved < 0 ? -lim->max_position_pct :
	    lim->max_position_pct;
}

/* When sum is above max, scale every live weight by max / sum, toward
 * zero, adding reason to each. */
static void
scale_to(struct qgtm_risk_target *t, size_t n, __int128 sum, int64_t max,
    unsigned reason)
{
	size_t i;

	for (i = 0; i < n && sum > max; i++) {
		if (t[i].approved == 0)
			continue;
		t[i].reasons |= reason;
		t[i].approved = (int64_t)((__int128)t[i].approved * max / sum);
	}
}

/* GROSS_EXPOSURE: the sum of |weight|; NET_EXPOSURE: |the sum|. */
static void
limit_exposure(const struct qgtm_risk_limits *lim, struct qgtm_risk_target *t,
    size_t n)
{
	__int128 gross = 0, net = 0;
	size_t i;

	for (i = 0; i < n; i++)
		gross += abs64(t[i].approved);
	scale_to(t, n, gross, lim->max_gross_exposure,
	    QGTM_RISK_GROSS_EXPOSURE);
	for (i = 0; i < n; i++)
		net += t[i].approved;
	scale_to(t, n, net < 0 ? -net : net, lim->max_net_exposure,
	    QGTM_RISK_NET_EXPOSURE);
}

/* ORDER_NOTIONAL: move the target toward the position held. */
static int
limit_order(const struct qgtm_risk_limits *lim, int64_t equity,
    struct qgtm_risk_target *t)
{
	int64_t target;
	__int128 d, goal;

	if (notional(t->approved, equity, &target) == -1)
		return -1;
	d = (__int128)target - t->current;
	if (d <= lim->max_order_notional && -d <= lim->max_order_notional)
		return 0;
	t->reasons |= QGTM_RISK_ORDER_NOTIONAL;
	goal = ((__int128)t->current + (d > 0 ? lim->max_order_notional :
	    -lim->max_order_notional)) * WEIGHT_ONE;
	return qgtm_fit64(d > 0 ? div_floor(goal, equity) :
	    -div_floor(-goal, equity), &t->approved, "a risk limit");
}

int
qgtm_risk_apply(const struct qgtm_risk_limits *lim, int64_t equity,
    struct qgtm_risk_target *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (equity <= 0 && !(t[i].reasons & QGTM_RISK_REJECT))
			t[i].reasons |= QGTM_RISK_NO_EQUITY;
		t[i].approved = t[i].reasons & QGTM_RISK_REJECT ? 0 :
		    t[i].weight;
	}
	for (i = 0; i < n; i++)
		if (limit_position_notional(lim, equity, &t[i]) == -1)
			return -1;
	for (i = 0; i < n; i++)
		limit_position_pct(lim, &t[i]);
	limit_exposure(lim, t, n);
	for (i = 0; i < n; i++)
		if (!(t[i].reasons & QGTM_RISK_REJECT) &&
		    limit_order(lim, equity, &t[i]) == -1)
			return -1;
	return 0;
}

/* ------------------------------------------------------------ tiers -- */

/* Is the move from cur to w risk-reducing (same side, not larger)? */
static int
reducing(int64_t cur, int64_t w)
{
	return (w == 0 || (w < 0) == (cur < 0)) && abs64(w) <= abs64(cur);
}

void
qgtm_risk_apply_tier(const struct qgtm_risk_limits *lim, int tier,
    int64_t equity, struct qgtm_risk_target *t, size_t n)
{
	int64_t cur, w;
	size_t i;

	for (i = 0; i < n && tier >= QGTM_TIER_THROTTLE; i++) {
		if (t[i].reasons & QGTM_RISK_REJECT)
			continue;
		cur = (int64_t)((__int128)t[i].current * WEIGHT_ONE / equity);
		if (tier == QGTM_TIER_FLATTEN)
			t[i].reasons |= QGTM_RISK_KILL_SWITCH_FLATTEN;
		else if (tier == QGTM_TIER_NO_NEW && !reducing(cur, t[i].approved))
			t[i].reasons |= QGTM_RISK_KILL_SWITCH_NO_NEW;
		else if (tier == QGTM_TIER_THROTTLE) {
			w = cur + (int64_t)((__int128)(t[i].approved - cur) *
			    lim->throttle_scale / WEIGHT_ONE);
			if (w != t[i].approved)
				t[i].reasons |= QGTM_RISK_KILL_SWITCH_THROTTLE;
			t[i].approved = w;
		}
		if (t[i].reasons & QGTM_RISK_REJECT)
			t[i].approved = 0;
	}
}

/* A rate limit as enforced under tier: halved, rounded up, at THROTTLE;
 * -1 for none. */
static long long
rate(long long max, int tier)
{
	if (max == 0)
		return -1;
	return tier == QGTM_TIER_THROTTLE ? (max + 1) / 2 : max;
}

/* How many orders may still go: max - used, never below 0; -1: any. */
static long long
room(long long max, long long used)
{
	return max < 0 ? -1 : max > used ? max - used : 0;
}

void
qgtm_risk_apply_rate(const struct qgtm_risk_limits *lim, int tier,
    long long day, long long minute, int64_t equity,
    struct qgtm_risk_target *t, size_t n)
{
	long long a = room(rate(lim->max_orders_per_day, tier), day);
	long long b = room(rate(lim->max_orders_per_minute, tier), minute);
	long long left = a < 0 ? b : b < 0 ? a : a < b ? a : b;
	int64_t cur;
	size_t i;

	for (i = 0; i < n && left >= 0; i++) {
		if (t[i].reasons & QGTM_RISK_REJECT)
			continue;
		cur = (int64_t)((__int128)t[i].current * WEIGHT_ONE / equity);
		if (t[i].approved == cur)
			continue;
		if (left == 0) {
			t[i].reasons |= QGTM_RISK_ORDER_RATE;
			t[i].approved = 0;
		} else
			left--;
	}
}

/* ------------------------------------------------------------- gate -- */

/* Count the journal's orders placed today (New York day) and in the
 * last 60 seconds before as_of; an order without a time counts today. */
static void
count_orders(struct qgtm_risk *r)
{
	struct qgtm_date today = qgtm_ny_date(r->as_of), d;
	const char *ts;
	json_t *line;
	size_t i;
	time_t t;

	json_array_foreach(r->book->journal, i, line) {
		ts = json_string_value(json_object_get(json_object_get(line,
		    "order"), "ts"));
		if (ts == NULL || qgtm_time_parse(ts, &t) == -1) {
			r->orders_day++;
			continue;
		}
		d = qgtm_ny_date(t);
		r->orders_day += d.year == today.year &&
		    d.month == today.month && d.day == today.day;
		r->orders_minute += t <= r->as_of && r->as_of - t < 60;
	}
}

int
qgtm_risk_init(struct qgtm_risk *r, const struct qgtm_cfg *cfg, time_t as_of)
{
	memset(r, 0, sizeof *r);
	r->cfg = cfg;
	r->as_of = as_of;
	if (qgtm_risk_limits_load(cfg, &r->lim) == -1)
		return -1;
	r->book = qgtm_xmalloc(sizeof *r->book);
	if (qgtm_oms_book_load(cfg, r->book) == -1) {
		free(r->book);
		return -1;
	}
	if (qgtm_oms_equity(cfg, r->book, as_of, &r->equity) == -1) {
		qgtm_risk_release(r);
		return -1;
	}
	count_orders(r);
	return 0;
}

void
qgtm_risk_release(struct qgtm_risk *r)
{
	if (r->book != NULL)
		qgtm_book_release(r->book);
	free(r->book);
	r->book = NULL;
}

/* Is symbol in list (an array of strings)? */
static int
in_list(json_t *list, const char *symbol)
{
	json_t *v;
	size_t i;

	json_array_foreach(list, i, v)
		if (strcmp(json_string_value(v), symbol) == 0)
			return 1;
	return 0;
}

/* Read symbol and weight of target i of a signal. */
static int
parse_target(json_t *obj, size_t i, struct qgtm_risk_target *t)
{
	const char *sym = qgtm_json_symbol(json_object_get(obj, "symbol"));
	json_t *w = json_object_get(obj, "weight"), *p;

	if (!json_is_object(obj))
		return qgtm_seterr(QGTM_EX_DATAERR,
		    "field 'targets[%zu]': expected an object", i);
	if (sym == NULL)
		return qgtm_json_item_err("targets", i, "symbol", "expected a ticker of 1-15 "
		    "characters A-Z a-z 0-9 . -");
	if (!json_is_string(w))
		return qgtm_json_item_err("targets", i, "weight",
		    "expected a decimal string");
	if (qgtm_dec_parse(json_string_value(w), QGTM_WEIGHT_SCALE,
	    &t->weight) == -1)
		return qgtm_json_item_err("targets", i, "weight", qgtm_errmsg());
	if ((p = json_object_get(obj, "price")) != NULL && (!json_is_string(p) ||
	    qgtm_dec_parse(json_string_value(p), QGTM_PRICE_SCALE,
	    &t->ref_price) == -1 || t->ref_price <= 0))
		return qgtm_json_item_err("targets", i, "price",
		    "expected a positive decimal string");
	snprintf(t->symbol, sizeof t->symbol, "%s", sym);
	return 0;
}

/* Is the target's own price further than the collar from the close? */
static int
outside_collar(const struct qgtm_risk_limits *lim,
    const struct qgtm_risk_target *t)
{
	__int128 d = (__int128)t->ref_price - t->price;

	if (d < 0)
		d = -d;
	return d * WEIGHT_ONE > (__int128)lim->price_collar * t->price;
}

/* Find the close and the position held for a target, or its reject code. */
static int
resolve_target(const struct qgtm_risk *r, struct qgtm_risk_target *t)
{
	const struct qgtm_position *p;
	struct qgtm_bar bar;
	int rc;

	if (!in_list(qgtm_cfg_list(r->cfg, "common.universe"), t->symbol)) {
		t->reasons |= QGTM_RISK_UNKNOWN_SYMBOL;
		return 0;
	}
	if (json_array_size(r->lim.allowed_symbols) > 0 &&
	    !in_list(r->lim.allowed_symbols, t->symbol)) {
		t->reasons |= QGTM_RISK_SYMBOL_NOT_ALLOWED;
		return 0;
	}
	if ((rc = qgtm_pit_last_bar(qgtm_cfg_str(r->cfg, "common.price_source"),
	    t->symbol, r->as_of, &bar)) == -1)
		return -1;
	if (rc == 0)
		t->reasons |= QGTM_RISK_NO_PRICE;
	else
		t->price = bar.close;
	if (t->ref_price > 0 && t->price > 0 && outside_collar(&r->lim, t))
		t->reasons |= QGTM_RISK_PRICE_COLLAR;
	p = qgtm_book_position(r->book, t->symbol);
	if (p == NULL || t->reasons & QGTM_RISK_NO_PRICE)
		return 0;
	return qgtm_dec_mul(p->qty, QGTM_QTY_SCALE, t->price, QGTM_PRICE_SCALE,
	    QGTM_CENTS, &t->current);
}

/* Read, check for duplicates and resolve every target of a signal. */
static int
read_targets(const struct qgtm_risk *r, json_t *arr,
    struct qgtm_risk_target *t)
{
	size_t i, j;

	for (i = 0; i < json_array_size(arr); i++) {
		if (parse_target(json_array_get(arr, i), i, &t[i]) == -1)
			return -1;
		for (j = 0; j < i; j++)
			if (strcmp(t[j].symbol, t[i].symbol) == 0)
				return qgtm_json_item_err("targets", i, "symbol", "duplicate");
	}
	for (i = 0; i < json_array_size(arr); i++)
		if (resolve_target(r, &t[i]) == -1)
			return -1;
	return 0;
}

json_t *
qgtm_risk_decide(struct qgtm_risk *r, json_t *signal)
{
	struct qgtm_risk_target *t;
	const char *s;
	json_t *arr, *rec = NULL;
	size_t n;

	if (qgtm_json_str(signal, "trace_id", &s) == -1 ||
	    qgtm_json_str(signal, "strategy", &s) == -1 ||
	    qgtm_json_str(signal, "params_hash", &s) == -1 ||
	    qgtm_json_str(signal, "as_of", &s) == -1 ||
	    qgtm_json_arr(signal, "targets", &arr) == -1)
		return NULL;
	n = json_array_size(arr);
	t = qgtm_xcalloc(n > 0 ? n : 1, sizeof *t);
	if (read_targets(r, arr, t) == 0 &&
	    qgtm_risk_apply(&r->lim, r->equity, t, n) == 0) {
		if (r->equity > 0) {
			qgtm_risk_apply_tier(&r->lim, r->tier, r->equity, t, n);
			qgtm_risk_apply_rate(&r->lim, r->tier, r->orders_day,
			    r->orders_minute, r->equity, t, n);
		}
		rec = qgtm_decision_record(r, signal, t, n);
	}
	free(t);
	return rec;
}
