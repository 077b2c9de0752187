/*
 * qgtm-api: the HTTP API of the operator pages, a CGI program (RFC 3875)
 * run by the web server for each request under /api/v1/. GET status,
 * readiness and audit/verify answer with the report models as JSON; POST
 * flatten, the one mutating request, needs an authenticated operator
 * (REMOTE_USER mapped by api.users, or a Bearer token whose SHA-256 is in
 * api.tokens), the page's own Origin, the field "confirm": "FLATTEN ALL"
 * and a fresh nonce, and then runs qgtm-order flatten --by OPERATOR --yes.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "qgtm.h"

static const char usage_str[] = "usage: qgtm-api [-c config]";

/* The largest request body read. */
#define BODY_MAX 4096
/* The file of used nonces, relative to the state directory. */
#define NONCES "api/nonces"

struct req {
	const struct qgtm_cfg *cfg;
	const char *cfgpath;
	const char *method;
	const char *path;
};

static void __attribute__((noreturn))
usage(int ex)
{
	fprintf(ex == 0 ? stdout : stderr, "%s\n", usage_str);
	exit(ex == 0 ? qgtm_exit(0) : ex);
}

/* Write the response: status line, headers and body (stolen) + "\n". */
static void
respond(int status, json_t *body)
{
	static const struct { int code; const char *text; } reasons[] = {
		{ 200, "OK" }, { 400, "Bad Request" },
		{ 401, "Unauthorized" }, { 403, "Forbidden" },
		{ 404, "Not Found" }, { 405, "Method Not Allowed" },
		{ 409, "Conflict" }, { 413, "Payload Too Large" },
		{ 429, "Too Many Requests" },
		{ 500, "Internal Server Error" }, { 502, "Bad Gateway" },
		{ 503, "Service Unavailable" },
	};
	const char *text = "Error";
	size_t i;

	for (i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
		if (reasons[i].code == status)
			text = reasons[i].text;
	printf("Status: %d %s\r\nContent-Type: application/json\r\n"
	    "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n",
	    status, text);
	if (status == 401)
		printf("WWW-Authenticate: Bearer realm=\"qgtm\"\r\n");
	printf("\r\n");
	qgtm_jsonl_print(stdout, body);
	json_decref(body);
}

/* An error response {"error": message}. */
static void
fail(int status, const char *message)
{
	QGTM_WARN("status=%d msg=\"%s\"", status, message);
	respond(status, json_pack("{s:s}", "error", message));
}

/* GET audit/verify: the chain's entries, head, root and integrity. */
static json_t *
audit_verify(const struct qgtm_cfg *cfg)
{
	struct qgtm_audit_summary sum;
	char *path = qgtm_state_path(qgtm_cfg_str(cfg, "audit.chain"), 0);
	json_t *rec;
	int rc;

	if (path == NULL)
		return json_pack("{s:b, s:s}", "valid", 0, "error",
		    qgtm_errmsg());
	rc = qgtm_audit_verify(path, &sum);
	free(path);
	rec = json_pack("{s:b, s:I, s:s, s:s}", "valid", rc == 0, "entries",
	    (json_int_t)sum.entries, "head", sum.head, "root", sum.root);
	if (rc == -1)
		json_object_set_new(rec, "error", json_string(qgtm_errmsg()));
	return rec;
}

/* The operator of "name:value" entries of list whose value is value. */
static char *
list_lookup(json_t *list, const char *value, int by_value)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v) {
		const char *s = json_string_value(v), *colon = strchr(s, ':');

		if (colon == NULL)
			continue;
		if (by_value ? strcmp(colon + 1, value) == 0 :
		    (strlen(value) == (size_t)(colon - s) &&
		    strncmp(s, value, (size_t)(colon - s)) == 0))
			return by_value ? qgtm_xasprintf("%.*s", (int)(colon - s),
			    s) : qgtm_xstrdup(colon + 1);
	}
	return NULL;
}

