/*
 * audit_export.c: copy the chain to an S3 bucket under Object Lock
 * (COMPLIANCE), so that not even the bucket's owner can change or delete
 * it before audit.retain_days pass. Each export uploads the entries added
 * since the last one as segments of at most QGTM_AUDIT_SEGMENT entries,
 * PREFIXchain/FIRST-LAST.jsonl (seqs, 20 digits), and every checkpoint
 * among them also as PREFIXcheckpoints/SIZE.json; each object's lock is
 * read back, then the bucket's Object Lock configuration, and only then
 * does "<chain>.export" remember the destination and the next seq to
 * export. qgtm_audit_lock_status reads that proof again for lock-status
 * and the evidence package.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"

#define DAY_S (24L * 3600)
#define TAG "\"type\":\"audit_checkpoint\""

/* An export in progress. */
struct export {
	const struct qgtm_s3 *s3;
	char until[21];                 /* retain-until date */
	long long next;                 /* first seq not yet exported */
	struct qgtm_buf seg;            /* the segment being filled */
	long long first, count;         /* its first seq and entries */
	json_t *done;                   /* the objects uploaded */
};

/* The lock read back, as a JSON object. */
static json_t *
lock_json(const struct qgtm_s3_lock *lk)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "mode", lk->mode,
	    "retain_until", lk->until, "legal_hold", lk->legal_hold,
	    "version_id", lk->version);
}

/* Upload body as key and note it in x->done. */
static int
upload(struct export *x, const char *key, const char *body, size_t n,
    long long first, long long last)
{
	struct qgtm_s3_lock lk;
	char hex[65];

	if (qgtm_s3_put_locked(x->s3, key, body, n, x->until, &lk) == -1)
		return -1;
	qgtm_sha256_hex(body, n, hex);
	json_array_append_new(x->done, json_pack("{s:s, s:s, s:s, s:I, s:I, "
	    "s:I, s:s, s:s, s:o}", "type", "audit_export", "bucket",
	    x->s3->bucket, "key", key, "first_seq", (json_int_t)first,
	    "last_seq", (json_int_t)last, "bytes", (json_int_t)n, "sha256", hex,
	    "retain_until", x->until, "read_back", lock_json(&lk)));
	return 0;
}

/* Upload the segment filled so far, if any. */
static int
flush(struct export *x)
{
	long long last = x->first + x->count - 1;
	char *key;
	int rc;

	if (x->count == 0)
		return 0;
	key = qgtm_xasprintf("%schain/%020lld-%020lld.jsonl", x->s3->prefix,
	    x->first, last);
	rc = upload(x, key, x->seg.data, x->seg.len, x->first, last);
	free(key);
	qgtm_buf_reset(&x->seg);
	x->count = 0;
	return rc;
}

/* Upload the record of a checkpoint line on its own. */
static int
checkpoint(struct export *x, const char *line, size_t n, long long seq)
{
	json_t *e = json_loadb(line, n, 0, NULL);
	char *rec = json_dumps(json_object_get(e, "rec"), JSON_COMPACT |
	    JSON_SORT_KEYS), *key;
	int rc;

	json_decref(e);
	if (rec == NULL)
		return qgtm_seterr(QGTM_EX_SOFTWARE, "seq %lld: cannot read "
		    "the checkpoint", seq);
	key = qgtm_xasprintf("%scheckpoints/%020lld.json", x->s3->prefix, seq);
	rc = upload(x, key, rec, strlen(rec), seq, seq);
	free(key);
	free(rec);
	return rc;
}

/* Add one entry to the export (callback of qgtm_audit_walk). */
static int
export_line(const char *line, size_t n, unsigned long seq, void *arg)
{
	struct export *x = arg;

	if ((long long)seq < x->next)
		return 0;
	if (x->count == 0)
		x->first = (long long)seq;
	if (qgtm_buf_add(&x->seg, line, n) == -1 ||
	    qgtm_buf_add(&x->seg, "\n", 1) == -1)
		return -1;
	x->count++;
	if (memmem(line, n, TAG, sizeof TAG - 1) != NULL &&
	    checkpoint(x, line, n, (long long)seq) == -1)
		return -1;
	return x->count == QGTM_AUDIT_SEGMENT ? flush(x) : 0;
}

/* The next seq to export to url, from "<chain>.export" (0 if none). */
static long long
export_start(const char *state, const char *url)
{
	json_t *st = json_load_file(state, 0, NULL);
	const char *to = json_string_value(json_object_get(st, "to"));
	long long next = 0;

	if (to != NULL && strcmp(to, url) == 0)
		next = json_integer_value(json_object_get(st, "next_seq"));
	json_decref(st);
	return next;
}

