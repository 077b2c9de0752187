#!/usr/bin/env python3
"""s3_standin.py: a stand-in for the two S3 calls of qgtm-audit, which
checks each request exactly as S3 with Object Lock would and logs it.

  PUT /BUCKET/KEY        an object upload with Object Lock (COMPLIANCE)
  GET /BUCKET?object-lock the bucket's Object Lock configuration

Every request must carry a SigV4 Authorization header whose signature
this stand-in recomputes with the shared secret (so the check is real,
not only of the header's shape), an X-Amz-Date within 15 minutes of the
stand-in's clock, and x-amz-content-sha256. A PUT must also carry
x-amz-object-lock-mode COMPLIANCE, an x-amz-object-lock-retain-until-date
in the future, x-amz-checksum-sha256 equal to the base64 SHA-256 of the
body, and sign all of them. Failures get S3's XML error and status 400
(403 for a bad signature). Each request is logged as one JSON line.

usage: s3_standin.py PORTFILE LOGFILE ACCESS_KEY SECRET REGION LOCKMODE
LOCKMODE: COMPLIANCE or GOVERNANCE (a default retention of 30 days in
that mode), or none (404, no Object Lock configuration).
Runs until killed; binds 127.0.0.1 only, on a free port it writes to
PORTFILE.
"""
import base64
import datetime
import hashlib
import hmac
import http.server
import json
import os
import re
import sys
import urllib.parse

