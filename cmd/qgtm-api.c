/*
 * qgtm-api: the HTTP API of the operator pages, a CGI program (RFC 3875)
 * run by the web server for each request under /api/v1/. Every request
 * needs a login: REMOTE_USER mapped by api.users (operators) or
 * api.auditor_users (auditors), or a Bearer token whose SHA-256 is in
 * api.tokens or api.auditor_tokens, compared in constant time. The
 * resources are the rows of one table (routes[], below). The reads
 * (status, readiness, page, strategies/ID/performance, limits,
 * killswitch/history, audit/verify, audit/trace, audit/sample,
 * audit/rederive,
 * journal/orders, journal/fills, evidence, evidence/archive) answer
 * operators and auditors with the report models; an auditor's request
 * that is not a read is 403 whatever it asks. POST flatten, the one
 * request that acts, needs an operator, an Origin that is one of
 * api.public_origins (never the request's own Host), the field "confirm":
 * "FLATTEN ALL" and a fresh nonce, and then runs qgtm-order flatten --by
 * OPERATOR --yes, checks that the account is flat (qgtm_report_flat),
 * answers what it found and records the call in the audit chain. GET page
 * is the phone page with the status of that moment inlined. When the nonce
 * cannot be recorded (a full disk), it flattens all the same: flattening
 * twice is harmless, and the alert says so.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "base/base.h"
#include "net/net.h"
#include "audit/audit.h"
#include "strategy/strategy.h"
#include "research/research.h"
#include "report/report.h"
#include "cli/cli.h"

static const char usage_str[] = "usage: qgtm-api [-c config]";

/* The file of used nonces, relative to the state directory. */
#define NONCES "api/nonces"

extern char **environ;

struct req {
	const struct qgtm_cfg *cfg;
	const char *cfgpath;
	struct qgtm_cgi_req cgi;
	const char *path;       /* from /api/v1/ on */
	int arg;                /* its row's arg in routes[] */
};

/* The args of the rows of routes[] whose handler serves several. */
enum { M_STATUS, M_READINESS, M_LIMITS, M_KILLSWITCH };
enum { J_ORDERS, J_FILLS };

static void __attribute__((noreturn))
usage(int ex)
{
	fprintf(ex == 0 ? stdout : stderr, "%s\n", usage_str);
	exit(ex == 0 ? qgtm_exit(0) : ex);
}

/* Write the status line and headers of a response of type ctype, and
 * the header line extra (without its CRLF) unless NULL. */
static void
respond_head(int status, const char *ctype, const char *extra)
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
	printf("Status: %d %s\r\nContent-Type: %s\r\n"
	    "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n",
	    status, text, ctype);
	if (status == 401)
		printf("WWW-Authenticate: Bearer realm=\"qgtm\"\r\n");
	if (extra != NULL)
		printf("%s\r\n", extra);
	printf("\r\n");
}

