#!/usr/bin/env python3
"""Stand-in for the six data providers of qgtm-fetch, on loopback only.

Serves the real request and response shapes of FRED/ALFRED, Alpaca Market
Data v2, CFTC Socrata, LBMA JSON, EIA API v2 and the OpenBB Platform REST
API (see ../../../shared/reference/apis.md) over a small fixed data set
of March 2026, with their paging (and, for a CFTC backfill asking from
before 2023, every weekly report since 2023-01-03). Every request is
logged, secrets replaced by <secret> (a Socrata X-App-Token followed by
a cut SHA-256 of it), so tests can pin what the client asked for. FRED
refuses a real-time period of more than 2,000 vintage dates, as FRED
does; DEXUSEU is a daily series with values since 2010.

usage: feeds.py portfile logfile [faultfile [latency_ms]]

The fault file is read on every request; each line is "source fault [n]":
the fault hits request n (from 1) of that source, or all of them.
Faults: 429 (with Retry-After: 1; Alpaca's with X-RateLimit-Reset), 500, timeout (5 s of silence),
truncated (Content-Length longer than the body), badjson (a cut body),
html (an HTML error page with status 200), badvalue (a non-number).
"""
import base64
import datetime as dt
import hashlib
import json
import os
import re
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TODAY = dt.date(2026, 3, 16)
DAYS = [dt.date(2026, 3, 2) + dt.timedelta(d) for d in range(12)]
WEEKDAYS = [d for d in DAYS if d.weekday() < 5]
SECRET_PARAMS = {"api_key", "$$app_token"}
SECRET_HEADERS = ["APCA-API-KEY-ID", "APCA-API-SECRET-KEY", "X-App-Token"]
ALPACA_PAGE = 7
EIA_PAGE = 1

counts = {}
seen_faults = ""
lock = threading.Lock()


def next_weekday(d):
    d += dt.timedelta(1)
    while d.weekday() >= 5:
        d += dt.timedelta(1)
    return d


# A daily series with a long history, for a first fetch over years: a
# value each weekday from 2010-01-04, first published the next weekday.
LONG_SERIES = "DEXUSEU"
LONG_START = dt.date(2010, 1, 4)
# FRED refuses a real-time period holding more than 2,000 vintage dates
# (https://fred.stlouisfed.org/docs/api/fred/series_observations.html);
# the wording of the refusal here is the stand-in's own.
FRED_MAX_VINTAGES = 2000


def long_rows():
    rows, d, i = [], LONG_START, 0
    while d < TODAY:
        if d.weekday() < 5:
            rows.append([next_weekday(d), dt.date(9999, 12, 31), d,
                         "%.4f" % (1.1 + (i % 97) / 1000)])
            i += 1
        d += dt.timedelta(1)
    return [r for r in rows if r[0] <= TODAY]


def fred_rows(series):
    """Every vintage period of every observation, as ALFRED has them."""
    if series == LONG_SERIES:
        return long_rows()
    rows = []
    for i, d in enumerate(WEEKDAYS):
        value = "." if d == dt.date(2026, 3, 9) else "%.2f" % (1.5 + i / 100)
        start = next_weekday(d)
        if series == "DGS10" and d == dt.date(2026, 3, 3):
            rows.append([start, dt.date(2026, 3, 9), d, value])
            value, start = "%.2f" % (1.55 + i / 100), dt.date(2026, 3, 10)
        rows.append([start, dt.date(9999, 12, 31), d, value])
    return [r for r in rows if r[0] <= TODAY]


def fred(q):
    if "api_key" not in q:
        return 400, {"error_code": 400, "error_message":
                     "Bad Request.  Variable api_key is not set."}
    rt = dt.date.fromisoformat(q.get("realtime_start", str(TODAY)))
    rt_end = dt.date.fromisoformat(q.get("realtime_end", str(TODAY)))
    o0 = dt.date.fromisoformat(q.get("observation_start", "1776-07-04"))
    rows = fred_rows(q.get("series_id", ""))
    vintages = {r[0] for r in rows if rt <= r[0] <= rt_end}
    if len(vintages) > FRED_MAX_VINTAGES:
        return 400, {"error_code": 400, "error_message":
                     "Bad Request.  The real-time period holds %d vintage "
                     "dates, more than the %d allowed." %
                     (len(vintages), FRED_MAX_VINTAGES)}
    obs = []
    for start, end, d, value in rows:
        if d >= o0 and end >= rt and start <= rt_end:
            obs.append({"realtime_start": str(max(start, rt)),
                        "realtime_end": str(min(end, rt_end)),
                        "date": str(d), "value": value})
    off, lim = int(q.get("offset", 0)), int(q.get("limit", 100000))
    return 200, {"realtime_start": str(rt), "realtime_end": str(rt_end),
                 "observation_start": str(o0),
                 "observation_end": "9999-12-31", "units": "lin",
                 "output_type": 1, "file_type": "json",
                 "order_by": "observation_date", "sort_order": "asc",
                 "count": len(obs), "offset": off, "limit": lim,
                 "observations": obs[off:off + lim]}


