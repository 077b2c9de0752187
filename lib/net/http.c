/*
 * http.c: one HTTP request through libcurl's easy interface, with a capped
 * response body, a time budget for the whole call, and the one retry
 * policy of every client (qgtm_http_retry_wait): the provider's signal
 * (a body hook, Retry-After, X-RateLimit-Reset) or exponential backoff
 * with jitter, the waits capped, for idempotent requests only.
 * Error messages name the origin (scheme://host:port) and nothing else of
 * the URL, since paths, query strings and headers may carry keys.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "net/curl_int.h"

#include "net/net.h"

#define DEFAULT_CONNECT_TIMEOUT_MS 5000
#define DEFAULT_TIMEOUT_MS 30000
#define DEFAULT_MAX_BYTES (16 * 1024 * 1024)
#define DEFAULT_RETRIES 3
#define DEFAULT_BACKOFF_MS 500
#define DEFAULT_WAIT_MAX_MS 20000

/* One call of qgtm_http_do: the handle, and what the callbacks fill in. */
struct xfer {
	CURL *curl;
	struct curl_slist *headers;
	const struct qgtm_http_req *req;
	struct qgtm_http_resp *resp;
	char origin[512];       /* scheme://host:port, for messages and logs */
	long long deadline;     /* monotonic ms at which the budget ends */
	int idempotent;
	int too_big;            /* the body callback hit max_bytes */
};

