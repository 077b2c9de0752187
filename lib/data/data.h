/*
 * data/data.h: the public header of lib/data/: the point-in-time store, the sim world, the market calendars and the feeds (one file a source in feed/).
 */
#ifndef QGTM_DATA_H
#define QGTM_DATA_H

#include "base/base.h"
#include "net/net.h"

/* --------------------------------------------------------------- pit -- */

/*
 * The point-in-time store: data/<source>/<series>.jsonl under the state
 * directory, one record per observation in date order, each with the
 * moment it became known ("available_at"). Readers see only what was
 * available at their as-of moment.
 */

/* One daily bar as read back from the store. Prices in QGTM_PRICE_SCALE. */
struct qgtm_bar {
	char date[11];          /* session date, YYYY-MM-DD */
	time_t available_at;    /* the session close */
	int64_t open, high, low, close;
	long long volume;
};

/* A symbol's bars, oldest first. bars is the series' own array when block
 * is NULL, else n bars lent by the store's cache (lib/data/pit.c), which block
 * keeps alive until qgtm_series_release(); either way, read only. */
struct qgtm_series {
	char symbol[16];
	struct qgtm_bar *bars;
	size_t n;
	struct qgtm_bar_block *block;
};

/*
 * One observation as read back from the store (an "obs" record): the value
 * in QGTM_PRICE_SCALE units, or missing when the source published none
 * (FRED's "."), as known at its available_at.
 */
struct qgtm_obs {
	char date[11];          /* the date the value is for, YYYY-MM-DD */
	time_t available_at;    /* when this value (vintage) became known */
	int64_t value;
	int missing;
};

/* A series of observations, one per date, oldest first. Owns obs. */
struct qgtm_obs_series {
	char series[32];
	struct qgtm_obs *obs;
	size_t n;
};

/*
 * qgtm_pit_store: append to data/<source>/<series>.jsonl the records of
 * recs (an array of objects with "date" and "available_at" strings, each
 * date's vintages oldest first) that are news: a date not stored yet, or
 * a later available_at with another "value" than the newest stored for
 * that date (a revision). One durable append under the series' lock, so a
 * rerun adds nothing. Sets *added to their number. Returns 0 or -1; on -1
 * nothing was appended.
 */
int qgtm_pit_store(const char *source, const char *series, json_t *recs,
    size_t *added);

/*
 * qgtm_bar_line: append to buf the stored line (newline included) of the
 * bar record of symbol from source: type "bar", v, ts (its available_at),
 * src (qgtm_progname), source, symbol, date, open, high, low, close
 * (decimal strings of QGTM_PRICE_SCALE), volume and available_at. The one
 * definition of a bar record: qgtm_bar_record() parses this line.
 * Returns 0, or -1 past buf's cap.
 *
 * qgtm_bar_record: that record as JSON (new reference), or NULL
 * (QGTM_EX_SOFTWARE).
 */
int qgtm_bar_line(struct qgtm_buf *buf, const char *source,
    const char *symbol, const struct qgtm_bar *bar);
json_t *qgtm_bar_record(const char *source, const char *symbol,
    const struct qgtm_bar *bar);

/*
 * qgtm_pit_create_bars: store the bars of s (oldest first, dates
 * increasing, positive prices) as the new series s->symbol of source, one
 * line each (qgtm_bar_line), in one durable append under the series' lock,
 * and cache them as that file's bars so that reading them back parses
 * nothing (a backtest stores a whole history and then reads it every
 * session). Returns 0, or -1: QGTM_EX_CANTCREAT when the series already
 * has records, QGTM_EX_DATAERR for a bar out of order or not positive,
 * or the append's error; on -1 nothing was written.
 */
int qgtm_pit_create_bars(const char *source, const struct qgtm_series *s);

/*
 * qgtm_pit_last_date: the newest date of a stored record of a series into
 * out (11 bytes), or "" when there is none. Returns 0 or -1.
 */
int qgtm_pit_last_date(const char *source, const char *series, char out[11]);

/*
 * qgtm_pit_bars: the bars of symbol from source whose available_at is at or
 * before as_of (the as-of join; nothing later is ever returned). A series
 * with no file gives n = 0. A malformed store line is an error naming the
 * file and line (QGTM_EX_DATAERR). Returns 0 or -1; release with
 * qgtm_series_release().
 */
