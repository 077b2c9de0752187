/*
 * qgtm-risk: the pre-trade risk gate and the kill switch. check reads
 * records (JSON Lines) from files or stdin, passes them through, and
 * follows each signal with its decision: the target weights cut to the
 * limits of the config and to the kill switch's tier, with the equity and
 * positions of the OMS book. limits prints the limits as they are
 * enforced. status, escalate, reset, approve and history run the kill
 * switch; every change, request, approval and refusal is appended to
 * the audit chain by this program (signed; lib/risk/ks_chain.c), printed as a
 * record and alerted.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "net/net.h"
#include "book/book.h"
#include "risk/risk.h"
#include "cli/cli.h"

static const char usage_str[] =
    "usage: qgtm-risk check [-Ckqv] [-c config] [file ...]\n"
    "       qgtm-risk limits [-Cj] [-c config]\n"
    "       qgtm-risk status [-j] [-c config]\n"
    "       qgtm-risk evaluate [-kqv] [-c config] [file ...]\n"
    "       qgtm-risk escalate [-c config] [--key file] --to tier --reason text "
    "--by operator\n"
    "       qgtm-risk reset [-c config] [--key file] --to tier --reason text "
    "--by operator\n"
    "       qgtm-risk approve [-c config] [--key file] --by operator id\n"
    "       qgtm-risk history [-j] [-c config] [--since date]";

enum { CHECK, LIMITS, STATUS, ESCALATE, RESET, APPROVE, HISTORY, EVALUATE };

/* The options of one run. */
struct opts {
	const char *cfgpath;
	const char *to, *reason, *by, *since, *key;
	int jflag, kflag, show_config;
};

static void __attribute__((noreturn))
usage(int ex)
{
	fprintf(ex == 0 ? stdout : stderr, "%s\n", usage_str);
	exit(ex == 0 ? qgtm_exit(0) : ex);
}

/*
 * The gate of one check run. The book is marked at the first signal, not
 * at start: by then the stages before (qgtm-fetch storing today's bars)
 * are done, so the equity never depends on how the pipe was scheduled.
 */
struct check {
	const struct qgtm_cfg *cfg;
	struct qgtm_risk r;
	int ready;
	int tier;
};

/*
 * Pass every record through; follow a signal with its decision, so the
 * audit chain at the end of the pipe holds both.
 */
static int
check_one(json_t *rec, const struct qgtm_jsonl_pos *pos, void *arg)
{
	struct check *c = arg;
	json_t *dec;
	int rc;

	(void)pos;
	if (strcmp(qgtm_record_type(rec), "signal") != 0)
		return qgtm_jsonl_emit(rec);
	if (!c->ready) {
		if (qgtm_risk_init(&c->r, c->cfg, qgtm_now()) == -1)
			return -1;
		c->r.tier = c->tier;
		c->ready = 1;
		QGTM_DEBUG("equity=%lld tier=%s", (long long)c->r.equity,
		    qgtm_tier_name(c->tier));
	}
	if ((dec = qgtm_risk_decide(&c->r, rec)) == NULL)
		return -1;
	if (qgtm_jsonl_emit(rec) == -1) {
		json_decref(dec);
		return -1;
	}
	qgtm_log_set_trace(json_string_value(json_object_get(dec,
	    "trace_id")));
	QGTM_INFO("decision status=%s strategy=%s",
	    json_string_value(json_object_get(dec, "status")),
	    json_string_value(json_object_get(dec, "strategy")));
	rc = qgtm_jsonl_emit(dec);
	json_decref(dec);
	return rc;
}

/* Alert text; a failure to deliver is only a warning. */
static void
alert(const struct qgtm_cfg *cfg, const char *text)
{
	if (qgtm_alert_send(cfg, text) == -1)
		qgtm_warn("alert not sent: %s", qgtm_errmsg());
}

