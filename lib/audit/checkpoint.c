/*
 * audit_checkpoint.c: signed checkpoints (signed tree heads) of the
 * chain's Merkle tree, and where they are published. A checkpoint is the
 * record
 *	{"key":K,"origin":"qgtm-audit","root":R,"sig":S,"size":N,
 *	 "src":"qgtm-audit","ts":T,"type":"audit_checkpoint","v":2}
 * appended as the entry of seq N: the first N entries have the RFC 9162
 * root R (hex). S is the Ed25519 signature (base64) of the note
 *	"qgtm-audit\n" N "\n" base64(raw R) "\n" T "\n"
 * (C2SP tlog-checkpoint: origin, size, root, then T as an extension
 * line; v 1, without the time line, is still read), so that openssl
 * pkeyutl -verify -rawin re-checks it (see qgtm-audit(1)). K, the raw
 * public half (base64), only says which key signed: verify trusts no key
 * but audit.checkpoint_pubkey.
 *
 * Published copies, which the state directory's writer cannot change,
 * are what verify anchors the chain to: one locked object per checkpoint
 * in the S3 bucket (PREFIXcheckpoints/SIZE.json), the lines of
 * audit.checkpoint_file, and the witness line in alerts and the digest,
 *	audit checkpoint size N root HEX time T sig HEX
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "audit/audit.h"

#define ORIGIN "qgtm-audit"
#define SIGLEN 64
/* Tries when appenders keep the chain growing under a checkpoint. */
#define CHECKPOINT_TRIES 5

/* The note signed for checkpoint c: a new allocation (free()). */
static char *
note(const struct qgtm_checkpoint *c)
{
	unsigned char b64[4 * 33 / 3 + 1];

	EVP_EncodeBlock(b64, c->root, 32);
	return qgtm_xasprintf("%s\n%llu\n%s\n%s%s", ORIGIN,
	    (unsigned long long)c->size, (char *)b64, c->ts,
	    c->v >= 2 ? "\n" : "");
}

/* The want bytes base64 s holds (exactly that many), into out. */
static int
unbase64(const char *s, unsigned char *out, size_t want)
{
	unsigned char buf[SIGLEN + 3];
	size_t len = s == NULL ? 0 : strlen(s);

	if (len != 4 * ((want + 2) / 3) || len > 4 * sizeof buf / 3 ||
	    EVP_DecodeBlock(buf, (const unsigned char *)s, (int)len) <
	    (int)want)
		return -1;
	memcpy(out, buf, want);
	return 0;
}

/* The checkpoint record of (size, root) signed by key, or NULL. */
static json_t *
signed_record(EVP_PKEY *key, uint64_t size, const unsigned char root[32])
{
	struct qgtm_checkpoint c = { .size = size, .v = 2 };
	char b64sig[QGTM_SIG_B64LEN + 1], b64pub[45], *text, hex[65];
	int rc;

	memcpy(c.root, root, 32);
	qgtm_time_fmt(qgtm_now(), c.ts);
	text = note(&c);
	rc = qgtm_sign_bytes(key, text, strlen(text), b64sig);
	free(text);
	if (rc == -1 || qgtm_key_public_b64(key, b64pub) == -1) {
		qgtm_seterr(QGTM_EX_SOFTWARE, "cannot sign a checkpoint");
		return NULL;
	}
	qgtm_hash_hex(root, hex);
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:i}",
	    "key", b64pub, "origin", ORIGIN, "root", hex, "sig", b64sig,
	    "size", (json_int_t)size, "src", "qgtm-audit", "ts", c.ts,
	    "type", "audit_checkpoint", "v", 2);
}

/* Sign the chain's current tree and append that, if it did not grow. */
static int
checkpoint_once(const char *chain_path, EVP_PKEY *key, json_t **rec)
{
	struct qgtm_audit_summary sum;
	struct qgtm_mtree t;
	unsigned char root[32];
	json_t *recs;
	int rc;

	if (qgtm_audit_tree(chain_path, &sum, &t) == -1)
		return -1;
	qgtm_mtree_root(&t, t.size, root);
	*rec = signed_record(key, t.size, root);
	rc = *rec == NULL ? -1 : 0;
	if (rc == 0) {
		recs = json_pack("[O]", *rec);
		rc = qgtm_audit_append_after(chain_path, recs,
		    (long long)t.size);
		json_decref(recs);
	}
	qgtm_mtree_release(&t);
	if (rc == -1) {
		json_decref(*rec);
		*rec = NULL;
	}
	return rc;
}

