/*
 * rederive.c: re-derive a traced cycle. The signal of a trace is computed
 * again from the point-in-time store as of its moment with the parameters
 * it recorded, and its risk decision again from that recorded signal, the
 * limits of the config and the book folded from the fills the chain holds
 * before it; every item is compared with what the chain recorded. The
 * chain is verified before any of it is read (qgtm_audit_walk()).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "research/research.h"

/* The records a re-derivation reads: [seq, rec] of the chain's signal,
 * decision, order and fill records, in chain order. */
struct rd {
	const struct qgtm_cfg *cfg;
	json_t *recs;
	struct qgtm_audit_summary sum;
};

/* The types kept by the walk. */
static const char *const kept_types[] = {
	"signal", "decision", "order", "fill", NULL
};

/* Keep one entry's rec when its type is one of kept_types
 * (a qgtm_audit_fn). */
static int
keep_rec(const char *line, size_t n, unsigned long seq, void *arg)
{
	struct rd *rd = arg;
	json_t *e = json_loadb(line, n, 0, NULL), *rec;
	const char *type;
	int i;

	rec = json_object_get(e, "rec");
	type = json_string_value(json_object_get(rec, "type"));
	for (i = 0; type != NULL && kept_types[i] != NULL; i++)
		if (strcmp(type, kept_types[i]) == 0) {
			json_array_append_new(rd->recs,
			    json_pack("[I,O]", (json_int_t)seq, rec));
			break;
		}
	json_decref(e);
	return 0;
}

/* Verify the chain and read its records into rd. Returns 0 or -1. */
static int
rd_load(struct rd *rd, const struct qgtm_cfg *cfg, const char *chain)
{
	char *path = chain != NULL ? qgtm_xstrdup(chain) :
	    qgtm_state_path(qgtm_cfg_str(cfg, "audit.chain"), 0);
	int rc;

	rd->cfg = cfg;
	rd->recs = json_array();
	if (path == NULL)
		return -1;
	rc = qgtm_audit_walk(path, &rd->sum, keep_rec, rd);
	free(path);
	return rc;
}

/* Record i's rec, type and string member key (borrowed). */
static json_t *
rec_at(const struct rd *rd, size_t i)
{
	return json_array_get(json_array_get(rd->recs, i), 1);
}

static const char *
str_of(json_t *rec, const char *key)
{
	return json_string_value(json_object_get(rec, key));
}

static int
is_type(json_t *rec, const char *type)
{
	const char *t = str_of(rec, "type");

	return t != NULL && strcmp(t, type) == 0;
}

/* ------------------------------------------------------------- items -- */

/* Put ".key" (plain "key" at the top) at path + len, cap bytes in all. */
static void
path_key(char *path, size_t len, size_t cap, const char *key)
{
	snprintf(path + len, cap - len, "%s%s", len > 0 ? "." : "", key);
}

/*
 * The first difference between a and b (either may be NULL) below path
 * (len bytes used of cap): the path of the field in path, the two values
 * in *ra and *rb (borrowed). Objects are compared key by key (a's keys,
 * then those only b has), arrays item by item. Returns 1 when they
 * differ, else 0.
 */
static int
first_diff(json_t *a, json_t *b, char *path, size_t len, size_t cap,
    json_t **ra, json_t **rb)
{
	const char *key;
	json_t *v;
	size_t i, n;

	*ra = a;
	*rb = b;
	if (a != NULL && b != NULL && json_equal(a, b))
		return 0;
	if (json_is_object(a) && json_is_object(b)) {
		json_object_foreach(a, key, v) {
			path_key(path, len, cap, key);
			if (first_diff(v, json_object_get(b, key), path,
			    strlen(path), cap, ra, rb))
				return 1;
		}
		/* A key only b has: a's side is absent. */
		json_object_foreach(b, key, v)
			if (json_object_get(a, key) == NULL) {
				path_key(path, len, cap, key);
				*ra = NULL;
				*rb = v;
				return 1;
			}
	} else if (json_is_array(a) && json_is_array(b)) {
		n = json_array_size(a) > json_array_size(b) ?
		    json_array_size(a) : json_array_size(b);
		for (i = 0; i < n; i++) {
			snprintf(path + len, cap - len, "[%zu]", i);
			if (first_diff(json_array_get(a, i), json_array_get(b,
			    i), path, strlen(path), cap, ra, rb))
				return 1;
		}
	}
	path[len] = '\0';
	*ra = a;
	*rb = b;
	return 1;
}

/*
 * Add to out's "items" the comparison named item of recorded and
 * recomputed (either may be NULL: absent): {"item", "result": "match"},
 * or {"item", "result": "differs", "field" (the path of the first
 * difference, "" for the whole value), "recorded", "recomputed" (null when
 * absent)}; a difference sets out's "result" to "differs".
 */
