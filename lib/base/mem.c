/*
 * mem.c: allocation that dies on out-of-memory, and the capped growable
 * buffer struct qgtm_buf (curl dynbuf). QGTM_FAULT=malloc:N makes the N-th
 * allocation here fail (lib/base/fault.c).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

/* Die with one line; n is 0 when the size is not known (vasprintf). */
static void __attribute__((noreturn))
oom(size_t n)
{
	if (n == 0)
		qgtm_die(QGTM_EX_OSERR, "out of memory");
	qgtm_die(QGTM_EX_OSERR, "out of memory allocating %zu bytes", n);
}

void *
qgtm_xmalloc(size_t n)
{
	void *p = qgtm_fault(QGTM_FAULT_MALLOC) ? NULL : malloc(n != 0 ? n : 1);

	if (p == NULL)
		oom(n);
	return p;
}

void *
qgtm_xcalloc(size_t nmemb, size_t size)
{
	void *p = qgtm_fault(QGTM_FAULT_MALLOC) ? NULL :
	    calloc(nmemb != 0 ? nmemb : 1, size != 0 ? size : 1);
	size_t n;

	if (p == NULL)
		oom(__builtin_mul_overflow(nmemb, size, &n) ? SIZE_MAX : n);
	return p;
}

void *
qgtm_xrealloc(void *p, size_t n)
{
	void *q = qgtm_fault(QGTM_FAULT_MALLOC) ? NULL :
	    realloc(p, n != 0 ? n : 1);

	if (q == NULL)
		oom(n);
	return q;
}

char *
qgtm_xstrdup(const char *s)
{
	char *p = qgtm_fault(QGTM_FAULT_MALLOC) ? NULL : strdup(s);

	if (p == NULL)
		oom(strlen(s) + 1);
	return p;
}

char *
qgtm_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = qgtm_fault(QGTM_FAULT_MALLOC) ? -1 : vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom(0);
	return p;
}

void
qgtm_buf_init(struct qgtm_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

/* Make room for n more bytes plus the NUL, within the cap. */
static int
buf_grow(struct qgtm_buf *b, size_t n)
{
	size_t want;

	if (n > b->max || b->len > b->max - n)
		return qgtm_seterr(QGTM_EX_DATAERR,
		    "data exceeds the limit of %zu bytes", b->max);
	want = b->len + n + 1;
	if (want <= b->cap)
		return 0;
	if (b->cap == 0)
		b->cap = 256;
	while (b->cap < want)
		b->cap *= 2;
	b->data = qgtm_xrealloc(b->data, b->cap);
	return 0;
}

int
qgtm_buf_add(struct qgtm_buf *b, const void *p, size_t n)
{
	if (buf_grow(b, n) == -1)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
qgtm_buf_addf(struct qgtm_buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n, rc;

	va_start(ap, fmt);
	n = qgtm_fault(QGTM_FAULT_MALLOC) ? -1 : vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom(0);
	rc = qgtm_buf_add(b, s, (size_t)n);
	free(s);
	return rc;
}

void
qgtm_buf_reset(struct qgtm_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
qgtm_buf_release(struct qgtm_buf *b)
{
	free(b->data);
	qgtm_buf_init(b, b->max);
}

char *
qgtm_buf_detach(struct qgtm_buf *b)
{
	char *p = b->data != NULL ? b->data : qgtm_xstrdup("");

	qgtm_buf_init(b, b->max);
	return p;
}
