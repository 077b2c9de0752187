#!/usr/bin/env python3
"""s3_standin.py: a stand-in for the S3 calls of qgtm-audit, which checks
each request as S3 with Object Lock (and versioning, which Object Lock
turns on) does, keeps the objects in memory, and logs each request.

  PUT /BUCKET/KEY                 PutObject (with Object Lock headers)
  PUT /BUCKET/KEY?retention=      PutObjectRetention
  GET /BUCKET/KEY[?versionId=V]   GetObject
  HEAD /BUCKET/KEY                HeadObject (with the lock headers)
  GET /BUCKET/KEY?retention=      GetObjectRetention
  GET /BUCKET?versions=&prefix=P  ListObjectVersions
  GET /BUCKET?object-lock=        GetObjectLockConfiguration
  DELETE /BUCKET/KEY[?versionId=] DeleteObject

Rules enforced, as AWS documents them and moto (s3/responses.py,
s3/exceptions.py) implements them:
- every request carries a SigV4 Authorization whose signature is
  recomputed with the shared secret (canonical URI: the path decoded, then
  URI-encoded once with '/' kept; canonical query: keys sorted, each key
  and value URI-encoded), an X-Amz-Date within 15 minutes, and
  x-amz-content-sha256 equal to the body's SHA-256;
- an upload with Object Lock headers, or to a bucket with a default
  retention, must carry Content-MD5, or x-amz-sdk-checksum-algorithm with
  its x-amz-checksum-ALGORITHM header (AWS's PutObject: "The Content-MD5
  or x-amz-sdk-checksum-algorithm header is required for any request to
  upload an object with a retention period configured using Amazon S3
  Object Lock", https://docs.aws.amazon.com/AmazonS3/latest/API/
  API_PutObject.html; else 400 InvalidRequest, with the message AWS
  sends), each of which must match the body (else 400 BadDigest); its
  mode must be
  COMPLIANCE or GOVERNANCE and its retain-until date in the future; a
  bucket without Object Lock refuses such headers (400 InvalidRequest);
- COMPLIANCE retention can be extended, never shortened (403 AccessDenied);
- deleting a version under retention is refused (403 AccessDenied);
  deleting without a version id adds a delete marker, as versioning does.

usage: s3_standin.py PORTFILE LOGFILE ACCESS_KEY SECRET REGION LOCKMODE
LOCKMODE: COMPLIANCE or GOVERNANCE (Object Lock on, a default retention
of 30 days in that mode); none (no Object Lock: 404 for its
configuration, 400 for lock headers); or unlocking, a broken store that
answers 200 to locked uploads but keeps no retention (for the read-back
test); or leaky, a store that keeps the lock but lets a locked version
be deleted and its COMPLIANCE retention shortened (as moto 5 lets it be
shortened), for the lock-status --probe test. Runs until killed; binds
127.0.0.1 only, on a free port it writes to PORTFILE. Keys are stored
decoded (a key is its path, %XX undone). With S3_SLOWDOWN=N in the
environment the first N requests are answered 503 SlowDown, as S3
answers a request rate it will not take now.
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
GET_SIGNED = {"host", "x-amz-date", "x-amz-content-sha256"}
PUT_SIGNED = GET_SIGNED | {"x-amz-object-lock-mode",
                           "x-amz-object-lock-retain-until-date"}
CHECKSUMS = {"x-amz-checksum-sha256": hashlib.sha256,
             "x-amz-checksum-sha1": hashlib.sha1}
OBJECTS = {}    # key -> versions, newest first: dicts of vid, body, ...
NEXT_VID = [0]


def hmac256(key, text):
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def expected_signature(method, path, query, headers, signed, date, amzdate):
    """The SigV4 signature of the request, per the AWS documentation."""
    enc = lambda x: urllib.parse.quote(x, safe="-_.~")
    canon_query = "&".join(
        sorted(enc(k) + "=" + enc(v) for k, v in
               urllib.parse.parse_qsl(query, keep_blank_values=True)))
    canon_headers = "".join(
        h + ":" + " ".join(headers.get(h, "").split()) + "\n"
        for h in signed.split(";"))
    # The canonical URI: the path URI-encoded once, '/' kept (S3 does not
    # encode twice): a key sent unencoded was signed as it was sent, not
    # as S3 canonicalizes it.
    canon_path = urllib.parse.quote(urllib.parse.unquote(path), safe="/~")
    creq = "\n".join([method, canon_path, canon_query, canon_headers, signed,
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


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def parse_until(until):
    try:
        return datetime.datetime.strptime(until[:19], "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return None


def err(status, code, msg):
    return status, "<Error><Code>%s</Code><Message>%s</Message></Error>" % (
        code, msg)


def check_put(headers, body):
    """None if the upload is acceptable, else (status, xml)."""
    sha = hashlib.sha256(body)
    if headers.get("x-amz-content-sha256") not in (sha.hexdigest(),
                                                   "UNSIGNED-PAYLOAD"):
        return err(400, "XAmzContentSHA256Mismatch", "The provided "
                   "'x-amz-content-sha256' header does not match")
    if "content-md5" in headers and headers["content-md5"] != \
            base64.b64encode(hashlib.md5(body).digest()).decode():
        return err(400, "BadDigest", "The Content-MD5 you specified did "
                   "not match what we received.")
    for h, fn in CHECKSUMS.items():
        if h in headers and headers[h] != \
                base64.b64encode(fn(body).digest()).decode():
            return err(400, "BadDigest", "The %s you specified did not "
                       "match the calculated checksum." % h)
    mode = headers.get("x-amz-object-lock-mode")
    until = headers.get("x-amz-object-lock-retain-until-date")
    alg = headers.get("x-amz-sdk-checksum-algorithm", "").lower()
    if (mode or until or LOCKMODE != "none") and not (
            "content-md5" in headers or
            (alg and "x-amz-checksum-" + alg in headers)):
        return err(400, "InvalidRequest",
                   "Content-MD5 OR x-amz-checksum- HTTP header is required "
                   "for Put Object requests with Object Lock parameters")
    if not mode and not until:
        return None
    if LOCKMODE == "none":
        return err(400, "InvalidRequest", "Bucket is missing Object Lock "
                   "Configuration")
    if mode not in ("COMPLIANCE", "GOVERNANCE") or not until:
        return err(400, "InvalidArgument", "x-amz-object-lock-mode and "
                   "x-amz-object-lock-retain-until-date go together")
    t = parse_until(until)
    if t is None:
        return err(400, "InvalidArgument", "The retain until date is not "
                   "ISO 8601")
    if t <= utcnow():
        return err(400, "InvalidArgument", "The retain until date must be "
                   "in the future!")
    return None


def locked(v):
    return v.get("mode") and parse_until(v["until"]) > utcnow()


def version_of(key, query):
    """The version a request means (the newest without versionId)."""
    q = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
    for v in OBJECTS.get(key, []):
        if "versionId" not in q or v["vid"] == q["versionId"]:
            return v
    return None


def list_versions(query):
    q = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
    prefix = q.get("prefix", "")
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<ListVersionsResult>'
           '<IsTruncated>false</IsTruncated><Prefix>%s</Prefix>' % prefix]
    for key in sorted(k for k in OBJECTS if k.startswith(prefix)):
        for i, v in enumerate(OBJECTS[key]):
            tag = "DeleteMarker" if v.get("marker") else "Version"
            out.append("<%s><Key>%s</Key><VersionId>%s</VersionId>"
                       "<IsLatest>%s</IsLatest></%s>" % (
                           tag, key, v["vid"], "true" if i == 0 else "false",
                           tag))
    return 200, "".join(out) + "</ListVersionsResult>"


def retention_xml(v):
    if not v.get("mode"):
        return err(404, "NoSuchObjectLockConfiguration", "The specified "
                   "object does not have a ObjectLock configuration")
    return 200, ('<?xml version="1.0" encoding="UTF-8"?>\n<Retention>'
                 '<Mode>%s</Mode><RetainUntilDate>%s</RetainUntilDate>'
                 '</Retention>' % (v["mode"], v["until"]))


def put_retention(v, body):
    m = re.search(rb"<Mode>(\w+)</Mode>.*<RetainUntilDate>([^<]+)<", body,
                  re.S)
    if not m:
        return err(400, "MalformedXML", "not a Retention document")
    mode, until = m.group(1).decode(), m.group(2).decode()
    new = parse_until(until)
    if new is None:
        return err(400, "InvalidArgument", "bad RetainUntilDate")
    if LOCKMODE != "leaky" and v.get("mode") == "COMPLIANCE" and \
            locked(v) and (mode != "COMPLIANCE" or
                           new < parse_until(v["until"])):
        return err(403, "AccessDenied", "Access Denied")
    v["mode"], v["until"] = mode, until
    return 200, ""


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
                 '</ObjectLockConfiguration>' %
                 ("COMPLIANCE" if LOCKMODE in ("unlocking", "leaky")
                  else LOCKMODE))


def object_key(path):
    """The key of /BUCKET/KEY, decoded; "" for the bucket itself."""
    return urllib.parse.unquote(path.split("/", 2)[2]) \
        if path.count("/") >= 2 else ""


SLOWDOWN = [int(os.environ.get("S3_SLOWDOWN", "0"))]


def slow_down():
    """(503, SlowDown) while S3_SLOWDOWN requests are left, else None."""
    if SLOWDOWN[0] <= 0:
        return None
    SLOWDOWN[0] -= 1
    return err(503, "SlowDown", "Please reduce your request rate.")


class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self, status, text, log, extra=None):
        log["status"] = status
        with open(LOGFILE, "a") as f:
            f.write(json.dumps(log, sort_keys=True) + "\n")
        if status >= 400 and not text.startswith("<"):
            text = "<Error><Code>InvalidRequest</Code><Message>%s</Message>" \
                "</Error>" % text
        data = text.encode() if isinstance(text, str) else text
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
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

    def finish_bad(self, bad, log):
        if len(bad) == 2 and not bad[1].startswith("<"):
            log["why"] = bad[1]
        else:
            log["why"] = re.sub(r".*<Code>([^<]*)<.*", r"\1", bad[1], flags=re.S)
        self.answer(bad[0], bad[1], log)

    def do_PUT(self):
        path, query, headers, body, log = self.request_parts()
        bad = slow_down() or check_auth("PUT", path, query, headers,
                                        GET_SIGNED)
        key = object_key(path)
        if not bad and not key:
            bad = (400, "not PUT /BUCKET/KEY")
        if not bad and query.startswith("retention"):
            v = version_of(key, query)
            bad = err(404, "NoSuchKey", "no such key") if v is None \
                else put_retention(v, body)
            return self.finish_bad(bad, log) if bad[0] != 200 else \
                self.answer(200, "", log)
        if not bad and query:
            bad = (400, "not PUT /BUCKET/KEY")
        bad = bad or check_auth("PUT", path, query, headers,
                                GET_SIGNED | (PUT_SIGNED & set(headers))) \
            or check_put(headers, body)
        if bad:
            return self.finish_bad(bad, log)
        NEXT_VID[0] += 1
        v = {"vid": "v%06d" % NEXT_VID[0], "body": body}
        if LOCKMODE != "unlocking" and "x-amz-object-lock-mode" in headers:
            v["mode"] = headers["x-amz-object-lock-mode"]
            v["until"] = headers["x-amz-object-lock-retain-until-date"]
            v["hold"] = headers.get("x-amz-object-lock-legal-hold", "OFF")
        OBJECTS.setdefault(key, []).insert(0, v)
        self.answer(200, "", log, {"ETag": '"%s"' % log["md5"],
                                   "x-amz-version-id": v["vid"]})

    def do_GET(self):
        path, query, headers, body, log = self.request_parts()
        bad = slow_down() or check_auth("GET", path, query, headers,
                                        GET_SIGNED)
        if bad:
            return self.finish_bad(bad, log)
        if path.count("/") == 1:
            if query in ("object-lock", "object-lock="):
                return self.answer(*lock_xml(), log)
            if "versions" in dict(urllib.parse.parse_qsl(
                    query, keep_blank_values=True)):
                return self.answer(*list_versions(query), log)
            return self.finish_bad((400, "not a bucket call of qgtm-audit"),
                                   log)
        key = object_key(path)
        v = version_of(key, query)
        if v is None or v.get("marker"):
            return self.finish_bad(err(404, "NoSuchKey", "The specified key "
                                       "does not exist."), log)
        if query.startswith("retention"):
            st, text = retention_xml(v)
            return self.answer(st, text, log) if st == 200 else \
                self.finish_bad((st, text), log)
        self.answer(200, v["body"], log, {"x-amz-version-id": v["vid"]})

    def do_HEAD(self):
        path, query, headers, body, log = self.request_parts()
        bad = check_auth("HEAD", path, query, headers, GET_SIGNED)
        v = version_of(object_key(path), query) \
            if path.count("/") >= 2 else None
        log["status"] = bad[0] if bad else 404 if v is None else 200
        with open(LOGFILE, "a") as f:
            f.write(json.dumps(log, sort_keys=True) + "\n")
        self.send_response(log["status"])
        if log["status"] == 200:
            self.send_header("x-amz-version-id", v["vid"])
        if log["status"] == 200 and v.get("mode"):
            self.send_header("x-amz-object-lock-legal-hold", v["hold"])
            self.send_header("x-amz-object-lock-mode", v["mode"])
            self.send_header("x-amz-object-lock-retain-until-date",
                             v["until"])
        self.end_headers()

    def do_DELETE(self):
        path, query, headers, body, log = self.request_parts()
        bad = check_auth("DELETE", path, query, headers, GET_SIGNED)
        key = object_key(path)
        if bad:
            return self.finish_bad(bad, log)
        if "versionId" not in query:
            NEXT_VID[0] += 1
            OBJECTS.setdefault(key, []).insert(
                0, {"vid": "v%06d" % NEXT_VID[0], "marker": True})
            return self.answer(204, "", log)
        v = version_of(key, query)
        if v is None:
            return self.answer(204, "", log)
        if locked(v) and LOCKMODE != "leaky":
            return self.finish_bad(err(403, "AccessDenied", "Access Denied"),
                                   log)
        OBJECTS[key].remove(v)
        self.answer(204, "", log)

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(PORTFILE + ".tmp", "w") as f:
    f.write("%d\n" % server.server_address[1])
os.rename(PORTFILE + ".tmp", PORTFILE)
server.serve_forever()
