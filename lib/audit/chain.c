/*
 * audit.c: the tamper-evident audit chain. Entries are canonical JSON lines
 * (JSON_COMPACT | JSON_SORT_KEYS) linked by SHA-256 hashes, appended under
 * a flock with one O_APPEND write and fsync (mblaze mdeliver), and checked
 * line by line, with an RFC 9162 Merkle root over the lines, by verify.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit_int.h"

#define CANON_FLAGS (JSON_COMPACT | JSON_SORT_KEYS)
#define ZERO_HASH \
	"0000000000000000000000000000000000000000000000000000000000000000"

/* What an entry carries that links it into the chain. */
struct link {
	long long seq;
	char hash[65];
	char prev[65];
};

/* The chain as verify walks it. */
struct walk {
	const char *path;
	unsigned long line;
	struct qgtm_audit_summary *sum;
	struct qgtm_merkle tree;
	qgtm_audit_fn fn;
	void *arg;
	const struct qgtm_mtree *idx;   /* the index to check, or NULL */
	const char *pubkey;     /* checkpoints' signer (base64), or NULL */
	const struct qgtm_checkpoint *anchor;   /* published, or NULL */
	struct qgtm_mtree *full;        /* the whole tree, with an anchor */
	unsigned long ckpts;    /* checkpoints met */
	FILE *grow;             /* gets the nodes each entry completes */
};

/* Where a walk resumes: past off bytes holding the entries of tree, the
 * last of them of hash head (NULL: from the chain's start). */
struct resume {
	const struct qgtm_merkle *tree;
	off_t off;
	const char *head;
	FILE *grow;
};

/* What every line holding a checkpoint contains (it is canonical). */
#define CHECKPOINT_TAG "\"type\":\"audit_checkpoint\""

/* Put "<where>: " before the last error message, with a new code. */
static int __attribute__((format(printf, 2, 3)))
err_at(int code, const char *fmt, ...)
{
	char where[512], msg[1024];
	va_list ap;

	snprintf(msg, sizeof msg, "%s", qgtm_errmsg());
	va_start(ap, fmt);
	vsnprintf(where, sizeof where, fmt, ap);
	va_end(ap);
	return qgtm_seterr(code, "%s: %s", where, msg);
}

/* The canonical bytes of v: a new allocation (free()), or NULL. */
static char *
canon(json_t *v)
{
	char *s = json_dumps(v, CANON_FLAGS);

	if (s == NULL)
		qgtm_seterr(QGTM_EX_OSERR, "cannot serialize an entry");
	return s;
}

/* The entry hash: SHA-256 of the canonical form of e, which has no "hash". */
static int
entry_hash(json_t *e, char out[65])
{
	char *s = canon(e);

	if (s == NULL)
		return -1;
	qgtm_sha256_hex(s, strlen(s), out);
	free(s);
	return 0;
}

/* Is s exactly 64 lowercase hex digits? */
static int
is_hash(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n == 64 && s[n] == '\0';
}

/* Check the members of a parsed entry and copy seq, hash and prev to l. */
static int
entry_fields(json_t *e, struct link *l)
{
	const char *hash, *prev, *ts;
	json_t *rec;

	if (!json_is_object(e))
		return qgtm_seterr(QGTM_EX_DATAERR, "not a JSON object");
	if (qgtm_json_int(e, "seq", &l->seq) == -1 ||
	    qgtm_json_str(e, "hash", &hash) == -1 ||
	    qgtm_json_str(e, "prev", &prev) == -1 ||
	    qgtm_json_str(e, "ts", &ts) == -1 ||
	    qgtm_json_obj(e, "rec", &rec) == -1)
		return -1;
	if (l->seq < 0 || l->seq == LLONG_MAX)
		return qgtm_seterr(QGTM_EX_DATAERR, "seq %lld: out of range",
		    l->seq);
	if (json_object_size(e) != 5)
		return qgtm_seterr(QGTM_EX_DATAERR, "seq %lld: members other "
		    "than hash, prev, rec, seq and ts", l->seq);
	if (!is_hash(hash) || !is_hash(prev))
		return qgtm_seterr(QGTM_EX_DATAERR, "seq %lld: hash or prev is "
		    "not 64 lowercase hex digits", l->seq);
	memcpy(l->hash, hash, sizeof l->hash);
	memcpy(l->prev, prev, sizeof l->prev);
	return 0;
}

/* Check parsed entry e against its line: the hash and canonical form. */
static int
entry_bytes(json_t *e, const char *line, size_t n, const struct link *l)
{
	char *form = canon(e), hash[65];
	int rc;

	if (form == NULL)
		return -1;
	json_object_del(e, "hash");
	rc = entry_hash(e, hash);
	if (rc == 0 && strcmp(hash, l->hash) != 0)
		rc = qgtm_seterr(QGTM_EX_DATAERR, "seq %lld: hash mismatch",
		    l->seq);
	else if (rc == 0 && (strlen(form) != n || memcmp(form, line, n) != 0))
		rc = qgtm_seterr(QGTM_EX_DATAERR, "seq %lld: not in canonical "
		    "form", l->seq);
	free(form);
	return rc;
}

