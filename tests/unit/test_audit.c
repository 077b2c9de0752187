/*
 * test_audit.c: the audit chain (append, verify, every kind of damage,
 * concurrent appenders, a failed write) and the RFC 9162 Merkle tree hash,
 * pinned to the certificate-transparency reference vectors.
 */
#include <sys/resource.h>
#include <sys/wait.h>

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "unit.h"

#define MAX_LINES 256
#define ZERO_HASH \
	"0000000000000000000000000000000000000000000000000000000000000000"
#define EMPTY_ROOT \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static char *dir;
static char *chain;

static void
setup(void)
{
	dir = unit_tmpdir();
	chain = qgtm_xasprintf("%s/chain.jsonl", dir);
	ck_assert_int_eq(qgtm_clock_pin("2026-04-12T22:00:00Z"), 0);
}

static void
teardown(void)
{
	char *lock = qgtm_xasprintf("%s.lock", chain);
	char *idx = qgtm_xasprintf("%s.idx", chain);
	char *mark = qgtm_xasprintf("%s.commit", chain);

	qgtm_audit_set_walk(0, 0);
	unlink(chain);
	unlink(lock);
	unlink(idx);
	unlink(mark);
	rmdir(dir);
	free(mark);
	free(idx);
	free(lock);
	free(chain);
	free(dir);
}

/* Append n records {"type":"test","i":first..} in one call. */
static void
append_n(int first, int n)
{
	json_t *recs = json_array();
	int i;

	for (i = first; i < first + n; i++)
		json_array_append_new(recs, json_pack("{s:s, s:i}", "type",
		    "test", "i", i));
	ck_assert_msg(qgtm_audit_append_records(chain, recs) == 0, "%s",
	    qgtm_errmsg());
	json_decref(recs);
}

/* The chain's lines (without "\n") in lines[]; *text owns them. */
static int
chain_lines(char **text, char *lines[MAX_LINES])
{
	char *p;
	int n = 0;

	*text = unit_read_file(chain);
	ck_assert_ptr_nonnull(*text);
	for (p = *text; *p != '\0' && n < MAX_LINES; n++) {
		lines[n] = p;
		p = strchr(p, '\n');
		ck_assert_ptr_nonnull(p);
		*p++ = '\0';
	}
	return n;
}

/*
 * Drop the chain's commit mark: a chain written by hand (the damage the
 * tests make) is then one from before marks, committed as a whole, and
 * verify checks every line of it.
 */
static void
forget_mark(void)
{
	char *mark = qgtm_xasprintf("%s.commit", chain);

	unlink(mark);
	free(mark);
}

/* Replace the chain with these lines, each ended by "\n". */
static void
write_lines(char *lines[], int n)
{
	struct qgtm_buf b;
	int i;

	qgtm_buf_init(&b, 1024 * 1024);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(qgtm_buf_addf(&b, "%s\n", lines[i]), 0);
	unit_write_file(chain, b.len > 0 ? b.data : "");
	forget_mark();
	qgtm_buf_release(&b);
}

/* Verify must fail naming line bad_line with a message ending in want. */
static void
verify_fails(unsigned long bad_line, const char *want)
{
	struct qgtm_audit_summary sum;
	const char *msg;
	char *tail;

	ck_assert_int_eq(qgtm_audit_verify(chain, &sum), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_NO);
	ck_assert_uint_eq(sum.bad_line, bad_line);
	ck_assert_uint_eq(sum.entries, bad_line - 1);
	msg = qgtm_errmsg();
	tail = qgtm_xasprintf("chain.jsonl:%lu: %s", bad_line, want);
	ck_assert_msg(strlen(msg) >= strlen(tail) &&
	    strcmp(msg + strlen(msg) - strlen(tail), tail) == 0,
	    "message '%s' does not end in '%s'", msg, tail);
	free(tail);
}

/* Verify must succeed with n entries; returns nothing, fills sum. */
static void
verify_ok(unsigned long n, struct qgtm_audit_summary *sum)
{
	ck_assert_msg(qgtm_audit_verify(chain, sum) == 0, "%s", qgtm_errmsg());
	ck_assert_uint_eq(sum->entries, n);
	ck_assert_uint_eq(sum->bad_line, 0);
}

/* The SHA-256 hex of the canonical form of e without "hash". */
static void
recompute(json_t *e, char out[65])
{
	json_t *body = json_copy(e);
	char *s;

	json_object_del(body, "hash");
	s = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	qgtm_sha256_hex(s, strlen(s), out);
	free(s);
	json_decref(body);
}

/* ------------------------------------------------------------- chain -- */

START_TEST(test_missing_chain_is_empty)
{
	struct qgtm_audit_summary sum;
	json_t *none = json_array();

	verify_ok(0, &sum);
	ck_assert_str_eq(sum.head, ZERO_HASH);
	ck_assert_str_eq(sum.root, EMPTY_ROOT);
	ck_assert_int_eq(qgtm_audit_append_records(chain, none), 0);
	ck_assert_int_eq(access(chain, F_OK), -1);
	json_decref(none);
}
END_TEST

START_TEST(test_append_verify)
{
	struct qgtm_audit_summary sum;
	struct qgtm_merkle tree;
	char *text, *lines[MAX_LINES], hash[65], prev[65] = ZERO_HASH;
	json_t *e;
	int i, n;

	append_n(0, 3);
	append_n(3, 2);
	verify_ok(5, &sum);
	n = chain_lines(&text, lines);
	ck_assert_int_eq(n, 5);
	qgtm_merkle_init(&tree);
	for (i = 0; i < n; i++) {
		e = json_loads(lines[i], 0, NULL);
		ck_assert_ptr_nonnull(e);
		ck_assert_int_eq(json_integer_value(json_object_get(e, "seq")), i);
		ck_assert_str_eq(json_string_value(json_object_get(e, "prev")),
		    prev);
		ck_assert_str_eq(json_string_value(json_object_get(e, "ts")),
		    "2026-04-12T22:00:00Z");
		ck_assert_int_eq(json_integer_value(json_object_get(
		    json_object_get(e, "rec"), "i")), i);
		recompute(e, hash);
		ck_assert_str_eq(json_string_value(json_object_get(e, "hash")),
		    hash);
		memcpy(prev, hash, sizeof prev);
		qgtm_merkle_add(&tree, lines[i], strlen(lines[i]));
		json_decref(e);
	}
	ck_assert_str_eq(sum.head, prev);
	qgtm_merkle_root(&tree, hash);
	ck_assert_str_eq(sum.root, hash);
	free(text);
}
END_TEST

START_TEST(test_canonical_bytes)
{
	char *text, *lines[MAX_LINES], *form;
	json_t *recs, *e;

	recs = json_pack("[{s:s, s:{s:s, s:i}, s:s}]", "type", "fill",
	    "z", "b", "é/\"\\", "a", 1, "a", "x");
	ck_assert_int_eq(qgtm_audit_append_records(chain, recs), 0);
	ck_assert_int_eq(chain_lines(&text, lines), 1);
	e = json_loads(lines[0], 0, NULL);
	form = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_str_eq(lines[0], form);
	/* Keys sorted at every depth, no blanks, UTF-8 as is. */
	ck_assert_ptr_nonnull(strstr(lines[0], "\"rec\":{\"a\":\"x\","
	    "\"type\":\"fill\",\"z\":{\"a\":1,\"b\":\"é/\\\"\\\\\"}}"));
	ck_assert_int_eq(strncmp(lines[0], "{\"hash\":\"", 9), 0);
	free(form);
	json_decref(e);
	json_decref(recs);
	free(text);
}
END_TEST

START_TEST(test_not_canonical)
{
	char *text, *lines[MAX_LINES], *spaced;
	int n;

	append_n(0, 3);
	n = chain_lines(&text, lines);
	spaced = qgtm_xasprintf("{ %s", lines[1] + 1);
	lines[1] = spaced;
	write_lines(lines, n);
	verify_fails(2, "seq 1: not in canonical form");
	free(spaced);
	free(text);
}
END_TEST

/*
 * A seq written as a real, with the hash made over the line as it is: the
 * quick check vouches for the real as canonical JSON, but a seq must be
 * an integer, so verify refuses the line as the parse does.
 */
START_TEST(test_real_seq)
{
	char *text, *lines[MAX_LINES], *real, *p, hex[65];
	unsigned char md[32];
	int n;

	append_n(0, 3);
	n = chain_lines(&text, lines);
	p = strstr(lines[1], ",\"seq\":1,");
	ck_assert_ptr_nonnull(p);
	real = qgtm_xasprintf("%.*s,\"seq\":1.0,%s", (int)(p - lines[1]),
	    lines[1], p + 9);
	qgtm_sha256_cat("{", 1, real + 75, strlen(real) - 75, md);
	qgtm_hash_hex(md, hex);
	memcpy(real + 9, hex, 64);
	lines[1] = real;
	write_lines(lines, n);
	verify_fails(2, "field 'seq': expected an integer");
	free(real);
	free(text);
}
END_TEST

START_TEST(test_tampered_rec)
{
	char *text, *lines[MAX_LINES], *p;
	int n;

	append_n(0, 5);
	n = chain_lines(&text, lines);
	p = strstr(lines[2], "\"i\":2");
	ck_assert_ptr_nonnull(p);
	p[4] = '7';
	write_lines(lines, n);
	verify_fails(3, "seq 2: hash mismatch");
	free(text);
}
END_TEST

