/*
 * weeks.c: the readiness model's sections after its checklist: the week
 * ahead (its calendar), last week (its PnL, the broker's or the book's,
 * fills, drawdown, risk rejections, best and worst strategy, from
 * qgtm_report_week) and the whole book's equity curve.
 */
#include <stdio.h>
#include <string.h>

#include "report/report_int.h"

long
qgtm_weeks_monday(time_t now)
{
	struct qgtm_date d = qgtm_ny_date(now);
	long day = qgtm_days_from_civil(d.year, d.month, d.day);
	int wd = qgtm_weekday(d.year, d.month, d.day);

	return wd == 6 ? day + 2 : wd == 0 ? day + 1 : day - (wd - 1);
}

/* The date of civil day day as YYYY-MM-DD into out. */
static char *
day_text(long day, char out[11])
{
	struct qgtm_date d = qgtm_civil_from_days(day);

	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)d.year % 10000u,
	    (unsigned)d.month % 100u, (unsigned)d.day % 100u);
	return out;
}

/* The week ahead: {week, events} of the calendar of the week of Monday
 * mon (civil day), each event with at_text, its time as "Wed 10 Dec
 * 08:30 ET"; or with error instead of events. */
static json_t *
week_ahead(const struct qgtm_cfg *cfg, long mon)
{
	struct qgtm_date d = qgtm_civil_from_days(mon);
	json_t *events = qgtm_calendar_week(cfg, d.year, d.month, d.day), *ev;
	char day[11], et[32];
	size_t i;
	time_t t;

	json_array_foreach(events, i, ev)
		if (qgtm_time_parse(json_string_value(json_object_get(ev,
		    "at")), &t) == 0)
			json_object_set_new(ev, "at_text", json_string(
			    qgtm_figures_et(t, et)));
	if (events == NULL)
		return json_pack("{s:s, s:s}", "week", day_text(mon, day),
		    "error", qgtm_errmsg());
	return json_pack("{s:s, s:o}", "week", day_text(mon, day), "events",
	    events);
}

/* The PnL of the week of Monday mon as the sum of the daily profit_loss
 * of the broker's history (not for the sim, whose broker is the book).
 * Returns 0, or -1 when the broker gives none. */
static int
broker_week_pnl(const struct qgtm_cfg *cfg, long mon, time_t now,
    int64_t *out)
{
	struct qgtm_broker b;
	json_t *hist, *day;
	char from[11], to[11];
	const char *date;
	int64_t pl, next, sum = 0;
	size_t i, n = 0;

	if (strcmp(qgtm_cfg_str(cfg, "order.broker"), "sim") == 0 ||
	    qgtm_broker_open(&b, cfg, NULL, now) == -1)
		return -1;
	hist = b.ops->history(&b, 14);
	qgtm_broker_close(&b);
	day_text(mon, from);
	day_text(mon + 6, to);
	json_array_foreach(hist, i, day) {
		date = json_string_value(json_object_get(day, "date"));
		if (date == NULL || strcmp(date, from) < 0 ||
		    strcmp(date, to) > 0 ||
		    qgtm_dec_parse(json_string_value(json_object_get(day,
		    "profit_loss")), QGTM_CENTS, &pl) == -1 ||
		    __builtin_add_overflow(sum, pl, &next))
			continue;
		sum = next;
		n++;
	}
	json_decref(hist);
	*out = sum;
	return n > 0 ? 0 : -1;
}

/* A strategy row of a week (borrowed) as {strategy, pnl_cents,
 * pnl_text, trades}, or null when row is NULL or null. */
static json_t *
strategy_money(json_t *row)
{
	char text[32];
	json_int_t c;

	if (!json_is_object(row))
		return json_null();
	c = json_integer_value(json_object_get(row, "pnl_cents"));
	return json_pack("{s:O, s:I, s:s, s:O}", "strategy",
	    json_object_get(row, "strategy"), "pnl_cents", c, "pnl_text",
	    qgtm_report_money(c, 1, text), "trades",
	    json_object_get(row, "trades"));
}

/* The row of week's strategies named by week's member key ("best" or
 * "worst"), borrowed, or NULL when key is null or names none. */
static json_t *
week_strategy(json_t *week, const char *key)
{
	const char *name = json_string_value(json_object_get(week, key));
	json_t *s;
	size_t i;

	json_array_foreach(json_object_get(week, "strategies"), i, s)
		if (name != NULL && json_equal(json_object_get(s, "strategy"),
		    json_object_get(week, key)))
			return s;
	return NULL;
}

/* Into out, pnl_pct and pnl_pct_text ("+0.22%"): the PnL pnl against the
 * equity at the start of the week (the book's at its end less the book's
 * PnL of the week); 0 without a starting equity. */