static void
compare(json_t *out, const char *item, json_t *recorded, json_t *recomputed)
{
	json_t *it = json_pack("{s:s}", "item", item), *ra, *rb;
	char path[256] = "";

	if (!first_diff(recorded, recomputed, path, 0, sizeof path, &ra,
	    &rb)) {
		json_object_set_new(it, "result", json_string("match"));
	} else {
		json_object_set_new(it, "result", json_string("differs"));
		json_object_set_new(it, "field", json_string(path));
		json_object_set_new(it, "recorded", ra != NULL ?
		    json_incref(ra) : json_null());
		json_object_set_new(it, "recomputed", rb != NULL ?
		    json_incref(rb) : json_null());
		json_object_set_new(out, "result", json_string("differs"));
	}
	json_array_append_new(json_object_get(out, "items"), it);
}

/* The target of symbol in targets (an array), or NULL. Borrowed. */
static json_t *
target_of(json_t *targets, const char *symbol)
{
	json_t *t;
	size_t i;

	json_array_foreach(targets, i, t)
		if (str_of(t, "symbol") != NULL &&
		    strcmp(str_of(t, "symbol"), symbol) == 0)
			return t;
	return NULL;
}

/* Compare two arrays of targets symbol by symbol ("PREFIX SYM"): the
 * recorded symbols in order, then those only recomputed has. */
static void
compare_targets(json_t *out, const char *prefix, json_t *recorded,
    json_t *recomputed)
{
	const char *sym;
	char item[64];
	json_t *t;
	size_t i;

	json_array_foreach(recorded, i, t) {
		sym = str_of(t, "symbol");
		snprintf(item, sizeof item, "%s %s", prefix, sym != NULL ? sym :
		    "?");
		compare(out, item, t, sym != NULL ? target_of(recomputed, sym) :
		    NULL);
	}
	json_array_foreach(recomputed, i, t) {
		sym = str_of(t, "symbol");
		if (sym == NULL || target_of(recorded, sym) != NULL)
			continue;
		snprintf(item, sizeof item, "%s %s", prefix, sym);
		compare(out, item, NULL, t);
	}
}

/* One component's share of combined targets: {SYM: {"contribution",
 * "reason"}} (a new object). */
static json_t *
component_part(json_t *targets, const char *name)
{
	json_t *part = json_object(), *t, *c;
	size_t i;

	json_array_foreach(targets, i, t) {
		c = json_object();
		json_object_set(c, "contribution", json_object_get(
		    json_object_get(t, "contributions"), name));
		json_object_set(c, "reason", json_object_get(json_object_get(t,
		    "reason"), name));
		json_object_set_new(part, str_of(t, "symbol") != NULL ?
		    str_of(t, "symbol") : "?", c);
	}
	return part;
}

/* ------------------------------------------------------------ signal -- */

/* Run st with params as of as_of, noting its reads under strategy name
 * in out's "lineage". */
static void
lineage_of(json_t *out, const struct qgtm_cfg *cfg,
    const struct qgtm_strategy *st, const char *name, json_t *params,
    time_t as_of)
{
	json_t *sink = json_object(), *targets = json_array(), *e;
	const char *key;
	time_t when;

	qgtm_pit_lineage(sink);
	(void)st->targets(cfg, params, as_of, targets, &when);
	qgtm_pit_lineage(NULL);
	json_object_foreach(sink, key, e) {
		json_object_set_new(e, "strategy", json_string(name));
		json_array_append(json_object_get(out, "lineage"), e);
	}
	json_decref(sink);
	json_decref(targets);
}

/* The lineage of a signal: each component's reads for combined, else the
 * strategy's own. */
static void
signal_lineage(json_t *out, const struct qgtm_cfg *cfg,
    const struct qgtm_strategy *st, json_t *params, time_t as_of)
{
	const struct qgtm_strategy *c;
	const char *name;
	json_t *p;

	if (st != &qgtm_strategy_combined) {
		lineage_of(out, cfg, st, st->name, params, as_of);
		return;
	}
	json_object_foreach(json_object_get(params, "components"), name, p)
		if ((c = qgtm_strategy_find(name)) != NULL)
			lineage_of(out, cfg, c, name, p, as_of);
}

/* 16 hex digits of the SHA-256 of the canonical params (as the signal
 * record's params_hash, lib/strategy/registry.c). */
static json_t *
params_hash(json_t *params)
{
	char *canon = json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS), hex[65];

	if (canon == NULL)
		return json_null();
	qgtm_sha256_hex(canon, strlen(canon), hex);
	free(canon);
	hex[16] = '\0';
	return json_string(hex);
}

