/*
 * qgtm-audit: keep the tamper-evident audit chain. append reads records
 * (JSON Lines) from files or stdin and adds them to the chain as hashed,
 * linked entries, all or nothing; verify checks every entry and prints the
 * count, the head hash and the Merkle root.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "net/net.h"
#include "audit/audit.h"
#include "risk/risk.h"
#include "research/research.h"
#include "report/report.h"
#include "cli/cli.h"

static const char usage_str[] =
    "usage: qgtm-audit append [-Ckqtv] [-c config] [-f chain] [file ...]\n"
    "       qgtm-audit verify [-Cqv] [-c config] [-f chain] [--against file]\n"
    "       qgtm-audit root [-Cv] [-c config] [-f chain] [--size N]\n"
    "       qgtm-audit prove [-Cv] [-c config] [-f chain] --index I [--size N]\n"
    "       qgtm-audit consistency [-Cv] [-c config] [-f chain] --from M [--to N]\n"
    "       qgtm-audit check-proof --index I --size N --leaf HASH --root HASH [file]\n"
    "       qgtm-audit check-proof --from M --to N --old-root HASH --root HASH [file]\n"
    "       qgtm-audit merkle [--size N] [--prove I | --consistency M] [file]\n"
    "       qgtm-audit trace [-Cv] [-c config] [-f chain] id\n"
    "       qgtm-audit sample [-Cv] [-c config] [-f chain] [-n count] [--seed S]\n"
    "       qgtm-audit repair [-Cv] [-c config] [-f chain]\n"
    "       qgtm-audit checkpoint [-Cv] [-c config] [-f chain]\n"
    "       qgtm-audit evidence [-Cv] [-c config] [-f chain] --out dir\n"
    "       qgtm-audit export [-Cv] [-c config] [-f chain] [--to s3://bucket/prefix]\n"
    "       qgtm-audit lock-status [-Cjv] [-c config] [--to s3://bucket/prefix] [--probe]\n"
    "       qgtm-audit rederive [-Cjv] [-c config] [-f chain] trace_id\n"
    "       qgtm-audit rederive [-Cjv] [-c config] [-f chain] --sample N [--seed S]";

enum verb {
	V_APPEND, V_VERIFY, V_ROOT, V_PROVE, V_CONSISTENCY, V_CHECK, V_MERKLE,
	V_TRACE, V_SAMPLE, V_REPAIR, V_CHECKPOINT, V_EVIDENCE, V_EXPORT,
	V_LOCK_STATUS, V_REDERIVE
};

/* Long options: their values are kept as text in opts.num. */
enum {
	O_SIZE, O_INDEX, O_FROM, O_TO, O_PROVE, O_CONSISTENCY, O_NUM,
	O_LEAF = O_NUM, O_ROOT, O_OLD_ROOT, O_SEED, O_OUT, O_AGAINST, O_PROBE,
	O_SAMPLE
};

struct opts {
	const char *cfgpath;
	int show_config;        /* -C: print the effective config */
	const char *chain;      /* -f, or NULL for the config's audit.chain */
	int kflag;              /* append: skip bad records, exit 65 at the end */
	int qflag;              /* verify: no "ok" line */
	int tflag;              /* append: copy the records to stdout */
	int jflag;              /* lock-status, rederive: the JSON records */
	const char *num[O_NUM]; /* --size, --index, ... or NULL */
	const char *leaf;       /* check-proof --leaf */
	const char *root;       /* check-proof --root */
	const char *old_root;   /* check-proof --old-root */
	const char *seed;       /* sample, rederive --seed */
	const char *sample;     /* rederive --sample */
	const char *count;      /* sample -n */
	const char *out;        /* evidence --out */
	const char *against;    /* verify --against */
	unsigned longs;         /* the long options given, 1 << O_... */
	const struct qgtm_cfg *cfg;     /* for the verbs of the chain */
};

static void __attribute__((noreturn))
usage(int ex)
{
	if (ex == 0) {
		printf("%s\n", usage_str);
		exit(qgtm_exit(0));
	}
	fprintf(stderr, "%s: try '%s -h'\n", qgtm_progname, qgtm_progname);
	exit(ex);
}

/* An append on its way: the batch, and (-t) the records to copy out. */
struct append {
	struct qgtm_audit_batch *batch;
	FILE *tee;              /* the records as read, compact, or NULL */
	const struct qgtm_cfg *cfg;
	const char *chain;
	json_t *ks_sigs;        /* the kill switch's records by sig, once read */
};

/*
 * Is rec a signed "tier" record that the kill switch has appended to this
 * chain already? Every tier change is appended by the program that made
 * it and printed too, so a pipe into append would add it twice; the copy
 * is skipped. The chain's kill-switch records are read once, and only
 * when such a record comes.
 */