static unsigned short jitter_state[3];

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(long long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
	    .tv_nsec = (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * curl_global_init is not thread-safe (libcurl-env(3)); our programs are
 * single-threaded, so a flag is enough. Also seeds the backoff jitter.
 */
static int
http_global_init(void)
{
	static int done;
	struct timespec ts;

	if (done)
		return 0;
	if (qgtm_curl_load() == -1)
		return -1;
	if (qgtm_curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return qgtm_seterr(QGTM_EX_SOFTWARE, "cannot initialise libcurl");
	clock_gettime(CLOCK_REALTIME, &ts);
	jitter_state[0] = (unsigned short)getpid();
	jitter_state[1] = (unsigned short)ts.tv_sec;
	jitter_state[2] = (unsigned short)ts.tv_nsec;
	done = 1;
	return 0;
}

void
qgtm_http_req_init(struct qgtm_http_req *req, const struct qgtm_cfg *cfg)
{
	*req = (struct qgtm_http_req){
		.method = "GET",
		.url = NULL,
		.headers = NULL,
		.body = NULL,
		.connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS,
		.timeout_ms = DEFAULT_TIMEOUT_MS,
		.max_bytes = DEFAULT_MAX_BYTES,
		.retries = DEFAULT_RETRIES,
		.idempotent = -1,
		.backoff_ms = DEFAULT_BACKOFF_MS,
		.wait_max_ms = DEFAULT_WAIT_MAX_MS,
		.signal = NULL,
		.signal_arg = NULL,
	};
	if (cfg == NULL)
		return;
	req->connect_timeout_ms = (long)qgtm_cfg_int(cfg,
	    "http.connect_timeout_ms");
	req->timeout_ms = (long)qgtm_cfg_int(cfg, "http.timeout_ms");
	req->max_bytes = (size_t)qgtm_cfg_int(cfg, "http.max_response_bytes");
	req->retries = (int)qgtm_cfg_int(cfg, "http.retries");
	req->backoff_ms = (long)qgtm_cfg_int(cfg, "http.backoff_ms");
	req->wait_max_ms = (long)qgtm_cfg_int(cfg, "http.retry_wait_max_ms");
}

void
qgtm_http_resp_init(struct qgtm_http_resp *resp)
{
	resp->status = 0;
	qgtm_buf_init(&resp->body, DEFAULT_MAX_BYTES);
	resp->retry_after_s = -1;
	resp->attempts = 0;
	resp->ratelimit_reset = 0;
	resp->waited_ms = 0;
}

void
qgtm_http_resp_release(struct qgtm_http_resp *resp)
{
	qgtm_buf_release(&resp->body);
}

/*
 * Write "scheme://host:port" of url into out; for file: URLs, which have
 * no host, "file://" and the path. Nothing else of the URL is kept.
 */
static void
url_origin(const char *url, char *out, size_t outsz)
{
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	CURLU *u = qgtm_curl.url();

	snprintf(out, outsz, "(invalid URL)");
	if (u == NULL || url == NULL ||
	    qgtm_curl.url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    qgtm_curl.url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
		goto done;
	if (strcmp(scheme, "file") == 0) {
		if (qgtm_curl.url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK)
			snprintf(out, outsz, "file://%s", path);
	} else if (qgtm_curl.url_get(u, CURLUPART_HOST, &host, 0) ==
	    CURLUE_OK &&
	    qgtm_curl.url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) ==
	    CURLUE_OK)
		snprintf(out, outsz, "%s://%s:%s", scheme, host, port);
done:
	qgtm_curl.free(scheme);
	qgtm_curl.free(host);
	qgtm_curl.free(port);
	qgtm_curl.free(path);
	qgtm_curl.url_cleanup(u);
}

/*
 * Retry-After = HTTP-date / delay-seconds (RFC 9110 section 10.2.3).
 * Returns seconds from now (0 for a date in the past), or -1 if v is
 * neither. curl_getdate(3) parses the HTTP-date forms.
 */
static long
parse_retry_after(const char *v)
{
	time_t t, now;
	char *end;
	long n;

	if (isdigit((unsigned char)*v)) {
		n = strtol(v, &end, 10);    /* LONG_MAX on overflow: "long" */
		return *end == '\0' ? n : -1;
	}
	if ((t = qgtm_curl.getdate(v, NULL)) == -1)
		return -1;
	now = time(NULL);
	return t > now ? (long)(t - now) : 0;
}

/* CURLOPT_HEADERFUNCTION: note Retry-After and X-RateLimit-Reset (Unix
 * seconds; Alpaca, docs.alpaca.markets/docs/rate-limits). */
static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	static const char name[] = "Retry-After:";
	static const char reset[] = "X-RateLimit-Reset:";
	const size_t namelen = sizeof name - 1;
	struct xfer *x = arg;
	size_t len = size * n, total = len;
	char v[64];

	if (len > sizeof reset - 1 && len - (sizeof reset - 1) < sizeof v &&
	    strncasecmp(p, reset, sizeof reset - 1) == 0) {
		memcpy(v, p + sizeof reset - 1, len - (sizeof reset - 1));
		v[len - (sizeof reset - 1)] = '\0';
		x->resp->ratelimit_reset = strtol(v, NULL, 10);
		return total;
	}
	if (len < namelen || strncasecmp(p, name, namelen) != 0)
		return total;
	p += namelen;
	len -= namelen;
	while (len > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)p[len - 1]))
		len--;
	if (len < sizeof v) {
		memcpy(v, p, len);
		v[len] = '\0';
		x->resp->retry_after_s = parse_retry_after(v);
	}
	return total;
}

/* CURLOPT_WRITEFUNCTION: append to the body; past the cap, abort. */
static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;

	if (qgtm_buf_add(&x->resp->body, p, size * n) == -1) {
		x->too_big = 1;
		return 0;   /* anything short aborts with CURLE_WRITE_ERROR */
	}
	return size * n;
}

/* Idempotent methods: RFC 9110 section 9.2.2 (TRACE left out). */
static int
method_is_idempotent(const char *method)
{
	static const char *const idem[] = { "GET", "HEAD", "OPTIONS", "PUT",
	    "DELETE" };
	size_t i;

	for (i = 0; i < sizeof idem / sizeof idem[0]; i++)
		if (strcmp(method, idem[i]) == 0)
			return 1;
	return 0;
}

/*
 * GET is curl's default and a request body makes it a POST; any other
 * method, or a body with another method, needs CURLOPT_CUSTOMREQUEST.
 * HEAD needs CURLOPT_NOBODY, or curl would wait for a body.
 */
