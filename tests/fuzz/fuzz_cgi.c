/*
 * fuzz_cgi.c: the CGI request parser (qgtm_cgi_parse, lib/report/cgi.c): the
 * input up to the first blank line is the environment, one "NAME=value"
 * a line; the rest is the request body.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

/* Most environment lines taken from one input. */
#define MAX_ENV 64

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_setup("fuzz_cgi");
	return 0;
}

/* Does req hold nothing? (as a failed parse leaves it) */
static int
empty(const struct qgtm_cgi_req *r)
{
	return r->method == NULL && r->path == NULL && r->query_raw == NULL &&
	    r->bearer == NULL && r->origin == NULL && r->host == NULL &&
	    r->remote_user == NULL && r->content_type == NULL &&
	    r->query == NULL && r->body == NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *blank = memmem(data, size, "\n\n", 2);
	size_t head = blank != NULL ? (size_t)(blank - (const char *)data) : size;
	char *env = malloc(head + 1), *envp[MAX_ENV + 1], *line, *save;
	const char *body = blank != NULL ? blank + 2 : NULL;
	size_t len = blank != NULL ? size - head - 2 : 0, n = 0;
	struct qgtm_cgi_req req;
	int rc;

	fuzz_check(env != NULL, "out of memory");
	memcpy(env, data, head);
	env[head] = '\0';
	for (line = strtok_r(env, "\n", &save); line != NULL && n < MAX_ENV;
	    line = strtok_r(NULL, "\n", &save))
		envp[n++] = line;
	envp[n] = NULL;
	rc = qgtm_cgi_parse(envp, body, len, &req);
	if (rc == 0)
		fuzz_check(req.path != NULL && req.query_raw != NULL &&
		    json_is_object(req.query) && (req.body == NULL ||
		    json_is_object(req.body)), "a parsed request lacks a part");
	else
		fuzz_check(qgtm_errcode() == QGTM_EX_DATAERR && empty(&req),
		    "a failed parse holds something or has another code");
	qgtm_cgi_req_free(&req);
	free(env);
	return 0;
}