/* Say loudly that the kill switch state cannot be trusted. */
static void
alert_untrusted(const struct qgtm_cfg *cfg, const struct qgtm_ks_state *st)
{
	char *text = qgtm_xasprintf("qgtm-risk: kill switch state is %s (%s); "
	    "acting as %s: %s", qgtm_ks_health_name(st->health), st->detail,
	    qgtm_tier_name(st->effective),
	    qgtm_tier_info(st->effective)->consequence);

	qgtm_warn("%s", text + strlen("qgtm-risk: "));
	alert(cfg, text);
	free(text);
}

/* Read the kill switch of cfg into st; dies on a config error. */
static void
ks_read(const struct qgtm_cfg *cfg, struct qgtm_ks *ks,
    struct qgtm_ks_state *st)
{
	if (qgtm_ks_open(ks, cfg) == -1)
		qgtm_die_lib();
	qgtm_ks_read(ks, st);
	if (st->health != QGTM_KS_OK)
		alert_untrusted(cfg, st);
}

/* check: returns the exit status; dies on an error that stops the run. */
static int
risk_check(const struct qgtm_cfg *cfg, int kflag, int argc, char **argv)
{
	struct check c = { 0 };
	struct qgtm_ks_state st;
	struct qgtm_ks ks;
	int rc = 0, clock_bad = qgtm_clock_guard(cfg, 1);

	ks_read(cfg, &ks, &st);
	qgtm_ks_close(&ks);
	c.cfg = cfg;
	c.tier = st.effective;
	if (clock_bad && c.tier < QGTM_TIER_NO_NEW)
		c.tier = QGTM_TIER_NO_NEW;
	if (qgtm_jsonl_each(argc, argv, kflag, check_one, &c) == -1) {
		if (!kflag || qgtm_errcode() == QGTM_EX_IOERR)
			qgtm_die_lib();
		qgtm_warn("%s", qgtm_errmsg());
		rc = qgtm_errcode();
	}
	if (c.ready)
		qgtm_risk_release(&c.r);
	return rc;
}

/* Print one field of the limits record as a "key value" line. */
static void
print_field(const char *key, json_t *v)
{
	json_t *item;
	size_t i;

	printf("%s", key);
	if (json_is_array(v))
		json_array_foreach(v, i, item)
			printf(" %s", json_string_value(item));
	else if (json_is_integer(v))
		printf(" %lld", (long long)json_integer_value(v));
	else
		printf(" %s", json_is_string(v) ? json_string_value(v) :
		    "defaults");
	printf("\n");
}

/* limits: "key value" lines, or (-j) the limits record. */
static int
risk_limits(const struct qgtm_cfg *cfg, int jflag)
{
	static const char *const envelope[] = { "type", "v", "ts", "src",
	    "clock" };
	struct qgtm_risk_limits lim;
	struct qgtm_rules ru;
	json_t *rec, *v;
	const char *key;
	size_t i;

	if (qgtm_risk_limits_load(cfg, &lim) == -1 ||
	    qgtm_rules_load(cfg, &ru) == -1)
		qgtm_die_lib();
	rec = qgtm_risk_limits_record(cfg, &lim, &ru);
	if (jflag)
		qgtm_jsonl_emit(rec);
	else
		json_object_foreach(rec, key, v) {
			for (i = 0; i < 5 && strcmp(key, envelope[i]) != 0; i++)
				;
			if (i == 5)
				print_field(key, v);
		}
	json_decref(rec);
	return 0;
}

/* --------------------------------------------------------- kill switch -- */

/* status: the state as text or (-j) a risk_state record; the exit status
 * says the tier (0, 2-5) or that the state cannot be trusted (69, 75). */
