/*
 * net/net.h: the public header of lib/net/: HTTP (libcurl), tracing (OTLP), S3, SMTP and the alert channels.
 */
#ifndef QGTM_NET_H
#define QGTM_NET_H

#include "base/base.h"

/* -------------------------------------------------------------- otel -- */

/*
 * OpenTelemetry traces (lib/net/otel.c, qgtm(7) ENVIRONMENT). Tracing is on when
 * QGTM_OTEL_FILE or OTEL_EXPORTER_OTLP_ENDPOINT is set; otherwise every
 * call below is a no-op that costs one test of a flag. A program has one
 * "stage" span per trace it takes part in (its run), plus child spans.
 * Spans stay in memory and are exported once, at qgtm_otel_finish().
 */

/*
 * qgtm_otel_begin: read the environment and start the program's clock;
 * its spans are named "prog verb" (verb may be NULL: "prog"). With
 * TRACEPARENT set (and valid), the program's stage span continues that
 * trace as its child, and TRACEPARENT is replaced by the program's own
 * span so every child process continues from it. Called by
 * qgtm_cmd_start(); a second call does nothing.
 */
void qgtm_otel_begin(const char *verb);

/* qgtm_otel_enabled: 1 when spans are being collected. */
int qgtm_otel_enabled(void);

/*
 * qgtm_otel_parse_traceparent: check a W3C traceparent ("00-" trace-id
 * "-" parent-id "-" flags, lowercase hex, ids not all zero; a later
 * version may append "-..." fields) and copy its ids into trace (33
 * bytes) and span (17 bytes). Returns 0, or -1 (nothing copied).
 */
int qgtm_otel_parse_traceparent(const char *tp, char trace[33],
    char span[17]);

/*
 * qgtm_otel_adopt: an input record of trace_id carried traceparent: the
 * stage span of that trace (made when missing) becomes a child of the
 * span it names; a later record of the same trace replaces the parent,
 * so the nearest upstream stage wins. Ignored when tracing is off, when
 * either string is invalid or when the trace-id parts differ.
 */
void qgtm_otel_adopt(const char *traceparent, const char *trace_id);

/*
 * qgtm_otel_traceparent: the traceparent that records of trace_id leave
 * this program with: the stage span of that trace (made, as a root, when
 * missing). Returns out (QGTM_TRACEPARENT_LEN + 1 bytes), or NULL when
 * tracing is off, trace_id is not a W3C trace-id, or the span table is
 * full.
 */
const char *qgtm_otel_traceparent(const char *trace_id,
    char out[QGTM_TRACEPARENT_LEN + 1]);

/*
 * qgtm_otel_setenv: set TRACEPARENT to the program's first stage span
 * (made, as a root, when there is none), for the child processes it is
 * about to start. Does nothing when tracing is off.
 */
void qgtm_otel_setenv(void);

/*
 * A child span of the stage span of a trace (e.g. one order). NULL when
 * tracing is off or the table is full; every function below accepts NULL.
 */
struct qgtm_otel_span;

/* qgtm_otel_now: the wall clock in ns since the epoch for start_ns below;
 * 0 when tracing is off. */
unsigned long long qgtm_otel_now(void);

/* qgtm_otel_span_start: a child span named name of the stage span of
 * trace_id (made when missing), starting at start_ns (0: now). kind is an
 * OTLP SpanKind (1 internal, 3 client). */
struct qgtm_otel_span *qgtm_otel_span_start(const char *name,
    const char *trace_id, int kind, unsigned long long start_ns);
/* qgtm_otel_span_str, _int: add an attribute (strings copied). */
void qgtm_otel_span_str(struct qgtm_otel_span *sp, const char *key,
    const char *value);
void qgtm_otel_span_int(struct qgtm_otel_span *sp, const char *key,
    long long value);
/* qgtm_otel_span_end: end now; error marks the status ERROR with message
 * error, NULL marks it OK. */
void qgtm_otel_span_end(struct qgtm_otel_span *sp, const char *error);

/*
 * qgtm_otel_encode: the ExportTraceServiceRequest of every span so far
 * (open ones ended now) as one line of compact JSON (a new allocation,
 * free()), or NULL when tracing is off.
 */