/* Are the 64 bytes at s lowercase hex digits? (a table, no branches) */
static int
is_hex64(const char *s)
{
	static const unsigned char hex[256] = {
		['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1,
		['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
		['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	};
	unsigned char bad = 0;
	int i;

	for (i = 0; i < 64; i++)
		bad |= hex[(unsigned char)s[i]] ^ 1;
	return bad == 0;
}

/* Are the 64 bytes at s the lowercase hex digits of md? */
static int
hex_is(const char *s, const unsigned char md[32])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char bad = 0;
	int i;

	for (i = 0; i < 32; i++)
		bad |= (unsigned char)(s[2 * i] ^ digits[md[i] >> 4]) |
		    (unsigned char)(s[2 * i + 1] ^ digits[md[i] & 15]);
	return bad == 0;
}

/* The value of the decimal digits from p to e (at most 18, as canon
 * vouches for), or -1 if there is another byte. */
static long long
digits(const char *p, const char *e)
{
	long long v = 0;

	for (; p < e; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = 10 * v + (*p - '0');
	}
	return v;
}

/* Where an entry line's fixed parts lie (see entry_quick). */
#define AT_HASH 9       /* after {"hash":" */
#define AT_PREV 83      /* after {"hash":"H","prev":" */
#define AT_REC 155      /* after {"hash":"H","prev":"P","rec": */
#define AT_BODY 75      /* the entry without "hash" is "{" + line[75..] */
#define MIN_ENTRY 174   /* with rec {}, seq 0 and ts "" */

/*
 * The quick check of an entry line: 1 when it proves the line valid, and
 * fills l; 0 when it cannot tell, and the parse of entry_check decides.
 * Sufficient: the line is, byte for byte, {"hash":H,"prev":P,"rec":R,
 * "seq":N,"ts":T} with H and P 64 lowercase hex digits, N a non-negative
 * integer (digits only: qgtm_json_canon also vouches for reals) and R an
 * object and T a string that qgtm_json_canon vouches for, so the line
 * is its own canonical form (keys sorted, compact); and
 * H is the SHA-256 of "{" followed by the bytes after H's '",', which is
 * the canonical form of the entry without "hash". (H is compared with
 * the hex of that hash, which also proves it 64 lowercase hex digits.)
 */
static int
entry_quick(struct qgtm_hasher *h, const char *line, size_t n, struct link *l)
{
	const char *end = line + n, *p, *seq;
	unsigned char md[32];

	if (n < MIN_ENTRY || n > QGTM_AUDIT_MAX_LINE ||
	    memcmp(line, "{\"hash\":\"", AT_HASH) != 0 ||
	    memcmp(line + AT_HASH + 64, "\",\"prev\":\"", 10) != 0 ||
	    !is_hex64(line + AT_PREV) ||
	    memcmp(line + AT_PREV + 64, "\",\"rec\":{", 9) != 0 ||
	    (p = qgtm_json_canon(line + AT_REC, end)) == NULL || end - p < 8 ||
	    memcmp(p, ",\"seq\":", 7) != 0 || p[7] < '0' || p[7] > '9' ||
	    (p = qgtm_json_canon(seq = p + 7, end)) == NULL ||
	    (l->seq = digits(seq, p)) == -1 || end - p < 7 ||
	    memcmp(p, ",\"ts\":\"", 7) != 0 ||
	    (p = qgtm_json_canon(p + 6, end)) != end - 1 || *p != '}')
		return 0;
	qgtm_hasher_cat(h, "{", 1, line + AT_BODY, n - AT_BODY, md);
	if (!hex_is(line + AT_HASH, md))
		return 0;
	memcpy(l->hash, line + AT_HASH, 64);
	l->hash[64] = '\0';
	memcpy(l->prev, line + AT_PREV, 64);
	l->prev[64] = '\0';
	return 1;
}

/* What the checks of a line that need no other line find (line_local). */
struct local {
	struct link l;
	char quick;             /* entry_quick proved the line valid */
	char ckpt;              /* it holds CHECKPOINT_TAG */
};

/*
 * Does the line hold CHECKPOINT_TAG (as memmem(3) would find it)? Each
 * '_' of the line, a few an entry, is where the tag's one '_' might be:
 * cheaper than memmem's set-up for each short line.
 */
static int
has_tag(const char *line, size_t n)
{
	const size_t at = sizeof "\"type\":\"audit" - 1, len =
	    sizeof CHECKPOINT_TAG - 1;
	const char *p = line, *end = line + n;

	while ((p = memchr(p, '_', (size_t)(end - p))) != NULL) {
		if ((size_t)(p - line) >= at && (size_t)(end - p) >= len - at &&
		    memcmp(p - at, CHECKPOINT_TAG, len) == 0)
			return 1;
		p++;
	}
	return 0;
}

/* A qgtm_lines_fn: entry_quick and the search for CHECKPOINT_TAG. */
static void
line_local(struct qgtm_hasher *h, const char *line, size_t n, void *out)
{
	struct local *c = out;

	size_t from;

	c->quick = (char)entry_quick(h, line, n, &c->l);
	/* The hex digits of a quick line's hash and prev hold no tag. */
	from = c->quick ? AT_REC : 0;
	c->ckpt = (char)has_tag(line + from, n - from);
}

/*
 * Check one entry line (n bytes, no newline) on its own: it parses, has
 * the right members, its hash recomputes and it is in canonical form.
 * pre: what line_local found for it, or NULL. Fills l. Returns 0 or -1
 * (QGTM_EX_DATAERR) with a message.
 */
static int
entry_check(const char *line, size_t n, struct link *l,
    const struct local *pre)
{
	json_error_t jerr;
	json_t *e;
	int rc;

	if (pre != NULL && pre->quick) {
		*l = pre->l;
		return 0;
	}
	if (pre == NULL && entry_quick(NULL, line, n, l))
		return 0;
	if (n > QGTM_AUDIT_MAX_LINE)
		return qgtm_seterr(QGTM_EX_DATAERR, "line longer than %d bytes",
		    QGTM_AUDIT_MAX_LINE);
	e = json_loadb(line, n, JSON_REJECT_DUPLICATES, &jerr);
	if (e == NULL)
		return qgtm_seterr(QGTM_EX_DATAERR, "invalid JSON: %s", jerr.text);
	rc = entry_fields(e, l);
	if (rc == 0)
		rc = entry_bytes(e, line, n, l);
	json_decref(e);
	return rc;
}

/* ------------------------------------------------------------ append -- */

/*
 * All or nothing, with bounded memory (qgtm-audit(1), COMMIT MARK). A
 * batch's records are first checked and canonicalized, one at a time,
 * into a spool: memory up to SPOOL_CAP, then an unlinked temp file beside
 * the chain; nothing is locked meanwhile, so a slow producer never holds
 * other appenders up. Then, under the flock "<chain>.lock", the entries
 * are composed from the spooled records (the record's canonical bytes
 * between fixed parts: no parse), written OUT_CHUNK bytes at a time with
 * O_APPEND, the chain fsync'd, and only then the commit mark
 * "<chain>.commit" replaced (lib/audit/commit.c): its rename commits the
 * batch. A failure before it cuts the chain back; a kill before it leaves
 * an uncommitted tail, which verify reports and repair cuts. Nothing
 * between the first write and the commit allocates, so no allocation
 * failure can leave a tail behind either.
 */

/* Spooled record bytes held in memory before spilling to a file. */
#define SPOOL_CAP ((size_t)QGTM_AUDIT_MAX_LINE)
/* Entry bytes gathered before a write(2). */
#define OUT_CHUNK ((size_t)1024 * 1024)
/* An entry line's length beyond its record's: the fixed parts, a seq of
 * up to 19 digits, the 20 characters of ts, and the "\n". */
#define TS_LEN 20
#define ENTRY_OVER(digits) (AT_REC + 7 + (digits) + 7 + TS_LEN + 2 + 1)

struct qgtm_audit_batch {
	char *chain;
	char *buf;              /* spooled records, "\n" after each */
	size_t len;
	FILE *spill;            /* the temp file, once spilled, or NULL */
	size_t count;
};

struct qgtm_audit_batch *
qgtm_audit_batch_new(const char *chain_path)
{
	struct qgtm_audit_batch *b = qgtm_xcalloc(1, sizeof *b);

	b->chain = qgtm_xstrdup(chain_path);
	return b;
}

void
qgtm_audit_batch_free(struct qgtm_audit_batch *b)
{
	if (b == NULL)
		return;
	if (b->spill != NULL)
		fclose(b->spill);
	free(b->buf);
	free(b->chain);
	free(b);
}

size_t
qgtm_audit_batch_count(const struct qgtm_audit_batch *b)
{
	return b->count;
}

/*
 * An unlinked temp file for the spool: beside the chain (O_TMPFILE), where
 * the space is, else tmpfile(3).
 */
static FILE *
spill_open(const char *chain)
{
	const char *slash = strrchr(chain, '/');
	char *dir = slash == NULL ? qgtm_xstrdup(".") :
	    qgtm_xasprintf("%.*s", (int)(slash - chain + 1), chain);
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	FILE *f = fd == -1 ? tmpfile() : fdopen(fd, "w+");

	if (f == NULL && fd != -1)
		close(fd);
	free(dir);
	if (f == NULL)
		qgtm_seterr_errno(QGTM_EX_IOERR, "cannot make a temp file for "
		    "the records");
	return f;
}

/* Move the records in memory to the spool file. */
static int
spill(struct qgtm_audit_batch *b)
{
	if (b->spill == NULL && (b->spill = spill_open(b->chain)) == NULL)
		return -1;
	if (b->len > 0 && fwrite(b->buf, 1, b->len, b->spill) != b->len)
		return qgtm_seterr_errno(QGTM_EX_IOERR, "cannot write the temp "
		    "file of the records");
	b->len = 0;
	return 0;
}

int
qgtm_audit_batch_add(struct qgtm_audit_batch *b, json_t *rec)
{
	char *s;
	size_t n;

	if (!json_is_object(rec))
		return qgtm_seterr(QGTM_EX_DATAERR, "record %zu: not a JSON "
		    "object", b->count + 1);
	if ((s = canon(rec)) == NULL)
		return err_at(qgtm_errcode(), "record %zu", b->count + 1);
	n = strlen(s);
	if (n + ENTRY_OVER(19) > QGTM_AUDIT_MAX_LINE + 1) {
		free(s);
		return qgtm_seterr(QGTM_EX_DATAERR, "record %zu: entry longer "
		    "than %d bytes", b->count + 1, QGTM_AUDIT_MAX_LINE);
	}
	if (b->buf == NULL)
		b->buf = qgtm_xmalloc(SPOOL_CAP);
	if (b->len + n + 1 > SPOOL_CAP && spill(b) == -1) {
		free(s);
		return -1;
	}
	memcpy(b->buf + b->len, s, n);
	b->buf[b->len + n] = '\n';
	b->len += n + 1;
	b->count++;
	free(s);
	return 0;
}

/* Read exactly n bytes at off; -1 (IOERR) otherwise. */
static int
pread_all(int fd, char *p, size_t n, off_t off, const char *path)
{
	ssize_t r;

	while (n > 0) {
		r = pread(fd, p, n, off);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EIO;
			return qgtm_seterr_errno(QGTM_EX_IOERR, "cannot read '%s'",
			    path);
		}
		p += r;
		n -= (size_t)r;
		off += r;
	}
	return 0;
}

/* Where the last line of fd (size bytes, the last one "\n") starts. */
static int
last_line_start(int fd, off_t size, const char *path, off_t *start)
{
	char chunk[4096];
	off_t end = size - 1, from;
	size_t i, n;

	while (end > 0) {
		if (size - 1 - end > QGTM_AUDIT_MAX_LINE)
			return qgtm_seterr(QGTM_EX_DATAERR, "%s: last line longer "
			    "than %d bytes", path, QGTM_AUDIT_MAX_LINE);
		from = end > (off_t)sizeof chunk ? end - (off_t)sizeof chunk : 0;
		n = (size_t)(end - from);
		if (pread_all(fd, chunk, n, from, path) == -1)
			return -1;
		for (i = n; i > 0; i--)
			if (chunk[i - 1] == '\n') {
				*start = from + (off_t)i;
				return 0;
			}
		end = from;
	}
	*start = 0;
	return 0;
}

/* Check the last entry of fd (size bytes) and store its link in l. */
static int
read_last(int fd, off_t size, const char *path, struct link *l)
{
	off_t start;
	char last;
	char *line;
	size_t n;
	int rc;

	if (pread_all(fd, &last, 1, size - 1, path) == -1)
		return -1;
	if (last != '\n')
		return qgtm_seterr(QGTM_EX_DATAERR, "%s: torn last line "
		    "(incomplete write); refusing to append", path);
	if (last_line_start(fd, size, path, &start) == -1)
		return -1;
	n = (size_t)(size - 1 - start);
	line = qgtm_xmalloc(n + 1);
	rc = pread_all(fd, line, n, start, path);
	if (rc == 0 && (rc = entry_check(line, n, l, NULL)) == -1)
		err_at(QGTM_EX_DATAERR, "%s: last entry", path);
	free(line);
	return rc;
}

/* Does the chain (size bytes, last link l) end where its mark c says? */
static int
mark_agrees(const char *path, const struct qgtm_audit_commit *c, off_t size,
    const struct link *l)
{
	if (size != c->bytes)
		return qgtm_seterr(QGTM_EX_DATAERR, "%s: %lld bytes, its commit "
		    "mark says %lld: an append did not finish (run qgtm-audit "
		    "repair); refusing to append", path, (long long)size,
		    c->bytes);
	if ((unsigned long)(l->seq + 1) != c->entries ||
	    strcmp(l->hash, c->head) != 0)
		return qgtm_seterr(QGTM_EX_DATAERR, "%s: does not end as its "
		    "commit mark says (%lu entries, head %.12s...); refusing "
		    "to append", path, c->entries, c->head);
	return 0;
}

/*
 * The link to continue from (seq and hash of the last entry, or a fresh
 * chain's), the chain's size (-1 when missing) and its mark in c (*has:
 * 0, or 1 when it has none). Refuses a chain that does not end as its
 * mark says.
 */
static int
chain_tail(const char *path, struct link *l, off_t *size,
    struct qgtm_audit_commit *c, int *has)
{
	struct stat st;
	int fd, rc = 0;

	l->seq = -1;
	memcpy(l->hash, ZERO_HASH, sizeof l->hash);
	*size = -1;
	if ((*has = qgtm_audit_commit_read(path, c)) == -1)
		return err_at(QGTM_EX_DATAERR, "refusing to append");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT)
		return *has == 0 ? mark_agrees(path, c, 0, l) : 0;
	if (fd == -1)
		return qgtm_seterr_errno(QGTM_EX_IOERR, "cannot open '%s'", path);
	if (fstat(fd, &st) == -1)
		rc = qgtm_seterr_errno(QGTM_EX_IOERR, "cannot stat '%s'", path);
	else if (!S_ISREG(st.st_mode))
		rc = qgtm_seterr(QGTM_EX_IOERR, "cannot read '%s': not a "
		    "regular file", path);
	else if (*has == 0 && st.st_size != c->bytes)
		rc = mark_agrees(path, c, st.st_size, l);
	else if ((*size = st.st_size) > 0)
		rc = read_last(fd, st.st_size, path, l);
	if (rc == 0 && *has == 0)
		rc = mark_agrees(path, c, *size, l);
	close(fd);
	return rc;
}

/* The decimal digits of v at p; returns the end. */
static char *
put_num(char *p, long long v)
{
	char d[20];
	int n = 0;

	do
		d[n++] = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	while (n > 0)
		*p++ = d[--n];
	return p;
}

/*
 * Compose at o the entry line (with its "\n") of the n canonical bytes of
 * rec after l, advancing l to it; returns its length. The bytes are those
 * json_dumps(CANON_FLAGS) gives the entry object: its members in sorted
 * order, compact, the record's canonical form inside as it is.
 */
static size_t
entry_put(char *o, const char *rec, size_t n, struct link *l, const char *ts)
{
	unsigned char md[32];
	char *p = o;

	p = mempcpy(p, "{\"hash\":\"", AT_HASH) + 64;
	p = mempcpy(p, "\",\"prev\":\"", 10);
	p = mempcpy(p, l->hash, 64);
	p = mempcpy(p, "\",\"rec\":", 8);
	p = mempcpy(p, rec, n);
	p = put_num(mempcpy(p, ",\"seq\":", 7), l->seq + 1);
	p = mempcpy(p, ",\"ts\":\"", 7);
	p = mempcpy(p, ts, TS_LEN);
	p = mempcpy(p, "\"}", 2);
	qgtm_sha256_cat("{", 1, o + AT_BODY, (size_t)(p - o) - AT_BODY, md);
	qgtm_hash_hex(md, l->hash);
	memcpy(o + AT_HASH, l->hash, 64);
	l->seq++;
	*p++ = '\n';
	return (size_t)(p - o);
}

/* A batch being written: the chain's fd, its link and the entries. */
struct writer {
	int fd;
	const char *path;
	struct link l;
	char ts[21];
	char *out;              /* OUT_CHUNK + a longest entry */
	size_t len;
	off_t bytes;            /* written so far */
};

/* Write the entries gathered. */
static int
writer_flush(struct writer *w)
{
	if (w->len > 0 && qgtm_audit_write_all(w->fd, w->out, w->len) == -1)
		return qgtm_seterr_errno(QGTM_EX_IOERR, "cannot append to '%s'",
		    w->path);
	w->bytes += (off_t)w->len;
	w->len = 0;
	return 0;
}

/* Add the entries of the spooled records in p[0..n) (whole lines). */
static int
writer_add(struct writer *w, const char *p, size_t n)
{
	const char *end = p + n, *nl;

	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		w->len += entry_put(w->out + w->len, p, (size_t)(nl - p), &w->l,
		    w->ts);
		if (w->len >= OUT_CHUNK && writer_flush(w) == -1)
			return -1;
	}
	return 0;
}

