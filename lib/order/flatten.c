/*
 * flatten.c: the emergency flatten (FLATTEN ALL), which drives any broker
 * through its table of operations in the same steps and puts each step
 * in the audit chain as it happens: the broker itself never writes the
 * chain.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "order/order.h"

/* One flatten run: what it was asked, where it writes, what went wrong. */
struct run {
	struct qgtm_broker *b;
	const struct qgtm_flatten *f;
	json_t *out;
	int audit_failed;
};

static void step(struct run *, const char *, int, json_t *, const char *,
    ...) __attribute__((format(printf, 5, 6)));

/*
 * Close one step: its "flatten" record, preceded by the step's own
 * records (stolen), goes to out and to the audit chain. ok -1 is false.
 */
static void
step(struct run *r, const char *name, int ok, json_t *recs, const char *fmt,
    ...)
{
	json_t *rec = qgtm_record_new("flatten", NULL);
	char detail[512];
	va_list ap;
	size_t i;
	json_t *x;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	json_object_set_new(rec, "step", json_string(name));
	json_object_set_new(rec, "ok", json_boolean(ok == 1));
	json_object_set_new(rec, "by", json_string(r->f->by));
	json_object_set_new(rec, "reason", json_string(r->f->reason));
	json_object_set_new(rec, "detail", json_string(detail));
	json_array_append_new(recs, rec);
	json_array_foreach(recs, i, x)
		json_array_append(r->out, x);
	if (qgtm_audit_append_records(r->f->chain, recs) == -1) {
		qgtm_warn("audit: %s", qgtm_errmsg());
		r->audit_failed = 1;
	}
	json_decref(recs);
}

/* Raise the kill switch to FLATTEN; a failure does not stop the flatten. */
static void
step_tier(struct run *r)
{
	struct qgtm_ks_change c = { 0 };
	json_t *recs = json_array(), *tier = NULL;
	struct qgtm_ks ks;
	int rc = -1;

	c.to = QGTM_TIER_FLATTEN;
	c.reason = r->f->reason;
	c.by = r->f->by;
	c.only_up = 1;
	c.expect_seq = -1;
	if (qgtm_ks_open(&ks, r->b->cfg) == 0) {
		rc = qgtm_ks_change(&ks, &c, &tier);
		qgtm_ks_close(&ks);
	}
	if (rc == 1)    /* printed; the kill switch put it in the chain */
		json_array_append_new(r->out, tier);
	if (rc == -1)
		step(r, "tier", 0, recs, "%s", qgtm_errmsg());
	else
		step(r, "tier", 1, recs, rc == 1 ? "raised to FLATTEN" :
		    "already FLATTEN");
}

/* Cancel every open order, then close every position, writing the
 * closing orders to the order log (the sim's are there already). */
static void
step_close(struct run *r)
{
	json_t *recs = json_array();
	int n;

	n = r->b->ops->cancel_all(r->b, recs);
	if (n == -1)
		step(r, "cancel_all", 0, recs, "%s", qgtm_errmsg());
	else
		step(r, "cancel_all", 1, recs, "%d canceled", n);
	recs = json_array();
	n = r->b->ops->close_all(r->b, recs);
	if (n == -1)
		step(r, "close_all", 0, recs, "%s", qgtm_errmsg());
	else if (qgtm_oms_record(r->b->cfg, recs) == -1)
		step(r, "close_all", 0, recs, "%d closing orders, not in the "
		    "order log: %s", n, qgtm_errmsg());
	else
		step(r, "close_all", 1, recs, "%d closing orders", n);
}

/* Ask the broker whether the account is flat: 1 flat, 0 not, -1. */
static int
step_confirm(struct run *r)
{
	json_t *pos = r->b->ops->positions(r->b), *open = NULL;
	int flat = -1;

	if (pos != NULL && (open = r->b->ops->open_orders(r->b)) != NULL)
		flat = json_array_size(pos) == 0 && json_array_size(open) == 0;
	if (flat == -1)
		step(r, "confirm", 0, json_array(), "%s", qgtm_errmsg());
	else
		step(r, "confirm", flat, json_array(), "%zu positions, %zu "
		    "open orders", json_array_size(pos), json_array_size(open));
	json_decref(pos);
	json_decref(open);
	return flat;
}

int
qgtm_flatten(struct qgtm_broker *b, const struct qgtm_flatten *f,
    json_t *out)
{
	struct run r = { b, f, out, 0 };
	char *text;
	int flat, sent;

	step_tier(&r);
	step_close(&r);
	flat = step_confirm(&r);
	text = qgtm_xasprintf("FLATTEN by %s (%s): the %s account is %s",
	    f->by, f->reason, b->ops->name, flat == 1 ? "flat" :
	    "NOT flat, act now");
	sent = qgtm_alert_send(b->cfg, text);
	free(text);
	step(&r, "alert", sent == 0, json_array(), "%s", sent == 0 ?
	    "delivered, or no webhook configured" : "not sent");
	if (r.audit_failed)
		return qgtm_seterr(QGTM_EX_IOERR, "the audit chain lacks "
		    "flatten steps");
	return flat == -1 ? -1 : flat;
}
