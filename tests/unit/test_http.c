/*
 * test_http.c: qgtm_http_do against a real HTTP/1.1 server on loopback.
 * A forked child serves a script of canned responses, one per connection,
 * records each request it read in the test's tmp dir, then exits.
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"
#include "net/curl_int.h"

/* A script entry that reads the request and never answers. */
#define HANG NULL
#define MAX_REQUEST 65536

/* A canned response; its body ends where the server closes. */
#define RESP(status, headers, body) \
	"HTTP/1.1 " status "\r\nConnection: close\r\n" headers "\r\n" body

static struct {
	pid_t pid;
	int port;
	char *dir;
	char url[256];
} srv;

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A TCP socket bound to 127.0.0.1 on a free port, stored in *port. */
static int
bind_loopback(int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ne(fd, -1);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

/* Read one request: headers, then Content-Length bytes of body. */
static void
read_request(int fd, char *buf, size_t size)
{
	size_t len = 0, need = SIZE_MAX;
	char *eoh, *cl;
	ssize_t n;

	while (len < need && len < size - 1 &&
	    (n = read(fd, buf + len, size - 1 - len)) > 0) {
		len += (size_t)n;
		buf[len] = '\0';
		if (need != SIZE_MAX ||
		    (eoh = strstr(buf, "\r\n\r\n")) == NULL)
			continue;
		cl = strcasestr(buf, "\r\nContent-Length:");
		need = (size_t)(eoh + 4 - buf);
		if (cl != NULL && cl < eoh)
			need += strtoul(cl + 17, NULL, 10);
	}
	buf[len] = '\0';
}

/* The child: one connection per script entry, then exit. */
static void __attribute__((noreturn))
serve(int lfd, const char *const *script, int n)
{
	char req[MAX_REQUEST], path[512];
	int i, c;

	alarm(10);      /* never outlive a broken test */
	for (i = 0; i < n; i++) {
		if ((c = accept(lfd, NULL, NULL)) == -1)
			_exit(2);
		read_request(c, req, sizeof req);
		snprintf(path, sizeof path, "%s/req.%d", srv.dir, i);
		unit_write_file(path, req);
		if (script[i] == HANG)
			while (read(c, req, sizeof req) > 0)
				;
		else if (write(c, script[i], strlen(script[i])) == -1)
			_exit(3);
		close(c);
	}
	_exit(0);
}

/* Start the server with n scripted responses; srv.url is its base. */
static void
server_start(const char *const *script, int n)
{
	int lfd = bind_loopback(&srv.port);

	ck_assert_int_eq(listen(lfd, 8), 0);
	srv.pid = fork();
	ck_assert_int_ne(srv.pid, -1);
	if (srv.pid == 0)
		serve(lfd, script, n);
	close(lfd);
	snprintf(srv.url, sizeof srv.url, "http://127.0.0.1:%d", srv.port);
}

/* Wait for the server and check it served its whole script. */
static void
server_wait(void)
{
	int st;

	ck_assert_int_eq(waitpid(srv.pid, &st, 0), srv.pid);
	srv.pid = -1;
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "server did not finish its script (status %d)", st);
}

/* The n-th request the server read (a new allocation). */
static char *
server_request(int n)
{
	char *path = qgtm_xasprintf("%s/req.%d", srv.dir, n);
	char *text = unit_read_file(path);

	free(path);
	ck_assert_ptr_nonnull(text);
	return text;
}

static void
setup(void)
{
	srv.pid = -1;
	srv.dir = unit_tmpdir();
	/* libcurl loads on first use (net/curl_int.h): load it before the
	 * timed requests, which a slow run (valgrind) would otherwise pay
	 * for inside their waits. */
	ck_assert_int_eq(qgtm_curl_load(), 0);
}

