/*
 * audit_trace.c: evidence drawn from the audit chain: the entries of one
 * order's path (signal, risk decision, order, fills) and random samples,
 * each with its RFC 9162 inclusion proof checked against the root of the
 * verified chain.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>


#include "audit/audit.h"

/* The record fields that name an order or a cycle. */
static const char *const id_keys[] = {
	"trace_id", "client_order_id", "order_id", "broker_order_id", NULL
};

/* What a walk over the chain is looking for. */
struct search {
	const char *id;           /* trace: the id asked for */
	json_t *traces;           /* trace ids of the matches (as keys) */
	json_t *orders;           /* client_order_ids of the matches */
	int whole_trace;          /* the id is a trace id: take all of it */
	const uint64_t *seqs;     /* sample: sorted seqs to take */
	size_t nseqs;
	uint64_t size;            /* entries in the tree */
	struct qgtm_mtree *tree;  /* built by the first walk */
	json_t *lines;            /* taken: array of [seq, line] */
};

/* rec's string member key, or NULL. Borrowed. */
static const char *
member(json_t *rec, const char *key)
{
	return json_string_value(json_object_get(rec, key));
}

/* The "rec" of an entry line, or NULL (a new reference). */
static json_t *
entry_rec(const char *line, size_t n)
{
	json_t *e = json_loadb(line, n, 0, NULL), *rec;

	rec = json_incref(json_object_get(e, "rec"));
	json_decref(e);
	return rec;
}

/* First walk of trace: build the tree, note what the id names. */
static int
trace_find(const char *line, size_t n, unsigned long seq, void *arg)
{
	struct search *s = arg;
	const char *v, *trace, *order;
	json_t *rec = entry_rec(line, n);
	int i;

	(void)seq;
	qgtm_mtree_add(s->tree, line, n);
	trace = member(rec, "trace_id");
	order = member(rec, "client_order_id");
	for (i = 0; id_keys[i] != NULL; i++) {
		if ((v = member(rec, id_keys[i])) == NULL ||
		    strcmp(v, s->id) != 0)
			continue;
		if (i == 0)
			s->whole_trace = 1;
		if (trace != NULL)
			json_object_set_new(s->traces, trace, json_true());
		if (order != NULL)
			json_object_set_new(s->orders, order, json_true());
	}
	json_decref(rec);
	return 0;
}

/* Is the entry rec on the path asked for? */
static int
on_path(const struct search *s, json_t *rec)
{
	const char *trace = member(rec, "trace_id");
	const char *order = member(rec, "client_order_id");

	if (trace == NULL || json_object_get(s->traces, trace) == NULL)
		return 0;
	return s->whole_trace || order == NULL ||
	    json_object_get(s->orders, order) != NULL;
}

/* Keep the line of entry seq in s->lines. */
static void
take(struct search *s, unsigned long seq, const char *line, size_t n)
{
	json_array_append_new(s->lines, json_pack("[I, s#]", (json_int_t)seq,
	    line, n));
}

/* Second walk of trace: take the entries on the path. */
static int
trace_take(const char *line, size_t n, unsigned long seq, void *arg)
{
	struct search *s = arg;
	json_t *rec;

	if (seq >= s->size)
		return 0;
	rec = entry_rec(line, n);
	if (on_path(s, rec))
		take(s, seq, line, n);
	json_decref(rec);
	return 0;
}

