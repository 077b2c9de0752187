/*
 * test_oms.c: the OMS book folded from fills to the cent, client order
 * ids, the sim broker's prices and commissions, decisions, and submit runs:
 * sizing, the no-trade band, idempotent reruns and torn journal lines.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

#define CENTS(d) ((int64_t)(d) * 100)
#define SHARES(n) ((int64_t)(n) * 1000000)

static struct qgtm_fill
fill(const char *symbol, int side, int64_t shares, int64_t price,
    int64_t commission)
{
	struct qgtm_fill f;

	memset(&f, 0, sizeof f);
	snprintf(f.symbol, sizeof f.symbol, "%s", symbol);
	f.side = side;
	f.qty = SHARES(shares);
	f.price = price;
	f.commission = commission;
	ck_assert_int_eq(qgtm_dec_mul(f.qty, QGTM_QTY_SCALE, price,
	    QGTM_PRICE_SCALE, QGTM_CENTS, &f.notional), 0);
	return f;
}

/* ---------------------------------------------------------------- book -- */

START_TEST(fold_is_exact_to_the_cent)
{
	struct qgtm_book b;
	struct qgtm_fill f;
	const struct qgtm_position *p;

	qgtm_book_init(&b, CENTS(100000));
	f = fill("GLD", QGTM_BUY, 10, 100005000, 100);  /* 10 @ 100.0050 */
	ck_assert_int_eq(f.notional, 100005);           /* 1000.05 */
	ck_assert_int_eq(qgtm_book_apply(&b, &f), 0);
	ck_assert_int_eq(b.cash, 9899895);              /* 98998.95 */
	p = qgtm_book_position(&b, "GLD");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(p->qty, SHARES(10));
	ck_assert_int_eq(p->avg_price, 100005000);

	f = fill("GLD", QGTM_BUY, 10, 101000000, 100);  /* 10 @ 101 */
	ck_assert_int_eq(qgtm_book_apply(&b, &f), 0);
	ck_assert_int_eq(b.cash, 9798795);              /* 97987.95 */
	p = qgtm_book_position(&b, "GLD");
	ck_assert_int_eq(p->qty, SHARES(20));
	ck_assert_int_eq(p->avg_price, 100502500);      /* 100.5025 */

	f = fill("GLD", QGTM_SELL, 5, 102000000, 100);  /* 5 @ 102 */
	ck_assert_int_eq(qgtm_book_apply(&b, &f), 0);
	ck_assert_int_eq(b.cash, 9849695);              /* + 510 - 1 */
	ck_assert_int_eq(qgtm_book_position(&b, "GLD")->avg_price, 100502500);
	qgtm_book_release(&b);
}
END_TEST

START_TEST(fold_crosses_zero_and_closes)
{
	struct qgtm_book b;
	struct qgtm_fill f;
	const struct qgtm_position *p;

	qgtm_book_init(&b, CENTS(1000));
	f = fill("SLV", QGTM_BUY, 10, 20000000, 0);
	ck_assert_int_eq(qgtm_book_apply(&b, &f), 0);
	f = fill("GDX", QGTM_SELL, 4, 30000000, 0);     /* a short */
	ck_assert_int_eq(qgtm_book_apply(&b, &f), 0);
	ck_assert_int_eq(b.npos, 2);
	ck_assert_str_eq(b.pos[0].symbol, "GDX");       /* sorted */
	ck_assert_int_eq(b.pos[0].qty, -SHARES(4));
	ck_assert_int_eq(b.cash, CENTS(1000 - 200 + 120));

	f = fill("SLV", QGTM_SELL, 15, 21000000, 0);    /* long 10 -> short 5 */
	ck_assert_int_eq(qgtm_book_apply(&b, &f), 0);
	p = qgtm_book_position(&b, "SLV");
	ck_assert_int_eq(p->qty, -SHARES(5));
	ck_assert_int_eq(p->avg_price, 21000000);

	f = fill("GDX", QGTM_SELL, 2, 33000000, 0);     /* adds to the short */
	ck_assert_int_eq(qgtm_book_apply(&b, &f), 0);
	ck_assert_int_eq(qgtm_book_position(&b, "GDX")->avg_price, 31000000);

	f = fill("SLV", QGTM_BUY, 5, 19000000, 0);      /* flat */
	ck_assert_int_eq(qgtm_book_apply(&b, &f), 0);
	ck_assert_ptr_null(qgtm_book_position(&b, "SLV"));
	ck_assert_int_eq(b.npos, 1);
	qgtm_book_release(&b);
}
END_TEST

