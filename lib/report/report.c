/*
 * report.c: the one report module. It computes the numbers of the phone
 * page (the status model) and of the Sunday checklist (the readiness
 * model) from the state directory, for qgtm-status render, qgtm-api and
 * the digest. Models are plain JSON records; pages are drawn by page.c.
 * What the sections share lives in model.c and journal.c.
 */
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

#define WEEK_S (7 * 86400)

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

/* ---------------------------------------------------------- readiness -- */

/* Append a row to the rows array; details is stolen. */
static void
row_add(json_t *rows, const char *id, const char *title, int result,
    json_t *details, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void
row_add(json_t *rows, const char *id, const char *title, int result,
    json_t *details, const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s, s:o}",
	    "id", id, "title", title, "result", qgtm_model_result(result),
	    "reason", reason, "details", details));
}

/* The data age row: the newest good fetch among the feeds of health. */
static void
ready_data_age(json_t *health, time_t now, json_t *rows)
{
	const char *newest = NULL, *last;
	size_t i;
	json_t *h;
	time_t t;

	json_array_foreach(health, i, h) {
		last = json_string_value(json_object_get(h, "last_ok"));
		if (last != NULL &&
		    (newest == NULL || strcmp(last, newest) > 0))
			newest = last;
	}
	if (newest == NULL || qgtm_time_parse(newest, &t) == -1)
		row_add(rows, "data_age", "Data age", QGTM_FAIL, json_object(),
		    "no data fetched yet");
	else
		row_add(rows, "data_age", "Data age", now - t > 86400 ?
		    QGTM_FAIL : QGTM_PASS, json_pack("{s:s, s:I}", "newest",
		    newest, "age_s", (json_int_t)(now - t)),
		    "newest data %lld h old%s",
		    (long long)(now - t) / 3600, now - t > 86400 ?
		    " (over 24 h)" : "");
}

/* The feeds row (n of them healthy, by name) and the data age row. */
static void
ready_feeds(const struct qgtm_cfg *cfg, time_t now, json_t *rows)
{
	json_t *req = qgtm_cfg_list(cfg, "risk.required_feeds");
	json_t *health = qgtm_feed_health(qgtm_cfg_list(cfg, "fetch.feeds"),
	    now), *h, *det, *bad;
	size_t i, ok = 0, reqbad = 0;
	char down[256] = "";

	if (health == NULL) {
		row_add(rows, "feeds", "Data feeds", QGTM_FAIL, json_object(),
		    "cannot read the feed health: %s", qgtm_errmsg());
		return;
	}
	det = json_object();
	bad = json_array();
	json_array_foreach(health, i, h) {
		const char *feed = json_string_value(json_object_get(h,
		    "feed"));

		json_object_set(det, feed, h);
		if (json_is_true(json_object_get(h, "healthy"))) {
			ok++;
			continue;
		}
		json_array_append_new(bad, json_string(feed));
		reqbad += qgtm_model_list_has(req, feed);
		snprintf(down + strlen(down), sizeof down - strlen(down),
		    "%s%s", down[0] == '\0' ? "; down: " : ", ", feed);
	}
	json_object_set_new(det, "unhealthy", bad);
	row_add(rows, "feeds", "Data feeds", ok == json_array_size(health) ?
	    QGTM_PASS : reqbad > 0 || ok == 0 ? QGTM_FAIL : QGTM_WARN, det,
	    "%zu/%zu healthy%s", ok, json_array_size(health), down);
	ready_data_age(health, now, rows);
	json_decref(health);
}

/* Count the escalations (a tier above the one before) in history. */
static size_t
escalations(json_t *history)
{
	size_t i, n = 0;
	json_t *r;

	json_array_foreach(history, i, r) {
		const char *from = json_string_value(json_object_get(r,
		    "from"));
		const char *to = json_string_value(json_object_get(r, "to"));

		if (from != NULL && to != NULL &&
		    qgtm_tier_parse(to) > qgtm_tier_parse(from))
			n++;
	}
	return n;
}

/* The kill switch row: the tier now and the escalations this week. */
static void
ready_switch(struct qgtm_ks *ks, time_t now, json_t *rows)
{
	struct qgtm_ks_state st;
	json_t *hist;
	size_t up;
	int res;

	qgtm_ks_read(ks, &st);
	hist = qgtm_ks_history(ks, now - WEEK_S);
	if (hist == NULL)
		hist = json_array();
	up = escalations(hist);
	res = st.health != QGTM_KS_OK || st.effective >= QGTM_TIER_THROTTLE ?
	    QGTM_FAIL : st.effective > QGTM_TIER_NORMAL || up > 0 ?
	    QGTM_WARN : QGTM_PASS;
	row_add(rows, "killswitch", "Kill switch", res, json_pack(
	    "{s:s, s:s, s:s, s:I, s:o}", "tier", qgtm_tier_name(st.effective),
	    "health", qgtm_ks_health_name(st.health), "reason", st.reason,
	    "escalations_7d", (json_int_t)up, "changes_7d", hist),
	    "%s now; %zu escalation%s this week%s%s",
	    qgtm_tier_name(st.effective), up, up == 1 ? "" : "s",
	    st.health != QGTM_KS_OK ? "; state " : "",
	    st.health != QGTM_KS_OK ? qgtm_ks_health_name(st.health) : "");
}

/* The heartbeat row. */
static void
ready_heartbeat(struct qgtm_ks *ks, time_t now, json_t *rows)
{
	time_t last = qgtm_heartbeat_last(ks);
	char ts[21];

	if (last == 0) {
		row_add(rows, "heartbeat", "Heartbeats", QGTM_WARN,
		    json_object(), "no heartbeat recorded yet");
		return;
	}
	row_add(rows, "heartbeat", "Heartbeats", now - last < 60 ? QGTM_PASS :
	    now - last < 120 ? QGTM_WARN : QGTM_FAIL, json_pack("{s:s, s:I}",
	    "last", qgtm_time_fmt(last, ts), "age_s", (json_int_t)(now - last)),
	    "last heartbeat %llds ago", (long long)(now - last));
}

