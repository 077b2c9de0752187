/*
 * qgtm-status: the operator's view of the system. beat records a heartbeat
 * in the kill switch's backend, so that qgtm-risk evaluate can tell a
 * living system from a silent one; render writes the phone page, the
 * readiness page and their JSON into a web root.
 */
#include <sys/stat.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "risk/risk.h"
#include "report/report.h"
#include "cli/cli.h"

static const char usage_str[] =
    "usage: qgtm-status beat [-j] [-c config] [name]\n"
    "       qgtm-status render [-c config] [--now time] [--out dir]\n"
    "       qgtm-status metrics [-c config] [--now time] [--out file]";

/* The pages render writes, by file name. */
enum { PAGE_STATUS, PAGE_READINESS };

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

/* Write one file of render atomically: dir/name holding b. */
static void
render_write(const char *dir, const char *name, struct qgtm_buf *b)
{
	/* 0644: the web server reads the pages. */
	if (qgtm_page_publish(dir, name, b->data, b->len) == -1)
		qgtm_die(QGTM_EX_CANTCREAT, "%s", qgtm_errmsg());
}

/* Render one model (stolen) as NAME.json and as its page NAME.html
 * (index.html for the status). */
static void
render_model(const char *dir, json_t *model, int page)
{
	struct qgtm_buf b;
	char *json = json_dumps(model, JSON_INDENT(1) | JSON_ESCAPE_SLASH);

	qgtm_buf_init(&b, 4 * 1024 * 1024);
	if (json == NULL || qgtm_buf_addf(&b, "%s\n", json) == -1)
		qgtm_die(QGTM_EX_SOFTWARE, "cannot serialize the model");
	render_write(dir, page == PAGE_STATUS ? "status.json" :
	    "readiness.json", &b);
	qgtm_buf_reset(&b);
	if ((page == PAGE_STATUS ? qgtm_page_status(&b, model, 0) :
	    qgtm_page_readiness(&b, model)) == -1)
		qgtm_die(QGTM_EX_SOFTWARE, "page too large");
	render_write(dir, page == PAGE_STATUS ? "index.html" :
	    "readiness.html", &b);
	qgtm_buf_release(&b);
	free(json);
	json_decref(model);
}

/* render: the two pages and their JSON into out (default <state>/www). */
static int
status_render(const struct qgtm_cfg *cfg, const char *out)
{
	char *dir = out != NULL ? qgtm_xstrdup(out) :
	    qgtm_state_path("www", 0);
	json_t *status, *readiness;
	const char *icon;
	size_t n;

	if (dir == NULL)
		qgtm_die_lib();
	if (qgtm_mkdirs(dir, 0755) == -1)
		qgtm_die_lib();
	qgtm_report_pages(cfg, qgtm_now(), &status, &readiness);
	render_model(dir, status, PAGE_STATUS);
	render_model(dir, readiness, PAGE_READINESS);
	icon = qgtm_page_favicon(&n);
	if (qgtm_page_publish(dir, "favicon.svg", icon, n) == -1)
		qgtm_die(QGTM_EX_CANTCREAT, "%s", qgtm_errmsg());
	if (qgtm_page_sync(dir) == -1)
		qgtm_die_lib();
	free(dir);
	return 0;
}

/*
 * metrics: the figures of the two models for Prometheus (lib/report/metrics.c)
 * to stdout, or, with out, into that file by temp + rename, as
 * node_exporter's textfile collector needs: it must never read half a file.
 */
static int
status_metrics(const struct qgtm_cfg *cfg, const char *out)
{
	json_t *status, *readiness;
	struct qgtm_buf b;
	int rc = 0;

	qgtm_report_pages(cfg, qgtm_now(), &status, &readiness);
	qgtm_buf_init(&b, 1024 * 1024);
	if (qgtm_metrics_render(&b, status, readiness) == -1)
		qgtm_die(QGTM_EX_SOFTWARE, "metrics too large");
	if (out == NULL)
		rc = fwrite(b.data, 1, b.len, stdout) == b.len ? 0 :
		    QGTM_EX_IOERR;
	else if (qgtm_write_atomic_mode(out, b.data, b.len, 0644) == -1)
		qgtm_die(QGTM_EX_CANTCREAT, "cannot write '%s': %s", out,
		    qgtm_errmsg());
	qgtm_buf_release(&b);
	json_decref(status);
	json_decref(readiness);
	return rc;
}

/* status_run: beat, render or metrics (verb, main()'s index). */
static int
status_run(int verb, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "now", required_argument, NULL, 'N' },
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	const char *cfgpath = NULL, *out = NULL;
	struct qgtm_cfg cfg;
	int ch, jflag = 0, rc;

	while ((ch = getopt_long(argc, argv, verb == 0 ? "c:hjV" : "c:hV",
	    longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': cfgpath = optarg; break;
		case 'h': usage(0);
		case 'j': jflag = 1; break;
		case 'N':
			if (qgtm_clock_pin(optarg) == -1)
				qgtm_die_lib();
			break;
		case 'o': out = optarg; break;
		case 'V': qgtm_version(); return qgtm_exit(0);
		default: usage(QGTM_EX_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > (verb == 0 ? 1 : 0) || (verb == 0 && out != NULL))
		usage(QGTM_EX_USAGE);
	if (qgtm_cmd_start(&cfg, cfgpath, 0) == -1)
		qgtm_die_lib();
	if (verb == 0)
		rc = status_beat(&cfg, argc == 1 ? argv[0] : "qgtm", jflag);
	else
		rc = verb == 1 ? status_render(&cfg, out) :
		    status_metrics(&cfg, out);
	qgtm_cfg_release(&cfg);
	return qgtm_exit(rc);
}

int
main(int argc, char *argv[])
{
	static const struct qgtm_verb verbs[] = {
		{ "beat", status_run },
		{ "render", status_run },
		{ "metrics", status_run },
		{ NULL, NULL }
	};

	qgtm_init(argv[0], 0);
	return qgtm_cmd_dispatch(argc, argv, verbs, usage, 0);
}