START_TEST(average_price_rounds_half_to_even)
{
	struct qgtm_book b;
	struct qgtm_fill f;

	qgtm_book_init(&b, 0);
	f = fill("GLD", QGTM_BUY, 1, 1000001, 0);
	qgtm_book_apply(&b, &f);
	f = fill("GLD", QGTM_BUY, 1, 1000000, 0);
	qgtm_book_apply(&b, &f);                /* 1.0000005 -> 1.000000 */
	ck_assert_int_eq(qgtm_book_position(&b, "GLD")->avg_price, 1000000);
	f = fill("SLV", QGTM_BUY, 1, 1000003, 0);
	qgtm_book_apply(&b, &f);
	f = fill("SLV", QGTM_BUY, 1, 1000000, 0);
	qgtm_book_apply(&b, &f);                /* 1.0000015 -> 1.000002 */
	ck_assert_int_eq(qgtm_book_position(&b, "SLV")->avg_price, 1000002);
	qgtm_book_release(&b);
}
END_TEST

START_TEST(intent_order_id_is_the_intent)
{
	char a[QGTM_CLIENT_ORDER_ID_SIZE], b[QGTM_CLIENT_ORDER_ID_SIZE];
	time_t t;

	ck_assert_int_eq(qgtm_time_parse("2026-01-05T21:30:00Z", &t), 0);
	qgtm_intent_order_id("tsmom", t, "GLD", 250000, a);
	/* printf 'intent|tsmom|2026-01-05|GLD|0.250000' | sha256sum */
	ck_assert_str_eq(a, "qgtm-c9b349d5ee6a6c4ae0b8b0d82289acc4f94ec429");
	ck_assert_int_le(strlen(a), 128);       /* Alpaca's limit */
	/* the same New York day, later: the same intent */
	qgtm_intent_order_id("tsmom", t + 3600, "GLD", 250000, b);
	ck_assert_str_eq(a, b);
	/* 04:00Z is still the day before in New York */
	ck_assert_int_eq(qgtm_time_parse("2026-01-06T04:00:00Z", &t), 0);
	qgtm_intent_order_id("tsmom", t, "GLD", 250000, b);
	ck_assert_str_eq(a, b);
	qgtm_intent_order_id("tsmom", t + 86400, "GLD", 250000, b);
	ck_assert_str_ne(a, b);
	qgtm_intent_order_id("tsmom", t, "GLD", 250001, b);
	ck_assert_str_ne(a, b);
	qgtm_intent_order_id("tsmom", t, "SLV", 250000, b);
	ck_assert_str_ne(a, b);
	qgtm_intent_order_id("xsmom", t, "GLD", 250000, b);
	ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(client_order_id_is_deterministic)
{
	char a[QGTM_CLIENT_ORDER_ID_SIZE], b[QGTM_CLIENT_ORDER_ID_SIZE];
	const char *trace = "0123456789abcdef0123456789abcdef";

	qgtm_client_order_id("tsmom", trace, "GLD", a);
	qgtm_client_order_id("tsmom", trace, "GLD", b);
	ck_assert_str_eq(a, b);
	/* printf 'tsmom|0123...cdef|GLD' | sha256sum */
	ck_assert_str_eq(a, "qgtm-3998d22ffa3229b29dca9566b6f0225f51ce745b");
	ck_assert_int_eq(strlen(a), 45);
	ck_assert_int_le(strlen(a), 48);        /* Alpaca's limit */
	qgtm_client_order_id("tsmom", trace, "SLV", b);
	ck_assert_str_ne(a, b);
	qgtm_client_order_id("other", trace, "GLD", b);
	ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(symbols_are_checked)
{
	json_t *v;

	ck_assert(qgtm_symbol_ok("GLD"));
	ck_assert(qgtm_symbol_ok("BRK.B"));
	ck_assert(qgtm_symbol_ok("ABCDEFGHIJKLMNO"));
	ck_assert(!qgtm_symbol_ok(""));
	ck_assert(!qgtm_symbol_ok("ABCDEFGHIJKLMNOP"));
	ck_assert(!qgtm_symbol_ok("../etc"));
	ck_assert(!qgtm_symbol_ok(".."));
	ck_assert(!qgtm_symbol_ok("A/B"));
	ck_assert(!qgtm_symbol_ok("A B"));
	ck_assert_ptr_null(qgtm_json_symbol(NULL));
	v = json_integer(1);
	ck_assert_ptr_null(qgtm_json_symbol(v));
	json_decref(v);
	v = json_stringn("GLD\0x", 5);
	ck_assert_ptr_null(qgtm_json_symbol(v));
	json_decref(v);
	v = json_string("GLD");
	ck_assert_str_eq(qgtm_json_symbol(v), "GLD");
	json_decref(v);
}
END_TEST

/* ------------------------------------------------------------ broker -- */

START_TEST(sim_price_moves_against_the_order)
{
	/* 5 bps, 0.005, 1.00 */
	struct qgtm_broker_sim b = { 500, 5000, 100, QGTM_SIM_IMMEDIATE, 0 };
	struct qgtm_fill f;

	ck_assert_int_eq(qgtm_broker_sim_fill(&b, "GLD", QGTM_BUY, SHARES(10),
	    100000000, &f), 0);
	ck_assert_int_eq(f.price, 100050000);           /* 100.05 */
	ck_assert_int_eq(f.notional, 100050);           /* 1000.50 */
	ck_assert_int_eq(f.commission, 100);            /* the minimum */
	ck_assert_str_eq(f.symbol, "GLD");
	ck_assert_int_eq(qgtm_broker_sim_fill(&b, "GLD", QGTM_SELL, SHARES(57),
	    327710000, &f), 0);
	ck_assert_int_eq(f.price, 327546100);   /* 327.546145 -> 327.5461 */
	ck_assert_int_eq(f.notional, 1867013);          /* 18670.13 */
}
END_TEST

START_TEST(sim_price_rounds_half_to_even)
{
	struct qgtm_broker_sim b = { 0, 0, 0, QGTM_SIM_IMMEDIATE, 0 };
	struct qgtm_fill f;

	qgtm_broker_sim_fill(&b, "GLD", QGTM_BUY, SHARES(1), 1000050, &f);
	ck_assert_int_eq(f.price, 1000000);             /* 1.00005 -> 1.0000 */
	qgtm_broker_sim_fill(&b, "GLD", QGTM_BUY, SHARES(1), 1000150, &f);
	ck_assert_int_eq(f.price, 1000200);             /* 1.00015 -> 1.0002 */
}
END_TEST

START_TEST(sim_commission_has_a_minimum)
{
	struct qgtm_broker_sim b = { 0, 5000, 100, QGTM_SIM_IMMEDIATE, 0 };
	struct qgtm_fill f;

	qgtm_broker_sim_fill(&b, "SLV", QGTM_BUY, SHARES(10), 1000000, &f);
	ck_assert_int_eq(f.commission, 100);            /* 0.05 -> 1.00 */
	qgtm_broker_sim_fill(&b, "SLV", QGTM_BUY, SHARES(1000), 1000000, &f);
	ck_assert_int_eq(f.commission, 500);            /* 5.00 */
	qgtm_broker_sim_fill(&b, "SLV", QGTM_BUY, SHARES(235), 1000000, &f);
	ck_assert_int_eq(f.commission, 118);            /* 1.175 -> 1.18 */
	qgtm_broker_sim_fill(&b, "SLV", QGTM_SELL, SHARES(225), 1000000, &f);
	ck_assert_int_eq(f.commission, 112);            /* 1.125 -> 1.12 */
}
END_TEST

/* ---------------------------------------------------------- decisions -- */

static const char trace[] = "0123456789abcdef0123456789abcdef";

/* A decision record with the given status and targets (JSON text). */
static json_t *
decision(const char *status, const char *targets)
{
	char *text = qgtm_xasprintf("{\"type\":\"decision\",\"trace_id\":"
	    "\"%s\",\"strategy\":\"tsmom\",\"status\":\"%s\",\"targets\":%s}",
	    trace, status, targets);
	json_t *rec = json_loads(text, 0, NULL);

	ck_assert_ptr_nonnull(rec);
	free(text);
	return rec;
}

START_TEST(decision_parse_reads_targets)
{
	json_t *rec = decision("resized", "[{\"symbol\":\"GLD\","
	    "\"approved_weight\":\"0.25\"},{\"symbol\":\"XYZ\","
	    "\"approved_weight\":null}]");
	struct qgtm_decision d;

	ck_assert_int_eq(qgtm_decision_parse(rec, &d), 0);
	ck_assert_str_eq(d.strategy, "tsmom");
	ck_assert_str_eq(d.trace_id, trace);
	ck_assert_int_eq(d.tradable, 1);
	ck_assert_int_eq(d.n, 2);
	ck_assert_int_eq(d.t[0].approved, 1);
	ck_assert_int_eq(d.t[0].weight, 250000);
	ck_assert_int_eq(d.t[1].approved, 0);
	qgtm_decision_release(&d);
	json_decref(rec);
}
END_TEST

START_TEST(decision_parse_refuses_bad_fields)
{
	static const struct {
		const char *status, *targets, *msg;
	} bad[] = {
		{ "maybe", "[]", "field 'status': expected approved, resized" },
		{ "approved", "{}", "field 'targets': expected an array" },
		{ "approved", "[{\"symbol\":\"GLD\",\"approved_weight\":0.25}]",
		  "field 'targets[0].approved_weight': expected a decimal" },
		{ "approved",
		  "[{\"symbol\":\"../x\",\"approved_weight\":\"0\"}]",
		  "field 'targets[0].symbol': expected a ticker" },
		{ "approved", "[{\"symbol\":\"GLD\",\"approved_weight\":\"0\"},"
		  "{\"symbol\":\"GLD\",\"approved_weight\":\"0\"}]",
		  "field 'targets[1].symbol': duplicate" },
	};
	struct qgtm_decision d;
	json_t *rec;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		rec = decision(bad[i].status, bad[i].targets);
		ck_assert_int_eq(qgtm_decision_parse(rec, &d), -1);
		ck_assert_int_eq(qgtm_errcode(), QGTM_EX_DATAERR);
		ck_assert_msg(strncmp(qgtm_errmsg(), bad[i].msg,
		    strlen(bad[i].msg)) == 0, "got '%s'", qgtm_errmsg());
		json_decref(rec);
	}
}
END_TEST

/* --------------------------------------------------------------- runs -- */

static char *dir;
static struct qgtm_cfg cfg;
static time_t now;
static int tier;                /* the kill-switch tier submit() runs under */

static void
setup(void)
{
	dir = unit_state_cfg(&cfg, "broker:\n  sim:\n    slippage_bps: 0\n");
	unit_add_bar("GLD", "2026-01-02", "100.000000");
	unit_add_bar("SLV", "2026-01-02", "20.000000");
	ck_assert_int_eq(qgtm_time_parse("2026-01-05T21:00:00Z", &now), 0);
	tier = QGTM_TIER_NORMAL;
}

static void
teardown(void)
{
	qgtm_cfg_release(&cfg);
	unsetenv("QGTM_STATE_DIR");
	free(dir);
}

/* Submit one decision in a run of its own; the records it gave (new). */
static json_t *
submit(const char *targets, int dry_run, int want_orders)
{
	json_t *rec = decision("approved", targets), *out = json_array();
	struct qgtm_oms_run run;
	struct qgtm_decision d;

	ck_assert_int_eq(qgtm_decision_parse(rec, &d), 0);
	ck_assert_int_eq(qgtm_oms_run_begin(&run, &cfg, now, dry_run), 0);
	run.tier = tier;
	ck_assert_int_eq(qgtm_oms_run_decision(&run, &d, out), want_orders);
	ck_assert_int_eq(qgtm_oms_run_commit(&run), 0);
	qgtm_oms_run_release(&run);
	qgtm_decision_release(&d);
	json_decref(rec);
	return out;
}

static const char *
field(json_t *out, size_t i, const char *key)
{
	return json_string_value(json_object_get(json_array_get(out, i), key));
}

static int
journal_lines(void)
{
	char *path = qgtm_state_path(QGTM_OMS_JOURNAL, 0);
	char *text = unit_read_file(path), *p;
	int n = 0;

	for (p = text; p != NULL && *p != '\0'; p++)
		n += *p == '\n';
	free(text);
	free(path);
	return n;
}

START_TEST(submit_sizes_in_whole_shares)
{
	/* 0.25 * 100000 / 100 = 250 GLD; -0.1 * 100000 / 20 = -500 SLV */
	json_t *out = submit("[{\"symbol\":\"GLD\",\"approved_weight\":"
	    "\"0.25\"},{\"symbol\":\"SLV\",\"approved_weight\":\"-0.1\"}]",
	    0, 2);
	struct qgtm_book b;

	ck_assert_int_eq(json_array_size(out), 4);
	ck_assert_str_eq(field(out, 0, "type"), "order");
	ck_assert_str_eq(field(out, 0, "client_order_id"),
	    "qgtm-c9b349d5ee6a6c4ae0b8b0d82289acc4f94ec429");
	ck_assert_str_eq(field(out, 0, "side"), "buy");
	ck_assert_str_eq(field(out, 0, "qty"), "250");
	ck_assert_str_eq(field(out, 0, "status"), "filled");
	ck_assert_str_eq(field(out, 0, "trace_id"), trace);
	ck_assert_str_eq(field(out, 1, "type"), "fill");
	ck_assert_str_eq(field(out, 1, "price"), "100.000000");
	ck_assert_str_eq(field(out, 1, "commission"), "1.25");
	ck_assert_str_eq(field(out, 1, "notional"), "25000.00");
	ck_assert_str_eq(field(out, 2, "side"), "sell");
	ck_assert_str_eq(field(out, 2, "qty"), "500");
	json_decref(out);
	ck_assert_int_eq(journal_lines(), 2);
	ck_assert_int_eq(qgtm_oms_book_load(&cfg, &b), 0);
	ck_assert_int_eq(b.cash, CENTS(100000 - 25000 + 10000) - 125 - 250);
	ck_assert_int_eq(qgtm_book_position(&b, "SLV")->qty, -SHARES(500));
	qgtm_book_release(&b);
}
END_TEST

START_TEST(resubmit_places_nothing)
{
	const char *t = "[{\"symbol\":\"GLD\",\"approved_weight\":\"0.25\"}]";
	json_t *out;
	char *path, *first, *second;

	json_decref(submit(t, 0, 1));
	path = qgtm_state_path(QGTM_OMS_JOURNAL, 0);
	first = unit_read_file(path);
	out = submit(t, 0, 0);
	ck_assert_int_eq(json_array_size(out), 0);
	second = unit_read_file(path);
	ck_assert_str_eq(first, second);
	json_decref(out);
	free(first);
	free(second);
	free(path);
}
END_TEST

START_TEST(dry_run_changes_nothing)
{
	json_t *out = submit("[{\"symbol\":\"GLD\",\"approved_weight\":"
	    "\"0.25\"}]", 1, 1);
	char *path = qgtm_state_path("oms", 0);
	struct stat st;

	ck_assert_int_eq(json_array_size(out), 1);
	ck_assert_str_eq(field(out, 0, "status"), "dry_run");
	ck_assert_int_eq(stat(path, &st), -1);          /* no oms/ at all */
	json_decref(out);
	free(path);
}
END_TEST

START_TEST(no_trade_band_skips_small_orders)
{
	/* band 0.02 * 100000 = 2000: 10 GLD (1000) is skipped, 30 (3000)
	 * is not; then a target of 0 closes even a small position. */
	json_decref(submit("[{\"symbol\":\"GLD\",\"approved_weight\":"
	    "\"0.01\"}]", 0, 0));
	ck_assert_int_eq(journal_lines(), 0);
	json_decref(submit("[{\"symbol\":\"SLV\",\"approved_weight\":"
	    "\"0.03\"}]", 0, 1));
	ck_assert_int_eq(journal_lines(), 1);
}
END_TEST

START_TEST(closing_always_goes_through)
{
	char *path = qgtm_state_path(QGTM_OMS_JOURNAL, 1);
	json_t *out;

	unit_write_file(path, "{\"order\":{\"client_order_id\":\"qgtm-a\"},"
	    "\"fill\":{\"symbol\":\"GLD\",\"side\":\"buy\",\"qty\":\"3\","
	    "\"price\":\"100.000000\",\"commission\":\"1.00\","
	    "\"notional\":\"300.00\"}}\n");
	out = submit("[{\"symbol\":\"GLD\",\"approved_weight\":\"0\"}]", 0, 1);
	ck_assert_str_eq(field(out, 0, "side"), "sell");
	ck_assert_str_eq(field(out, 0, "qty"), "3");
	json_decref(out);
	free(path);
}
END_TEST

/* A journal holding 3 GLD bought at 100. */
static void
hold_gld(void)
{
	char *path = qgtm_state_path(QGTM_OMS_JOURNAL, 1);

	unit_write_file(path, "{\"order\":{\"client_order_id\":\"qgtm-a\"},"
	    "\"fill\":{\"symbol\":\"GLD\",\"side\":\"buy\",\"qty\":\"3\","
	    "\"price\":\"100.000000\",\"commission\":\"1.00\","
	    "\"notional\":\"300.00\"}}\n");
	free(path);
}

START_TEST(flatten_tier_refuses_every_order)
{
	json_t *out;

	qgtm_log_level = QGTM_LOG_ERR;          /* the warnings are expected */
	hold_gld();
	tier = QGTM_TIER_FLATTEN;
	out = submit("[{\"symbol\":\"GLD\",\"approved_weight\":\"0\"},"
	    "{\"symbol\":\"SLV\",\"approved_weight\":\"0.1\"}]", 0, 0);
	ck_assert_uint_eq(json_array_size(out), 2);
	ck_assert_str_eq(field(out, 0, "status"), "refused");
	ck_assert_str_eq(field(out, 1, "status"), "refused");
	ck_assert_str_eq(field(out, 1, "reason"), "kill switch tier FLATTEN");
	ck_assert_int_eq(journal_lines(), 1);
	json_decref(out);
}
END_TEST

START_TEST(no_new_tier_lets_only_reductions_through)
{
	json_t *out;

	qgtm_log_level = QGTM_LOG_ERR;
	hold_gld();
	tier = QGTM_TIER_NO_NEW;
	out = submit("[{\"symbol\":\"GLD\",\"approved_weight\":\"0.001\"},"
	    "{\"symbol\":\"SLV\",\"approved_weight\":\"-0.1\"}]", 0, 1);
	ck_assert_str_eq(field(out, 0, "symbol"), "GLD");
	ck_assert_str_eq(field(out, 0, "side"), "sell");
	ck_assert_str_eq(field(out, 0, "status"), "filled");
	ck_assert_str_eq(field(out, 2, "symbol"), "SLV");
	ck_assert_str_eq(field(out, 2, "status"), "refused");
	ck_assert_str_eq(field(out, 2, "reason"),
	    "kill switch tier NO_NEW: the order adds risk");
	ck_assert_int_eq(journal_lines(), 2);
	json_decref(out);
}
END_TEST

START_TEST(close_all_flattens_the_book)
{
	json_t *out = json_array();
	struct qgtm_book b;

	hold_gld();
	ck_assert_int_eq(qgtm_oms_close_all(&cfg, now, out), 1);
	ck_assert_str_eq(field(out, 0, "strategy"), "flatten");
	ck_assert_str_eq(field(out, 0, "side"), "sell");
	ck_assert_str_eq(field(out, 1, "qty"), "3");
	ck_assert_int_eq(qgtm_oms_book_load(&cfg, &b), 0);
	ck_assert_uint_eq(b.npos, 0);
	qgtm_book_release(&b);
	ck_assert_int_eq(qgtm_oms_close_all(&cfg, now, out), 0);
	json_decref(out);
}
END_TEST

START_TEST(torn_last_line_is_ignored_then_cut)
{
	char *path = qgtm_state_path(QGTM_OMS_JOURNAL, 1), *text;
	struct qgtm_book b;

	qgtm_log_level = QGTM_LOG_ERR;          /* the warning is expected */
	unit_write_file(path, "{\"order\":{\"client_order_id\":\"qgtm-a\"},"
	    "\"fill\":{\"symbol\":\"GLD\",\"side\":\"buy\",\"qty\":\"30\","
	    "\"price\":\"100.000000\",\"commission\":\"1.00\","
	    "\"notional\":\"3000.00\"}}\n{\"order\":{\"client_");
	ck_assert_int_eq(qgtm_oms_book_load(&cfg, &b), 0);
	ck_assert_int_eq(json_array_size(b.journal), 1);
	ck_assert_int_eq(b.cash, CENTS(97000) - 100);
	qgtm_book_release(&b);
	json_decref(submit("[{\"symbol\":\"SLV\",\"approved_weight\":"
	    "\"0.1\"}]", 0, 1));
	text = unit_read_file(path);
	ck_assert_int_eq(text[strlen(text) - 1], '\n');
	ck_assert_int_eq(journal_lines(), 2);
	ck_assert_int_eq(qgtm_oms_book_load(&cfg, &b), 0);  /* cut, not glued */
	ck_assert_int_eq(json_array_size(b.journal), 2);
	qgtm_book_release(&b);
	free(text);
	free(path);
}
END_TEST

START_TEST(journal_folds_working_orders)
{
	static const char cancel[] = "{\"cancel\":{\"client_order_id\":"
	    "\"qgtm-a\",\"status\":\"canceled\"}}\n";
	char *path = qgtm_state_path(QGTM_OMS_JOURNAL, 1);
	struct qgtm_book b;

	/* accepted 10, a fill of 4, then an order filled at once, then a
	 * cancel of the first: 6 working, then none */
	unit_write_file(path, "{\"order\":{\"client_order_id\":\"qgtm-a\","
	    "\"broker\":\"sim\",\"symbol\":\"GLD\",\"side\":\"buy\","
	    "\"qty\":\"10\",\"status\":\"accepted\"}}\n"
	    "{\"fill\":{\"activity_id\":\"sim-a-1\",\"client_order_id\":"
	    "\"qgtm-a\",\"symbol\":\"GLD\",\"side\":\"buy\",\"qty\":\"4\","
	    "\"price\":\"100.000000\",\"commission\":\"1.00\","
	    "\"notional\":\"400.00\"}}\n"
	    "{\"order\":{\"client_order_id\":\"qgtm-b\",\"qty\":\"3\","
	    "\"status\":\"filled\"},\"fill\":{\"symbol\":\"SLV\","
	    "\"side\":\"buy\",\"qty\":\"3\",\"price\":\"20.000000\","
	    "\"commission\":\"1.00\",\"notional\":\"60.00\"}}\n");
	ck_assert_int_eq(qgtm_oms_book_load(&cfg, &b), 0);
	ck_assert_int_eq(json_object_size(b.open), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(b.open,
	    "qgtm-a")), 6 * 1000000);
	ck_assert_str_eq(qgtm_oms_last_activity(&b) == NULL ? "none" : "some",
	    "none");                            /* the sim's are not Alpaca's */
	qgtm_book_release(&b);
	ck_assert_int_eq(qgtm_append_fsync(path, cancel, strlen(cancel)), 0);
	ck_assert_int_eq(qgtm_oms_book_load(&cfg, &b), 0);
	ck_assert_int_eq(json_object_size(b.open), 0);
	ck_assert_int_eq(json_array_size(b.journal), 4);
	qgtm_book_release(&b);
	free(path);
}
END_TEST

