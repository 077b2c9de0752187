/*
 * qgtm-daemon: the long-running loop under systemd. It records a heartbeat
 * every daemon.heartbeat_s seconds, runs the kill-switch evaluation and the
 * page render (qgtm-risk evaluate, qgtm-status render) every
 * daemon.render_s seconds and the trading cycle (daemon.cycle) once on each
 * NYSE trading day after the close; every stage is a child process with a
 * time limit, and a failing stage is logged and the loop goes on. It tells
 * systemd READY=1 and WATCHDOG=1 over $NOTIFY_SOCKET; SIGTERM or SIGINT
 * stops it cleanly with status 0.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "data/data.h"
#include "strategy/strategy.h"
#include "book/book.h"
#include "risk/risk.h"
#include "cli/cli.h"

static const char usage_str[] =
    "usage: qgtm-daemon [-qv] [-c config]";

/* Set by SIGTERM and SIGINT. */
static volatile sig_atomic_t stop_flag;

/* The loop's settings and schedule (monotonic seconds). */
struct daemon {
	const struct qgtm_cfg *cfg;
	int timeout_s;
	time_t next_beat, next_render;
	time_t cycle_done;      /* the cycle instant last run */
};

static void __attribute__((noreturn))
usage(int ex)
{
	fprintf(ex == 0 ? stdout : stderr, "%s\n", usage_str);
	exit(ex == 0 ? qgtm_exit(0) : ex);
}

static void
on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* Catch SIGTERM and SIGINT without SA_RESTART, so sleeps end early. */
static void
catch_stop(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1)
		qgtm_die(QGTM_EX_OSERR, "cannot catch signals");
}

static time_t
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Tell systemd; a failure is a warning, never the end of the loop. */
static void
notify(const char *state)
{
	if (qgtm_notify(state) == -1)
		QGTM_WARN("msg=\"%s\"", qgtm_errmsg());
}

/* The tick of qgtm_run_child: feed the watchdog; nonzero to stop. */
static int
child_tick(void *arg)
{
	(void)arg;
	notify("WATCHDOG=1");
	return stop_flag;
}

/* One heartbeat in the kill switch's backend. Returns 0 or -1. */
static int
daemon_beat(const struct qgtm_cfg *cfg)
{
	struct qgtm_ks ks;
	json_t *rec;

	if (qgtm_ks_open(&ks, cfg) == -1)
		return -1;
	rec = qgtm_heartbeat_beat(&ks, "daemon");
	qgtm_ks_close(&ks);
	json_decref(rec);
	return rec == NULL ? -1 : 0;
}

/* Run one stage; a failure is logged. Returns its status or -1. */
static int
daemon_stage(const struct daemon *d, const char *name, char *const argv[])
{
	int st = qgtm_run_child(argv, d->timeout_s, child_tick, NULL);

	if (st == -1 && !stop_flag)
		QGTM_ERR("stage=%s msg=\"%s\"", name, qgtm_errmsg());
	else if (st > 0)
		QGTM_ERR("stage=%s status=%d", name, st);
	else if (st == 0)
		qgtm_log(QGTM_LOG_NOTICE, "stage=%s status=0", name);
	return st;
}

/* The trading cycle, once per trading day when its instant has come. */
static void
daemon_cycle(struct daemon *d)
{
	const char *prog = qgtm_cfg_str(d->cfg, "daemon.cycle");
	char *argv[] = { (char *)prog, NULL };
	time_t now = qgtm_now();
	time_t at = qgtm_daemon_cycle_at(now,
	    qgtm_cfg_int(d->cfg, "daemon.cycle_delay_s"));

	if (*prog == '\0' || at == 0 || now < at || at == d->cycle_done)
		return;
	d->cycle_done = at;
	if (qgtm_clock_guard(d->cfg, 0) == 1)   /* its stages act as NO_NEW */
		QGTM_ERR("stage=cycle msg=\"the clock is not sane\"");
	daemon_stage(d, "cycle", argv);
}