/* The operator behind the request (a new allocation), or NULL. */
static char *
operator_of(const struct qgtm_cfg *cfg)
{
	const char *user = getenv("REMOTE_USER");
	const char *auth = getenv("HTTP_AUTHORIZATION");
	char hash[65];

	if (auth != NULL && strncmp(auth, "Bearer ", 7) == 0 &&
	    auth[7] != '\0') {
		qgtm_secret_register(auth + 7);
		qgtm_sha256_hex(auth + 7, strlen(auth + 7), hash);
		return list_lookup(qgtm_cfg_list(cfg, "api.tokens"), hash, 1);
	}
	if (user != NULL && user[0] != '\0')
		return list_lookup(qgtm_cfg_list(cfg, "api.users"), user, 0);
	return NULL;
}

/* 1 when the Origin header names this very host (scheme and authority). */
static int
same_origin(void)
{
	const char *origin = getenv("HTTP_ORIGIN");
	const char *host = getenv("HTTP_HOST");
	const char *https = getenv("HTTPS");
	char *want;
	int ok;

	if (origin == NULL || host == NULL || host[0] == '\0')
		return 0;
	want = qgtm_xasprintf("%s://%s", https != NULL &&
	    strcasecmp(https, "on") == 0 ? "https" : "http", host);
	ok = strcmp(origin, want) == 0;
	free(want);
	return ok;
}

/* The request body as a JSON object (new reference), or NULL. */
static json_t *
read_body(int *status)
{
	const char *len = getenv("CONTENT_LENGTH");
	char buf[BODY_MAX];
	char *end;
	long n;

	*status = 400;
	if (len == NULL || (n = strtol(len, &end, 10)) <= 0 || *end != '\0')
		return NULL;
	if (n > BODY_MAX) {
		*status = 413;
		return NULL;
	}
	if (fread(buf, 1, (size_t)n, stdin) != (size_t)n)
		return NULL;
	return json_loadb(buf, (size_t)n, JSON_REJECT_DUPLICATES, NULL);
}

/* A nonce: up to 64 of [0-9A-Za-z.-], starting with a time in ms since
 * the epoch within api.replay_window_s of now. */
static int
nonce_ok(const struct qgtm_cfg *cfg, const char *nonce)
{
	long long ms, window = qgtm_cfg_int(cfg, "api.replay_window_s");
	char *end;

	if (strlen(nonce) == 0 || strlen(nonce) > 64 ||
	    strspn(nonce, "0123456789abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ.-") != strlen(nonce))
		return 0;
	ms = strtoll(nonce, &end, 10);
	if (end == nonce)
		return 0;
	return llabs(ms / 1000 - (long long)qgtm_now()) <= window;
}

/* What nonce_use() found. */
enum { NONCE_NEW, NONCE_REPLAY, NONCE_BUSY, NONCE_ERR };

/* Copy into buf the records of seen (an array of "nonce" records) that
 * were accepted at or after horizon, one a line; *newest gets the latest
 * acceptance. Returns NONCE_REPLAY when nonce is among them, NONCE_ERR
 * past buf's cap, else NONCE_NEW. */
static int
nonce_keep(json_t *seen, const char *nonce, time_t horizon,
    struct qgtm_buf *buf, time_t *newest)
{
	const char *ts, *n;
	size_t i;
	json_t *v;
	time_t t;
	int rc = NONCE_NEW;

	json_array_foreach(seen, i, v) {
		char *line;

		if (qgtm_json_str(v, "ts", &ts) == -1 ||
		    qgtm_time_parse(ts, &t) == -1 ||
		    qgtm_json_str(v, "nonce", &n) == -1)
			return NONCE_ERR;
		if (t < horizon)
			continue;
		if (strcmp(n, nonce) == 0)
			rc = NONCE_REPLAY;
		if (t > *newest)
			*newest = t;
		line = json_dumps(v, JSON_COMPACT);
		if (qgtm_buf_addf(buf, "%s\n", line) == -1)
			rc = NONCE_ERR;
		free(line);
	}
	return rc;
}

