/*
 * audit/audit.h: the public header of lib/audit/: the hash-chained audit log: its canonical form, Merkle tree, index, commit mark, checkpoints, traces and export.
 */
#ifndef QGTM_AUDIT_H
#define QGTM_AUDIT_H

#include "base/base.h"
#include "net/net.h"

/* ------------------------------------------------------------- audit -- */

/*
 * The audit chain (lib/audit/chain.c; the format is documented in qgtm-audit(1)):
 * an append-only file of JSON lines, one entry a line,
 *	{"hash":H,"prev":P,"rec":{...},"seq":N,"ts":T}
 * serialized with JSON_COMPACT | JSON_SORT_KEYS. seq counts from 0; P is
 * the previous entry's H (64 zeros for seq 0); T is qgtm_now() at append
 * time; H is the lowercase hex SHA-256 of the same serialization of the
 * entry without "hash". The entry lines (without "\n") are also the leaves
 * of an RFC 9162 Merkle tree, whose root verification reports.
 */

/* How long an appender waits for "<chain>.lock" before TEMPFAIL. */
#define QGTM_AUDIT_LOCK_MS 10000
/* Longest entry line, newline excluded. */
#define QGTM_AUDIT_MAX_LINE (4 * QGTM_JSONL_MAX_LINE)
/* Most chain bytes a buffer may hold (an export's segment). */
#define QGTM_AUDIT_MAX_APPEND (1024L * 1024 * 1024)

/* What qgtm_audit_verify() found. */
struct qgtm_audit_summary {
	unsigned long entries;  /* valid entries before any bad line */
	char head[65];          /* hash of the last valid entry, or 64 zeros */
	char root[65];          /* Merkle root over those entries */
	unsigned long bad_line; /* first bad line (from 1), or 0 if none */
	int torn;               /* the bad line is a torn last line */
	long long good_bytes;   /* length of the valid prefix in bytes */
};

/*
 * qgtm_audit_append_records: append one entry per element of records (a
 * JSON array of objects, borrowed), as one batch (qgtm_audit_batch_new,
 * _add for each, _commit): all or nothing, also across a kill. A record
 * that is not an object or makes a line over QGTM_AUDIT_MAX_LINE (seq
 * counted at 19 digits) is refused with QGTM_EX_DATAERR ("record N: ...")
 * before anything is locked or written. An empty array appends nothing
 * and touches nothing. Returns 0 or -1.
 */
int qgtm_audit_append_records(const char *chain_path, json_t *records);
/*
 * A batch of records for one all-or-nothing append (lib/audit/chain.c), in
 * bounded memory: qgtm_audit_batch_add checks rec (borrowed: an object
 * whose entry fits QGTM_AUDIT_MAX_LINE, else QGTM_EX_DATAERR "record N:
 * ...") and keeps its canonical form, past QGTM_AUDIT_MAX_LINE bytes in
 * an unlinked temp file beside the chain (QGTM_EX_IOERR when that fails);
 * nothing is locked meanwhile. qgtm_audit_batch_commit appends them all:
 * it takes the flock "<chain>.lock" (waiting up to QGTM_AUDIT_LOCK_MS,
 * then QGTM_EX_TEMPFAIL), checks that the chain ends as its commit mark
 * "<chain>.commit" says and that its last entry is valid (QGTM_EX_DATAERR
 * otherwise: an append that did not finish, a torn or bad last line;
 * qgtm-audit repair), and, when size is not -1, that it holds size
 * entries (else QGTM_EX_TEMPFAIL "it grew meanwhile"). A chain without a
 * mark gets one for what it holds first. The entries are written with
 * O_APPEND, the chain fsync'd, and the mark replaced: that is the commit.
 * If anything fails, the chain is cut back (and the mark put back); if
 * the program dies first, what it wrote is an uncommitted tail that
 * verify reports and repair cuts. The chain file is created when missing,
 * its directory is not. No batch with no record touches anything.
 * Returns 0 or -1. A batch is committed at most once; free it with
 * qgtm_audit_batch_free (NULL is fine).
 */
