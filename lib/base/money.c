/*
 * money.c: exact decimals as int64 counts of 10^-scale units. Parsing and
 * formatting are done on digits, never through double; rescaling and
 * products go through __int128 and round half to even (IEEE 754
 * roundTiesToEven, "banker's rounding"), so repeated rounding is unbiased.
 */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"

/* 10^18 is the largest power of ten below INT64_MAX. */
#define MAX_SCALE 18

enum { DEC_OK, DEC_SYNTAX, DEC_RANGE, DEC_DIGITS };

/* 10^n for 0 <= n <= 2 * MAX_SCALE (fits: 10^36 < 2^127). */
static __int128
pow10_128(int n)
{
	__int128 p = 1;

	while (n-- > 0)
		p *= 10;
	return p;
}

static int
bad_scale(int scale)
{
	return scale < 0 || scale > MAX_SCALE;
}

static int
scale_err(void)
{
	return qgtm_seterr(QGTM_EX_SOFTWARE, "decimal scale outside 0-%d",
	    MAX_SCALE);
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Append the digit c to *mag; -1 if the result would pass limit. */
static int
push_digit(uint64_t *mag, int c, uint64_t limit)
{
	uint64_t dig = (uint64_t)(c - '0');

	if (*mag > (limit - dig) / 10)
		return -1;
	*mag = *mag * 10 + dig;
	return 0;
}

/*
 * Parse "digits[.digits]" at p into *mag, a count of 10^-scale units no
 * larger than limit. Returns DEC_OK or the reason it failed.
 */
static int
parse_magnitude(const char *p, int scale, uint64_t limit, uint64_t *mag)
{
	int n;

	*mag = 0;
	if (!is_digit(*p))
		return DEC_SYNTAX;
	for (; is_digit(*p); p++)
		if (push_digit(mag, *p, limit) == -1)
			return DEC_RANGE;
	if (*p == '.' && !is_digit(*++p))
		return DEC_SYNTAX;
	for (n = 0; is_digit(*p); p++, n++) {
		if (n >= scale && *p != '0')
			return DEC_DIGITS;
		if (n < scale && push_digit(mag, *p, limit) == -1)
			return DEC_RANGE;
	}
	if (*p != '\0')
		return DEC_SYNTAX;
	for (; n < scale; n++)
		if (push_digit(mag, '0', limit) == -1)
			return DEC_RANGE;
	return DEC_OK;
}

int
qgtm_dec_parse(const char *s, int scale, int64_t *out)
{
	static const char *const why[] = {
		[DEC_SYNTAX] = "expected [+-]digits[.digits]",
		[DEC_RANGE] = "out of range",
		[DEC_DIGITS] = "too many fractional digits",
	};
	const char *p = s;
	uint64_t mag, limit;
	int neg, rc;

	if (bad_scale(scale))
		return scale_err();
	if (s == NULL)
		return qgtm_seterr(QGTM_EX_DATAERR, "a decimal string is "
		    "missing");
	neg = *p == '-';
	if (*p == '+' || *p == '-')
		p++;
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	if ((rc = parse_magnitude(p, scale, limit, &mag)) != DEC_OK)
		return qgtm_seterr(QGTM_EX_DATAERR,
		    "invalid decimal '%.64s' at scale %d: %s", s, scale,
		    why[rc]);
	*out = neg && mag > 0 ? -(int64_t)(mag - 1) - 1 : (int64_t)mag;
	return 0;
}

char *
qgtm_dec_fmt(int64_t v, int scale, char *out, size_t outsz)
{
	uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	char digits[48], *p = digits + sizeof digits;
	size_t n;
	int i;

	*--p = '\0';
	if (!bad_scale(scale)) {
		for (i = 0; i < scale; i++, mag /= 10)
			*--p = (char)('0' + mag % 10);
		if (scale > 0)
			*--p = '.';
		do
			*--p = (char)('0' + mag % 10);
		while ((mag /= 10) > 0);
		if (v < 0)
			*--p = '-';
	}
	if (outsz > 0) {
		n = strlen(p) < outsz ? strlen(p) : outsz - 1;
		memcpy(out, p, n);
		out[n] = '\0';
	}
	return out;
}

__int128
qgtm_div_half_even(__int128 n, __int128 d)
{
	__int128 q = n / d, r = n % d;
	__int128 twice = 2 * (r < 0 ? -r : r);

	if (twice > d || (twice == d && q % 2 != 0))
		q += n < 0 ? -1 : 1;
	return q;
}

/*
 * Store v * 10^shift in *out, dividing with half-even rounding when shift
 * is negative. Returns 0, or -1 if the result does not fit an int64.
 */
static int
shift_to_int64(__int128 v, int shift, int64_t *out)
{
	if (shift < 0)
		v = qgtm_div_half_even(v, pow10_128(-shift));
	else if (v >= INT64_MIN && v <= INT64_MAX)     /* else: too big */
		v *= pow10_128(shift);
	if (v < INT64_MIN || v > INT64_MAX)
		return -1;
	*out = (int64_t)v;
	return 0;
}

int
qgtm_dec_rescale(int64_t v, int from, int to, int64_t *out)
{
	if (bad_scale(from) || bad_scale(to))
		return scale_err();
	if (shift_to_int64(v, to - from, out) == -1)
		return qgtm_seterr(QGTM_EX_DATAERR,
		    "decimal overflow rescaling from scale %d to %d", from, to);
	return 0;
}

int
qgtm_dec_mul(int64_t a, int sa, int64_t b, int sb, int so, int64_t *out)
{
	if (bad_scale(sa) || bad_scale(sb) || bad_scale(so))
		return scale_err();
	if (shift_to_int64((__int128)a * b, so - sa - sb, out) == -1)
		return qgtm_seterr(QGTM_EX_DATAERR,
		    "decimal overflow in a product at scale %d", so);
	return 0;
}

int
qgtm_dec_from_double(double x, int scale, int64_t *out)
{
	double y;

	if (bad_scale(scale))
		return scale_err();
	y = round(x * (double)pow10_128(scale));     /* half away from zero */
	if (!(y >= -0x1p63 && y < 0x1p63))            /* also NaN */
		return qgtm_seterr(QGTM_EX_DATAERR,
		    "cannot represent %g at scale %d", x, scale);
	*out = (int64_t)y;
	return 0;
}

double
qgtm_dec_to_double(int64_t v, int scale)
{
	if (bad_scale(scale))
		return NAN;
	return (double)v / (double)pow10_128(scale);
}

json_t *
qgtm_dec_json(int64_t v, int scale)
{
	char buf[32];

	return json_string(qgtm_dec_fmt(v, scale, buf, sizeof buf));
}

int
qgtm_fit64(__int128 v, int64_t *out, const char *what)
{
	*out = 0;
	if (v < INT64_MIN || v > INT64_MAX)
		return qgtm_seterr(QGTM_EX_DATAERR, "overflow in %s", what);
	*out = (int64_t)v;
	return 0;
}
