/*
 * qgtm-fetch: pull a data source into the point-in-time store and print
 * what it fetched as JSON Lines: the deterministic sim market, or one of
 * the six real feeds (lib/feed*.c); `all` runs every configured feed at
 * once and `health` says how many are healthy; `calendar` lists the week
 * ahead's scheduled releases. Each run records the feed's health in
 * feeds.jsonl.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "data/data.h"
#include "cli/cli.h"

static const char usage_str[] =
    "usage: qgtm-fetch [-Cnqv] [-c config] [--from date] [--to date] "
    "[--now time] sim\n"
    "       qgtm-fetch [-Cnqv] [-c config] [--now time] source\n"
    "       qgtm-fetch [-Cqv] [-c config] [--now time] all\n"
    "       qgtm-fetch [-Cjqv] [-c config] [--now time] health\n"
    "       qgtm-fetch [-Cjqv] [-c config] [--now time] [--week date] "
    "calendar";

static void __attribute__((noreturn))
usage(int ex)
{
	fprintf(ex == 0 ? stdout : stderr, "%s\n", usage_str);
	exit(ex);
}

struct fetch {
	struct qgtm_cfg cfg;
	json_t *universe;       /* borrowed from cfg */
	json_t *bysym;          /* symbol -> array of bars to store */
	size_t rows;
	char last[11];          /* newest date fetched */
};

/* Keep each generated bar for printing and storing. */
static int
keep_bar(json_t *bar, void *arg)
{
	struct fetch *f = arg;
	const char *sym = json_string_value(json_object_get(bar, "symbol"));
	json_t *arr = json_object_get(f->bysym, sym);

	if (arr == NULL) {
		arr = json_array();
		json_object_set_new(f->bysym, sym, arr);
	}
	json_array_append(arr, bar);
	snprintf(f->last, sizeof f->last, "%s",
	    json_string_value(json_object_get(bar, "date")));
	f->rows++;
	return 0;
}

/* A YYYY-MM-DD operand as days since the epoch; dies on a bad one. */
static long
parse_day(const char *opt, const char *s)
{
	time_t t;

	if (strlen(s) != 10 || qgtm_time_parse(s, &t) == -1)
		qgtm_die(QGTM_EX_USAGE, "%s: invalid date '%s' (want YYYY-MM-DD)",
		    opt, s);
	return (long)(t / 86400);
}

/*
 * The first day to fetch when --from is not given: the day after the
 * oldest "newest stored date" among the symbols, or lookback_days ago.
 */
static int
default_from(struct fetch *f, long today, long *from)
{
	char last[11], oldest[11] = "9999-99-99";
	json_t *v;
	size_t i;

	json_array_foreach(f->universe, i, v) {
		if (qgtm_pit_last_date("sim", json_string_value(v), last) == -1)
			return -1;
		if (last[0] == '\0') {
			*from = today - qgtm_cfg_int(&f->cfg,
			    "fetch.sim.lookback_days");
			return 0;
		}
		if (strcmp(last, oldest) < 0)
			memcpy(oldest, last, sizeof oldest);
	}
	*from = parse_day("store", oldest) + 1;
	return 0;
}

/* Store every symbol's new bars; counts them into *added. */
static int
store_all(struct fetch *f, size_t *added)
{
	const char *sym;
	json_t *arr;
	size_t n;

	*added = 0;
	json_object_foreach(f->bysym, sym, arr) {
		if (qgtm_pit_store("sim", sym, arr, &n) == -1)
			return -1;
		*added += n;
	}
	return 0;
}

/* Append the feed's health record to feeds.jsonl. */
static int
record_health(struct fetch *f, size_t added, double ms)
{
	json_t *rec = qgtm_record_new("feed", NULL);
	char *line, *path;
	int rc;

	json_object_set_new(rec, "feed", json_string("sim"));
	json_object_set_new(rec, "status", json_string("ok"));
	json_object_set_new(rec, "rows", json_integer((json_int_t)added));
	json_object_set_new(rec, "fetched", json_integer((json_int_t)f->rows));
	json_object_set_new(rec, "latency_ms", json_integer((json_int_t)ms));
	json_object_set_new(rec, "last_obs", f->last[0] != '\0' ?
	    json_string(f->last) : json_null());
	line = json_dumps(rec, JSON_COMPACT);
	json_decref(rec);
	path = qgtm_state_path("feeds.jsonl", 1);
	rc = path == NULL ? -1 : qgtm_append_fsync(path, line, strlen(line));
	if (rc == 0)
		rc = qgtm_append_fsync(path, "\n", 1);
	free(line);
	free(path);
	return rc;
}