/* One pass: whatever is due. */
static void
daemon_pass(struct daemon *d)
{
	static char *const evaluate[] = { "qgtm-risk", "evaluate", NULL };
	static char *const render[] = { "qgtm-status", "render", NULL };

	if (mono() >= d->next_beat) {
		d->next_beat = mono() +
		    qgtm_cfg_int(d->cfg, "daemon.heartbeat_s");
		if (daemon_beat(d->cfg) == -1)
			QGTM_ERR("stage=beat msg=\"%s\"", qgtm_errmsg());
	}
	if (!stop_flag && mono() >= d->next_render) {
		d->next_render = mono() +
		    qgtm_cfg_int(d->cfg, "daemon.render_s");
		daemon_stage(d, "evaluate", evaluate);
		if (!stop_flag)
			daemon_stage(d, "render", render);
	}
	if (!stop_flag)
		daemon_cycle(d);
}

/* Sleep about a second, ending early on a stop signal. */
static void
daemon_sleep(void)
{
	const struct timespec slice = { 0, 100 * 1000 * 1000 };
	int i;

	for (i = 0; i < 10 && !stop_flag; i++)
		nanosleep(&slice, NULL);
}

/* The loop, until SIGTERM or SIGINT. The first beat must succeed, so a
 * broken backend stops the start instead of a silent daemon. */
static int
daemon_run(const struct qgtm_cfg *cfg)
{
	struct daemon d = { cfg, 0, 0, 0, 0 };

	if (qgtm_cfg_int(cfg, "daemon.heartbeat_s") < 1 ||
	    qgtm_cfg_int(cfg, "daemon.render_s") < 1 ||
	    qgtm_cfg_int(cfg, "daemon.stage_timeout_s") < 1)
		qgtm_die(QGTM_EX_CONFIG, "daemon intervals must be at least 1");
	d.timeout_s = (int)qgtm_cfg_int(cfg, "daemon.stage_timeout_s");
	if (daemon_beat(cfg) == -1)
		qgtm_die_lib();
	d.next_beat = mono() + qgtm_cfg_int(cfg, "daemon.heartbeat_s");
	notify("READY=1");
	qgtm_log(QGTM_LOG_NOTICE, "msg=started");
	while (!stop_flag) {
		daemon_pass(&d);
		/* Nothing this process cached outlives a pass. */
		qgtm_pit_cache_drop();
		qgtm_book_cache_drop();
		qgtm_strategy_cache_drop();
		notify("WATCHDOG=1");
		daemon_sleep();
	}
	notify("STOPPING=1");
	qgtm_log(QGTM_LOG_NOTICE, "msg=stopped");
	return 0;
}

int
main(int argc, char *argv[])
{
	const char *cfgpath = NULL;
	struct qgtm_cfg cfg;
	int ch, rc;

	qgtm_init(argv[0], 0);
	while ((ch = getopt(argc, argv, "c:hqvV")) != -1) {
		switch (ch) {
		case 'c': cfgpath = optarg; break;
		case 'h': usage(0);
		case 'q': qgtm_log_level--; break;
		case 'v': qgtm_log_level++; break;
		case 'V': qgtm_version(); return qgtm_exit(0);
		default: usage(QGTM_EX_USAGE);
		}
	}
	if (argc != optind)
		usage(QGTM_EX_USAGE);
	if (qgtm_cmd_start(&cfg, cfgpath, 0) == -1)
		qgtm_die_lib();
	/* The stages read the same config. */
	if (cfgpath != NULL && setenv("QGTM_CONFIG", cfgpath, 1) == -1)
		qgtm_die(QGTM_EX_OSERR, "cannot set QGTM_CONFIG");
	catch_stop();
	rc = daemon_run(&cfg);
	qgtm_cfg_release(&cfg);
	return qgtm_exit(rc);
}
