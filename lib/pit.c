/*
 * pit.c: the point-in-time store. Each series is data/<source>/<series>.jsonl
 * under the state directory, oldest first, every record stamped with the
 * moment it became known (available_at). Readers get only what was
 * available at their as-of moment, so backtest and live see the same past.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qgtm.h"

#define PIT_LOCK_MS 10000

/* The path of a series file, directories created on demand. */
static char *
series_path(const char *source, const char *series, int mkdirs)
{
	char *rel = qgtm_xasprintf("data/%s/%s.jsonl", source, series);
	char *path = qgtm_state_path(rel, mkdirs);

	free(rel);
	return path;
}

/* Remember the last "date" seen (callback of qgtm_jsonl_each). */
static int
last_date_cb(json_t *rec, const struct qgtm_jsonl_pos *pos, void *arg)
{
	const char *date;

	(void)pos;
	if (qgtm_json_str(rec, "date", &date) == -1)
		return -1;
	snprintf(arg, 11, "%s", date);
	return 0;
}

int
qgtm_pit_last_date(const char *source, const char *series, char out[11])
{
	char *path = series_path(source, series, 0);
	char *argv[1] = { path };
	int rc = 0;

	out[0] = '\0';
	if (path == NULL)
		return -1;
	if (access(path, F_OK) == 0)
		rc = qgtm_jsonl_each(1, argv, 0, last_date_cb, out);
	free(path);
	return rc;
}

/* Serialize the records of recs dated after `after` into buf. */
static int
new_lines(json_t *recs, const char *after, struct qgtm_buf *buf, size_t *n)
{
	const char *date;
	json_t *rec;
	size_t i;
	char *line;

	*n = 0;
	json_array_foreach(recs, i, rec) {
		if (qgtm_json_str(rec, "date", &date) == -1)
			return -1;
		if (strcmp(date, after) <= 0)
			continue;
		line = json_dumps(rec, JSON_COMPACT);
		if (line == NULL)
			return qgtm_seterr(QGTM_EX_SOFTWARE, "cannot serialize record");
		qgtm_buf_addf(buf, "%s\n", line);
		free(line);
		(*n)++;
	}
	return 0;
}

int
qgtm_pit_store(const char *source, const char *series, json_t *recs,
    size_t *added)
{
	char *path = series_path(source, series, 1);
	char *lockpath, last[11];
	struct qgtm_buf buf;
	int lockfd, rc;

	*added = 0;
	if (path == NULL)
		return -1;
	lockpath = qgtm_xasprintf("%s.lock", path);
	lockfd = qgtm_lock(lockpath, PIT_LOCK_MS);
	free(lockpath);
	if (lockfd == -1) {
		free(path);
		return -1;
	}
	qgtm_buf_init(&buf, SIZE_MAX / 2);
	rc = qgtm_pit_last_date(source, series, last);
	if (rc == 0)
		rc = new_lines(recs, last, &buf, added);
	if (rc == 0 && buf.len > 0)
		rc = qgtm_append_fsync(path, buf.data, buf.len);
	if (rc == -1)
		*added = 0;
	qgtm_unlock(lockfd);
	qgtm_buf_release(&buf);
	free(path);
	return rc;
}

/* Parse one decimal price field of a bar record. */
static int
price_field(json_t *rec, const char *key, int64_t *out)
{
	const char *s;

	if (qgtm_json_str(rec, key, &s) == -1)
		return -1;
	if (qgtm_dec_parse(s, QGTM_PRICE_SCALE, out) == -1)
		return qgtm_seterr(QGTM_EX_DATAERR, "field '%s': %s", key,
		    qgtm_errmsg());
	return 0;
}

/* Turn a stored bar record into struct qgtm_bar. */
static int
parse_bar(json_t *rec, struct qgtm_bar *bar)
{
	const char *date, *avail;
	long long volume;

	if (qgtm_json_str(rec, "date", &date) == -1 ||
	    qgtm_json_str(rec, "available_at", &avail) == -1 ||
	    qgtm_json_int(rec, "volume", &volume) == -1 ||
	    price_field(rec, "open", &bar->open) == -1 ||
	    price_field(rec, "high", &bar->high) == -1 ||
	    price_field(rec, "low", &bar->low) == -1 ||
	    price_field(rec, "close", &bar->close) == -1)
		return -1;
	if (qgtm_time_parse(avail, &bar->available_at) == -1)
		return qgtm_seterr(QGTM_EX_DATAERR, "field 'available_at': %s",
		    qgtm_errmsg());
	if (strlen(date) != 10)
		return qgtm_seterr(QGTM_EX_DATAERR, "field 'date': expected YYYY-MM-DD");
	memcpy(bar->date, date, 11);
	bar->volume = volume;
	return 0;
}

struct bars_ctx {
	struct qgtm_series *s;
	size_t cap;
	time_t as_of;
};

/* Keep each bar available at the as-of moment (the as-of join). */
static int
bars_cb(json_t *rec, const struct qgtm_jsonl_pos *pos, void *arg)
{
	struct bars_ctx *ctx = arg;
	struct qgtm_bar bar;

	(void)pos;
	if (parse_bar(rec, &bar) == -1)
		return -1;
	if (bar.available_at > ctx->as_of)
		return 0;
	if (ctx->s->n > 0 &&
	    strcmp(bar.date, ctx->s->bars[ctx->s->n - 1].date) <= 0)
		return qgtm_seterr(QGTM_EX_DATAERR, "bar %s out of date order",
		    bar.date);
	if (ctx->s->n == ctx->cap) {
		ctx->cap = ctx->cap == 0 ? 512 : ctx->cap * 2;
		ctx->s->bars = qgtm_xrealloc(ctx->s->bars,
		    ctx->cap * sizeof *ctx->s->bars);
	}
	ctx->s->bars[ctx->s->n++] = bar;
	return 0;
}

int
qgtm_pit_bars(const char *source, const char *symbol, time_t as_of,
    struct qgtm_series *out)
{
	struct bars_ctx ctx = { out, 0, as_of };
	char *path = series_path(source, symbol, 0);
	char *argv[1] = { path };
	int rc = 0;

	memset(out, 0, sizeof *out);
	snprintf(out->symbol, sizeof out->symbol, "%s", symbol);
	if (path == NULL)
		return -1;
	if (access(path, F_OK) == 0)
		rc = qgtm_jsonl_each(1, argv, 0, bars_cb, &ctx);
	free(path);
	if (rc == -1)
		qgtm_series_release(out);
	return rc;
}

void
qgtm_series_release(struct qgtm_series *s)
{
	free(s->bars);
	s->bars = NULL;
	s->n = 0;
}

int
qgtm_pit_last_close(const char *source, const char *symbol, time_t as_of,
    int64_t *close, char *date)
{
	struct qgtm_series s;
	char ts[21];

	if (qgtm_pit_bars(source, symbol, as_of, &s) == -1)
		return -1;
	if (s.n == 0) {
		qgtm_series_release(&s);
		return qgtm_seterr(QGTM_EX_DATAERR, "no price for %s as of %s",
		    symbol, qgtm_time_fmt(as_of, ts));
	}
	*close = s.bars[s.n - 1].close;
	if (date != NULL)
		memcpy(date, s.bars[s.n - 1].date, 11);
	qgtm_series_release(&s);
	return 0;
}
