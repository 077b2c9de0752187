/*
 * pit.c: the point-in-time store. Each series is data/<source>/<series>.jsonl
 * under the state directory, oldest first, every record stamped with the
 * moment it became known (available_at). Readers get only what was
 * available at their as-of moment, so backtest and live see the same past.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/data.h"

#define PIT_LOCK_MS 10000

static void cache_forget(const char *);
static int same_file(const struct stat *, const struct stat *);

/* Where the as-of reads are noted (qgtm_pit_lineage()), or NULL. */
static json_t *lineage_sink;

void
qgtm_pit_lineage(json_t *sink)
{
	lineage_sink = sink;
}

/* Note one as-of read in the lineage sink, when there is one: n rows of
 * source/series, the newest dated last_date, known since newest. */
static void
lineage_note(const char *source, const char *series, time_t as_of, size_t n,
    const char *last_date, time_t newest)
{
	char key[96], ts[21];
	json_t *e;

	if (lineage_sink == NULL)
		return;
	snprintf(key, sizeof key, "%s/%s", source, series);
	e = json_pack("{s:s,s:s,s:s,s:I}", "source", source, "series", series,
	    "as_of", qgtm_time_fmt(as_of, ts), "rows", (json_int_t)n);
	json_object_set_new(e, "last_date",
	    n > 0 ? json_string(last_date) : json_null());
	json_object_set_new(e, "last_available_at",
	    n > 0 ? json_string(qgtm_time_fmt(newest, ts)) : json_null());
	json_object_set_new(lineage_sink, key, e);
}

/* The path of a series file, directories created on demand. */
static char *
series_path(const char *source, const char *series, int mkdirs)
{
	size_t ls = strlen(source), ln = strlen(series);
	char *rel = qgtm_xmalloc(5 + ls + 1 + ln + 7), *path;

	memcpy(rel, "data/", 5);        /* no printf: every read asks */
	memcpy(rel + 5, source, ls);
	rel[5 + ls] = '/';
	memcpy(rel + 6 + ls, series, ln);
	memcpy(rel + 6 + ls + ln, ".jsonl", 7);
	path = qgtm_state_path(rel, mkdirs);
	free(rel);
	return path;
}

/*
 * The stored records of one series by date: date -> the record with the
 * greatest available_at (ties: the later line). Also tracks the newest date.
 */
struct index_ctx {
	json_t *bydate;
	char last[11];
};

/* Note rec, of date known since avail, in ctx. */
static void
index_note(struct index_ctx *ctx, const char *date, const char *avail,
    json_t *rec)
{
	const char *prev_avail;
	json_t *prev;

	prev = json_object_get(ctx->bydate, date);
	prev_avail = json_string_value(json_object_get(prev, "available_at"));
	if (prev == NULL || strcmp(avail, prev_avail) >= 0)
		json_object_set(ctx->bydate, date, rec);
	if (strcmp(date, ctx->last) > 0)
		snprintf(ctx->last, sizeof ctx->last, "%s", date);
}

static int
index_cb(json_t *rec, const struct qgtm_jsonl_pos *pos, void *arg)
{
	const char *date, *avail;

	(void)pos;
	if (qgtm_json_str(rec, "date", &date) == -1 ||
	    qgtm_json_str(rec, "available_at", &avail) == -1)
		return -1;
	index_note(arg, date, avail, rec);
	return 0;
}

static int index_fast(const char *, struct index_ctx *);

/* Read the index of a series; a missing file is an empty one. */
static int
read_index(const char *path, struct index_ctx *ctx)
{
	char *argv[1] = { (char *)path };

	ctx->bydate = json_object();
	ctx->last[0] = '\0';
	if (access(path, F_OK) == 0 && index_fast(path, ctx) == -1 &&
	    qgtm_jsonl_each(1, argv, 0, index_cb, ctx) == -1) {
		json_decref(ctx->bydate);
		ctx->bydate = NULL;
		return -1;
	}
	return 0;
}

/*
 * The indexes qgtm_pit_last_date read, kept for the qgtm_pit_store of the
 * same series that usually follows (qgtm-fetch, the feeds), so that the
 * file is parsed once, not twice. An index is used only when its file is
 * unchanged since (same_file: inode, size, mtime, stat before the read, so
 * a later append makes it stale) and only once; at most INDEX_MEMO_MAX.
 */
#define INDEX_MEMO_MAX 32

struct index_memo {
	struct index_memo *next;
	char *path;
	struct stat st;
	json_t *bydate;
	char last[11];
};

static struct index_memo *index_memos;

/* Remove and return the memo of path, or NULL. */
static struct index_memo *
index_memo_take(const char *path)
{
	struct index_memo **pp, *m;

	for (pp = &index_memos; (m = *pp) != NULL; pp = &m->next)
		if (strcmp(m->path, path) == 0) {
			*pp = m->next;
			return m;
		}
	return NULL;
}

static void
index_memo_free(struct index_memo *m)
{
	json_decref(m->bydate);
	free(m->path);
	free(m);
}

/* Keep ctx, read from path as st was, for one later read of the index. */
static void
index_memo_keep(const char *path, const struct stat *st,
    const struct index_ctx *ctx)
{
	struct index_memo *m, **pp;
	size_t n = 0;

	if ((m = index_memo_take(path)) != NULL)
		index_memo_free(m);
	m = qgtm_xcalloc(1, sizeof *m);
	m->path = qgtm_xstrdup(path);
	m->st = *st;
	m->bydate = json_incref(ctx->bydate);
	memcpy(m->last, ctx->last, sizeof m->last);
	m->next = index_memos;
	index_memos = m;
	for (pp = &index_memos; *pp != NULL && ++n <= INDEX_MEMO_MAX;
	    pp = &(*pp)->next)
		;
	while ((m = *pp) != NULL) {
		*pp = m->next;
		index_memo_free(m);
	}
}