# Scheduled release dates of FRED releases (CPI = 10, Employment
# Situation = 50), as fred/release/dates lists them with
# include_release_dates_with_no_data=true: a fixed set for the tests.
RELEASE_DATES = {10: ["2026-02-11", "2026-03-11", "2026-04-10"],
                 50: ["2026-03-06", "2026-04-03"]}


def fred_release_dates(q):
    if "api_key" not in q:
        return 400, {"error_code": 400, "error_message":
                     "Bad Request.  Variable api_key is not set."}
    rid = int(q.get("release_id", 0))
    rt = q.get("realtime_start", str(TODAY))
    future = q.get("include_release_dates_with_no_data") == "true"
    dates = [d for d in RELEASE_DATES.get(rid, [])
             if d >= rt and (future or d <= str(TODAY))]
    return 200, {"realtime_start": rt, "realtime_end": "9999-12-31",
                 "order_by": "release_date", "sort_order": "asc",
                 "count": len(dates), "offset": 0, "limit": 10000,
                 "release_dates": [{"release_id": rid, "date": d}
                                   for d in dates]}


def bar(d, i, k):
    utc_midnight_ny = 5 if d < dt.date(2026, 3, 8) else 4
    c = 200 + 10 * k + i
    return {"t": "%sT%02d:00:00Z" % (d, utc_midnight_ny), "o": c - 0.5,
            "h": c + 1.25, "l": c - 1, "c": c, "v": 1000000 + i, "n": 5000,
            "vw": c + 0.1}


def hourly(daily, h):
    """Hour h (0-6) of a session: bars start at 14:30Z, 15:30Z, ..."""
    b = dict(daily)
    b["t"] = "%sT%02d:30:00Z" % (daily["t"][:10], 14 + h)
    b["c"] = daily["c"] + h / 8
    return b


# The stand-in's "now" for Alpaca's free-plan rule (the tests pin
# QGTM_NOW to it): SIP data of the latest 15 minutes needs a paid plan,
# and a request without "end" asks up to now
# (https://docs.alpaca.markets/docs/about-market-data-api).
NOW = dt.datetime(2026, 3, 16, 12, 0, tzinfo=dt.timezone.utc)


def recent_sip(q):
    """Whether q asks a free plan for SIP data of the latest 15 min."""
    if q.get("feed") != "sip":
        return False
    end = q.get("end")
    return end is None or dt.datetime.fromisoformat(
        end.replace("Z", "+00:00")) > NOW - dt.timedelta(minutes=15)


def alpaca(q, headers):
    if not all(headers.get(h) for h in SECRET_HEADERS[:2]):
        return 403, {"message": "forbidden."}
    if recent_sip(q):
        return 403, {"message":
                     "subscription does not permit querying recent SIP data"}
    syms = sorted(q.get("symbols", "").split(","))
    start = dt.date.fromisoformat(q.get("start", "2026-01-01")[:10])
    points = [(s, bar(d, i, k)) for k, s in enumerate(syms)
              for i, d in enumerate(WEEKDAYS) if d >= start]
    if q.get("timeframe", "1Day") == "1Hour":
        points = [(s, hourly(b, h)) for s, b in points for h in range(7)]
    off = int(base64.b64decode(q["page_token"])) if "page_token" in q else 0
    n = min(int(q.get("limit", 1000)), ALPACA_PAGE)
    page = {}
    for s, b in points[off:off + n]:
        page.setdefault(s, []).append(b)
    nxt = None
    if off + n < len(points):
        nxt = base64.b64encode(str(off + n).encode()).decode()
    return 200, {"bars": page, "next_page_token": nxt}