START_TEST(test_deleted_line)
{
	char *text, *lines[MAX_LINES];
	int n;

	append_n(0, 5);
	n = chain_lines(&text, lines);
	memmove(&lines[2], &lines[3], (size_t)(n - 3) * sizeof lines[0]);
	write_lines(lines, n - 1);
	verify_fails(3, "seq 3: expected seq 2 (an entry is missing, "
	    "repeated or out of order)");
	free(text);
}
END_TEST

START_TEST(test_swapped_lines)
{
	char *text, *lines[MAX_LINES], *t;
	int n;

	append_n(0, 5);
	n = chain_lines(&text, lines);
	t = lines[1];
	lines[1] = lines[2];
	lines[2] = t;
	write_lines(lines, n);
	verify_fails(2, "seq 2: expected seq 1 (an entry is missing, "
	    "repeated or out of order)");
	free(text);
}
END_TEST

/* An entry rewritten with a recomputed hash still breaks the link. */
START_TEST(test_forged_entry)
{
	char *text, *lines[MAX_LINES], hash[65], *forged;
	json_t *e;
	int n;

	append_n(0, 3);
	n = chain_lines(&text, lines);
	e = json_loads(lines[1], 0, NULL);
	json_object_set_new(json_object_get(e, "rec"), "i", json_integer(99));
	recompute(e, hash);
	json_object_set_new(e, "hash", json_string(hash));
	forged = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
	lines[1] = forged;
	write_lines(lines, n);
	verify_fails(3, "seq 2: prev is not the hash of the entry before");
	free(forged);
	json_decref(e);
	free(text);
}
END_TEST

START_TEST(test_torn_last_line)
{
	char *before, *after;
	json_t *recs = json_pack("[{s:s}]", "type", "test");
	FILE *f;

	append_n(0, 3);
	f = fopen(chain, "a");
	fputs("{\"hash\":\"8c", f);
	fclose(f);
	/* Past the commit mark, it is an append that did not finish. */
	verify_fails(4, "uncommitted tail of 11 bytes (an append that did "
	    "not finish; qgtm-audit repair cuts it)");
	/* In a chain without a mark, a torn line as ever. */
	forget_mark();
	verify_fails(4, "torn last line (incomplete write)");
	before = unit_read_file(chain);
	ck_assert_int_eq(qgtm_audit_append_records(chain, recs), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_DATAERR);
	ck_assert_ptr_nonnull(strstr(qgtm_errmsg(), "torn last line"));
	after = unit_read_file(chain);
	ck_assert(strcmp(before, after) == 0);
	free(before);
	free(after);
	json_decref(recs);
}
END_TEST

/*
 * A complete last entry without its "\n" is torn too; repair completes
 * it, with the commit mark that commits it or without a mark.
 */
START_TEST(test_missing_final_newline)
{
	struct qgtm_audit_summary sum;
	char *text = NULL, *copy, *after;
	int mark;

	for (mark = 1; mark >= 0; mark--) {
		append_n(0, 2);
		text = unit_read_file(chain);
		ck_assert_int_eq(truncate(chain, (off_t)strlen(text) - 1), 0);
		if (!mark)
			forget_mark();
		verify_fails(2, "torn last line (incomplete write)");
		ck_assert_int_eq(qgtm_audit_repair(chain, &copy), 0);
		ck_assert_ptr_null(copy);
		verify_ok(2, &sum);
		after = unit_read_file(chain);
		ck_assert_str_eq(after, text);
		free(after);
		free(text);
		unlink(chain);
		forget_mark();
	}
}
END_TEST

START_TEST(test_bad_last_entry)
{
	json_t *recs = json_pack("[{s:s}]", "type", "test");
	FILE *f;

	append_n(0, 2);
	f = fopen(chain, "a");
	fputs("{\"seq\":2}\n", f);
	fclose(f);
	forget_mark();
	verify_fails(3, "missing field 'hash'");
	ck_assert_int_eq(qgtm_audit_append_records(chain, recs), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_DATAERR);
	ck_assert_ptr_nonnull(strstr(qgtm_errmsg(),
	    "chain.jsonl: last entry: missing field 'hash'"));
	json_decref(recs);
}
END_TEST

START_TEST(test_record_not_object)
{
	json_t *recs = json_pack("[{s:s}, i]", "type", "test", 5);

	ck_assert_int_eq(qgtm_audit_append_records(chain, recs), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_DATAERR);
	ck_assert_str_eq(qgtm_errmsg(), "record 2: not a JSON object");
	ck_assert_int_eq(access(chain, F_OK), -1);
	json_decref(recs);
}
END_TEST

/* A write cut short (here by RLIMIT_FSIZE) leaves the chain as it was. */
START_TEST(test_failed_write_truncates)
{
	struct qgtm_audit_summary sum;
	struct rlimit old, lim;
	char *before, *after, big[8192];
	json_t *recs;

	append_n(0, 2);
	before = unit_read_file(chain);
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	recs = json_pack("[{s:s, s:s}]", "type", "test", "pad", big);
	signal(SIGXFSZ, SIG_IGN);
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = strlen(before) + 4096;
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	ck_assert_int_eq(qgtm_audit_append_records(chain, recs), -1);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_IOERR);
	after = unit_read_file(chain);
	ck_assert_uint_eq(strlen(after), strlen(before));
	ck_assert(strcmp(before, after) == 0);
	verify_ok(2, &sum);
	free(before);
	free(after);
	json_decref(recs);
}
END_TEST

