/*
 * test_calendar.c: federal holidays and the release rules of the weekly
 * reports, on the dates the providers announced.
 */
#include "unit.h"

static time_t
at(const char *s)
{
	time_t t;

	ck_assert_int_eq(qgtm_time_parse(s, &t), 0);
	return t;
}

START_TEST(federal_holidays_as_observed)
{
	ck_assert(qgtm_federal_holiday(2026, 1, 19));      /* MLK */
	ck_assert(qgtm_federal_holiday(2026, 7, 3));       /* July 4 a Sat */
	ck_assert(qgtm_federal_holiday(2026, 10, 12));     /* Columbus */
	ck_assert(qgtm_federal_holiday(2026, 11, 11));     /* Veterans */
	ck_assert(qgtm_federal_holiday(2026, 11, 26));     /* Thanksgiving */
	ck_assert(qgtm_federal_holiday(2027, 6, 18));      /* Juneteenth Sat */
	ck_assert(qgtm_federal_holiday(2027, 12, 31));     /* 2028-01-01 Sat */
	ck_assert(qgtm_federal_holiday(2026, 5, 25));      /* Memorial */
	ck_assert(!qgtm_federal_holiday(2026, 4, 3));      /* Good Friday */
	ck_assert(!qgtm_federal_holiday(2026, 11, 27));
	ck_assert(!qgtm_federal_holiday(2020, 6, 19));     /* before 2021 */
}
END_TEST

START_TEST(cot_is_friday_1530_later_after_a_holiday)
{
	ck_assert_int_eq(qgtm_cot_release(2026, 3, 10),
	    at("2026-03-13T19:30:00Z"));
	ck_assert_int_eq(qgtm_cot_release(2026, 3, 3),
	    at("2026-03-06T20:30:00Z"));                /* still EST */
	/* Juneteenth on the Friday: Monday 2026-06-22. */
	ck_assert_int_eq(qgtm_cot_release(2026, 6, 16),
	    at("2026-06-22T19:30:00Z"));
	/* Independence Day on a Thursday (2024): Monday July 8. */
	ck_assert_int_eq(qgtm_cot_release(2024, 7, 2),
	    at("2024-07-08T19:30:00Z"));
	/* Christmas on the Friday, 2026-12-25: Monday 12-28. */
	ck_assert_int_eq(qgtm_cot_release(2026, 12, 22),
	    at("2026-12-28T20:30:00Z"));
	/* A Monday holiday before the positions delays nothing (CFTC's
	 * 2024 schedule: MLK 01-15, Veterans Day 11-11 on Fridays 19, 15). */
	ck_assert_int_eq(qgtm_cot_release(2024, 1, 16),
	    at("2024-01-19T20:30:00Z"));
	ck_assert_int_eq(qgtm_cot_release(2024, 11, 12),
	    at("2024-11-15T20:30:00Z"));
	ck_assert_int_eq(qgtm_cot_release(2024, 9, 3),
	    at("2024-09-06T19:30:00Z"));
}
END_TEST

/* The 2025 shutdown backlog, from CFTC's catch-up schedule of 2025-11-18
 * (tests/fixtures/cot-releases.tsv has the whole table and its source). */
START_TEST(cot_shutdown_backlog_at_cftc_dates)
{
	ck_assert_int_eq(qgtm_cot_release(2025, 9, 30),
	    at("2025-11-19T20:30:00Z"));        /* first, a Wednesday */
	ck_assert_int_eq(qgtm_cot_release(2025, 11, 10),
	    at("2025-12-12T20:30:00Z"));        /* Monday data */
	ck_assert_int_eq(qgtm_cot_release(2025, 11, 11),
	    at("2025-12-12T20:30:00Z"));        /* the same week */
	ck_assert_int_eq(qgtm_cot_release(2026, 1, 13),
	    at("2026-01-20T20:30:00Z"));        /* the last of the backlog */
	ck_assert_int_eq(qgtm_cot_release(2026, 1, 20),
	    at("2026-01-23T20:30:00Z"));        /* back on Fridays */
	ck_assert_int_eq(qgtm_cot_release(2025, 9, 23),
	    at("2025-09-26T19:30:00Z"));
}
END_TEST

START_TEST(eia_is_wednesday_1030_thursday_after_a_monday_holiday)
{
	ck_assert_int_eq(qgtm_eia_release(2026, 3, 6),
	    at("2026-03-11T14:30:00Z"));
	/* Memorial Day 2026-05-25: Thursday 05-28. */
	ck_assert_int_eq(qgtm_eia_release(2026, 5, 22),
	    at("2026-05-28T15:00:00Z"));
	/* Labor Day 2026-09-07. */
	ck_assert_int_eq(qgtm_eia_release(2026, 9, 4),
	    at("2026-09-10T15:00:00Z"));
}
END_TEST

Suite *
suite_calendar(void)
{
	Suite *s = suite_create("calendar");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, federal_holidays_as_observed);
	tcase_add_test(tc, cot_is_friday_1530_later_after_a_holiday);
	tcase_add_test(tc, cot_shutdown_backlog_at_cftc_dates);
	tcase_add_test(tc, eia_is_wednesday_1030_thursday_after_a_monday_holiday);
	suite_add_tcase(s, tc);
	return s;
}
