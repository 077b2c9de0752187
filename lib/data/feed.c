/*
 * feed.c: the driver of the data feeds. A fetch walks its source's units
 * page by page, keeps every parsed record in memory, and stores nothing
 * until the whole fetch parsed; then one durable append per series and a
 * health record in feeds.jsonl. The sources themselves (feed_*.c) only
 * build URLs and turn pages into records.
 */
#include <ctype.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "data/data.h"

/* A runaway server that never stops paging is a protocol error. */
#define FEED_MAX_PAGES 10000
/* How much of a provider's error message goes into ours. */
#define FEED_MAX_REASON 160
/* The most feeds qgtm_feed_run_all() runs at once. */
#define FEED_MAX_FEEDS 64

const char qgtm_feed_names[] = "fred alpaca cftc lbma eia openbb";

static const struct qgtm_feed_src *const sources[] = {
	&qgtm_feed_fred, &qgtm_feed_alpaca, &qgtm_feed_cftc, &qgtm_feed_lbma,
	&qgtm_feed_eia, &qgtm_feed_openbb
};

const struct qgtm_feed_src *
qgtm_feed_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof sources / sizeof sources[0]; i++)
		if (strcmp(sources[i]->name, name) == 0)
			return sources[i];
	return NULL;
}

void
qgtm_feed_init(struct qgtm_feed *f, const struct qgtm_feed_src *src,
    const struct qgtm_cfg *cfg, int dry_run)
{
	memset(f, 0, sizeof *f);
	f->src = src;
	f->cfg = cfg;
	f->now = qgtm_now();
	f->dry_run = dry_run;
	f->series = json_object();
	f->keys = json_object();
	f->progress = isatty(STDERR_FILENO) && qgtm_log_level >= QGTM_LOG_WARNING;
}

void
qgtm_feed_release(struct qgtm_feed *f)
{
	int i;

	for (i = 0; i < 3; i++)
		free(f->hdr[i]);
	json_decref(f->series);
	json_decref(f->keys);
	json_decref(f->health);
	memset(f, 0, sizeof *f);
}

const char *
qgtm_feed_key(struct qgtm_feed *f, const char *env, const char *file_key)
{
	json_t *v = json_object_get(f->keys, env);
	char *secret;

	if (v == NULL) {
		if ((secret = qgtm_cfg_secret(f->cfg, env, file_key)) == NULL)
			return NULL;
		v = json_string(secret);
		free(secret);
		json_object_set_new(f->keys, env, v);
	}
	return json_string_value(v);
}

void
qgtm_feed_header(struct qgtm_feed *f, int i, const char *name,
    const char *value)
{
	free(f->hdr[i]);
	f->hdr[i] = qgtm_xasprintf("%s: %s", name, value);
}

/* Percent-encode s into url, keeping RFC 3986 unreserved characters. */
static void
url_escape(struct qgtm_buf *url, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (isalnum(*p) || strchr("-._~", *p) != NULL)
			qgtm_buf_add(url, p, 1);
		else
			qgtm_buf_addf(url, "%%%02X", *p);
	}
}

void
qgtm_url_param(struct qgtm_buf *url, const char *name, const char *value)
{
	if (url->len > 0 && url->data[url->len - 1] != '?')
		qgtm_buf_add(url, "&", 1);
	url_escape(url, name);
	qgtm_buf_add(url, "=", 1);
	url_escape(url, value);
}

int
qgtm_feed_since(struct qgtm_feed *f, const char *series, int back_days,
    char out[11])
{
	char last[11];
	time_t t;

	if (qgtm_pit_last_date(f->src->name, series, last) == -1)
		return -1;
	if (last[0] == '\0')
		t = f->now - 86400 * (time_t)qgtm_cfg_int(f->cfg,
		    "fetch.lookback_days");
	else if (qgtm_time_parse(last, &t) == -1)
		return -1;
	else
		t += 86400 * (time_t)(back_days > 0 ? -back_days : 1);
	qgtm_date_fmt(t, out);
	return 0;
}

int
qgtm_feed_fail(struct qgtm_feed *f, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return qgtm_seterr(QGTM_EX_PROTOCOL, "%s: unexpected response: %s",
	    f->src->name, msg);
}