static void
teardown(void)
{
	char *cmd;

	if (srv.pid > 0) {
		kill(srv.pid, SIGKILL);
		waitpid(srv.pid, NULL, 0);
	}
	cmd = qgtm_xasprintf("rm -rf '%s'", srv.dir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	free(srv.dir);
}

/* A GET of srv.url + path with quick retries. */
static void
get_req(struct qgtm_http_req *req, char *url, size_t urlsz, const char *path)
{
	qgtm_http_req_init(req, NULL);
	snprintf(url, urlsz, "%s%s", srv.url, path);
	req->url = url;
	req->backoff_ms = 1;
}

/* Start the server with n scripted responses, a GET of path at it into
 * req (url its buffer) and an empty resp: every scripted test's start. */
static void
scripted(const char *const *script, int n, struct qgtm_http_req *req,
    char *url, size_t urlsz, const char *path, struct qgtm_http_resp *resp)
{
	server_start(script, n);
	get_req(req, url, urlsz, path);
	qgtm_http_resp_init(resp);
}

/* Every scripted test's end: the whole script served, resp released. */
static void
scripted_end(struct qgtm_http_resp *resp)
{
	server_wait();
	qgtm_http_resp_release(resp);
}

START_TEST(test_req_init_defaults)
{
	struct qgtm_http_req req;

	qgtm_http_req_init(&req, NULL);
	ck_assert_str_eq(req.method, "GET");
	ck_assert_ptr_null(req.url);
	ck_assert_ptr_null(req.body);
	ck_assert_int_eq(req.connect_timeout_ms, 5000);
	ck_assert_int_eq(req.timeout_ms, 30000);
	ck_assert_uint_eq(req.max_bytes, 16 * 1024 * 1024);
	ck_assert_int_eq(req.retries, 3);
	ck_assert_int_eq(req.backoff_ms, 500);
	ck_assert_int_eq(req.wait_max_ms, 20000);
	ck_assert_ptr_null(req.signal);
	ck_assert_int_eq(req.idempotent, -1);
}
END_TEST

START_TEST(test_req_init_from_cfg)
{
	struct qgtm_http_req req;
	struct qgtm_cfg cfg;
	char *path = qgtm_xasprintf("%s/qgtm.yaml", srv.dir);

	unit_write_file(path, "http:\n  connect_timeout_ms: 111\n"
	    "  timeout_ms: 222\n  retries: 0\n  backoff_ms: 33\n"
	    "  max_response_bytes: 4444\n  retry_wait_max_ms: 55\n");
	ck_assert_msg(qgtm_cfg_load(&cfg, path) == 0, "%s", qgtm_errmsg());
	qgtm_http_req_init(&req, &cfg);
	ck_assert_str_eq(req.method, "GET");
	ck_assert_int_eq(req.connect_timeout_ms, 111);
	ck_assert_int_eq(req.timeout_ms, 222);
	ck_assert_int_eq(req.retries, 0);
	ck_assert_int_eq(req.backoff_ms, 33);
	ck_assert_uint_eq(req.max_bytes, 4444);
	ck_assert_int_eq(req.wait_max_ms, 55);
	ck_assert_int_eq(req.idempotent, -1);
	qgtm_cfg_release(&cfg);
	free(path);
}
END_TEST

START_TEST(test_get_200_body)
{
	static const char *const script[] = {
		RESP("200 OK", "Content-Length: 5\r\n", "hello"),
	};
	struct qgtm_http_req req;
	struct qgtm_http_resp resp;
	char url[300], *sent;

	scripted(script, 1, &req, url, sizeof url, "/v2/bars?symbols=SPY", &resp);
	ck_assert_int_eq(qgtm_http_do(&req, &resp), 0);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_uint_eq(resp.body.len, 5);
	ck_assert_str_eq(resp.body.data, "hello");
	ck_assert_int_eq(resp.attempts, 1);
	ck_assert_int_eq(resp.retry_after_s, -1);
	ck_assert_int_eq(qgtm_http_status_code(resp.status), QGTM_EX_OK);
	server_wait();
	sent = server_request(0);
	ck_assert_msg(strncmp(sent, "GET /v2/bars?symbols=SPY HTTP/1.1\r\n",
	    35) == 0, "request line: %.40s", sent);
	free(sent);
	qgtm_http_resp_release(&resp);
}
END_TEST

START_TEST(test_404_not_retried)
{
	static const char *const script[] = {
		RESP("404 Not Found", "", "no such symbol"),
	};
	struct qgtm_http_req req;
	struct qgtm_http_resp resp;
	char url[300];

	scripted(script, 1, &req, url, sizeof url, "/nope", &resp);
	ck_assert_int_eq(qgtm_http_do(&req, &resp), 0);
	ck_assert_int_eq(resp.status, 404);
	ck_assert_int_eq(resp.attempts, 1);
	ck_assert_str_eq(resp.body.data, "no such symbol");
	ck_assert_int_eq(qgtm_http_status_code(resp.status),
	    QGTM_EX_UNAVAILABLE);
	scripted_end(&resp);
}
END_TEST

START_TEST(test_503_then_200_get)
{
	static const char *const script[] = {
		RESP("503 Service Unavailable", "", "busy"),
		RESP("200 OK", "", "ok"),
	};
	struct qgtm_http_req req;
	struct qgtm_http_resp resp;
	char url[300];

	scripted(script, 2, &req, url, sizeof url, "/x", &resp);
	ck_assert_int_eq(qgtm_http_do(&req, &resp), 0);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_int_eq(resp.attempts, 2);
	ck_assert_str_eq(resp.body.data, "ok");     /* not "busyok" */
	scripted_end(&resp);
}
END_TEST

START_TEST(test_5xx_exhausted_returns_last)
{
	static const char *const script[] = {
		RESP("500 Internal Server Error", "", ""),
		RESP("502 Bad Gateway", "", ""),
		RESP("504 Gateway Timeout", "", ""),
	};
	struct qgtm_http_req req;
	struct qgtm_http_resp resp;
	char url[300];

	scripted(script, 3, &req, url, sizeof url, "/x", &resp);
	req.retries = 2;
	ck_assert_int_eq(qgtm_http_do(&req, &resp), 0);
	ck_assert_int_eq(resp.status, 504);
	ck_assert_int_eq(resp.attempts, 3);
	scripted_end(&resp);
}
END_TEST

START_TEST(test_503_post_not_retried)
{
	static const char *const script[] = {
		RESP("503 Service Unavailable", "", ""),
	};
	struct qgtm_http_req req;
	struct qgtm_http_resp resp;
	char url[300];

	scripted(script, 1, &req, url, sizeof url, "/v2/orders", &resp);
	req.method = "POST";
	req.body = "{}";
	req.body_len = 2;
	ck_assert_int_eq(qgtm_http_do(&req, &resp), 0);
	ck_assert_int_eq(resp.status, 503);
	ck_assert_int_eq(resp.attempts, 1);
	scripted_end(&resp);
}
END_TEST

START_TEST(test_429_retry_after_waited)
{
	static const char *const script[] = {
		RESP("429 Too Many Requests", "Retry-After: 1\r\n", ""),
		RESP("200 OK", "", "ok"),
	};
	struct qgtm_http_req req;
	struct qgtm_http_resp resp;
	char url[300];
	long long t0;

	scripted(script, 2, &req, url, sizeof url, "/x", &resp);
	t0 = now_ms();
	ck_assert_int_eq(qgtm_http_do(&req, &resp), 0);
	ck_assert_int_ge(now_ms() - t0, 950);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_int_eq(resp.attempts, 2);
	ck_assert_int_eq(resp.retry_after_s, -1);   /* reset per attempt */
	scripted_end(&resp);
}
END_TEST

START_TEST(test_retry_after_past_budget)
{
	static const char *const script[] = {
		RESP("503 Service Unavailable", "Retry-After: 100\r\n", ""),
	};
	struct qgtm_http_req req;
	struct qgtm_http_resp resp;
	char url[300];
	long long t0;

	scripted(script, 1, &req, url, sizeof url, "/x", &resp);
	req.timeout_ms = 5000;
	t0 = now_ms();
	ck_assert_int_eq(qgtm_http_do(&req, &resp), 0);
	ck_assert_int_lt(now_ms() - t0, 1000);
	ck_assert_int_eq(resp.status, 503);
	ck_assert_int_eq(resp.attempts, 1);
	ck_assert_int_eq(resp.retry_after_s, 100);
	scripted_end(&resp);
}
END_TEST

static const struct {
	const char *resp;
	long want;
} retry_after_cases[] = {
	{ RESP("429 Too Many Requests", "Retry-After: 7\r\n", ""), 7 },
	{ RESP("429 Too Many Requests", "retry-after:\t12 \r\n", ""), 12 },
	{ RESP("429 Too Many Requests",
	    "Retry-After: Wed, 21 Oct 2015 07:28:00 GMT\r\n", ""), 0 },
	{ RESP("429 Too Many Requests", "Retry-After: 3s\r\n", ""), -1 },
	{ RESP("429 Too Many Requests", "Retry-After: soon\r\n", ""), -1 },
	{ RESP("429 Too Many Requests", "", ""), -1 },
};

/* Serve one 429 response, make a GET without retries: its Retry-After. */
static long
retry_after_of(const char *response)
{
	const char *script[] = { response };
	struct qgtm_http_req req;
	struct qgtm_http_resp resp;
	char url[300];
	long ra;

	scripted(script, 1, &req, url, sizeof url, "/x", &resp);
	req.retries = 0;
	ck_assert_int_eq(qgtm_http_do(&req, &resp), 0);
	ck_assert_int_eq(resp.status, 429);
	ck_assert_int_eq(qgtm_http_status_code(resp.status),
	    QGTM_EX_TEMPFAIL);
	server_wait();
	ra = resp.retry_after_s;
	qgtm_http_resp_release(&resp);
	return ra;
}

START_TEST(test_retry_after_forms)
{
	ck_assert_int_eq(retry_after_of(retry_after_cases[_i].resp),
	    retry_after_cases[_i].want);
}
END_TEST

START_TEST(test_retry_after_future_date)
{
	char date[64], *response;
	time_t t = time(NULL) + 120;
	struct tm tm;
	long ra;

	gmtime_r(&t, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	response = qgtm_xasprintf(RESP("429 Too Many Requests",
	    "Retry-After: %s\r\n", ""), date);
	ra = retry_after_of(response);
	ck_assert_msg(ra >= 118 && ra <= 120, "Retry-After %s -> %ld", date,
	    ra);
	free(response);
}
END_TEST

/* A provider signal for the tests: the body's number, or -1. */
static double
body_signal(const struct qgtm_http_resp *resp, void *arg)
{
	(void)arg;
	return resp->body.len > 0 ? strtod(resp->body.data, NULL) : -1;
}

/* The wall clock in ms. */
static long long
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* qgtm_http_retry_wait as a table: what is retried and how long. */
static const struct {
	long status, retry_after, reset_in;  /* reset_in: s from now, or 0 */
	int attempts, use_signal;
	const char *body;
	long waited, lo, hi;
} policy_cases[] = {
	{ 404, -1, 0, 1, 0, "", 0, -1, -1 },            /* not retryable */
	{ 200, -1, 5, 1, 0, "", 0, -1, -1 },            /* reset on a 200 */
	{ 429, -1, 0, 1, 0, "", 0, 75, 125 },           /* backoff, jitter */
	{ 429, -1, 0, 2, 0, "", 0, 150, 250 },          /* doubled */
	{ 0, -1, 0, 3, 0, "", 0, 300, 500 },            /* no answer */
	{ 503, -1, 0, 4, 0, "", 0, -1, -1 },            /* retries spent */
	{ 503, 2, 0, 1, 0, "", 0, 2000, 2000 },         /* Retry-After */
	{ 429, -1, 3, 1, 0, "", 0, 1900, 3000 },        /* X-RateLimit-Reset */
	{ 429, 0, 3, 1, 0, "", 0, 1900, 3000 },         /* the longest */
	{ 429, -1, -5, 1, 0, "", 0, 0, 0 },             /* reset passed */
	{ 503, -1, 3, 1, 0, "", 0, 75, 125 },           /* reset: 429 only */
	{ 429, 1, 0, 1, 1, "2.5", 0, 2500, 2500 },      /* body signal */
	{ 429, -1, 0, 1, 1, "-1", 0, 75, 125 },         /* no body signal */
	{ 429, 30, 0, 1, 0, "", 0, -1, -1 },            /* past the cap */
	{ 429, -1, 0, 1, 0, "", 19950, -1, -1 },        /* cap spent */
	{ 503, 5, 0, 1, 0, "", 15000, 5000, 5000 },     /* just within */
};

START_TEST(test_retry_wait_policy)
{
	struct qgtm_http_req req;
	struct qgtm_http_resp resp;
	long w;

	qgtm_http_req_init(&req, NULL);
	req.backoff_ms = 100;
	req.signal = policy_cases[_i].use_signal ? body_signal : NULL;
	qgtm_http_resp_init(&resp);
	resp.status = policy_cases[_i].status;
	resp.retry_after_s = policy_cases[_i].retry_after;
	if (policy_cases[_i].reset_in != 0)
		resp.ratelimit_reset = (long)time(NULL) +
		    policy_cases[_i].reset_in;
	resp.attempts = policy_cases[_i].attempts;
	resp.waited_ms = policy_cases[_i].waited;
	qgtm_buf_addf(&resp.body, "%s", policy_cases[_i].body);
	w = qgtm_http_retry_wait(&req, &resp);
	ck_assert_msg(w >= policy_cases[_i].lo && w <= policy_cases[_i].hi,
	    "case %d: wait %ld, want %ld..%ld", _i, w, policy_cases[_i].lo,
	    policy_cases[_i].hi);
	qgtm_http_resp_release(&resp);
}
END_TEST

/* A 429 with X-RateLimit-Reset and no Retry-After (Alpaca) is waited
 * out until that second, then retried. */
START_TEST(test_429_ratelimit_reset_waited)
{
	long long reset = wall_ms() / 1000 + 2, t0, want;
	char *r429 = qgtm_xasprintf(RESP("429 Too Many Requests",
	    "X-RateLimit-Reset: %lld\r\n", ""), reset);
	const char *script[] = { r429, RESP("200 OK", "", "ok") };
	struct qgtm_http_req req;
	struct qgtm_http_resp resp;
	char url[300];

	scripted(script, 2, &req, url, sizeof url, "/x", &resp);
	t0 = now_ms();
	want = reset * 1000 - wall_ms();
	ck_assert_int_eq(qgtm_http_do(&req, &resp), 0);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_int_eq(resp.attempts, 2);
	/* Not retried before the reset second, nor waited longer than it
	 * asks (the wait is counted from the answer, which a slow run such
	 * as valgrind's gets later than t0). */
	ck_assert_msg(wall_ms() >= reset * 1000 - 50 &&
	    now_ms() - t0 >= want - 50 && resp.waited_ms > 0 &&
	    resp.waited_ms <= want + 50, "waited %ld ms, want at most %lld, "
	    "ending at or after %lld", resp.waited_ms, want, reset * 1000);
	scripted_end(&resp);
	free(r429);
}
END_TEST

/* The request's signal reads the wait from the body (Discord's
 * retry_after, in seconds); a wait past wait_max_ms is not made. */
START_TEST(test_body_signal_waited)
{
	static const char *const script[] = {
		RESP("429 Too Many Requests", "", "0.3"),
		RESP("200 OK", "", "ok"),
		RESP("429 Too Many Requests", "", "3"),
	};
	struct qgtm_http_req req;
	struct qgtm_http_resp resp;
	char url[300];

	scripted(script, 3, &req, url, sizeof url, "/x", &resp);
	req.signal = body_signal;
	req.wait_max_ms = 2000;
	ck_assert_int_eq(qgtm_http_do(&req, &resp), 0);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_int_eq(resp.waited_ms, 300);
	ck_assert_int_eq(qgtm_http_do(&req, &resp), 0);
	ck_assert_int_eq(resp.status, 429);
	ck_assert_int_eq(resp.attempts, 1);
	ck_assert_int_eq(resp.waited_ms, 0);
	scripted_end(&resp);
}
END_TEST

#define BIG_BODY "0123456789abcdefghijklmnopqrstuvwxyz"

static const char *const big_cases[] = {
	RESP("200 OK", "Content-Length: 36\r\n", BIG_BODY),
	RESP("200 OK", "", BIG_BODY),
};

START_TEST(test_body_over_cap)
{
	const char *script[] = { big_cases[_i] };
	struct qgtm_http_req req;
	struct qgtm_http_resp resp;
	char url[300], *want;

	scripted(script, 1, &req, url, sizeof url, "/big", &resp);
	req.max_bytes = 10;
	ck_assert_int_eq(qgtm_http_do(&req, &resp), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_PROTOCOL);
	want = qgtm_xasprintf("response from %s exceeds 10 bytes", srv.url);
	ck_assert_str_eq(qgtm_errmsg(), want);
	ck_assert_int_eq(resp.attempts, 1);
	free(want);
	scripted_end(&resp);
}
END_TEST

START_TEST(test_refused_backoff_hides_secret)
{
	struct qgtm_http_req req;
	struct qgtm_http_resp resp;
	char url[300], *want;
	int fd = bind_loopback(&srv.port);
	long long t0, ms;

	close(fd);      /* nobody listens there now */
	snprintf(srv.url, sizeof srv.url, "http://127.0.0.1:%d", srv.port);
	get_req(&req, url, sizeof url, "/x?apikey=SECRETVALUE");
	req.retries = 2;
	req.backoff_ms = 100;
	qgtm_http_resp_init(&resp);
	t0 = now_ms();
	ck_assert_int_eq(qgtm_http_do(&req, &resp), -1);
	/* waits of 100 and 200 ms, each +-25% */
	ms = now_ms() - t0;
	ck_assert_int_ge(ms, 225);
	ck_assert_int_lt(ms, 1000);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_TEMPFAIL);
	ck_assert_int_eq(resp.attempts, 3);
	ck_assert_int_eq(resp.status, 0);
	want = qgtm_xasprintf("cannot reach %s: ", srv.url);
	ck_assert_msg(strncmp(qgtm_errmsg(), want, strlen(want)) == 0,
	    "message: %s", qgtm_errmsg());
	ck_assert_ptr_null(strstr(qgtm_errmsg(), "SECRETVALUE"));
	ck_assert_ptr_null(strstr(qgtm_errmsg(), "apikey"));
	free(want);
	qgtm_http_resp_release(&resp);
}
END_TEST

START_TEST(test_total_timeout)
{
	static const char *const script[] = { HANG };
	struct qgtm_http_req req;
	struct qgtm_http_resp resp;
	char url[300];
	long long t0, ms;

	scripted(script, 1, &req, url, sizeof url, "/slow", &resp);
	req.timeout_ms = 300;
	t0 = now_ms();
	ck_assert_int_eq(qgtm_http_do(&req, &resp), -1);
	ms = now_ms() - t0;
	ck_assert_int_ge(ms, 250);
	ck_assert_int_lt(ms, 1500);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_TEMPFAIL);
	ck_assert_int_eq(resp.attempts, 1);     /* the budget is spent */
	scripted_end(&resp);
}
END_TEST