/*
 * The index of path as read_index gives it: the kept one when the file is
 * unchanged since it was read, else read now.
 */
static int
read_index_once(const char *path, struct index_ctx *ctx)
{
	struct index_memo *m = index_memo_take(path);
	struct stat st;

	if (m != NULL && stat(path, &st) == 0 && same_file(&st, &m->st)) {
		ctx->bydate = json_incref(m->bydate);
		memcpy(ctx->last, m->last, sizeof ctx->last);
		index_memo_free(m);
		return 0;
	}
	if (m != NULL)
		index_memo_free(m);
	return read_index(path, ctx);
}

int
qgtm_pit_last_date(const char *source, const char *series, char out[11])
{
	char *path = series_path(source, series, 0);
	struct index_ctx ctx;
	struct stat st;
	int known;

	out[0] = '\0';
	if (path == NULL)
		return -1;
	known = stat(path, &st) == 0;
	if (read_index_once(path, &ctx) == -1) {
		free(path);
		return -1;
	}
	memcpy(out, ctx.last, sizeof ctx.last);
	if (known)
		index_memo_keep(path, &st, &ctx);
	json_decref(ctx.bydate);
	free(path);
	return 0;
}

/*
 * Is rec news to the store? Yes when its date is not stored, or when it
 * revises the value known for that date with a later available_at.
 */
static int
is_new(json_t *bydate, json_t *rec, int *yes)
{
	const char *date, *avail;
	json_t *prev;

	*yes = 0;
	if (qgtm_json_str(rec, "date", &date) == -1 ||
	    qgtm_json_str(rec, "available_at", &avail) == -1)
		return -1;
	prev = json_object_get(bydate, date);
	if (prev == NULL)
		*yes = 1;
	else if (!json_equal(json_object_get(prev, "value"),
	    json_object_get(rec, "value")))
		*yes = strcmp(avail, json_string_value(json_object_get(prev,
		    "available_at"))) > 0;
	if (*yes)
		json_object_set(bydate, date, rec);
	return 0;
}

