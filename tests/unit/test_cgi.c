/*
 * test_cgi.c: qgtm_cgi_parse, the request of a CGI environment and body.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#define NELEM(a) ((int)(sizeof (a) / sizeof (a)[0]))

/* Parse env and body (NUL-terminated) into req; the return value. */
static int
parse(char *const env[], const char *body, struct qgtm_cgi_req *req)
{
	return qgtm_cgi_parse(env, body, body != NULL ? strlen(body) : 0, req);
}

/* The decoded query value of key, or NULL. */
static const char *
q(const struct qgtm_cgi_req *req, const char *key)
{
	return json_string_value(json_object_get(req->query, key));
}

START_TEST(test_fields)
{
	char *env[] = { "REQUEST_METHOD=POST", "SCRIPT_NAME=/api",
	    "PATH_INFO=/v1/flatten", "QUERY_STRING=a=1&b=x+y%2Fz;c",
	    "HTTP_AUTHORIZATION=Bearer t0k", "HTTP_ORIGIN=http://h:8",
	    "HTTP_HOST=h:8", "REMOTE_USER=bob", "CONTENT_TYPE=application/json",
	    "PATH_INFOX=no", NULL };
	struct qgtm_cgi_req req;

	ck_assert_int_eq(parse(env, "{\"confirm\":\"FLATTEN ALL\"}", &req), 0);
	ck_assert_str_eq(req.method, "POST");
	ck_assert_str_eq(req.path, "/api/v1/flatten");
	ck_assert_str_eq(req.query_raw, "a=1&b=x+y%2Fz;c");
	ck_assert_str_eq(req.bearer, "t0k");
	ck_assert_str_eq(req.origin, "http://h:8");
	ck_assert_str_eq(req.host, "h:8");
	ck_assert_str_eq(req.remote_user, "bob");
	ck_assert_str_eq(req.content_type, "application/json");
	ck_assert_str_eq(q(&req, "a"), "1");
	ck_assert_str_eq(q(&req, "b"), "x y/z");
	ck_assert_str_eq(q(&req, "c"), "");
	ck_assert_uint_eq(json_object_size(req.query), 3);
	ck_assert_str_eq(json_string_value(json_object_get(req.body,
	    "confirm")), "FLATTEN ALL");
	qgtm_cgi_req_free(&req);
	ck_assert_ptr_null(req.method);
}
END_TEST

/* Unset variables are NULL; path and query_raw are "", no body is NULL. */
START_TEST(test_empty)
{
	char *env[] = { NULL };
	struct qgtm_cgi_req req;

	ck_assert_int_eq(qgtm_cgi_parse(env, NULL, 0, &req), 0);
	ck_assert_ptr_null(req.method);
	ck_assert_ptr_null(req.bearer);
	ck_assert_ptr_null(req.remote_user);
	ck_assert_str_eq(req.path, "");
	ck_assert_str_eq(req.query_raw, "");
	ck_assert_uint_eq(json_object_size(req.query), 0);
	ck_assert_ptr_null(req.body);
	qgtm_cgi_req_free(&req);
	qgtm_cgi_req_free(&req);
}
END_TEST

/* Other schemes give no bearer; the scheme's case does not matter; a
 * Bearer header is one space and one RFC 6750 b64token exactly, else the
 * request is malformed (want "!"): never trimmed. */
START_TEST(test_bearer)
{
	static const struct { const char *h, *want; } cases[] = {
		{ "HTTP_AUTHORIZATION=Basic Ym9iOng=", NULL },
		{ "HTTP_AUTHORIZATION=Bearerx abc", NULL },
		{ "HTTP_AUTHORIZATION=bearer abc", "abc" },
		{ "HTTP_AUTHORIZATION=Bearer a-b.c_d~e+f/g==", "a-b.c_d~e+f/g==" },
		{ "HTTP_AUTHORIZATION=Bearer ", "!" },
		{ "HTTP_AUTHORIZATION=Bearer", "!" },
		{ "HTTP_AUTHORIZATION=Bearer   abc", "!" },
		{ "HTTP_AUTHORIZATION=Bearer abc ", "!" },
		{ "HTTP_AUTHORIZATION=Bearer\tabc", "!" },
		{ "HTTP_AUTHORIZATION=Bearer abc def", "!" },
		{ "HTTP_AUTHORIZATION=Bearer ab=c", "!" },
		{ "HTTP_AUTHORIZATION=Bearer =", "!" },
	};
	struct qgtm_cgi_req req;
	int i;

	for (i = 0; i < NELEM(cases); i++) {
		char *env[] = { (char *)cases[i].h, NULL };

		if (cases[i].want != NULL && strcmp(cases[i].want, "!") == 0) {
			ck_assert_int_eq(parse(env, NULL, &req), -1);
			ck_assert_int_eq(qgtm_errcode(), QGTM_EX_DATAERR);
			continue;
		}
		ck_assert_int_eq(parse(env, NULL, &req), 0);
		if (cases[i].want == NULL)
			ck_assert_ptr_null(req.bearer);
		else
			ck_assert_str_eq(req.bearer, cases[i].want);
		qgtm_cgi_req_free(&req);
	}
}
END_TEST

