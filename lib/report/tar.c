/*
 * tar.c: a writer of POSIX ustar archives (IEEE Std 1003.1-2017, pax,
 * "ustar Interchange Format"): regular files only, each a 512-byte
 * header and its bytes padded to 512, then two zero blocks. Enough for
 * the evidence package qgtm-api hands an auditor; tar(1) reads it.
 */
#include <stdio.h>
#include <string.h>

#include "report/report.h"

#define BLOCK 512

/* Write v in octal into the field at f of width w: w - 1 digits and NUL
 * (the caller checked that v fits). */
static void
octal(char *f, size_t w, unsigned long long v)
{
	char digits[24];

	snprintf(digits, sizeof digits, "%022llo", v);
	memcpy(f, digits + 22 - (w - 1), w - 1);
	f[w - 1] = '\0';
}

int
qgtm_tar_add(struct qgtm_buf *b, const char *name, const void *p, size_t n,
    time_t mtime)
{
	static const char zero[BLOCK];
	unsigned char h[BLOCK];
	unsigned long sum = 0;
	size_t i;

	if (strlen(name) == 0 || strlen(name) > 99 || n > 077777777777ULL ||
	    mtime < 0 || (unsigned long long)mtime > 077777777777ULL)
		return qgtm_seterr(QGTM_EX_DATAERR,
		    "tar: '%s': name over 99 bytes, or size or time too large",
		    name);
	memset(h, 0, sizeof h);
	memcpy(h, name, strlen(name)); /* name[100] */
	octal((char *)h + 100, 8, 0644); /* mode */
	octal((char *)h + 108, 8, 0); /* uid */
	octal((char *)h + 116, 8, 0); /* gid */
	octal((char *)h + 124, 12, n); /* size */
	octal((char *)h + 136, 12, (unsigned long long)mtime);
	h[156] = '0'; /* typeflag: file */
	memcpy(h + 257, "ustar", 6); /* magic, NUL */
	memcpy(h + 263, "00", 2); /* version */
	memset(h + 148, ' ', 8); /* chksum counts as spaces */
	for (i = 0; i < sizeof h; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06lo", sum); /* 6 digits, NUL, ' ' */
	h[155] = ' ';
	if (qgtm_buf_add(b, h, sizeof h) == -1 || qgtm_buf_add(b, p, n) == -1 ||
	    qgtm_buf_add(b, zero, (BLOCK - n % BLOCK) % BLOCK) == -1)
		return -1;
	return 0;
}

int
qgtm_tar_end(struct qgtm_buf *b)
{
	static const char zero[2 * BLOCK];

	return qgtm_buf_add(b, zero, sizeof zero);
}