/* Serialize the new records of recs into buf. */
static int
new_lines(json_t *recs, json_t *bydate, struct qgtm_buf *buf, size_t *n)
{
	json_t *rec;
	size_t i;
	char *line;
	int yes;

	*n = 0;
	json_array_foreach(recs, i, rec) {
		if (is_new(bydate, rec, &yes) == -1)
			return -1;
		if (!yes)
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
	struct index_ctx ctx;
	struct qgtm_buf buf;
	char *lockpath;
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
	rc = read_index_once(path, &ctx);
	if (rc == 0) {
		rc = new_lines(recs, ctx.bydate, &buf, added);
		json_decref(ctx.bydate);
	}
	if (rc == 0 && buf.len > 0)
		rc = qgtm_append_fsync(path, buf.data, buf.len);
	if (buf.len > 0)
		cache_forget(path);
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
	if (*out <= 0)
		return qgtm_seterr(QGTM_EX_DATAERR, "field '%s': a price must "
		    "be positive", key);
	return 0;
}

/* Whether a bar of symbol sym belongs in the store's series: SYM, or
 * SYM@TIMEFRAME for intraday bars (lib/data/feed/alpaca.c). */
static int
of_series(const char *sym, const char *series)
{
	size_t n = strlen(sym);

	return strncmp(sym, series, n) == 0 &&
	    (series[n] == '\0' || series[n] == '@');
}

/* Turn a stored bar record of series into struct qgtm_bar. */
static int
parse_bar(json_t *rec, const char *series, struct qgtm_bar *bar)
{
	const char *date, *avail, *sym;
	long long volume;

	if (qgtm_json_str(rec, "symbol", &sym) == -1)
		return -1;
	if (!of_series(sym, series))
		return qgtm_seterr(QGTM_EX_DATAERR, "a bar of another symbol in "
		    "the store of %s", series);
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
	const char *symbol;     /* the file's own */
};

/* Append bar, which must come after the last in date order. */
static int
bar_push(struct bars_ctx *ctx, const struct qgtm_bar *bar)
{
	if (ctx->s->n > 0 &&
	    strcmp(bar->date, ctx->s->bars[ctx->s->n - 1].date) <= 0)
		return qgtm_seterr(QGTM_EX_DATAERR, "bar %s out of date order",
		    bar->date);
	if (ctx->s->n == ctx->cap) {
		ctx->cap = ctx->cap == 0 ? 512 : ctx->cap * 2;
		ctx->s->bars = qgtm_xrealloc(ctx->s->bars,
		    ctx->cap * sizeof *ctx->s->bars);
	}
	ctx->s->bars[ctx->s->n++] = *bar;
	return 0;
}

/* Append each bar in date order (callback of qgtm_jsonl_each). */
static int
bars_cb(json_t *rec, const struct qgtm_jsonl_pos *pos, void *arg)
{
	struct bars_ctx *ctx = arg;
	struct qgtm_bar bar;

	(void)pos;
	if (parse_bar(rec, ctx->symbol, &bar) == -1)
		return -1;
	return bar_push(ctx, &bar);
}

/*
 * A fast reader of the lines the store writes (qgtm_bar_line(), the
 * feeds' json_dumps(JSON_COMPACT)): a flat compact object whose keys and
 * strings are printable ASCII without escapes and whose other values are
 * integers or null. A file with any other line (blanks inside, escapes,
 * reals, nesting, a repeated key, a bar the checks refuse) is read again
 * by qgtm_jsonl_each() and jansson, which give the same records or the
 * error, so the fast reader never changes what a read returns.
 */
#define FLAT_MAX 24

struct flat {
	size_t n;
	struct {
		const char *k, *v;
		size_t kn, vn;
		char kind;      /* 's' string, 'i' integer, 'n' null */
	} f[FLAT_MAX];
};

/* The closing quote of the plain string that starts at p, or NULL. */
static const char *
flat_plain(const char *p, const char *e)
{
	for (; p < e && *p != '"'; p++)
		if (*p < 0x20 || *p > 0x7e || *p == '\\')
			return NULL;
	return p < e ? p : NULL;
}

/* The end of the JSON integer at p (at most 18 digits), or NULL. */
static const char *
flat_int(const char *p, const char *e)
{
	const char *d;

	if (p < e && *p == '-')
		p++;
	if (p < e && *p == '0')
		return p + 1;
	for (d = p; p < e && *p >= '0' && *p <= '9'; p++)
		;
	return p > d && p - d <= 18 && *d != '0' ? p : NULL;
}

/* Split the n bytes at p, one line, into fl; -1 when it is not flat. */
static int
flat_scan(const char *p, size_t n, struct flat *fl)
{
	const char *e = p + n, *k, *v;
	uint64_t seen = 0, bit;
	size_t i, kn;
	char kind;

	fl->n = 0;
	if (n < 3 || *p++ != '{' || e[-1] != '}')
		return -1;
	for (;;) {
		if (fl->n == FLAT_MAX || *p != '"' ||
		    (p = flat_plain(k = p + 1, e)) == NULL)
			return -1;
		kn = (size_t)(p++ - k);
		if (*p++ != ':')
			return -1;
		v = p;
		if (*p == '"') {
			kind = 's';
			if ((p = flat_plain(++v, e)) == NULL)
				return -1;
		} else if (e - p >= 4 && memcmp(p, "null", 4) == 0) {
			kind = 'n';
			p += 4;
		} else if ((p = flat_int(p, e)) != NULL)
			kind = 'i';
		else
			return -1;
		bit = 1ULL << ((kn * 31 + (unsigned char)k[0] +
		    (unsigned char)k[kn > 0 ? kn - 1 : 0]) % 64);
		for (i = 0; (seen & bit) && i < fl->n; i++)
			if (fl->f[i].kn == kn && memcmp(fl->f[i].k, k, kn) == 0)
				return -1;
		seen |= bit;
		fl->f[fl->n].k = k;
		fl->f[fl->n].kn = kn;
		fl->f[fl->n].v = v;
		fl->f[fl->n].vn = (size_t)(p - v);
		fl->f[fl->n++].kind = kind;
		if (kind == 's')
			p++;
		if (p == e - 1)
			return 0;
		if (*p++ != ',')
			return -1;
	}
}

/* Copy the value of key of kind into out (NUL-terminated, size bytes at
 * most); -1 when it is absent, of another kind or too long. */
static int
flat_get(const struct flat *fl, const char *key, char kind, char *out,
    size_t size)
{
	size_t i, kn = strlen(key);

	for (i = 0; i < fl->n; i++)
		if (fl->f[i].kn == kn && fl->f[i].k[0] == key[0] &&
		    memcmp(fl->f[i].k, key, kn) == 0) {
			if (fl->f[i].kind != kind || fl->f[i].vn >= size)
				return -1;
			memcpy(out, fl->f[i].v, fl->f[i].vn);
			out[fl->f[i].vn] = '\0';
			return 0;
		}
	return -1;
}

/* parse_bar of a flat line; -1 (no error to report) when it refuses it. */
static int
flat_bar(const struct flat *fl, const char *series, struct qgtm_bar *bar)
{
	static const char *const price[] = { "open", "high", "low", "close" };
	int64_t *to[] = { &bar->open, &bar->high, &bar->low, &bar->close };
	char sym[64], avail[32], vol[24], v[64];
	size_t i;

	if (flat_get(fl, "type", 's', v, sizeof v) == -1 ||
	    flat_get(fl, "symbol", 's', sym, sizeof sym) == -1 ||
	    !of_series(sym, series) ||
	    flat_get(fl, "date", 's', bar->date, sizeof bar->date) == -1 ||
	    strlen(bar->date) != 10 ||
	    flat_get(fl, "available_at", 's', avail, sizeof avail) == -1 ||
	    qgtm_time_parse(avail, &bar->available_at) == -1 ||
	    flat_get(fl, "volume", 'i', vol, sizeof vol) == -1)
		return -1;
	bar->volume = strtoll(vol, NULL, 10);
	for (i = 0; i < 4; i++)
		if (flat_get(fl, price[i], 's', v, sizeof v) == -1 ||
		    qgtm_dec_parse(v, QGTM_PRICE_SCALE, to[i]) == -1 ||
		    *to[i] <= 0)
			return -1;
	return 0;
}

/* The whole file at path as a new NUL-terminated buffer of *len bytes,
 * or NULL. */
static char *
slurp(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return NULL;
	}
	buf = qgtm_xmalloc((size_t)st.st_size + 1);
	*len = 0;
	while ((r = read(fd, buf + *len, (size_t)st.st_size - *len)) > 0)
		*len += (size_t)r;
	close(fd);
	if (r == -1) {
		free(buf);
		return NULL;
	}
	buf[*len] = '\0';
	return buf;
}

