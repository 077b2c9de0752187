/*
 * qgtm-order: the order management system. submit reads records (JSON
 * Lines) from files or stdin, turns the approved targets of each decision
 * into orders at the broker (the built-in sim paper broker), and prints the
 * decision followed by its order and fill records; every other record
 * passes through. The kill switch has the last word over every order.
 * positions prints the book, orders the order log, account the broker's
 * account; flatten is the emergency exit to a flat account; clock the
 * broker's market clock and the week's sessions.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "net/net.h"
#include "audit/audit.h"
#include "book/book.h"
#include "risk/risk.h"
#include "order/order.h"
#include "cli/cli.h"

static const char usage_str[] =
    "usage: qgtm-order submit [-Cknqv] [-b broker] [-c config] [file ...]\n"
    "       qgtm-order positions [-Cj] [-c config]\n"
    "       qgtm-order orders [-Cj] [-c config]\n"
    "       qgtm-order account [-Cj] [-b broker] [-c config]\n"
    "       qgtm-order flatten [-Cqv] [-b broker] [-c config] --by operator"
    " [--reason text] [--yes]\n"
    "       qgtm-order reconcile [-Cqv] [-b broker] [-c config]\n"
    "       qgtm-order clock [-Cj] [-b broker] [-c config]";

enum {
	V_SUBMIT, V_POSITIONS, V_ORDERS, V_ACCOUNT, V_FLATTEN, V_RECONCILE,
	V_CLOCK
};

#define WEEK_DAYS 6             /* clock -j: the sessions of today + 6 days */
#define HISTORY_DAYS 7          /* account -j: the days of "daily" */

/* The command line. */
struct opts {
	const char *cfgpath, *broker, *by, *reason;
	int show_config, jflag, kflag, nflag, yes;
};

/* One input record and, for a decision, what became of it. */
struct item {
	json_t *rec;
	int is_decision;
	struct qgtm_decision d;
	const char *name;       /* where it was read, for messages */
	unsigned long line;
	json_t *out;            /* the order and fill records it gave */
};

struct input {
	struct item *v;
	size_t n, cap;
	size_t decisions;
};

static void __attribute__((noreturn))
usage(int ex)
{
	fprintf(ex == 0 ? stdout : stderr, "%s\n", usage_str);
	exit(ex == 0 ? qgtm_exit(0) : ex);
}

/* Keep every record, reading decisions (callback of qgtm_jsonl_each). */
static int
collect(json_t *rec, const struct qgtm_jsonl_pos *pos, void *arg)
{
	struct input *in = arg;
	struct item it = { 0 };

	it.is_decision = strcmp(qgtm_record_type(rec), "decision") == 0;
	if (it.is_decision && qgtm_decision_parse(rec, &it.d) == -1)
		return -1;
	if (in->n == in->cap) {
		in->cap = in->cap == 0 ? 64 : in->cap * 2;
		in->v = qgtm_xrealloc(in->v, in->cap * sizeof *in->v);
	}
	it.rec = json_incref(rec);
	it.name = pos->name;
	it.line = pos->line;
	in->decisions += it.is_decision;
	in->v[in->n++] = it;
	return 0;
}

static void
input_release(struct input *in)
{
	size_t i;

	for (i = 0; i < in->n; i++) {
		json_decref(in->v[i].rec);
		json_decref(in->v[i].out);
		qgtm_decision_release(&in->v[i].d);
	}
	free(in->v);
}

/*
 * One "submit" span per order record of out (OpenTelemetry, qgtm(7)),
 * under this program's span of the decision's trace. The OMS places a
 * decision's orders in one pass, so each span covers that pass: from
 * start_ns to now.
 */