START_TEST(test_post_body_and_headers)
{
	static const char *const script[] = {
		RESP("201 Created", "", "{\"id\":\"o1\"}"),
	};
	static const char *const headers[] = {
		"X-Qgtm-Test: yes", "Content-Type: application/json", NULL
	};
	static const char body[] = "{\"qty\":\"5\"}";
	struct qgtm_http_req req;
	struct qgtm_http_resp resp;
	char url[300], *sent;

	scripted(script, 1, &req, url, sizeof url, "/v2/orders", &resp);
	req.method = "POST";
	req.headers = headers;
	req.body = body;
	req.body_len = strlen(body);
	ck_assert_int_eq(qgtm_http_do(&req, &resp), 0);
	ck_assert_int_eq(resp.status, 201);
	ck_assert_str_eq(resp.body.data, "{\"id\":\"o1\"}");
	server_wait();
	sent = server_request(0);
	ck_assert_msg(strncmp(sent, "POST /v2/orders HTTP/1.1\r\n", 26) == 0,
	    "request line: %.40s", sent);
	ck_assert_ptr_nonnull(strstr(sent, "\r\nX-Qgtm-Test: yes\r\n"));
	ck_assert_ptr_nonnull(strstr(sent,
	    "\r\nContent-Type: application/json\r\n"));
	ck_assert_ptr_nonnull(strstr(sent, "\r\nContent-Length: 11\r\n"));
	ck_assert_str_eq(sent + strlen(sent) - strlen(body) - 4,
	    "\r\n\r\n{\"qty\":\"5\"}");
	free(sent);
	qgtm_http_resp_release(&resp);
}
END_TEST

