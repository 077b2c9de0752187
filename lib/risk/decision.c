/*
 * decision.c: the decision record, the risk gate's answer to a signal:
 * its writer (qgtm_risk_decide) and its reader (the OMS, the backtest),
 * side by side so the two never disagree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "risk/risk.h"

/* ------------------------------------------------------------- writer -- */

/* The names of the bits of reasons, sorted (a new array). */
static json_t *
reasons_json(unsigned reasons)
{
	json_t *arr = json_array();
	int i;

	for (i = 0; i < QGTM_RISK_NREASONS; i++)
		if (reasons & 1u << i)
			json_array_append_new(arr,
			    json_string(qgtm_risk_reason_name(1u << i)));
	return arr;
}

/* One target of the decision record. */
static json_t *
target_json(const struct qgtm_risk_target *t)
{
	int rejected = (t->reasons & QGTM_RISK_REJECT) != 0;
	int priced = !(t->reasons & (QGTM_RISK_NO_PRICE |
	    QGTM_RISK_UNKNOWN_SYMBOL));
	json_t *obj = json_object();

	json_object_set_new(obj, "symbol", json_string(t->symbol));
	json_object_set_new(obj, "weight", qgtm_dec_json(t->weight,
	    QGTM_WEIGHT_SCALE));
	json_object_set_new(obj, "approved_weight", rejected ? json_null() :
	    qgtm_dec_json(t->approved, QGTM_WEIGHT_SCALE));
	json_object_set_new(obj, "price", priced ?
	    qgtm_dec_json(t->price, QGTM_PRICE_SCALE) : json_null());
	json_object_set_new(obj, "reasons", reasons_json(t->reasons));
	return obj;
}

json_t *
qgtm_decision_record(const struct qgtm_risk *r, json_t *signal,
    const struct qgtm_risk_target *t, size_t n)
{
	const char *trace = json_string_value(json_object_get(signal,
	    "trace_id"));
	json_t *rec = qgtm_record_new("decision", trace), *arr = json_array();
	unsigned any = 0;
	size_t i, rejected = 0;

	for (i = 0; i < n; i++) {
		any |= t[i].reasons;
		rejected += (t[i].reasons & QGTM_RISK_REJECT) != 0;
		json_array_append_new(arr, target_json(&t[i]));
	}
	json_object_set(rec, "strategy", json_object_get(signal, "strategy"));
	json_object_set(rec, "params_hash", json_object_get(signal,
	    "params_hash"));
	json_object_set_new(rec, "status", json_string(n > 0 && rejected == n ?
	    "rejected" : any != 0 ? "resized" : "approved"));
	json_object_set_new(rec, "reasons", reasons_json(any));
	json_object_set_new(rec, "equity", qgtm_dec_json(r->equity,
	    QGTM_CENTS));
	json_object_set_new(rec, "targets", arr);
	json_object_set_new(rec, "tier", json_string(qgtm_tier_name(r->tier)));
	json_object_set(rec, "as_of", json_object_get(signal, "as_of"));
	return rec;
}

/* ------------------------------------------------------------- reader -- */

/* Read target i of a decision. */
static int
parse_intent(json_t *obj, size_t i, struct qgtm_intent *t)
{
	const char *sym = qgtm_json_symbol(json_object_get(obj, "symbol"));
	json_t *w = json_object_get(obj, "approved_weight");

	if (!json_is_object(obj))
		return qgtm_seterr(QGTM_EX_DATAERR,
		    "field 'targets[%zu]': expected an object", i);
	if (sym == NULL)
		return qgtm_json_item_err("targets", i, "symbol",
		    "expected a ticker of 1-15 characters A-Z a-z 0-9 . -");
	snprintf(t->symbol, sizeof t->symbol, "%s", sym);
	if (json_is_null(w))
		return 0;
	if (!json_is_string(w))
		return qgtm_json_item_err("targets", i, "approved_weight",
		    "expected a decimal string or null");
	if (qgtm_dec_parse(json_string_value(w), QGTM_WEIGHT_SCALE,
	    &t->weight) == -1)
		return qgtm_json_item_err("targets", i, "approved_weight",
		    qgtm_errmsg());
	t->approved = 1;
	return 0;
}

/* Read every target of a decision, refusing a symbol given twice. */
static int
parse_intents(json_t *arr, struct qgtm_decision *d)
{
	size_t i, j;

	d->n = json_array_size(arr);
	d->t = qgtm_xcalloc(d->n > 0 ? d->n : 1, sizeof *d->t);
	for (i = 0; i < d->n; i++) {
		if (parse_intent(json_array_get(arr, i), i, &d->t[i]) == -1)
			return -1;
		for (j = 0; j < i; j++)
			if (strcmp(d->t[j].symbol, d->t[i].symbol) == 0)
				return qgtm_json_item_err("targets", i,
				    "symbol", "duplicate");
	}
	return 0;
}

int
qgtm_decision_parse(json_t *rec, struct qgtm_decision *d)
{
	const char *strategy, *trace, *status;
	json_t *arr;

	memset(d, 0, sizeof *d);
	if (qgtm_json_str(rec, "strategy", &strategy) == -1 ||
	    qgtm_json_str(rec, "trace_id", &trace) == -1 ||
	    qgtm_json_str(rec, "status", &status) == -1 ||
	    qgtm_json_arr(rec, "targets", &arr) == -1)
		return -1;
	if (strcmp(status, "approved") != 0 && strcmp(status, "resized") != 0 &&
	    strcmp(status, "rejected") != 0)
		return qgtm_seterr(QGTM_EX_DATAERR, "field 'status': expected "
		    "approved, resized or rejected");
	d->tradable = strcmp(status, "rejected") != 0;
	if (parse_intents(arr, d) == -1) {
		qgtm_decision_release(d);
		return -1;
	}
	d->strategy = qgtm_xstrdup(strategy);
	d->trace_id = qgtm_xstrdup(trace);
	return 0;
}

void
qgtm_decision_release(struct qgtm_decision *d)
{
	free(d->strategy);
	free(d->trace_id);
	free(d->t);
	memset(d, 0, sizeof *d);
}