/* A decimal string of a JSON real or integer, trailing zeros kept. */
static int
number_dec(json_t *v, char out[32])
{
	int64_t u;

	char s[32];

	snprintf(s, sizeof s, "%lld", (long long)json_integer_value(v));
	if (json_is_integer(v) ? qgtm_dec_parse(s, QGTM_PRICE_SCALE, &u) :
	    qgtm_dec_from_double(json_real_value(v), QGTM_PRICE_SCALE, &u))
		return -1;
	qgtm_dec_fmt(u, QGTM_PRICE_SCALE, out, 32);
	return 0;
}

int
qgtm_feed_dec(struct qgtm_feed *f, json_t *v, const char *what,
    char out[32])
{
	const char *s = json_string_value(v);
	int64_t u;

	out[0] = '\0';
	if (json_is_null(v) || (s != NULL && strcmp(s, ".") == 0))
		return 0;
	if (json_is_number(v) && number_dec(v, out) == 0)
		return 0;
	if (s != NULL && qgtm_dec_parse(s, QGTM_PRICE_SCALE, &u) == 0) {
		qgtm_dec_fmt(u, QGTM_PRICE_SCALE, out, 32);
		return 0;
	}
	return qgtm_feed_fail(f, "field '%s': expected a number", what);
}

/* Add rec to its series' records and note its date. */
static void
add_record(struct qgtm_feed *f, const char *series, const char *date,
    json_t *rec)
{
	json_t *arr = json_object_get(f->series, series);

	if (arr == NULL) {
		arr = json_array();
		json_object_set_new(f->series, series, arr);
	}
	json_array_append_new(arr, rec);
	if (strcmp(date, f->last_obs) > 0)
		snprintf(f->last_obs, sizeof f->last_obs, "%s", date);
	f->fetched++;
}

/* A YYYY-MM-DD date that exists, as y, m, d. */
static int
parse_date(struct qgtm_feed *f, const char *date, struct qgtm_date *out)
{
	time_t t;

	if (strlen(date) != 10 || qgtm_time_parse(date, &t) == -1)
		return qgtm_feed_fail(f, "bad date '%.20s'", date);
	*out = qgtm_civil_from_days((long)(t / 86400));
	return 0;
}

int
qgtm_feed_obs(struct qgtm_feed *f, const char *series, const char *date,
    const char *dec, time_t available_at)
{
	json_t *rec = qgtm_record_new("obs", NULL);
	struct qgtm_date d;
	char ts[21];

	if (parse_date(f, date, &d) == -1) {
		json_decref(rec);
		return -1;
	}
	json_object_set_new(rec, "source", json_string(f->src->name));
	json_object_set_new(rec, "series", json_string(series));
	json_object_set_new(rec, "date", json_string(date));
	json_object_set_new(rec, "value", *dec != '\0' ? json_string(dec) :
	    json_null());
	json_object_set_new(rec, "available_at",
	    json_string(qgtm_time_fmt(available_at, ts)));
	add_record(f, series, date, rec);
	return 0;
}

/* The volume of a bar: an integral JSON number; null or absent is 0. */
static int
bar_volume(struct qgtm_feed *f, json_t *v, long long *out)
{
	double x = json_real_value(v);

	*out = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = json_integer_value(v);
		return 0;
	}
	if (json_is_real(v) && x >= 0 && x < 9e15 && x == (long long)x) {
		*out = (long long)x;
		return 0;
	}
	return qgtm_feed_fail(f, "field 'volume': expected a count");
}

/*
 * Add the bar of symbol keyed by date to series, available at close (left
 * out while close is later than f->now), from the members keys of obj.
 */
static int
add_bar(struct qgtm_feed *f, const char *symbol, const char *series,
    const char *date, time_t close, json_t *obj, const char *const keys[5])
{
	static const char *const names[4] = { "open", "high", "low", "close" };
	char dec[4][32], ts[21];
	long long volume;
	json_t *rec;
	int i;

	for (i = 0; i < 4; i++) {
		if (qgtm_feed_dec(f, json_object_get(obj, keys[i]), keys[i],
		    dec[i]) == -1)
			return -1;
		if (dec[i][0] == '\0')
			return qgtm_feed_fail(f, "%s %s: no %s price", symbol,
			    date, names[i]);
	}
	if (bar_volume(f, json_object_get(obj, keys[4]), &volume) == -1)
		return -1;
	if (close > f->now)
		return 0;       /* the session is still open: not a bar yet */
	rec = qgtm_record_new("bar", NULL);
	json_object_set_new(rec, "source", json_string(f->src->name));
	json_object_set_new(rec, "symbol", json_string(symbol));
	json_object_set_new(rec, "date", json_string(date));
	for (i = 0; i < 4; i++)
		json_object_set_new(rec, names[i], json_string(dec[i]));
	json_object_set_new(rec, "volume", json_integer(volume));
	json_object_set_new(rec, "available_at",
	    json_string(qgtm_time_fmt(close, ts)));
	add_record(f, series, date, rec);
	return 0;
}