START_TEST(bad_journal_line_is_located)
{
	char *path = qgtm_state_path(QGTM_OMS_JOURNAL, 1);
	struct qgtm_book b;

	unit_write_file(path, "{\"order\":{\"client_order_id\":\"qgtm-a\"}}\n"
	    "{\"order\":{\"client_order_id\":\"qgtm-b\"},\"fill\":{}}\n");
	ck_assert_int_eq(qgtm_oms_book_load(&cfg, &b), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_DATAERR);
	ck_assert_ptr_nonnull(strstr(qgtm_errmsg(), "orders.jsonl:2: "));
	free(path);
}
END_TEST

/* A journal line buying n GLD at 100 (commission 1.00) as order id. */
static char *
gld_line(const char *id, int n)
{
	return qgtm_xasprintf("{\"order\":{\"client_order_id\":\"%s\"},"
	    "\"fill\":{\"symbol\":\"GLD\",\"side\":\"buy\",\"qty\":"
	    "\"%d\",\"price\":\"100.000000\",\"commission\":\"1.00\","
	    "\"notional\":\"%d.00\"}}\n", id, n, n * 100);
}

/* Append text to the file at path. */
static void
append_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "a");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

/* The GLD shares of the book loaded now. */
static int64_t
gld_loaded(size_t *lines)
{
	const struct qgtm_position *p;
	struct qgtm_book b;
	int64_t qty;

	ck_assert_int_eq(qgtm_oms_book_load(&cfg, &b), 0);
	p = qgtm_book_position(&b, "GLD");
	qty = p != NULL ? p->qty / SHARES(1) : 0;
	*lines = json_array_size(b.journal);
	qgtm_book_release(&b);
	return qty;
}