static int
ks_copy(struct append *a, json_t *rec, const char *type)
{
	const char *sig = json_string_value(json_object_get(rec, "sig"));
	struct qgtm_ks_chain ch;
	char *ks;

	if (strcmp(type, "tier") != 0 || sig == NULL)
		return 0;
	if (a->ks_sigs == NULL) {
		ks = qgtm_ks_chain_path(a->cfg, 0);
		if (ks != NULL && strcmp(ks, a->chain) == 0) {
			qgtm_ks_chain_read(a->cfg, &ch);
			a->ks_sigs = json_incref(ch.sigs);
			qgtm_ks_chain_release(&ch);
		} else
			a->ks_sigs = json_object();
		free(ks);
	}
	return json_equal(json_object_get(a->ks_sigs, sig), rec);
}

/* Add a record that has a string "type" (callback of qgtm_jsonl_each). */
static int
collect(json_t *rec, const struct qgtm_jsonl_pos *pos, void *arg)
{
	struct append *a = arg;
	const char *type;

	(void)pos;
	if (qgtm_json_str(rec, "type", &type) == -1)
		return -1;
	if (a->tee != NULL && qgtm_jsonl_print(a->tee, rec) == -1)
		return qgtm_seterr_errno(QGTM_EX_IOERR, "cannot keep a copy "
		    "of the records");
	if (ks_copy(a, rec, type)) {
		QGTM_DEBUG("chain=%s msg=\"a kill-switch record already in "
		    "the chain: not appended twice\"", a->chain);
		return 0;
	}
	return qgtm_audit_batch_add(a->batch, rec);
}

/* -t: print the records kept in tee, now appended, as they came. */
static void
copy_out(FILE *tee)
{
	char *line = NULL;
	size_t cap = 0;
	json_t *rec;
	int rc = 0;

	rewind(tee);
	/* A write error here is reported once, by qgtm_exit(). */
	while (rc == 0 && getline(&line, &cap, tee) > 0) {
		if ((rec = json_loads(line, 0, NULL)) == NULL)
			qgtm_die(QGTM_EX_SOFTWARE, "the copy of the records is "
			    "damaged");
		rc = qgtm_jsonl_emit(rec);
		json_decref(rec);
	}
	free(line);
}

/*
 * Stream every record into one batch, append it (all or nothing), then
 * (-t) copy the records to stdout. Memory stays bounded: the batch spills
 * to a temp file, -t's copy is another. Returns the exit status; dies
 * when nothing could be appended.
 */
static int
audit_append(const struct opts *o, const char *chain, int argc, char **argv)
{
	struct append a = { qgtm_audit_batch_new(chain), NULL, o->cfg, chain,
	    NULL };
	char skipped[256] = "";

	if (o->tflag && (a.tee = tmpfile()) == NULL)
		qgtm_die(QGTM_EX_CANTCREAT, "cannot make a temp file: %s",
		    strerror(errno));
	if (qgtm_jsonl_each(argc, argv, o->kflag, collect, &a) == -1) {
		if (!o->kflag || qgtm_errcode() != QGTM_EX_DATAERR)
			qgtm_die_lib();
		snprintf(skipped, sizeof skipped, "%s", qgtm_errmsg());
	}
	if (qgtm_audit_batch_commit(a.batch, -1) == -1)
		qgtm_die_lib();
	QGTM_INFO("chain=%s appended=%zu", chain,
	    qgtm_audit_batch_count(a.batch));
	qgtm_audit_batch_free(a.batch);
	json_decref(a.ks_sigs);
	if (a.tee != NULL) {
		copy_out(a.tee);
		fclose(a.tee);
	}
	if (skipped[0] == '\0')
		return 0;
	qgtm_warn("%s", skipped);
	return QGTM_EX_DATAERR;
}

/*
 * Verify the chain against the newest published checkpoint (--against,
 * or audit.checkpoint_file and the bucket) and print its summary; dies
 * on a bad chain.
 */
static int
audit_verify(const struct opts *o, const char *chain)
{
	const char *pubkey = qgtm_cfg_str(o->cfg, "audit.checkpoint_pubkey");
	struct qgtm_audit_summary sum;
	struct qgtm_checkpoint pub;
	unsigned long ckpts;
	int have;

	if ((have = qgtm_audit_published(o->cfg, o->against, &pub)) == -1 ||
	    qgtm_audit_verify_against(chain, pubkey, have ? &pub : NULL, &sum,
	    &ckpts) == -1)
		qgtm_die_lib();
	if (*pubkey == '\0' && (ckpts > 0 || have))
		qgtm_warn("checkpoint signatures not checked: no "
		    "audit.checkpoint_pubkey (a key a checkpoint carries proves "
		    "nothing)");
	else if (*pubkey != '\0' && !have && sum.entries > 0)
		qgtm_warn("no published checkpoint found (audit.checkpoint_file, "
		    "audit.export_to, --against): a rewrite or cut of the chain "
		    "cannot show");
	if (o->qflag)
		return 0;
	printf("ok entries=%lu head=%s root=%s", sum.entries, sum.head,
	    sum.root);
	if (have)
		printf(" published=%llu from=%s", (unsigned long long)pub.size,
		    pub.where);
	printf("\n");
	return 0;
}

