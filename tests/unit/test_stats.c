/*
 * test_stats.c: lib/research/stats.c against published test vectors. Each expected
 * figure names where it was printed; none comes from running this code.
 *
 * [EMP] quantopian/empyrical, empyrical/tests/test_stats.py (commit
 *       2cbc9b3c): weekly_returns, mixed_returns, negative_returns and the
 *       [10, -10, 10] series, at DECIMAL_PLACES = 8.
 * [BLP12] Bailey & Lopez de Prado, "The Sharpe Ratio Efficient Frontier",
 *       J. Risk 15(2), 2012: Appendix A.3 (MinTRL 59.895 months), section 5
 *       (2.73 years) and Figure 16 (Max PSR / Max SR portfolios, T = 134).
 * [BLP14] Bailey & Lopez de Prado, "The Deflated Sharpe Ratio", JPM 40(5),
 *       2014, "A numerical example": annual SR 2.5, 250 days a year, 5 years,
 *       V = 1/2 annualized, skew -3, kurtosis 10: DSR 0.9505 at N = 46,
 *       0.90 at N = 100, and 0.95 at N = 88 under Normal returns.
 * [MLF] hudson-and-thames/mlfinlab tests/test_backtest_statistics.py
 *       (test_probabilistic_sharpe_ratio, test_deflated_sharpe_ratio):
 *       PSR(1.14, 1.0, 250, 0, 3) = 0.95727 and DSR with the trial Sharpe
 *       ratios [3.5, 1.01, 1.02] (population variance) = 0.95836, both to
 *       1e-3, as mirrored in the openquant test suite.
 * [SCIPY] scipy.stats.skew documentation example:
 *       skew([2, 8, 0, 4, 1, 9, 9, 0]) = 0.2650554122698573 (bias=True).
 * The PBO cases are derived by hand from the CSCV definition (the
 * derivation is beside each), since no reference publishes a small matrix.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

/* [EMP] weekly_returns */
static const double weekly[] = { 0, .01, .10, -.04, .02, .03, .02, .01, -.10 };
/* [EMP] negative_returns */
static const double negative[] = { 0, -.06, -.07, -.01, -.09, -.02, -.06,
    -.08, -.05 };

#define N(a) (sizeof (a) / sizeof (a)[0])

START_TEST(test_summary_empyrical_weekly)
{
	struct qgtm_stats_summary s;

	ck_assert_int_eq(qgtm_stats_summary(weekly, N(weekly), 52, &s), 0);
	ck_assert_double_eq_tol(s.vol, 0.38851569394870583, 1e-8);
	ck_assert_double_eq_tol(s.annual_return, 0.24690830513998208, 1e-8);
	ck_assert_double_eq_tol(s.calmar, 2.4690830513998208, 1e-8);
	ck_assert_double_eq_tol(qgtm_stats_downside(weekly, N(weekly)) *
	    sqrt(52), 0.25888650451930134, 1e-8);
	ck_assert_double_eq_tol(s.max_drawdown, -0.1, 1e-8);
}
END_TEST

START_TEST(test_sharpe_sortino_empyrical_daily)
{
	struct qgtm_stats_summary s;

	/* [EMP] mixed_returns, DAILY (see the top comment). */
	ck_assert_int_eq(qgtm_stats_summary(weekly, N(weekly), 252, &s), 0);
	ck_assert_double_eq_tol(s.sharpe, 1.6368951821422701, 1e-8);
	ck_assert_double_eq_tol(s.sortino, 2.456518422202588, 1e-8);
	ck_assert_int_eq(qgtm_stats_summary(negative, N(negative), 252, &s),
	    0);
	ck_assert_double_eq_tol(s.sharpe, -24.406808633910085, 1e-8);
	ck_assert_double_eq_tol(s.sortino, -13.532743075043401, 1e-8);
	ck_assert_double_eq_tol(s.max_drawdown, -0.36590730349873601, 1e-8);
}
END_TEST

