/*
 * page_ready.c: the readiness page of qgtm-status render
 * (qgtm_page_readiness), drawn from the model of readiness.c and weeks.c
 * with the shared head of page.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

/* The readiness page's dark mode toggle, remembered in localStorage. */
static const char js_ready[] =
    "var r=document.documentElement,m=localStorage.getItem('qgtm-mode');"
    "if(m)r.className=m;document.getElementById('d').onclick=function(){"
    "m=r.className=='dark'||(!r.className&&matchMedia("
    "'(prefers-color-scheme:dark)').matches)?'light':'dark';"
    "r.className=m;localStorage.setItem('qgtm-mode',m)}";

/* The readiness page's own layout. */
static const char css_ready[] =
    "summary{padding:6px 0;cursor:pointer}b{display:inline-block;"
    "width:3.5em}table{border-collapse:collapse;margin:4px 0 8px 3.5em}"
    "td{padding:2px 8px;border-bottom:1px solid var(--mu);font-size:14px;"
    "vertical-align:top;word-break:break-all}"
    "nav{float:right}svg{max-width:100%;height:auto}.INFO{color:var(--mu)}"
    "svg text{fill:var(--fg)}h2{font-size:18px;margin:16px 0 4px}";

/* The figures behind a row, as a two-column table; an object's figures
 * in a table of their own. */
static int
ready_details(struct qgtm_buf *b, json_t *det)
{
	const char *key;
	json_t *v;
	int rc = 0;

	if (json_object_size(det) == 0)
		return qgtm_html_raw(b, "<table><tr><td>no figures yet</td>"
		    "</tr></table>");
	rc |= qgtm_html_raw(b, "<table>");
	json_object_foreach(det, key, v) {
		rc |= qgtm_html_raw(b, "<tr><td>");
		rc |= qgtm_html_text(b, key);
		rc |= qgtm_html_raw(b, "</td><td>");
		if (json_is_object(v)) {
			rc |= ready_details(b, v);
		} else {
			char *text = qgtm_page_field_text(v);

			rc |= qgtm_html_text(b, text);
			free(text);
		}
		rc |= qgtm_html_raw(b, "</td></tr>");
	}
	return rc | qgtm_html_raw(b, "</table>");
}

/* One checklist row: a <details data-row="ID" data-result="RESULT"> that
 * opens in place. */
static int
ready_row(struct qgtm_buf *b, json_t *row)
{
	int rc = 0;

	rc |= qgtm_page_attr_pair(b, "<details data-row=\"", qgtm_page_str(row, "id"),
	    "\" data-result=\"", qgtm_page_str(row, "result"));
	rc |= qgtm_page_classed(b, "\"><summary><b class=\"", qgtm_page_str(row, "result"),
	    qgtm_page_str(row, "result"), "</b> ");
	rc |= qgtm_html_text(b, qgtm_page_str(row, "title"));
	rc |= qgtm_html_raw(b, ": ");
	rc |= qgtm_html_text(b, qgtm_page_str(row, "reason"));
	rc |= qgtm_html_raw(b, "</summary>");
	rc |= ready_details(b, json_object_get(row, "details"));
	return rc | qgtm_html_raw(b, "</details>\n");
}

/* The data age line under the title: the data_age row's reason, in its
 * colour (a FAIL past 24 h). */
static int
ready_age(struct qgtm_buf *b, json_t *rows)
{
	json_t *row;
	size_t i;
	int rc = 0;

	json_array_foreach(rows, i, row)
		if (strcmp(qgtm_page_str(row, "id"), "data_age") == 0) {
			rc |= qgtm_page_classed(b, "<p id=\"age\" class=\"",
			    qgtm_page_str(row, "result"), "Data age: ", "");
			rc |= qgtm_html_text(b, qgtm_page_str(row, "reason"));
			rc |= qgtm_html_raw(b, "</p>\n");
		}
	return rc;
}

