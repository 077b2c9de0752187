/*
 * digest.c: the weekly digest (qgtm-digest(1)). Its figures come from the
 * report models (lib/report/week.c, readiness.c), so they are the
 * readiness page's; this file adds the audit entries of the week, next
 * week's calendar, renders the text and posts it to Discord in pieces
 * within Discord's limits, and keeps the journal of its deliveries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "report/report_int.h"

/* Discord refuses content past 2000 characters (apis.md section 8). */
#define DISCORD_MAX 2000
/* A part of a message, so that it fits between "```\n" and "```". */
#define PART_MAX (DISCORD_MAX - 7)
/* The longest wait for a 429's retry_after, in seconds. */
#define RETRY_MAX_S 30

/* ------------------------------------------------------------- model -- */

/* Size, root and the witness line (qgtm_checkpoint_witness; absent for
 * a record that is not a readable checkpoint) of checkpoint record r. */
static json_t *
checkpoint_of(json_t *r)
{
	json_t *cp = json_pack("{s:O, s:O}", "size", json_object_get(r,
	    "size"), "root", json_object_get(r, "root"));
	struct qgtm_checkpoint c;
	char w[512];

	if (qgtm_checkpoint_from_record(r, &c) == 0 && c.v >= 2) {
		qgtm_checkpoint_witness(&c, w, sizeof w);
		json_object_set_new(cp, "witness", json_string(w));
	}
	return cp;
}

/* Count the audit entries of chain stamped in [since, until] into rec's
 * "audit_new", and the newest checkpoint (size, root) into
 * "checkpoint" (null when none). A chain that cannot be read counts 0;
 * its verification is in the readiness rows. */
static void
audit_week(const struct qgtm_cfg *cfg, const char *since, const char *until,
    json_t *rec)
{
	char *path = qgtm_state_path(qgtm_cfg_str(cfg, "audit.chain"), 0);
	json_t *e, *r, *cp = json_null();
	FILE *f = path ? fopen(path, "r") : NULL;
	json_int_t n = 0;
	const char *ts;
	char *line = NULL;
	size_t cap = 0;

	while (f != NULL && getline(&line, &cap, f) > 0) {
		if ((e = json_loads(line, 0, NULL)) == NULL)
			continue;
		ts = json_string_value(json_object_get(e, "ts"));
		r = json_object_get(e, "rec");
		if (ts != NULL && strcmp(ts, since) >= 0 &&
		    strcmp(ts, until) <= 0)
			n++;
		if (json_is_string(json_object_get(r, "type")) &&
		    strcmp(json_string_value(json_object_get(r, "type")),
		    "audit_checkpoint") == 0 && strcmp(ts ? ts : "", until) <= 0 &&
		    json_is_integer(json_object_get(r, "size")) &&
		    json_is_string(json_object_get(r, "root"))) {
			json_decref(cp);
			cp = checkpoint_of(r);
		}
		json_decref(e);
	}
	if (f != NULL)
		fclose(f);
	free(line);
	free(path);
	json_object_set_new(rec, "audit_new", json_integer(n));
	json_object_set_new(rec, "checkpoint", cp);
}

