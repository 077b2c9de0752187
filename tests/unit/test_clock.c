/*
 * test_clock.c: the pinnable clock, RFC 3339, civil dates, New York DST and
 * the NYSE calendar, pinned to published facts.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"

#define NELEM(a) ((int)(sizeof (a) / sizeof (a)[0]))

/* The instant of an RFC 3339 text; the test fails if it does not parse. */
static time_t
at(const char *s)
{
	time_t t = 0;

	ck_assert_msg(qgtm_time_parse(s, &t) == 0, "parse '%s': %s", s,
	    qgtm_errmsg());
	return t;
}

static void
clock_reset(void)
{
	unsetenv("QGTM_NOW");
	ck_assert_int_eq(qgtm_clock_init(), 0);
}

/* ------------------------------------------------------------ pinning -- */

START_TEST(test_now_unpinned)
{
	time_t before = time(NULL), now = qgtm_now();

	ck_assert_int_eq(qgtm_clock_pinned(), 0);
	ck_assert(now >= before && now <= time(NULL));
}
END_TEST

START_TEST(test_now_from_env)
{
	setenv("QGTM_NOW", "2026-03-08T07:00:00Z", 1);
	ck_assert_int_eq(qgtm_clock_init(), 0);
	ck_assert_int_eq(qgtm_clock_pinned(), 1);
	ck_assert_int_eq(qgtm_now(), 1772953200);
	ck_assert_int_eq(qgtm_now(), 1772953200);
}
END_TEST

START_TEST(test_now_env_invalid)
{
	setenv("QGTM_NOW", "xyz", 1);
	ck_assert_int_eq(qgtm_clock_init(), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_USAGE);
	ck_assert_str_eq(qgtm_errmsg(), "invalid QGTM_NOW 'xyz'");
	ck_assert_int_eq(qgtm_clock_pinned(), 0);
}
END_TEST

/* After a bad QGTM_NOW, qgtm_now() says once that it uses the real clock. */
START_TEST(test_now_env_invalid_warns)
{
	char *dir = unit_tmpdir(), *path, *text;
	time_t before = time(NULL), now;
	int saved = dup(2), fd;

	path = qgtm_xasprintf("%s/stderr", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	setenv("QGTM_NOW", "2026-02-30", 1);
	ck_assert_int_eq(qgtm_clock_init(), -1);
	dup2(fd, 2);
	now = qgtm_now();
	qgtm_now();
	dup2(saved, 2);
	ck_assert(now >= before && now <= time(NULL));
	text = unit_read_file(path);
	ck_assert_str_eq(text,
	    "unit-tests: warning: invalid QGTM_NOW; using the system clock\n");
	close(fd);
	close(saved);
	unlink(path);
	rmdir(dir);
	free(text);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_now_env_empty)
{
	setenv("QGTM_NOW", "", 1);
	ck_assert_int_eq(qgtm_clock_init(), 0);
	ck_assert_int_eq(qgtm_clock_pinned(), 0);
}
END_TEST

START_TEST(test_pin)
{
	setenv("QGTM_NOW", "2020-01-01", 1);
	ck_assert_int_eq(qgtm_clock_init(), 0);
	ck_assert_int_eq(qgtm_clock_pin("2026-01-01T00:00:00Z"), 0);
	ck_assert_int_eq(qgtm_clock_pinned(), 1);
	ck_assert_int_eq(qgtm_now(), 1767225600);
	ck_assert_int_eq(qgtm_clock_pin("2026-01-01T00:00Z"), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_USAGE);
	ck_assert_int_eq(qgtm_now(), 1767225600);
}
END_TEST

/* ------------------------------------------------------------ RFC 3339 -- */

static const struct {
	const char *s;
	long long t;
} good_times[] = {
	{ "1970-01-01", 0 },
	{ "1970-01-01T00:00:00Z", 0 },
	{ "1969-12-31T23:59:59Z", -1 },
	{ "2026-03-08", 1772928000 },
	{ "2026-03-08T07:00:00Z", 1772953200 },
	{ "2026-03-08T07:00:00.999999Z", 1772953200 },
	{ "2026-03-08T02:00:00-05:00", 1772953200 },
	{ "2026-03-08T12:30:00+05:30", 1772953200 },
	{ "2026-03-08T07:00:00-00:00", 1772953200 },
	{ "2024-02-29", 1709164800 },
	{ "0001-01-01T00:00:00Z", -62135596800LL },
	{ "9999-12-31T23:59:59Z", 253402300799LL },
};

START_TEST(test_parse_good)
{
	time_t t = 0;

	ck_assert_msg(qgtm_time_parse(good_times[_i].s, &t) == 0, "%s: %s",
	    good_times[_i].s, qgtm_errmsg());
	ck_assert_int_eq(t, good_times[_i].t);
}
END_TEST

static const char *const bad_times[] = {
	"", "2026", "2026-03", "20260308", "2026-3-08", "2026-03-8",
	" 2026-03-08", "2026-03-08 ", "2026-03-08x", "2026/03/08",
	"2026-02-30", "2025-02-29", "1900-02-29", "2026-04-31", "2026-13-01",
	"2026-00-10", "2026-01-00", "2026-03-08T", "2026-03-08T07:00Z",
	"2026-03-08T07:00:00", "2026-03-08t07:00:00Z", "2026-03-08T07:00:00z",
	"2026-03-08 07:00:00Z", "2026-03-08T24:00:00Z", "2026-03-08T07:60:00Z",
	"2026-03-08T07:00:60Z", "2026-03-08T07:00:00.Z", "2026-03-08T7:00:00Z",
	"2026-03-08T07:00:00+0500", "2026-03-08T07:00:00+05",
	"2026-03-08T07:00:00+24:00", "2026-03-08T07:00:00+05:60",
	"2026-03-08T07:00:00Zjunk", "2026-03-08T07:00:00Z ", "-2026-03-08",
	"+2026-03-08",
};

START_TEST(test_parse_bad)
{
	time_t t = 12345;

	ck_assert_msg(qgtm_time_parse(bad_times[_i], &t) == -1,
	    "'%s' accepted", bad_times[_i]);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_DATAERR);
	ck_assert_int_eq(t, 12345);
}
END_TEST