struct qgtm_audit_batch;
struct qgtm_audit_batch *qgtm_audit_batch_new(const char *chain_path);
int qgtm_audit_batch_add(struct qgtm_audit_batch *b, json_t *rec);
size_t qgtm_audit_batch_count(const struct qgtm_audit_batch *b);
int qgtm_audit_batch_commit(struct qgtm_audit_batch *b, long long size);
void qgtm_audit_batch_free(struct qgtm_audit_batch *b);
/*
 * qgtm_audit_append_after: qgtm_audit_append_records, but only if the
 * chain then holds exactly size entries (any when size is -1); else
 * QGTM_EX_TEMPFAIL "it grew meanwhile" and nothing is appended.
 */
int qgtm_audit_append_after(const char *chain_path, json_t *records,
    long long size);

/*
 * qgtm_audit_verify: check every line of the chain: it ends in "\n", parses
 * as an entry with exactly the five members of the right types, its hash
 * recomputes, it is byte-identical to its canonical re-serialization, seq
 * is consecutive from 0 and prev is the hash of the entry before. Fills out
 * (always) with the count, head and Merkle root of the valid prefix; a
 * missing or empty chain is valid with 0 entries and the empty-tree root.
 * Reads the chain as it was when no append was in progress (a shared flock
 * on "<chain>.lock" when that file exists) and takes no other lock, so it
 * works on a read-only copy. Returns 0 if valid. Otherwise -1: for a bad
 * chain QGTM_EX_NO, out->bad_line set and the message naming the first
 * bad line, "chain:LINE: seq 7: hash mismatch" or "chain:LINE: torn last
 * line (incomplete write)"; QGTM_EX_NOINPUT or QGTM_EX_IOERR when the
 * chain cannot be read. When "<chain>.idx" exists (see qgtm_audit_tree),
 * every node it holds must equal the one the chain gives, and it may not
 * cover more entries than the chain has (QGTM_EX_NO otherwise). With a
 * commit mark "<chain>.commit" (qgtm_audit_commit_read), only what it
 * commits is read as entries: they must end with its entries and head;
 * a chain shorter than the mark, or a damaged mark, is QGTM_EX_NO; bytes
 * past it are "chain:LINE: uncommitted tail of N bytes (...)", QGTM_EX_NO
 * with out->torn set and out->good_bytes the mark's bytes.
 */
int qgtm_audit_verify(const char *chain_path, struct qgtm_audit_summary *out);
/*
 * qgtm_audit_verify_key: qgtm_audit_verify, also checking every
 * checkpoint (see qgtm_audit_checkpoint_check) against pubkey, the
 * base64 raw Ed25519 public key of audit.checkpoint_pubkey (NULL or "":
 * signatures are not checked, as no key a checkpoint carries is
 * trusted). qgtm_audit_verify passes NULL.
 */
int qgtm_audit_verify_key(const char *chain_path, const char *pubkey,
    struct qgtm_audit_summary *out);

/* A checkpoint (signed tree head) as read (lib/audit/checkpoint.c). */
struct qgtm_checkpoint {
	uint64_t size;                  /* the entries its tree covers */
	unsigned char root[32];         /* their RFC 9162 root */
	char ts[21];                    /* when it was signed; "" for v 1 */
	unsigned char sig[64];          /* Ed25519 of the note */
	int v;                          /* 1: note without ts; 2: with it */
	char where[512];                /* "file:line" or "s3://b/key" */
};