/* Write the response: status line, headers and body (stolen) + "\n". */
static void
respond(int status, json_t *body)
{
	respond_head(status, "application/json", NULL);
	if (body == NULL) {     /* a failed JSON build is no body at all */
		QGTM_ERR("msg=\"response: cannot build the JSON body\"");
		body = json_pack("{s:s}", "error", "internal error");
	}
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

/* Who may do what: an auditor reads, an operator also acts. */
enum { ROLE_NONE, ROLE_AUDITOR, ROLE_OPERATOR };

/* The login behind a request. */
struct who {
	char *name;     /* the operator or auditor, or NULL */
	int role;
};

/* The name of the "NAME:HASH" entry of list whose HASH is hash (64 hex
 * digits), compared in constant time (CRYPTO_memcmp) against every entry,
 * so the time taken does not tell how much of a hash matched. A new
 * allocation, or NULL. */
static char *
token_lookup(json_t *list, const char hash[65])
{
	const char *s, *colon;
	char *name = NULL;
	json_t *v;
	size_t i;

	json_array_foreach(list, i, v) {
		s = json_string_value(v);
		colon = strrchr(s, ':');
		if (colon != NULL && strlen(colon + 1) == 64 &&
		    CRYPTO_memcmp(colon + 1, hash, 64) == 0 && name == NULL)
			name = qgtm_xasprintf("%.*s", (int)(colon - s), s);
	}
	return name;
}

/* The NAME of the "USER:NAME" entry of list whose USER is user exactly. */
static char *
user_lookup(json_t *list, const char *user)
{
	const char *s, *colon;
	json_t *v;
	size_t i;

	json_array_foreach(list, i, v) {
		s = json_string_value(v);
		if ((colon = strchr(s, ':')) != NULL && strlen(user) ==
		    (size_t)(colon - s) && strncmp(s, user, (size_t)(colon -
		    s)) == 0)
			return qgtm_xstrdup(colon + 1);
	}
	return NULL;
}

/* The login behind the request into w (name NULL: nobody). A token is
 * taken as given (lib/report/cgi.c parses it exactly); operators win over
 * auditors when both lists name the same login. */
static void
who_of(const struct req *r, struct who *w)
{
	const char *user = r->cgi.remote_user, *token = r->cgi.bearer;
	char hash[65];

	w->role = ROLE_NONE;
	w->name = NULL;
	if (token != NULL) {
		qgtm_sha256_hex(token, strlen(token), hash);
		if ((w->name = token_lookup(qgtm_cfg_list(r->cfg, "api.tokens"),
		    hash)) != NULL)
			w->role = ROLE_OPERATOR;
		else if ((w->name = token_lookup(qgtm_cfg_list(r->cfg,
		    "api.auditor_tokens"), hash)) != NULL)
			w->role = ROLE_AUDITOR;
	} else if (user != NULL && user[0] != '\0') {
		if ((w->name = user_lookup(qgtm_cfg_list(r->cfg, "api.users"),
		    user)) != NULL)
			w->role = ROLE_OPERATOR;
		else if ((w->name = user_lookup(qgtm_cfg_list(r->cfg,
		    "api.auditor_users"), user)) != NULL)
			w->role = ROLE_AUDITOR;
	}
}

/* 1 when the Origin header is one of api.public_origins exactly. The
 * request's Host is never consulted: the client chooses it. */
static int
origin_ok(const struct req *r)
{
	json_t *v;
	size_t i;

	if (r->cgi.origin == NULL)
		return 0;
	json_array_foreach(qgtm_cfg_list(r->cfg, "api.public_origins"), i, v)
		if (strcmp(json_string_value(v), r->cgi.origin) == 0)
			return 1;
	return 0;
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
	qgtm_otel_setenv();     /* the flatten continues this request's trace */
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

/* Record the act in the audit chain: an "api_call" record (action, by,
 * role, nonce, nonce_recorded, status, exit). A failure is logged and
 * alerted; the answer stands, the act is done. */
static void
audit_call(const struct req *r, const char *op, const char *nonce,
    int nonce_recorded, int status, int exit_code)
{
	char *chain = qgtm_state_path(qgtm_cfg_str(r->cfg, "audit.chain"), 1);
	json_t *rec = qgtm_record_new("api_call", NULL), *recs;
	char *text;

	json_object_set_new(rec, "action", json_string("flatten"));
	json_object_set_new(rec, "by", json_string(op));
	json_object_set_new(rec, "role", json_string("operator"));
	json_object_set_new(rec, "nonce", json_string(nonce));
	json_object_set_new(rec, "nonce_recorded", json_boolean(nonce_recorded));
	json_object_set_new(rec, "status", json_integer(status));
	json_object_set_new(rec, "exit", json_integer(exit_code));
	recs = json_pack("[o]", rec);
	if (chain == NULL || recs == NULL ||
	    qgtm_audit_append_records(chain, recs) == -1) {
		QGTM_ERR("msg=\"audit: the flatten call is not recorded: %s\"",
		    qgtm_errmsg());
		text = qgtm_xasprintf("qgtm-api: FLATTEN ALL by %s (HTTP %d) "
		    "could not be recorded in the audit chain: %s", op, status,
		    qgtm_errmsg());
		if (qgtm_alert_send(r->cfg, text) == -1)
			QGTM_WARN("msg=\"alert not sent: %s\"", qgtm_errmsg());
		free(text);
	}
	json_decref(recs);
	free(chain);
}

/* After qgtm-order flatten ended well: check the account is flat (the
 * book's positions, the broker's open orders: qgtm_report_flat) and
 * answer what was found, 200 with ok true when flat, 409 with ok false
 * and what is left, 502 with the error when it cannot be checked.
 * Returns the HTTP status. */
static int
flatten_verified(const struct req *r, const char *op, int nonce_recorded)
{
	json_t *flat = qgtm_report_flat(r->cfg, qgtm_now());
	char *text;
	int status;

	if (flat == NULL) {
		QGTM_ERR("msg=\"flatten check: %s\"", qgtm_errmsg());
		text = qgtm_xasprintf("Flatten ran, but the account cannot be "
		    "checked: %s", qgtm_errmsg());
		respond(502, json_pack("{s:b, s:s, s:s}", "ok", 0, "error", text,
		    "by", op));
		free(text);
		return 502;
	}
	status = json_is_true(json_object_get(flat, "ok")) ? 200 : 409;
	json_object_set_new(flat, "by", json_string(op));
	json_object_set_new(flat, "nonce_recorded",
	    json_boolean(nonce_recorded));
	QGTM_WARN("action=flatten by=%s msg=\"%s\"", op,
	    json_string_value(json_object_get(flat, "message")));
	respond(status, flat);
	return status;
}

/* Act on an authorized, confirmed, fresh flatten request; nonce_recorded
 * is 0 when its nonce could not be stored (flattening twice is harmless,
 * so it flattens all the same). */
static void
flatten_act(const struct req *r, const char *op, const char *nonce,
    int nonce_recorded)
{
	int rc = run_flatten(r, op), status;

	QGTM_WARN("action=flatten by=%s exit=%d nonce_recorded=%d", op, rc,
	    nonce_recorded);
	if (rc == -1 || rc == 64 || rc == 127) {
		status = 503;
		fail(status, "flatten is not available: qgtm-order flatten "
		    "could not run");
	} else if (rc != 0) {
		status = 502;
		respond(status, json_pack("{s:s, s:s, s:i}", "error",
		    "qgtm-order flatten failed; see the server log", "by", op,
		    "exit", rc));
	} else
		status = flatten_verified(r, op, nonce_recorded);
	audit_call(r, op, nonce, nonce_recorded, status, rc);
}

/* The nonce could not be stored: say so loudly, then flatten anyway. */
static void
flatten_unrecorded(const struct req *r, const char *op, const char *nonce)
{
	char *text = qgtm_xasprintf("qgtm-api: FLATTEN ALL by %s: the nonce "
	    "could not be recorded (%s); flattening anyway, since flattening "
	    "twice is harmless. Replay protection did not hold for this "
	    "request.", op, qgtm_errmsg());

	QGTM_ERR("msg=\"%s\"", qgtm_errmsg());
	if (qgtm_alert_send(r->cfg, text) == -1)
		QGTM_WARN("msg=\"alert not sent: %s\"", qgtm_errmsg());
	free(text);
	flatten_act(r, op, nonce, 0);
}

/* POST flatten: check from where, what and when, then act. */
static void
flatten(const struct req *r, const char *op)
{
	json_t *body = r->cgi.body;
	const char *confirm, *nonce;
	int used;

	if (!origin_ok(r)) {
		fail(403, "cross-origin request refused");
		return;
	}
	if (body == NULL) {
		fail(400, "expected a JSON body");
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
	else if (used == NONCE_ERR)
		flatten_unrecorded(r, op, nonce);
	else
		flatten_act(r, op, nonce, 1);
}

/* POST flatten (the table gives it operators only). */
static void
post_flatten(const struct req *r, const struct who *w)
{
	flatten(r, w->name);
}

/* GET strategies/{id}/performance: id (the part of path after the
 * prefix, up to "/performance") must be a registered strategy. */
static void
strategy_performance(const struct req *r, const struct who *w)
{
	const char *rest = r->path + strlen("/api/v1/strategies/");
	size_t n = strlen(rest), suffix = strlen("/performance");
	char *id;
	json_t *rec;

	(void)w;
	if (n <= suffix || strcmp(rest + n - suffix, "/performance") != 0) {
		fail(404, "no such resource");
		return;
	}
	id = qgtm_xasprintf("%.*s", (int)(n - suffix), rest);
	if (strchr(id, '/') != NULL || qgtm_strategy_find(id) == NULL)
		fail(404, "no such strategy");
	else if ((rec = qgtm_report_strategy(r->cfg, id, qgtm_now())) == NULL) {
		QGTM_ERR("msg=\"%s\"", qgtm_errmsg());
		fail(500, "cannot compute the performance");
	} else
		respond(200, rec);
	free(id);
}

/* Answer a model: 200 with rec, or (NULL) 500 saying what cannot be
 * done, the library's reason in the server log only. */
static void
respond_model(json_t *rec, const char *what)
{
	char msg[128];

	if (rec != NULL) {
		respond(200, rec);
		return;
	}
	QGTM_ERR("msg=\"%s: %s\"", what, qgtm_errmsg());
	snprintf(msg, sizeof msg, "cannot read %s; see the server log", what);
	fail(500, msg);
}

/* GET evidence: the newest evidence package's manifest, 404 when none. */
static void
evidence(const struct req *r, const struct who *w)
{
	json_t *rec = qgtm_report_evidence();

	(void)r;
	(void)w;
	if (rec == NULL && qgtm_errcode() == QGTM_EX_NOINPUT)
		fail(404, "no evidence package yet");
	else
		respond_model(rec, "the evidence package");
}

/* GET evidence/archive: the newest evidence package as one tar file. */
static void
evidence_archive(const struct req *r, const struct who *w)
{
	struct qgtm_buf b;
	char *name, *disp;

	(void)w;
	qgtm_buf_init(&b, 64L * 1024 * 1024);
	if (qgtm_auditor_archive(&b, &name) == -1) {
		if (qgtm_errcode() == QGTM_EX_NOINPUT)
			fail(404, "no evidence package yet");
		else
			respond_model(NULL, "the evidence package");
	} else {
		/* The name is the directory's: no quote or CR reaches it
		 * from qgtm-audit evidence, but never trust it here. */
		disp = qgtm_xasprintf(
		    "Content-Disposition: attachment; filename=\"%s.tar\"",
		    strpbrk(name, "\"\\\r\n") == NULL ? name : "evidence");
		respond_head(200, "application/x-tar", disp);
		if (strcmp(r->cgi.method, "HEAD") != 0)
			fwrite(b.data, 1, b.len, stdout);
		free(disp);
		free(name);
	}
	qgtm_buf_release(&b);
}

/* The integer query parameter key into *out: def when absent; 400 and
 * -1 when it is not a number from lo to hi. */
static int
query_int(const struct req *r, const char *key, long long def, long long lo,
    long long hi, long long *out)
{
	const char *s = json_string_value(json_object_get(r->cgi.query, key));
	char *end, msg[96];

	*out = def;
	if (s == NULL)
		return 0;
	*out = strtoll(s, &end, 10);
	if (*s != '\0' && *end == '\0' && *out >= lo && *out <= hi)
		return 0;
	snprintf(msg, sizeof msg, "%s: a whole number from %lld to %lld", key,
	    lo, hi);
	fail(400, msg);
	return -1;
}

/* GET audit/verify: what qgtm-audit verify checks. The error names no
 * file: the reason goes to the server log, the client gets the line of
 * the first bad entry. */
static void
audit_verify(const struct req *r, const struct who *w)
{
	json_t *rec;
	char msg[96];
	int ok;

	(void)w;
	rec = qgtm_auditor_verify(r->cfg, &ok);
	if (!ok) {
		QGTM_WARN("msg=\"audit verify: %s\"", qgtm_errmsg());
		if (json_integer_value(json_object_get(rec, "bad_line")) > 0)
			snprintf(msg, sizeof msg,
			    "the chain does not verify "
			    "at line %lld; see the server log",
			    (long long)json_integer_value(
				json_object_get(rec, "bad_line")));
		else
			snprintf(msg, sizeof msg,
			    "the chain cannot be read; see the server log");
		json_object_set_new(rec, "error", json_string(msg));
	}
	respond(200, rec);
}

/* GET audit/trace?order=ID or ?trace=ID: the entries of that order or
 * cycle with their proofs, followed to the broker's records. */
static void
audit_trace(const struct req *r, const struct who *w)
{
	const char *id =
	    json_string_value(json_object_get(r->cgi.query, "order"));
	json_t *rec;

	(void)w;
	if (id == NULL)
		id = json_string_value(json_object_get(r->cgi.query, "trace"));
	if (id == NULL || id[0] == '\0') {
		fail(400, "give order=ID or trace=ID");
		return;
	}
	rec = qgtm_auditor_trace(r->cfg, id);
	if (rec != NULL &&
	    json_array_size(json_object_get(rec, "entries")) == 0) {
		json_decref(rec);
		fail(404, "no entry of the audit chain has that id");
	} else
		respond_model(rec, "the trace");
}

/* GET audit/sample?n=N&seed=S: N entries (10; at most 100) chosen from
 * the seed (a random one when none is given), each traced. */
static void
audit_sample(const struct req *r, const struct who *w)
{
	const char *seed =
	    json_string_value(json_object_get(r->cgi.query, "seed"));
	char fresh[33];
	long long n;

	(void)w;
	if (query_int(r, "n", 10, 1, 100, &n) == -1)
		return;
	if (seed == NULL || seed[0] == '\0') {
		if (qgtm_trace_id_new(fresh, "qgtm-api sample") == -1) {
			respond_model(NULL, "a random seed");
			return;
		}
		seed = fresh;
	}
	respond_model(qgtm_auditor_sample(r->cfg, (size_t)n, seed),
	    "the sample");
}

/* GET audit/rederive?trace=ID, or ?n=N&seed=S for a sample (n 1 to 20):
 * the cycle's signal and risk decision recomputed from the store as of
 * its moment and the recorded parameters, compared with the chain
 * (qgtm_rederive). A trace the chain does not hold is 404. */
static void
audit_rederive(const struct req *r, const struct who *w)
{
	const char *id =
	    json_string_value(json_object_get(r->cgi.query, "trace"));
	const char *seed =
	    json_string_value(json_object_get(r->cgi.query, "seed"));
	json_t *rec;
	long long n;

	(void)w;
	if (id != NULL && id[0] != '\0') {
		if ((rec = qgtm_rederive(r->cfg, NULL, id)) == NULL &&
		    qgtm_errcode() == QGTM_EX_NO &&
		    strstr(qgtm_errmsg(), "no signal of trace") != NULL)
			fail(404, "no signal of that trace in the audit chain");
		else
			respond_model(rec, "the re-derivation");
		return;
	}
	if (query_int(r, "n", 10, 1, 20, &n) == -1)
		return;
	if (seed == NULL || seed[0] == '\0') {
		fail(400, "give trace=ID, or n=N and seed=S");
		return;
	}
	respond_model(qgtm_rederive_sample(r->cfg, NULL, (size_t)n, seed),
	    "the re-derivation");
}

/* GET journal/orders and journal/fills (the row's arg: J_ORDERS or
 * J_FILLS) ?after=N&limit=M (100; at most 1000): a page of the order
 * journal. */
static void
journal(const struct req *r, const struct who *w)
{
	long long after, limit;

	(void)w;
	if (query_int(r, "after", 0, 0, LLONG_MAX, &after) == 0 &&
	    query_int(r, "limit", 100, 1, 1000, &limit) == 0)
		respond_model(qgtm_auditor_journal(r->cfg, r->arg == J_FILLS,
				  after, limit),
		    "the order journal");
}

/* GET status, readiness, limits, killswitch/history: the model of the
 * row's arg as it is. */
static void
model(const struct req *r, const struct who *w)
{
	(void)w;
	if (r->arg == M_STATUS)
		respond(200, qgtm_report_status(r->cfg, qgtm_now()));
	else if (r->arg == M_READINESS)
		respond(200, qgtm_report_readiness(r->cfg, qgtm_now()));
	else if (r->arg == M_LIMITS)
		respond_model(qgtm_auditor_limits(r->cfg), "the risk limits");
	else
		respond_model(qgtm_auditor_killswitch(r->cfg),
		    "the kill switch's history");
}

/* GET page: the phone page with the status computed now inlined, so its
 * numbers paint with the first response (the shipped web server configs
 * send "/" and "/index.html" here). */
static void
phone_page(const struct req *r, const struct who *w)
{
	json_t *st = qgtm_report_status(r->cfg, qgtm_now());
	struct qgtm_buf b;

	(void)w;
	qgtm_buf_init(&b, 1024 * 1024);
	if (qgtm_page_status(&b, st, 1) == -1) {
		fail(500, "cannot render the page");
	} else {
		respond_head(200, "text/html; charset=utf-8", NULL);
		if (strcmp(r->cgi.method, "HEAD") != 0)
			fwrite(b.data, 1, b.len, stdout);
	}
	qgtm_buf_release(&b);
	json_decref(st);
}

/*
 * The API: every resource is one row, the one place a route is added
 * (and its line in qgtm-api(1)). A path ending in '/' is a prefix. GET
 * rows answer HEAD too. Every row needs a login; role is the least.
 */
static const struct route {
	const char *path;
	const char *method;
	int role;
	void (*fn)(const struct req *, const struct who *);
	int arg; /* the handler's req->arg */
} routes[] = {
	{ "/api/v1/status", "GET", ROLE_AUDITOR, model, M_STATUS },
	{ "/api/v1/readiness", "GET", ROLE_AUDITOR, model, M_READINESS },
	{ "/api/v1/page", "GET", ROLE_AUDITOR, phone_page, 0 },
	{ "/api/v1/strategies/", "GET", ROLE_AUDITOR, strategy_performance, 0 },
	{ "/api/v1/limits", "GET", ROLE_AUDITOR, model, M_LIMITS },
	{ "/api/v1/killswitch/history", "GET", ROLE_AUDITOR, model,
	    M_KILLSWITCH },
	{ "/api/v1/audit/verify", "GET", ROLE_AUDITOR, audit_verify, 0 },
	{ "/api/v1/audit/trace", "GET", ROLE_AUDITOR, audit_trace, 0 },
	{ "/api/v1/audit/sample", "GET", ROLE_AUDITOR, audit_sample, 0 },
	{ "/api/v1/audit/rederive", "GET", ROLE_AUDITOR, audit_rederive, 0 },
	{ "/api/v1/journal/orders", "GET", ROLE_AUDITOR, journal, J_ORDERS },
	{ "/api/v1/journal/fills", "GET", ROLE_AUDITOR, journal, J_FILLS },
	{ "/api/v1/evidence", "GET", ROLE_AUDITOR, evidence, 0 },
	{ "/api/v1/evidence/archive", "GET", ROLE_AUDITOR, evidence_archive,
	    0 },
	{ "/api/v1/flatten", "POST", ROLE_OPERATOR, post_flatten, 0 },
};

/* The row of path, or NULL. */
static const struct route *
route_find(const char *path)
{
	size_t i, n;

	for (i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		n = strlen(routes[i].path);
		if (routes[i].path[n - 1] == '/' ?
			strncmp(path, routes[i].path, n) == 0 :
			strcmp(path, routes[i].path) == 0)
			return &routes[i];
	}
	return NULL;
}

/* Route one request. An auditor's request that is not a read is refused
 * whatever it asks (flatten, a reset, an approval): an auditor cannot
 * act. */
static void
route(const struct req *r)
{
	int get = strcmp(r->cgi.method, "GET") == 0 ||
	    strcmp(r->cgi.method, "HEAD") == 0;
	const struct route *rt;
	struct req rq;
	struct who w;

	who_of(r, &w);
	if (!get && w.role == ROLE_AUDITOR)
		fail(403, "an auditor may read, not act");
	else if ((rt = route_find(r->path)) == NULL)
		fail(404, "no such resource");
	else if (strcmp(rt->method, "GET") == 0 ?
		!get :
		strcmp(r->cgi.method, rt->method) != 0)
		fail(405, get ? "use POST" : "use GET");
	else if (w.role == ROLE_NONE)
		fail(401,
		    rt->role == ROLE_OPERATOR ?
			"not an authenticated operator" :
			"log in: an operator or auditor login is needed");
	else if (w.role < rt->role)
		fail(403, "an auditor may read, not act");
	else {
		rq = *r;
		rq.arg = rt->arg;
		rt->fn(&rq, &w);
	}
	free(w.name);
}

/* Read the body of CONTENT_LENGTH bytes from stdin into buf (of
 * QGTM_CGI_BODY_MAX bytes). Returns its length, or -1 with the HTTP status
 * in *status. */
static long
read_body(char *buf, int *status)
{
	const char *len = getenv("CONTENT_LENGTH");
	char *end;
	long n;

	if (len == NULL || len[0] == '\0')
		return 0;
	n = strtol(len, &end, 10);
	*status = n > QGTM_CGI_BODY_MAX ? 413 : 400;
	if (*end != '\0' || n < 0 || n > QGTM_CGI_BODY_MAX ||
	    fread(buf, 1, (size_t)n, stdin) != (size_t)n)
		return -1;
	return n;
}

/* Parse the request from the environment and stdin into r->cgi.
 * Returns 0, or -1 with the answer given. */
static int
request_parse(struct req *r)
{
	char body[QGTM_CGI_BODY_MAX];
	long n;
	int status;

	if ((n = read_body(body, &status)) == -1) {
		fail(status, status == 413 ? "request body too large" :
		    "cannot read the request body");
		return -1;
	}
	if (qgtm_cgi_parse(environ, body, (size_t)n, &r->cgi) == -1) {
		QGTM_WARN("msg=\"%s\"", qgtm_errmsg());
		fail(400, "malformed request: bad Authorization, query string "
		    "or body");
		return -1;
	}
	if (r->cgi.bearer != NULL)
		qgtm_secret_register(r->cgi.bearer);
	r->path = strstr(r->cgi.path, "/api/v1/") != NULL ?
	    strstr(r->cgi.path, "/api/v1/") : r->cgi.path;
	return 0;
}

int
main(int argc, char *argv[])
{
	struct qgtm_cfg cfg;
	struct req r = { .cfg = &cfg };
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
	if (getenv("REQUEST_METHOD") == NULL)
		qgtm_die(QGTM_EX_USAGE, "not run as CGI: REQUEST_METHOD unset");
	if (qgtm_cmd_start(&cfg, r.cfgpath, 0) == -1) {
		QGTM_ERR("msg=\"%s\"", qgtm_errmsg());
		fail(500, "server configuration error");
		return qgtm_exit(0);
	}
	if (request_parse(&r) == 0)
		route(&r);
	qgtm_cgi_req_free(&r.cgi);
	qgtm_cfg_release(&cfg);
	return qgtm_exit(0);
}