START_TEST(later_loads_fold_appends_and_rewrites)
{
	char *path = qgtm_state_path(QGTM_OMS_JOURNAL, 1), *tmp;
	char *a = gld_line("qgtm-a", 3), *b = gld_line("qgtm-b", 2);
	char *c = gld_line("qgtm-c", 7), *d = gld_line("qgtm-d", 11);
	struct qgtm_book first;
	size_t lines;

	unit_write_file(path, a);
	ck_assert_int_eq(qgtm_oms_book_load(&cfg, &first), 0);
	/* an appended line is folded on top */
	append_file(path, b);
	ck_assert_int_eq(gld_loaded(&lines), 5);
	ck_assert_uint_eq(lines, 2);
	/* a book loaded before keeps what it had */
	ck_assert_uint_eq(json_array_size(first.journal), 1);
	ck_assert_int_eq(qgtm_book_position(&first, "GLD")->qty, SHARES(3));
	qgtm_book_release(&first);
	/* rewritten in place, longer, other lines: folded afresh */
	tmp = qgtm_xasprintf("%s%s%s", c, d, a);
	unit_write_file(path, tmp);
	free(tmp);
	ck_assert_int_eq(gld_loaded(&lines), 21);
	ck_assert_uint_eq(lines, 3);
	/* replaced by a shorter file */
	tmp = qgtm_xasprintf("%s.new", path);
	unit_write_file(tmp, b);
	ck_assert_int_eq(rename(tmp, path), 0);
	free(tmp);
	ck_assert_int_eq(gld_loaded(&lines), 2);
	ck_assert_uint_eq(lines, 1);
	/* shrunk to nothing, then removed */
	unit_write_file(path, "");
	ck_assert_int_eq(gld_loaded(&lines), 0);
	ck_assert_uint_eq(lines, 0);
	append_file(path, c);
	ck_assert_int_eq(gld_loaded(&lines), 7);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(gld_loaded(&lines), 0);
	free(a);
	free(b);
	free(c);
	free(d);
	free(path);
}
END_TEST