static int
risk_status(const struct qgtm_cfg *cfg, int jflag)
{
	static const int tier_exit[QGTM_NTIERS] = { 0, 2, 3, 4, 5 };
	struct qgtm_ks_state st;
	struct qgtm_ks ks;
	json_t *rec;

	ks_read(cfg, &ks, &st);
	rec = qgtm_ks_state_record(&ks, &st);
	qgtm_ks_close(&ks);
	if (jflag)
		qgtm_jsonl_emit(rec);
	else
		printf("tier %s\nsince %s\nreason %s\nby %s\napproved_by %s\n"
		    "backend %s\nhealth %s\n", qgtm_tier_name(st.effective),
		    st.since[0] != '\0' ? st.since : "-", st.reason[0] != '\0' ?
		    st.reason : "-", st.by[0] != '\0' ? st.by : "-",
		    st.approved_by[0] != '\0' ? st.approved_by : "-",
		    json_string_value(json_object_get(rec, "backend")),
		    qgtm_ks_health_name(st.health));
	json_decref(rec);
	if (st.health == QGTM_KS_UNAVAILABLE)
		return QGTM_EX_TEMPFAIL;
	return st.health != QGTM_KS_OK ? QGTM_EX_UNAVAILABLE :
	    tier_exit[st.effective];
}

/* Print rec and alert text; frees both. */
static int
emit_alert(const struct qgtm_cfg *cfg, json_t *rec, char *text)
{
	int rc = qgtm_jsonl_emit(rec);

	alert(cfg, text);
	free(text);
	json_decref(rec);
	return rc == -1 ? QGTM_EX_IOERR : 0;
}

/* Print and alert a tier record. */
static int
emit_tier(const struct qgtm_cfg *cfg, json_t *rec)
{
	const char *to = json_string_value(json_object_get(rec, "to"));
	json_t *appr = json_object_get(rec, "approved_by");

	return emit_alert(cfg, rec, qgtm_xasprintf("qgtm-risk: kill switch "
	    "%s -> %s by %s%s%s: %s. Scope: every strategy and order. "
	    "Consequence: %s.", json_string_value(json_object_get(rec, "from")),
	    to, json_string_value(json_object_get(rec, "by")),
	    json_is_string(appr) ? ", approved by " : "",
	    json_is_string(appr) ? json_string_value(appr) : "",
	    json_string_value(json_object_get(rec, "reason")),
	    qgtm_tier_info(qgtm_tier_parse(to))->consequence));
}

/* Print and alert a refusal of act by operator; returns its exit code. */
static int
emit_refusal(const struct qgtm_cfg *cfg, const char *act, const char *by,
    const char *id, const char *why)
{
	json_t *rec = qgtm_record_new("reset_refusal", NULL);
	char *msg = qgtm_xstrdup(qgtm_errmsg());
	int rc = qgtm_errcode();

	json_object_set_new(rec, "act", json_string(act));
	json_object_set_new(rec, "by", json_string(by));
	json_object_set_new(rec, "request_id", id != NULL ? json_string(id) :
	    json_null());
	json_object_set_new(rec, "code", json_string(why));
	json_object_set_new(rec, "message", json_string(msg));
	qgtm_ks_mark_clock(rec);
	if (qgtm_ks_chain_append(cfg, rec) == -1)
		qgtm_warn("audit chain: %s", qgtm_errmsg());
	emit_alert(cfg, rec, qgtm_xasprintf("qgtm-risk: %s by %s REFUSED "
	    "(%s): %s. The kill switch is unchanged.", act, by, why, msg));
	qgtm_warn("%s refused: %s", act, msg);
	free(msg);
	return rc;
}

/* The tier named by --to; dies on a bad name. */
static int
tier_arg(const char *s)
{
	int tier = qgtm_tier_parse(s);

	if (tier == -1)
		qgtm_die(QGTM_EX_USAGE, "unknown tier '%s': expected NORMAL, "
		    "WARN, THROTTLE, NO_NEW or FLATTEN", s);
	return tier;
}

/* An escalation that could not be made durable: every reader acts on its
 * intent (at least NO_NEW); say so loudly, then stop. */
