/*
 * test_broker.c: the Alpaca client's order submission against the
 * stand-in tests/standin/alpaca.py: answers lost after the broker accepted
 * are resolved by client_order_id, never sent again (1,000 of them give
 * zero duplicates), a real timeout likewise; 429 is waited out; 403 and
 * 422 are errors with Alpaca's message. The broker's fills, read page by
 * page, are folded into the order log once each.
 */
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"

static pid_t standin = -1;
static char *dir, *url;
static struct qgtm_cfg cfg;
static struct qgtm_broker b;

/* Start the stand-in and wait for its port file. */
static void
start_standin(void)
{
	char *port = qgtm_xasprintf("%s/port", dir), *log, *text = NULL;
	int i;

	log = qgtm_xasprintf("%s/log", dir);
	if ((standin = fork()) == 0) {
		execlp("python3", "python3", "../standin/alpaca.py", port, log,
		    (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200 && (text = unit_read_file(port)) == NULL; i++)
		usleep(25000);
	ck_assert_ptr_nonnull(text);
	url = qgtm_xasprintf("http://127.0.0.1:%s", text);
	free(text);
	free(port);
	free(log);
}

/* POST /_ctl: steer the stand-in; returns its state (new). */
static json_t *
ctl(const char *body)
{
	struct qgtm_http_req req;
	struct qgtm_http_resp resp;
	char *u = qgtm_xasprintf("%s/_ctl", url);
	json_t *st;

	qgtm_http_req_init(&req, NULL);
	qgtm_http_resp_init(&resp);
	req.method = "POST";
	req.url = u;
	req.body = body;
	req.body_len = strlen(body);
	ck_assert_int_eq(qgtm_http_do(&req, &resp), 0);
	ck_assert_int_eq(resp.status, 200);
	st = json_loadb(resp.body.data, resp.body.len, 0, NULL);
	ck_assert_ptr_nonnull(st);
	qgtm_http_resp_release(&resp);
	free(u);
	return st;
}

static void
setup(void)
{
	char *cfgpath, *text;

	dir = unit_tmpdir();
	start_standin();
	cfgpath = qgtm_xasprintf("%s/qgtm.yaml", dir);
	text = qgtm_xasprintf("broker:\n  alpaca:\n    url: \"%s\"\nhttp:\n"
	    "  timeout_ms: 300\n  backoff_ms: 1\n", url);
	unit_write_file(cfgpath, text);
	setenv("APCA_API_KEY_ID", "PKTEST", 1);
	setenv("APCA_API_SECRET_KEY", "s3cr3t", 1);
	ck_assert_int_eq(qgtm_cfg_load(&cfg, cfgpath), 0);
	ck_assert_int_eq(qgtm_broker_open(&b, &cfg, "alpaca", 0), 0);
	free(cfgpath);
	free(text);
}

static void
teardown(void)
{
	qgtm_broker_close(&b);
	qgtm_cfg_release(&cfg);
	kill(standin, SIGTERM);
	waitpid(standin, NULL, 0);
	unsetenv("APCA_API_KEY_ID");
	unsetenv("APCA_API_SECRET_KEY");
	free(url);
	free(dir);
}

/* Submit a buy of 1 GLD as id; returns what the submit operation did. */
static int
buy(const char *id, json_t **order)
{
	*order = NULL;
	return b.ops->submit(&b, id, "GLD", "buy", "1", order);
}

/* The number of orders the stand-in holds and its GLD position. */
static void
assert_orders(size_t n, const char *gld)
{
	json_t *st = ctl("{}");

	ck_assert_uint_eq(json_array_size(json_object_get(st, "orders")), n);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(st,
	    "positions"), "GLD")), gld);
	json_decref(st);
}

START_TEST(thousand_lost_answers_give_no_duplicate)
{
	char id[QGTM_CLIENT_ORDER_ID_SIZE], trace[32];
	json_t *order;
	int i;

	json_decref(ctl("{\"drop\": 1000}"));
	for (i = 0; i < 1000; i++) {
		snprintf(trace, sizeof trace, "t%d", i);
		qgtm_client_order_id("tsmom", trace, "GLD", id);
		ck_assert_int_eq(buy(id, &order), 0);
		ck_assert_str_eq(json_string_value(json_object_get(order,
		    "client_order_id")), id);
		ck_assert_str_eq(json_string_value(json_object_get(order,
		    "status")), "filled");
		json_decref(order);
		/* A rerun of the same decision finds it and places nothing. */
		ck_assert_int_eq(buy(id, &order), 0);
		json_decref(order);
	}
	assert_orders(1000, "1000");
}
END_TEST

START_TEST(timeout_after_accept_is_resolved_by_lookup)
{
	json_t *order;

	json_decref(ctl("{\"stall\": 1}"));
	ck_assert_int_eq(buy("qgtm-stall", &order), 0);
	ck_assert_str_eq(json_string_value(json_object_get(order,
	    "client_order_id")), "qgtm-stall");
	json_decref(order);
	assert_orders(1, "1");
}
END_TEST