/* Compose and write every entry of b, from the spool file if it spilled
 * (read back into b->buf, whole lines at a time). */
static int
write_spool(struct qgtm_audit_batch *b, struct writer *w)
{
	size_t have = 0, got, whole;
	char *nl;
	off_t off = 0;
	int fd;

	if (b->spill == NULL)
		return writer_add(w, b->buf, b->len);
	fd = fileno(b->spill);
	for (;;) {
		got = 0;
		while (have + got < SPOOL_CAP) {
			ssize_t r = pread(fd, b->buf + have + got,
			    SPOOL_CAP - have - got, off);

			if (r == -1 && errno == EINTR)
				continue;
			if (r == -1)
				return qgtm_seterr_errno(QGTM_EX_IOERR, "cannot "
				    "read the temp file of the records");
			if (r == 0)
				break;
			got += (size_t)r;
			off += r;
		}
		have += got;
		if (have == 0)
			return 0;
		nl = memrchr(b->buf, '\n', have);
		whole = nl == NULL ? 0 : (size_t)(nl - b->buf) + 1;
		if (whole == 0)
			return qgtm_seterr(QGTM_EX_SOFTWARE, "the temp file of "
			    "the records is damaged");
		if (writer_add(w, b->buf, whole) == -1)
			return -1;
		memmove(b->buf, b->buf + whole, have - whole);
		have -= whole;
	}
}