/* Compare a signal record with its re-derivation. */
static void
rederive_signal(json_t *out, json_t *sig, const struct qgtm_cfg *cfg,
    time_t as_of)
{
	const char *name = str_of(sig, "strategy");
	const struct qgtm_strategy *st = name != NULL ?
	    qgtm_strategy_find(name) : NULL;
	json_t *params = json_object_get(sig, "params"), *targets, *v, *a, *b;
	time_t when = 0;
	char ts[21], item[64];
	const char *key;

	v = params_hash(params);
	compare(out, "signal params_hash", json_object_get(sig, "params_hash"),
	    v);
	json_decref(v);
	if (st == NULL || !json_is_object(params)) {
		compare(out, "signal strategy", json_object_get(sig,
		    "strategy"), NULL);
		return;
	}
	signal_lineage(out, cfg, st, params, as_of);
	targets = json_array();
	if (st->targets(cfg, params, as_of, targets, &when) == -1) {
		v = json_string(qgtm_errmsg());
		compare(out, "signal targets", json_object_get(sig, "targets"),
		    v);
		json_decref(v);
		json_decref(targets);
		return;
	}
	v = json_string(qgtm_time_fmt(when, ts));
	compare(out, "signal data_as_of", json_object_get(sig, "data_as_of"),
	    v);
	json_decref(v);
	if (st == &qgtm_strategy_combined)
		json_object_foreach(json_object_get(params, "components"), key,
		    v) {
			snprintf(item, sizeof item, "strategy %s", key);
			a = component_part(json_object_get(sig, "targets"), key);
			b = component_part(targets, key);
			compare(out, item, a, b);
			json_decref(a);
			json_decref(b);
		}
	compare_targets(out, st == &qgtm_strategy_combined ? "combined" :
	    "target", json_object_get(sig, "targets"), targets);
	json_decref(targets);
}

/* ---------------------------------------------------------- decision -- */

/* The book before record k: the fills of the chain before it folded over
 * broker.sim.initial_cash, and the orders placed that New York day and
 * in the minute before as_of (as lib/risk/gate.c counts the journal's). */
static int
book_before(const struct rd *rd, size_t k, struct qgtm_risk *r)
{
	struct qgtm_date today = qgtm_ny_date(r->as_of), d;
	struct qgtm_fill f;
	int64_t cash;
	json_t *rec;
	time_t t;
	size_t i;

	if (qgtm_cfg_dec(rd->cfg, "broker.sim.initial_cash", QGTM_CENTS,
	    &cash) == -1)
		return -1;
	r->book = qgtm_xmalloc(sizeof *r->book);
	qgtm_book_init(r->book, cash);
	for (i = 0; i < k; i++) {
		rec = rec_at(rd, i);
		if (is_type(rec, "fill") && (qgtm_book_fill_parse(rec,
		    &f) == -1 || qgtm_book_apply(r->book, &f) == -1))
			return -1;
		if (!is_type(rec, "order"))
			continue;
		if (str_of(rec, "ts") == NULL ||
		    qgtm_time_parse(str_of(rec, "ts"), &t) == -1) {
			r->orders_day++;
			continue;
		}
		d = qgtm_ny_date(t);
		r->orders_day += d.year == today.year &&
		    d.month == today.month && d.day == today.day;
		r->orders_minute += t <= r->as_of && r->as_of - t < 60;
	}
	return 0;
}

/* The fields of a decision record that the gate derives. */
static const char *const decision_fields[] = {
	"status", "reasons", NULL
};

/* Compare decision record k with the gate run again on signal sig. */
static void
rederive_decision(json_t *out, const struct rd *rd, size_t k, json_t *sig,
    time_t as_of)
{
	json_t *dec = rec_at(rd, k), *again = NULL, *v;
	struct qgtm_risk r = { 0 };
	const char *tier = str_of(dec, "tier");
	char item[64];
	int i;

	r.cfg = rd->cfg;
	r.as_of = as_of;
	/* The kill switch's tier is an input the decision records. */
	r.tier = tier != NULL ? qgtm_tier_parse(tier) : -1;
	if (r.tier == -1)
		r.tier = QGTM_TIER_NORMAL;
	if (qgtm_risk_limits_load(rd->cfg, &r.lim) == 0 &&
	    book_before(rd, k, &r) == 0 &&
	    qgtm_oms_equity(rd->cfg, r.book, as_of, &r.equity) == 0) {
		v = qgtm_dec_json(r.equity, QGTM_CENTS);
		compare(out, "decision equity", json_object_get(dec, "equity"),
		    v);
		json_decref(v);
		again = qgtm_risk_decide(&r, sig);
	}
	qgtm_risk_release(&r);
	if (again == NULL) {
		v = json_string(qgtm_errmsg());
		compare(out, "decision", dec, v);
		json_decref(v);
		return;
	}
	for (i = 0; decision_fields[i] != NULL; i++) {
		snprintf(item, sizeof item, "decision %s", decision_fields[i]);
		compare(out, item, json_object_get(dec, decision_fields[i]),
		    json_object_get(again, decision_fields[i]));
	}
	compare_targets(out, "decision", json_object_get(dec, "targets"),
	    json_object_get(again, "targets"));
	json_decref(again);
}