int qgtm_pit_bars(const char *source, const char *symbol, time_t as_of,
    struct qgtm_series *out);
void qgtm_series_release(struct qgtm_series *s);

/*
 * qgtm_series_causal: the value at bar i (< s->n) of a causal derived
 * series of s. fill(bars, n, out, arg) writes out[0..n-1], out[k]
 * depending on bars[0..k] and arg only, so that a prefix of a file's bars
 * gives the values the whole file gives. A series lent by the store's cache
 * runs fill once per file and key, over the whole file, and answers later
 * calls from that memo (a backtest asks at every session); any other series
 * runs it afresh. key must name fill and every argument that changes its
 * values (at most 63 bytes). Never fails.
 */
typedef void qgtm_causal_fill(const struct qgtm_bar *bars, size_t n,
    double *out, const void *arg);
double qgtm_series_causal(const struct qgtm_series *s, size_t i,
    const char *key, qgtm_causal_fill *fill, const void *arg);

/*
 * qgtm_pit_last_bar: the last bar of symbol from source available at
 * as_of into bar. A file not yet read whole in this process is read from
 * its end (its last 64 KiB when they settle it: the store's own lines, in
 * date order), so a malformed line before them goes unseen here. Returns
 * 1, 0 when no bar is known, or -1 as qgtm_pit_bars().
 */
int qgtm_pit_last_bar(const char *source, const char *symbol, time_t as_of,
    struct qgtm_bar *bar);

/*
 * qgtm_pit_last_close: the last close of symbol available at as_of
 * (QGTM_PRICE_SCALE units), and its date into date (11 bytes, may be NULL),
 * read as qgtm_pit_last_bar() reads it. Returns 0, or -1 (QGTM_EX_DATAERR
 * "no price for SYM as of T") when none.
 */
int qgtm_pit_last_close(const char *source, const char *symbol, time_t as_of,
    int64_t *close, char *date);

/*
 * qgtm_pit_obs: the as-of join of observations: for each date of series,
 * the newest vintage whose available_at is at or before as_of, oldest date
 * first; nothing known later is ever returned. No file gives n = 0; a
 * malformed line is QGTM_EX_DATAERR naming file and line. Returns 0 or -1;
 * release with qgtm_obs_series_release().
 */
int qgtm_pit_obs(const char *source, const char *series, time_t as_of,
    struct qgtm_obs_series *out);
void qgtm_obs_series_release(struct qgtm_obs_series *s);

/*
 * qgtm_pit_cache_drop: empty the process's cache of parsed bar files
 * (qgtm_pit_bars() and qgtm_series_causal(), up to 64 files): it gives up
 * its reference to each parsed file and the memos of qgtm_series_causal()
 * over it, which are freed unless a series still borrows them (they go
 * with its release). The next qgtm_pit_bars() reads and parses the file
 * again and refills the cache; answers do not change. Never fails.
 */
void qgtm_pit_cache_drop(void);

/*
 * qgtm_pit_private: with on set, promise that the state directory is this
 * process's alone (a backtest's private one): a bar file the cache holds
 * is then read from the cache without the stat that checks it for a
 * change by another process, which was most of a backtest session's
 * system time. The store's own writes keep the cache true: a series
 * created by qgtm_pit_create_bars() is cached as written, and one
 * appended to by qgtm_pit_store() is dropped from the cache, to be parsed
 * again. Turning it on empties the cache (qgtm_pit_cache_drop()); off,
 * every read checks its file again. Never fails.
 */
void qgtm_pit_private(int on);

/*
 * qgtm_pit_lineage: note every later as-of read of qgtm_pit_bars() and
 * qgtm_pit_obs() in sink (an object, borrowed; NULL stops it): under
 * "SOURCE/SERIES" the read's {source, series, as_of, rows, last_date,
 * last_available_at} (the newest row's date and the newest available_at
 * read; both null without rows), the last read of a series winning. What
 * a strategy's signal was computed from (qgtm-audit rederive). Never
 * fails.
 */
void qgtm_pit_lineage(json_t *sink);

/* --------------------------------------------------------------- sim -- */

