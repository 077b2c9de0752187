/*
 * calendar.c: US federal holidays and the release rules of the weekly
 * reports (CFTC COT, EIA WPSR) that fix when their data became known.
 */
#include "data/data.h"

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

/*
 * The COT reports CFTC published off its rule, as (report date, release
 * date), both New York, released at 15:30. Source: CFTC, "Commitments of
 * Traders Publication Schedule" in its release of 2025-11-18, "CFTC to
 * Resume Publishing COT Reports Wednesday" (the catch-up after the lapse
 * in appropriations of 2025-10-01 to 11-12; its New Publish Date column;
 * reprinted at https://mondovisione.com/media-and-resources/news/
 * cftc-to-resume-publishing-cot-reports-wednesday-the-agency-also-
 * announced-a-c-20251118/). The report of 2025-11-10 is a Monday: Tuesday 11-11 was
 * Veterans Day, and CFTC then uses Monday's data.
 */
static const struct {
	long report, release;   /* YYYYMMDD */
} cot_off_rule[] = {
	{ 20250930, 20251119 }, { 20251007, 20251121 },
	{ 20251014, 20251125 }, { 20251021, 20251202 },
	{ 20251028, 20251205 }, { 20251104, 20251209 },
	{ 20251110, 20251212 }, { 20251118, 20251216 },
	{ 20251125, 20251219 }, { 20251202, 20251223 },
	{ 20251209, 20251230 }, { 20251216, 20260106 },
	{ 20251223, 20260109 }, { 20251230, 20260113 },
	{ 20260106, 20260116 }, { 20260113, 20260120 },
};

/* Day (since the epoch) of the date YYYYMMDD. */
static long
day_of(long ymd)
{
	return qgtm_days_from_civil((int)(ymd / 10000), (int)(ymd / 100 % 100),
	    (int)(ymd % 100));
}

/*
 * CFTC's rule, as its published schedules apply it (the release schedule
 * at https://www.cftc.gov/MarketReports/CommitmentsofTraders/
 * ReleaseSchedule/index.htm, "through 2024":
 * releases on the Friday after the Monday holidays of Jan 15, Feb 19,
 * May 27, Sep 2, Oct 14 and Nov 11; on the Monday after the holidays of
 * Wed Jun 19, Thu Jul 4, Thu Nov 28 and Wed Dec 25): Friday 15:30 of the
 * report's week, or the next business day when a federal holiday falls on
 * the Wednesday to Friday between the positions and the release.
 */
time_t
qgtm_cot_release(int y, int m, int d)
{
	long day = qgtm_days_from_civil(y, m, d);
	long monday = day - (qgtm_weekday(y, m, d) + 6) % 7, fri = monday + 4;
	size_t i;

	for (i = 0; i < sizeof cot_off_rule / sizeof cot_off_rule[0]; i++) {
		day = day_of(cot_off_rule[i].report);
		if (day - (day + 3) % 7 == monday)      /* 1970-01-05: Monday */
			return ny_at(day_of(cot_off_rule[i].release), 15, 30);
	}
	if (holiday_between(monday + 2, fri))
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