PORTFILE, LOGFILE, ACCESS, SECRET, REGION, LOCKMODE = sys.argv[1:7]
AUTH_RE = re.compile(
    r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/s3/aws4_request, "
    r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$")
PUT_SIGNED = {"host", "x-amz-date", "x-amz-content-sha256",
              "x-amz-checksum-sha256", "x-amz-object-lock-mode",
              "x-amz-object-lock-retain-until-date"}
GET_SIGNED = {"host", "x-amz-date", "x-amz-content-sha256"}


def hmac256(key, text):
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def expected_signature(method, path, query, headers, signed, date, amzdate):
    """The SigV4 signature of the request, per the AWS documentation."""
    canon_query = "&".join(
        sorted(k + "=" + v for k, v in
               urllib.parse.parse_qsl(query, keep_blank_values=True)))
    canon_headers = "".join(
        h + ":" + " ".join(headers.get(h, "").split()) + "\n"
        for h in signed.split(";"))
    creq = "\n".join([method, path, canon_query, canon_headers, signed,
                      headers.get("x-amz-content-sha256", "")])
    scope = "%s/%s/s3/aws4_request" % (date, REGION)
    sts = "\n".join(["AWS4-HMAC-SHA256", amzdate, scope,
                     hashlib.sha256(creq.encode()).hexdigest()])
    key = hmac256(("AWS4" + SECRET).encode(), date)
    for part in (REGION, "s3", "aws4_request"):
        key = hmac256(key, part)
    return hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()


def check_auth(method, path, query, headers, must_sign):
    """None if the request is signed right, else (status, why)."""
    m = AUTH_RE.match(headers.get("authorization", ""))
    if not m:
        return 403, "Authorization is not AWS4-HMAC-SHA256 of shape " \
            "Credential=AK/DATE/REGION/s3/aws4_request, SignedHeaders, Signature"
    access, date, region, signed, sig = m.groups()
    amzdate = headers.get("x-amz-date", "")
    if access != ACCESS or region != REGION:
        return 403, "wrong access key or region in the credential scope"
    try:
        when = datetime.datetime.strptime(amzdate, "%Y%m%dT%H%M%SZ")
    except ValueError:
        return 403, "X-Amz-Date is not YYYYMMDDTHHMMSSZ"
    if not amzdate.startswith(date):
        return 403, "X-Amz-Date and the credential scope disagree"
    if abs((datetime.datetime.utcnow() - when).total_seconds()) > 900:
        return 403, "RequestTimeTooSkewed"
    missing = must_sign - set(signed.split(";"))
    if missing:
        return 403, "not signed: " + ",".join(sorted(missing))
    if sig != expected_signature(method, path, query, headers, signed,
                                 date, amzdate):
        return 403, "SignatureDoesNotMatch"
    return None


def check_put(headers, body):
    """None if the upload satisfies Object Lock, else (status, why)."""
    sha = hashlib.sha256(body)
    if headers.get("x-amz-content-sha256") not in (sha.hexdigest(),
                                                   "UNSIGNED-PAYLOAD"):
        return 400, "XAmzContentSHA256Mismatch"
    if headers.get("x-amz-checksum-sha256") != \
            base64.b64encode(sha.digest()).decode():
        return 400, "Content-MD5 OR x-amz-checksum- HTTP header is " \
            "required for Put Object requests with Object Lock parameters"
    if headers.get("x-amz-object-lock-mode") != "COMPLIANCE":
        return 400, "x-amz-object-lock-mode is not COMPLIANCE"
    until = headers.get("x-amz-object-lock-retain-until-date", "")
    try:
        t = datetime.datetime.strptime(until, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return 400, "x-amz-object-lock-retain-until-date is not ISO 8601"
    if t <= datetime.datetime.utcnow():
        return 400, "The retain until date must be in the future!"
    return None


def lock_xml():
    if LOCKMODE == "none":
        return 404, ("<Error><Code>ObjectLockConfigurationNotFoundError</Code>"
                     "<Message>Object Lock configuration does not exist for "
                     "this bucket</Message></Error>")
    return 200, ('<?xml version="1.0" encoding="UTF-8"?>\n'
                 '<ObjectLockConfiguration xmlns="http://s3.amazonaws.com/'
                 'doc/2006-03-01/"><ObjectLockEnabled>Enabled'
                 '</ObjectLockEnabled><Rule><DefaultRetention><Mode>%s</Mode>'
                 '<Days>30</Days></DefaultRetention></Rule>'
                 '</ObjectLockConfiguration>' % LOCKMODE)


class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self, status, text, log):
        log["status"] = status
        with open(LOGFILE, "a") as f:
            f.write(json.dumps(log, sort_keys=True) + "\n")
        if status >= 400 and not text.startswith("<"):
            text = "<Error><Code>InvalidRequest</Code><Message>%s</Message>" \
                "</Error>" % text
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        if status == 200 and log["method"] == "PUT":
            self.send_header("ETag", '"%s"' % log["md5"])
        self.end_headers()
        self.wfile.write(data)

    def request_parts(self):
        path, _, query = self.path.partition("?")
        headers = {k.lower(): v for k, v in self.headers.items()}
        n = int(headers.get("content-length", "0"))
        body = self.rfile.read(n) if n else b""
        log = {"method": self.command, "path": path, "query": query,
               "headers": headers, "bytes": len(body),
               "md5": hashlib.md5(body).hexdigest(),
               "sha256": hashlib.sha256(body).hexdigest()}
        return path, query, headers, body, log

    def do_PUT(self):
        path, query, headers, body, log = self.request_parts()
        bad = check_auth("PUT", path, query, headers, PUT_SIGNED) or \
            check_put(headers, body)
        if path.count("/") < 2 or query:
            bad = bad or (400, "not PUT /BUCKET/KEY")
        if bad:
            log["why"] = bad[1]
        self.answer(bad[0] if bad else 200, bad[1] if bad else "", log)

    def do_GET(self):
        path, query, headers, body, log = self.request_parts()
        bad = check_auth("GET", path, query, headers, GET_SIGNED)
        if not bad and (query not in ("object-lock", "object-lock=") or
                        path.count("/") != 1):
            bad = (400, "not GET /BUCKET?object-lock")
        if bad:
            log["why"] = bad[1]
            self.answer(bad[0], bad[1], log)
        else:
            self.answer(*lock_xml(), log)

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(PORTFILE + ".tmp", "w") as f:
    f.write("%d\n" % server.server_address[1])
os.rename(PORTFILE + ".tmp", PORTFILE)
server.serve_forever()