START_TEST(test_max_drawdown_starting_capital)
{
	static const double tenten[] = { .10, -.10, .10 };
	/* Derived: a first loss of 5% is a 5% drawdown only when the
	 * starting capital counts as a peak (else the first W is the peak). */
	static const double first_loss[] = { -.05, .02 };

	ck_assert_double_eq_tol(qgtm_stats_max_drawdown(tenten, 3), -0.10,
	    1e-12);
	ck_assert_double_eq_tol(qgtm_stats_max_drawdown(first_loss, 2), -0.05,
	    1e-12);
}
END_TEST

START_TEST(test_moments)
{
	static const double x[] = { 2, 8, 0, 4, 1, 9, 9, 0 };
	static const double y[] = { 1, 2, 3, 4, 5 };
	double skew, kurt;

	qgtm_stats_moments(x, N(x), &skew, &kurt);
	ck_assert_double_eq_tol(skew, 0.2650554122698573, 1e-12);  /* [SCIPY] */
	/* Derived: m2 = 2, m4 = 34/5, so non-excess kurtosis 6.8/4 = 1.7. */
	qgtm_stats_moments(y, N(y), &skew, &kurt);
	ck_assert_double_eq_tol(skew, 0, 1e-12);
	ck_assert_double_eq_tol(kurt, 1.7, 1e-12);
}
END_TEST

START_TEST(test_hit_rate_excludes_zero)
{
	struct qgtm_stats_summary s;

	/* weekly: 6 up, 2 down, 1 zero -> 6/8 (QuantStats win_rate rule). */
	ck_assert_int_eq(qgtm_stats_summary(weekly, N(weekly), 52, &s), 0);
	ck_assert_double_eq_tol(s.hit_rate, 0.75, 1e-12);
	ck_assert_int_eq(qgtm_stats_summary(weekly, 1, 52, &s), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_DATAERR);
}
END_TEST

START_TEST(test_norm_ppf)
{
	/* Standard Normal table quantiles (Abramowitz & Stegun 26.2). */
	ck_assert_double_eq_tol(qgtm_norm_ppf(0.95), 1.6448536269514722, 1e-14);
	ck_assert_double_eq_tol(qgtm_norm_ppf(0.975), 1.959963984540054, 1e-14);
	ck_assert_double_eq_tol(qgtm_norm_ppf(0.001), -3.090232306167813, 1e-13);
	ck_assert_double_eq_tol(qgtm_norm_cdf(qgtm_norm_ppf(0.3)), 0.3, 1e-15);
}
END_TEST

START_TEST(test_psr_published)
{
	/* [BLP12] Figure 16, Max SR portfolio: PSR(0.5 annual) = 0.99999. */
	ck_assert_double_eq_tol(qgtm_stats_psr(0.8183, 0.5 / sqrt(12), 134,
	    -1.4455, 7.0497), 0.99999, 1e-5);
	/* [MLF] */
	ck_assert_double_eq_tol(qgtm_stats_psr(1.14, 1.0, 250, 0, 3), 0.95727,
	    1e-3);
	/* Identity: a Sharpe equal to its benchmark gives one half. */
	ck_assert_double_eq_tol(qgtm_stats_psr(0.3, 0.3, 40, -1, 6), 0.5, 1e-15);
	ck_assert(isnan(qgtm_stats_psr(0.3, 0, 1, 0, 3)));
}
END_TEST

START_TEST(test_dsr_published)
{
	double sr = 2.5 / sqrt(250), v = 0.5 / 250, sr0;
	double trials[] = { 3.5, 1.01, 1.02 }, m = 0, var = 0;
	size_t i;

	/* [BLP14] */
	ck_assert_double_eq_tol(qgtm_stats_dsr(sr, 1250, 46, v, -3, 10, &sr0),
	    0.9505, 5e-5);
	ck_assert_double_eq_tol(qgtm_stats_dsr(sr, 1250, 100, v, -3, 10, &sr0),
	    0.90, 5e-3);
	ck_assert_double_eq_tol(qgtm_stats_dsr(sr, 1250, 88, v, 0, 3, &sr0),
	    0.95, 1e-3);
	/* [MLF]: population variance of the trials' Sharpe ratios. */
	for (i = 0; i < 3; i++)
		m += trials[i] / 3;
	for (i = 0; i < 3; i++)
		var += (trials[i] - m) * (trials[i] - m) / 3;
	ck_assert_double_eq_tol(qgtm_stats_dsr(1.14, 250, 3, var, 0, 3, &sr0),
	    0.95836, 1e-3);
}
END_TEST

