/*
 * clock.c: the (pinnable) clock, RFC 3339 parsing and formatting, civil
 * dates, New York time and the NYSE session calendar, all computed by hand
 * so that no result depends on TZ or the system's zoneinfo.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "base/base.h"

#define DAY 86400L
#define EST (-5 * 3600)
#define EDT (-4 * 3600)

enum { SUN, MON, TUE, WED, THU, FRI, SAT };

static int clock_ready;         /* QGTM_NOW has been read */
static int clock_env_bad;       /* ... and was invalid; not yet reported */
static int clock_is_pinned;
static time_t clock_pinned_at;

/* ---------------------------------------------------------- the clock -- */

void
qgtm_clock_pin_at(time_t t)
{
	clock_ready = 1;
	clock_is_pinned = 1;
	clock_pinned_at = t;
}

int
qgtm_clock_init(void)
{
	const char *env = getenv("QGTM_NOW");
	time_t t;

	clock_ready = 1;
	clock_env_bad = 0;
	clock_is_pinned = 0;
	if (env == NULL || *env == '\0')
		return 0;
	if (qgtm_time_parse(env, &t) == -1) {
		clock_env_bad = 1;
		return qgtm_seterr(QGTM_EX_USAGE, "invalid QGTM_NOW '%.64s'",
		    env);
	}
	qgtm_clock_pin_at(t);
	return 0;
}

/* Read QGTM_NOW on first use, for programs that did not call init. */
static void
clock_lazy_init(void)
{
	if (!clock_ready)
		qgtm_clock_init();
}

time_t
qgtm_now(void)
{
	clock_lazy_init();
	if (clock_env_bad) {
		clock_env_bad = 0;
		qgtm_warn("invalid QGTM_NOW; using the system clock");
	}
	return clock_is_pinned ? clock_pinned_at : time(NULL);
}

int
qgtm_clock_pin(const char *rfc3339)
{
	time_t t;

	if (qgtm_time_parse(rfc3339, &t) == -1)
		return qgtm_seterr(QGTM_EX_USAGE, "invalid time '%.64s'",
		    rfc3339);
	qgtm_clock_pin_at(t);
	return 0;
}

int
qgtm_clock_pinned(void)
{
	clock_lazy_init();
	return clock_is_pinned;
}

/* ------------------------------------------------------- civil dates -- */

/*
 * days_from_civil and civil_from_days are Howard Hinnant's public-domain
 * algorithms, "chrono-Compatible Low-Level Date Algorithms",
 * https://howardhinnant.github.io/date_algorithms.html
 */