/* The count s (an option's value); dies with 64 when it is not one. */
static uint64_t
count_of(const char *s, const char *name)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0)
		qgtm_die(QGTM_EX_USAGE, "%s '%s': not a count", name, s);
	return v;
}

/* The long option which as a count, or def when not given. */
static uint64_t
num_opt(const struct opts *o, int which, uint64_t def)
{
	static const char *const names[O_NUM] = {
		"--size", "--index", "--from", "--to", "--prove",
		"--consistency"
	};

	return o->num[which] == NULL ? def : count_of(o->num[which],
	    names[which]);
}

/* Print n hashes, one a line. */
static void
print_hashes(unsigned char (*h)[32], size_t n)
{
	char hex[65];
	size_t i;

	for (i = 0; i < n; i++) {
		qgtm_hash_hex(h[i], hex);
		printf("%s\n", hex);
	}
}

/*
 * Answer root, prove or consistency over t: index (or NULL) asks for an
 * inclusion proof, from (or NULL) for a consistency proof, else the root;
 * size is the tree size meant.
 */
static int
tree_answer(const struct qgtm_mtree *t, const char *index, const char *from,
    uint64_t size)
{
	unsigned char out[QGTM_MERKLE_MAX_PROOF][32];
	size_t len = 1;
	int rc;

	if (index != NULL)
		rc = qgtm_mtree_prove(t, count_of(index, "index"), size, out,
		    &len);
	else if (from != NULL)
		rc = qgtm_mtree_consistency(t, count_of(from, "from"), size,
		    out, &len);
	else
		rc = qgtm_mtree_root(t, size, out[0]);
	if (rc == -1)
		qgtm_die_lib();
	print_hashes(out, len);
	return 0;
}

/* root, prove and consistency over the chain. */
static int
audit_tree(const struct opts *o, enum verb v, const char *chain)
{
	struct qgtm_audit_summary sum;
	struct qgtm_mtree t;
	uint64_t size;

	if (qgtm_audit_tree(chain, &sum, &t) == -1)
		qgtm_die_lib();
	size = num_opt(o, v == V_CONSISTENCY ? O_TO : O_SIZE, t.size);
	tree_answer(&t, v == V_PROVE ? o->num[O_INDEX] : NULL,
	    v == V_CONSISTENCY ? o->num[O_FROM] : NULL, size);
	qgtm_mtree_release(&t);
	return 0;
}

/* Open the one optional file operand (stdin without one). */
static FILE *
open_operand(int argc, char **argv, const char **name)
{
	FILE *f;

	if (argc > 1)
		usage(QGTM_EX_USAGE);
	if (argc == 0 || strcmp(argv[0], "-") == 0) {
		*name = "<stdin>";
		return stdin;
	}
	*name = argv[0];
	if ((f = fopen(argv[0], "r")) == NULL)
		qgtm_die(QGTM_EX_NOINPUT, "cannot open '%s': %s", argv[0],
		    strerror(errno));
	return f;
}

/*
 * Read hex lines from the operand: each decoded line goes to fn (leaf
 * bytes for merkle, a 32-byte hash for check-proof). Dies with
 * "file:line: reason" (65) on a bad line.
 */
static void
read_hex_lines(int argc, char **argv, size_t want,
    void (*fn)(const unsigned char *, size_t, void *), void *arg)
{
	unsigned char *bytes = NULL;
	char *buf = NULL;
	const char *name;
	unsigned long line = 0;
	size_t cap = 0, n;
	ssize_t len;
	FILE *f = open_operand(argc, argv, &name);

	while ((len = getline(&buf, &cap, f)) > 0) {
		line++;
		if (buf[len - 1] == '\n')
			buf[--len] = '\0';
		bytes = qgtm_xrealloc(bytes, (size_t)len / 2 + 1);
		if (qgtm_unhex(buf, (size_t)len, bytes, &n) == -1)
			qgtm_die(QGTM_EX_DATAERR, "%s:%lu: %s", name, line,
			    qgtm_errmsg());
		if (want != 0 && n != want)
			qgtm_die(QGTM_EX_DATAERR, "%s:%lu: not a hash of 64 "
			    "hex digits", name, line);
		fn(bytes, n, arg);
	}
	if (ferror(f))
		qgtm_die(QGTM_EX_IOERR, "cannot read '%s': %s", name,
		    strerror(errno));
	free(bytes);
	free(buf);
	if (f != stdin)
		fclose(f);
}