char *qgtm_otel_encode(void);

/*
 * qgtm_otel_finish: end the stage spans with the program's exit status
 * rc (0 OK, else ERROR), export them (to QGTM_OTEL_FILE: one line appended
 * under flock(2) and fsync'd; to OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces:
 * one POST of application/json), and free everything. A failed export is
 * one warning on stderr, never an error. Called by qgtm_exit() and
 * qgtm_die(); later calls do nothing.
 */
void qgtm_otel_finish(int rc);

/* -------------------------------------------------------------- http -- */

struct qgtm_http_resp;

/*
 * A provider's own wait signal read from an answer (lib/net/http.c's
 * retry policy, below): the seconds resp asks to wait before the next
 * attempt, e.g. Discord's JSON "retry_after" (seconds on a versioned
 * webhook URL), or a negative number when resp gives none. Called only
 * for a retryable answer (429, 500, 502, 503, 504); arg is the request's
 * retry_arg. Must not call qgtm_seterr().
 */
typedef double qgtm_http_signal_fn(const struct qgtm_http_resp *resp,
    void *arg);

/* A request. Fields not set by qgtm_http_req_init's caller keep defaults. */
struct qgtm_http_req {
	const char *method;        /* "GET" (default), "POST", "DELETE", ... */
	const char *url;
	const char *const *headers;/* NULL-terminated "Name: value" list */
	const char *body;          /* may be NULL */
	size_t body_len;
	long connect_timeout_ms;   /* default 5000 */
	long timeout_ms;           /* budget of the whole call, every attempt
	                              and wait included; default 30000 */
	size_t max_bytes;          /* response cap, default 16 MiB */
	/* The retry policy (qgtm_http_retry_wait), the same for every
	 * client: */
	int retries;               /* extra attempts for idempotent requests,
	                              default 3 (http.retries) */
	int idempotent;            /* -1 (default): 1 for GET, HEAD, OPTIONS,
	                              PUT and DELETE, else 0; or 0/1 to force */
	long backoff_ms;           /* first backoff, doubled each time, +-25%
	                              jitter; default 500 (http.backoff_ms) */
	long wait_max_ms;          /* the most all waits of one call may add
	                              up to; default 20000
	                              (http.retry_wait_max_ms) */
	qgtm_http_signal_fn *signal; /* the provider's body signal, or NULL
	                              (default) */
	void *signal_arg;
};

struct qgtm_http_resp {
	long status;               /* HTTP status, 0 if none; 200 for a
	                              file:// URL that was read */
	struct qgtm_buf body;      /* owned */
	long retry_after_s;        /* from Retry-After, -1 if absent */
	int attempts;
	long ratelimit_reset;      /* X-RateLimit-Reset (Unix seconds), 0 if
	                              absent */
	long waited_ms;            /* the waits made between attempts so far */
};

/* qgtm_http_req_init: method "GET", no URL, headers, body or signal, and
 * the rest from the config's http section (cfg may be NULL for built-in
 * defaults). qgtm_http_resp_init: an empty response; no allocation.
 * qgtm_http_resp_release: free the body. */
void qgtm_http_req_init(struct qgtm_http_req *req, const struct qgtm_cfg *cfg);
void qgtm_http_resp_init(struct qgtm_http_resp *resp);
void qgtm_http_resp_release(struct qgtm_http_resp *resp);

/*
 * qgtm_http_retry_wait: the one retry policy of every HTTP client, as a
 * function: the milliseconds to wait after resp (the outcome of attempt
 * number resp->attempts, after resp->waited_ms of waits) before another
 * attempt of req, or -1 when there is to be none. resp->status 0 means
 * no answer came (a timeout or a lost connection). Retryable: no answer,
 * 429, 500, 502, 503 (S3's SlowDown too) and 504; nothing else. The wait
 * is the provider's signal when it gives one, the longest of: req->signal
 * (a wait in the body), Retry-After, and on a 429 X-RateLimit-Reset (the
 * Unix second the window reopens: Alpaca, which sends no Retry-After;
 * https://docs.alpaca.markets/docs/about-market-data-api). Without a
 * signal it is req->backoff_ms * 2^n (n-th retry, from 0) with +-25%
 * jitter. -1 when req->retries retries were made, or when the wait would
 * take the waits past req->wait_max_ms (a provider asking for more than
 * that is not retried: its answer stands). It does not look at
 * idempotence: qgtm_http_do retries only idempotent requests; a caller
 * that re-sends another (an order) must first find out that the earlier
 * attempt did not land (e.g. by a client order id), then may use this
 * wait. Pure but for the jitter and the clock.
 */