int
qgtm_feed_bar(struct qgtm_feed *f, const char *symbol, const char *date,
    json_t *obj, const char *const keys[5])
{
	struct qgtm_date d;
	time_t close;

	if (parse_date(f, date, &d) == -1)
		return -1;
	if ((close = qgtm_nyse_close(d.year, d.month, d.day)) == (time_t)-1)
		return qgtm_feed_fail(f, "%s: a bar on %s, when NYSE is closed",
		    symbol, date);
	return add_bar(f, symbol, symbol, date, close, obj, keys);
}

int
qgtm_feed_bar_intraday(struct qgtm_feed *f, const char *symbol,
    const char *series, time_t start, long seconds, json_t *obj,
    const char *const keys[5])
{
	char date[21];

	return add_bar(f, symbol, series, qgtm_time_fmt(start, date),
	    start + seconds, obj, keys);
}

void
qgtm_feed_fresh_session(time_t now, char out[11])
{
	struct qgtm_date d = qgtm_ny_date(now);
	long day = qgtm_days_from_civil(d.year, d.month, d.day);
	time_t close;
	int i;

	for (i = 0; i < 14; i++, day--) {
		d = qgtm_civil_from_days(day);
		close = qgtm_nyse_close(d.year, d.month, d.day);
		if (close != (time_t)-1 && close <= now)
			break;
	}
	snprintf(out, 11, "%04d-%02d-%02d", d.year, d.month, d.day);
}

/* The provider's own words from an error body, if it has any. */
static void
provider_reason(const struct qgtm_buf *body, char *out, size_t outsz)
{
	static const char *const keys[] = { "error_message", "message",
	    "detail" };
	json_t *doc = json_loadb(body->data, body->len, 0, NULL), *err;
	const char *s = NULL;
	size_t i;

	for (i = 0; s == NULL && i < sizeof keys / sizeof keys[0]; i++)
		s = json_string_value(json_object_get(doc, keys[i]));
	err = json_object_get(doc, "error");
	if (s == NULL)
		s = json_is_string(err) ? json_string_value(err) :
		    json_string_value(json_object_get(err, "message"));
	snprintf(out, outsz, "%s%.*s", s != NULL ? ": " : "",
	    FEED_MAX_REASON, s != NULL ? s : "");
	json_decref(doc);
}

int
qgtm_feed_parse(struct qgtm_feed *f, const char *unit, const char *body,
    size_t len, struct qgtm_feed_page *pg)
{
	json_error_t jerr;
	json_t *page = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	int rc;

	if (page == NULL)
		return qgtm_feed_fail(f, "not JSON (%s at byte %d)", jerr.text,
		    jerr.position);
	rc = f->src->parse(f, unit, page, pg);
	json_decref(page);
	return rc;
}

/* Fetch page pg of unit from url and parse it; "no content" ends the
 * unit. Returns as qgtm_feed_parse. */
static int
get_page(struct qgtm_feed *f, const char *unit, const char *url,
    struct qgtm_feed_page *pg)
{
	struct qgtm_http_req req;
	struct qgtm_http_resp resp;
	char reason[FEED_MAX_REASON + 3];
	int rc = 0;

	qgtm_http_req_init(&req, f->cfg);
	req.url = url;
	req.headers = (const char *const *)f->hdr;
	qgtm_http_resp_init(&resp);
	if (qgtm_http_do(&req, &resp) == -1)
		rc = qgtm_seterr(qgtm_errcode(), "%s: %s", f->src->name,
		    qgtm_errmsg());
	else if (resp.status < 200 || resp.status > 299) {
		provider_reason(&resp.body, reason, sizeof reason);
		rc = qgtm_seterr(qgtm_http_status_code(resp.status),
		    "%s: HTTP %ld%s", f->src->name, resp.status, reason);
	} else if (resp.status != 204)
		rc = qgtm_feed_parse(f, unit, resp.body.data, resp.body.len, pg);
	qgtm_http_resp_release(&resp);
	return rc;
}

/* Page pg of unit from the sim world, through the source's own parser;
 * returns as qgtm_feed_parse. */
