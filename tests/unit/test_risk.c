/*
 * test_risk.c: the risk gate: each limit binding alone with the exact
 * resized weights, the order in which they apply, the rejections, and the
 * decision record built from a signal against a store and a book.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#define CENTS(d) ((int64_t)(d) * 100)   /* whole dollars in cents */
#define W(x) ((int64_t)(x))             /* weight in 10^-6 units */

/* Limits that never bind, for tests that make one bind. */
static const struct qgtm_risk_limits loose = {
	.max_position_notional = CENTS(1000000000),
	.max_position_pct = W(100000000),
	.max_gross_exposure = W(100000000),
	.max_order_notional = CENTS(1000000000),
	.max_net_exposure = W(100000000),
};

static struct qgtm_risk_target
target(const char *symbol, int64_t weight, int64_t current)
{
	struct qgtm_risk_target t;

	memset(&t, 0, sizeof t);
	snprintf(t.symbol, sizeof t.symbol, "%s", symbol);
	t.weight = weight;
	t.price = 100000000;            /* 100.000000 */
	t.current = current;
	return t;
}

START_TEST(reason_names_are_sorted_bits)
{
	const char *prev = "";
	int i;

	for (i = 0; i < QGTM_RISK_NREASONS; i++) {
		ck_assert_ptr_nonnull(qgtm_risk_reason_name(1u << i));
		ck_assert_int_lt(strcmp(prev, qgtm_risk_reason_name(1u << i)),
		    0);
		prev = qgtm_risk_reason_name(1u << i);
	}
	ck_assert_str_eq(qgtm_risk_reason_name(QGTM_RISK_ORDER_NOTIONAL),
	    "ORDER_NOTIONAL");
	ck_assert_ptr_null(qgtm_risk_reason_name(3));
	ck_assert_ptr_null(qgtm_risk_reason_name(1u << QGTM_RISK_NREASONS));
}
END_TEST

START_TEST(nothing_binds_within_limits)
{
	struct qgtm_risk_target t[2] = {
		target("GLD", W(250000), 0), target("SLV", W(-100000), 0)
	};

	ck_assert_int_eq(qgtm_risk_apply(&loose, CENTS(100000), t, 2), 0);
	ck_assert_int_eq(t[0].approved, 250000);
	ck_assert_int_eq(t[1].approved, -100000);
	ck_assert_uint_eq(t[0].reasons | t[1].reasons, 0);
}
END_TEST

START_TEST(position_notional_cuts_toward_zero)
{
	struct qgtm_risk_limits lim = loose;
	struct qgtm_risk_target t[3] = {
		target("GLD", W(300000), 0), target("SLV", W(-400000), 0),
		target("GDX", W(100000), 0)
	};

	lim.max_position_notional = CENTS(50000);
	/* equity 300000.00: 50000 / 300000 = 0.1666666... -> 0.166666 */
	ck_assert_int_eq(qgtm_risk_apply(&lim, CENTS(300000), t, 3), 0);
	ck_assert_int_eq(t[0].approved, 166666);
	ck_assert_int_eq(t[1].approved, -166666);
	ck_assert_int_eq(t[2].approved, 100000);
	ck_assert_uint_eq(t[0].reasons, QGTM_RISK_POSITION_NOTIONAL);
	ck_assert_uint_eq(t[1].reasons, QGTM_RISK_POSITION_NOTIONAL);
	ck_assert_uint_eq(t[2].reasons, 0);
}
END_TEST

START_TEST(position_notional_at_the_limit_does_not_bind)
{
	struct qgtm_risk_limits lim = loose;
	struct qgtm_risk_target t = target("GLD", W(250000), 0);

	lim.max_position_notional = CENTS(50000);
	ck_assert_int_eq(qgtm_risk_apply(&lim, CENTS(200000), &t, 1), 0);
	ck_assert_int_eq(t.approved, 250000);
	ck_assert_uint_eq(t.reasons, 0);
}
END_TEST

START_TEST(position_pct_caps_the_weight)
{
	struct qgtm_risk_limits lim = loose;
	struct qgtm_risk_target t[2] = {
		target("GLD", W(300000), 0), target("SLV", W(-250001), 0)
	};

	lim.max_position_pct = W(250000);
	ck_assert_int_eq(qgtm_risk_apply(&lim, CENTS(100000), t, 2), 0);
	ck_assert_int_eq(t[0].approved, 250000);
	ck_assert_int_eq(t[1].approved, -250000);
	ck_assert_uint_eq(t[0].reasons, QGTM_RISK_POSITION_PCT);
	ck_assert_uint_eq(t[1].reasons, QGTM_RISK_POSITION_PCT);
}
END_TEST

