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
	tcase_add_test(tc, eia_is_wednesday_1030_thursday_after_a_monday_holiday);
	suite_add_tcase(s, tc);
	return s;
}