static int
sim_page(struct qgtm_feed *f, const char *unit, struct qgtm_feed_page *pg)
{
	json_t *page = qgtm_feed_sim_page(f, unit, pg);
	int rc;

	if (page == NULL)
		return qgtm_seterr(qgtm_errcode(), "%s: sim: %s", f->src->name,
		    qgtm_errmsg());
	rc = f->src->parse(f, unit, page, pg);
	json_decref(page);
	return rc;
}

/* Show where a long fetch is, on a terminal only. */
static void
progress(const struct qgtm_feed *f, const char *unit, int page)
{
	if (f->progress)
		fprintf(stderr, "\r%s: %s page %d, %zu records\033[K",
		    f->src->name, unit, page, f->fetched);
}

/* Fetch and parse every page of one unit. */
static int
fetch_unit(struct qgtm_feed *f, const char *unit)
{
	struct qgtm_feed_page pg = { 0 };
	struct qgtm_buf url;
	char token[sizeof pg.token];
	int more = 1;

	qgtm_buf_init(&url, 64 * 1024);
	while (more == 1) {
		qgtm_buf_reset(&url);
		memcpy(token, pg.token, sizeof token);
		if (qgtm_feed_is_sim(f))
			more = sim_page(f, unit, &pg);
		else if (f->src->request(f, unit, &pg, &url) == -1)
			more = -1;
		else
			more = get_page(f, unit, url.data, &pg);
		pg.n++;
		progress(f, unit, pg.n);
		if (more == 1 && (pg.n >= FEED_MAX_PAGES ||
		    (pg.token[0] != '\0' && strcmp(pg.token, token) == 0)))
			more = qgtm_feed_fail(f, "%s: paging does not end", unit);
	}
	qgtm_buf_release(&url);
	return more;
}

/* Store every series; the new records go to out. */
static int
store(struct qgtm_feed *f, json_t *out, size_t *added)
{
	const char *series;
	json_t *arr;
	size_t n;

	*added = 0;
	json_object_foreach(f->series, series, arr) {
		if (qgtm_pit_store(f->src->name, series, arr, &n) == -1)
			return -1;
		*added += n;
		if (out != NULL && n > 0)
			json_array_extend(out, arr);
	}
	return 0;
}

/* The newest date of the stalest stored series of the source into out. */
static int
stored_last_obs(struct qgtm_feed *f, char out[11])
{
	char *rel = qgtm_xasprintf("data/%s", f->src->name);
	char *dir = qgtm_state_path(rel, 0), *name, last[11];
	struct dirent *de;
	DIR *d;
	size_t len;
	int rc = 0;

	free(rel);
	out[0] = '\0';
	if (dir == NULL || (d = opendir(dir)) == NULL) {
		free(dir);
		return dir == NULL ? -1 : 0;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 7 || strcmp(de->d_name + len - 6, ".jsonl") != 0)
			continue;
		name = qgtm_xasprintf("%.*s", (int)(len - 6), de->d_name);
		rc = qgtm_pit_last_date(f->src->name, name, last);
		free(name);
		if (rc == 0 && last[0] != '\0' &&
		    (out[0] == '\0' || strcmp(last, out) < 0))
			memcpy(out, last, 11);
	}
	closedir(d);
	free(dir);
	return rc;
}

/* The feed record of a fetch; reason NULL for success. */
static json_t *
health_record(const char *feed, const char *reason, size_t rows,
    size_t fetched, double ms, const char *last, const char *expected)
{
	json_t *rec = qgtm_record_new("feed", NULL);

	json_object_set_new(rec, "feed", json_string(feed));
	json_object_set_new(rec, "sim", json_false());
	json_object_set_new(rec, "status", json_string(reason ? "error" : "ok"));
	json_object_set_new(rec, "reason", reason ? json_string(reason) :
	    json_null());
	json_object_set_new(rec, "rows", json_integer((json_int_t)rows));
	json_object_set_new(rec, "fetched", json_integer((json_int_t)fetched));
	json_object_set_new(rec, "latency_ms", json_integer((json_int_t)ms));
	json_object_set_new(rec, "last_obs", *last ? json_string(last) :
	    json_null());
	json_object_set_new(rec, "expected_obs", json_string(expected));
	json_object_set_new(rec, "stale", json_boolean(strcmp(last,
	    expected) < 0));
	return rec;
}