START_TEST(a_run_leaves_loaded_books_alone)
{
	struct qgtm_book before, after;

	hold_gld();
	ck_assert_int_eq(qgtm_oms_book_load(&cfg, &before), 0);
	json_decref(submit("[{\"symbol\":\"SLV\",\"approved_weight\":"
	    "\"0.1\"}]", 0, 1));
	ck_assert_uint_eq(json_array_size(before.journal), 1);
	ck_assert_uint_eq(json_object_size(before.orders), 1);
	ck_assert_ptr_null(qgtm_book_position(&before, "SLV"));
	ck_assert_int_eq(qgtm_oms_book_load(&cfg, &after), 0);
	ck_assert_uint_eq(json_array_size(after.journal), 2);
	ck_assert_uint_eq(json_object_size(after.orders), 2);
	ck_assert_int_eq(qgtm_book_position(&after, "SLV")->qty,
	    SHARES(499));   /* 0.1 * 99999 / 20, whole shares */
	qgtm_book_release(&before);
	qgtm_book_release(&after);
}
END_TEST

START_TEST(book_cache_drop_then_load_is_the_same)
{
	char *path = qgtm_state_path(QGTM_OMS_JOURNAL, 1);
	char *b = gld_line("qgtm-b", 2);
	struct qgtm_book before, after;
	size_t i;

	hold_gld();
	append_file(path, b);
	ck_assert_int_eq(qgtm_oms_book_load(&cfg, &before), 0);
	qgtm_book_cache_drop();
	qgtm_book_cache_drop();         /* twice is harmless */
	ck_assert_int_eq(qgtm_oms_book_load(&cfg, &after), 0);
	ck_assert_ptr_ne(before.journal, after.journal);   /* folded anew */
	ck_assert_int_eq(before.cash, after.cash);
	ck_assert_uint_eq(before.npos, after.npos);
	for (i = 0; i < before.npos; i++) {
		ck_assert_str_eq(before.pos[i].symbol, after.pos[i].symbol);
		ck_assert_int_eq(before.pos[i].qty, after.pos[i].qty);
		ck_assert_int_eq(before.pos[i].avg_price,
		    after.pos[i].avg_price);
	}
	ck_assert(json_equal(before.journal, after.journal));
	ck_assert(json_equal(before.orders, after.orders));
	ck_assert(json_equal(before.activities, after.activities));
	ck_assert(json_equal(before.open, after.open));
	ck_assert_uint_eq(json_array_size(after.journal), 2);
	qgtm_book_release(&before);
	qgtm_book_release(&after);
	free(b);
	free(path);
}
END_TEST