/*
 * The targets risk rejected (approved_weight null) in the decisions of the
 * audit chain at path whose as_of is in [from, to), or -1 when the chain
 * cannot be read. Only the lines of a decision with an as_of in the
 * window are parsed (the as_of string is found first, and RFC 3339 UTC
 * strings compare as their times).
 */
static long long
risk_rejections(const char *path, time_t from, time_t to)
{
	static const char tag[] = "\"type\":\"decision\"";
	static const char key[] = "\"as_of\":\"";
	FILE *f = fopen(path, "r");
	char lo[21], hi[21], *line = NULL, *at;
	json_t *entry, *targets, *t;
	long long n = 0;
	ssize_t len;
	size_t cap = 0, i;

	if (f == NULL)
		return -1;
	qgtm_time_fmt(from, lo);
	qgtm_time_fmt(to, hi);
	while ((len = getline(&line, &cap, f)) != -1) {
		at = memmem(line, (size_t)len, key, sizeof key - 1);
		if (memmem(line, (size_t)len, tag, sizeof tag - 1) == NULL ||
		    at == NULL ||
		    (size_t)(at - line) + sizeof key - 1 + 20 > (size_t)len)
			continue;
		at += sizeof key - 1;
		if (strncmp(at, lo, 20) < 0 || strncmp(at, hi, 20) >= 0 ||
		    (entry = json_loadb(line, (size_t)len, 0, NULL)) == NULL)
			continue;
		targets = json_object_get(json_object_get(entry, "rec"),
		    "targets");
		json_array_foreach(targets, i, t)
			n += json_is_null(json_object_get(t,
			    "approved_weight"));
		json_decref(entry);
	}
	free(line);
	fclose(f);
	return n;
}

/* 1 when path is a file that is not empty. */
static int
nonempty(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && st.st_size > 0;
}

/*
 * The audit chain row: entries and integrity, from the chain's index
 * when it still matches the chain's end (qgtm_audit_tree), else by
 * verifying the whole chain, which writes the index anew (a missing or
 * empty chain is verified alone: it gets no index); and the risk
 * rejections of [from, to) into *rejected (-1 when unknown).
 */
static void
ready_audit(const struct qgtm_cfg *cfg, time_t from, time_t to,
    long long *rejected, json_t *rows)
{
	struct qgtm_audit_summary sum;
	char *path = qgtm_state_path(qgtm_cfg_str(cfg, "audit.chain"), 0);
	struct qgtm_mtree tree;
	int rc;

	*rejected = -1;
	if (path == NULL) {
		row_add(rows, "audit", "Audit chain", QGTM_FAIL, json_object(),
		    "%s", qgtm_errmsg());
		return;
	}
	if (!nonempty(path)) {
		if ((rc = qgtm_audit_verify(path, &sum)) == 0)
			*rejected = 0;
	} else if ((rc = qgtm_audit_tree(path, &sum, &tree)) == 0) {
		qgtm_mtree_release(&tree);
		*rejected = risk_rejections(path, from, to);
	}
	free(path);
	if (rc == -1)
		row_add(rows, "audit", "Audit chain", QGTM_FAIL, json_pack(
		    "{s:I, s:I}", "entries", (json_int_t)sum.entries,
		    "bad_line", (json_int_t)sum.bad_line),
		    "does not verify: %s", qgtm_errmsg());
	else
		row_add(rows, "audit", "Audit chain", sum.entries == 0 ?
		    QGTM_WARN : QGTM_PASS, json_pack("{s:I, s:s, s:s}",
		    "entries", (json_int_t)sum.entries, "head", sum.head,
		    "root", sum.root),
		    sum.entries == 0 ? "no audit entries yet" :
		    "%lu entries, intact", sum.entries);
}

/* The trades row: the orders of the last 7 days by status. */
static void
ready_trades(const struct qgtm_cfg *cfg, time_t now, json_t *rows)
{
	struct qgtm_book book;
	json_t *line, *by = json_object();
	const char *ts, *status;
	long long n = 0, rejected;
	char since[21];
	size_t i;

	if (qgtm_oms_book_load(cfg, &book) == -1) {
		row_add(rows, "trades", "Trades this week", QGTM_FAIL, by,
		    "cannot read the order journal: %s", qgtm_errmsg());
		return;
	}
	qgtm_time_fmt(now - WEEK_S, since);
	json_array_foreach(book.journal, i, line) {
		json_t *order = json_object_get(line, "order");

		ts = json_string_value(json_object_get(order, "ts"));
		status = json_string_value(json_object_get(order, "status"));
		if (ts == NULL || status == NULL || strcmp(ts, since) < 0)
			continue;
		json_object_set_new(by, status, json_integer(1 +
		    json_integer_value(json_object_get(by, status))));
		n++;
	}
	qgtm_book_release(&book);
	rejected = json_integer_value(json_object_get(by, "rejected"));
	row_add(rows, "trades", "Trades this week", rejected > 0 ? QGTM_WARN :
	    QGTM_PASS, by, n == 0 ? "no orders this week" : "%lld orders, "
	    "%lld filled, %lld rejected by the broker", n,
	    (long long)json_integer_value(json_object_get(by, "filled")),
	    rejected);
}

/* The drawdown row: equity now below the peak evaluate kept, against
 * risk.max_drawdown (WARN from risk.warn_at of it). */