static void
order_spans(const char *trace_id, json_t *out, unsigned long long start_ns)
{
	static const char *const attrs[] = {
		"client_order_id", "symbol", "side", "qty", "broker", "status"
	};
	struct qgtm_otel_span *sp;
	const char *status;
	json_t *rec;
	size_t i, k;

	json_array_foreach(out, i, rec) {
		if (strcmp(qgtm_record_type(rec), "order") != 0)
			continue;
		sp = qgtm_otel_span_start("submit", trace_id, 3, start_ns);
		for (k = 0; k < sizeof attrs / sizeof attrs[0]; k++)
			qgtm_otel_span_str(sp, attrs[k], json_string_value(
			    json_object_get(rec, attrs[k])));
		status = json_string_value(json_object_get(rec, "status"));
		qgtm_otel_span_end(sp, status != NULL &&
		    (strcmp(status, "failed") == 0 ||
		    strcmp(status, "rejected") == 0) ? status : NULL);
	}
}

/* Append recs (an array) to the audit chain; dies when it cannot. */
static void
audit(const struct qgtm_cfg *cfg, json_t *recs)
{
	char *chain;

	if (json_array_size(recs) == 0)
		return;
	chain = qgtm_state_path(qgtm_cfg_str(cfg, "audit.chain"), 1);
	if (chain == NULL || qgtm_audit_append_records(chain, recs) == -1)
		qgtm_die_lib();
	free(chain);
}

/* Append to into the records of recs (an array) that are breaks: every
 * recon record but an info one. */
static void
breaks(json_t *recs, json_t *into)
{
	const char *sev;
	json_t *rec;
	size_t i;

	json_array_foreach(recs, i, rec) {
		sev = json_string_value(json_object_get(rec, "severity"));
		if (sev != NULL && strcmp(sev, "info") != 0)
			json_array_append(into, rec);
	}
}

static json_t *recon_escalate(const struct qgtm_cfg *, const char *);

/*
 * Take in broker b's new fills: to the audit chain first, with the breaks
 * they show (recs) and the tier record of an escalation by who, then to
 * the journal, so a failure between the two repeats a fill in the chain
 * rather than lose it. A critical break raises the kill switch to NO_NEW.
 * Returns the worst severity; dies on an error.
 */
static int
take_fills(const struct qgtm_cfg *cfg, struct qgtm_broker *b, json_t *recs,
    const char *who, json_t **tier)
{
	json_t *fills = json_array(), *chain = json_array();
	int worst;

	*tier = NULL;
	if ((worst = qgtm_recon_fills(b, recs, fills)) == -1)
		qgtm_die_lib();
	if (worst == 2)
		*tier = recon_escalate(cfg, who);
	json_array_extend(chain, fills);
	breaks(recs, chain);
	audit(cfg, chain);
	if (json_array_size(fills) > 0 && qgtm_oms_record(cfg, fills) == -1)
		qgtm_die_lib();
	json_decref(chain);
	json_decref(fills);
	return worst;
}

/* Before a submit to a broker that fills later: take in its new fills; a
 * critical break raises the kill switch before anything is sized. */
static void
submit_fills(const struct qgtm_cfg *cfg, struct qgtm_broker *b)
{
	json_t *recs = json_array(), *tier;

	if (take_fills(cfg, b, recs, "qgtm-order submit", &tier) == 2)
		qgtm_warn("reconciliation: critical break in the broker's "
		    "fills; the kill switch is at least NO_NEW");
	json_decref(tier);
	json_decref(recs);
}

/* Place the orders of every decision and make them durable; dies on error. */
static void
place_all(const struct qgtm_cfg *cfg, struct qgtm_broker *b,
    struct input *in, int nflag)
{
	struct qgtm_oms_run run;
	unsigned long long t0;
	struct item *it;
	size_t i;
	int n;

	if (qgtm_oms_run_begin(&run, cfg, qgtm_now(), nflag) == -1)
		qgtm_die_lib();
	run.tier = qgtm_oms_tier(cfg);
	if (b->ops != &qgtm_broker_sim_ops &&
	    qgtm_oms_run_broker(&run, b) == -1)
		qgtm_die_lib();
	for (i = 0; i < in->n; i++) {
		it = &in->v[i];
		if (!it->is_decision)
			continue;
		it->out = json_array();
		qgtm_log_set_trace(it->d.trace_id);
		t0 = qgtm_otel_now();
		if ((n = qgtm_oms_run_decision(&run, &it->d, it->out)) == -1)
			qgtm_die(qgtm_errcode(), "%s:%lu: %s", it->name,
			    it->line, qgtm_errmsg());
		if (t0 != 0)
			order_spans(it->d.trace_id, it->out, t0);
		QGTM_INFO("decision strategy=%s orders=%d", it->d.strategy, n);
	}
	qgtm_log_set_trace(NULL);
	if (qgtm_oms_run_commit(&run) == -1)
		qgtm_die_lib();
	if (!nflag)
		audit(cfg, run.fills);  /* the sim's resting orders filled */
	qgtm_oms_run_release(&run);
}