/* Append one record to feeds.jsonl. */
static int
append_health(json_t *rec)
{
	char *line = json_dumps(rec, JSON_COMPACT);
	char *path = qgtm_state_path("feeds.jsonl", 1);
	char *text = qgtm_xasprintf("%s\n", line);
	int rc;

	rc = path == NULL ? -1 : qgtm_append_fsync(path, text, strlen(text));
	free(text);
	free(line);
	free(path);
	return rc;
}

static double
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1e3 + (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Fetch every unit and store; the error is set on -1. */
static int
fetch_store(struct qgtm_feed *f, json_t *out, size_t *added)
{
	json_t *units = f->src->units != NULL ? f->src->units(f) :
	    json_deep_copy(qgtm_cfg_list(f->cfg, f->src->units_key)), *u;
	size_t i;
	int rc = units == NULL ? -1 : 0;

	*added = 0;
	json_array_foreach(units, i, u)
		if (rc == 0)
			rc = fetch_unit(f, json_string_value(u));
	json_decref(units);
	if (f->progress)
		fprintf(stderr, "\r\033[K");
	if (rc == 0 && !f->dry_run)
		rc = store(f, out, added);
	return rc;
}

int
qgtm_feed_run(struct qgtm_feed *f, json_t *out)
{
	struct timespec t0;
	char expected[11], last[11], *reason = NULL;
	size_t added;
	int rc, code;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = fetch_store(f, out, &added);
	f->latency_ms = ms_since(&t0);
	if (rc == -1)
		reason = qgtm_xstrdup(qgtm_errmsg());
	code = qgtm_errcode();
	f->src->fresh(f->now, expected);
	memcpy(last, f->last_obs, sizeof last);
	if (!f->dry_run && stored_last_obs(f, last) == -1 && reason == NULL)
		reason = qgtm_xstrdup(qgtm_errmsg());
	json_decref(f->health);
	f->health = health_record(f->src->name, reason, rc == 0 ? added : 0,
	    f->fetched, f->latency_ms, last, expected);
	json_object_set_new(f->health, "sim", json_boolean(qgtm_feed_is_sim(f)));
	if (!f->dry_run && append_health(f->health) == -1 && reason == NULL)
		return -1;
	if (reason != NULL) {
		qgtm_seterr(code, "%s", reason);
		free(reason);
		return -1;
	}
	return 0;
}

/* A feed run in a child process of qgtm_feed_run_all(). */
struct child {
	const char *name;
	pid_t pid;
	int fd;                 /* read end of the child's pipe, or -1 */
	struct qgtm_buf out;    /* the child's health record */
};

/* In the child: run one feed and write its health record to fd. */
static void __attribute__((noreturn))
child_main(const struct qgtm_cfg *cfg, const char *name, int fd)
{
	const struct qgtm_feed_src *src = qgtm_feed_find(name);
	struct qgtm_feed f;
	char *line = NULL;
	int rc = 1;

	if (src != NULL) {
		qgtm_feed_init(&f, src, cfg, 0);
		f.progress = 0;
		rc = qgtm_feed_run(&f, NULL) == -1;
		if (f.health != NULL)
			line = json_dumps(f.health, JSON_COMPACT);
		if (line != NULL && write(fd, line, strlen(line)) < 0)
			rc = 1;
		free(line);
		qgtm_feed_release(&f);
	}
	_exit(rc);
}

/* Start one child per feed; a feed that cannot start gets no pid. */
static void
start_children(const struct qgtm_cfg *cfg, struct child *c, size_t n)
{
	size_t i;
	int fds[2];

	fflush(NULL);
	for (i = 0; i < n; i++) {
		qgtm_buf_init(&c[i].out, 1024 * 1024);
		c[i].pid = -1;
		c[i].fd = -1;
		if (pipe(fds) == -1)
			continue;
		if ((c[i].pid = fork()) == 0) {
			close(fds[0]);
			child_main(cfg, c[i].name, fds[1]);
		}
		close(fds[1]);
		if (c[i].pid == -1)
			close(fds[0]);
		else
			c[i].fd = fds[0];
	}
}

/* Read what the children write until all are done or the deadline. */
static void
collect(struct child *c, size_t n, long timeout_ms)
{
	struct pollfd pfd[FEED_MAX_FEEDS];
	struct timespec t0;
	size_t i, k;
	char buf[4096];
	ssize_t r;
	double left;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		for (i = k = 0; i < n; i++)
			if (c[i].fd != -1)
				pfd[k++] = (struct pollfd){ c[i].fd, POLLIN, 0 };
		left = timeout_ms - ms_since(&t0);
		if (k == 0 || left <= 0 || poll(pfd, k, (int)left + 1) <= 0)
			return;
		for (i = 0; i < n; i++) {
			if (c[i].fd == -1)
				continue;
			for (k = 0; pfd[k].fd != c[i].fd; k++)
				;
			if (pfd[k].revents == 0)
				continue;
			r = read(c[i].fd, buf, sizeof buf);
			if (r > 0)
				qgtm_buf_add(&c[i].out, buf, (size_t)r);
			else {
				close(c[i].fd);
				c[i].fd = -1;
			}
		}
	}
}

