/*
 * qgtm-risk: the pre-trade risk gate. check reads records (JSON Lines) from
 * files or stdin and turns each signal into a decision: its target weights
 * cut to the limits of the config, with the equity and positions of the OMS
 * book; every other record passes through. limits prints the limits as they
 * are enforced.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qgtm.h"

static const char usage_str[] =
    "usage: qgtm-risk check [-kqv] [-c config] [file ...]\n"
    "       qgtm-risk limits [-j] [-c config]";

static void __attribute__((noreturn))
usage(int ex)
{
	fprintf(ex == 0 ? stdout : stderr, "%s\n", usage_str);
	exit(ex == 0 ? qgtm_exit(0) : ex);
}

/* Decide a signal; pass every other record through. */
static int
check_one(json_t *rec, const struct qgtm_jsonl_pos *pos, void *arg)
{
	json_t *dec;
	int rc;

	(void)pos;
	if (strcmp(qgtm_record_type(rec), "signal") != 0)
		return qgtm_jsonl_emit(rec);
	if ((dec = qgtm_risk_decide(arg, rec)) == NULL)
		return -1;
	qgtm_log_set_trace(json_string_value(json_object_get(dec,
	    "trace_id")));
	QGTM_INFO("decision status=%s strategy=%s",
	    json_string_value(json_object_get(dec, "status")),
	    json_string_value(json_object_get(dec, "strategy")));
	rc = qgtm_jsonl_emit(dec);
	json_decref(dec);
	return rc;
}

/* check: returns the exit status; dies on an error that stops the run. */
static int
risk_check(const struct qgtm_cfg *cfg, int kflag, int argc, char **argv)
{
	struct qgtm_risk r;
	int rc = 0;

	if (qgtm_risk_init(&r, cfg, qgtm_now()) == -1)
		qgtm_die_lib();
	QGTM_DEBUG("equity=%lld", (long long)r.equity);
	if (qgtm_jsonl_each(argc, argv, kflag, check_one, &r) == -1) {
		if (!kflag || qgtm_errcode() == QGTM_EX_IOERR)
			qgtm_die_lib();
		qgtm_warn("%s", qgtm_errmsg());
		rc = qgtm_errcode();
	}
	qgtm_risk_release(&r);
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
	else
		printf(" %s", json_is_string(v) ? json_string_value(v) :
		    "defaults");
	printf("\n");
}

/* limits: "key value" lines, or (-j) the limits record. */
static int
risk_limits(const struct qgtm_cfg *cfg, int jflag)
{
	static const char *const envelope[] = { "type", "v", "ts", "src" };
	struct qgtm_risk_limits lim;
	json_t *rec, *v;
	const char *key;
	size_t i;

	if (qgtm_risk_limits_load(cfg, &lim) == -1)
		qgtm_die_lib();
	rec = qgtm_risk_limits_record(cfg, &lim);
	if (jflag)
		qgtm_jsonl_emit(rec);
	else
		json_object_foreach(rec, key, v) {
			for (i = 0; i < 4 && strcmp(key, envelope[i]) != 0; i++)
				;
			if (i == 4)
				print_field(key, v);
		}
	json_decref(rec);
	return 0;
}

int
main(int argc, char *argv[])
{
	const char *cfgpath = NULL;
	struct qgtm_cfg cfg;
	int ch, check, jflag = 0, kflag = 0, rc;

	qgtm_init(argv[0], 0);
	if (argc < 2)
		usage(QGTM_EX_USAGE);
	if (strcmp(argv[1], "-h") == 0)
		usage(0);
	if (strcmp(argv[1], "-V") == 0) {
		qgtm_version();
		return qgtm_exit(0);
	}
	check = strcmp(argv[1], "check") == 0;
	if (!check && strcmp(argv[1], "limits") != 0) {
		fprintf(stderr, "%s: unknown command '%s'\n", qgtm_progname,
		    argv[1]);
		usage(QGTM_EX_USAGE);
	}
	optind = 2;
	while ((ch = getopt(argc, argv, check ? "c:hkqVv" : "c:hjV")) != -1) {
		switch (ch) {
		case 'c': cfgpath = optarg; break;
		case 'h': usage(0);
		case 'j': jflag = 1; break;
		case 'k': kflag = 1; break;
		case 'q': qgtm_log_level--; break;
		case 'V': qgtm_version(); return qgtm_exit(0);
		case 'v': qgtm_log_level++; break;
		default: usage(QGTM_EX_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (!check && argc > 0)
		usage(QGTM_EX_USAGE);
	if (qgtm_cmd_start(&cfg, cfgpath, 0) == -1)
		qgtm_die_lib();
	rc = check ? risk_check(&cfg, kflag, argc, argv) :
	    risk_limits(&cfg, jflag);
	qgtm_cfg_release(&cfg);
	return qgtm_exit(rc);
}