/* Compare two seqs for bsearch and qsort. */
static int
cmp_seq(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Second walk of sample: take the chosen entries. */
static int
sample_take(const char *line, size_t n, unsigned long seq, void *arg)
{
	struct search *s = arg;
	uint64_t key = seq;

	if (bsearch(&key, s->seqs, s->nseqs, sizeof key, cmp_seq) != NULL)
		take(s, seq, line, n);
	return 0;
}

/* The proof of one taken entry as a JSON array of hex hashes, checked. */
static json_t *
proven(const struct search *s, uint64_t seq, const char *line, size_t n,
    const unsigned char root[32])
{
	unsigned char leaf[32], proof[QGTM_MERKLE_MAX_PROOF][32];
	json_t *arr;
	char hex[65];
	size_t len, i;

	qgtm_merkle_leaf(line, n, leaf);
	if (qgtm_mtree_prove(s->tree, seq, s->size, proof, &len) == -1 ||
	    qgtm_merkle_check_inclusion(leaf, seq, s->size,
	    (const unsigned char (*)[32])proof, len, root) == -1)
		return NULL;
	arr = json_array();
	for (i = 0; i < len; i++) {
		qgtm_hash_hex(proof[i], hex);
		json_array_append_new(arr, json_string(hex));
	}
	return arr;
}

/* One output record of type for a taken [seq, line]. */
static json_t *
evidence(const struct search *s, const char *type, json_t *taken,
    const unsigned char root[32])
{
	uint64_t seq = (uint64_t)json_integer_value(json_array_get(taken, 0));
	const char *line = json_string_value(json_array_get(taken, 1));
	size_t n = json_string_length(json_array_get(taken, 1));
	unsigned char leaf[32];
	char hex[65], rhex[65];
	json_t *proof, *r, *e;

	if ((proof = proven(s, seq, line, n, root)) == NULL)
		return NULL;
	qgtm_merkle_leaf(line, n, leaf);
	qgtm_hash_hex(leaf, hex);
	qgtm_hash_hex(root, rhex);
	e = json_loadb(line, n, 0, NULL);
	r = qgtm_record_new(type, member(json_object_get(e, "rec"),
	    "trace_id"));
	json_object_set_new(r, "seq", json_integer((json_int_t)seq));
	json_object_set_new(r, "kind", json_incref(json_object_get(
	    json_object_get(e, "rec"), "type")));
	json_object_set_new(r, "tree_size", json_integer((json_int_t)s->size));
	json_object_set_new(r, "root", json_string(rhex));
	json_object_set_new(r, "leaf_hash", json_string(hex));
	json_object_set_new(r, "proof", proof);
	json_object_set_new(r, "inclusion", json_string("verified"));
	json_object_set_new(r, "entry", e);
	return r;
}

/* Turn every taken line into an evidence record of type. */
static json_t *
evidence_all(const struct search *s, const char *type)
{
	unsigned char root[32];
	json_t *out = json_array(), *taken, *r;
	size_t i;

	qgtm_mtree_root(s->tree, s->size, root);
	json_array_foreach(s->lines, i, taken) {
		if ((r = evidence(s, type, taken, root)) == NULL) {
			json_decref(out);
			return NULL;
		}
		json_array_append_new(out, r);
	}
	return out;
}

/* The second walk with take_fn, then the evidence; NULL on error. */
static json_t *
take_and_prove(const char *chain, struct search *s, qgtm_audit_fn take_fn,
    const char *type)
{
	struct qgtm_audit_summary sum;
	json_t *out = NULL;

	s->size = s->tree->size;
	s->lines = json_array();
	if (qgtm_audit_walk(chain, &sum, take_fn, s) == 0)
		out = evidence_all(s, type);
	json_decref(s->lines);
	return out;
}

json_t *
qgtm_audit_trace(const char *chain_path, const char *id)
{
	struct qgtm_audit_summary sum;
	struct qgtm_mtree tree;
	struct search s = { 0 };
	json_t *out = NULL;

	s.id = id;
	s.tree = &tree;
	s.traces = json_object();
	s.orders = json_object();
	qgtm_mtree_init(&tree);
	if (qgtm_audit_walk(chain_path, &sum, trace_find, &s) == 0)
		out = take_and_prove(chain_path, &s, trace_take, "audit_trace");
	qgtm_mtree_release(&tree);
	json_decref(s.traces);
	json_decref(s.orders);
	return out;
}

/*
 * Choose min(n, size) distinct entries: the j-th try is the first 8
 * bytes of SHA-256("SEED:j"), big-endian, modulo size.
 */
static size_t
choose(const char *seed, size_t n, uint64_t size, uint64_t *seqs)
{
	unsigned char md[32];
	size_t got = 0, k;
	uint64_t j, v;
	char *text;

	if (n > size)
		n = (size_t)size;
	for (j = 0; got < n; j++) {
		text = qgtm_xasprintf("%s:%llu", seed, (unsigned long long)j);
		qgtm_sha256_cat(text, strlen(text), "", 0, md);
		free(text);
		for (v = 0, k = 0; k < 8; k++)
			v = v << 8 | md[k];
		v %= size;
		for (k = 0; k < got && seqs[k] != v; k++)
			;
		if (k == got)
			seqs[got++] = v;
	}
	qsort(seqs, got, sizeof *seqs, cmp_seq);
	return got;
}

json_t *
qgtm_audit_sample(const char *chain_path, size_t n, const char *seed)
{
	struct qgtm_audit_summary sum;
	struct qgtm_mtree tree;
	struct search s = { 0 };
	json_t *out = NULL, *r;
	uint64_t *seqs;
	size_t i;

	if (qgtm_audit_tree(chain_path, &sum, &tree) == -1)
		return NULL;
	seqs = qgtm_xcalloc(n + 1, sizeof *seqs);
	s.tree = &tree;
	s.seqs = seqs;
	s.nseqs = choose(seed, n, tree.size, seqs);
	out = take_and_prove(chain_path, &s, sample_take, "audit_sample");
	json_array_foreach(out, i, r)
		json_object_set_new(r, "seed", json_string(seed));
	free(seqs);
	qgtm_mtree_release(&tree);
	return out;
}
