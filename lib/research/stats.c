/*
 * stats.c: performance statistics of return series (qgtm-stats(1)):
 * Sharpe, Sortino, drawdown and moments with the conventions of empyrical;
 * the probabilistic and deflated Sharpe ratios and the minimum track record
 * length of Bailey and Lopez de Prado (2012, 2014); the probability of
 * backtest overfitting by combinatorially symmetric cross-validation
 * (Bailey, Borwein, Lopez de Prado and Zhu 2017). Every convention is the
 * one written in qgtm-stats(1).
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "research/research.h"

#define EULER_GAMMA 0.5772156649015329

double
qgtm_stats_sharpe(const double *r, size_t n)
{
	return qgtm_math_mean(r, n) / qgtm_math_sd(r, n);
}

double
qgtm_stats_downside(const double *r, size_t n)
{
	double ss = 0;
	size_t i;

	if (n == 0)
		return NAN;
	for (i = 0; i < n; i++)
		if (r[i] < 0)
			ss += r[i] * r[i];
	return sqrt(ss / (double)n);
}

double
qgtm_stats_max_drawdown(const double *r, size_t n)
{
	double w = 1.0, peak = 1.0, mdd = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		w *= 1.0 + r[i];
		if (w > peak)
			peak = w;
		if (w / peak - 1.0 < mdd)
			mdd = w / peak - 1.0;
	}
	return mdd;
}

void
qgtm_stats_moments(const double *r, size_t n, double *skew, double *kurt)
{
	double m = qgtm_math_mean(r, n), m2 = 0, m3 = 0, m4 = 0, d;
	size_t i;

	for (i = 0; i < n; i++) {
		d = r[i] - m;
		m2 += d * d;
		m3 += d * d * d;
		m4 += d * d * d * d;
	}
	m2 /= (double)n;
	m3 /= (double)n;
	m4 /= (double)n;
	*skew = m2 > 0 ? m3 / pow(m2, 1.5) : NAN;
	*kurt = m2 > 0 ? m4 / (m2 * m2) : NAN;
}

int
qgtm_stats_summary(const double *r, size_t n, double ppy,
    struct qgtm_stats_summary *out)
{
	double w = 1.0;
	size_t i, up = 0, nonzero = 0;

	if (n < 2)
		return qgtm_seterr(QGTM_EX_DATAERR, "need at least 2 returns, "
		    "got %zu", n);
	memset(out, 0, sizeof *out);
	out->n = n;
	out->mean = qgtm_math_mean(r, n);
	out->vol = qgtm_math_sd(r, n) * sqrt(ppy);
	out->sharpe = qgtm_stats_sharpe(r, n) * sqrt(ppy);
	out->sortino = out->mean * ppy / (qgtm_stats_downside(r, n) *
	    sqrt(ppy));
	out->max_drawdown = qgtm_stats_max_drawdown(r, n);
	for (i = 0; i < n; i++) {
		w *= 1.0 + r[i];
		up += r[i] > 0;
		nonzero += r[i] != 0;
	}
	out->annual_return = pow(w, ppy / (double)n) - 1.0;
	out->calmar = out->max_drawdown < 0 ?
	    out->annual_return / -out->max_drawdown : NAN;
	qgtm_stats_moments(r, n, &out->skew, &out->kurtosis);
	out->hit_rate = nonzero > 0 ? (double)up / (double)nonzero : NAN;
	return 0;
}

double
qgtm_norm_cdf(double x)
{
	return 0.5 * erfc(-x / M_SQRT2);
}

/*
 * Acklam's rational approximation of the Normal quantile (relative error
 * below 1.2e-9), polished by one Halley step on erfc to full precision.
 */
double
qgtm_norm_ppf(double p)
{
	static const double a[] = { -3.969683028665376e+01,
	    2.209460984245205e+02, -2.759285104469687e+02,
	    1.383577518672690e+02, -3.066479806614716e+01,
	    2.506628277459239e+00 };
	static const double b[] = { -5.447609879822406e+01,
	    1.615858368580409e+02, -1.556989798598866e+02,
	    6.680131188771972e+01, -1.328068155288572e+01 };
	static const double c[] = { -7.784894002430293e-03,
	    -3.223964580411365e-01, -2.400758277161838e+00,
	    -2.549732539343734e+00, 4.374664141464968e+00,
	    2.938163982698783e+00 };
	static const double d[] = { 7.784695709041462e-03,
	    3.224671290700398e-01, 2.445134137142996e+00,
	    3.754408661907416e+00 };
	double q, t, x, e, u;

	if (!(p > 0 && p < 1))
		return p == 0 ? -INFINITY : p == 1 ? INFINITY : NAN;
	if (p < 0.02425 || p > 1 - 0.02425) {
		q = sqrt(-2 * log(p < 0.5 ? p : 1 - p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) *
		    q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) *
		    q + 1);
		if (p > 0.5)
			x = -x;
	} else {
		q = p - 0.5;
		t = q * q;
		x = (((((a[0] * t + a[1]) * t + a[2]) * t + a[3]) * t + a[4]) *
		    t + a[5]) * q / (((((b[0] * t + b[1]) * t + b[2]) * t +
		    b[3]) * t + b[4]) * t + 1);
	}
	e = qgtm_norm_cdf(x) - p;
	u = e * sqrt(2 * M_PI) * exp(x * x / 2);
	return x - u / (1 + x * u / 2);
}