int
qgtm_audit_checkpoint(const char *chain_path, const char *key_pem,
    json_t **rec)
{
	EVP_PKEY *key = qgtm_key_private_pem(key_pem, "checkpoint key");
	int rc = -1, i;

	*rec = NULL;
	for (i = 0; key != NULL && i < CHECKPOINT_TRIES; i++)
		if ((rc = checkpoint_once(chain_path, key, rec)) == 0 ||
		    qgtm_errcode() != QGTM_EX_TEMPFAIL)
			break;
	qgtm_key_free(key);
	return rc;
}


/* ------------------------------------------------------------ reading -- */

/* The error for a checkpoint that cannot be read: why. */
static int __attribute__((format(printf, 1, 2)))
unreadable(const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	return qgtm_seterr(QGTM_EX_NO, "not a checkpoint: %s", why);
}

int
qgtm_checkpoint_from_record(json_t *rec, struct qgtm_checkpoint *c)
{
	const char *s;
	long long n;
	time_t t;

	memset(c, 0, sizeof *c);
	if (!json_is_object(rec))
		return unreadable("not a JSON object");
	if (qgtm_json_str(rec, "type", &s) == -1 ||
	    strcmp(s, "audit_checkpoint") != 0)
		return unreadable("type is not audit_checkpoint");
	if (qgtm_json_str(rec, "origin", &s) == -1 || strcmp(s, ORIGIN) != 0)
		return unreadable("origin is not " ORIGIN);
	if (qgtm_json_int(rec, "v", &n) == -1 || (n != 1 && n != 2))
		return unreadable("v is not 1 or 2");
	c->v = (int)n;
	if (qgtm_json_int(rec, "size", &n) == -1 || n < 0)
		return unreadable("size is not a count");
	c->size = (uint64_t)n;
	if (qgtm_json_str(rec, "root", &s) == -1 ||
	    strspn(s, "0123456789abcdef") != 64 || s[64] != '\0' ||
	    qgtm_hash_parse(s, c->root) == -1)
		return unreadable("root is not 64 lowercase hex digits");
	s = json_string_value(json_object_get(rec, "sig"));
	if (s == NULL)
		return unreadable("unsigned (no sig)");
	if (unbase64(s, c->sig, SIGLEN) == -1)
		return unreadable("sig is not a base64 Ed25519 signature");
	if (c->v == 2 && (qgtm_json_str(rec, "ts", &s) == -1 ||
	    strlen(s) != 20 || qgtm_time_parse(s, &t) == -1))
		return unreadable("ts is not YYYY-MM-DDTHH:MM:SSZ");
	if (c->v == 2)
		memcpy(c->ts, s, 21);
	return 0;
}

/* Fill c from the witness line s: "audit checkpoint size N root HEX
 * time T sig HEX" (after any text, such as an alert's prefix). */
static int
from_witness(const char *s, struct qgtm_checkpoint *c)
{
	char size[21], root[65], ts[21], sig[129];
	const char *p = strstr(s, "audit checkpoint size ");
	int end = -1;
	size_t n;
	time_t t;

	memset(c, 0, sizeof *c);
	if (p == NULL || sscanf(p, "audit checkpoint size %20[0-9] root "
	    "%64[0-9a-f] time %20[0-9TZ:-] sig %128[0-9a-f]%n", size, root,
	    ts, sig, &end) != 4 || end < 0 || p[end + strspn(p + end,
	    " \t\r")] != '\0')
		return unreadable("not JSON, nor \"audit checkpoint size N "
		    "root HEX time T sig HEX\"");
	if (strlen(root) != 64 || qgtm_hash_parse(root, c->root) == -1 ||
	    strlen(sig) != 2 * SIGLEN ||
	    qgtm_unhex(sig, 2 * SIGLEN, c->sig, &n) == -1 ||
	    strlen(ts) != 20 || qgtm_time_parse(ts, &t) == -1)
		return unreadable("a bad root, time or sig");
	c->size = strtoull(size, NULL, 10);
	memcpy(c->ts, ts, 21);
	c->v = 2;
	return 0;
}