/*
 * Undo a batch that failed after its first write: the old mark back when
 * the new one may have been put, the chain cut back to old bytes, or
 * removed when this batch created it (1), with its mark (2). Best effort: the
 * error stands either way, and what is left is an uncommitted tail.
 */
static void
undo_batch(const struct writer *w, off_t old, const struct qgtm_audit_marker *m,
    const struct qgtm_audit_commit *before, int put, int created)
{
	if (put && created != 2 && qgtm_audit_marker_put(m, before) == -1)
		QGTM_ERR("chain=%s msg=\"cannot put the commit mark back\"",
		    w->path);
	if (created) {
		unlink(w->path);
		if (created == 2)
			unlink(m->path);
	} else if (ftruncate(w->fd, old) == -1 || fsync(w->fd) == -1)
		QGTM_ERR("chain=%s msg=\"cannot truncate a failed append\"",
		    w->path);
}

static int keep_tail(const char *path, off_t off, off_t size, int dirfd,
    char **copy);
static int cut_to(const char *path, off_t size);

/*
 * Under the lock: an uncommitted tail (bytes past the commit mark) is an
 * append that was never acknowledged, so it is no part of the chain: keep
 * a copy of it beside the chain ("<chain>.torn-TIME", as repair does) and
 * cut it, so that a safety act's record (a FLATTEN after a killed cycle)
 * is never refused for it. Nothing the mark covers is touched; a chain
 * without a mark is left to chain_tail's checks.
 */