static void
ready_drawdown(const struct qgtm_cfg *cfg, struct qgtm_ks *ks, time_t now,
    json_t *rows)
{
	double limit = qgtm_cfg_num(cfg, "risk.max_drawdown"), dd;
	double warn = qgtm_cfg_num(cfg, "risk.warn_at") * limit;
	struct qgtm_book book;
	struct qgtm_eval ev;
	int64_t equity;

	if (qgtm_eval_load(ks, &ev) == -1) {
		row_add(rows, "drawdown", "Drawdown", QGTM_FAIL, json_object(),
		    "%s", qgtm_errmsg());
		return;
	}
	if (ev.peak <= 0) {
		row_add(rows, "drawdown", "Drawdown", QGTM_WARN, json_object(),
		    "no peak equity recorded yet");
		return;
	}
	if (qgtm_journal_account(cfg, now, &book, &equity) == -1) {
		row_add(rows, "drawdown", "Drawdown", QGTM_FAIL, json_object(),
		    "cannot mark the book: %s", qgtm_errmsg());
		return;
	}
	qgtm_book_release(&book);
	dd = equity >= ev.peak ? 0 : (double)(ev.peak - equity) /
	    (double)ev.peak;
	row_add(rows, "drawdown", "Drawdown", limit > 0 && dd >= limit ?
	    QGTM_FAIL : limit > 0 && dd >= warn ? QGTM_WARN : QGTM_PASS,
	    json_pack("{s:I, s:I, s:f, s:f}", "peak_cents",
	    (json_int_t)ev.peak, "equity_cents", (json_int_t)equity,
	    "drawdown", dd, "limit", limit),
	    "%.2f%% below the peak; limit %.2f%%", dd * 100, limit * 100);
}

/* The percentage of memory available (MemAvailable of MemTotal in
 * /proc/meminfo), or -1 when it cannot be read. */
static double
mem_available(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	unsigned long long total = 0, avail = 0, v;
	char line[256], key[64];

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "%63[^:]: %llu", key, &v) == 2) {
			if (strcmp(key, "MemTotal") == 0)
				total = v;
			else if (strcmp(key, "MemAvailable") == 0)
				avail = v;
		}
	fclose(f);
	return total == 0 ? -1 : 100.0 * (double)avail / (double)total;
}

/* The disk and memory row: free space of the state directory's file
 * system and available memory, FAIL under 5%, WARN under 15%. */
static void
ready_host(json_t *rows)
{
	double disk, mem = mem_available(), low;
	struct statvfs vfs;

	if (statvfs(qgtm_state_dir(), &vfs) == -1 || vfs.f_blocks == 0 ||
	    mem < 0) {
		row_add(rows, "host", "Disk and memory", QGTM_FAIL,
		    json_object(), "cannot read the disk or memory use");
		return;
	}
	disk = 100.0 * (double)vfs.f_bavail / (double)vfs.f_blocks;
	low = disk < mem ? disk : mem;
	row_add(rows, "host", "Disk and memory", low < 5 ? QGTM_FAIL :
	    low < 15 ? QGTM_WARN : QGTM_PASS, json_pack("{s:f, s:f}",
	    "disk_free_pct", disk, "memory_available_pct", mem),
	    "disk %.0f%% free, memory %.0f%% available", disk, mem);
}

/*
 * The reconciliation row: the recon records of qgtm-order reconcile in
 * the last 7 days; FAIL on any critical break, WARN on a warning or when
 * reconcile has not run in that time.
 */
static void
ready_recon(time_t now, json_t *rows)
{
	char *path = qgtm_state_path(QGTM_OMS_RECON, 0);
	json_t *recs = path != NULL ? qgtm_jsonl_read_file(path, 1) : NULL;
	size_t i, crit = 0, warn = 0, runs = 0;
	const char *sev;
	json_t *rec;
	time_t t;

	free(path);
	if (recs == NULL) {
		row_add(rows, "reconciliation", "Reconciliation", QGTM_FAIL,
		    json_object(), "cannot read the reconciliation log: %s",
		    qgtm_errmsg());
		return;
	}
	json_array_foreach(recs, i, rec) {
		if (strcmp(qgtm_record_type(rec), "recon") != 0 ||
		    qgtm_time_parse(json_string_value(json_object_get(rec,
		    "ts")), &t) == -1 || t > now || now - t > 7 * 86400)
			continue;
		runs++;
		sev = json_string_value(json_object_get(rec, "severity"));
		crit += sev != NULL && strcmp(sev, "critical") == 0;
		warn += sev != NULL && strcmp(sev, "warn") == 0;
	}
	json_decref(recs);
	if (runs == 0)
		row_add(rows, "reconciliation", "Reconciliation", QGTM_WARN,
		    json_object(), "no reconciliation data yet");
	else
		row_add(rows, "reconciliation", "Reconciliation", crit > 0 ?
		    QGTM_FAIL : warn > 0 ? QGTM_WARN : QGTM_PASS,
		    json_pack("{s:I, s:I}", "critical", (json_int_t)crit,
		    "warn", (json_int_t)warn),
		    "%zu critical discrepancies, %zu warnings in 7 days", crit,
		    warn);
}

/* The decay records of qgtm-backtest decay, newest per strategy (shared
 * with strategy.c). */
json_t *
qgtm_readiness_decay(void)
{
	char *path = qgtm_state_path(QGTM_REPORT_DECAY, 0);
	json_t *recs = path != NULL ? qgtm_jsonl_read_file(path, 1) : NULL;
	json_t *newest, *rec, *old;
	const char *strat, *ts;
	size_t i;

	free(path);
	if (recs == NULL)
		return NULL;
	newest = json_object();
	json_array_foreach(recs, i, rec) {
		strat = json_string_value(json_object_get(rec, "strategy"));
		ts = json_string_value(json_object_get(rec, "ts"));
		if (strcmp(qgtm_record_type(rec), "decay") != 0 ||
		    strat == NULL || ts == NULL)
			continue;
		old = json_object_get(newest, strat);
		if (old == NULL || strcmp(ts, json_string_value(
		    json_object_get(old, "ts"))) >= 0)
			json_object_set(newest, strat, rec);
	}
	json_decref(recs);
	return newest;
}

