/*
 * test_money.c: exact decimals: parsing, formatting, half-even rescaling
 * and products, and the double conversions.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "unit.h"

#define NELEM(a) ((int)(sizeof (a) / sizeof (a)[0]))

static int64_t
dec(const char *s, int scale)
{
	int64_t v = 0;

	ck_assert_msg(qgtm_dec_parse(s, scale, &v) == 0, "parse '%s': %s", s,
	    qgtm_errmsg());
	return v;
}

/* ------------------------------------------------------------- parse -- */

static const struct {
	const char *s;
	int scale;
	int64_t v;
} good_decs[] = {
	{ "0", 2, 0 },
	{ "1", 2, 100 },
	{ "+3", 2, 300 },
	{ "-12.3", 2, -1230 },
	{ "1.50", 2, 150 },
	{ "1.500000", 2, 150 },         /* extra zero digits are fine */
	{ "0.5", 2, 50 },
	{ "-0.05", 2, -5 },
	{ "-0.00", 2, 0 },
	{ "-0", 0, 0 },
	{ "007.10", 2, 710 },
	{ "123", 0, 123 },
	{ "123.000", 0, 123 },
	{ "123.456789", 6, 123456789 },
	{ "0.000001", 6, 1 },
	{ "92233720368547758.07", 2, INT64_MAX },
	{ "-92233720368547758.08", 2, INT64_MIN },
	{ "9223372036854775807", 0, INT64_MAX },
	{ "-9223372036854775808", 0, INT64_MIN },
	{ "9.223372036854775807", 18, INT64_MAX },
	{ "-9.223372036854775808", 18, INT64_MIN },
	{ "00000000000000000000000001", 2, 100 },
};

START_TEST(test_parse_good)
{
	int64_t v = 42;

	ck_assert_msg(qgtm_dec_parse(good_decs[_i].s, good_decs[_i].scale,
	    &v) == 0, "'%s': %s", good_decs[_i].s, qgtm_errmsg());
	ck_assert_int_eq(v, good_decs[_i].v);
}
END_TEST

static const struct {
	const char *s;
	int scale;
} bad_decs[] = {
	{ "", 2 }, { "-", 2 }, { "+", 2 }, { ".5", 2 }, { "-.5", 2 },
	{ "1.", 2 }, { "1e5", 2 }, { "1E5", 2 }, { "NaN", 2 }, { "nan", 2 },
	{ "inf", 2 }, { "-Infinity", 2 }, { " 1", 2 }, { "1 ", 2 },
	{ "1,000", 2 }, { "1.2.3", 2 }, { "--1", 2 }, { "+-1", 2 },
	{ "0x10", 2 }, { "1.5x", 2 }, { "１", 2 },
	{ "1.234", 2 },                 /* extra non-zero digit */
	{ "1.2301", 2 },
	{ "123.5", 0 },
	{ "0.0000001", 6 },
	{ "92233720368547758.08", 2 },  /* INT64_MAX + 1 unit */
	{ "-92233720368547758.09", 2 },
	{ "9223372036854775808", 0 },
	{ "99999999999999999999", 0 },
	{ "9.223372036854775808", 18 },
	{ "10", 18 },
	{ "100000000000000000", 2 },    /* fits only before scaling */
};

START_TEST(test_parse_bad)
{
	int64_t v = 42;

	ck_assert_msg(qgtm_dec_parse(bad_decs[_i].s, bad_decs[_i].scale,
	    &v) == -1, "'%s' accepted", bad_decs[_i].s);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_DATAERR);
	ck_assert_int_eq(v, 42);
}
END_TEST

START_TEST(test_parse_message)
{
	int64_t v;

	ck_assert_int_eq(qgtm_dec_parse("1.234", 2, &v), -1);
	ck_assert_str_eq(qgtm_errmsg(),
	    "invalid decimal '1.234' at scale 2: too many fractional digits");
	ck_assert_int_eq(qgtm_dec_parse("1e5", 2, &v), -1);
	ck_assert_str_eq(qgtm_errmsg(),
	    "invalid decimal '1e5' at scale 2: expected [+-]digits[.digits]");
	/* a missing JSON field reaches the parser as NULL */
	v = 42;
	ck_assert_int_eq(qgtm_dec_parse(NULL, 2, &v), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_DATAERR);
	ck_assert_str_eq(qgtm_errmsg(), "a decimal string is missing");
	ck_assert_int_eq(v, 42);
}
END_TEST

