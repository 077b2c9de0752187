/*
 * auditor.c: the models qgtm-api serves an auditor, read only: the
 * effective risk limits beside their documented defaults, the kill
 * switch's history as the chain holds it and verified, the chain's
 * verification with its published checkpoint, traces and samples of the
 * chain followed to the broker's records (the order journal), the order
 * and fill journals in pages, and the newest evidence package as one tar
 * archive. No message here names a file of the state directory: the
 * client gets "chain" or "state", the library error keeps the rest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

/* The largest evidence archive built (the package is a few files). */
#define ARCHIVE_MAX (64L * 1024 * 1024)

/* rec's string member key, or "" (never NULL). Borrowed. */
static const char *
str(json_t *rec, const char *key)
{
	const char *s = json_string_value(json_object_get(rec, key));

	return s != NULL ? s : "";
}

/* s with every occurrence of the state directory replaced by "state"
 * (a new allocation). */
static char *
unpathed(const char *s)
{
	const char *dir = qgtm_state_dir(), *p;
	struct qgtm_buf b;

	qgtm_buf_init(&b, 64 * 1024);
	if (dir == NULL || dir[0] == '\0')
		return qgtm_xstrdup(s);
	while ((p = strstr(s, dir)) != NULL) {
		qgtm_buf_add(&b, s, (size_t)(p - s));
		qgtm_buf_add(&b, "state", 5);
		s = p + strlen(dir);
	}
	qgtm_buf_add(&b, s, strlen(s));
	return b.data != NULL ? qgtm_buf_detach(&b) : qgtm_xstrdup("");
}

/* Set key of rec to s without the state directory's path. */
static void
set_unpathed(json_t *rec, const char *key, const char *s)
{
	char *u = unpathed(s);

	json_object_set_new(rec, key, json_string(u));
	free(u);
}

/* ------------------------------------------------------------ limits -- */

/* The value of dotted path in root, or NULL. Borrowed. */
static json_t *
cfg_value(json_t *root, const char *path)
{
	const char *dot;
	char part[128];

	while ((dot = strchr(path, '.')) != NULL && root != NULL) {
		snprintf(part, sizeof part, "%.*s", (int)(dot - path), path);
		root = json_object_get(root, part);
		path = dot + 1;
	}
	return root != NULL ? json_object_get(root, path) : NULL;
}

/* Whether the values a and b of schema row k differ: decs as numbers
 * ("50000" is "50000.00"), anything else as JSON. */
static int
differs(const struct qgtm_cfg_key *k, json_t *a, json_t *b)
{
	int64_t x, y;

	if (k->type == QGTM_CFG_DEC &&
	    qgtm_dec_parse(json_string_value(a), 6, &x) == 0 &&
	    qgtm_dec_parse(json_string_value(b), 6, &y) == 0)
		return x != y;
	return !json_equal(a, b);
}

json_t *
qgtm_auditor_limits(const struct qgtm_cfg *cfg)
{
	const struct qgtm_cfg_key *k;
	json_t *rec, *rows = json_array(), *v, *def, *gate;
	struct qgtm_risk_limits lim;
	struct qgtm_rules ru;
	size_t i, ndiff = 0;
	int d;

	if (qgtm_risk_limits_load(cfg, &lim) == -1 ||
	    qgtm_rules_load(cfg, &ru) == -1) {
		json_decref(rows);
		return NULL;
	}
	gate = qgtm_risk_limits_record(cfg, &lim, &ru);
	for (i = 0; i < qgtm_cfg_nkeys; i++) {
		k = &qgtm_cfg_keys[i];
		if (strncmp(k->path, "risk.", 5) != 0 ||
		    (v = cfg_value(cfg->root, k->path)) == NULL)
			continue;
		def = qgtm_cfg_key_default(k);
		d = differs(k, v, def);
		ndiff += d != 0;
		json_array_append_new(rows,
		    json_pack("{s:s, s:O, s:o, s:b, s:s}", "key", k->path,
			"value", v, "default", def, "differs", d, "doc",
			k->doc));
	}
	rec = qgtm_record_new("auditor_limits", NULL);
	json_object_set_new(rec, "config",
	    cfg->path != NULL ? json_string("file") :
				json_string("built-in defaults"));
	json_object_set_new(rec, "differing", json_integer((json_int_t)ndiff));
	json_object_set_new(rec, "limits", rows);
	json_object_set_new(rec, "gate", gate);
	return rec;
}

