/*
 * calendar.c: US federal holidays and the release rules of the weekly
 * reports (CFTC COT, EIA WPSR) that fix when their data became known.
 */
#include "qgtm.h"

/* The day of month of the n-th (1-5) weekday wd of y-m; n = -1: last. */
static int
nth_weekday(int y, int m, int wd, int n)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int first = qgtm_weekday(y, m, 1), d;

	d = 1 + (wd - first + 7) % 7;
	if (n > 0)
		return d + 7 * (n - 1);
	n = mdays[m - 1] + (m == 2 && y % 4 == 0 &&
	    (y % 100 != 0 || y % 400 == 0));
	while (d + 7 <= n)
		d += 7;
	return d;
}

/* Is day (since the epoch) the observed day of the holiday y-m0-d0? */
static int
observed(long day, int y, int m0, int d0)
{
	int wd = qgtm_weekday(y, m0, d0);

	return day == qgtm_days_from_civil(y, m0, d0) +
	    (wd == 6 ? -1 : wd == 0 ? 1 : 0);
}

int
qgtm_federal_holiday(int y, int m, int d)
{
	/* month, weekday, n for the Monday/Thursday holidays */
	static const int floating[][3] = { { 1, 1, 3 }, { 2, 1, 3 },
	    { 5, 1, -1 }, { 9, 1, 1 }, { 10, 1, 2 }, { 11, 4, 4 } };
	long day = qgtm_days_from_civil(y, m, d);
	size_t i;

	for (i = 0; i < sizeof floating / sizeof floating[0]; i++)
		if (m == floating[i][0] &&
		    d == nth_weekday(y, m, floating[i][1], floating[i][2]))
			return 1;
	return observed(day, y, 1, 1) || observed(day, y + 1, 1, 1) ||
	    (y >= 2021 && observed(day, y, 6, 19)) ||
	    observed(day, y, 7, 4) || observed(day, y, 11, 11) ||
	    observed(day, y, 12, 25);
}

/* Any federal holiday on the days [from, to] (days since the epoch)? */
static int
holiday_between(long from, long to)
{
	struct qgtm_date c;

	for (; from <= to; from++) {
		c = qgtm_civil_from_days(from);
		if (qgtm_federal_holiday(c.year, c.month, c.day))
			return 1;
	}
	return 0;
}

/* The first business day (weekday, no federal holiday) after day. */
static long
next_business_day(long day)
{
	struct qgtm_date c;
	int wd;

	do {
		c = qgtm_civil_from_days(++day);
		wd = qgtm_weekday(c.year, c.month, c.day);
	} while (wd == 0 || wd == 6 ||
	    qgtm_federal_holiday(c.year, c.month, c.day));
	return day;
}

/* The instant hh:mm New York on day (days since the epoch). */
static time_t
ny_at(long day, int hh, int mm)
{
	struct qgtm_date c = qgtm_civil_from_days(day);

	return qgtm_ny_time(c.year, c.month, c.day, hh, mm);
}

time_t
qgtm_cot_release(int y, int m, int d)
{
	long tue = qgtm_days_from_civil(y, m, d);
	long fri = tue + 3;

	if (holiday_between(tue - 1, fri))
		return ny_at(next_business_day(fri), 15, 30);
	return ny_at(fri, 15, 30);
}

time_t
qgtm_eia_release(int y, int m, int d)
{
	long wed = qgtm_days_from_civil(y, m, d) + 5;

	if (holiday_between(wed - 2, wed))
		return ny_at(wed + 1, 11, 0);
	return ny_at(wed, 10, 30);
}