/* Scan the n bytes at p, one line, into fl: 1 when it is blank (only
 * spaces, tabs and a "\r", which lib/base/jsonl.c skips), 0 when flat,
 * -1 otherwise. */
static int
flat_line(const char *p, size_t n, struct flat *fl)
{
	const char *q;

	for (q = p; q < p + n && (*q == ' ' || *q == '\t' || *q == '\r'); q++)
		;
	if (q == p + n)
		return 1;
	return n < QGTM_JSONL_MAX_LINE - 1 ? flat_scan(p, n, fl) : -1;
}

/* What flat_each does with a line: 0 to go on, -1 to refuse it. */
typedef int flat_fn(const struct flat *, void *);

/* Feed each flat line of the file at path to fn, blank ones skipped;
 * -1 when a line is not flat, fn refuses one, or the file cannot be
 * read (the caller then reads the file with jansson). */
static int
flat_each(const char *path, flat_fn *fn, void *arg)
{
	const char *p, *nl, *end;
	struct flat fl;
	size_t len;
	char *buf;
	int rc = 0;

	if ((buf = slurp(path, &len)) == NULL)
		return -1;
	end = buf + len;
	for (p = buf; p < end && rc >= 0; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if ((rc = flat_line(p, (size_t)(nl - p), &fl)) == 0)
			rc = fn(&fl, arg);
	}
	free(buf);
	return rc < 0 ? -1 : 0;
}

/* The part of a flat line the index keeps (is_new() reads no more): its
 * available_at and value, as a new object. */
static json_t *
flat_index_rec(const struct flat *fl, const char *avail)
{
	json_t *rec = json_pack("{s:s}", "available_at", avail), *v = NULL;
	size_t i;

	for (i = 0; i < fl->n; i++)
		if (fl->f[i].kn == 5 && memcmp(fl->f[i].k, "value", 5) == 0) {
			if (fl->f[i].kind == 's')
				v = json_stringn(fl->f[i].v, fl->f[i].vn);
			else if (fl->f[i].kind == 'n')
				v = json_null();
			else
				v = json_integer(strtoll(fl->f[i].v, NULL, 10));
			json_object_set_new(rec, "value", v);
		}
	return rec;
}

/* Note one flat line in the index ctx (a flat_fn). */
static int
index_flat(const struct flat *fl, void *arg)
{
	char date[64], avail[64], t[64];
	json_t *rec;

	if (flat_get(fl, "type", 's', t, sizeof t) == -1 ||
	    flat_get(fl, "date", 's', date, sizeof date) == -1 ||
	    flat_get(fl, "available_at", 's', avail, sizeof avail) == -1)
		return -1;
	rec = flat_index_rec(fl, avail);
	index_note(arg, date, avail, rec);
	json_decref(rec);
	return 0;
}

/* The index of the file at path into ctx (its bydate empty) when every
 * line is flat; -1 otherwise, ctx then emptied. */
static int
index_fast(const char *path, struct index_ctx *ctx)
{
	if (flat_each(path, index_flat, ctx) == 0)
		return 0;
	json_object_clear(ctx->bydate);
	ctx->last[0] = '\0';
	return -1;
}

/* Append the bar of one flat line to the bars_ctx arg (a flat_fn). */
static int
bars_flat(const struct flat *fl, void *arg)
{
	struct bars_ctx *ctx = arg;
	struct qgtm_bar bar;

	if (flat_bar(fl, ctx->symbol, &bar) == -1)
		return -1;
	return bar_push(ctx, &bar);
}

/* The bars of the file at path into ctx when every line is flat and a
 * good bar in date order; -1 otherwise (ctx's bars then undefined). */
static int
bars_fast(const char *path, struct bars_ctx *ctx)
{
	return flat_each(path, bars_flat, ctx);
}

/*
 * A process-local cache of parsed bar files. A backtest asks for the same
 * series every session; a file is parsed again only when its inode, size
 * or mtime changed (appends change the size, replacements the inode).
 * A parsed file is a reference-counted block: the cache holds one
 * reference and each series borrowing a prefix of it another, so a file
 * parsed anew never pulls bars from under a series still in use.
 */
#define BAR_CACHE_SLOTS 64

/* One memo of qgtm_series_causal: a derived value per bar of a block. */
struct causal_memo {
	char key[64];
	double *v;              /* one per bar of the block */
	struct causal_memo *next;
};

struct qgtm_bar_block {
	struct qgtm_series all;
	unsigned refs;
	int in_order;           /* available_at never decreases */
	struct causal_memo *memos;
};

struct bar_file {
	char *path;
	uint64_t hash;          /* path_hash(path) */
	struct stat st;
	struct qgtm_bar_block *block;
};

static struct bar_file bar_cache[BAR_CACHE_SLOTS];
static unsigned bar_cache_next;

/* Set by qgtm_pit_private(): a cached file is trusted without a stat. */
static int pit_private;

void
qgtm_pit_private(int on)
{
	if (on && !pit_private)
		qgtm_pit_cache_drop();
	pit_private = on;
}

/* FNV-1a of a path, so that a lookup compares whole paths (which share
 * the state directory's long prefix) only on a likely hit. */
static uint64_t
path_hash(const char *path)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *path != '\0'; path++)
		h = (h ^ (unsigned char)*path) * 1099511628211ULL;
	return h;
}