START_TEST(test_mintrl_published)
{
	double q = sqrt(12), d = sqrt(252);

	/* [BLP12] Appendix A.3: 59.895 months. */
	ck_assert_double_eq_tol(qgtm_stats_mintrl(2 / q, 1 / q, -0.72, 5.78,
	    0.95), 59.895, 0.01);
	/* [BLP12] section 5: annual 2 against 1, daily Normal: 2.73 years. */
	ck_assert_double_eq_tol(qgtm_stats_mintrl(2 / d, 1 / d, 0, 3, 0.95) /
	    252, 2.73, 0.005);
	/* [BLP12] Figure 16, in years, against 0 and 0.5 annual. */
	ck_assert_double_eq_tol(qgtm_stats_mintrl(0.7079, 0, -0.2250, 2.9570,
	    0.95) / 12, 0.7152, 5e-4);
	ck_assert_double_eq_tol(qgtm_stats_mintrl(0.7079, 0.5 / q, -0.2250,
	    2.9570, 0.95) / 12, 1.0804, 5e-4);
	ck_assert_double_eq_tol(qgtm_stats_mintrl(0.8183, 0, -1.4455, 7.0497,
	    0.95) / 12, 1.1593, 5e-4);
	ck_assert_double_eq_tol(qgtm_stats_mintrl(0.8183, 0.5 / q, -1.4455,
	    7.0497, 0.95) / 12, 1.6695, 5e-4);
	ck_assert(isinf(qgtm_stats_mintrl(0.1, 0.2, 0, 3, 0.95)));
}
END_TEST

/* The reversal of x (t <= 8 rows): column 0 is -x, column 1 is x; PBO by
 * the mean with S = 4 gives 4 splits at logit ln 0.5, 2 ties at 0. */
static void
assert_reversal(const double *x, size_t t)
{
	double m[16];
	struct qgtm_pbo p;
	size_t i, zero = 0, half = 0;

	for (i = 0; i < t; i++) {
		m[2 * i] = -x[i];
		m[2 * i + 1] = x[i];
	}
	ck_assert_int_eq(qgtm_stats_pbo(m, t, 2, 4, QGTM_PBO_MEAN, &p), 0);
	ck_assert_uint_eq(p.nsplits, 6);
	ck_assert_uint_eq(p.rows_used, t);
	for (i = 0; i < p.nsplits; i++) {
		zero += fabs(p.logits[i]) < 1e-12;
		half += fabs(p.logits[i] - log(0.5)) < 1e-12;
	}
	ck_assert_uint_eq(zero, 2);
	ck_assert_uint_eq(half, 4);
	ck_assert_double_eq_tol(p.pbo, 1.0, 1e-12);
	qgtm_pbo_release(&p);
}

/*
 * Derived: column 1 is x, column 0 is -x, with block sums of x 1, 2, -1,
 * -2 (S = 4, 2 rows a block), so the out-of-sample sum is minus the
 * in-sample one. Of the 6 splits, 4 have a strict in-sample winner that
 * ranks 1 of 2 out of sample (w = 1/3, logit ln 0.5); the 2 splits with
 * sum 0 tie both ways: first index wins, average rank 1.5, w = 1.5/3 =
 * 0.5, logit 0, which counts as overfit. PBO = 1. (With rank/N the ties
 * give w = 0.75 and PBO 4/6; with logit < 0 it would be 4/6 too.)
 */
START_TEST(test_pbo_reversal_and_ties)
{
	static const double x[] = { .5, .5, 1, 1, -.5, -.5, -1, -1 };

	assert_reversal(x, 8);
}
END_TEST

/*
 * Derived: three columns sharing the same noise with means 0, 1 and 2
 * per mille: the in-sample winner is always column 2 and it is best out of
 * sample (rank 3, w = 3/4, logit ln 3); PBO = 0. A first row that is not
 * a whole block (T = 17, S = 4) is dropped: made huge for column 0, it
 * would otherwise make column 0 win some splits.
 */
