/*
 * report.c: the one report module. It computes the numbers of the phone
 * page (the status model) and of the Sunday checklist (the readiness
 * model) from the state directory, for qgtm-status render, qgtm-api and
 * the digest. Models are plain JSON records; pages are drawn by page.c.
 */
#include <sys/statvfs.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qgtm.h"

/* The plain sentence of each tier, for the phone page. */
static const char *const tier_text[QGTM_NTIERS] = {
	"All normal: trading as planned.",
	"Warning: a limit is close; trading goes on, watch it.",
	"Throttled: orders are cut down in size.",
	"No new positions: only orders that reduce risk go out.",
	"Flatten: everything is being sold to cash.",
};

#define WEEK_S (7 * 86400)

char *
qgtm_report_money(int64_t cents, int sign, char out[32])
{
	char digits[24];
	uint64_t u = cents < 0 ? -(uint64_t)cents : (uint64_t)cents;
	size_t n, i, j = 0;

	if (cents < 0 || sign)
		out[j++] = cents < 0 ? '-' : '+';
	out[j++] = '$';
	/* At most 17 digits and 5 commas: 28 bytes in all. */
	n = (size_t)snprintf(digits, sizeof digits, "%llu",
	    (unsigned long long)(u / 100));
	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[j++] = ',';
		out[j++] = digits[i];
	}
	out[j++] = '.';
	out[j++] = (char)('0' + u % 100 / 10);
	out[j++] = (char)('0' + u % 10);
	out[j] = '\0';
	return out;
}

/* Set key to the cents v as a decimal string and key_text as money. */
static void
set_money(json_t *rec, const char *key, int64_t v, int sign)
{
	char dec[32], text[32], k[64];

	json_object_set_new(rec, key, json_string(qgtm_dec_fmt(v, QGTM_CENTS,
	    dec, sizeof dec)));
	snprintf(k, sizeof k, "%s_text", key);
	json_object_set_new(rec, k, json_string(qgtm_report_money(v, sign,
	    text)));
}

/* The equity of book marked at the last close before today (New York). */
static int
equity_before_today(const struct qgtm_cfg *cfg, const struct qgtm_book *book,
    time_t now, int64_t *out)
{
	struct qgtm_date d = qgtm_ny_date(now);

	return qgtm_oms_equity(cfg, book, qgtm_ny_time(d.year, d.month, d.day,
	    0, 0) - 1, out);
}

/* Today's gain at equity: from the day's first equity evaluate kept, or
 * else from the current book marked at the last close before today. */
static void
status_gain(const struct qgtm_cfg *cfg, struct qgtm_ks *ks,
    const struct qgtm_book *book, time_t now, int64_t equity, json_t *rec)
{
	struct qgtm_date d = qgtm_ny_date(now);
	struct qgtm_eval ev;
	int64_t start;
	char day[11];

	snprintf(day, sizeof day, "%04d-%02d-%02d", d.year, d.month, d.day);
	if (qgtm_eval_load(ks, &ev) == 0 && strcmp(ev.day, day) == 0 &&
	    ev.day_start > 0) {
		start = ev.day_start;
		json_object_set_new(rec, "gain_basis", json_string("day_start"));
	} else if (equity_before_today(cfg, book, now, &start) == 0) {
		json_object_set_new(rec, "gain_basis",
		    json_string("last_close"));
	} else {
		start = equity;
		json_object_set_new(rec, "gain_basis", json_string("none"));
	}
	set_money(rec, "gain", equity - start, 1);
}

/* Load the book and mark it at now into equity. Returns 0, or -1 with
 * the library error and nothing in book to release. */