/* Print the records of recs (an array); stops at a write error. */
static int
emit_recs(json_t *recs)
{
	json_t *rec;
	size_t i;

	json_array_foreach(recs, i, rec)
		if (qgtm_jsonl_emit(rec) == -1)
			return -1;      /* reported once by qgtm_exit() */
	return 0;
}

/* Print every record in input order, each decision before its orders. */
static void
emit_all(const struct input *in)
{
	size_t i;

	for (i = 0; i < in->n; i++)
		if (qgtm_jsonl_emit(in->v[i].rec) == -1 ||
		    emit_recs(in->v[i].out) == -1)
			return;         /* reported once by qgtm_exit() */
}

/* The broker to use: -b, else order.broker; dies when there is none. */
static void
open_broker(const struct qgtm_cfg *cfg, const char *name,
    struct qgtm_broker *b)
{
	if (qgtm_broker_open(b, cfg, name, qgtm_now()) == -1)
		qgtm_die_lib();
}

/* The orders the broker did not take. */
static size_t
count_failed(const struct input *in)
{
	const char *status;
	json_t *rec;
	size_t i, j, n = 0;

	for (i = 0; i < in->n; i++)
		json_array_foreach(in->v[i].out, j, rec) {
			status = json_string_value(json_object_get(rec,
			    "status"));
			n += status != NULL && strcmp(status, "failed") == 0;
		}
	return n;
}

/* submit: returns the exit status. */
static int
order_submit(const struct qgtm_cfg *cfg, struct qgtm_broker *b,
    const struct opts *o, int argc, char **argv)
{
	struct input in = { 0 };
	size_t failed;
	int rc = 0;

	if (qgtm_jsonl_each(argc, argv, o->kflag, collect, &in) == -1) {
		if (!o->kflag || qgtm_errcode() == QGTM_EX_IOERR)
			qgtm_die_lib();
		qgtm_warn("%s", qgtm_errmsg());
		rc = qgtm_errcode();
	}
	if (in.decisions > 0 && qgtm_clock_guard(cfg, 1) == 1) {
		qgtm_warn("no order placed: the clock cannot be trusted");
		rc = QGTM_EX_TEMPFAIL;
	} else if (in.decisions > 0) {
		if (!o->nflag && b->ops != &qgtm_broker_sim_ops)
			submit_fills(cfg, b);
		place_all(cfg, b, &in, o->nflag);
	}
	emit_all(&in);
	if (rc == 0 && (failed = count_failed(&in)) > 0) {
		qgtm_warn("%zu orders failed at the broker; a rerun sends "
		    "them again", failed);
		rc = QGTM_EX_UNAVAILABLE;
	}
	input_release(&in);
	return rc;
}

/* The string field key of rec, or "-". */
static const char *
str(json_t *rec, const char *key)
{
	const char *s = json_string_value(json_object_get(rec, key));

	return s != NULL ? s : "-";
}

/* positions: "SYM QTY AVG_PRICE MARKET_VALUE" lines, cash and equity. */
static int
order_positions(const struct qgtm_cfg *cfg, int jflag)
{
	struct qgtm_book book;
	json_t *recs, *rec;
	size_t i;

	if (qgtm_oms_book_load(cfg, &book) == -1 ||
	    (recs = qgtm_oms_positions(cfg, &book, qgtm_now())) == NULL)
		qgtm_die_lib();
	json_array_foreach(recs, i, rec) {
		if (jflag)
			qgtm_jsonl_emit(rec);
		else if (strcmp(qgtm_record_type(rec), "position") == 0)
			printf("%s %s %s %s\n", str(rec, "symbol"),
			    str(rec, "qty"), str(rec, "avg_price"),
			    str(rec, "market_value"));
		else
			printf("cash %s\nequity %s\n", str(rec, "cash"),
			    str(rec, "equity"));
	}
	json_decref(recs);
	qgtm_book_release(&book);
	return 0;
}