int
qgtm_checkpoint_from_line(const char *line, size_t n, struct qgtm_checkpoint *c)
{
	json_error_t jerr;
	json_t *v, *rec;
	char *s;
	int rc;

	if (n > 0 && line[0] == '{') {
		if ((v = json_loadb(line, n, JSON_REJECT_DUPLICATES, &jerr))
		    == NULL)
			return unreadable("invalid JSON: %s", jerr.text);
		/* A chain entry holding a checkpoint, or the record itself. */
		rec = json_is_object(json_object_get(v, "rec")) ?
		    json_object_get(v, "rec") : v;
		rc = qgtm_checkpoint_from_record(rec, c);
		json_decref(v);
		return rc;
	}
	s = qgtm_xasprintf("%.*s", (int)n, line);
	rc = from_witness(s, c);
	free(s);
	return rc;
}

void
qgtm_checkpoint_witness(const struct qgtm_checkpoint *c, char *out,
    size_t size)
{
	char root[65], sig[2 * SIGLEN + 1];
	int i;

	qgtm_hash_hex(c->root, root);
	for (i = 0; i < SIGLEN; i++)
		snprintf(sig + 2 * i, 3, "%02x", c->sig[i]);
	snprintf(out, size, "audit checkpoint size %llu root %s time %s sig %s",
	    (unsigned long long)c->size, root, c->ts, sig);
}

int
qgtm_checkpoint_signed_by(const struct qgtm_checkpoint *c, const char *pubkey)
{
	EVP_PKEY *key = qgtm_key_public(pubkey);
	char *text;
	int ok;

	if (key == NULL)
		return qgtm_seterr(QGTM_EX_CONFIG, "audit.checkpoint_pubkey: "
		    "not a base64 raw Ed25519 public key");
	text = note(c);
	ok = qgtm_verify_raw(key, text, strlen(text), c->sig);
	qgtm_key_free(key);
	free(text);
	return ok ? 0 : qgtm_seterr(QGTM_EX_NO, "checkpoint of size %llu: "
	    "bad signature, or not by audit.checkpoint_pubkey",
	    (unsigned long long)c->size);
}

/* Is a checkpoint key configured (pubkey neither NULL nor "")? */
static int
have_key(const char *pubkey)
{
	return pubkey != NULL && *pubkey != '\0';
}

/* Check checkpoint record rec of the entry of seq against root (hex). */
static int
check_record(json_t *rec, uint64_t seq, const char root[65],
    const char *pubkey)
{
	const char *key = json_string_value(json_object_get(rec, "key"));
	struct qgtm_checkpoint c;
	unsigned char md[32];

	if (qgtm_checkpoint_from_record(rec, &c) == -1)
		return -1;
	if (c.size != seq)
		return qgtm_seterr(QGTM_EX_NO, "checkpoint: size is not %llu, "
		    "the entries before it", (unsigned long long)seq);
	if (qgtm_hash_parse(root, md) == -1 || memcmp(md, c.root, 32) != 0)
		return qgtm_seterr(QGTM_EX_NO, "checkpoint: root is not that "
		    "of the entries before it");
	if (!have_key(pubkey))
		return 0;       /* its own key proves nothing: not checked */
	if (key != NULL && strcmp(key, pubkey) != 0)
		return qgtm_seterr(QGTM_EX_NO, "checkpoint: signed by another "
		    "key than audit.checkpoint_pubkey");
	return qgtm_checkpoint_signed_by(&c, pubkey) == -1 ?
	    qgtm_seterr(qgtm_errcode(), "checkpoint: %s", qgtm_errmsg()) : 0;
}

int
qgtm_audit_checkpoint_check(const char *line, size_t n, uint64_t seq,
    const char root[65], const char *pubkey)
{
	json_t *e = json_loadb(line, n, 0, NULL);
	json_t *rec = json_object_get(e, "rec");
	const char *type = json_string_value(json_object_get(rec, "type"));
	int rc = 0;

	if (type != NULL && strcmp(type, "audit_checkpoint") == 0 &&
	    check_record(rec, seq, root, pubkey) == -1)
		rc = qgtm_seterr(QGTM_EX_NO, "seq %llu: %s",
		    (unsigned long long)seq, qgtm_errmsg());
	json_decref(e);
	return rc;
}