/* The health record of a child that said nothing: killed or crashed. */
static json_t *
silent_child(const struct qgtm_cfg *cfg, const char *name, int timed_out,
    int status, long timeout_ms)
{
	const struct qgtm_feed_src *src = qgtm_feed_find(name);
	char expected[11] = "", *reason;
	json_t *rec;

	if (src == NULL)
		reason = qgtm_xasprintf("%s: unknown feed (available: %s)", name,
		    qgtm_feed_names);
	else if (timed_out)
		reason = qgtm_xasprintf("%s: timed out after %ld ms", name,
		    timeout_ms);
	else
		reason = qgtm_xasprintf("%s: fetch died (status %d)", name,
		    status);
	if (src != NULL)
		src->fresh(qgtm_now(), expected);
	(void)cfg;
	rec = health_record(name, reason, 0, 0, timed_out ? timeout_ms : 0, "",
	    expected);
	free(reason);
	return rec;
}

/* Stop what is left, reap every child and gather the records. */
static int
finish(const struct qgtm_cfg *cfg, struct child *c, size_t n,
    long timeout_ms, json_t *out)
{
	json_t *rec, *st;
	int status, failed = 0, timed_out;
	size_t i;

	for (i = 0; i < n; i++) {
		timed_out = c[i].fd != -1;
		if (timed_out) {
			kill(c[i].pid, SIGKILL);
			close(c[i].fd);
		}
		status = -1;
		if (c[i].pid > 0)
			waitpid(c[i].pid, &status, 0);
		rec = c[i].out.len == 0 ? NULL :
		    json_loadb(c[i].out.data, c[i].out.len, 0, NULL);
		if (rec == NULL) {
			rec = silent_child(cfg, c[i].name, timed_out, status,
			    timeout_ms);
			append_health(rec);
		}
		st = json_object_get(rec, "status");
		failed += strcmp(json_string_value(st), "ok") != 0;
		json_array_append_new(out, rec);
		qgtm_buf_release(&c[i].out);
	}
	return failed;
}

int
qgtm_feed_run_all(const struct qgtm_cfg *cfg, json_t *names,
    long timeout_ms, json_t *out)
{
	struct child c[FEED_MAX_FEEDS];
	size_t i, n = json_array_size(names);

	if (n > FEED_MAX_FEEDS)
		n = FEED_MAX_FEEDS;
	for (i = 0; i < n; i++)
		c[i].name = json_string_value(json_array_get(names, i));
	start_children(cfg, c, n);
	collect(c, n, timeout_ms);
	return finish(cfg, c, n, timeout_ms, out);
}

/* Why feed is not healthy at now given its last good record, or NULL. */
static char *
unhealthy_reason(json_t *ok, json_t *last, time_t now, const char *expected)
{
	const char *ts = json_string_value(json_object_get(ok, "ts"));
	const char *obs = json_string_value(json_object_get(ok, "last_obs"));
	const char *err = json_string_value(json_object_get(last, "reason"));
	time_t t;

	if (ok == NULL)
		return qgtm_xasprintf("no good fetch%s%s", err ? "; last error: " :
		    "", err ? err : "");
	if (ts == NULL || qgtm_time_parse(ts, &t) == -1 || now - t >= 86400)
		return qgtm_xasprintf("last good fetch %s is over 24 h old%s%s",
		    ts ? ts : "?", err ? "; last error: " : "", err ? err : "");
	if (obs == NULL || strcmp(obs, expected) < 0)
		return qgtm_xasprintf("stale: newest observation %s, schedule "
		    "has %s", obs ? obs : "none", expected);
	return NULL;
}

