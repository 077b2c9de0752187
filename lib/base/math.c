/*
 * math.c: the plain statistics every layer may use (the strategies, the
 * research statistics of research/stats.c): the mean and the sample
 * standard deviation of a series.
 */
#include <math.h>
#include <stddef.h>

#include "base/base.h"

double
qgtm_math_mean(const double *r, size_t n)
{
	double s = 0;
	size_t i;

	if (n == 0)
		return NAN;
	for (i = 0; i < n; i++)
		s += r[i];
	return s / (double)n;
}

double
qgtm_math_sd(const double *r, size_t n)
{
	double m = qgtm_math_mean(r, n), ss = 0;
	size_t i;

	if (n < 2)
		return NAN;
	for (i = 0; i < n; i++)
		ss += (r[i] - m) * (r[i] - m);
	return sqrt(ss / (double)(n - 1));
}
