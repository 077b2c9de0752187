/*
 * strategy.c: the performance of one strategy (qgtm_report_strategy) for
 * qgtm-api: its fills alone marked now, its daily curve and its newest
 * decay measurement.
 */
#include "report/report_int.h"

json_t *
qgtm_report_strategy(const struct qgtm_cfg *cfg, const char *id, time_t now)
{
	json_t *rec, *curve, *decay;
	struct qgtm_book book;
	int64_t pnl;
	char ts[21];

	if (qgtm_oms_book_load(cfg, &book) == -1)
		return NULL;
	if (qgtm_journal_equity(cfg, book.journal, 0, id, 0, now, now,
	    &pnl) == -1 || (curve = qgtm_curve_equity(cfg, book.journal, id,
	    0, now)) == NULL) {
		qgtm_book_release(&book);
		return NULL;
	}
	qgtm_book_release(&book);
	if ((decay = qgtm_readiness_decay()) == NULL) {
		json_decref(curve);
		return NULL;
	}
	rec = qgtm_record_new("performance", NULL);
	json_object_set_new(rec, "strategy", json_string(id));
	json_object_set_new(rec, "as_of", json_string(qgtm_time_fmt(now, ts)));
	qgtm_model_set_money(rec, "pnl", pnl, 1);
	json_object_set_new(rec, "pnl_cents", json_integer(pnl));
	json_object_set_new(rec, "daily", json_pack("{s:O, s:O}", "dates",
	    json_object_get(curve, "dates"), "cumulative_pnl_cents",
	    json_object_get(curve, "equity_cents")));
	json_object_set(rec, "decay", json_object_get(decay, id) != NULL ?
	    json_object_get(decay, id) : json_null());
	json_decref(curve);
	json_decref(decay);
	return rec;
}
