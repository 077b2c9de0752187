/*
 * html.c: the four ways a string enters an HTML page (CONTRIBUTING.md
 * "HTML pages", after cgit html.h and stagit xmlencode): raw for literals,
 * text for element content, attr for attribute values, url for href and
 * src.
 */
#include <string.h>
#include <strings.h>

#include "report/report.h"

/* Append s with every character in special replaced by its entity. */
static int
html_escape(struct qgtm_buf *b, const char *s, const char *special)
{
	const char *p;
	const char *ent;

	for (p = s; *p != '\0'; p++) {
		if (strchr(special, *p) == NULL)
			continue;
		switch (*p) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		default: ent = "&#39;"; break;
		}
		if (qgtm_buf_add(b, s, (size_t)(p - s)) == -1 ||
		    qgtm_buf_add(b, ent, strlen(ent)) == -1)
			return -1;
		s = p + 1;
	}
	return qgtm_buf_add(b, s, strlen(s));
}

int
qgtm_html_raw(struct qgtm_buf *b, const char *s)
{
	return qgtm_buf_add(b, s, strlen(s));
}

int
qgtm_html_text(struct qgtm_buf *b, const char *s)
{
	return html_escape(b, s, "&<>");
}

int
qgtm_html_attr(struct qgtm_buf *b, const char *s)
{
	return html_escape(b, s, "&<>\"'");
}

/* 1 if the scheme of url (the text before a ':' that comes before any
 * '/', '?' or '#') is absent, http or https. */
static int
url_scheme_ok(const char *url)
{
	size_t n = strcspn(url, ":/?#");

	if (url[n] != ':')
		return 1;
	return (n == 4 && strncasecmp(url, "http", 4) == 0) ||
	    (n == 5 && strncasecmp(url, "https", 5) == 0);
}

int
qgtm_html_url(struct qgtm_buf *b, const char *s)
{
	static const char keep[] = "-._~/:?=#,;@+%";
	const unsigned char *p;

	if (!url_scheme_ok(s))
		return qgtm_buf_add(b, "#", 1);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		int rc;

		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr(keep, *p) != NULL)
			rc = qgtm_buf_add(b, p, 1);
		else if (*p == '&')
			rc = qgtm_buf_add(b, "&amp;", 5);
		else
			rc = qgtm_buf_addf(b, "%%%02X", *p);
		if (rc == -1)
			return -1;
	}
	return 0;
}
