/*
 * status.c: the phone page's model (qgtm_report_status): the account's
 * equity, today's gain (the broker's figure, else the book's) and
 * positions, the kill switch's tier and the heartbeat, in plain words
 * with a one-line verdict; and the check after a flatten
 * (qgtm_report_flat).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/report_int.h"

/* The equity of book marked at the last close before today (New York). */
static int
equity_before_today(const struct qgtm_cfg *cfg, const struct qgtm_book *book,
    time_t now, int64_t *out)
{
	struct qgtm_date d = qgtm_ny_date(now);

	return qgtm_oms_equity(cfg, book, qgtm_ny_time(d.year, d.month, d.day,
	    0, 0) - 1, out);
}

/* The broker's figure of today's gain (its account's daily_pl) into
 * *out. Returns 0, or -1 when the broker gives none. */
static int
broker_daily_pl(const struct qgtm_cfg *cfg, time_t now, int64_t *out)
{
	struct qgtm_broker b;
	json_t *acct;
	int rc;

	if (qgtm_broker_open(&b, cfg, NULL, now) == -1)
		return -1;
	acct = b.ops->account(&b);
	qgtm_broker_close(&b);
	rc = qgtm_dec_parse(json_string_value(json_object_get(acct,
	    "daily_pl")), QGTM_CENTS, out);
	json_decref(acct);
	return rc;
}

/* Today's gain at equity: the broker's daily_pl when it gives one; else
 * the book's, from the day's first equity evaluate kept, or else from the
 * current book marked at the last close before today. */
static void
status_gain(const struct qgtm_cfg *cfg, struct qgtm_ks *ks,
    const struct qgtm_book *book, time_t now, int64_t equity, json_t *rec)
{
	struct qgtm_date d = qgtm_ny_date(now);
	struct qgtm_eval ev;
	int64_t start, pl;
	char day[11];

	snprintf(day, sizeof day, "%04d-%02d-%02d", d.year, d.month, d.day);
	if (broker_daily_pl(cfg, now, &pl) == 0) {
		json_object_set_new(rec, "gain_source", json_string("broker"));
		json_object_set_new(rec, "gain_basis", json_string("daily_pl"));
		qgtm_model_set_money(rec, "gain", pl, 1);
		return;
	}
	json_object_set_new(rec, "gain_source", json_string("book"));
	if (qgtm_eval_load(ks, &ev) == 0 && strcmp(ev.day, day) == 0 &&
	    ev.day_start > 0) {
		start = ev.day_start;
		json_object_set_new(rec, "gain_basis",
		    json_string("day_start"));
	} else if (equity_before_today(cfg, book, now, &start) == 0) {
		json_object_set_new(rec, "gain_basis",
		    json_string("last_close"));
	} else {
		start = equity;
		json_object_set_new(rec, "gain_basis", json_string("none"));
	}
	qgtm_model_set_money(rec, "gain", equity - start, 1);
}

/* The account part of the status: equity, gain, positions. */
static void
status_account(const struct qgtm_cfg *cfg, struct qgtm_ks *ks, time_t now,
    json_t *rec)
{
	struct qgtm_book book;
	int64_t equity;

	json_object_set_new(rec, "broker", json_string(qgtm_cfg_str(cfg,
	    "order.broker")));
	if (qgtm_journal_account(cfg, now, &book, &equity) == -1) {
		json_object_set_new(rec, "broker_reachable", json_false());
		json_object_set_new(rec, "error", json_string(qgtm_errmsg()));
		return;
	}
	json_object_set_new(rec, "broker_reachable", json_true());
	qgtm_model_set_money(rec, "equity", equity, 0);
	status_gain(cfg, ks, &book, now, equity, rec);
	json_object_set_new(rec, "positions",
	    json_integer((json_int_t)book.npos));
	qgtm_book_release(&book);
}

/* The colour of a heartbeat age: green under 60 s, yellow under 120 s. */
static const char *
beat_colour(time_t last, time_t now)
{
	if (last == 0 || now - last >= 120)
		return "red";
	return now - last < 60 ? "green" : "yellow";
}