/* ------------------------------------------------------------- cycle -- */

/* The re-derivation of the signal at index k of rd (a new record). */
static json_t *
rederive_at(const struct rd *rd, size_t k)
{
	json_t *sig = rec_at(rd, k), *rec, *out;
	const char *trace = str_of(sig, "trace_id"), *as_of = str_of(sig,
	    "as_of");
	time_t t = 0;
	size_t i;

	out = qgtm_record_new("rederive", trace);
	json_object_set(out, "strategy", json_object_get(sig, "strategy"));
	json_object_set(out, "as_of", json_object_get(sig, "as_of"));
	json_object_set(out, "seq", json_array_get(json_array_get(rd->recs,
	    k), 0));
	json_object_set_new(out, "chain", json_pack("{s:I,s:s,s:s}",
	    "entries", (json_int_t)rd->sum.entries, "head", rd->sum.head,
	    "root", rd->sum.root));
	json_object_set_new(out, "result", json_string("match"));
	json_object_set_new(out, "items", json_array());
	json_object_set_new(out, "lineage", json_array());
	if (as_of == NULL || qgtm_time_parse(as_of, &t) == -1) {
		compare(out, "signal as_of", json_object_get(sig, "as_of"),
		    NULL);
		return out;
	}
	rederive_signal(out, sig, rd->cfg, t);
	for (i = k + 1; i < json_array_size(rd->recs); i++) {
		rec = rec_at(rd, i);
		if (is_type(rec, "decision") && str_of(rec, "trace_id") !=
		    NULL && strcmp(str_of(rec, "trace_id"), trace) == 0) {
			rederive_decision(out, rd, i, sig, t);
			break;
		}
	}
	return out;
}

/* Is record i a signal with a trace_id? */
static int
traced_signal(const struct rd *rd, size_t i)
{
	json_t *rec = rec_at(rd, i);

	return is_type(rec, "signal") && str_of(rec, "trace_id") != NULL;
}

json_t *
qgtm_rederive(const struct qgtm_cfg *cfg, const char *chain,
    const char *trace_id)
{
	struct rd rd;
	json_t *out = NULL;
	size_t i;

	if (rd_load(&rd, cfg, chain) == 0) {
		for (i = 0; i < json_array_size(rd.recs); i++)
			if (traced_signal(&rd, i) && strcmp(str_of(rec_at(&rd,
			    i), "trace_id"), trace_id) == 0)
				break;
		if (i < json_array_size(rd.recs))
			out = rederive_at(&rd, i);
		else
			qgtm_seterr(QGTM_EX_NO, "no signal of trace '%s' in "
			    "the chain", trace_id);
	}
	json_decref(rd.recs);
	return out;
}

/*
 * The j-th pick of a sample of count items: the first 8 bytes of
 * SHA-256("SEED:j"), big-endian, modulo count (the rule of
 * qgtm_audit_sample()).
 */
static size_t
pick(const char *seed, size_t j, size_t count)
{
	unsigned char md[32];
	uint64_t v = 0;
	char *text = qgtm_xasprintf("%s:%zu", seed, j);
	int k;

	qgtm_sha256_cat(text, strlen(text), "", 0, md);
	free(text);
	for (k = 0; k < 8; k++)
		v = v << 8 | md[k];
	return (size_t)(v % count);
}

json_t *
qgtm_rederive_sample(const struct qgtm_cfg *cfg, const char *chain, size_t n,
    const char *seed)
{
	struct rd rd;
	json_t *out = NULL;
	size_t i, j, got, count = 0, *sigs;
	char *chosen;

	if (rd_load(&rd, cfg, chain) == -1) {
		json_decref(rd.recs);
		return NULL;
	}
	sigs = qgtm_xcalloc(json_array_size(rd.recs) + 1, sizeof *sigs);
	for (i = 0; i < json_array_size(rd.recs); i++)
		if (traced_signal(&rd, i))
			sigs[count++] = i;
	chosen = qgtm_xcalloc(count + 1, 1);
	for (j = 0, got = 0; got < n && got < count; j++) {
		i = pick(seed, j, count);
		got += chosen[i] == 0;
		chosen[i] = 1;
	}
	out = json_array();
	for (i = 0; i < count; i++)
		if (chosen[i])
			json_array_append_new(out, rederive_at(&rd, sigs[i]));
	free(chosen);
	free(sigs);
	json_decref(rd.recs);
	return out;
}
