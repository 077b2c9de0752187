/*
 * status.c: the phone page's model (qgtm_report_status): the account's
 * equity, today's gain (the broker's figure, else the book's) and
 * positions, the kill switch's tier and the heartbeat.
 */
#include <stdio.h>
#include <string.h>

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

/* The kill switch part: tier and its sentence, and the heartbeat. */
static void
status_switch(struct qgtm_ks *ks, time_t now, json_t *rec)
{
	struct qgtm_ks_state st;
	time_t last;
	char ts[21];

	qgtm_ks_read(ks, &st);
	json_object_set_new(rec, "tier", json_string(qgtm_tier_name(
	    st.effective)));
	json_object_set_new(rec, "tier_text", json_string(
	    qgtm_tier_info(st.effective)->sentence));
	json_object_set_new(rec, "tier_health", json_string(
	    qgtm_ks_health_name(st.health)));
	last = qgtm_heartbeat_last(ks);
	json_object_set_new(rec, "heartbeat", last == 0 ? json_null() :
	    json_string(qgtm_time_fmt(last, ts)));
	json_object_set_new(rec, "heartbeat_age_s", last == 0 ? json_null() :
	    json_integer((json_int_t)(now - last)));
	json_object_set_new(rec, "heartbeat_colour",
	    json_string(beat_colour(last, now)));
}

json_t *
qgtm_report_status(const struct qgtm_cfg *cfg, time_t now)
{
	json_t *rec = qgtm_record_new("status", NULL);
	struct qgtm_ks ks;
	char ts[21];

	json_object_set_new(rec, "as_of", json_string(qgtm_time_fmt(now, ts)));
	json_object_set_new(rec, "equity", json_null());
	json_object_set_new(rec, "gain", json_null());
	json_object_set_new(rec, "positions", json_null());
	if (qgtm_ks_open(&ks, cfg) == -1) {
		json_object_set_new(rec, "tier", json_string("NO_NEW"));
		json_object_set_new(rec, "tier_text", json_string(
		    qgtm_tier_info(QGTM_TIER_NO_NEW)->sentence));
		json_object_set_new(rec, "broker_reachable", json_false());
		json_object_set_new(rec, "error", json_string(qgtm_errmsg()));
		return rec;
	}
	status_switch(&ks, now, rec);
	status_account(cfg, &ks, now, rec);
	qgtm_ks_close(&ks);
	return rec;
}