static void
block_unref(struct qgtm_bar_block *b)
{
	struct causal_memo *m;

	if (b != NULL && --b->refs == 0) {
		while ((m = b->memos) != NULL) {
			b->memos = m->next;
			free(m->v);
			free(m);
		}
		free(b->all.bars);
		free(b);
	}
}

static int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Mark whether b's bars are in available_at order. */
static void
block_finish(struct qgtm_bar_block *b)
{
	size_t i;

	b->in_order = 1;
	for (i = 1; i < b->all.n && b->in_order; i++)
		b->in_order = b->all.bars[i].available_at >=
		    b->all.bars[i - 1].available_at;
}

/* Parse the bar file of symbol at path into a new block (one reference),
 * or NULL. */
static struct qgtm_bar_block *
block_parse(const char *path, const char *symbol)
{
	struct qgtm_bar_block *b = qgtm_xcalloc(1, sizeof *b);
	struct bars_ctx ctx = { &b->all, 0, symbol };
	char *argv[1] = { (char *)path };

	b->refs = 1;
	if (bars_fast(path, &ctx) == 0) {
		block_finish(b);
		return b;
	}
	b->all.n = 0;
	if (qgtm_jsonl_each(1, argv, 0, bars_cb, &ctx) == -1) {
		block_unref(b);
		return NULL;
	}
	block_finish(b);
	return b;
}

/* The cache slot of path, or NULL. */
static struct bar_file *
cache_find(const char *path)
{
	uint64_t h = path_hash(path);
	unsigned i;

	for (i = 0; i < BAR_CACHE_SLOTS; i++)
		if (bar_cache[i].path != NULL && bar_cache[i].hash == h &&
		    strcmp(bar_cache[i].path, path) == 0)
			return &bar_cache[i];
	return NULL;
}

/* Forget the cached bars of path, if any (its file was just written). */
static void
cache_forget(const char *path)
{
	struct bar_file *f = cache_find(path);

	if (f != NULL) {
		free(f->path);
		block_unref(f->block);
		memset(f, 0, sizeof *f);
	}
}

/* Cache b (its reference passes to the cache) as the file at path with
 * status st, in path's slot or the next one. */
static void
cache_put(const char *path, const struct stat *st, struct qgtm_bar_block *b)
{
	struct bar_file *f = cache_find(path);

	if (f == NULL)
		f = &bar_cache[bar_cache_next++ % BAR_CACHE_SLOTS];
	free(f->path);
	block_unref(f->block);
	f->path = qgtm_xstrdup(path);
	f->hash = path_hash(path);
	f->st = *st;
	f->block = b;
}

void
qgtm_pit_cache_drop(void)
{
	unsigned i;

	for (i = 0; i < BAR_CACHE_SLOTS; i++) {
		free(bar_cache[i].path);
		block_unref(bar_cache[i].block);
	}
	memset(bar_cache, 0, sizeof bar_cache);
	bar_cache_next = 0;
}

/* Every bar of symbol's file at path (borrowed from the cache), or NULL. */
static struct qgtm_bar_block *
bar_file_load(const char *path, const char *symbol, const struct stat *st)
{
	struct bar_file *f = cache_find(path);
	struct qgtm_bar_block *b;

	if (f != NULL && same_file(&f->st, st))
		return f->block;
	if ((b = block_parse(path, symbol)) == NULL)
		return NULL;
	cache_put(path, st, b);
	return b;
}

/* The count of bars of b known at as_of when b is in available_at order:
 * the first index whose available_at is later (binary search). */