/* The status of journaled order rec now: its recorded one, or, for an
 * order recorded working that works no more, "canceled" when a cancel
 * line names it, else "filled". */
static const char *
status_now(const struct qgtm_book *book, json_t *rec)
{
	const char *status = str(rec, "status"), *id = str(rec,
	    "client_order_id");
	json_t *line, *c;
	size_t i;

	if (!qgtm_order_is_open(status) ||
	    json_object_get(book->open, id) != NULL)
		return status;
	json_array_foreach(book->journal, i, line)
		if ((c = json_object_get(line, "cancel")) != NULL &&
		    strcmp(str(c, "client_order_id"), id) == 0)
			return "canceled";
	return "filled";
}

/* orders: one line per order, or (-j) the order and fill records. */
static int
order_orders(const struct qgtm_cfg *cfg, int jflag)
{
	struct qgtm_book book;
	json_t *line, *order, *fill;
	size_t i;

	if (qgtm_oms_book_load(cfg, &book) == -1)
		qgtm_die_lib();
	json_array_foreach(book.journal, i, line) {
		order = json_object_get(line, "order");
		fill = json_object_get(line, "fill");
		if (jflag) {
			if (order != NULL || (order = json_object_get(line,
			    "cancel")) != NULL)
				qgtm_jsonl_emit(order);
			if (fill != NULL)
				qgtm_jsonl_emit(fill);
			continue;
		}
		if (json_object_get(line, "cancel") != NULL)
			continue;       /* its order's line says canceled */
		if (order == NULL)
			order = fill;   /* a fill the broker reported */
		printf("%s %s %s %s %s %s %s %s\n", str(order, "ts"),
		    str(order, "strategy"), str(order, "symbol"),
		    str(order, "side"), str(order, "qty"), str(fill, "price"),
		    order == fill ? "-" : status_now(&book, order),
		    str(order, "client_order_id"));
	}
	qgtm_book_release(&book);
	return 0;
}

/* account: the broker's account, as lines or (-j) its record with the
 * daily equity series of the last week. */
static int
order_account(const struct qgtm_cfg *cfg, const char *name, int jflag)
{
	struct qgtm_broker b;
	json_t *rec, *daily = NULL;

	open_broker(cfg, name, &b);
	if ((rec = b.ops->account(&b)) == NULL || (jflag &&
	    (daily = b.ops->history(&b, HISTORY_DAYS)) == NULL))
		qgtm_die_lib();
	if (jflag) {
		json_object_set_new(rec, "daily", daily);
		qgtm_jsonl_emit(rec);
	} else
		printf("broker %s\ncash %s\nmarket_value %s\nequity %s\n",
		    str(rec, "broker"), str(rec, "cash"),
		    str(rec, "market_value"), str(rec, "equity"));
	json_decref(rec);
	qgtm_broker_close(&b);
	return 0;
}

/* Without --yes, the operator types FLATTEN at a terminal; dies if not. */
static void
confirm_flatten(const struct qgtm_broker *b)
{
	char line[64] = "";

	if (!isatty(STDIN_FILENO))
		qgtm_die(QGTM_EX_USAGE, "flatten: --yes is required when the "
		    "input is not a terminal");
	fprintf(stderr, "Close every position of the %s account? Type "
	    "FLATTEN: ", b->ops->name);
	if (fgets(line, sizeof line, stdin) == NULL ||
	    strcmp(line, "FLATTEN\n") != 0)
		qgtm_die(QGTM_EX_NO, "flatten: not confirmed; nothing done");
}

