/*
 * page_phone.c: the phone page of qgtm-status render (qgtm_page_status),
 * drawn from the model of status.c with the shared head of page.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

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

/* One number of the phone page: <dt>label</dt><dd id class>text</dd>. */
static int
phone_number(struct qgtm_buf *b, const char *label, const char *id,
    const char *cls, json_t *v)
{
	char *text = qgtm_page_field_text(v);
	char *open = qgtm_xasprintf("<dt>%s</dt><dd id=\"%s\" class=\"", label,
	    id);
	int rc = qgtm_page_classed(b, open, cls, text, "</dd>");

	free(open);
	free(text);
	return rc;
}

int
qgtm_page_status(struct qgtm_buf *b, json_t *st)
{
	const char *gain = qgtm_page_str(st, "gain");
	const char *updn = gain[0] == '-' ? "dn" : "up";
	char tcls[24], *age;
	json_t *a = json_object_get(st, "heartbeat_age_s");
	int rc = 0;

	snprintf(tcls, sizeof tcls, "t%s", qgtm_page_str(st, "tier"));
	age = json_is_integer(a) ? qgtm_xasprintf("%llds ago",
	    (long long)json_integer_value(a)) : qgtm_xstrdup("never");
	rc |= qgtm_page_head(b, "QGTM", css_phone, json_is_true(json_object_get(st,
	    "broker_reachable")) ? "wait" : "lost");
	rc |= qgtm_html_raw(b, "<div id=\"x\">CONNECTION LOST</div><dl>");
	rc |= phone_number(b, "Equity", "e", updn,
	    json_object_get(st, "equity_text"));
	rc |= phone_number(b, strcmp(qgtm_page_str(st, "gain_source"), "broker") == 0 ?
	    "Today's Gain/Loss <small id=\"gs\">(broker)</small>" :
	    "Today's Gain/Loss <small id=\"gs\">(book)</small>", "g", updn,
	    json_object_get(st, "gain_text"));
	rc |= phone_number(b, "Safety switch", "t", tcls,
	    json_object_get(st, "tier"));
	rc |= phone_number(b, "", "tt", "", json_object_get(st, "tier_text"));
	rc |= phone_number(b, "Open positions", "p", "",
	    json_object_get(st, "positions"));
	rc |= qgtm_page_classed(b, "<dt>Last heartbeat</dt><dd id=\"h\" class=\"",
	    qgtm_page_str(st, "heartbeat_colour"), age, "</dd>");
	rc |= qgtm_html_raw(b, "</dl><button id=\"f\" type=\"button\">"
	    "FLATTEN ALL</button><p id=\"o\"></p><small>as of <span id=\"a\">");
	rc |= qgtm_html_text(b, qgtm_page_str(st, "as_of"));
	rc |= qgtm_html_raw(b, "</span></small><script>");
	rc |= qgtm_html_raw(b, js_phone);
	rc |= qgtm_html_raw(b, "</script></body></html>\n");
	free(age);
	return rc ? -1 : 0;
}

