#!/usr/bin/env python3
"""Stand-in for a Discord webhook, on loopback only.

Answers POST /api/vN/webhooks/ID/TOKEN (N 6 to 10) as Discord does: 204 No
Content without ?wait=true, 200 with the message object (its "id" and
"content") with it, after checking the body is JSON with a "content" of
at most 2000 characters (else 400 with Discord's form error) and, when
present, an "allowed_mentions" object whose "parse" is a list of "roles",
"users" or "everyone" (Discord's Allowed Mentions Object; else 400);
anything else, an unversioned /api/webhooks/ URL included, is 404
{"message": "Unknown Webhook", "code": 10015}. Each accepted body is
appended as one line to the log, so tests can read what was alerted, with
"_mention_everyone" added: whether Discord would have pinged everyone
(the content holds @everyone or @here and allowed_mentions does not
forbid it; Discord's default parses every mention in the content).
Every POST also appends "TIME STATUS PATH" (TIME in seconds since the
epoch) to the log's name + ".times".

Environment:
DISCORD_429_ONCE   the first POST is answered 429 with Discord's rate-limit
                   body and is not logged: retry_after is
                   DISCORD_RETRY_AFTER seconds (default 0.2), written in
                   seconds on v8 and later, in milliseconds on v6 and v7
                   (https://discord.com/developers/docs/topics/rate-limits,
                   .../reference#api-versioning).
DISCORD_DROP       every message is dropped, not logged: without wait=true
                   the answer is still 204, as Discord answers before it
                   saves; with wait=true it is 500.

usage: discord.py portfile logfile
"""
import json
import os
import re
import sys
import time
import urllib.parse
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
    count = 0
    limited = False

    def times(self, status):
        with open(sys.argv[2] + ".times", "a") as f:
            f.write("%.3f %d %s\n" % (time.time(), status, self.path))

    def answer(self, status, body=None):
        self.times(status)
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        if data:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n)
        path, _, query = self.path.partition("?")
        wait = urllib.parse.parse_qs(query).get("wait") == ["true"]
        m = re.fullmatch(r"/api/v(\d+)/webhooks/(\d+)/[\w-]+", path)
        if not m or not 6 <= int(m.group(1)) <= 10:
            return self.answer(404, {"message": "Unknown Webhook",
                                     "code": 10015})
        if os.environ.get("DISCORD_429_ONCE") and not Hook.limited:
            Hook.limited = True
            wait_s = float(os.environ.get("DISCORD_RETRY_AFTER", "0.2"))
            return self.answer(429, {
                "message": "You are being rate limited.", "global": False,
                "retry_after": wait_s if int(m.group(1)) >= 8
                else int(wait_s * 1000)})
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
        if os.environ.get("DISCORD_DROP"):
            return self.answer(500, {"message": "500: Internal Server Error",
                                     "code": 0}) if wait else \
                self.answer(204)
        parse = (msg.get("allowed_mentions") or
                 {"parse": ["everyone"]}).get("parse", [])
        msg["_mention_everyone"] = "everyone" in parse and \
            re.search(r"@(everyone|here)", msg["content"]) is not None
        with open(sys.argv[2], "a") as log:
            log.write(json.dumps(msg) + "\n")
        Hook.count += 1
        if not wait:
            return self.answer(204)
        return self.answer(200, {"id": str(1100000000000000000 + Hook.count),
                                 "type": 0, "content": msg["content"],
                                 "channel_id": "1000000000000000001",
                                 "webhook_id": m.group(2)})

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