/* Query strings: accepted ones and what they decode to. */
static const struct { const char *qs, *key, *want; } good_q[] = {
	{ "QUERY_STRING=k=%41%62%7e", "k", "Ab~" },
	{ "QUERY_STRING=k=1&k=2", "k", "2" },
	{ "QUERY_STRING=%6B=v", "k", "v" },
	{ "QUERY_STRING=&&k=v&", "k", "v" },
	{ "QUERY_STRING=k=a=b", "k", "a=b" },
	{ "QUERY_STRING=k=%C3%A9", "k", "\xc3\xa9" },
	{ "QUERY_STRING=k=%3Cscript%3E", "k", "<script>" },
};

START_TEST(test_query_good)
{
	char *env[] = { (char *)good_q[_i].qs, NULL };
	struct qgtm_cgi_req req;

	ck_assert_int_eq(parse(env, NULL, &req), 0);
	ck_assert_str_eq(q(&req, good_q[_i].key), good_q[_i].want);
	qgtm_cgi_req_free(&req);
}
END_TEST

/* Refused query strings: malformed escapes, NUL, not UTF-8. */
static const char *const bad_q[] = {
	"QUERY_STRING=k=%", "QUERY_STRING=k=%4", "QUERY_STRING=k=%G1",
	"QUERY_STRING=k=%00", "QUERY_STRING=%=v", "QUERY_STRING=k=%C3",
	"QUERY_STRING=k=%ff%fe", "QUERY_STRING=a=1&k=%zz",
};

START_TEST(test_query_bad)
{
	char *env[] = { (char *)bad_q[_i], NULL };
	struct qgtm_cgi_req req;

	ck_assert_int_eq(parse(env, NULL, &req), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_DATAERR);
	ck_assert_ptr_null(req.query);
	ck_assert_ptr_null(req.method);
	qgtm_cgi_req_free(&req);
}
END_TEST

/* Refused bodies: not JSON, not an object, two values, duplicates. */
static const char *const bad_body[] = {
	"{", "[1]", "\"s\"", "{} {}", "{\"a\":1,\"a\":2}", "nul", " ",
};

START_TEST(test_body_bad)
{
	char *env[] = { "REQUEST_METHOD=POST", NULL };
	struct qgtm_cgi_req req;

	ck_assert_int_eq(parse(env, bad_body[_i], &req), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_DATAERR);
	ck_assert_ptr_null(req.body);
	qgtm_cgi_req_free(&req);
}
END_TEST

/* The body limit, and len is honoured: bytes past it are never read. */
START_TEST(test_body_len)
{
	char *env[] = { NULL };
	char big[QGTM_CGI_BODY_MAX + 2];
	struct qgtm_cgi_req req;
	char *exact;

	memset(big, ' ', sizeof big);
	big[0] = '{';
	big[QGTM_CGI_BODY_MAX - 1] = '}';
	ck_assert_int_eq(qgtm_cgi_parse(env, big, QGTM_CGI_BODY_MAX, &req), 0);
	ck_assert(json_is_object(req.body));
	qgtm_cgi_req_free(&req);
	big[QGTM_CGI_BODY_MAX - 1] = ' ';
	big[QGTM_CGI_BODY_MAX] = '}';
	ck_assert_int_eq(qgtm_cgi_parse(env, big, QGTM_CGI_BODY_MAX + 1,
	    &req), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_DATAERR);
	/* A body of exactly its bytes, no NUL after: read by len alone. */
	exact = malloc(2);
	memcpy(exact, "{}", 2);
	ck_assert_int_eq(qgtm_cgi_parse(env, exact, 2, &req), 0);
	ck_assert_uint_eq(json_object_size(req.body), 0);
	qgtm_cgi_req_free(&req);
	ck_assert_int_eq(qgtm_cgi_parse(env, exact, 1, &req), -1);
	free(exact);
}
END_TEST

Suite *
suite_cgi(void)
{
	Suite *s = suite_create("cgi");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_fields);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_bearer);
	tcase_add_loop_test(tc, test_query_good, 0, NELEM(good_q));
	tcase_add_loop_test(tc, test_query_bad, 0, NELEM(bad_q));
	tcase_add_loop_test(tc, test_body_bad, 0, NELEM(bad_body));
	tcase_add_test(tc, test_body_len);
	suite_add_tcase(s, tc);
	return s;
}
