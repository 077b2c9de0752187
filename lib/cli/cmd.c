/*
 * cmd.c: the start every command shares after option parsing, so clock,
 * config, log format and state directory are set up in one place.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* The verb qgtm_cmd_verb() found, to name the program's trace spans. */
static const char *cmd_verb;

int
qgtm_cmd_start(struct qgtm_cfg *cfg, const char *cfgpath, int show_config)
{
	int rc;

	qgtm_otel_begin(cmd_verb);
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

int
qgtm_cmd_verb(int argc, char **argv, const char *const *verbs)
{
	int i;

	if (argc < 2)
		return qgtm_seterr(QGTM_EX_USAGE, "missing command");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		return QGTM_VERB_HELP;
	if (strcmp(argv[1], "-V") == 0)
		return QGTM_VERB_VERSION;
	for (i = 0; verbs[i] != NULL; i++)
		if (strcmp(argv[1], verbs[i]) == 0) {
			optind = 2;
			cmd_verb = verbs[i];
			return i;
		}
	return qgtm_seterr(QGTM_EX_USAGE, "unknown command '%s'", argv[1]);
}