START_TEST(test_concurrent_appenders)
{
	struct qgtm_audit_summary sum;
	pid_t pid[4];
	int i, k, status;

	for (i = 0; i < 4; i++) {
		pid[i] = fork();
		ck_assert_int_ne(pid[i], -1);
		if (pid[i] == 0) {
			for (k = 0; k < 50; k++) {
				json_t *one = json_pack("[{s:s, s:i, s:i}]",
				    "type", "test", "child", i, "k", k);

				if (qgtm_audit_append_records(chain, one) == -1)
					_exit(1);
				json_decref(one);
			}
			_exit(0);
		}
	}
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(waitpid(pid[i], &status, 0), pid[i]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	verify_ok(200, &sum);
}
END_TEST

/* ------------------------------------------------------------ merkle -- */

/*
 * Known answers from google/certificate-transparency,
 * cpp/merkletree/merkle_tree_test.cc (kInputs, kSHA256EmptyTreeHash and
 * kSHA256Roots: the root after each of the 8 leaves is added).
 */
static const char *const leaves_hex[8] = {
	"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
	"606162636465666768696a6b6c6d6e6f"
};
static const char *const roots[9] = {
	EMPTY_ROOT,
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
};

/* hex -> bytes; returns the length. */
static size_t
unhex(const char *hex, unsigned char *out)
{
	size_t i, n = strlen(hex) / 2;
	unsigned int byte;

	for (i = 0; i < n; i++) {
		ck_assert_int_eq(sscanf(hex + 2 * i, "%2x", &byte), 1);
		out[i] = (unsigned char)byte;
	}
	return n;
}

START_TEST(test_merkle_vectors)
{
	struct qgtm_merkle m;
	unsigned char leaf[16];
	char root[65];
	int i;

	qgtm_merkle_init(&m);
	qgtm_merkle_root(&m, root);
	ck_assert_str_eq(root, roots[0]);
	for (i = 0; i < 8; i++) {
		qgtm_merkle_add(&m, leaf, unhex(leaves_hex[i], leaf));
		qgtm_merkle_root(&m, root);
		ck_assert_str_eq(root, roots[i + 1]);
	}
}
END_TEST

/* The root of the leaves of bytes 0..n-1 (1 byte each), by the recursive
 * definition of RFC 9162 2.1.1, as bytes. */
static void
mth(const unsigned char *d, int n, unsigned char md[32])
{
	unsigned char buf[65];
	int k;

	if (n == 1) {
		buf[0] = 0x00;
		buf[1] = d[0];
		EVP_Digest(buf, 2, md, NULL, EVP_sha256(), NULL);
		return;
	}
	for (k = 1; k * 2 < n; k *= 2)
		;
	buf[0] = 0x01;
	mth(d, k, buf + 1);
	mth(d + k, n - k, buf + 33);
	EVP_Digest(buf, 65, md, NULL, EVP_sha256(), NULL);
}

/* The incremental tree agrees with the recursive definition up to 70. */
START_TEST(test_merkle_recursive)
{
	struct qgtm_merkle m;
	unsigned char d[70], md[32];
	char root[65], want[65];
	int n, i;

	qgtm_merkle_init(&m);
	for (n = 1; n <= 70; n++) {
		d[n - 1] = (unsigned char)(n - 1);
		qgtm_merkle_add(&m, &d[n - 1], 1);
		mth(d, n, md);
		for (i = 0; i < 32; i++)
			snprintf(want + 2 * i, 3, "%02x", md[i]);
		qgtm_merkle_root(&m, root);
		ck_assert_msg(strcmp(root, want) == 0, "size %d", n);
	}
}
END_TEST

/* ------------------------------------------------------ mutations -- */

#define MUT_ENTRIES 10000
#define MUT_SLICES 10

/* The chain file as one string, and where each line starts. */
struct text {
	char *data;
	size_t len;
	size_t start[MUT_ENTRIES + 1];  /* start[MUT_ENTRIES] = len */
};

/* Replace path with the n bytes at p. */
static void
put_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(p, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}

/* Write n bytes at p as the chain. */
static void
write_bytes(const char *p, size_t n)
{
	put_file(chain, p, n);
	forget_mark();
}

/* Line i (from 0) of t, with its newline. */
#define LINE(t, i) ((t)->data + (t)->start[i])
#define LINELEN(t, i) ((t)->start[(i) + 1] - (t)->start[i])

/*
 * One random mutation of t into b; returns the first bad line (from 1)
 * verify must name. Lines are picked so that the damage can show without
 * a root kept elsewhere: never the last line for a deletion or an
 * insertion (dropping or adding whole entries at the end leaves a valid,
 * shorter or longer chain, which only a consistency proof exposes).
 */
static unsigned long
mutate(const struct text *t, struct qgtm_buf *b, int kind, unsigned *seed)
{
	size_t i = (size_t)rand_r(seed) % (MUT_ENTRIES - 1), j, off;
	char *forged, hash[65];
	json_t *e;

	qgtm_buf_reset(b);
	switch (kind) {
	case 0:         /* flip one byte of line i */
		off = t->start[i] + (size_t)rand_r(seed) % LINELEN(t, i);
		qgtm_buf_add(b, t->data, t->len);
		b->data[off] ^= (char)(1 + rand_r(seed) % 255);
		return i + 1;
	case 1:         /* delete line i */
		qgtm_buf_add(b, t->data, t->start[i]);
		qgtm_buf_add(b, LINE(t, i + 1), t->len - t->start[i + 1]);
		return i + 1;
	case 2:         /* swap lines i and j > i */
		j = i + 1 + (size_t)rand_r(seed) % (MUT_ENTRIES - 1 - i);
		qgtm_buf_add(b, t->data, t->start[i]);
		qgtm_buf_add(b, LINE(t, j), LINELEN(t, j));
		qgtm_buf_add(b, LINE(t, i + 1), t->start[j] - t->start[i + 1]);
		qgtm_buf_add(b, LINE(t, i), LINELEN(t, i));
		qgtm_buf_add(b, LINE(t, j + 1), t->len - t->start[j + 1]);
		return i + 1;
	case 3:         /* insert before line i a forged entry whose own
			   hash, prev and seq are right: line i + 1 breaks */
		e = json_loadb(LINE(t, i), LINELEN(t, i) - 1, 0, NULL);
		json_object_set_new(e, "rec", json_pack("{s:s}", "type",
		    "forged"));
		recompute(e, hash);
		json_object_set_new(e, "hash", json_string(hash));
		forged = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
		qgtm_buf_add(b, t->data, t->start[i]);
		qgtm_buf_addf(b, "%s\n", forged);
		qgtm_buf_add(b, LINE(t, i), t->len - t->start[i]);
		free(forged);
		json_decref(e);
		return i + 2;
	default:        /* truncate inside line i */
		off = t->start[i] + 1 + (size_t)rand_r(seed) %
		    (LINELEN(t, i) - 1);
		qgtm_buf_add(b, t->data, off);
		return i + 1;
	}
}

/*
 * 1,000 random mutations of a 10,000-entry chain (flip a byte, delete a
 * line, swap two lines, insert a forged line with a correct local hash,
 * truncate): verify catches each and names the first bad line. Run as
 * MUT_SLICES loop iterations of 1000 / MUT_SLICES mutations each (own
 * seed, own process), so that no single test runs long.
 */
START_TEST(test_random_mutations)
{
	static struct text t;
	struct qgtm_audit_summary sum;
	struct qgtm_buf b;
	unsigned seed = 20260412 + (unsigned)_i;
	unsigned long want;
	size_t i, n = 0;
	int k;

	/* Odd slices: two threads, chunks of a few lines. */
	if (_i % 2)
		qgtm_audit_set_walk(2, 700);
	append_n(0, MUT_ENTRIES);
	t.data = unit_read_file(chain);
	t.len = strlen(t.data);
	for (i = 0; i < t.len; i++)
		if (i == 0 || t.data[i - 1] == '\n')
			t.start[n++] = i;
	ck_assert_uint_eq(n, MUT_ENTRIES);
	t.start[n] = t.len;
	qgtm_buf_init(&b, 2 * t.len + 1024);
	for (k = 0; k < 1000 / MUT_SLICES; k++) {
		want = mutate(&t, &b, k % 5, &seed);
		write_bytes(b.data, b.len);
		ck_assert_int_eq(qgtm_audit_verify(chain, &sum), -1);
		ck_assert_int_eq(qgtm_errcode(), QGTM_EX_NO);
		ck_assert_msg(sum.bad_line == want, "mutation %d (kind %d): "
		    "bad line %lu, want %lu: %s", k, k % 5, sum.bad_line, want,
		    qgtm_errmsg());
	}
	qgtm_buf_release(&b);
	free(t.data);
}
END_TEST

/* Verify with threads and chunk: its result, summary and message. */
static int
verify_with(int threads, size_t chunk, struct qgtm_audit_summary *sum,
    char **msg)
{
	int rc;

	qgtm_audit_set_walk(threads, chunk);
	rc = qgtm_audit_verify(chain, sum);
	*msg = qgtm_xstrdup(rc == -1 ? qgtm_errmsg() : "");
	return rc;
}

/*
 * A walk with a second thread reading and hashing ahead reports what
 * one thread does: the same root when all is well, the same first bad
 * line and message with a bad line in either half of the chain, which
 * spans many chunks.
 */
START_TEST(test_walk_threads)
{
	static const int bad[] = { -1, 30, 170, 199 };
	struct qgtm_audit_summary one, two;
	char *text, *lines[MAX_LINES], *m1, *m2, *p = NULL;
	size_t k;
	int n, r1, r2;

	append_n(0, 200);
	for (k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		n = chain_lines(&text, lines);
		ck_assert_int_eq(n, 200);
		if (bad[k] >= 0) {
			p = strstr(lines[bad[k]], "\"type\":\"test\"");
			ck_assert_ptr_nonnull(p);
			p[8] = 'T';
			write_lines(lines, n);
		}
		r1 = verify_with(1, 0, &one, &m1);
		r2 = verify_with(2, 1000, &two, &m2);
		ck_assert_int_eq(r1, bad[k] >= 0 ? -1 : 0);
		ck_assert_int_eq(r2, r1);
		ck_assert_str_eq(m2, m1);
		ck_assert_uint_eq(one.bad_line, (unsigned long)(bad[k] + 1));
		ck_assert_uint_eq(two.bad_line, one.bad_line);
		ck_assert_uint_eq(two.entries, one.entries);
		ck_assert_str_eq(two.root, one.root);
		ck_assert_str_eq(two.head, one.head);
		ck_assert_int_eq(two.good_bytes, one.good_bytes);
		free(m1);
		free(m2);
		if (bad[k] >= 0) {      /* undo it */
			p[8] = 't';
			write_lines(lines, n);
		}
		free(text);
	}
	ck_assert_int_eq(qgtm_audit_walk_threads(), 2);
}
END_TEST

/* ------------------------------------------------- quick checks -- */

/*
 * A random JSON value of depth at most d, mostly of the subset that
 * qgtm_json_canon vouches for, sometimes not (a real, an escape,
 * non-ASCII text), so that both answers happen.
 */
static json_t *
random_value(unsigned *seed, int d)
{
	static const char *const words[] = { "a", "a!", "b", "", "type",
	    "qty\n", "caf\xc3\xa9", "x/y", "A", "trace_id", "\"q\"", "~",
	    "a_key_longer_than_16", "text with \"q\" past eight",
	    "past eight\tthen a tab", "nine bytes, caf\xc3\xa9",
	    "DEL past the eighth: \x7f", "sixteen byte key" };
	enum { NWORDS = sizeof words / sizeof words[0] };
	json_t *v;
	int i, n, kind = rand_r(seed) % (d > 0 ? 9 : 7);

	switch (kind) {
	case 0: return json_integer((json_int_t)rand_r(seed) - RAND_MAX / 2);
	case 1: return json_integer(rand_r(seed) % 3 - 1);
	case 2: return json_real(rand_r(seed) / 7.0);
	case 3: return json_string(words[rand_r(seed) % NWORDS]);
	case 4: return json_true();
	case 5: return json_false();
	case 6: return json_null();
	case 7:
		v = json_array();
		for (i = 0, n = rand_r(seed) % 4; i < n; i++)
			json_array_append_new(v, random_value(seed, d - 1));
		return v;
	default:
		v = json_object();
		for (i = 0, n = rand_r(seed) % 5; i < n; i++)
			json_object_set_new(v, words[rand_r(seed) % NWORDS],
			    random_value(seed, d - 1));
		return v;
	}
}

/* If qgtm_json_canon vouches for all of s, jansson gives s back. */
static int
canon_holds(const char *s, size_t n)
{
	json_t *v;
	char *back;
	int same;

	if (qgtm_json_canon(s, s + n) != s + n)
		return 0;
	v = json_loadb(s, n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
	ck_assert_msg(v != NULL, "vouched for invalid JSON '%.*s'", (int)n, s);
	back = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	same = strlen(back) == n && memcmp(back, s, n) == 0;
	ck_assert_msg(same, "vouched for '%.*s', canonical '%s'", (int)n, s,
	    back);
	free(back);
	json_decref(v);
	return 1;
}

/*
 * qgtm_json_canon against jansson: for 20,000 random values in canonical
 * form and every one-byte change of each, whatever it vouches for parses
 * and dumps back to the same bytes; and it vouches for most plain values.
 */
START_TEST(test_json_canon)
{
	unsigned seed = 7;
	size_t i, n, vouched = 0, plain = 0;
	char *s;
	json_t *v;
	int k;

	for (k = 0; k < 20000; k++) {
		v = random_value(&seed, 3);
		s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS |
		    JSON_ENCODE_ANY);
		n = strlen(s);
		plain += strpbrk(s, "\\\xc3\x7f") == NULL;
		vouched += canon_holds(s, n);
		i = (size_t)rand_r(&seed) % n;
		s[i] = "{}[]\",:-0123 .eE\\az"[rand_r(&seed) % 20];
		canon_holds(s, n);
		canon_holds(s, i);
		free(s);
		json_decref(v);
	}
	ck_assert_uint_eq(vouched, plain);
	ck_assert_uint_gt(plain, 5000);
	ck_assert_ptr_null(qgtm_json_canon("-0", "-0" + 2));
	ck_assert_ptr_null(qgtm_json_canon("{\"b\":1,\"a\":2}", "{\"b\":1,\"a\":2}" + 13));
	ck_assert_ptr_null(qgtm_json_canon("{\"a\":1,\"a\":2}", "{\"a\":1,\"a\":2}" + 13));
}
END_TEST

/*
 * Strings of 0 to 40 bytes, a byte c put at each place i in turn:
 * qgtm_json_canon, which looks at eight bytes at a time, finds exactly
 * what a look at each byte finds: a '"' ends the string there, a
 * control, '\\', DEL or a byte above it refuses it, and the bytes
 * next to those values (0x20, '!', '#', '[', ']', '~') pass.
 */
START_TEST(test_json_canon_strings)
{
	static const unsigned char stop[] = { 0x00, 0x01, 0x1f, '\\', 0x7f,
	    0x80, 0xc3, 0xff };
	static const unsigned char pass[] = { 0x20, '!', '#', '[', ']', '~',
	    'a', '0' };
	char s[44];
	size_t len, i, k;

	for (len = 0; len <= 40; len++) {
		s[0] = '"';
		memset(s + 1, 'x', len);
		s[len + 1] = '"';
		ck_assert_ptr_eq(qgtm_json_canon(s, s + len + 2), s + len + 2);
		ck_assert_ptr_null(qgtm_json_canon(s, s + len + 1));
		for (i = 1; i <= len; i++) {
			for (k = 0; k < sizeof stop; k++) {
				s[i] = (char)stop[k];
				ck_assert_msg(qgtm_json_canon(s, s + len + 2)
				    == NULL, "byte 0x%02x at %zu of %zu", stop[k],
				    i, len);
			}
			for (k = 0; k < sizeof pass; k++) {
				s[i] = (char)pass[k];
				ck_assert_msg(qgtm_json_canon(s, s + len + 2)
				    == s + len + 2, "byte 0x%02x at %zu of %zu",
				    pass[k], i, len);
			}
			s[i] = '"';
			ck_assert_ptr_eq(qgtm_json_canon(s, s + len + 2),
			    s + i + 1);
			s[i] = 'x';
		}
	}
}
END_TEST

/* Does qgtm_json_canon vouch for all of the real s? */
static int
canon_real(const char *s)
{
	return qgtm_json_canon(s, s + strlen(s)) == s + strlen(s);
}

/*
 * Reals: jansson's dump of 20,000 doubles of random bits (every finite
 * one) is vouched for and loads and dumps back the same; reals in any
 * other form are not.
 */
START_TEST(test_json_canon_reals)
{
	static const char *const bad[] = { "0.4", "0.1", "1e+20", "1E20",
		"1.0e5", "1e05", "1.50", "01.5", "-01.5", "1e400", "-1e400",
		"1.", ".5", "1e", "1.5e", "+1.5", "1.5.1", "0x1p3", "1e-400",
		"1e-5" };
	static const char *const good[] = { "0.40000000000000002", "1e20",
		"1.5", "-0.0", "0.0", "100.0", "1.0000000000000001e-5",
		"-1.7976931348623157e308", "4.9406564584124654e-324", "1e22" };
	unsigned seed = 11;
	uint64_t bits;
	json_t *v;
	double d;
	size_t i;
	char *s;
	int k;

	for (k = 0; k < 20000; k++) {
		bits = (uint64_t)rand_r(&seed) << 33 ^
		    (uint64_t)rand_r(&seed) << 11 ^ (uint64_t)rand_r(&seed);
		memcpy(&d, &bits, sizeof d);
		if (!isfinite(d))
			continue;
		v = json_real(d);
		s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		ck_assert_msg(canon_holds(s, strlen(s)), "not vouched for: %s",
		    s);
		free(s);
		json_decref(v);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(!canon_real(bad[i]), "vouched for %s", bad[i]);
	for (i = 0; i < sizeof good / sizeof good[0]; i++)
		ck_assert_msg(canon_holds(good[i], strlen(good[i])),
		    "not vouched for %s", good[i]);
}
END_TEST

/* The answers of qgtm_audit_tree for size n (root, a proof of i). */
static void
tree_answers(uint64_t i, char root[65], unsigned char (*p)[32], size_t *len)
{
	struct qgtm_audit_summary sum;
	struct qgtm_mtree t;

	ck_assert_msg(qgtm_audit_tree(chain, &sum, &t) == 0, "%s",
	    qgtm_errmsg());
	memcpy(root, sum.root, 65);
	ck_assert_int_eq(qgtm_mtree_prove(&t, i, t.size, p, len), 0);
	qgtm_mtree_release(&t);
}

/*
 * The index: the first tree writes it, later ones map it and answer the
 * same; an append keeps it current; verify checks every node of it, and
 * that it covers no more than the chain.
 */
START_TEST(test_index)
{
	unsigned char p1[QGTM_MERKLE_MAX_PROOF][32], p2[QGTM_MERKLE_MAX_PROOF][32];
	struct qgtm_audit_summary sum, isum;
	char r1[65], r2[65], *idx = qgtm_xasprintf("%s.idx", chain), *text;
	struct qgtm_mtree t;
	size_t l1, l2, len;
	FILE *f;

	append_n(0, 37);
	tree_answers(5, r1, p1, &l1);
	ck_assert_int_eq(qgtm_audit_index_open(chain, &t, &isum), 0);
	ck_assert_uint_eq(isum.entries, 37);
	qgtm_mtree_release(&t);
	tree_answers(5, r2, p2, &l2);
	ck_assert_str_eq(r1, r2);
	ck_assert_uint_eq(l1, l2);
	ck_assert_mem_eq(p1, p2, 32 * l1);
	verify_ok(37, &sum);
	ck_assert_str_eq(sum.root, r1);

	append_n(37, 30);
	/* The append extended it, before any tree was asked for. */
	ck_assert_int_eq(qgtm_audit_index_open(chain, &t, &isum), 0);
	ck_assert_uint_eq(isum.entries, 67);
	qgtm_mtree_release(&t);
	tree_answers(5, r2, p2, &l2);
	verify_ok(67, &sum);
	ck_assert_str_eq(sum.root, r2);

	/* One node changed: verify names the entry that made it. */
	f = fopen(idx, "r+");
	ck_assert_ptr_nonnull(f);
	fseek(f, 64 + 32 * (2 * 40 - 2) + 3, SEEK_SET);     /* leaf 40 */
	fputc('!', f);
	fclose(f);
	ck_assert_int_eq(qgtm_audit_verify(chain, &sum), -1);
	ck_assert_ptr_nonnull(strstr(qgtm_errmsg(), "seq 40: the index"));

	/* Whole entries cut off the end: valid chain, index says more. */
	unlink(idx);
	tree_answers(0, r2, p2, &l2);
	text = unit_read_file(chain);
	len = strlen(text) - 1;
	while (len > 0 && text[len - 1] != '\n')
		len--;
	write_bytes(text, len);
	free(text);
	ck_assert_int_eq(qgtm_audit_verify(chain, &sum), -1);
	ck_assert_ptr_nonnull(strstr(qgtm_errmsg(), "covers 67 entries"));

	/* A damaged index: verify says so; a tree rebuilds it. */
	unit_write_file(idx, "QGTMIDX1 short");
	ck_assert_int_eq(qgtm_audit_verify(chain, &sum), -1);
	ck_assert_ptr_nonnull(strstr(qgtm_errmsg(), "damaged"));
	tree_answers(0, r2, p2, &l2);
	verify_ok(66, &sum);
	free(idx);
}
END_TEST

/* The chain's lines as a tree built from scratch, into t. */
static void
scratch_tree(struct qgtm_mtree *t)
{
	char *text, *lines[MAX_LINES];
	int i, n = chain_lines(&text, lines);

	qgtm_mtree_init(t);
	for (i = 0; i < n; i++)
		qgtm_mtree_add(t, lines[i], strlen(lines[i]));
	free(text);
}

/* The index holds exactly the nodes of a tree built from scratch, and
 * gives the same root and proofs of every leaf and every old size. */
static void
index_is_scratch(uint64_t n)
{
	unsigned char a[QGTM_MERKLE_MAX_PROOF][32], b[QGTM_MERKLE_MAX_PROOF][32];
	struct qgtm_audit_summary isum;
	struct qgtm_mtree t, s;
	size_t la, lb;
	uint64_t i;

	ck_assert_int_eq(qgtm_audit_index_open(chain, &t, &isum), 0);
	scratch_tree(&s);
	ck_assert_uint_eq(isum.entries, n);
	ck_assert_uint_eq(t.size, n);
	ck_assert_uint_eq(s.size, n);
	ck_assert_uint_eq(t.nnodes, s.nnodes);
	ck_assert_mem_eq(t.node, s.node, 32 * s.nnodes);
	ck_assert_int_eq(qgtm_mtree_root(&t, n, a[0]), 0);
	ck_assert_int_eq(qgtm_mtree_root(&s, n, b[0]), 0);
	ck_assert_mem_eq(a[0], b[0], 32);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(qgtm_mtree_prove(&t, i, n, a, &la), 0);
		ck_assert_int_eq(qgtm_mtree_prove(&s, i, n, b, &lb), 0);
		ck_assert_uint_eq(la, lb);
		ck_assert_mem_eq(a, b, 32 * la);
		ck_assert_int_eq(qgtm_mtree_consistency(&t, i + 1, n, a, &la),
		    0);
		ck_assert_int_eq(qgtm_mtree_consistency(&s, i + 1, n, b, &lb),
		    0);
		ck_assert_uint_eq(la, lb);
		ck_assert_mem_eq(a, b, 32 * la);
	}
	qgtm_mtree_release(&s);
	qgtm_mtree_release(&t);
}

/*
 * Append keeps the index current: appending 1..N entries one at a time
 * (and a batch of several), the index after each append, before any
 * tree is asked for, equals a tree built from scratch, node for node,
 * with the same root and proofs.
 */
START_TEST(test_index_follows_append)
{
	struct qgtm_audit_summary sum;
	struct qgtm_mtree t;
	uint64_t n;

	append_n(0, 1);
	ck_assert_int_eq(qgtm_audit_tree(chain, &sum, &t), 0);    /* built */
	qgtm_mtree_release(&t);
	for (n = 2; n <= 40; n++) {
		append_n((int)n - 1, 1);
		index_is_scratch(n);
	}
	append_n(40, 13);
	index_is_scratch(53);
	verify_ok(53, &sum);
}
END_TEST

/* The inode of path. */
static ino_t
inode_of(const char *path)
{
	struct stat st;

	ck_assert_int_eq(stat(path, &st), 0);
	return st.st_ino;
}

/*
 * A stale index (one an older program left, or a failed extension) whose
 * last entry is still where it says is extended from its end in place,
 * not rebuilt (the same file); one whose chain was rewritten under it is
 * rebuilt; one longer than its header says (nodes appended, then a kill
 * before the header) still holds for its header's entries, and the next
 * extension cuts the rest; one shorter is damaged and rebuilt. Each
 * gives the answers of a tree built from scratch.
 */
START_TEST(test_index_stale)
{
	char *idx = qgtm_xasprintf("%s.idx", chain), *old, *text;
	char *lines[MAX_LINES];
	struct qgtm_audit_summary sum;
	struct qgtm_mtree t;
	size_t oldlen;
	ino_t ino;
	FILE *f;

	append_n(0, 21);
	ck_assert_int_eq(qgtm_audit_tree(chain, &sum, &t), 0);
	qgtm_mtree_release(&t);
	old = unit_read_file(idx);
	oldlen = 64 + 32 * (2 * 21 - 3);
	append_n(21, 17);
	put_file(idx, old, oldlen);    /* stale: 21 of 38 */
	ino = inode_of(idx);
	ck_assert_int_eq(qgtm_audit_tree(chain, &sum, &t), 0);
	ck_assert_uint_eq(t.size, 38);
	ck_assert_uint_eq(sum.entries, 38);
	qgtm_mtree_release(&t);
	ck_assert_uint_eq(inode_of(idx), ino);
	index_is_scratch(38);
	verify_ok(38, &sum);

	/* Nodes appended, then killed before the header: the header still
	 * holds for its prefix; the next append cuts the rest and extends. */
	f = fopen(idx, "a");
	ck_assert_ptr_nonnull(f);
	fwrite(old + 64, 32, 3, f);
	fclose(f);
	verify_ok(38, &sum);
	ino = inode_of(idx);
	append_n(38, 1);
	ck_assert_uint_eq(inode_of(idx), ino);
	index_is_scratch(39);
	/* Shorter than its header says: damaged, rebuilt. */
	text = unit_read_file(idx);
	put_file(idx, text, 64 + 32 * 10);
	free(text);
	ck_assert_int_eq(qgtm_audit_verify(chain, &sum), -1);
	ck_assert_ptr_nonnull(strstr(qgtm_errmsg(), "damaged"));
	ck_assert_int_eq(qgtm_audit_tree(chain, &sum, &t), 0);
	qgtm_mtree_release(&t);
	index_is_scratch(39);

	/* The chain rewritten from entry 10 on: its last entry is not where
	 * the index says, so it is rebuilt, not extended over a fork. */
	ck_assert_int_eq(chain_lines(&text, lines), 39);
	write_lines(lines, 10);
	free(text);
	put_file(idx, old, oldlen);
	append_n(100, 30);
	put_file(idx, old, oldlen);
	ck_assert_int_eq(qgtm_audit_tree(chain, &sum, &t), 0);
	ck_assert_uint_eq(t.size, 40);
	qgtm_mtree_release(&t);
	index_is_scratch(40);
	verify_ok(40, &sum);
	free(old);
	free(idx);
}
END_TEST

/* A new Ed25519 key: its PEM text (free()) and base64 public key. */
static char *
new_key(char pub64[45])
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	unsigned char pub[32];
	size_t publen = sizeof pub;
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *pem;
	long len;

	ck_assert_ptr_nonnull(key);
	ck_assert_int_eq(PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0,
	    NULL, NULL), 1);
	len = BIO_get_mem_data(bio, &data);
	pem = qgtm_xmalloc((size_t)len + 1);
	memcpy(pem, data, (size_t)len);
	pem[len] = '\0';
	ck_assert_int_eq(EVP_PKEY_get_raw_public_key(key, pub, &publen), 1);
	EVP_EncodeBlock((unsigned char *)pub64, pub, 32);
	BIO_free(bio);
	EVP_PKEY_free(key);
	return pem;
}