/* flatten: the emergency flatten; 0 only when the account is flat. */
static int
order_flatten(const struct qgtm_cfg *cfg, const struct opts *o)
{
	struct qgtm_flatten f;
	struct qgtm_broker b;
	json_t *out = json_array();
	char *chain;
	int rc;

	open_broker(cfg, o->broker, &b);
	if (!o->yes)
		confirm_flatten(&b);
	chain = qgtm_state_path(qgtm_cfg_str(cfg, "audit.chain"), 1);
	if (chain == NULL)
		qgtm_die_lib();
	f.by = o->by;
	f.reason = o->reason != NULL ? o->reason : "emergency flatten";
	f.chain = chain;
	rc = qgtm_flatten(&b, &f, out);
	emit_recs(out);
	json_decref(out);
	free(chain);
	qgtm_broker_close(&b);
	if (rc == -1)
		qgtm_die_lib();
	if (rc == 0)
		qgtm_warn("the %s account is NOT flat", b.ops->name);
	return rc == 1 ? 0 : QGTM_EX_NO;
}

/* Raise the kill switch to NO_NEW over a critical break (by who); dies
 * if not. Returns the tier record when it changed (the kill switch has
 * appended it to the audit chain already), else NULL. */
static json_t *
recon_escalate(const struct qgtm_cfg *cfg, const char *who)
{
	struct qgtm_ks_change c = { 0 };
	struct qgtm_ks ks;
	json_t *rec = NULL;
	int rc = -1;

	c.to = QGTM_TIER_NO_NEW;
	c.reason = "reconciliation: critical break";
	c.by = who;
	c.only_up = 1;
	c.expect_seq = -1;
	if (qgtm_ks_open(&ks, cfg) == 0) {
		rc = qgtm_ks_change(&ks, &c, &rec);
		qgtm_ks_close(&ks);
	}
	if (rc == -1)
		qgtm_die_lib();
	if (rc == 1)
		return rec;
	json_decref(rec);
	return NULL;
}

/* reconcile: 0 when the book and the broker agree, 1 on any break. */
static int
order_reconcile(const struct qgtm_cfg *cfg, const char *name)
{
	struct qgtm_broker b;
	json_t *out = json_array(), *rest = json_array(), *chain = json_array();
	json_t *tier, *tier2 = NULL;
	int worst, w;

	open_broker(cfg, name, &b);
	worst = take_fills(cfg, &b, out, "qgtm-order reconcile", &tier);
	if ((w = qgtm_recon_compare(&b, rest, worst)) == -1)
		qgtm_die_lib();
	if (w == 2 && tier == NULL)
		tier2 = recon_escalate(cfg, "qgtm-order reconcile");
	breaks(rest, chain);
	audit(cfg, chain);      /* the tier record is in it already */
	json_array_extend(out, rest);
	if (qgtm_records_append(QGTM_OMS_RECON, out) == -1)
		qgtm_die_lib();
	worst = w > worst ? w : worst;
	emit_recs(out);
	if (tier != NULL || tier2 != NULL)
		qgtm_jsonl_emit(tier != NULL ? tier : tier2);
	json_decref(tier);
	json_decref(tier2);
	json_decref(rest);
	json_decref(chain);
	json_decref(out);
	qgtm_broker_close(&b);
	return worst == 0 ? 0 : QGTM_EX_NO;
}

/* The sessions of b's calendar from its day to WEEK_DAYS after. */
static json_t *
week(struct qgtm_broker *b)
{
	struct qgtm_date d = qgtm_ny_date(b->as_of), e;
	char start[11], end[11];

	e = qgtm_civil_from_days(qgtm_days_from_civil(d.year, d.month,
	    d.day) + WEEK_DAYS);
	snprintf(start, sizeof start, "%04d-%02d-%02d", d.year, d.month, d.day);
	snprintf(end, sizeof end, "%04d-%02d-%02d", e.year, e.month, e.day);
	return b->ops->calendar(b, start, end);
}

/* clock: the broker's market clock as lines or (-j) its record, with
 * the week's sessions. */