/* The variance factor 1 - g3 SR + (g4 - 1)/4 SR^2 of the Sharpe estimate. */
static double
sr_var_factor(double sr, double skew, double kurt)
{
	return 1.0 - skew * sr + (kurt - 1.0) / 4.0 * sr * sr;
}

double
qgtm_stats_psr(double sr, double sr_star, double t, double skew, double kurt)
{
	double v = sr_var_factor(sr, skew, kurt);

	if (!(t > 1) || !(v > 0))
		return NAN;
	return qgtm_norm_cdf((sr - sr_star) * sqrt(t - 1.0) / sqrt(v));
}

double
qgtm_stats_expected_max(double trials)
{
	if (!(trials > 1))
		return NAN;
	return (1.0 - EULER_GAMMA) * qgtm_norm_ppf(1.0 - 1.0 / trials) +
	    EULER_GAMMA * qgtm_norm_ppf(1.0 - 1.0 / (trials * M_E));
}

double
qgtm_stats_dsr(double sr, double t, double trials, double trials_var,
    double skew, double kurt, double *sr0)
{
	*sr0 = sqrt(trials_var) * qgtm_stats_expected_max(trials);
	return qgtm_stats_psr(sr, *sr0, t, skew, kurt);
}

double
qgtm_stats_mintrl(double sr, double sr_star, double skew, double kurt,
    double prob)
{
	double v = sr_var_factor(sr, skew, kurt), z = qgtm_norm_ppf(prob);

	if (!(sr > sr_star) || !(v > 0))
		return INFINITY;
	return 1.0 + v * (z / (sr - sr_star)) * (z / (sr - sr_star));
}

/* ---------------------------------------------------------------- pbo -- */

/*
 * The hot loops of PBO (the block sums, the divisions a column a split)
 * are vectorized only with tree-vectorize on: the very cheap cost model
 * of GCC 12's -O2 refuses loops of unknown trip count (GCC manual,
 * -fvect-cost-model). Each lane is one column's own sum or quotient, in
 * the same order, correctly rounded as IEEE 754 says, vector or scalar
 * (and -std=c11 means -ffp-contract=off: no fused multiply-adds), so the
 * values are the same.
 */
#if defined(__GNUC__) && !defined(__clang__)
#define PBO_VECTORIZE __attribute__((optimize("tree-vectorize")))
#else
#define PBO_VECTORIZE
#endif

/*
 * Per-block sums of one matrix, each column centred on its own mean, and
 * their subset sums by chunks of 8 blocks: tab holds, for chunk c (blocks
 * 8c to 8c + 7) and each subset x of its blocks (bit i: block 8c + i), one
 * row of 2n doubles, the n sums then the n sums of squares of those blocks.
 * The sums of any set of blocks are then at most 3 rows added (S <= 24),
 * not S, which is most of the work of a split.
 */
#define CHUNK_BITS 8

struct blocks {
	size_t s, n, len;       /* blocks, columns, rows per block */
	size_t nchunks;         /* ceil(s / CHUNK_BITS) */
	double *centre;         /* n column means */
	double *tab;            /* nchunks x 2^CHUNK_BITS x 2n subset sums */
};

/* The row of tab of chunk c and subset x. */
static double *
chunk_row(const struct blocks *b, size_t c, unsigned x)
{
	return b->tab + ((c << CHUNK_BITS) + x) * 2 * b->n;
}

/* Fill every subset row of tab from the rows of single blocks: a subset
 * is the one without its highest block plus that block. */