static int
account_load(const struct qgtm_cfg *cfg, time_t now, struct qgtm_book *book,
    int64_t *equity)
{
	if (qgtm_oms_book_load(cfg, book) == -1)
		return -1;
	if (qgtm_oms_equity(cfg, book, now, equity) == -1) {
		qgtm_book_release(book);
		return -1;
	}
	return 0;
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
	if (account_load(cfg, now, &book, &equity) == -1) {
		json_object_set_new(rec, "broker_reachable", json_false());
		json_object_set_new(rec, "error", json_string(qgtm_errmsg()));
		return;
	}
	json_object_set_new(rec, "broker_reachable", json_true());
	set_money(rec, "equity", equity, 0);
	status_gain(cfg, ks, &book, now, equity, rec);
	json_object_set_new(rec, "positions", json_integer((json_int_t)book.npos));
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
	    tier_text[st.effective]));
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
		    tier_text[QGTM_TIER_NO_NEW]));
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

enum { PASS, WARN, FAIL };
static const char *const result_name[] = { "PASS", "WARN", "FAIL" };

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
	    "id", id, "title", title, "result", result_name[result],
	    "reason", reason, "details", details));
}

/* 1 if name is in the list of strings. */
static int
list_has(json_t *list, const char *name)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
		if (strcmp(json_string_value(v), name) == 0)
			return 1;
	return 0;
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
		if (last != NULL && (newest == NULL || strcmp(last, newest) > 0))
			newest = last;
	}
	if (newest == NULL || qgtm_time_parse(newest, &t) == -1)
		row_add(rows, "data_age", "Data age", FAIL, json_object(),
		    "no data fetched yet");
	else
		row_add(rows, "data_age", "Data age", now - t > 86400 ? FAIL :
		    PASS, json_pack("{s:s, s:I}", "newest", newest, "age_s",
		    (json_int_t)(now - t)), "newest data %lld h old%s",
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
		row_add(rows, "feeds", "Data feeds", FAIL, json_object(),
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
		reqbad += list_has(req, feed);
		snprintf(down + strlen(down), sizeof down - strlen(down),
		    "%s%s", down[0] == '\0' ? "; down: " : ", ", feed);
	}
	json_object_set_new(det, "unhealthy", bad);
	row_add(rows, "feeds", "Data feeds", ok == json_array_size(health) ?
	    PASS : reqbad > 0 || ok == 0 ? FAIL : WARN, det,
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
	    FAIL : st.effective > QGTM_TIER_NORMAL || up > 0 ? WARN : PASS;
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
		row_add(rows, "heartbeat", "Heartbeats", WARN, json_object(),
		    "no heartbeat recorded yet");
		return;
	}
	row_add(rows, "heartbeat", "Heartbeats", now - last < 60 ? PASS :
	    now - last < 120 ? WARN : FAIL, json_pack("{s:s, s:I}", "last",
	    qgtm_time_fmt(last, ts), "age_s", (json_int_t)(now - last)),
	    "last heartbeat %llds ago", (long long)(now - last));
}