/* Print the fetched bars in date order, then symbol order. */
static int
print_bars(struct fetch *f)
{
	size_t i, j, nsym = json_array_size(f->universe);
	json_t *v;

	for (j = 0; nsym > 0 && j < f->rows / nsym; j++)
		json_array_foreach(f->universe, i, v)
			if (qgtm_jsonl_emit(json_array_get(json_object_get(f->bysym,
			    json_string_value(v)), j)) == -1)
				return -1;
	return 0;
}

static double
elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1e3 + (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* The sim source: generate, store and print the bars. */
static int
fetch_sim(struct fetch *f, const char *from_s, const char *to_s, int dry)
{
	struct qgtm_sim sim;
	struct timespec t0;
	long from, to, today;
	size_t added = 0;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	f->universe = qgtm_cfg_list(&f->cfg, "common.universe");
	f->bysym = json_object();
	today = (long)(qgtm_now() / 86400);
	to = to_s != NULL ? parse_day("--to", to_s) : today;
	if (from_s != NULL)
		from = parse_day("--from", from_s);
	else if (default_from(f, today, &from) == -1)
		qgtm_die_lib();
	/* An explicit empty range is a mistake; an up-to-date store is not. */
	if (from > to && from_s != NULL)
		qgtm_die(QGTM_EX_USAGE, "--from is after --to");
	sim.seed = (uint64_t)qgtm_cfg_int(&f->cfg, "fetch.sim.seed");
	sim.start_day = parse_day("fetch.sim.start",
	    qgtm_cfg_str(&f->cfg, "fetch.sim.start"));
	QGTM_INFO("fetch source=sim from_day=%ld to_day=%ld", from, to);
	if (qgtm_sim_run(&sim, f->universe, from, to, qgtm_now(), keep_bar,
	    f) == -1)
		qgtm_die_lib();
	if (!dry && (store_all(f, &added) == -1 ||
	    record_health(f, added, elapsed_ms(&t0)) == -1))
		qgtm_die_lib();
	QGTM_INFO("fetched source=sim rows=%zu stored=%zu", f->rows, added);
	rc = print_bars(f) == -1 ? QGTM_EX_IOERR : 0;
	json_decref(f->bysym);
	return rc;
}

/* Print each record of arr; QGTM_EX_IOERR on a write error. */
static int
print_all(json_t *arr)
{
	json_t *rec;
	size_t i;

	json_array_foreach(arr, i, rec)
		if (qgtm_jsonl_emit(rec) == -1)
			return QGTM_EX_IOERR;
	return 0;
}

/* One real feed: fetch, store, print what was stored. */
static int
fetch_one(const struct qgtm_cfg *cfg, const char *name, int dry)
{
	const struct qgtm_feed_src *src = qgtm_feed_find(name);
	struct qgtm_feed feed;
	json_t *out;
	int rc;

	if (src == NULL)
		qgtm_die(QGTM_EX_USAGE, "unknown source '%s' (available: sim "
		    "%s all health)", name, qgtm_feed_names);
	qgtm_feed_init(&feed, src, cfg, dry);
	out = json_array();
	if (qgtm_feed_run(&feed, out) == -1)
		qgtm_die_lib();
	QGTM_INFO("fetched source=%s rows=%zu stored=%zu ms=%.0f", name,
	    feed.fetched, json_array_size(out), feed.latency_ms);
	rc = print_all(out);
	json_decref(out);
	qgtm_feed_release(&feed);
	return rc;
}

/* Every configured feed at once; prints their feed records. */
static int
fetch_all(const struct qgtm_cfg *cfg)
{
	json_t *out = json_array();
	int failed, rc;

	failed = qgtm_feed_run_all(cfg, qgtm_cfg_list(cfg, "fetch.feeds"),
	    (long)qgtm_cfg_int(cfg, "fetch.feed_timeout_ms"), out);
	rc = print_all(out);
	json_decref(out);
	if (failed > 0 && rc == 0)
		rc = QGTM_EX_UNAVAILABLE;
	return rc;
}

/* "n/N healthy (...)" and a line per unhealthy feed, or -j records. */
static int
health(const struct qgtm_cfg *cfg, int json)
{
	json_t *h = qgtm_feed_health(qgtm_cfg_list(cfg, "fetch.feeds"),
	    qgtm_now()), *r;
	size_t i, ok = 0;
	int rc;

	if (h == NULL)
		qgtm_die_lib();
	json_array_foreach(h, i, r)
		ok += json_is_true(json_object_get(r, "healthy"));
	if (json)
		rc = print_all(h);
	else {
		printf("Data feeds: %zu/%zu healthy (", ok, json_array_size(h));
		json_array_foreach(h, i, r)
			printf("%s%s", i > 0 ? ", " : "",
			    json_string_value(json_object_get(r, "feed")));
		printf(")\n");
		json_array_foreach(h, i, r)
			if (!json_is_true(json_object_get(r, "healthy")))
				printf("%s: %s\n", json_string_value(
				    json_object_get(r, "feed")),
				    json_string_value(json_object_get(r,
				    "reason")));
		rc = 0;
	}
	if (rc == 0 && ok < json_array_size(h))
		rc = QGTM_EX_NO;
	json_decref(h);
	return rc;
}

/* The events of the week holding week_s (or today in New York). */
static int
calendar(const struct qgtm_cfg *cfg, const char *week_s, int json)
{
	struct qgtm_date d = qgtm_ny_date(qgtm_now());
	json_t *events, *ev, *rec;
	const char *key;
	json_t *v;
	size_t i;
	int rc = 0, status = 0;

	if (week_s != NULL && (strlen(week_s) != 10 ||
	    sscanf(week_s, "%4d-%2d-%2d", &d.year, &d.month, &d.day) != 3 ||
	    qgtm_days_from_civil(d.year, d.month, d.day) !=
	    parse_day("--week", week_s)))
		qgtm_die(QGTM_EX_USAGE, "--week: invalid date '%s'", week_s);
	events = qgtm_calendar_week(cfg, d.year, d.month, d.day);
	if (qgtm_calendar_releases(cfg, events, d.year, d.month, d.day) == -1) {
		qgtm_warn("CPI and jobs dates left out: %s", qgtm_errmsg());
		status = qgtm_errcode();
	}
	json_array_foreach(events, i, ev) {
		if (json && rc == 0) {
			rec = qgtm_record_new("event", NULL);
			json_object_foreach(ev, key, v)
				json_object_set(rec, key, v);
			rc = qgtm_jsonl_emit(rec);
			json_decref(rec);
		} else if (!json)
			printf("%s  %s  (%s)%s\n", json_string_value(
			    json_object_get(ev, "at_ny")), json_string_value(
			    json_object_get(ev, "name")), json_string_value(
			    json_object_get(ev, "touches")),
			    json_is_true(json_object_get(ev, "pause")) ?
			    "  auto-trading pauses" : "");
	}
	json_decref(events);
	return rc == -1 ? QGTM_EX_IOERR : status;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ "now", required_argument, NULL, 'N' },
		{ "to", required_argument, NULL, 'T' },
		{ "week", required_argument, NULL, 'W' },
		{ NULL, 0, NULL, 0 }
	};
	struct fetch f = { 0 };
	const char *cfgpath = NULL, *from_s = NULL, *to_s = NULL, *week_s = NULL;
	int ch, show_config = 0, dry = 0, json = 0, rc;

	qgtm_init(argv[0], 0);
	while ((ch = getopt_long(argc, argv, "Cc:hjnqVv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'C': show_config = 1; break;
		case 'c': cfgpath = optarg; break;
		case 'F': from_s = optarg; break;
		case 'h': usage(0);
		case 'j': json = 1; break;
		case 'N':
			if (qgtm_clock_pin(optarg) == -1)
				qgtm_die(QGTM_EX_USAGE, "--now: %s", qgtm_errmsg());
			break;
		case 'n': dry = 1; break;
		case 'q': qgtm_log_level--; break;
		case 'T': to_s = optarg; break;
		case 'V': qgtm_version(); return qgtm_exit(0);
		case 'v': qgtm_log_level++; break;
		case 'W': week_s = optarg; break;
		default: usage(QGTM_EX_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if ((rc = qgtm_cmd_start(&f.cfg, cfgpath, show_config)) != 0) {
		if (rc == 1)
			return qgtm_exit(0);
		qgtm_die_lib();
	}
	if (argc != 1)
		usage(QGTM_EX_USAGE);
	if (strcmp(argv[0], "sim") == 0)
		rc = fetch_sim(&f, from_s, to_s, dry);
	else if (strcmp(argv[0], "all") == 0)
		rc = fetch_all(&f.cfg);
	else if (strcmp(argv[0], "health") == 0)
		rc = health(&f.cfg, json);
	else if (strcmp(argv[0], "calendar") == 0)
		rc = calendar(&f.cfg, week_s, json);
	else
		rc = fetch_one(&f.cfg, argv[0], dry);
	qgtm_cfg_release(&f.cfg);
	return qgtm_exit(rc);
}
