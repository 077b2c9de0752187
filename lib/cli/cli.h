/*
 * cli/cli.h: the public header of lib/cli/: what the programs share:
 * start-up, the verb table, the daemon's pieces.
 */
#ifndef QGTM_CLI_H
#define QGTM_CLI_H

#include "base/base.h"
#include "net/net.h"

/* --------------------------------------------------------------- cmd -- */

/*
 * qgtm_cmd_start: the common start of a command once its options are
 * parsed: begin the program's trace spans (qgtm_otel_begin(), named after
 * the verb qgtm_cmd_dispatch() found), read QGTM_NOW (unless --now pinned
 * the clock already), load the config (cfgpath from -c, may be NULL), take
 * the log format from it unless QGTM_LOG_FORMAT is set, and fix the state
 * directory. With show_config (-C) it prints the effective config to stdout
 * instead of touching the state directory, releases cfg, and returns 1.
 * Returns 0, 1, or -1 with the library error set (the caller dies with
 * qgtm_die_lib()).
 */
int qgtm_cmd_start(struct qgtm_cfg *cfg, const char *cfgpath, int show_config);

/*
 * struct qgtm_verb: one row of a program's verb table ("prog verb
 * [option ...]"), ended by a row whose name is NULL. run gets the verb's
 * index in the table and main()'s argc and argv, with optind at 2 so
 * getopt goes on after the verb; its answer is the program's exit code.
 */
struct qgtm_verb {
	const char	*name;
	int		(*run)(int verb, int argc, char **argv);
};

/* Flags of qgtm_cmd_dispatch(). */
#define QGTM_CMD_SAY_MISSING	0x1	/* print "missing command" too */

/*
 * qgtm_cmd_dispatch: run the verb argv[1] names in verbs and return its
 * answer. For -h or --help it calls usage(0); for -V it prints the version
 * and returns qgtm_exit(0). A missing or unknown verb prints
 * "prog: unknown command 'x'" to stderr ("prog: missing command" only with
 * QGTM_CMD_SAY_MISSING in flags) and calls usage(QGTM_EX_USAGE). usage
 * should not return; if it does, the answer is qgtm_exit(0) or
 * QGTM_EX_USAGE. The verb found names the trace spans of qgtm_cmd_start().
 */
int qgtm_cmd_dispatch(int argc, char **argv, const struct qgtm_verb *verbs,
    void (*usage)(int), int flags);

/*
 * qgtm_cmd_verb_name: the name of the verb qgtm_cmd_dispatch() found, or
 * NULL before it found one.
 */
const char *qgtm_cmd_verb_name(void);

/* ------------------------------------------------------------ daemon -- */

/*
 * qgtm_notify: send state ("READY=1", "WATCHDOG=1", "STOPPING=1") to the
 * service manager as one datagram on the AF_UNIX socket $NOTIFY_SOCKET
 * (a path, or '@' for the abstract namespace), as sd_notify(3) does.
 * Returns 0, also when NOTIFY_SOCKET is unset, or -1 (QGTM_EX_OSERR, or
 * QGTM_EX_CONFIG for a malformed address).
 */
int qgtm_notify(const char *state);

/*
 * qgtm_run_child: run argv (PATH searched) in its own process group with
 * stdin and stdout on /dev/null and stderr inherited; wait for it, calling
 * tick(arg) about once a second; when tick returns nonzero the group gets
 * SIGTERM. After timeout_s seconds the group gets SIGKILL. Returns the
 * child's status (exit code; 128+N for signal N; 127 not found), or -1:
 * QGTM_EX_TEMPFAIL timed out or stopped, QGTM_EX_OSERR fork failed.
 */
int qgtm_run_child(char *const argv[], int timeout_s, int (*tick)(void *),
    void *arg);

/* qgtm_daemon_cycle_at: the instant of the daily cycle on the New York
 * date of now: the NYSE close plus delay_s, or 0 when no trading day. */
time_t qgtm_daemon_cycle_at(time_t now, long long delay_s);

#include "banned.h"

#endif /* QGTM_CLI_H */