/* Add one raw leaf (callback of read_hex_lines). */
static void
add_leaf(const unsigned char *p, size_t n, void *arg)
{
	qgtm_mtree_add(arg, p, n);
}

/* merkle: the tree functions over raw hex leaves. */
static int
audit_merkle(const struct opts *o, int argc, char **argv)
{
	struct qgtm_mtree t;

	if (o->num[O_PROVE] != NULL && o->num[O_CONSISTENCY] != NULL)
		usage(QGTM_EX_USAGE);
	qgtm_mtree_init(&t);
	read_hex_lines(argc, argv, 0, add_leaf, &t);
	tree_answer(&t, o->num[O_PROVE], o->num[O_CONSISTENCY],
	    num_opt(o, O_SIZE, t.size));
	qgtm_mtree_release(&t);
	return 0;
}

/* A proof being read by check-proof. */
struct proof {
	unsigned char h[QGTM_MERKLE_MAX_PROOF][32];
	size_t len;
};

/* Add one proof hash (callback of read_hex_lines). */
static void
add_hash(const unsigned char *p, size_t n, void *arg)
{
	struct proof *pr = arg;

	if (pr->len == QGTM_MERKLE_MAX_PROOF)
		qgtm_die(QGTM_EX_DATAERR, "proof longer than %d hashes",
		    QGTM_MERKLE_MAX_PROOF);
	memcpy(pr->h[pr->len++], p, n);
}

/* A hash option's value; dies with 64 when it is missing or bad. */
static void
hash_opt(const char *s, const char *name, unsigned char md[32])
{
	if (s == NULL)
		qgtm_die(QGTM_EX_USAGE, "check-proof needs %s", name);
	if (qgtm_hash_parse(s, md) == -1)
		qgtm_die(QGTM_EX_USAGE, "%s: %s", name, qgtm_errmsg());
}

/* check-proof: verify an inclusion or a consistency proof. */
static int
audit_check(const struct opts *o, int argc, char **argv)
{
	unsigned char leaf[32], root[32], old[32];
	struct proof pr = { .len = 0 };
	int incl = o->num[O_INDEX] != NULL, rc;

	if (incl == (o->num[O_FROM] != NULL) || o->num[incl ? O_SIZE : O_TO] ==
	    NULL)
		usage(QGTM_EX_USAGE);
	hash_opt(o->root, "--root", root);
	hash_opt(incl ? o->leaf : o->old_root, incl ? "--leaf" : "--old-root",
	    incl ? leaf : old);
	read_hex_lines(argc, argv, 32, add_hash, &pr);
	rc = incl ? qgtm_merkle_check_inclusion(leaf, num_opt(o, O_INDEX, 0),
	    num_opt(o, O_SIZE, 0), (const unsigned char (*)[32])pr.h, pr.len,
	    root) : qgtm_merkle_check_consistency(num_opt(o, O_FROM, 0),
	    num_opt(o, O_TO, 0), old, root,
	    (const unsigned char (*)[32])pr.h, pr.len);
	if (rc == -1)
		qgtm_die_lib();
	printf("ok %s\n", incl ? "inclusion" : "consistency");
	return 0;
}

/* Print evidence records; exit 1 when there is none. */
static int
emit_all(json_t *recs, const char *what)
{
	json_t *r;
	size_t i;

	if (recs == NULL)
		qgtm_die_lib();
	json_array_foreach(recs, i, r)
		if (qgtm_jsonl_emit(r) == -1)
			break;
	i = json_array_size(recs);
	json_decref(recs);
	if (i == 0)
		qgtm_warn("no entry for %s", what);
	return i == 0 ? QGTM_EX_NO : 0;
}

/* sample: -n entries chosen from --seed (or a random seed). */
static int
audit_sample(const struct opts *o, const char *chain)
{
	char seed[33];
	const char *s = o->seed;

	if (s == NULL) {
		if (qgtm_trace_id_new(seed, "qgtm-audit sample") == -1)
			qgtm_die_lib();
		s = seed;
	}
	return emit_all(qgtm_audit_sample(chain, o->count == NULL ? 10 :
	    (size_t)count_of(o->count, "-n"), s), "the sample");
}

/* repair: cut an uncommitted tail or torn line off, keeping a copy. */
static int
audit_repair(const char *chain)
{
	char *copy;

	if (qgtm_audit_repair(chain, &copy) == -1)
		qgtm_die_lib();
	if (copy != NULL)
		qgtm_warn("cut what no commit covers (a torn line, an "
		    "unfinished append) off '%s'; kept it in '%s'", chain, copy);
	free(copy);
	return 0;
}