/* The figures of a decay record (borrowed), as a new object. */
static json_t *
decay_figures(json_t *rec)
{
	static const char *const keys[] = { "ts", "from", "recent_from", "to",
	    "insample_sharpe", "recent_sharpe", "ratio", "status",
	    "insample_days", "recent_days" };
	json_t *out = json_object();
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (json_object_get(rec, keys[i]) != NULL)
			json_object_set(out, keys[i], json_object_get(rec,
			    keys[i]));
	return out;
}

/* A Sharpe ratio member of a decay record ("n/a" when null). */
static const char *
sharpe_text(json_t *rec, const char *key, char out[32])
{
	json_t *v = json_object_get(rec, key);

	if (!json_is_number(v))
		return "n/a";
	snprintf(out, 32, "%.2f", json_number_value(v));
	return out;
}

/* The strategy decay row: WARN naming each strategy whose 6-month Sharpe
 * fell below half its in-sample one (status "decayed"). */
static void
ready_decay(json_t *rows)
{
	json_t *newest = qgtm_readiness_decay(), *rec, *det;
	char why[512] = "", a[32], b[32];
	const char *strat;
	size_t ndecayed = 0;

	if (newest == NULL) {
		row_add(rows, "decay", "Strategy decay", QGTM_FAIL,
		    json_object(), "cannot read the decay measurements: %s",
		    qgtm_errmsg());
		return;
	}
	det = json_object();
	json_object_foreach(newest, strat, rec) {
		json_object_set_new(det, strat, decay_figures(rec));
		if (strcmp(json_string_value(json_object_get(rec, "status")),
		    "decayed") != 0)
			continue;
		snprintf(why + strlen(why), sizeof why - strlen(why),
		    "%s%s: 6-month Sharpe %s, %.0f%% of in-sample %s",
		    ndecayed++ > 0 ? "; " : "", strat, sharpe_text(rec,
		    "recent_sharpe", a), 100 * json_number_value(
		    json_object_get(rec, "ratio")), sharpe_text(rec,
		    "insample_sharpe", b));
	}
	if (json_object_size(det) == 0)
		row_add(rows, "decay", "Strategy decay", QGTM_WARN, det,
		    "no decay measurement yet");
	else if (ndecayed > 0)
		row_add(rows, "decay", "Strategy decay", QGTM_WARN, det, "%s",
		    why);
	else
		row_add(rows, "decay", "Strategy decay", QGTM_PASS, det,
		    "%zu strateg%s measured, none decayed",
		    json_object_size(det), json_object_size(det) == 1 ?
		    "y" : "ies");
	json_decref(newest);
}

json_t *
qgtm_report_readiness(const struct qgtm_cfg *cfg, time_t now)
{
	json_t *rec = qgtm_record_new("readiness", NULL);
	json_t *rows = json_array(), *r;
	long mon = qgtm_weeks_monday(now);
	long long rejected;
	struct qgtm_ks ks;
	int worst = QGTM_PASS, i;
	size_t k;
	char ts[21];

	ready_feeds(cfg, now, rows);
	if (qgtm_ks_open(&ks, cfg) == -1) {
		row_add(rows, "killswitch", "Kill switch", QGTM_FAIL,
		    json_object(), "%s", qgtm_errmsg());
	} else {
		ready_switch(&ks, now, rows);
		ready_heartbeat(&ks, now, rows);
		ready_drawdown(cfg, &ks, now, rows);
		qgtm_ks_close(&ks);
	}
	ready_audit(cfg, qgtm_model_ny_midnight(mon - 7, 0),
	    qgtm_model_ny_midnight(mon, 0), &rejected, rows);
	ready_trades(cfg, now, rows);
	ready_host(rows);
	ready_recon(now, rows);
	ready_decay(rows);
	json_array_foreach(rows, k, r)
		for (i = worst + 1; i <= QGTM_FAIL; i++)
			if (strcmp(json_string_value(json_object_get(r,
			    "result")), qgtm_model_result(i)) == 0)
				worst = i;
	json_object_set_new(rec, "as_of", json_string(qgtm_time_fmt(now, ts)));
	json_object_set_new(rec, "result", json_string(
	    qgtm_model_result(worst)));
	json_object_set_new(rec, "rows", rows);
	qgtm_weeks_add(cfg, now, mon, rejected, rec);
	return rec;
}

/* --------------------------------------------------------------- week -- */

/* The daily PnL of the days of the week (from Monday, civil day mon) up
 * to end, their sum, and the largest fall of a day's close below the
 * week's running peak with its day. Returns 0 or -1. */