/*
 * qgtm_audit_verify_against: qgtm_audit_verify_key, and, when anchor is
 * not NULL (a published checkpoint, see qgtm_audit_published), that the
 * chain extends it: the entry of seq anchor->size is that checkpoint
 * (else "missing"), the first anchor->size entries have its root, and
 * an RFC 9162 consistency proof from its tree to the chain's whole tree
 * checks (qgtm_merkle_check_consistency). A chain of at most
 * anchor->size entries fails as cut, with or without an index. All
 * these fail with QGTM_EX_NO naming the checkpoint's where. *ckpts (if
 * not NULL) gets the number of checkpoints in the chain.
 */
int qgtm_audit_verify_against(const char *chain_path, const char *pubkey,
    const struct qgtm_checkpoint *anchor, struct qgtm_audit_summary *out,
    unsigned long *ckpts);

/*
 * qgtm_checkpoint_from_record: read checkpoint record rec (type
 * "audit_checkpoint", origin, v 1 or 2, size, root, sig, and ts for v 2)
 * into c (where left empty). qgtm_checkpoint_from_line: the same for a
 * line of n bytes holding such a record, a chain entry holding one, or a
 * witness line (see qgtm_checkpoint_witness; text before "audit
 * checkpoint" is allowed). Return 0, or -1 (QGTM_EX_NO "not a
 * checkpoint: why", e.g. "unsigned (no sig)"): never skipped.
 */
int qgtm_checkpoint_from_record(json_t *rec, struct qgtm_checkpoint *c);
int qgtm_checkpoint_from_line(const char *line, size_t n,
    struct qgtm_checkpoint *c);
/* qgtm_checkpoint_witness: "audit checkpoint size N root HEX time T sig
 * HEX" (the signature in hex) into out, the line alerts and the digest
 * carry. */
void qgtm_checkpoint_witness(const struct qgtm_checkpoint *c, char *out,
    size_t size);
/*
 * qgtm_checkpoint_signed_by: 0 if c's signature holds under pubkey (base64
 * raw Ed25519, audit.checkpoint_pubkey) with OpenSSL's Ed25519; else -1:
 * QGTM_EX_NO, or QGTM_EX_CONFIG when pubkey is not such a key.
 */
int qgtm_checkpoint_signed_by(const struct qgtm_checkpoint *c,
    const char *pubkey);

/*
 * qgtm_audit_published: the newest (largest) published checkpoint into
 * *newest: from the file against when not NULL (every line a checkpoint,
 * see qgtm_checkpoint_from_line; it must exist), else from the lines of
 * audit.checkpoint_file (relative: to the state directory; missing: none)
 * and the newest object under PREFIXcheckpoints/ of audit.export_to (all
 * versions listed, see qgtm_s3_newest). With audit.checkpoint_pubkey set,
 * every checkpoint read must be signed by it. A bucket with no
 * credentials configured at all ($AWS_ACCESS_KEY_ID and
 * audit.s3_access_key_file both empty) is not read, with a warning in the
 * log. Returns 1 (found), 0 (none anywhere) or -1: QGTM_EX_NO "file:line: not a checkpoint: ..." or
 * "where: bad signature ...", or two of the same size with different
 * roots ("forked"); as qgtm_s3_open or qgtm_s3_newest for the bucket.
 */
int qgtm_audit_published(const struct qgtm_cfg *cfg, const char *against,
    struct qgtm_checkpoint *newest);
/*
 * qgtm_audit_publish: publish checkpoint record rec (as qgtm_audit_checkpoint
 * made it): append its line to audit.checkpoint_file (if set), upload it
 * to audit.export_to (if set) as PREFIXcheckpoints/SIZE.json (20 digits)
 * under COMPLIANCE Object Lock for audit.retain_days, read back
 * (qgtm_s3_put_locked), and send the witness line as an alert (best
 * effort). Returns a new array of "audit_checkpoint_published" records
 * (to "file" or "s3"), or NULL on error, as qgtm_append_fsync or
 * qgtm_s3_open and qgtm_s3_put_locked.
 */
json_t *qgtm_audit_publish(const struct qgtm_cfg *cfg, json_t *rec);