/* Remember that entries before next went to url. */
static int
export_done(const char *state, const char *url, long long next)
{
	json_t *st = json_pack("{s:s, s:I}", "to", url, "next_seq",
	    (json_int_t)next);
	char *text = json_dumps(st, JSON_COMPACT | JSON_SORT_KEYS);
	int rc = qgtm_write_atomic(state, text, strlen(text));

	free(text);
	json_decref(st);
	return rc;
}

/* The bucket's Object Lock configuration: COMPLIANCE by default? */
static int
bucket_locked(const struct qgtm_s3 *s3)
{
	json_t *rec;
	int rc = qgtm_s3_lock_status(s3, &rec);

	json_decref(rec);
	return rc;
}

json_t *
qgtm_audit_export(const struct qgtm_cfg *cfg, const char *chain_path,
    const char *url)
{
	struct export x = { 0 };
	struct qgtm_audit_summary sum;
	struct qgtm_s3 s3;
	char *state, *to;
	int rc;

	if (qgtm_s3_open(&s3, cfg, url) == -1)
		return NULL;
	to = qgtm_xasprintf("s3://%s/%s", s3.bucket, s3.prefix);
	state = qgtm_xasprintf("%s.export", chain_path);
	x.s3 = &s3;
	x.next = export_start(state, to);
	qgtm_time_fmt(qgtm_now() + qgtm_cfg_int(cfg, "audit.retain_days") *
	    DAY_S, x.until);
	qgtm_buf_init(&x.seg, QGTM_AUDIT_MAX_APPEND);
	x.done = json_array();
	rc = qgtm_audit_walk(chain_path, &sum, export_line, &x);
	if (rc == 0)
		rc = flush(&x);
	if (rc == 0 && json_array_size(x.done) > 0)
		rc = bucket_locked(&s3);
	if (rc == 0 && (long long)sum.entries > x.next)
		rc = export_done(state, to, (long long)sum.entries);
	if (rc == -1) {
		json_decref(x.done);
		x.done = NULL;
	}
	qgtm_buf_release(&x.seg);
	qgtm_s3_release(&s3);
	free(state);
	free(to);
	return x.done;
}

/* The lock of the newest version of the greatest key under sub (a delete
 * marker hides none), appended to objs; -1 unless it is COMPLIANCE until
 * after now. */
static int
newest_lock(const struct qgtm_s3 *s3, const char *sub, json_t *objs)
{
	struct qgtm_s3_lock lk;
	char *key, *version;
	time_t until;
	int rc;

	if ((rc = qgtm_s3_newest(s3, sub, &key, &version, NULL)) <= 0)
		return rc;
	rc = qgtm_s3_retention(s3, key, version, &lk);
	if (rc == 0) {
		json_t *o = lock_json(&lk);

		json_object_set_new(o, "key", json_string(key));
		json_array_append_new(objs, o);
	}
	if (rc == 0 && (strcmp(lk.mode, "COMPLIANCE") != 0 ||
	    qgtm_time_parse(lk.until, &until) == -1 || until <= qgtm_now()))
		rc = qgtm_seterr(QGTM_EX_NO, "%s: its lock read back is mode "
		    "'%s' until '%s', not COMPLIANCE now", key, lk.mode,
		    lk.until);
	free(version);
	free(key);
	return rc;
}

/* The probe of lock-status --probe, under PREFIXlock-probe/. */
static int
probe(const struct qgtm_cfg *cfg, const struct qgtm_s3 *s3, json_t *rec)
{
	char now[21], until[21], *key;
	json_t *p;
	int rc;

	qgtm_time_fmt(qgtm_now(), now);
	qgtm_time_fmt(qgtm_now() + qgtm_cfg_int(cfg, "audit.retain_days") *
	    DAY_S, until);
	key = qgtm_xasprintf("%slock-probe/%s", s3->prefix, now);
	rc = qgtm_s3_probe(s3, key, until, &p);
	if (p != NULL)
		json_object_set_new(rec, "probe", p);
	free(key);
	return rc;
}

int
qgtm_audit_lock_status(const struct qgtm_cfg *cfg, const char *url,
    int with_probe, json_t **out)
{
	struct qgtm_s3 s3;
	json_t *objs;
	int rc;

	*out = NULL;
	if (qgtm_s3_open(&s3, cfg, url) == -1)
		return -1;
	rc = qgtm_s3_lock_status(&s3, out);
	if (*out != NULL) {
		json_object_set_new(*out, "retain_days", json_integer(
		    qgtm_cfg_int(cfg, "audit.retain_days")));
		objs = json_array();
		json_object_set_new(*out, "objects", objs);
		if (rc == 0)
			rc = newest_lock(&s3, "chain/", objs);
		if (rc == 0)
			rc = newest_lock(&s3, "checkpoints/", objs);
		if (rc == 0 && with_probe)
			rc = probe(cfg, &s3, *out);
	}
	qgtm_s3_release(&s3);
	return rc;
}