static int
week_days(const struct qgtm_cfg *cfg, json_t *journal, int64_t cash,
    long mon, time_t end, json_t *rec)
{
	static const char *const dname[] = { "Mon", "Tue", "Wed", "Thu", "Fri",
	    "Sat", "Sun" };
	time_t t = qgtm_model_ny_midnight(mon, 0), close;
	int64_t prev, eq, peak, sum = 0;
	json_t *days = json_array();
	const char *wday = NULL;
	double dd, worst = 0;
	int i;

	if (qgtm_journal_equity(cfg, journal, cash, NULL, 0, t, t, &prev) == -1)
		return json_decref(days), -1;
	peak = prev;
	for (i = 0; i < 7 && t < end; i++, t = close) {
		close = qgtm_model_ny_midnight(mon, i + 1);
		close = close < end ? close : end;
		if (qgtm_journal_equity(cfg, journal, cash, NULL, 0, close,
		    close, &eq) == -1)
			return json_decref(days), -1;
		json_array_append_new(days, json_pack("{s:s, s:I}", "day",
		    dname[i], "pnl_cents", (json_int_t)(eq - prev)));
		sum += eq - prev;
		prev = eq;
		peak = eq > peak ? eq : peak;
		dd = peak > 0 ? (double)(peak - eq) / (double)peak : 0;
		if (dd > worst)
			worst = dd, wday = dname[i];
	}
	json_object_set_new(rec, "days", days);
	json_object_set_new(rec, "days_pnl_cents", json_integer(sum));
	json_object_set_new(rec, "max_drawdown", json_real(worst));
	json_object_set_new(rec, "max_drawdown_day", wday ? json_string(wday) :
	    json_null());
	return 0;
}

/* The week's trades of strat: count, and hits (a buy below, or a sell
 * above, the price at end). */
static void
week_trades(const struct qgtm_cfg *cfg, json_t *journal, const char *strat,
    time_t start, time_t end, json_int_t *n, json_int_t *hits)
{
	struct qgtm_fill f;
	const char *s;
	json_t *line, *fill;
	int64_t now_px;
	size_t i;
	time_t t;

	*n = *hits = 0;
	json_array_foreach(journal, i, line) {
		fill = qgtm_journal_line_fill(line, &s, &t);
		if (fill == NULL || t <= start || t > end ||
		    strcmp(s, strat) != 0 || qgtm_journal_fill(fill, &f) == -1)
			continue;
		(*n)++;
		if (qgtm_pit_last_close(qgtm_cfg_str(cfg,
		    "common.price_source"), f.symbol, end, &now_px,
		    NULL) == 0 &&
		    (f.side == QGTM_BUY ? now_px > f.price : now_px < f.price))
			(*hits)++;
	}
}

/* The configured strategies and every strategy that filled in the week. */
static json_t *
week_names(const struct qgtm_cfg *cfg, json_t *journal, time_t start,
    time_t end)
{
	json_t *names = json_array(), *v, *line;
	const char *s;
	size_t i;
	time_t t;

	json_array_foreach(qgtm_cfg_list(cfg, "signal.strategies"), i, v)
		qgtm_model_list_add(names, json_string_value(v));
	json_array_foreach(journal, i, line)
		if (qgtm_journal_line_fill(line, &s, &t) != NULL &&
		    t > start && t <= end)
			qgtm_model_list_add(names, s);
	return names;
}

/* 1 when strategy row x ranks before y: larger contribution, then name. */
static int
ranks_before(json_t *x, json_t *y)
{
	json_int_t cx = json_integer_value(json_object_get(x, "pnl_cents"));
	json_int_t cy = json_integer_value(json_object_get(y, "pnl_cents"));

	if (cx != cy)
		return cx > cy;
	return strcmp(json_string_value(json_object_get(x, "strategy")),
	    json_string_value(json_object_get(y, "strategy"))) < 0;
}

/* Insert row (stolen) into rows, kept ranked. */
static void
insert_ranked(json_t *rows, json_t *row)
{
	size_t i = 0;

	while (i < json_array_size(rows) && !ranks_before(row,
	    json_array_get(rows, i)))
		i++;
	json_array_insert_new(rows, i, row);
}

/*
 * The contribution of each strategy: its fills of the week alone, over
 * no cash, marked at end; "carried" is the book held at start marked
 * from start to end, and any cent the marks' rounding leaves is added to
 * "carried", so the rows sum exactly to pnl.
 */
static int
week_strategies(const struct qgtm_cfg *cfg, json_t *journal, int64_t cash,
    time_t start, time_t end, int64_t pnl, json_t *rec)
{
	json_t *names = week_names(cfg, journal, start, end), *rows, *v;
	int64_t c, a, b, rest = pnl;
	json_int_t n, hits;
	size_t i;

	rows = json_array();
	json_array_foreach(names, i, v) {
		const char *s = json_string_value(v);

		if (qgtm_journal_equity(cfg, journal, 0, s, start, end, end,
		    &c) == -1)
			goto fail;
		week_trades(cfg, journal, s, start, end, &n, &hits);
		insert_ranked(rows, json_pack("{s:s, s:I, s:I, s:I}",
		    "strategy", s, "pnl_cents", (json_int_t)c, "trades", n,
		    "hits", hits));
		rest -= c;
	}
	if (qgtm_journal_equity(cfg, journal, cash, NULL, 0, start, start,
	    &a) == -1 || qgtm_journal_equity(cfg, journal, cash, NULL, 0,
	    start, end, &b) == -1)
		goto fail;
	json_object_set_new(rec, "strategies", rows);
	json_object_set_new(rec, "carried_cents", json_integer(b - a));
	json_object_set_new(rec, "rounding_cents", json_integer(rest -
	    (b - a)));
	json_decref(names);
	return 0;
fail:
	json_decref(rows);
	json_decref(names);
	return -1;
}

/* The positions of book: open, long, short. */
static void
week_positions(const struct qgtm_book *book, json_t *rec)
{
	size_t i, lng = 0;

	for (i = 0; i < book->npos; i++)
		lng += book->pos[i].qty > 0;
	json_object_set_new(rec, "positions", json_pack("{s:I, s:I, s:I}",
	    "open", (json_int_t)book->npos, "long", (json_int_t)lng, "short",
	    (json_int_t)(book->npos - lng)));
}

