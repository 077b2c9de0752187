/*
 * text.c: cuts of text by character, never inside one, and text made
 * valid UTF-8 (RFC 3629) before it enters JSON. One helper for every
 * place that shortens text for a message (alerts, the digest), so a
 * multi-byte character is never split into bytes that jansson refuses.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

/*
 * The length of the well-formed UTF-8 sequence at s (RFC 3629 section 4,
 * the table of well-formed byte sequences: no overlong form, no
 * surrogate, nothing past U+10FFFF), or 0 when the bytes at s are not
 * one. s is NUL-terminated, so a sequence cut by the end stops at the NUL.
 */
static size_t
seq_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/* The length in bytes of the longest prefix of s of at most max_chars
 * characters and max_bytes bytes that ends between two characters. */
static size_t
prefix(const char *s, size_t max_chars, size_t max_bytes)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n, chars;

	for (chars = 0; p[i] != '\0' && chars < max_chars; chars++) {
		n = seq_len(p + i);
		n = n > 0 ? n : 1;
		if (i + n > max_bytes)
			break;
		i += n;
	}
	return i;
}

int
qgtm_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	for (; *p != '\0'; p += n)
		if ((n = seq_len(p)) == 0)
			return 0;
	return 1;
}

size_t
qgtm_utf8_prefix(const char *s, size_t max_chars)
{
	return prefix(s, max_chars, (size_t)-1);
}

size_t
qgtm_utf8_copy(char *dst, size_t size, const char *src)
{
	size_t n = size > 0 ? prefix(src, (size_t)-1, size - 1) : 0;

	if (size > 0) {
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return n;
}

char *
qgtm_utf8_cut(const char *s, size_t max_chars)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t end = qgtm_utf8_prefix(s, max_chars), i = 0, j = 0, n;
	char *out = qgtm_xmalloc(end + 1);

	while (i < end) {
		if ((n = seq_len(p + i)) == 0) {
			out[j++] = '?';
			i++;
			continue;
		}
		memcpy(out + j, p + i, n);
		i += n;
		j += n;
	}
	out[j] = '\0';
	return out;
}