/*
 * qgtm_audit_checkpoint: sign the chain's tree (size, root) with the
 * Ed25519 private key in PEM text key_pem and append it as a record of
 * type "audit_checkpoint" v 2 (lib/audit/checkpoint.c; the note signed
 * is C2SP tlog-checkpoint's "qgtm-audit\nSIZE\nBASE64(ROOT)\n" with the
 * time "TS\n" as an extension line), so that
 * it becomes the entry of seq size; retried a few times while appenders
 * make the chain grow in between. *rec: the record appended (a new
 * reference), NULL on error. Returns 0 or -1 (DATAERR for a bad key, as
 * qgtm_audit_tree and qgtm_audit_append_after otherwise).
 */
int qgtm_audit_checkpoint(const char *chain_path, const char *key_pem,
    json_t **rec);

/*
 * qgtm_audit_checkpoint_check: if the valid entry line (n bytes) of seq
 * holds a checkpoint, check that its size is seq, its root is root (the
 * hex root of the entries before it) and it parses (a sig, ...); with
 * pubkey (not NULL nor "") that its key, if given, is pubkey and its
 * signature holds under pubkey (never under the key it carries). Returns
 * 0 (also for any other record), or -1 (QGTM_EX_NO "seq N: ...").
 */
int qgtm_audit_checkpoint_check(const char *line, size_t n, uint64_t seq,
    const char root[65], const char *pubkey);

/* Most entries in one exported chain segment. */
#define QGTM_AUDIT_SEGMENT 100000

/*
 * qgtm_audit_export: upload the entries appended since the last export
 * to url ("s3://bucket/prefix"; NULL: audit.export_to) under Object Lock
 * (lib/audit/export.c): segments of at most QGTM_AUDIT_SEGMENT entries as
 * PREFIXchain/FIRST-LAST.jsonl and each checkpoint's record as
 * PREFIXcheckpoints/SEQ.json (seqs in 20 digits), all in COMPLIANCE mode
 * until audit.retain_days from now, each lock read back after its
 * upload (qgtm_s3_put_locked); when anything was uploaded, the bucket's
 * Object Lock configuration must be COMPLIANCE with a default retention
 * (qgtm_s3_lock_status); then "<chain>.export" keeps the destination and
 * the next seq. The chain is verified on the way (a bad one uploads
 * nothing past its last good segment and fails). Returns a new array of
 * "audit_export" records (bucket, key, first_seq, last_seq, bytes,
 * sha256, retain_until, read_back: the lock S3 reports, mode,
 * retain_until, legal_hold, version_id), empty when there was nothing
 * new; NULL on error, as qgtm_s3_open, qgtm_s3_put_locked,
 * qgtm_s3_lock_status or qgtm_audit_verify.
 */
json_t *qgtm_audit_export(const struct qgtm_cfg *cfg, const char *chain_path,
    const char *url);

/*
 * qgtm_audit_lock_status: the proof that what the export wrote is locked,
 * read from the bucket of url (NULL: audit.export_to) (lib/audit/
 * export.c): into *out an "audit_lock_status" record: the bucket's Object
 * Lock configuration (qgtm_s3_lock_status), retain_days, and "objects",
 * the lock read back (qgtm_s3_retention: mode, retain_until, legal_hold,
 * version_id) of the newest object under PREFIXchain/ and under
 * PREFIXcheckpoints/ (none before the first export); with with_probe, also
 * "probe": qgtm_s3_probe's record for a new object PREFIXlock-probe/NOW,
 * locked for audit.retain_days (no other object is touched). *out is NULL
 * only when the bucket gave nothing to read. Returns 0 when the bucket is
 * COMPLIANCE by default, each object COMPLIANCE until after now, and the
 * probe's deletion and shortening were refused; else -1: QGTM_EX_NO
 * naming what is not so, as qgtm_s3_open or the S3 request otherwise.
 */
