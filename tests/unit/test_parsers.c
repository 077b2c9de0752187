/*
 * test_parsers.c: what the fuzz harnesses of tests/fuzz found in the
 * response parsers, kept as regression tests (the reproducers are also
 * seeds of tests/fuzz/corpus): an Alpaca bars object keyed by "" looped
 * for ever; sums and differences of huge decimal amounts overflowed; a
 * timestamp near the ends of time_t overflowed in qgtm_ny_date.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

/* The records of kind read from the JSON text body. */
static json_t *
alpaca(enum qgtm_alpaca_answer kind, const char *body)
{
	json_t *v = json_loads(body, 0, NULL), *recs;

	ck_assert_ptr_nonnull(v);
	recs = qgtm_alpaca_records(kind, v, 0);
	json_decref(v);
	return recs;
}

START_TEST(alpaca_bars_of_an_empty_symbol_are_refused)
{
	static const char body[] = "{\"bars\":{\"\":[]}}";
	struct qgtm_feed_page pg = { 0 };
	struct qgtm_cfg cfg;
	struct qgtm_feed f;

	free(unit_state_cfg(&cfg, "fetch:\n  alpaca:\n    feed: iex\n"));
	qgtm_feed_init(&f, &qgtm_feed_alpaca, &cfg, 1);
	ck_assert_int_eq(qgtm_feed_parse(&f, "GLD,SLV", body, strlen(body),
	    &pg), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_PROTOCOL);
	ck_assert_str_eq(qgtm_errmsg(), "alpaca: unexpected response: bars "
	    "of '', not asked for");
	qgtm_feed_release(&f);
	qgtm_cfg_release(&cfg);
}
END_TEST

START_TEST(account_sums_that_overflow_are_null)
{
	json_t *rec = alpaca(QGTM_ALPACA_ACCOUNT, "{\"equity\":"
	    "\"90000000000000000\",\"last_equity\":\"-90000000000000000\","
	    "\"long_market_value\":\"90000000000000000\","
	    "\"short_market_value\":\"90000000000000000\"}");

	ck_assert_ptr_nonnull(rec);
	ck_assert(json_is_null(json_object_get(rec, "market_value")));
	ck_assert(json_is_null(json_object_get(rec, "daily_pl")));
	json_decref(rec);
}
END_TEST

/* The profit_loss of day i of the history days (borrowed). */
static json_t *
day_pl(json_t *days, size_t i)
{
	return json_object_get(json_array_get(days, i), "profit_loss");
}

START_TEST(history_profit_loss_that_overflows_reads_as_zero)
{
	json_t *days = alpaca(QGTM_ALPACA_HISTORY, "{\"timestamp\":"
	    "[1767330000],\"equity\":[9e16],\"profit_loss\":[-9e16]}");

	ck_assert_int_eq(json_array_size(days), 1);
	ck_assert_str_eq(json_string_value(day_pl(days, 0)), "0.00");
	json_decref(days);
}
END_TEST

START_TEST(history_equity_change_that_overflows_is_null)
{
	json_t *days = alpaca(QGTM_ALPACA_HISTORY, "{\"timestamp\":"
	    "[1767330000,1767416400],\"equity\":[9e16,-9e16]}");

	ck_assert_int_eq(json_array_size(days), 2);
	ck_assert_str_eq(json_string_value(day_pl(days, 0)), "0.00");
	ck_assert(json_is_null(day_pl(days, 1)));
	json_decref(days);
}
END_TEST

START_TEST(an_answer_of_the_wrong_type_is_a_protocol_error)
{
	ck_assert_ptr_null(alpaca(QGTM_ALPACA_CLOCK, "[]"));
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_PROTOCOL);
	ck_assert_str_eq(qgtm_errmsg(), "alpaca: /v2/clock: unexpected answer");
	ck_assert_ptr_null(qgtm_alpaca_records(QGTM_ALPACA_POSITIONS, NULL, 0));
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_PROTOCOL);
}
END_TEST

START_TEST(ny_date_clamps_times_beyond_the_years_0000_to_9999)
{
	struct qgtm_date hi = qgtm_ny_date((time_t)INT64_MAX);
	struct qgtm_date lo = qgtm_ny_date((time_t)INT64_MIN);
	struct qgtm_date lo0;
	time_t t;

	ck_assert_int_eq(qgtm_time_parse("0000-01-01T00:00:00Z", &t), 0);
	lo0 = qgtm_ny_date(t);
	ck_assert_int_eq(hi.year, 9999);
	ck_assert_int_eq(hi.month, 12);
	ck_assert_int_eq(hi.day, 31);
	ck_assert_int_eq(lo.year, lo0.year);
	ck_assert_int_eq(lo.month, lo0.month);
	ck_assert_int_eq(lo.day, lo0.day);
}
END_TEST

Suite *
suite_parsers(void)
{
	Suite *s = suite_create("parsers");
	TCase *tc = tcase_create("fuzz findings");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, alpaca_bars_of_an_empty_symbol_are_refused);
	tcase_add_test(tc, account_sums_that_overflow_are_null);
	tcase_add_test(tc, history_profit_loss_that_overflows_reads_as_zero);
	tcase_add_test(tc, history_equity_change_that_overflows_is_null);
	tcase_add_test(tc, an_answer_of_the_wrong_type_is_a_protocol_error);
	tcase_add_test(tc, ny_date_clamps_times_beyond_the_years_0000_to_9999);
	suite_add_tcase(s, tc);
	return s;
}