START_TEST(test_fmt)
{
	char buf[21], date[11];

	ck_assert_str_eq(qgtm_time_fmt(0, buf), "1970-01-01T00:00:00Z");
	ck_assert_str_eq(qgtm_time_fmt(-1, buf), "1969-12-31T23:59:59Z");
	ck_assert_str_eq(qgtm_time_fmt(1772953200, buf),
	    "2026-03-08T07:00:00Z");
	ck_assert_str_eq(qgtm_date_fmt(1772953200, date), "2026-03-08");
	ck_assert_str_eq(qgtm_date_fmt(-1, date), "1969-12-31");
	/* Clamped to years 0000-9999. */
	ck_assert_str_eq(qgtm_time_fmt((time_t)1 << 50, buf),
	    "9999-12-31T23:59:59Z");
	ck_assert_str_eq(qgtm_time_fmt(-((time_t)1 << 50), buf),
	    "0000-01-01T00:00:00Z");
}
END_TEST

/* Every formatted time parses back to itself, over years 0000-9999. */
START_TEST(test_fmt_parse_round_trip)
{
	const time_t lo = -62167219200LL, hi = 253402300799LL;
	const time_t step = 86400L * 1009 + 3607;   /* wanders over all hours */
	char buf[21];
	time_t t;

	for (t = lo; t <= hi; t += step)
		ck_assert_int_eq(at(qgtm_time_fmt(t, buf)), t);
	ck_assert_int_eq(at(qgtm_time_fmt(hi, buf)), hi);
}
END_TEST

/* ------------------------------------------------------- civil dates -- */

START_TEST(test_civil_known)
{
	struct qgtm_date d;

	ck_assert_int_eq(qgtm_days_from_civil(1970, 1, 1), 0);
	ck_assert_int_eq(qgtm_days_from_civil(1969, 12, 31), -1);
	ck_assert_int_eq(qgtm_days_from_civil(2000, 3, 1), 11017);
	ck_assert_int_eq(qgtm_days_from_civil(2026, 1, 1), 20454);
	d = qgtm_civil_from_days(11016);
	ck_assert(d.year == 2000 && d.month == 2 && d.day == 29);
	/* 1970-01-01 was a Thursday, 2000-01-01 a Saturday. */
	ck_assert_int_eq(qgtm_weekday(1970, 1, 1), 4);
	ck_assert_int_eq(qgtm_weekday(2000, 1, 1), 6);
	ck_assert_int_eq(qgtm_weekday(2026, 3, 8), 0);
	ck_assert_int_eq(qgtm_weekday(1969, 12, 28), 0);
}
END_TEST