START_TEST(missing_price_places_nothing)
{
	json_t *rec = decision("approved", "[{\"symbol\":\"GLD\","
	    "\"approved_weight\":\"0.25\"},{\"symbol\":\"TLT\","
	    "\"approved_weight\":\"0.25\"}]"), *out = json_array();
	struct qgtm_oms_run run;
	struct qgtm_decision d;

	ck_assert_int_eq(qgtm_decision_parse(rec, &d), 0);
	ck_assert_int_eq(qgtm_oms_run_begin(&run, &cfg, now, 0), 0);
	ck_assert_int_eq(qgtm_oms_run_decision(&run, &d, out), -1);
	ck_assert_ptr_nonnull(strstr(qgtm_errmsg(), "no price for TLT"));
	ck_assert_int_eq(json_array_size(out), 0);
	qgtm_oms_run_release(&run);
	ck_assert_int_eq(journal_lines(), 0);
	qgtm_decision_release(&d);
	json_decref(rec);
	json_decref(out);
}
END_TEST

START_TEST(positions_mark_to_market)
{
	json_t *recs;
	struct qgtm_book b;
	char *text;
	int64_t equity;

	json_decref(submit("[{\"symbol\":\"GLD\",\"approved_weight\":"
	    "\"0.25\"}]", 0, 1));
	unit_add_bar("GLD", "2026-01-05", "110.000000");
	ck_assert_int_eq(qgtm_oms_book_load(&cfg, &b), 0);
	ck_assert_int_eq(qgtm_oms_equity(&cfg, &b, now, &equity), 0);
	ck_assert_int_eq(equity, CENTS(100000 + 2500) - 125);
	recs = qgtm_oms_positions(&cfg, &b, now);
	ck_assert_int_eq(json_array_size(recs), 2);
	json_object_del(json_array_get(recs, 0), "ts");
	json_object_del(json_array_get(recs, 0), "src");
	text = json_dumps(json_array_get(recs, 0), JSON_COMPACT);
	ck_assert_str_eq(text, "{\"type\":\"position\",\"v\":1,"
	    "\"symbol\":\"GLD\",\"qty\":\"250\",\"avg_price\":\"100.000000\","
	    "\"price\":\"110.000000\",\"market_value\":\"27500.00\","
	    "\"as_of\":\"2026-01-05T21:00:00Z\"}");
	free(text);
	ck_assert_str_eq(field(recs, 1, "type"), "account");
	ck_assert_str_eq(field(recs, 1, "cash"), "74998.75");
	ck_assert_str_eq(field(recs, 1, "equity"), "102498.75");
	json_decref(recs);
	qgtm_book_release(&b);
}
END_TEST

