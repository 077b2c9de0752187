/*
 * page.c: the two operator pages of qgtm-status render, drawn from the
 * models of status.c and readiness.c (CONTRIBUTING.md "HTML pages": one self-contained
 * file, one inline <style>, a little inline JS, every model string escaped
 * through html.c). The CSS and JS live here as C string literals, not in
 * share/.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/report.h"

/* Shared by both pages: colours, light and dark. */
static const char css_base[] =
    ":root{color-scheme:light dark;--bg:#fff;--fg:#111;--mu:#666;"
    "--ok:#0a7d2c;--wa:#b58900;--or:#d35400;--ba:#c0392b}"
    "@media(prefers-color-scheme:dark){:root:not(.light){--bg:#111;"
    "--fg:#eee;--mu:#aaa;--ok:#3ddc72;--wa:#f1c40f;--or:#ff8c42;"
    "--ba:#ff5c5c}}"
    ":root.dark{--bg:#111;--fg:#eee;--mu:#aaa;--ok:#3ddc72;--wa:#f1c40f;"
    "--or:#ff8c42;--ba:#ff5c5c}"
    "body{margin:0;padding:8px;font:16px/1.3 system-ui,sans-serif;"
    "background:var(--bg);color:var(--fg)}"
    ".up,.green,.PASS{color:var(--ok)}.dn,.red,.FAIL{color:var(--ba)}"
    ".yellow,.WARN{color:var(--wa)}small{color:var(--mu)}";

/* The phone page's own layout: five numbers, no scrolling at 360x640. */
static const char css_phone[] =
    "dl{margin:0}dt{font-size:13px;color:var(--mu);margin-top:8px}"
    "dd{margin:0;font-size:28px;font-weight:700}"
    "#tt{font-size:14px;font-weight:400}"
    ".tNORMAL{color:var(--ok)}.tWARN{color:var(--wa)}"
    ".tTHROTTLE{color:var(--or)}.tNO_NEW{color:var(--ba)}"
    ".tFLATTEN{color:#fff;background:#000;padding:0 6px}"
    "#x{display:none;color:var(--ba);font-size:32px;font-weight:700;"
    "text-align:center;margin:96px 0}"
    ".lost #x{display:block}.lost dl{display:none}"
    ".wait dl{visibility:hidden}"
    "#f{width:100%;margin-top:16px;padding:14px;font-size:20px;"
    "font-weight:700;color:#fff;background:#c0392b;border:0;"
    "border-radius:8px}";

/* Poll the API's status every 5 s (computed per request, so the heartbeat
 * ages on the page when the daemon, which renders, is dead); CONNECTION
 * LOST when it cannot be fetched, is over 15 s old or the broker is
 * unreachable; FLATTEN ALL on a second tap within 5 s. The rendered
 * numbers stay hidden (body class "wait") until the first poll answers,
 * so a page served long after its render never shows them stale. */
static const char js_phone[] =
    "var $=function(i){return document.getElementById(i)};"
    "function s(i,v,c){var e=$(i);e.textContent=v;if(c)e.className=c}"
    "function w(d){var n=Date.now(),l=d?n-Date.parse(d.as_of):0;"
    "var ok=d&&d.broker_reachable&&l<=15000;"
    "document.body.className=ok?'':'lost';if(!ok)return;"
    "var c=d.gain.charAt(0)=='-'?'dn':'up',a=d.heartbeat_age_s;"
    "s('e',d.equity_text,c);s('g',d.gain_text,c);s('t',d.tier,'t'+d.tier);"
    "s('gs',d.gain_source=='broker'?'(broker)':'(book)');"
    "s('tt',d.tier_text);s('p',d.positions);s('a',d.as_of);"
    "if(a!=null)a+=Math.round(l/1000);"
    "s('h',a==null?'never':a+'s ago',a==null||a>=120?'red':"
    "a<60?'green':'yellow')}"
    "function p(){fetch('api/v1/status',{cache:'no-store'}).then(function(r)"
    "{return r.ok?r.json():null}).then(w,function(){w(null)})}"
    "p();setInterval(p,5000);var k=0;"
    "$('f').onclick=function(){if(!k){k=1;s('f','TAP AGAIN TO FLATTEN');"
    "setTimeout(function(){k=0;s('f','FLATTEN ALL')},5000);return}"
    "k=0;s('f','FLATTEN ALL');s('o','Sending\\u2026');"
    "fetch('api/v1/flatten',{method:'POST',credentials:'same-origin',"
    "headers:{'Content-Type':'application/json'},body:JSON.stringify("
    "{confirm:'FLATTEN ALL',nonce:Date.now()+'-'+Math.random()})})"
    ".then(function(r){return r.json()}).then(function(j){"
    "s('o',j.message||j.error)},function(){s('o','Could not reach the API')"
    "})}";

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