static size_t
known_prefix(const struct qgtm_bar_block *b, time_t as_of)
{
	size_t lo = 0, hi = b->all.n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (b->all.bars[mid].available_at <= as_of)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The bars of symbol's file at path known at as_of into out, a
 * prefix borrowed from the cache when the file is in available_at order,
 * else a copy. A file that does not exist gives n = 0. Returns 0 or -1. */
static int
bars_as_of(const char *path, const char *symbol, time_t as_of,
    struct qgtm_series *out)
{
	struct qgtm_bar_block *b;
	struct bar_file *f;
	struct stat st;
	size_t i;

	if (pit_private && (f = cache_find(path)) != NULL)
		b = f->block;
	else if (stat(path, &st) == -1)
		return errno == ENOENT ? 0 : qgtm_seterr_errno(QGTM_EX_NOINPUT,
		    "cannot read '%s'", path);
	else if ((b = bar_file_load(path, symbol, &st)) == NULL)
		return -1;
	if (b->in_order) {
		out->n = known_prefix(b, as_of);
		out->bars = b->all.bars;
		out->block = b;
		b->refs++;
		return 0;
	}
	out->bars = qgtm_xcalloc(b->all.n, sizeof *out->bars);
	for (i = 0; i < b->all.n; i++)
		if (b->all.bars[i].available_at <= as_of)
			out->bars[out->n++] = b->all.bars[i];
	return 0;
}

int
qgtm_pit_bars(const char *source, const char *symbol, time_t as_of,
    struct qgtm_series *out)
{
	char *path = series_path(source, symbol, 0);
	int rc;

	memset(out, 0, sizeof *out);
	snprintf(out->symbol, sizeof out->symbol, "%s", symbol);
	if (path == NULL)
		return -1;
	rc = bars_as_of(path, symbol, as_of, out);
	free(path);
	if (rc == 0)
		lineage_note(source, symbol, as_of, out->n,
		    out->n > 0 ? out->bars[out->n - 1].date : NULL,
		    out->n > 0 ? out->bars[out->n - 1].available_at : 0);
	return rc;
}

void
qgtm_series_release(struct qgtm_series *s)
{
	if (s->block != NULL)
		block_unref(s->block);
	else
		free(s->bars);
	s->block = NULL;
	s->bars = NULL;
	s->n = 0;
}

/* The memo of key in b, made by fill over all of b's bars if new. */
static const double *
block_memo(struct qgtm_bar_block *b, const char *key, qgtm_causal_fill *fill,
    const void *arg)
{
	struct causal_memo *m;

	for (m = b->memos; m != NULL; m = m->next)
		if (strcmp(m->key, key) == 0)
			return m->v;
	m = qgtm_xcalloc(1, sizeof *m);
	snprintf(m->key, sizeof m->key, "%s", key);
	m->v = qgtm_xcalloc(b->all.n > 0 ? b->all.n : 1, sizeof *m->v);
	fill(b->all.bars, b->all.n, m->v, arg);
	m->next = b->memos;
	b->memos = m;
	return m->v;
}

double
qgtm_series_causal(const struct qgtm_series *s, size_t i, const char *key,
    qgtm_causal_fill *fill, const void *arg)
{
	double *v, x;

	if (s->block != NULL)
		return block_memo(s->block, key, fill, arg)[i];
	v = qgtm_xcalloc(s->n > 0 ? s->n : 1, sizeof *v);
	fill(s->bars, s->n, v, arg);
	x = v[i];
	free(v);
	return x;
}

/* Append s to buf as the text of a JSON string (RFC 8259 section 7:
 * quotation mark, reverse solidus and the control characters escaped),
 * each run of plain characters in one piece. */
static int
json_text(struct qgtm_buf *buf, const char *s)
{
	const unsigned char *c = (const unsigned char *)s, *run;
	int rc = qgtm_buf_add(buf, "\"", 1);

	while (*c != '\0' && rc == 0) {
		for (run = c; *c >= 0x20 && *c != '"' && *c != '\\'; c++)
			;
		if (c > run)
			rc = qgtm_buf_add(buf, run, (size_t)(c - run));
		else if (*c == '"' || *c == '\\')
			rc = qgtm_buf_addf(buf, "\\%c", *c++);
		else
			rc = qgtm_buf_addf(buf, "\\u%04x", *c++);
	}
	return rc == 0 ? qgtm_buf_add(buf, "\"", 1) : -1;
}

/* A line under construction: text appended at p, never past end. */
struct line {
	char *p, *end;
};

/* Append the n bytes of s (truncated at the end of the line, which
 * then cannot hold the record: the caller checks for that). */
static void
line_add(struct line *l, const char *s, size_t n)
{
	if (n > (size_t)(l->end - l->p))
		n = (size_t)(l->end - l->p);
	memcpy(l->p, s, n);
	l->p += n;
}

static void
line_str(struct line *l, const char *s)
{
	line_add(l, s, strlen(s));
}

/* Append the decimal v of scale places. */
static void
line_dec(struct line *l, int64_t v, int scale)
{
	char d[48];

	line_str(l, qgtm_dec_fmt(v, scale, d, sizeof d));
}

/* Append the fields of bar from "date" on, one append at a time rather
 * than a formatted print: writing the store is most of a backtest's
 * set-up. */
static int
bar_fields(struct qgtm_buf *buf, const struct qgtm_bar *bar, const char *ts)
{
	char text[320];
	struct line l = { text, text + sizeof text };

	line_add(&l, ",\"date\":\"", 9);
	line_add(&l, bar->date, strnlen(bar->date, 10));
	line_str(&l, "\",\"open\":\"");
	line_dec(&l, bar->open, QGTM_PRICE_SCALE);
	line_str(&l, "\",\"high\":\"");
	line_dec(&l, bar->high, QGTM_PRICE_SCALE);
	line_str(&l, "\",\"low\":\"");
	line_dec(&l, bar->low, QGTM_PRICE_SCALE);
	line_str(&l, "\",\"close\":\"");
	line_dec(&l, bar->close, QGTM_PRICE_SCALE);
	line_str(&l, "\",\"volume\":");
	line_dec(&l, bar->volume, 0);
	line_str(&l, ",\"available_at\":\"");
	line_str(&l, ts);
	line_str(&l, "\"}\n");
	if (l.p == l.end)
		return qgtm_seterr(QGTM_EX_SOFTWARE, "bar line too long");
	return qgtm_buf_add(buf, text, (size_t)(l.p - text));
}

int
qgtm_bar_line(struct qgtm_buf *buf, const char *source, const char *symbol,
    const struct qgtm_bar *bar)
{
	char ts[21], head[64];
	int n;

	qgtm_time_fmt(bar->available_at, ts);
	n = snprintf(head, sizeof head,
	    "{\"type\":\"bar\",\"v\":%d,\"ts\":\"%s\",\"src\":",
	    QGTM_RECORD_VERSION, ts);
	if (n < 0 || (size_t)n >= sizeof head ||
	    qgtm_buf_add(buf, head, (size_t)n) == -1 ||
	    json_text(buf, qgtm_progname) == -1 ||
	    qgtm_buf_add(buf, ",\"source\":", 10) == -1 ||
	    json_text(buf, source) == -1 ||
	    qgtm_buf_add(buf, ",\"symbol\":", 10) == -1 ||
	    json_text(buf, symbol) == -1)
		return -1;
	return bar_fields(buf, bar, ts);
}

json_t *
qgtm_bar_record(const char *source, const char *symbol,
    const struct qgtm_bar *bar)
{
	struct qgtm_buf buf;
	json_t *rec = NULL;

	qgtm_buf_init(&buf, 4096);
	if (qgtm_bar_line(&buf, source, symbol, bar) == 0)
		rec = json_loadb(buf.data, buf.len, 0, NULL);
	qgtm_buf_release(&buf);
	if (rec == NULL)
		qgtm_seterr(QGTM_EX_SOFTWARE, "cannot make the bar record of "
		    "%.16s on %.10s", symbol, bar->date);
	return rec;
}

/* Check that the bars of s can be a series: dates increasing, prices
 * positive. */
static int
check_bars(const struct qgtm_series *s)
{
	const struct qgtm_bar *b;
	size_t i;

	for (i = 0; i < s->n; i++) {
		b = &s->bars[i];
		if (i > 0 && strcmp(b->date, s->bars[i - 1].date) <= 0)
			return qgtm_seterr(QGTM_EX_DATAERR, "bar %.10s of %s "
			    "out of date order", b->date, s->symbol);
		if (b->open <= 0 || b->high <= 0 || b->low <= 0 ||
		    b->close <= 0)
			return qgtm_seterr(QGTM_EX_DATAERR, "bar %.10s of %s: "
			    "a price must be positive", b->date, s->symbol);
	}
	return 0;
}

/* Write the lines of s to the new file at path (under its lock) and cache
 * them as its bars. */
static int
create_locked(const char *path, const char *source, const struct qgtm_series *s)
{
	struct qgtm_bar_block *b;
	struct qgtm_buf buf;
	struct stat st;
	size_t i;
	int rc = 0;

	if (stat(path, &st) == 0 && st.st_size > 0)
		return qgtm_seterr(QGTM_EX_CANTCREAT, "'%s' already holds "
		    "records", path);
	qgtm_buf_init(&buf, SIZE_MAX / 2);
	for (i = 0; i < s->n && rc == 0; i++)
		rc = qgtm_bar_line(&buf, source, s->symbol, &s->bars[i]);
	if (rc == 0 && buf.len > 0)
		rc = qgtm_append_fsync(path, buf.data, buf.len);
	qgtm_buf_release(&buf);
	if (rc == 0 && s->n > 0 && stat(path, &st) == 0) {
		b = qgtm_xcalloc(1, sizeof *b);
		b->refs = 1;
		b->all.bars = qgtm_xcalloc(s->n, sizeof *b->all.bars);
		memcpy(b->all.bars, s->bars, s->n * sizeof *s->bars);
		b->all.n = s->n;
		snprintf(b->all.symbol, sizeof b->all.symbol, "%s", s->symbol);
		block_finish(b);
		cache_put(path, &st, b);
	}
	return rc;
}

int
qgtm_pit_create_bars(const char *source, const struct qgtm_series *s)
{
	char *path, *lockpath;
	int lockfd, rc;

	if (check_bars(s) == -1 ||
	    (path = series_path(source, s->symbol, 1)) == NULL)
		return -1;
	lockpath = qgtm_xasprintf("%s.lock", path);
	lockfd = qgtm_lock(lockpath, PIT_LOCK_MS);
	free(lockpath);
	rc = lockfd == -1 ? -1 : create_locked(path, source, s);
	if (lockfd != -1)
		qgtm_unlock(lockfd);
	free(path);
	return rc;
}

/*
 * The last bar of symbol's file at path known at as_of, read from the end
 * of the file, TAIL_MAX bytes at most. Returns 1 with *out set, or 0 when
 * the tail does not settle it (a line not flat or refused, dates out of
 * order, no bar known at as_of there, a read error): the caller then
 * reads the whole file.
 */
#define TAIL_MAX 65536

static int
tail_last_bar(const char *path, const char *symbol, time_t as_of,
    struct qgtm_bar *out)
{
	char *buf, *start, *b, *e, later[11] = "";
	struct qgtm_bar bar;
	struct flat fl;
	struct stat st;
	size_t len, got = 0;
	ssize_t r = 0;
	off_t off;
	int fd, line, rc = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 0;
	}
	len = st.st_size < TAIL_MAX ? (size_t)st.st_size : TAIL_MAX;
	off = st.st_size - (off_t)len;
	buf = qgtm_xmalloc(len + 1);
	while (got < len && (r = pread(fd, buf + got, len - got,
	    off + (off_t)got)) > 0)
		got += (size_t)r;
	close(fd);
	start = buf;
	/* Only whole lines: from the first line start inside the tail. */
	if (got < len || (off > 0 && (start = memchr(buf, '\n', len)) == NULL)) {
		free(buf);
		return 0;
	}
	if (off > 0)
		start++;
	for (e = buf + len; rc == 0 && e > start; e = b - 1) {
		for (b = e; b > start && b[-1] != '\n'; b--)
			;
		if ((line = flat_line(b, (size_t)(e - b), &fl)) == -1 ||
		    (line == 0 && (flat_bar(&fl, symbol, &bar) == -1 ||
		    (later[0] != '\0' && strcmp(bar.date, later) >= 0))))
			break;
		if (line == 0) {
			memcpy(later, bar.date, sizeof later);
			if (bar.available_at <= as_of) {
				*out = bar;
				rc = 1;
			}
		}
		if (b == start)
			break;
	}
	free(buf);
	return rc;
}