static int
cut_uncommitted(const char *path, const struct qgtm_audit_marker *m)
{
	struct qgtm_audit_commit c;
	struct stat st;
	char *copy = NULL;
	int rc;

	if (qgtm_audit_commit_read(path, &c) != 0 || stat(path, &st) == -1 ||
	    st.st_size <= c.bytes)
		return 0;       /* chain_tail says what is wrong, if anything */
	rc = keep_tail(path, c.bytes, st.st_size, m->dirfd, &copy);
	if (rc == 0 && (rc = cut_to(path, c.bytes)) == 0)
		QGTM_WARN("chain=%s msg=\"cut an uncommitted tail of %lld "
		    "bytes (an append that did not finish) before appending\" "
		    "copy=%s", path, (long long)(st.st_size - c.bytes), copy);
	free(copy);
	return rc;
}

/*
 * Under the lock: write b after the chain's end (checked to hold size
 * entries unless size is -1), fsync, commit. m: the mark's writer.
 */
static int
commit_locked(struct qgtm_audit_batch *b, long long size, char *out,
    const struct qgtm_audit_marker *m)
{
	struct writer w = { -1, b->chain, { 0 }, "", out, 0, 0 };
	struct qgtm_audit_commit before, after;
	off_t old;
	int has, created, rc = 0;

	if (cut_uncommitted(b->chain, m) == -1 ||
	    chain_tail(b->chain, &w.l, &old, &before, &has) == -1)
		return -1;
	if (size >= 0 && w.l.seq + 1 != size)
		return qgtm_seterr(QGTM_EX_TEMPFAIL, "%s: has %lld entries, not "
		    "%lld: it grew meanwhile", b->chain, w.l.seq + 1, size);
	created = old == -1 ? 1 + has : 0;
	if (has == 1) {         /* first mark: commit what is there */
		before.bytes = created ? 0 : old;
		before.entries = (unsigned long)(w.l.seq + 1);
		memcpy(before.head, w.l.hash, sizeof before.head);
		if (qgtm_audit_marker_put(m, &before) == -1) {
			if (created)    /* it may be there: it is true, but new */
				unlink(m->path);
			return -1;
		}
	}
	qgtm_time_fmt(qgtm_now(), w.ts);
	w.fd = open(b->chain, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (w.fd == -1)
		return qgtm_seterr_errno(QGTM_EX_IOERR, "cannot open '%s'",
		    b->chain);
	if (write_spool(b, &w) == -1 || writer_flush(&w) == -1)
		rc = -1;
	else if ((qgtm_fault(QGTM_FAULT_FSYNC) ? -1 : fsync(w.fd)) == -1)
		rc = qgtm_seterr_errno(QGTM_EX_IOERR, "cannot append to '%s'",
		    b->chain);
	if (rc == 0) {
		after.bytes = before.bytes + w.bytes;
		after.entries = (unsigned long)(w.l.seq + 1);
		memcpy(after.head, w.l.hash, sizeof after.head);
		rc = qgtm_audit_marker_put(m, &after);
		if (rc == -1)
			undo_batch(&w, before.bytes, m, &before, 1, created);
	} else
		undo_batch(&w, before.bytes, m, &before, 0, created);
	close(w.fd);
	if (rc == 0) {
		QGTM_DEBUG("chain=%s appended=%zu last_seq=%lld", b->chain,
		    b->count, w.l.seq);
		/* Committed: the index (derived data) follows, still under
		 * the lock; a failure only leaves it stale. */
		if (qgtm_audit_index_extend(b->chain, 0) == -1)
			QGTM_DEBUG("chain=%s msg=\"index not extended: %s\"",
			    b->chain, qgtm_errmsg());
	}
	return rc;
}

int
qgtm_audit_batch_commit(struct qgtm_audit_batch *b, long long size)
{
	struct qgtm_audit_marker m;
	char *lock, *out;
	int fd, rc;

	if (b->count == 0)
		return 0;
	if (b->spill != NULL && (spill(b) == -1 || fflush(b->spill) == EOF))
		return qgtm_seterr_errno(QGTM_EX_IOERR, "cannot write the temp "
		    "file of the records");
	out = qgtm_xmalloc(OUT_CHUNK + QGTM_AUDIT_MAX_LINE + 1);
	lock = qgtm_xasprintf("%s.lock", b->chain);
	fd = qgtm_lock(lock, QGTM_AUDIT_LOCK_MS);
	free(lock);
	rc = fd == -1 ? -1 : qgtm_audit_marker_open(&m, b->chain);
	if (rc == 0) {
		rc = commit_locked(b, size, out, &m);
		qgtm_audit_marker_close(&m);
	}
	qgtm_unlock(fd);
	free(out);
	return rc;
}

int
qgtm_audit_append_records(const char *chain_path, json_t *records)
{
	return qgtm_audit_append_after(chain_path, records, -1);
}

int
qgtm_audit_append_after(const char *chain_path, json_t *records,
    long long size)
{
	struct qgtm_audit_batch *b;
	json_t *rec;
	size_t i;
	int rc = 0;

	if (!json_is_array(records))
		return qgtm_seterr(QGTM_EX_SOFTWARE, "audit records: not an array");
	if (json_array_size(records) == 0)
		return 0;
	b = qgtm_audit_batch_new(chain_path);
	json_array_foreach(records, i, rec)
		if ((rc = qgtm_audit_batch_add(b, rec)) == -1)
			break;
	if (rc == 0)
		rc = qgtm_audit_batch_commit(b, size);
	qgtm_audit_batch_free(b);
	return rc;
}

/*
 * After the walk of a chain (size bytes) that has a commit mark m: the
 * walk ended at the mark, with its entries and head; what follows is
 * the uncommitted tail of an append that did not finish, reported as
 * torn, for repair to cut. Readers never see that tail as entries.
 */
static int
commit_check(struct walk *w, const struct qgtm_audit_commit *m, off_t size)
{
	struct qgtm_audit_summary *s = w->sum;

	if (s->good_bytes < m->bytes) {
		s->bad_line = w->line + 1;
		return qgtm_seterr(QGTM_EX_NO, "%s: %lld bytes, its commit mark "
		    "says %lld: committed entries were cut off its end",
		    w->path, (long long)size, m->bytes);
	}
	if (s->entries != m->entries || strcmp(s->head, m->head) != 0) {
		s->bad_line = w->line;
		return qgtm_seterr(QGTM_EX_NO, "%s: does not end as its commit "
		    "mark says (%lu entries, head %.12s...): the chain was "
		    "rewritten, or the mark is another chain's", w->path,
		    m->entries, m->head);
	}
	if (size > m->bytes) {
		s->torn = 1;
		s->bad_line = w->line + 1;
		return qgtm_seterr(QGTM_EX_NO, "%s:%lu: uncommitted tail of %lld "
		    "bytes (an append that did not finish; qgtm-audit repair "
		    "cuts it)", w->path, w->line + 1,
		    (long long)(size - m->bytes));
	}
	return 0;
}

/* ------------------------------------------------------------ verify -- */

/*
 * The chain's size and commit mark (*has as qgtm_audit_commit_read) at
 * a moment when no append is in progress: a shared flock on an existing
 * "<chain>.lock" (appenders hold it exclusively while they write).
 * Without a lock file there is no appender to wait for.
 */
static off_t
settled_size(const char *path, int fd, int settle, struct qgtm_audit_commit *c,
    int *has)
{
	char *lock = qgtm_xasprintf("%s.lock", path);
	int lfd = settle ? open(lock, O_RDONLY | O_CLOEXEC) : -1;
	struct stat st;
	off_t size = -1;

	free(lock);
	if (lfd != -1)
		while (flock(lfd, LOCK_SH) == -1 && errno == EINTR)
			;
	/* The commit mark of that moment too. */
	*has = qgtm_audit_commit_read(path, c);
	if (fstat(fd, &st) == 0)
		size = st.st_size;
	if (lfd != -1)
		close(lfd);
	return size;
}

/* Add a line's leaf to the tree; with an index, check the nodes it
 * makes there. */
static int
tree_add(struct walk *w, const unsigned char leaf[32])
{
	unsigned char made[65][32];
	uint64_t i = w->tree.size;
	size_t k;

	k = qgtm_merkle_add_leaf(&w->tree, leaf, made);
	if (w->grow != NULL && fwrite(made, 32, k, w->grow) != k)
		return qgtm_seterr_errno(QGTM_EX_IOERR, "cannot write '%s.idx'",
		    w->path);
	if (w->idx == NULL || i >= w->idx->size ||
	    memcmp(w->idx->node[2 * i - (uint64_t)__builtin_popcountll(i)],
	    made, 32 * k) == 0)
		return 0;
	return qgtm_seterr(QGTM_EX_NO, "seq %llu: the index '%s.idx' does "
	    "not match the chain from here on: either the chain was rewritten "
	    "or the index is damaged", (unsigned long long)i, w->path);
}

/*
 * The entry of seq anchor->size: the entries before it must have the
 * published root, and it must be that very checkpoint.
 */
static int
at_anchor(struct walk *w, const char *line, size_t n)
{
	const struct qgtm_checkpoint *a = w->anchor;
	struct qgtm_checkpoint c;
	unsigned char md[32];
	char root[65];

	qgtm_merkle_root(&w->tree, root);
	if (qgtm_hash_parse(root, md) == -1 || memcmp(md, a->root, 32) != 0)
		return qgtm_seterr(QGTM_EX_NO, "the %llu entries before this "
		    "one do not have the root of the published checkpoint "
		    "(%s): the chain was rewritten", (unsigned long long)a->size,
		    a->where);
	if (qgtm_checkpoint_from_line(line, n, &c) == -1 ||
	    memcmp(c.sig, a->sig, sizeof c.sig) != 0)
		return qgtm_seterr(QGTM_EX_NO, "seq %llu: the published "
		    "checkpoint (%s) is missing here", (unsigned long long)a->size,
		    a->where);
	return 0;
}

/* Check one line as the next entry. */
static int
walk_line(struct walk *w, const struct qgtm_line *ln)
{
	const char *line = ln->p;
	size_t n = ln->n;
	struct link l;
	char root[65];

	if (!ln->has_nl) {
		w->sum->torn = 1;
		return qgtm_seterr(QGTM_EX_NO, "torn last line (incomplete write)");
	}
	if (entry_check(line, n, &l, ln->local) == -1)
		return -1;
	if (l.seq != (long long)w->sum->entries)
		return qgtm_seterr(QGTM_EX_NO, "seq %lld: expected seq %lu "
		    "(an entry is missing, repeated or out of order)", l.seq,
		    w->sum->entries);
	if (strcmp(l.prev, w->sum->head) != 0)
		return qgtm_seterr(QGTM_EX_NO, "seq %lld: prev is not the hash "
		    "of the entry before", l.seq);
	if (((const struct local *)ln->local)->ckpt) {
		qgtm_merkle_root(&w->tree, root);
		if (qgtm_audit_checkpoint_check(line, n, w->tree.size, root,
		    w->pubkey) == -1)
			return -1;
		w->ckpts++;
	}
	if (w->anchor != NULL && w->tree.size == w->anchor->size &&
	    at_anchor(w, line, n) == -1)
		return -1;
	if (tree_add(w, ln->leaf) == -1)
		return -1;
	if (w->full != NULL)
		qgtm_mtree_add_hash(w->full, ln->leaf);
	memcpy(w->sum->head, l.hash, sizeof l.hash);
	w->sum->entries++;
	return 0;
}

/* Walk the bytes of fd from good_bytes up to size. */
static int
walk_chain(struct walk *w, int fd, off_t size)
{
	struct qgtm_lines *r;
	struct qgtm_line ln;
	off_t done = (off_t)w->sum->good_bytes;
	int rc = 0, got = 0;

	if ((r = qgtm_lines_start(fd, done, size, line_local,
	    sizeof(struct local))) == NULL)
		return -1;
	while (rc == 0 && (got = qgtm_lines_next(r, &ln)) == 1) {
		done += (off_t)(ln.n + (size_t)ln.has_nl);
		w->line++;
		if (walk_line(w, &ln) == -1) {
			w->sum->bad_line = w->line;
			rc = err_at(QGTM_EX_NO, "%s:%lu", w->path, w->line);
		} else if (w->fn != NULL &&
		    w->fn(ln.p, ln.n, w->sum->entries - 1, w->arg) == -1)
			rc = err_at(qgtm_errcode(), "%s:%lu", w->path, w->line);
		else
			w->sum->good_bytes = done;
	}
	if (rc == 0 && got == -1)
		rc = qgtm_seterr_errno(QGTM_EX_IOERR, "cannot read '%s'", w->path);
	qgtm_lines_stop(r);
	return rc;
}

/* Open the chain for reading; *f is NULL when it does not exist. */
static int
open_chain(const char *path, FILE **f)
{
	struct stat st;
	int fd;

	*f = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT)
		return 0;
	if (fd == -1)
		return qgtm_seterr_errno(QGTM_EX_NOINPUT, "cannot open '%s'",
		    path);
	if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
		close(fd);
		return qgtm_seterr(QGTM_EX_NOINPUT, "cannot read '%s': not a "
		    "regular file", path);
	}
	if ((*f = fdopen(fd, "r")) == NULL) {
		close(fd);
		return qgtm_seterr_errno(QGTM_EX_IOERR, "cannot open '%s'", path);
	}
	return 0;
}