START_TEST(test_bad_scale)
{
	int64_t v;
	char buf[32] = "x";

	ck_assert_int_eq(qgtm_dec_parse("1", -1, &v), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_SOFTWARE);
	ck_assert_int_eq(qgtm_dec_parse("1", 19, &v), -1);
	ck_assert_int_eq(qgtm_dec_rescale(1, 2, 19, &v), -1);
	ck_assert_int_eq(qgtm_dec_mul(1, 2, 1, 2, -1, &v), -1);
	ck_assert_int_eq(qgtm_dec_from_double(1.0, 19, &v), -1);
	ck_assert_str_eq(qgtm_dec_fmt(1, 19, buf, sizeof buf), "");
	ck_assert(isnan(qgtm_dec_to_double(1, -1)));
}
END_TEST

/* ------------------------------------------------------------ format -- */

static const struct {
	int64_t v;
	int scale;
	const char *s;
} fmts[] = {
	{ 0, 2, "0.00" },
	{ 5, 2, "0.05" },
	{ -5, 2, "-0.05" },
	{ -1230, 2, "-12.30" },
	{ 150, 2, "1.50" },
	{ 123, 0, "123" },
	{ -123, 0, "-123" },
	{ 0, 0, "0" },
	{ 1, 18, "0.000000000000000001" },
	{ 123456789, 6, "123.456789" },
	{ INT64_MAX, 2, "92233720368547758.07" },
	{ INT64_MIN, 2, "-92233720368547758.08" },
	{ INT64_MIN, 0, "-9223372036854775808" },
	{ INT64_MIN, 18, "-9.223372036854775808" },
};

/* Each value formats as published and parses back to itself. */
START_TEST(test_fmt)
{
	char buf[32];

	ck_assert_str_eq(qgtm_dec_fmt(fmts[_i].v, fmts[_i].scale, buf,
	    sizeof buf), fmts[_i].s);
	ck_assert_int_eq(dec(buf, fmts[_i].scale), fmts[_i].v);
}
END_TEST

START_TEST(test_fmt_negative_zero)
{
	char buf[32];

	ck_assert_str_eq(qgtm_dec_fmt(dec("-0.00", 2), 2, buf, sizeof buf),
	    "0.00");
}
END_TEST

/* ------------------------------------------------- exact arithmetic -- */

START_TEST(test_point_one_plus_point_two)
{
	ck_assert_int_eq(dec("0.1", 2) + dec("0.2", 2), dec("0.3", 2));
	ck_assert_int_eq(dec("0.1", 6) + dec("0.2", 6), dec("0.3", 6));
	ck_assert(0.1 + 0.2 != 0.3);    /* what the units avoid */
}
END_TEST

/*
 * 100000 pseudo-random cent amounts (an LCG, Knuth's MMIX constants),
 * written with plain printf, parsed and summed: the total is exact.
 */
START_TEST(test_sum_exact)
{
	uint64_t x = 20260308;
	int64_t want = 0, got = 0, cents, mag;
	char text[32], total[32], want_text[32];
	int i;

	for (i = 0; i < 100000; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		cents = (int64_t)(x >> 33) % 10000000 - 5000000;
		mag = cents < 0 ? -cents : cents;
		snprintf(text, sizeof text, "%s%lld.%02lld",
		    cents < 0 ? "-" : "", (long long)(mag / 100),
		    (long long)(mag % 100));
		want += cents;
		got += dec(text, QGTM_CENTS);
	}
	mag = want < 0 ? -want : want;
	snprintf(want_text, sizeof want_text, "%s%lld.%02lld",
	    want < 0 ? "-" : "", (long long)(mag / 100),
	    (long long)(mag % 100));
	ck_assert_int_eq(got, want);
	ck_assert_str_eq(qgtm_dec_fmt(got, QGTM_CENTS, total, sizeof total),
	    want_text);
}
END_TEST