long qgtm_http_retry_wait(const struct qgtm_http_req *req,
    const struct qgtm_http_resp *resp);

/*
 * qgtm_http_do: perform req. Idempotent requests are retried under
 * qgtm_http_retry_wait (connection errors and timeouts count as no
 * answer); others are never retried. A wait that would overrun
 * timeout_ms is not made either: the last outcome stands. Returns 0 when
 * a response arrived (any status; see resp->status), or -1:
 * QGTM_EX_TEMPFAIL for timeouts and connection failures, QGTM_EX_PROTOCOL
 * for a response over max_bytes, QGTM_EX_NOINPUT for an unreadable
 * file:// URL, QGTM_EX_CONFIG for a malformed URL or another scheme than
 * http, https, file. Messages name only scheme://host:port (the path too
 * for file://), never query strings or headers. Only http, https and
 * file URLs are allowed, and redirects are not followed. After -1 a
 * non-idempotent request may or may not have reached the server: the
 * caller must find out. resp is reset on each attempt but for attempts
 * (which counts them) and waited_ms (which sums the waits).
 */
int qgtm_http_do(const struct qgtm_http_req *req, struct qgtm_http_resp *resp);

/*
 * qgtm_http_status_code: the exit code for a final HTTP status:
 * 2xx -> 0, 401/403 -> NOPERM, 429 -> TEMPFAIL, other 4xx -> UNAVAILABLE,
 * 5xx -> UNAVAILABLE, anything else (0, 1xx, 3xx) -> PROTOCOL.
 */
int qgtm_http_status_code(long status);

/* ------------------------------------------------------------- audit -- */

/*
 * An S3 bucket and prefix with credentials (lib/net/s3.c). Requests are
 * signed with SigV4 by libcurl (CURLOPT_AWS_SIGV4, "aws:amz:REGION:s3")
 * and go to qgtm_s3_url(); a 500 or 503 (SlowDown) is retried under the
 * one retry policy of every HTTP client (qgtm_http_retry_wait, with the
 * http section's retries, backoff_ms and retry_wait_max_ms).
 */
struct qgtm_s3 {
	char *bucket, *prefix;          /* prefix: "" or as given */
	char *endpoint, *region;
	char *access_key, *secret_key;  /* registered secrets */
	struct qgtm_http_req retry;     /* its retry policy fields only */
};

/* The lock of an object's newest version, as S3 reads it back. */
struct qgtm_s3_lock {
	char mode[16];          /* "COMPLIANCE", "GOVERNANCE" or "" */
	char until[40];         /* its RetainUntilDate, or "" */
	char legal_hold[8];     /* "ON", "OFF" or "" (not sent) */
	char version[256];      /* its version id, or "" */
};

/*
 * qgtm_s3_url: the URL of key (NULL: the bucket) with query (NULL: none,
 * else already in SigV4's canonical form): https://BUCKET.s3.REGION.
 * amazonaws.com/KEY; path-style https://s3.REGION.amazonaws.com/BUCKET/KEY
 * for a bucket name with a dot (the certificate matches no dotted name);
 * ENDPOINT/BUCKET/KEY when audit.s3_endpoint is set. The key is URI-
 * encoded as SigV4's canonical URI has it: each byte but A-Z a-z 0-9
 * - _ . ~ and '/' as %XX. A new string (free()).
 */
char *qgtm_s3_url(const struct qgtm_s3 *s3, const char *key,
    const char *query);