static void
chunks_fill(struct blocks *b)
{
	size_t c, j, w;
	unsigned x, hb;
	double *row, *rest, *one;

	for (c = 0; c < b->nchunks; c++) {
		w = b->s - c * CHUNK_BITS < CHUNK_BITS ?
		    b->s - c * CHUNK_BITS : CHUNK_BITS;
		for (x = 1; x < (1u << w); x++) {
			for (hb = 0; (x >> (hb + 1)) != 0; hb++)
				;
			if (x == 1u << hb)
				continue;       /* a single block: filled */
			row = chunk_row(b, c, x);
			rest = chunk_row(b, c, x ^ (1u << hb));
			one = chunk_row(b, c, 1u << hb);
			for (j = 0; j < 2 * b->n; j++)
				row[j] = rest[j] + one[j];
		}
	}
}

PBO_VECTORIZE static void
blocks_build(struct blocks *b, const double *m, size_t t, size_t n, size_t s)
{
	size_t skip = t % s, i, j, k;
	const double *row;
	double *one, d;

	b->s = s;
	b->n = n;
	b->len = t / s;
	b->nchunks = (s + CHUNK_BITS - 1) / CHUNK_BITS;
	b->centre = qgtm_xcalloc(n, sizeof *b->centre);
	b->tab = qgtm_xcalloc(b->nchunks << CHUNK_BITS, 2 * n * sizeof *b->tab);
	for (i = skip; i < t; i++)
		for (j = 0; j < n; j++)
			b->centre[j] += m[i * n + j];
	for (j = 0; j < n; j++)
		b->centre[j] /= (double)(t - skip);
	for (i = skip; i < t; i++) {
		k = (i - skip) / b->len;
		one = chunk_row(b, k / CHUNK_BITS, 1u << (k % CHUNK_BITS));
		row = m + i * n;
		for (j = 0; j < n; j++) {
			d = row[j] - b->centre[j];
			one[j] += d;
			one[n + j] += d * d;
		}
	}
	chunks_fill(b);
}

static void
blocks_release(struct blocks *b)
{
	free(b->centre);
	free(b->tab);
}

/* The metric of every column over the set of blocks mask into out; acc
 * holds 2n scratch doubles. */
PBO_VECTORIZE static void
metric_of(const struct blocks *b, unsigned mask, enum qgtm_pbo_metric metric,
    double *restrict acc, double *restrict out)
{
	double cnt = (double)(b->len * b->s / 2), var;
	const double *restrict row;
	const double *restrict centre = b->centre;
	size_t c, j, n = b->n;

	memcpy(acc, chunk_row(b, 0, mask & ((1u << CHUNK_BITS) - 1)),
	    2 * n * sizeof *acc);
	for (c = 1; c < b->nchunks; c++) {
		row = chunk_row(b, c, (mask >> (c * CHUNK_BITS)) &
		    ((1u << CHUNK_BITS) - 1));
		for (j = 0; j < 2 * n; j++)
			acc[j] += row[j];
	}
	if (metric == QGTM_PBO_MEAN) {
		for (j = 0; j < n; j++)
			out[j] = acc[j] / cnt + centre[j];
		return;
	}
	/* The variances into acc[n..], then their square roots: two at a
	 * time by SSE2's sqrtpd where there is one, since the sqrt of C with
	 * errno (the default) is never vectorized, even with
	 * optimize("no-math-errno") (tried, GCC 12). Both are the correctly
	 * rounded IEEE 754 square root (Intel SDM, SQRTPD). */
	for (j = 0; j < n; j++) {
		out[j] = acc[j] / cnt;
		var = (acc[n + j] - acc[j] * out[j]) / (cnt - 1);
		acc[n + j] = var > 0 ? var : 0;
	}
	j = 0;
#ifdef __SSE2__
	for (; j + 2 <= n; j += 2)
		_mm_storeu_pd(acc + n + j, _mm_sqrt_pd(_mm_loadu_pd(acc + n + j)));
#endif
	for (; j < n; j++)
		acc[n + j] = sqrt(acc[n + j]);
	for (j = 0; j < n; j++)
		out[j] = (out[j] + centre[j]) / acc[n + j];
}

/*
 * First index of the largest value (NaN never wins; 0 if all are NaN):
 * the largest by running maxima, then the first index equal to it. The
 * running maxima are x > mx ? x : mx, which is what SSE2's maxpd computes
 * lane by lane (Intel SDM, MAXPD: the second operand when either is NaN
 * or both are zeros). A maximum of 0 may come out -0 or +0 by the order
 * taken, but both compare equal, as they do in the > that ranks, so the
 * index is the one a single ascending pass would keep.
 */
