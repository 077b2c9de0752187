/*
 * readiness.c: the Sunday checklist (qgtm_report_readiness): one row a
 * check (feeds and data age, kill switch, heartbeats, drawdown, audit
 * chain, trades, disk and memory, reconciliation, strategy decay), each
 * PASS, WARN or FAIL with its reason and figures; the sections after the
 * rows come from weeks.c.
 */
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

#define WEEK_S (7 * 86400)

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
	json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s, s:o, "
	    "s:o}", "id", id, "title", title, "result",
	    qgtm_model_result(result), "reason", reason, "figures",
	    qgtm_figures_words(details), "details", details));
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
ready_switch(struct qgtm_model_ks *mk, time_t now, json_t *rows)
{
	struct qgtm_ks_state st = mk->st;
	json_t *hist;
	size_t up;
	int res;

	hist = qgtm_ks_history(&mk->ks, now - WEEK_S);
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

/*
 * The heartbeat row: the last check-in and its age (WARN from 60 s, FAIL
 * from 120 s), and the week's beats and gaps over 60 s from the beat
 * history (qgtm_heartbeat_week); a gap this week is a WARN.
 */
static void
ready_heartbeat(struct qgtm_ks *ks, time_t now, json_t *rows)
{
	time_t last = qgtm_heartbeat_last(ks);
	struct qgtm_heartbeat_count c;
	char ts[21], n[32], g[32], age[32];

	qgtm_heartbeat_week(now - WEEK_S, now, &c);
	if (last == 0) {
		row_add(rows, "heartbeat", "Heartbeats", QGTM_WARN,
		    json_object(), "no heartbeat recorded yet");
		return;
	}
	row_add(rows, "heartbeat", "Heartbeats", now - last >= 120 ?
	    QGTM_FAIL : now - last >= 60 || c.gaps > 0 ? QGTM_WARN :
	    QGTM_PASS, json_pack("{s:s, s:I, s:I, s:I}", "last",
	    qgtm_time_fmt(last, ts), "age_s", (json_int_t)(now - last),
	    "beats_7d", (json_int_t)c.beats, "gaps_7d", (json_int_t)c.gaps),
	    "%s beat%s, %s gap%s > 60s this week; last check-in %s ago",
	    qgtm_figures_count(c.beats, n), c.beats == 1 ? "" : "s",
	    qgtm_figures_count(c.gaps, g), c.gaps == 1 ? "" : "s",
	    qgtm_figures_age(now - last, age));
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
	    QGTM_PASS, by, n == 0 ? "no orders this week" : "%lld order%s, "
	    "%lld filled, %lld rejected by the broker", n, n == 1 ? "" : "s",
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

/* The subject of a recon record: its symbol, order or broker order. */
static const char *
recon_subject(json_t *rec)
{
	static const char *const keys[] = { "symbol", "client_order_id",
	    "broker_order_id" };
	const char *s;
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if ((s = json_string_value(json_object_get(rec, keys[i]))) !=
		    NULL)
			return s;
	return "";
}

/*
 * Is the recon line of n bytes at line dated outside the 7 days to now by
 * its envelope, read without parsing it? The envelope's keys come first
 * in the order qgtm_record_new() writes them, type, v, then ts.
 */
static int
recon_out_of_week(const char *line, size_t n, time_t now)
{
	static const char mark[] = "{\"type\":\"recon\",\"v\":1,\"ts\":\"";
	char ts[21];
	time_t t;

	if (n < sizeof mark + 20 || memcmp(line, mark, sizeof mark - 1) != 0 ||
	    line[sizeof mark - 1 + 20] != '"')
		return 0;
	memcpy(ts, line + sizeof mark - 1, 20);
	ts[20] = '\0';
	return qgtm_time_parse(ts, &t) == 0 && (t > now || now - t > WEEK_S);
}

/*
 * The records of the reconciliation log at path (a new array) but those
 * its envelope dates outside the 7 days to now, which are not parsed: the
 * log gains a run a session, all of history. A missing log has none. A
 * line parsed that is not a record is the error qgtm_jsonl_read_file()
 * gives it; NULL then.
 */
static json_t *
recon_week(const char *path, time_t now)
{
	FILE *f = fopen(path, "r");
	json_t *recs = json_array(), *rec;
	char *line = NULL, msg[256];
	unsigned long lineno = 0;
	const char *type;
	json_error_t jerr;
	size_t cap = 0, len;
	ssize_t n;
	int bad = 0;

	if (f == NULL && errno == ENOENT)
		return recs;
	while (!bad && f != NULL && (n = getline(&line, &cap, f)) != -1) {
		len = (size_t)n - (line[n - 1] == '\n');
		line[len] = '\0';
		lineno++;
		if (len + 1 >= QGTM_JSONL_MAX_LINE)
			snprintf(msg, sizeof msg, "line longer than %d bytes",
			    QGTM_JSONL_MAX_LINE);
		else if (strspn(line, " \t\r") >= len ||
		    recon_out_of_week(line, len, now))
			continue;
		else if ((rec = json_loadb(line, len, JSON_REJECT_DUPLICATES,
		    &jerr)) == NULL)
			snprintf(msg, sizeof msg, "invalid JSON: %s", jerr.text);
		else if (!json_is_object(rec) || qgtm_json_str(rec, "type",
		    &type) == -1) {
			snprintf(msg, sizeof msg, "%s", json_is_object(rec) ?
			    qgtm_errmsg() : "not a JSON object");
			json_decref(rec);
		} else {
			json_array_append_new(recs, rec);
			continue;
		}
		bad = qgtm_seterr(QGTM_EX_DATAERR, "%s:%lu: %s", path, lineno,
		    msg);
	}
	if (f == NULL)
		bad = qgtm_seterr_errno(QGTM_EX_NOINPUT, "cannot open '%s'",
		    path);
	else if (ferror(f))     /* a directory: EISDIR */
		bad = qgtm_seterr_errno(QGTM_EX_NOINPUT, "cannot read '%s'",
		    path);
	if (f != NULL)
		fclose(f);
	free(line);
	if (bad) {
		json_decref(recs);
		return NULL;
	}
	return recs;
}

/*
 * The reconciliation row: the breaks in the recon records of qgtm-order
 * reconcile of the last 7 days. The "summary" record of a run carries
 * the run's worst severity and is not a break; a break seen by several
 * runs (same check and subject) counts once, with its newest detail.
 * FAIL on any critical break, WARN on a warning or when reconcile has not
 * run in that time.
 */
static void
ready_recon(time_t now, json_t *rows)
{
	char *path = qgtm_state_path(QGTM_OMS_RECON, 0);
	json_t *recs = path != NULL ? recon_week(path, now) : NULL;
	json_t *rec, *breaks, *b;
	size_t i, crit = 0, warn = 0, runs = 0;
	const char *sev, *check, *key;
	char why[400] = "", *k;
	time_t t;

	free(path);
	if (recs == NULL) {
		row_add(rows, "reconciliation", "Reconciliation", QGTM_FAIL,
		    json_object(), "cannot read the reconciliation log: %s",
		    qgtm_errmsg());
		return;
	}
	breaks = json_object();
	json_array_foreach(recs, i, rec) {
		sev = qgtm_page_str(rec, "severity");
		check = qgtm_page_str(rec, "check");
		if (strcmp(qgtm_record_type(rec), "recon") != 0 ||
		    qgtm_time_parse(json_string_value(json_object_get(rec,
		    "ts")), &t) == -1 || t > now || now - t > WEEK_S)
			continue;
		runs++;
		if (strcmp(check, "summary") == 0 ||
		    (strcmp(sev, "critical") != 0 && strcmp(sev, "warn") != 0))
			continue;
		k = qgtm_xasprintf("%s %s", check, recon_subject(rec));
		json_object_set_new(breaks, k, json_pack("{s:s, s:s, s:s, "
		    "s:s, s:O}", "severity", sev, "check", check, "subject",
		    recon_subject(rec), "detail", qgtm_page_str(rec, "detail"),
		    "ts", json_object_get(rec, "ts")));
		free(k);
	}
	json_decref(recs);
	json_object_foreach(breaks, key, b) {
		if (strcmp(qgtm_page_str(b, "severity"), "critical") != 0) {
			warn++;
			continue;
		}
		check = qgtm_page_str(b, "subject");
		snprintf(why + strlen(why), sizeof why - strlen(why),
		    "%s%s%s%s", crit++ == 0 ? ": " : "; ", check,
		    check[0] != '\0' ? " " : "", qgtm_page_str(b, "detail"));
	}
	if (runs == 0 && json_object_size(breaks) == 0)
		row_add(rows, "reconciliation", "Reconciliation", QGTM_WARN,
		    breaks, "no reconciliation data yet");
	else
		row_add(rows, "reconciliation", "Reconciliation", crit > 0 ?
		    QGTM_FAIL : warn > 0 ? QGTM_WARN : QGTM_PASS, breaks,
		    "%zu critical break%s%s; %zu warning%s in 7 days", crit,
		    crit == 1 ? "" : "s", why, warn, warn == 1 ? "" : "s");
}

/* The weekly digest row: FAIL when its newest delivery reached no
 * channel (qgtm_digest_delivery_last), until one does. */
static void
ready_digest(json_t *rows)
{
	json_t *r = qgtm_digest_delivery_last();
	const char *week = r ? qgtm_page_str(r, "week") : "";

	if (r == NULL)
		row_add(rows, "digest", "Weekly digest", QGTM_FAIL,
		    json_object(), "cannot read the digest's delivery log: %s",
		    qgtm_errmsg());
	else if (json_is_null(r))
		row_add(rows, "digest", "Weekly digest", QGTM_PASS,
		    json_object(), "no digest sent yet");
	else if (!json_is_true(json_object_get(r, "ok")))
		row_add(rows, "digest", "Weekly digest", QGTM_FAIL, json_pack(
		    "{s:O}", "channels", json_object_get(r, "channels")),
		    "the digest of week %s was not delivered: %s", week,
		    qgtm_page_str(r, "reason"));
	else
		row_add(rows, "digest", "Weekly digest", QGTM_PASS, json_pack(
		    "{s:O}", "channels", json_object_get(r, "channels")),
		    "the digest of week %s was delivered", week);
	json_decref(r);
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
	return qgtm_model_alone(cfg, now, qgtm_readiness_model);
}

json_t *
qgtm_readiness_model(const struct qgtm_cfg *cfg, time_t now,
    struct qgtm_model_ks *mk)
{
	json_t *rec = qgtm_record_new("readiness", NULL);
	json_t *rows = json_array(), *r;
	long mon = qgtm_weeks_monday(now);
	long long rejected;
	int worst = QGTM_PASS, i;
	size_t k;
	char ts[21], et[32];

	ready_feeds(cfg, now, rows);
	if (!mk->ok) {
		row_add(rows, "killswitch", "Kill switch", QGTM_FAIL,
		    json_object(), "%s", mk->err);
	} else {
		ready_switch(mk, now, rows);
		ready_heartbeat(&mk->ks, now, rows);
		ready_drawdown(cfg, &mk->ks, now, rows);
	}
	ready_audit(cfg, qgtm_model_ny_midnight(mon - 7, 0),
	    qgtm_model_ny_midnight(mon, 0), &rejected, rows);
	ready_trades(cfg, now, rows);
	ready_host(rows);
	ready_recon(now, rows);
	ready_decay(rows);
	ready_digest(rows);
	json_array_foreach(rows, k, r)
		for (i = worst + 1; i <= QGTM_FAIL; i++)
			if (strcmp(json_string_value(json_object_get(r,
			    "result")), qgtm_model_result(i)) == 0)
				worst = i;
	json_object_set_new(rec, "as_of", json_string(qgtm_time_fmt(now, ts)));
	json_object_set_new(rec, "as_of_text", json_string(qgtm_figures_et(now,
	    et)));
	json_object_set_new(rec, "result", json_string(
	    qgtm_model_result(worst)));
	json_object_set_new(rec, "rows", rows);
	qgtm_weeks_add(cfg, now, mon, rejected, mk, rec);
	return rec;
}