static const struct {
	const char *method, *body, *line;
} method_cases[] = {
	{ "DELETE", NULL, "DELETE /m HTTP/1.1\r\n" },
	{ "PUT", "{}", "PUT /m HTTP/1.1\r\n" },
	{ "PATCH", "{}", "PATCH /m HTTP/1.1\r\n" },
	{ "POST", NULL, "POST /m HTTP/1.1\r\n" },
	{ "HEAD", NULL, "HEAD /m HTTP/1.1\r\n" },
};

START_TEST(test_methods)
{
	static const char *const script[] = { RESP("204 No Content", "", "") };
	struct qgtm_http_req req;
	struct qgtm_http_resp resp;
	char url[300], *sent;

	scripted(script, 1, &req, url, sizeof url, "/m", &resp);
	req.method = method_cases[_i].method;
	req.body = method_cases[_i].body;
	req.body_len = req.body != NULL ? strlen(req.body) : 0;
	ck_assert_int_eq(qgtm_http_do(&req, &resp), 0);
	ck_assert_int_eq(resp.status, 204);
	server_wait();
	sent = server_request(0);
	ck_assert_msg(strncmp(sent, method_cases[_i].line,
	    strlen(method_cases[_i].line)) == 0, "request line: %.40s", sent);
	if (req.body != NULL)
		ck_assert_str_eq(sent + strlen(sent) - strlen(req.body),
		    req.body);
	free(sent);
	qgtm_http_resp_release(&resp);
}
END_TEST