/* Sign the chain's tree, append and publish that; print the checkpoint
 * record and where it was published. */
static int
audit_checkpoint(const struct opts *o, const char *chain)
{
	char *pem = qgtm_cfg_secret(o->cfg, "QGTM_AUDIT_CHECKPOINT_KEY",
	    "audit.checkpoint_key");
	json_t *rec, *done, *r;
	size_t i;
	int rc;

	if (pem == NULL)
		qgtm_die_lib();
	rc = qgtm_audit_checkpoint(chain, pem, &rec);
	free(pem);
	if (rc == -1)
		qgtm_die_lib();
	rc = qgtm_jsonl_emit(rec) == -1 ? QGTM_EX_IOERR : 0;
	done = qgtm_audit_publish(o->cfg, rec);
	json_decref(rec);
	if (done == NULL)
		qgtm_die(qgtm_errcode(), "checkpoint appended, not published: %s",
		    qgtm_errmsg());
	json_array_foreach(done, i, r)
		if (rc == 0 && qgtm_jsonl_emit(r) == -1)
			rc = QGTM_EX_IOERR;
	json_decref(done);
	return rc;
}

/*
 * share/qgtm beside the program: installed (PREFIX/bin/../share/qgtm) or
 * built in a checkout (build/bin/../../share/qgtm); NULL if neither.
 */
static char *
share_dir(void)
{
	static const char *const up[] = { "/../share/qgtm", "/../../share/qgtm" };
	char exe[4096], *dir, *probe;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	size_t i;

	if (n <= 0 || (dir = memrchr(exe, '/', (size_t)n)) == NULL)
		return NULL;
	*dir = '\0';
	for (i = 0; i < sizeof up / sizeof up[0]; i++) {
		dir = qgtm_xasprintf("%s%s/evidence", exe, up[i]);
		probe = qgtm_xasprintf("%s/backtest_methodology.7", dir);
		n = access(probe, R_OK);
		free(probe);
		if (n == 0)
			return dir;
		free(dir);
	}
	return NULL;
}

/* The package's part rederive_sample.json: 10 cycles of the chain,
 * chosen from the package's name (so the auditor can draw the same ones
 * again), re-derived (qgtm_rederive_sample); or why not. */
static json_t *
evidence_rederive(const struct opts *o, const char *chain)
{
	const char *name = strrchr(o->out, '/') != NULL ?
	    strrchr(o->out, '/') + 1 : o->out;
	json_t *s = qgtm_rederive_sample(o->cfg, chain, 10, name);

	if (s == NULL)
		return json_pack("{s:b, s:s}", "available", 0, "reason",
		    qgtm_errmsg());
	return json_pack("{s:s, s:o}", "seed", name, "cycles", s);
}

/* Write the evidence package; 1 (after a warning) if the chain is bad. */
static int
audit_evidence(const struct opts *o, const char *chain)
{
	char *share = share_dir();
	json_t *extra;
	int ok, rc;

	if (share == NULL)
		qgtm_die(QGTM_EX_UNAVAILABLE, "cannot find share/qgtm/evidence "
		    "beside the program");
	extra = json_pack("{s:o}", "rederive_sample.json",
	    evidence_rederive(o, chain));
	rc = qgtm_audit_evidence(o->cfg, chain, share, o->out, extra, &ok);
	json_decref(extra);
	free(share);
	if (rc == -1)
		qgtm_die_lib();
	if (ok)
		return 0;
	qgtm_warn("the chain did not verify: see %s/audit_chain_verification"
	    ".txt", o->out);
	return QGTM_EX_NO;
}

/* Upload what is new in the chain; print a record per object. */
static int
audit_export(const struct opts *o, const char *chain)
{
	json_t *recs = qgtm_audit_export(o->cfg, chain, o->num[O_TO]), *r;
	size_t i;
	int rc = 0;

	if (recs == NULL)
		qgtm_die_lib();
	json_array_foreach(recs, i, r)
		if (rc == 0 && qgtm_jsonl_emit(r) == -1)
			rc = QGTM_EX_IOERR;
	json_decref(recs);
	return rc;
}

/* The string member key of o (borrowed), or dflt when it is absent,
 * null or not a string. */
static const char *
member_str(json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : dflt;
}

/* The string key of o, or "". */
static const char *
str_of(json_t *o, const char *key)
{
	return member_str(o, key, "");
}