/* ----------------------------------------------------------- rescale -- */

static const struct {
	int64_t v;
	int from, to;
	int64_t want;
} rescales[] = {
	{ 2345, 3, 2, 234 },            /* 2.345 -> 2.34 (tie, even) */
	{ 2355, 3, 2, 236 },            /* 2.355 -> 2.36 (tie, even) */
	{ -2345, 3, 2, -234 },
	{ -2355, 3, 2, -236 },
	{ 2346, 3, 2, 235 },
	{ 2344, 3, 2, 234 },
	{ -2346, 3, 2, -235 },
	{ 5, 1, 0, 0 },                 /* 0.5 -> 0 */
	{ 15, 1, 0, 2 },
	{ 25, 1, 0, 2 },
	{ -15, 1, 0, -2 },
	{ 23450001, 7, 2, 235 },        /* above the tie, far down */
	{ 150, 2, 6, 1500000 },
	{ -150, 2, 6, -1500000 },
	{ 7, 2, 2, 7 },
	{ INT64_MAX, 18, 0, 9 },
	{ INT64_MIN, 18, 0, -9 },
	{ INT64_MAX, 0, 0, INT64_MAX },
};

START_TEST(test_rescale)
{
	int64_t v = 42;

	ck_assert_int_eq(qgtm_dec_rescale(rescales[_i].v, rescales[_i].from,
	    rescales[_i].to, &v), 0);
	ck_assert_int_eq(v, rescales[_i].want);
}
END_TEST

START_TEST(test_rescale_overflow)
{
	int64_t v = 42;

	ck_assert_int_eq(qgtm_dec_rescale(INT64_MAX, 2, 3, &v), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_DATAERR);
	ck_assert_int_eq(qgtm_dec_rescale(INT64_MIN, 0, 18, &v), -1);
	ck_assert_int_eq(qgtm_dec_rescale(922337203685477581LL, 0, 1, &v),
	    -1);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(qgtm_dec_rescale(922337203685477580LL, 0, 1, &v), 0);
	ck_assert_int_eq(v, 9223372036854775800LL);
}
END_TEST

/* --------------------------------------------------------------- mul -- */

static const struct {
	const char *a;
	int sa;
	const char *b;
	int sb;
	int so;
	const char *want;
} muls[] = {
	/* price x quantity to cents: 1234.56789 -> 1234.57 */
	{ "123.456789", 6, "10", 6, 2, "1234.57" },
	{ "0.005", 3, "3", 0, 2, "0.02" },          /* 0.015, tie -> even */
	{ "0.005", 3, "5", 0, 2, "0.02" },          /* 0.025, tie -> even */
	{ "0.005", 3, "-3", 0, 2, "-0.02" },
	{ "-0.005", 3, "-5", 0, 2, "0.02" },
	{ "0.0051", 4, "5", 0, 2, "0.03" },         /* 0.0255 -> 0.03 */
	{ "3", 0, "5", 0, 2, "15.00" },
	{ "1.5", 1, "1.5", 1, 6, "2.250000" },
	{ "99.99", 2, "0.001", 3, 2, "0.10" },       /* 0.09999 */
	{ "0", 0, "-7", 0, 2, "0.00" },
	/* the product passes int64 before it is scaled down */
	{ "9223372036854.775807", 6, "1.000000", 6, 6,
	  "9223372036854.775807" },
	{ "3037000499.97", 2, "3037000499.97", 2, 0, "9223372036818029970" },
};

START_TEST(test_mul)
{
	char buf[32];
	int64_t v = 42;

	ck_assert_int_eq(qgtm_dec_mul(dec(muls[_i].a, muls[_i].sa),
	    muls[_i].sa, dec(muls[_i].b, muls[_i].sb), muls[_i].sb,
	    muls[_i].so, &v), 0);
	ck_assert_str_eq(qgtm_dec_fmt(v, muls[_i].so, buf, sizeof buf),
	    muls[_i].want);
}
END_TEST