/* The head of a page: title (escaped), its CSS and the <body> tag. */
static int
page_head(struct qgtm_buf *b, const char *title, const char *css,
    const char *body_class)
{
	int rc = 0;

	rc |= qgtm_html_raw(b, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><meta name=\"viewport\" "
	    "content=\"width=device-width,initial-scale=1\"><title>");
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
static char *
field_text(json_t *v)
{
	if (json_is_string(v))
		return qgtm_xstrdup(json_string_value(v));
	if (v == NULL || json_is_null(v))
		return qgtm_xstrdup("\u2014");
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* Append open, cls as an attribute value, "\">", text as element content
 * and close: an element with a class, open ending in class=". */
static int
classed(struct qgtm_buf *b, const char *open, const char *cls,
    const char *text, const char *close)
{
	int rc = 0;

	rc |= qgtm_html_raw(b, open);
	rc |= qgtm_html_attr(b, cls);
	rc |= qgtm_html_raw(b, "\">");
	rc |= qgtm_html_text(b, text);
	return rc | qgtm_html_raw(b, close);
}

/* One number of the phone page: <dt>label</dt><dd id class>text</dd>. */
static int
phone_number(struct qgtm_buf *b, const char *label, const char *id,
    const char *cls, json_t *v)
{
	char *text = field_text(v);
	char *open = qgtm_xasprintf("<dt>%s</dt><dd id=\"%s\" class=\"", label,
	    id);
	int rc = classed(b, open, cls, text, "</dd>");

	free(open);
	free(text);
	return rc;
}

/* A string member of obj, or "" when absent or not a string. */
static const char *
str_of(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s != NULL ? s : "";
}

int
qgtm_page_status(struct qgtm_buf *b, json_t *st)
{
	const char *gain = str_of(st, "gain");
	const char *updn = gain[0] == '-' ? "dn" : "up";
	char tcls[24], *age;
	json_t *a = json_object_get(st, "heartbeat_age_s");
	int rc = 0;

	snprintf(tcls, sizeof tcls, "t%s", str_of(st, "tier"));
	age = json_is_integer(a) ? qgtm_xasprintf("%llds ago",
	    (long long)json_integer_value(a)) : qgtm_xstrdup("never");
	rc |= page_head(b, "QGTM", css_phone, json_is_true(json_object_get(st,
	    "broker_reachable")) ? "wait" : "lost");
	rc |= qgtm_html_raw(b, "<div id=\"x\">CONNECTION LOST</div><dl>");
	rc |= phone_number(b, "Equity", "e", updn,
	    json_object_get(st, "equity_text"));
	rc |= phone_number(b, strcmp(str_of(st, "gain_source"), "broker") == 0 ?
	    "Today's Gain/Loss <small id=\"gs\">(broker)</small>" :
	    "Today's Gain/Loss <small id=\"gs\">(book)</small>", "g", updn,
	    json_object_get(st, "gain_text"));
	rc |= phone_number(b, "Safety switch", "t", tcls,
	    json_object_get(st, "tier"));
	rc |= phone_number(b, "", "tt", "", json_object_get(st, "tier_text"));
	rc |= phone_number(b, "Open positions", "p", "",
	    json_object_get(st, "positions"));
	rc |= classed(b, "<dt>Last heartbeat</dt><dd id=\"h\" class=\"",
	    str_of(st, "heartbeat_colour"), age, "</dd>");
	rc |= qgtm_html_raw(b, "</dl><button id=\"f\" type=\"button\">"
	    "FLATTEN ALL</button><p id=\"o\"></p><small>as of <span id=\"a\">");
	rc |= qgtm_html_text(b, str_of(st, "as_of"));
	rc |= qgtm_html_raw(b, "</span></small><script>");
	rc |= qgtm_html_raw(b, js_phone);
	rc |= qgtm_html_raw(b, "</script></body></html>\n");
	free(age);
	return rc ? -1 : 0;
}

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
			char *text = field_text(v);

			rc |= qgtm_html_text(b, text);
			free(text);
		}
		rc |= qgtm_html_raw(b, "</td></tr>");
	}
	return rc | qgtm_html_raw(b, "</table>");
}