long
qgtm_days_from_civil(int y, int m, int d)
{
	long yy = (long)y - (m <= 2);
	long era = (yy >= 0 ? yy : yy - 399) / 400;
	long yoe = yy - era * 400;
	long doy = (153L * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

struct qgtm_date
qgtm_civil_from_days(long days)
{
	long z = days + 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	struct qgtm_date dt;

	dt.day = (int)(doy - (153 * mp + 2) / 5 + 1);
	dt.month = (int)(mp < 10 ? mp + 3 : mp - 9);
	dt.year = (int)(yoe + era * 400 + (dt.month <= 2));
	return dt;
}

/* Weekday (0 = Sunday) of a day number; 1970-01-01 was a Thursday. */
static int
weekday_of(long days)
{
	long r = (days + THU) % 7;

	return (int)(r < 0 ? r + 7 : r);
}

int
qgtm_weekday(int y, int m, int d)
{
	return weekday_of(qgtm_days_from_civil(y, m, d));
}

static long
day_of(struct qgtm_date dt)
{
	return qgtm_days_from_civil(dt.year, dt.month, dt.day);
}

/* Floor division of a time by one day: the UTC day number of t. */
static long
day_floor(time_t t)
{
	return (long)(t / DAY - (t % DAY < 0));
}

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
	static const int dim[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* The day of month of the n-th (1-based) weekday wd in y-m. */
static int
nth_weekday(int y, int m, int wd, int n)
{
	return 1 + (wd - qgtm_weekday(y, m, 1) + 7) % 7 + 7 * (n - 1);
}

/* The day of month of the last weekday wd in y-m. */
static int
last_weekday(int y, int m, int wd)
{
	int last = days_in_month(y, m);

	return last - (qgtm_weekday(y, m, last) - wd + 7) % 7;
}

/* --------------------------------------------------- RFC 3339 parsing -- */

/* Read exactly n digits at *sp into *out and advance; -1 if not digits. */
static int
digits(const char **sp, int n, int *out)
{
	const char *s = *sp;
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*sp = s + n;
	*out = v;
	return 0;
}

/* Consume the character c at *sp; -1 if it is something else. */
static int
expect(const char **sp, char c)
{
	if (**sp != c)
		return -1;
	(*sp)++;
	return 0;
}

/* "YYYY-MM-DD" as a day number; the date must exist. */
static int
parse_date(const char **sp, long *days)
{
	int y, m, d;

	if (digits(sp, 4, &y) == -1 || expect(sp, '-') == -1 ||
	    digits(sp, 2, &m) == -1 || expect(sp, '-') == -1 ||
	    digits(sp, 2, &d) == -1)
		return -1;
	if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	*days = qgtm_days_from_civil(y, m, d);
	return 0;
}

/* "HH:MM" with hh <= 23 and mm <= 59, as seconds. */
static int
parse_hhmm(const char **sp, long *secs)
{
	int h, m;

	if (digits(sp, 2, &h) == -1 || expect(sp, ':') == -1 ||
	    digits(sp, 2, &m) == -1 || h > 23 || m > 59)
		return -1;
	*secs = h * 3600L + m * 60L;
	return 0;
}

/* "HH:MM:SS" plus an optional fraction (dropped), as seconds. */
static int
parse_clock(const char **sp, long *secs)
{
	int s;

	if (parse_hhmm(sp, secs) == -1 || expect(sp, ':') == -1 ||
	    digits(sp, 2, &s) == -1 || s > 59)
		return -1;
	*secs += s;
	if (expect(sp, '.') == 0) {
		if (**sp < '0' || **sp > '9')
			return -1;
		while (**sp >= '0' && **sp <= '9')
			(*sp)++;
	}
	return 0;
}

/* "Z", "+HH:MM" or "-HH:MM" as seconds east of UTC. */
static int
parse_offset(const char **sp, long *off)
{
	char sign = **sp;

	if (expect(sp, 'Z') == 0) {
		*off = 0;
		return 0;
	}
	if (sign != '+' && sign != '-')
		return -1;
	(*sp)++;
	if (parse_hhmm(sp, off) == -1)
		return -1;
	if (sign == '-')
		*off = -*off;
	return 0;
}

int
qgtm_time_parse(const char *s, time_t *out)
{
	const char *p = s;
	long days, secs = 0, off = 0;

	if (parse_date(&p, &days) == -1)
		goto bad;
	if (*p != '\0' && (expect(&p, 'T') == -1 ||
	    parse_clock(&p, &secs) == -1 || parse_offset(&p, &off) == -1))
		goto bad;
	if (*p != '\0')
		goto bad;
	*out = (time_t)days * DAY + secs - off;
	return 0;
bad:
	return qgtm_seterr(QGTM_EX_DATAERR,
	    "invalid time '%.64s': expected YYYY-MM-DD or RFC 3339", s);
}

/* ------------------------------------------------------- formatting -- */

/* t clamped to the years 0000-9999 (UTC). */
static time_t
clamp_years(time_t t)
{
	const time_t lo = (time_t)qgtm_days_from_civil(0, 1, 1) * DAY;
	const time_t hi = (time_t)qgtm_days_from_civil(10000, 1, 1) * DAY - 1;

	return t < lo ? lo : t > hi ? hi : t;
}

/*
 * The UTC fields year, month, day, hour, minute, second of t (clamped to
 * years 0000-9999, so every field fits its digits) from gmtime_r.
 */
static void
utc_fields(time_t t, unsigned f[6])
{
	struct tm tm;

	t = clamp_years(t);
	gmtime_r(&t, &tm);      /* cannot fail within these years */
	f[0] = (unsigned)(tm.tm_year + 1900);
	f[1] = (unsigned)(tm.tm_mon + 1);
	f[2] = (unsigned)tm.tm_mday;
	f[3] = (unsigned)tm.tm_hour;
	f[4] = (unsigned)tm.tm_min;
	f[5] = (unsigned)tm.tm_sec;
}

/* Write the n last decimal digits of v, zero-padded, at p; returns p + n.
 * (The formatters below run for every bar and record; printf was a tenth
 * of a backtest.) */
static char *
put_digits(char *p, unsigned v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
	return p + n;
}

/* "YYYY-MM-DD" of f at p (no NUL); returns the end. */
static char *
put_date(char *p, const unsigned f[6])
{
	p = put_digits(p, f[0], 4);
	*p++ = '-';
	p = put_digits(p, f[1], 2);
	*p++ = '-';
	return put_digits(p, f[2], 2);
}

char *
qgtm_date_fmt(time_t t, char out[11])
{
	unsigned f[6];

	utc_fields(t, f);
	*put_date(out, f) = '\0';
	return out;
}

char *
qgtm_time_fmt(time_t t, char out[21])
{
	unsigned f[6];
	char *p;

	utc_fields(t, f);
	p = put_date(out, f);
	*p++ = 'T';
	p = put_digits(p, f[3], 2);
	*p++ = ':';
	p = put_digits(p, f[4], 2);
	*p++ = ':';
	p = put_digits(p, f[5], 2);
	*p++ = 'Z';
	*p = '\0';
	return out;
}

/* ---------------------------------------------------- New York time -- */

/*
 * US rules since the Energy Policy Act of 2005 (in force 2007): DST from
 * 02:00 EST on the second Sunday of March (07:00Z) to 02:00 EDT on the first
 * Sunday of November (06:00Z). Applied to every year.
 */
int
qgtm_ny_offset(time_t t)
{
	int y = qgtm_civil_from_days(day_floor(t)).year;
	time_t start, end;

	start = (time_t)qgtm_days_from_civil(y, 3, nth_weekday(y, 3, SUN, 2)) *
	    DAY + 7 * 3600;
	end = (time_t)qgtm_days_from_civil(y, 11, nth_weekday(y, 11, SUN, 1)) *
	    DAY + 6 * 3600;
	return t >= start && t < end ? EDT : EST;
}

/*
 * Read the wall time as EDT first: if that instant is in DST it is right
 * (and the first of two in the repeated hour). Otherwise read it as EST,
 * which in the skipped hour lands one hour later on the EDT wall clock.
 */
time_t
qgtm_ny_time(int y, int m, int d, int hh, int mm)
{
	time_t wall = (time_t)qgtm_days_from_civil(y, m, d) * DAY +
	    hh * 3600L + mm * 60L;

	if (qgtm_ny_offset(wall - EDT) == EDT)
		return wall - EDT;
	return wall - EST;
}

struct qgtm_date
qgtm_ny_date(time_t t)
{
	t = clamp_years(t);     /* so that t + offset cannot overflow */
	return qgtm_civil_from_days(day_floor(t + qgtm_ny_offset(t)));
}

/* ------------------------------------------------------------- NYSE -- */

/*
 * Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher),
 * as given in Jean Meeus, "Astronomical Algorithms", ch. 8, and
 * https://en.wikipedia.org/wiki/Date_of_Easter#Anonymous_Gregorian_algorithm
 */
static long
easter_day(int y)
{
	int a = y % 19, b = y / 100, c = y % 100;
	int d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31;
	int day = (h + l - 7 * m + 114) % 31 + 1;

	return qgtm_days_from_civil(y, month, day);
}

enum holiday_kind {
	FIXED,          /* month/arg; Saturday -> Friday, Sunday -> Monday */
	FIXED_NO_SAT,   /* as FIXED, but a Saturday is not observed */
	NTH,            /* the arg-th weekday wd of month */
	LAST,           /* the last weekday wd of month */
	GOOD_FRIDAY     /* two days before Easter Sunday */
};

struct nyse_holiday {
	enum holiday_kind kind;
	int month, arg, wd;
	int since;      /* first year observed */
};

/*
 * NYSE Rule 7.2 holidays. A Saturday New Year's Day is not moved to the
 * Friday before (the exchange stays open on December 31).
 */
static const struct nyse_holiday nyse_holidays[] = {
	{ FIXED_NO_SAT, 1, 1, 0, 0 },     /* New Year's Day */
	{ NTH, 1, 3, MON, 1998 },         /* Martin Luther King, Jr. Day */
	{ NTH, 2, 3, MON, 0 },            /* Washington's Birthday */
	{ GOOD_FRIDAY, 0, 0, 0, 0 },
	{ LAST, 5, 0, MON, 0 },           /* Memorial Day */
	{ FIXED, 6, 19, 0, 2022 },        /* Juneteenth */
	{ FIXED, 7, 4, 0, 0 },            /* Independence Day */
	{ NTH, 9, 1, MON, 0 },            /* Labor Day */
	{ NTH, 11, 4, THU, 0 },           /* Thanksgiving Day */
	{ FIXED, 12, 25, 0, 0 },          /* Christmas Day */
};

/*
 * Unscheduled full-day closures (source: NYSE, "Holidays & Trading Hours"
 * and its history of market closings; dates since 2001).
 */
static const struct qgtm_date nyse_closures[] = {
	{ 2001, 9, 11 }, { 2001, 9, 12 }, { 2001, 9, 13 }, { 2001, 9, 14 },
	{ 2004, 6, 11 },                  /* President Reagan's funeral */
	{ 2007, 1, 2 },                   /* President Ford's funeral */
	{ 2012, 10, 29 }, { 2012, 10, 30 },   /* Hurricane Sandy */
	{ 2018, 12, 5 },                  /* President G. H. W. Bush */
	{ 2025, 1, 9 },                   /* President Carter */
};

/* The day number the holiday is observed on in year y, or -1 if none. */
static long
holiday_day(const struct nyse_holiday *h, int y)
{
	long day;
	int wd;

	if (y < h->since)
		return -1;
	switch (h->kind) {
	case NTH:
		return qgtm_days_from_civil(y, h->month,
		    nth_weekday(y, h->month, h->wd, h->arg));
	case LAST:
		return qgtm_days_from_civil(y, h->month,
		    last_weekday(y, h->month, h->wd));
	case GOOD_FRIDAY:
		return easter_day(y) - 2;
	default:
		day = qgtm_days_from_civil(y, h->month, h->arg);
		wd = weekday_of(day);
		if (wd == SAT)
			return h->kind == FIXED ? day - 1 : -1;
		return wd == SUN ? day + 1 : day;
	}
}

static int
nyse_closed(int y, int m, int d)
{
	long day = qgtm_days_from_civil(y, m, d);
	size_t i;

	for (i = 0; i < sizeof nyse_holidays / sizeof nyse_holidays[0]; i++)
		if (holiday_day(&nyse_holidays[i], y) == day)
			return 1;
	for (i = 0; i < sizeof nyse_closures / sizeof nyse_closures[0]; i++)
		if (day_of(nyse_closures[i]) == day)
			return 1;
	return 0;
}

int
qgtm_nyse_is_trading_day(int y, int m, int d)
{
	int wd = qgtm_weekday(y, m, d);

	return wd != SAT && wd != SUN && !nyse_closed(y, m, d);
}

/* The Friday after Thanksgiving, Christmas Eve and July 3rd close early. */
static int
nyse_early_close(int y, int m, int d)
{
	return (m == 11 && d == nth_weekday(y, 11, THU, 4) + 1) ||
	    (m == 12 && d == 24) || (m == 7 && d == 3);
}

time_t
qgtm_nyse_close(int y, int m, int d)
{
	if (!qgtm_nyse_is_trading_day(y, m, d)) {
		qgtm_seterr(QGTM_EX_UNAVAILABLE,
		    "NYSE is closed on %04d-%02d-%02d", y, m, d);
		return (time_t)-1;
	}
	return qgtm_ny_time(y, m, d, nyse_early_close(y, m, d) ? 13 : 16, 0);
}

time_t
qgtm_next_weekly(time_t t, int wd, int hh, int mm)
{
	long day = day_of(qgtm_ny_date(t));
	struct qgtm_date dt;
	time_t next;

	day += (wd - weekday_of(day) + 7) % 7;
	dt = qgtm_civil_from_days(day);
	next = qgtm_ny_time(dt.year, dt.month, dt.day, hh, mm);
	if (next > t)
		return next;
	dt = qgtm_civil_from_days(day + 7);
	return qgtm_ny_time(dt.year, dt.month, dt.day, hh, mm);
}