START_TEST(test_file_url)
{
	struct qgtm_http_req req;
	struct qgtm_http_resp resp;
	char *path, *url;

	path = qgtm_xasprintf("%s/bars.jsonl", srv.dir);
	unit_write_file(path, "{\"type\":\"bar\"}\n");
	url = qgtm_xasprintf("file://%s", path);
	qgtm_http_req_init(&req, NULL);
	req.url = url;
	qgtm_http_resp_init(&resp);
	ck_assert_int_eq(qgtm_http_do(&req, &resp), 0);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_str_eq(resp.body.data, "{\"type\":\"bar\"}\n");
	ck_assert_int_eq(qgtm_http_status_code(resp.status), QGTM_EX_OK);
	free(url);
	free(path);
	qgtm_http_resp_release(&resp);
}
END_TEST

START_TEST(test_file_url_missing)
{
	struct qgtm_http_req req;
	struct qgtm_http_resp resp;
	char *url;

	url = qgtm_xasprintf("file://%s/missing.jsonl", srv.dir);
	qgtm_http_req_init(&req, NULL);
	req.url = url;
	req.backoff_ms = 1;
	qgtm_http_resp_init(&resp);
	ck_assert_int_eq(qgtm_http_do(&req, &resp), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_NOINPUT);
	ck_assert_int_eq(resp.attempts, 1);
	ck_assert_ptr_nonnull(strstr(qgtm_errmsg(), url));
	free(url);
	qgtm_http_resp_release(&resp);
}
END_TEST