static int
order_clock(const struct qgtm_cfg *cfg, const char *name, int jflag)
{
	struct qgtm_broker b;
	json_t *rec, *cal = NULL;

	open_broker(cfg, name, &b);
	if ((rec = b.ops->clock(&b)) == NULL ||
	    (jflag && (cal = week(&b)) == NULL))
		qgtm_die_lib();
	if (jflag) {
		json_object_set_new(rec, "sessions", cal);
		qgtm_jsonl_emit(rec);
	} else
		printf("open %s\nnext_open %s\nnext_close %s\n",
		    json_is_true(json_object_get(rec, "is_open")) ? "yes" :
		    "no", str(rec, "next_open"), str(rec, "next_close"));
	json_decref(rec);
	qgtm_broker_close(&b);
	return 0;
}

/* Run verb cmd; returns the exit status. */
static int
run_verb(const struct qgtm_cfg *cfg, int cmd, const struct opts *o,
    int argc, char **argv)
{
	struct qgtm_broker b;
	int rc;

	switch (cmd) {
	case V_SUBMIT:
		open_broker(cfg, o->broker, &b);
		b.dry_run = o->nflag;
		rc = order_submit(cfg, &b, o, argc, argv);
		qgtm_broker_close(&b);
		return rc;
	case V_POSITIONS:
		return order_positions(cfg, o->jflag);
	case V_ORDERS:
		return order_orders(cfg, o->jflag);
	case V_ACCOUNT:
		return order_account(cfg, o->broker, o->jflag);
	case V_FLATTEN:
		return order_flatten(cfg, o);
	case V_CLOCK:
		return order_clock(cfg, o->broker, o->jflag);
	default:
		return order_reconcile(cfg, o->broker);
	}
}

/* Read the options of verb cmd into o; dies on a bad one. */
static void
parse_opts(int cmd, int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "broker", required_argument, NULL, 'b' },
		{ "by", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ "reason", required_argument, NULL, 'R' },
		{ "yes", no_argument, NULL, 'Y' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const optstrings[] = {
		"b:Cc:hknqVv", "Cc:hjV", "Cc:hjV", "b:Cc:hjV", "b:Cc:hqVv",
		"b:Cc:hqVv", "b:Cc:hjV"
	};
	int ch;

	while ((ch = getopt_long(argc, argv, optstrings[cmd], longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'B': o->by = optarg; break;
		case 'b': o->broker = optarg; break;
		case 'C': o->show_config = 1; break;
		case 'c': o->cfgpath = optarg; break;
		case 'h': usage(0);
		case 'j': o->jflag = 1; break;
		case 'k': o->kflag = 1; break;
		case 'n': o->nflag = 1; break;
		case 'q': qgtm_log_level--; break;
		case 'R': o->reason = optarg; break;
		case 'V': qgtm_version(); exit(qgtm_exit(0));
		case 'v': qgtm_log_level++; break;
		case 'Y': o->yes = 1; break;
		default: usage(QGTM_EX_USAGE);
		}
	}
	if ((cmd != V_FLATTEN && (o->by != NULL || o->reason != NULL ||
	    o->yes)) || (cmd == V_FLATTEN && o->by == NULL) ||
	    (cmd != V_SUBMIT && optind < argc) || (o->broker != NULL &&
	    (cmd == V_POSITIONS || cmd == V_ORDERS)))
		usage(QGTM_EX_USAGE);
}

/* order_run: the verb of main()'s table at index cmd. */
static int
order_run(int cmd, int argc, char **argv)
{
	struct opts o = { 0 };
	struct qgtm_cfg cfg;
	int rc;

	parse_opts(cmd, argc, argv, &o);
	if ((rc = qgtm_cmd_start(&cfg, o.cfgpath, o.show_config)) != 0) {
		if (rc == 1)
			return qgtm_exit(0);
		qgtm_die_lib();
	}
	rc = run_verb(&cfg, cmd, &o, argc - optind, argv + optind);
	qgtm_cfg_release(&cfg);
	return qgtm_exit(rc);
}

int
main(int argc, char *argv[])
{
	static const struct qgtm_verb verbs[] = {
		{ "submit", order_run },
		{ "positions", order_run },
		{ "orders", order_run },
		{ "account", order_run },
		{ "flatten", order_run },
		{ "reconcile", order_run },
		{ "clock", order_run },
		{ NULL, NULL }
	};

	qgtm_init(argv[0], 1);
	return qgtm_cmd_dispatch(argc, argv, verbs, usage, 0);
}