static size_t
argmax_first(const double *x, size_t n)
{
	double mx = -INFINITY, lane[2];
	size_t j = 0;
#ifdef __SSE2__
	__m128d m0 = _mm_set1_pd(-INFINITY), m1 = m0, vmx;

	for (; j + 4 <= n; j += 4) {
		m0 = _mm_max_pd(_mm_loadu_pd(x + j), m0);
		m1 = _mm_max_pd(_mm_loadu_pd(x + j + 2), m1);
	}
	_mm_storeu_pd(lane, _mm_max_pd(m1, m0));
	mx = lane[1] > lane[0] ? lane[1] : lane[0];
#endif
	for (; j < n; j++)
		mx = x[j] > mx ? x[j] : mx;
	j = 0;
#ifdef __SSE2__
	vmx = _mm_set1_pd(mx);
	for (; j + 2 <= n; j += 2)
		if (_mm_movemask_pd(_mm_cmpeq_pd(_mm_loadu_pd(x + j), vmx)))
			break;
#endif
	for (; j < n; j++)
		if (x[j] == mx)
			return j;
	return 0;
}

/*
 * Ascending rank of x[i] within x, ties by their average rank. Two at a
 * time with SSE2 where there is one (GCC 12 does not vectorize counts of
 * double comparisons): a comparison's lane is all ones (-1) when true and
 * false for NaN, as < and == are, so subtracting it counts.
 */
static double
avg_rank(const double *x, size_t n, size_t i)
{
	double v = x[i];
	size_t j = 0;
	int64_t less = 0, equal = 0;
#ifdef __SSE2__
	__m128d vv = _mm_set1_pd(v), xj;
	__m128i cl = _mm_setzero_si128(), ce = _mm_setzero_si128();

	for (; j + 2 <= n; j += 2) {
		xj = _mm_loadu_pd(x + j);
		cl = _mm_sub_epi64(cl, _mm_castpd_si128(_mm_cmplt_pd(xj, vv)));
		ce = _mm_sub_epi64(ce, _mm_castpd_si128(_mm_cmpeq_pd(xj, vv)));
	}
	less = _mm_cvtsi128_si64(cl) + _mm_cvtsi128_si64(
	    _mm_unpackhi_epi64(cl, cl));
	equal = _mm_cvtsi128_si64(ce) + _mm_cvtsi128_si64(
	    _mm_unpackhi_epi64(ce, ce));
#endif
	for (; j < n; j++) {
		less += x[j] < v;
		equal += x[j] == v;
	}
	return (double)less + ((double)equal + 1.0) / 2.0;
}

/* Next mask of the same popcount (Gosper's hack). */
static unsigned
next_comb(unsigned v)
{
	unsigned c = v & -v, r = v + c;

	return (((r ^ v) >> 2) / c) | r;
}

/* The logit of one split: the first in-sample best ranked out of sample. */
static double
split_logit(const double *is, const double *oos, size_t n)
{
	double w = avg_rank(oos, n, argmax_first(is, n)) / (double)(n + 1);

	return log(w / (1.0 - w));
}

/*
 * One thread's share of the splits. The in-sample masks (s/2 of s bits)
 * go in Gosper's order, which is colex order; the complement reverses it,
 * so split k's out-of-sample set is split nsplits - 1 - k's in-sample one.
 * The first half of the masks (block s - 1 out of sample) with their
 * complements are every split once, and each set's metrics serve two
 * splits. Thread first of step takes the pairs k = first (mod step); each
 * logit is computed alone, so they do not depend on the number of threads.
 */
struct pbo_share {
	const struct blocks *b;
	enum qgtm_pbo_metric metric;
	size_t first, step;
	double *logits;         /* nsplits, shared; each written once */
	size_t nsplits;
};

static void *
pbo_share_run(void *arg)
{
	const struct pbo_share *sh = arg;
	size_t n = sh->b->n, s = sh->b->s, k;
	double *x = qgtm_xcalloc(4 * n, sizeof *x), *a = x, *o = x + n;
	unsigned mask = (1u << (s / 2)) - 1, all = (1u << s) - 1;

	for (k = 0; k < sh->nsplits / 2; k++, mask = next_comb(mask)) {
		if (k % sh->step != sh->first)
			continue;
		metric_of(sh->b, mask, sh->metric, x + 2 * n, a);
		metric_of(sh->b, ~mask & all, sh->metric, x + 2 * n, o);
		sh->logits[k] = split_logit(a, o, n);
		sh->logits[sh->nsplits - 1 - k] = split_logit(o, a, n);
	}
	free(x);
	return NULL;
}

/* Run the shares of nthreads threads, the first in the calling thread;
 * a share whose thread cannot start runs here too. */