/*
 * qgtm_audit_walk; settle: wait for appenders (not when holding the lock);
 * idx: an index to check the tree against (or NULL); from: where to
 * resume (or NULL).
 */
static int
walk_file(struct walk *wp, const char *chain_path,
    struct qgtm_audit_summary *out, qgtm_audit_fn fn, void *arg, int settle,
    const struct qgtm_mtree *idx, const char *pubkey,
    const struct resume *from)
{
	struct walk w0 = { chain_path, 0, out, { 0 }, fn, arg, idx, pubkey,
	    NULL, NULL, 0, NULL }, *w = wp != NULL ? wp : &w0;
	struct qgtm_audit_commit mark;
	off_t size;
	FILE *f;
	int rc, has;

	if (wp != NULL) {
		w0.anchor = wp->anchor;
		w0.full = wp->full;
		*wp = w0;
	}
	memset(out, 0, sizeof *out);
	memcpy(out->head, ZERO_HASH, sizeof out->head);
	qgtm_merkle_init(&w->tree);
	if (from != NULL) {     /* each line before is one entry */
		w->tree = *from->tree;
		w->line = (unsigned long)w->tree.size;
		w->grow = from->grow;
		out->entries = (unsigned long)w->tree.size;
		memcpy(out->head, from->head, sizeof out->head);
		out->good_bytes = (long long)from->off;
	}
	rc = open_chain(chain_path, &f);
	if (rc == 0 && f != NULL) {
		size = settled_size(chain_path, fileno(f), settle, &mark, &has);
		if (size == -1)
			rc = qgtm_seterr_errno(QGTM_EX_IOERR, "cannot stat '%s'",
			    chain_path);
		else if (has == -1)
			rc = -1;
		else    /* only what is committed is the chain */
			rc = walk_chain(w, fileno(f), has == 0 &&
			    mark.bytes < size ? mark.bytes : size);
		if (rc == 0 && has == 0)
			rc = commit_check(w, &mark, size);
		fclose(f);
	} else if (rc == 0 && from != NULL && from->off > 0)
		rc = qgtm_seterr(QGTM_EX_NO, "%s: missing", chain_path);
	qgtm_merkle_root(&w->tree, out->root);
	return rc;
}