/* ------------------------------------------------------- kill switch -- */

/* What the walk over the chain collects: the tier records. */
struct tiers {
	json_t *sigs; /* the valid ones by sig (qgtm_ks_chain) */
	json_t *rows;
	size_t bad; /* rows that do not verify */
};

/* One valid chain entry: keep a tier record with whether it verified. */
static int
tier_row(const char *line, size_t n, unsigned long seq, void *arg)
{
	struct tiers *t = arg;
	json_t *e, *rec, *row;
	const char *sig;
	int ok;

	if (strstr(line, "\"type\":\"tier\"") == NULL)
		return 0;
	e = json_loadb(line, n, 0, NULL);
	rec = json_object_get(e, "rec");
	if (strcmp(str(rec, "type"), "tier") != 0) {
		json_decref(e);
		return 0;
	}
	sig = json_string_value(json_object_get(rec, "sig"));
	ok = sig != NULL && json_equal(json_object_get(t->sigs, sig), rec);
	t->bad += !ok;
	row = json_pack("{s:I, s:b, s:b, s:O}", "seq", (json_int_t)seq,
	    "verified", ok, "two_person",
	    json_object_get(rec, "approval") != NULL, "record", rec);
	json_array_append_new(t->rows, row);
	json_decref(e);
	return 0;
}

json_t *
qgtm_auditor_killswitch(const struct qgtm_cfg *cfg)
{
	struct qgtm_audit_summary sum;
	struct qgtm_ks_chain ch;
	struct qgtm_ks_state st;
	struct qgtm_ks ks;
	struct tiers t = { NULL, json_array(), 0 };
	char *path = qgtm_ks_chain_path(cfg, 0);
	json_t *rec, *state;

	if (path == NULL || qgtm_ks_open(&ks, cfg) == -1) {
		free(path);
		json_decref(t.rows);
		return NULL;
	}
	qgtm_ks_read(&ks, &st);
	state = qgtm_ks_state_record(&ks, &st);
	qgtm_ks_close(&ks);
	qgtm_ks_chain_read(cfg, &ch);
	t.sigs = ch.sigs;
	qgtm_audit_walk(path, &sum, tier_row, &t); /* trouble: ch.bad */
	free(path);
	rec = qgtm_record_new("auditor_killswitch", NULL);
	json_object_set_new(rec, "verified",
	    json_boolean(
		ch.bad[0] == '\0' && t.bad == 0 && st.health == QGTM_KS_OK));
	json_object_set_new(rec, "tier", json_string(qgtm_tier_name(ch.tier)));
	json_object_set_new(rec, "records",
	    json_integer((json_int_t)ch.records));
	json_object_set_new(rec, "unverified", json_integer((json_int_t)t.bad));
	if (ch.bad[0] != '\0')
		set_unpathed(rec, "problem", ch.bad);
	else
		json_object_set_new(rec, "problem", json_null());
	set_unpathed(state, "detail", str(state, "detail"));
	json_object_set_new(rec, "state", state);
	json_object_set_new(rec, "history", t.rows);
	qgtm_ks_chain_release(&ch);
	return rec;
}

/* ------------------------------------------------------------ verify -- */