/*
 * The sim market: deterministic synthetic daily bars. The nine built-in
 * symbols (GLD SLV GDX TLT IEF UUP USO SPY DBC) move together through a
 * fixed correlation matrix, with drifts that wander in slow trends and
 * volatility in persistent regimes; any other symbol gets an independent
 * path of its own seeded by its name. The history always starts at
 * start_day, so a bar is the same whatever range is asked for.
 */
struct qgtm_sim {
	uint64_t seed;
	long start_day;         /* days since 1970-01-01 of the first session */
};

/* Called with each bar record (borrowed); return 0 to go on or -1. */
typedef int (*qgtm_sim_fn)(json_t *bar, void *arg);

/*
 * qgtm_sim_run: generate the sessions from sim->start_day to to_day
 * (inclusive) and call fn, in date order and then in the order of
 * universe (a JSON array of symbol strings), for every bar dated on or after
 * from_day whose close (available_at) is at or before as_of. Bar records
 * carry type "bar", source "sim", symbol, date, open, high, low, close
 * (decimal strings), volume and available_at; ts is the available_at.
 * Returns 0, or -1 (fn's error, or QGTM_EX_USAGE for a bad universe).
 */
int qgtm_sim_run(const struct qgtm_sim *sim, json_t *universe, long from_day,
    long to_day, time_t as_of, qgtm_sim_fn fn, void *arg);

/*
 * qgtm_sim_normal: the next standard normal of the splitmix64 stream
 * *state (Box-Muller; two draws of the stream), as the sim market draws
 * them.
 */
double qgtm_sim_normal(uint64_t *state);

/*
 * qgtm_sim_bars: the same bars as qgtm_sim_run, as each universe symbol's
 * series: out[k] (an array of json_array_size(universe), filled here, each
 * with an array of its own; release each with qgtm_series_release()) holds
 * the bars of the k-th symbol in date order. Returns 0 or -1 as
 * qgtm_sim_run; the series are to be released either way.
 */
int qgtm_sim_bars(const struct qgtm_sim *sim, json_t *universe, long from_day,
    long to_day, time_t as_of, struct qgtm_series *out);

/* -------------------------------------------------------------- feed -- */

/*
 * The data feeds of qgtm-fetch(1): lib/data/feed.c drives a fetch, each
 * lib/feed_<source>.c speaks one provider's API. A fetch asks its source
 * for the request units (series, symbol lists, files), fetches each unit
 * page by page and parses every page into "obs" or "bar" records by
 * series. Only when every page of every unit parsed are the series stored
 * (qgtm_pit_store(), one durable append each), so a malformed or surprising
 * response never leaves part of itself in the store. Every fetch ends with
 * a "feed" health record appended to feeds.jsonl.
 */

struct qgtm_feed;

/* Paging state of one unit; all zero for its first page. */
struct qgtm_feed_page {
	int n;                  /* pages parsed before this one */
	long offset;            /* rows parsed before this one */
	char token[512];        /* the provider's next-page token, or "" */
};

/* One source: its name and the steps of its protocol. */
struct qgtm_feed_src {
	const char *name;
	/* units: the request units, a new array of strings; NULL on error.
	 * NULL when the units are the config list units_key. */
	json_t *(*units)(struct qgtm_feed *f);
	/* request: append the URL of page pg of unit to url and set any
	 * headers with qgtm_feed_header(). Returns 0 or -1. */
	int (*request)(struct qgtm_feed *f, const char *unit,
	    const struct qgtm_feed_page *pg, struct qgtm_buf *url);
	/* parse: check one page (borrowed) and add its records with
	 * qgtm_feed_obs() or qgtm_feed_bar(). Returns 1 with pg moved on
	 * when another page follows, 0 when the unit is done, or -1 with
	 * QGTM_EX_PROTOCOL for a surprising response. */
	int (*parse)(struct qgtm_feed *f, const char *unit, json_t *page,
	    struct qgtm_feed_page *pg);
	/* fresh: the newest observation date that the source's schedule
	 * has published by now, YYYY-MM-DD into out. */
	void (*fresh)(time_t now, char out[11]);
	const char *units_key;
};

