#!/usr/bin/env python3
"""Stand-in for the Alpaca Trading API v2, on loopback only.

Speaks the shapes of Alpaca's Trading API v2 (docs.alpaca.markets): GET
/v2/account, GET and DELETE /v2/positions (207 per position), POST, GET
and DELETE /v2/orders (DELETE answers 207 per order; GET filters by
status open|closed|all, default open, limit default 50 and at most 500,
after/until on submitted_at, exclusive, direction asc|desc, default
desc), GET and DELETE /v2/orders/{id} (DELETE answers 204 and the order
goes pending_cancel, then canceled; an order no longer working is 422),
GET /v2/orders:by_client_order_id, GET /v2/account/activities/FILL
(direction, page_size at most 100, page_token: the id of the last
activity seen; each execution is one, type fill or partial_fill), GET
/v2/clock (a fixed moment, New York offsets), GET /v2/calendar (start,
end: weekdays but the 2026 NYSE holidays, early closes at 13:00), GET
/v2/account/portfolio/history (two fixed days). Every request needs the
headers APCA-API-KEY-ID "PKTEST" and APCA-API-SECRET-KEY "s3cr3t", else
403 {"message": "forbidden."}. A client_order_id seen before is 422
"client_order_id must be unique" (the client must not depend on the
text). A 429 carries X-RateLimit-Limit, -Remaining and -Reset (Unix
seconds) and no Retry-After, as Alpaca's do
(https://docs.alpaca.markets/docs/about-market-data-api). Market orders fill at once at the
price of the symbol (100 unless set), move the positions and the cash.

Tests steer it with POST /_ctl, a JSON object of:
  positions    {"SYM": "qty", ...}: set the positions
  open         [{"symbol","qty","side"}...]: add open orders
  fills        [{"symbol","qty","side"}...]: add orders filled at once
  held         ["SYM", ...]: closing these fails 403 held_for_orders
               while any open order in SYM remains
  pending      N: a cancel leaves each order pending_cancel for N reads
  fail         [[status, body], ...]: the next requests (not /_ctl) get
               these answers, one each, 429 with X-RateLimit-Reset (the
               second after next, so at least 1 s away)
  submit_fail  [[status, body], ...]: the next order submissions get
               these answers, one each, and are not placed
  accept_fail  [[status, body], ...]: the next order submissions are
               placed, then answered so (a 5xx that hides a success)
  drop         N: the next N order submissions are accepted, then the
               connection is closed without an answer
  stall        N: the next N order submissions are accepted, then the
               answer is held back stall_s seconds (default 2)
  rest         true: orders are accepted and rest (not filled)
  partial      true: orders fill half at once (partial_fill), the rest
               rests
  fill_open    true: every working order fills what it has left now
  extra_fill   [{"client_order_id", "qty"}...]: one more FILL activity
               of that order (past its qty: an overfill)
  prices       {"SYM": price, ...}: the prices orders fill and positions
               are marked at
  history      {"timestamp", "equity", "profit_loss", "base_value"}: the
               PortfolioHistory to answer; profit_loss is relative to
               base_value, the period's first equity, as Alpaca's is
GET /_ctl returns the whole state; each request is logged to the log
file as one JSON line {"method","path","body"}.

usage: alpaca.py portfile logfile
"""
import json
import os
import sys
import threading
import time
import uuid
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LOCK = threading.Lock()
S = {"positions": {}, "orders": [], "held": [], "pending": 0, "fail": [],
     "submit_fail": [], "accept_fail": [], "posts": 0,
     "drop": 0, "stall": 0, "stall_s": 2, "submits": 0, "prices": {},
     "activities": [], "rest": False, "partial": False, "cash": 100000.0}
WORKING = ("new", "accepted", "partially_filled", "pending_new",
           "pending_cancel")


def order_obj(sym, qty, side, coid, status):
    n = len(S["orders"])
    return {"id": str(uuid.uuid4()), "client_order_id": coid,
            "symbol": sym, "asset_class": "us_equity", "qty": qty,
            "notional": None, "filled_qty": qty if status == "filled"
            else "0", "side": side, "type": "market",
            "order_type": "market", "time_in_force": "day",
            "status": status, "created_at": "2026-01-05T21:30:00Z",
            "submitted_at": "2026-01-05T21:30:%02d.%06dZ" % (n // 1000000,
                                                             n % 1000000),
            "filled_avg_price": None, "legs": None, "pending": 0}