json_t *
qgtm_auditor_verify(const struct qgtm_cfg *cfg, int *ok)
{
	const char *pubkey = qgtm_cfg_str(cfg, "audit.checkpoint_pubkey");
	struct qgtm_audit_summary sum = { 0 };
	struct qgtm_checkpoint pub;
	unsigned long ckpts = 0;
	char *path = qgtm_state_path(qgtm_cfg_str(cfg, "audit.chain"), 0);
	char hex[65];
	json_t *rec = qgtm_record_new("auditor_verify", NULL), *w;
	int have = -1, rc = -1;

	w = json_array();
	if (path != NULL &&
	    (have = qgtm_audit_published(cfg, NULL, &pub)) != -1)
		rc = qgtm_audit_verify_against(path, pubkey, have ? &pub : NULL,
		    &sum, &ckpts);
	free(path);
	*ok = rc == 0;
	json_object_set_new(rec, "valid", json_boolean(rc == 0));
	json_object_set_new(rec, "entries",
	    json_integer((json_int_t)sum.entries));
	json_object_set_new(rec, "head", json_string(sum.head));
	json_object_set_new(rec, "root", json_string(sum.root));
	json_object_set_new(rec, "checkpoints",
	    json_integer((json_int_t)ckpts));
	json_object_set_new(rec, "signatures_checked",
	    json_boolean(*pubkey != '\0'));
	if (have == 1) {
		qgtm_hash_hex(pub.root, hex);
		json_object_set_new(rec, "published",
		    json_pack("{s:I, s:s, s:s}", "size", (json_int_t)pub.size,
			"root", hex, "from",
			strncmp(pub.where, "s3://", 5) == 0 ?
			    pub.where :
			    "checkpoint file"));
	} else
		json_object_set_new(rec, "published", json_null());
	json_object_set_new(rec, "consistency",
	    json_string(rc == 0 ?
		    (have == 1 ? "verified" : "no published checkpoint") :
		    have == -1 ? "published checkpoints unreadable" :
				 "failed"));
	/* The warnings of qgtm-audit verify (cmd/qgtm-audit.c). */
	if (*pubkey == '\0' && (ckpts > 0 || have == 1))
		json_array_append_new(w,
		    json_string("checkpoint signatures "
				"not checked: no audit.checkpoint_pubkey"));
	else if (*pubkey != '\0' && have == 0 && sum.entries > 0)
		json_array_append_new(w, json_string("no published checkpoint "
		    "found: a rewrite or cut of the chain cannot show"));
	json_object_set_new(rec, "warnings", w);
	json_object_set_new(rec, "bad_line",
	    sum.bad_line > 0 ? json_integer((json_int_t)sum.bad_line) :
			       json_null());
	return rec;
}

/* ----------------------------------------------------- trace, sample -- */

/* Whether the broker's fills (the journal's, by client order id) hold
 * one equal to the chain's fill: same order, quantity, price, and
 * activity id when the chain's has one. */
static int
fill_matched(json_t *broker, json_t *fill)
{
	json_t *line, *f;
	size_t i;

	json_array_foreach(broker, i, line) {
		f = json_object_get(line, "fill");
		if (f != NULL &&
		    strcmp(str(f, "client_order_id"),
			str(fill, "client_order_id")) == 0 &&
		    strcmp(str(f, "qty"), str(fill, "qty")) == 0 &&
		    strcmp(str(f, "price"), str(fill, "price")) == 0 &&
		    strcmp(str(f, "activity_id"), str(fill, "activity_id")) ==
			0)
			return 1;
	}
	return 0;
}

/* The client order id of a journal line (its order, fill or cancel). */
static const char *
line_order(json_t *line)
{
	static const char *const parts[] = { "order", "fill", "cancel" };
	const char *id;
	size_t i;

	for (i = 0; i < 3; i++)
		if ((id = json_string_value(
			 json_object_get(json_object_get(line, parts[i]),
			     "client_order_id"))) != NULL)
			return id;
	return "";
}

/* The trace's entries (borrowed) followed to the broker's records: into
 * rec, broker_records (the journal lines of the orders traced), fills
 * (each fill of the chain with whether the broker holds it), and the
 * counts. Returns 0 or -1 when the journal cannot be read. */