/* The lock-status record rec as lines of text. */
static void
lock_status_text(json_t *rec)
{
	json_t *o, *p = json_object_get(rec, "probe");
	long long n = json_integer_value(json_object_get(rec, "years"));
	const char *unit = n > 0 ? "years" : "days", *hold;
	size_t i;

	if (n <= 0)
		n = json_integer_value(json_object_get(rec, "days"));
	printf("bucket %s: Object Lock %s, ", str_of(rec, "bucket"),
	    json_is_true(json_object_get(rec, "enabled")) ? "enabled" :
	    "not enabled");
	if (*str_of(rec, "mode") == '\0')
		printf("no default retention\n");
	else
		printf("%s by default for %lld %s\n", str_of(rec, "mode"), n,
		    unit);
	json_array_foreach(json_object_get(rec, "objects"), i, o) {
		hold = *str_of(o, "legal_hold") ? str_of(o, "legal_hold") :
		    "none";
		printf("object %s version %s: %s until %s, legal hold %s\n",
		    str_of(o, "key"), str_of(o, "version_id"),
		    str_of(o, "mode"), str_of(o, "retain_until"), hold);
	}
	if (p == NULL)
		return;
	printf("probe %s version %s: delete %s (HTTP %lld %s), ",
	    str_of(p, "key"), str_of(p, "version_id"), str_of(p, "delete"),
	    json_integer_value(json_object_get(p, "delete_status")),
	    str_of(p, "delete_code"));
	printf("shorten to %s %s (HTTP %lld %s)\n", str_of(p, "shorten_to"),
	    str_of(p, "shorten"),
	    json_integer_value(json_object_get(p, "shorten_status")),
	    str_of(p, "shorten_code"));
}

/* Print the proof that the bucket locks the export; 1 unless it does. */
static int
audit_lock_status(const struct opts *o)
{
	json_t *rec;
	int rc;

	rc = qgtm_audit_lock_status(o->cfg, o->num[O_TO],
	    (o->longs & (1u << O_PROBE)) != 0, &rec);
	if (rec != NULL && o->jflag && qgtm_jsonl_emit(rec) == -1)
		rc = -1;
	else if (rec != NULL && !o->jflag)
		lock_status_text(rec);
	json_decref(rec);
	if (rc == -1)
		qgtm_die_lib();
	return 0;
}

static int audit_rederive(const struct opts *, const char *, char **);

/* Run a verb that reads or writes the chain. */
static int
chain_verb(const struct opts *o, enum verb v, const char *chain, int argc,
    char **argv)
{
	switch (v) {
	case V_APPEND:
		return audit_append(o, chain, argc, argv);
	case V_VERIFY:
		return audit_verify(o, chain);
	case V_TRACE:
		return emit_all(qgtm_audit_trace(chain, argv[0]), argv[0]);
	case V_SAMPLE:
		return audit_sample(o, chain);
	case V_REPAIR:
		return audit_repair(chain);
	case V_CHECKPOINT:
		return audit_checkpoint(o, chain);
	case V_EVIDENCE:
		return audit_evidence(o, chain);
	case V_EXPORT:
		return audit_export(o, chain);
	case V_LOCK_STATUS:
		return audit_lock_status(o);
	case V_REDERIVE:
		return audit_rederive(o, chain, argv);
	default:
		return audit_tree(o, v, chain);
	}
}

/* The options each verb takes. */
static const char *const optstrings[] = {
	"Cc:f:hkqtVv", "Cc:f:hqVv", "Cc:f:hVv", "Cc:f:hVv", "Cc:f:hVv",
	"hVv", "hVv", "Cc:f:hVv", "Cc:f:hn:Vv", "Cc:f:hVv", "Cc:f:hVv",
	"Cc:f:hVv", "Cc:f:hVv", "Cc:hjVv", "Cc:f:hjVv"
};
#define L(o) (1u << (o))
static const unsigned longs_ok[] = {
	0, L(O_AGAINST), L(O_SIZE), L(O_SIZE) | L(O_INDEX),
	L(O_FROM) | L(O_TO),
	L(O_INDEX) | L(O_SIZE) | L(O_FROM) | L(O_TO) | L(O_LEAF) | L(O_ROOT) |
	    L(O_OLD_ROOT),
	L(O_SIZE) | L(O_PROVE) | L(O_CONSISTENCY), 0, L(O_SEED), 0, 0,
	L(O_OUT), L(O_TO), L(O_TO) | L(O_PROBE) /* export, lock-status */,
	L(O_SAMPLE) | L(O_SEED) /* rederive */
};
/* Operands each verb takes: at most, at least. */
static const int max_args[] = {
	-1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1
};
static const int min_args[] = { 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0 };