static void
week_pct(json_t *week, int64_t pnl, json_t *out)
{
	int64_t end, start;
	double pct = 0;
	char text[32];

	if (qgtm_dec_parse(json_string_value(json_object_get(week,
	    "equity")), QGTM_CENTS, &end) == 0 &&
	    (start = end - json_integer_value(json_object_get(week,
	    "pnl_cents"))) > 0)
		pct = 100.0 * (double)pnl / (double)start;
	snprintf(text, sizeof text, "%+.2f%%", pct);
	json_object_set_new(out, "pnl_pct", json_real(pct));
	json_object_set_new(out, "pnl_pct_text", json_string(text));
}

/* Into out, the figures of week (a qgtm_report_week record): PnL (the
 * broker's daily sum when it gives one, else the book's), fills, the
 * max drawdown against risk.max_drawdown, best and worst strategy. */
static void
last_week_figures(const struct qgtm_cfg *cfg, json_t *week, long mon,
    time_t now, json_t *out)
{
	double dd = json_real_value(json_object_get(week, "max_drawdown"));
	double limit = qgtm_cfg_num(cfg, "risk.max_drawdown");
	double warn = qgtm_cfg_num(cfg, "risk.warn_at") * limit;
	int64_t pnl;
	int basis = broker_week_pnl(cfg, mon, now, &pnl) == 0;

	if (!basis)
		pnl = json_integer_value(json_object_get(week,
		    "days_pnl_cents"));
	qgtm_model_set_money(out, "pnl", pnl, 1);
	json_object_set_new(out, "pnl_cents", json_integer(pnl));
	week_pct(week, pnl, out);
	json_object_set_new(out, "pnl_basis", json_string(basis ? "broker" :
	    "book"));
	json_object_set(out, "days", json_object_get(week, "days"));
	json_object_set(out, "fills", json_object_get(week, "fills"));
	json_object_set_new(out, "max_drawdown", json_real(dd));
	json_object_set_new(out, "max_drawdown_limit", json_real(limit));
	json_object_set_new(out, "drawdown_result", json_string(
	    qgtm_model_result(limit > 0 && dd >= limit ? QGTM_FAIL :
	    limit > 0 && dd >= warn ? QGTM_WARN : QGTM_PASS)));
	/* The week model names them; worst is null when fewer than two
	 * strategies traded or held (attrib.c). */
	json_object_set_new(out, "best", strategy_money(week_strategy(week,
	    "best")));
	json_object_set_new(out, "worst", strategy_money(week_strategy(week,
	    "worst")));
}

/* Last week: the week before the week ahead (Monday mon), with the
 * targets risk rejected in it (-1: unknown). */
static json_t *
last_week(const struct qgtm_cfg *cfg, long mon, time_t now, long long rej,
    struct qgtm_model_ks *mk)
{
	struct qgtm_date d = qgtm_civil_from_days(mon - 7);
	json_t *week = qgtm_week_model(cfg, d.year, d.month, d.day, now, mk);
	json_t *out;
	char day[11];

	out = json_pack("{s:s}", "week", day_text(mon - 7, day));
	if (week == NULL) {
		json_object_set_new(out, "error", json_string(qgtm_errmsg()));
		return out;
	}
	json_object_set(out, "as_of", json_object_get(week, "as_of"));
	last_week_figures(cfg, week, mon, now, out);
	json_object_set_new(out, "rejected_by_risk", rej < 0 ? json_null() :
	    json_integer(rej));
	json_decref(week);
	return out;
}

/* The equity curve of the whole book for the readiness charts. */
static json_t *
book_curve(const struct qgtm_cfg *cfg, time_t now)
{
	struct qgtm_book book;
	json_t *curve;

	if (qgtm_oms_book_load(cfg, &book) == -1)
		return json_pack("{s:s}", "error", qgtm_errmsg());
	curve = qgtm_curve_equity(cfg, book.journal, NULL,
	    qgtm_journal_cash0(cfg), now);
	qgtm_book_release(&book);
	return curve != NULL ? curve : json_pack("{s:s}", "error",
	    qgtm_errmsg());
}

void
qgtm_weeks_add(const struct qgtm_cfg *cfg, time_t now, long mon,
    long long rejected, struct qgtm_model_ks *mk, json_t *rec)
{
	json_object_set_new(rec, "week_ahead", week_ahead(cfg, mon));
	json_object_set_new(rec, "last_week",
	    last_week(cfg, mon, now, rejected, mk));
	json_object_set_new(rec, "equity_curve", book_curve(cfg, now));
}
