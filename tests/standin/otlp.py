#!/usr/bin/env python3
"""Stand-in OTLP/HTTP trace collector, on loopback only, that checks the
OTLP/JSON shape strictly.

The shape is the JSON Protobuf encoding of an ExportTraceServiceRequest
(opentelemetry-proto: docs/specification.md "JSON Protobuf Encoding",
opentelemetry/proto/trace/v1/trace.proto, common/v1/common.proto):
lowerCamelCase keys, traceId 32 and spanId 16 lowercase hex digits (not
base64), 64-bit integers (the *UnixNano times, intValue) as decimal
strings, enums (kind, status.code) as integers. Unknown keys are refused,
so a snake_case or misspelt field fails.

Serve:  otlp.py serve PORTFILE OUTFILE
    POST /v1/traces with Content-Type application/json: a valid request
    is appended to OUTFILE as one line and answered 200 "{}"; an invalid
    one is answered 400 and its reason appended to OUTFILE.errors.
    PORTFILE receives the port (written atomically once listening).

Check:  otlp.py check FILE [--external SPANID ...]
    FILE holds requests, one a line (OUTFILE above, or QGTM_OTEL_FILE).
    Each is checked as above; then every parentSpanId must name a span of
    the same trace (or one of the --external span ids). Prints one JSON
    line per span: service, traceId, spanId, parentSpanId, name, kind,
    status, attributes (an object key -> value); exit 1 with the reasons
    on stderr when anything is wrong.
"""
import json
import os
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HEX32 = re.compile(r"^[0-9a-f]{32}$")
HEX16 = re.compile(r"^[0-9a-f]{16}$")
UINT = re.compile(r"^[0-9]+$")
INT = re.compile(r"^-?[0-9]+$")

SPAN_KEYS = {"traceId", "spanId", "traceState", "parentSpanId", "flags",
             "name", "kind", "startTimeUnixNano", "endTimeUnixNano",
             "attributes", "droppedAttributesCount", "events",
             "droppedEventsCount", "links", "droppedLinksCount", "status"}
REQUIRED = ("traceId", "spanId", "name", "kind", "startTimeUnixNano",
            "endTimeUnixNano", "status")
VALUE_KEYS = {"stringValue", "intValue", "boolValue", "doubleValue"}
NS_2001 = 10 ** 18      # any real wall-clock time is later


class Bad(Exception):
    pass


def need(cond, why):
    if not cond:
        raise Bad(why)


def only_keys(obj, allowed, where):
    need(isinstance(obj, dict), f"{where}: not an object")
    extra = set(obj) - set(allowed)
    need(not extra, f"{where}: unknown keys {sorted(extra)}")


def key_values(attrs, where):
    """common.proto KeyValue list -> dict."""
    need(isinstance(attrs, list), f"{where}: attributes not a list")
    out = {}
    for i, kv in enumerate(attrs):
        w = f"{where}.attributes[{i}]"
        only_keys(kv, {"key", "value"}, w)
        need(isinstance(kv.get("key"), str) and kv["key"], f"{w}: key")
        v = kv.get("value")
        only_keys(v, VALUE_KEYS, f"{w}.value")
        need(len(v) == 1, f"{w}.value: exactly one of {sorted(VALUE_KEYS)}")
        (kind, val), = v.items()
        if kind == "stringValue":
            need(isinstance(val, str), f"{w}: stringValue not a string")
        elif kind == "intValue":
            need(isinstance(val, str) and INT.match(val),
                 f"{w}: intValue not a decimal string")
            val = int(val)
        elif kind == "boolValue":
            need(isinstance(val, bool), f"{w}: boolValue")
        need(kv["key"] not in out, f"{w}: duplicate key {kv['key']}")
        out[kv["key"]] = val
    return out


def check_span(sp, where):
    only_keys(sp, SPAN_KEYS, where)
    for k in REQUIRED:
        need(k in sp, f"{where}: missing {k}")
    need(isinstance(sp["traceId"], str) and HEX32.match(sp["traceId"])
         and sp["traceId"] != "0" * 32, f"{where}: traceId not 32 hex")
    need(isinstance(sp["spanId"], str) and HEX16.match(sp["spanId"])
         and sp["spanId"] != "0" * 16, f"{where}: spanId not 16 hex")
    parent = sp.get("parentSpanId", "")
    need(parent == "" or (isinstance(parent, str) and HEX16.match(parent)
                          and parent != "0" * 16),
         f"{where}: parentSpanId not 16 hex")
    need(parent != sp["spanId"], f"{where}: its own parent")
    need(isinstance(sp["name"], str) and sp["name"], f"{where}: name")
    need(type(sp["kind"]) is int and 0 <= sp["kind"] <= 5, f"{where}: kind")
    times = []
    for k in ("startTimeUnixNano", "endTimeUnixNano"):
        v = sp[k]
        need(isinstance(v, str) and UINT.match(v),
             f"{where}: {k} not a decimal string")
        need(int(v) > NS_2001, f"{where}: {k} not in nanoseconds")
        times.append(int(v))
    need(times[0] <= times[1], f"{where}: ends before it starts")
    st = sp["status"]
    only_keys(st, {"code", "message"}, f"{where}.status")
    need(type(st.get("code")) is int and 0 <= st["code"] <= 2,
         f"{where}.status: code")
    need(isinstance(st.get("message", ""), str), f"{where}.status: message")
    return {"traceId": sp["traceId"], "spanId": sp["spanId"],
            "parentSpanId": parent, "name": sp["name"], "kind": sp["kind"],
            "status": st["code"],
            "start": times[0], "end": times[1],
            "attributes": key_values(sp.get("attributes", []), where)}