START_TEST(test_mul_overflow)
{
	int64_t v = 42;

	ck_assert_int_eq(qgtm_dec_mul(INT64_MAX, 0, 2, 0, 0, &v), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_DATAERR);
	ck_assert_int_eq(qgtm_dec_mul(INT64_MIN, 0, -1, 0, 0, &v), -1);
	ck_assert_int_eq(qgtm_dec_mul(INT64_MAX, 6, INT64_MAX, 6, 18, &v),
	    -1);
	ck_assert_int_eq(qgtm_dec_mul(1, 0, 1, 0, 18, &v), 0);
	ck_assert_int_eq(v, 1000000000000000000LL);
	ck_assert_int_eq(qgtm_dec_mul(10, 0, 1, 0, 18, &v), -1);
}
END_TEST

/* ----------------------------------------------------------- doubles -- */

static const struct {
	double x;
	int scale;
	int64_t want;
} from_doubles[] = {
	{ 0.1 + 0.2, 2, 30 },
	{ 2.5, 0, 3 },                  /* half away from zero */
	{ -2.5, 0, -3 },
	{ 0.125, 2, 13 },               /* exact in binary: a real tie */
	{ -0.125, 2, -13 },
	{ 123.456789, 6, 123456789 },
	{ 9.0e18, 0, 9000000000000000000LL },
	{ -0.0, 2, 0 },
};

START_TEST(test_from_double)
{
	int64_t v = 42;

	ck_assert_int_eq(qgtm_dec_from_double(from_doubles[_i].x,
	    from_doubles[_i].scale, &v), 0);
	ck_assert_int_eq(v, from_doubles[_i].want);
}
END_TEST

START_TEST(test_from_double_bad)
{
	const double bad[] = { NAN, INFINITY, -INFINITY, 9.3e18, -1e300 };
	int64_t v = 42;
	int i;

	for (i = 0; i < NELEM(bad); i++) {
		ck_assert_int_eq(qgtm_dec_from_double(bad[i], 0, &v), -1);
		ck_assert_int_eq(qgtm_errcode(), QGTM_EX_DATAERR);
	}
	ck_assert_int_eq(qgtm_dec_from_double(1e17, 2, &v), -1);
	ck_assert_int_eq(v, 42);
}
END_TEST

START_TEST(test_to_double)
{
	ck_assert(qgtm_dec_to_double(12345, 2) == 123.45);
	ck_assert(qgtm_dec_to_double(-5, 2) == -0.05);
	ck_assert(qgtm_dec_to_double(123456789, 6) == 123.456789);
	ck_assert(qgtm_dec_to_double(7, 0) == 7.0);
}
END_TEST

Suite *
suite_money(void)
{
	Suite *s = suite_create("money");
	TCase *tc;

	tc = tcase_create("text");
	tcase_add_loop_test(tc, test_parse_good, 0, NELEM(good_decs));
	tcase_add_loop_test(tc, test_parse_bad, 0, NELEM(bad_decs));
	tcase_add_test(tc, test_parse_message);
	tcase_add_test(tc, test_bad_scale);
	tcase_add_loop_test(tc, test_fmt, 0, NELEM(fmts));
	tcase_add_test(tc, test_fmt_negative_zero);
	suite_add_tcase(s, tc);

	tc = tcase_create("arith");
	tcase_add_test(tc, test_point_one_plus_point_two);
	tcase_add_test(tc, test_sum_exact);
	tcase_add_loop_test(tc, test_rescale, 0, NELEM(rescales));
	tcase_add_test(tc, test_rescale_overflow);
	tcase_add_loop_test(tc, test_mul, 0, NELEM(muls));
	tcase_add_test(tc, test_mul_overflow);
	suite_add_tcase(s, tc);

	tc = tcase_create("double");
	tcase_add_loop_test(tc, test_from_double, 0, NELEM(from_doubles));
	tcase_add_test(tc, test_from_double_bad);
	tcase_add_test(tc, test_to_double);
	suite_add_tcase(s, tc);
	return s;
}