/* The tier part of rec: tier, tier_meaning, tier_text, tier_reason. */
static void
status_tier(json_t *rec, int tier, const char *reason)
{
	const struct qgtm_tier_info *ti = qgtm_tier_info(tier);

	json_object_set_new(rec, "tier", json_string(ti->name));
	json_object_set_new(rec, "tier_meaning", json_string(ti->meaning));
	json_object_set_new(rec, "tier_text", json_string(ti->sentence));
	json_object_set_new(rec, "tier_reason", json_string(reason));
}

/* The heartbeat in words: "System checked in 12 s ago", in minutes from
 * 120 s, or "System has never checked in" (age < 0). A new allocation. */
static char *
beat_text(long long age)
{
	if (age < 0)
		return qgtm_xstrdup("System has never checked in");
	if (age < 120)
		return qgtm_xasprintf("System checked in %lld s ago", age);
	return qgtm_xasprintf("System checked in %lld min ago", age / 60);
}

/* The kill switch part: tier and its words, and the heartbeat. */
static void
status_switch(struct qgtm_model_ks *mk, time_t now, json_t *rec)
{
	const struct qgtm_ks_state *st = &mk->st;
	time_t last;
	char ts[21], *text;

	status_tier(rec, st->effective,
	    st->health == QGTM_KS_OK ? st->reason : st->detail);
	json_object_set_new(rec, "tier_health",
	    json_string(qgtm_ks_health_name(st->health)));
	last = qgtm_heartbeat_last(&mk->ks);
	json_object_set_new(rec, "heartbeat", last == 0 ? json_null() :
	    json_string(qgtm_time_fmt(last, ts)));
	json_object_set_new(rec, "heartbeat_age_s", last == 0 ? json_null() :
	    json_integer((json_int_t)(now - last)));
	json_object_set_new(rec, "heartbeat_colour",
	    json_string(beat_colour(last, now)));
	text = beat_text(last == 0 ? -1 : (long long)(now - last));
	json_object_set_new(rec, "heartbeat_text", json_string(text));
	free(text);
}

/* "15:04:05 ET": the New York wall-clock time of t into out. */
static char *
ny_clock(time_t t, char out[16])
{
	time_t local = t + qgtm_ny_offset(t);
	struct tm tm;

	gmtime_r(&local, &tm);
	snprintf(out, 16, "%02d:%02d:%02d ET", tm.tm_hour, tm.tm_min,
	    tm.tm_sec);
	return out;
}

/* Append to *why (a new allocation or NULL) the reason r, "; " between. */
static void
verdict_add(char **why, char *r)
{
	char *s = *why == NULL ? r : qgtm_xasprintf("%s; %s", *why, r);

	if (s != r) {
		free(*why);
		free(r);
	}
	*why = s;
}

/* The verdict of rec: "All OK" (verdict_ok true) when the tier is NORMAL,
 * the heartbeat under 60 s old and the broker readable; else "Needs
 * attention: " and each reason. */
static void
status_verdict(json_t *rec)
{
	json_t *age = json_object_get(rec, "heartbeat_age_s");
	const char *tier = qgtm_page_str(rec, "tier");
	const char *reason = qgtm_page_str(rec, "tier_reason");
	char *why = NULL, *v;

	if (!json_is_true(json_object_get(rec, "broker_reachable")))
		verdict_add(&why, qgtm_xstrdup("Broker cannot be read"));
	if (strcmp(tier, "NORMAL") != 0)
		verdict_add(&why, qgtm_xasprintf("Safety switch at %s: %s",
		    tier, reason[0] != '\0' ? reason :
		    qgtm_page_str(rec, "tier_meaning")));
	if (!json_is_integer(age))
		verdict_add(&why, qgtm_xstrdup("System has never checked in"));
	else if (json_integer_value(age) >= 60)
		verdict_add(&why, qgtm_xasprintf("System last %s",
		    qgtm_page_str(rec, "heartbeat_text") + strlen("System ")));
	v = why == NULL ? qgtm_xstrdup("All OK") :
	    qgtm_xasprintf("Needs attention: %s", why);
	json_object_set_new(rec, "verdict", json_string(v));
	json_object_set_new(rec, "verdict_ok", json_boolean(why == NULL));
	free(why);
	free(v);
}