START_TEST(gross_exposure_scales_pro_rata)
{
	struct qgtm_risk_limits lim = loose;
	struct qgtm_risk_target t[4] = {
		target("GLD", W(500000), 0), target("SLV", W(-500000), 0),
		target("GDX", W(600000), 0), target("TLT", 0, 0)
	};

	lim.max_gross_exposure = W(1500000);
	/* sum 1.6 -> each times 1.5 / 1.6 */
	ck_assert_int_eq(qgtm_risk_apply(&lim, CENTS(100000), t, 4), 0);
	ck_assert_int_eq(t[0].approved, 468750);
	ck_assert_int_eq(t[1].approved, -468750);
	ck_assert_int_eq(t[2].approved, 562500);
	ck_assert_int_eq(t[3].approved, 0);
	ck_assert_uint_eq(t[0].reasons, QGTM_RISK_GROSS_EXPOSURE);
	ck_assert_uint_eq(t[3].reasons, 0);
}
END_TEST

START_TEST(gross_exposure_rounds_toward_zero)
{
	struct qgtm_risk_limits lim = loose;
	struct qgtm_risk_target t[3] = {
		target("GLD", W(300000), 0), target("SLV", W(-300000), 0),
		target("GDX", W(300000), 0)
	};

	lim.max_gross_exposure = W(500000);
	ck_assert_int_eq(qgtm_risk_apply(&lim, CENTS(100000), t, 3), 0);
	ck_assert_int_eq(t[0].approved, 166666);
	ck_assert_int_eq(t[1].approved, -166666);
	ck_assert_int_eq(t[2].approved, 166666);
}
END_TEST

START_TEST(order_notional_moves_toward_current)
{
	struct qgtm_risk_limits lim = loose;
	struct qgtm_risk_target t[3] = {
		target("GLD", W(500000), CENTS(10000)),  /* buy 40000 */
		target("SLV", W(-100000), CENTS(30000)), /* sell 40000 */
		target("GDX", W(200000), CENTS(10000)),  /* buy 10000 */
	};

	lim.max_order_notional = CENTS(25000);
	ck_assert_int_eq(qgtm_risk_apply(&lim, CENTS(100000), t, 3), 0);
	ck_assert_int_eq(t[0].approved, 350000);        /* 10000 + 25000 */
	ck_assert_int_eq(t[1].approved, 50000);         /* 30000 - 25000 */
	ck_assert_int_eq(t[2].approved, 200000);
	ck_assert_uint_eq(t[0].reasons, QGTM_RISK_ORDER_NOTIONAL);
	ck_assert_uint_eq(t[1].reasons, QGTM_RISK_ORDER_NOTIONAL);
	ck_assert_uint_eq(t[2].reasons, 0);
}
END_TEST

START_TEST(order_notional_rounds_toward_current)
{
	struct qgtm_risk_limits lim = loose;
	struct qgtm_risk_target t[2] = {
		target("GLD", W(500000), 0), target("SLV", W(-500000), 0)
	};

	lim.max_order_notional = CENTS(25000);
	/* 25000 / 300000 = 0.0833333... */
	ck_assert_int_eq(qgtm_risk_apply(&lim, CENTS(300000), t, 2), 0);
	ck_assert_int_eq(t[0].approved, 83333);
	ck_assert_int_eq(t[1].approved, -83333);
}
END_TEST

START_TEST(limits_apply_in_order)
{
	struct qgtm_risk_limits lim = {
		.max_position_notional = CENTS(50000),
		.max_position_pct = W(250000),
		.max_gross_exposure = W(400000),
		.max_order_notional = CENTS(25000),
	};
	struct qgtm_risk_target t[2] = {
		target("GLD", W(900000), 0), target("SLV", W(-300000), 0)
	};

	/* equity 100000: GLD 0.9 -> 0.5 (notional) -> 0.25 (pct);
	 * SLV -> -0.25 (pct); gross 0.5 -> 0.4: 0.2 and -0.2; orders of
	 * 20000 are within 25000. */
	ck_assert_int_eq(qgtm_risk_apply(&lim, CENTS(100000), t, 2), 0);
	ck_assert_int_eq(t[0].approved, 200000);
	ck_assert_int_eq(t[1].approved, -200000);
	ck_assert_uint_eq(t[0].reasons, QGTM_RISK_POSITION_NOTIONAL |
	    QGTM_RISK_POSITION_PCT | QGTM_RISK_GROSS_EXPOSURE);
	ck_assert_uint_eq(t[1].reasons, QGTM_RISK_POSITION_PCT |
	    QGTM_RISK_GROSS_EXPOSURE);
}
END_TEST