/* One fetch of one source. Owns what qgtm_feed_release() frees. */
struct qgtm_feed {
	const struct qgtm_feed_src *src;
	const struct qgtm_cfg *cfg;     /* borrowed */
	time_t now;
	int dry_run;            /* fetch and parse, store nothing */
	char *hdr[4];           /* request headers, NULL-terminated */
	json_t *series;         /* series name -> array of new records */
	json_t *keys;           /* secrets loaded, by environment name */
	size_t fetched;         /* records parsed */
	char last_obs[11];      /* newest date parsed, or "" */
	double latency_ms;
	int progress;           /* show a progress line on stderr */
	json_t *health;         /* the feed record of the run, or NULL */
};

/* The six real sources in health order, and the names of all of them
 * ("fred alpaca cftc lbma eia openbb"). */
extern const struct qgtm_feed_src qgtm_feed_fred, qgtm_feed_alpaca,
    qgtm_feed_cftc, qgtm_feed_lbma, qgtm_feed_eia, qgtm_feed_openbb;
extern const char qgtm_feed_names[];

/*
 * qgtm_feed_is_sim: 1 when fetch.sim.feeds lists f's source: the sim world
 * (lib/data/feed/sim.c) answers its requests instead of the provider.
 * qgtm_feed_sim_page: page pg of unit as the provider would send it, from
 * the sim world of fetch.sim.* as of f->now (a new reference), or NULL
 * with the error set. Deterministic from fetch.sim.seed: a value depends
 * on the seed and its date, never on when or how often it is fetched.
 */
int qgtm_feed_is_sim(const struct qgtm_feed *f);
json_t *qgtm_feed_sim_page(struct qgtm_feed *f, const char *unit,
    const struct qgtm_feed_page *pg);

/* qgtm_feed_find: the source called name, or NULL. */
const struct qgtm_feed_src *qgtm_feed_find(const char *name);

/*
 * qgtm_feed_init: a fetch of src with cfg at qgtm_now(). No request is
 * made. qgtm_feed_release: free what f owns.
 */
void qgtm_feed_init(struct qgtm_feed *f, const struct qgtm_feed_src *src,
    const struct qgtm_cfg *cfg, int dry_run);
void qgtm_feed_release(struct qgtm_feed *f);

/*
 * qgtm_feed_run: fetch every unit of f's source, store the new records
 * (not for a dry run) and append the feed health record to feeds.jsonl
 * (status ok or error with the reason, rows stored, records fetched,
 * latency_ms, last_obs, expected_obs from the schedule and stale). The
 * records stored are appended to out (an array, may be NULL). Returns
 * 0, or -1 with the error set; the store then holds nothing of this fetch.
 */
int qgtm_feed_run(struct qgtm_feed *f, json_t *out);

/*
 * qgtm_feed_parse: parse the len bytes of body, a 2xx answer for page pg
 * of unit, with f's source (its parse step), adding the records to f.
 * Pure but for what the source reads of the config and the store (lbma:
 * the newest stored date), so a fuzz harness can feed it any bytes.
 * Returns as the source's parse: 1 with pg moved on when another page
 * follows, 0 when the unit is done, -1 with QGTM_EX_PROTOCOL for a body
 * that is not JSON (duplicate keys refused) or surprises the source.
 */
int qgtm_feed_parse(struct qgtm_feed *f, const char *unit, const char *body,
    size_t len, struct qgtm_feed_page *pg);

/*
 * qgtm_feed_run_all: run the sources named in names (an array of
 * strings) at once, each in a process of its own that is stopped after
 * timeout_ms (then recorded as an error "timed out"); one failing feed
 * stops none of the others. Appends each feed's health record to out in
 * the order of names. Returns the number of feeds that failed.
 */
int qgtm_feed_run_all(const struct qgtm_cfg *cfg, json_t *names,
    long timeout_ms, json_t *out);

/*
 * qgtm_feed_health: the health of the sources named in names as of now,
 * from feeds.jsonl: one "feed_health" record each (feed, healthy,
 * reason, last_ok, last_obs, expected_obs). A feed is healthy when its
 * last good fetch is under 24 hours old and its newest observation is as
 * fresh as its schedule allows. feeds.jsonl is read from its end, and
 * only back to the newest good record of each feed (all of it when a feed
 * has none): a line it reads that is not a record is an error as in
 * qgtm_jsonl_read_file(); older lines are not read. Returns a new array,
 * or NULL on error.
 */
json_t *qgtm_feed_health(json_t *names, time_t now);