START_TEST(test_pbo_persistent_and_drop_first_rows)
{
	double m[17 * 3];
	struct qgtm_pbo p;
	double q[5];
	size_t i, j;

	for (i = 0; i < 17; i++)
		for (j = 0; j < 3; j++)
			m[i * 3 + j] = 0.001 * (double)j +
			    0.01 * sin((double)i * 1.7);
	m[0] = 10;
	ck_assert_int_eq(qgtm_stats_pbo(m, 17, 3, 4, QGTM_PBO_SHARPE, &p), 0);
	ck_assert_uint_eq(p.rows_used, 16);
	ck_assert_double_eq_tol(p.pbo, 0, 1e-12);
	qgtm_pbo_logit_quantiles(&p, q);
	ck_assert_double_eq_tol(q[0], log(3), 1e-12);
	ck_assert_double_eq_tol(q[4], log(3), 1e-12);
	qgtm_pbo_release(&p);
}
END_TEST

START_TEST(test_pbo_bad_input)
{
	double m[40] = { 0 };
	struct qgtm_pbo p;

	ck_assert_int_eq(qgtm_stats_pbo(m, 20, 2, 3, QGTM_PBO_MEAN, &p), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_USAGE);
	ck_assert_int_eq(qgtm_stats_pbo(m, 40, 1, 4, QGTM_PBO_MEAN, &p), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_DATAERR);
	ck_assert_int_eq(qgtm_stats_pbo(m, 6, 2, 4, QGTM_PBO_SHARPE, &p), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_DATAERR);
	ck_assert_int_eq(qgtm_stats_pbo(m, 3, 2, 4, QGTM_PBO_MEAN, &p), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_DATAERR);
}
END_TEST

/*
 * The mean needs no variance, so one row a block is a valid CSCV: the
 * reversal above with one row a block (x = 1, 2, -1, -2, S = 4) splits
 * the same way: 4 splits at logit ln 0.5, 2 ties at 0, PBO = 1.
 */
START_TEST(test_pbo_mean_one_row_a_block)
{
	static const double x[] = { 1, 2, -1, -2 };

	assert_reversal(x, 4);
}
END_TEST

/* A t x n matrix of returns from seed, rounded to 1e-4 so that ties
 * happen; columns 0 and 1 are constant 0 (their Sharpe ratio is NaN) and
 * 0.001 (+inf) when odd is set. Free the result. */
static double *
pbo_matrix(size_t t, size_t n, unsigned seed, int odd)
{
	double *m = calloc(t * n, sizeof *m);
	size_t i;

	ck_assert_ptr_nonnull(m);
	for (i = 0; i < t * n; i++)
		m[i] = (double)(rand_r(&seed) % 201 - 98) / 1e4;
	for (i = 0; odd && i < t; i++) {
		m[i * n] = 0;
		m[i * n + 1] = 0.001;
	}
	return m;
}

/*
 * The splits shared over 1, 2 or 3 threads give the same logits bit for
 * bit, with ties, NaN and infinite Sharpe ratios among the columns, by
 * both metrics.
 */
START_TEST(test_pbo_threads_same)
{
	static const size_t parts[] = { 2, 10, 16 };
	struct qgtm_pbo one, p;
	size_t i, k, th;
	double *m;

	for (i = 0; i < 2 * 3; i++) {
		m = pbo_matrix(203, 9, (unsigned)i + 1, i % 2 == 0);
		ck_assert_int_eq(qgtm_stats_pbo_threads(m, 203, 9, parts[i / 2],
		    i % 2 ? QGTM_PBO_MEAN : QGTM_PBO_SHARPE, 1, &one), 0);
		for (th = 2; th <= 3; th++) {
			ck_assert_int_eq(qgtm_stats_pbo_threads(m, 203, 9,
			    parts[i / 2], i % 2 ? QGTM_PBO_MEAN :
			    QGTM_PBO_SHARPE, th, &p), 0);
			ck_assert_uint_eq(p.nsplits, one.nsplits);
			for (k = 0; k < p.nsplits; k++)
				ck_assert(memcmp(&p.logits[k], &one.logits[k],
				    sizeof p.logits[k]) == 0);
			ck_assert(p.pbo == one.pbo);
			qgtm_pbo_release(&p);
		}
		qgtm_pbo_release(&one);
		free(m);
	}
}
END_TEST