START_TEST(rejected_targets_take_no_part)
{
	struct qgtm_risk_limits lim = loose;
	struct qgtm_risk_target t[3] = {
		target("XYZ", W(900000), 0), target("TLT", W(900000), 0),
		target("GLD", W(500000), 0)
	};

	lim.max_gross_exposure = W(1000000);
	t[0].reasons = QGTM_RISK_UNKNOWN_SYMBOL;
	t[1].reasons = QGTM_RISK_NO_PRICE;
	ck_assert_int_eq(qgtm_risk_apply(&lim, CENTS(100000), t, 3), 0);
	ck_assert_int_eq(t[0].approved, 0);
	ck_assert_int_eq(t[1].approved, 0);
	ck_assert_uint_eq(t[0].reasons, QGTM_RISK_UNKNOWN_SYMBOL);
	ck_assert_uint_eq(t[1].reasons, QGTM_RISK_NO_PRICE);
	ck_assert_int_eq(t[2].approved, 500000);        /* gross 0.5 <= 1 */
	ck_assert_uint_eq(t[2].reasons, 0);
}
END_TEST

START_TEST(no_equity_rejects_everything)
{
	struct qgtm_risk_target t[2] = {
		target("GLD", W(100000), 0), target("XYZ", W(100000), 0)
	};

	t[1].reasons = QGTM_RISK_UNKNOWN_SYMBOL;
	ck_assert_int_eq(qgtm_risk_apply(&loose, 0, t, 2), 0);
	ck_assert_int_eq(t[0].approved, 0);
	ck_assert_uint_eq(t[0].reasons, QGTM_RISK_NO_EQUITY);
	ck_assert_uint_eq(t[1].reasons, QGTM_RISK_UNKNOWN_SYMBOL);
}
END_TEST

/* ------------------------------------------------------------- decide -- */

static char *dir;
static struct qgtm_cfg cfg;

/* A state directory with GLD and SLV prices and a config. */
static void
setup(void)
{
	dir = unit_state_cfg(&cfg, "common:\n  universe: [GLD, SLV, TLT]\n");
	unit_add_bar("GLD", "2026-01-02", "100.000000");
	unit_add_bar("SLV", "2026-01-02", "20.000000");
}

static void
teardown(void)
{
	qgtm_cfg_release(&cfg);
	unsetenv("QGTM_STATE_DIR");
	free(dir);
}

/* The decision of a signal whose targets are the JSON text targets. */
static json_t *
decide(const char *targets)
{
	struct qgtm_risk r;
	json_t *sig, *dec;
	char *text;
	time_t t;

	text = qgtm_xasprintf("{\"type\":\"signal\",\"trace_id\":"
	    "\"0123456789abcdef0123456789abcdef\",\"strategy\":\"tsmom\","
	    "\"params_hash\":\"00112233aabbccdd\",\"as_of\":"
	    "\"2026-01-05T21:00:00Z\",\"targets\":%s}", targets);
	sig = json_loads(text, 0, NULL);
	ck_assert_ptr_nonnull(sig);
	ck_assert_int_eq(qgtm_time_parse("2026-01-05T21:00:00Z", &t), 0);
	ck_assert_int_eq(qgtm_risk_init(&r, &cfg, t), 0);
	dec = qgtm_risk_decide(&r, sig);
	qgtm_risk_release(&r);
	json_decref(sig);
	free(text);
	return dec;
}

/* The decision's target i as compact JSON text (free()). */
static char *
target_text(json_t *dec, size_t i)
{
	return json_dumps(json_array_get(json_object_get(dec, "targets"), i),
	    JSON_COMPACT);
}