static void
set_method(CURL *c, const struct qgtm_http_req *req)
{
	const char *m = req->method;

	if (strcmp(m, "HEAD") == 0) {
		qgtm_curl.easy_setopt(c, CURLOPT_NOBODY, 1L);
		return;
	}
	if (req->body != NULL || strcmp(m, "POST") == 0) {
		qgtm_curl.easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)(req->body != NULL ? req->body_len : 0));
		qgtm_curl.easy_setopt(c, CURLOPT_POSTFIELDS,
		    req->body != NULL ? req->body : "");
	}
	if (strcmp(m, "POST") != 0 &&
	    (req->body != NULL || strcmp(m, "GET") != 0))
		qgtm_curl.easy_setopt(c, CURLOPT_CUSTOMREQUEST, m);
}

static int
set_headers(struct xfer *x)
{
	const char *const *h;
	struct curl_slist *l;

	for (h = x->req->headers; h != NULL && *h != NULL; h++) {
		if ((l = qgtm_curl.slist_append(x->headers, *h)) == NULL)
			return qgtm_seterr(QGTM_EX_OSERR,
			    "out of memory for request headers");
		x->headers = l;
	}
	qgtm_curl.easy_setopt(x->curl, CURLOPT_HTTPHEADER, x->headers);
	return 0;
}

static int
set_options(struct xfer *x)
{
	CURL *c = x->curl;

	if (qgtm_curl.easy_setopt(c, CURLOPT_PROTOCOLS_STR,
	    "http,https,file") != CURLE_OK)
		return qgtm_seterr(QGTM_EX_SOFTWARE,
		    "libcurl cannot restrict protocols");
	qgtm_curl.easy_setopt(c, CURLOPT_URL, x->req->url);
	qgtm_curl.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	qgtm_curl.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	qgtm_curl.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    x->req->connect_timeout_ms);
	qgtm_curl.easy_setopt(c, CURLOPT_USERAGENT, "qgtm/" QGTM_VERSION);
	qgtm_curl.easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	qgtm_curl.easy_setopt(c, CURLOPT_HEADERDATA, x);
	qgtm_curl.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	qgtm_curl.easy_setopt(c, CURLOPT_WRITEDATA, x);
	set_method(c, x->req);
	return set_headers(x);
}

static void
xfer_close(struct xfer *x)
{
	qgtm_curl.slist_free_all(x->headers);
	qgtm_curl.easy_cleanup(x->curl);
}

static int
xfer_open(struct xfer *x, const struct qgtm_http_req *req,
    struct qgtm_http_resp *resp)
{
	*x = (struct xfer){ .curl = NULL, .headers = NULL, .req = req,
	    .resp = resp };
	if (http_global_init() == -1)
		return -1;
	if ((x->curl = qgtm_curl.easy_init()) == NULL)
		return qgtm_seterr(QGTM_EX_SOFTWARE,
		    "cannot create a libcurl handle");
	if (set_options(x) == -1) {
		xfer_close(x);
		return -1;
	}
	url_origin(req->url, x->origin, sizeof x->origin);
	x->idempotent = req->idempotent != -1 ? req->idempotent :
	    method_is_idempotent(req->method);
	x->deadline = now_ms() + req->timeout_ms;
	resp->attempts = 0;
	resp->waited_ms = 0;
	return 0;
}

/* One attempt within what is left of the budget; resp starts afresh. */
static CURLcode
attempt(struct xfer *x)
{
	struct qgtm_http_resp *resp = x->resp;
	long long start = now_ms(), left = x->deadline - start;
	CURLcode rc;

	resp->status = 0;
	resp->retry_after_s = -1;
	resp->ratelimit_reset = 0;
	qgtm_buf_reset(&resp->body);
	resp->body.max = x->req->max_bytes;
	resp->attempts++;
	x->too_big = 0;
	/* 0 would mean "no timeout" to curl */
	qgtm_curl.easy_setopt(x->curl, CURLOPT_TIMEOUT_MS,
	    left > 0 ? (long)left : 1L);
	if (qgtm_fault(QGTM_FAULT_NET))         /* QGTM_FAULT=net:N */
		rc = CURLE_COULDNT_CONNECT;
	else {
		rc = qgtm_curl.easy_perform(x->curl);
		qgtm_curl.easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE,
		    &resp->status);
	}
	if (rc == CURLE_OK && resp->status == 0)
		resp->status = 200;     /* file: has no status; read is found */
	QGTM_DEBUG("http method=%s host=%s status=%ld attempt=%d ms=%lld "
	    "curl=%d", x->req->method, x->origin, resp->status,
	    resp->attempts, now_ms() - start, (int)rc);
	return rc;
}