static void __attribute__((noreturn))
escalate_failed(const struct qgtm_cfg *cfg, const struct qgtm_ks_change *c)
{
	char *msg = qgtm_xstrdup(qgtm_errmsg()), *text;
	int code = qgtm_errcode();

	text = qgtm_xasprintf("qgtm-risk: kill switch escalation to %s by %s "
	    "FAILED: %s. Every program acts as at least NO_NEW until the "
	    "change is made; act now.", qgtm_tier_name(c->to), c->by, msg);
	alert(cfg, text);
	free(text);
	qgtm_seterr(code, "%s", msg);
	free(msg);
	qgtm_die_lib();
}

/* escalate: raise the tier; 1 when it is already there or higher. */
static int
risk_escalate(const struct qgtm_cfg *cfg, const struct opts *o)
{
	struct qgtm_ks_change c = { 0 };
	struct qgtm_ks ks;
	json_t *rec;
	int rc;

	c.to = tier_arg(o->to);
	c.reason = o->reason;
	c.by = o->by;
	c.only_up = 1;
	c.expect_seq = -1;
	c.keypath = o->key;
	if (qgtm_ks_open(&ks, cfg) == -1)
		qgtm_die_lib();
	rc = qgtm_ks_change(&ks, &c, &rec);
	qgtm_ks_close(&ks);
	if (rc == -1)
		escalate_failed(cfg, &c);
	if (rc == 0) {
		qgtm_warn("the tier is %s or higher already; nothing changed",
		    o->to);
		return QGTM_EX_NO;
	}
	return emit_tier(cfg, rec);
}

/* The private key file: --key, else $QGTM_OPERATOR_KEY. */
static const char *
key_arg(const struct opts *o)
{
	const char *env = getenv("QGTM_OPERATOR_KEY");

	if (o->key != NULL)
		return o->key;
	if (env == NULL || *env == '\0')
		qgtm_die(QGTM_EX_USAGE, "no key: give --key or set "
		    "QGTM_OPERATOR_KEY");
	return env;
}

/* reset: store a signed request to lower the tier. */
static int
risk_reset(const struct qgtm_cfg *cfg, const struct opts *o)
{
	struct qgtm_reset r;
	struct qgtm_ks ks;
	const char *why;
	json_t *rec;

	r.to = tier_arg(o->to);
	r.reason = o->reason;
	r.by = o->by;
	r.keypath = key_arg(o);
	if (qgtm_ks_open(&ks, cfg) == -1)
		qgtm_die_lib();
	rec = qgtm_reset_request(&ks, &r, &why);
	qgtm_ks_close(&ks);
	if (rec == NULL && why != NULL)
		return emit_refusal(cfg, "reset", o->by, NULL, why);
	if (rec == NULL)
		qgtm_die_lib();
	return emit_alert(cfg, rec, qgtm_xasprintf("qgtm-risk: %s asks to "
	    "lower the kill switch %s -> %s: %s. Request %s waits for a "
	    "second operator until %s.", o->by, json_string_value(
	    json_object_get(rec, "from")), qgtm_tier_name(r.to), o->reason,
	    json_string_value(json_object_get(rec, "id")),
	    json_string_value(json_object_get(rec, "expires"))));
}

/* approve: apply request id with a second operator's signature. */
static int
risk_approve(const struct qgtm_cfg *cfg, const struct opts *o, const char *id)
{
	struct qgtm_ks ks;
	const char *why;
	json_t *rec, *tier;
	int rc;

	if (qgtm_ks_open(&ks, cfg) == -1)
		qgtm_die_lib();
	rec = qgtm_reset_approve(&ks, id, o->by, key_arg(o), &tier, &why);
	qgtm_ks_close(&ks);
	if (rec == NULL && why != NULL)
		return emit_refusal(cfg, "approve", o->by, id, why);
	if (rec == NULL)
		qgtm_die_lib();
	rc = emit_alert(cfg, rec, qgtm_xasprintf("qgtm-risk: %s approved "
	    "reset request %s.", o->by, id));
	return emit_tier(cfg, tier) != 0 ? QGTM_EX_IOERR : rc;
}