/* The tier changes of the week, and the tier at its end. */
static void
week_risk(const struct qgtm_cfg *cfg, time_t start, time_t end, json_t *rec)
{
	json_t *hist, *out = json_array(), *r;
	struct qgtm_ks_state st;
	struct qgtm_ks ks;
	const char *ts;
	size_t i;
	time_t t;

	if (qgtm_ks_open(&ks, cfg) == -1) {
		json_object_set_new(rec, "tier", json_string("UNKNOWN"));
		json_object_set_new(rec, "risk_events", out);
		return;
	}
	qgtm_ks_read(&ks, &st);
	hist = qgtm_ks_history(&ks, start);
	json_array_foreach(hist, i, r) {
		ts = json_string_value(json_object_get(r, "ts"));
		if (ts != NULL && qgtm_time_parse(ts, &t) == 0 && t <= end)
			json_array_append(out, r);
	}
	json_decref(hist);
	json_object_set_new(rec, "tier", json_string(qgtm_tier_name(
	    st.effective)));
	json_object_set_new(rec, "risk_events", out);
	qgtm_ks_close(&ks);
}

/* The week's figures from journal into rec: equity, PnL, days,
 * strategies, positions at end. Returns 0 or -1. */
static int
week_money(const struct qgtm_cfg *cfg, json_t *journal, long mon,
    time_t end, json_t *rec)
{
	int64_t a, b, cash = qgtm_journal_cash0(cfg);
	time_t start = qgtm_model_ny_midnight(mon, 0);
	struct qgtm_book book;

	if (qgtm_journal_equity(cfg, journal, cash, NULL, 0, start, start,
	    &a) == -1 ||
	    qgtm_journal_equity(cfg, journal, cash, NULL, 0, end, end,
	    &b) == -1 ||
	    week_days(cfg, journal, cash, mon, end, rec) == -1 ||
	    week_strategies(cfg, journal, cash, start, end, b - a, rec) == -1 ||
	    qgtm_journal_book(journal, cash, NULL, 0, end, &book) == -1)
		return -1;
	qgtm_model_set_money(rec, "equity", b, 0);
	qgtm_model_set_money(rec, "pnl", b - a, 1);
	json_object_set_new(rec, "pnl_cents", json_integer(b - a));
	json_object_set_new(rec, "pnl_pct", json_real(a > 0 ?
	    100.0 * (double)(b - a) / (double)a : 0));
	week_positions(&book, rec);
	qgtm_book_release(&book);
	return 0;
}

json_t *
qgtm_report_week(const struct qgtm_cfg *cfg, int y, int m, int d,
    time_t now)
{
	long mon = qgtm_days_from_civil(y, m, d) -
	    (qgtm_weekday(y, m, d) + 6) % 7;
	time_t start = qgtm_model_ny_midnight(mon, 0);
	time_t end = qgtm_model_ny_midnight(mon, 7);
	json_t *rec = qgtm_record_new("week", NULL);
	struct qgtm_date md = qgtm_civil_from_days(mon);
	struct qgtm_book book;
	char day[11], ts[21];
	int rc;

	end = end < now ? end : now;
	snprintf(day, sizeof day, "%04d-%02d-%02d", md.year, md.month, md.day);
	json_object_set_new(rec, "week", json_string(day));
	json_object_set_new(rec, "as_of", json_string(qgtm_time_fmt(end, ts)));
	if (qgtm_oms_book_load(cfg, &book) == -1)
		return json_decref(rec), NULL;
	rc = week_money(cfg, book.journal, mon, end, rec);
	qgtm_book_release(&book);
	if (rc == -1)
		return json_decref(rec), NULL;
	week_risk(cfg, start, end, rec);
	return rec;
}

/* ------------------------------------------------------------- curves -- */

/* The most sessions a curve holds: a year. */
#define CURVE_MAX 260

/* The symbols the fills of strat (NULL: every one) up to now touched, a
 * new array; the first fill's moment into *first (0 when none). */
static json_t *
curve_symbols(json_t *journal, const char *strat, time_t now, time_t *first)
{
	json_t *syms = json_array(), *line, *fill;
	const char *s, *sym;
	size_t i;
	time_t t;

	*first = 0;
	json_array_foreach(journal, i, line) {
		fill = qgtm_journal_line_fill(line, &s, &t);
		sym = json_string_value(json_object_get(fill, "symbol"));
		if (fill == NULL || sym == NULL || t > now ||
		    (strat != NULL && strcmp(s, strat) != 0))
			continue;
		qgtm_model_list_add(syms, sym);
		if (*first == 0)
			*first = t;
	}
	return syms;
}

/* The close of series at t (the last bar available by then) into *px,
 * moving *at forward; 0, or -1 when none is. */
static int
series_close(const struct qgtm_series *ser, size_t *at, time_t t,
    int64_t *px)
{
	while (*at < ser->n && ser->bars[*at].available_at <= t)
		(*at)++;
	if (*at == 0)
		return -1;
	*px = ser->bars[*at - 1].close;
	return 0;
}

/* The equity of book at t, each position marked at its series' close
 * (as qgtm_oms_equity marks it); 0, or -1 when a price is missing. */
static int
curve_mark(const struct qgtm_book *book, json_t *syms,
    const struct qgtm_series *ser, size_t *at, time_t t, int64_t *out)
{
	__int128 sum = book->cash;
	int64_t px, value;
	size_t i, k;

	for (i = 0; i < book->npos; i++) {
		for (k = 0; k < json_array_size(syms) &&
		    strcmp(json_string_value(json_array_get(syms, k)),
		    book->pos[i].symbol) != 0; k++)
			continue;
		if (k == json_array_size(syms) ||
		    series_close(&ser[k], &at[k], t, &px) == -1 ||
		    qgtm_dec_mul(book->pos[i].qty, QGTM_QTY_SCALE, px,
		    QGTM_PRICE_SCALE, QGTM_CENTS, &value) == -1)
			return -1;
		sum += value;
	}
	return qgtm_fit64(sum, out, "the curve");
}