/* The day algorithms agree with the C library's gmtime_r, both ways. */
START_TEST(test_civil_vs_gmtime)
{
	struct qgtm_date d;
	struct tm tm;
	time_t t;
	long days;

	for (days = -800000; days <= 800000; days += 7) {
		t = (time_t)days * 86400;
		ck_assert_ptr_nonnull(gmtime_r(&t, &tm));
		d = qgtm_civil_from_days(days);
		ck_assert_int_eq(d.year, tm.tm_year + 1900);
		ck_assert_int_eq(d.month, tm.tm_mon + 1);
		ck_assert_int_eq(d.day, tm.tm_mday);
		ck_assert_int_eq(qgtm_days_from_civil(d.year, d.month, d.day),
		    days);
		ck_assert_int_eq(qgtm_weekday(d.year, d.month, d.day),
		    tm.tm_wday);
	}
}
END_TEST

/* ---------------------------------------------------- New York time -- */

static const struct {
	const char *utc;
	int offset;
} ny_offsets[] = {
	{ "2026-03-08T06:59:59Z", -18000 },     /* 01:59:59 EST */
	{ "2026-03-08T07:00:00Z", -14400 },     /* 03:00:00 EDT */
	{ "2026-11-01T05:59:59Z", -14400 },     /* 01:59:59 EDT */
	{ "2026-11-01T06:00:00Z", -18000 },     /* 01:00:00 EST */
	{ "2024-03-10T06:59:59Z", -18000 },
	{ "2024-03-10T07:00:00Z", -14400 },
	{ "2024-11-03T05:59:59Z", -14400 },
	{ "2024-11-03T06:00:00Z", -18000 },
	{ "2026-01-15T12:00:00Z", -18000 },
	{ "2026-07-01T12:00:00Z", -14400 },
	{ "2026-12-31T23:59:59Z", -18000 },
};

START_TEST(test_ny_offset)
{
	ck_assert_int_eq(qgtm_ny_offset(at(ny_offsets[_i].utc)),
	    ny_offsets[_i].offset);
}
END_TEST

static const struct {
	int y, m, d, hh, mm;
	const char *utc;
} ny_times[] = {
	{ 2026, 1, 15, 9, 30, "2026-01-15T14:30:00Z" },
	{ 2026, 7, 1, 9, 30, "2026-07-01T13:30:00Z" },
	{ 2026, 3, 8, 1, 59, "2026-03-08T06:59:00Z" },
	{ 2026, 3, 8, 2, 30, "2026-03-08T07:30:00Z" },  /* skipped: 03:30 EDT */
	{ 2026, 3, 8, 3, 0, "2026-03-08T07:00:00Z" },
	{ 2026, 11, 1, 0, 59, "2026-11-01T04:59:00Z" },
	{ 2026, 11, 1, 1, 30, "2026-11-01T05:30:00Z" }, /* repeated: first */
	{ 2026, 11, 1, 2, 0, "2026-11-01T07:00:00Z" },
	{ 2024, 3, 10, 2, 30, "2024-03-10T07:30:00Z" },
	{ 2024, 11, 3, 1, 30, "2024-11-03T05:30:00Z" },
};

START_TEST(test_ny_time)
{
	ck_assert_int_eq(qgtm_ny_time(ny_times[_i].y, ny_times[_i].m,
	    ny_times[_i].d, ny_times[_i].hh, ny_times[_i].mm),
	    at(ny_times[_i].utc));
}
END_TEST

START_TEST(test_ny_date)
{
	struct qgtm_date d;

	d = qgtm_ny_date(at("2026-01-01T04:59:59Z"));
	ck_assert(d.year == 2025 && d.month == 12 && d.day == 31);
	d = qgtm_ny_date(at("2026-01-01T05:00:00Z"));
	ck_assert(d.year == 2026 && d.month == 1 && d.day == 1);
	d = qgtm_ny_date(at("2026-07-04T03:59:59Z"));
	ck_assert(d.year == 2026 && d.month == 7 && d.day == 3);
	d = qgtm_ny_date(at("2026-07-04T04:00:00Z"));
	ck_assert(d.year == 2026 && d.month == 7 && d.day == 4);
}
END_TEST