/* The audit chain row: entries and integrity. */
static void
ready_audit(const struct qgtm_cfg *cfg, json_t *rows)
{
	struct qgtm_audit_summary sum;
	char *path = qgtm_state_path(qgtm_cfg_str(cfg, "audit.chain"), 0);
	int rc;

	if (path == NULL) {
		row_add(rows, "audit", "Audit chain", FAIL, json_object(),
		    "%s", qgtm_errmsg());
		return;
	}
	rc = qgtm_audit_verify(path, &sum);
	free(path);
	if (rc == -1)
		row_add(rows, "audit", "Audit chain", FAIL, json_pack(
		    "{s:I, s:I}", "entries", (json_int_t)sum.entries,
		    "bad_line", (json_int_t)sum.bad_line), "does not verify: %s",
		    qgtm_errmsg());
	else
		row_add(rows, "audit", "Audit chain", sum.entries == 0 ? WARN :
		    PASS, json_pack("{s:I, s:s, s:s}", "entries",
		    (json_int_t)sum.entries, "head", sum.head, "root", sum.root),
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
		row_add(rows, "trades", "Trades this week", FAIL, by,
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
	row_add(rows, "trades", "Trades this week", rejected > 0 ? WARN : PASS,
	    by, n == 0 ? "no orders this week" : "%lld orders, %lld filled, "
	    "%lld rejected by the broker", n, (long long)json_integer_value(
	    json_object_get(by, "filled")), rejected);
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
		row_add(rows, "drawdown", "Drawdown", FAIL, json_object(),
		    "%s", qgtm_errmsg());
		return;
	}
	if (ev.peak <= 0) {
		row_add(rows, "drawdown", "Drawdown", WARN, json_object(),
		    "no peak equity recorded yet");
		return;
	}
	if (account_load(cfg, now, &book, &equity) == -1) {
		row_add(rows, "drawdown", "Drawdown", FAIL, json_object(),
		    "cannot mark the book: %s", qgtm_errmsg());
		return;
	}
	qgtm_book_release(&book);
	dd = equity >= ev.peak ? 0 : (double)(ev.peak - equity) /
	    (double)ev.peak;
	row_add(rows, "drawdown", "Drawdown", limit > 0 && dd >= limit ? FAIL :
	    limit > 0 && dd >= warn ? WARN : PASS, json_pack("{s:I, s:I, s:f, "
	    "s:f}", "peak_cents", (json_int_t)ev.peak, "equity_cents",
	    (json_int_t)equity, "drawdown", dd, "limit", limit),
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
		row_add(rows, "host", "Disk and memory", FAIL, json_object(),
		    "cannot read the disk or memory use");
		return;
	}
	disk = 100.0 * (double)vfs.f_bavail / (double)vfs.f_blocks;
	low = disk < mem ? disk : mem;
	row_add(rows, "host", "Disk and memory", low < 5 ? FAIL : low < 15 ?
	    WARN : PASS, json_pack("{s:f, s:f}", "disk_free_pct", disk,
	    "memory_available_pct", mem), "disk %.0f%% free, memory %.0f%% "
	    "available",
	    disk, mem);
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
		row_add(rows, "reconciliation", "Reconciliation", FAIL,
		    json_object(), "cannot read the reconciliation log: %s",
		    qgtm_errmsg());
		return;
	}
	json_array_foreach(recs, i, rec) {
		if (strcmp(qgtm_record_type(rec), "recon") != 0 ||
		    qgtm_time_parse(json_string_value(json_object_get(rec, "ts")),
		    &t) == -1 || t > now || now - t > 7 * 86400)
			continue;
		runs++;
		sev = json_string_value(json_object_get(rec, "severity"));
		crit += sev != NULL && strcmp(sev, "critical") == 0;
		warn += sev != NULL && strcmp(sev, "warn") == 0;
	}
	json_decref(recs);
	if (runs == 0)
		row_add(rows, "reconciliation", "Reconciliation", WARN,
		    json_object(), "no reconciliation data yet");
	else
		row_add(rows, "reconciliation", "Reconciliation", crit > 0 ?
		    FAIL : warn > 0 ? WARN : PASS, json_pack("{s:I, s:I}",
		    "critical", (json_int_t)crit, "warn", (json_int_t)warn),
		    "%zu critical discrepancies, %zu warnings in 7 days", crit,
		    warn);
}

/* The rows whose data does not exist yet in this version. */
static void
ready_pending(json_t *rows)
{
	row_add(rows, "decay", "Strategy decay", WARN, json_object(),
	    "no decay measurement yet");
}

