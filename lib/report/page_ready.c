/*
 * page_ready.c: the readiness page of qgtm-status render
 * (qgtm_page_readiness), drawn from the model of readiness.c and weeks.c
 * with the shared head of page.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

/*
 * The readiness page's script: the checklist polled from api/v1/readiness
 * every 20 s and redrawn as page_ready.c draws it (text only, through
 * textContent, never markup); STALE in red in the headline, and on every
 * row's badge, when the newest data's heartbeat is 120 s old or the
 * newest data is 180 s old by the browser's clock (the page says so), so
 * a page served long after its render starts STALE before any poll
 * answers; the dark mode toggle, remembered in localStorage.
 */
static const char js_ready[] =
    "var $=function(i){return document.getElementById(i)},M=$('m'),K={}"
    ";function E(t,c,x){var e=document.createElement(t);if(c)e.className=c;"
    "if(x!=null)e.textContent=x;return e}function ago(s){s=Math.max(0,Math.fl"
    "oor(s));return s<120?s+' s':s<7200?Math.floor(s/60)+' min':s<172800?Math"
    ".floor(s/3600)+' h':Math.floor(s/86400)+' days'}function tab(f){var t=E("
    "'table');if(!f.length){f=[{label:'Figures',value:'none yet'}"
    "]}f.forEach(function(x){var r=E('tr'),h=E('th',0,x.label),d=E('td');"
    "h.scope='row';if(x.figures)d.appendChild(tab(x.figures));else d.textCont"
    "ent=x.value;r.appendChild(h);r.appendChild(d);t.appendChild(r)}"
    ");return t}function row(w,o){var d=E('details'),s=E('summary');"
    "d.dataset.row=w.id;d.dataset.result=w.result;d.open=!!o[w.id];"
    "s.appendChild(E('b',w.result,w.result));s.appendChild(document.createTex"
    "tNode(' '+w.title+': '+w.reason));d.appendChild(s);d.appendChild(tab(w.f"
    "igures||[]));return d}function draw(j){var c=$('checklist'),o={}"
    ",a=$('age');c.querySelectorAll('details[open]').forEach(function(d){o[d."
    "dataset.row]=1});c.replaceChildren.apply(c,j.rows.map(function(w){return"
    " row(w,o)}));$('v').dataset.result=j.result;$('asof').textContent='as of"
    " '+j.as_of_text;j.rows.forEach(function(w){if(w.id=='data_age'&&a){a.cla"
    "ssName=w.result;a.textContent='Data age: '+w.reason}});known(j)}"
    "function known(j){var h=null;K.at=Date.parse(j.as_of);j.rows.forEach(fun"
    "ction(w){if(w.id=='heartbeat'&&w.details&&w.details.age_s!=null)h=w.deta"
    "ils.age_s});K.hb=h;check()}function check(){var p=(Date.now()-K.at)/1000"
    ",h=K.hb==null?null:K.hb+p,v=$('v'),m=h!=null&&h>=120?'system last checke"
    "d in '+ago(h)+' ago':p>=180?'this page was last refreshed '+ago(p)+' ago"
    "':'';M.className=m?'stale':'';v.className=m?'FAIL':v.dataset.result;"
    "v.textContent=m?'STALE: '+m:v.dataset.result;document.querySelectorAll('"
    "details').forEach(function(d){var b=d.querySelector('summary b');"
    "b.className=m?'FAIL':d.dataset.result;b.textContent=m?'STALE':d.dataset."
    "result})}function poll(){fetch('api/v1/readiness',{credentials:'same-ori"
    "gin',cache:'no-store'}).then(function(r){return r.ok?r.json():null}"
    ").then(function(j){if(j&&j.rows)draw(j);M.dataset.polled=Date.now()}"
    ",function(){M.dataset.polled=Date.now()})}K.at=Date.parse(M.dataset.asOf"
    ");K.hb=M.dataset.hb?+M.dataset.hb:null;check();poll();setInterval(poll,2"
    "0000);setInterval(check,5000);var r=document.documentElement,md=localSto"
    "rage.getItem('qgtm-mode');if(md)r.className=md;$('d').onclick=function()"
    "{md=r.className=='dark'||(!r.className&&matchMedia('(prefers-color-schem"
    "e:dark)').matches)?'light':'dark';r.className=md;localStorage.setItem('q"
    "gtm-mode',md)}";

/* The readiness page's own layout. */
static const char css_ready[] =
    "summary{padding:6px 0;cursor:pointer}b{display:inline-block;"
    "width:3.5em}table{border-collapse:collapse;margin:4px 0 8px 3.5em}"
    "td,th{padding:2px 8px;border-bottom:1px solid var(--mu);"
    "font-size:14px;vertical-align:top;text-align:left}"
    "td{overflow-wrap:break-word}th{font-weight:600}"
    "nav{float:right}svg{max-width:100%;height:auto}.INFO{color:var(--mu)}"
    "svg text{fill:var(--fg)}h2{font-size:18px;margin:16px 0 4px}";

