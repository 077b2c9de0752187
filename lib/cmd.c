/*
 * cmd.c: the start every command shares after option parsing, so clock,
 * config, log format and state directory are set up in one place.
 */
#include <stdlib.h>
#include <string.h>

#include "qgtm.h"

int
qgtm_cmd_start(struct qgtm_cfg *cfg, const char *cfgpath, int show_config)
{
	int rc;

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
