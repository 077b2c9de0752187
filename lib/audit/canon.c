/*
 * audit_canon.c: a quick test that bytes are JSON in the canonical form
 * of jansson's json_dumps(JSON_COMPACT | JSON_SORT_KEYS), for the subset
 * of JSON the audit chain's entries nearly always use. verify proves most
 * lines canonical with it and without a parse; the lines it cannot vouch
 * for (an escape, non-ASCII text, a real not as jansson writes it) take
 * the slow path of parsing and re-serializing. Why the subset is its own
 * canonical form: with no whitespace, compact separators, keys in strictly
 * ascending byte order (strcmp order, as keys hold no NUL), strings that
 * need no escape, integers written as "%lld" writes them and reals written
 * as jansson's dump writes the double they parse to, a parse followed by a
 * dump changes nothing.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"

/* Deepest nesting vouched for (jansson itself allows 2048). */
#define CANON_MAX_DEPTH 64
/* Most digits of an integer vouched for: 18 always fit a long long. */
#define CANON_MAX_DIGITS 18
/* Longest real vouched for: "%.17g" writes at most 24 characters. */
#define CANON_MAX_REAL 24

static const char *value(const char *p, const char *end, int depth);

/* Bytes in a string vouched for: 0 printable ASCII but '"' and '\\', 1
 * the closing '"', 2 any other (a control, '\\', DEL, not ASCII). */
static const unsigned char str_class[256] = {
	[0 ... 0x1f] = 2, ['"'] = 1, ['\\'] = 2, [0x7f ... 0xff] = 2,
};

/* A string of printable ASCII with no escape; p is at its '"'. */
static const char *
string(const char *p, const char *end)
{
	unsigned char k;

	for (p++; p < end; p++)
		if ((k = str_class[(unsigned char)*p]) != 0)
			return k == 1 ? p + 1 : NULL;
	return NULL;
}

/*
 * A real at p, its characters up to q, if they are what jansson's dump
 * writes for the double they parse to. That form is jsonp_dtostr() of
 * jansson 2.14 (src/strconv.c) without JSON_REAL_PRECISION: "%.17g", then
 * ".0" added when it has neither '.' nor 'e', then the exponent's '+'
 * and leading zeros removed. jansson's parse (jsonp_strtod) is strtod(3)
 * in the "C" decimal point, refusing an overflow: so is this one, and a
 * locale with another decimal point only makes it vouch for less.
 */
static const char *
real(const char *p, const char *q)
{
	char in[CANON_MAX_REAL + 1], out[CANON_MAX_REAL + 8], *e;
	size_t n = (size_t)(q - p);
	double d;
	int len;

	if (n > CANON_MAX_REAL)
		return NULL;
	memcpy(in, p, n);
	in[n] = '\0';
	d = strtod(in, &e);
	if (e != in + n || !isfinite(d))
		return NULL;
	len = snprintf(out, sizeof out, "%.17g", d);
	if (len < 0 || (size_t)len >= sizeof out - 2)
		return NULL;
	if (strpbrk(out, ".e") == NULL)
		memcpy(out + len, ".0", 3);
	if ((e = strchr(out, 'e')) != NULL) {
		e += 1 + (e[1] == '-');
		if (*e == '+')
			memmove(e, e + 1, strlen(e));
		while (*e == '0' && e[1] != '\0')
			memmove(e, e + 1, strlen(e));
	}
	return strlen(out) == n && memcmp(out, in, n) == 0 ? q : NULL;
}

/* An integer in the form "%lld" prints: no "+", "-0" or leading zero;
 * or a real, when real() vouches for it. */
static const char *
number(const char *p, const char *end)
{
	const char *d = p + (*p == '-'), *q;
	size_t n = 0;

	while (d + n < end && d[n] >= '0' && d[n] <= '9')
		n++;
	q = d + n;
	if (n > 0 && q < end && (*q == '.' || *q == 'e' || *q == 'E')) {
		while (q < end && memchr("0123456789.eE+-", *q, 15) != NULL)
			q++;
		return real(p, q);
	}
	if (n == 0 || n > CANON_MAX_DIGITS || (d[0] == '0' && n > 1) ||
	    (d[0] == '0' && d != p))
		return NULL;
	return q;
}

/* The literal word w at p. */
static const char *
word(const char *p, const char *end, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(end - p) < n || memcmp(p, w, n) != 0)
		return NULL;
	return p + n;
}

/* Is the key at a (an bytes) strictly before the key at b (bn bytes)? */
static int
key_before(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i, m = an < bn ? an : bn;

	/* A loop: keys are short, and a call to memcmp costs more. */
	for (i = 0; i < m; i++)
		if (a[i] != b[i])
			return (unsigned char)a[i] < (unsigned char)b[i];
	return an < bn;
}

/* An object whose keys ascend strictly; p is at its '{'. */
static const char *
object(const char *p, const char *end, int depth)
{
	const char *key = NULL, *k;
	size_t keylen = 0;

	if (++p < end && *p == '}')
		return p + 1;
	while (p < end && *p == '"') {
		/* Keys compare without their quotes: "a" < "a!". */
		if ((k = string(p, end)) == NULL || (key != NULL &&
		    !key_before(key, keylen, p + 1, (size_t)(k - p - 2))))
			return NULL;
		key = p + 1;
		keylen = (size_t)(k - p - 2);
		if (k >= end || *k != ':' ||
		    (p = value(k + 1, end, depth)) == NULL || p >= end)
			return NULL;
		if (*p == '}')
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
	return NULL;
}

/* An array; p is at its '['. */
static const char *
array(const char *p, const char *end, int depth)
{
	if (++p < end && *p == ']')
		return p + 1;
	while ((p = value(p, end, depth)) != NULL && p < end) {
		if (*p == ']')
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
	return NULL;
}

static const char *
value(const char *p, const char *end, int depth)
{
	if (p >= end || depth >= CANON_MAX_DEPTH)
		return NULL;
	switch (*p) {
	case '{': return object(p, end, depth + 1);
	case '[': return array(p, end, depth + 1);
	case '"': return string(p, end);
	case 't': return word(p, end, "true");
	case 'f': return word(p, end, "false");
	case 'n': return word(p, end, "null");
	default:
		return number(p, end);
	}
}

const char *
qgtm_json_canon(const char *p, const char *end)
{
	return value(p, end, 0);
}