static void
pbo_shares(const struct blocks *b, enum qgtm_pbo_metric metric,
    size_t nthreads, struct qgtm_pbo *out)
{
	struct pbo_share *sh = qgtm_xcalloc(nthreads, sizeof *sh);
	pthread_t *tid = qgtm_xcalloc(nthreads, sizeof *tid);
	int *started = qgtm_xcalloc(nthreads, sizeof *started);
	size_t i;

	for (i = 0; i < nthreads; i++) {
		sh[i] = (struct pbo_share){ b, metric, i, nthreads,
		    out->logits, out->nsplits };
		if (i > 0)
			started[i] = pthread_create(&tid[i], NULL,
			    pbo_share_run, &sh[i]) == 0;
	}
	for (i = 0; i < nthreads; i++)
		if (i == 0 || !started[i])
			pbo_share_run(&sh[i]);
	for (i = 1; i < nthreads; i++)
		if (started[i])
			pthread_join(tid[i], NULL);
	free(started);
	free(tid);
	free(sh);
}

int
qgtm_stats_pbo(const double *m, size_t t, size_t n, size_t s,
    enum qgtm_pbo_metric metric, struct qgtm_pbo *out)
{
	return qgtm_stats_pbo_threads(m, t, n, s, metric, QGTM_PBO_THREADS,
	    out);
}

int
qgtm_stats_pbo_threads(const double *m, size_t t, size_t n, size_t s,
    enum qgtm_pbo_metric metric, size_t nthreads, struct qgtm_pbo *out)
{
	struct blocks b;
	size_t i, overfit = 0;

	memset(out, 0, sizeof *out);
	if (s < 2 || s % 2 != 0 || s > 24)
		return qgtm_seterr(QGTM_EX_USAGE, "partitions must be even "
		    "and 2-24, got %zu", s);
	if (n < 2)
		return qgtm_seterr(QGTM_EX_DATAERR, "need at least 2 columns, "
		    "got %zu", n);
	if (t / s < (metric == QGTM_PBO_MEAN ? 1u : 2u))
		return qgtm_seterr(QGTM_EX_DATAERR, "need at least %d rows per "
		    "partition: %zu rows, %zu partitions",
		    metric == QGTM_PBO_MEAN ? 1 : 2, t, s);
	blocks_build(&b, m, t, n, s);
	for (out->nsplits = 1, i = 0; i < s / 2; i++)
		out->nsplits = out->nsplits * (s - i) / (i + 1); /* C(s, i+1) */
	out->logits = qgtm_xcalloc(out->nsplits, sizeof *out->logits);
	pbo_shares(&b, metric, nthreads > 0 ? nthreads : 1, out);
	for (i = 0; i < out->nsplits; i++)
		overfit += out->logits[i] <= 0;
	out->pbo = (double)overfit / (double)out->nsplits;
	out->rows_used = t - t % s;
	blocks_release(&b);
	return 0;
}

/*
 * The k-th smallest of x[0..n) (from 0), x reordered so that x[k] holds
 * it with nothing larger before and nothing smaller after: quickselect,
 * three-way (Dijkstra's Dutch flag), as the logits take few distinct
 * values. No NaN in x.
 */
static double
select_kth(double *x, size_t n, size_t k)
{
	size_t lo = 0, hi = n, lt, i, gt;
	double pv, t;

	while (hi - lo > 1) {
		pv = x[lo + (hi - lo) / 2];
		for (lt = i = lo, gt = hi; i < gt;) {
			if (x[i] < pv) {
				t = x[lt], x[lt++] = x[i], x[i++] = t;
			} else if (x[i] > pv) {
				t = x[--gt], x[gt] = x[i], x[i] = t;
			} else
				i++;
		}
		if (k < lt)
			hi = lt;
		else if (k >= gt)
			lo = gt;
		else
			return pv;
	}
	return x[k];
}

void
qgtm_pbo_logit_quantiles(const struct qgtm_pbo *p, double q[5])
{
	double *x = qgtm_xcalloc(p->nsplits, sizeof *x), xlo, xhi;
	size_t i, j;

	memcpy(x, p->logits, p->nsplits * sizeof *x);
	for (i = 0; i < 5; i++) {
		double h = (double)(p->nsplits - 1) * (double)i / 4.0;
		size_t lo = (size_t)floor(h);

		/* The next order statistic: the least of those after lo. */
		xlo = xhi = select_kth(x, p->nsplits, lo);
		for (j = lo + 1; j < p->nsplits; j++)
			xhi = j == lo + 1 || x[j] < xhi ? x[j] : xhi;
		q[i] = xlo + (h - (double)lo) * (xhi - xlo);
	}
	free(x);
}

void
qgtm_pbo_release(struct qgtm_pbo *p)
{
	free(p->logits);
	p->logits = NULL;
	p->nsplits = 0;
}