/* Fold into book the fills of strat in journal from *next on with a
 * moment at or before t. Returns 0 or -1. */
static int
curve_fold(json_t *journal, const char *strat, size_t *next, time_t t,
    struct qgtm_book *book)
{
	struct qgtm_fill f;
	const char *s;
	json_t *fill;
	time_t ft;

	for (; *next < json_array_size(journal); (*next)++) {
		fill = qgtm_journal_line_fill(json_array_get(journal, *next),
		    &s, &ft);
		if (fill == NULL || (strat != NULL && strcmp(s, strat) != 0))
			continue;
		if (ft > t)
			break;
		if (qgtm_journal_fill(fill, &f) == -1 ||
		    qgtm_book_apply(book, &f) == -1)
			return -1;
	}
	return 0;
}

/* The index of the longest of n series: its bars are the sessions. */
static size_t
longest(const struct qgtm_series *ser, size_t n)
{
	size_t i, best = 0;

	for (i = 1; i < n; i++)
		if (ser[i].n > ser[best].n)
			best = i;
	return best;
}

/* Append to dates and cents the book's equity at each session close from
 * the one before first up to now, the last CURVE_MAX of them. */
static int
curve_walk(const char *source, json_t *journal, const char *strat,
    int64_t cash, time_t first, time_t now, json_t *syms, json_t *dates,
    json_t *cents)
{
	size_t n = json_array_size(syms), i, next = 0, *at;
	struct qgtm_series *ser = qgtm_xcalloc(n, sizeof *ser);
	const struct qgtm_series *cal;
	struct qgtm_book book;
	int64_t eq;
	int rc = 0;

	at = qgtm_xcalloc(n, sizeof *at);
	for (i = 0; i < n && rc == 0; i++)
		rc = qgtm_pit_bars(source, json_string_value(
		    json_array_get(syms, i)), now, &ser[i]);
	qgtm_book_init(&book, cash);
	cal = &ser[longest(ser, n)];
	for (i = 0; rc == 0 && i < cal->n; i++) {
		time_t t = cal->bars[i].available_at;

		if (t <= first - 86400 ||
		    (rc = curve_fold(journal, strat, &next, t, &book)) == -1 ||
		    curve_mark(&book, syms, ser, at, t, &eq) == -1)
			continue;
		json_array_append_new(dates, json_string(cal->bars[i].date));
		json_array_append_new(cents, json_integer(eq));
	}
	while (json_array_size(dates) > CURVE_MAX) {
		json_array_remove(dates, 0);
		json_array_remove(cents, 0);
	}
	qgtm_book_release(&book);
	for (i = 0; i < n; i++)
		qgtm_series_release(&ser[i]);
	free(ser);
	free(at);
	return rc;
}

json_t *
qgtm_curve_equity(const struct qgtm_cfg *cfg, json_t *journal,
    const char *strat, int64_t cash, time_t now)
{
	json_t *dates = json_array(), *cents = json_array(), *syms;
	time_t first;
	int rc = 0;

	syms = curve_symbols(journal, strat, now, &first);
	if (json_array_size(syms) > 0)
		rc = curve_walk(qgtm_cfg_str(cfg, "common.price_source"),
		    journal, strat, cash, first, now, syms, dates, cents);
	json_decref(syms);
	if (rc == -1) {
		json_decref(dates);
		json_decref(cents);
		return NULL;
	}
	return json_pack("{s:o, s:o}", "dates", dates, "equity_cents", cents);
}

/* -------------------------------------------------------------- weeks -- */

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
 * mon (civil day), or with error instead of events. */
static json_t *
week_ahead(const struct qgtm_cfg *cfg, long mon)
{
	struct qgtm_date d = qgtm_civil_from_days(mon);
	json_t *events = qgtm_calendar_week(cfg, d.year, d.month, d.day);
	char day[11];

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
	int64_t pl, sum = 0;
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
		    "profit_loss")), QGTM_CENTS, &pl) == -1)
			continue;
		sum += pl;
		n++;
	}
	json_decref(hist);
	*out = sum;
	return n > 0 ? 0 : -1;
}

/* A strategy row of a week (borrowed) as {strategy, pnl_cents,
 * pnl_text, trades}, or null. */
static json_t *
strategy_money(json_t *row)
{
	char text[32];
	json_int_t c;

	if (row == NULL)
		return json_null();
	c = json_integer_value(json_object_get(row, "pnl_cents"));
	return json_pack("{s:O, s:I, s:s, s:O}", "strategy",
	    json_object_get(row, "strategy"), "pnl_cents", c, "pnl_text",
	    qgtm_report_money(c, 1, text), "trades",
	    json_object_get(row, "trades"));
}

/* Into out, the figures of week (a qgtm_report_week record): PnL (the
 * broker's daily sum when it gives one, else the book's), fills, the
 * max drawdown against risk.max_drawdown, best and worst strategy. */
