/*
 * test_html.c: the four ways a string enters a page, with hostile input.
 */
#include <string.h>

#include "unit.h"

#define NELEM(a) ((int)(sizeof (a) / sizeof (a)[0]))

typedef int (*html_fn)(struct qgtm_buf *, const char *);

static const struct {
	const char *name;
	html_fn fn;
	const char *in, *want;
} cases[] = {
	{ "raw", qgtm_html_raw, "<b>&</b>", "<b>&</b>" },
	{ "text", qgtm_html_text, "", "" },
	{ "text", qgtm_html_text, "plain", "plain" },
	{ "text", qgtm_html_text, "<script>alert(1)</script>",
	    "&lt;script&gt;alert(1)&lt;/script&gt;" },
	{ "text", qgtm_html_text, "a&b \"q\" 'q'", "a&amp;b \"q\" 'q'" },
	{ "text", qgtm_html_text, "&amp;", "&amp;amp;" },
	{ "attr", qgtm_html_attr, "\" onmouseover=\"x",
	    "&quot; onmouseover=&quot;x" },
	{ "attr", qgtm_html_attr, "' autofocus onfocus='x",
	    "&#39; autofocus onfocus=&#39;x" },
	{ "attr", qgtm_html_attr, "<>&\"'", "&lt;&gt;&amp;&quot;&#39;" },
	{ "attr", qgtm_html_attr, "\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9" },
	{ "url", qgtm_html_url, "javascript:alert(1)", "#" },
	{ "url", qgtm_html_url, "JavaScript:alert(1)", "#" },
	{ "url", qgtm_html_url, "data:text/html,<x>", "#" },
	{ "url", qgtm_html_url, "https://h/p?a=1&b=2", "https://h/p?a=1&amp;b=2" },
	{ "url", qgtm_html_url, "api/v1/strategies/a b\"<>'/x",
	    "api/v1/strategies/a%20b%22%3C%3E%27/x" },
	{ "url", qgtm_html_url, "/p:x", "/p:x" },
	{ "url", qgtm_html_url, "\xc3\xa9", "%C3%A9" },
};

START_TEST(test_escape)
{
	struct qgtm_buf b;

	qgtm_buf_init(&b, 1024);
	ck_assert_int_eq(cases[_i].fn(&b, cases[_i].in), 0);
	ck_assert_msg(strcmp(b.data, cases[_i].want) == 0,
	    "%s('%s') = '%s', want '%s'", cases[_i].name, cases[_i].in,
	    b.data, cases[_i].want);
	qgtm_buf_release(&b);
}
END_TEST

/* Past the buffer's cap every function fails, none overruns. */
START_TEST(test_cap)
{
	struct qgtm_buf b;

	qgtm_buf_init(&b, 8);
	ck_assert_int_eq(qgtm_html_text(&b, "<<<<"), -1);
	ck_assert_uint_le(b.len, 8);
	qgtm_buf_reset(&b);
	ck_assert_int_eq(qgtm_html_attr(&b, "''''''"), -1);
	qgtm_buf_reset(&b);
	ck_assert_int_eq(qgtm_html_url(&b, "\x01\x02\x03"), -1);
	qgtm_buf_reset(&b);
	ck_assert_int_eq(qgtm_html_raw(&b, "123456789"), -1);
	qgtm_buf_release(&b);
}
END_TEST

Suite *
suite_html(void)
{
	Suite *s = suite_create("html");
	TCase *tc = tcase_create("escape");

	tcase_add_loop_test(tc, test_escape, 0, NELEM(cases));
	tcase_add_test(tc, test_cap);
	suite_add_tcase(s, tc);
	return s;
}
