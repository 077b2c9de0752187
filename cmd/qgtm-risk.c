/*
 * qgtm-risk: the pre-trade risk gate. check reads records (JSON Lines) from
 * files or stdin, passes them through, and follows each signal with its
 * decision: the target weights cut to the limits of the config, with the
 * equity and positions of the OMS book. limits prints the limits as they
 * are enforced.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qgtm.h"

static const char usage_str[] =
    "usage: qgtm-risk check [-Ckqv] [-c config] [file ...]\n"
    "       qgtm-risk limits [-Cj] [-c config]";

static void __attribute__((noreturn))
usage(int ex)
{
	fprintf(ex == 0 ? stdout : stderr, "%s\n", usage_str);
	exit(ex == 0 ? qgtm_exit(0) : ex);
}

/*
 * Pass every record through; follow a signal with its decision, so the
 * audit chain at the end of the pipe holds both.
 */
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
	static const char *const verbs[] = { "check", "limits", NULL };
	int ch, check, verb, jflag = 0, kflag = 0, show_config = 0, rc;

	qgtm_init(argv[0], 0);
	switch (verb = qgtm_cmd_verb(argc, argv, verbs)) {
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
	check = verb == 0;
	while ((ch = getopt(argc, argv, check ? "Cc:hkqVv" : "Cc:hjV")) != -1) {
		switch (ch) {
		case 'C': show_config = 1; break;
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
	if ((rc = qgtm_cmd_start(&cfg, cfgpath, show_config)) != 0) {
		if (rc == 1)
			return qgtm_exit(0);
		qgtm_die_lib();
	}
	rc = check ? risk_check(&cfg, kflag, argc, argv) :
	    risk_limits(&cfg, jflag);
	qgtm_cfg_release(&cfg);
	return qgtm_exit(rc);
}
