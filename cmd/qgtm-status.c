/*
 * qgtm-status: the operator's view of the system. For now one verb: beat
 * records a heartbeat in the kill switch's backend, so that qgtm-risk
 * evaluate can tell a living system from a silent one.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "qgtm.h"

static const char usage_str[] =
    "usage: qgtm-status beat [-j] [-c config] [name]";

static void __attribute__((noreturn))
usage(int ex)
{
	fprintf(ex == 0 ? stdout : stderr, "%s\n", usage_str);
	exit(ex == 0 ? qgtm_exit(0) : ex);
}

/* beat: one heartbeat of name; prints its record with -j. */
static int
status_beat(const struct qgtm_cfg *cfg, const char *name, int jflag)
{
	struct qgtm_ks ks;
	json_t *rec;
	int rc = 0;

	if (qgtm_ks_open(&ks, cfg) == -1)
		qgtm_die_lib();
	rec = qgtm_heartbeat_beat(&ks, name);
	qgtm_ks_close(&ks);
	if (rec == NULL)
		qgtm_die_lib();
	if (jflag)
		rc = qgtm_jsonl_emit(rec) == -1 ? QGTM_EX_IOERR : 0;
	json_decref(rec);
	return rc;
}

int
main(int argc, char *argv[])
{
	static const char *const verbs[] = { "beat", NULL };
	const char *cfgpath = NULL;
	struct qgtm_cfg cfg;
	int ch, jflag = 0, rc;

	qgtm_init(argv[0], 0);
	switch (qgtm_cmd_verb(argc, argv, verbs)) {
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
	while ((ch = getopt(argc, argv, "c:hjV")) != -1) {
		switch (ch) {
		case 'c': cfgpath = optarg; break;
		case 'h': usage(0);
		case 'j': jflag = 1; break;
		case 'V': qgtm_version(); return qgtm_exit(0);
		default: usage(QGTM_EX_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 1)
		usage(QGTM_EX_USAGE);
	if (qgtm_cmd_start(&cfg, cfgpath, 0) == -1)
		qgtm_die_lib();
	rc = status_beat(&cfg, argc == 1 ? argv[0] : "qgtm", jflag);
	qgtm_cfg_release(&cfg);
	return qgtm_exit(rc);
}