/* ---------------------------------------------------------- published -- */

/* The newest published checkpoint found so far. */
struct published {
	const char *pubkey;     /* audit.checkpoint_pubkey, or NULL/"" */
	struct qgtm_checkpoint best;
	int have;
};

/* Weigh checkpoint c (from c->where): signed, no fork, the newest? */
static int
consider(struct published *p, const struct qgtm_checkpoint *c)
{
	if (have_key(p->pubkey) && qgtm_checkpoint_signed_by(c, p->pubkey) ==
	    -1)
		return qgtm_seterr(qgtm_errcode(), "%s: %s", c->where,
		    qgtm_errmsg());
	if (p->have && c->size == p->best.size &&
	    memcmp(c->root, p->best.root, 32) != 0)
		return qgtm_seterr(QGTM_EX_NO, "%s and %s: two checkpoints of "
		    "size %llu with different roots: the chain was forked",
		    p->best.where, c->where, (unsigned long long)c->size);
	if (!p->have || c->size > p->best.size)
		p->best = *c;
	p->have = 1;
	return 0;
}

/* Weigh every line of the checkpoints file path (missing: none unless
 * must_exist); a line that is not a checkpoint fails with path:line. */
static int
file_checkpoints(struct published *p, const char *path, int must_exist)
{
	struct qgtm_checkpoint c;
	unsigned long line = 0;
	char *buf = NULL;
	size_t cap = 0, n;
	ssize_t len;
	FILE *f = fopen(path, "r");
	int rc = 0;

	if (f == NULL)
		return errno == ENOENT && !must_exist ? 0 :
		    qgtm_seterr_errno(QGTM_EX_NOINPUT, "cannot open '%s'", path);
	while (rc == 0 && (len = getline(&buf, &cap, f)) > 0) {
		line++;
		n = (size_t)len;
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			n--;
		if (qgtm_checkpoint_from_line(buf, n, &c) == -1)
			rc = qgtm_seterr(QGTM_EX_NO, "%s:%lu: %s", path, line,
			    qgtm_errmsg());
		else {
			snprintf(c.where, sizeof c.where, "%s:%lu", path, line);
			rc = consider(p, &c);
		}
	}
	if (rc == 0 && ferror(f))
		rc = qgtm_seterr_errno(QGTM_EX_IOERR, "cannot read '%s'", path);
	if (rc == 0 && line == 0 && must_exist)
		rc = qgtm_seterr(QGTM_EX_NO, "%s: no checkpoint in it", path);
	free(buf);
	fclose(f);
	return rc;
}

/* The path of audit.checkpoint_file (relative: to the state directory),
 * or NULL when it is not set. */
static char *
checkpoint_file(const struct qgtm_cfg *cfg)
{
	const char *f = qgtm_cfg_str(cfg, "audit.checkpoint_file");

	if (*f == '\0')
		return NULL;
	return *f == '/' ? qgtm_xstrdup(f) : qgtm_state_path(f, 0);
}

/* Weigh the newest checkpoint object in the bucket, if one is set. */
static int
bucket_checkpoint(struct published *p, const struct qgtm_cfg *cfg)
{
	struct qgtm_checkpoint c;
	struct qgtm_buf body;
	struct qgtm_s3 s3;
	char *key = NULL;
	int rc;

	if (*qgtm_cfg_str(cfg, "audit.export_to") == '\0')
		return 0;
	/* No credentials at all (a reader of the evidence, say): said, not
	 * fatal. Credentials that are set but do not work fail. */
	if ((getenv("AWS_ACCESS_KEY_ID") == NULL ||
	    *getenv("AWS_ACCESS_KEY_ID") == '\0') &&
	    *qgtm_cfg_str(cfg, "audit.s3_access_key_file") == '\0') {
		QGTM_WARN("msg=\"audit.export_to is set, but no S3 credentials: "
		    "its published checkpoints were not read\"");
		return 0;
	}
	if (qgtm_s3_open(&s3, cfg, NULL) == -1)
		return -1;
	qgtm_buf_init(&body, QGTM_AUDIT_MAX_LINE + 2);
	rc = qgtm_s3_newest(&s3, "checkpoints/", &key, NULL, &body);
	if (rc == 1 && qgtm_checkpoint_from_line(body.data, strcspn(body.data,
	    "\n"), &c) == -1)
		rc = qgtm_seterr(QGTM_EX_NO, "s3://%s/%s:1: %s", s3.bucket, key,
		    qgtm_errmsg());
	else if (rc == 1) {
		snprintf(c.where, sizeof c.where, "s3://%s/%s", s3.bucket, key);
		rc = consider(p, &c);
	}
	free(key);
	qgtm_buf_release(&body);
	qgtm_s3_release(&s3);
	return rc < 0 ? -1 : 0;
}