/*
 * Helpers for the sources. qgtm_feed_key: the secret of env or file_key
 * (qgtm_cfg_secret(), registered so it is never shown), loaded once per
 * fetch; borrowed from f, NULL with the error set. qgtm_feed_header: set
 * request header i (0-2) to "name: value". qgtm_url_param: append
 * "name=value" with both percent-encoded (RFC 3986 unreserved kept),
 * preceded by '&' unless url is empty or ends in '?'.
 */
const char *qgtm_feed_key(struct qgtm_feed *f, const char *env,
    const char *file_key);
void qgtm_feed_header(struct qgtm_feed *f, int i, const char *name,
    const char *value);
void qgtm_url_param(struct qgtm_buf *url, const char *name,
    const char *value);

/*
 * qgtm_feed_since: the first date a fetch of series asks for into out:
 * back_days before the newest stored date (to catch revisions; 0 for the
 * day after it), or fetch.lookback_days before now when none is stored.
 * Returns 0 or -1.
 */
int qgtm_feed_since(struct qgtm_feed *f, const char *series, int back_days,
    char out[11]);

/*
 * qgtm_feed_dec: the decimal string (at most QGTM_PRICE_SCALE digits) of
 * v, a JSON number or a string holding one, into out (32 bytes); JSON null
 * and "." (FRED's missing value) give "" for a missing value. Returns 0,
 * or -1 (QGTM_EX_PROTOCOL "field 'what': ...") for anything else.
 */
int qgtm_feed_dec(struct qgtm_feed *f, json_t *v, const char *what,
    char out[32]);

/*
 * qgtm_feed_obs: add an "obs" record of series (source, series, date,
 * value: a decimal string or null when dec is "", available_at) to the
 * fetch. qgtm_feed_bar: add a "bar" record of symbol (date, open, high,
 * low, close, volume, available_at = the session close) from the members
 * of obj (borrowed) named by keys: open, high, low, close (numbers or
 * numeric strings) and volume (an integral number; absent is 0); a bar
 * whose session has not closed at f->now is left out. Both return 0, or
 * -1 (QGTM_EX_PROTOCOL) for a bad date or value or a day without a session.
 */
int qgtm_feed_obs(struct qgtm_feed *f, const char *series, const char *date,
    const char *dec, time_t available_at);
/*
 * qgtm_feed_bar_intraday: add the bar of symbol that starts at start and
 * lasts seconds to series (SYMBOL@TIMEFRAME), keyed by its start time in
 * RFC 3339 and available when it ends; left out while it has not ended at
 * f->now. Returns 0 or -1 as qgtm_feed_bar.
 */
int qgtm_feed_bar_intraday(struct qgtm_feed *f, const char *symbol,
    const char *series, time_t start, long seconds, json_t *obj,
    const char *const keys[5]);
int qgtm_feed_bar(struct qgtm_feed *f, const char *symbol, const char *date,
    json_t *obj, const char *const keys[5]);

/* qgtm_feed_fresh_session: the date of the last NYSE session closed at
 * now, the freshness rule of daily bars. */
void qgtm_feed_fresh_session(time_t now, char out[11]);

/*
 * qgtm_feed_fail: set the error "SOURCE: unexpected response: what" with
 * QGTM_EX_PROTOCOL; returns -1.
 */
