/*
 * rules.c: the automatic rules of qgtm-risk evaluate. Each run marks the
 * book (unrealized PnL included) and checks the daily loss and the
 * drawdown from the peak (N breaches in a row before tripping, WARN at a
 * fraction of the limit at once), the required feeds, the heartbeat gap
 * and the broker rejects in a row. What must survive between runs (the
 * day's first equity, the peak, the counters) is the backend object
 * "eval". The verdict is the highest tier any rule asks for; the caller
 * only ever escalates to it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "risk/risk.h"

#define WEIGHT_ONE 1000000

void
qgtm_rules_limits_json(const struct qgtm_rules *ru, json_t *rec)
{
	json_object_set_new(rec, "max_daily_loss",
	    qgtm_dec_json(ru->max_daily_loss, QGTM_WEIGHT_SCALE));
	json_object_set_new(rec, "max_drawdown",
	    qgtm_dec_json(ru->max_drawdown, QGTM_WEIGHT_SCALE));
	json_object_set_new(rec, "warn_at",
	    qgtm_dec_json(ru->warn_at, QGTM_WEIGHT_SCALE));
	json_object_set_new(rec, "breaches_to_trip",
	    json_integer(ru->breaches_to_trip));
	json_object_set_new(rec, "loss_tier",
	    json_string(qgtm_tier_name(ru->loss_tier)));
	json_object_set_new(rec, "required_feeds",
	    json_deep_copy(ru->required_feeds));
	json_object_set_new(rec, "stale_feed_tier",
	    json_string(qgtm_tier_name(ru->stale_feed_tier)));
	json_object_set_new(rec, "max_heartbeat_gap_s",
	    json_integer(ru->max_heartbeat_gap_s));
	json_object_set_new(rec, "heartbeat_tier",
	    json_string(qgtm_tier_name(ru->heartbeat_tier)));
	json_object_set_new(rec, "max_rejects_in_a_row",
	    json_integer(ru->max_rejects_in_a_row));
	json_object_set_new(rec, "reject_tier",
	    json_string(qgtm_tier_name(ru->reject_tier)));
}

/* ------------------------------------------------------- eval state -- */

/* The decimal text of v as a new JSON string. */
static json_t *
num_json(long long v)
{
	char buf[24];

	snprintf(buf, sizeof buf, "%lld", v);
	return json_string(buf);
}

/* Field key of obj as a number; 0 or -1. */
static int
num_field(json_t *obj, const char *key, long long *out)
{
	const char *s = json_string_value(json_object_get(obj, key));
	char *end;

	if (s == NULL)
		return -1;
	*out = strtoll(s, &end, 10);
	return *s == '\0' || *end != '\0' ? -1 : 0;
}

int
qgtm_eval_load(struct qgtm_ks *ks, struct qgtm_eval *ev)
{
	const char *day;
	json_t *obj;
	int rc;

	memset(ev, 0, sizeof *ev);
	if ((rc = qgtm_ks_load(ks, "eval", &obj)) != 1)
		return rc;
	day = json_string_value(json_object_get(obj, "day"));
	rc = day == NULL || strlen(day) != 10 ||
	    num_field(obj, "day_start", &ev->day_start) == -1 ||
	    num_field(obj, "peak", &ev->peak) == -1 ||
	    num_field(obj, "loss_breaches", &ev->loss_breaches) == -1 ||
	    num_field(obj, "dd_breaches", &ev->dd_breaches) == -1 ||
	    num_field(obj, "rejects", &ev->rejects) == -1 ? -1 : 0;
	if (rc == 0)
		memcpy(ev->day, day, 11);
	json_decref(obj);
	if (rc == -1)
		return qgtm_seterr(QGTM_EX_DATAERR, "kill switch eval state: "
		    "malformed");
	return 0;
}

int
qgtm_eval_store(struct qgtm_ks *ks, const struct qgtm_eval *ev)
{
	json_t *obj = json_object();
	int rc;

	json_object_set_new(obj, "day", json_string(ev->day));
	json_object_set_new(obj, "day_start", num_json(ev->day_start));
	json_object_set_new(obj, "peak", num_json(ev->peak));
	json_object_set_new(obj, "loss_breaches", num_json(ev->loss_breaches));
	json_object_set_new(obj, "dd_breaches", num_json(ev->dd_breaches));
	json_object_set_new(obj, "rejects", num_json(ev->rejects));
	rc = qgtm_ks_store(ks, "eval", obj);
	json_decref(obj);
	return rc;
}