/* Append rec (a JSON text) as one record. */
static void
append_text(const char *rec)
{
	json_t *recs = json_pack("[o]", json_loads(rec, 0, NULL));

	ck_assert_int_eq(qgtm_audit_append_records(chain, recs), 0);
	json_decref(recs);
}

/*
 * A checkpoint signs (size, root) of the entries before it and verify
 * checks it: against its own key, or the configured one; a changed
 * signature, another key, a size or a root that is not the chain's fail.
 */
START_TEST(test_checkpoint)
{
	struct qgtm_audit_summary sum;
	char pub[45], other[45], *pem = new_key(pub), *pem2 = new_key(other);
	struct qgtm_checkpoint c;
	char *forged, *text;
	struct qgtm_mtree t;
	json_t *rec;

	append_n(0, 5);
	ck_assert_msg(qgtm_audit_checkpoint(chain, pem, &rec) == 0, "%s",
	    qgtm_errmsg());
	ck_assert_int_eq(json_integer_value(json_object_get(rec, "size")), 5);
	ck_assert_str_eq(json_string_value(json_object_get(rec, "key")), pub);
	json_decref(rec);
	append_n(5, 3);
	ck_assert_int_eq(qgtm_audit_checkpoint(chain, pem2, &rec), 0);
	json_decref(rec);
	verify_ok(10, &sum);
	ck_assert_int_eq(qgtm_audit_verify_key(chain, pub, &sum), -1);
	ck_assert_ptr_nonnull(strstr(qgtm_errmsg(), "seq 9: checkpoint: "
	    "signed by another key"));
	ck_assert_int_eq(qgtm_audit_checkpoint(chain, "not a key", &rec), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_DATAERR);

	/* A checkpoint of the right size and root with a bad signature. */
	text = unit_read_file(chain);
	ck_assert_int_eq(qgtm_audit_tree(chain, &sum, &t), 0);
	qgtm_mtree_release(&t);
	forged = qgtm_xasprintf("{\"key\":\"%s\",\"origin\":\"qgtm-audit\","
	    "\"root\":\"%s\",\"sig\":\"%.86s==\",\"size\":10,"
	    "\"type\":\"audit_checkpoint\",\"v\":1}", pub, sum.root,
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	append_text(forged);
	/* No key configured: no signature is trusted, so none is checked;
	 * with the key, the forged one fails. */
	verify_ok(11, &sum);
	ck_assert_int_eq(qgtm_checkpoint_from_line(forged, strlen(forged), &c),
	    0);
	ck_assert_int_eq(qgtm_checkpoint_signed_by(&c, pub), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_NO);
	ck_assert_str_eq(qgtm_errmsg(), "checkpoint of size 10: bad "
	    "signature, or not by audit.checkpoint_pubkey");
	free(forged);

	/* The first checkpoint's record again: its size and root are old. */
	write_bytes(text, strlen(text));
	forged = qgtm_xstrdup(strstr(text, "{\"key\""));
	strstr(forged, "},\"seq\"")[1] = '\0';       /* keep rec's '}' */
	append_text(forged);
	verify_fails(11, "seq 10: checkpoint: size is not 10, the entries "
	    "before it");
	free(forged);
	free(text);
	free(pem);
	free(pem2);
}
END_TEST

/*
 * The published anchor: a chain extends its checkpoint; one cut before
 * it, one that lost it, one rewritten below it fail; the witness line
 * reads back to the same checkpoint; qgtm_audit_published finds it in
 * audit.checkpoint_file, and none with none published. The kill switch's
 * walk (qgtm_audit_walk_against) fails alike on each, with the same
 * message.
 */
/* qgtm_audit_walk_against fails against c with msg in its message. */
static void
walk_fails(const struct qgtm_checkpoint *c, const char *msg)
{
	struct qgtm_audit_summary sum;

	ck_assert_int_eq(qgtm_audit_walk_against(chain, c, &sum, NULL, NULL),
	    -1);
	ck_assert_msg(strstr(qgtm_errmsg(), msg) != NULL, "%s", qgtm_errmsg());
}

START_TEST(test_published)
{
	struct qgtm_audit_summary sum;
	struct qgtm_checkpoint c, w;
	struct qgtm_cfg cfg;
	char pub[45], *pem = new_key(pub), line[512], *text, *yaml, *dir,
	    *lines[MAX_LINES], *idx;
	json_t *rec, *done;
	int n;

	append_n(0, 4);
	ck_assert_int_eq(qgtm_audit_checkpoint(chain, pem, &rec), 0);
	ck_assert_int_eq(qgtm_checkpoint_from_record(rec, &c), 0);
	snprintf(c.where, sizeof c.where, "test");
	append_n(4, 2);
	ck_assert_msg(qgtm_audit_verify_against(chain, pub, &c, &sum, NULL) ==
	    0, "%s", qgtm_errmsg());
	ck_assert_msg(qgtm_audit_walk_against(chain, &c, &sum, NULL, NULL) ==
	    0, "%s", qgtm_errmsg());
	ck_assert_uint_eq(sum.entries, 7);
	qgtm_checkpoint_witness(&c, line, sizeof line);
	ck_assert_int_eq(qgtm_checkpoint_from_line(line, strlen(line), &w), 0);
	ck_assert_int_eq(memcmp(w.root, c.root, 32), 0);
	ck_assert_int_eq(memcmp(w.sig, c.sig, 64), 0);
	ck_assert_int_eq(qgtm_checkpoint_signed_by(&w, pub), 0);

	/* Cut to the 4 entries before the checkpoint: cut, no index. */
	n = chain_lines(&text, lines);
	ck_assert_int_eq(n, 7);
	idx = qgtm_xasprintf("%s.idx", chain);
	unlink(idx);
	write_lines(lines, 4);
	ck_assert_int_eq(qgtm_audit_verify_against(chain, pub, &c, &sum, NULL),
	    -1);
	ck_assert_ptr_nonnull(strstr(qgtm_errmsg(), "has 4 entries, but the "
	    "published checkpoint (test) is entry 4"));
	walk_fails(&c, "has 4 entries, but the published checkpoint (test) is "
	    "entry 4");
	/* The checkpoint's line replaced by a record: missing. */
	write_lines(lines, 4);
	append_n(4, 3);
	ck_assert_int_eq(qgtm_audit_verify_against(chain, pub, &c, &sum, NULL),
	    -1);
	ck_assert_ptr_nonnull(strstr(qgtm_errmsg(), "chain.jsonl:5: seq 4: the "
	    "published checkpoint (test) is missing here"));
	walk_fails(&c, "chain.jsonl:5: seq 4: the published checkpoint (test) "
	    "is missing here");
	/* Rewritten below it: another first record, all hashes anew. */
	write_lines(lines, 0);
	append_n(100, 7);
	unlink(idx);
	ck_assert_int_eq(qgtm_audit_verify_against(chain, pub, &c, &sum, NULL),
	    -1);
	ck_assert_ptr_nonnull(strstr(qgtm_errmsg(), "chain.jsonl:5: the 4 "
	    "entries before this one do not have the root"));
	walk_fails(&c, "chain.jsonl:5: the 4 entries before this one do not "
	    "have the root");

	/* Published through audit.checkpoint_file, read back. */
	yaml = qgtm_xasprintf("audit:\n  checkpoint_file: published.jsonl\n"
	    "  checkpoint_pubkey: \"%s\"\n", pub);
	dir = unit_state_cfg(&cfg, yaml);
	ck_assert_int_eq(qgtm_audit_published(&cfg, NULL, &w), 0);
	done = qgtm_audit_publish(&cfg, rec);
	ck_assert_ptr_nonnull(done);
	ck_assert_int_eq(qgtm_audit_published(&cfg, NULL, &w), 1);
	ck_assert_uint_eq(w.size, 4);
	ck_assert_int_eq(memcmp(w.root, c.root, 32), 0);
	json_decref(done);
	qgtm_cfg_release(&cfg);
	json_decref(rec);
	free(yaml);
	free(dir);
	free(idx);
	free(text);
	free(pem);
}
END_TEST

/* repair cuts a torn last line off and keeps it; refuses other damage. */
START_TEST(test_repair)
{
	struct qgtm_audit_summary sum;
	char *text, *lines[MAX_LINES], *copy, *kept;
	size_t len;
	int n;

	append_n(0, 3);
	ck_assert_int_eq(qgtm_audit_repair(chain, &copy), 0);
	ck_assert_ptr_null(copy);
	text = unit_read_file(chain);
	len = strlen(text);
	write_bytes(text, len - 7);
	ck_assert_int_eq(qgtm_audit_verify(chain, &sum), -1);
	ck_assert_int_eq(sum.torn, 1);
	ck_assert_int_eq(qgtm_audit_repair(chain, &copy), 0);
	ck_assert_ptr_nonnull(copy);
	kept = unit_read_file(copy);
	text[len - 1] = '\0';
	ck_assert_int_eq(strncmp(kept, strrchr(text, '\n') + 1, strlen(kept)),
	    0);
	ck_assert_uint_eq(strlen(kept), strlen(strrchr(text, '\n') + 1) - 6);
	verify_ok(2, &sum);
	unlink(copy);
	free(copy);
	free(kept);
	free(text);
	n = chain_lines(&text, lines);
	lines[1][20] ^= 1;
	write_lines(lines, n);
	ck_assert_int_eq(qgtm_audit_repair(chain, &copy), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_DATAERR);
	ck_assert_ptr_null(copy);
	free(text);
}
END_TEST

/* The commit mark's path (a new allocation). */
static char *
mark_path(void)
{
	return qgtm_xasprintf("%s.commit", chain);
}

/*
 * The mark says what the chain commits; entries written past it (an
 * append killed between its fsync and its commit) are a tail that verify
 * and every reader refuse, append refuses, and repair cuts, keeping it.
 */
START_TEST(test_uncommitted_tail)
{
	struct qgtm_audit_summary sum;
	char *mark = mark_path(), *old, *text, *kept, *copy, want[128];
	json_t *recs = json_pack("[{s:s}]", "type", "test");

	append_n(0, 2);
	old = unit_read_file(mark);
	text = unit_read_file(chain);
	snprintf(want, sizeof want, "{\"bytes\":%zu,\"entries\":2,\"head\":"
	    "\"%.64s\"}\n", strlen(text), strstr(strchr(text, '\n'),
	    "{\"hash\":\"") + 9);
	ck_assert_str_eq(old, want);
	append_n(2, 3);
	unit_write_file(mark, old);     /* the commit never happened */
	verify_fails(3, "uncommitted tail of 642 bytes (an append that did "
	    "not finish; qgtm-audit repair cuts it)");
	ck_assert_int_eq(qgtm_audit_verify(chain, &sum), -1);
	ck_assert_int_eq(sum.torn, 1);
	ck_assert_int_eq(sum.good_bytes, (long long)strlen(text));
	ck_assert_ptr_null(qgtm_audit_trace(chain, "x"));
	ck_assert_int_eq(qgtm_audit_repair(chain, &copy), 0);
	ck_assert_ptr_nonnull(copy);
	kept = unit_read_file(copy);
	ck_assert_uint_eq(strlen(kept), 3 * (strlen(text) / 2));
	verify_ok(2, &sum);
	free(kept);
	kept = unit_read_file(chain);
	ck_assert_str_eq(kept, text);
	ck_assert_int_eq(qgtm_audit_append_records(chain, recs), 0);
	verify_ok(3, &sum);
	unlink(copy);
	free(copy);
	free(kept);
	free(text);
	free(old);
	free(mark);
	json_decref(recs);
}
END_TEST

/*
 * An append after a killed one cuts the uncommitted tail (keeping a copy)
 * instead of refusing: what was never acknowledged cannot block the next
 * record, such as a FLATTEN's.
 */
START_TEST(test_append_cuts_uncommitted_tail)
{
	struct qgtm_audit_summary sum;
	char *mark = mark_path(), *old, *copy;
	json_t *recs = json_pack("[{s:s}]", "type", "test");
	struct stat st;

	append_n(0, 2);
	old = unit_read_file(mark);
	append_n(2, 3);
	unit_write_file(mark, old);     /* the commit never happened */
	ck_assert_int_eq(qgtm_audit_append_records(chain, recs), 0);
	verify_ok(3, &sum);
	copy = qgtm_xasprintf("%s.torn-2026-04-12T22:00:00Z", chain);
	ck_assert_int_eq(stat(copy, &st), 0);
	ck_assert_int_gt(st.st_size, 0);
	unlink(copy);
	free(copy);
	free(old);
	free(mark);
	json_decref(recs);
}
END_TEST

/*
 * What the mark commits is never cut: a torn committed entry is refused
 * by repair (unless the mark is removed); a chain shorter than its mark,
 * or ending elsewhere, fails verify.
 */
START_TEST(test_committed_never_cut)
{
	struct qgtm_audit_summary sum;
	char *mark = mark_path(), *text, *copy, *old;

	append_n(0, 3);
	text = unit_read_file(chain);
	ck_assert_int_eq(truncate(chain, (off_t)strlen(text) - 7), 0);
	verify_fails(3, "torn last line (incomplete write)");
	ck_assert_int_eq(qgtm_audit_repair(chain, &copy), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_DATAERR);
	ck_assert_ptr_nonnull(strstr(qgtm_errmsg(), "a committed entry is "
	    "torn; refusing to cut what was acknowledged"));
	ck_assert_ptr_null(copy);
	/* A whole line short. */
	*(strrchr(text, '\n')) = '\0';
	*(strrchr(text, '\n') + 1) = '\0';
	unit_write_file(chain, text);
	ck_assert_int_eq(qgtm_audit_verify(chain, &sum), -1);
	ck_assert_ptr_nonnull(strstr(qgtm_errmsg(), "committed entries were "
	    "cut off its end"));
	ck_assert_int_eq(qgtm_audit_repair(chain, &copy), -1);
	/* Another chain's mark. */
	old = unit_read_file(mark);
	unlink(chain);
	forget_mark();
	append_n(5, 2);
	unit_write_file(mark, old);
	ck_assert_int_eq(qgtm_audit_verify(chain, &sum), -1);
	ck_assert_ptr_nonnull(strstr(qgtm_errmsg(), "its commit mark says"));
	unit_write_file(mark, "{\"bytes\":1}\n");
	ck_assert_int_eq(qgtm_audit_verify(chain, &sum), -1);
	ck_assert_ptr_nonnull(strstr(qgtm_errmsg(), "not a commit mark"));
	free(old);
	free(text);
	free(mark);
}
END_TEST

/*
 * A batch whose write, fsync or commit fails leaves the chain and its mark
 * as they were (QGTM_FAULT: the rename of the mark, the directory's fsync
 * after it), for a chain and for a first append that creates one.
 */
START_TEST(test_failed_commit_undone)
{
	static const char *const faults[] = {
		"write:1", "fsync:1", "write:2", "fsync:2", "rename:1", "fsync:3"
	};
	struct qgtm_audit_summary sum;
	char *mark = mark_path(), *text, *old, *now;
	json_t *recs = json_pack("[{s:s}, {s:s}]", "type", "a", "type", "b");
	size_t i;

	for (i = 0; i < sizeof faults / sizeof faults[0]; i++) {
		ck_assert_int_eq(qgtm_fault_setup(faults[i]), 0);
		ck_assert_int_eq(qgtm_audit_append_records(chain, recs), -1);
		ck_assert_int_eq(qgtm_fault_setup(""), 0);
		ck_assert_int_eq(access(chain, F_OK), -1);
		ck_assert_int_eq(access(mark, F_OK), -1);
	}
	append_n(0, 2);
	text = unit_read_file(chain);
	old = unit_read_file(mark);
	for (i = 0; i < sizeof faults / sizeof faults[0]; i++) {
		ck_assert_int_eq(qgtm_fault_setup(faults[i]), 0);
		ck_assert_int_eq(qgtm_audit_append_records(chain, recs), -1);
		ck_assert_int_eq(qgtm_fault_setup(""), 0);
		ck_assert_int_eq(qgtm_errcode(), QGTM_EX_IOERR);
		now = unit_read_file(chain);
		ck_assert_str_eq(now, text);
		free(now);
		now = unit_read_file(mark);
		ck_assert_str_eq(now, old);
		free(now);
		verify_ok(2, &sum);
	}
	free(old);
	free(text);
	free(mark);
	json_decref(recs);
}
END_TEST

/* A batch larger than the spool's memory goes through a temp file. */
START_TEST(test_large_batch)
{
	struct qgtm_audit_summary sum;
	json_t *recs = json_array();
	char pad[201];
	int i;

	memset(pad, 'p', sizeof pad - 1);
	pad[sizeof pad - 1] = '\0';
	for (i = 0; i < 30000; i++)
		json_array_append_new(recs, json_pack("{s:s, s:i, s:s}", "type",
		    "test", "i", i, "pad", pad));
	ck_assert_msg(qgtm_audit_append_records(chain, recs) == 0, "%s",
	    qgtm_errmsg());
	append_n(0, 1);
	verify_ok(30001, &sum);
	json_decref(recs);
}
END_TEST

/* trace follows one order and its cycle, each entry proven. */
START_TEST(test_trace)
{
	json_t *recs = json_array(), *out, *r;
	const char *kinds[] = { "signal", "decision", "order", "fill" };
	size_t i;

	json_array_append_new(recs, json_pack("{s:s, s:s}", "type", "signal",
	    "trace_id", "t1"));
	json_array_append_new(recs, json_pack("{s:s}", "type", "other"));
	json_array_append_new(recs, json_pack("{s:s, s:s}", "type", "decision",
	    "trace_id", "t1"));
	json_array_append_new(recs, json_pack("{s:s, s:s, s:s}", "type",
	    "order", "trace_id", "t1", "client_order_id", "A"));
	json_array_append_new(recs, json_pack("{s:s, s:s, s:s}", "type",
	    "order", "trace_id", "t1", "client_order_id", "B"));
	json_array_append_new(recs, json_pack("{s:s, s:s, s:s, s:s}", "type",
	    "fill", "trace_id", "t1", "client_order_id", "A",
	    "broker_order_id", "X9"));
	ck_assert_int_eq(qgtm_audit_append_records(chain, recs), 0);
	json_decref(recs);
	out = qgtm_audit_trace(chain, "X9");
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(json_array_size(out), 4);
	json_array_foreach(out, i, r) {
		ck_assert_str_eq(json_string_value(json_object_get(r, "kind")),
		    kinds[i]);
		ck_assert_str_eq(json_string_value(json_object_get(r,
		    "inclusion")), "verified");
		ck_assert_int_eq(json_integer_value(json_object_get(r,
		    "tree_size")), 6);
	}
	json_decref(out);
	out = qgtm_audit_trace(chain, "t1");
	ck_assert_uint_eq(json_array_size(out), 5);
	json_decref(out);
	out = qgtm_audit_trace(chain, "nothing");
	ck_assert_uint_eq(json_array_size(out), 0);
	json_decref(out);
	out = qgtm_audit_sample(chain, 3, "s");
	ck_assert_uint_eq(json_array_size(out), 3);
	json_decref(out);
	out = qgtm_audit_sample(chain, 50, "s");
	ck_assert_uint_eq(json_array_size(out), 6);
	json_decref(out);
}
END_TEST

/* --------------------------------------------------------- proofs -- */

/* The reference tree of the 8 leaves above. */
static void
ref_tree(struct qgtm_mtree *t)
{
	unsigned char leaf[16];
	int i;

	qgtm_mtree_init(t);
	for (i = 0; i < 8; i++)
		qgtm_mtree_add(t, leaf, unhex(leaves_hex[i], leaf));
}

/* A proof vector: the hashes, leaf-level (or first) one first. */
struct vector {
	uint64_t a, size;
	size_t len;
	const char *hash[3];
};

/*
 * Inclusion proofs of google/certificate-transparency
 * cpp/merkletree/merkle_tree_test.cc kSHA256Paths (leaves counted from 1
 * there, from 0 here).
 */
static const struct vector paths[] = {
	{ 0, 1, 0, { NULL } },
	{ 0, 8, 3, {
	    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" } },
	{ 5, 8, 3, {
	    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
	    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" } },
	{ 2, 3, 1, {
	    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125" } },
	{ 1, 5, 3, {
	    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" } }
};

/* Consistency proofs of the same file, kSHA256Proofs. */
static const struct vector proofs[] = {
	{ 1, 1, 0, { NULL } },
	{ 1, 8, 3, {
	    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" } },
	{ 6, 8, 3, {
	    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
	    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" } },
	{ 2, 5, 2, {
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" } }
};

/* The proof must be exactly v's hashes. */
static void
same_proof(unsigned char (*got)[32], size_t len, const struct vector *v)
{
	char hex[65];
	size_t i;

	ck_assert_uint_eq(len, v->len);
	for (i = 0; i < len; i++) {
		qgtm_hash_hex(got[i], hex);
		ck_assert_str_eq(hex, v->hash[i]);
	}
}

/* The root of the first size reference leaves, as bytes. */
static void
ref_root(uint64_t size, unsigned char md[32])
{
	ck_assert_int_eq(qgtm_hash_parse(roots[size], md), 0);
}

START_TEST(test_inclusion_vectors)
{
	unsigned char proof[QGTM_MERKLE_MAX_PROOF][32], leaf[16], lh[32];
	unsigned char root[32];
	const struct vector *v = &paths[_i];
	struct qgtm_mtree t;
	size_t len;

	ref_tree(&t);
	ck_assert_int_eq(qgtm_mtree_prove(&t, v->a, v->size, proof, &len), 0);
	same_proof(proof, len, v);
	qgtm_merkle_leaf(leaf, unhex(leaves_hex[v->a], leaf), lh);
	ref_root(v->size, root);
	ck_assert_int_eq(qgtm_merkle_check_inclusion(lh, v->a, v->size,
	    (const unsigned char (*)[32])proof, len, root), 0);
	/* The same proof for a neighbour, a wrong size or root fails. */
	ck_assert_int_eq(qgtm_merkle_check_inclusion(lh, v->a ^ 1, v->size,
	    (const unsigned char (*)[32])proof, len, root), -1);
	ck_assert_int_eq(qgtm_merkle_check_inclusion(lh, v->a, v->size * 2,
	    (const unsigned char (*)[32])proof, len, root), -1);
	root[31] ^= 1;
	ck_assert_int_eq(qgtm_merkle_check_inclusion(lh, v->a, v->size,
	    (const unsigned char (*)[32])proof, len, root), -1);
	qgtm_mtree_release(&t);
}
END_TEST

START_TEST(test_consistency_vectors)
{
	unsigned char proof[QGTM_MERKLE_MAX_PROOF][32], r1[32], r2[32];
	const struct vector *v = &proofs[_i];
	struct qgtm_mtree t;
	size_t len;

	ref_tree(&t);
	ck_assert_int_eq(qgtm_mtree_consistency(&t, v->a, v->size, proof,
	    &len), 0);
	same_proof(proof, len, v);
	ref_root(v->a, r1);
	ref_root(v->size, r2);
	ck_assert_int_eq(qgtm_merkle_check_consistency(v->a, v->size, r1, r2,
	    (const unsigned char (*)[32])proof, len), 0);
	if (len > 0) {
		/* Swapped roots, and a proof cut short, fail. */
		ck_assert_int_eq(qgtm_merkle_check_consistency(v->a, v->size,
		    r2, r1, (const unsigned char (*)[32])proof, len), -1);
		ck_assert_int_eq(qgtm_merkle_check_consistency(v->a, v->size,
		    r1, r2, (const unsigned char (*)[32])proof, len - 1), -1);
	}
	qgtm_mtree_release(&t);
}
END_TEST

/*
 * Every proof of every tree up to 70 leaves verifies, and changing any one
 * hash of it, or doubling the size (as merkle_tree_test.cc does), makes it
 * fail.
 */
START_TEST(test_proofs_round_trip)
{
	unsigned char p[QGTM_MERKLE_MAX_PROOF][32], leaf[32], r1[32], r2[32];
	const unsigned char (*cp)[32] = (const unsigned char (*)[32])p;
	struct qgtm_mtree t;
	uint64_t n, m, j;
	unsigned char d;
	size_t len;

	qgtm_mtree_init(&t);
	for (n = 1; n <= 70; n++) {
		d = (unsigned char)(n - 1);
		qgtm_mtree_add(&t, &d, 1);
		ck_assert_int_eq(qgtm_mtree_root(&t, n, r2), 0);
		for (m = 0; m < n; m++) {
			d = (unsigned char)m;
			qgtm_merkle_leaf(&d, 1, leaf);
			ck_assert_int_eq(qgtm_mtree_prove(&t, m, n, p, &len), 0);
			ck_assert_int_eq(qgtm_merkle_check_inclusion(leaf, m, n,
			    cp, len, r2), 0);
			ck_assert_int_eq(qgtm_merkle_check_inclusion(leaf, m,
			    2 * n, cp, len, r2), -1);
			for (j = 0; j < len; j++) {
				p[j][0] ^= 0x80;
				ck_assert_int_eq(qgtm_merkle_check_inclusion(
				    leaf, m, n, cp, len, r2), -1);
				p[j][0] ^= 0x80;
			}
			ck_assert_int_eq(qgtm_mtree_root(&t, m + 1, r1), 0);
			ck_assert_int_eq(qgtm_mtree_consistency(&t, m + 1, n, p,
			    &len), 0);
			ck_assert_int_eq(qgtm_merkle_check_consistency(m + 1,
			    n, r1, r2, cp, len), 0);
			for (j = 0; j < len; j++) {
				p[j][5] ^= 1;
				ck_assert_int_eq(qgtm_merkle_check_consistency(
				    m + 1, n, r1, r2, cp, len), -1);
				p[j][5] ^= 1;
			}
		}
	}
	qgtm_mtree_release(&t);
}
END_TEST

/*
 * The edge cases of ../shared/reference/methods.md, by our policy: equal
 * sizes need an empty proof and equal roots; a first size of 0 is refused
 * by both the prover and the verifier (transparency-dev/merkle), unlike
 * the C++ reference, which accepts (0,0) and (0,1); an index at or past
 * the size fails; an empty consistency proof between different sizes
 * fails; so does asking past the tree.
 */
START_TEST(test_proof_edge_cases)
{
	unsigned char p[QGTM_MERKLE_MAX_PROOF][32], r[32], empty[32];
	const unsigned char (*cp)[32] = (const unsigned char (*)[32])p;
	struct qgtm_mtree t;
	size_t len;

	ref_tree(&t);
	ref_root(3, r);
	ref_root(0, empty);
	ck_assert_int_eq(qgtm_merkle_check_consistency(3, 3, r, r, cp, 0), 0);
	ck_assert_int_eq(qgtm_merkle_check_consistency(3, 3, r, empty, cp, 0),
	    -1);
	memcpy(p[0], r, 32);
	ck_assert_int_eq(qgtm_merkle_check_consistency(3, 3, r, r, cp, 1), -1);
	ck_assert_int_eq(qgtm_merkle_check_consistency(0, 0, empty, empty, cp,
	    0), -1);
	ck_assert_int_eq(qgtm_merkle_check_consistency(0, 1, empty, r, cp, 0),
	    -1);
	ck_assert_int_eq(qgtm_merkle_check_consistency(1, 2, r, r, cp, 0), -1);
	ck_assert_int_eq(qgtm_merkle_check_consistency(2, 1, r, r, cp, 1), -1);
	ck_assert_int_eq(qgtm_mtree_consistency(&t, 0, 3, p, &len), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_USAGE);
	ck_assert_int_eq(qgtm_mtree_consistency(&t, 3, 3, p, &len), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(qgtm_mtree_prove(&t, 3, 3, p, &len), -1);
	ck_assert_int_eq(qgtm_mtree_prove(&t, 0, 9, p, &len), -1);
	ck_assert_int_eq(qgtm_mtree_root(&t, 0, p[0]), 0);
	ck_assert_int_eq(memcmp(p[0], empty, 32), 0);
	ck_assert_int_eq(qgtm_merkle_check_inclusion(r, 0, 0, cp, 0, r), -1);
	ck_assert_int_eq(qgtm_merkle_check_inclusion(r, 3, 3, cp, 0, r), -1);
	qgtm_mtree_release(&t);
}
END_TEST


/* The URL of an object: its key URI-encoded as SigV4's canonical URI
 * ('/' kept); a dotted bucket path-style, as the S3 certificate matches
 * no dotted name; an endpoint path-style. */
START_TEST(test_s3_url)
{
	struct qgtm_s3 s3 = { .bucket = "bkt", .prefix = "", .endpoint = "",
	    .region = "eu-west-1" };
	char *u;

	u = qgtm_s3_url(&s3, "a b/€~_.-+=x", NULL);
	ck_assert_str_eq(u, "https://bkt.s3.eu-west-1.amazonaws.com/"
	    "a%20b/%E2%82%AC~_.-%2B%3Dx");
	free(u);
	s3.bucket = "my.audit.bkt";
	u = qgtm_s3_url(&s3, "k/1.json", "retention=");
	ck_assert_str_eq(u, "https://s3.eu-west-1.amazonaws.com/"
	    "my.audit.bkt/k/1.json?retention=");
	free(u);
	u = qgtm_s3_url(&s3, NULL, "object-lock=");
	ck_assert_str_eq(u, "https://s3.eu-west-1.amazonaws.com/"
	    "my.audit.bkt?object-lock=");
	free(u);
	s3.endpoint = "http://127.0.0.1:9";
	u = qgtm_s3_url(&s3, "k 1", NULL);
	ck_assert_str_eq(u, "http://127.0.0.1:9/my.audit.bkt/k%201");
	free(u);
}
END_TEST

Suite *
suite_audit(void)
{
	Suite *s = suite_create("audit");
	TCase *tc = tcase_create("chain");
	TCase *tm = tcase_create("merkle");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_missing_chain_is_empty);
	tcase_add_test(tc, test_append_verify);
	tcase_add_test(tc, test_canonical_bytes);
	tcase_add_test(tc, test_not_canonical);
	tcase_add_test(tc, test_real_seq);
	tcase_add_test(tc, test_tampered_rec);
	tcase_add_test(tc, test_deleted_line);
	tcase_add_test(tc, test_swapped_lines);
	tcase_add_test(tc, test_forged_entry);
	tcase_add_test(tc, test_torn_last_line);
	tcase_add_test(tc, test_missing_final_newline);
	tcase_add_test(tc, test_bad_last_entry);
	tcase_add_test(tc, test_record_not_object);
	tcase_add_test(tc, test_failed_write_truncates);
	tcase_add_test(tc, test_concurrent_appenders);
	tcase_add_loop_test(tc, test_random_mutations, 0, MUT_SLICES);
	tcase_add_test(tc, test_walk_threads);
	tcase_add_test(tc, test_repair);
	tcase_add_test(tc, test_uncommitted_tail);
	tcase_add_test(tc, test_append_cuts_uncommitted_tail);
	tcase_add_test(tc, test_committed_never_cut);
	tcase_add_test(tc, test_failed_commit_undone);
	tcase_add_test(tc, test_large_batch);
	tcase_add_test(tc, test_trace);
	tcase_add_test(tc, test_index);
	tcase_add_test(tc, test_index_follows_append);
	tcase_add_test(tc, test_index_stale);
	tcase_add_test(tc, test_checkpoint);
	tcase_add_test(tc, test_published);
	tcase_add_test(tc, test_s3_url);
	tcase_add_test(tm, test_json_canon);
	tcase_add_test(tm, test_json_canon_strings);
	tcase_add_test(tm, test_json_canon_reals);
	suite_add_tcase(s, tc);
	tcase_add_test(tm, test_merkle_vectors);
	tcase_add_test(tm, test_merkle_recursive);
	tcase_add_loop_test(tm, test_inclusion_vectors, 0,
	    sizeof paths / sizeof paths[0]);
	tcase_add_loop_test(tm, test_consistency_vectors, 0,
	    sizeof proofs / sizeof proofs[0]);
	tcase_add_test(tm, test_proofs_round_trip);
	tcase_add_test(tm, test_proof_edge_cases);
	suite_add_tcase(s, tm);
	return s;
}