static void
last_week_figures(const struct qgtm_cfg *cfg, json_t *week, long mon,
    time_t now, json_t *out)
{
	json_t *strats = json_object_get(week, "strategies"), *s;
	double dd = json_real_value(json_object_get(week, "max_drawdown"));
	double limit = qgtm_cfg_num(cfg, "risk.max_drawdown");
	double warn = qgtm_cfg_num(cfg, "risk.warn_at") * limit;
	int64_t pnl;
	json_int_t fills = 0;
	size_t i, n = json_array_size(strats);
	int basis = broker_week_pnl(cfg, mon, now, &pnl) == 0;

	if (!basis)
		pnl = json_integer_value(json_object_get(week,
		    "days_pnl_cents"));
	qgtm_model_set_money(out, "pnl", pnl, 1);
	json_object_set_new(out, "pnl_cents", json_integer(pnl));
	json_object_set_new(out, "pnl_basis", json_string(basis ? "broker" :
	    "book"));
	json_object_set(out, "days", json_object_get(week, "days"));
	json_array_foreach(strats, i, s)
		fills += json_integer_value(json_object_get(s, "trades"));
	json_object_set_new(out, "fills", json_integer(fills));
	json_object_set_new(out, "max_drawdown", json_real(dd));
	json_object_set_new(out, "max_drawdown_limit", json_real(limit));
	json_object_set_new(out, "drawdown_result", json_string(
	    qgtm_model_result(limit > 0 && dd >= limit ? QGTM_FAIL :
	    limit > 0 && dd >= warn ? QGTM_WARN : QGTM_PASS)));
	json_object_set_new(out, "best", strategy_money(n > 0 ?
	    json_array_get(strats, 0) : NULL));
	json_object_set_new(out, "worst", strategy_money(n > 0 ?
	    json_array_get(strats, n - 1) : NULL));
}

/* Last week: the week before the week ahead (Monday mon), with the
 * targets risk rejected in it (-1: unknown). */
static json_t *
last_week(const struct qgtm_cfg *cfg, long mon, time_t now, long long rej)
{
	struct qgtm_date d = qgtm_civil_from_days(mon - 7);
	json_t *week = qgtm_report_week(cfg, d.year, d.month, d.day, now);
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
    long long rejected, json_t *rec)
{
	json_object_set_new(rec, "week_ahead", week_ahead(cfg, mon));
	json_object_set_new(rec, "last_week", last_week(cfg, mon, now,
	    rejected));
	json_object_set_new(rec, "equity_curve", book_curve(cfg, now));
}

json_t *
qgtm_report_strategy(const struct qgtm_cfg *cfg, const char *id, time_t now)
{
	json_t *rec, *curve, *decay;
	struct qgtm_book book;
	int64_t pnl;
	char ts[21];

	if (qgtm_oms_book_load(cfg, &book) == -1)
		return NULL;
	if (qgtm_journal_equity(cfg, book.journal, 0, id, 0, now, now,
	    &pnl) == -1 || (curve = qgtm_curve_equity(cfg, book.journal, id,
	    0, now)) == NULL) {
		qgtm_book_release(&book);
		return NULL;
	}
	qgtm_book_release(&book);
	if ((decay = qgtm_readiness_decay()) == NULL) {
		json_decref(curve);
		return NULL;
	}
	rec = qgtm_record_new("performance", NULL);
	json_object_set_new(rec, "strategy", json_string(id));
	json_object_set_new(rec, "as_of", json_string(qgtm_time_fmt(now, ts)));
	qgtm_model_set_money(rec, "pnl", pnl, 1);
	json_object_set_new(rec, "pnl_cents", json_integer(pnl));
	json_object_set_new(rec, "daily", json_pack("{s:O, s:O}", "dates",
	    json_object_get(curve, "dates"), "cumulative_pnl_cents",
	    json_object_get(curve, "equity_cents")));
	json_object_set(rec, "decay", json_object_get(decay, id) != NULL ?
	    json_object_get(decay, id) : json_null());
	json_decref(curve);
	json_decref(decay);
	return rec;
}

/* ----------------------------------------------------------- evidence -- */

/* The manifest of package dir (MANIFEST's "HASH  NAME" lines) as an
 * array of {file, sha256}, or NULL when it cannot be read. */
static json_t *
manifest_read(const char *dir)
{
	char *path = qgtm_xasprintf("%s/MANIFEST", dir);
	FILE *f = fopen(path, "r");
	char line[1024], hash[65], name[512];
	json_t *out;

	free(path);
	if (f == NULL)
		return NULL;
	out = json_array();
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "%64[0-9a-f]  %511[^\n]", hash, name) == 2)
			json_array_append_new(out, json_pack("{s:s, s:s}",
			    "file", name, "sha256", hash));
	fclose(f);
	return out;
}

json_t *
qgtm_report_evidence(void)
{
	char *root = qgtm_state_path(QGTM_REPORT_EVIDENCE, 0), *dir;
	char best[256] = "", ts[21];
	time_t newest = 0;
	struct dirent *e;
	struct stat st;
	json_t *rec, *files;
	DIR *d;

	if (root == NULL)
		return NULL;
	if ((d = opendir(root)) == NULL) {
		free(root);
		qgtm_seterr(QGTM_EX_NOINPUT, "no evidence package");
		return NULL;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof best)
			continue;
		dir = qgtm_xasprintf("%s/%s/MANIFEST", root, e->d_name);
		if (stat(dir, &st) == 0 && S_ISREG(st.st_mode) &&
		    (st.st_mtime > newest || (st.st_mtime == newest &&
		    strcmp(e->d_name, best) > 0))) {
			newest = st.st_mtime;
			snprintf(best, sizeof best, "%s", e->d_name);
		}
		free(dir);
	}
	closedir(d);
	dir = qgtm_xasprintf("%s/%s", root, best);
	free(root);
	files = best[0] != '\0' ? manifest_read(dir) : NULL;
	free(dir);
	if (files == NULL) {
		qgtm_seterr(QGTM_EX_NOINPUT, "no evidence package");
		return NULL;
	}
	rec = qgtm_record_new("evidence", NULL);
	json_object_set_new(rec, "package", json_string(best));
	json_object_set_new(rec, "written", json_string(qgtm_time_fmt(newest,
	    ts)));
	json_object_set_new(rec, "manifest", files);
	return rec;
}