/* The figures behind a row (qgtm_figures_words) as a table of a row
 * header and a value each, a group as a table in its cell; the same
 * markup as the script's tab(). */
static int
ready_figures(struct qgtm_buf *b, json_t *fig)
{
	json_t *f;
	size_t i;
	int rc = 0;

	rc |= qgtm_html_raw(b, "<table>");
	if (json_array_size(fig) == 0)
		rc |= qgtm_html_raw(b, "<tr><th scope=\"row\">Figures</th>"
		    "<td>none yet</td></tr>");
	json_array_foreach(fig, i, f) {
		rc |= qgtm_html_raw(b, "<tr><th scope=\"row\">");
		rc |= qgtm_html_text(b, qgtm_page_str(f, "label"));
		rc |= qgtm_html_raw(b, "</th><td>");
		if (json_is_array(json_object_get(f, "figures")))
			rc |= ready_figures(b, json_object_get(f, "figures"));
		else
			rc |= qgtm_html_text(b, qgtm_page_str(f, "value"));
		rc |= qgtm_html_raw(b, "</td></tr>");
	}
	return rc | qgtm_html_raw(b, "</table>");
}

/* The figures of det (borrowed) in words, as ready_figures draws them. */
static int
ready_details(struct qgtm_buf *b, json_t *det)
{
	json_t *fig = qgtm_figures_words(det);
	int rc = ready_figures(b, fig);

	json_decref(fig);
	return rc;
}

/* Open a row: <details ATTR="id" data-result="result"><summary> with the
 * result's badge and "title: text". */
static int
row_open(struct qgtm_buf *b, const char *attr, const char *id,
    const char *result, const char *title, const char *text)
{
	char *open = qgtm_xasprintf("<details %s=\"", attr);
	int rc = 0;

	rc |= qgtm_page_attr_pair(b, open, id, "\" data-result=\"", result);
	rc |= qgtm_page_classed(b, "\"><summary><b class=\"", result, result,
	    "</b> ");
	rc |= qgtm_html_text(b, title);
	rc |= qgtm_html_raw(b, ": ");
	rc |= qgtm_html_text(b, text);
	free(open);
	return rc | qgtm_html_raw(b, "</summary>");
}

/* One checklist row: a <details data-row="ID" data-result="RESULT"> that
 * opens in place on its figures. */
static int
ready_row(struct qgtm_buf *b, json_t *row)
{
	int rc;

	rc = row_open(b, "data-row", qgtm_page_str(row, "id"),
	    qgtm_page_str(row, "result"), qgtm_page_str(row, "title"),
	    qgtm_page_str(row, "reason"));
	rc |= ready_figures(b, json_object_get(row, "figures"));
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
	else
		rc |= qgtm_html_raw(b, "<table><tr><th scope=\"col\">When"
		    "</th><th scope=\"col\">Event</th><th scope=\"col\">"
		    "Touches</th></tr>");
	json_array_foreach(json_object_get(wa, "events"), i, ev) {
		rc |= qgtm_page_attr_pair(b, "<tr data-event=\"",
		    qgtm_page_str(ev, "id"), "\" data-pause=\"",
		    json_is_true(json_object_get(ev, "pause")) ? "true" :
		    "false");
		rc |= qgtm_html_raw(b, "\"><td>");
		rc |= qgtm_html_text(b, qgtm_page_str(ev, "at_text"));
		rc |= qgtm_html_raw(b, "</td><td>");
		rc |= qgtm_html_text(b, qgtm_page_str(ev, "name"));
		rc |= qgtm_html_raw(b, "</td><td>");
		rc |= qgtm_html_text(b, qgtm_page_str(ev, "touches"));
		rc |= qgtm_html_raw(b, json_is_true(json_object_get(ev,
		    "pause")) ? " (trading pauses)</td></tr>" : "</td></tr>");
	}
	if (json_array_size(json_object_get(wa, "events")) > 0)
		rc |= qgtm_html_raw(b, "</table>");
	return rc | qgtm_html_raw(b, "</section>\n");
}

/* One figure of last week: a <details id> row that opens in place on
 * the figures behind it (borrowed, may be NULL); result is PASS, WARN or
 * FAIL for a figure with a limit, INFO for one without. */
static int
last_week_row(struct qgtm_buf *b, const char *id, const char *result,
    const char *title, const char *text, json_t *det)
{
	int rc = row_open(b, "id", id, result, title, text);

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
		return qgtm_xstrdup("no strategy traded or held");
	return qgtm_xasprintf("%s %s (%lld trade%s)", qgtm_page_str(s,
	    "strategy"), qgtm_page_str(s, "pnl_text"), n, n == 1 ? "" : "s");
}

/* The figures of a best or worst strategy s (borrowed): its name, PnL
 * and trades, as a new object. */