/* A failure of the transfer after which the request may be tried
 * again: no answer came, or it was cut. */
static int
retryable_curl(CURLcode rc)
{
	switch (rc) {
	case CURLE_OK:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
		return 1;
	default:
		return 0;
	}
}

/* No answer (0), too many requests, or a server error that says nothing
 * about the request (S3's 503 SlowDown: "reduce your request rate",
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html). */
static int
retryable_status(long status)
{
	return status == 0 || status == 429 || status == 500 ||
	    status == 502 || status == 503 || status == 504;
}

/* The wall clock in ms: X-RateLimit-Reset is a Unix time. */
static long long
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The longest wait the provider asks for in resp, in ms, or -1. */
static double
signal_ms(const struct qgtm_http_req *req, const struct qgtm_http_resp *resp)
{
	double ms = -1, s;

	if (resp->status == 0)
		return -1;
	if (req->signal != NULL && (s = req->signal(resp, req->signal_arg)) >=
	    0)
		ms = s * 1000.0;
	if (resp->retry_after_s >= 0 && resp->retry_after_s * 1000.0 > ms)
		ms = resp->retry_after_s * 1000.0;
	if (resp->status == 429 && resp->ratelimit_reset > 0) {
		s = (double)(resp->ratelimit_reset * 1000LL - wall_ms());
		if ((s > 0 ? s : 0) > ms)
			ms = s > 0 ? s : 0;
	}
	return ms;
}

long
qgtm_http_retry_wait(const struct qgtm_http_req *req,
    const struct qgtm_http_resp *resp)
{
	int n = resp->attempts - 1;
	double ms;

	if (n < 0 || n >= req->retries || !retryable_status(resp->status))
		return -1;
	if ((ms = signal_ms(req, resp)) < 0)
		ms = req->backoff_ms * ldexp(0.75 + 0.5 *
		    erand48(jitter_state), n);
	if (ms > (double)req->wait_max_ms - resp->waited_ms)
		return -1;
	return (long)ceil(ms);
}

static int
curl_exit_code(CURLcode rc)
{
	switch (rc) {
	case CURLE_FILE_COULDNT_READ_FILE:
		return QGTM_EX_NOINPUT;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return QGTM_EX_CONFIG;
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_BAD_CONTENT_ENCODING:
		return QGTM_EX_PROTOCOL;
	default:
		return QGTM_EX_TEMPFAIL;
	}
}

int
qgtm_http_do(const struct qgtm_http_req *req, struct qgtm_http_resp *resp)
{
	struct xfer x;
	struct qgtm_http_resp lost;
	CURLcode rc;
	long wait;

	if (xfer_open(&x, req, resp) == -1)
		return -1;
	for (;;) {
		rc = attempt(&x);
		if (!x.idempotent || !retryable_curl(rc))
			break;
		lost = *resp;           /* a cut answer is no answer */
		if (rc != CURLE_OK)
			lost.status = 0;
		wait = qgtm_http_retry_wait(req, &lost);
		if (wait < 0 || wait >= x.deadline - now_ms())
			break;
		sleep_ms(wait);
		resp->waited_ms += wait;
	}
	xfer_close(&x);
	if (x.too_big)
		return qgtm_seterr(QGTM_EX_PROTOCOL,
		    "response from %s exceeds %zu bytes", x.origin,
		    req->max_bytes);
	if (rc != CURLE_OK)
		return qgtm_seterr(curl_exit_code(rc),
		    "cannot reach %s: %s (%d attempt%s)", x.origin,
		    qgtm_curl.easy_strerror(rc), resp->attempts,
		    resp->attempts == 1 ? "" : "s");
	return 0;
}

int
qgtm_http_status_code(long status)
{
	if (status >= 200 && status <= 299)
		return QGTM_EX_OK;
	if (status == 401 || status == 403)
		return QGTM_EX_NOPERM;
	if (status == 429)
		return QGTM_EX_TEMPFAIL;
	if (status >= 400 && status <= 599)
		return QGTM_EX_UNAVAILABLE;
	return QGTM_EX_PROTOCOL;
}
