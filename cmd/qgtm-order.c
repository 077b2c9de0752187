/*
 * qgtm-order: the order management system. submit reads records (JSON
 * Lines) from files or stdin, turns the approved targets of each decision
 * into orders at the broker (the built-in sim paper broker), and prints the
 * decision followed by its order and fill records; every other record
 * passes through. positions prints the book, orders the order log.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qgtm.h"

static const char usage_str[] =
    "usage: qgtm-order submit [-Cknqv] [-b broker] [-c config] [file ...]\n"
    "       qgtm-order positions [-Cj] [-c config]\n"
    "       qgtm-order orders [-Cj] [-c config]";

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

/* Place the orders of every decision and make them durable; dies on error. */
static void
place_all(const struct qgtm_cfg *cfg, struct input *in, int nflag)
{
	struct qgtm_oms_run run;
	struct item *it;
	size_t i;
	int n;

	if (qgtm_oms_run_begin(&run, cfg, qgtm_now(), nflag) == -1)
		qgtm_die_lib();
	for (i = 0; i < in->n; i++) {
		it = &in->v[i];
		if (!it->is_decision)
			continue;
		it->out = json_array();
		qgtm_log_set_trace(it->d.trace_id);
		if ((n = qgtm_oms_run_decision(&run, &it->d, it->out)) == -1)
			qgtm_die(qgtm_errcode(), "%s:%lu: %s", it->name,
			    it->line, qgtm_errmsg());
		QGTM_INFO("decision strategy=%s orders=%d", it->d.strategy, n);
	}
	qgtm_log_set_trace(NULL);
	if (qgtm_oms_run_commit(&run) == -1)
		qgtm_die_lib();
	qgtm_oms_run_release(&run);
}

/* Print every record in input order, each decision before its orders. */
static void
emit_all(const struct input *in)
{
	json_t *rec;
	size_t i, j;

	for (i = 0; i < in->n; i++) {
		if (qgtm_jsonl_emit(in->v[i].rec) == -1)
			return;         /* reported once by qgtm_exit() */
		json_array_foreach(in->v[i].out, j, rec)
			if (qgtm_jsonl_emit(rec) == -1)
				return;
	}
}

/* The broker to use: -b, else order.broker. Only sim exists yet. */
static void
check_broker(const struct qgtm_cfg *cfg, const char *broker)
{
	if (broker == NULL)
		broker = qgtm_cfg_str(cfg, "order.broker");
	if (strcmp(broker, "alpaca") == 0)
		qgtm_die(QGTM_EX_UNAVAILABLE, "broker 'alpaca' is not "
		    "available yet");
	if (strcmp(broker, "sim") != 0)
		qgtm_die(QGTM_EX_USAGE, "unknown broker '%s'", broker);
}

/* submit: returns the exit status. */
static int
order_submit(const struct qgtm_cfg *cfg, int kflag, int nflag, int argc,
    char **argv)
{
	struct input in = { 0 };
	int rc = 0;

	if (qgtm_jsonl_each(argc, argv, kflag, collect, &in) == -1) {
		if (!kflag || qgtm_errcode() == QGTM_EX_IOERR)
			qgtm_die_lib();
		qgtm_warn("%s", qgtm_errmsg());
		rc = qgtm_errcode();
	}
	if (in.decisions > 0)
		place_all(cfg, &in, nflag);
	emit_all(&in);
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
			qgtm_jsonl_emit(order);
			if (fill != NULL)
				qgtm_jsonl_emit(fill);
		} else
			printf("%s %s %s %s %s %s %s %s\n", str(order, "ts"),
			    str(order, "strategy"), str(order, "symbol"),
			    str(order, "side"), str(order, "qty"),
			    str(fill, "price"), str(order, "status"),
			    str(order, "client_order_id"));
	}
	qgtm_book_release(&book);
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "broker", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const optstrings[] = {
		"b:Cc:hknqVv", "Cc:hjV", "Cc:hjV"
	};
	static const char *const verbs[] = {
		"submit", "positions", "orders", NULL
	};
	const char *cfgpath = NULL, *broker = NULL;
	struct qgtm_cfg cfg;
	int ch, cmd, jflag = 0, kflag = 0, nflag = 0, show_config = 0, rc;

	qgtm_init(argv[0], 1);
	switch (cmd = qgtm_cmd_verb(argc, argv, verbs)) {
	case QGTM_VERB_HELP:
		usage(0);
	case QGTM_VERB_VERSION:
		qgtm_version();
		return qgtm_exit(0);
	case -1:
		if (argc > 1)
			fprintf(stderr, "%s: %s\n", qgtm_progname, qgtm_errmsg());
		usage(QGTM_EX_USAGE);
	}
	while ((ch = getopt_long(argc, argv, optstrings[cmd], longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'b': broker = optarg; break;
		case 'C': show_config = 1; break;
		case 'c': cfgpath = optarg; break;
		case 'h': usage(0);
		case 'j': jflag = 1; break;
		case 'k': kflag = 1; break;
		case 'n': nflag = 1; break;
		case 'q': qgtm_log_level--; break;
		case 'V': qgtm_version(); return qgtm_exit(0);
		case 'v': qgtm_log_level++; break;
		default: usage(QGTM_EX_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (cmd != 0 && (argc > 0 || broker != NULL))
		usage(QGTM_EX_USAGE);
	if ((rc = qgtm_cmd_start(&cfg, cfgpath, show_config)) != 0) {
		if (rc == 1)
			return qgtm_exit(0);
		qgtm_die_lib();
	}
	if (cmd == 0)
		check_broker(&cfg, broker);
	rc = cmd == 0 ? order_submit(&cfg, kflag, nflag, argc, argv) :
	    cmd == 1 ? order_positions(&cfg, jflag) : order_orders(&cfg, jflag);
	qgtm_cfg_release(&cfg);
	return qgtm_exit(rc);
}