/* The health of one feed from its newest record and its newest good one. */
static json_t *
feed_health(const char *name, json_t *ok, json_t *last, time_t now)
{
	const struct qgtm_feed_src *src = qgtm_feed_find(name);
	json_t *rec = json_object();
	char expected[11] = "", *reason;

	if (src != NULL)
		src->fresh(now, expected);
	reason = src == NULL ? qgtm_xstrdup("unknown feed") :
	    unhealthy_reason(ok, last, now, expected);
	json_object_set_new(rec, "type", json_string("feed_health"));
	json_object_set_new(rec, "feed", json_string(name));
	json_object_set_new(rec, "healthy", json_boolean(reason == NULL));
	json_object_set_new(rec, "reason", reason ? json_string(reason) :
	    json_null());
	json_object_set(rec, "last_ok", ok ? json_object_get(ok, "ts") :
	    json_null());
	json_object_set(rec, "last_obs", ok ? json_object_get(ok, "last_obs") :
	    json_null());
	json_object_set_new(rec, "expected_obs", json_string(expected));
	json_object_set_new(rec, "sim", json_boolean(json_is_true(
	    json_object_get(last, "sim"))));
	free(reason);
	return rec;
}

/*
 * A backward read of feeds.jsonl, line by line from its end: buf holds
 * the bytes from file offset pos not yet handed out.
 */
struct health_tail {
	char *path;
	int fd;
	off_t pos;
	char *buf;
	size_t len, cap;
	int done;
};

/* Is the line of n bytes at p blank (spaces, tabs, a "\r"), as
 * qgtm_jsonl_read_file() skips it? */
static int
blank_line(const char *p, size_t n)
{
	return strspn(p, " \t\r") >= n;
}

/* A read of feeds.jsonl takes this much at a time from its end. */
#define FEED_TAIL_CHUNK 65536

/* The number of the line at offset off (1 for the first), for errors. */
static unsigned long
tail_lineno(struct health_tail *t, off_t off)
{
	char buf[FEED_TAIL_CHUNK], *p;
	unsigned long n = 1;
	off_t at = 0;
	ssize_t got;

	while (at < off && (got = pread(t->fd, buf, (size_t)(off - at <
	    (off_t)sizeof buf ? off - at : (off_t)sizeof buf), at)) > 0) {
		for (p = buf; (p = memchr(p, '\n', (size_t)(buf + got - p))) !=
		    NULL; p++)
			n++;
		at += got;
	}
	return n;
}

/* The error of a line too long, at any offset off inside it. */
static int
tail_toolong(struct health_tail *t, off_t off)
{
	return qgtm_seterr(QGTM_EX_DATAERR, "%s:%lu: line longer than %d bytes",
	    t->path, tail_lineno(t, off), QGTM_JSONL_MAX_LINE);
}

/*
 * The line before those handed out so far (without its newline, NUL
 * terminated in t->buf) into *line and *len, its file offset into *off.
 * Returns 1, 0 at the start of the file, or -1 with the error of
 * qgtm_jsonl_read_file() (a line too long, a read error).
 */
static int
tail_line(struct health_tail *t, char **line, size_t *len, off_t *off)
{
	size_t n;
	char *nl;

	while (!t->done) {
		nl = memrchr(t->buf, '\n', t->len);
		if (nl != NULL || t->pos == 0) {
			n = nl == NULL ? 0 : (size_t)(nl - t->buf) + 1;
			*line = t->buf + n;
			*len = t->len - n;
			*off = t->pos + (off_t)n;
			t->buf[t->len] = '\0';
			t->len = nl == NULL ? 0 : n - 1;
			t->done = nl == NULL;
			return *len + 1 >= QGTM_JSONL_MAX_LINE ?
			    tail_toolong(t, *off) : 1;
		}
		if (t->len >= QGTM_JSONL_MAX_LINE)     /* no newline in it */
			return tail_toolong(t, t->pos);
		n = t->pos < FEED_TAIL_CHUNK ? (size_t)t->pos : FEED_TAIL_CHUNK;
		if (t->len + n + 1 > t->cap) {
			t->cap = t->len + n + 1;
			t->buf = qgtm_xrealloc(t->buf, t->cap);
		}
		memmove(t->buf + n, t->buf, t->len);
		t->pos -= (off_t)n;
		if (pread(t->fd, t->buf, n, t->pos) != (ssize_t)n)
			return qgtm_seterr_errno(QGTM_EX_IOERR,
			    "%s: read error", t->path);
		t->len += n;
	}
	return 0;
}
/*
 * The record of the line at off (a NUL-terminated line of len bytes), or
 * NULL with the error qgtm_jsonl_read_file() gives it.
 */