/* The Sharpe ratio (sample sd) of column j over the blocks of mask, each
 * of len rows, summed row by row. */
static double
naive_sharpe(const double *m, size_t n, size_t j, unsigned mask, size_t s,
    size_t len)
{
	double sum = 0, sq = 0, mean;
	size_t b, i, cnt = 0;

	for (b = 0; b < s; b++)
		for (i = 0; (mask >> b & 1) && i < len; i++, cnt++)
			sum += m[(b * len + i) * n + j];
	mean = sum / (double)cnt;
	for (b = 0; b < s; b++)
		for (i = 0; (mask >> b & 1) && i < len; i++)
			sq += (m[(b * len + i) * n + j] - mean) *
			    (m[(b * len + i) * n + j] - mean);
	return mean / sqrt(sq / (double)(cnt - 1));
}

/*
 * Each logit against CSCV written out plainly: masks of S/2 bits in
 * ascending order, the sums of every split made row by row (no block
 * sums, no pairing of a split with its complement), on data with no ties.
 */
START_TEST(test_pbo_split_order)
{
	const size_t t = 60, n = 5, s = 6, len = t / s;
	double *m = pbo_matrix(t, n, 7, 0), is[5], oos[5], w;
	struct qgtm_pbo p;
	unsigned mask;
	size_t j, k = 0, best, rank;

	ck_assert_int_eq(qgtm_stats_pbo(m, t, n, s, QGTM_PBO_SHARPE, &p), 0);
	for (mask = 0; mask < 1u << s; mask++) {
		if (__builtin_popcount(mask) != (int)s / 2)
			continue;
		for (j = 0, best = 0; j < n; j++) {
			is[j] = naive_sharpe(m, n, j, mask, s, len);
			oos[j] = naive_sharpe(m, n, j, ~mask & 63, s, len);
			best = is[j] > is[best] ? j : best;
		}
		for (j = 0, rank = 1; j < n; j++)
			rank += oos[j] < oos[best];
		w = (double)rank / (double)(n + 1);
		ck_assert_uint_lt(k, p.nsplits);
		ck_assert_double_eq_tol(p.logits[k], log(w / (1 - w)), 1e-12);
		k++;
	}
	ck_assert_uint_eq(k, p.nsplits);
	qgtm_pbo_release(&p);
	free(m);
}
END_TEST

/*
 * Random decimals (signs, leading zeros, 1 to 24 digits, the point
 * anywhere or nowhere, sometimes an exponent or a stray byte after them)
 * read as strtod(3) reads them, bit for bit: qgtm_matrix_decimal() takes
 * a cell or leaves it to strtod, never gives another double. Each string
 * sits at the very end of its own allocation, so the eight-byte steps are
 * seen not to read past it (under ASan).
 */
START_TEST(test_matrix_decimal_is_strtod)
{
	static const char tail[] = "e,:/ \r\xff";
	unsigned seed = 20261206;
	char txt[64], *cell, *end;
	const char *q;
	size_t i, k, len, taken = 0;
	double want, got;

	for (i = 0; i < 200000; i++) {
		len = 0;
		if (rand_r(&seed) % 3 == 0)
			txt[len++] = rand_r(&seed) % 2 ? '-' : '+';
		k = 1 + (size_t)rand_r(&seed) % 24;
		while (k-- > 0)
			txt[len++] = (char)('0' + (rand_r(&seed) % 4 == 0 ? 0 :
			    rand_r(&seed) % 10));
		if (rand_r(&seed) % 4 != 0) {
			k = (size_t)rand_r(&seed) % (len + 1);
			memmove(txt + k + 1, txt + k, len - k);
			txt[k] = '.';
			len++;
		}
		if (rand_r(&seed) % 8 == 0)
			txt[len++] = tail[rand_r(&seed) % (sizeof tail - 1)];
		txt[len] = '\0';
		want = strtod(txt, &end);
		cell = malloc(len);
		ck_assert_ptr_nonnull(cell);
		memcpy(cell, txt, len);
		q = qgtm_matrix_decimal(cell, cell + len, &got);
		if (q != NULL) {
			ck_assert_msg(q == cell + (end - txt) &&
			    memcmp(&got, &want, sizeof got) == 0,
			    "'%s': %a, strtod %a", txt, got, want);
			taken++;
		}
		if (qgtm_matrix_number(cell, len, &got) == 0)
			ck_assert_msg(memcmp(&got, &want, sizeof got) == 0,
			    "'%s': %a, strtod %a", txt, got, want);
		free(cell);
	}
	ck_assert_uint_gt(taken, 100000);       /* the fast path is taken */
}
END_TEST