/* The civil day of "YYYY-MM-DD" s, or -1. */
static long
civil_day(const char *s)
{
	int y, m, d;

	if (s == NULL || sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return -1;
	return qgtm_days_from_civil(y, m, d);
}

json_t *
qgtm_digest_model(const struct qgtm_cfg *cfg, int y, int m, int d,
    time_t now)
{
	json_t *week = qgtm_report_week(cfg, y, m, d, now), *rec;
	const char *base = qgtm_cfg_str(cfg, "digest.base_url");
	struct qgtm_date mon, next;
	char since[21];
	time_t end;

	if (week == NULL)
		return NULL;
	mon = qgtm_civil_from_days(civil_day(json_string_value(
	    json_object_get(week, "week"))));
	next = qgtm_civil_from_days(civil_day(json_string_value(
	    json_object_get(week, "week"))) + 7);
	qgtm_time_parse(json_string_value(json_object_get(week, "as_of")),
	    &end);
	rec = qgtm_record_new("digest", NULL);
	json_object_set_new(rec, "readiness", qgtm_report_readiness(cfg,
	    end));
	audit_week(cfg, qgtm_time_fmt(qgtm_ny_time(mon.year, mon.month,
	    mon.day, 0, 0), since), json_string_value(json_object_get(week,
	    "as_of")), rec);
	json_object_set_new(rec, "next_week", qgtm_calendar_week(cfg,
	    next.year, next.month, next.day));
	json_object_set_new(rec, "dashboard", *base ? json_string(base) :
	    json_null());
	json_object_set_new(rec, "week", week);
	return rec;
}

/* ------------------------------------------------------------ render -- */

/* Month abbreviations for the title. */
static const char *const month_abbr[] = { "Jan", "Feb", "Mar", "Apr", "May",
	"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* The readiness row id of model (borrowed), or NULL. */
static json_t *
row(json_t *model, const char *id)
{
	json_t *r;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(model, "readiness"),
	    "rows"), i, r)
		if (strcmp(json_string_value(json_object_get(r, "id")), id) == 0)
			return r;
	return NULL;
}

/* The integer key of obj. */
static json_int_t
ival(json_t *obj, const char *key)
{
	return json_integer_value(json_object_get(obj, key));
}

/* The printf arguments of "%.*s" for the first n characters of s: a cut
 * by character, never inside one (qgtm_utf8_prefix). */
#define CUT(s, n) (int)qgtm_utf8_prefix((s), (n)), (s)