static const struct {
	const char *from, *next;
} sundays_18[] = {
	{ "2026-10-30T12:00:00Z", "2026-11-01T23:00:00Z" },   /* EDT -> EST */
	{ "2026-03-06T12:00:00Z", "2026-03-08T22:00:00Z" },   /* EST -> EDT */
	{ "2026-11-01T22:59:59Z", "2026-11-01T23:00:00Z" },
	{ "2026-11-01T23:00:00Z", "2026-11-08T23:00:00Z" }, /* strictly after */
	{ "2026-11-02T03:00:00Z", "2026-11-08T23:00:00Z" },   /* Sun 22:00 NY */
	{ "2026-03-08T21:59:59Z", "2026-03-08T22:00:00Z" },
	{ "2026-07-05T00:00:00Z", "2026-07-05T22:00:00Z" },   /* Sat 20:00 NY */
};

START_TEST(test_next_weekly)
{
	ck_assert_int_eq(qgtm_next_weekly(at(sundays_18[_i].from), 0, 18, 0),
	    at(sundays_18[_i].next));
}
END_TEST

START_TEST(test_next_weekly_other_day)
{
	/* Monday 09:30 New York from a Friday: 2026-11-02 is after DST. */
	ck_assert_int_eq(qgtm_next_weekly(at("2026-10-30T12:00:00Z"), 1, 9, 30),
	    at("2026-11-02T14:30:00Z"));
}
END_TEST

/* ------------------------------------------------------------- NYSE -- */

/*
 * Full-day closures as published by NYSE, "Holidays & Trading Hours",
 * https://www.nyse.com/markets/hours-calendars (2024, 2025, 2026). 2025-01-09
 * was the National Day of Mourning for President Carter (an unscheduled
 * closure announced by NYSE in December 2024).
 */
static const struct qgtm_date nyse_closed_days[] = {
	{ 2024, 1, 1 }, { 2024, 1, 15 }, { 2024, 2, 19 }, { 2024, 3, 29 },
	{ 2024, 5, 27 }, { 2024, 6, 19 }, { 2024, 7, 4 }, { 2024, 9, 2 },
	{ 2024, 11, 28 }, { 2024, 12, 25 },
	{ 2025, 1, 1 }, { 2025, 1, 9 }, { 2025, 1, 20 }, { 2025, 2, 17 },
	{ 2025, 4, 18 }, { 2025, 5, 26 }, { 2025, 6, 19 }, { 2025, 7, 4 },
	{ 2025, 9, 1 }, { 2025, 11, 27 }, { 2025, 12, 25 },
	{ 2026, 1, 1 }, { 2026, 1, 19 }, { 2026, 2, 16 }, { 2026, 4, 3 },
	{ 2026, 5, 25 }, { 2026, 6, 19 }, { 2026, 7, 3 }, { 2026, 9, 7 },
	{ 2026, 11, 26 }, { 2026, 12, 25 },
};

static int
in_closed_list(struct qgtm_date d)
{
	int i;

	for (i = 0; i < NELEM(nyse_closed_days); i++)
		if (memcmp(&d, &nyse_closed_days[i], sizeof d) == 0)
			return 1;
	return 0;
}

/* Every day of 2024-2026: a trading day iff a weekday not in the list. */
START_TEST(test_nyse_calendar)
{
	long day = qgtm_days_from_civil(2024, 1, 1);
	long end = qgtm_days_from_civil(2027, 1, 1);
	struct qgtm_date d;
	int wd, want, ntrading = 0;

	for (; day < end; day++) {
		d = qgtm_civil_from_days(day);
		wd = qgtm_weekday(d.year, d.month, d.day);
		want = wd != 0 && wd != 6 && !in_closed_list(d);
		ck_assert_msg(qgtm_nyse_is_trading_day(d.year, d.month,
		    d.day) == want, "%04d-%02d-%02d", d.year, d.month, d.day);
		ntrading += want;
	}
	/* 252 + 250 + 251 sessions (NYSE calendars for 2024-2026). */
	ck_assert_int_eq(ntrading, 252 + 250 + 251);
}
END_TEST

/* Observance rules on dates from other years (NYSE Rule 7.2). */
START_TEST(test_nyse_observance)
{
	/* 2022-01-01 was a Saturday: not observed, open on 2021-12-31. */
	ck_assert_int_eq(qgtm_nyse_is_trading_day(2021, 12, 31), 1);
	/* 2021-12-25 was a Saturday: closed on Friday 2021-12-24. */
	ck_assert_int_eq(qgtm_nyse_is_trading_day(2021, 12, 24), 0);
	/* 2022-12-25 was a Sunday: closed on Monday 2022-12-26. */
	ck_assert_int_eq(qgtm_nyse_is_trading_day(2022, 12, 26), 0);
	/* Juneteenth 2022 was a Sunday: closed on Monday 2022-06-20. */
	ck_assert_int_eq(qgtm_nyse_is_trading_day(2022, 6, 20), 0);
	/* Before 2022 Juneteenth was a trading day. */
	ck_assert_int_eq(qgtm_nyse_is_trading_day(2021, 6, 18), 1);
	/* 2023-01-01 was a Sunday: closed on Monday 2023-01-02. */
	ck_assert_int_eq(qgtm_nyse_is_trading_day(2023, 1, 2), 0);
	/* Hurricane Sandy. */
	ck_assert_int_eq(qgtm_nyse_is_trading_day(2012, 10, 29), 0);
}
END_TEST