/* Append open, then the attribute value a, then mid, then b. */
static int
attr_pair(struct qgtm_buf *b, const char *open, const char *a,
    const char *mid, const char *v)
{
	int rc = 0;

	rc |= qgtm_html_raw(b, open);
	rc |= qgtm_html_attr(b, a);
	rc |= qgtm_html_raw(b, mid);
	return rc | qgtm_html_attr(b, v);
}

/* One checklist row: a <details data-row="ID" data-result="RESULT"> that
 * opens in place. */
static int
ready_row(struct qgtm_buf *b, json_t *row)
{
	int rc = 0;

	rc |= attr_pair(b, "<details data-row=\"", str_of(row, "id"),
	    "\" data-result=\"", str_of(row, "result"));
	rc |= classed(b, "\"><summary><b class=\"", str_of(row, "result"),
	    str_of(row, "result"), "</b> ");
	rc |= qgtm_html_text(b, str_of(row, "title"));
	rc |= qgtm_html_raw(b, ": ");
	rc |= qgtm_html_text(b, str_of(row, "reason"));
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
		if (strcmp(str_of(row, "id"), "data_age") == 0) {
			rc |= classed(b, "<p id=\"age\" class=\"",
			    str_of(row, "result"), "Data age: ", "");
			rc |= qgtm_html_text(b, str_of(row, "reason"));
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
	rc |= qgtm_html_text(b, str_of(wa, "week"));
	rc |= qgtm_html_raw(b, "</small>");
	if (json_object_get(wa, "error") != NULL) {
		rc |= qgtm_html_raw(b, "<p class=\"FAIL\">");
		rc |= qgtm_html_text(b, str_of(wa, "error"));
		return rc | qgtm_html_raw(b, "</p></section>\n");
	}
	if (json_array_size(json_object_get(wa, "events")) == 0)
		rc |= qgtm_html_raw(b, "<p>No scheduled events.</p>");
	rc |= qgtm_html_raw(b, "<table>");
	json_array_foreach(json_object_get(wa, "events"), i, ev) {
		rc |= attr_pair(b, "<tr data-event=\"", str_of(ev, "id"),
		    "\" data-pause=\"", json_is_true(json_object_get(ev,
		    "pause")) ? "true" : "false");
		rc |= qgtm_html_raw(b, "\"><td>");
		rc |= qgtm_html_text(b, str_of(ev, "at_ny"));
		rc |= qgtm_html_raw(b, "</td><td>");
		rc |= qgtm_html_text(b, str_of(ev, "name"));
		rc |= qgtm_html_raw(b, "</td><td>");
		rc |= qgtm_html_text(b, str_of(ev, "touches"));
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

	rc |= attr_pair(b, "<details id=\"", id, "\" data-result=\"", result);
	rc |= classed(b, "\"><summary><b class=\"", result, result, "</b> ");
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
	return qgtm_xasprintf("%s %s (%lld trade%s)", str_of(s, "strategy"),
	    str_of(s, "pnl_text"), n, n == 1 ? "" : "s");
}

/* The days of a week as an object: day name -> its PnL as money. */
static json_t *
days_money(json_t *days)
{
	json_t *out = json_object(), *d;
	char text[32];
	size_t i;

	json_array_foreach(days, i, d)
		json_object_set_new(out, str_of(d, "day"), json_string(
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
	rc |= qgtm_html_text(b, str_of(lw, "week"));
	rc |= qgtm_html_raw(b, "</small>\n");
	if (json_object_get(lw, "error") != NULL) {
		rc |= qgtm_html_raw(b, "<p class=\"FAIL\">");
		rc |= qgtm_html_text(b, str_of(lw, "error"));
		return rc | qgtm_html_raw(b, "</p></section>\n");
	}
	t[0] = qgtm_xasprintf("%s (sum of the %s's daily PnL)",
	    str_of(lw, "pnl_text"), str_of(lw, "pnl_basis"));
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
	rc |= last_week_row(b, "lw-dd", str_of(lw, "drawdown_result"),
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

	rc |= page_head(b, "QGTM readiness", css_ready, "");
	rc |= qgtm_html_raw(b, "<nav><a id=\"docs\" href=\"docs/index.html\">"
	    "Docs</a> <button id=\"d\" type=\"button\">dark/light</button>"
	    "</nav>");
	rc |= classed(b, "<h1>Readiness: <span class=\"", str_of(rd, "result"),
	    str_of(rd, "result"), "</span></h1><small>as of ");
	rc |= qgtm_html_text(b, str_of(rd, "as_of"));
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
