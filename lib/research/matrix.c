/*
 * matrix.c: numbers read from text, and the CSV matrices of returns
 * qgtm-stats(1) reads (one row a line, cells split at commas), parsed in
 * place from the mapped file with an exact fast path for plain decimals.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "research/research.h"

/* 10^k for k = 0 to 8. */
static const uint64_t pow10_int[] = { 1, 10, 100, 1000, 10000, 100000,
	1000000, 10000000, 100000000 };

/*
 * digits_add: the decimal digits from p (before end) appended to *m;
 * returns the first byte that is not a digit. *m wraps past 2^64; the
 * caller counts the digits. Eight bytes at a time where the buffer allows
 * (SWAR, after Lemire, "Fast number parsing", 2021, and simdjson's
 * parse_eight_digits_unrolled): the bytes that are not digits are found
 * at once, and the k digits before the first of them, shifted to the top
 * of the word behind 8 - k zeros, are combined pairwise in 3 multiplies.
 * A byte is a digit if its high nibble is 3, and still is after adding 6;
 * a carry out of a byte comes only from a non-digit, so the flags up to
 * the first non-digit are exact.
 */
static inline const char *
digits_add(const char *p, const char *end, uint64_t *m)
{
	uint64_t v, bad, x = *m;
	int k;

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (end - p >= 8) {
		memcpy(&v, p, 8);
		bad = ((v & 0xf0f0f0f0f0f0f0f0ULL) ^ 0x3030303030303030ULL) |
		    (((v + 0x0606060606060606ULL) & 0xf0f0f0f0f0f0f0f0ULL) ^
		    0x3030303030303030ULL);
		k = bad ? __builtin_ctzll(bad) / 8 : 8;
		if (k == 0)
			break;
		v = (v - 0x3030303030303030ULL) << (8 * (8 - k));
		v = v * 10 + (v >> 8);
		v = ((v & 0x000000ff000000ffULL) * (100 + (1000000ULL << 32)) +
		    ((v >> 16) & 0x000000ff000000ffULL) *
		    (1 + (10000ULL << 32))) >> 32;
		x = x * pow10_int[k] + v;
		p += k;
		if (k < 8) {
			*m = x;
			return p;
		}
	}
#endif
	for (; p < end && (unsigned char)(*p - '0') < 10; p++)
		x = x * 10 + (uint64_t)(*p - '0');
	*m = x;
	return p;
}

/*
 * m / 10^k with m below 2^53 and k at most 22 is exact over exact: m and
 * 10^k are both exact doubles and IEEE 754 division rounds the quotient
 * correctly, so it is the double strtod gives (Clinger 1990, "How to read
 * floating point numbers accurately", the fast path). The integer part
 * goes a digit at a time (it is short in a file of returns), the fraction
 * by digits_add().
 */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline const char *
decimal_at(const char *s, const char *end, double *out)
{
	static const double pow10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
		1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
		1e19, 1e20, 1e21, 1e22 };
	uint64_t m = 0;
	const char *p = s, *first, *point = NULL;
	size_t digits, frac = 0;
	int neg = 0;

	if (p < end && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	for (first = p; p < end && (unsigned char)(*p - '0') < 10; p++)
		m = m * 10 + (uint64_t)(*p - '0');
	if (p < end && *p == '.') {
		p = digits_add(point = p + 1, end, &m);
		frac = (size_t)(p - point);
	}
	digits = (size_t)(p - first) - (point != NULL);
	/* 19 digits never overflow m: 10^19 - 1 < 2^64. */
	if (digits == 0 || digits > 19 || m >= 1ULL << 53 || frac > 22)
		return NULL;
	*out = (double)(int64_t)m / pow10[frac];
	if (neg)
		*out = -*out;
	return p;
}

const char *
qgtm_matrix_decimal(const char *s, const char *end, double *out)
{
	return decimal_at(s, end, out);
}

int
qgtm_matrix_number(const char *s, size_t len, double *out)
{
	char buf[64], *end;
	size_t i = 0;

	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
	    s[len - 1] == '\r'))
		len--;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (len - i == 0 || len - i >= sizeof buf)
		return -1;
	if (qgtm_matrix_decimal(s + i, s + len, out) == s + len)
		return 0;
	memcpy(buf, s + i, len - i);
	buf[len - i] = '\0';
	if (strpbrk(buf, "xXnNiI") != NULL)
		return -1;
	errno = 0;
	*out = strtod(buf, &end);
	return *end != '\0' || errno != 0 || !isfinite(*out) ? -1 : 0;
}