/* Record nonce as accepted under the lock api/lock, unless it was
 * (NONCE_REPLAY) or another was accepted less than api.min_interval_s
 * ago (NONCE_BUSY). The file keeps the nonces of two replay windows. */
static int
nonce_use(const struct qgtm_cfg *cfg, const char *nonce)
{
	time_t now = qgtm_now(), newest = 0;
	long long window = qgtm_cfg_int(cfg, "api.replay_window_s");
	char *path = qgtm_state_path(NONCES, 1);
	char *lockp = qgtm_state_path("api/lock", 1);
	json_t *seen = NULL, *rec;
	struct qgtm_buf buf;
	int fd = -1, rc = NONCE_ERR;

	qgtm_buf_init(&buf, 1024 * 1024);
	if (path != NULL && lockp != NULL && (fd = qgtm_lock(lockp,
	    5000)) != -1 && (seen = qgtm_jsonl_read_file(path, 1)) != NULL)
		rc = nonce_keep(seen, nonce, now - 2 * window, &buf, &newest);
	if (rc == NONCE_NEW && newest > now - qgtm_cfg_int(cfg,
	    "api.min_interval_s"))
		rc = NONCE_BUSY;
	if (rc == NONCE_NEW) {
		rec = qgtm_record_new("nonce", NULL);
		json_object_set_new(rec, "nonce", json_string(nonce));
		json_decref(seen);
		seen = json_pack("[o]", rec);
		if (nonce_keep(seen, nonce, 0, &buf, &newest) == NONCE_ERR ||
		    qgtm_write_atomic(path, buf.data, buf.len) == -1)
			rc = NONCE_ERR;
	}
	if (fd != -1)
		qgtm_unlock(fd);
	json_decref(seen);
	qgtm_buf_release(&buf);
	free(path);
	free(lockp);
	return rc;
}

/* The path of qgtm-order beside this program. A new allocation. */
static char *
order_program(void)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	char *slash;

	if (n <= 0)
		return qgtm_xstrdup("qgtm-order");
	self[n] = '\0';
	slash = strrchr(self, '/');
	return qgtm_xasprintf("%.*s/qgtm-order", (int)(slash - self), self);
}

/* Run qgtm-order flatten --by op --yes; its exit status, or -1 when it
 * could not run. Its output goes to our stderr (the server's log). */