/* The week ahead: one table row per calendar event. */
static int
ready_week_ahead(struct qgtm_buf *b, json_t *wa)
{
	json_t *ev;
	size_t i;
	int rc = 0;

	rc |= qgtm_html_raw(b, "<section id=\"week-ahead\"><h2>The week "
	    "ahead</h2><small>week of ");
	rc |= qgtm_html_text(b, qgtm_page_str(wa, "week"));
	rc |= qgtm_html_raw(b, "</small>");
	if (json_object_get(wa, "error") != NULL) {
		rc |= qgtm_html_raw(b, "<p class=\"FAIL\">");
		rc |= qgtm_html_text(b, qgtm_page_str(wa, "error"));
		return rc | qgtm_html_raw(b, "</p></section>\n");
	}
	if (json_array_size(json_object_get(wa, "events")) == 0)
		rc |= qgtm_html_raw(b, "<p>No scheduled events.</p>");
	rc |= qgtm_html_raw(b, "<table>");
	json_array_foreach(json_object_get(wa, "events"), i, ev) {
		rc |= qgtm_page_attr_pair(b, "<tr data-event=\"", qgtm_page_str(ev, "id"),
		    "\" data-pause=\"", json_is_true(json_object_get(ev,
		    "pause")) ? "true" : "false");
		rc |= qgtm_html_raw(b, "\"><td>");
		rc |= qgtm_html_text(b, qgtm_page_str(ev, "at_ny"));
		rc |= qgtm_html_raw(b, "</td><td>");
		rc |= qgtm_html_text(b, qgtm_page_str(ev, "name"));
		rc |= qgtm_html_raw(b, "</td><td>");
		rc |= qgtm_html_text(b, qgtm_page_str(ev, "touches"));
		rc |= qgtm_html_raw(b, json_is_true(json_object_get(ev,
		    "pause")) ? " (trading pauses)</td></tr>" : "</td></tr>");
	}
	return rc | qgtm_html_raw(b, "</table></section>\n");
}

/* One figure of last week: a <details id> row that opens in place on
 * the figures behind it (borrowed, may be NULL); result is PASS, WARN or
 * FAIL for a figure with a limit, INFO for one without. */
static int
last_week_row(struct qgtm_buf *b, const char *id, const char *result,
    const char *title, const char *text, json_t *det)
{
	int rc = 0;

	rc |= qgtm_page_attr_pair(b, "<details id=\"", id, "\" data-result=\"", result);
	rc |= qgtm_page_classed(b, "\"><summary><b class=\"", result, result, "</b> ");
	rc |= qgtm_html_text(b, title);
	rc |= qgtm_html_raw(b, ": ");
	rc |= qgtm_html_text(b, text);
	rc |= qgtm_html_raw(b, "</summary>");
	if (det != NULL)
		rc |= ready_details(b, det);
	return rc | qgtm_html_raw(b, "</details>\n");
}

/* The text of a best or worst strategy: "name +$1.00 (3 trades)". */
static char *
strategy_text(json_t *s)
{
	long long n = json_integer_value(json_object_get(s, "trades"));

	if (!json_is_object(s))
		return qgtm_xstrdup("none");
	return qgtm_xasprintf("%s %s (%lld trade%s)", qgtm_page_str(s, "strategy"),
	    qgtm_page_str(s, "pnl_text"), n, n == 1 ? "" : "s");
}

/* The days of a week as an object: day name -> its PnL as money. */
static json_t *
days_money(json_t *days)
{
	json_t *out = json_object(), *d;
	char text[32];
	size_t i;

	json_array_foreach(days, i, d)
		json_object_set_new(out, qgtm_page_str(d, "day"), json_string(
		    qgtm_report_money(json_integer_value(json_object_get(d,
		    "pnl_cents")), 1, text)));
	return out;
}

/* Last week's figures: PnL, trades, max drawdown, best and worst. */
static int
ready_last_week(struct qgtm_buf *b, json_t *lw)
{
	double dd = json_number_value(json_object_get(lw, "max_drawdown"));
	double lim = json_number_value(json_object_get(lw,
	    "max_drawdown_limit"));
	json_t *rej = json_object_get(lw, "rejected_by_risk"), *days;
	char *t[5];
	int rc = 0, i;

	rc |= qgtm_html_raw(b, "<section id=\"last-week\"><h2>Last week</h2>"
	    "<small>week of ");
	rc |= qgtm_html_text(b, qgtm_page_str(lw, "week"));
	rc |= qgtm_html_raw(b, "</small>\n");
	if (json_object_get(lw, "error") != NULL) {
		rc |= qgtm_html_raw(b, "<p class=\"FAIL\">");
		rc |= qgtm_html_text(b, qgtm_page_str(lw, "error"));
		return rc | qgtm_html_raw(b, "</p></section>\n");
	}
	t[0] = qgtm_xasprintf("%s (sum of the %s's daily PnL)",
	    qgtm_page_str(lw, "pnl_text"), qgtm_page_str(lw, "pnl_basis"));
	t[1] = json_is_integer(rej) ? qgtm_xasprintf("%lld filled, %lld "
	    "rejected by risk", (long long)json_integer_value(json_object_get(
	    lw, "fills")), (long long)json_integer_value(rej)) :
	    qgtm_xasprintf("%lld filled, rejected by risk unknown (audit "
	    "chain not intact)", (long long)json_integer_value(
	    json_object_get(lw, "fills")));
	t[2] = qgtm_xasprintf("%.2f%% (limit %.2f%%)", dd * 100, lim * 100);
	t[3] = strategy_text(json_object_get(lw, "best"));
	t[4] = strategy_text(json_object_get(lw, "worst"));
	days = days_money(json_object_get(lw, "days"));
	rc |= last_week_row(b, "lw-pnl", "INFO", "Weekly PnL", t[0], days);
	json_decref(days);
	rc |= last_week_row(b, "lw-trades", json_is_integer(rej) ? "PASS" :
	    "WARN", "Trades executed", t[1], NULL);
	rc |= last_week_row(b, "lw-dd", qgtm_page_str(lw, "drawdown_result"),
	    "Max drawdown", t[2], NULL);
	rc |= last_week_row(b, "lw-best", "INFO", "Best strategy", t[3],
	    json_object_get(lw, "best"));
	rc |= last_week_row(b, "lw-worst", "INFO", "Worst strategy", t[4],
	    json_object_get(lw, "worst"));
	for (i = 0; i < 5; i++)
		free(t[i]);
	return rc | qgtm_html_raw(b, "</section>\n");
}
/* The equity curve (dates, equity_cents) as the SVG chart of equity
 * over its drawdown from the running peak. */