/* history: the tier changes since --since, as text or (-j) records. */
static int
risk_history(const struct qgtm_cfg *cfg, const struct opts *o)
{
	struct qgtm_ks ks;
	time_t since = 0;
	json_t *arr, *rec, *appr;
	size_t i;

	if (o->since != NULL && qgtm_time_parse(o->since, &since) == -1)
		qgtm_die(QGTM_EX_USAGE, "--since: %s", qgtm_errmsg());
	if (qgtm_ks_open(&ks, cfg) == -1)
		qgtm_die_lib();
	arr = qgtm_ks_history(&ks, since);
	qgtm_ks_close(&ks);
	if (arr == NULL)
		qgtm_die_lib();
	json_array_foreach(arr, i, rec) {
		appr = json_object_get(rec, "approved_by");
		if (o->jflag)
			qgtm_jsonl_emit(rec);
		else
			printf("%s %s -> %s by %s approved_by %s: %s\n",
			    json_string_value(json_object_get(rec, "ts")),
			    json_string_value(json_object_get(rec, "from")),
			    json_string_value(json_object_get(rec, "to")),
			    json_string_value(json_object_get(rec, "by")),
			    json_is_string(appr) ? json_string_value(appr) : "-",
			    json_string_value(json_object_get(rec, "reason")));
	}
	json_decref(arr);
	return 0;
}

/* Pass every record through, counting broker rejects in a row. */
static int
eval_one(json_t *rec, const struct qgtm_jsonl_pos *pos, void *arg)
{
	(void)pos;
	qgtm_eval_order(arg, rec);
	return qgtm_jsonl_emit(rec);
}

/* The loss rules on the book marked now; an unknown equity asks for
 * loss_tier, failing closed. */
static void
eval_equity(const struct qgtm_cfg *cfg, const struct qgtm_rules *ru,
    struct qgtm_eval *ev, time_t now, struct qgtm_verdict *v)
{
	struct qgtm_date d = qgtm_ny_date(now);
	struct qgtm_book book;
	int64_t equity;
	char day[11];

	if (qgtm_oms_book_load(cfg, &book) == 0) {
		if (qgtm_oms_equity(cfg, &book, now, &equity) == 0) {
			snprintf(day, sizeof day, "%04d-%02d-%02d", d.year,
			    d.month, d.day);
			qgtm_rules_equity(ru, ev, equity, day, v);
			qgtm_book_release(&book);
			return;
		}
		qgtm_book_release(&book);
	}
	if (ru->loss_tier > v->tier) {
		v->tier = ru->loss_tier;
		snprintf(v->why, sizeof v->why, "equity unknown: %s",
		    qgtm_errmsg());
	}
}

/* The "risk_eval" record of one evaluation (a new reference). */
static json_t *
eval_record(const struct qgtm_eval *ev, const struct qgtm_verdict *v)
{
	json_t *rec = qgtm_record_new("risk_eval", NULL);

	json_object_set_new(rec, "day", json_string(ev->day));
	json_object_set_new(rec, "day_start", qgtm_dec_json(ev->day_start,
	    QGTM_CENTS));
	json_object_set_new(rec, "peak", qgtm_dec_json(ev->peak, QGTM_CENTS));
	json_object_set_new(rec, "daily_loss", qgtm_dec_json(ev->daily_loss,
	    QGTM_WEIGHT_SCALE));
	json_object_set_new(rec, "drawdown", qgtm_dec_json(ev->drawdown,
	    QGTM_WEIGHT_SCALE));
	json_object_set_new(rec, "loss_breaches",
	    json_integer(ev->loss_breaches));
	json_object_set_new(rec, "dd_breaches", json_integer(ev->dd_breaches));
	json_object_set_new(rec, "rejects", json_integer(ev->rejects));
	json_object_set_new(rec, "wanted", json_string(qgtm_tier_name(v->tier)));
	json_object_set_new(rec, "reason", v->tier > QGTM_TIER_NORMAL ?
	    json_string(v->why) : json_null());
	return rec;
}