def fill(o, qty=None):
    """Execute qty (all that is left if None) of order o."""
    left = float(o["qty"]) - float(o["filled_qty"])
    q = left if qty is None else float(qty)
    price = S["prices"].get(o["symbol"], 100.0)
    sign = 1 if o["side"] == "buy" else -1
    cur = float(S["positions"].get(o["symbol"], "0")) + sign * q
    if cur == 0:
        S["positions"].pop(o["symbol"], None)
    else:
        S["positions"][o["symbol"]] = "%g" % cur
    S["cash"] -= sign * q * price
    cum = float(o["filled_qty"]) + q
    o["filled_qty"] = "%g" % cum
    done = cum >= float(o["qty"])
    o["status"] = "filled" if done else "partially_filled"
    o["filled_avg_price"] = "%.2f" % price
    n = len(S["activities"])
    S["activities"].append({
        "id": "%017d::%s" % (20260105213000000 + n, uuid.uuid4()),
        "activity_type": "FILL", "transaction_time": o["created_at"],
        "type": "fill" if done else "partial_fill",
        "price": o["filled_avg_price"], "qty": "%g" % q,
        "side": o["side"], "symbol": o["symbol"],
        "leaves_qty": "%g" % max(float(o["qty"]) - cum, 0),
        "order_id": o["id"], "cum_qty": "%g" % cum,
        "order_status": o["status"]})


HOLIDAYS = {"2026-01-01", "2026-01-19", "2026-02-16", "2026-04-03",
            "2026-05-25", "2026-06-19", "2026-07-03", "2026-09-07",
            "2026-11-26", "2026-12-25"}
EARLY = {"2026-11-27", "2026-12-24"}


def calendar(q):
    """The sessions from start to end, as Alpaca's Calendar objects."""
    d = date.fromisoformat(q["start"][0])
    end = date.fromisoformat(q["end"][0])
    out = []
    while d <= end:
        s = d.isoformat()
        if d.weekday() < 5 and s not in HOLIDAYS:
            out.append({"date": s, "open": "09:30", "close": "13:00" if s
                        in EARLY else "16:00", "session_open": "0400",
                        "session_close": "2000", "settlement_date": s})
        d += timedelta(days=1)
    return out


def activities(q):
    """A page of FILL activities after page_token in direction."""
    asc = q.get("direction", ["desc"])[0] == "asc"
    acts = S["activities"] if asc else S["activities"][::-1]
    tok = q.get("page_token", [None])[0]
    if tok is not None:
        ids = [a["id"] for a in acts]
        acts = acts[ids.index(tok) + 1:] if tok in ids else []
    size = min(int(q.get("page_size", ["100"])[0]), 100)
    return acts[:size]


def position_obj(sym, qty):
    price = S["prices"].get(sym, 100.0)
    q = float(qty)
    return {"asset_id": str(uuid.uuid5(uuid.NAMESPACE_DNS, sym)),
            "symbol": sym, "exchange": "ARCA", "asset_class": "us_equity",
            "qty": qty, "qty_available": qty,
            "side": "long" if q > 0 else "short",
            "avg_entry_price": "%.2f" % price,
            "market_value": "%.2f" % (q * price),
            "cost_basis": "%.2f" % (q * price), "current_price":
            "%.2f" % price, "lastday_price": "%.2f" % price}


def settle():
    """A read: orders pending cancel come one read nearer canceled."""
    for o in S["orders"]:
        if o["status"] == "pending_cancel":
            if o["pending"] > 0:
                o["pending"] -= 1
            else:
                o["status"] = "canceled"


def open_orders():
    settle()
    return [o for o in S["orders"] if o["status"] in WORKING]


def list_orders(q):
    """GET /v2/orders: (status, body) under Alpaca's filters."""
    status = q.get("status", ["open"])[0]
    if status not in ("open", "closed", "all"):
        return 422, {"code": 40010001, "message": "invalid status"}
    try:
        limit = int(q.get("limit", ["50"])[0])
    except ValueError:
        return 422, {"code": 40010001, "message": "invalid limit"}
    if limit < 1 or limit > 500:
        return 422, {"code": 40010001,
                     "message": "limit must be between 1 and 500"}
    direction = q.get("direction", ["desc"])[0]
    settle()
    rows = [o for o in S["orders"] if status == "all" or
            (o["status"] in WORKING) == (status == "open")]
    after, until = q.get("after", [None])[0], q.get("until", [None])[0]
    rows = [o for o in rows if (after is None or o["submitted_at"] > after)
            and (until is None or o["submitted_at"] < until)]
    rows.sort(key=lambda o: o["submitted_at"], reverse=direction != "asc")
    return 200, [public(o) for o in rows[:limit]]


