/*
 * broker.c: the broker interface and the emergency flatten, which drives
 * any broker through the same steps and audits each as it happens.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qgtm.h"

int
qgtm_broker_open(struct qgtm_broker *b, const struct qgtm_cfg *cfg,
    const char *name, time_t as_of)
{
	memset(b, 0, sizeof *b);
	b->cfg = cfg;
	b->as_of = as_of;
	if (name == NULL)
		name = qgtm_cfg_str(cfg, "order.broker");
	if (strcmp(name, "sim") == 0) {
		b->ops = &qgtm_broker_sim_ops;
		return 0;
	}
	if (strcmp(name, "alpaca") != 0)
		return qgtm_seterr(QGTM_EX_USAGE, "unknown broker '%s'", name);
	b->ops = &qgtm_broker_alpaca_ops;
	b->url = qgtm_xstrdup(qgtm_cfg_str(cfg, "broker.alpaca.url"));
	while (b->url[0] != '\0' && b->url[strlen(b->url) - 1] == '/')
		b->url[strlen(b->url) - 1] = '\0';
	if ((b->key_id = qgtm_cfg_secret(cfg, "APCA_API_KEY_ID",
	    "broker.alpaca.key_id_file")) == NULL ||
	    (b->secret = qgtm_cfg_secret(cfg, "APCA_API_SECRET_KEY",
	    "broker.alpaca.secret_key_file")) == NULL) {
		qgtm_broker_close(b);
		return -1;
	}
	return 0;
}

void
qgtm_broker_close(struct qgtm_broker *b)
{
	free(b->url);
	free(b->key_id);
	free(b->secret);
	b->url = b->key_id = b->secret = NULL;
}

void
qgtm_broker_daily_pl(json_t *acct)
{
	const char *e = json_string_value(json_object_get(acct, "equity"));
	const char *l = json_string_value(json_object_get(acct,
	    "last_equity"));
	int64_t ev, lv, pl;

	if (e != NULL && l != NULL && qgtm_dec_parse(e, QGTM_CENTS, &ev) == 0 &&
	    qgtm_dec_parse(l, QGTM_CENTS, &lv) == 0 &&
	    !__builtin_sub_overflow(ev, lv, &pl))
		json_object_set_new(acct, "daily_pl", qgtm_dec_json(pl,
		    QGTM_CENTS));
	else
		json_object_set_new(acct, "daily_pl", json_null());
}

json_t *
qgtm_broker_session(const char *date, time_t open, time_t close)
{
	char o[21], c[21];

	return json_pack("{s:s,s:s,s:s}", "date", date, "open",
	    qgtm_time_fmt(open, o), "close", qgtm_time_fmt(close, c));
}

json_t *
qgtm_broker_clock_new(const char *broker, time_t now, int is_open,
    time_t next_open, time_t next_close)
{
	json_t *rec = qgtm_record_new("clock", NULL);
	char ts[21];

	json_object_set_new(rec, "broker", json_string(broker));
	json_object_set_new(rec, "is_open", json_boolean(is_open));
	json_object_set_new(rec, "next_open", json_string(qgtm_time_fmt(
	    next_open, ts)));
	json_object_set_new(rec, "next_close", json_string(qgtm_time_fmt(
	    next_close, ts)));
	json_object_set_new(rec, "as_of", json_string(qgtm_time_fmt(now, ts)));
	return rec;
}

json_t *
qgtm_broker_day(time_t t, int64_t equity, int64_t prev)
{
	struct qgtm_date d = qgtm_ny_date(t);
	char date[11];

	snprintf(date, sizeof date, "%04d-%02d-%02d", d.year, d.month, d.day);
	return json_pack("{s:s,s:o,s:o}", "date", date, "equity",
	    qgtm_dec_json(equity, QGTM_CENTS), "profit_loss",
	    qgtm_dec_json(equity - prev, QGTM_CENTS));
}

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