int qgtm_feed_fail(struct qgtm_feed *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---------------------------------------------------------- calendar -- */

/*
 * Release rules and the week-ahead calendar (lib/data/calendar.c).
 * qgtm_federal_holiday: 1 when y-m-d is a US federal holiday as observed
 * (New Year's, MLK, Washington's Birthday, Memorial, Juneteenth from 2021,
 * Independence, Labor, Columbus, Veterans, Thanksgiving, Christmas; a
 * Saturday holiday on the Friday before, a Sunday one on the Monday after).
 */
int qgtm_federal_holiday(int y, int m, int d);

/*
 * qgtm_cot_release: when the Commitments of Traders report of the week
 * holding y-m-d (its Tuesday, or the Monday when the Tuesday is a
 * holiday) is published: CFTC's actual release date at 15:30 New York
 * where CFTC deviated from its rule (the 2025 shutdown backlog), else
 * that week's Friday 15:30, or the next business day after the Friday
 * when a federal holiday falls on the Wednesday to Friday.
 */
time_t qgtm_cot_release(int y, int m, int d);

/*
 * qgtm_eia_release: when EIA's Weekly Petroleum Status Report for the
 * week ending Friday y-m-d is published: the following Wednesday 10:30
 * New York, or Thursday 11:00 when a federal holiday falls on the Monday
 * to Wednesday of that week.
 */
time_t qgtm_eia_release(int y, int m, int d);

/*
 * qgtm_calendar_week: the events of the New York week (Monday 00:00 to the
 * next Monday 00:00) holding the day y-m-d, sorted by time, as a new JSON
 * array of objects {id, name, at (RFC 3339 UTC), at_ny ("YYYY-MM-DD HH:MM"
 * New York), touches (the strategies it moves, space-separated), pause,
 * and pause_from / pause_to when calendar.pause gives the event a window}.
 * Events: EIA petroleum (Wednesday 10:30, holiday shifts), EIA natural gas
 * (Thursday 10:30), COT (Friday 15:30, holiday shifts), FOMC decisions
 * (14:00) and minutes (three weeks later), quarterly options expiration,
 * NYSE holidays and early closes.
 */
json_t *qgtm_calendar_week(const struct qgtm_cfg *cfg, int y, int m, int d);

/*
 * qgtm_calendar_releases: add to events (sorted again) the CPI and
 * Employment Situation releases (08:30 New York) of the week of y-m-d,
 * from FRED's fred/release/dates with include_release_dates_with_no_data.
 * Returns 1 without asking when no FRED key is configured (FRED_API_KEY
 * or fetch.fred.api_key_file), 0 when added, -1 with the error set.
 */
int qgtm_calendar_releases(const struct qgtm_cfg *cfg, json_t *events, int y,
    int m, int d);

/* qgtm_calendar_fomc_days: the built-in FOMC decision days (YYYY-MM-DD),
 * borrowed, *n of them. */
const char *const *qgtm_calendar_fomc_days(size_t *n);

/*
 * The two-person reset (lib/risk/reset.c). Operators are the items NAME:PUBKEY
 * of risk.operators, PUBKEY the base64 of the raw 32-byte Ed25519 public
 * key; each signs with the PEM private key in a mode 0600 file. A signature
 * covers the canonical JSON (compact, sorted keys) of the object without
 * its "sig", and is base64 in "sig". A refusal returns NULL with
 * QGTM_EX_NOPERM and *why one of
 * UNKNOWN_OPERATOR, SAME_OPERATOR, EXPIRED, TIER_CHANGED, BAD_SIGNATURE,
 * NOT_LOWER, STATE_UNTRUSTED, NO_REQUEST; other errors leave *why NULL.
 */
struct qgtm_reset {
	int to;                 /* the tier asked for */
	const char *reason;
	const char *by;         /* the requesting operator */
	const char *keypath;    /* its private key */
};

/*
 * The automatic rules of qgtm-risk evaluate (lib/risk/rules.c), from the risk
 * section: fractions in QGTM_WEIGHT_SCALE units, tiers as QGTM_TIER_*.
 */
struct qgtm_rules {
	int64_t max_daily_loss;
	int64_t max_drawdown;
	int64_t warn_at;
	long long breaches_to_trip;
	int loss_tier;
	json_t *required_feeds;         /* borrowed from cfg */
	int stale_feed_tier;
	long long max_heartbeat_gap_s;  /* 0: off */
	int heartbeat_tier;
	long long max_rejects_in_a_row; /* 0: off */
	int reject_tier;
};

/* What evaluate keeps between runs: the backend object "eval". */
struct qgtm_eval {
	char day[11];           /* the day of day_start, YYYY-MM-DD */
	long long day_start;    /* QGTM_CENTS: the day's first equity */
	long long peak;         /* QGTM_CENTS: the highest equity seen */
	long long loss_breaches, dd_breaches;   /* in a row */
	long long rejects;      /* broker rejects in a row */
	int64_t daily_loss;     /* set by qgtm_rules_equity(), not kept */
	int64_t drawdown;       /* likewise */
};

/* A verdict: the highest tier a rule asked for and why. */
struct qgtm_verdict {
	int tier;               /* NORMAL when no rule asks for anything */
	char why[256];
};

#include "banned.h"

#endif /* QGTM_DATA_H */