/*
 * qgtm_s3_open: bucket and prefix from url ("s3://bucket/prefix"; NULL or
 * "": audit.export_to), endpoint and region from audit.s3_endpoint and
 * audit.s3_region, the keys from $AWS_ACCESS_KEY_ID and
 * $AWS_SECRET_ACCESS_KEY or the 0600 files of audit.s3_access_key_file
 * and audit.s3_secret_key_file (qgtm_cfg_secret). Returns 0 (release with
 * qgtm_s3_release) or -1: QGTM_EX_SOFTWARE when libcurl cannot be loaded,
 * QGTM_EX_USAGE for a bad url, as qgtm_cfg_secret otherwise.
 */
int qgtm_s3_open(struct qgtm_s3 *s3, const struct qgtm_cfg *cfg,
    const char *url);
void qgtm_s3_release(struct qgtm_s3 *s3);

/*
 * qgtm_s3_put_locked: PUT the n bytes at body as key (the whole object
 * key, prefix included) with headers
 * x-amz-object-lock-mode: COMPLIANCE, x-amz-object-lock-retain-until-date:
 * retain_until, Content-MD5 (base64) and x-amz-checksum-sha256 (base64)
 * with x-amz-sdk-checksum-algorithm: SHA256 (S3 requires Content-MD5 or
 * an SDK checksum with Object Lock headers), x-amz-content-sha256 (hex),
 * all signed; then reads the lock back (qgtm_s3_retention) into *got (if
 * not NULL) and requires COMPLIANCE until retain_until or later: HTTP 200
 * alone is no proof. Returns 0, else -1: QGTM_EX_NOPERM (403),
 * QGTM_EX_UNAVAILABLE (other statuses, with S3's error code and message),
 * QGTM_EX_TEMPFAIL (no answer), QGTM_EX_NO (the lock read back is not
 * that, in one line naming what it is).
 */
int qgtm_s3_put_locked(const struct qgtm_s3 *s3, const char *key,
    const void *body, size_t n, const char *retain_until,
    struct qgtm_s3_lock *got);
/*
 * qgtm_s3_retention: the lock of key's version (NULL or "": its newest)
 * into *lk: Mode and RetainUntilDate from GET key?retention
 * (GetObjectRetention; "" for S3's 404 NoSuchObjectLockConfiguration: no
 * retention), then the legal hold and version id from HeadObject
 * (x-amz-object-lock-legal-hold, x-amz-version-id), whose
 * x-amz-object-lock-mode and -retain-until-date stand in when
 * GetObjectRetention gives no Retention document. Returns 0, or -1 as
 * qgtm_s3_put_locked.
 */
int qgtm_s3_retention(const struct qgtm_s3 *s3, const char *key,
    const char *version, struct qgtm_s3_lock *lk);
/*
 * qgtm_s3_newest: the greatest key under the bucket's prefix followed by
 * sub (e.g. "checkpoints/"), over all object versions (ListObjectVersions,
 * so that a delete marker hides nothing), its newest version and that
 * version's body: *key (a new allocation, free(); the whole key),
 * *version (if version is not NULL; a new allocation, "" where S3 gives
 * none) and body (NUL-terminated; NULL: no GetObject). Returns 1, 0 when
 * there is none, or -1 as qgtm_s3_put_locked.
 */
int qgtm_s3_newest(const struct qgtm_s3 *s3, const char *sub, char **key,
    char **version, struct qgtm_buf *body);

/*
 * qgtm_s3_lock_status: GET the bucket's Object Lock configuration
 * (?object-lock) into *out, an "audit_lock_status" record (bucket,
 * enabled, mode, days or years of the default retention; NULL when there
 * was no answer to read). Returns 0 only if Object Lock is enabled in
 * COMPLIANCE mode with a default retention; else -1, QGTM_EX_NO for
 * another configuration, as qgtm_s3_put_locked for a failed request
 * (404: the bucket has none).
 */
int qgtm_s3_lock_status(const struct qgtm_s3 *s3, json_t **out);

/*
 * qgtm_s3_probe: prove that the bucket refuses what Object Lock forbids,
 * on an object of its own: PUT key locked until retain_until (as
 * qgtm_s3_put_locked), then PUT a retention one day shorter
 * (PutObjectRetention ?retention&versionId, with Content-MD5) and DELETE
 * that version (DeleteObject ?versionId); S3 answers both 403
 * AccessDenied under COMPLIANCE. *out
 * gets an "audit_lock_probe" record (key, version_id, delete and shorten:
 * "refused" or "accepted", with their HTTP statuses), or NULL when the
 * upload failed. Never touches another key. Returns 0 when both were
 * refused; else -1: QGTM_EX_NO when S3 accepted one (naming it),
 * QGTM_EX_UNAVAILABLE for another answer than 403, as
 * qgtm_s3_put_locked for a failed upload.
 */