static int
to_broker(const struct qgtm_cfg *cfg, json_t *entries, json_t *rec)
{
	struct qgtm_book book;
	json_t *orders = json_object(), *broker = json_array(), *fills;
	json_t *e, *r, *line;
	size_t i, matched = 0;
	int m;

	json_array_foreach(entries, i, e) {
		r = json_object_get(json_object_get(e, "entry"), "rec");
		if (*str(r, "client_order_id") != '\0')
			json_object_set_new(orders, str(r, "client_order_id"),
			    json_true());
	}
	if (qgtm_oms_book_load(cfg, &book) == -1) {
		json_decref(orders);
		json_decref(broker);
		return -1;
	}
	json_array_foreach(book.journal, i, line)
		if (json_object_get(orders, line_order(line)) != NULL)
			json_array_append(broker, line);
	qgtm_book_release(&book);
	fills = json_array();
	json_array_foreach(entries, i, e) {
		r = json_object_get(json_object_get(e, "entry"), "rec");
		if (strcmp(str(r, "type"), "fill") != 0)
			continue;
		matched += (m = fill_matched(broker, r));
		json_array_append_new(fills,
		    json_pack("{s:O, s:s, s:b}", "seq",
			json_object_get(e, "seq"), "client_order_id",
			str(r, "client_order_id"), "at_broker", m));
	}
	json_object_set_new(rec, "orders",
	    json_integer((json_int_t)json_object_size(orders)));
	json_object_set_new(rec, "fills_in_chain",
	    json_integer((json_int_t)json_array_size(fills)));
	json_object_set_new(rec, "fills_at_broker",
	    json_integer((json_int_t)matched));
	json_object_set_new(rec, "fills", fills);
	json_object_set_new(rec, "broker_records", broker);
	json_decref(orders);
	return 0;
}

json_t *
qgtm_auditor_trace(const struct qgtm_cfg *cfg, const char *id)
{
	char *path = qgtm_state_path(qgtm_cfg_str(cfg, "audit.chain"), 0);
	json_t *entries = path != NULL ? qgtm_audit_trace(path, id) : NULL;
	json_t *rec;

	free(path);
	if (entries == NULL)
		return NULL;
	rec = qgtm_record_new("auditor_trace", NULL);
	json_object_set_new(rec, "id", json_string(id));
	if (to_broker(cfg, entries, rec) == -1) {
		json_decref(entries);
		json_decref(rec);
		return NULL;
	}
	json_object_set_new(rec, "entries", entries);
	return rec;
}

json_t *
qgtm_auditor_sample(const struct qgtm_cfg *cfg, size_t n, const char *seed)
{
	char *path = qgtm_state_path(qgtm_cfg_str(cfg, "audit.chain"), 0);
	json_t *picks = path != NULL ? qgtm_audit_sample(path, n, seed) : NULL;
	json_t *rec, *s, *r, *tr;
	const char *id;
	size_t i;

	free(path);
	if (picks == NULL)
		return NULL;
	json_array_foreach(picks, i, s) {
		r = json_object_get(json_object_get(s, "entry"), "rec");
		id = *str(r, "client_order_id") != '\0' ?
		    str(r, "client_order_id") :
		    str(r, "trace_id");
		tr = NULL;
		if (*id != '\0' && (tr = qgtm_auditor_trace(cfg, id)) == NULL) {
			json_decref(picks);
			return NULL;
		}
		json_object_set_new(s, "trace", tr != NULL ? tr : json_null());
	}
	rec = qgtm_record_new("auditor_sample", NULL);
	json_object_set_new(rec, "seed", json_string(seed));
	json_object_set_new(rec, "samples", picks);
	return rec;
}

/* ----------------------------------------------------------- journal -- */