int
qgtm_audit_published(const struct qgtm_cfg *cfg, const char *against,
    struct qgtm_checkpoint *newest)
{
	struct published p = { qgtm_cfg_str(cfg, "audit.checkpoint_pubkey"),
	    { 0 }, 0 };
	char *path;
	int rc;

	if (against != NULL)
		rc = file_checkpoints(&p, against, 1);
	else {
		path = checkpoint_file(cfg);
		rc = path == NULL ? 0 : file_checkpoints(&p, path, 0);
		free(path);
		if (rc == 0)
			rc = bucket_checkpoint(&p, cfg);
	}
	if (rc == -1)
		return -1;
	*newest = p.best;
	return p.have;
}

/* --------------------------------------------------------- publishing -- */

/* Upload the checkpoint text (n bytes) of size to the bucket, locked
 * and read back; note the object in done. */
static int
publish_bucket(const struct qgtm_cfg *cfg, const char *text, size_t n,
    uint64_t size, json_t *done)
{
	struct qgtm_s3 s3;
	char until[21], *key;
	int rc;

	if (*qgtm_cfg_str(cfg, "audit.export_to") == '\0')
		return 0;
	if (qgtm_s3_open(&s3, cfg, NULL) == -1)
		return -1;
	qgtm_time_fmt(qgtm_now() + qgtm_cfg_int(cfg, "audit.retain_days") *
	    24L * 3600, until);
	key = qgtm_xasprintf("%scheckpoints/%020llu.json", s3.prefix,
	    (unsigned long long)size);
	rc = qgtm_s3_put_locked(&s3, key, text, n, until, NULL);
	if (rc == 0)
		json_array_append_new(done, json_pack("{s:s, s:s, s:s, s:I, "
		    "s:s}", "type", "audit_checkpoint_published", "to", "s3",
		    "key", key, "size", (json_int_t)size, "retain_until",
		    until));
	free(key);
	qgtm_s3_release(&s3);
	return rc;
}

/* Append the checkpoint line (n bytes with its "\n") to the file. */
static int
publish_file(const struct qgtm_cfg *cfg, const char *line, size_t n,
    uint64_t size, json_t *done)
{
	char *path = checkpoint_file(cfg);
	int rc;

	if (path == NULL)
		return 0;
	rc = qgtm_append_fsync(path, line, n);
	if (rc == 0)
		json_array_append_new(done, json_pack("{s:s, s:s, s:s, s:I}",
		    "type", "audit_checkpoint_published", "to", "file", "path",
		    path, "size", (json_int_t)size));
	free(path);
	return rc;
}

json_t *
qgtm_audit_publish(const struct qgtm_cfg *cfg, json_t *rec)
{
	struct qgtm_checkpoint c;
	char *text, *line, witness[512];
	json_t *done = json_array();
	int rc;

	if (qgtm_checkpoint_from_record(rec, &c) == -1 ||
	    (text = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS)) == NULL) {
		json_decref(done);
		return NULL;
	}
	line = qgtm_xasprintf("%s\n", text);
	rc = publish_file(cfg, line, strlen(line), c.size, done);
	if (rc == 0)
		rc = publish_bucket(cfg, line, strlen(line), c.size, done);
	/* The witness copy: an alert never stops the act it reports. */
	if (rc == 0) {
		qgtm_checkpoint_witness(&c, witness, sizeof witness);
		qgtm_alert_send(cfg, witness);
	}
	free(line);
	free(text);
	if (rc == -1) {
		json_decref(done);
		done = NULL;
	}
	return done;
}
