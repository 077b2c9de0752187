#!/usr/bin/env python3
"""Stand-in for a Discord webhook, on loopback only.

Answers POST /api/webhooks/ID/TOKEN as Discord does without ?wait (204 No
Content) after checking the body is JSON with a "content" of at most 2000
characters (else 400 with Discord's form error) and, when present, an
"allowed_mentions" object whose "parse" is a list of "roles", "users" or
"everyone" (Discord's Allowed Mentions Object; else 400); anything else is
404 {"message": "Unknown Webhook", "code": 10015}. Each accepted body is
appended as one line to the log, so tests can read what was alerted, with
"_mention_everyone" added: whether Discord would have pinged everyone
(the content holds @everyone or @here and allowed_mentions does not
forbid it; Discord's default parses every mention in the content).
With DISCORD_429_ONCE set, the first POST is answered 429 with Discord's
rate-limit body (retry_after 0.2 s) and is not logged.

usage: discord.py portfile logfile
"""
import json
import os
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def mentions_ok(am):
    """Is am absent or a valid Allowed Mentions Object?"""
    if am is None:
        return True
    if not isinstance(am, dict) or not set(am) <= {
            "parse", "roles", "users", "replied_user"}:
        return False
    parse = am.get("parse", [])
    return isinstance(parse, list) and \
        all(p in ("roles", "users", "everyone") for p in parse)


class Hook(BaseHTTPRequestHandler):
    def answer(self, status, body=None):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        if data:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    limited = False

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n)
        if os.environ.get("DISCORD_429_ONCE") and not Hook.limited:
            Hook.limited = True
            return self.answer(429, {"message": "You are being rate limited.",
                                     "retry_after": 0.2, "global": False})
        if not re.fullmatch(r"/api/webhooks/\d+/[\w-]+", self.path):
            return self.answer(404, {"message": "Unknown Webhook",
                                     "code": 10015})
        try:
            msg = json.loads(raw)
            ok = isinstance(msg.get("content"), str) and \
                0 < len(msg["content"]) <= 2000 and \
                mentions_ok(msg.get("allowed_mentions"))
        except (ValueError, AttributeError):
            ok = False
        if not ok:
            return self.answer(400, {"code": 50035,
                                     "message": "Invalid Form Body"})
        parse = (msg.get("allowed_mentions") or
                 {"parse": ["everyone"]}).get("parse", [])
        msg["_mention_everyone"] = "everyone" in parse and \
            re.search(r"@(everyone|here)", msg["content"]) is not None
        with open(sys.argv[2], "a") as log:
            log.write(json.dumps(msg) + "\n")
        self.answer(204)

    def log_message(self, *args):
        pass


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    srv.serve_forever()


if __name__ == "__main__":
    main()