int qgtm_audit_lock_status(const struct qgtm_cfg *cfg, const char *url,
    int with_probe, json_t **out);

/*
 * Callback for each valid entry of qgtm_audit_walk(): its line (n bytes,
 * no newline; borrowed, valid during the call) and seq. Returns 0, or -1
 * after qgtm_seterr() to stop the walk (the message gets "chain:LINE: ").
 */
typedef int (*qgtm_audit_fn)(const char *line, size_t n, unsigned long seq,
    void *arg);

/*
 * qgtm_audit_walk: qgtm_audit_verify, calling fn (may be NULL) on every
 * entry once it has checked out, in chain order. Returns as verify, or
 * -1 with fn's error.
 */
int qgtm_audit_walk(const char *chain_path, struct qgtm_audit_summary *out,
    qgtm_audit_fn fn, void *arg);

/*
 * qgtm_audit_walk_against: qgtm_audit_walk, and, when anchor is not NULL
 * (a published checkpoint, see qgtm_audit_published), that the chain
 * holds it: the first anchor->size entries have its root, the entry of
 * seq anchor->size is that checkpoint, and the chain has more entries
 * than anchor->size (else it was cut). Cheaper than
 * qgtm_audit_verify_against (no index, no whole tree kept, no
 * consistency proof, which a chain that holds the anchor's entries
 * proves anyway). fn is called on each entry once its links check out,
 * before the anchor is reached: on -1 (QGTM_EX_NO naming the
 * checkpoint's where) the caller trusts nothing fn saw.
 */
int qgtm_audit_walk_against(const char *chain_path,
    const struct qgtm_checkpoint *anchor, struct qgtm_audit_summary *out,
    qgtm_audit_fn fn, void *arg);

/*
 * qgtm_audit_set_walk: how the walks to come read the chain: threads 1
 * reads and hashes in the calling thread only, 2 or more with a second
 * thread hashing the leaves ahead (lib/audit/lines.c), 0 (the default)
 * a second thread when there are two CPUs and the chain is over four
 * chunks; chunk is the bytes a read asks for (0: the default, 1 MiB).
 * What a walk reports is the same for every setting.
 */
void qgtm_audit_set_walk(int threads, size_t chunk);

/* qgtm_audit_walk_threads: 1 or 2, the most threads a walk uses now. */
int qgtm_audit_walk_threads(void);

struct qgtm_mtree;
struct qgtm_merkle;

/*
 * qgtm_audit_walk_on: qgtm_audit_walk over the chain past its first off
 * bytes, which are taken to hold the tree->size entries of tree (the
 * roots of its full subtrees, borrowed), the last of hash head (64 hex
 * digits): each later entry is checked as verify checks it, linking on
 * from head and seq tree->size, and fn (may be NULL) called on it; the
 * nodes of struct qgtm_mtree each completes, in post order, are written
 * to grow (may be NULL). Takes no lock: the caller keeps appenders out
 * (it holds the appenders' lock, or a shared flock on it). out as verify
 * fills it for the whole chain. Returns as qgtm_audit_walk (-1 with
 * QGTM_EX_IOERR when a write to grow fails).
 */
int qgtm_audit_walk_on(const char *chain_path, const struct qgtm_merkle *tree,
    long long off, const char head[65], FILE *grow,
    struct qgtm_audit_summary *out, qgtm_audit_fn fn, void *arg);

/*
 * qgtm_audit_tree: the chain's whole Merkle tree in tree (initialized
 * here; the caller releases it on success; nothing to release on -1),
 * and out as verify fills it. From the index "<chain>.idx"
 * (lib/audit/index.c; a read-only mapping, without reading the chain)
 * when the chain still ends where the index says with the hash it says;
 * when the chain grew past it, the index is extended over the new lines
 * only (qgtm_audit_index_extend); otherwise the chain is verified, the
 * tree built, and the index written anew (best effort: a read-only
 * directory just gets none). Returns as
 * qgtm_audit_verify, or -1 with QGTM_EX_DATAERR set when the head it
 * found is not a hash (the caller dies with qgtm_die_lib()).
 */
