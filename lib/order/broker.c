/*
 * broker.c: the broker interface: opening a broker by name (its table of
 * operations, qgtm_broker_sim_ops or qgtm_broker_alpaca_ops) and the
 * records every broker answers with.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "order/order.h"
#include "order/broker_int.h"

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
	int64_t pl;

	snprintf(date, sizeof date, "%04d-%02d-%02d", d.year, d.month, d.day);
	return json_pack("{s:s,s:o,s:o}", "date", date, "equity",
	    qgtm_dec_json(equity, QGTM_CENTS), "profit_loss",
	    __builtin_sub_overflow(equity, prev, &pl) ? json_null() :
	    qgtm_dec_json(pl, QGTM_CENTS));
}