# Report dates of the COT history a backfill gets: every week's Tuesday
# from 2023-01-03, or its Monday when the Tuesday was a federal holiday
# (CFTC then uses Monday's data: 2023-07-03, 2025-11-10).
MONDAY_REPORTS = {dt.date(2023, 7, 4): dt.date(2023, 7, 3),
                  dt.date(2025, 11, 11): dt.date(2025, 11, 10)}


def cot_history():
    d, out = dt.date(2023, 1, 3), []
    while d <= dt.date(2026, 3, 10):
        out.append(str(MONDAY_REPORTS.get(d, d)))
        d += dt.timedelta(7)
    return out


def cftc(q):
    codes = re.findall(r"'(\d{6})'", q.get("$where", ""))
    since = re.search(r">= '(\d{4}-\d\d-\d\d)'", q.get("$where", ""))
    since = since.group(1) if since else "0000"
    rows = []
    # A fetch that asks from before 2023 is a backfill: the whole history.
    dates = cot_history() if since < "2023-01-03" else ["2026-03-03",
                                                         "2026-03-10"]
    for d in dates:
        for k, code in enumerate(sorted(codes)):
            if d < since:
                continue
            rows.append({"report_date_as_yyyy_mm_dd": d + "T00:00:00.000",
                         "cftc_contract_market_code": code,
                         "open_interest_all": str(500000 - 300000 * k),
                         "m_money_positions_long_all": str(200000 + k),
                         "m_money_positions_short_all": str(40000 + k)})
    off, lim = int(q.get("$offset", 0)), int(q.get("$limit", 1000))
    return 200, rows[off:off + lim]


def lbma(name):
    base = {"gold_am": 3000.5, "gold_pm": 3001.25, "silver": 33.125}
    if name not in base:
        return 404, {"message": "not found"}
    return 200, [{"is_cms_locked": 0, "d": str(d),
                  "v": [base[name] + i, round((base[name] + i) * 0.79, 2),
                        None if i == 2 else round((base[name] + i) * 0.92,
                                                  2)]}
                 for i, d in enumerate(WEEKDAYS)]


def eia(q):
    if "api_key" not in q:
        return 403, {"error": {"code": "API_KEY_MISSING",
                               "message": "No api_key was supplied."}}
    series = q.get("facets[series][]", "")
    start = q.get("start", "0000")
    rows = [{"period": p, "duoarea": "NUS", "area-name": "U.S.",
             "product": "EPC0", "product-name": "Crude Oil",
             "process": "SAX", "process-name": "Ending Stocks Excluding SPR",
             "series": series, "series-description": "stocks",
             "value": v, "units": "MBBL"}
            for p, v in (("2026-02-27", "441207"), ("2026-03-06", "443915"))
            if p >= start]
    off = int(q.get("offset", 0))
    n = min(int(q.get("length", 5000)), EIA_PAGE)
    return 200, {"response": {"total": str(len(rows)),
                              "dateFormat": "YYYY-MM-DD",
                              "frequency": "weekly",
                              "data": rows[off:off + n],
                              "description": "weekly stocks"},
                 "request": {"command": "/v2/petroleum/stoc/wstk/data/",
                             "params": {}},
                 "apiVersion": "2.1.8"}


def openbb(q):
    start = dt.date.fromisoformat(q.get("start_date", "2026-01-01"))
    res = [{"date": str(d), "open": 220.5 + i, "high": 222.0 + i,
            "low": 219.75 + i, "close": 221.0 + i, "volume": 5533120.0,
            "vwap": None}
           for i, d in enumerate(WEEKDAYS) if d >= start]
    if not res:
        return 204, None
    return 200, {"id": "0684f1b2", "results": res,
                 "provider": q.get("provider"), "warnings": None,
                 "chart": None, "extra": {"metadata": {}}}