int qgtm_audit_tree(const char *chain_path, struct qgtm_audit_summary *out,
    struct qgtm_mtree *tree);

/*
 * qgtm_audit_index_open: map "<chain>.idx" into tree (read-only, as
 * qgtm_audit_tree) and fill out's entries, head and good_bytes from its
 * header, without looking at the chain. Returns 0; 1 when there is no
 * index; -1 when it is damaged (QGTM_EX_NO) or cannot be read (IOERR).
 */
int qgtm_audit_index_open(const char *chain_path, struct qgtm_mtree *tree,
    struct qgtm_audit_summary *out);

/*
 * qgtm_audit_index_extend: bring an existing "<chain>.idx" up to the
 * chain's committed end in O(log n) reads plus the new lines: only when
 * the chain still holds the index's last entry where the index says and
 * merely grew past it; the new lines are checked as verify checks them
 * (qgtm_audit_walk_on), their nodes appended to the index and its header
 * rewritten last, all under an exclusive flock on the index. settle: 1
 * to take a shared flock on "<chain>.lock" first (a reader); 0 when the
 * caller holds the appenders' lock (append, after each commit). Returns
 * 0 (the index now ends where the chain's committed entries do); 1 when
 * there is no index; -1 when the index is damaged, does not fit the
 * chain, the chain's new lines are bad (the index is left as it was;
 * QGTM_EX_NO) or it cannot be read or written (QGTM_EX_IOERR).
 */
int qgtm_audit_index_extend(const char *chain_path, int settle);

/*
 * qgtm_audit_repair: under the appenders' lock, mend what a crash leaves.
 * A whole last entry that only lacks its "\n" (the next entry, and the
 * one the commit mark commits, if any) gets its "\n" (*copy NULL; a
 * warning is logged). An uncommitted tail (all past the commit mark), or
 * a torn last line of a chain without a mark, is copied to
 * "<chain>.torn-<now>" (or "...-K" when that exists; *copy: its path, a
 * new allocation, free()) and cut off, then the chain fsync'd. What the
 * mark commits is never cut: a torn entry in it is refused with
 * QGTM_EX_DATAERR, as is any other damage, naming the first bad line. A
 * valid chain is left alone (0, *copy NULL). Returns 0 or -1.
 */
int qgtm_audit_repair(const char *chain_path, char **copy);

/*
 * The commit mark "<chain>.commit" (lib/audit/commit.c; qgtm-audit(1),
 * COMMIT MARK): the chain's first bytes bytes, entries entries ending in
 * the entry of hash head, are committed; bytes past them are the tail of
 * an append that did not finish. A chain without a mark is committed as
 * a whole.
 */
struct qgtm_audit_commit {
	long long bytes;
	unsigned long entries;
	char head[65];          /* 64 zeros for no entry */
};

/*
 * qgtm_audit_commit_read: the mark of chain_path into c. Returns 0; 1
 * when there is none; -1 when it is damaged (QGTM_EX_NO) or cannot be
 * read (QGTM_EX_IOERR).
 */
int qgtm_audit_commit_read(const char *chain_path, struct qgtm_audit_commit *c);

/* A mark's writer, its paths and directory opened ahead. */
struct qgtm_audit_marker {
	char *path, *tmp;
	int dirfd;
};

/*
 * qgtm_audit_marker_open: get ready to write the mark of chain_path (to
 * be called under the appenders' lock; qgtm_audit_marker_close releases
 * m). Returns 0, or -1 (QGTM_EX_IOERR) when the chain's directory cannot
 * be opened. qgtm_audit_marker_put: replace the mark with c (a temp file
 * "<chain>.commit.tmp", fsync, rename, fsync of the directory), without
 * allocating; the write, fsyncs and rename fail as QGTM_FAULT says.
 * Returns 0, or -1 (QGTM_EX_IOERR; the mark is either the old one or,
 * when only the directory's fsync failed, c).
 */