/* Write text to a new file in the test's directory; returns its path. */
static const char *
matrix_file(const char *text)
{
	static char path[] = "test_matrix.csv";
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert(fputs(text, f) >= 0);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

/*
 * A matrix file read whole: plain cells, blanks, CRLF, an exponent and a
 * last line without a newline; then each kind of bad input with its line
 * and cell.
 */
START_TEST(test_matrix_read)
{
	static const double want[] = { 0.5, -2, 1e-3, 7, 0.0123456789,
		-12345678.25 };
	struct qgtm_matrix m;
	size_t i;

	ck_assert_int_eq(qgtm_matrix_read(matrix_file("0.5,-2\r\n"
	    " 1e-3 ,7\n.0123456789,-12345678.25"), &m), 0);
	ck_assert_uint_eq(m.rows, 3);
	ck_assert_uint_eq(m.cols, 2);
	for (i = 0; i < 6; i++)
		ck_assert(m.x[i] == want[i]);
	qgtm_matrix_release(&m);
	ck_assert_int_eq(qgtm_matrix_read(matrix_file("1,2\n3,x\n"), &m),
	    -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_DATAERR);
	ck_assert_str_eq(qgtm_errmsg(), "test_matrix.csv:2: cell 2: not a "
	    "number");
	ck_assert_int_eq(qgtm_matrix_read(matrix_file("1,2\n3\n"), &m), -1);
	ck_assert_str_eq(qgtm_errmsg(), "test_matrix.csv:2: 1 cells, "
	    "expected 2 as on line 1");
	ck_assert_int_eq(qgtm_matrix_read(matrix_file("1,2\n\n"), &m), -1);
	ck_assert_str_eq(qgtm_errmsg(), "test_matrix.csv:2: cell 1: not a "
	    "number");
	ck_assert_int_eq(qgtm_matrix_read(matrix_file("1,nan\n"), &m), -1);
	ck_assert_int_eq(qgtm_matrix_read("no/such.csv", &m), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_NOINPUT);
	ck_assert_int_eq(qgtm_matrix_read(matrix_file(""), &m), 0);
	ck_assert_uint_eq(m.rows, 0);
	unlink("test_matrix.csv");
}
END_TEST

Suite *
suite_stats(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_summary_empyrical_weekly);
	tcase_add_test(tc, test_sharpe_sortino_empyrical_daily);
	tcase_add_test(tc, test_max_drawdown_starting_capital);
	tcase_add_test(tc, test_moments);
	tcase_add_test(tc, test_hit_rate_excludes_zero);
	tcase_add_test(tc, test_norm_ppf);
	tcase_add_test(tc, test_psr_published);
	tcase_add_test(tc, test_dsr_published);
	tcase_add_test(tc, test_mintrl_published);
	tcase_add_test(tc, test_pbo_reversal_and_ties);
	tcase_add_test(tc, test_pbo_persistent_and_drop_first_rows);
	tcase_add_test(tc, test_pbo_bad_input);
	tcase_add_test(tc, test_pbo_mean_one_row_a_block);
	tcase_add_test(tc, test_pbo_threads_same);
	tcase_add_test(tc, test_pbo_split_order);
	tcase_add_test(tc, test_matrix_decimal_is_strtod);
	tcase_add_test(tc, test_matrix_read);
	suite_add_tcase(s, tc);
	return s;
}