/* Escalate to the verdict's tier when it is higher; print and alert. */
static int
eval_escalate(const struct qgtm_cfg *cfg, struct qgtm_ks *ks,
    const struct qgtm_verdict *v)
{
	struct qgtm_ks_change c = { 0 };
	json_t *rec;
	int rc;

	if (v->tier == QGTM_TIER_NORMAL)
		return 0;
	c.to = v->tier;
	c.reason = v->why;
	c.by = "qgtm-risk evaluate";
	c.only_up = 1;
	c.expect_seq = -1;
	if ((rc = qgtm_ks_change(ks, &c, &rec)) == -1)
		qgtm_die_lib();
	return rc == 1 ? emit_tier(cfg, rec) : 0;
}

/* evaluate: pass the records on, run the rules, escalate. */
static int
risk_evaluate(const struct qgtm_cfg *cfg, int kflag, int argc, char **argv)
{
	struct qgtm_verdict v = { QGTM_TIER_NORMAL, "" };
	struct qgtm_ks_state st;
	struct qgtm_rules ru;
	struct qgtm_eval ev;
	struct qgtm_ks ks;
	time_t now = qgtm_now();
	json_t *rec;
	int rc = 0;

	if (qgtm_rules_load(cfg, &ru) == -1)
		qgtm_die_lib();
	ks_read(cfg, &ks, &st);
	if (qgtm_eval_load(&ks, &ev) == -1)
		qgtm_die_lib();
	if (qgtm_jsonl_each(argc, argv, kflag, eval_one, &ev) == -1) {
		if (!kflag || qgtm_errcode() == QGTM_EX_IOERR)
			qgtm_die_lib();
		qgtm_warn("%s", qgtm_errmsg());
		rc = qgtm_errcode();
	}
	eval_equity(cfg, &ru, &ev, now, &v);
	if (qgtm_rules_other(&ks, &ru, &ev, now, &v) == -1 ||
	    qgtm_eval_store(&ks, &ev) == -1)
		qgtm_die_lib();
	rec = eval_record(&ev, &v);
	if (qgtm_jsonl_emit(rec) == -1)
		qgtm_die_lib();
	json_decref(rec);
	if (eval_escalate(cfg, &ks, &v) != 0)
		rc = QGTM_EX_IOERR;
	qgtm_ks_close(&ks);
	return rc;
}

/* ------------------------------------------------------------- options -- */

/* The short options of each verb, and which long ones it takes. */
static const char *const shortopts[] = {
	[CHECK] = "Cc:hkqVv", [LIMITS] = "Cc:hjV", [STATUS] = "c:hjV",
	[ESCALATE] = "c:hV", [RESET] = "c:hV", [APPROVE] = "c:hV",
	[HISTORY] = "c:hjV", [EVALUATE] = "c:hkqVv",
};

static const struct option longopts[] = {
	{ "by", required_argument, NULL, 'b' },
	{ "key", required_argument, NULL, 'K' },
	{ "reason", required_argument, NULL, 'r' },
	{ "since", required_argument, NULL, 's' },
	{ "to", required_argument, NULL, 't' },
	{ NULL, 0, NULL, 0 }
};

/* Which long options verb takes (their short codes). */
static int
long_ok(int verb, int ch)
{
	static const char *const allowed[] = {
		[CHECK] = "", [LIMITS] = "", [STATUS] = "", [ESCALATE] = "bKtr",
		[RESET] = "bKrt", [APPROVE] = "bK", [HISTORY] = "s",
		[EVALUATE] = "",
	};

	return strchr(allowed[verb], ch) != NULL;
}