json_t *
qgtm_report_readiness(const struct qgtm_cfg *cfg, time_t now)
{
	json_t *rec = qgtm_record_new("readiness", NULL);
	json_t *rows = json_array(), *r;
	struct qgtm_ks ks;
	int worst = PASS, i;
	size_t k;
	char ts[21];

	ready_feeds(cfg, now, rows);
	if (qgtm_ks_open(&ks, cfg) == -1) {
		row_add(rows, "killswitch", "Kill switch", FAIL, json_object(),
		    "%s", qgtm_errmsg());
	} else {
		ready_switch(&ks, now, rows);
		ready_heartbeat(&ks, now, rows);
		ready_drawdown(cfg, &ks, now, rows);
		qgtm_ks_close(&ks);
	}
	ready_audit(cfg, rows);
	ready_trades(cfg, now, rows);
	ready_host(rows);
	ready_recon(now, rows);
	ready_pending(rows);
	json_array_foreach(rows, k, r)
		for (i = worst + 1; i <= FAIL; i++)
			if (strcmp(json_string_value(json_object_get(r,
			    "result")), result_name[i]) == 0)
				worst = i;
	json_object_set_new(rec, "as_of", json_string(qgtm_time_fmt(now, ts)));
	json_object_set_new(rec, "result", json_string(result_name[worst]));
	json_object_set_new(rec, "rows", rows);
	return rec;
}

/* --------------------------------------------------------------- week -- */

/* A fill record of the journal as struct qgtm_fill. */
static int
week_fill(json_t *rec, struct qgtm_fill *f)
{
	const char *sym = json_string_value(json_object_get(rec, "symbol"));
	const char *side = json_string_value(json_object_get(rec, "side"));
	const char *k[] = { "qty", "price", "commission", "notional" };
	const int sc[] = { QGTM_QTY_SCALE, QGTM_PRICE_SCALE, QGTM_CENTS,
	    QGTM_CENTS };
	int64_t *v[] = { &f->qty, &f->price, &f->commission, &f->notional };
	size_t i;

	memset(f, 0, sizeof *f);
	if (sym == NULL || side == NULL || strlen(sym) >= sizeof f->symbol)
		return qgtm_seterr(QGTM_EX_DATAERR, "journal: bad fill");
	for (i = 0; i < 4; i++)
		if (qgtm_dec_parse(json_string_value(json_object_get(rec,
		    k[i])), sc[i], v[i]) == -1)
			return -1;
	memcpy(f->symbol, sym, strlen(sym) + 1);
	f->side = side[0] == 'b' ? QGTM_BUY : QGTM_SELL;
	return 0;
}

/* The fill of journal line, or NULL when none; its strategy into *strat
 * and its moment into *t. */
static json_t *
line_fill(json_t *line, const char **strat, time_t *t)
{
	json_t *fill = json_object_get(line, "fill");
	const char *ts = json_string_value(json_object_get(fill, "ts"));

	*strat = json_string_value(json_object_get(json_object_get(line,
	    "order"), "strategy"));
	if (fill == NULL || ts == NULL || qgtm_time_parse(ts, t) == -1)
		return NULL;
	if (*strat == NULL)
		*strat = "unknown";
	return fill;
}

/* The initial cash of the account in cents (0 when it cannot be read:
 * the config was checked when it was loaded). */
static int64_t
book_cash0(const struct qgtm_cfg *cfg)
{
	int64_t cash = 0;

	qgtm_cfg_dec(cfg, "broker.sim.initial_cash", QGTM_CENTS, &cash);
	return cash;
}

/*
 * Fold into book (initialized here over cash) the fills of journal in
 * (from, to], of every strategy when strat is NULL. Returns 0, or -1
 * with nothing in book to release.
 */
static int
book_at(json_t *journal, int64_t cash, const char *strat, time_t from,
    time_t to, struct qgtm_book *book)
{
	struct qgtm_fill f;
	const char *s;
	json_t *line, *fill;
	size_t i;
	time_t t;

	qgtm_book_init(book, cash);
	json_array_foreach(journal, i, line) {
		fill = line_fill(line, &s, &t);
		if (fill == NULL || t <= from || t > to ||
		    (strat != NULL && strcmp(s, strat) != 0))
			continue;
		if (week_fill(fill, &f) == -1 ||
		    qgtm_book_apply(book, &f) == -1) {
			qgtm_book_release(book);
			return -1;
		}
	}
	return 0;
}

