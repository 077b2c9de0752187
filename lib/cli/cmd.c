/*
 * cmd.c: the verb dispatch and the start every command shares after option
 * parsing, so clock, config, log format and state directory are set up in
 * one place.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* The verb qgtm_cmd_dispatch() found, to name the program's trace spans. */
static const char *cmd_verb_name;

int
qgtm_cmd_start(struct qgtm_cfg *cfg, const char *cfgpath, int show_config)
{
	int rc;

	qgtm_otel_begin(cmd_verb_name);
	if (!qgtm_clock_pinned() && qgtm_clock_init() == -1)
		return -1;
	if (qgtm_cfg_load(cfg, cfgpath) == -1)
		return -1;
	if (getenv("QGTM_LOG_FORMAT") == NULL)
		qgtm_log_set_json(strcmp(qgtm_cfg_str(cfg, "common.log_format"),
		    "json") == 0);
	if (show_config) {
		rc = qgtm_cfg_print(cfg, stdout);
		qgtm_cfg_release(cfg);
		return rc == -1 ? -1 : 1;
	}
	if (qgtm_state_init(cfg) == -1) {
		qgtm_cfg_release(cfg);
		return -1;
	}
	return 0;
}

/* Answers of cmd_verb() besides a verb's index. */
enum { VERB_HELP = -2, VERB_VERSION = -3 };

/*
 * The index of argv[1] in verbs, with optind set to 2 so getopt goes on
 * after it; VERB_HELP for -h or --help, VERB_VERSION for -V, or -1 with
 * the error "missing command" or "unknown command 'x'" set.
 */
static int
cmd_verb(int argc, char **argv, const struct qgtm_verb *verbs)
{
	int i;

	if (argc < 2)
		return qgtm_seterr(QGTM_EX_USAGE, "missing command");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		return VERB_HELP;
	if (strcmp(argv[1], "-V") == 0)
		return VERB_VERSION;
	for (i = 0; verbs[i].name != NULL; i++)
		if (strcmp(argv[1], verbs[i].name) == 0) {
			optind = 2;
			cmd_verb_name = verbs[i].name;
			return i;
		}
	return qgtm_seterr(QGTM_EX_USAGE, "unknown command '%s'", argv[1]);
}

int
qgtm_cmd_dispatch(int argc, char **argv, const struct qgtm_verb *verbs,
    void (*usage)(int), int flags)
{
	int verb;

	switch ((verb = cmd_verb(argc, argv, verbs))) {
	case VERB_HELP:
		usage(0);
		return qgtm_exit(0);
	case VERB_VERSION:
		qgtm_version();
		return qgtm_exit(0);
	case -1:
		if (argc > 1 || (flags & QGTM_CMD_SAY_MISSING))
			fprintf(stderr, "%s: %s\n", qgtm_progname,
			    qgtm_errmsg());
		usage(QGTM_EX_USAGE);
		return QGTM_EX_USAGE;
	}
	return verbs[verb].run(verb, argc, argv);
}

const char *
qgtm_cmd_verb_name(void)
{
	return cmd_verb_name;
}