START_TEST(test_other_scheme_refused)
{
	struct qgtm_http_req req;
	struct qgtm_http_resp resp;

	qgtm_http_req_init(&req, NULL);
	req.url = "ftp://127.0.0.1:1/pub/x?key=SECRETVALUE";
	qgtm_http_resp_init(&resp);
	ck_assert_int_eq(qgtm_http_do(&req, &resp), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_CONFIG);
	ck_assert_int_eq(resp.attempts, 1);
	ck_assert_ptr_null(strstr(qgtm_errmsg(), "SECRETVALUE"));
	qgtm_http_resp_release(&resp);
}
END_TEST

static const struct {
	long status;
	int code;
} status_cases[] = {
	{ 200, QGTM_EX_OK }, { 204, QGTM_EX_OK }, { 299, QGTM_EX_OK },
	{ 401, QGTM_EX_NOPERM }, { 403, QGTM_EX_NOPERM },
	{ 429, QGTM_EX_TEMPFAIL }, { 400, QGTM_EX_UNAVAILABLE },
	{ 404, QGTM_EX_UNAVAILABLE }, { 500, QGTM_EX_UNAVAILABLE },
	{ 503, QGTM_EX_UNAVAILABLE }, { 0, QGTM_EX_PROTOCOL },
	{ 101, QGTM_EX_PROTOCOL }, { 302, QGTM_EX_PROTOCOL },
	{ 600, QGTM_EX_PROTOCOL },
};