int
qgtm_audit_walk(const char *chain_path, struct qgtm_audit_summary *out,
    qgtm_audit_fn fn, void *arg)
{
	return qgtm_audit_walk_against(chain_path, NULL, out, fn, arg);
}

int
qgtm_audit_walk_on(const char *chain_path, const struct qgtm_merkle *tree,
    long long off, const char head[65], FILE *grow,
    struct qgtm_audit_summary *out, qgtm_audit_fn fn, void *arg)
{
	struct resume from = { tree, (off_t)off, head, grow };

	return walk_file(NULL, chain_path, out, fn, arg, 0, NULL, NULL, &from);
}

int
qgtm_audit_verify(const char *chain_path, struct qgtm_audit_summary *out)
{
	return qgtm_audit_verify_key(chain_path, NULL, out);
}

int
qgtm_audit_verify_key(const char *chain_path, const char *pubkey,
    struct qgtm_audit_summary *out)
{
	return qgtm_audit_verify_against(chain_path, pubkey, NULL, out, NULL);
}

/*
 * After a good walk w with anchor a: the chain holds more entries than a
 * (a is entry a->size of it), else it was cut.
 */
static int
longer(const struct walk *w, const struct qgtm_checkpoint *a)
{
	if (w->sum->entries > a->size)
		return 0;
	return qgtm_seterr(QGTM_EX_NO, "%s: has %lu entries, but the "
	    "published checkpoint (%s) is entry %llu: entries were cut off "
	    "its end", w->path, w->sum->entries, a->where,
	    (unsigned long long)a->size);
}

int
qgtm_audit_walk_against(const char *chain_path,
    const struct qgtm_checkpoint *anchor, struct qgtm_audit_summary *out,
    qgtm_audit_fn fn, void *arg)
{
	struct walk w = { .anchor = anchor };
	int rc = walk_file(&w, chain_path, out, fn, arg, 1, NULL, NULL, NULL);

	if (rc == 0 && anchor != NULL)
		rc = longer(&w, anchor);
	return rc;
}

/*
 * After a good walk w with anchor a: the chain is longer than a (else it
 * was cut) and an RFC 9162 consistency proof from a's tree to the whole
 * tree checks against a's root and the chain's.
 */
static int
extends(const struct walk *w, const struct qgtm_checkpoint *a)
{
	unsigned char proof[QGTM_MERKLE_MAX_PROOF][32], root[32];
	size_t len;

	if (longer(w, a) == -1)
		return -1;
	if (a->size == 0)
		return 0;       /* the empty tree: nothing to prove */
	if (qgtm_hash_parse(w->sum->root, root) == -1 ||
	    qgtm_mtree_consistency(w->full, a->size, w->full->size, proof,
	    &len) == -1 || qgtm_merkle_check_consistency(a->size,
	    w->full->size, a->root, root, (const unsigned char (*)[32])proof,
	    len) == -1)
		return qgtm_seterr(QGTM_EX_NO, "%s: does not extend the "
		    "published checkpoint (%s): %s", w->path, a->where,
		    qgtm_errmsg());
	return 0;
}

int
qgtm_audit_verify_against(const char *chain_path, const char *pubkey,
    const struct qgtm_checkpoint *anchor, struct qgtm_audit_summary *out,
    unsigned long *ckpts)
{
	struct walk w = { .anchor = anchor };
	struct qgtm_audit_summary isum;
	struct qgtm_mtree idx, full;
	char why[1024];
	int has, rc;

	qgtm_mtree_init(&full);
	w.full = anchor != NULL ? &full : NULL;
	/* A damaged index is reported once the chain itself checks out. */
	has = qgtm_audit_index_open(chain_path, &idx, &isum);
	snprintf(why, sizeof why, "%s", has == -1 ? qgtm_errmsg() : "");
	rc = walk_file(&w, chain_path, out, NULL, NULL, 1, has == 0 ? &idx :
	    NULL, pubkey, NULL);
	if (rc == 0 && anchor != NULL)
		rc = extends(&w, anchor);
	if (rc == 0 && has == -1)
		rc = qgtm_seterr(QGTM_EX_NO, "%s", why);
	else if (rc == 0 && has == 0 && idx.size > out->entries)
		rc = qgtm_seterr(QGTM_EX_NO, "%s.idx: covers %llu entries, the "
		    "chain has %lu: entries were cut off its end, or the index "
		    "is another chain's", chain_path,
		    (unsigned long long)idx.size, out->entries);
	if (has == 0)
		qgtm_mtree_release(&idx);
	qgtm_mtree_release(&full);
	if (ckpts != NULL)
		*ckpts = w.ckpts;
	return rc;
}