/* Parse the options of verb v into o; dies on a usage error. */
static void
parse_opts(struct opts *o, enum verb v, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "size", required_argument, NULL, 256 + O_SIZE },
		{ "index", required_argument, NULL, 256 + O_INDEX },
		{ "from", required_argument, NULL, 256 + O_FROM },
		{ "to", required_argument, NULL, 256 + O_TO },
		{ "prove", required_argument, NULL, 256 + O_PROVE },
		{ "consistency", required_argument, NULL, 256 + O_CONSISTENCY },
		{ "leaf", required_argument, NULL, 256 + O_LEAF },
		{ "root", required_argument, NULL, 256 + O_ROOT },
		{ "old-root", required_argument, NULL, 256 + O_OLD_ROOT },
		{ "seed", required_argument, NULL, 256 + O_SEED },
		{ "out", required_argument, NULL, 256 + O_OUT },
		{ "against", required_argument, NULL, 256 + O_AGAINST },
		{ "probe", no_argument, NULL, 256 + O_PROBE },
		{ "sample", required_argument, NULL, 256 + O_SAMPLE },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	while ((ch = getopt_long(argc, argv, optstrings[v], longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'C': o->show_config = 1; break;
		case 'c': o->cfgpath = optarg; break;
		case 'f': o->chain = optarg; break;
		case 'h': usage(0);
		case 'k': o->kflag = 1; break;
		case 'n': o->count = optarg; break;
		case 'q': o->qflag = 1; qgtm_log_level--; break;
		case 't': o->tflag = 1; break;
		case 'j': o->jflag = 1; break;
		case 'V': qgtm_version(); exit(qgtm_exit(0));
		case 'v': qgtm_log_level++; break;
		case 256 + O_LEAF: o->leaf = optarg; break;
		case 256 + O_ROOT: o->root = optarg; break;
		case 256 + O_OLD_ROOT: o->old_root = optarg; break;
		case 256 + O_SEED: o->seed = optarg; break;
		case 256 + O_OUT: o->out = optarg; break;
		case 256 + O_AGAINST: o->against = optarg; break;
		case 256 + O_PROBE: break;
		case 256 + O_SAMPLE: o->sample = optarg; break;
		default:
			if (ch < 256 || ch >= 256 + O_NUM)
				usage(QGTM_EX_USAGE);
			o->num[ch - 256] = optarg;
		}
		if (ch >= 256)
			o->longs |= 1u << (ch - 256);
	}
	if ((o->longs & ~longs_ok[v]) != 0 || argc - optind < min_args[v] ||
	    (max_args[v] >= 0 && argc - optind > max_args[v]))
		usage(QGTM_EX_USAGE);
	if ((v == V_PROVE && o->num[O_INDEX] == NULL) ||
	    (v == V_CONSISTENCY && o->num[O_FROM] == NULL) ||
	    (v == V_EVIDENCE && o->out == NULL))
		usage(QGTM_EX_USAGE);
	/* rederive: a trace id, or --sample (and maybe --seed), not both */
	if (v == V_REDERIVE && (argc - optind != (o->sample == NULL) ||
	    (o->seed != NULL && o->sample == NULL)))
		usage(QGTM_EX_USAGE);
}

/*
 * The common start of a verb of the chain (qgtm_cmd_start()): the config
 * into cfg and the chain's path (chain, else audit.chain; its directory
 * made when mkdirs), or NULL when -C printed the config. Dies on an
 * error.
 */
static char *
start_chain(struct qgtm_cfg *cfg, const char *cfgpath, int show_config,
    const char *chain, int mkdirs)
{
	char *path;
	int rc;

	if ((rc = qgtm_cmd_start(cfg, cfgpath, show_config)) != 0) {
		if (rc == 1)
			return NULL;
		qgtm_die_lib();
	}
	path = chain != NULL ? qgtm_xstrdup(chain) :
	    qgtm_state_path(qgtm_cfg_str(cfg, "audit.chain"), mkdirs);
	if (path == NULL)
		qgtm_die_lib();
	return path;
}

/* audit_run: the verb of main()'s table at index verb. */
static int
audit_run(int verb, int argc, char **argv)
{
	struct opts o = { 0 };
	struct qgtm_cfg cfg;
	char *chain;
	int rc;

	parse_opts(&o, verb, argc, argv);
	argc -= optind;
	argv += optind;
	if (verb == V_CHECK)
		return qgtm_exit(audit_check(&o, argc, argv));
	if (verb == V_MERKLE)
		return qgtm_exit(audit_merkle(&o, argc, argv));
	if ((chain = start_chain(&cfg, o.cfgpath, o.show_config, o.chain,
	    verb == V_APPEND)) == NULL)
		return qgtm_exit(0);
	o.cfg = &cfg;
	rc = chain_verb(&o, verb, chain, argc, argv);
	free(chain);
	qgtm_cfg_release(&cfg);
	return qgtm_exit(rc);
}