/*
 * Good Friday is closed and the Thursday before open, for Easter Sundays
 * near both ends of its range (Wikipedia, "List of dates for Easter":
 * 2008-03-23, 2011-04-24, 2019-04-21, 2038-04-25).
 */
static const struct qgtm_date good_fridays[] = {
	{ 2008, 3, 21 }, { 2011, 4, 22 }, { 2019, 4, 19 }, { 2038, 4, 23 },
};

START_TEST(test_nyse_good_friday)
{
	struct qgtm_date d = good_fridays[_i];

	ck_assert_int_eq(qgtm_nyse_is_trading_day(d.year, d.month, d.day), 0);
	ck_assert_int_eq(qgtm_nyse_is_trading_day(d.year, d.month, d.day - 1),
	    1);
}
END_TEST

static const struct {
	int y, m, d;
	const char *close;      /* NULL: no session */
} nyse_closes[] = {
	{ 2026, 11, 27, "2026-11-27T18:00:00Z" },  /* after Thanksgiving */
	{ 2026, 12, 24, "2026-12-24T18:00:00Z" },
	{ 2026, 11, 25, "2026-11-25T21:00:00Z" },
	{ 2026, 7, 2, "2026-07-02T20:00:00Z" },    /* July 3 is a holiday */
	{ 2026, 3, 9, "2026-03-09T20:00:00Z" },
	{ 2026, 3, 6, "2026-03-06T21:00:00Z" },
	{ 2025, 7, 3, "2025-07-03T17:00:00Z" },
	{ 2025, 11, 28, "2025-11-28T18:00:00Z" },
	{ 2025, 12, 24, "2025-12-24T18:00:00Z" },
	{ 2024, 7, 3, "2024-07-03T17:00:00Z" },
	{ 2024, 11, 29, "2024-11-29T18:00:00Z" },
	{ 2024, 12, 24, "2024-12-24T18:00:00Z" },
	{ 2026, 12, 25, NULL },
	{ 2026, 7, 3, NULL },
	{ 2026, 3, 7, NULL },
};

START_TEST(test_nyse_close)
{
	time_t t = qgtm_nyse_close(nyse_closes[_i].y, nyse_closes[_i].m,
	    nyse_closes[_i].d);

	if (nyse_closes[_i].close != NULL) {
		ck_assert_int_eq(t, at(nyse_closes[_i].close));
		return;
	}
	ck_assert_int_eq(t, -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_UNAVAILABLE);
}
END_TEST

/* Clock sanity: behind any mark, or too far ahead of data or audit. */
START_TEST(test_clock_sane)
{
	struct qgtm_cfg cfg;
	struct qgtm_clock_marks m = { 0 };
	char *dir = unit_state_cfg(&cfg, "risk:\n  clock_max_ahead_s: 86400\n"
	    "  clock_max_behind_s: 60\n"), why[256];
	time_t t = 1800000000;

	ck_assert_int_eq(qgtm_clock_sane(&cfg, t, &m, why, sizeof why), 1);
	m.data = t - 86400;
	m.beat = t + 60;
	m.audit = t - 3600;
	ck_assert_int_eq(qgtm_clock_sane(&cfg, t, &m, why, sizeof why), 1);
	m.beat = t + 61;
	ck_assert_int_eq(qgtm_clock_sane(&cfg, t, &m, why, sizeof why), 0);
	ck_assert_ptr_nonnull(strstr(why, "ran backwards"));
	ck_assert_ptr_nonnull(strstr(why, "last heartbeat"));
	m.beat = 0;
	m.stored = t + 61;
	ck_assert_int_eq(qgtm_clock_sane(&cfg, t, &m, why, sizeof why), 0);
	ck_assert_ptr_nonnull(strstr(why, "newest data stored"));
	/* Data not yet available is no sign of a clock behind. */
	m.stored = t;
	m.data = t + 86400;
	ck_assert_int_eq(qgtm_clock_sane(&cfg, t, &m, why, sizeof why), 1);
	m.data = t - 86401;
	ck_assert_int_eq(qgtm_clock_sane(&cfg, t, &m, why, sizeof why), 0);
	ck_assert_ptr_nonnull(strstr(why, "ahead of the data"));
	m.data = t;
	m.audit = t - 86401;
	ck_assert_int_eq(qgtm_clock_sane(&cfg, t, &m, why, sizeof why), 0);
	ck_assert_ptr_nonnull(strstr(why, "last audit entry"));
	qgtm_cfg_release(&cfg);
	qgtm_remove_tree(dir);
	free(dir);
}
END_TEST