int qgtm_s3_probe(const struct qgtm_s3 *s3, const char *key,
    const char *retain_until, json_t **out);

/* ------------------------------------------------------------- alert -- */

/*
 * qgtm_alert_send: post text (cut to Discord's 2000 characters by
 * qgtm_utf8_cut, so any bytes are sent as valid UTF-8) as the content of
 * a message, with mentions disabled (qgtm_discord_body), to the Discord
 * webhook whose URL is in $QGTM_DISCORD_WEBHOOK_URL or the key file
 * alert.discord_webhook_file (lib/net/alert.c). Not retried. Returns 0 when it was delivered or when no
 * webhook is configured, or -1: the key file cannot be read, the request
 * failed, or the webhook answered other than 2xx. Callers treat -1 as a
 * warning: an alert never stops the act it reports.
 */
int qgtm_alert_send(const struct qgtm_cfg *cfg, const char *text);

/*
 * qgtm_discord_webhook: the Discord webhook URL from
 * $QGTM_DISCORD_WEBHOOK_URL or the key file alert.discord_webhook_file
 * into *url (a new string the caller frees). Returns 1, 0 when none is
 * configured (*url NULL), or -1 when the key file cannot be read.
 */
int qgtm_discord_webhook(const struct qgtm_cfg *cfg, char **url);

/*
 * qgtm_discord_body: the JSON body of a webhook message with content:
 * {"content": content, "allowed_mentions": {"parse": []}}, so a mention
 * in the text (@everyone, @here, a role or a user) is shown and pings no
 * one. A new string, or NULL (QGTM_EX_DATAERR) when content is not valid
 * UTF-8 (qgtm_utf8_cut makes any text valid).
 */
char *qgtm_discord_body(const char *content);

/*
 * qgtm_discord_url: the URL a message to the webhook url goes to: its
 * /api/webhooks/ or /api/vN/webhooks/ made /api/v10/webhooks/ (API v10,
 * where a 429's retry_after counts seconds), with wait=true added to its
 * query (Discord then answers with the saved message, or an error). A new
 * string (free()).
 */
char *qgtm_discord_url(const char *url);

/*
 * qgtm_discord_post: post content (at most 2000 characters, Discord's
 * limit) as one message to the webhook url (through qgtm_discord_url),
 * waiting out each 429 its retry_after seconds as long as the waits add
 * up to at most wait_max_s seconds (0: no wait). Returns 0 when Discord
 * answered 2xx with the saved message (which has an id), or -1 with an
 * error that never names the URL (content that is not valid UTF-8 is an
 * error before any request).
 */
int qgtm_discord_post(const struct qgtm_cfg *cfg, const char *url,
    const char *content, double wait_max_s);

/* ------------------------------------------------------------ digest -- */

/*
 * qgtm_smtp_send: mail subject and body (UTF-8 text, lines folded at 998
 * octets) from digest.email.from to each of digest.email.to through the
 * SMTP server digest.email.url (smtp:// or smtps://; STARTTLS required
 * with digest.email.starttls "always" and whenever a user is set, so the
 * password never goes in clear text), logging in as digest.email.user
 * with the password of $QGTM_SMTP_PASSWORD or digest.email.password_file
 * when a user is set (lib/net/smtp.c). Headers: From, To, Subject, Date,
 * Message-ID, MIME-Version, Content-Type text/plain; charset=UTF-8.
 * Returns 1 when no server or no recipient is configured, 0 when every
 * recipient took it, or -1 with an error that never holds the password
 * (QGTM_EX_UNAVAILABLE "smtp: the server offers no STARTTLS: ..." when
 * TLS is required and the server does not offer it).
 */
int qgtm_smtp_send(const struct qgtm_cfg *cfg, const char *subject,
    const char *body);

#include "banned.h"

#endif /* QGTM_NET_H */