/* The equity at as_of of book_at(journal, cash, strat, from, to). */
static int
equity_of(const struct qgtm_cfg *cfg, json_t *journal, int64_t cash,
    const char *strat, time_t from, time_t to, time_t as_of, int64_t *out)
{
	struct qgtm_book book;
	int rc;

	if (book_at(journal, cash, strat, from, to, &book) == -1)
		return -1;
	rc = qgtm_oms_equity(cfg, &book, as_of, out);
	qgtm_book_release(&book);
	return rc;
}

/* The New York midnight day days after the civil day day0. */
static time_t
ny_midnight(long day0, long days)
{
	struct qgtm_date d = qgtm_civil_from_days(day0 + days);

	return qgtm_ny_time(d.year, d.month, d.day, 0, 0);
}

/* The daily PnL of the days of the week (from Monday, civil day mon) up
 * to end, their sum, and the largest fall of a day's close below the
 * week's running peak with its day. Returns 0 or -1. */
static int
week_days(const struct qgtm_cfg *cfg, json_t *journal, int64_t cash,
    long mon, time_t end, json_t *rec)
{
	static const char *const dname[] = { "Mon", "Tue", "Wed", "Thu", "Fri",
	    "Sat", "Sun" };
	time_t t = ny_midnight(mon, 0), close;
	int64_t prev, eq, peak, sum = 0;
	json_t *days = json_array();
	const char *wday = NULL;
	double dd, worst = 0;
	int i;

	if (equity_of(cfg, journal, cash, NULL, 0, t, t, &prev) == -1)
		return json_decref(days), -1;
	peak = prev;
	for (i = 0; i < 7 && t < end; i++, t = close) {
		close = ny_midnight(mon, i + 1) < end ? ny_midnight(mon, i + 1) :
		    end;
		if (equity_of(cfg, journal, cash, NULL, 0, close, close,
		    &eq) == -1)
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
		fill = line_fill(line, &s, &t);
		if (fill == NULL || t <= start || t > end ||
		    strcmp(s, strat) != 0 || week_fill(fill, &f) == -1)
			continue;
		(*n)++;
		if (qgtm_pit_last_close(qgtm_cfg_str(cfg, "common.price_source"),
		    f.symbol, end, &now_px, NULL) == 0 &&
		    (f.side == QGTM_BUY ? now_px > f.price : now_px < f.price))
			(*hits)++;
	}
}

/* Add name to the list of strings unless it is there. */
static void
list_add(json_t *list, const char *name)
{
	if (!list_has(list, name))
		json_array_append_new(list, json_string(name));
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
		list_add(names, json_string_value(v));
	json_array_foreach(journal, i, line)
		if (line_fill(line, &s, &t) != NULL && t > start && t <= end)
			list_add(names, s);
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

		if (equity_of(cfg, journal, 0, s, start, end, end, &c) == -1)
			goto fail;
		week_trades(cfg, journal, s, start, end, &n, &hits);
		insert_ranked(rows, json_pack("{s:s, s:I, s:I, s:I}",
		    "strategy", s, "pnl_cents", (json_int_t)c, "trades", n,
		    "hits", hits));
		rest -= c;
	}
	if (equity_of(cfg, journal, cash, NULL, 0, start, start, &a) == -1 ||
	    equity_of(cfg, journal, cash, NULL, 0, start, end, &b) == -1)
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
	int64_t a, b, cash = book_cash0(cfg);
	time_t start = ny_midnight(mon, 0);
	struct qgtm_book book;

	if (equity_of(cfg, journal, cash, NULL, 0, start, start, &a) == -1 ||
	    equity_of(cfg, journal, cash, NULL, 0, end, end, &b) == -1 ||
	    week_days(cfg, journal, cash, mon, end, rec) == -1 ||
	    week_strategies(cfg, journal, cash, start, end, b - a, rec) == -1 ||
	    book_at(journal, cash, NULL, 0, end, &book) == -1)
		return -1;
	set_money(rec, "equity", b, 0);
	set_money(rec, "pnl", b - a, 1);
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
	time_t start = ny_midnight(mon, 0), end = ny_midnight(mon, 7);
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