static json_t *
tail_record(struct health_tail *t, const char *line, size_t len, off_t off)
{
	json_error_t jerr;
	const char *type;
	char msg[256];
	json_t *rec;

	rec = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (rec == NULL) {
		qgtm_seterr(QGTM_EX_DATAERR, "%s:%lu: invalid JSON: %s",
		    t->path, tail_lineno(t, off), jerr.text);
		return NULL;
	}
	if (!json_is_object(rec))
		snprintf(msg, sizeof msg, "not a JSON object");
	else if (qgtm_json_str(rec, "type", &type) == -1)
		snprintf(msg, sizeof msg, "%s", qgtm_errmsg());
	else
		return rec;
	json_decref(rec);
	return qgtm_seterr(QGTM_EX_DATAERR, "%s:%lu: %s", t->path,
	    tail_lineno(t, off), msg), NULL;
}

/*
 * Keep rec as the newest record (last[i]) and the newest good one (ok[i])
 * of each feed names[i] it is of that has none yet. Returns how many
 * feeds found their newest good record in it.
 */
static size_t
health_note(json_t *names, json_t *rec, json_t **ok, json_t **last)
{
	const char *feed = json_string_value(json_object_get(rec, "feed"));
	const char *status = json_string_value(json_object_get(rec, "status"));
	size_t i, found = 0;
	json_t *v;

	json_array_foreach(names, i, v) {
		if (feed == NULL || strcmp(feed, json_string_value(v)) != 0)
			continue;
		if (last[i] == NULL)
			last[i] = json_incref(rec);
		if (ok[i] == NULL && status != NULL && strcmp(status, "ok") ==
		    0) {
			ok[i] = json_incref(rec);
			found++;
		}
	}
	return found;
}

/*
 * Read feeds.jsonl (t->path) from its end until each feed of names has
 * its newest good record, into ok and last (new references or NULL).
 * Returns 0 or -1.
 */
static int
health_scan(struct health_tail *t, json_t *names, json_t **ok, json_t **last)
{
	size_t left = json_array_size(names), len = 0;
	struct stat st;
	json_t *rec;
	char *line = NULL;
	off_t off = 0;
	int rc;

	if ((t->fd = open(t->path, O_RDONLY | O_CLOEXEC)) == -1)
		return errno == ENOENT ? 0 : qgtm_seterr_errno(QGTM_EX_NOINPUT,
		    "cannot open '%s'", t->path);
	if (fstat(t->fd, &st) == -1)
		rc = qgtm_seterr_errno(QGTM_EX_NOINPUT, "cannot open '%s'",
		    t->path);
	else if (S_ISDIR(st.st_mode))
		rc = qgtm_seterr(QGTM_EX_NOINPUT, "cannot read '%s': Is a "
		    "directory", t->path);
	else
		rc = 0;
	t->pos = rc == 0 ? st.st_size : 0;
	t->buf = qgtm_xcalloc(1, t->cap = 1);
	while (rc == 0 && left > 0 && (rc = tail_line(t, &line, &len,
	    &off)) == 1) {
		rc = 0;
		if (blank_line(line, len))
			continue;
		if ((rec = tail_record(t, line, len, off)) == NULL)
			rc = -1;
		else
			left -= health_note(names, rec, ok, last);
		json_decref(rec);
	}
	close(t->fd);
	free(t->buf);
	return rc == -1 ? -1 : 0;
}

/*
 * The newest records are at the end of feeds.jsonl: each feed's are read
 * back from there, and no further than its newest good fetch.
 */
json_t *
qgtm_feed_health(json_t *names, time_t now)
{
	struct health_tail t = { 0 };
	size_t i, n = json_array_size(names);
	json_t **ok = qgtm_xcalloc(n + 1, sizeof *ok);
	json_t **last = qgtm_xcalloc(n + 1, sizeof *last);
	json_t *out = NULL, *v;

	if ((t.path = qgtm_state_path("feeds.jsonl", 0)) != NULL &&
	    health_scan(&t, names, ok, last) == 0) {
		out = json_array();
		json_array_foreach(names, i, v)
			json_array_append_new(out, feed_health(
			    json_string_value(v), ok[i], last[i], now));
	}
	for (i = 0; i < n; i++) {
		json_decref(ok[i]);
		json_decref(last[i]);
	}
	free(ok);
	free(last);
	free(t.path);
	return out;
}
