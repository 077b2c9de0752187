/*
 * svg.c: a small SVG chart of an equity curve over its drawdown, for
 * backtest reports. Every string written goes through qgtm_svg_text(), as
 * stagit escapes every string it puts in a page.
 */
#include <math.h>
#include <stdio.h>

#include "report/report.h"

#define W 800
#define H 420
#define PAD 50
#define SPLIT 280       /* y where the drawdown panel starts */

void
qgtm_svg_text(FILE *out, const char *s)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: putc(*s, out);
		}
}

/* A polyline of y[0..n-1] scaled from [lo, hi] into the band top..bottom. */
static void
polyline(FILE *out, const double *y, size_t n, double lo, double hi,
    int top, int bottom, const char *style)
{
	size_t i;
	double span = hi > lo ? hi - lo : 1.0;

	fprintf(out, "<polyline fill=\"none\" %s points=\"", style);
	for (i = 0; i < n; i++)
		fprintf(out, "%s%.1f,%.1f", i ? " " : "",
		    PAD + (double)(W - 2 * PAD) * (double)i /
		    (double)(n > 1 ? n - 1 : 1),
		    bottom - (double)(bottom - top) * (y[i] - lo) / span);
	fputs("\"/>\n", out);
}

/* A text label at x, y with the given anchor. */
static void
label(FILE *out, int x, int y, const char *anchor, const char *s)
{
	fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\">", x, y,
	    anchor);
	qgtm_svg_text(out, s);
	fputs("</text>\n", out);
}

static void
range(const double *y, size_t n, double *lo, double *hi)
{
	size_t i;

	*lo = INFINITY;
	*hi = -INFINITY;
	for (i = 0; i < n; i++) {
		*lo = fmin(*lo, y[i]);
		*hi = fmax(*hi, y[i]);
	}
}

int
qgtm_svg_equity(FILE *out, const char *title, const char *first,
    const char *last, const double *equity, const double *drawdown, size_t n)
{
	double lo, hi, dlo, dhi;
	char buf[64];

	if (n == 0)
		return qgtm_seterr(QGTM_EX_DATAERR, "empty series");
	range(equity, n, &lo, &hi);
	range(drawdown, n, &dlo, &dhi);
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" "
	    "font-size=\"12\">\n", W, H, W, H);
	fputs("<title>", out);
	qgtm_svg_text(out, title);
	fputs("</title>\n", out);
	label(out, W / 2, 20, "middle", title);
	polyline(out, equity, n, lo, hi, 30, SPLIT - 20,
	    "stroke=\"#1f5fa8\" stroke-width=\"1.5\"");
	polyline(out, drawdown, n, dlo, 0, SPLIT, H - 30,
	    "stroke=\"#b22222\" stroke-width=\"1\"");
	snprintf(buf, sizeof buf, "%.0f", hi);
	label(out, PAD - 4, 34, "end", buf);
	snprintf(buf, sizeof buf, "%.0f", lo);
	label(out, PAD - 4, SPLIT - 20, "end", buf);
	snprintf(buf, sizeof buf, "%.1f%%", 100 * dlo);
	label(out, PAD - 4, H - 30, "end", buf);
	label(out, PAD - 4, SPLIT + 4, "end", "0%");
	label(out, PAD, H - 10, "start", first);
	label(out, W - PAD, H - 10, "end", last);
	fputs("</svg>\n", out);
	return ferror(out) ? qgtm_seterr(QGTM_EX_IOERR, "write error") : 0;
}