int
qgtm_pit_last_bar(const char *source, const char *symbol, time_t as_of,
    struct qgtm_bar *bar)
{
	struct qgtm_series s;
	char *path;
	int tail = 0;

	/* A file not parsed yet is read from its end; a lineage needs the
	 * count of rows, which only the whole file gives. */
	if (lineage_sink == NULL &&
	    (path = series_path(source, symbol, 0)) != NULL) {
		tail = cache_find(path) == NULL &&
		    tail_last_bar(path, symbol, as_of, bar);
		free(path);
	}
	if (tail)
		return 1;
	if (qgtm_pit_bars(source, symbol, as_of, &s) == -1)
		return -1;
	if (s.n > 0)
		*bar = s.bars[s.n - 1];
	tail = s.n > 0;
	qgtm_series_release(&s);
	return tail;
}

int
qgtm_pit_last_close(const char *source, const char *symbol, time_t as_of,
    int64_t *close, char *date)
{
	struct qgtm_bar bar;
	char ts[21];
	int rc;

	if ((rc = qgtm_pit_last_bar(source, symbol, as_of, &bar)) == -1)
		return -1;
	if (rc == 0)
		return qgtm_seterr(QGTM_EX_DATAERR, "no price for %s as of %s",
		    symbol, qgtm_time_fmt(as_of, ts));
	*close = bar.close;
	if (date != NULL)
		memcpy(date, bar.date, 11);
	return 0;
}