json_t *
qgtm_report_status(const struct qgtm_cfg *cfg, time_t now)
{
	return qgtm_model_alone(cfg, now, qgtm_status_model);
}

json_t *
qgtm_status_model(const struct qgtm_cfg *cfg, time_t now,
    struct qgtm_model_ks *mk)
{
	json_t *rec = qgtm_record_new("status", NULL);
	char ts[21], et[16];

	json_object_set_new(rec, "as_of", json_string(qgtm_time_fmt(now, ts)));
	json_object_set_new(rec, "as_of_text", json_string(ny_clock(now, et)));
	json_object_set_new(rec, "equity", json_null());
	json_object_set_new(rec, "gain", json_null());
	json_object_set_new(rec, "positions", json_null());
	if (!mk->ok) {
		status_tier(rec, QGTM_TIER_NO_NEW, mk->err);
		json_object_set_new(rec, "broker_reachable", json_false());
		json_object_set_new(rec, "error", json_string(mk->err));
		status_verdict(rec);
		return rec;
	}
	status_switch(mk, now, rec);
	status_account(cfg, &mk->ks, now, rec);
	status_verdict(rec);
	return rec;
}

/* Append "SYMBOL QTY" of p to b, ", " before all but the first (first
 * set), the quantity without trailing zeros. Returns 0 or -1. */
static int
flat_position(struct qgtm_buf *b, const struct qgtm_position *p, int first)
{
	char q[40], *e;

	qgtm_dec_fmt(p->qty, QGTM_QTY_SCALE, q, sizeof q);
	e = q + strlen(q);
	while (strchr(q, '.') != NULL && e > q && (e[-1] == '0' ||
	    e[-1] == '.'))
		*--e = '\0';
	return qgtm_buf_addf(b, "%s%s %s", first ? "" : ", ", p->symbol, q);
}

json_t *
qgtm_report_flat(const struct qgtm_cfg *cfg, time_t now)
{
	struct qgtm_book book;
	struct qgtm_broker br;
	struct qgtm_buf left;
	json_t *open = NULL, *rec;
	size_t i, norders;
	char *msg;

	if (qgtm_oms_book_load(cfg, &book) == -1)
		return NULL;
	if (qgtm_broker_open(&br, cfg, NULL, now) == 0) {
		open = br.ops->open_orders(&br);
		qgtm_broker_close(&br);
	}
	if (open == NULL) {
		qgtm_book_release(&book);
		return NULL;
	}
	norders = json_array_size(open);
	qgtm_buf_init(&left, 4096);
	for (i = 0; i < book.npos; i++)
		(void)flat_position(&left, &book.pos[i], i == 0);
	if (book.npos == 0 && norders == 0)
		msg = qgtm_xstrdup("Flat: 0 positions, 0 open orders");
	else
		msg = qgtm_xasprintf("Not flat: %zu position%s left%s%.*s%s, "
		    "%zu open order%s", book.npos, book.npos == 1 ? "" : "s",
		    book.npos > 0 ? " (" : "", (int)left.len,
		    left.len > 0 ? left.data : "", book.npos > 0 ? ")" : "",
		    norders, norders == 1 ? "" : "s");
	rec = qgtm_record_new("flat", NULL);
	json_object_set_new(rec, "ok", json_boolean(book.npos == 0 &&
	    norders == 0));
	json_object_set_new(rec, "positions", json_integer((json_int_t)
	    book.npos));
	json_object_set_new(rec, "open_orders", json_integer((json_int_t)
	    norders));
	json_object_set_new(rec, "message", json_string(msg));
	free(msg);
	qgtm_buf_release(&left);
	json_decref(open);
	qgtm_book_release(&book);
	return rec;
}