/* Parse the options of verb into o; exits on -h, -V and usage errors. */
static void
parse_opts(int verb, int argc, char **argv, struct opts *o)
{
	int ch;

	while ((ch = getopt_long(argc, argv, shortopts[verb], longopts,
	    NULL)) != -1) {
		if (strchr("bKrst", ch) != NULL && !long_ok(verb, ch))
			usage(QGTM_EX_USAGE);
		switch (ch) {
		case 'b': o->by = optarg; break;
		case 'C': o->show_config = 1; break;
		case 'c': o->cfgpath = optarg; break;
		case 'h': usage(0);
		case 'j': o->jflag = 1; break;
		case 'K': o->key = optarg; break;
		case 'k': o->kflag = 1; break;
		case 'q': qgtm_log_level--; break;
		case 'r': o->reason = optarg; break;
		case 's': o->since = optarg; break;
		case 't': o->to = optarg; break;
		case 'V': qgtm_version(); exit(qgtm_exit(0));
		case 'v': qgtm_log_level++; break;
		default: usage(QGTM_EX_USAGE);
		}
	}
	if ((o->reason != NULL && !qgtm_utf8_valid(o->reason)) ||
	    (o->by != NULL && !qgtm_utf8_valid(o->by)))
		qgtm_die(QGTM_EX_USAGE, "--reason and --by must be UTF-8 text");
}

/* Are the operands and required options of verb there? */
static int
args_ok(int verb, int argc, const struct opts *o)
{
	switch (verb) {
	case CHECK:
	case EVALUATE:
		return 1;
	case ESCALATE:
	case RESET:
		return argc == 0 && o->to != NULL && o->reason != NULL &&
		    o->by != NULL;
	case APPROVE:
		return argc == 1 && o->by != NULL;
	default:
		return argc == 0;
	}
}

/* Run verb; returns the exit status. */
static int
run(int verb, const struct qgtm_cfg *cfg, const struct opts *o, int argc,
    char **argv)
{
	switch (verb) {
	case CHECK: return risk_check(cfg, o->kflag, argc, argv);
	case LIMITS: return risk_limits(cfg, o->jflag);
	case STATUS: return risk_status(cfg, o->jflag);
	case ESCALATE: return risk_escalate(cfg, o);
	case RESET: return risk_reset(cfg, o);
	case APPROVE: return risk_approve(cfg, o, argv[0]);
	case EVALUATE: return risk_evaluate(cfg, o->kflag, argc, argv);
	default: return risk_history(cfg, o);
	}
}

/* risk_run: the verb of main()'s table at index verb. */
static int
risk_run(int verb, int argc, char **argv)
{
	struct opts o = { 0 };
	struct qgtm_cfg cfg;
	int rc;

	parse_opts(verb, argc, argv, &o);
	argc -= optind;
	argv += optind;
	if (!args_ok(verb, argc, &o))
		usage(QGTM_EX_USAGE);
	if ((rc = qgtm_cmd_start(&cfg, o.cfgpath, o.show_config)) != 0) {
		if (rc == 1)
			return qgtm_exit(0);
		qgtm_die_lib();
	}
	rc = run(verb, &cfg, &o, argc, argv);
	qgtm_cfg_release(&cfg);
	return qgtm_exit(rc);
}

int
main(int argc, char *argv[])
{
	static const struct qgtm_verb verbs[] = {
		{ "check", risk_run },
		{ "limits", risk_run },
		{ "status", risk_run },
		{ "escalate", risk_run },
		{ "reset", risk_run },
		{ "approve", risk_run },
		{ "history", risk_run },
		{ "evaluate", risk_run },
		{ NULL, NULL }
	};

	qgtm_init(argv[0], 0);
	return qgtm_cmd_dispatch(argc, argv, verbs, usage, 0);
}