int qgtm_audit_marker_open(struct qgtm_audit_marker *m, const char *chain_path);
int qgtm_audit_marker_put(const struct qgtm_audit_marker *m,
    const struct qgtm_audit_commit *c);
void qgtm_audit_marker_close(struct qgtm_audit_marker *m);
/*
 * qgtm_audit_write_all: write(2) all n bytes at buf to fd (the chain's
 * and its mark's writes), each call failing as QGTM_FAULT's "write"
 * says. Returns 0, or -1 with errno set.
 */
int qgtm_audit_write_all(int fd, const void *buf, size_t n);

/*
 * qgtm_audit_trace: the entries on the path of id (lib/audit/trace.c):
 * when id is an entry's rec.trace_id, every entry of that trace; when it
 * is a rec.client_order_id, order_id or broker_order_id, the entries of
 * that order (same client_order_id) and those of its trace without a
 * client_order_id (signal, risk decision). qgtm_audit_sample: min(n,
 * entries) distinct entries chosen from seed: the j-th pick is the first
 * 8 bytes of SHA-256("SEED:j"), big-endian, modulo the entry count,
 * repeats skipped. Both verify the chain first and return a new array,
 * in chain order, of records of type "audit_trace" or "audit_sample" with
 * seq, kind (the record's type), tree_size, root, leaf_hash, proof (the
 * inclusion proof, checked by qgtm_merkle_check_inclusion), inclusion
 * "verified" and entry (the whole entry); samples also carry seed. An
 * unknown id gives an empty array. NULL on error, as qgtm_audit_verify.
 */
json_t *qgtm_audit_trace(const char *chain_path, const char *id);
json_t *qgtm_audit_sample(const char *chain_path, size_t n, const char *seed);

/*
 * A Merkle tree hash (RFC 9162 section 2.1, lib/audit/merkle.c), built one leaf
 * at a time in O(log n) space: leaf = SHA-256(0x00 || data), node =
 * SHA-256(0x01 || left || right), split at the largest power of two below
 * the size, empty tree = SHA-256(""). node[] holds the roots of the full
 * subtrees, largest first, one per bit set in size.
 */
struct qgtm_merkle {
	uint64_t size;                  /* leaves added */
	unsigned char node[64][32];
};

/* qgtm_merkle_init: the empty tree; no allocation. */
void qgtm_merkle_init(struct qgtm_merkle *m);
/* qgtm_merkle_add: add the leaf of n bytes at p (not kept). */
void qgtm_merkle_add(struct qgtm_merkle *m, const void *p, size_t n);
/*
 * qgtm_merkle_add_leaf: add a leaf by its hash. The nodes this completes,
 * in the post order of struct qgtm_mtree (the leaf, then the root of each
 * subtree it closes), go to made (room for 65 hashes; may be NULL).
 * Returns how many there are.
 */
size_t qgtm_merkle_add_leaf(struct qgtm_merkle *m,
    const unsigned char leaf[32], unsigned char (*made)[32]);
/* qgtm_merkle_root: the tree head as 64 lowercase hex digits and a NUL. */
void qgtm_merkle_root(const struct qgtm_merkle *m, char out[65]);

/* qgtm_merkle_leaf: the leaf hash SHA-256(0x00 || the n bytes at p). */
void qgtm_merkle_leaf(const void *p, size_t n, unsigned char md[32]);

