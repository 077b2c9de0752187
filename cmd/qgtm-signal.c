/*
 * qgtm-signal: run strategies over the point-in-time store as of now (or
 * --as-of, alias --now) and print one signal record per strategy; the
 * strategy "combined" adds up the others by their budgets. Records read from the
 * input pass through, except bar records, which are the store's and end
 * here.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "strategy/strategy.h"
#include "cli/cli.h"

static const char usage_str[] =
    "usage: qgtm-signal [-Ckqv] [-c config] [-s strategy] [--as-of time] "
    "[file ...]";

#define MAX_STRATEGIES 16

static void __attribute__((noreturn))
usage(int ex)
{
	fprintf(ex == 0 ? stdout : stderr, "%s\n", usage_str);
	exit(ex);
}

/* Consume bars (checking their shape), pass every other record through. */
static int
pass_through(json_t *rec, const struct qgtm_jsonl_pos *pos, void *arg)
{
	const char *s;

	(void)pos;
	(void)arg;
	if (strcmp(qgtm_record_type(rec), "bar") == 0)
		return qgtm_json_str(rec, "symbol", &s) == -1 ||
		    qgtm_json_str(rec, "date", &s) == -1 ? -1 : 0;
	return qgtm_jsonl_emit(rec);
}

/* Run one strategy and print its signal. */
static int
run_strategy(const char *name, const struct qgtm_cfg *cfg)
{
	const struct qgtm_strategy *st = qgtm_strategy_find(name);
	json_t *sig;
	int rc;

	if (st == NULL)
		return qgtm_seterr(QGTM_EX_USAGE,
		    "unknown strategy '%s' (available: %s)", name,
		    qgtm_strategy_names());
	if ((sig = qgtm_strategy_signal(st, cfg, qgtm_now())) == NULL)
		return -1;
	qgtm_log_set_trace(json_string_value(json_object_get(sig, "trace_id")));
	QGTM_INFO("signal strategy=%s params_hash=%s", name,
	    json_string_value(json_object_get(sig, "params_hash")));
	rc = qgtm_jsonl_emit(sig);
	json_decref(sig);
	return rc;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "as-of", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ "now", required_argument, NULL, 'N' },
		{ "strategy", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	const char *cfgpath = NULL, *names[MAX_STRATEGIES];
	struct qgtm_cfg cfg;
	int ch, show_config = 0, keep_going = 0, nnames = 0, rc, i;
	int bad_input = 0;
	json_t *v;
	size_t k;

	qgtm_init(argv[0], 0);
	while ((ch = getopt_long(argc, argv, "Cc:hkqs:Vv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'C': show_config = 1; break;
		case 'c': cfgpath = optarg; break;
		case 'h': usage(0);
		case 'k': keep_going = 1; break;
		case 'N':
			if (qgtm_clock_pin(optarg) == -1)
				qgtm_die(QGTM_EX_USAGE, "--as-of: %s", qgtm_errmsg());
			break;
		case 'q': qgtm_log_level--; break;
		case 's':
			if (nnames == MAX_STRATEGIES)
				qgtm_die(QGTM_EX_USAGE, "too many strategies");
			names[nnames++] = optarg;
			break;
		case 'V': qgtm_version(); return qgtm_exit(0);
		case 'v': qgtm_log_level++; break;
		default: usage(QGTM_EX_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if ((rc = qgtm_cmd_start(&cfg, cfgpath, show_config)) != 0) {
		if (rc == 1)
			return qgtm_exit(0);
		qgtm_die_lib();
	}
	if (nnames == 0)
		json_array_foreach(qgtm_cfg_list(&cfg, "signal.strategies"), k, v)
			if (nnames < MAX_STRATEGIES)
				names[nnames++] = json_string_value(v);
	/* Without operands, stdin is read unless it is a terminal. */
	if ((argc > 0 || !isatty(STDIN_FILENO)) &&
	    qgtm_jsonl_each(argc, argv, keep_going, pass_through, NULL) == -1) {
		if (!keep_going || qgtm_errcode() == QGTM_EX_IOERR)
			qgtm_die_lib();
		bad_input = qgtm_errcode();
	}
	for (i = 0; i < nnames; i++)
		if (run_strategy(names[i], &cfg) == -1)
			qgtm_die_lib();
	if (bad_input != 0)
		qgtm_warn("bad input records were skipped");
	qgtm_cfg_release(&cfg);
	return qgtm_exit(bad_input);
}
