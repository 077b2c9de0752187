/*
 * page.c: what the two operator pages of qgtm-status render share (the
 * phone page in page_phone.c, the readiness page in page_ready.c): the
 * head with its colours, the escaping helpers, and the atomic publish.
 * CONTRIBUTING.md "HTML pages": one self-contained file, one inline
 * <style>, a little inline JS, every model string escaped through html.c;
 * the CSS and JS live in these files as C string literals, not in share/.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/report_int.h"

/*
 * Shared by both pages: colours, light and dark. Every colour meets WCAG
 * 2.1 AA for normal text (1.4.3, contrast at least 4.5:1) on its scheme's
 * background, by the relative luminance formula of WCAG 2.1
 * (tests/browser/contrast.mjs computes them and 0765-browser-a11y.bats
 * fails below 4.5):
 *
 *	var	light on #fff		dark on #111
 *	--fg	#111	18.88		#eee	16.28
 *	--mu	#666	 5.74		#aaa	 8.13
 *	--ok	#0a7d2c	 5.27		#3ddc72	10.50
 *	--wa	#8c6a00	 5.03		#f1c40f	11.37
 *	--or	#b34700	 5.50		#ff8c42	 8.17
 *	--ba	#c0392b	 5.44		#ff5c5c	 6.24
 *	--ln	#0645ad	 8.53		#8ab4f8	 8.96
 *
 * (WARN was #b58900, 3.21:1 on white; orange #d35400, 4.17:1.) The
 * scheme the page shows is the one it tells the browser (color-scheme),
 * so links and controls follow the toggle of the readiness page too:
 * light unless the system asks for dark and the page is not .light, or
 * the page is .dark. Links have their own colour in both.
 */
#define CSS_DARK \
	"color-scheme:dark;--bg:#111;--fg:#eee;--mu:#aaa;" \
	"--ok:#3ddc72;--wa:#f1c40f;--or:#ff8c42;--ba:#ff5c5c;--ln:#8ab4f8"
static const char css_base[] =
    ":root{color-scheme:light;--bg:#fff;--fg:#111;--mu:#666;"
    "--ok:#0a7d2c;--wa:#8c6a00;--or:#b34700;--ba:#c0392b;--ln:#0645ad}"
    "@media(prefers-color-scheme:dark){:root:not(.light){" CSS_DARK "}}"
    ":root.dark{" CSS_DARK "}"
    "body{margin:0;padding:8px;font:16px/1.3 system-ui,sans-serif;"
    "background:var(--bg);color:var(--fg)}a,a:visited{color:var(--ln)}"
    ".up,.green,.PASS{color:var(--ok)}.dn,.red,.FAIL{color:var(--ba)}"
    ".yellow,.WARN{color:var(--wa)}small{color:var(--mu)}";

/* What a search result or a shared link says of either page. */
static const char page_description[] =
    "QGTM, a small systematic trading system: its live status, safety "
    "switch and weekly readiness, for its operators.";

/*
 * The pages' icon, written beside them by qgtm-status render as
 * favicon.svg: without one every load asks for /favicon.ico, which the
 * web server refuses (a console error).
 */
static const char page_favicon[] =
    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 16 16\">"
    "<rect width=\"16\" height=\"16\" rx=\"3\" fill=\"#0a7d2c\"/>"
    "<text x=\"8\" y=\"12.5\" font-family=\"sans-serif\" "
    "font-size=\"12\" font-weight=\"700\" text-anchor=\"middle\" "
    "fill=\"#fff\">Q</text></svg>\n";

const char *
qgtm_page_favicon(size_t *n)
{
	*n = sizeof(page_favicon) - 1;
	return page_favicon;
}

/* The head of a page: title (escaped), its CSS and the <body> tag. */
int
qgtm_page_head(struct qgtm_buf *b, const char *title, const char *css,
    const char *body_class)
{
	int rc = 0;

	rc |= qgtm_html_raw(b,
	    "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><meta name=\"viewport\" "
	    "content=\"width=device-width,initial-scale=1\">"
	    "<meta name=\"description\" content=\"");
	rc |= qgtm_html_attr(b, page_description);
	rc |= qgtm_html_raw(b,
	    "\"><link rel=\"icon\" type=\"image/svg+xml\" href=\"favicon.svg\">"
	    "<title>");
	rc |= qgtm_html_text(b, title);
	rc |= qgtm_html_raw(b, "</title><style>");
	rc |= qgtm_html_raw(b, css_base);
	rc |= qgtm_html_raw(b, css);
	rc |= qgtm_html_raw(b, "</style></head>\n<body class=\"");
	rc |= qgtm_html_attr(b, body_class);
	rc |= qgtm_html_raw(b, "\">");
	return rc;
}

/* The text of a model field: a string as it is, a number in decimal,
 * null as the dash; anything else compact JSON. A new allocation. */
char *
qgtm_page_field_text(json_t *v)
{
	if (json_is_string(v))
		return qgtm_xstrdup(json_string_value(v));
	if (v == NULL || json_is_null(v))
		return qgtm_xstrdup("\u2014");
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* Append open, cls as an attribute value, "\">", text as element content
 * and close: an element with a class, open ending in class=". */
int
qgtm_page_classed(struct qgtm_buf *b, const char *open, const char *cls,
    const char *text, const char *close)
{
	int rc = 0;

	rc |= qgtm_html_raw(b, open);
	rc |= qgtm_html_attr(b, cls);
	rc |= qgtm_html_raw(b, "\">");
	rc |= qgtm_html_text(b, text);
	return rc | qgtm_html_raw(b, close);
}

/* A string member of obj, or "" when absent or not a string. */
const char *
qgtm_page_str(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s != NULL ? s : "";
}

/* Append open, then the attribute value a, then mid, then b. */
int
qgtm_page_attr_pair(struct qgtm_buf *b, const char *open, const char *a,
    const char *mid, const char *v)
{
	int rc = 0;

	rc |= qgtm_html_raw(b, open);
	rc |= qgtm_html_attr(b, a);
	rc |= qgtm_html_raw(b, mid);
	return rc | qgtm_html_attr(b, v);
}

/* Write the n bytes at p to fd, resuming after EINTR and short writes. */
static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
qgtm_page_publish(const char *dir, const char *name, const void *p, size_t n)
{
	char *path = qgtm_xasprintf("%s/%s", dir, name);
	char *tmp = qgtm_xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd, rc = 0;

	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1)
		rc = qgtm_seterr_errno(QGTM_EX_CANTCREAT, "cannot create '%s'",
		    tmp);
	else if (fchmod(fd, 0644) == -1 || write_all(fd, p, n) == -1)
		rc = qgtm_seterr_errno(QGTM_EX_IOERR, "cannot write '%s'", tmp);
	if (fd != -1 && close(fd) == -1 && rc == 0)
		rc = qgtm_seterr_errno(QGTM_EX_IOERR, "cannot write '%s'", tmp);
	if (rc == 0 && rename(tmp, path) == -1)
		rc = qgtm_seterr_errno(QGTM_EX_IOERR, "cannot rename '%s'",
		    tmp);
	if (rc == -1 && fd != -1)
		unlink(tmp);
	free(tmp);
	free(path);
	return rc;
}

int
qgtm_page_sync(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd == -1 || fsync(fd) == -1)
		rc = qgtm_seterr_errno(QGTM_EX_IOERR, "cannot sync '%s'", dir);
	if (fd != -1)
		close(fd);
	return rc;
}
