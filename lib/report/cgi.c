/*
 * cgi.c: the parsing of one CGI request (RFC 3875) from its environment
 * and body, for qgtm-api. Pure: it reads only what it is given, so a fuzz
 * harness can drive it with any bytes.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "report/report.h"

/* The value of NAME in envp, or NULL. */
static const char *
env_get(char *const envp[], const char *name)
{
	size_t n = strlen(name), i;

	for (i = 0; envp != NULL && envp[i] != NULL; i++)
		if (strncmp(envp[i], name, n) == 0 && envp[i][n] == '=')
			return envp[i] + n + 1;
	return NULL;
}

/* A copy of the value of NAME in envp, or NULL when unset. */
static char *
env_dup(char *const envp[], const char *name)
{
	const char *v = env_get(envp, name);

	return v != NULL ? qgtm_xstrdup(v) : NULL;
}

/*
 * The n bytes of s form-decoded (%XX and + as space; HTML 4.01 section
 * 17.13.4.1, application/x-www-form-urlencoded) as a JSON string (new
 * reference), or NULL (QGTM_EX_DATAERR) for a malformed escape, a NUL or
 * bytes that are not UTF-8.
 */
static json_t *
form_decode(const char *s, size_t n)
{
	char *out = qgtm_xmalloc(n + 1);
	size_t i, j = 0;
	json_t *v;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[j++] = ' ';
		} else if (s[i] != '%') {
			out[j++] = s[i];
		} else if (i + 2 < n && (hi = qgtm_hex_digit((unsigned char)s[i + 1])) >= 0 &&
		    (lo = qgtm_hex_digit((unsigned char)s[i + 2])) >= 0 && (hi | lo) != 0) {
			out[j++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			free(out);
			qgtm_seterr(QGTM_EX_DATAERR, "query: malformed escape");
			return NULL;
		}
	}
	v = json_stringn(out, j);
	free(out);
	if (v == NULL)
		qgtm_seterr(QGTM_EX_DATAERR, "query: not UTF-8");
	return v;
}

/* Decode the query q ("k=v&k2=v2", ';' also separates) into obj: a later
 * value of a key replaces an earlier one. Returns 0 or -1. */
static int
query_parse(const char *q, json_t *obj)
{
	const char *p = q, *end, *eq;
	json_t *k, *v;

	while (*p != '\0') {
		end = p + strcspn(p, "&;");
		eq = memchr(p, '=', (size_t)(end - p));
		if (end > p) {
			k = form_decode(p, (size_t)((eq != NULL ? eq : end) -
			    p));
			v = k == NULL ? NULL : eq != NULL ? form_decode(eq + 1,
			    (size_t)(end - eq - 1)) : json_string("");
			if (v == NULL) {
				json_decref(k);
				return -1;
			}
			json_object_set_new(obj, json_string_value(k), v);
			json_decref(k);
		}
		p = *end != '\0' ? end + 1 : end;
	}
	return 0;
}

/*
 * The token of an Authorization header "Bearer x" into *token (NULL for
 * no header or another scheme). Parsed exactly (RFC 6750 section 2.1):
 * the scheme (case-insensitive, RFC 7235 section 2.1), one space, then a
 * b64token, 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" )
 * *"=", and nothing else: no second space, no trailing space. Returns 0,
 * or -1 (QGTM_EX_DATAERR) for a Bearer header that is not that.
 */
static int
bearer_of(const char *auth, char **token)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-._~+/";
	const char *tok = auth != NULL ? auth + 7 : NULL;
	size_t n;

	*token = NULL;
	if (auth == NULL || strncasecmp(auth, "Bearer", 6) != 0 ||
	    (auth[6] != '\0' && auth[6] != ' ' && auth[6] != '\t'))
		return 0;       /* another scheme, e.g. Basic */
	if (auth[6] != ' ' || (n = strspn(tok, b64)) == 0 ||
	    tok[n + strspn(tok + n, "=")] != '\0')
		return qgtm_seterr(QGTM_EX_DATAERR, "authorization: not "
		    "\"Bearer\" and one token (RFC 6750)");
	*token = qgtm_xstrdup(tok);
	return 0;
}

/* The body as one JSON object into req->body (NULL for no body). */
static int
body_parse(const char *body, size_t len, struct qgtm_cgi_req *req)
{
	json_error_t err;

	if (body == NULL || len == 0)
		return 0;
	if (len > QGTM_CGI_BODY_MAX)
		return qgtm_seterr(QGTM_EX_DATAERR, "body: over %d bytes",
		    QGTM_CGI_BODY_MAX);
	req->body = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
	/* Not err.text: it may quote the body, which the log must not. */
	if (req->body == NULL)
		return qgtm_seterr(QGTM_EX_DATAERR,
		    "body: not valid JSON (at byte %d)", err.position);
	if (!json_is_object(req->body))
		return qgtm_seterr(QGTM_EX_DATAERR,
		    "body: not a JSON object");
	return 0;
}

int
qgtm_cgi_parse(char *const envp[], const char *body, size_t len,
    struct qgtm_cgi_req *req)
{
	const char *script = env_get(envp, "SCRIPT_NAME");
	const char *info = env_get(envp, "PATH_INFO");

	memset(req, 0, sizeof *req);
	req->method = env_dup(envp, "REQUEST_METHOD");
	req->path = qgtm_xasprintf("%s%s", script != NULL ? script : "",
	    info != NULL ? info : "");
	req->query_raw = qgtm_xstrdup(env_get(envp, "QUERY_STRING") != NULL ?
	    env_get(envp, "QUERY_STRING") : "");
	req->origin = env_dup(envp, "HTTP_ORIGIN");
	req->host = env_dup(envp, "HTTP_HOST");
	req->remote_user = env_dup(envp, "REMOTE_USER");
	req->content_type = env_dup(envp, "CONTENT_TYPE");
	req->query = json_object();
	if (bearer_of(env_get(envp, "HTTP_AUTHORIZATION"), &req->bearer) ==
	    -1 || query_parse(req->query_raw, req->query) == -1 ||
	    body_parse(body, len, req) == -1) {
		qgtm_cgi_req_free(req);
		return -1;
	}
	return 0;
}

void
qgtm_cgi_req_free(struct qgtm_cgi_req *req)
{
	free(req->method);
	free(req->path);
	free(req->query_raw);
	free(req->bearer);
	free(req->origin);
	free(req->host);
	free(req->remote_user);
	free(req->content_type);
	json_decref(req->query);
	json_decref(req->body);
	memset(req, 0, sizeof *req);
}