/* ------------------------------------------------------------ repair -- */

/*
 * Link tmp as *copy, or, when that exists (a repair of the same second),
 * as *copy followed by "-1", "-2", ...; *copy becomes the name taken.
 */
static int
keep_as(const char *tmp, char **copy)
{
	char *name = qgtm_xstrdup(*copy);
	int k;

	for (k = 1; link(tmp, name) == -1; k++) {
		if (errno != EEXIST) {
			free(name);
			return -1;
		}
		free(name);
		name = qgtm_xasprintf("%s-%d", *copy, k);
	}
	free(*copy);
	*copy = name;
	return 0;
}

/*
 * Keep the bytes of path from off to size in a new file beside it,
 * "<chain>.torn-<now>" (*copy; never one that exists), copied a chunk at
 * a time.
 */
static int
keep_tail(const char *path, off_t off, off_t size, int dirfd, char **copy)
{
	char ts[21], chunk[65536], *tmp;
	int in, out, rc = 0;
	size_t n;

	*copy = qgtm_xasprintf("%s.torn-%s", path, qgtm_time_fmt(qgtm_now(), ts));
	tmp = qgtm_xasprintf("%s.tmp.%ld", *copy, (long)getpid());
	if ((in = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		rc = qgtm_seterr_errno(QGTM_EX_IOERR, "cannot open '%s'", path);
	else if ((out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0640)) == -1) {
		rc = qgtm_seterr_errno(QGTM_EX_IOERR, "cannot create '%s'", tmp);
		close(in);
	} else {
		for (; rc == 0 && off < size; off += (off_t)n) {
			n = size - off < (off_t)sizeof chunk ? (size_t)(size - off) :
			    sizeof chunk;
			if ((rc = pread_all(in, chunk, n, off, path)) == 0 &&
			    qgtm_audit_write_all(out, chunk, n) == -1)
				rc = qgtm_seterr_errno(QGTM_EX_IOERR, "cannot write "
				    "'%s'", tmp);
		}
		if (rc == 0 && (fsync(out) == -1 || keep_as(tmp, copy) == -1 ||
		    fsync(dirfd) == -1))
			rc = qgtm_seterr_errno(QGTM_EX_IOERR, "cannot write '%s'",
			    *copy);
		close(out);
		close(in);
		unlink(tmp);
	}
	free(tmp);
	return rc;
}

/* Cut path back to size bytes and make that durable. */
static int
cut_to(const char *path, off_t size)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), rc = 0;

	if (fd == -1)
		return qgtm_seterr_errno(QGTM_EX_IOERR, "cannot open '%s'", path);
	if (ftruncate(fd, size) == -1 || fsync(fd) == -1)
		rc = qgtm_seterr_errno(QGTM_EX_IOERR, "cannot truncate '%s'",
		    path);
	close(fd);
	return rc;
}

/*
 * Is the torn last line of path (from s->good_bytes to size) a whole
 * entry that only lacks its "\n": the next one after the valid prefix
 * and, with a mark m, the last one m commits?
 */
static int
tail_completes(const char *path, const struct qgtm_audit_summary *s,
    off_t size, const struct qgtm_audit_commit *m)
{
	size_t n = (size_t)(size - s->good_bytes);
	struct link l;
	char *line;
	int fd, ok;

	if (n > QGTM_AUDIT_MAX_LINE || (m != NULL && (m->bytes != size + 1 ||
	    m->entries != s->entries + 1)) ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	line = qgtm_xmalloc(n + 1);
	ok = pread_all(fd, line, n, (off_t)s->good_bytes, path) == 0 &&
	    memchr(line, '\n', n) == NULL && entry_check(line, n, &l, NULL) == 0 &&
	    l.seq == (long long)s->entries && strcmp(l.prev, s->head) == 0 &&
	    (m == NULL || strcmp(l.hash, m->head) == 0);
	free(line);
	close(fd);
	return ok;
}

/*
 * Repair the torn end the walk s found (under the lock): complete a
 * whole last entry that only lacks its "\n"; else cut what no mark
 * commits (all past the mark; a torn line of a chain without one),
 * keeping it in *copy; refuse to cut anything a mark commits.
 */
static int
repair_torn(const char *path, const struct qgtm_audit_summary *s,
    char **copy)
{
	struct qgtm_audit_marker mk;
	struct qgtm_audit_commit m;
	struct stat st;
	int has, rc;

	if ((has = qgtm_audit_commit_read(path, &m)) == -1)
		return -1;
	if (stat(path, &st) == -1)
		return qgtm_seterr_errno(QGTM_EX_IOERR, "cannot stat '%s'", path);
	if (tail_completes(path, s, st.st_size, has == 0 ? &m : NULL)) {
		if (qgtm_append_fsync(path, "\n", 1) == -1)
			return -1;
		QGTM_WARN("chain=%s msg=\"completed the last entry, which "
		    "lacked only its newline\"", path);
		return 0;
	}
	if (has == 0 && s->good_bytes != m.bytes)
		return qgtm_seterr(QGTM_EX_DATAERR, "%s:%lu: a committed entry "
		    "is torn; refusing to cut what was acknowledged (restore "
		    "the chain from a copy, or remove '%s.commit' to cut it)",
		    path, s->bad_line, path);
	if (qgtm_audit_marker_open(&mk, path) == -1)
		return -1;
	rc = keep_tail(path, (off_t)s->good_bytes, st.st_size, mk.dirfd, copy);
	if (rc == 0)
		rc = cut_to(path, (off_t)s->good_bytes);
	/* A killed appender's temp mark, if any, goes too. */
	unlink(mk.tmp);
	qgtm_audit_marker_close(&mk);
	return rc;
}

int
qgtm_audit_repair(const char *chain_path, char **copy)
{
	struct qgtm_audit_summary sum;
	char *lock;
	int fd, rc;

	*copy = NULL;
	lock = qgtm_xasprintf("%s.lock", chain_path);
	fd = qgtm_lock(lock, QGTM_AUDIT_LOCK_MS);
	free(lock);
	if (fd == -1)
		return -1;
	rc = walk_file(NULL, chain_path, &sum, NULL, NULL, 0, NULL, NULL,
	    NULL);
	if (rc == -1 && sum.torn)
		rc = repair_torn(chain_path, &sum, copy);
	else if (rc == -1 && qgtm_errcode() == QGTM_EX_NO)
		rc = err_at(QGTM_EX_DATAERR, "refusing to repair anything but "
		    "a torn last line or an uncommitted tail");
	qgtm_unlock(fd);
	return rc;
}