json_t *
qgtm_auditor_journal(const struct qgtm_cfg *cfg, int fills, long long after,
    long long limit)
{
	static const char *const kinds[2][2] = { { "order", "cancel" },
		{ "fill", NULL } };
	struct qgtm_book book;
	json_t *rec, *out = json_array(), *line, *r;
	long long n = 0, last = -1;
	size_t i, k;

	if (qgtm_oms_book_load(cfg, &book) == -1) {
		json_decref(out);
		return NULL;
	}
	json_array_foreach(book.journal, i, line) {
		for (k = 0; k < 2 && kinds[fills != 0][k] != NULL; k++) {
			r = json_object_get(line, kinds[fills != 0][k]);
			if (r == NULL || ++n <= after ||
			    (long long)json_array_size(out) >= limit)
				continue;
			json_array_append_new(out, json_pack("{s:I, s:I, s:s, "
			    "s:O}", "n", (json_int_t)n, "line",
			    (json_int_t)(i + 1), "kind", kinds[fills != 0][k],
			    "record", r));
			last = n;
		}
	}
	qgtm_book_release(&book);
	rec = qgtm_record_new("auditor_journal", NULL);
	json_object_set_new(rec, "journal",
	    json_string(fills ? "fills" : "orders"));
	json_object_set_new(rec, "total", json_integer(n));
	json_object_set_new(rec, "after", json_integer(after));
	json_object_set_new(rec, "limit", json_integer(limit));
	json_object_set_new(rec, "next",
	    last != -1 && last < n ? json_integer(last) : json_null());
	json_object_set_new(rec, "records", out);
	return rec;
}

/* ---------------------------------------------------------- evidence -- */

/* Append the file path to b (up to ARCHIVE_MAX); 0 or -1. */
static int
read_into(const char *path, struct qgtm_buf *b)
{
	FILE *f = fopen(path, "rb");
	char chunk[8192];
	size_t n;
	int rc = 0;

	if (f == NULL)
		return qgtm_seterr_errno(QGTM_EX_DATAERR,
		    "evidence: a part its MANIFEST lists cannot be opened");
	while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		rc = qgtm_buf_add(b, chunk, n);
	if (ferror(f))
		rc = qgtm_seterr_errno(QGTM_EX_IOERR,
		    "evidence: cannot read a part");
	fclose(f);
	return rc;
}

/* Add part name of package pkg (directory dir) to the archive b. */
static int
add_part(struct qgtm_buf *b, const char *pkg, const char *dir, const char *name,
    time_t mtime)
{
	struct qgtm_buf part;
	char *path, *member;
	int rc;

	if (name[0] == '/' || strstr(name, "..") != NULL)
		return qgtm_seterr(QGTM_EX_DATAERR,
		    "evidence: MANIFEST names '%s', outside its package", name);
	path = qgtm_xasprintf("%s/%s", dir, name);
	member = qgtm_xasprintf("%s/%s", pkg, name);
	qgtm_buf_init(&part, ARCHIVE_MAX);
	rc = read_into(path, &part);
	if (rc == 0)
		rc = qgtm_tar_add(b, member, part.data != NULL ? part.data : "",
		    part.len, mtime);
	qgtm_buf_release(&part);
	free(path);
	free(member);
	return rc;
}

int
qgtm_auditor_archive(struct qgtm_buf *b, char **name)
{
	json_t *ev = qgtm_report_evidence(), *m;
	const char *pkg;
	char *rel, *dir;
	time_t mtime = 0;
	size_t i;
	int rc = 0;

	*name = NULL;
	if (ev == NULL)
		return -1;
	pkg = str(ev, "package");
	qgtm_time_parse(str(ev, "written"), &mtime);
	rel = qgtm_xasprintf("%s/%s", QGTM_REPORT_EVIDENCE, pkg);
	dir = qgtm_state_path(rel, 0);
	free(rel);
	if (dir == NULL) {
		json_decref(ev);
		return -1;
	}
	json_array_foreach(json_object_get(ev, "manifest"), i, m)
		if (rc == 0)
			rc = add_part(b, pkg, dir, str(m, "file"), mtime);
	if (rc == 0)
		rc = add_part(b, pkg, dir, "MANIFEST", mtime);
	if (rc == 0)
		rc = qgtm_tar_end(b);
	if (rc == 0)
		*name = qgtm_xstrdup(pkg);
	free(dir);
	json_decref(ev);
	return rc;
}