def check_request(req):
    """One ExportTraceServiceRequest -> list of flattened spans."""
    only_keys(req, {"resourceSpans"}, "request")
    rs = req.get("resourceSpans")
    need(isinstance(rs, list) and rs, "resourceSpans: empty or missing")
    spans = []
    for i, r in enumerate(rs):
        w = f"resourceSpans[{i}]"
        only_keys(r, {"resource", "scopeSpans", "schemaUrl"}, w)
        res = r.get("resource")
        only_keys(res, {"attributes", "droppedAttributesCount"},
                  f"{w}.resource")
        attrs = key_values(res.get("attributes"), f"{w}.resource")
        svc = attrs.get("service.name")
        need(isinstance(svc, str) and svc, f"{w}: no service.name")
        ss = r.get("scopeSpans")
        need(isinstance(ss, list) and ss, f"{w}.scopeSpans: empty")
        for j, s in enumerate(ss):
            w2 = f"{w}.scopeSpans[{j}]"
            only_keys(s, {"scope", "spans", "schemaUrl"}, w2)
            only_keys(s.get("scope"), {"name", "version", "attributes",
                                       "droppedAttributesCount"},
                      f"{w2}.scope")
            need(isinstance(s["scope"].get("name"), str) and
                 s["scope"]["name"], f"{w2}.scope: name")
            need(isinstance(s.get("spans"), list) and s["spans"],
                 f"{w2}.spans: empty")
            for k, sp in enumerate(s["spans"]):
                flat = check_span(sp, f"{w2}.spans[{k}]")
                flat["service"] = svc
                spans.append(flat)
    return spans


def check_links(spans, external):
    """Unique span ids; every parent resolvable within its trace."""
    seen = {}
    for sp in spans:
        need(sp["spanId"] not in seen, f"span {sp['spanId']} twice")
        seen[sp["spanId"]] = sp["traceId"]
    for sp in spans:
        p = sp["parentSpanId"]
        if p == "" or p in external:
            continue
        need(p in seen, f"span {sp['spanId']} ({sp['service']} "
             f"{sp['name']}): parent {p} not found")
        need(seen[p] == sp["traceId"],
             f"span {sp['spanId']}: parent {p} in another trace")


def check_file(path, external):
    spans = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            try:
                spans += check_request(json.loads(line))
            except (Bad, ValueError) as e:
                raise Bad(f"{path}:{n}: {e}")
    check_links(spans, external)
    return spans


class Collector(BaseHTTPRequestHandler):
    lock = threading.Lock()
    out = None

    def answer(self, code, body):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path != "/v1/traces":
            return self.answer(404, '{"message":"not found"}')
        try:
            need(self.headers.get("Content-Type") == "application/json",
                 "Content-Type is not application/json")
            req = json.loads(body)
            check_request(req)
        except (Bad, ValueError) as e:
            with self.lock, open(self.out + ".errors", "a") as f:
                f.write(f"{e}\n")
            return self.answer(400, json.dumps({"message": str(e)}))
        with self.lock, open(self.out, "a") as f:
            f.write(json.dumps(req, separators=(",", ":")) + "\n")
        self.answer(200, "{}")

    def log_message(self, *args):
        pass


def serve(portfile, out):
    Collector.out = out
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    srv.daemon_threads = True
    with open(portfile + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(portfile + ".tmp", portfile)
    srv.serve_forever()


def main(argv):
    if len(argv) == 4 and argv[1] == "serve":
        return serve(argv[2], argv[3])
    if len(argv) >= 3 and argv[1] == "check":
        external = set(argv[3:]) - {"--external"}
        try:
            spans = check_file(argv[2], external)
        except Bad as e:
            print(f"otlp.py: {e}", file=sys.stderr)
            return 1
        for sp in spans:
            print(json.dumps(sp, sort_keys=True))
        return 0
    print(__doc__.split("\n\n")[0], file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv))
