/*
 * qgtm-digest: the weekly digest (qgtm-digest(1)). Prints the week's
 * digest as text, markdown or JSON, or with --send posts it to Discord and
 * mails it to each recipient. A digest that cannot be made or sent is
 * never silent: an alert goes out on any channel that still works, the
 * failure is logged and journaled, the exit code says which channel
 * failed, and the next digest sent opens with it.
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

/* The model of the week of a, or NULL with the library error; the
 * Monday of that week into monday ("" when --week is bad). */
static json_t *
make_model(const struct qgtm_cfg *cfg, const struct args *a,
    char monday[11])
{
	struct qgtm_date d, m;
	char buf[32];

	monday[0] = '\0';
	if (week_day(a->week, &d) == -1)
		return NULL;
	m = qgtm_civil_from_days(qgtm_days_from_civil(d.year, d.month,
	    d.day) - (qgtm_weekday(d.year, d.month, d.day) + 6) % 7);
	snprintf(buf, sizeof buf, "%04d-%02d-%02d", m.year, m.month, m.day);
	memcpy(monday, buf, 11);
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
 * of via (those not known to be down), after notes (may be ""). */
static void
fail_alert(const struct qgtm_cfg *cfg, const char *notes, const char *reason,
    int via)
{
	char *msg = qgtm_xasprintf("%sWeekly digest failed: %s", notes, reason);

	QGTM_ERR("Weekly digest failed: %s", reason);
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

/* The lines on the digests not delivered since the last that was (a new
 * string, "" when none; a journal that cannot be read is logged). */
static char *
undelivered_notes(void)
{
	json_t *pending = qgtm_digest_delivery_pending();
	struct qgtm_buf b;

	if (pending == NULL)
		QGTM_ERR("digest delivery journal: %s", qgtm_errmsg());
	qgtm_buf_init(&b, 64 * 1024);
	if (qgtm_digest_undelivered(&b, pending) == -1)
		b.len = 0;
	qgtm_buf_add(&b, "", 1);
	json_decref(pending);
	return qgtm_buf_detach(&b);
}

/* Record in the delivery journal the digest of week: delivered when a
 * channel took it; channels (stolen) says how each went, reason why none
 * did. */
static void
note_delivery(const char *week, int ok, json_t *channels, const char *reason)
{
	if (qgtm_digest_delivery_note(week, ok, channels, reason) == -1)
		QGTM_ERR("digest delivery journal: %s", qgtm_errmsg());
}

/* How a channel went: rc 0 sent, 1 not configured, -1 failed with err. */
static const char *
channel_state(int rc, const char *err)
{
	if (rc == 1)
		return "not configured";
	return rc == 0 ? "sent" : err;
}

/* Send text (after the notes of the digests not delivered) to Discord,
 * then by email, and record how it went for week. Returns 0 or an EX_
 * code. */
static int
send_all(const struct qgtm_cfg *cfg, const char *week, const char *text)
{
	char *derr = NULL, *eerr = NULL, *body, *subject = subject_of(text);
	char *notes = undelivered_notes(), *all, *reason;
	int d, e;

	all = qgtm_xasprintf("%s%s", notes, text);
	if ((d = qgtm_digest_discord(cfg, all)) == -1) {
		derr = qgtm_xstrdup(qgtm_errmsg());
		QGTM_ERR("digest to Discord failed: %s", derr);
	}
	body = email_body(all, derr);
	if ((e = qgtm_smtp_send(cfg, subject, body)) == -1) {
		eerr = qgtm_xstrdup(qgtm_errmsg());
		fail_alert(cfg, "", eerr, d == -1 ? 0 : VIA_DISCORD);
	} else if (d == -1 && e == 1)
		fail_alert(cfg, "", derr, 0);
	reason = qgtm_xasprintf("Discord: %s; email: %s", channel_state(d,
	    derr), channel_state(e, eerr));
	note_delivery(week, d == 0 || e == 0, json_pack("{s:s, s:s}",
	    "discord", channel_state(d, derr), "email", channel_state(e,
	    eerr)), reason);
	free(reason);
	free(body);
	free(all);
	free(notes);
	free(subject);
	free(derr);
	free(eerr);
	if (d == 1 && e == 1)
		return qgtm_seterr(QGTM_EX_CONFIG, "--send: neither a Discord "
		    "webhook nor digest.email is configured"), QGTM_EX_CONFIG;
	return d == -1 ? (e == -1 ? EX_BOTH : EX_DISCORD) : e == -1 ?
	    EX_EMAIL : 0;
}

/* With --send, the digest of the week of monday could not be made (the
 * library error): alert, after the notes of the digests not delivered,
 * and record it as not delivered. */
static void
unmade(const struct qgtm_cfg *cfg, const char *monday)
{
	char *err = qgtm_xstrdup(qgtm_errmsg()), *why, *notes;

	why = qgtm_xasprintf("it could not be made: %s", err);
	notes = undelivered_notes();
	fail_alert(cfg, notes, err, VIA_DISCORD | VIA_EMAIL);
	note_delivery(monday, 0, json_object(), why);
	free(notes);
	free(why);
	free(err);
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
	char *text = NULL, monday[11];
	struct args a;
	json_t *model;
	int rc = 0;

	qgtm_init(argv[0], 0);
	parse(argc, argv, &a);
	if (qgtm_cmd_start(&cfg, a.cfgpath, 0) == -1)
		qgtm_die_lib();
	if ((model = make_model(&cfg, &a, monday)) == NULL || (text = render(
	    model, !a.send && strcmp(a.format, "markdown") == 0)) == NULL) {
		rc = qgtm_errcode();
		if (a.send)
			unmade(&cfg, monday);
		else
			fprintf(stderr, "%s: %s\n", qgtm_progname, qgtm_errmsg());
	} else if (a.send && a.dry_run) {
		dry_run(&cfg, text);
	} else if (a.send) {
		if ((rc = send_all(&cfg, json_string_value(json_object_get(
		    json_object_get(model, "week"), "week")), text)) ==
		    QGTM_EX_CONFIG)
			fprintf(stderr, "%s: %s\n", qgtm_progname, qgtm_errmsg());
	} else {
		show(&a, model, text);
	}
	json_decref(model);
	free(text);
	qgtm_cfg_release(&cfg);
	return qgtm_exit(rc);
}