/* The string key of obj, or "". */
static const char *
sval(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

/* The title: "QGTM Weekly Digest -- Week of Nov 16-22, 2026", underlined,
 * or between h1 marks when h1 is not "". */
static int
r_title(struct qgtm_buf *b, json_t *week, const char *h1)
{
	long mon = civil_day(sval(week, "week"));
	struct qgtm_date a = qgtm_civil_from_days(mon);
	struct qgtm_date z = qgtm_civil_from_days(mon + 6);
	char title[96];
	int n;

	if (a.month == z.month)
		n = snprintf(title, sizeof title, "QGTM Weekly Digest -- Week of "
		    "%s %d-%d, %d", month_abbr[a.month - 1], a.day, z.day, z.year);
	else
		n = snprintf(title, sizeof title, "QGTM Weekly Digest -- Week of "
		    "%s %d-%s %d, %d", month_abbr[a.month - 1], a.day,
		    month_abbr[z.month - 1], z.day, z.year);
	if (*h1 != '\0')
		return qgtm_buf_addf(b, "%s%s%s\n\n", h1, title, h1);
	return qgtm_buf_addf(b, "%s\n%.*s\n\n", title, n,
	    "=============================================================="
	    "===============================");
}

/* The kill-switch line: NORMAL all week, or the changes and the tier. */
static int
r_switch(struct qgtm_buf *b, json_t *week)
{
	size_t n = json_array_size(json_object_get(week, "risk_events"));

	if (n == 0)
		return qgtm_buf_addf(b, "Kill-switch: %s all week\n",
		    sval(week, "tier"));
	return qgtm_buf_addf(b, "Kill-switch: %s now, %zu change%s this "
	    "week\n", sval(week, "tier"), n, n == 1 ? "" : "s");
}

/* Portfolio, kill switch, positions and drawdown. */
static int
r_head(struct qgtm_buf *b, json_t *week)
{
	json_t *pos = json_object_get(week, "positions");
	const char *day = json_string_value(json_object_get(week,
	    "max_drawdown_day"));
	double pct = json_real_value(json_object_get(week, "pnl_pct"));

	if (qgtm_buf_addf(b, "PORTFOLIO: %s (%s / %s%.2f%%)\n",
	    sval(week, "equity_text"), sval(week, "pnl_text"),
	    pct >= 0 ? "+" : "", pct) == -1 || r_switch(b, week) == -1 ||
	    qgtm_buf_addf(b, "Positions: %lld open (%lld long, %lld short)\n",
	    (long long)ival(pos, "open"), (long long)ival(pos, "long"),
	    (long long)ival(pos, "short")) == -1)
		return -1;
	return qgtm_buf_addf(b, "Max intraday drawdown: %.1f%% (%s)\n\n",
	    100 * json_real_value(json_object_get(week, "max_drawdown")),
	    day ? day : "none");
}

/* One strategy row: "  1. tsmom  +$523.12  (6 trades, 83% hit rate)". */
static int
r_strategy(struct qgtm_buf *b, size_t i, json_t *s)
{
	json_int_t n = ival(s, "trades"), hits = ival(s, "hits");
	char money[32], rate[16];

	if (n == 0)
		snprintf(rate, sizeof rate, "N/A");
	else
		snprintf(rate, sizeof rate, "%lld%%", (long long)(
		    (100 * hits + n / 2) / n));
	return qgtm_buf_addf(b, "  %zu. %-18s %12s  (%lld trade%s, %s hit "
	    "rate)\n", i + 1, sval(s, "strategy"), qgtm_report_money(ival(s,
	    "pnl_cents"), 1, money), (long long)n, n == 1 ? "" : "s", rate);
}

/* The contribution of strategy name in week's rows, as money. */
static const char *
contribution(json_t *week, const char *name, char money[32])
{
	json_t *s, *found = NULL;
	size_t i;

	json_array_foreach(json_object_get(week, "strategies"), i, s)
		if (strcmp(sval(s, "strategy"), name) == 0)
			found = s;
	return qgtm_report_money(ival(found, "pnl_cents"), 1, money);
}

/* Best and worst strategy, or the only one that traded. */
static int
r_best(struct qgtm_buf *b, json_t *week)
{
	const char *best = sval(week, "best"), *worst = sval(week, "worst");
	char m1[32], m2[32];

	if (*best == '\0')
		return 0;
	if (*worst == '\0')
		return qgtm_buf_addf(b, "Only one strategy traded or held: %s "
		    "(%s)\n", best, contribution(week, best, m1));
	return qgtm_buf_addf(b, "Best: %s (%s); worst: %s (%s)\n", best,
	    contribution(week, best, m1), worst, contribution(week, worst,
	    m2));
}

/* The strategies ranked (their contributions sum to the week's PnL), the
 * rounding in them when not 0, best and worst. */
static int
r_strategies(struct qgtm_buf *b, json_t *week)
{
	json_t *s;
	size_t i;
	char money[32];

	if (qgtm_buf_addf(b, "STRATEGIES (ranked by contribution):\n") == -1)
		return -1;
	json_array_foreach(json_object_get(week, "strategies"), i, s)
		if (r_strategy(b, i, s) == -1)
			return -1;
	if (ival(week, "rounding_cents") != 0 && qgtm_buf_addf(b,
	    "     (rounding: %s, in the rows above)\n", qgtm_report_money(
	    ival(week, "rounding_cents"), 1, money)) == -1)
		return -1;
	if (r_best(b, week) == -1)
		return -1;
	return qgtm_buf_addf(b, "\n");
}

/* RISK EVENTS: None, or one line per tier change. */
static int
r_risk(struct qgtm_buf *b, json_t *week)
{
	json_t *ev = json_object_get(week, "risk_events"), *r;
	size_t i;

	if (json_array_size(ev) == 0)
		return qgtm_buf_addf(b, "RISK EVENTS: None\n\n");
	if (qgtm_buf_addf(b, "RISK EVENTS:\n") == -1)
		return -1;
	json_array_foreach(ev, i, r)
		if (qgtm_buf_addf(b, "  - %.*s %s -> %s by %s: %.*s\n",
		    CUT(sval(r, "ts"), 16), sval(r, "from"), sval(r, "to"),
		    sval(r, "by"), CUT(sval(r, "reason"), 40)) == -1)
			return -1;
	return qgtm_buf_addf(b, "\n");
}

/* DATA QUALITY: each feed of the readiness feeds row. */
static int
r_data(struct qgtm_buf *b, json_t *model)
{
	json_t *det = json_object_get(row(model, "feeds"), "details"), *h;
	const char *k;

	if (qgtm_buf_addf(b, "DATA QUALITY:\n") == -1)
		return -1;
	json_object_foreach(det, k, h)
		if (json_is_object(h) && qgtm_buf_addf(b, "  - %s: %s (%.*s)\n",
		    k, json_is_true(json_object_get(h, "healthy")) ? "healthy" :
		    "UNHEALTHY", CUT(sval(h, "reason"), 50)) == -1)
			return -1;
	return qgtm_buf_addf(b, "\n");
}

/* SYSTEM HEALTH: heartbeat, audit chain, checkpoint. */
static int
r_health(struct qgtm_buf *b, json_t *model)
{
	json_t *hb = row(model, "heartbeat"), *au = row(model, "audit");
	json_t *cp = json_object_get(model, "checkpoint");

	if (qgtm_buf_addf(b, "SYSTEM HEALTH:\n  - Heartbeat: %s (%s)\n",
	    sval(hb, "result"), sval(hb, "reason")) == -1 ||
	    qgtm_buf_addf(b, "  - Audit chain: %s, %lld new entries\n",
	    strcmp(sval(au, "result"), "FAIL") == 0 ? "NOT VERIFIED" :
	    "verified", (long long)ival(model, "audit_new")) == -1)
		return -1;
	/* The witness copy of the checkpoint, whole, for --against. */
	if (json_is_object(cp) && json_object_get(cp, "witness") != NULL)
		return qgtm_buf_addf(b, "  - Checkpoint: %s\n\n", sval(cp,
		    "witness"));
	if (json_is_object(cp) && qgtm_buf_addf(b, "  - Checkpoint: size %lld,"
	    " root %.*s...\n", (long long)ival(cp, "size"), CUT(sval(cp,
	    "root"), 16)) == -1)
		return -1;
	return qgtm_buf_addf(b, "\n");
}

/* Next week's events, then the dashboard link. */
static int
r_next(struct qgtm_buf *b, json_t *model)
{
	json_t *ev = json_object_get(model, "next_week"), *e;
	const char *url = json_string_value(json_object_get(model,
	    "dashboard"));
	size_t i;

	if (qgtm_buf_addf(b, "Next week:%s\n", json_array_size(ev) ? "" :
	    " no scheduled events") == -1)
		return -1;
	json_array_foreach(ev, i, e)
		if (qgtm_buf_addf(b, "  - %s %.*s\n", sval(e, "at_ny"),
		    CUT(sval(e, "name"), 50)) == -1)
			return -1;
	if (url == NULL)
		return qgtm_buf_addf(b, "\nDashboard: no link: set "
		    "digest.base_url in qgtm.yaml to the pages' address "
		    "(qgtm.yaml(5))\n");
	return qgtm_buf_addf(b, "\nDashboard: %s\n", url);
}

int
qgtm_digest_render(struct qgtm_buf *b, json_t *model, int markdown)
{
	json_t *week = json_object_get(model, "week");

	if (r_title(b, week, markdown ? "**" : "") == -1)
		return -1;
	if (markdown && qgtm_buf_addf(b, "```\n") == -1)
		return -1;
	if (r_head(b, week) == -1 || r_strategies(b, week) == -1 ||
	    r_risk(b, week) == -1 || r_data(b, model) == -1 ||
	    r_health(b, model) == -1 || r_next(b, model) == -1)
		return -1;
	return markdown ? qgtm_buf_addf(b, "```\n") : 0;
}

/* ---------------------------------------------------------- delivery -- */

int
qgtm_digest_delivery_note(const char *week, int ok, json_t *channels,
    const char *reason)
{
	char *path = qgtm_state_path(QGTM_DIGEST_DELIVERY, 1), *text, *line;
	json_t *rec = qgtm_record_new("digest_delivery", NULL);
	char clean[512];
	int rc;

	json_object_set_new(rec, "week", json_string(week));
	json_object_set_new(rec, "ok", json_boolean(ok));
	json_object_set_new(rec, "channels", channels);
	if (!ok) {
		qgtm_redact(reason, clean, sizeof clean);
		json_object_set_new(rec, "reason", json_string(clean));
	}
	if (path == NULL)
		return json_decref(rec), -1;
	text = json_dumps(rec, JSON_COMPACT);
	line = qgtm_xasprintf("%s\n", text);
	rc = qgtm_append_fsync(path, line, strlen(line));
	free(line);
	free(text);
	free(path);
	json_decref(rec);
	return rc;
}

/* The records of the delivery journal (a new array, empty when there is
 * none), or NULL with the error. */
static json_t *
delivery_read(void)
{
	char *path = qgtm_state_path(QGTM_DIGEST_DELIVERY, 0);
	json_t *recs = path ? qgtm_jsonl_read_file(path, 1) : NULL;

	free(path);
	return recs;
}

json_t *
qgtm_digest_delivery_pending(void)
{
	json_t *recs = delivery_read(), *out, *r;
	size_t i;

	if (recs == NULL)
		return NULL;
	out = json_array();
	json_array_foreach(recs, i, r) {
		if (json_is_true(json_object_get(r, "ok")))
			json_array_clear(out);
		else
			json_array_append(out, r);
	}
	json_decref(recs);
	return out;
}

json_t *
qgtm_digest_delivery_last(void)
{
	json_t *recs = delivery_read(), *last;

	if (recs == NULL)
		return NULL;
	last = json_array_size(recs) > 0 ? json_incref(json_array_get(recs,
	    json_array_size(recs) - 1)) : json_null();
	json_decref(recs);
	return last;
}

int
qgtm_digest_undelivered(struct qgtm_buf *b, json_t *pending)
{
	json_t *r;
	size_t i;

	json_array_foreach(pending, i, r)
		if (qgtm_buf_addf(b, "The digest of week %s was not delivered: "
		    "%s\n", sval(r, "week"), sval(r, "reason")) == -1)
			return -1;
	return json_array_size(pending) > 0 ? qgtm_buf_addf(b, "\n") : 0;
}

/* ----------------------------------------------------------- discord -- */

/* The length of the next part of text: at most PART_MAX characters
 * (qgtm_utf8_prefix), cut after a newline when one is in reach. */
static size_t
part_len(const char *text)
{
	size_t n = qgtm_utf8_prefix(text, PART_MAX), i;

	if (text[n] == '\0')
		return n;
	for (i = n; i > 0; i--)
		if (text[i - 1] == '\n')
			return i;
	return n;
}

/* POST the n bytes of part to url as one message, a code block. */
static int
post_part(const struct qgtm_cfg *cfg, const char *url, const char *part,
    size_t n)
{
	char *block = qgtm_xasprintf("```\n%.*s```", (int)n, part);
	int rc = qgtm_discord_post(cfg, url, block, RETRY_MAX_S);

	free(block);
	return rc;
}

int
qgtm_digest_discord(const struct qgtm_cfg *cfg, const char *text)
{
	char *url;
	size_t n;
	int rc;

	if ((rc = qgtm_discord_webhook(cfg, &url)) != 1)
		return rc == 0 ? 1 : -1;
	rc = 0;
	while (rc == 0 && *text != '\0') {
		n = part_len(text);
		rc = post_part(cfg, url, text, n);
		text += n;
	}
	free(url);
	return rc;
}