/* A value of a rederive item as compact JSON (a new string). */
static char *
item_value(json_t *it, const char *key)
{
	json_t *v = json_object_get(it, key);

	return v == NULL ? qgtm_xstrdup("null") : json_dumps(v, JSON_COMPACT |
	    JSON_ENCODE_ANY | JSON_SORT_KEYS);
}

/* A string member of a lineage entry, "-" when it is null. Borrowed. */
static const char *
lineage_str(json_t *e, const char *key)
{
	return member_str(e, key, "-");
}

/*
 * Print a rederive record as text: a line a series read ("TRACE lineage
 * STRATEGY SOURCE/SERIES as_of T rows N last DATE available_at T"), a
 * line an item ("TRACE ITEM: match" or "TRACE ITEM: differs at FIELD:
 * recorded R, recomputed C", values as JSON), then "TRACE: match, N
 * items" or "TRACE: differs, ...", with " (seed S)" in a sample.
 */
static void
rederive_text(json_t *rec)
{
	const char *trace = lineage_str(rec, "trace_id"), *field;
	json_t *e, *it;
	char *a, *b;
	size_t i;

	json_array_foreach(json_object_get(rec, "lineage"), i, e)
		printf("%s lineage %s %s/%s as_of %s rows %lld last %s "
		    "available_at %s\n", trace, lineage_str(e, "strategy"),
		    lineage_str(e, "source"), lineage_str(e, "series"),
		    lineage_str(e, "as_of"),
		    (long long)json_integer_value(json_object_get(e, "rows")),
		    lineage_str(e, "last_date"),
		    lineage_str(e, "last_available_at"));
	json_array_foreach(json_object_get(rec, "items"), i, it) {
		field = json_string_value(json_object_get(it, "field"));
		printf("%s %s: ", trace, lineage_str(it, "item"));
		if (field == NULL) {
			printf("match\n");
			continue;
		}
		a = item_value(it, "recorded");
		b = item_value(it, "recomputed");
		printf("differs%s%s: recorded %s, recomputed %s\n",
		    *field != '\0' ? " at " : "", field, a, b);
		free(a);
		free(b);
	}
	printf("%s: %s, %zu items", trace, lineage_str(rec, "result"),
	    json_array_size(json_object_get(rec, "items")));
	if (json_object_get(rec, "seed") != NULL)
		printf(" (seed %s)", lineage_str(rec, "seed"));
	printf("\n");
}

/*
 * rederive: re-derive the signal and the risk decision of one trace, or
 * of --sample N traces chosen from --seed (random without); print each
 * (-j: its record). 1 when an item differs or no trace is there.
 */
static int
audit_rederive(const struct opts *o, const char *chain, char **argv)
{
	const char *seed = o->seed;
	char made[33];
	json_t *recs, *r;
	size_t i;
	int rc = 0;

	if (o->sample != NULL && seed == NULL) {
		if (qgtm_trace_id_new(made, "qgtm-audit rederive") == -1)
			qgtm_die_lib();
		seed = made;
	}
	if (o->sample != NULL)
		recs = qgtm_rederive_sample(o->cfg, chain,
		    (size_t)count_of(o->sample, "--sample"), seed);
	else if ((r = qgtm_rederive(o->cfg, chain, argv[0])) != NULL)
		recs = json_pack("[o]", r);
	else
		recs = NULL;
	if (recs == NULL)
		qgtm_die_lib();
	json_array_foreach(recs, i, r) {
		if (seed != NULL)
			json_object_set_new(r, "seed", json_string(seed));
		if (strcmp(lineage_str(r, "result"), "match") != 0)
			rc = QGTM_EX_NO;
		if (!o->jflag)
			rederive_text(r);
		else if (qgtm_jsonl_emit(r) == -1)
			break;
	}
	if (json_array_size(recs) == 0) {
		qgtm_warn("no signal of the chain re-derived");
		rc = QGTM_EX_NO;
	}
	json_decref(recs);
	return rc;
}

int
main(int argc, char *argv[])
{
	static const struct qgtm_verb verbs[] = {
		{ "append", audit_run },
		{ "verify", audit_run },
		{ "root", audit_run },
		{ "prove", audit_run },
		{ "consistency", audit_run },
		{ "check-proof", audit_run },
		{ "merkle", audit_run },
		{ "trace", audit_run },
		{ "sample", audit_run },
		{ "repair", audit_run },
		{ "checkpoint", audit_run },
		{ "evidence", audit_run },
		{ "export", audit_run },
		{ "lock-status", audit_run },
		{ "rederive", audit_run },
		{ NULL, NULL }
	};

	qgtm_init(argv[0], 1);
	return qgtm_cmd_dispatch(argc, argv, verbs, usage, 0);
}