Suite *
suite_oms(void)
{
	Suite *s = suite_create("oms");
	TCase *tc = tcase_create("book");
	TCase *tr = tcase_create("runs");

	tcase_add_test(tc, fold_is_exact_to_the_cent);
	tcase_add_test(tc, fold_crosses_zero_and_closes);
	tcase_add_test(tc, average_price_rounds_half_to_even);
	tcase_add_test(tc, client_order_id_is_deterministic);
	tcase_add_test(tc, intent_order_id_is_the_intent);
	tcase_add_test(tc, symbols_are_checked);
	tcase_add_test(tc, sim_price_moves_against_the_order);
	tcase_add_test(tc, sim_price_rounds_half_to_even);
	tcase_add_test(tc, sim_commission_has_a_minimum);
	tcase_add_test(tc, decision_parse_reads_targets);
	tcase_add_test(tc, decision_parse_refuses_bad_fields);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tr, setup, teardown);
	tcase_add_test(tr, submit_sizes_in_whole_shares);
	tcase_add_test(tr, resubmit_places_nothing);
	tcase_add_test(tr, dry_run_changes_nothing);
	tcase_add_test(tr, no_trade_band_skips_small_orders);
	tcase_add_test(tr, closing_always_goes_through);
	tcase_add_test(tr, flatten_tier_refuses_every_order);
	tcase_add_test(tr, no_new_tier_lets_only_reductions_through);
	tcase_add_test(tr, close_all_flattens_the_book);
	tcase_add_test(tr, torn_last_line_is_ignored_then_cut);
	tcase_add_test(tr, journal_folds_working_orders);
	tcase_add_test(tr, bad_journal_line_is_located);
	tcase_add_test(tr, later_loads_fold_appends_and_rewrites);
	tcase_add_test(tr, a_run_leaves_loaded_books_alone);
	tcase_add_test(tr, book_cache_drop_then_load_is_the_same);
	tcase_add_test(tr, missing_price_places_nothing);
	tcase_add_test(tr, positions_mark_to_market);
	suite_add_tcase(s, tr);
	return s;
}
