/*
 * page.c: the two operator pages of qgtm-status render, drawn from the
 * models of report.c (STYLE.md section 11: one self-contained file, one
 * inline <style>, a little inline JS, every model string escaped through
 * html.c). The CSS and JS live here as C string literals, not in share/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qgtm.h"

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
    "#f{width:100%;margin-top:16px;padding:14px;font-size:20px;"
    "font-weight:700;color:#fff;background:#c0392b;border:0;"
    "border-radius:8px}";

/* Poll status.json every 5 s; CONNECTION LOST when it cannot be fetched,
 * is over 15 s old or the broker is unreachable; FLATTEN ALL on a second
 * tap within 5 s. */
static const char js_phone[] =
    "var $=function(i){return document.getElementById(i)};"
    "function s(i,v,c){var e=$(i);e.textContent=v;if(c)e.className=c}"
    "function w(d){var n=Date.now(),l=d?n-Date.parse(d.as_of):0;"
    "var ok=d&&d.broker_reachable&&l<=15000;"
    "document.body.className=ok?'':'lost';if(!ok)return;"
    "var c=d.gain.charAt(0)=='-'?'dn':'up',a=d.heartbeat_age_s;"
    "s('e',d.equity_text,c);s('g',d.gain_text,c);s('t',d.tier,'t'+d.tier);"
    "s('tt',d.tier_text);s('p',d.positions);"
    "if(a!=null)a+=Math.round(l/1000);"
    "s('h',a==null?'never':a+'s ago',a==null||a>=120?'red':"
    "a<60?'green':'yellow')}"
    "function p(){fetch('status.json',{cache:'no-store'}).then(function(r)"
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
    "#d{float:right}";

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
	    "broker_reachable")) ? "" : "lost");
	rc |= qgtm_html_raw(b, "<div id=\"x\">CONNECTION LOST</div><dl>");
	rc |= phone_number(b, "Equity", "e", updn,
	    json_object_get(st, "equity_text"));
	rc |= phone_number(b, "Today's Gain/Loss", "g", updn,
	    json_object_get(st, "gain_text"));
	rc |= phone_number(b, "Safety switch", "t", tcls,
	    json_object_get(st, "tier"));
	rc |= phone_number(b, "", "tt", "", json_object_get(st, "tier_text"));
	rc |= phone_number(b, "Open positions", "p", "",
	    json_object_get(st, "positions"));
	rc |= classed(b, "<dt>Last heartbeat</dt><dd id=\"h\" class=\"",
	    str_of(st, "heartbeat_colour"), age, "</dd>");
	rc |= qgtm_html_raw(b, "</dl><button id=\"f\" type=\"button\">"
	    "FLATTEN ALL</button><p id=\"o\"></p><small>as of ");
	rc |= qgtm_html_text(b, str_of(st, "as_of"));
	rc |= qgtm_html_raw(b, "</small><script>");
	rc |= qgtm_html_raw(b, js_phone);
	rc |= qgtm_html_raw(b, "</script></body></html>\n");
	free(age);
	return rc ? -1 : 0;
}

/* The figures behind a row, as a two-column table. */
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
		char *text = field_text(v);

		rc |= qgtm_html_raw(b, "<tr><td>");
		rc |= qgtm_html_text(b, key);
		rc |= qgtm_html_raw(b, "</td><td>");
		rc |= qgtm_html_text(b, text);
		rc |= qgtm_html_raw(b, "</td></tr>");
		free(text);
	}
	return rc | qgtm_html_raw(b, "</table>");
}

/* One checklist row: a <details> that opens in place. */
static int
ready_row(struct qgtm_buf *b, json_t *row)
{
	int rc = 0;

	rc |= classed(b, "<details><summary><b class=\"", str_of(row,
	    "result"), str_of(row, "result"), "</b> ");
	rc |= qgtm_html_text(b, str_of(row, "title"));
	rc |= qgtm_html_raw(b, ": ");
	rc |= qgtm_html_text(b, str_of(row, "reason"));
	rc |= qgtm_html_raw(b, "</summary>");
	rc |= ready_details(b, json_object_get(row, "details"));
	return rc | qgtm_html_raw(b, "</details>\n");
}

int
qgtm_page_readiness(struct qgtm_buf *b, json_t *rd)
{
	json_t *row;
	size_t i;
	int rc = 0;

	rc |= page_head(b, "QGTM readiness", css_ready, "");
	rc |= qgtm_html_raw(b, "<button id=\"d\" type=\"button\">dark/light"
	    "</button>");
	rc |= classed(b, "<h1>Readiness: <span class=\"", str_of(rd, "result"),
	    str_of(rd, "result"), "</span></h1><small>as of ");
	rc |= qgtm_html_text(b, str_of(rd, "as_of"));
	rc |= qgtm_html_raw(b, "</small>\n");
	json_array_foreach(json_object_get(rd, "rows"), i, row)
		rc |= ready_row(b, row);
	rc |= qgtm_html_raw(b, "<script>");
	rc |= qgtm_html_raw(b, js_ready);
	rc |= qgtm_html_raw(b, "</script></body></html>\n");
	return rc ? -1 : 0;
}
