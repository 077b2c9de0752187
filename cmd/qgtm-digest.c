/*
 * qgtm-digest: the weekly digest (qgtm-digest(1)). Prints the week's
 * digest as text, markdown or JSON, or with --send posts it to Discord and
 * mails it to each recipient. A digest that cannot be made or sent is
 * never silent: an alert goes out on any channel that still works, the
 * failure is logged and the exit code says which channel failed.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "net/net.h"
#include "report/report.h"
#include "cli/cli.h"

/* Exit codes of --send besides 0 (documented in qgtm-digest(1)). */
enum { EX_DISCORD = 2, EX_EMAIL = 3, EX_BOTH = 4 };

static const char usage_str[] =
    "usage: qgtm-digest [-c config] [--week YYYY-MM-DD]"
    " [--format text|markdown|json] [--now T] [--send [--dry-run]]";

/* The parsed command line. */
struct args {
	const char *cfgpath, *week, *format;
	int send, dry_run;
};

static void __attribute__((noreturn))
usage(int ex)
{
	fprintf(ex == 0 ? stdout : stderr, "%s\n", usage_str);
	exit(ex == 0 ? qgtm_exit(0) : ex);
}

/* Parse argv into a; exits on a usage error. */
static void
parse(int argc, char *argv[], struct args *a)
{
	static const struct option longopts[] = {
		{ "week", required_argument, NULL, 'w' },
		{ "format", required_argument, NULL, 'f' },
		{ "now", required_argument, NULL, 'N' },
		{ "send", no_argument, NULL, 's' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(a, 0, sizeof *a);
	a->format = "text";
	while ((ch = getopt_long(argc, argv, "c:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': a->cfgpath = optarg; break;
		case 'w': a->week = optarg; break;
		case 'f': a->format = optarg; break;
		case 's': a->send = 1; break;
		case 'n': a->dry_run = 1; break;
		case 'N':
			if (qgtm_clock_pin(optarg) == -1)
				qgtm_die_lib();
			break;
		case 'h': usage(0);
		case 'V': qgtm_version(); exit(qgtm_exit(0));
		default: usage(QGTM_EX_USAGE);
		}
	}
	if (optind != argc || (a->dry_run && !a->send) ||
	    (strcmp(a->format, "text") != 0 && strcmp(a->format, "markdown") !=
	    0 && strcmp(a->format, "json") != 0))
		usage(QGTM_EX_USAGE);
}

/* The day of the week wanted: --week, else the New York day a day
 * before now (so Sunday evening's run covers the week just ending). */
static int
week_day(const char *week, struct qgtm_date *d)
{
	time_t t;

	if (week == NULL) {
		*d = qgtm_ny_date(qgtm_now() - 86400 + 1);
		return 0;
	}
	if (qgtm_time_parse(week, &t) == -1 || strlen(week) != 10)
		return qgtm_seterr(QGTM_EX_USAGE, "--week: expected YYYY-MM-DD");
	*d = qgtm_civil_from_days((long)(t / 86400));
	return 0;
}

/* The model of the week of a, or NULL with the library error. */
static json_t *
make_model(const struct qgtm_cfg *cfg, const struct args *a)
{
	struct qgtm_date d;

	if (week_day(a->week, &d) == -1)
		return NULL;
	return qgtm_digest_model(cfg, d.year, d.month, d.day, qgtm_now());
}

/* The digest of model as text, or markdown (a new string), or NULL
 * with the library error. */
static char *
render(json_t *model, int markdown)
{
	struct qgtm_buf b;

	qgtm_buf_init(&b, 1024 * 1024);
	if (qgtm_digest_render(&b, model, markdown) == -1 ||
	    qgtm_buf_add(&b, "", 1) == -1) {
		qgtm_buf_release(&b);
		return NULL;
	}
	return qgtm_buf_detach(&b);
}

/* Channels for fail_alert(). */
enum { VIA_DISCORD = 1, VIA_EMAIL = 2 };

/* Say loudly that the digest failed: log it, then alert on each channel
 * of via (those not known to be down). */
static void
fail_alert(const struct qgtm_cfg *cfg, const char *reason, int via)
{
	char *msg = qgtm_xasprintf("Weekly digest failed: %s", reason);

	QGTM_ERR("%s", msg);
	if ((via & VIA_DISCORD) && qgtm_alert_send(cfg, msg) == -1)
		QGTM_ERR("alert on Discord failed: %s", qgtm_errmsg());
	if ((via & VIA_EMAIL) && qgtm_smtp_send(cfg,
	    "QGTM weekly digest FAILED", msg) == -1)
		QGTM_ERR("alert by email failed: %s", qgtm_errmsg());
	free(msg);
}

/* The email body: the digest, after a note when Discord failed. */
static char *
email_body(const char *text, const char *discord_err)
{
	if (discord_err == NULL)
		return qgtm_xstrdup(text);
	return qgtm_xasprintf("NOTE: this digest is incomplete: it did not "
	    "reach Discord (%s).\n\n%s", discord_err, text);
}

/* The subject of text: its first line (a new string). */
static char *
subject_of(const char *text)
{
	return qgtm_xasprintf("%.*s", (int)strcspn(text, "\n"), text);
}

/* Send text to Discord, then by email. Returns 0 or an EX_ code. */
static int
send_all(const struct qgtm_cfg *cfg, const char *text)
{
	char *derr = NULL, *body, *subject = subject_of(text);
	int d, e;

	if ((d = qgtm_digest_discord(cfg, text)) == -1) {
		derr = qgtm_xstrdup(qgtm_errmsg());
		QGTM_ERR("digest to Discord failed: %s", derr);
	}
	body = email_body(text, derr);
	if ((e = qgtm_smtp_send(cfg, subject, body)) == -1)
		fail_alert(cfg, qgtm_errmsg(), d == -1 ? 0 : VIA_DISCORD);
	else if (d == -1 && e == 1)
		fail_alert(cfg, derr, 0);
	free(body);
	free(subject);
	free(derr);
	if (d == 1 && e == 1)
		return qgtm_seterr(QGTM_EX_CONFIG, "--send: neither a Discord "
		    "webhook nor digest.email is configured"), QGTM_EX_CONFIG;
	return d == -1 ? (e == -1 ? EX_BOTH : EX_DISCORD) : e == -1 ?
	    EX_EMAIL : 0;
}

/* Print what --send would send, and where, without the webhook. */
static void
dry_run(const struct qgtm_cfg *cfg, const char *text)
{
	const char *env = getenv("QGTM_DISCORD_WEBHOOK_URL");
	json_t *to = qgtm_cfg_list(cfg, "digest.email.to"), *v;
	char *subject = subject_of(text);
	size_t i;

	printf("--- discord: %s\n--- email to:", (env != NULL && *env != '\0') ||
	    *qgtm_cfg_str(cfg, "alert.discord_webhook_file") != '\0' ?
	    "the configured webhook" : "no webhook configured");
	json_array_foreach(to, i, v)
		printf(" %s", json_string_value(v));
	printf("%s\nSubject: %s\n\n%s", json_array_size(to) ? "" : " nobody",
	    subject, text);
	free(subject);
}

/* Print the digest in a's format. */
static void
show(const struct args *a, json_t *model, const char *text)
{
	if (strcmp(a->format, "json") == 0)
		qgtm_jsonl_emit(model);
	else
		fputs(text, stdout);
}

int
main(int argc, char *argv[])
{
	struct qgtm_cfg cfg;
	char *text = NULL;
	struct args a;
	json_t *model;
	int rc = 0;

	qgtm_init(argv[0], 0);
	parse(argc, argv, &a);
	if (qgtm_cmd_start(&cfg, a.cfgpath, 0) == -1)
		qgtm_die_lib();
	if ((model = make_model(&cfg, &a)) == NULL || (text = render(model,
	    !a.send && strcmp(a.format, "markdown") == 0)) == NULL) {
		rc = qgtm_errcode();
		if (a.send)
			fail_alert(&cfg, qgtm_errmsg(), VIA_DISCORD |
			    VIA_EMAIL);
		else
			fprintf(stderr, "%s: %s\n", qgtm_progname, qgtm_errmsg());
	} else if (a.send && a.dry_run) {
		dry_run(&cfg, text);
	} else if (a.send) {
		if ((rc = send_all(&cfg, text)) == QGTM_EX_CONFIG)
			fprintf(stderr, "%s: %s\n", qgtm_progname, qgtm_errmsg());
	} else {
		show(&a, model, text);
	}
	json_decref(model);
	free(text);
	qgtm_cfg_release(&cfg);
	return qgtm_exit(rc);
}