static int
run_flatten(const struct req *r, const char *op)
{
	char *prog = order_program();
	pid_t pid;
	int st;

	fflush(stdout);
	if (access(prog, X_OK) == -1 || (pid = fork()) == -1) {
		free(prog);
		return -1;
	}
	if (pid == 0) {
		dup2(2, 1);
		if (r->cfgpath != NULL)
			execl(prog, "qgtm-order", "flatten", "-c", r->cfgpath,
			    "--by", op, "--yes", (char *)NULL);
		else
			execl(prog, "qgtm-order", "flatten", "--by", op,
			    "--yes", (char *)NULL);
		_exit(127);
	}
	free(prog);
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Act on an authorized, confirmed, fresh flatten request. */
static void
flatten_act(const struct req *r, const char *op)
{
	int rc = run_flatten(r, op);

	QGTM_WARN("action=flatten by=%s exit=%d", op, rc);
	if (rc == -1 || rc == 64 || rc == 127)
		fail(503, "flatten is not available: qgtm-order flatten "
		    "could not run");
	else if (rc != 0)
		respond(502, json_pack("{s:s, s:s, s:i}", "error",
		    "qgtm-order flatten failed; see the server log", "by", op,
		    "exit", rc));
	else
		respond(200, json_pack("{s:b, s:s, s:s}", "ok", 1, "by", op,
		    "message", "Flatten done: the account is flat."));
}

/* POST flatten: check who, from where, what and when, then act. */
static void
flatten(const struct req *r, const char *op)
{
	const char *confirm, *nonce;
	json_t *body;
	int status, used;

	if (!same_origin()) {
		fail(403, "cross-origin request refused");
		return;
	}
	if ((body = read_body(&status)) == NULL) {
		fail(status, "expected a JSON body");
		return;
	}
	confirm = json_string_value(json_object_get(body, "confirm"));
	nonce = json_string_value(json_object_get(body, "nonce"));
	if (confirm == NULL || strcmp(confirm, "FLATTEN ALL") != 0)
		fail(400, "missing confirmation: \"confirm\": \"FLATTEN ALL\"");
	else if (nonce == NULL || !nonce_ok(r->cfg, nonce))
		fail(400, "missing, malformed or expired nonce");
	else if ((used = nonce_use(r->cfg, nonce)) == NONCE_REPLAY)
		fail(409, "replayed request refused");
	else if (used == NONCE_BUSY)
		fail(429, "too many requests: wait and try again");
	else if (used == NONCE_ERR) {
		QGTM_ERR("msg=\"%s\"", qgtm_errmsg());
		fail(500, "cannot record the nonce");
	} else
		flatten_act(r, op);
	json_decref(body);
}

/* POST flatten with the operator behind it. */
static void
flatten_auth(const struct req *r)
{
	char *op = operator_of(r->cfg);

	if (op == NULL)
		fail(401, "not an authenticated operator");
	else
		flatten(r, op);
	free(op);
}

/* Route one request. */
static void
route(const struct req *r)
{
	static const char *const gets[] = { "/api/v1/status",
	    "/api/v1/readiness", "/api/v1/audit/verify", NULL };
	time_t now = qgtm_now();
	int i;

	if (strcmp(r->path, "/api/v1/flatten") == 0) {
		if (strcmp(r->method, "POST") != 0)
			fail(405, "use POST");
		else
			flatten_auth(r);
		return;
	}
	for (i = 0; gets[i] != NULL && strcmp(gets[i], r->path) != 0; i++)
		continue;
	if (gets[i] == NULL)
		fail(404, "no such resource");
	else if (strcmp(r->method, "GET") != 0 &&
	    strcmp(r->method, "HEAD") != 0)
		fail(405, "use GET");
	else
		respond(200, i == 0 ? qgtm_report_status(r->cfg, now) :
		    i == 1 ? qgtm_report_readiness(r->cfg, now) :
		    audit_verify(r->cfg));
}

int
main(int argc, char *argv[])
{
	struct qgtm_cfg cfg;
	struct req r = { &cfg, NULL, NULL, NULL };
	const char *script, *info;
	char *path;
	int ch;

	qgtm_init(argv[0], 1);
	while ((ch = getopt(argc, argv, "c:hV")) != -1) {
		switch (ch) {
		case 'c': r.cfgpath = optarg; break;
		case 'h': usage(0);
		case 'V': qgtm_version(); return qgtm_exit(0);
		default: usage(QGTM_EX_USAGE);
		}
	}
	if (optind != argc)
		usage(QGTM_EX_USAGE);
	r.method = getenv("REQUEST_METHOD");
	if (r.method == NULL)
		qgtm_die(QGTM_EX_USAGE, "not run as CGI: REQUEST_METHOD unset");
	if (qgtm_cmd_start(&cfg, r.cfgpath, 0) == -1) {
		QGTM_ERR("msg=\"%s\"", qgtm_errmsg());
		fail(500, "server configuration error");
		return qgtm_exit(0);
	}
	script = getenv("SCRIPT_NAME");
	info = getenv("PATH_INFO");
	path = qgtm_xasprintf("%s%s", script != NULL ? script : "",
	    info != NULL ? info : "");
	r.path = strstr(path, "/api/v1/") != NULL ? strstr(path, "/api/v1/") :
	    path;
	route(&r);
	free(path);
	qgtm_cfg_release(&cfg);
	return qgtm_exit(0);
}