def route(path, q, headers):
    if path == "/fred/series/observations":
        return "fred", lambda: fred(q)
    if path == "/fred/release/dates":
        return "fred", lambda: fred_release_dates(q)
    if path == "/v2/stocks/bars":
        return "alpaca", lambda: alpaca(q, headers)
    if re.fullmatch(r"/resource/[a-z0-9]{4}-[a-z0-9]{4}\.json", path):
        return "cftc", lambda: cftc(q)
    m = re.fullmatch(r"/json/([a-z_]+)\.json", path)
    if m:
        return "lbma", lambda: lbma(m.group(1))
    if path == "/v2/petroleum/stoc/wstk/data/":
        return "eia", lambda: eia(q)
    if path == "/api/v1/equity/price/historical":
        return "openbb", lambda: openbb(q)
    return "none", lambda: (404, {"message": "no route"})


def read_faults():
    """The fault lines; a new fault file starts the counts afresh."""
    global seen_faults
    try:
        with open(FAULTS) as f:
            text = f.read()
    except OSError:
        text = ""
    if text != seen_faults:
        seen_faults = text
        counts.clear()
    return [ln.split() for ln in text.splitlines() if ln.strip()]


def too_many(source):
    """The headers of a 429: Alpaca sends no Retry-After, only its
    X-RateLimit-* headers, the reset in Unix seconds (here at least one
    second away; https://docs.alpaca.markets/docs/about-market-data-api);
    the others Retry-After: 1."""
    if source != "alpaca":
        return [("Retry-After", "1")]
    return [("X-RateLimit-Limit", "200"), ("X-RateLimit-Remaining", "0"),
            ("X-RateLimit-Reset", str(int(time.time()) + 2))]


def fault_for(lines, source, n):
    for w in lines:
        if w[0] == source and (len(w) < 3 or int(w[2]) == n):
            return w[1]
    return None


def spoil(body):
    """Replace the first number-like value with a word."""
    return re.sub(rb'("(?:value|c|close|open_interest_all|v)":\s*\[?)'
                  rb'"?[0-9.]+"?', rb'\1"abc"', body, count=1)


def token_digest(token):
    """What the log shows of a Socrata app token: its SHA-256, cut, so a
    test can tell which token came without the log holding it."""
    return " sha256:" + hashlib.sha256(token.encode()).hexdigest()[:16]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def log_request_line(self, source):
        url = urllib.parse.urlsplit(self.path)
        parts = []
        for p in url.query.split("&") if url.query else []:
            k = urllib.parse.unquote_plus(p.split("=", 1)[0])
            parts.append(k + "=<secret>" if k in SECRET_PARAMS else p)
        line = "%s %s%s%s\n" % (self.command, url.path,
                                "?" if parts else "", "&".join(parts))
        for h in SECRET_HEADERS:
            if self.headers.get(h):
                line += "  %s: <secret>%s\n" % (h, token_digest(
                    self.headers[h]) if h == "X-App-Token" else "")
        with lock:
            with open(LOG, "a") as f:
                f.write(source + " " + line)

    def send(self, status, body, ctype="application/json", length=None,
             extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in extra:
            self.send_header(k, v)
        self.send_header("Content-Length",
                         str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        source, handler = route(url.path, q, self.headers)
        with lock:
            lines = read_faults()
            counts[source] = counts.get(source, 0) + 1
            n = counts[source]
        self.log_request_line(source)
        time.sleep(LATENCY)
        fault = fault_for(lines, source, n)
        if fault == "timeout":
            time.sleep(5)
        if fault == "429":
            return self.send(429, b'{"message":"too many requests"}',
                             extra=too_many(source))
        if fault == "500":
            return self.send(500, b'{"error_code":500,'
                             b'"error_message":"Internal Server Error"}')
        if fault == "html":
            return self.send(200, b"<html><body><h1>502 Bad Gateway</h1>"
                             b"</body></html>", ctype="text/html")
        status, doc = handler()
        body = b"" if doc is None else json.dumps(doc).encode()
        if fault == "badvalue":
            body = spoil(body)
        if fault == "badjson":
            body = body[:len(body) // 2]
        if fault == "truncated":
            self.send(status, body[:len(body) // 2], length=len(body))
            self.close_connection = True
            return None
        return self.send(status, body)


def main():
    global LOG, FAULTS, LATENCY
    portfile, LOG = sys.argv[1], sys.argv[2]
    FAULTS = sys.argv[3] if len(sys.argv) > 3 else "/nonexistent"
    LATENCY = int(sys.argv[4]) / 1000 if len(sys.argv) > 4 else 0
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    with open(portfile + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(portfile + ".tmp", portfile)
    srv.serve_forever()


if __name__ == "__main__":
    main()