static int
ready_chart(struct qgtm_buf *b, json_t *curve)
{
	json_t *dates = json_object_get(curve, "dates");
	json_t *cents = json_object_get(curve, "equity_cents");
	size_t n = json_array_size(cents), i;
	double *eq, *dd, peak = 0;
	char *svg = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	rc = qgtm_html_raw(b, "<figure id=\"chart\"><h2>Equity and "
	    "drawdown</h2>");
	if (n == 0 || json_array_size(dates) != n)
		return rc | qgtm_html_raw(b, "<p>No equity history yet.</p>"
		    "</figure>\n");
	eq = qgtm_xcalloc(n, sizeof *eq);
	dd = qgtm_xcalloc(n, sizeof *dd);
	for (i = 0; i < n; i++) {
		eq[i] = (double)json_integer_value(json_array_get(cents, i)) /
		    100;
		peak = eq[i] > peak ? eq[i] : peak;
		dd[i] = peak > 0 ? eq[i] / peak - 1 : 0;
	}
	if ((f = open_memstream(&svg, &len)) == NULL ||
	    qgtm_svg_equity(f, "Equity (USD) and drawdown",
	    json_string_value(json_array_get(dates, 0)),
	    json_string_value(json_array_get(dates, n - 1)), eq, dd, n) == -1)
		rc = -1;
	if (f != NULL && fclose(f) == 0 && rc == 0)
		rc = qgtm_buf_add(b, svg, len);
	free(svg);
	free(eq);
	free(dd);
	return rc | qgtm_html_raw(b, "</figure>\n");
}

int
qgtm_page_readiness(struct qgtm_buf *b, json_t *rd)
{
	json_t *row;
	size_t i;
	int rc = 0;

	rc |= qgtm_page_head(b, "QGTM readiness", css_ready, "");
	rc |= qgtm_html_raw(b, "<nav><a id=\"docs\" href=\"docs/index.html\">"
	    "Docs</a> <button id=\"d\" type=\"button\">dark/light</button>"
	    "</nav>");
	rc |= qgtm_page_classed(b, "<h1>Readiness: <span class=\"", qgtm_page_str(rd, "result"),
	    qgtm_page_str(rd, "result"), "</span></h1><small>as of ");
	rc |= qgtm_html_text(b, qgtm_page_str(rd, "as_of"));
	rc |= qgtm_html_raw(b, "</small>\n");
	rc |= ready_age(b, json_object_get(rd, "rows"));
	rc |= qgtm_html_raw(b, "<section id=\"checklist\">\n");
	json_array_foreach(json_object_get(rd, "rows"), i, row)
		rc |= ready_row(b, row);
	rc |= qgtm_html_raw(b, "</section>\n");
	rc |= ready_week_ahead(b, json_object_get(rd, "week_ahead"));
	rc |= ready_last_week(b, json_object_get(rd, "last_week"));
	rc |= ready_chart(b, json_object_get(rd, "equity_curve"));
	rc |= qgtm_html_raw(b, "<script>");
	rc |= qgtm_html_raw(b, js_ready);
	rc |= qgtm_html_raw(b, "</script></body></html>\n");
	return rc ? -1 : 0;
}