/*
 * qgtm_json_canon: if the bytes from p (before end) begin with one JSON
 * value drawn from a subset whose canonical form is itself (lib/
 * audit_canon.c: objects with strictly ascending keys, arrays, strings of
 * printable ASCII without '"' or '\', integers of at most 18 digits and no
 * "-0", reals written as jansson writes the double they parse to ("%.17g",
 * ".0" added without '.' or 'e', no '+' or leading zero in the exponent),
 * true, false, null; no whitespace; depth at most 64), the end of
 * that value; else NULL, which does not mean the bytes are not canonical
 * JSON, only that this quick test cannot tell. For a value it accepts,
 * jansson's json_loadb() succeeds (even with JSON_REJECT_DUPLICATES) and
 * json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS) gives back the same bytes.
 */
const char *qgtm_json_canon(const char *p, const char *end);

/* Most hashes in an inclusion or consistency proof (64-bit sizes). */
#define QGTM_MERKLE_MAX_PROOF 66

/*
 * A whole Merkle tree, for proofs (lib/audit/merkle.c): the roots of all its
 * full subtrees in post order (2n - popcount(n) nodes for n leaves; the
 * leaf i at 2i - popcount(i)), so the nodes of a tree of size n are a
 * prefix of those of every larger tree. The struct owns node.
 */
struct qgtm_mtree {
	unsigned char (*node)[32];
	uint64_t size;                  /* leaves */
	size_t nnodes, cap;
	void *map;      /* not NULL: node lies in this read-only mapping of */
	size_t maplen;  /* an index file (qgtm_audit_tree); no adding then */
};

/* qgtm_mtree_init: the empty tree; no allocation. _release frees it. */
void qgtm_mtree_init(struct qgtm_mtree *t);
void qgtm_mtree_release(struct qgtm_mtree *t);
/* qgtm_mtree_add: add the leaf of n bytes at p; _add_hash: of leaf hash. */
void qgtm_mtree_add(struct qgtm_mtree *t, const void *p, size_t n);
void qgtm_mtree_add_hash(struct qgtm_mtree *t, const unsigned char leaf[32]);

/*
 * qgtm_mtree_root: MTH of the first size leaves (RFC 9162 2.1.1; the empty
 * tree's root for 0). qgtm_mtree_prove: PATH(index, D[0:size]) of 2.1.3.1,
 * leaf-level sibling first. qgtm_mtree_consistency: PROOF(from, D[0:to])
 * of 2.1.4.1; from = to gives the empty proof, from = 0 is refused (the
 * policy of transparency-dev/merkle, see qgtm-audit(1)). Proofs go to
 * proof (room for QGTM_MERKLE_MAX_PROOF hashes), their length to *len.
 * Each returns 0, or -1 (QGTM_EX_USAGE) when a size exceeds the tree or
 * the index or sizes are out of range.
 */
int qgtm_mtree_root(const struct qgtm_mtree *t, uint64_t size,
    unsigned char root[32]);
int qgtm_mtree_prove(const struct qgtm_mtree *t, uint64_t index,
    uint64_t size, unsigned char (*proof)[32], size_t *len);
int qgtm_mtree_consistency(const struct qgtm_mtree *t, uint64_t from,
    uint64_t to, unsigned char (*proof)[32], size_t *len);

/*
 * qgtm_merkle_check_inclusion: the verification of RFC 9162 2.1.3.2 of an
 * inclusion proof of len hashes for the leaf hash leaf at index in a tree
 * of size leaves with root. qgtm_merkle_check_consistency: that of 2.1.4.2
 * between trees of first and second leaves with roots r1 and r2; equal
 * sizes need an empty proof and equal roots, first = 0 fails. Return 0
 * if the proof holds, else -1 (QGTM_EX_NO) saying why.
 */
int qgtm_merkle_check_inclusion(const unsigned char leaf[32], uint64_t index,
    uint64_t size, const unsigned char (*proof)[32], size_t len,
    const unsigned char root[32]);
int qgtm_merkle_check_consistency(uint64_t first, uint64_t second,
    const unsigned char r1[32], const unsigned char r2[32],
    const unsigned char (*proof)[32], size_t len);

#include "banned.h"

#endif /* QGTM_AUDIT_H */