static void
assert_target(json_t *dec, size_t i, const char *want)
{
	char *got = target_text(dec, i);

	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(decision_of_a_clean_signal)
{
	json_t *dec = decide("[{\"symbol\":\"GLD\",\"weight\":\"0.2\"},"
	    "{\"symbol\":\"SLV\",\"weight\":\"-0.100000\"}]");

	ck_assert_ptr_nonnull(dec);
	ck_assert_str_eq(qgtm_record_type(dec), "decision");
	ck_assert_str_eq(json_string_value(json_object_get(dec, "trace_id")),
	    "0123456789abcdef0123456789abcdef");
	ck_assert_str_eq(json_string_value(json_object_get(dec, "status")),
	    "approved");
	ck_assert_str_eq(json_string_value(json_object_get(dec, "equity")),
	    "100000.00");
	ck_assert_str_eq(json_string_value(json_object_get(dec, "as_of")),
	    "2026-01-05T21:00:00Z");
	ck_assert_int_eq(json_array_size(json_object_get(dec, "reasons")), 0);
	assert_target(dec, 0, "{\"symbol\":\"GLD\",\"weight\":\"0.200000\","
	    "\"approved_weight\":\"0.200000\",\"price\":\"100.000000\","
	    "\"reasons\":[]}");
	json_decref(dec);
}
END_TEST

START_TEST(decision_rejects_unknown_and_unpriced)
{
	json_t *dec = decide("[{\"symbol\":\"GLD\",\"weight\":\"0.30\"},"
	    "{\"symbol\":\"XYZ\",\"weight\":\"0.1\"},"
	    "{\"symbol\":\"TLT\",\"weight\":\"0.1\"}]");
	char *reasons;

	ck_assert_ptr_nonnull(dec);
	ck_assert_str_eq(json_string_value(json_object_get(dec, "status")),
	    "resized");
	reasons = json_dumps(json_object_get(dec, "reasons"), JSON_COMPACT);
	ck_assert_str_eq(reasons,
	    "[\"NO_PRICE\",\"POSITION_PCT\",\"UNKNOWN_SYMBOL\"]");
	free(reasons);
	assert_target(dec, 0, "{\"symbol\":\"GLD\",\"weight\":\"0.300000\","
	    "\"approved_weight\":\"0.250000\",\"price\":\"100.000000\","
	    "\"reasons\":[\"POSITION_PCT\"]}");
	assert_target(dec, 1, "{\"symbol\":\"XYZ\",\"weight\":\"0.100000\","
	    "\"approved_weight\":null,\"price\":null,"
	    "\"reasons\":[\"UNKNOWN_SYMBOL\"]}");
	assert_target(dec, 2, "{\"symbol\":\"TLT\",\"weight\":\"0.100000\","
	    "\"approved_weight\":null,\"price\":null,"
	    "\"reasons\":[\"NO_PRICE\"]}");
	json_decref(dec);
}
END_TEST

START_TEST(decision_all_rejected)
{
	json_t *dec = decide("[{\"symbol\":\"XYZ\",\"weight\":\"0.1\"}]");

	ck_assert_str_eq(json_string_value(json_object_get(dec, "status")),
	    "rejected");
	json_decref(dec);
}
END_TEST

START_TEST(decision_sees_the_position_held)
{
	char *path = qgtm_state_path(QGTM_OMS_JOURNAL, 1);
	json_t *dec;

	/* long 200 GLD bought at 100: cash 80000, equity 100000, GLD 20000;
	 * a target of 0.25 is a 5000 order, -0.25 one of 45000 */
	unit_write_file(path, "{\"order\":{\"client_order_id\":\"qgtm-x\"},"
	    "\"fill\":{\"symbol\":\"GLD\",\"side\":\"buy\",\"qty\":\"200\","
	    "\"price\":\"100.000000\",\"commission\":\"0.00\","
	    "\"notional\":\"20000.00\"}}\n");
	free(path);
	dec = decide("[{\"symbol\":\"GLD\",\"weight\":\"-0.25\"}]");
	ck_assert_str_eq(json_string_value(json_object_get(dec, "equity")),
	    "100000.00");
	assert_target(dec, 0, "{\"symbol\":\"GLD\",\"weight\":\"-0.250000\","
	    "\"approved_weight\":\"-0.050000\",\"price\":\"100.000000\","
	    "\"reasons\":[\"ORDER_NOTIONAL\"]}");
	json_decref(dec);
}
END_TEST

START_TEST(decision_refuses_malformed_signals)
{
	static const struct {
		const char *targets, *msg;
	} bad[] = {
		{ "{}", "field 'targets': expected an array" },
		{ "[{\"symbol\":\"GLD\",\"weight\":0.25}]",
		  "field 'targets[0].weight': expected a decimal string" },
		{ "[{\"symbol\":\"GLD\",\"weight\":\"1e-3\"}]",
		  "field 'targets[0].weight': invalid decimal '1e-3'" },
		{ "[{\"symbol\":\"GLD\",\"weight\":\"0.1\"},"
		  "{\"symbol\":\"GLD\",\"weight\":\"0.1\"}]",
		  "field 'targets[1].symbol': duplicate" },
		{ "[{\"weight\":\"0.1\"}]",
		  "field 'targets[0].symbol': expected a ticker" },
		{ "[3]", "field 'targets[0]': expected an object" },
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_ptr_null(decide(bad[i].targets));
		ck_assert_int_eq(qgtm_errcode(), QGTM_EX_DATAERR);
		ck_assert_msg(strncmp(qgtm_errmsg(), bad[i].msg,
		    strlen(bad[i].msg)) == 0, "got '%s'", qgtm_errmsg());
	}
}
END_TEST

START_TEST(limits_record_is_exact)
{
	struct qgtm_risk_limits lim;
	struct qgtm_rules ru;
	json_t *rec;
	char *text;

	ck_assert_int_eq(qgtm_risk_limits_load(&cfg, &lim), 0);
	ck_assert_int_eq(lim.max_position_notional, 5000000);
	ck_assert_int_eq(lim.max_position_pct, 250000);
	ck_assert_int_eq(lim.max_gross_exposure, 1500000);
	ck_assert_int_eq(lim.max_order_notional, 2500000);
	ck_assert_int_eq(lim.throttle_scale, 500000);
	ck_assert_int_eq(qgtm_rules_load(&cfg, &ru), 0);
	rec = qgtm_risk_limits_record(&cfg, &lim, &ru);
	json_object_del(rec, "ts");
	json_object_del(rec, "src");
	json_object_del(rec, "config");
	text = json_dumps(rec, JSON_COMPACT);
	ck_assert_str_eq(text, "{\"type\":\"limits\",\"v\":1,"
	    "\"max_position_notional\":\"50000.00\","
	    "\"max_position_pct\":\"0.250000\","
	    "\"max_gross_exposure\":\"1.500000\","
	    "\"max_order_notional\":\"25000.00\","
	    "\"throttle_scale\":\"0.500000\","
	    "\"max_net_exposure\":\"1.500000\","
	    "\"price_collar\":\"0.100000\",\"max_orders_per_day\":100,"
	    "\"max_orders_per_minute\":20,\"allowed_symbols\":[],"
	    "\"max_daily_loss\":\"0.020000\","
	    "\"max_drawdown\":\"0.030000\",\"warn_at\":\"0.500000\","
	    "\"breaches_to_trip\":2,\"loss_tier\":\"NO_NEW\","
	    "\"required_feeds\":[],\"stale_feed_tier\":\"THROTTLE\","
	    "\"max_heartbeat_gap_s\":0,\"heartbeat_tier\":\"NO_NEW\","
	    "\"max_rejects_in_a_row\":3,\"reject_tier\":\"NO_NEW\","
	    "\"universe\":[\"GLD\",\"SLV\",\"TLT\"],\"price_source\":\"sim\"}");
	free(text);
	json_decref(rec);
}
END_TEST

START_TEST(net_exposure_scales_toward_zero)
{
	struct qgtm_risk_limits lim = loose;
	struct qgtm_risk_target t[3] = {
		target("GLD", W(600000), 0), target("SLV", W(700000), 0),
		target("GDX", W(-100000), 0)
	};

	lim.max_net_exposure = W(1000000);
	/* net 1.2 -> 1.0: each weight times 1/1.2, toward zero */
	ck_assert_int_eq(qgtm_risk_apply(&lim, CENTS(100000), t, 3), 0);
	ck_assert_int_eq(t[0].approved, 500000);
	ck_assert_int_eq(t[1].approved, 583333);
	ck_assert_int_eq(t[2].approved, -83333);
	ck_assert_uint_eq(t[2].reasons, QGTM_RISK_NET_EXPOSURE);
	lim.max_net_exposure = W(1200000);
	t[0] = target("GLD", W(600000), 0);
	t[1] = target("SLV", W(700000), 0);
	t[2] = target("GDX", W(-100000), 0);
	ck_assert_int_eq(qgtm_risk_apply(&lim, CENTS(100000), t, 3), 0);
	ck_assert_uint_eq(t[0].reasons | t[1].reasons | t[2].reasons, 0);
}
END_TEST

START_TEST(order_rate_rejects_past_the_allowance)
{
	struct qgtm_risk_limits lim = loose;
	struct qgtm_risk_target t[4] = {
		target("GLD", W(100000), CENTS(10000)),  /* no trade */
		target("SLV", W(100000), 0), target("GDX", W(100000), 0),
		target("TLT", W(100000), 0)
	};
	int i;

	for (i = 0; i < 4; i++)
		t[i].approved = t[i].weight;
	lim.max_orders_per_day = 10;
	lim.max_orders_per_minute = 3;
	/* 8 today, 1 this minute: 2 more may go. */
	qgtm_risk_apply_rate(&lim, QGTM_TIER_NORMAL, 8, 1, CENTS(100000),
	    t, 4);
	ck_assert_uint_eq(t[0].reasons | t[1].reasons | t[2].reasons, 0);
	ck_assert_uint_eq(t[3].reasons, QGTM_RISK_ORDER_RATE);
	ck_assert_int_eq(t[3].approved, 0);
	/* THROTTLE halves: a minute limit of 3 becomes 2. */
	t[1].reasons = t[2].reasons = t[3].reasons = 0;
	lim.max_orders_per_day = 0;
	qgtm_risk_apply_rate(&lim, QGTM_TIER_THROTTLE, 99, 1, CENTS(100000),
	    t, 4);
	ck_assert_uint_eq(t[1].reasons, 0);
	ck_assert_uint_eq(t[2].reasons, QGTM_RISK_ORDER_RATE);
}
END_TEST

/* Targets for the tier tests at equity 100000.00: GLD held at 0.1 and
 * asked up to 0.3, SLV held at 0.2 and asked down to 0.05, GDX held at
 * 0.1 and asked across zero to -0.1, TLT not held and asked 0.05. */
static void
tier_targets(struct qgtm_risk_target t[4])
{
	t[0] = target("GLD", W(300000), CENTS(10000));
	t[1] = target("SLV", W(50000), CENTS(20000));
	t[2] = target("GDX", W(-100000), CENTS(10000));
	t[3] = target("TLT", W(50000), 0);
}

/* Apply the limits (loose, throttle 0.5) and then tier. */
static void
apply_tier(int tier, struct qgtm_risk_target t[4])
{
	struct qgtm_risk_limits lim = loose;

	lim.throttle_scale = W(500000);
	tier_targets(t);
	ck_assert_int_eq(qgtm_risk_apply(&lim, CENTS(100000), t, 4), 0);
	qgtm_risk_apply_tier(&lim, tier, CENTS(100000), t, 4);
}

START_TEST(normal_and_warn_change_nothing)
{
	struct qgtm_risk_target t[4];
	int tier;

	for (tier = QGTM_TIER_NORMAL; tier <= QGTM_TIER_WARN; tier++) {
		apply_tier(tier, t);
		ck_assert_int_eq(t[0].approved, 300000);
		ck_assert_int_eq(t[2].approved, -100000);
		ck_assert_uint_eq(t[0].reasons | t[1].reasons | t[2].reasons |
		    t[3].reasons, 0);
	}
}
END_TEST

START_TEST(throttle_halves_the_move_toward_current)
{
	struct qgtm_risk_target t[4];

	apply_tier(QGTM_TIER_THROTTLE, t);
	ck_assert_int_eq(t[0].approved, 200000);        /* 0.1 + 0.2 / 2 */
	ck_assert_int_eq(t[1].approved, 125000);        /* 0.2 - 0.15 / 2 */
	ck_assert_int_eq(t[2].approved, 0);             /* 0.1 - 0.2 / 2 */
	ck_assert_int_eq(t[3].approved, 25000);
	ck_assert_uint_eq(t[0].reasons, QGTM_RISK_KILL_SWITCH_THROTTLE);
	ck_assert_uint_eq(t[3].reasons, QGTM_RISK_KILL_SWITCH_THROTTLE);
}
END_TEST

START_TEST(no_new_passes_only_risk_reducing)
{
	struct qgtm_risk_target t[4];

	apply_tier(QGTM_TIER_NO_NEW, t);
	ck_assert_uint_eq(t[0].reasons, QGTM_RISK_KILL_SWITCH_NO_NEW);
	ck_assert_int_eq(t[0].approved, 0);
	ck_assert_uint_eq(t[1].reasons, 0);             /* smaller, same side */
	ck_assert_int_eq(t[1].approved, 50000);
	ck_assert_uint_eq(t[2].reasons, QGTM_RISK_KILL_SWITCH_NO_NEW);
	ck_assert_uint_eq(t[3].reasons, QGTM_RISK_KILL_SWITCH_NO_NEW);
}
END_TEST

START_TEST(flatten_rejects_everything)
{
	struct qgtm_risk_target t[4];
	int i;

	apply_tier(QGTM_TIER_FLATTEN, t);
	for (i = 0; i < 4; i++) {
		ck_assert_uint_eq(t[i].reasons, QGTM_RISK_KILL_SWITCH_FLATTEN);
		ck_assert_int_eq(t[i].approved, 0);
	}
}
END_TEST

START_TEST(tier_leaves_rejected_targets_alone)
{
	struct qgtm_risk_target t[1] = { target("XYZ", W(100000), 0) };

	t[0].reasons = QGTM_RISK_UNKNOWN_SYMBOL;
	qgtm_risk_apply_tier(&loose, QGTM_TIER_FLATTEN, CENTS(100000), t, 1);
	ck_assert_uint_eq(t[0].reasons, QGTM_RISK_UNKNOWN_SYMBOL);
}
END_TEST

START_TEST(throttle_scale_above_one_is_a_config_error)
{
	struct qgtm_risk_limits lim;
	struct qgtm_cfg c;
	char *path = qgtm_xasprintf("%s/t.yaml", dir);

	unit_write_file(path, "risk:\n  throttle_scale: 1.5\n");
	ck_assert_int_eq(qgtm_cfg_load(&c, path), 0);
	ck_assert_int_eq(qgtm_risk_limits_load(&c, &lim), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_CONFIG);
	qgtm_cfg_release(&c);
	free(path);
}
END_TEST

Suite *
suite_risk(void)
{
	Suite *s = suite_create("risk");
	TCase *tc = tcase_create("limits");
	TCase *td = tcase_create("decide");

	tcase_add_test(tc, reason_names_are_sorted_bits);
	tcase_add_test(tc, nothing_binds_within_limits);
	tcase_add_test(tc, position_notional_cuts_toward_zero);
	tcase_add_test(tc, position_notional_at_the_limit_does_not_bind);
	tcase_add_test(tc, position_pct_caps_the_weight);
	tcase_add_test(tc, gross_exposure_scales_pro_rata);
	tcase_add_test(tc, gross_exposure_rounds_toward_zero);
	tcase_add_test(tc, order_notional_moves_toward_current);
	tcase_add_test(tc, order_notional_rounds_toward_current);
	tcase_add_test(tc, limits_apply_in_order);
	tcase_add_test(tc, rejected_targets_take_no_part);
	tcase_add_test(tc, no_equity_rejects_everything);
	tcase_add_test(tc, net_exposure_scales_toward_zero);
	tcase_add_test(tc, order_rate_rejects_past_the_allowance);
	tcase_add_test(tc, normal_and_warn_change_nothing);
	tcase_add_test(tc, throttle_halves_the_move_toward_current);
	tcase_add_test(tc, no_new_passes_only_risk_reducing);
	tcase_add_test(tc, flatten_rejects_everything);
	tcase_add_test(tc, tier_leaves_rejected_targets_alone);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(td, setup, teardown);
	tcase_add_test(td, decision_of_a_clean_signal);
	tcase_add_test(td, decision_rejects_unknown_and_unpriced);
	tcase_add_test(td, decision_all_rejected);
	tcase_add_test(td, decision_sees_the_position_held);
	tcase_add_test(td, decision_refuses_malformed_signals);
	tcase_add_test(td, limits_record_is_exact);
	tcase_add_test(td, throttle_scale_above_one_is_a_config_error);
	suite_add_tcase(s, td);
	return s;
}
