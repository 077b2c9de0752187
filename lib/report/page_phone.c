/*
 * page_phone.c: the phone page of qgtm-status render (qgtm_page_status),
 * drawn from the model of status.c with the shared head of page.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

/* The phone page's own layout: the verdict, five numbers, no scrolling at
 * 360x640. */
static const char css_phone[] =
    "h1{font-size:22px;margin:0 0 4px}"
    "dl{margin:0}dt{font-size:13px;color:var(--mu);margin-top:8px}"
    "dd{margin:0;font-size:28px;font-weight:700}"
    "#tt{font-size:14px;font-weight:400}#h{font-size:18px}"
    ".c{font-size:16px}"
    ".tNORMAL{color:var(--ok)}.tWARN{color:var(--wa)}"
    ".tTHROTTLE{color:var(--or)}.tNO_NEW{color:var(--ba)}"
    "#t.tFLATTEN{color:#fff;background:#000;padding:0 6px}"
    "#x{display:none;color:var(--ba);font-size:32px;"
    "text-align:center;margin:96px 0}"
    ".lost #x{display:block}.lost dl,.lost #v{display:none}"
    ".wait dl,.wait #v{visibility:hidden}"
    "#f{width:100%;margin-top:16px;padding:14px;font-size:20px;"
    "font-weight:700;color:#fff;background:#c0392b;border:0;"
    "border-radius:8px}#fd button{font-size:18px;padding:10px 18px;"
    "margin:8px 8px 0 0}#fy{color:#fff;background:#c0392b;border:0}";

/* Poll the API's status every 5 s (computed per request, so the heartbeat
 * ages on the page when the daemon, which renders, is dead); CONNECTION
 * LOST when it cannot be fetched, is over 15 s old or the broker is
 * unreachable. The inline numbers show at once only when the inline
 * status (the as_of of #a's data-t) is at most 15 s old by this browser's
 * clock; else they are hidden (body class "wait") until the first poll
 * answers, so a page served long after its render never shows them
 * stale. FLATTEN ALL opens the dialog #fd; Cancel closes it and sends
 * nothing; Confirm POSTs the flatten and shows the API's verified answer
 * (or its error) in #o. */
static const char js_phone[] =
    "var $=function(i){return document.getElementById(i)},B=document.body,"
    "N=parseInt($('p').textContent,10);"
    "function s(i,v,c){var e=$(i);e.textContent=v;if(c!=null)e.className=c}"
    "function w(d){var n=Date.now(),l=d?n-Date.parse(d.as_of):0;"
    "var ok=d&&d.broker_reachable&&l<=15000;"
    "B.className=ok?'':'lost';if(!ok)return;"
    "var c=d.gain.charAt(0)=='-'?'dn':'up',a=d.heartbeat_age_s,"
    "t='t'+d.tier;N=d.positions;"
    "s('v',d.verdict,d.verdict_ok?'green':'red');"
    "$('v').setAttribute('data-ok',d.verdict_ok?'1':'0');"
    "s('e',d.equity_text,c);s('g',d.gain_text,c);s('t',d.tier,t);"
    "s('tm',d.tier_meaning,t);"
    "s('gs',d.gain_source=='broker'?'(broker)':'(book)');"
    "s('tt',d.tier_text);s('p',d.positions);s('a',d.as_of_text);"
    "if(a!=null)a+=Math.round(l/1000);"
    "s('h',a==null?'System has never checked in':'System checked in '+"
    "(a<120?a+' s':Math.floor(a/60)+' min')+' ago',a==null||a>=120?'red':"
    "a<60?'green':'yellow')}"
    "if(B.className!='lost')B.className=Math.abs(Date.now()-Date.parse("
    "$('a').getAttribute('data-t')))<=15000?'':'wait';"
    "function p(){fetch('api/v1/status',{cache:'no-store',"
    "credentials:'same-origin'}).then(function(r)"
    "{return r.ok?r.json():null}).then(w,function(){w(null)})}"
    "p();setInterval(p,5000);"
    "$('f').onclick=function(){s('fq',(isNaN(N)?'Sell all positions':"
    "N==1?'Sell the 1 position':'Sell all '+N+' positions')+"
    "' and stop new trading?');$('fd').showModal()};"
    "$('fc').onclick=function(){$('fd').close()};"
    "$('fy').onclick=function(){$('fd').close();$('f').disabled=true;"
    "s('o','Selling everything\\u2026','');"
    "fetch('api/v1/flatten',{method:'POST',credentials:'same-origin',"
    "headers:{'Content-Type':'application/json'},body:JSON.stringify("
    "{confirm:'FLATTEN ALL',nonce:Date.now()+'-'+Math.random()})})"
    ".then(function(r){return r.json()}).then(function(j){"
    "s('o',j.message||j.error,j.ok?'green':'red')},function(){"
    "s('o','Could not reach the API','red')}).then(function(){"
    "$('f').disabled=false;p()})}";

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