/* The marks of a state: a bar's available_at and the chain's last ts. */
START_TEST(test_clock_marks)
{
	struct qgtm_cfg cfg;
	struct qgtm_clock_marks m;
	char *dir = unit_state_cfg(&cfg, ""), *chain, *audit;
	time_t t;

	qgtm_clock_marks(&cfg, &m);
	ck_assert_int_eq(m.data, 0);
	ck_assert_int_eq(m.audit, 0);
	unit_add_bar("GLD", "2026-03-02", "100.000000");
	audit = qgtm_xasprintf("%s/audit", dir);
	chain = qgtm_xasprintf("%s/chain.jsonl", audit);
	ck_assert_int_eq(qgtm_mkdirs(audit, 0700), 0);
	unit_write_file(chain, "{\"rec\":{\"type\":\"x\"},\"ts\":"
	    "\"2026-03-01T00:00:00Z\"}\n{\"rec\":{},\"ts\":"
	    "\"2026-03-04T10:00:00Z\"}\n");
	qgtm_clock_marks(&cfg, &m);
	ck_assert_int_eq(qgtm_time_parse("2026-03-04T10:00:00Z", &t), 0);
	ck_assert_int_eq(m.audit, t);
	ck_assert_int_gt(m.data, 0);
	free(chain);
	free(audit);
	qgtm_cfg_release(&cfg);
	qgtm_remove_tree(dir);
	free(dir);
}
END_TEST

Suite *
suite_clock(void)
{
	Suite *s = suite_create("clock");
	TCase *tc;

	tc = tcase_create("pin");
	tcase_add_checked_fixture(tc, clock_reset, clock_reset);
	tcase_add_test(tc, test_now_unpinned);
	tcase_add_test(tc, test_now_from_env);
	tcase_add_test(tc, test_now_env_invalid);
	tcase_add_test(tc, test_now_env_invalid_warns);
	tcase_add_test(tc, test_now_env_empty);
	tcase_add_test(tc, test_pin);
	tcase_add_test(tc, test_clock_sane);
	tcase_add_test(tc, test_clock_marks);
	suite_add_tcase(s, tc);

	tc = tcase_create("rfc3339");
	tcase_add_loop_test(tc, test_parse_good, 0, NELEM(good_times));
	tcase_add_loop_test(tc, test_parse_bad, 0, NELEM(bad_times));
	tcase_add_test(tc, test_fmt);
	tcase_add_test(tc, test_fmt_parse_round_trip);
	suite_add_tcase(s, tc);

	tc = tcase_create("civil");
	tcase_set_timeout(tc, 60);      /* ~229,000 days on a loaded machine */
	tcase_add_test(tc, test_civil_known);
	tcase_add_test(tc, test_civil_vs_gmtime);
	suite_add_tcase(s, tc);

	tc = tcase_create("newyork");
	tcase_add_loop_test(tc, test_ny_offset, 0, NELEM(ny_offsets));
	tcase_add_loop_test(tc, test_ny_time, 0, NELEM(ny_times));
	tcase_add_test(tc, test_ny_date);
	tcase_add_loop_test(tc, test_next_weekly, 0, NELEM(sundays_18));
	tcase_add_test(tc, test_next_weekly_other_day);
	suite_add_tcase(s, tc);

	tc = tcase_create("nyse");
	tcase_add_test(tc, test_nyse_calendar);
	tcase_add_test(tc, test_nyse_observance);
	tcase_add_loop_test(tc, test_nyse_good_friday, 0, NELEM(good_fridays));
	tcase_add_loop_test(tc, test_nyse_close, 0, NELEM(nyse_closes));
	suite_add_tcase(s, tc);
	return s;
}