/* Turn a stored obs record into struct qgtm_obs. */
static int
parse_obs(json_t *rec, struct qgtm_obs *o)
{
	const char *date, *avail, *s;
	json_t *v;

	if (qgtm_json_str(rec, "date", &date) == -1 ||
	    qgtm_json_str(rec, "available_at", &avail) == -1)
		return -1;
	if (strlen(date) != 10)
		return qgtm_seterr(QGTM_EX_DATAERR, "field 'date': expected YYYY-MM-DD");
	if (qgtm_time_parse(avail, &o->available_at) == -1)
		return qgtm_seterr(QGTM_EX_DATAERR, "field 'available_at': %s",
		    qgtm_errmsg());
	memcpy(o->date, date, 11);
	o->value = 0;
	v = json_object_get(rec, "value");
	o->missing = json_is_null(v);
	if (o->missing)
		return 0;
	if ((s = json_string_value(v)) == NULL)
		return qgtm_seterr(QGTM_EX_DATAERR,
		    "field 'value': expected a decimal string or null");
	if (qgtm_dec_parse(s, QGTM_PRICE_SCALE, &o->value) == -1)
		return qgtm_seterr(QGTM_EX_DATAERR, "field 'value': %s",
		    qgtm_errmsg());
	return 0;
}

struct obs_ctx {
	struct qgtm_obs_series *s;
	size_t cap;
	time_t as_of;
};

/* Keep each observation known at the as-of moment. */
static int
obs_cb(json_t *rec, const struct qgtm_jsonl_pos *pos, void *arg)
{
	struct obs_ctx *ctx = arg;
	struct qgtm_obs o;

	(void)pos;
	if (parse_obs(rec, &o) == -1)
		return -1;
	if (o.available_at > ctx->as_of)
		return 0;
	if (ctx->s->n == ctx->cap) {
		ctx->cap = ctx->cap == 0 ? 512 : ctx->cap * 2;
		ctx->s->obs = qgtm_xrealloc(ctx->s->obs,
		    ctx->cap * sizeof *ctx->s->obs);
	}
	ctx->s->obs[ctx->s->n++] = o;
	return 0;
}

/* Date order; for one date, the vintages oldest first. */
static int
obs_cmp(const void *a, const void *b)
{
	const struct qgtm_obs *x = a, *y = b;
	int c = strcmp(x->date, y->date);

	if (c != 0)
		return c;
	return (x->available_at > y->available_at) -
	    (x->available_at < y->available_at);
}

/* Sort and keep the newest vintage of each date. */
static void
latest_vintages(struct qgtm_obs_series *s)
{
	size_t i, n = 0;

	if (s->n == 0)
		return;
	qsort(s->obs, s->n, sizeof *s->obs, obs_cmp);
	for (i = 0; i < s->n; i++) {
		if (n > 0 && strcmp(s->obs[n - 1].date, s->obs[i].date) == 0)
			n--;
		s->obs[n++] = s->obs[i];
	}
	s->n = n;
}

/* Note a read of observations in the lineage: its newest vintage. */
static void
obs_note(const char *source, const char *series, time_t as_of,
    const struct qgtm_obs_series *s)
{
	time_t newest = 0;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->obs[i].available_at > newest)
			newest = s->obs[i].available_at;
	lineage_note(source, series, as_of, s->n,
	    s->n > 0 ? s->obs[s->n - 1].date : NULL, newest);
}

int
qgtm_pit_obs(const char *source, const char *series, time_t as_of,
    struct qgtm_obs_series *out)
{
	struct obs_ctx ctx = { out, 0, as_of };
	char *path = series_path(source, series, 0);
	char *argv[1] = { path };
	int rc = 0;

	memset(out, 0, sizeof *out);
	snprintf(out->series, sizeof out->series, "%s", series);
	if (path == NULL)
		return -1;
	if (access(path, F_OK) == 0)
		rc = qgtm_jsonl_each(1, argv, 0, obs_cb, &ctx);
	free(path);
	if (rc == -1)
		qgtm_obs_series_release(out);
	else {
		latest_vintages(out);
		obs_note(source, series, as_of, out);
	}
	return rc;
}

void
qgtm_obs_series_release(struct qgtm_obs_series *s)
{
	free(s->obs);
	s->obs = NULL;
	s->n = 0;
}