START_TEST(test_status_code)
{
	ck_assert_int_eq(qgtm_http_status_code(status_cases[_i].status),
	    status_cases[_i].code);
}
END_TEST

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

Suite *
suite_http(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("http");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_req_init_defaults);
	tcase_add_test(tc, test_req_init_from_cfg);
	tcase_add_test(tc, test_get_200_body);
	tcase_add_test(tc, test_404_not_retried);
	tcase_add_test(tc, test_503_then_200_get);
	tcase_add_test(tc, test_5xx_exhausted_returns_last);
	tcase_add_test(tc, test_503_post_not_retried);
	tcase_add_test(tc, test_429_retry_after_waited);
	tcase_add_test(tc, test_retry_after_past_budget);
	tcase_add_loop_test(tc, test_retry_after_forms, 0,
	    NELEM(retry_after_cases));
	tcase_add_test(tc, test_retry_after_future_date);
	tcase_add_loop_test(tc, test_retry_wait_policy, 0,
	    NELEM(policy_cases));
	tcase_add_test(tc, test_429_ratelimit_reset_waited);
	tcase_add_test(tc, test_body_signal_waited);
	tcase_add_loop_test(tc, test_body_over_cap, 0, NELEM(big_cases));
	tcase_add_test(tc, test_refused_backoff_hides_secret);
	tcase_add_test(tc, test_total_timeout);
	tcase_add_test(tc, test_post_body_and_headers);
	tcase_add_loop_test(tc, test_methods, 0, NELEM(method_cases));
	tcase_add_test(tc, test_file_url);
	tcase_add_test(tc, test_file_url_missing);
	tcase_add_test(tc, test_other_scheme_refused);
	tcase_add_loop_test(tc, test_status_code, 0, NELEM(status_cases));
	suite_add_tcase(s, tc);
	return s;
}