def rate_headers(status):
    """Alpaca's rate limit headers on a 429; no Retry-After."""
    if status != 429:
        return []
    return [("X-RateLimit-Limit", "200"), ("X-RateLimit-Remaining", "0"),
            ("X-RateLimit-Reset", str(int(time.time()) + 2))]


def public(o):
    return {k: v for k, v in o.items() if k != "pending"}


class Api(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, status, body=None, headers=()):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if data:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self, method):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n).decode() if n else ""
        url = urlsplit(self.path)
        if url.path == "/_ctl":
            return self.ctl(method, raw)
        with open(sys.argv[2], "a") as log:
            log.write(json.dumps({"method": method, "path": self.path,
                                  "body": json.loads(raw) if raw else None},
                                 sort_keys=True) + "\n")
        if self.headers.get("APCA-API-KEY-ID") != "PKTEST" or \
                self.headers.get("APCA-API-SECRET-KEY") != "s3cr3t":
            return self.answer(403, {"message": "forbidden."})
        with LOCK:
            route = (method, url.path)
            q = parse_qs(url.query)
            if route == ("POST", "/v2/orders"):
                S["posts"] += 1
            fail = S["fail"] or (S["submit_fail"] if route ==
                                 ("POST", "/v2/orders") else [])
            if fail:
                st, body = fail.pop(0)
                return self.answer(st, body, rate_headers(st))
            if route == ("POST", "/v2/orders"):
                st, body, lost = self.submit(json.loads(raw))
                if S["accept_fail"] and st == 200:
                    st, body = S["accept_fail"].pop(0)
                    return self.answer(st, body, rate_headers(st))
            else:
                (st, body), lost = self.route(route, q), None
        if lost == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
            return None
        if lost == "stall":
            time.sleep(S["stall_s"])
        self.answer(st, body)

    def route(self, route, q):
        if route[1].startswith("/v2/orders/"):
            return self.one_order(route[0], route[1][len("/v2/orders/"):])
        if route == ("GET", "/v2/account"):
            mv = sum(float(p["market_value"]) for p in
                     (position_obj(s, v) for s, v in S["positions"].items()))
            return 200, {"id": "0b6f4a2e-1111-4c1e-9a55-3f0c2c0b9d01",
                         "account_number": "PA1X2Y3Z", "status": "ACTIVE",
                         "currency": "USD", "cash": "%.2f" % S["cash"],
                         "equity": "%.2f" % (S["cash"] + mv),
                         "last_equity": "100000.00",
                         "long_market_value": "%.2f" % max(mv, 0),
                         "short_market_value": "%.2f" % min(mv, 0)}
        if route == ("GET", "/v2/positions"):
            return 200, [position_obj(s, v) for s, v in
                         sorted(S["positions"].items())]
        if route == ("GET", "/v2/orders"):
            return list_orders(q)
        if route == ("GET", "/v2/orders:by_client_order_id"):
            coid = q.get("client_order_id", [""])[0]
            for o in S["orders"]:
                if o["client_order_id"] == coid:
                    return 200, public(o)
            return 404, {"code": 40410000, "message": "order not found"}
        if route == ("GET", "/v2/clock"):
            return 200, {"timestamp": "2026-01-05T10:30:00.381220871-05:00",
                         "is_open": True,
                         "next_open": "2026-01-06T09:30:00-05:00",
                         "next_close": "2026-01-05T16:00:00-05:00"}
        if route == ("GET", "/v2/account/portfolio/history"):
            if "history" in S:
                return 200, dict(S["history"], timeframe="1D",
                                 cashflow={})
            return 200, {"timestamp": [1767330000, 1767589200],
                         "equity": [100000.0, 101000.0],
                         "profit_loss": [0, 1000.0],
                         "profit_loss_pct": [0, 0.01],
                         "base_value": 100000.0,
                         "base_value_asof": "2026-01-02",
                         "timeframe": "1D", "cashflow": {}}
        if route == ("GET", "/v2/calendar"):
            return 200, calendar(q)
        if route == ("GET", "/v2/account/activities/FILL"):
            return 200, activities(q)
        if route == ("DELETE", "/v2/orders"):
            res = []
            for o in open_orders():
                if o["status"] == "pending_cancel":
                    continue
                o["status"] = "pending_cancel"
                o["pending"] = S["pending"]
                if o["pending"] == 0:
                    o["status"] = "canceled"
                res.append({"id": o["id"], "status": 200})
            return 207, res
        if route == ("DELETE", "/v2/positions"):
            return 207, self.close_all(q)
        return 404, {"code": 40410000, "message": "not found"}

    def one_order(self, method, oid):
        """GET or DELETE /v2/orders/{id}."""
        settle()
        o = next((o for o in S["orders"] if o["id"] == oid), None)
        if o is None:
            return 404, {"code": 40410000, "message": "order not found"}
        if method == "GET":
            return 200, public(o)
        if method != "DELETE":
            return 405, {"code": 40510000, "message": "method not allowed"}
        if o["status"] not in WORKING or o["status"] == "pending_cancel":
            return 422, {"code": 42210000, "message":
                         "order is already in \"%s\" state" % o["status"]}
        o["status"] = "pending_cancel"
        o["pending"] = S["pending"]
        return 204, None

    def close_all(self, q):
        if q.get("cancel_orders") == ["true"]:
            for o in open_orders():
                if o["status"] != "pending_cancel":
                    o["status"] = "canceled"
        busy = {o["symbol"] for o in open_orders()}
        res = []
        for sym, qty in sorted(S["positions"].items()):
            if sym in S["held"] and sym in busy:
                res.append({"symbol": sym, "status": 403, "body": {
                    "code": 40310000, "message": "insufficient qty "
                    "available for order (requested: %s, available: 0)"
                    % qty.lstrip("-"), "symbol": sym, "existing_qty": qty,
                    "held_for_orders": qty, "available": "0"}})
                continue
            side = "sell" if float(qty) > 0 else "buy"
            o = order_obj(sym, qty.lstrip("-"), side, str(uuid.uuid4()),
                          "accepted")
            S["orders"].append(o)
            fill(o)
            res.append({"symbol": sym, "status": 200, "body": public(o)})
        return res

    def submit(self, body):
        """The answer to an order, and whether it is lost after accepting."""
        coid = body.get("client_order_id", "")
        if any(o["client_order_id"] == coid for o in S["orders"]):
            return 422, {"code": 40010001, "message":
                         "client_order_id must be unique"}, None
        if body.get("type") != "market" or body.get("side") not in \
                ("buy", "sell") or not body.get("qty"):
            return 422, {"code": 40010001, "message": "invalid order"}, None
        o = order_obj(body["symbol"], body["qty"], body["side"], coid,
                      "accepted")
        S["orders"].append(o)
        S["submits"] += 1
        if S["partial"] and float(o["qty"]) >= 2:
            fill(o, "%g" % (float(o["qty"]) // 2))
        elif not S["rest"]:
            fill(o)
        for lost in ("drop", "stall"):
            if S[lost] > 0:
                S[lost] -= 1
                return 200, public(o), lost
        return 200, public(o), None

    def ctl(self, method, raw):
        with LOCK:
            if method == "POST":
                c = json.loads(raw)
                S["positions"].update(c.get("positions", {}))
                for o in c.get("open", []):
                    S["orders"].append(order_obj(o["symbol"], o["qty"],
                                       o["side"], str(uuid.uuid4()), "new"))
                for o in c.get("fills", []):
                    od = order_obj(o["symbol"], o["qty"], o["side"],
                                   str(uuid.uuid4()), "accepted")
                    S["orders"].append(od)
                    fill(od)
                for k in ("held", "pending", "fail", "drop", "stall",
                          "stall_s", "rest", "partial", "submit_fail",
                          "accept_fail", "history"):
                    if k in c:
                        S[k] = c[k]
                S["prices"].update(c.get("prices", {}))
                if c.get("fill_open"):
                    for o in open_orders():
                        if o["status"] != "pending_cancel":
                            fill(o)
                for x in c.get("extra_fill", []):
                    o = next(o for o in S["orders"]
                             if o["client_order_id"] == x["client_order_id"])
                    o["qty"] = "%g" % (float(o["qty"]) + float(x["qty"]))
                    fill(o, x["qty"])
                    o["qty"] = "%g" % (float(o["qty"]) - float(x["qty"]))
            self.answer(200, {k: v for k, v in S.items()})

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_DELETE(self):
        self.handle_any("DELETE")

    def log_message(self, *args):
        pass


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Api)
    srv.daemon_threads = True
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    srv.serve_forever()


if __name__ == "__main__":
    main()