/* Room for cap values in m. */
static void
matrix_grow(struct qgtm_matrix *m, size_t cap)
{
	if (cap > m->cap) {
		m->cap = cap;
		m->x = qgtm_xrealloc(m->x, m->cap * sizeof *m->x);
	}
}

/*
 * The whole of fd (name for messages) in one buffer, *len bytes, or NULL
 * with the error set.
 */
static char *
slurp(int fd, const char *name, size_t *len)
{
	struct stat st;
	size_t cap = 1 << 16;
	char *buf;
	ssize_t r;

	/* A regular file's size, and one byte to see its end, in one read. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		cap = (size_t)st.st_size + 1;
	buf = qgtm_xmalloc(cap);

	*len = 0;
	for (;;) {
		if (*len == cap)
			buf = qgtm_xrealloc(buf, cap *= 2);
		r = read(fd, buf + *len, cap - *len);
		if (r == 0)
			return buf;
		if (r > 0)
			*len += (size_t)r;
		else if (errno != EINTR) {
			free(buf);
			qgtm_seterr_errno(QGTM_EX_IOERR, "cannot read '%s'",
			    name);
			return NULL;
		}
	}
}

/*
 * The text of the input, read whole: not mapped, so a file cut short by
 * another process while it is read is a short input, not a SIGBUS.
 */
struct text {
	char *p;
	size_t len;
};

/* Read fd whole into t (name for messages). Returns 0 or -1. */
static int
text_open(struct text *t, int fd, const char *name)
{
	t->p = slurp(fd, name, &t->len);
	return t->p == NULL ? -1 : 0;
}

static void
text_close(struct text *t)
{
	free(t->p);
}

/*
 * The cells of t into m. A cell that is a plain decimal ends at its comma
 * or newline and is taken without a copy; any other goes to
 * qgtm_matrix_number(). x doubles as it fills (a large realloc is an
 * mremap in glibc, no copy).
 */
static int
matrix_parse(const struct text *t, const char *name, struct qgtm_matrix *m)
{
	const char *p, *q, *end = t->p + t->len;
	size_t cells, n = 0;
	double x;

	for (p = t->p; p < end; p = q + 1) {
		m->rows++;
		for (cells = 1;; cells++, p = q + 1) {
			q = decimal_at(p, end, &x);
			if (q == NULL || (q < end && *q != ',' && *q != '\n')) {
				for (q = p; q < end && *q != ',' && *q != '\n';
				    q++)
					;
				if (qgtm_matrix_number(p, (size_t)(q - p),
				    &x) == -1)
					return qgtm_seterr(QGTM_EX_DATAERR,
					    "%s:%zu: cell %zu: not a number",
					    name, m->rows, cells);
			}
			if (n == m->cap)
				matrix_grow(m, m->cap ? 2 * m->cap : 1024);
			m->x[n++] = x;
			if (q == end || *q == '\n')
				break;
		}
		if (m->cols == 0)
			m->cols = cells;
		else if (cells != m->cols)
			return qgtm_seterr(QGTM_EX_DATAERR, "%s:%zu: %zu cells, "
			    "expected %zu as on line 1", name, m->rows, cells,
			    m->cols);
	}
	return 0;
}

int
qgtm_matrix_read(const char *file, struct qgtm_matrix *m)
{
	const char *name = file == NULL || strcmp(file, "-") == 0 ?
	    "<stdin>" : file;
	int fd = name[0] == '<' ? 0 : open(file, O_RDONLY), rc;
	struct text t;

	memset(m, 0, sizeof *m);
	if (fd == -1)
		return qgtm_seterr_errno(QGTM_EX_NOINPUT, "cannot open '%s'",
		    file);
	rc = text_open(&t, fd, name);
	if (fd != 0)
		close(fd);
	if (rc == -1)
		return -1;
	rc = matrix_parse(&t, name, m);
	text_close(&t);
	if (rc == -1)
		qgtm_matrix_release(m);
	return rc;
}

void
qgtm_matrix_release(struct qgtm_matrix *m)
{
	free(m->x);
	memset(m, 0, sizeof *m);
}