static json_t *
strategy_figures(json_t *s)
{
	if (!json_is_object(s))
		return json_object();
	return json_pack("{s:O, s:O, s:O}", "strategy", json_object_get(s,
	    "strategy"), "pnl_cents", json_object_get(s, "pnl_cents"),
	    "trades", json_object_get(s, "trades"));
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
	json_t *rej = json_object_get(lw, "rejected_by_risk"), *det[3];
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
	t[0] = qgtm_xasprintf("%s (%s), the sum of the %s's daily PnL",
	    qgtm_page_str(lw, "pnl_text"), qgtm_page_str(lw, "pnl_pct_text"),
	    qgtm_page_str(lw, "pnl_basis"));
	t[1] = json_is_integer(rej) ? qgtm_xasprintf("%lld filled, %lld "
	    "rejected by risk", (long long)json_integer_value(json_object_get(
	    lw, "fills")), (long long)json_integer_value(rej)) :
	    qgtm_xasprintf("%lld filled, rejected by risk unknown (audit "
	    "chain not intact)", (long long)json_integer_value(
	    json_object_get(lw, "fills")));
	t[2] = qgtm_xasprintf("%.2f%% (limit %.2f%%)", dd * 100, lim * 100);
	t[3] = strategy_text(json_object_get(lw, "best"));
	t[4] = json_is_object(json_object_get(lw, "best")) &&
	    !json_is_object(json_object_get(lw, "worst")) ?
	    qgtm_xstrdup("only one strategy traded or held") :
	    strategy_text(json_object_get(lw, "worst"));
	det[0] = days_money(json_object_get(lw, "days"));
	det[1] = strategy_figures(json_object_get(lw, "best"));
	det[2] = strategy_figures(json_object_get(lw, "worst"));
	rc |= last_week_row(b, "lw-pnl", "INFO", "Weekly PnL", t[0], det[0]);
	rc |= last_week_row(b, "lw-trades", json_is_integer(rej) ? "PASS" :
	    "WARN", "Trades executed", t[1], NULL);
	rc |= last_week_row(b, "lw-dd", qgtm_page_str(lw, "drawdown_result"),
	    "Max drawdown", t[2], NULL);
	rc |= last_week_row(b, "lw-best", "INFO", "Best strategy", t[3],
	    det[1]);
	rc |= last_week_row(b, "lw-worst", "INFO", "Worst strategy", t[4],
	    det[2]);
	for (i = 0; i < 5; i++)
		free(t[i]);
	for (i = 0; i < 3; i++)
		json_decref(det[i]);
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

/* The heartbeat's age at the model's as_of, as text ("" when none). */
static char *
heartbeat_age(json_t *rows, char out[32])
{
	json_t *row, *age;
	size_t i;

	out[0] = '\0';
	json_array_foreach(rows, i, row) {
		age = json_object_get(json_object_get(row, "details"),
		    "age_s");
		if (strcmp(qgtm_page_str(row, "id"), "heartbeat") == 0 &&
		    json_is_integer(age))
			snprintf(out, 32, "%lld",
			    (long long)json_integer_value(age));
	}
	return out;
}

int
qgtm_page_readiness(struct qgtm_buf *b, json_t *rd)
{
	json_t *row, *rows = json_object_get(rd, "rows");
	const char *res = qgtm_page_str(rd, "result");
	char hb[32];
	size_t i;
	int rc = 0;

	rc |= qgtm_page_head(b, "QGTM readiness", css_ready, "");
	rc |= qgtm_page_attr_pair(b, "<main id=\"m\" data-as-of=\"",
	    qgtm_page_str(rd, "as_of"), "\" data-hb=\"",
	    heartbeat_age(rows, hb));
	rc |= qgtm_html_raw(b, "\"><nav><a id=\"docs\" "
	    "href=\"docs/index.html\">Docs</a> <button id=\"d\" "
	    "type=\"button\">dark/light</button></nav>");
	rc |= qgtm_page_attr_pair(b, "<h1>Readiness: <span id=\"v\" "
	    "data-result=\"", res, "\" class=\"", res);
	rc |= qgtm_html_raw(b, "\">");
	rc |= qgtm_html_text(b, res);
	rc |= qgtm_html_raw(b, "</span></h1><p><small id=\"asof\">as of ");
	rc |= qgtm_html_text(b, qgtm_page_str(rd, "as_of_text"));
	rc |= qgtm_html_raw(b, "</small><br><small id=\"lim\">Goes STALE "
	    "when the system has not checked in for 2 minutes or this page "
	    "cannot be refreshed for 3.</small></p>\n");
	rc |= ready_age(b, rows);
	rc |= qgtm_html_raw(b, "<section id=\"checklist\">\n");
	json_array_foreach(rows, i, row)
		rc |= ready_row(b, row);
	rc |= qgtm_html_raw(b, "</section>\n");
	rc |= ready_week_ahead(b, json_object_get(rd, "week_ahead"));
	rc |= ready_last_week(b, json_object_get(rd, "last_week"));
	rc |= ready_chart(b, json_object_get(rd, "equity_curve"));
	rc |= qgtm_html_raw(b, "<script>");
	rc |= qgtm_html_raw(b, js_ready);
	rc |= qgtm_html_raw(b, "</script></main></body></html>\n");
	return rc ? -1 : 0;
}
