/*
 * fuzz_text.c: alert and digest text (lib/base/text.c, lib/net/alert.c,
 * lib/report/digest.c) with any bytes: every cut is valid UTF-8 when its input
 * is, qgtm_utf8_cut is always valid and within its count, the Discord
 * body of any cut text is built, and a digest whose every text field is
 * the input (made valid) renders valid UTF-8 that posts as one body.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

/* The cut sizes tried: none, one character, the digest's, Discord's. */
static const size_t cuts[] = { 0, 1, 16, 40, 50, 1993, 2000 };

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_setup("fuzz_text");
	return 0;
}

/* The characters of valid UTF-8 s (its bytes that start one). */
static size_t
chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Is the text JSON can hold? (jansson checks RFC 3629.) */
static int
valid(const char *s, size_t n)
{
	json_t *v = json_stringn(s, n);

	json_decref(v);
	return v != NULL;
}

/* Every cut of s, valid or not. */
static void
check_cuts(const char *s, int s_valid)
{
	size_t i, n;
	char *cut, *body, fixed[41];

	fuzz_check(qgtm_utf8_valid(s) == s_valid, "utf8_valid disagrees with "
	    "jansson");
	for (i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		n = qgtm_utf8_prefix(s, cuts[i]);
		fuzz_check(n <= strlen(s), "a prefix past the end");
		fuzz_check(!s_valid || valid(s, n), "a cut inside a character");
		cut = qgtm_utf8_cut(s, cuts[i]);
		fuzz_check(valid(cut, strlen(cut)), "a cut that is not UTF-8");
		fuzz_check(chars(cut) <= cuts[i], "a cut over its count");
		body = qgtm_discord_body(cut);
		fuzz_check(body != NULL, "no Discord body for valid text");
		free(body);
		free(cut);
	}
	n = qgtm_utf8_copy(fixed, sizeof fixed, s);
	fuzz_check(n < sizeof fixed && strlen(fixed) == n, "a copy past its "
	    "buffer");
	fuzz_check(!s_valid || valid(fixed, n), "a copy cut in a character");
}

/* A digest model whose every text is t. */
static json_t *
model_of(const char *t)
{
	return json_pack("{s:{s:s, s:s, s:s, s:s, s:f, s:{s:i, s:i, s:i},"
	    " s:s, s:[{s:s, s:s, s:s, s:s, s:s}], s:[{s:s, s:i, s:i, s:i}]},"
	    " s:{s:[{s:s, s:{s:{s:b, s:s}}}, {s:s, s:s, s:s}, {s:s, s:s}]},"
	    " s:i, s:{s:i, s:s}, s:[{s:s, s:s}], s:s}",
	    "week", "week", "2026-03-09", "equity_text", t, "pnl_text", t,
	    "tier", t, "pnl_pct", 0.5, "positions", "open", 1, "long", 1,
	    "short", 0, "max_drawdown_day", t, "risk_events", "ts", t, "from",
	    t, "to", t, "by", t, "reason", t, "strategies", "strategy", t,
	    "pnl_cents", 1, "trades", 2, "hits", 1,
	    "readiness", "rows", "id", "feeds", "details", t, "healthy", 0,
	    "reason", t, "id", "heartbeat", "result", t, "reason", t, "id",
	    "audit", "result", t,
	    "audit_new", 3, "checkpoint", "size", 4, "root", t,
	    "next_week", "at_ny", t, "name", t, "dashboard", t);
}

/* Render the digest of text t both ways and check what would be sent. */
static void
check_digest(const char *t)
{
	json_t *model = model_of(t);
	struct qgtm_buf b;
	char *body;
	int md;

	fuzz_check(model != NULL, "no model of valid text");
	for (md = 0; md <= 1; md++) {
		qgtm_buf_init(&b, 1 << 20);
		fuzz_check(qgtm_digest_render(&b, model, md) == 0,
		    "a digest that does not render");
		fuzz_check(valid(b.data, b.len), "a digest that is not UTF-8");
		body = qgtm_discord_body(b.data);
		fuzz_check(body != NULL, "a digest Discord cannot take");
		free(body);
		qgtm_buf_release(&b);
	}
	json_decref(model);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *t;

	fuzz_check(s != NULL, "out of memory");
	memcpy(s, data, size);
	s[size] = '\0';
	check_cuts(s, valid(s, strlen(s)));
	t = qgtm_utf8_cut(s, (size_t)-1);
	check_digest(t);
	free(t);
	free(s);
	return 0;
}
