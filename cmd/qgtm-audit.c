/*
 * qgtm-audit: keep the tamper-evident audit chain. append reads records
 * (JSON Lines) from files or stdin and adds them to the chain as hashed,
 * linked entries, all or nothing; verify checks every entry and prints the
 * count, the head hash and the Merkle root.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qgtm.h"

static const char usage_str[] =
    "usage: qgtm-audit append [-Ckqtv] [-c config] [-f chain] [file ...]\n"
    "       qgtm-audit verify [-Cqv] [-c config] [-f chain]";

struct opts {
	const char *cfgpath;
	int show_config;        /* -C: print the effective config */
	const char *chain;      /* -f, or NULL for the config's audit.chain */
	int kflag;              /* append: skip bad records, exit 65 at the end */
	int qflag;              /* verify: no "ok" line */
	int tflag;              /* append: copy the records to stdout */
};

static void __attribute__((noreturn))
usage(int ex)
{
	fprintf(ex == 0 ? stdout : stderr, "%s\n", usage_str);
	exit(ex == 0 ? qgtm_exit(0) : ex);
}

/* Keep a record that has a string "type" (callback of qgtm_jsonl_each). */
static int
collect(json_t *rec, const struct qgtm_jsonl_pos *pos, void *arg)
{
	const char *type;

	(void)pos;
	if (qgtm_json_str(rec, "type", &type) == -1)
		return -1;
	return json_array_append(arg, rec);
}

/*
 * Read every record, append them all, then (-t) copy them to stdout.
 * Returns the exit status; dies when nothing could be appended.
 */
static int
audit_append(const struct opts *o, const char *chain, int argc, char **argv)
{
	json_t *recs = json_array(), *rec;
	char skipped[256] = "";
	size_t i;

	if (qgtm_jsonl_each(argc, argv, o->kflag, collect, recs) == -1) {
		if (!o->kflag || qgtm_errcode() != QGTM_EX_DATAERR)
			qgtm_die_lib();
		snprintf(skipped, sizeof skipped, "%s", qgtm_errmsg());
	}
	if (qgtm_audit_append_records(chain, recs) == -1)
		qgtm_die_lib();
	QGTM_INFO("chain=%s appended=%zu", chain, json_array_size(recs));
	/* A write error here is reported once, by qgtm_exit(). */
	if (o->tflag)
		json_array_foreach(recs, i, rec)
			if (qgtm_jsonl_emit(rec) == -1)
				break;
	json_decref(recs);
	if (skipped[0] == '\0')
		return 0;
	qgtm_warn("%s", skipped);
	return QGTM_EX_DATAERR;
}

/* Verify the chain and print its summary; dies on a bad chain. */
static int
audit_verify(const struct opts *o, const char *chain)
{
	struct qgtm_audit_summary sum;

	if (qgtm_audit_verify(chain, &sum) == -1)
		qgtm_die_lib();
	if (!o->qflag)
		printf("ok entries=%lu head=%s root=%s\n", sum.entries, sum.head,
		    sum.root);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct opts o = { 0 };
	struct qgtm_cfg cfg;
	const char *optstr;
	char *chain;
	static const char *const verbs[] = { "append", "verify", NULL };
	int ch, append, verb, rc;

	qgtm_init(argv[0], 1);
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
	append = verb == 0;
	optstr = append ? "Cc:f:hkqtVv" : "Cc:f:hqVv";
	while ((ch = getopt(argc, argv, optstr)) != -1) {
		switch (ch) {
		case 'C': o.show_config = 1; break;
		case 'c': o.cfgpath = optarg; break;
		case 'f': o.chain = optarg; break;
		case 'h': usage(0);
		case 'k': o.kflag = 1; break;
		case 'q': o.qflag = 1; qgtm_log_level--; break;
		case 't': o.tflag = 1; break;
		case 'V': qgtm_version(); return qgtm_exit(0);
		case 'v': qgtm_log_level++; break;
		default: usage(QGTM_EX_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (!append && argc > 0)
		usage(QGTM_EX_USAGE);
	if ((rc = qgtm_cmd_start(&cfg, o.cfgpath, o.show_config)) != 0) {
		if (rc == 1)
			return qgtm_exit(0);
		qgtm_die_lib();
	}
	chain = o.chain != NULL ? qgtm_xstrdup(o.chain) :
	    qgtm_state_path(qgtm_cfg_str(&cfg, "audit.chain"), append);
	if (chain == NULL)
		qgtm_die_lib();
	rc = append ? audit_append(&o, chain, argc, argv) :
	    audit_verify(&o, chain);
	free(chain);
	qgtm_cfg_release(&cfg);
	return qgtm_exit(rc);
}