void
qgtm_eval_order(struct qgtm_eval *ev, json_t *rec)
{
	const char *status = json_string_value(json_object_get(rec, "status"));

	if (status == NULL || strcmp(qgtm_record_type(rec), "order") != 0)
		return;
	if (strcmp(status, "rejected") == 0)
		ev->rejects++;
	else if (strcmp(status, "filled") == 0)
		ev->rejects = 0;
}

/* ------------------------------------------------------------ rules -- */

/* Ask for tier with a reason; the verdict keeps the highest. */
static void
ask(struct qgtm_verdict *v, int tier, const char *fmt, const char *arg)
{
	if (tier <= v->tier)
		return;
	v->tier = tier;
	snprintf(v->why, sizeof v->why, fmt, arg);
}

/* (from - to) / from as a fraction, 0 when not a fall. */
static int64_t
fall(int64_t from, int64_t to)
{
	if (from <= 0 || to >= from)
		return 0;
	return (int64_t)((__int128)(from - to) * WEIGHT_ONE / from);
}

/* One loss limit: count a breach, WARN early, trip after N in a row. */
static void
loss_rule(const struct qgtm_rules *ru, const char *name, int64_t lost,
    int64_t limit, long long *breaches, struct qgtm_verdict *v)
{
	char what[96], pct[32];

	qgtm_dec_fmt(lost, QGTM_WEIGHT_SCALE, pct, sizeof pct);
	snprintf(what, sizeof what, "%s %s", name, pct);
	if (limit > 0 && lost >= limit) {
		++*breaches;
		if (*breaches >= ru->breaches_to_trip)
			ask(v, ru->loss_tier, "%s over its limit", what);
		else
			ask(v, QGTM_TIER_WARN, "%s over its limit once", what);
		return;
	}
	*breaches = 0;
	if (limit > 0 && lost >= (int64_t)((__int128)limit * ru->warn_at /
	    WEIGHT_ONE))
		ask(v, QGTM_TIER_WARN, "%s near its limit", what);
}

void
qgtm_rules_equity(const struct qgtm_rules *ru, struct qgtm_eval *ev,
    int64_t equity, const char *day, struct qgtm_verdict *v)
{
	if (strcmp(ev->day, day) != 0) {
		snprintf(ev->day, sizeof ev->day, "%s", day);
		ev->day_start = equity;
	}
	if (equity > ev->peak)
		ev->peak = equity;
	ev->daily_loss = fall(ev->day_start, equity);
	ev->drawdown = fall(ev->peak, equity);
	loss_rule(ru, "daily loss", ev->daily_loss, ru->max_daily_loss,
	    &ev->loss_breaches, v);
	loss_rule(ru, "drawdown", ev->drawdown, ru->max_drawdown,
	    &ev->dd_breaches, v);
}

int
qgtm_rules_other(struct qgtm_ks *ks, const struct qgtm_rules *ru,
    const struct qgtm_eval *ev, time_t now, struct qgtm_verdict *v)
{
	json_t *health, *h;
	char gap[32];
	time_t beat;
	size_t i;

	if (ru->max_rejects_in_a_row > 0 &&
	    ev->rejects >= ru->max_rejects_in_a_row) {
		snprintf(gap, sizeof gap, "%lld", ev->rejects);
		ask(v, ru->reject_tier, "%s broker rejects in a row", gap);
	}
	if (ru->max_heartbeat_gap_s > 0 && ((beat = qgtm_heartbeat_last(ks)) ==
	    0 || now - beat > ru->max_heartbeat_gap_s)) {
		snprintf(gap, sizeof gap, "%lld", beat == 0 ? -1LL :
		    (long long)(now - beat));
		ask(v, ru->heartbeat_tier, beat == 0 ? "no heartbeat%.0s" :
		    "heartbeat gap %s s", gap);
	}
	if (json_array_size(ru->required_feeds) == 0)
		return 0;
	if ((health = qgtm_feed_health(ru->required_feeds, now)) == NULL)
		return -1;
	json_array_foreach(health, i, h)
		if (!json_is_true(json_object_get(h, "healthy")))
			ask(v, ru->stale_feed_tier, "feed %s stale",
			    json_string_value(json_object_get(h, "feed")));
	json_decref(health);
	return 0;
}