START_TEST(placed_once_then_recognized)
{
	json_t *order;

	ck_assert_int_eq(buy("qgtm-once", &order), 1);
	json_decref(order);
	ck_assert_int_eq(buy("qgtm-once", &order), 0);
	json_decref(order);
	assert_orders(1, "1");
}
END_TEST

START_TEST(any_422_or_409_is_looked_up)
{
	json_t *order;

	/* a duplicate told in other words is still found by its id */
	ck_assert_int_eq(buy("qgtm-dup", &order), 1);
	json_decref(order);
	json_decref(ctl("{\"fail\": [[422, {\"code\": 40010001, \"message\": "
	    "\"duplicate order\"}]]}"));
	ck_assert_int_eq(buy("qgtm-dup", &order), 0);
	ck_assert_str_eq(json_string_value(json_object_get(order,
	    "client_order_id")), "qgtm-dup");
	json_decref(order);
	json_decref(ctl("{\"fail\": [[409, {\"message\": \"conflict\"}]]}"));
	ck_assert_int_eq(buy("qgtm-dup", &order), 0);
	json_decref(order);
	assert_orders(1, "1");
}
END_TEST

START_TEST(rate_limit_is_waited_out)
{
	struct timespec t0, t1;
	json_t *order, *st;

	/* the stand-in answers two orders 429 with X-RateLimit-Reset (at
	 * least a second away) and no Retry-After: each is waited out, the
	 * order looked up, and only then sent again */
	json_decref(ctl("{\"submit_fail\": [[429, {\"code\": 42910000, "
	    "\"message\": \"rate limit exceeded\"}], [429, null]]}"));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(buy("qgtm-429", &order), 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_int_ge((t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000, 2000);
	json_decref(order);
	assert_orders(1, "1");
	st = ctl("{}");
	ck_assert_int_eq(json_integer_value(json_object_get(st, "posts")), 3);
	json_decref(st);
}
END_TEST

START_TEST(refusals_carry_the_message)
{
	json_t *order;

	json_decref(ctl("{\"fail\": [[403, {\"code\": 40310000, \"message\": "
	    "\"insufficient buying power\"}], [422, {\"code\": 40010001, "
	    "\"message\": \"qty must be > 0\"}]]}"));
	ck_assert_int_eq(buy("qgtm-403", &order), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_NOPERM);
	ck_assert_str_eq(qgtm_errmsg(), "alpaca: submit: HTTP 403: "
	    "insufficient buying power");
	ck_assert_int_eq(buy("qgtm-422", &order), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_UNAVAILABLE);
	ck_assert_str_eq(qgtm_errmsg(), "alpaca: submit: HTTP 422: "
	    "qty must be > 0");
	ck_assert_ptr_null(order);
}
END_TEST

START_TEST(fills_are_folded_once)
{
	struct qgtm_book book;
	json_t *fills, *more;

	setenv("QGTM_STATE_DIR", dir, 1);
	ck_assert_int_eq(qgtm_state_init(&cfg), 0);
	json_decref(ctl("{\"fills\": [{\"symbol\": \"GDX\", \"qty\": \"2\", "
	    "\"side\": \"buy\"}, {\"symbol\": \"GDX\", \"qty\": \"0.5\", "
	    "\"side\": \"sell\"}]}"));
	ck_assert_ptr_nonnull(fills = b.ops->fills(&b, NULL));
	ck_assert_int_eq(json_array_size(fills), 2);
	ck_assert_int_eq(qgtm_oms_record(&cfg, fills), 2);
	ck_assert_int_eq(qgtm_oms_record(&cfg, fills), 0);
	ck_assert_int_eq(qgtm_oms_book_load(&cfg, &book), 0);
	ck_assert_int_eq(book.npos, 1);
	ck_assert_int_eq(book.pos[0].qty, 1500000);
	ck_assert_ptr_nonnull(more = b.ops->fills(&b,
	    qgtm_oms_last_activity(&book)));
	ck_assert_int_eq(json_array_size(more), 0);
	qgtm_book_release(&book);
	json_decref(fills);
	json_decref(more);
	unsetenv("QGTM_STATE_DIR");
}
END_TEST

Suite *
suite_broker(void)
{
	Suite *s = suite_create("broker");
	TCase *tc = tcase_create("alpaca");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, thousand_lost_answers_give_no_duplicate);
	tcase_add_test(tc, timeout_after_accept_is_resolved_by_lookup);
	tcase_add_test(tc, placed_once_then_recognized);
	tcase_add_test(tc, any_422_or_409_is_looked_up);
	tcase_add_test(tc, rate_limit_is_waited_out);
	tcase_add_test(tc, refusals_carry_the_message);
	tcase_add_test(tc, fills_are_folded_once);
	suite_add_tcase(s, tc);
	return s;
}