/* The safety switch: its meaning, its code beside it, its sentence. */
static int
phone_tier(struct qgtm_buf *b, json_t *st)
{
	const char *tier = qgtm_page_str(st, "tier");
	char *cls = qgtm_xasprintf("t%s", tier);
	int rc = 0;

	rc |= qgtm_page_classed(b, "<dt>Safety switch</dt><dd>"
	    "<span id=\"tm\" class=\"", cls, qgtm_page_str(st, "tier_meaning"),
	    "</span> <span class=\"c\">(");
	rc |= qgtm_page_classed(b, "<span id=\"t\" class=\"", cls, tier,
	    "</span>)</span><div id=\"tt\">");
	rc |= qgtm_html_text(b, qgtm_page_str(st, "tier_text"));
	rc |= qgtm_html_raw(b, "</div></dd>");
	free(cls);
	return rc;
}

int
qgtm_page_status(struct qgtm_buf *b, json_t *st, int fresh)
{
	const char *gain = qgtm_page_str(st, "gain");
	const char *updn = gain[0] == '-' ? "dn" : "up";
	int reachable = json_is_true(json_object_get(st, "broker_reachable"));
	int ok = json_is_true(json_object_get(st, "verdict_ok"));
	int rc = 0;

	rc |= qgtm_page_head(b, "QGTM", css_phone, !reachable ? "lost" :
	    fresh ? "" : "wait");
	rc |= qgtm_html_raw(b, "<main><h1><span id=\"x\">CONNECTION LOST"
	    "</span>");
	rc |= qgtm_page_attr_pair(b, "<span id=\"v\" data-ok=\"", ok ? "1" :
	    "0", "\" class=\"", ok ? "green" : "red");
	rc |= qgtm_html_raw(b, "\">");
	rc |= qgtm_html_text(b, qgtm_page_str(st, "verdict"));
	rc |= qgtm_html_raw(b, "</span></h1><dl>");
	rc |= phone_number(b, "Account value", "e", updn,
	    json_object_get(st, "equity_text"));
	rc |= phone_number(b, strcmp(qgtm_page_str(st, "gain_source"),
	    "broker") == 0 ?
	    "Today's gain or loss <small id=\"gs\">(broker)</small>" :
	    "Today's gain or loss <small id=\"gs\">(book)</small>", "g", updn,
	    json_object_get(st, "gain_text"));
	rc |= phone_tier(b, st);
	rc |= phone_number(b, "Open positions", "p", "",
	    json_object_get(st, "positions"));
	rc |= phone_number(b, "Last check-in", "h",
	    qgtm_page_str(st, "heartbeat_colour"),
	    json_object_get(st, "heartbeat_text"));
	rc |= qgtm_html_raw(b, "</dl><button id=\"f\" type=\"button\">"
	    "FLATTEN ALL</button><p id=\"o\" role=\"status\"></p>"
	    "<dialog id=\"fd\" aria-labelledby=\"fq\"><p id=\"fq\">"
	    "Sell all positions and stop new trading?</p>"
	    "<button id=\"fc\" type=\"button\">Cancel</button>"
	    "<button id=\"fy\" type=\"button\">Confirm</button></dialog>"
	    "<small>as of ");
	rc |= qgtm_page_attr_pair(b, "<span id=\"a\" data-t=\"",
	    qgtm_page_str(st, "as_of"), "\">", "");
	rc |= qgtm_html_text(b, qgtm_page_str(st, "as_of_text"));
	rc |= qgtm_html_raw(b, "</span></small></main><script>");
	rc |= qgtm_html_raw(b, js_phone);
	rc |= qgtm_html_raw(b, "</script></body></html>\n");
	return rc ? -1 : 0;
}
